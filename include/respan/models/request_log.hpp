/// @file request_log.hpp
/// @brief Request-log (span) models: the span to log (RequestLog), its acknowledgement
/// (RequestLogCreated), the stored span (RequestLogRecord), updates and summaries. See common.hpp
/// for the conventions every model follows.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <respan/export.hpp>
#include <respan/json.hpp>
#include <respan/models/common.hpp>

namespace respan {

/// One part of a multi-part message content (OpenAI format): text, image_url, ...
struct RESPAN_EXPORT ContentPart {
  std::string type;                 ///< "text", "image_url", "input_audio", ...
  std::optional<std::string> text;  ///< For type "text".
  std::optional<Json> image_url;    ///< For type "image_url": {"url": ..., "detail": ...}.
  Json extra;                       ///< Other members (kept and sent back).

  /// A `{"type": "text", "text": ...}` part.
  static ContentPart make_text(std::string text);
  /// A `{"type": "image_url", "image_url": {"url": ...}}` part.
  static ContentPart make_image_url(std::string url, std::optional<std::string> detail = {});
};

/// The function of a tool call.
struct RESPAN_EXPORT FunctionCall {
  std::optional<std::string> name;
  std::optional<std::string> arguments;  ///< JSON-encoded arguments, as the model produced them.
  Json extra;
};

/// A tool call made by the model (OpenAI format).
struct RESPAN_EXPORT ToolCall {
  std::optional<std::string> id;
  std::optional<std::string> type;  ///< Usually "function".
  std::optional<FunctionCall> function;
  Json extra;

  /// A `{"id", "type": "function", "function": {"name", "arguments"}}` call.
  static ToolCall make_function(std::string id, std::string name, std::string arguments_json);
};

/// Message content: plain text or a list of parts.
using MessageContent = std::variant<std::string, std::vector<ContentPart>>;

/// A chat message (prompt or completion).
struct RESPAN_EXPORT Message {
  std::string role;                       ///< "system", "user", "assistant", "tool", ...
  std::optional<MessageContent> content;  ///< Unset = omitted (null content is decoded as unset).
  std::optional<std::string> name;
  OptionalList<ToolCall> tool_calls;        ///< Assistant tool calls.
  std::optional<std::string> tool_call_id;  ///< For role "tool".
  Json extra;                               ///< Other members (kept and sent back).

  static Message system(std::string text);
  static Message user(std::string text);
  static Message user(std::vector<ContentPart> parts);
  static Message assistant(std::string text);
  /// An assistant message that only calls tools.
  static Message assistant(std::vector<ToolCall> calls);
  static Message tool(std::string tool_call_id, std::string text);

  /// The text of the content (parts of type "text" concatenated); "" when there is none.
  std::string text() const;
};

/// A tool offered to the model (OpenAI function-calling format).
struct RESPAN_EXPORT ToolDefinition {
  struct Function {
    std::string name;
    std::optional<std::string> description;
    std::optional<Json> parameters;  ///< JSON Schema of the arguments.
    std::optional<bool> strict;
    Json extra;
  };
  std::string type = "function";
  std::optional<Function> function;
  Json extra;

  /// A function tool.
  static ToolDefinition make_function(std::string name, std::string description,
                                      Json parameters_schema);
};

/// Provider usage (`usage`). Cache-token fields are normalised by the service into
/// `prompt_cache_creation_tokens` / `prompt_cache_hit_tokens`.
struct RESPAN_EXPORT Usage {
  std::optional<std::int64_t> prompt_tokens;
  std::optional<std::int64_t> completion_tokens;
  std::optional<std::int64_t> total_tokens;
  std::optional<std::int64_t> input_tokens;   ///< Anthropic naming.
  std::optional<std::int64_t> output_tokens;  ///< Anthropic naming.
  std::optional<std::int64_t> cache_creation_input_tokens;
  std::optional<std::int64_t> cache_read_input_tokens;
  Json extra;  ///< e.g. prompt_tokens_details (kept and sent).
};

/// Extended customer information (`customer_params`). `customer_identifier` here is promoted
/// to the span's customer identifier.
struct RESPAN_EXPORT CustomerParams {
  std::optional<std::string> customer_identifier;
  std::optional<std::string> email;
  std::optional<std::string> name;
  Json extra;
};

/// A JSON value restricted by the API to a few shapes; the base of the union fields below.
class RESPAN_EXPORT JsonUnion {
 public:
  /// The value as sent on the wire.
  const Json& json() const noexcept { return value_; }
  bool is_string() const noexcept { return value_.is_string(); }
  bool is_object() const noexcept { return value_.is_object(); }
  bool is_array() const noexcept { return value_.is_array(); }
  /// The string, or "" when this is not a string.
  std::string as_string() const { return is_string() ? value_.get<std::string>() : std::string(); }

