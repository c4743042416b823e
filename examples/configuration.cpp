// Configuration: every ClientOptions field a production service usually sets, per-call
// overrides, and what the client refuses when it is made.
//
// With RESPAN_API_KEY set, talks to Respan (RESPAN_BASE_URL and RESPAN_CA_BUNDLE are read
// too). Without it, starts the bundled mock Respan server on 127.0.0.1.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string_view>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

#include "example_client.hpp"

int main() {
  using namespace std::chrono_literals;

  // 1. The options. Every field has a usable default except the API key.
  respan::ClientOptions options;
  options.connect_timeout = 5s;   // per attempt
  options.request_timeout = 20s;  // per attempt, connect included
  options.call_deadline = 60s;    // all attempts and backoff sleeps of one call
  options.retry.max_retries = 3;  // 4 attempts at most
  options.retry.initial_backoff = 200ms;
  options.retry.max_backoff = 5s;
  options.user_agent_suffix = "checkout-service/2.3";
  options.default_headers = {{"X-Request-Source", "checkout"}};
  options.log_level = respan::LogLevel::info;
  options.log = [](respan::LogLevel level, std::string_view message) {
    std::cerr << "[respan " << static_cast<int>(level) << "] " << message << '\n';
  };

  // 2. The key and the URL: from the environment (RESPAN_API_KEY, RESPAN_BASE_URL, ...), or
  //    the mock server (example_client.hpp; plain http is accepted for loopback hosts only).
  example::Connection conn = example::connect(options);
  if (!conn.client) {
    std::cerr << "cannot create the client: " << conn.client.error() << '\n';
    return 1;
  }
  respan::RespanClient client = std::move(conn.client).value();
  options = client.options();
  std::cout << "base_url in effect: " << client.options().base_url << '\n';

  // 3. Per-call overrides: a tighter budget for a call on a latency-sensitive path.
  respan::RequestOptions fast;
  fast.request_timeout = 2s;
  fast.max_retries = 0;
  fast.headers = {{"X-Trace", "abc123"}};
  respan::RequestLog span("gpt-4o");
  span.input = "ping";
  auto created = client.request_logs().create(span, fast);
  if (!created) {
    std::cerr << "create failed: " << created.error() << '\n';
    return 1;
  }
  std::cout << "logged " << created->unique_id << '\n';

  // 4. What is refused when the client is made (nothing is sent; the key is never repeated).
  respan::ClientOptions bad = options;
  bad.base_url = "http://api.example.com";  // plain http to a remote host: the key in clear
  auto refused = respan::RespanClient::create(bad);
  if (refused) {
    std::cerr << "expected plain http to a remote host to be refused\n";
    return 1;
  }
  std::cout << "refused: " << refused.error().message << '\n';
  bad = options;
  bad.retry.multiplier = 0.5;  // outside 1-100
  refused = respan::RespanClient::create(bad);
  if (refused) {
    std::cerr << "expected a multiplier below 1 to be refused\n";
    return 1;
  }
  std::cout << "refused: " << refused.error().message << '\n';
  return 0;
}
