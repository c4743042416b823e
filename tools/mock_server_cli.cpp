// The mock server's command line (see mock_server_cli.hpp). POSIX only, as the mock server is.
#include "mock_server_cli.hpp"

#include <cstddef>
#include <cstdlib>
#include <exception>
#include <functional>
#include <iostream>

#include <pthread.h>
#include <signal.h>

#include <respan/testing/mock_server.hpp>

namespace respan::tools {

namespace {

bool parse_int(const std::string& text, int min, int max, int& out) {
  char* end = nullptr;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < min || v > max) return false;
  out = static_cast<int>(v);
  return true;
}

bool parse_size(const std::string& text, std::size_t& out) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || text[0] == '-' || *end != '\0' || v == 0) return false;
  out = static_cast<std::size_t>(v);
  return true;
}

// One flag: its spelling and how it sets MockServerOptions (false: the value is invalid).
struct Flag {
  MockServerFlag spec;
  std::function<bool(const std::string& value, testing::MockServerOptions& o)> apply;
};

const std::vector<Flag>& flags() {
  using O = testing::MockServerOptions;
  static const auto* table = new std::vector<Flag>{
      {{"port", "N", "Port to listen on (default 0: an ephemeral port)"},
       [](const std::string& v, O& o) { return parse_int(v, 0, 65535, o.port); }},
      {{"host", "ADDR", "Address to bind (default 127.0.0.1; keep it on loopback)"},
       [](const std::string& v, O& o) {
         o.host = v;
         return !v.empty();
       }},
      {{"api-key", "KEY", "Accepted API key (default test-key)"},
       [](const std::string& v, O& o) {
         o.api_key = v;
         return !v.empty();
       }},
      {{"environment", "ENV", "Environment of the key (default test)"},
       [](const std::string& v, O& o) {
         o.environment = v;
         return !v.empty();
       }},
      {{"no-auth", "", "Accept requests without a valid key"},
       [](const std::string&, O& o) {
         o.require_auth = false;
         return true;
       }},
      {{"threads", "N", "Worker threads started up front (default 16)"},
       [](const std::string& v, O& o) { return parse_int(v, 1, 4096, o.thread_count); }},
      {{"max-payload-bytes", "N", "Largest request body (default 20971520; larger get 413)"},
       [](const std::string& v, O& o) { return parse_size(v, o.max_payload_bytes); }},
      {{"max-recorded-bytes", "N",
        "Request bodies kept by the recorder (default 67108864; oldest forgotten first)"},
       [](const std::string& v, O& o) { return parse_size(v, o.max_recorded_bytes); }},
      {{"max-stored-objects", "N",
        "Scores, prompts with their versions, customer profiles kept, each (default 10000)"},
       [](const std::string& v, O& o) { return parse_size(v, o.max_stored_objects); }},
      {{"tls-cert", "FILE", "PEM certificate chain: serve HTTPS (with --tls-key)"},
       [](const std::string& v, O& o) {
         o.tls_cert_file = v;
         return !v.empty();
       }},
      {{"tls-key", "FILE", "PEM private key (unencrypted) of --tls-cert"},
       [](const std::string& v, O& o) {
         o.tls_key_file = v;
         return !v.empty();
       }},
      {{"evaluator", "SLUG",
        [] {
          std::string known;
          for (const auto& e : O{}.known_evaluators)
            known += (known.empty() ? "" : ", ") + e;
          return "One more evaluator id/slug that runs (repeatable; known: " + known +
                 "; others are refused with 400)";
        }()},
       [](const std::string& v, O& o) {
         o.known_evaluators.push_back(v);
         return !v.empty();
       }},
      // `respan-mock-server` and `respan mock-server` (its --help and bash completion
      // included) both take every flag of this table.
      {{"ui", "", "Serve a web viewer of the stored data at /ui (mock-only, read-only)"},
       [](const std::string&, O& o) {
         o.ui = true;
         return true;
       }},
      {{"fake-openai", "",
        "Also serve a fake OpenAI Chat Completions API at /v1/chat/completions (mock-only)"},
       [](const std::string&, O& o) {
         o.fake_openai = true;
         return true;
       }},
  };
  return *table;
}

}  // namespace

