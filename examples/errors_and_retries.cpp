// Errors and retries: what a failed call returns, what is retried, and the two styles
// (Result values or exceptions). Always runs against the bundled mock server, whose fault
// injection makes the failures happen on demand.
#include <chrono>
#include <iostream>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

int main() {
  using namespace std::chrono_literals;
  respan::testing::MockServer server;
  server.start();
  respan::ClientOptions options;
  options.api_key = server.api_key();
  options.base_url = server.base_url();
  options.retry.initial_backoff = 100ms;  // short waits for the demonstration
  auto client = respan::RespanClient::create(options).value();

  // 1. A transient failure is retried: two 503 answers (with Retry-After: 0), then success.
  respan::testing::Fault busy;
  busy.status = 503;
  busy.retry_after = "0";
  busy.times = 2;
  busy.path_prefix = "/api/request-logs/";
  server.inject_fault(busy);
  respan::RequestLog span("gpt-4o");
  auto created = client.request_logs().create(span);
  if (!created) {
    std::cerr << "unexpected: " << created.error() << '\n';
    return 1;
  }
  std::cout << "created after " << server.requests().size() << " attempts: " << created->unique_id
            << '\n';

  // 2. A final failure is returned as a value: check it, read its fields.
  auto missing = client.request_logs().retrieve("no-such-span");
  if (missing || missing.error().code != respan::ErrorCode::not_found) {
    std::cerr << "expected not_found\n";
    return 1;
  }
  const respan::Error& e = missing.error();
  std::cout << "error: " << e << "\n  code " << respan::to_string(e.code) << ", HTTP "
            << e.http_status << ", attempts " << e.attempts << ", retryable "
            << (e.is_retryable() ? "yes" : "no") << '\n';

  // 3. Refused before sending: invalid_argument, zero attempts.
  respan::RequestLog no_model;
  auto refused = client.request_logs().create(no_model);
  if (refused || refused.error().code != respan::ErrorCode::invalid_argument ||
      refused.error().attempts != 0) {
    std::cerr << "expected a local refusal\n";
    return 1;
  }
  std::cout << "refused locally: " << refused.error().message << '\n';

  // 4. A create is not repeated after an ambiguous failure when the span may have been
  //    stored, unless SpanDelivery::at_least_once (the default) allows it; a 500 is such a
  //    failure. With at_most_once, the error comes back instead of a possible duplicate.
  respan::ClientOptions once = options;
  once.span_delivery = respan::SpanDelivery::at_most_once;
  auto careful = respan::RespanClient::create(once).value();
  respan::testing::Fault crash;
  crash.status = 500;
  crash.path_prefix = "/api/request-logs/";
  server.inject_fault(crash);
  auto ambiguous = careful.request_logs().create(span);
  std::cout << "at_most_once after a 500: "
            << (ambiguous ? "stored" : respan::to_string(ambiguous.error().code)) << " ("
            << (ambiguous ? 1 : ambiguous.error().attempts) << " attempt)\n";
  if (ambiguous) return 1;

  // 5. The exception style: value() throws respan::ApiError.
  try {
    auto record = client.request_logs().retrieve("still-missing").value();
    std::cerr << "unexpected: " << record.unique_id << '\n';
    return 1;
  } catch (const respan::ApiError& ex) {
    std::cout << "ApiError: HTTP " << ex.http_status() << ": " << ex.what() << '\n';
  }
  return 0;
}
