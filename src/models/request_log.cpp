#include <algorithm>
#include <string>
#include <string_view>

#include <respan/models/request_log.hpp>

#include "models/emit.hpp"
#include "models/encode.hpp"
#include "models/json_io.hpp"
#include "util/text.hpp"

namespace respan {

using detail::put;
using detail::put_extra;
using detail::put_required;
using detail::Reader;

// Each model's fields are listed once, in emit_fields(); to_json() runs the list into a Json,
// detail::write_text() straight into JSON text (models/emit.hpp).
template <class Out>
void emit_fields(Out& o, const ContentPart& p);
template <class Out>
void emit_fields(Out& o, const FunctionCall& f);
template <class Out>
void emit_fields(Out& o, const ToolCall& t);
template <class Out>
void emit_fields(Out& o, const Message& m);
template <class Out>
void emit_fields(Out& o, const ToolDefinition::Function& f);
template <class Out>
void emit_fields(Out& o, const ToolDefinition& t);
template <class Out>
void emit_fields(Out& o, const Usage& u);
template <class Out>
void emit_fields(Out& o, const CustomerParams& c);
template <class Out>
void emit_fields(Out& o, const RequestLog& r);

namespace {
// A model as a Json object, built aside: a refused field leaves the caller's Json untouched.
template <class M>
Json dom_object(const M& m) {
  Json j = Json::object();
  detail::DomOut o{j};
  emit_fields(o, m);
  return j;
}
}  // namespace

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

template <class Out>
void emit_fields(Out& o, const ContentPart& p) {
  o.required("type", p.type);
  o.opt("text", p.text);
  o.opt("image_url", p.image_url);
  o.extra(p.extra);
}

void to_json(Json& j_out, const ContentPart& p) {
  j_out = dom_object(p);
}

void from_json(const Json& j, ContentPart& p) {
  p = ContentPart{};
  Reader r(j);
  r.get_or("type", p.type);
  r.get("text", p.text);
  r.raw("image_url", p.image_url);
  p.extra = r.extra();
}

template <class Out>
void emit_fields(Out& o, const FunctionCall& f) {
  o.opt("name", f.name);
  o.opt("arguments", f.arguments);
  o.extra(f.extra);
}

void to_json(Json& j_out, const FunctionCall& f) {
  j_out = dom_object(f);
}

void from_json(const Json& j, FunctionCall& f) {
  f = FunctionCall{};
  Reader r(j);
  r.get("name", f.name);
  r.get("arguments", f.arguments);
  f.extra = r.extra();
}

ToolCall ToolCall::make_function(std::string id, std::string name, std::string arguments_json) {
  ToolCall t;
  t.id = std::move(id);
  t.type = "function";
  t.function = FunctionCall{std::move(name), std::move(arguments_json), {}};
  return t;
}

template <class Out>
void emit_fields(Out& o, const ToolCall& t) {
  o.opt("id", t.id);
  o.opt("type", t.type);
  o.opt("function", t.function);
  o.extra(t.extra);
}

void to_json(Json& j_out, const ToolCall& t) {
  j_out = dom_object(t);
}

void from_json(const Json& j, ToolCall& t) {
  t = ToolCall{};
  Reader r(j);
  r.id("id", t.id);
  r.get("type", t.type);
  r.get("function", t.function);
  t.extra = r.extra();
}

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

template <class Out>
void emit_fields(Out& o, const Message& m) {
  o.required("role", m.role);
  if (m.content) {
    if (const auto* s = std::get_if<std::string>(&*m.content)) {
      o.required("content", *s);
    } else {
      o.required("content", std::get<std::vector<ContentPart>>(*m.content));
    }
  }
  o.opt("name", m.name);
  o.opt("tool_calls", m.tool_calls);
  o.opt("tool_call_id", m.tool_call_id);
  o.extra(m.extra);
}

void to_json(Json& j_out, const Message& m) {
  j_out = dom_object(m);
}

void from_json(const Json& j, Message& m) {
  m = Message{};
  Reader r(j);
  r.get_or("role", m.role);
  if (auto it = j.find("content"); it != j.end()) {
    if (it->is_string()) {
      m.content = MessageContent(it->get<std::string>());
      r.skip("content");
    } else if (it->is_null()) {
      r.skip("content");
    } else if (it->is_array()) {
      try {
        m.content = MessageContent(it->get<std::vector<ContentPart>>());
        r.skip("content");
      } catch (const std::exception&) {
        // Not a list of parts: stays in extra.
      }
    }
  }
  r.get("name", m.name);
  r.get("tool_calls", m.tool_calls);
  r.id("tool_call_id", m.tool_call_id);
  m.extra = r.extra();
}

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

template <class Out>
void emit_fields(Out& o, const ToolDefinition::Function& f) {
  o.required("name", f.name);
  o.opt("description", f.description);
  o.opt("parameters", f.parameters);
  o.opt("strict", f.strict);
  o.extra(f.extra);
}

void to_json(Json& j_out, const ToolDefinition::Function& f) {
  j_out = dom_object(f);
}

void from_json(const Json& j, ToolDefinition::Function& f) {
  f = ToolDefinition::Function{};
  Reader r(j);
  r.get_or("name", f.name);
  r.get("description", f.description);
  r.raw("parameters", f.parameters);
  r.get("strict", f.strict);
  f.extra = r.extra();
}

template <class Out>
void emit_fields(Out& o, const ToolDefinition& t) {
  o.required("type", t.type);
  o.opt("function", t.function);
  o.extra(t.extra);
}

void to_json(Json& j_out, const ToolDefinition& t) {
  j_out = dom_object(t);
}

void from_json(const Json& j, ToolDefinition& t) {
  t = ToolDefinition{};
  Reader r(j);
  r.get_or("type", t.type);
  r.get("function", t.function);
  t.extra = r.extra();
}

template <class Out>
void emit_fields(Out& o, const Usage& u) {
  o.opt("prompt_tokens", u.prompt_tokens);
  o.opt("completion_tokens", u.completion_tokens);
  o.opt("total_tokens", u.total_tokens);
  o.opt("input_tokens", u.input_tokens);
  o.opt("output_tokens", u.output_tokens);
  o.opt("cache_creation_input_tokens", u.cache_creation_input_tokens);
  o.opt("cache_read_input_tokens", u.cache_read_input_tokens);
  o.extra(u.extra);
}

void to_json(Json& j_out, const Usage& u) {
  j_out = dom_object(u);
}

void from_json(const Json& j, Usage& u) {
  u = Usage{};
  Reader r(j);
  r.get("prompt_tokens", u.prompt_tokens);
  r.get("completion_tokens", u.completion_tokens);
  r.get("total_tokens", u.total_tokens);
  r.get("input_tokens", u.input_tokens);
  r.get("output_tokens", u.output_tokens);
  r.get("cache_creation_input_tokens", u.cache_creation_input_tokens);
  r.get("cache_read_input_tokens", u.cache_read_input_tokens);
  u.extra = r.extra();
}

template <class Out>
void emit_fields(Out& o, const CustomerParams& c) {
  o.opt("customer_identifier", c.customer_identifier);
  o.opt("email", c.email);
  o.opt("name", c.name);
  o.extra(c.extra);
}

void to_json(Json& j_out, const CustomerParams& c) {
  j_out = dom_object(c);
}

void from_json(const Json& j, CustomerParams& c) {
  c = CustomerParams{};
  Reader r(j);
  r.get("customer_identifier", c.customer_identifier);
  r.get("email", c.email);
  r.get("name", c.name);
  c.extra = r.extra();
}

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

void to_json(Json& j_out, const SpanIO& v) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = v.json();
  j_out = std::move(j);
}
void from_json(const Json& j, SpanIO& v) {
  v = SpanIO::from_json_value(j);
}
void to_json(Json& j_out, const Stop& v) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = v.json();
  j_out = std::move(j);
}
void from_json(const Json& j, Stop& v) {
  v = Stop::from_json_value(j);
}
void to_json(Json& j_out, const ToolChoice& v) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = v.json();
  j_out = std::move(j);
}
void from_json(const Json& j, ToolChoice& v) {
  v = ToolChoice::from_json_value(j);
}
void to_json(Json& j_out, const Warnings& v) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = v.json();
  j_out = std::move(j);
}
void from_json(const Json& j, Warnings& v) {
  v = Warnings::from_json_value(j);
}

