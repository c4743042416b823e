// The trace endpoints of the mock Respan service: span ingest (legacy JSON
// batch and OTLP/HTTP, JSON or protobuf, on /api/v2/traces and /api/v1/traces), list, retrieve with
// the span tree, delete, share, public read and bulk delete. Storage and aggregation:
// mock_trace_state.cpp.
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "testing/mock_endpoint_util.hpp"
#include "testing/mock_otlp_proto.hpp"
#include "testing/mock_state.hpp"
#include "testing/mock_trace_state.hpp"

namespace respan::testing::detail {

namespace {

// ------------------------------------------------------------------------------ helpers

std::string at_index(const std::string& where, std::size_t i, const char* field) {
  return where + "[" + std::to_string(i) + "]." + field;
}

bool is_hex(const std::string& s, std::size_t len) {
  if (s.size() != len) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

bool all_zero(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == '0'; });
}

// A non-negative decimal integer given as a string or a JSON integer (the protobuf JSON
// mapping of a 64-bit field accepts both).
std::optional<std::uint64_t> uint64_of(const Json& v) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer()) {
    const auto i = v.get<std::int64_t>();
    if (i < 0) return std::nullopt;
    return static_cast<std::uint64_t>(i);
  }
  if (!v.is_string()) return std::nullopt;
  const auto& s = v.get_ref<const std::string&>();
  if (s.empty() || s.size() > 20) return std::nullopt;
  std::uint64_t out = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const std::uint64_t d = static_cast<std::uint64_t>(c - '0');
    if (out > (UINT64_MAX - d) / 10) return std::nullopt;
    out = out * 10 + d;
  }
  return out;
}

std::optional<std::int64_t> int64_of(const Json& v) {
  if (is_integer_like(v)) return v.get<std::int64_t>();
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    const bool neg = !s.empty() && s[0] == '-';
    const auto u = uint64_of(Json(neg ? s.substr(1) : s));
    if (!u || *u > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return neg ? -static_cast<std::int64_t>(*u) : static_cast<std::int64_t>(*u);
  }
  return std::nullopt;
}

// Optional time window of retrieve/delete: nullopt bounds when not given.
struct OptWindow {
  std::optional<std::int64_t> start;
  std::optional<std::int64_t> end;
  bool contains(std::int64_t t) const { return (!start || t >= *start) && (!end || t <= *end); }
};

OptWindow opt_window(const QueryPairs& query) {
  OptWindow w;
  if (const auto* s = query_get(query, "start_time"); s != nullptr && !s->empty()) {
    w.start = parse_time_value(Json(*s), "start_time");
  }
  if (const auto* e = query_get(query, "end_time"); e != nullptr && !e->empty()) {
    w.end = parse_time_value(Json(*e), "end_time");
  }
  if (w.start && w.end && *w.start > *w.end) {
    throw bad_request("start_time must be before end_time.");
  }
  return w;
}

// The list/bulk-delete window: end defaults to now, start to end - 1 hour (documented).
Window list_window(const QueryPairs& query) {
  const OptWindow w = opt_window(query);
  Window out;
  out.end = w.end.value_or(now_micros());
  out.start = w.start.value_or(out.end - 3600LL * 1000000LL);
  if (out.start > out.end) throw bad_request("start_time must be before end_time.");
  return out;
}

HttpError trace_not_found() {
  return HttpError(404, {{"detail", "Trace not found."}});
}

// ------------------------------------------------------------------------------ span fields

