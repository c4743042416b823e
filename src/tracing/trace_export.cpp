// The Tracer's wire formats: trace ingest rows, OTLP/HTTP JSON spans, their sinks, and the
// OpenTelemetry exporter environment variables.
#include "tracing/trace_export.hpp"

#include <algorithm>
#include <chrono>
#include <random>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include <respan/version.hpp>

#include "models/encode.hpp"
#include "tracing/otlp_proto.hpp"
#include "util/fork.hpp"
#include "util/gzip.hpp"
#include "util/iso8601.hpp"
#include "util/json_write.hpp"
#include "util/proto_wire.hpp"
#include "util/text.hpp"

namespace respan::detail {

// ---------------------------------------------------------------- ids

std::string hex_id(std::uint64_t id) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kHex[id & 15];
    id >>= 4;
  }
  return out;
}

std::string hex_id(std::uint64_t hi, std::uint64_t lo) {
  return hex_id(hi) + hex_id(lo);
}

bool parse_hex_id(std::string_view text, std::uint64_t* out, int words) {
  if (words < 1 || words > 2 || text.size() != static_cast<std::size_t>(16 * words)) return false;
  for (int w = 0; w < words; ++w) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 16; ++i) {
      const char c = ascii_lower(text[static_cast<std::size_t>(w) * 16 + i]);
      int d = 0;
      if (c >= '0' && c <= '9') {
        d = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        d = c - 'a' + 10;
      } else {
        return false;
      }
      v = (v << 4) | static_cast<std::uint64_t>(d);
    }
    out[w] = v;
  }
  return true;
}

std::uint64_t random_id() {
  // Per-thread generator, reseeded in a child after fork() (util/fork.hpp): forked workers
  // never repeat each other's trace and span ids.
  return random_u64(true);
}

namespace {

bool is_hex_id(const std::optional<std::string>& s, int words) {
  std::uint64_t v[2] = {0, 0};
  return s && parse_hex_id(*s, v, words) && (v[0] != 0 || v[1] != 0);
}

std::string nanos_text(std::int64_t ns) {
  return std::to_string(ns);
}

// The span's start and end in nanoseconds: its own times, else the RFC 3339 fields.
std::int64_t start_nanos(const TraceSpan& s) {
  if (s.start_unix_nanos != 0) return s.start_unix_nanos;
  if (s.log.start_time) {
    if (auto us = s.log.start_time->unix_micros()) return *us * 1000;
  }
  return 0;
}
std::int64_t end_nanos(const TraceSpan& s) {
  if (s.end_unix_nanos != 0) return s.end_unix_nanos;
  if (s.log.timestamp) {
    if (auto us = s.log.timestamp->unix_micros()) return *us * 1000;
  }
  return 0;
}

bool is_error(const TraceSpan& s) {
  return s.error || (s.log.status && *s.log.status == SpanStatus::error());
}

std::optional<Error> check_ids(const TraceSpan& s) {
  if (!is_hex_id(s.log.trace_unique_id, 2)) {
    return Error::make(ErrorCode::invalid_argument,
                       "TraceSpan.log.trace_unique_id: required, 32 hex digits, not all zero");
  }
  if (!is_hex_id(std::optional<std::string>(s.span_unique_id), 1)) {
    return Error::make(ErrorCode::invalid_argument,
                       "TraceSpan.span_unique_id: required, 16 hex digits, not all zero");
  }
  if (s.log.span_parent_id && !is_hex_id(s.log.span_parent_id, 1)) {
    return Error::make(ErrorCode::invalid_argument,
                       "TraceSpan.log.span_parent_id: 16 hex digits, not all zero");
  }
  return std::nullopt;
}

}  // namespace

// ---------------------------------------------------------------- trace ingest

Result<Json> ingest_span_json(const TraceSpan& span) {
  if (auto bad = check_ids(span)) return *bad;
  Result<Json> encoded = encode(span.log, "TraceSpan.log");
  if (!encoded) return encoded;
  Json& j = *encoded;
  if (span.log.model.empty()) j.erase("model");
  j["span_unique_id"] = span.span_unique_id;
  if (span.span_path) j["span_path"] = *span.span_path;
  if (span.provider_id) j["provider_id"] = *span.provider_id;
  const std::int64_t start = start_nanos(span);
  const std::int64_t end = end_nanos(span);
  if (!span.log.start_time && start != 0) j["start_time"] = format_iso8601_micros(start / 1000);
  if (!span.log.timestamp && end != 0) j["timestamp"] = format_iso8601_micros(end / 1000);
  if (!span.log.latency && start != 0 && end >= start)
    j["latency"] = static_cast<double>(end - start) / 1e9;
  if (!span.log.status) j["status"] = is_error(span) ? "error" : "success";
  // Trace ingest has no field for the exception's type: it leads the message.
  if (span.exception_type && span.log.error_message)
    j["error_message"] = *span.exception_type + ": " + *span.log.error_message;
  return encoded;
}

// ---------------------------------------------------------------- OTLP