  friend bool operator==(const JsonUnion& a, const JsonUnion& b) { return a.value_ == b.value_; }
  friend bool operator!=(const JsonUnion& a, const JsonUnion& b) { return !(a == b); }

 protected:
  JsonUnion() = default;
  explicit JsonUnion(Json v) : value_(std::move(v)) {}
  Json value_;
};

/// `input` / `output`: a string, an object, or a list of objects (e.g. chat messages).
/// List endpoints return them as JSON-encoded strings: see parsed().
class RESPAN_EXPORT SpanIO : public JsonUnion {
 public:
  SpanIO() = default;
  SpanIO(std::string text) : JsonUnion(Json(std::move(text))) {}   // NOLINT implicit
  SpanIO(const char* text) : JsonUnion(Json(text ? text : "")) {}  // NOLINT implicit
  SpanIO(const Message& message);                                  // NOLINT implicit
  SpanIO(const std::vector<Message>& messages);                    // NOLINT implicit
  /// Any JSON (an object or an array of objects, per the API).
  static SpanIO from_json_value(Json value) { return SpanIO(Tag{}, std::move(value)); }
  /// The value with a JSON-encoded string decoded (when it parses), else the value itself.
  Json parsed() const;

 private:
  struct Tag {};
  SpanIO(Tag, Json v) : JsonUnion(std::move(v)) {}
};

/// `stop`: one stop sequence or several.
class RESPAN_EXPORT Stop : public JsonUnion {
 public:
  Stop() = default;
  Stop(std::string sequence) : JsonUnion(Json(std::move(sequence))) {}                 // NOLINT
  Stop(const char* sequence) : JsonUnion(Json(sequence ? sequence : "")) {}            // NOLINT
  Stop(std::vector<std::string> sequences) : JsonUnion(Json(std::move(sequences))) {}  // NOLINT
  /// The sequences (one element for a single string).
  std::vector<std::string> sequences() const;
  /// Any JSON value received from the server.
  static Stop from_json_value(Json value);
};

/// `tool_choice`: "none", "auto", "required", or a specific tool object.
class RESPAN_EXPORT ToolChoice : public JsonUnion {
 public:
  ToolChoice() = default;
  ToolChoice(std::string mode) : JsonUnion(Json(std::move(mode))) {}   // NOLINT implicit
  ToolChoice(const char* mode) : JsonUnion(Json(mode ? mode : "")) {}  // NOLINT implicit
  /// `{"type": "function", "function": {"name": name}}`.
  static ToolChoice function(std::string name);
  /// Any JSON value (a string or an object per the API).
  static ToolChoice from_json_value(Json value);
};

/// `warnings`: a string or an object.
class RESPAN_EXPORT Warnings : public JsonUnion {
 public:
  Warnings() = default;
  Warnings(std::string text) : JsonUnion(Json(std::move(text))) {}   // NOLINT implicit
  Warnings(const char* text) : JsonUnion(Json(text ? text : "")) {}  // NOLINT implicit
  /// Any JSON value (a string or an object per the API).
  static Warnings from_json_value(Json value);
};

struct RequestLogRecord;

/// The fields of a span shared by RequestLog (what you send) and RequestLogRecord (what the
/// service stores and returns): every field of the create-span API. Not used on its own.
struct RESPAN_EXPORT SpanFields {
  std::string model;  ///< Model used for the span (required when creating).

  // Chat input and output.
  /// Chat input messages (chat spans; read from the legacy `messages` when a response has only
  /// that).
  OptionalList<Message> prompt_messages;
  std::optional<Message> completion_message;  ///< The assistant's reply (chat spans).
  std::optional<SpanIO> input;      ///< Input of a span that is not a chat call (text, object).
  std::optional<SpanIO> output;     ///< Output of a span that is not a chat call (text, object).
  std::optional<LogType> log_type;  ///< Server default: chat.