// Fills the derived fields every stored span has, whichever route it came by: token totals,
// status, log type, canonical times and latency.
void finish_span(Json& span, const std::string& where) {
  auto usage_int = [&](std::initializer_list<const char*> keys) -> std::optional<std::int64_t> {
    const auto u = span.find("usage");
    if (u == span.end() || !u->is_object()) return std::nullopt;
    for (const char* k : keys) {
      const auto it = u->find(k);
      if (it != u->end() && is_integer_like(*it)) return it->get<std::int64_t>();
    }
    return std::nullopt;
  };
  for (const char* f : {"prompt_tokens", "completion_tokens"}) {
    if (has(span, f) && !is_integer_like(span[f])) {
      throw bad_request(where + f + ": A valid integer is required.");
    }
  }
  if (!has(span, "prompt_tokens")) {
    span["prompt_tokens"] = usage_int({"prompt_tokens", "input_tokens"}).value_or(0);
  }
  if (!has(span, "completion_tokens")) {
    span["completion_tokens"] = usage_int({"completion_tokens", "output_tokens"}).value_or(0);
  }
  if (!has(span, "total_request_tokens")) {
    span["total_request_tokens"] =
        usage_int({"total_tokens"})
            .value_or(saturating_add(span["prompt_tokens"].get<std::int64_t>(),
                                     span["completion_tokens"].get<std::int64_t>()));
  }
  for (const char* f : {"cost", "latency"}) {
    if (has(span, f) && !span[f].is_number()) {
      throw bad_request(where + f + ": A valid number is required.");
    }
  }
  if (has(span, "status")) {
    if (!span["status"].is_string()) throw bad_request(where + "status: Not a valid string.");
  } else {
    const bool failed = (has(span, "status_code") && is_integer_like(span["status_code"]) &&
                         span["status_code"].get<std::int64_t>() >= 400) ||
                        (has(span, "error_message") && !as_text(span["error_message"]).empty());
    span["status"] = failed ? "error" : "success";
  }
  if (!has(span, "log_type")) span["log_type"] = "chat";
  if (!span["log_type"].is_string()) throw bad_request(where + "log_type: Not a valid string.");
  if (has(span, "metadata") && !span["metadata"].is_object()) {
    throw bad_request(where + "metadata: Expected a dictionary.");
  }
  // Times: `timestamp` is the end, `start_time` the start (RFC 3339 UTC).
  std::optional<std::int64_t> end;
  std::optional<std::int64_t> start;
  if (has(span, "timestamp")) {
    end = as_time(span["timestamp"]);
    if (!end) throw bad_request(where + "timestamp: Datetime has wrong format.");
  }
  if (has(span, "start_time")) {
    start = as_time(span["start_time"]);
    if (!start) throw bad_request(where + "start_time: Datetime has wrong format.");
  }
  const auto latency_us = [&]() -> std::optional<std::int64_t> {
    if (const auto l = number_at(span, "latency")) return static_cast<std::int64_t>(*l * 1e6);
    return std::nullopt;
  }();
  if (!end) end = start && latency_us ? *start + *latency_us : now_micros();
  if (!start) start = latency_us ? *end - *latency_us : *end;
  span["timestamp"] = format_iso8601(*end);
  span["start_time"] = format_iso8601(*start);
  if (!has(span, "latency")) span["latency"] = static_cast<double>(*end - *start) / 1e6;
}

// One item of the legacy ingest body. @throws HttpError 400.
Json ingest_span(const Json& item, std::size_t index) {
  const std::string where = "data[" + std::to_string(index) + "].";
  if (!item.is_object()) {
    throw bad_request(where.substr(0, where.size() - 1) +
                      ": Invalid data. Expected a dictionary, but got " + json_type_name(item) +
                      ".");
  }
  Json span = item;
  for (const char* f : {"trace_unique_id", "span_unique_id"}) {
    if (!has(span, f)) throw bad_request(at_index("data", index, f) + ": This field is required.");
    if (!span[f].is_string() || span[f].get_ref<const std::string&>().empty()) {
      throw bad_request(at_index("data", index, f) + ": Must be a non-empty string.");
    }
  }
  std::optional<std::string> parent;
  if (has(span, "span_parent_id")) {
    if (!span["span_parent_id"].is_string()) {
      throw bad_request(where + "span_parent_id: Not a valid string.");
    }
    if (!span["span_parent_id"].get_ref<const std::string&>().empty()) {
      parent = span["span_parent_id"].get<std::string>();
    }
  }
  for (const char* f : {"span_name", "span_workflow_name", "model", "customer_identifier"}) {
    if (has(span, f) && !span[f].is_string()) {
      throw bad_request(where + f + ": Not a valid string.");
    }
  }
  span.erase("span_parent_id");  // null or "": a root span
  if (parent) span["span_parent_id"] = *parent;
  finish_span(span, where);
  return span;
}

// ------------------------------------------------------------------------------ OTLP JSON