namespace {

// Typed AnyValues (kvlistValue / arrayValue) go this many levels deep; deeper parts of a
// value are sent as JSON text, so that a decoder's nesting limit (protobuf decoders commonly
// stop at 100 messages; each level is two) is never reached.
constexpr int kMaxTypedDepth = 8;

class Attributes {
 public:
  void str(std::string_view key, const std::string& value) {
    add(key, Json{{"stringValue", value}});
  }
  void integer(std::string_view key, std::int64_t value) {
    add(key, Json{{"intValue", std::to_string(value)}});  // int64 as a string (proto3 JSON)
  }
  void number(std::string_view key, double value) { add(key, Json{{"doubleValue", value}}); }
  void boolean(std::string_view key, bool value) { add(key, Json{{"boolValue", value}}); }
  // A JSON value: scalars typed, objects and arrays as JSON text, null left out.
  void any(std::string_view key, const Json& v) {
    if (v.is_object() || v.is_array()) {
      str(key, to_json_text(v));
    } else if (!v.is_null()) {
      add(key, any_value(v, 0));
    }
  }
  // A JSON value fully typed: objects as kvlistValue, arrays as arrayValue, null as an
  // empty AnyValue.
  void typed(std::string_view key, const Json& v) { add(key, any_value(v, 0)); }
  Json take() { return std::move(list_); }

