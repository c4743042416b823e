// respan: the command-line client of the Respan API. See `respan --help` and
// docs/guides/cli.md.
#include <exception>
#include <iostream>
#include <new>
#include <string>
#include <vector>

#include <respan/respan.hpp>
#include <respan/version.hpp>

#include "args.hpp"
#include "cli.hpp"
#if RESPAN_CLI_HAS_MOCK
#include "mock_server_cli.hpp"
#endif

namespace respan::cli {

std::vector<CommandSpec> tool_commands() {
  std::vector<CommandSpec> out;
  CommandSpec mock{{"mock-server"},
                   "Run the bundled mock Respan server (the flags of respan-mock-server)",
                   "",
                   0,
                   0,
                   {},
                   "",
                   false,
                   {},
                   true};
#if RESPAN_CLI_HAS_MOCK
  for (const auto& f : tools::mock_server_flags()) {
    mock.options.push_back(
        {f.name, f.value_name, f.help, false, '\0', f.value_name == "FILE" ? "file" : ""});
  }
  mock.run = [](Context&, const Args& a) {
    return tools::run_mock_server(a.positionals, "respan mock-server");
  };
#else
  mock.run = [](Context& c, const Args&) {
    c.err << "respan: this respan was built without the mock server (RESPAN_BUILD_TESTING_LIB "
             "was OFF, or the platform has none)\n";
    return static_cast<int>(kExitUsage);
  };
#endif
  out.push_back(std::move(mock));
  out.push_back({{"completion", "bash"},
                 "Print the bash completion script",
                 "",
                 0,
                 0,
                 {},
                 "Load it in the current shell with:  source <(respan completion bash)\n"
                 "or install it as /usr/share/bash-completion/completions/respan\n"
                 "(or ~/.local/share/bash-completion/completions/respan).",
                 false,
                 [](Context& c, const Args&) {
                   c.out << bash_completion_script();
                   return static_cast<int>(kExitOk);
                 }});
  return out;
}

const std::vector<CommandSpec>& commands() {
  static const auto* all = [] {
    auto* v = new std::vector<CommandSpec>;
    for (auto&& family : {request_log_commands(), dataset_commands(), trace_commands(),
                          runtime_commands(), tool_commands()}) {
      v->insert(v->end(), family.begin(), family.end());
    }
    return v;
  }();
  return *all;
}

namespace {

int run(const std::vector<std::string>& argv) {
  Parsed p;
  try {
    p = parse(argv);
  } catch (const UsageError& e) {
    std::cerr << "respan: " << e.message << '\n';
    return kExitUsage;
  }
  if (p.version) {
    std::cout << "respan " << RESPAN_VERSION_STRING << '\n';
    return kExitOk;
  }
  if (p.help) {
    if (p.args.command == nullptr) {
      print_overview(std::cout, p.group);
    } else if (p.args.command->raw_args) {
      Context c{std::cin, std::cout, std::cerr, p.args};
      Args help = p.args;
      help.positionals = {"--help"};
      return p.args.command->run(c, help);
    } else {
      print_command_help(std::cout, *p.args.command);
    }
    return kExitOk;
  }
  Context c{std::cin, std::cout, std::cerr, p.args};
  try {
    return p.args.command->run(c, p.args);
  } catch (const UsageError& e) {
    std::cerr << "respan: " << e.message << '\n';
    return kExitUsage;
  } catch (const ApiError& e) {
    return c.fail(e.error());
  } catch (const std::bad_alloc&) {
    std::cerr << "respan: out of memory\n";
    return kExitApiError;
  }
}

}  // namespace

}  // namespace respan::cli

int main(int argc, char** argv) {
  try {
    return respan::cli::run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    std::cerr << "respan: " << e.what() << '\n';
    return 1;
  }
}