// Decodes an OTLP AnyValue ({"stringValue": ...}, {"intValue": "42"}, ...); nullopt when it is
// not one.
std::optional<Json> any_value(const Json& v, int depth = 0) {
  if (!v.is_object() || depth > 32) return std::nullopt;
  if (v.empty()) return Json();
  if (const auto it = v.find("stringValue"); it != v.end() && it->is_string()) return *it;
  if (const auto it = v.find("boolValue"); it != v.end() && it->is_boolean()) return *it;
  if (const auto it = v.find("intValue"); it != v.end()) {
    if (const auto i = int64_of(*it)) return Json(*i);
    return std::nullopt;
  }
  if (const auto it = v.find("doubleValue"); it != v.end()) {
    if (it->is_number()) return Json(it->get<double>());
    return std::nullopt;
  }
  if (const auto it = v.find("bytesValue"); it != v.end() && it->is_string()) return *it;
  if (const auto it = v.find("arrayValue"); it != v.end() && it->is_object()) {
    Json out = Json::array();
    const auto values = it->find("values");
    if (values != it->end() && values->is_array()) {
      for (const auto& e : *values) {
        auto d = any_value(e, depth + 1);
        if (!d) return std::nullopt;
        out.push_back(std::move(*d));
      }
    }
    return out;
  }
  if (const auto it = v.find("kvlistValue"); it != v.end() && it->is_object()) {
    Json out = Json::object();
    const auto values = it->find("values");
    if (values != it->end() && values->is_array()) {
      for (const auto& kv : *values) {
        if (!kv.is_object() || !kv.contains("key") || !kv["key"].is_string()) return std::nullopt;
        auto d = any_value(kv.value("value", Json::object()), depth + 1);
        if (!d) return std::nullopt;
        out[kv["key"].get<std::string>()] = std::move(*d);
      }
    }
    return out;
  }
  return std::nullopt;
}

