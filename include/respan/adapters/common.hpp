// clang-format off
/// @file common.hpp
/// @brief What every provider adapter shares: the description of one provider call
/// (ExchangeInfo), bounded parsing of provider bodies, and where the adapters put what the
/// span has no field for.
///
/// The adapters (openai.hpp, anthropic.hpp, gemini.hpp, stream.hpp) turn the request JSON and
/// the response JSON of an LLM call into the fields of a RequestLog or of a tracing Span. They
/// depend on the models only: they never send anything. Each API has three forms:
/// - `..._log(request, response, info)` returns a new RequestLog (for RespanClient or the
///   BatchLogger);
/// - `apply_...(log, request, response, info)` fills an existing RequestLog (a log that
///   already carries your customer, thread or trace ids);
/// - `record_...(span, request, response, info)` fills a Span: Span::fields(),
///   Span::set_provider() and, on a failed call, Span::set_error().
///
/// What lands where (every provider):
///
/// | span field | from |
/// |---|---|
/// | `model` | ExchangeInfo::model, else the response's model, else the request's |
/// | `prompt_messages` | the request's messages in OpenAI chat form (system prompt first, tool results as `tool` messages, images as `image_url` parts, other parts kept with their own `type`) |
/// | `completion_message`, `tool_calls` | the (first) answer: text, tool calls as OpenAI `function` calls with JSON-text arguments |
/// | `tools`, `tool_choice`, `response_format` | the request, in OpenAI function-calling form |
/// | `temperature`, `top_p`, `max_tokens`, `stop`, `frequency_penalty`, `presence_penalty`, `stream` | the request (ExchangeInfo::stream overrides `stream`) |
/// | `usage`, `prompt_tokens`, `completion_tokens` | the response, normalised: `prompt_tokens` counts every input token (cached ones included), `completion_tokens` every output token (reasoning included); `cache_read_input_tokens` / `cache_creation_input_tokens` where the provider reports them |
/// | `usage.extra["reasoning_tokens"]` | the provider's reasoning ("thinking") token count |
/// | `cost` | OpenRouter's `usage.cost` |
/// | `latency`, `time_to_first_token`, `tokens_per_second` | ExchangeInfo, else what the server measured (llama.cpp's `timings`) |
/// | `status`, `status_code`, `error_message` | a failed call: status `error`, the HTTP status, the provider's error message |
/// | `full_request`, `full_response` | the bodies as given, when ExchangeInfo::attach_raw_bodies |
/// | `warnings` | members that were skipped because they were malformed, e.g. `"respan adapter skipped: response.usage.prompt_tokens (not a non-negative integer)"` |
///
/// `metadata` keys (merged into an existing metadata object; the adapter's keys win):
///
/// | key | value |
/// |---|---|
/// | `provider` | "openai", "openrouter", "vllm", "ollama", "llama.cpp", "anthropic", "gemini" (ExchangeInfo::provider) |
/// | `response_id` | the provider's id of the answer (`chatcmpl-...`, `resp_...`, `msg_...`, Gemini's `responseId`) |
/// | `finish_reason` | the provider's stop reason verbatim (`stop`, `tool_calls`, `end_turn`, `STOP`, `max_output_tokens`, ...) |
/// | `request_params` | request members the span has no field for (`n`, `seed`, `top_k`, `user`, `reasoning_effort`, ...), verbatim |
/// | `response_fields` | response members the span has no field for (`created`, `system_fingerprint`, `service_tier`, llama.cpp `timings`, OpenRouter `provider`, Gemini `promptFeedback`, ...), verbatim; `choice` holds the unmapped members of the first choice / candidate, `other_choices` the other choices |
/// | `error_type` | a failed call's error type or code (`rate_limit_exceeded`, `overloaded_error`, `RESOURCE_EXHAUSTED`, ...) |
///
/// Malformed input never crashes and never puts `null` or a non-finite number on the wire: a
/// request or response that is not a JSON object is an ErrorCode::invalid_argument /
/// ErrorCode::decode Error; inside them a member of the wrong type (a string where a number
/// belongs, a negative or fractional token count, a number beyond int64, a NaN, a value
/// nested deeper than 64 levels) is skipped and named in `warnings`.
///
/// Cost (bench/bench_adapters.cpp, Release): parse_body() plus openai::chat_log() of a typical
/// 1.2 KB answer takes about 1.13x the time of nlohmann's parse of the same bytes alone.
// clang-format on
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <respan/export.hpp>
#include <respan/json.hpp>
#include <respan/result.hpp>

namespace respan::adapters {

/// What the adapter cannot read from the bodies: how the call went and what it took.
struct ExchangeInfo {
  /// HTTP status of the provider's answer; 0 = unknown. 400 or more: the response is the
  /// provider's error body (the span gets status `error`, `status_code` and `error_message`).
  /// A response that is an error object (`{"error": ...}` and no answer) is read as an error
  /// body whatever the status.
  int http_status = 0;
  /// Wall time of the call (`latency`), e.g. `std::chrono::milliseconds(840)`.
  std::optional<std::chrono::duration<double>> latency;
  /// Time to the first token (`time_to_first_token`).
  std::optional<std::chrono::duration<double>> time_to_first_token;
  /// Output tokens per second (`tokens_per_second`).
  std::optional<double> tokens_per_second;
  /// Overrides the request's `stream` flag.
  std::optional<bool> stream;
  /// The provider (`metadata.provider`, Span::set_provider()); "" = the adapter's own
  /// ("openai", "anthropic", "gemini"). Name the OpenAI-compatible server here: "openrouter",
  /// "vllm", "ollama", "llama.cpp", ...
  std::string provider;
  /// The model, when the bodies do not name it (Gemini's model is in the URL).
  std::string model;
  /// Attach the request and response as given as `full_request` / `full_response`.
  bool attach_raw_bodies = false;
};

/// Parses a provider's body as JSON, refusing nesting deeper than 128 levels: an
/// ErrorCode::decode Error saying why when it is not JSON.
RESPAN_EXPORT Result<Json> parse_body(std::string_view body);

/// An error body as JSON when it parses, else the text itself as a JSON string (an HTML page
/// from a proxy, "upstream timeout"), at most 4 KiB of it: what an adapter takes as the
/// response of a failed call.
RESPAN_EXPORT Json error_body(std::string_view body);

}  // namespace respan::adapters