// ---- spans -------------------------------------------------------------------------------

namespace {

// A union-typed optional field: any non-null JSON is kept.
template <class U>
void get_union(Reader& r, const Json& j, const char* k, std::optional<U>& out) {
  out.reset();
  auto it = j.find(k);
  if (it == j.end()) return;
  r.skip(k);
  if (!it->is_null()) out = U::from_json_value(*it);
}

template <class Out>
void emit_span(Out& o, const SpanFields& s) {
  o.required("model", s.model);
  o.opt("prompt_messages", s.prompt_messages);
  o.opt("completion_message", s.completion_message);
  o.opt("messages", s.messages);
  o.opt("input", s.input);
  o.opt("output", s.output);
  o.opt("log_type", s.log_type);
  o.opt("prompt_tokens", s.prompt_tokens);
  o.opt("completion_tokens", s.completion_tokens);
  o.opt("usage", s.usage);
  o.opt("cost", s.cost);
  o.opt("latency", s.latency);
  o.opt("generation_time", s.generation_time);
  o.opt("time_to_first_token", s.time_to_first_token);
  o.opt("ttft", s.ttft);
  o.opt("tokens_per_second", s.tokens_per_second);
  o.opt("prompt_unit_price", s.prompt_unit_price);
  o.opt("completion_unit_price", s.completion_unit_price);
  o.opt("timestamp", s.timestamp);
  o.opt("start_time", s.start_time);
  o.opt("temperature", s.temperature);
  o.opt("top_p", s.top_p);
  o.opt("max_tokens", s.max_tokens);
  o.opt("frequency_penalty", s.frequency_penalty);
  o.opt("presence_penalty", s.presence_penalty);
  o.opt("stop", s.stop);
  o.opt("stream", s.stream);
  o.opt("tools", s.tools);
  o.opt("tool_calls", s.tool_calls);
  o.opt("tool_choice", s.tool_choice);
  o.opt("response_format", s.response_format);
  o.opt("status_code", s.status_code);
  o.opt("status", s.status);
  o.opt("error_message", s.error_message);
  o.opt("warnings", s.warnings);
  o.opt("trace_unique_id", s.trace_unique_id);
  o.opt("span_name", s.span_name);
  o.opt("span_parent_id", s.span_parent_id);
  o.opt("span_workflow_name", s.span_workflow_name);
  o.opt("custom_identifier", s.custom_identifier);
  o.opt("thread_identifier", s.thread_identifier);
  o.opt("group_identifier", s.group_identifier);
  o.opt("customer_identifier", s.customer_identifier);
  o.opt("customer_params", s.customer_params);
  o.opt("metadata", s.metadata);
  o.opt("properties", s.properties);
  o.opt("variables", s.variables);
  o.opt("prompt_id", s.prompt_id);
  o.opt("prompt_name", s.prompt_name);
  o.opt("is_custom_prompt", s.is_custom_prompt);
  o.opt("full_request", s.full_request);
  o.opt("full_response", s.full_response);
  o.opt("respan_params", s.respan_params);
  o.opt("keywordsai_params", s.keywordsai_params);
  o.opt("positive_feedback", s.positive_feedback);
}

void decode_span(Reader& r, const Json& j, SpanFields& s) {
  r.get_or("model", s.model);
  r.get("prompt_messages", s.prompt_messages);
  r.get("completion_message", s.completion_message);
  r.get("messages", s.messages);
  get_union(r, j, "input", s.input);
  get_union(r, j, "output", s.output);
  r.get("log_type", s.log_type);
  r.get("prompt_tokens", s.prompt_tokens);
  r.get("completion_tokens", s.completion_tokens);
  r.get("usage", s.usage);
  r.get("cost", s.cost);
  r.get("latency", s.latency);
  r.get("generation_time", s.generation_time);
  r.get("time_to_first_token", s.time_to_first_token);
  r.get("ttft", s.ttft);
  r.get("tokens_per_second", s.tokens_per_second);
  r.get("prompt_unit_price", s.prompt_unit_price);
  r.get("completion_unit_price", s.completion_unit_price);
  r.get("timestamp", s.timestamp);
  r.get("start_time", s.start_time);
  r.get("temperature", s.temperature);
  r.get("top_p", s.top_p);
  r.get("max_tokens", s.max_tokens);
  r.get("frequency_penalty", s.frequency_penalty);
  r.get("presence_penalty", s.presence_penalty);
  get_union(r, j, "stop", s.stop);
  r.get("stream", s.stream);
  r.get("tools", s.tools);
  r.get("tool_calls", s.tool_calls);
  get_union(r, j, "tool_choice", s.tool_choice);
  r.raw("response_format", s.response_format);
  r.get("status_code", s.status_code);
  r.get("status", s.status);
  r.get("error_message", s.error_message);
  get_union(r, j, "warnings", s.warnings);
  r.id("trace_unique_id", s.trace_unique_id);
  r.get("span_name", s.span_name);
  r.id("span_parent_id", s.span_parent_id);
  r.get("span_workflow_name", s.span_workflow_name);
  r.get("custom_identifier", s.custom_identifier);
  r.get("thread_identifier", s.thread_identifier);
  r.get("group_identifier", s.group_identifier);
  r.get("customer_identifier", s.customer_identifier);
  r.get("customer_params", s.customer_params);
  r.raw("metadata", s.metadata);
  r.raw("properties", s.properties);
  r.raw("variables", s.variables);
  r.id("prompt_id", s.prompt_id);
  r.get("prompt_name", s.prompt_name);
  r.get("is_custom_prompt", s.is_custom_prompt);
  r.raw("full_request", s.full_request);
  r.raw("full_response", s.full_response);
  r.raw("respan_params", s.respan_params);
  r.raw("keywordsai_params", s.keywordsai_params);
  r.get("positive_feedback", s.positive_feedback);
}

}  // namespace

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