  static Json any_value(const Json& v, int depth) {
    switch (v.type()) {
      case Json::value_t::string:
        return Json{{"stringValue", v}};
      case Json::value_t::boolean:
        return Json{{"boolValue", v}};
      case Json::value_t::number_integer:
        return Json{{"intValue", std::to_string(v.get<std::int64_t>())}};
      case Json::value_t::number_unsigned:
        if (v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
          return Json{{"doubleValue", v.get<double>()}};
        return Json{{"intValue", std::to_string(v.get<std::uint64_t>())}};
      case Json::value_t::number_float:
        return Json{{"doubleValue", v}};
      case Json::value_t::array: {
        if (depth >= kMaxTypedDepth) return Json{{"stringValue", to_json_text(v)}};
        Json values = Json::array();
        for (const Json& e : v)
          values.push_back(any_value(e, depth + 1));
        return Json{{"arrayValue", Json{{"values", std::move(values)}}}};
      }
      case Json::value_t::object: {
        if (depth >= kMaxTypedDepth) return Json{{"stringValue", to_json_text(v)}};
        Json values = Json::array();
        for (auto it = v.begin(); it != v.end(); ++it)
          values.push_back(Json{{"key", it.key()}, {"value", any_value(it.value(), depth + 1)}});
        return Json{{"kvlistValue", Json{{"values", std::move(values)}}}};
      }
      default:
        return Json::object();  // null: an AnyValue with no value
    }
  }

 private:
  void add(std::string_view key, Json value) {
    list_.push_back(Json{{"key", key}, {"value", std::move(value)}});
  }
  Json list_ = Json::array();
};

std::string content_text(const Message& m) {
  if (!m.content) return {};
  if (const auto* text = std::get_if<std::string>(&*m.content)) return *text;
  Json parts;
  to_json(parts, m);
  return to_json_text(parts["content"]);
}

void add_message(Attributes& a, const std::string& prefix, const Message& m) {
  a.str(prefix + ".role", m.role);
  if (m.content) a.str(prefix + ".content", content_text(m));
  if (m.tool_call_id) a.str(prefix + ".tool_call_id", *m.tool_call_id);
  if (m.tool_calls) {
    for (std::size_t k = 0; k < m.tool_calls->size(); ++k) {
      const ToolCall& c = (*m.tool_calls)[k];
      const std::string p = prefix + ".tool_calls." + std::to_string(k);
      if (c.id) a.str(p + ".id", *c.id);
      if (c.function && c.function->name) a.str(p + ".name", *c.function->name);
      if (c.function && c.function->arguments) a.str(p + ".arguments", *c.function->arguments);
    }
  }
}

// The traceloop span kind of a log type, if it has one (LLM calls have none).
const char* traceloop_kind(const std::string& log_type) {
  if (log_type == "workflow") return "workflow";
  if (log_type == "task") return "task";
  if (log_type == "agent") return "agent";
  if (log_type == "tool") return "tool";
  return nullptr;
}

// `gen_ai.operation.name` (OpenTelemetry GenAI conventions) of a span: the well-known value
// of its log type; on a model span with another log type, the log type itself (the
// conventions allow system-specific values); nullptr for other spans.
const char* operation_name(const std::string& log_type, bool model_span) {
  if (log_type == "chat" || log_type == "response") return "chat";
  if (log_type == "completion" || log_type == "text") return "text_completion";
  if (log_type == "embedding") return "embeddings";
  if (log_type == "tool") return "execute_tool";
  if (log_type == "agent") return "invoke_agent";
  return model_span ? log_type.c_str() : nullptr;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// `gen_ai.provider.name` of a model the caller did not attribute (TraceSpan::provider_id):
// the provider of a well-known model family, or of a `provider/model` name; nullptr when
// unknown.
const char* inferred_provider(std::string_view model) {
  struct Family {
    const char* prefix;
    const char* provider;
  };
  static constexpr Family kRouted[] = {{"openai/", "openai"},
                                       {"anthropic/", "anthropic"},
                                       {"google/", "gcp.gemini"},
                                       {"gemini/", "gcp.gemini"},
                                       {"vertex_ai/", "gcp.vertex_ai"},
                                       {"bedrock/", "aws.bedrock"},
                                       {"azure/", "azure.ai.openai"},
                                       {"mistral/", "mistral_ai"},
                                       {"mistralai/", "mistral_ai"},
                                       {"cohere/", "cohere"},
                                       {"groq/", "groq"},
                                       {"deepseek/", "deepseek"},
                                       {"xai/", "x_ai"},
                                       {"x-ai/", "x_ai"},
                                       {"perplexity/", "perplexity"}};
  static constexpr Family kFamilies[] = {{"gpt-", "openai"},
                                         {"chatgpt-", "openai"},
                                         {"o1", "openai"},
                                         {"o3", "openai"},
                                         {"o4", "openai"},
                                         {"text-embedding-", "openai"},
                                         {"dall-e", "openai"},
                                         {"whisper", "openai"},
                                         {"tts-", "openai"},
                                         {"claude", "anthropic"},
                                         {"gemini", "gcp.gemini"},
                                         {"mistral", "mistral_ai"},
                                         {"mixtral", "mistral_ai"},
                                         {"codestral", "mistral_ai"},
                                         {"ministral", "mistral_ai"},
                                         {"pixtral", "mistral_ai"},
                                         {"magistral", "mistral_ai"},
                                         {"command", "cohere"},
                                         {"deepseek", "deepseek"},
                                         {"grok", "x_ai"},
                                         {"sonar", "perplexity"}};
  for (const Family& f : kRouted) {
    if (starts_with_ci(model, f.prefix)) return f.provider;
  }
  if (model.find('/') != std::string_view::npos) return nullptr;
  for (const Family& f : kFamilies) {
    if (starts_with_ci(model, f.prefix)) return f.provider;
  }
  return nullptr;
}

// Fields of the ingest row that the attributes below express (others: respan.span.<field>).
const std::set<std::string>& mapped_fields() {
  // Never destroyed: a namespace-scope Tracer's exporter encodes during static destruction.
  static const auto* k = new std::set<std::string>{"model",
                                                   "prompt_messages",
                                                   "completion_message",
                                                   "input",
                                                   "output",
                                                   "log_type",
                                                   "prompt_tokens",
                                                   "completion_tokens",
                                                   "usage",
                                                   "cost",
                                                   "latency",
                                                   "timestamp",
                                                   "start_time",
                                                   "temperature",
                                                   "top_p",
                                                   "max_tokens",
                                                   "frequency_penalty",
                                                   "presence_penalty",
                                                   "stream",
                                                   "status",
                                                   "error_message",
                                                   "trace_unique_id",
                                                   "span_name",
                                                   "span_parent_id",
                                                   "span_workflow_name",
                                                   "custom_identifier",
                                                   "thread_identifier",
                                                   "group_identifier",
                                                   "customer_identifier",
                                                   "customer_params",
                                                   "metadata",
                                                   "span_unique_id",
                                                   "span_path",
                                                   "provider_id"};
  return *k;
}

// `error.type` of an errored span: the exception's type when one failed it, else its HTTP
// status when it has one of 400 or more (as the HTTP conventions do), else `_OTHER` (the
// conventions' fallback value).
std::string error_type(const TraceSpan& span) {
  if (span.exception_type && !span.exception_type->empty()) return *span.exception_type;
  const RequestLog& log = span.log;
  if (log.status_code && *log.status_code >= 400) return std::to_string(*log.status_code);
  return "_OTHER";
}

}  // namespace

Result<Json> otlp_span_json(const TraceSpan& span) {
  if (auto bad = check_ids(span)) return *bad;
  // The same checks and field encoding as the ingest row; the attributes are built from it.
  Result<Json> row_or = ingest_span_json(span);
  if (!row_or) return row_or;
  const Json& row = *row_or;
  const RequestLog& log = span.log;
  const bool model_span = !log.model.empty();
  const bool failed = is_error(span);

  Attributes a;
  if (log.span_workflow_name) a.str("traceloop.workflow.name", *log.span_workflow_name);
  if (log.span_name) a.str("traceloop.entity.name", *log.span_name);
  if (span.span_path) a.str("traceloop.entity.path", *span.span_path);
  const std::string log_type =
      log.log_type ? log.log_type->value() : (model_span ? std::string("chat") : std::string());
  if (log.log_type) a.str("respan.entity.log_type", log_type);
  if (!log_type.empty()) {
    if (const char* kind = traceloop_kind(log_type)) {
      a.str("traceloop.span.kind", kind);
    } else {
      a.str("llm.request.type", log_type);
    }
    if (const char* op = operation_name(log_type, model_span)) a.str("gen_ai.operation.name", op);
  }
  if (model_span) {
    a.str("gen_ai.request.model", log.model);
    a.str("gen_ai.response.model", log.model);
    if (span.provider_id) {
      a.str("gen_ai.provider.name", *span.provider_id);
    } else if (const char* p = inferred_provider(log.model)) {
      a.str("gen_ai.provider.name", p);
    }
  }
  if (auto it = row.find("input"); it != row.end())
    a.str("traceloop.entity.input", it->is_string() ? it->get<std::string>() : to_json_text(*it));
  if (auto it = row.find("output"); it != row.end())
    a.str("traceloop.entity.output", it->is_string() ? it->get<std::string>() : to_json_text(*it));
  if (log.prompt_messages) {
    for (std::size_t i = 0; i < log.prompt_messages->size(); ++i)
      add_message(a, "gen_ai.prompt." + std::to_string(i), (*log.prompt_messages)[i]);
  }
  if (log.completion_message) add_message(a, "gen_ai.completion.0", *log.completion_message);

  // Token counts under the current names (input/output) and the older ones Respan reads
  // (prompt/completion); cache counts under both generations of names, as over ingest.
  std::optional<std::int64_t> in = log.prompt_tokens;
  std::optional<std::int64_t> out = log.completion_tokens;
  std::optional<std::int64_t> total;
  std::optional<std::int64_t> cache_read;
  std::optional<std::int64_t> cache_creation;
  if (log.usage) {
    if (!in) in = log.usage->prompt_tokens ? log.usage->prompt_tokens : log.usage->input_tokens;
    if (!out)
      out = log.usage->completion_tokens ? log.usage->completion_tokens : log.usage->output_tokens;
    total = log.usage->total_tokens;
    cache_read = log.usage->cache_read_input_tokens;
    cache_creation = log.usage->cache_creation_input_tokens;
  }
  if (!total && in && out) total = *in + *out;
  if (in) {
    a.integer("gen_ai.usage.input_tokens", *in);
    a.integer("gen_ai.usage.prompt_tokens", *in);
  }
  if (out) {
    a.integer("gen_ai.usage.output_tokens", *out);
    a.integer("gen_ai.usage.completion_tokens", *out);
  }
  if (total) a.integer("gen_ai.usage.total_tokens", *total);
  if (cache_read) {
    a.integer("gen_ai.usage.cache_read.input_tokens", *cache_read);
    a.integer("gen_ai.usage.cache_read_input_tokens", *cache_read);
  }
  if (cache_creation) {
    a.integer("gen_ai.usage.cache_creation.input_tokens", *cache_creation);
    a.integer("gen_ai.usage.cache_creation_input_tokens", *cache_creation);
  }
  if (log.cost) a.number("gen_ai.usage.cost", *log.cost);
  if (log.temperature) a.number("gen_ai.request.temperature", *log.temperature);
  if (log.top_p) a.number("gen_ai.request.top_p", *log.top_p);
  if (log.max_tokens) a.integer("gen_ai.request.max_tokens", *log.max_tokens);
  if (log.frequency_penalty) a.number("gen_ai.request.frequency_penalty", *log.frequency_penalty);
  if (log.presence_penalty) a.number("gen_ai.request.presence_penalty", *log.presence_penalty);
  if (log.stream) a.boolean("llm.is_streaming", *log.stream);

  std::optional<std::string> customer = log.customer_identifier;
  if (log.customer_params) {
    if (!customer) customer = log.customer_params->customer_identifier;
    if (log.customer_params->email)
      a.str("respan.customer_params.email", *log.customer_params->email);
    if (log.customer_params->name) a.str("respan.customer_params.name", *log.customer_params->name);
  }
  if (customer) a.str("respan.customer_params.customer_identifier", *customer);
  if (log.custom_identifier) a.str("respan.span_params.custom_identifier", *log.custom_identifier);
  if (log.thread_identifier) a.str("respan.threads.thread_identifier", *log.thread_identifier);
  if (log.group_identifier) a.str("respan.trace.trace_group_identifier", *log.group_identifier);
  if (auto it = row.find("metadata"); it != row.end()) {
    if (it->is_object()) {
      for (auto m = it->begin(); m != it->end(); ++m)
        a.typed("respan.metadata." + m.key(), m.value());
    } else {
      a.typed("respan.metadata", *it);
    }
  }
  for (auto f = row.begin(); f != row.end(); ++f) {
    if (mapped_fields().count(f.key()) == 0) a.any("respan.span." + f.key(), f.value());
  }
  std::string err_type;
  if (failed) {
    err_type = error_type(span);
    a.str("error.type", err_type);
  }

  Json s = Json::object();
  s["traceId"] = *log.trace_unique_id;
  s["spanId"] = span.span_unique_id;
  if (log.span_parent_id) s["parentSpanId"] = *log.span_parent_id;
  s["name"] = log.span_name ? *log.span_name : std::string("span");
  // SPAN_KIND_CLIENT (3) for calls to a model, SPAN_KIND_INTERNAL (1) otherwise.
  s["kind"] = model_span ? 3 : 1;
  const std::int64_t start = start_nanos(span);
  std::int64_t end = end_nanos(span);
  if (end < start) end = start;
  s["startTimeUnixNano"] = nanos_text(start);
  s["endTimeUnixNano"] = nanos_text(end);
  s["attributes"] = a.take();
  if (failed) {
    // STATUS_CODE_ERROR with the message, and the conventions' `exception` event.
    Json status{{"code", 2}};
    Attributes ev;
    if (log.error_message) {
      status["message"] = *log.error_message;
      ev.str("exception.message", *log.error_message);
    }
    if (span.exception_type) ev.str("exception.type", *span.exception_type);
    ev.str("error.type", err_type);
    s["status"] = std::move(status);
    s["events"] = Json::array({Json{
        {"timeUnixNano", nanos_text(end)}, {"name", "exception"}, {"attributes", ev.take()}}});
  } else {
    s["status"] = Json{{"code", 0}};  // STATUS_CODE_UNSET: nothing says the span succeeded
  }
  return s;
}

namespace {

Json otlp_resource(const std::string& service_name,
                   const std::map<std::string, std::string>& attributes) {
  Attributes a;
  a.str("service.name", service_name);
  for (const auto& [k, v] : attributes) {
    if (k != "service.name") a.str(k, v);
  }
  a.str("telemetry.sdk.name", "respan-cpp");
  a.str("telemetry.sdk.language", "cpp");
  a.str("telemetry.sdk.version", std::string(library_version()));
  return Json{{"attributes", a.take()}};
}

Json otlp_scope() {
  return Json{{"name", "respan-cpp"}, {"version", std::string(library_version())}};
}

}  // namespace

OtlpEnvelope otlp_envelope(const std::string& service_name,
                           const std::map<std::string, std::string>& attributes) {
  OtlpEnvelope e;
  e.prefix =
      "{\"resourceSpans\":[{\"resource\":" + to_json_text(otlp_resource(service_name, attributes)) +
      ",\"scopeSpans\":[{\"scope\":" + to_json_text(otlp_scope()) + ",\"spans\":[";
  e.suffix = "]}]}]}";
  return e;
}

// ---------------------------------------------------------------- sinks

namespace {

constexpr const char* kIngestPath = "/api/v1/traces/ingest";
constexpr const char* kOtlpJsonPath = "/api/v2/traces";
constexpr const char* kOtlpProtobufPath = "/api/v1/traces";

// encoder(span); with `drops`, a span refused for a non-finite number is encoded again
// without the fields that hold one (recorded in `drops`). The common span is encoded once.
Result<Json> with_finite_fields(const TraceSpan& span, FieldDrops* drops,
                                Result<Json> (*encoder)(const TraceSpan&)) {
  Result<Json> r = encoder(span);
  if (r || drops == nullptr) return r;
  TraceSpan copy = span;  // the rare path: a copy costs nothing that matters
  FieldDrops found;
  try {
    copy.log = without_non_finite(span.log, found);
  } catch (const std::exception&) {
    return r;  // refused for another reason too: the first refusal stands
  }
  if (found.count == 0) return r;  // the refusal was not about a number
  Result<Json> again = encoder(copy);
  if (again) {
    drops->count += found.count;
    for (std::string& p : found.paths)
      if (drops->paths.size() < FieldDrops::kNamed) drops->paths.push_back("log." + p);
  }
  return again;
}

std::optional<std::string> write_row(Result<Json> row, std::string& out) {
  if (!row) return row.error().message;
  if (auto bad = check_body(*row)) return "TraceSpan: " + bad->message;
  write_json(*row, out);
  return std::nullopt;
}

// Trace ingest. Respan stores a span under its span_unique_id (a span sent again replaces
// the first copy), so resending a batch whose answer was lost cannot duplicate spans: the
// sink declares it (deduplicates()) and ambiguous failures are retried even under
// SpanDelivery::at_most_once.
class IngestSink final : public BatchSink {
 public:
  explicit IngestSink(IngestBody shape) : bare_(shape == IngestBody::bare_array) {}
  std::optional<std::string> encode(const TraceSpan& span, std::string& out,
                                    FieldDrops* drops = nullptr) const override {
    return write_row(with_finite_fields(span, drops, ingest_span_json), out);
  }
  std::string_view body_prefix() const noexcept override { return bare_ ? "[" : "{\"data\":["; }
  std::string_view body_suffix() const noexcept override { return bare_ ? "]" : "]}"; }
  Result<RowVerdicts> send(const Pipeline& pipeline, std::string& body, std::size_t rows,
                           const RequestOptions& options) const override {
    ApiRequest req{HttpMethod::post,        kIngestPath,    {}, std::nullopt,
                   Idempotency::idempotent, std::move(body)};
    Result<Reply> r = pipeline.execute_lending(req, options);
    body = std::move(*req.body_text);
    if (!r) return std::move(r).error();
    return read_answer(AnswerShape::ingest, r->http.body, rows);
  }
  bool deduplicates() const noexcept override { return true; }
  std::string describe() const override { return kIngestPath; }