// An OTLP attribute list as key -> decoded value (undecodable values are skipped).
std::map<std::string, Json> attributes_of(const Json& obj) {
  std::map<std::string, Json> out;
  const auto it = obj.find("attributes");
  if (it == obj.end() || !it->is_array()) return out;
  for (const auto& kv : *it) {
    if (!kv.is_object() || !kv.contains("key") || !kv["key"].is_string()) continue;
    auto v = any_value(kv.value("value", Json::object()));
    if (v) out[kv["key"].get<std::string>()] = std::move(*v);
  }
  return out;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

// `gen_ai.prompt.3.content` -> (3, "content") for prefix `gen_ai.prompt.`.
std::optional<std::pair<std::size_t, std::string>> indexed(const std::string& key,
                                                           const std::string& prefix) {
  if (!starts_with(key, prefix)) return std::nullopt;
  const std::string rest = key.substr(prefix.size());
  const auto dot = rest.find('.');
  if (dot == std::string::npos || dot == 0 || dot > 6) return std::nullopt;
  std::size_t n = 0;
  for (std::size_t i = 0; i < dot; ++i) {
    if (rest[i] < '0' || rest[i] > '9') return std::nullopt;
    n = n * 10 + static_cast<std::size_t>(rest[i] - '0');
  }
  if (n >= 10000) return std::nullopt;
  return std::make_pair(n, rest.substr(dot + 1));
}

// Maps one OTLP span onto the stored span fields (the same ones ingest stores). Returns the
// reason when the span is rejected.
std::variant<Json, std::string> otlp_span(const Json& s) {
  if (!s.is_object()) return std::string("span is not an object");
  const auto str = [&](const char* k) -> const std::string* {
    const auto it = s.find(k);
    return it != s.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
  };
  const std::string* trace_id = str("traceId");
  const std::string* span_id = str("spanId");
  if (trace_id == nullptr || !is_hex(*trace_id, 32) || all_zero(*trace_id)) {
    return std::string("traceId must be 32 hex digits");
  }
  if (span_id == nullptr || !is_hex(*span_id, 16) || all_zero(*span_id)) {
    return std::string("spanId must be 16 hex digits");
  }
  const std::string* parent = str("parentSpanId");
  if (s.contains("parentSpanId") && !s["parentSpanId"].is_null() &&
      (parent == nullptr || (!parent->empty() && !is_hex(*parent, 16)))) {
    return std::string("parentSpanId must be 16 hex digits");
  }
  const std::string* name = str("name");
  if (name == nullptr) return std::string("name is required");
  const auto start_ns = s.contains("startTimeUnixNano") ? uint64_of(s["startTimeUnixNano"])
                                                        : std::optional<std::uint64_t>();
  const auto end_ns = s.contains("endTimeUnixNano") ? uint64_of(s["endTimeUnixNano"])
                                                    : std::optional<std::uint64_t>();
  if (!start_ns || !end_ns) {
    return std::string("startTimeUnixNano and endTimeUnixNano are required decimal integers");
  }
  if (*end_ns < *start_ns) return std::string("endTimeUnixNano is before startTimeUnixNano");

  Json span = Json::object();
  span["trace_unique_id"] = lower(*trace_id);
  span["span_unique_id"] = lower(*span_id);
  span["span_name"] = *name;
  const auto start_us = static_cast<std::int64_t>(*start_ns / 1000);
  const auto end_us = static_cast<std::int64_t>(*end_ns / 1000);
  span["start_time"] = format_iso8601(start_us);
  span["timestamp"] = format_iso8601(end_us);
  span["latency"] = static_cast<double>(end_us - start_us) / 1e6;

  Json metadata = Json::object();
  Json customer_params = Json::object();
  std::map<std::size_t, Json> prompt, completion;
  std::optional<std::string> entity_log_type, span_kind, request_type;
  auto text = [](const Json& v) { return as_text(v); };
  for (auto& [key, value] : attributes_of(s)) {
    if (key == "gen_ai.request.model") {
      span["model"] = text(value);
    } else if (key == "gen_ai.response.model") {
      if (!span.contains("model")) span["model"] = text(value);
    } else if (key == "gen_ai.usage.prompt_tokens" || key == "gen_ai.usage.completion_tokens" ||
               key == "gen_ai.usage.total_tokens" || key == "gen_ai.usage.input_tokens" ||
               key == "gen_ai.usage.output_tokens") {
      const auto n = int64_of(value);
      if (!n) {
        metadata[key] = value;
        continue;
      }
      // The current names (input/output) count where the older ones are absent.
      const bool current =
          key == "gen_ai.usage.input_tokens" || key == "gen_ai.usage.output_tokens";
      const char* field = key == "gen_ai.usage.prompt_tokens" || key == "gen_ai.usage.input_tokens"
                              ? "prompt_tokens"
                          : key == "gen_ai.usage.total_tokens" ? "total_request_tokens"
                                                               : "completion_tokens";
      if (!current || !span.contains(field)) span[field] = *n;
    } else if (key == "gen_ai.usage.cache_read_input_tokens" && int64_of(value)) {
      span["usage"]["cache_read_input_tokens"] = *int64_of(value);
    } else if (key == "respan.span_params.custom_identifier") {
      span["custom_identifier"] = text(value);
    } else if (auto p = indexed(key, "gen_ai.prompt.");
               p && (p->second == "role" || p->second == "content")) {
      prompt[p->first][p->second] = value;
    } else if (auto c = indexed(key, "gen_ai.completion.");
               c && (c->second == "role" || c->second == "content")) {
      completion[c->first][c->second] = value;
    } else if (key == "traceloop.span.kind") {
      span_kind = text(value);
    } else if (key == "traceloop.workflow.name") {
      span["span_workflow_name"] = text(value);
    } else if (key == "llm.request.type") {
      request_type = text(value);
    } else if (key == "respan.entity.log_type") {
      entity_log_type = text(value);
    } else if (key == "respan.customer_params.customer_identifier" ||
               key == "respan.customer.identifier") {
      span["customer_identifier"] = text(value);
    } else if (key == "respan.customer_params.email") {
      customer_params["email"] = text(value);
    } else if (key == "respan.customer_params.name") {
      customer_params["name"] = text(value);
    } else if (key == "respan.threads.thread_identifier" || key == "respan.thread.id") {
      span["thread_identifier"] = text(value);
    } else if (key == "respan.trace.trace_group_identifier" || key == "respan.trace_group.id") {
      span["trace_group_identifier"] = text(value);
    } else if (key == "respan.metadata") {
      // A JSON object, given as a string (or a kvlist).
      Json obj = value;
      if (value.is_string()) {
        obj = Json::parse(value.get<std::string>(), nullptr, false);
      }
      if (obj.is_object()) {
        for (auto& [k, v] : obj.items())
          metadata[k] = v;
      } else {
        metadata[key] = value;
      }
    } else if (starts_with(key, "respan.metadata.") && key.size() > 16) {
      metadata[key.substr(16)] = value;
    } else {
      metadata[key] = value;  // unrecognised attributes land in metadata (documented)
    }
  }
  auto messages = [](const std::map<std::size_t, Json>& m) {
    Json out = Json::array();
    for (const auto& [i, msg] : m)
      out.push_back(msg);
    return out;
  };
  if (!prompt.empty()) {
    span["prompt_messages"] = messages(prompt);
    span["input"] = span["prompt_messages"];
  }
  if (!completion.empty()) {
    span["completion_message"] = completion.begin()->second;
    span["output"] = span["completion_message"];
  }
  if (!customer_params.empty()) span["customer_params"] = std::move(customer_params);
  if (!metadata.empty()) span["metadata"] = std::move(metadata);
  if (entity_log_type) {
    span["log_type"] = *entity_log_type;
  } else if (span_kind) {
    span["log_type"] = *span_kind;
  } else if (request_type) {
    span["log_type"] = *request_type;
  } else {
    span["log_type"] = span.contains("model") ? "chat" : "custom";
  }
  if (const auto st = s.find("status"); st != s.end() && st->is_object()) {
    const auto code = st->find("code");
    const bool error = code != st->end() && ((code->is_number_integer() && *code == 2) ||
                                             (code->is_string() && *code == "STATUS_CODE_ERROR"));
    if (error) {
      span["status"] = "error";
      const auto msg = st->find("message");
      if (msg != st->end() && msg->is_string() && !msg->get_ref<const std::string&>().empty()) {
        span["error_message"] = *msg;
      }
    }
  }
  try {
    finish_span(span, "");
  } catch (const HttpError& e) {
    return std::string(e.what());
  }
  if (parent != nullptr && !parent->empty()) span["span_parent_id"] = lower(*parent);
  return span;
}

// ------------------------------------------------------------------------------ routing

enum class TraceRoute { kIngest, kOtlp, kList, kBulk, kTrace, kPublic };

struct Resolved {
  TraceRoute route;
  std::vector<std::string> methods;
  std::string tid;
  std::string org;
};

std::optional<Resolved> resolve(const std::string& raw_path) {
  // Every trace path holds "traces", literally or percent-encoded: other requests pay two
  // searches only.
  if (raw_path.find("traces") == std::string::npos && raw_path.find('%') == std::string::npos) {
    return std::nullopt;
  }
  // These two have no trailing slash (as the official client has them); only the exact paths
  // match.
  if (raw_path == "/api/v1/traces/ingest") return Resolved{TraceRoute::kIngest, {"POST"}, {}, {}};
  // OTLP/HTTP: `/api/v2/traces` (documented, Respan's Python tracer) and `/api/v1/traces`
  // (where Respan's JavaScript tracer posts protobuf), JSON or protobuf on both.
  if (raw_path == "/api/v2/traces" || raw_path == "/api/v1/traces")
    return Resolved{TraceRoute::kOtlp, {"POST"}, {}, {}};
  static const std::string kPrefix = "/api/";
  if (raw_path.size() <= kPrefix.size() || raw_path.compare(0, kPrefix.size(), kPrefix) != 0 ||
      raw_path.back() != '/') {
    return std::nullopt;
  }
  std::vector<std::string> seg;
  const std::string inner = raw_path.substr(kPrefix.size(), raw_path.size() - kPrefix.size() - 1);
  std::size_t start = 0;
  while (start <= inner.size()) {
    std::size_t end = inner.find('/', start);
    if (end == std::string::npos) end = inner.size();
    if (end == start) return std::nullopt;
    seg.push_back(percent_decode(inner.substr(start, end - start), false));
    start = end + 1;
  }
  if (seg.size() == 2 && seg[0] == "traces") {
    if (seg[1] == "list") return Resolved{TraceRoute::kList, {"POST"}, {}, {}};
    if (seg[1] == "bulk") return Resolved{TraceRoute::kBulk, {"POST"}, {}, {}};
    return Resolved{TraceRoute::kTrace, {"GET", "PATCH", "DELETE"}, seg[1], {}};
  }
  if (seg.size() == 3 && seg[1] == "traces") {
    return Resolved{TraceRoute::kPublic, {"GET"}, seg[2], seg[0]};
  }
  return std::nullopt;
}

std::string allow_of(const std::vector<std::string>& methods) {
  std::string out;
  for (const auto& m : methods)
    out += m + ", ";
  return out + "OPTIONS";
}

// Error bodies of the traces family, as the official client types them:
// 400 `{"message": ...}`, 404 `{"error": ...}`, others `{"detail": ...}`.
Json error_body(int status, const Json& body) {
  const auto detail = body.find("detail");
  if (detail == body.end()) return body;
  if (status == 400) return {{"message", *detail}};
  if (status == 404) return {{"error", *detail}};
  return body;
}

std::string media_type(const std::string& content_type) {
  std::string media = lower(content_type.substr(0, content_type.find(';')));
  media.erase(0, media.find_first_not_of(" \t"));
  media.erase(media.find_last_not_of(" \t") + 1);
  return media;
}

bool is_json_content_type(const std::string& content_type) {
  return media_type(content_type) == "application/json";
}

bool is_protobuf_content_type(const std::string& content_type) {
  const std::string media = media_type(content_type);
  return media == "application/x-protobuf" || media == "application/protobuf";
}

// google.rpc.Code of an HTTP status (OTLP/HTTP error bodies).
int rpc_code_of(int status) {
  switch (status) {
    case 400:
      return 3;  // INVALID_ARGUMENT
    case 401:
      return 16;  // UNAUTHENTICATED
    case 403:
      return 7;  // PERMISSION_DENIED
    case 404:
      return 5;  // NOT_FOUND
    case 413:
    case 507:
      return 8;  // RESOURCE_EXHAUSTED
    case 429:
      return 8;  // RESOURCE_EXHAUSTED
    case 503:
      return 14;  // UNAVAILABLE
    default:
      return 13;  // INTERNAL
  }
}

}  // namespace

