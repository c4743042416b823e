// The command line of the mock Respan server, shared by `respan-mock-server` and
// `respan mock-server` (the same flags, the same behaviour).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace respan::tools {

/// One flag of the mock server's command line.
struct MockServerFlag {
  std::string name;        ///< Without the dashes, e.g. "port".
  std::string value_name;  ///< "" for a flag without a value.
  std::string help;        ///< One line.
};

/// Every flag, in usage order (the CLI builds its --help and bash completion from it).
const std::vector<MockServerFlag>& mock_server_flags();

/// Prints the usage of the mock server command (`program` names it, e.g. "respan mock-server").
void mock_server_usage(std::ostream& os, const std::string& program);

/// Parses `args` (the arguments after the program or command name), starts the mock server,
/// prints "listening on URL" on stdout and serves until SIGINT or SIGTERM. Returns the exit
/// status: 0 after a signal or --help, 1 when the server cannot start, 2 for a usage error.
int run_mock_server(const std::vector<std::string>& args, const std::string& program);

}  // namespace respan::tools
