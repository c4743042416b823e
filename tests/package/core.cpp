// Downstream smoke test of respan-cpp without the testing component: the headers and the
// library agree on the version, exported models convert to JSON, and a call to a closed
// loopback port fails as a value and, through value(), as an exception caught across the
// library boundary. Exit code 0 on success.
#include <chrono>
#include <iostream>

#include <respan/respan.hpp>

int main() {
  if (!respan::library_matches_headers()) {
    std::cerr << "headers " << respan::version() << " but library " << respan::library_version()
              << '\n';
    return 1;
  }
  respan::RequestLog span;
  span.model = "gpt-4o";
  span.prompt_messages = std::vector<respan::Message>{respan::Message::user("ping")};
  if (respan::Json(span).at("model") != "gpt-4o") {
    std::cerr << "RequestLog did not convert to JSON\n";
    return 1;
  }

  respan::ClientOptions options;
  options.api_key = "consumer-key";
  options.base_url = "http://127.0.0.1:1";  // nothing listens on port 1
  options.retry = respan::RetryPolicy::none();
  options.connect_timeout = std::chrono::seconds(2);
  auto client = respan::RespanClient::create(options);
  if (!client) {
    std::cerr << client.error() << '\n';
    return 1;
  }
  auto created = client->request_logs().create(span);
  if (created || created.error().code != respan::ErrorCode::network) {
    std::cerr << "expected a network error\n";
    return 1;
  }
  try {
    (void)client->request_logs().retrieve("0123abcd").value();
    std::cerr << "value() did not throw\n";
    return 1;
  } catch (const respan::ApiError& e) {
    std::cout << "respan " << respan::library_version() << ": " << e.what() << '\n';
  }
  return 0;
}