// ------------------------------------------------------------------------------ endpoints

ApiResponse TraceStore::ingest(const ApiRequest& req) {
  const Json body = parse_body(req);
  const Json* items = nullptr;
  if (body.is_array()) {
    items = &body;
  } else if (body.is_object() && body.contains("data") && body["data"].is_array()) {
    items = &body["data"];
  } else {
    throw bad_request(
        "Invalid data. Expected a list of spans or an object {\"data\": [spans]}, but got " +
        json_type_name(body) + ".");
  }
  std::vector<Json> spans;
  spans.reserve(items->size());
  for (std::size_t i = 0; i < items->size(); ++i)
    spans.push_back(ingest_span((*items)[i], i));
  const std::size_t n = spans.size();
  std::lock_guard<std::mutex> lock(mu_);
  store_spans(std::move(spans), "ingest", req.environment);
  return {200, Json{{"message", "Processed " + std::to_string(n) + " spans"}}};
}

ApiResponse TraceStore::otlp(const ApiRequest& req) {
  return otlp_export(parse_body(req), req.environment);
}

ApiResponse TraceStore::otlp_export(const Json& body, const std::string& environment) {
  if (!body.is_object()) {
    throw bad_request("Invalid ExportTraceServiceRequest: expected a JSON object.");
  }
  std::vector<Json> accepted;
  std::size_t rejected = 0;
  std::string first_error;
  auto reject = [&](const std::string& why) {
    ++rejected;
    if (first_error.empty()) first_error = why;
  };
  const auto rs = body.find("resourceSpans");
  if (rs != body.end() && !rs->is_null()) {
    if (!rs->is_array()) throw bad_request("resourceSpans must be a list.");
    for (const auto& resource : *rs) {
      if (!resource.is_object()) throw bad_request("resourceSpans[]: expected an object.");
      const auto ss = resource.find("scopeSpans");
      if (ss == resource.end() || ss->is_null()) continue;
      if (!ss->is_array()) throw bad_request("scopeSpans must be a list.");
      for (const auto& scope : *ss) {
        if (!scope.is_object()) throw bad_request("scopeSpans[]: expected an object.");
        const auto spans = scope.find("spans");
        if (spans == scope.end() || spans->is_null()) continue;
        if (!spans->is_array()) throw bad_request("spans must be a list.");
        for (const auto& s : *spans) {
          auto decoded = otlp_span(s);
          if (auto* err = std::get_if<std::string>(&decoded)) {
            reject(*err);
          } else {
            accepted.push_back(std::move(std::get<Json>(decoded)));
          }
        }
      }
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    store_spans(std::move(accepted), "otlp", environment);
  }
  return {200,
          Json{{"partialSuccess", {{"rejectedSpans", rejected}, {"errorMessage", first_error}}}}};
}

std::optional<Json> TraceStore::request_log_span(const Json& log) {
  const auto tid = log.find("trace_unique_id");
  if (tid == log.end() || !tid->is_string() || tid->get_ref<const std::string&>().empty()) {
    return std::nullopt;
  }
  Json span = log;
  std::string sid;
  if (const auto s = log.find("span_unique_id"); s != log.end() && s->is_string()) {
    sid = s->get<std::string>();
  }
  if (sid.empty()) sid = log.value("unique_id", std::string());
  if (sid.empty()) return std::nullopt;
  span["span_unique_id"] = sid;
  if (const auto p = span.find("span_parent_id");
      p != span.end() && (!p->is_string() || p->get_ref<const std::string&>().empty())) {
    span.erase(p);  // a root span
  }
  try {
    finish_span(span, "");  // the derived trace fields (start_time, latency, ...)
  } catch (const HttpError&) {
    return std::nullopt;  // not reached: the request-log create validated these fields already
  }
  return span;
}

void TraceStore::add_request_log(const Json& log, bool refresh_only) {
  std::optional<Json> span = request_log_span(log);
  if (!span) return;
  const std::string environment = log.value("environment", std::string());
  std::lock_guard<std::mutex> lock(mu_);
  if (refresh_only) {
    const auto stored = spans_.find((*span)["span_unique_id"].get<std::string>());
    if (stored == spans_.end() ||
        stored->second.value("unique_id", std::string()) != log.value("unique_id", std::string())) {
      return;  // deleted, or replaced by another span since
    }
  }
  store_spans({std::move(*span)}, "request_log", environment, /*record=*/false);
}

void TraceStore::add_request_logs(const std::vector<Json>& logs) {
  // Spans by environment, in order; the room for all of them is checked before any is stored.
  std::vector<Json> spans;
  std::vector<std::string> environments;
  for (const Json& log : logs) {
    if (std::optional<Json> span = request_log_span(log)) {
      spans.push_back(std::move(*span));
      environments.push_back(log.value("environment", std::string()));
    }
  }
  if (spans.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  check_room(spans);
  for (std::size_t i = 0; i < spans.size(); ++i)
    store_spans({std::move(spans[i])}, "request_log", environments[i], /*record=*/false);
}

namespace {

Json paginate_rows(const std::vector<Json>& rows, const PageParams& page, const ApiRequest& req) {
  const std::size_t first = (page.page - 1) * page.page_size;
  Json results = Json::array();
  for (std::size_t i = first; i < rows.size() && i < first + page.page_size; ++i)
    results.push_back(rows[i]);
  return page_envelope(std::move(results), rows.size(), page, req);
}

}  // namespace

ApiResponse TraceStore::list(const ApiRequest& req) {
  const PageParams page = parse_page_params(req.query, 50, 1000);
  const Window window = list_window(req.query);
  const CompiledFilters filters = filters_of(body_object(req));
  const auto* env = query_get(req.query, "environment");
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Json> rows;
  for (const auto& tid : trace_ids()) {
    auto row = trace_row(tid);
    if (!row) continue;
    const std::int64_t start = as_time((*row)["start_time"]).value_or(0);
    if (start < window.start || start > window.end) continue;
    if (env != nullptr && !env->empty() && (*row)["environment"] != *env) continue;
    if (!matches_filters(*row, filters)) continue;
    rows.push_back(std::move(*row));
  }
  // Sorting: `timestamp` (the documented default key) is the trace's start [guess]; rows do
  // not carry it.
  for (auto& r : rows)
    r["timestamp"] = r["start_time"];
  std::vector<const Json*> ptrs;
  for (const auto& r : rows)
    ptrs.push_back(&r);
  const auto* sort_by = query_get(req.query, "sort_by");
  sort_rows(ptrs, sort_by != nullptr && !sort_by->empty() ? *sort_by : "-timestamp");
  std::vector<Json> sorted;
  sorted.reserve(ptrs.size());
  for (const Json* p : ptrs) {
    sorted.push_back(*p);
    sorted.back().erase("timestamp");
  }
  return {200, paginate_rows(sorted, page, req)};
}

ApiResponse TraceStore::retrieve(const std::string& tid, const ApiRequest& req) {
  const OptWindow w = opt_window(req.query);
  std::lock_guard<std::mutex> lock(mu_);
  const auto row = trace_row(tid);
  if (!row || !w.contains(as_time((*row)["start_time"]).value_or(0))) throw trace_not_found();
  return {200, trace_detail(tid)};
}

ApiResponse TraceStore::remove(const std::string& tid, const ApiRequest& req) {
  const OptWindow w = opt_window(req.query);
  std::lock_guard<std::mutex> lock(mu_);
  const auto row = trace_row(tid);
  if (!row || !w.contains(as_time((*row)["start_time"]).value_or(0))) throw trace_not_found();
  erase_trace(tid);
  return {200, Json{{"message", "Trace deleted successfully"}}};
}

ApiResponse TraceStore::share(const std::string& tid, const ApiRequest& req) {
  const Json body = body_object(req);
  if (!body.contains("is_public")) throw bad_request("is_public: This field is required.");
  if (!body["is_public"].is_boolean()) throw bad_request("is_public: Must be a valid boolean.");
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = meta_.find(tid);
  if (it == meta_.end() || trace_spans_.count(tid) == 0) throw trace_not_found();
  it->second.is_public = body["is_public"].get<bool>();
  return {200, Json{{"trace_unique_id", tid}, {"is_public", it->second.is_public}}};
}

ApiResponse TraceStore::public_read(const std::string& org, const std::string& tid) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = meta_.find(tid);
  if (org != config_.organization_id || it == meta_.end() || !it->second.is_public ||
      trace_spans_.count(tid) == 0) {
    throw trace_not_found();
  }
  return {200, trace_detail(tid)};
}

ApiResponse TraceStore::bulk_delete(const ApiRequest& req) {
  const Json body = body_object(req);
  const auto f = body.find("filters");
  if (f == body.end() || !f->is_object() || f->empty()) {
    throw bad_request("filters is required and must be a non-empty object.");
  }
  const CompiledFilters filters = filters_of(body);
  const Window window = list_window(req.query);
  const auto* env = query_get(req.query, "environment");
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> matched;
  for (const auto& tid : trace_ids()) {
    const auto row = trace_row(tid);
    if (!row) continue;
    const std::int64_t start = as_time((*row)["start_time"]).value_or(0);
    if (start < window.start || start > window.end) continue;
    if (env != nullptr && !env->empty() && (*row)["environment"] != *env) continue;
    if (matches_filters(*row, filters)) matched.push_back(tid);
  }
  if (matched.size() > config_.max_bulk_delete) {
    throw bad_request(std::to_string(matched.size()) + " traces match these filters; at most " +
                      std::to_string(config_.max_bulk_delete) +
                      " can be deleted at once. Narrow the filters or the time range.");
  }
  for (const auto& tid : matched)
    erase_trace(tid);
  return {200, Json{{"deleted_count", matched.size()},
                    {"message", "Deleted " + std::to_string(matched.size()) + " traces"}}};
}

// ------------------------------------------------------------------------------ HTTP glue

int serve_traces(TraceStore& store, const TraceHttp& http) {
  const std::optional<Resolved> r = resolve(http.raw_path);
  if (!r) return 0;
  if (http.method == "OPTIONS") {
    http.reply(200, Json{{"allowed_methods", r->methods}}, allow_of(r->methods));
    return 200;
  }
  std::string environment;
  if (r->route != TraceRoute::kPublic) {  // the public read needs no key (documented)
    const std::optional<std::string> env = http.authenticate();
    if (!env) return 401;
    environment = *env;
  }
  const std::string method = http.method == "HEAD" ? "GET" : http.method;
  if (std::find(r->methods.begin(), r->methods.end(), method) == r->methods.end()) {
    http.reply(405, Json{{"detail", "Method \"" + http.method + "\" not allowed."}},
               allow_of(r->methods));
    return 405;
  }
  const bool protobuf =
      r->route == TraceRoute::kOtlp && is_protobuf_content_type(http.content_type);
  if (r->route == TraceRoute::kOtlp && !protobuf && !is_json_content_type(http.content_type)) {
    http.reply(415,
               Json{{"detail", "Unsupported media type \"" + http.content_type +
                                   "\" in request. OTLP/HTTP takes application/json or "
                                   "application/x-protobuf."}},
               "");
    return 415;
  }
  if (protobuf) {
    // OTLP/HTTP answers in the request's encoding: an ExportTraceServiceResponse, or a
    // google.rpc.Status for a failure. Decoded into the OTLP JSON form, the request gets the
    // JSON route's validation.
    int status = 200;
    std::string answer;
    try {
      const Json body = otlp_request_from_protobuf(http.body);
      const ApiResponse out = store.otlp_export(body, environment);
      status = out.status;
      answer = otlp_response_to_protobuf(out.body.value_or(Json::object()));
    } catch (const HttpError& e) {
      status = e.status();
      const Json& b = e.body();
      std::string message = b.contains("detail") ? as_text(b["detail"]) : b.dump();
      answer = rpc_status_protobuf(rpc_code_of(status), message);
    } catch (const std::exception& e) {
      status = 500;
      answer = rpc_status_protobuf(13, std::string("Internal server error: ") + e.what());
    }
    http.reply_bytes(status, answer, "application/x-protobuf");
    return status;
  }
  ApiRequest req;
  req.method = method;
  req.raw_path = http.raw_path;
  req.query = parse_query(http.raw_query);
  req.body = http.body;
  req.environment = environment;
  req.link_base = http.link_base;
  ApiResponse out;
  try {
    switch (r->route) {
      case TraceRoute::kIngest:
        out = store.ingest(req);
        break;
      case TraceRoute::kOtlp:
        out = store.otlp(req);
        break;
      case TraceRoute::kList:
        out = store.list(req);
        break;
      case TraceRoute::kBulk:
        out = store.bulk_delete(req);
        break;
      case TraceRoute::kTrace:
        if (method == "GET") {
          out = store.retrieve(r->tid, req);
        } else if (method == "PATCH") {
          out = store.share(r->tid, req);
        } else {
          out = store.remove(r->tid, req);
        }
        break;
      case TraceRoute::kPublic:
        out = store.public_read(r->org, r->tid);
        break;
    }
  } catch (const HttpError& e) {
    out = {e.status(), error_body(e.status(), e.body())};
  } catch (const std::exception& e) {
    out = {500, Json{{"detail", std::string("Internal server error: ") + e.what()},
                     {"error_code", "INTERNAL_ERROR"}}};
  }
  http.reply(out.status, out.body.value_or(Json::object()), "");
  return out.status;
}

}  // namespace respan::testing::detail
