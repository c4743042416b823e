/// @file anthropic.hpp
/// @brief Anthropic Messages adapter (`POST /v1/messages`). See common.hpp for what lands
/// where.
///
/// @code
/// #include <respan/adapters/anthropic.hpp>
///
/// respan::Json request = {{"model", "claude-sonnet-4-5"}, {"max_tokens", 256},
///                         {"messages", {{{"role", "user"}, {"content", "Hi"}}}}};
/// respan::Json response = {{"id", "msg_1"}, {"type", "message"}, {"role", "assistant"},
///                          {"model", "claude-sonnet-4-5"},
///                          {"content", {{{"type", "text"}, {"text", "Hello!"}}}},
///                          {"stop_reason", "end_turn"},
///                          {"usage", {{"input_tokens", 8}, {"output_tokens", 2}}}};
/// respan::Result<respan::RequestLog> log =
///     respan::adapters::anthropic::messages_log(request, response);
/// if (log) logger.log(*log);
/// @endcode
///
/// Anthropic specifics: `system` (a string or text blocks) becomes the first message; content
/// blocks become OpenAI-style parts (`text`; `image` as an `image_url` part holding a `data:`
/// URL or the source URL; other blocks such as `document` or `thinking` keep their own
/// `type` and members); `tool_use` blocks become assistant tool calls (the `input` object as
/// JSON-text arguments) and `tool_result` blocks `tool` messages; tools become `function`
/// tools (`input_schema` as parameters; server tools keep their own `type`); `tool_choice`
/// `auto`/`any`/`none`/`tool` becomes "auto"/"required"/"none"/a function choice;
/// `stop_sequences` fills `stop`. Usage: `prompt_tokens` = `input_tokens` +
/// `cache_creation_input_tokens` + `cache_read_input_tokens` (Anthropic's `input_tokens`
/// counts only the uncached ones), `completion_tokens` = `output_tokens`. The finish reason is
/// `stop_reason`; `stop_sequence` is kept in `metadata.response_fields`.
#pragma once

#include <respan/adapters/common.hpp>
#include <respan/export.hpp>
#include <respan/json.hpp>
#include <respan/models/request_log.hpp>
#include <respan/result.hpp>
#include <respan/tracing.hpp>

namespace respan::adapters::anthropic {

/// A Messages call as a new span. Errors: ErrorCode::invalid_argument when `request` is not
/// an object, ErrorCode::decode when `response` is neither an object nor (on a failed call)
/// a string.
RESPAN_EXPORT Result<RequestLog> messages_log(const Json& request, const Json& response,
                                              const ExchangeInfo& info = {});
/// The same into an existing span (`log` is left as it was on error).
RESPAN_EXPORT Result<void> apply_messages(RequestLog& log, const Json& request,
                                          const Json& response, const ExchangeInfo& info = {});
/// The same into a tracing span, plus Span::set_provider() and, on a failed call,
/// Span::set_error().
RESPAN_EXPORT Result<void> record_messages(Span& span, const Json& request, const Json& response,
                                           const ExchangeInfo& info = {});

}  // namespace respan::adapters::anthropic