  // Tokens, cost and timing.
  std::optional<std::int64_t> prompt_tokens;
  std::optional<std::int64_t> completion_tokens;
  std::optional<Usage> usage;
  std::optional<double> cost;  ///< USD; computed from pricing when unset.
  /// Duration of the call (`= std::chrono::milliseconds(840)` or `= 0.84`); read from the
  /// legacy `generation_time` when a response has only that.
  std::optional<Seconds> latency;
  /// Time to the first token of a streamed answer; read from the legacy `ttft` likewise.
  std::optional<Seconds> time_to_first_token;
  std::optional<double> tokens_per_second;
  std::optional<double> prompt_unit_price;      ///< USD per 1M prompt tokens.
  std::optional<double> completion_unit_price;  ///< USD per 1M completion tokens.
  std::optional<Timestamp> timestamp;           ///< When the request completed.
  std::optional<Timestamp> start_time;          ///< When the request started.

  // Model parameters.
  std::optional<double> temperature;  ///< Server default 1.
  std::optional<double> top_p;        ///< Server default 1.
  std::optional<std::int64_t> max_tokens;
  std::optional<double> frequency_penalty;
  std::optional<double> presence_penalty;
  std::optional<Stop> stop;
  std::optional<bool> stream;  ///< Server default false.
  OptionalList<ToolDefinition> tools;
  OptionalList<ToolCall> tool_calls;
  std::optional<ToolChoice> tool_choice;
  std::optional<Json> response_format;

  // Outcome.
  std::optional<std::int64_t> status_code;  ///< Server default 200.
  std::optional<SpanStatus> status;
  std::optional<std::string> error_message;
  std::optional<Warnings> warnings;

  // Trace linkage and identifiers.
  std::optional<std::string> trace_unique_id;
  std::optional<std::string> span_name;
  std::optional<std::string> span_parent_id;
  std::optional<std::string> span_workflow_name;
  std::optional<std::string> custom_identifier;
  std::optional<std::string> thread_identifier;
  std::optional<std::string> group_identifier;
  std::optional<std::string> customer_identifier;  ///< At most 254 characters.
  std::optional<CustomerParams> customer_params;

  // Metadata and prompts.
  std::optional<Json> metadata;    ///< Free-form object.
  std::optional<Json> properties;  ///< Typed metadata.
  std::optional<Json> variables;   ///< Prompt template variables.
  std::optional<std::string> prompt_id;
  std::optional<std::string> prompt_name;
  std::optional<bool> is_custom_prompt;
  std::optional<Json> full_request;
  std::optional<Json> full_response;
  /// Respan controls (schema not published); read from the legacy `keywordsai_params` when a
  /// response has only that.
  std::optional<Json> respan_params;
  std::optional<bool> positive_feedback;

  /// Fields the SDK does not model: sent with the span, filled with unknown fields on decode.
  Json extra;
};

/// The body of `POST /api/request-logs/` (and one row of the bulk endpoint): a span to log.
/// Only `model` is required; unset fields are not sent. A RequestLogRecord read back is not a
/// RequestLog: use from_record() to log it again.
struct RESPAN_EXPORT RequestLog : SpanFields {
  RequestLog() = default;
  /// A span of `model_name` with every other field unset.
  explicit RequestLog(std::string model_name) { model = std::move(model_name); }

