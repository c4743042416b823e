#include <algorithm>
#include <string>
#include <string_view>

#include <respan/models/request_log.hpp>

#include "models/emit.hpp"
#include "models/encode.hpp"
#include "models/heap.hpp"
#include "models/json_io.hpp"
#include "models/span_fields.hpp"
#include "util/text.hpp"

namespace respan {

using detail::Self;
namespace field = detail::field;

// Each model's fields are listed once, in its model_fields() (models/fields.hpp).

// ---- messages ----------------------------------------------------------------------------

ContentPart ContentPart::make_text(std::string text) {
  ContentPart p;
  p.type = "text";
  p.text = std::move(text);
  return p;
}

ContentPart ContentPart::make_image_url(std::string url, std::optional<std::string> detail) {
  ContentPart p;
  p.type = "image_url";
  Json image{{"url", std::move(url)}};
  if (detail) image["detail"] = *detail;
  p.image_url = std::move(image);
  return p;
}

template <class V>
void model_fields(V& v, Self<V, ContentPart>& p) {
  v("type", p.type);
  v("text", p.text);
  v("image_url", p.image_url);
  v.extra(p.extra);
}
RESPAN_MODEL_JSON(ContentPart)

template <class V>
void model_fields(V& v, Self<V, FunctionCall>& f) {
  v("name", f.name);
  v("arguments", f.arguments);
  v.extra(f.extra);
}
RESPAN_MODEL_JSON(FunctionCall)

ToolCall ToolCall::make_function(std::string id, std::string name, std::string arguments_json) {
  ToolCall t;
  t.id = std::move(id);
  t.type = "function";
  t.function = FunctionCall{std::move(name), std::move(arguments_json), {}};
  return t;
}

template <class V>
void model_fields(V& v, Self<V, ToolCall>& t) {
  v("id", t.id, field::id);
  v("type", t.type);
  v("function", t.function);
  v.extra(t.extra);
}
RESPAN_MODEL_JSON(ToolCall)

namespace {
Message text_message(const char* role, std::string text) {
  Message m;
  m.role = role;
  m.content = MessageContent(std::move(text));
  return m;
}
}  // namespace

Message Message::system(std::string text) {
  return text_message("system", std::move(text));
}
Message Message::user(std::string text) {
  return text_message("user", std::move(text));
}
Message Message::assistant(std::string text) {
  return text_message("assistant", std::move(text));
}

Message Message::user(std::vector<ContentPart> parts) {
  Message m;
  m.role = "user";
  m.content = MessageContent(std::move(parts));
  return m;
}

Message Message::assistant(std::vector<ToolCall> calls) {
  Message m;
  m.role = "assistant";
  m.tool_calls = std::move(calls);
  return m;
}

Message Message::tool(std::string tool_call_id, std::string text) {
  Message m = text_message("tool", std::move(text));
  m.tool_call_id = std::move(tool_call_id);
  return m;
}

std::string Message::text() const {
  if (!content) return {};
  if (const auto* s = std::get_if<std::string>(&*content)) return *s;
  std::string out;
  for (const auto& part : std::get<std::vector<ContentPart>>(*content)) {
    if (part.text) out += *part.text;
  }
  return out;
}

namespace {
// A message's content: a string or a list of parts (anything else stays in extra).
struct ContentCodec : field::Codec {
  template <class R>
  void read(R& r, const char* k, std::optional<MessageContent>& out) const {
    const Json* v = r.find(k);
    if (v == nullptr) return;
    if (v->is_string()) {
      out = MessageContent(v->get<std::string>());
    } else if (v->is_array()) {
      try {
        out = MessageContent(v->get<std::vector<ContentPart>>());
      } catch (const std::exception&) {
        return;  // not a list of parts: stays in extra
      }
    } else if (!v->is_null()) {
      return;
    }
    r.understood(k);
  }
};
}  // namespace

template <class V>
void model_fields(V& v, Self<V, Message>& m) {
  v("role", m.role);
  v("content", m.content, ContentCodec{});
  v("name", m.name);
  v("tool_calls", m.tool_calls);
  v("tool_call_id", m.tool_call_id, field::id);
  v.extra(m.extra);
}
RESPAN_MODEL_JSON(Message)

ToolDefinition ToolDefinition::make_function(std::string name, std::string description,
                                             Json parameters_schema) {
  ToolDefinition t;
  Function f;
  f.name = std::move(name);
  f.description = std::move(description);
  f.parameters = std::move(parameters_schema);
  t.function = std::move(f);
  return t;
}

template <class V>
void model_fields(V& v, Self<V, ToolDefinition::Function>& f) {
  v("name", f.name);
  v("description", f.description);
  v("parameters", f.parameters);
  v("strict", f.strict);
  v.extra(f.extra);
}
RESPAN_MODEL_JSON(ToolDefinition::Function)

template <class V>
void model_fields(V& v, Self<V, ToolDefinition>& t) {
  v("type", t.type);
  v("function", t.function);
  v.extra(t.extra);
}
RESPAN_MODEL_JSON(ToolDefinition)

template <class V>
void model_fields(V& v, Self<V, Usage>& u) {
  v("prompt_tokens", u.prompt_tokens);
  v("completion_tokens", u.completion_tokens);
  v("total_tokens", u.total_tokens);
  v("input_tokens", u.input_tokens);
  v("output_tokens", u.output_tokens);
  v("cache_creation_input_tokens", u.cache_creation_input_tokens);
  v("cache_read_input_tokens", u.cache_read_input_tokens);
  v.extra(u.extra);
}
RESPAN_MODEL_JSON(Usage)

template <class V>
void model_fields(V& v, Self<V, CustomerParams>& c) {
  v("customer_identifier", c.customer_identifier);
  v("email", c.email);
  v("name", c.name);
  v.extra(c.extra);
}
RESPAN_MODEL_JSON(CustomerParams)

// ---- unions ------------------------------------------------------------------------------

SpanIO::SpanIO(const Message& message) : JsonUnion(detail::to_json_value(message)) {}
SpanIO::SpanIO(const std::vector<Message>& messages) : JsonUnion(detail::to_json_value(messages)) {}

Json SpanIO::parsed() const {
  if (!value_.is_string()) return value_;
  Json out = Json::parse(value_.get_ref<const std::string&>(), nullptr, false);
  return out.is_discarded() ? value_ : out;
}

std::vector<std::string> Stop::sequences() const {
  std::vector<std::string> out;
  if (value_.is_string()) {
    out.push_back(value_.get<std::string>());
  } else if (value_.is_array()) {
    for (const Json& s : value_) {
      if (s.is_string()) out.push_back(s.get<std::string>());
    }
  }
  return out;
}

Stop Stop::from_json_value(Json value) {
  Stop s;
  s.value_ = std::move(value);
  return s;
}

ToolChoice ToolChoice::function(std::string name) {
  return from_json_value(Json{{"type", "function"}, {"function", {{"name", std::move(name)}}}});
}

ToolChoice ToolChoice::from_json_value(Json value) {
  ToolChoice t;
  t.value_ = std::move(value);
  return t;
}

Warnings Warnings::from_json_value(Json value) {
  Warnings w;
  w.value_ = std::move(value);
  return w;
}

// A union is its JSON value, any value.
#define RESPAN_UNION_JSON(Union)            \
  void to_json(Json& j, const Union& v) {   \
    j = v.json();                           \
  }                                         \
  void from_json(const Json& j, Union& v) { \
    v = Union::from_json_value(j);          \
  }
RESPAN_UNION_JSON(SpanIO)
RESPAN_UNION_JSON(Stop)
RESPAN_UNION_JSON(ToolChoice)
RESPAN_UNION_JSON(Warnings)
#undef RESPAN_UNION_JSON

// ---- spans -------------------------------------------------------------------------------

RequestLog RequestLog::from_record(const RequestLogRecord& record) {
  RequestLog span;
  static_cast<SpanFields&>(span) = static_cast<const SpanFields&>(record);
  span.extra = Json();
  return span;
}

namespace detail {
std::string span_model_problem(std::string_view model) {
  if (model.empty()) return "required";
  if (model.find('\0') != std::string_view::npos) return "holds a NUL byte";
  if (std::all_of(model.begin(), model.end(), is_ascii_space)) return "blank (only whitespace)";
  return {};
}
}  // namespace detail

template <class V>
void model_fields(V& v, Self<V, RequestLog>& r) {
  span_fields(v, r);
  v.extra(r.extra);
}

namespace {
// The create's rule for `model`, checked by both writers before any field, so every
// request-log create and the BatchLogger refuse it; an empty model is the caller's check.
void check_model(const RequestLog& r) {
  if (r.model.empty()) return;
  if (std::string why = detail::span_model_problem(r.model); !why.empty()) {
    throw detail::EncodeError("model", why);
  }
}
}  // namespace

void to_json(Json& j_out, const RequestLog& r) {
  check_model(r);
  detail::write_dom(j_out, r);
}

void from_json(const Json& j, RequestLog& s) {
  detail::read_fields(j, s);
}

namespace detail {
void write_text(std::string& out, const RequestLog& span) {
  check_model(span);
  TextOut(out).object(span);
}

void write_text_dropping(std::string& out, const RequestLog& span, FieldDrops& drops) {
  check_model(span);
  TextOut(out, drops).object(span);
}

std::size_t heap_bytes(const RequestLog& span) {
  return heap_of(span);
}

RequestLog without_non_finite(const RequestLog& span, FieldDrops& drops) {
  std::string text;
  write_text_dropping(text, span, drops);
  // Our own text, checked on the way out (depth, UTF-8 as given): read back as the model.
  return Json::parse(text).get<RequestLog>();
}
}  // namespace detail

template <class V>
void model_fields(V& v, Self<V, RequestLogCreated>& c) {
  v("id", c.id, field::id);
  v("unique_id", c.unique_id, field::id);
  v("organization_id", c.organization_id, field::id);
  v("customer_identifier", c.customer_identifier);
  v("status", c.status);
  v("cost", c.cost);
  v("timestamp", c.timestamp);
  v("environment", c.environment);
  v("latency", c.latency, field::Alias{"generation_time"});  // aliases the service may echo
  v("time_to_first_token", c.time_to_first_token, field::Alias{"ttft"});
  v("prompt_cache_creation_tokens", c.prompt_cache_creation_tokens);
  v("prompt_cache_hit_tokens", c.prompt_cache_hit_tokens);
  v.fill(c.unique_id, c.id);
  v.extra(c.extra);
}
RESPAN_MODEL_JSON(RequestLogCreated)

namespace detail {
bool decode_text(std::string_view text, RequestLogCreated& out) {
  FlatJsonObject members;
  members.members.reserve(16);
  if (!BoundedJsonParser(text, kMaxJsonDepth).parse_flat_object(members)) return false;
  read_fields(members, out);
  return true;
}
}  // namespace detail

template <class V>
void model_fields(V& v, Self<V, LimitCheck>& l) {
  v("name", l.name);
  v("current_value", l.current_value);
  v("new_value", l.new_value);
  v("limit_value", l.limit_value);
  v("is_within_limit", l.is_within_limit);
  v.extra(l.extra);
}
RESPAN_MODEL_JSON(LimitCheck)

template <class V>
void model_fields(V& v, Self<V, LimitInfo>& l) {
  v("is_allowed", l.is_allowed);
  v("limits", l.limits);
  v.extra(l.extra);
}
RESPAN_MODEL_JSON(LimitInfo)

template <class V>
void model_fields(V& v, Self<V, RequestLogRecord>& rec) {
  record_fields(v, rec);
  v.extra(rec.extra);
}
RESPAN_MODEL_JSON(RequestLogRecord)

template <class V>
void model_fields(V& v, Self<V, RequestLogUpdate>& u) {
  v("is_pinned", u.is_pinned);
  v("positive_feedback", u.positive_feedback);
  v("note", u.note);
  v("metadata", u.metadata);
  v.extra(u.extra);
}

void to_json(Json& j_out, const RequestLogUpdate& u) {
  detail::write_dom(j_out, u);
}

}  // namespace respan