 private:
  bool bare_;
};

// OTLP/HTTP, JSON or protobuf, plain or gzip, to Respan (`/api/v2/traces` for JSON,
// `/api/v1/traces` for protobuf, with the API key; de-duplicated by span id as above) or to
// a collector (its URL as is, no API key; a collector may forward a resent span twice, so
// resends follow ClientOptions::span_delivery and count as possibly duplicated; and the
// OTLP/HTTP retry rules apply, classify_collector_failure()).
//
// Protobuf rows are `spans` fields (2) of ScopeSpans; the BatchLogger joins rows with commas,
// so the body it hands over is the Resource and InstrumentationScope fields (body_prefix()),
// then the rows with a comma between two: request_bytes() drops the commas and frames the rows
// as an ExportTraceServiceRequest (whose lengths depend on the rows) in a new buffer.
class OtlpSink final : public BatchSink {
 public:
  explicit OtlpSink(const TracerOptions& o)
      : collector_url_(o.otlp_endpoint),
        headers_(o.otlp_headers),
        protobuf_(o.otlp_protocol == OtlpProtocol::http_protobuf),
        gzip_(o.otlp_compression == OtlpCompression::gzip) {
    const Json resource = otlp_resource(o.service_name, o.resource_attributes);
    if (protobuf_) {
      std::string resource_field;
      std::string scope_field;
      otlp_resource_proto(resource, resource_field);
      otlp_scope_proto(otlp_scope(), scope_field);
      resource_len_ = resource_field.size();
      prefix_ = resource_field + scope_field;
    } else {
      const OtlpEnvelope e = otlp_envelope(o.service_name, o.resource_attributes);
      prefix_ = e.prefix;
      suffix_ = e.suffix;
    }
    if (!collector_url_.empty()) {
      // The path, to name the call in messages.
      const std::size_t scheme = collector_url_.find("://");
      const std::size_t slash =
          collector_url_.find('/', scheme == std::string::npos ? 0 : scheme + 3);
      label_ = slash == std::string::npos ? "/" : collector_url_.substr(slash);
      const std::size_t q = label_.find_first_of("?#");
      if (q != std::string::npos) label_.resize(q);
    }
  }
  std::optional<std::string> encode(const TraceSpan& span, std::string& out,
                                    FieldDrops* drops = nullptr) const override {
    Result<Json> s = with_finite_fields(span, drops, otlp_span_json);
    if (!protobuf_) return write_row(std::move(s), out);
    if (!s) return s.error().message;
    if (auto bad = check_body(*s)) return "TraceSpan: " + bad->message;
    const std::size_t at = out.size();
    std::optional<std::string> bad = otlp_span_proto(*s, out);
    if (bad) out.resize(at);
    return bad;
  }
  std::string_view body_prefix() const noexcept override { return prefix_; }
  std::string_view body_suffix() const noexcept override { return suffix_; }

