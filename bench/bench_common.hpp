// Shared by the benchmark programs of bench/: the typical chat span they all log.
#pragma once

#include <vector>

#include <respan/respan.hpp>

namespace respan_bench {

/// A typical chat span: a system and a user message, the assistant's answer, token counts,
/// latencies, a customer and a little metadata (about 600 bytes of JSON).
inline respan::RequestLog sample_span() {
  respan::RequestLog span;
  span.model = "gpt-4o";
  span.prompt_messages = std::vector<respan::Message>{
      respan::Message::system("You are a helpful support agent."),
      respan::Message::user("Where is my order #12345? It was due yesterday.")};
  span.completion_message = respan::Message::assistant("It ships today and arrives Thursday.");
  span.prompt_tokens = 42;
  span.completion_tokens = 11;
  span.latency = 0.84;
  span.time_to_first_token = 0.21;
  span.customer_identifier = "customer-42";
  span.metadata = respan::Json{{"region", "eu-west-1"}, {"build", "2026.11.22"}};
  return span;
}

}  // namespace respan_bench
