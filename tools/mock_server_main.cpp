// respan-mock-server: runs the mock Respan API until SIGINT/SIGTERM.
//
//   respan-mock-server [--port N] [--host 127.0.0.1] [--api-key K] [--environment E]
//                      [--no-auth] [--threads N] [--max-payload-bytes N]
//                      [--max-recorded-bytes N] [--max-stored-objects N]
//                      [--tls-cert FILE --tls-key FILE] [--ui] [--fake-openai]
//
// Prints "listening on http://HOST:PORT" (https:// with --tls-cert) on stdout once it accepts
// connections, then with --ui "viewer at http://HOST:PORT/ui" (a local web viewer). `respan
// mock-server` runs the same code (tools/mock_server_cli.cpp).
#include <string>
#include <vector>

#include "mock_server_cli.hpp"

int main(int argc, char** argv) {
  return respan::tools::run_mock_server(std::vector<std::string>(argv + 1, argv + argc),
                                        "respan-mock-server");
}