template <class Out>
void emit_fields(Out& o, const RequestLog& r) {
  // The create's rule for `model` (both writers, so every request-log create and the
  // BatchLogger refuse it); an empty model is the caller's check (see span_model_problem).
  if (!r.model.empty()) {
    if (std::string why = detail::span_model_problem(r.model); !why.empty()) {
      throw detail::EncodeError("model", why);
    }
  }
  emit_span(o, r);
  o.extra(r.extra);
}

void to_json(Json& j_out, const RequestLog& r) {
  j_out = dom_object(r);
}

namespace detail {
void write_text(std::string& out, const RequestLog& span) {
  TextOut(out).object(span);
}

void write_text_dropping(std::string& out, const RequestLog& span, FieldDrops& drops) {
  TextOut(out, drops).object(span);
}

RequestLog without_non_finite(const RequestLog& span, FieldDrops& drops) {
  std::string text;
  write_text_dropping(text, span, drops);
  // Our own text, checked on the way out (depth, UTF-8 as given): read back as the model.
  return Json::parse(text).get<RequestLog>();
}
}  // namespace detail

void from_json(const Json& j, RequestLog& s) {
  s = RequestLog{};
  Reader r(j);
  decode_span(r, j, s);
  s.extra = r.extra();
}

void to_json(Json& j_out, const RequestLogCreated& c) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = Json::object();
  put(j, "id", c.id);
  if (!c.unique_id.empty()) j["unique_id"] = c.unique_id;
  put(j, "organization_id", c.organization_id);
  put(j, "customer_identifier", c.customer_identifier);
  put(j, "status", c.status);
  put(j, "cost", c.cost);
  put(j, "timestamp", c.timestamp);
  put(j, "environment", c.environment);
  put(j, "latency", c.latency);
  put(j, "time_to_first_token", c.time_to_first_token);
  put(j, "prompt_cache_creation_tokens", c.prompt_cache_creation_tokens);
  put(j, "prompt_cache_hit_tokens", c.prompt_cache_hit_tokens);
  put_extra(j, c.extra);
  j_out = std::move(j);
}