  // The bytes sent for a body the logger assembled: protobuf framing, then gzip. Nothing to
  // do (nullopt) for plain JSON, whose body is lent to the transport as it is.
  Result<std::optional<std::string>> request_bytes(std::string_view body) const {
    std::string framed;
    if (protobuf_) {
      if (auto bad = frame_protobuf(body, framed)) return Error::make(ErrorCode::internal, *bad);
    }
    if (!gzip_) {
      if (!protobuf_) return std::optional<std::string>();
      return std::optional<std::string>(std::move(framed));
    }
    std::string compressed;
    if (!gzip_compress(protobuf_ ? std::string_view(framed) : body, compressed)) {
      return Error::make(ErrorCode::internal, "cannot gzip the OTLP request (out of memory)");
    }
    return std::optional<std::string>(std::move(compressed));
  }

  Result<RowVerdicts> send(const Pipeline& pipeline, std::string& body, std::size_t rows,
                           const RequestOptions& options) const override {
    const bool collector = !collector_url_.empty();
    Result<std::optional<std::string>> wire = request_bytes(body);
    if (!wire) return std::move(wire).error();
    const bool lend = !wire->has_value();  // plain JSON: the body itself
    ApiRequest req{HttpMethod::post,
                   collector ? label_ : std::string(protobuf_ ? kOtlpProtobufPath : kOtlpJsonPath),
                   {},
                   std::nullopt,
                   collector ? Idempotency::span_create : Idempotency::idempotent,
                   lend ? std::move(body) : std::move(**wire)};
    if (collector) {
      req.absolute_url = collector_url_;
      req.authenticated = false;
    }
    if (protobuf_) req.content_type = "application/x-protobuf";
    if (gzip_) req.content_encoding = "gzip";
    RequestOptions o = options;
    for (const auto& h : headers_)
      o.headers[h.first] = h.second;
    Result<Reply> r = pipeline.execute_lending(req, o);
    if (lend) body = std::move(*req.body_text);
    if (!r) return std::move(r).error();
    // OTLP/HTTP answers in the request's encoding; a receiver may still answer JSON.
    bool proto_answer = protobuf_;
    if (auto type = r->http.header("content-type")) {
      if (proto::is_protobuf_media_type(*type)) {
        proto_answer = true;
      } else if (ascii_lower(*type).find("json") != std::string::npos) {
        proto_answer = false;
      }
    }
    return read_answer(AnswerShape::otlp, r->http.body, rows,
                       proto_answer ? AnswerFormat::protobuf : AnswerFormat::json);
  }
  bool deduplicates() const noexcept override { return collector_url_.empty(); }
  FailureClass classify(const Error& e) const noexcept override {
    return collector_url_.empty() ? classify_failure(e) : classify_collector_failure(e);
  }
  bool splits_on(int status) const noexcept override {
    // A collector's 400 is final (OTLP/HTTP): the whole request is refused, not one row.
    return collector_url_.empty() ? BatchSink::splits_on(status) : status == 413;
  }
  std::string describe() const override {
    return collector_url_.empty() ? std::string(protobuf_ ? kOtlpProtobufPath : kOtlpJsonPath)
                                  : collector_url_;
  }

