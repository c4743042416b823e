// Conan test_package: a program that uses respan as a Conan consumer does. With the testing
// component it logs a span to the mock server over loopback and reads it back; without it, it
// checks that a call to a closed loopback port (127.0.0.1:1) fails as the client's network
// error. Exit code 0 on success.
#include <chrono>
#include <iostream>
#include <vector>

#include <respan/respan.hpp>
#if RESPAN_TEST_MOCK
#include <respan/testing/mock_server.hpp>
#endif

int main() {
  if (!respan::library_matches_headers()) {
    std::cerr << "headers " << respan::version() << " but library " << respan::library_version()
              << '\n';
    return 1;
  }
  respan::ClientOptions options;
  options.retry = respan::RetryPolicy::none();
  options.connect_timeout = std::chrono::seconds(2);
#if RESPAN_TEST_MOCK
  respan::testing::MockServer server;
  server.start();
  options.api_key = server.api_key();
  options.base_url = server.base_url();
#else
  options.api_key = "test-package-key";
  options.base_url = "http://127.0.0.1:1";  // nothing listens on port 1
#endif
  auto client = respan::RespanClient::create(options);
  if (!client) {
    std::cerr << client.error() << '\n';
    return 1;
  }
  respan::RequestLog span;
  span.model = "gpt-4o";
  span.prompt_messages = std::vector<respan::Message>{respan::Message::user("ping")};
  auto created = client->request_logs().create(span);
#if RESPAN_TEST_MOCK
  if (!created) {
    std::cerr << created.error() << '\n';
    return 1;
  }
  auto stored = client->request_logs().retrieve(created->unique_id);
  if (!stored || stored->model != "gpt-4o") {
    std::cerr << "read back failed\n";
    return 1;
  }
  std::cout << "respan " << respan::library_version() << " (Conan, testing): span "
            << created->unique_id << " round-tripped through the mock server\n";
#else
  if (created || created.error().code != respan::ErrorCode::network) {
    std::cerr << "expected a network error from 127.0.0.1:1\n";
    return 1;
  }
  std::cout << "respan " << respan::library_version()
            << " (Conan): 127.0.0.1:1 refused as expected: " << created.error() << '\n';
#endif
  return 0;
}
