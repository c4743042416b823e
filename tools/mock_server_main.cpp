// respan-mock-server: runs the mock Respan API until SIGINT/SIGTERM.
//
//   respan-mock-server [--port N] [--host 127.0.0.1] [--api-key K] [--environment E]
//                      [--no-auth] [--threads N] [--max-payload-bytes N]
//                      [--max-recorded-bytes N] [--tls-cert FILE --tls-key FILE]
//
// Prints "listening on http://HOST:PORT" (https:// with --tls-cert) on stdout once it accepts
// connections.
#include <cstddef>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>

#include <pthread.h>
#include <signal.h>

#include <respan/testing/mock_server.hpp>

namespace {

void usage(std::ostream& os) {
  os << "usage: respan-mock-server [--port N] [--host ADDR] [--api-key KEY]\n"
        "                          [--environment ENV] [--no-auth] [--threads N]\n"
        "                          [--max-payload-bytes N] [--max-recorded-bytes N]\n"
        "                          [--max-stored-objects N] [--tls-cert FILE --tls-key FILE]\n"
        "\n"
        "Serves an in-memory mock of the Respan API (request logs, datasets, traces,\n"
        "scores, prompts, customers, threads) at\n"
        "http://ADDR:PORT/api/... until interrupted; with --tls-cert and --tls-key (PEM\n"
        "certificate chain and unencrypted key) at https://ADDR:PORT/api/... instead\n"
        "(TLS 1.2 or newer). Defaults: --host 127.0.0.1, --port 0\n"
        "(ephemeral), --api-key test-key, --environment test, --max-payload-bytes\n"
        "20971520 (larger bodies get 413), --max-recorded-bytes 67108864 (request bodies\n"
        "kept by the recorder; the oldest requests are forgotten first),\n"
        "--max-stored-objects 10000 (scores, prompts with their versions, customer\n"
        "profiles, each; a create beyond it answers 400).\n";
}

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

}  // namespace

int main(int argc, char** argv) {
  respan::testing::MockServerOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](const char* name) -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "respan-mock-server: " << name << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      usage(std::cout);
      return 0;
    } else if (arg == "--port") {
      if (!parse_int(value("--port"), 0, 65535, options.port)) {
        std::cerr << "respan-mock-server: invalid --port\n";
        return 2;
      }
    } else if (arg == "--host") {
      options.host = value("--host");
    } else if (arg == "--api-key") {
      options.api_key = value("--api-key");
    } else if (arg == "--environment") {
      options.environment = value("--environment");
    } else if (arg == "--no-auth") {
      options.require_auth = false;
    } else if (arg == "--threads") {
      if (!parse_int(value("--threads"), 1, 4096, options.thread_count)) {
        std::cerr << "respan-mock-server: invalid --threads\n";
        return 2;
      }
    } else if (arg == "--max-payload-bytes") {
      if (!parse_size(value("--max-payload-bytes"), options.max_payload_bytes)) {
        std::cerr << "respan-mock-server: invalid --max-payload-bytes\n";
        return 2;
      }
    } else if (arg == "--max-recorded-bytes") {
      if (!parse_size(value("--max-recorded-bytes"), options.max_recorded_bytes)) {
        std::cerr << "respan-mock-server: invalid --max-recorded-bytes\n";
        return 2;
      }
    } else if (arg == "--max-stored-objects") {
      if (!parse_size(value("--max-stored-objects"), options.max_stored_objects)) {
        std::cerr << "respan-mock-server: invalid --max-stored-objects\n";
        return 2;
      }
    } else if (arg == "--tls-cert") {
      options.tls_cert_file = value("--tls-cert");
    } else if (arg == "--tls-key") {
      options.tls_key_file = value("--tls-key");
    } else {
      std::cerr << "respan-mock-server: unknown argument '" << arg << "'\n";
      usage(std::cerr);
      return 2;
    }
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

  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    std::cerr << "respan-mock-server: --tls-cert and --tls-key go together\n";
    return 2;
  }
  respan::testing::MockServer server(options);
  try {
    server.start();
  } catch (const std::exception& e) {
    std::cerr << "respan-mock-server: " << e.what() << '\n';
    return 1;
  }
  std::cout << "listening on " << server.base_url() << std::endl;

  int received = 0;
  sigwait(&signals, &received);
  server.stop();
  return 0;
}
