// Downstream smoke test of an installed respan-cpp: logs a span to the bundled mock server
// and reads it back. Exit code 0 on success.
#include <iostream>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

int main() {
  if (!respan::library_matches_headers()) {
    std::cerr << "headers " << respan::version() << " but library " << respan::library_version()
              << '\n';
    return 1;
  }
  respan::testing::MockServer server;
  server.start();
  respan::ClientOptions options;
  options.api_key = server.api_key();
  options.base_url = server.base_url();
  auto client = respan::RespanClient::create(options);
  if (!client) {
    std::cerr << client.error() << '\n';
    return 1;
  }
  respan::RequestLog span;
  span.model = "gpt-4o";
  span.prompt_messages = std::vector<respan::Message>{respan::Message::user("ping")};
  auto created = client->request_logs().create(span);
  if (!created) {
    std::cerr << created.error() << '\n';
    return 1;
  }
  auto stored = client->request_logs().retrieve(created->unique_id);
  if (!stored || stored->model != "gpt-4o") {
    std::cerr << "read back failed\n";
    return 1;
  }
  std::cout << "respan " << respan::version() << ": span " << created->unique_id
            << " round-tripped\n";
  return 0;
}