namespace {
template <class Obj>
void read_created(const Obj& j, RequestLogCreated& c) {
  c = RequestLogCreated{};
  detail::BasicReader<Obj> r(j);
  r.id("id", c.id);
  r.id("unique_id", c.unique_id);
  r.id("organization_id", c.organization_id);
  r.get("customer_identifier", c.customer_identifier);
  r.get("status", c.status);
  r.get("cost", c.cost);
  r.get("timestamp", c.timestamp);
  r.get("environment", c.environment);
  r.get("latency", c.latency);
  r.get("time_to_first_token", c.time_to_first_token);
  r.get("prompt_cache_creation_tokens", c.prompt_cache_creation_tokens);
  r.get("prompt_cache_hit_tokens", c.prompt_cache_hit_tokens);
  // Aliases the service may echo back.
  if (!c.latency) {
    std::optional<double> alias;
    r.get("generation_time", alias);
    c.latency = alias;
  }
  if (!c.time_to_first_token) {
    std::optional<double> alias;
    r.get("ttft", alias);
    c.time_to_first_token = alias;
  }
  if (c.unique_id.empty() && c.id) c.unique_id = *c.id;
  c.extra = r.extra();
}
}  // namespace

void from_json(const Json& j, RequestLogCreated& c) {
  read_created(j, c);
}