  /// The span fields of `record` as a new span to log. Service-assigned fields (ids,
  /// environment, scores, ...) and the record's unknown fields (`extra`) are not copied.
  /// Note that list endpoints return `input`/`output` as JSON-encoded strings (SpanIO::parsed()).
  static RequestLog from_record(const RequestLogRecord& record);
};
RESPAN_EXPORT void to_json(Json& j, const RequestLog& r);
RESPAN_EXPORT void from_json(const Json& j, RequestLog& r);

/// Response of a create-span call.
struct RESPAN_EXPORT RequestLogCreated {
  std::string unique_id;          ///< Id of the new span ("" if the server sent none).
  std::optional<std::string> id;  ///< Alias of unique_id, when the server sends it.
  std::optional<std::string> organization_id;
  std::optional<std::string> customer_identifier;
  std::optional<SpanStatus> status;
  std::optional<double> cost;
  std::optional<Timestamp> timestamp;
  std::optional<std::string> environment;  ///< Derived from the API key.
  std::optional<Seconds> latency;
  std::optional<Seconds> time_to_first_token;
  std::optional<std::int64_t> prompt_cache_creation_tokens;
  std::optional<std::int64_t> prompt_cache_hit_tokens;
  Json extra;
};
RESPAN_EXPORT void to_json(Json& j, const RequestLogCreated& r);
RESPAN_EXPORT void from_json(const Json& j, RequestLogCreated& r);

/// One entry of a span's `limit_info.limits`.
struct RESPAN_EXPORT LimitCheck {
  std::optional<std::string> name;  ///< e.g. "org_credits", "customer_budget".
  std::optional<double> current_value;
  std::optional<double> new_value;
  std::optional<double> limit_value;
  std::optional<bool> is_within_limit;
  Json extra;
};

/// `limit_info` of a retrieved span.
struct RESPAN_EXPORT LimitInfo {
  std::optional<bool> is_allowed;
  std::vector<LimitCheck> limits;
  Json extra;
};

/// A stored span as list and retrieve return it: the span fields plus what the service adds.
/// The legacy names a response may use (`messages`, `generation_time`, `ttft`,
/// `keywordsai_params`) fill prompt_messages, latency, time_to_first_token and respan_params.
struct RESPAN_EXPORT RequestLogRecord : SpanFields {
  std::string unique_id;          ///< Id of the span ("" if the server sent none).
  std::optional<std::string> id;  ///< Alias of unique_id, when the server sends it.
  std::optional<std::string> organization_id;
  std::optional<std::string> environment;
  std::optional<std::int64_t> total_request_tokens;
  std::optional<std::int64_t> prompt_cache_creation_tokens;
  std::optional<std::int64_t> prompt_cache_hit_tokens;
  std::optional<bool> is_pinned;
  std::optional<std::string> note;
  std::optional<Json> scores;  ///< evaluator_id -> {evaluator_name, evaluator_slug, score_value}.
  std::optional<LimitInfo> limit_info;
};
RESPAN_EXPORT void to_json(Json& j, const RequestLogRecord& r);
RESPAN_EXPORT void from_json(const Json& j, RequestLogRecord& r);

/// Body of `PATCH /api/request-logs/{unique_id}/`. Only set fields are sent.
struct RESPAN_EXPORT RequestLogUpdate {
  std::optional<bool> is_pinned;  ///< Exempt from the retention TTL.
  /// true = positive, false = negative; `positive_feedback.clear()` removes the feedback.
  Clearable<bool> positive_feedback;
  std::optional<std::string> note;
  std::optional<Json> metadata;  ///< Merged into the existing metadata.
  Json extra;                    ///< Other fields to send.
};
RESPAN_EXPORT void to_json(Json& j, const RequestLogUpdate& u);

/// Response of `POST /api/request-logs/summary/`.
using RequestLogSummary = LogsSummary;

RESPAN_EXPORT void to_json(Json& j, const ContentPart& p);
RESPAN_EXPORT void from_json(const Json& j, ContentPart& p);
RESPAN_EXPORT void to_json(Json& j, const FunctionCall& f);
RESPAN_EXPORT void from_json(const Json& j, FunctionCall& f);
RESPAN_EXPORT void to_json(Json& j, const ToolCall& t);
RESPAN_EXPORT void from_json(const Json& j, ToolCall& t);
RESPAN_EXPORT void to_json(Json& j, const Message& m);
RESPAN_EXPORT void from_json(const Json& j, Message& m);
RESPAN_EXPORT void to_json(Json& j, const ToolDefinition::Function& f);
RESPAN_EXPORT void from_json(const Json& j, ToolDefinition::Function& f);
RESPAN_EXPORT void to_json(Json& j, const ToolDefinition& t);
RESPAN_EXPORT void from_json(const Json& j, ToolDefinition& t);
RESPAN_EXPORT void to_json(Json& j, const Usage& u);
RESPAN_EXPORT void from_json(const Json& j, Usage& u);
RESPAN_EXPORT void to_json(Json& j, const CustomerParams& c);
RESPAN_EXPORT void from_json(const Json& j, CustomerParams& c);
RESPAN_EXPORT void to_json(Json& j, const SpanIO& v);
RESPAN_EXPORT void from_json(const Json& j, SpanIO& v);
RESPAN_EXPORT void to_json(Json& j, const Stop& v);
RESPAN_EXPORT void from_json(const Json& j, Stop& v);
RESPAN_EXPORT void to_json(Json& j, const ToolChoice& v);
RESPAN_EXPORT void from_json(const Json& j, ToolChoice& v);
RESPAN_EXPORT void to_json(Json& j, const Warnings& v);
RESPAN_EXPORT void from_json(const Json& j, Warnings& v);
RESPAN_EXPORT void to_json(Json& j, const LimitCheck& l);
RESPAN_EXPORT void from_json(const Json& j, LimitCheck& l);
RESPAN_EXPORT void to_json(Json& j, const LimitInfo& l);
RESPAN_EXPORT void from_json(const Json& j, LimitInfo& l);

}  // namespace respan
