/// @file openai.hpp
/// @brief OpenAI adapters: Chat Completions (also the OpenAI-compatible servers: llama.cpp's
/// server, vLLM, Ollama's `/v1`, OpenRouter) and the Responses API. See common.hpp for what
/// lands where.
///
/// @code
/// #include <respan/adapters/openai.hpp>
///
/// respan::Json request = {{"model", "gpt-4o-mini"},
///                         {"messages", {{{"role", "user"}, {"content", "Hi"}}}}};
/// std::string body = R"({"id": "chatcmpl-1", "model": "gpt-4o-mini", "choices": [{"index": 0,
///   "message": {"role": "assistant", "content": "Hello!"}, "finish_reason": "stop"}],
///   "usage": {"prompt_tokens": 8, "completion_tokens": 2, "total_tokens": 10}})";
/// respan::Span llm = tracer.start_span("chat");
/// respan::adapters::ExchangeInfo info;
/// info.http_status = 200;
/// info.latency = std::chrono::milliseconds(840);
/// respan::Result<respan::Json> response = respan::adapters::parse_body(body);
/// if (response) {
///   respan::Result<void> r = respan::adapters::openai::record_chat(llm, request, *response, info);
///   if (!r) std::cerr << r.error() << '\n';
/// }
/// @endcode
///
/// Chat Completions specifics: `max_completion_tokens` fills `max_tokens`; with `n` > 1 the
/// first choice is the completion and the others are kept in
/// `metadata.response_fields.other_choices`; `usage.prompt_tokens_details.cached_tokens`
/// fills `usage.cache_read_input_tokens` and
/// `usage.completion_tokens_details.reasoning_tokens` `usage.extra["reasoning_tokens"]` (the
/// detail objects are kept in `usage.extra` too). OpenAI-compatible servers: llama.cpp's
/// `timings` give `time_to_first_token` (`prompt_ms`), `tokens_per_second`
/// (`predicted_per_second`) and, without ExchangeInfo::latency, `latency` (`prompt_ms` +
/// `predicted_ms`); OpenRouter's `usage.cost` fills `cost` and its `provider` is kept in
/// `metadata.response_fields`. Message members the model does not know (`reasoning_content`,
/// `refusal`, `annotations`, ...) are kept in the message.
///
/// Responses API specifics: `instructions` becomes the system message, the `input` items
/// become messages (`function_call` items assistant tool calls, `function_call_output` items
/// `tool` messages), `max_output_tokens` fills `max_tokens` and `text.format`
/// `response_format`; the `output_text` parts of the `message` items make the completion's
/// text and the `function_call` items its tool calls (`call_id` as the id); `reasoning` items
/// are kept in the completion message as `reasoning`, other output items in
/// `metadata.response_fields.output`. The finish reason is `incomplete_details.reason` when
/// present, else the response's `status`; a `failed` response is an error. The response's
/// copies of request parameters (`instructions`, `tools`, `temperature`, `text`, ...) are kept
/// in `metadata.response_fields` only when they differ from what the request sent.
#pragma once

#include <respan/adapters/common.hpp>
#include <respan/export.hpp>
#include <respan/json.hpp>
#include <respan/models/request_log.hpp>
#include <respan/result.hpp>
#include <respan/tracing.hpp>

namespace respan::adapters::openai {

/// A Chat Completions call (`POST /v1/chat/completions`) as a new span. Errors:
/// ErrorCode::invalid_argument when `request` is not an object, ErrorCode::decode when
/// `response` is neither an object nor (on a failed call) a string.
RESPAN_EXPORT Result<RequestLog> chat_log(const Json& request, const Json& response,
                                          const ExchangeInfo& info = {});
/// The same into an existing span (`log` is left as it was on error).
RESPAN_EXPORT Result<void> apply_chat(RequestLog& log, const Json& request, const Json& response,
                                      const ExchangeInfo& info = {});
/// The same into a tracing span, plus Span::set_provider() and, on a failed call,
/// Span::set_error().
RESPAN_EXPORT Result<void> record_chat(Span& span, const Json& request, const Json& response,
                                       const ExchangeInfo& info = {});

/// A Responses API call (`POST /v1/responses`) as a new span; errors as chat_log().
RESPAN_EXPORT Result<RequestLog> responses_log(const Json& request, const Json& response,
                                               const ExchangeInfo& info = {});
/// The same into an existing span.
RESPAN_EXPORT Result<void> apply_responses(RequestLog& log, const Json& request,
                                           const Json& response, const ExchangeInfo& info = {});
/// The same into a tracing span (see record_chat()).
RESPAN_EXPORT Result<void> record_responses(Span& span, const Json& request, const Json& response,
                                            const ExchangeInfo& info = {});

}  // namespace respan::adapters::openai