 private:
  // body = prefix_ (Resource field, scope field) + rows joined by commas.
  std::optional<std::string> frame_protobuf(std::string_view body, std::string& out) const {
    if (body.size() < prefix_.size() || body.substr(0, prefix_.size()) != prefix_)
      return std::string("OTLP protobuf body without its prefix");
    const std::string_view resource = body.substr(0, resource_len_);
    const std::string_view scope = body.substr(resource_len_, prefix_.size() - resource_len_);
    std::string_view rows = body.substr(prefix_.size());
    // The rows are length-delimited `spans` fields: walk them to size and copy them.
    std::size_t spans_len = 0;
    for (int pass = 0; pass < 2; ++pass) {
      if (pass == 1) {
        const std::size_t scope_spans_len = scope.size() + spans_len;
        const std::size_t resource_spans_len =
            resource.size() + 1 + proto::varint_size(scope_spans_len) + scope_spans_len;
        out.reserve(resource_spans_len + 16);
        proto::put_tag(out, 1, proto::WireType::len);  // ExportTraceServiceRequest.resource_spans
        proto::put_varint(out, resource_spans_len);
        out.append(resource.data(), resource.size());  // ResourceSpans.resource
        proto::put_tag(out, 2, proto::WireType::len);  // ResourceSpans.scope_spans
        proto::put_varint(out, scope_spans_len);
        out.append(scope.data(), scope.size());  // ScopeSpans.scope
      }
      std::string_view rest = rows;
      while (!rest.empty()) {
        proto::Reader reader(rest);
        proto::Field f;
        if (!reader.next(f) || f.number != 2 || f.type != proto::WireType::len)
          return std::string("OTLP protobuf body with a malformed row");
        const std::size_t n =
            static_cast<std::size_t>(f.bytes.data() + f.bytes.size() - rest.data());
        if (pass == 0) {
          spans_len += n;
        } else {
          out.append(rest.data(), n);  // ScopeSpans.spans
        }
        rest.remove_prefix(n);
        if (!rest.empty()) {
          if (rest.front() != ',') return std::string("OTLP protobuf rows not comma-separated");
          rest.remove_prefix(1);
        }
      }
    }
    return std::nullopt;
  }

