// Internal: what every provider adapter uses to read a provider body into a RequestLog
// without trusting it: typed readers that skip a malformed member and name it in the span's
// `warnings`, bounded copies of free-form values, the metadata keys, the error-body reader
// and the driver that turns a mapping function into the three public forms
// (`..._log`, `apply_...`, `record_...`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <respan/adapters/common.hpp>
#include <respan/json.hpp>
#include <respan/models/request_log.hpp>
#include <respan/result.hpp>
#include <respan/tracing.hpp>

namespace respan::adapters::detail {

/// Deepest free-form value copied into a span (it is nested again inside the span's
/// metadata, and the span's encoder refuses more than 128 levels in all).
constexpr std::size_t kMaxCopyDepth = 64;
/// Skipped members named in `warnings` (the count goes on).
constexpr std::size_t kMaxWarnings = 8;
/// Longest error message kept from an error body.
constexpr std::size_t kMaxErrorMessageBytes = 4096;

/// The member `key` of `obj` when `obj` is an object holding it, not null; else nullptr.
inline const Json* member(const Json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

/// `member(obj, a)`, else `member(obj, b)` (camelCase or snake_case).
inline const Json* member2(const Json& obj, const char* a, const char* b) {
  const Json* v = member(obj, a);
  return v != nullptr ? v : member(obj, b);
}

/// True when `v` nests at most `max_depth` levels and holds only finite numbers.
bool copyable(const Json& v, std::size_t max_depth = kMaxCopyDepth) noexcept;

/// Fills one RequestLog from one provider exchange.
class Mapper {
 public:
  Mapper(RequestLog& log, const ExchangeInfo& info, std::string default_provider);

  RequestLog& log;
  const ExchangeInfo& info;
  std::string provider;        ///< metadata.provider / Span::set_provider().
  Json meta = Json::object();  ///< The adapter's metadata keys.
  Json request_params = Json::object();
  Json response_fields = Json::object();
  bool failed = false;  ///< The call failed (status error).

  /// Notes a skipped member ("response.usage.prompt_tokens", "not a string").
  void skip(std::string_view path, std::string_view reason);

  // Readers: the value when it has the right type, else nullopt and a skip() note. A
  // missing or null member is nullopt without a note.
  std::optional<std::string> string(const Json* v, std::string_view path);
  std::optional<double> number(const Json* v, std::string_view path);
  std::optional<std::int64_t> count(const Json* v, std::string_view path);
  std::optional<bool> boolean(const Json* v, std::string_view path);
  /// A free-form value within kMaxCopyDepth and finite.
  std::optional<Json> copy(const Json* v, std::string_view path);
  /// The value as JSON text (tool-call arguments), when copyable.
  std::optional<std::string> json_text(const Json* v, std::string_view path);

  /// Keeps `v` under `key` of `into` when copyable.
  void keep(Json& into, const std::string& key, const Json& v, std::string_view path);

  /// Sampling parameters shared by the OpenAI-shaped requests (and the others' when named
  /// alike): temperature, top_p, frequency/presence penalty, stop, stream.
  void set_stop(const Json* v, std::string_view path);

  /// Reads a tool list in OpenAI form (`{"type": "function", "function": {...}}`).
  void openai_tools(const Json* v, std::string_view path);
  /// Reads `tool_choice` in OpenAI form (a string or an object).
  void openai_tool_choice(const Json* v, std::string_view path);
  /// A message in OpenAI chat form (Message's own reader); nullopt when not an object.
  std::optional<Message> openai_message(const Json& v, std::string_view path);
  /// A usage object in OpenAI form (prompt/completion/total tokens and their details).
  void openai_usage(const Json* v, std::string_view path);

  /// Reads a failed call's body: `error_message`, `metadata.error_type`, status error.
  void error_body(const Json& body);

  /// Writes what was gathered (model, metadata, warnings, timing, status, raw bodies) into
  /// the log.
  void finish(const Json& request, const Json& response);

 private:
  std::vector<std::string> notes_;
  std::size_t skipped_ = 0;
};

/// A mapping function: reads `request` and `response` (an answer, not an error body) into
/// the mapper.
using MapFn = void (*)(Mapper& m, const Json& request, const Json& response);
/// True when `response` is an error body rather than an answer.
using IsErrorFn = bool (*)(const Json& response);

/// The three public forms over one mapping.
Result<void> apply(RequestLog& log, const Json& request, const Json& response,
                   const ExchangeInfo& info, const char* default_provider, MapFn map_request,
                   MapFn map_response, IsErrorFn is_error);
Result<RequestLog> make_log(const Json& request, const Json& response, const ExchangeInfo& info,
                            const char* default_provider, MapFn map_request, MapFn map_response,
                            IsErrorFn is_error);
Result<void> record(Span& span, const Json& request, const Json& response, const ExchangeInfo& info,
                    const char* default_provider, MapFn map_request, MapFn map_response,
                    IsErrorFn is_error);

/// "data:<mime>;base64,<data>".
std::string data_url(std::string_view mime, std::string_view base64);

}  // namespace respan::adapters::detail
