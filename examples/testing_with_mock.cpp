// Testing your code with the mock server: start it on a loopback port, point your client at
// it, make it fail on purpose, and check what your code sent and what it stored. A test
// framework would use the same calls (the respan test suite uses GoogleTest); here plain
// checks keep the example self-contained. Exit status 0 when every check passes.
#include <iostream>
#include <string>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

namespace {

// The code under test: logs one support answer, retrying is the SDK's business.
bool log_support_answer(const respan::RespanClient& client, const std::string& customer,
                        const std::string& question, const std::string& answer) {
  respan::RequestLog span("gpt-4o");
  span.input = question;
  span.output = answer;
  span.customer_identifier = customer;
  span.metadata = respan::Json{{"feature", "support"}};
  return client.request_logs().create(span).ok();
}

int failures = 0;
void check(bool ok, const char* what) {
  std::cout << (ok ? "ok    " : "FAIL  ") << what << '\n';
  if (!ok) ++failures;
}

}  // namespace

int main() {
  respan::testing::MockServer server;  // 127.0.0.1, an ephemeral port, key "test-key"
  server.start();
  respan::ClientOptions options;
  options.api_key = server.api_key();
  options.base_url = server.base_url();
  options.retry.initial_backoff = std::chrono::milliseconds(100);
  auto client = respan::RespanClient::create(options).value();

  // The happy path: what was stored, as the API stores it.
  check(log_support_answer(client, "alice", "Where is my order?", "It ships today."),
        "the span is logged");
  auto stored = server.request_logs();
  check(stored.size() == 1, "one span is stored");
  check(stored.at(0)["customer_identifier"] == "alice", "with its customer");
  check(stored.at(0)["metadata"]["feature"] == "support", "and its metadata");
  check(stored.at(0)["environment"] == "test", "in the key's environment");

  // What went over the wire: method, path, headers, body.
  auto requests = server.requests();
  check(requests.at(0).method == "POST" && requests.at(0).path == "/api/request-logs/",
        "sent to POST /api/request-logs/");
  check(requests.at(0).header("authorization") == "Bearer test-key", "with the API key");

  // A failure: the service is down for two attempts, the SDK retries, the span arrives.
  server.reset();
  respan::testing::Fault down;
  down.status = 503;
  down.retry_after = "0";
  down.times = 2;
  server.inject_fault(down);
  check(log_support_answer(client, "bob", "Refund?", "Done."), "logged despite two 503s");
  check(server.requests().size() == 3, "after three attempts");
  check(server.request_logs().size() == 1, "stored once");

  // A failure the SDK does not retry: the code under test reports it.
  server.reset();
  respan::testing::Fault refused;
  refused.status = 401;
  server.inject_fault(refused);
  check(!log_support_answer(client, "carol", "Hi", "Hello"), "a 401 is reported as a failure");
  check(server.request_logs().empty(), "nothing stored");

  std::cout << (failures == 0 ? "all checks passed\n" : "some checks failed\n");
  return failures == 0 ? 0 : 1;
}