  std::string collector_url_;
  std::string label_;
  std::map<std::string, std::string> headers_;
  bool protobuf_;
  bool gzip_;
  std::string prefix_;
  std::string suffix_;
  std::size_t resource_len_ = 0;
};

}  // namespace

std::shared_ptr<const BatchSink> make_trace_sink(const TracerOptions& options) {
  if (options.exporter == TraceExporter::otlp) return std::make_shared<const OtlpSink>(options);
  return std::make_shared<const IngestSink>(options.ingest_body);
}

Result<std::string> otlp_request_bytes(const BatchSink& sink, std::string_view body) {
  const auto* otlp = dynamic_cast<const OtlpSink*>(&sink);
  if (otlp == nullptr) return Error::make(ErrorCode::invalid_argument, "not an OTLP sink");
  Result<std::optional<std::string>> r = otlp->request_bytes(body);
  if (!r) return std::move(r).error();
  return r->has_value() ? std::move(**r) : std::string(body);
}

std::string trace_endpoint(const TracerOptions& options, const std::string& base_url) {
  if (options.exporter == TraceExporter::otlp) {
    if (!options.otlp_endpoint.empty()) return options.otlp_endpoint;
    return base_url + (options.otlp_protocol == OtlpProtocol::http_protobuf ? kOtlpProtobufPath
                                                                            : kOtlpJsonPath);
  }
  return base_url + kIngestPath;
}

// ---------------------------------------------------------------- options

namespace {

Error invalid(std::string message) {
  return Error::make(ErrorCode::invalid_argument, std::move(message));
}

// Checks an http(s) URL; sets `plain_http` and `host` (without port; IPv6 in brackets).
std::optional<Error> check_url(const std::string& url, const char* what, bool& plain_http,
                               std::string& host) {
  const std::string_view u(url);
  std::size_t rest = 0;
  if (u.size() >= 7 && iequals(u.substr(0, 7), "http://")) {
    rest = 7;
    plain_http = true;
  } else if (u.size() >= 8 && iequals(u.substr(0, 8), "https://")) {
    rest = 8;
    plain_http = false;
  } else {
    return invalid(std::string(what) + " must start with http:// or https://");
  }
  for (char c : u) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return invalid(std::string(what) + " contains a space or a control character");
  }
  const std::size_t host_end = u.find_first_of("/?#", rest);
  const std::string_view authority =
      u.substr(rest, host_end == std::string_view::npos ? std::string_view::npos : host_end - rest);
  if (authority.empty() || authority.front() == ':')
    return invalid(std::string(what) + " has no host");
  if (authority.find('@') != std::string_view::npos)
    return invalid(std::string(what) + " must not contain credentials (user@host)");
  if (authority.front() == '[') {
    const std::size_t close = authority.find(']');
    host = std::string(
        authority.substr(0, close == std::string_view::npos ? authority.size() : close + 1));
  } else {
    host = std::string(authority.substr(0, authority.find(':')));
  }
  return std::nullopt;
}

}  // namespace

bool is_secret_header_name(std::string_view name) {
  const std::string n = ascii_lower(name);
  for (const char* word : {"key", "token", "secret", "auth", "password", "signature"}) {
    if (n.find(word) != std::string::npos) return true;  // also (proxy-)authorization
  }
  return false;
}

std::optional<Error> check_tracer_options(const TracerOptions& o) {
  if (o.exporter != TraceExporter::otlp) return std::nullopt;
  const bool collector = !o.otlp_endpoint.empty();
  bool plain_http = false;
  std::string host;
  if (collector) {
    if (auto e = check_url(o.otlp_endpoint, "TracerOptions::otlp_endpoint", plain_http, host))
      return e;
  }
  for (const auto& [name, value] : o.otlp_headers) {
    if (auto e = check_header(name, value, collector)) {
      e->message = "TracerOptions::otlp_headers: " + e->message;
      return e;
    }
  }
  // The rule ClientOptions::base_url follows for the API key (validate_options), for the
  // credentials a collector is given: never in clear text across a network, unless asked.
  if (collector && plain_http && !o.allow_insecure_collector && !is_loopback_host(host)) {
    for (const auto& [name, value] : o.otlp_headers) {
      if (is_secret_header_name(name)) {
        return invalid(
            "TracerOptions::otlp_endpoint uses plain http:// to a non-loopback host, "
            "which would send the header '" +
            name +
            "' in clear text: use https:// or set "
            "TracerOptions::allow_insecure_collector");
      }
    }
  }
  if (o.service_name.empty()) return invalid("TracerOptions::service_name must not be empty");
  return std::nullopt;
}

Result<std::map<std::string, std::string>> parse_otel_key_values(std::string_view text,
                                                                 const char* variable) {
  std::map<std::string, std::string> out;
  std::size_t index = 0;
  while (true) {
    const std::size_t comma = text.find(',');
    const std::string_view entry = trim(text.substr(0, comma));
    ++index;
    if (!entry.empty()) {
      const std::size_t eq = entry.find('=');
      const std::string_view key = trim(entry.substr(0, eq == std::string_view::npos ? 0 : eq));
      if (eq == std::string_view::npos || key.empty()) {
        return invalid(std::string(variable) + ": entry " + std::to_string(index) +
                       " is not key=value");
      }
      out[std::string(key)] = percent_decode(trim(entry.substr(eq + 1)), false);
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::string otlp_traces_url(std::string_view base) {
  std::string url(base);
  if (url.empty() || url.back() != '/') url += '/';
  return url + "v1/traces";
}

Result<TracerOptions> tracer_options_from_env(
    TracerOptions o, const std::function<const char*(const char*)>& getenv) {
  auto var = [&](const char* name) -> std::optional<std::string> {
    const char* v = getenv ? getenv(name) : nullptr;
    if (v == nullptr) return std::nullopt;
    std::string s(trim(v));
    if (s.empty()) return std::nullopt;
    return s;
  };
  if (auto e = var("RESPAN_TRACING_EXPORTER")) {
    const std::string v = ascii_lower(*e);
    if (v == "otlp") {
      o.exporter = TraceExporter::otlp;
    } else if (v == "respan" || v == "ingest" || v == "respan_ingest") {
      o.exporter = TraceExporter::respan_ingest;
    } else {
      return invalid("RESPAN_TRACING_EXPORTER must be 'respan' or 'otlp'");
    }
  }
  if (auto name = var("OTEL_SERVICE_NAME")) o.service_name = *name;
  if (auto attrs = var("OTEL_RESOURCE_ATTRIBUTES")) {
    auto parsed = parse_otel_key_values(*attrs, "OTEL_RESOURCE_ATTRIBUTES");
    if (!parsed) return std::move(parsed).error();
    for (auto& [k, v] : *parsed) {
      if (k == "service.name") {
        if (!var("OTEL_SERVICE_NAME")) o.service_name = v;  // OTEL_SERVICE_NAME wins
      } else {
        o.resource_attributes.emplace(k, v);  // explicit defaults win
      }
    }
  }
  if (o.exporter != TraceExporter::otlp) return o;

  const auto protocol = var("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
                            ? var("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
                            : var("OTEL_EXPORTER_OTLP_PROTOCOL");
  if (protocol) {
    if (*protocol == "http/json") {
      o.otlp_protocol = OtlpProtocol::http_json;
    } else if (*protocol == "http/protobuf") {
      o.otlp_protocol = OtlpProtocol::http_protobuf;
    } else {
      return invalid("OTEL_EXPORTER_OTLP_PROTOCOL '" + *protocol +
                     "' is not supported: respan-cpp exports OTLP/HTTP (http/json or "
                     "http/protobuf)");
    }
  }
  const char* compression_var = var("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION")
                                    ? "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION"
                                    : "OTEL_EXPORTER_OTLP_COMPRESSION";
  if (auto c = var(compression_var)) {
    const std::string v = ascii_lower(*c);
    if (v == "gzip") {
      o.otlp_compression = OtlpCompression::gzip;
    } else if (v == "none") {
      o.otlp_compression = OtlpCompression::none;
    } else {
      return invalid(std::string(compression_var) + " must be 'gzip' or 'none'");
    }
  }
  if (auto url = var("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) {
    o.otlp_endpoint = *url;  // used as is
  } else if (auto base = var("OTEL_EXPORTER_OTLP_ENDPOINT")) {
    if (base->find_first_of("?#") != std::string::npos)
      return invalid("OTEL_EXPORTER_OTLP_ENDPOINT must not contain a query or fragment");
    o.otlp_endpoint = otlp_traces_url(*base);
  }
  // Per key, the traces-specific variable wins over the general one, and both over defaults.
  // Header names are case-insensitive: keep one spelling per name.
  auto merge = [&](const char* name) -> std::optional<Error> {
    auto text = var(name);
    if (!text) return std::nullopt;
    auto parsed = parse_otel_key_values(*text, name);
    if (!parsed) return parsed.error();
    for (auto& [k, v] : *parsed) {
      for (auto it = o.otlp_headers.begin(); it != o.otlp_headers.end();) {
        it = iequals(it->first, k) ? o.otlp_headers.erase(it) : std::next(it);
      }
      o.otlp_headers[k] = v;
    }
    return std::nullopt;
  };
  if (auto e = merge("OTEL_EXPORTER_OTLP_HEADERS")) return *e;
  if (auto e = merge("OTEL_EXPORTER_OTLP_TRACES_HEADERS")) return *e;
  const char* timeout_var = var("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT")
                                ? "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"
                                : "OTEL_EXPORTER_OTLP_TIMEOUT";
  if (auto t = var(timeout_var)) {
    const auto ms = parse_int64(*t);
    if (!ms || *ms <= 0 || *ms > 86400000)
      return invalid(std::string(timeout_var) + " must be a positive number of milliseconds");
    if (o.batch.request_timeout.count() == 0)
      o.batch.request_timeout = std::chrono::milliseconds(*ms);
  }
  return o;
}

}  // namespace respan::detail
