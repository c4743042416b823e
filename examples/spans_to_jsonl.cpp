// Spans to JSON lines, for `respan logs upload`: builds spans with the SDK's types and writes
// one per line in the API's JSON (the body of POST /api/request-logs/).
//
//   spans_to_jsonl [N] > spans.jsonl       N spans (default 1000)
//   respan logs upload spans.jsonl         then upload them (docs/guides/cli.md)
#include <cstdlib>
#include <iostream>
#include <string>

#include <respan/respan.hpp>

int main(int argc, char** argv) {
  long n = 1000;
  if (argc > 1) {
    char* end = nullptr;
    n = std::strtol(argv[1], &end, 10);
    if (*end != '\0' || n < 0 || n > 10000000) {
      std::cerr << "usage: spans_to_jsonl [N]\n";
      return 2;
    }
  }
  for (long i = 0; i < n; ++i) {
    respan::RequestLog span("gpt-4o-mini");
    span.prompt_messages =
        std::vector<respan::Message>{respan::Message::user("Question #" + std::to_string(i))};
    span.completion_message = respan::Message::assistant("Answer #" + std::to_string(i));
    span.prompt_tokens = 10 + i % 7;
    span.completion_tokens = 20 + i % 11;
    span.latency = 0.2 + static_cast<double>(i % 5) / 10;
    span.customer_identifier = "customer-" + std::to_string(i % 3);
    span.custom_identifier = "batch-import-" + std::to_string(i);
    // Json(model) refuses what the API would (NaN, a set-but-null field) with an exception.
    std::cout << respan::Json(span).dump() << '\n';
  }
  return 0;
}