const std::vector<MockServerFlag>& mock_server_flags() {
  static const auto* specs = [] {
    auto* out = new std::vector<MockServerFlag>;
    for (const auto& f : flags())
      out->push_back(f.spec);
    return out;
  }();
  return *specs;
}

void mock_server_usage(std::ostream& os, const std::string& program) {
  os << "usage: " << program << " [options]\n"
     << "\n"
        "Serves an in-memory mock of the Respan API (request logs, datasets, traces,\n"
        "scores, prompts, customers, threads) at http://ADDR:PORT/api/... until\n"
        "interrupted (SIGINT, SIGTERM); with --tls-cert and --tls-key at\n"
        "https://ADDR:PORT/api/... instead (TLS 1.2 or newer). Prints\n"
        "\"listening on URL\" once it accepts connections (and, with --ui,\n"
        "\"viewer at URL/ui\": a page listing the stored data, traces as waterfalls).\n"
        "With --fake-openai it also answers POST URL/v1/chat/completions as a small,\n"
        "deterministic fake of OpenAI's Chat Completions API (streaming included).\n"
        "\nOptions:\n";
  for (const auto& f : mock_server_flags()) {
    std::string left = "  --" + f.name + (f.value_name.empty() ? "" : " " + f.value_name);
    if (left.size() < 28) {
      left.resize(28, ' ');
    } else {
      left += "\n" + std::string(28, ' ');
    }
    os << left << f.help << '\n';
  }
  os << "  -h, --help                Show this help\n";
}

int run_mock_server(const std::vector<std::string>& args, const std::string& program) {
  testing::MockServerOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg == "--help" || arg == "-h") {
      mock_server_usage(std::cout, program);
      return 0;
    }
    std::string value;
    bool has_inline = false;
    if (arg.rfind("--", 0) == 0) {
      if (auto eq = arg.find('='); eq != std::string::npos) {
        value = arg.substr(eq + 1);
        arg.resize(eq);
        has_inline = true;
      }
    }
    const Flag* flag = nullptr;
    for (const auto& f : flags()) {
      if (arg == "--" + f.spec.name) flag = &f;
    }
    if (flag == nullptr) {
      std::cerr << program << ": unknown argument '" << arg << "'\n";
      mock_server_usage(std::cerr, program);
      return 2;
    }
    if (!flag->spec.value_name.empty() && !has_inline) {
      if (i + 1 >= args.size()) {
        std::cerr << program << ": " << arg << " needs a value\n";
        return 2;
      }
      value = args[++i];
    } else if (flag->spec.value_name.empty() && has_inline) {
      std::cerr << program << ": " << arg << " takes no value\n";
      return 2;
    }
    if (!flag->apply(value, options)) {
      std::cerr << program << ": invalid " << arg << '\n';
      return 2;
    }
  }
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    std::cerr << program << ": --tls-cert and --tls-key go together\n";
    return 2;
  }

  // Block the termination signals in every thread (the server's threads inherit the mask) and
  // wait for them synchronously below.
  // A shell may start us with SIGINT ignored (background job); an ignored signal is discarded
  // and sigwait would never see it, so restore the default disposition first.
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A client hanging up mid-response must not kill the process.
  signal(SIGPIPE, SIG_IGN);

  testing::MockServer server(options);
  try {
    server.start();
  } catch (const std::exception& e) {
    std::cerr << program << ": " << e.what() << '\n';
    return 1;
  }
  std::cout << "listening on " << server.base_url() << std::endl;
  if (options.ui) std::cout << "viewer at " << server.base_url() << "/ui" << std::endl;

  int received = 0;
  sigwait(&signals, &received);
  server.stop();
  return 0;
}

}  // namespace respan::tools
