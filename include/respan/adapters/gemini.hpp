/// @file gemini.hpp
/// @brief Google Gemini adapter (`POST /v1beta/models/{model}:generateContent`, and the
/// chunks of `:streamGenerateContent`). See common.hpp for what lands where.
///
/// @code
/// #include <respan/adapters/gemini.hpp>
///
/// respan::Json request = {{"contents", {{{"role", "user"}, {"parts", {{{"text", "Hi"}}}}}}}};
/// respan::Json response = {
///     {"candidates", {{{"content", {{"role", "model"}, {"parts", {{{"text", "Hello!"}}}}}},
///                      {"finishReason", "STOP"}}}},
///     {"usageMetadata", {{"promptTokenCount", 2}, {"candidatesTokenCount", 2}}}};
/// respan::adapters::ExchangeInfo info;
/// info.model = "gemini-2.5-flash";  // the model is in the URL, not in the body
/// respan::Result<respan::RequestLog> log =
///     respan::adapters::gemini::generate_content_log(request, response, info);
/// if (log) logger.log(*log);
/// @endcode
///
/// Gemini specifics: the model is ExchangeInfo::model, else the response's `modelVersion`
/// (left empty when neither says: set it before logging). `systemInstruction` becomes the
/// first message, role `model` becomes `assistant`; parts become OpenAI-style parts (`text`;
/// `inlineData` / `fileData` images as `image_url` parts with a `data:` URL or the file URI,
/// other media kept as parts of type `inlineData` / `fileData`; thought parts as parts of
/// type `thinking`); `functionCall` parts become tool calls (`args` as JSON-text arguments,
/// the call's `id` when it has one) and `functionResponse` parts `tool` messages (named by
/// the function). `functionDeclarations` become `function` tools, other tools (`googleSearch`,
/// `codeExecution`, ...) keep their own type; `toolConfig.functionCallingConfig.mode`
/// AUTO/ANY/NONE becomes "auto"/"required"/"none" (ANY with one allowed function: that
/// function). `generationConfig` gives temperature, top_p, max_tokens (`maxOutputTokens`),
/// stop (`stopSequences`), the penalties and `response_format` (`responseMimeType` /
/// `responseSchema`). Request members are read in camelCase or snake_case. Usage:
/// `prompt_tokens` = `promptTokenCount`, `completion_tokens` = `candidatesTokenCount` +
/// `thoughtsTokenCount`, `cache_read_input_tokens` = `cachedContentTokenCount`, reasoning
/// tokens = `thoughtsTokenCount`. The finish reason is the first candidate's
/// `finishReason`, or `promptFeedback.blockReason` when the prompt was blocked.
#pragma once

#include <respan/adapters/common.hpp>
#include <respan/export.hpp>
#include <respan/json.hpp>
#include <respan/models/request_log.hpp>
#include <respan/result.hpp>
#include <respan/tracing.hpp>

namespace respan::adapters::gemini {

/// A generateContent call as a new span. Errors: ErrorCode::invalid_argument when `request`
/// is not an object, ErrorCode::decode when `response` is neither an object nor (on a failed
/// call) a string.
RESPAN_EXPORT Result<RequestLog> generate_content_log(const Json& request, const Json& response,
                                                      const ExchangeInfo& info = {});
/// The same into an existing span (`log` is left as it was on error).
RESPAN_EXPORT Result<void> apply_generate_content(RequestLog& log, const Json& request,
                                                  const Json& response,
                                                  const ExchangeInfo& info = {});
/// The same into a tracing span, plus Span::set_provider() and, on a failed call,
/// Span::set_error().
RESPAN_EXPORT Result<void> record_generate_content(Span& span, const Json& request,
                                                   const Json& response,
                                                   const ExchangeInfo& info = {});

}  // namespace respan::adapters::gemini