namespace detail {
bool decode_text(std::string_view text, RequestLogCreated& out) {
  FlatJsonObject members;
  members.members.reserve(16);
  if (!BoundedJsonParser(text, kMaxJsonDepth).parse_flat_object(members)) return false;
  read_created(members, out);
  return true;
}
}  // namespace detail

void to_json(Json& j_out, const LimitCheck& l) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = Json::object();
  put(j, "name", l.name);
  put(j, "current_value", l.current_value);
  put(j, "new_value", l.new_value);
  put(j, "limit_value", l.limit_value);
  put(j, "is_within_limit", l.is_within_limit);
  put_extra(j, l.extra);
  j_out = std::move(j);
}

void from_json(const Json& j, LimitCheck& l) {
  l = LimitCheck{};
  Reader r(j);
  r.get("name", l.name);
  r.get("current_value", l.current_value);
  r.get("new_value", l.new_value);
  r.get("limit_value", l.limit_value);
  r.get("is_within_limit", l.is_within_limit);
  l.extra = r.extra();
}

void to_json(Json& j_out, const LimitInfo& l) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = Json::object();
  put(j, "is_allowed", l.is_allowed);
  j["limits"] = l.limits;
  put_extra(j, l.extra);
  j_out = std::move(j);
}

void from_json(const Json& j, LimitInfo& l) {
  l = LimitInfo{};
  Reader r(j);
  r.get("is_allowed", l.is_allowed);
  r.get_or("limits", l.limits);
  l.extra = r.extra();
}

void to_json(Json& j_out, const RequestLogRecord& rec) {
  Json j = Json::object();  // built aside: a refused field leaves j_out untouched
  detail::DomOut o{j};
  emit_span(o, rec);
  put(j, "id", rec.id);
  if (!rec.unique_id.empty()) j["unique_id"] = rec.unique_id;
  put(j, "organization_id", rec.organization_id);
  put(j, "environment", rec.environment);
  put(j, "total_request_tokens", rec.total_request_tokens);
  put(j, "prompt_cache_creation_tokens", rec.prompt_cache_creation_tokens);
  put(j, "prompt_cache_hit_tokens", rec.prompt_cache_hit_tokens);
  put(j, "is_pinned", rec.is_pinned);
  put(j, "note", rec.note);
  put(j, "scores", rec.scores);
  put(j, "limit_info", rec.limit_info);
  put_extra(j, rec.extra);
  j_out = std::move(j);
}

void from_json(const Json& j, RequestLogRecord& rec) {
  rec = RequestLogRecord{};
  Reader r(j);
  decode_span(r, j, rec);
  r.id("id", rec.id);
  r.id("unique_id", rec.unique_id);
  r.id("organization_id", rec.organization_id);
  r.get("environment", rec.environment);
  r.get("total_request_tokens", rec.total_request_tokens);
  r.get("prompt_cache_creation_tokens", rec.prompt_cache_creation_tokens);
  r.get("prompt_cache_hit_tokens", rec.prompt_cache_hit_tokens);
  r.get("is_pinned", rec.is_pinned);
  r.get("note", rec.note);
  r.raw("scores", rec.scores);
  r.get("limit_info", rec.limit_info);
  if (!rec.latency) rec.latency = rec.generation_time;
  if (!rec.time_to_first_token) rec.time_to_first_token = rec.ttft;
  if (rec.unique_id.empty() && rec.id) rec.unique_id = *rec.id;
  rec.extra = r.extra();
}

void to_json(Json& j_out, const RequestLogUpdate& u) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = Json::object();
  put(j, "is_pinned", u.is_pinned);
  put(j, "positive_feedback", u.positive_feedback);
  put(j, "note", u.note);
  put(j, "metadata", u.metadata);
  put_extra(j, u.extra);
  j_out = std::move(j);
}

}  // namespace respan
