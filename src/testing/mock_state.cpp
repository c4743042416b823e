// Routing, shared plumbing and the request-log (span) endpoints of the mock Respan service.
#include "testing/mock_state.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <utility>

#include "testing/mock_endpoint_util.hpp"
#include "testing/mock_ui.hpp"

namespace respan::testing::detail {

// ------------------------------------------------------------------------------ errors

HttpError::HttpError(int status, Json body)
    : status_(status),
      body_(std::move(body)),
      what_(body_.dump(-1, ' ', false, Json::error_handler_t::replace)) {}

HttpError bad_request(const std::string& detail) {
  return HttpError(400, {{"detail", detail}});
}

HttpError not_found() {
  return HttpError(404, {{"detail", "Not found."}});
}

HttpError store_full(const char* what, std::size_t limit, const char* option, std::size_t adding) {
  return HttpError(
      507, {{"detail", "The mock server's store is full: it keeps at most " +
                           std::to_string(limit) + " " + what + " (MockServerOptions::" + option +
                           ") and cannot take " + std::to_string(adding) +
                           " more; nothing of this request was stored. Delete "
                           "some first, or reset() the server."}});
}

HttpError validation_error(Json errors) {
  return HttpError(422, {{"detail", "Validation error"}, {"errors", std::move(errors)}});
}

// ------------------------------------------------------------------------------ routing

bool Route::allows(const std::string& method) const {
  const std::string m = method == "HEAD" ? "GET" : method;
  return std::find(methods.begin(), methods.end(), m) != methods.end();
}

std::string Route::allow_header() const {
  std::string out;
  for (const auto& m : methods) {
    if (!out.empty()) out += ", ";
    out += m;
  }
  return out.empty() ? out : out + ", OPTIONS";
}

std::optional<Route> resolve_route(std::string_view raw_path) {
  static constexpr std::string_view kPrefix = "/api/";
  if (raw_path.size() <= kPrefix.size() || raw_path.substr(0, kPrefix.size()) != kPrefix ||
      raw_path.back() != '/') {
    return std::nullopt;
  }
  std::vector<std::string> seg;
  const std::string_view inner =
      raw_path.substr(kPrefix.size(), raw_path.size() - kPrefix.size() - 1);
  std::size_t start = 0;
  while (start <= inner.size()) {
    std::size_t end = inner.find('/', start);
    if (end == std::string_view::npos) end = inner.size();
    if (end == start) return std::nullopt;  // empty segment ("//")
    seg.push_back(percent_decode(inner.substr(start, end - start), false));
    start = end + 1;
  }
  auto make = [](RouteId id, std::vector<std::string> methods, std::string ds = {},
                 std::string uid = {}) {
    Route r;
    r.id = id;
    r.methods = std::move(methods);
    r.dataset_id = std::move(ds);
    r.uid = std::move(uid);
    return std::optional<Route>(std::move(r));
  };
  const std::size_t n = seg.size();
  if (seg[0] == "request-logs") {
    if (n == 1) return make(RouteId::kSpans, {"GET", "POST"});
    if (n != 2) return std::nullopt;
    if (seg[1] == "create") return make(RouteId::kSpansCreate, {"POST"});
    if (seg[1] == "list") return make(RouteId::kSpansList, {"POST"});
    if (seg[1] == "bulk") return make(RouteId::kSpansBulk, {"POST"});
    if (seg[1] == "summary") return make(RouteId::kSpansSummary, {"POST"});
    return make(RouteId::kSpan, {"GET", "PATCH"}, {}, seg[1]);
  }
  if (seg[0] != "datasets") return std::nullopt;
  if (n == 1) return make(RouteId::kDatasets, {"POST"});
  if (n == 2) {
    if (seg[1] == "list") return make(RouteId::kDatasetsList, {"POST"});
    return make(RouteId::kDataset, {"GET", "PATCH", "DELETE"}, seg[1]);
  }
  const std::string& ds = seg[1];
  if (seg[2] == "logs") {
    if (n == 3) return make(RouteId::kDatasetLogs, {"POST"}, ds);
    if (n != 4) return std::nullopt;
    if (seg[3] == "list") return make(RouteId::kDatasetLogsList, {"POST"}, ds);
    if (seg[3] == "bulk") return make(RouteId::kDatasetLogsBulk, {"POST"}, ds);
    if (seg[3] == "import") return make(RouteId::kDatasetLogsImport, {"POST", "DELETE"}, ds);
    if (seg[3] == "summary") return make(RouteId::kDatasetLogsSummary, {"GET", "POST"}, ds);
    return make(RouteId::kDatasetLog, {"GET", "PATCH", "PUT", "DELETE"}, ds, seg[3]);
  }
  if (seg[2] == "eval-reports" && n == 4) {
    if (seg[3] == "create") return make(RouteId::kEvalCreate, {"POST"}, ds);
    if (seg[3] == "list") return make(RouteId::kEvalList, {"GET"}, ds);
  }
  return std::nullopt;
}

// ------------------------------------------------------------------------------ plumbing

MockState::MockState(StateConfig config)
    : config_(std::move(config)),
      traces_(TraceStoreConfig{config_.organization_id, 1000, config_.max_trace_spans}) {}

namespace {

bool is_dataset_route(RouteId id) {
  switch (id) {
    case RouteId::kSpans:
    case RouteId::kSpansCreate:
    case RouteId::kSpansList:
    case RouteId::kSpansBulk:
    case RouteId::kSpansSummary:
    case RouteId::kSpan:
      return false;
    default:
      return true;
  }
}

std::string errors_text(const Json& errors);

// The documented error body forms, per endpoint family, so that a client meets all three
// keys it must read (`detail`, `error`, `message`):
// - spans (`/api/request-logs/...`): 422 `{"error": "<field>: <message>; ..."}` (the span
//   create documentation's 422 and the official client's UnprocessableEntityErrorBody); other
//   errors `{"detail": ...}` (the error-handling page,
//   https://respan.ai/docs/documentation/resources/reference/error-handling).
// - datasets (`/api/datasets/...`): 400 `{"message": ...}` and 404 `{"error": ...}` (the
//   official client's BadRequestErrorBody / NotFoundErrorBody types).
// - everything answered before an endpoint runs (401, unknown path, 405, 413, faults) and
//   500: `{"detail": ...}` (the error-handling page), see mock_server.cpp.
Json error_body_for(const Route& route, int status, const Json& body) {
  const auto detail = body.find("detail");
  if (!is_dataset_route(route.id)) {
    if (status == 422 && body.contains("errors")) return {{"error", errors_text(body["errors"])}};
    return body;
  }
  if (detail == body.end()) return body;
  if (status == 400) return {{"message", *detail}};
  if (status == 404) return {{"error", *detail}};
  return body;
}

}  // namespace

ApiResponse MockState::handle(const Route& route, const ApiRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  try {
    return dispatch(route, request);
  } catch (const HttpError& e) {
    return {e.status(), error_body_for(route, e.status(), e.body())};
  } catch (const std::exception& e) {
    return {500, Json{{"detail", std::string("Internal server error: ") + e.what()},
                      {"error_code", "INTERNAL_ERROR"}}};
  }
}

ApiResponse MockState::dispatch(const Route& route, const ApiRequest& req) {
  const std::string method = req.method == "HEAD" ? "GET" : req.method;
  const std::string& ds = route.dataset_id;
  switch (route.id) {
    case RouteId::kSpans:
      return method == "GET" ? spans_list(req, true) : spans_create(req);
    case RouteId::kSpansCreate:
      return spans_create(req);
    case RouteId::kSpansList:
      return spans_list(req, false);
    case RouteId::kSpansBulk:
      return spans_bulk(req);
    case RouteId::kSpansSummary:
      return spans_summary(req);
    case RouteId::kSpan:
      return method == "GET" ? span_get(route.uid) : span_patch(route.uid, req);
    case RouteId::kDatasets:
      return datasets_create(req);
    case RouteId::kDatasetsList:
      return datasets_list(req);
    case RouteId::kDataset:
      if (method == "GET") return dataset_get(ds);
      if (method == "PATCH") return dataset_patch(ds, req);
      return dataset_delete(ds);
    case RouteId::kDatasetLogs:
      return dlogs_create(ds, req);
    case RouteId::kDatasetLogsList:
      return dlogs_list(ds, req);
    case RouteId::kDatasetLogsBulk:
      return dlogs_bulk(ds, req);
    case RouteId::kDatasetLogsImport:
      return method == "POST" ? dlogs_import(ds, req) : dlogs_remove(ds, req);
    case RouteId::kDatasetLogsSummary:
      return dlogs_summary(ds, req);
    case RouteId::kDatasetLog:
      if (method == "GET") return dlog_get(ds, route.uid);
      if (method == "DELETE") return dlog_delete(ds, route.uid);
      return dlog_update(ds, route.uid, req, method == "PUT");
    case RouteId::kEvalCreate:
      return eval_create(ds, req);
    case RouteId::kEvalList:
      return eval_list(ds, req);
  }
  throw not_found();
}

void MockState::reset() {
  std::lock_guard<std::mutex> lock(mu_);
  spans_.clear();
  span_index_.clear();
  datasets_.clear();
  jobs_.clear();
  traces_.reset();
}

std::string MockState::now_iso() const {
  return format_iso8601(now_micros());
}

void MockState::run_or_queue(std::function<void()> job) {
  if (config_.immediate_jobs) {
    job();
  } else {
    jobs_.push_back(std::move(job));
  }
}

void MockState::complete_pending_jobs() {
  std::lock_guard<std::mutex> lock(mu_);
  // Jobs may queue nothing new, but iterate by index in case one does.
  for (std::size_t i = 0; i < jobs_.size(); ++i) {
    auto job = std::move(jobs_[i]);
    job();
  }
  jobs_.clear();
}

std::size_t MockState::pending_job_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return jobs_.size();
}

Json page_envelope(Json results, std::size_t count, const PageParams& page, const ApiRequest& req) {
  const std::size_t first = (page.page - 1) * page.page_size;
  auto link = [&](std::size_t n) {
    QueryPairs pairs{{"page", std::to_string(n)}, {"page_size", std::to_string(page.page_size)}};
    for (const auto& kv : req.query) {
      if (kv.first != "page" && kv.first != "page_size") pairs.push_back(kv);
    }
    return Json(req.link_base + req.raw_path + "?" + build_query(pairs));
  };
  const std::size_t last_page = count == 0 ? 1 : (count + page.page_size - 1) / page.page_size;
  Json out = Json::object();
  out["count"] = count;
  out["next"] = first + page.page_size < count ? link(page.page + 1) : Json();
  out["previous"] = page.page > 1 ? link(std::min(page.page - 1, last_page)) : Json();
  out["results"] = std::move(results);
  return out;
}

Json MockState::paginate(const std::vector<const Json*>& rows, const PageParams& page,
                         const ApiRequest& req, const RowView& view) const {
  const std::size_t count = rows.size();
  const std::size_t first = (page.page - 1) * page.page_size;
  Json results = Json::array();
  for (std::size_t i = first; i < count && i < first + page.page_size; ++i) {
    results.push_back(view(*rows[i]));
  }
  return page_envelope(std::move(results), count, page, req);
}

// ------------------------------------------------------------------------------ spans

namespace {

// The 13 documented `log_type` values of span create (the API documentation and the official
// client's types). The list endpoint's `log_type` filter knows more: those are values the
// service may store, not values a client may send.
const std::set<std::string>& log_types() {
  // Never destroyed: a namespace-scope mock still answers loggers flushing at exit.
  static const auto* kTypes = new std::set<std::string>{
      "chat",  "completion", "response", "embedding", "speech",   "transcription", "workflow",
      "agent", "task",       "tool",     "guardrail", "reranker", "other"};
  return *kTypes;
}

std::string errors_to_text(const Json& errors) {
  std::string out;
  for (const auto& [field, messages] : errors.items()) {
    for (const auto& m : messages) {
      if (!out.empty()) out += "; ";
      out += field + ": " + as_text(m);
    }
  }
  return out;
}

std::string errors_text(const Json& errors) {
  return errors_to_text(errors);
}

bool is_list_of_objects(const Json& v) {
  return v.is_array() &&
         std::all_of(v.begin(), v.end(), [](const Json& e) { return e.is_object(); });
}

// The shape of each documented field of the create-span body ("Create a request-log span",
// https://respan.ai/docs/api-reference/observe/spans/create-span).
enum class Shape {
  kString,
  kInteger,
  kNumber,
  kBoolean,
  kObject,
  kObjectList,                // list of objects
  kStringObjectOrObjectList,  // input / output
  kStringOrStringList,        // stop
  kStringOrObject,            // tool_choice, warnings
  kDatetime,
  kEnum,  // log_type, status: checked below
};

const std::map<std::string, Shape>& span_fields() {
  // Never destroyed (see log_types()).
  static const auto* kFields = new std::map<std::string, Shape>{
      {"model", Shape::kString},
      {"prompt_messages", Shape::kObjectList},
      {"completion_message", Shape::kObject},
      {"prompt_tokens", Shape::kInteger},
      {"completion_tokens", Shape::kInteger},
      {"usage", Shape::kObject},
      {"temperature", Shape::kNumber},
      {"top_p", Shape::kNumber},
      {"max_tokens", Shape::kInteger},
      {"generation_time", Shape::kNumber},
      {"ttft", Shape::kNumber},
      {"customer_params", Shape::kObject},
      {"metadata", Shape::kObject},
      {"stream", Shape::kBoolean},
      {"status_code", Shape::kInteger},
      {"tools", Shape::kObjectList},
      {"tool_calls", Shape::kObjectList},
      {"timestamp", Shape::kDatetime},
      {"trace_unique_id", Shape::kString},
      {"span_name", Shape::kString},
      {"span_parent_id", Shape::kString},
      {"span_workflow_name", Shape::kString},
      {"custom_identifier", Shape::kString},
      {"thread_identifier", Shape::kString},
      {"group_identifier", Shape::kString},
      {"latency", Shape::kNumber},
      {"time_to_first_token", Shape::kNumber},
      {"log_type", Shape::kEnum},
      {"input", Shape::kStringObjectOrObjectList},
      {"output", Shape::kStringObjectOrObjectList},
      {"messages", Shape::kObjectList},
      {"cost", Shape::kNumber},
      {"tokens_per_second", Shape::kNumber},
      {"properties", Shape::kObject},
      {"variables", Shape::kObject},
      {"customer_identifier", Shape::kString},
      {"tool_choice", Shape::kStringOrObject},
      {"response_format", Shape::kObject},
      {"frequency_penalty", Shape::kNumber},
      {"presence_penalty", Shape::kNumber},
      {"stop", Shape::kStringOrStringList},
      {"error_message", Shape::kString},
      {"warnings", Shape::kStringOrObject},
      {"status", Shape::kEnum},
      {"prompt_id", Shape::kString},
      {"prompt_name", Shape::kString},
      {"is_custom_prompt", Shape::kBoolean},
      {"start_time", Shape::kDatetime},
      {"full_request", Shape::kObject},
      {"full_response", Shape::kObject},
      {"prompt_unit_price", Shape::kNumber},
      {"completion_unit_price", Shape::kNumber},
      {"respan_params", Shape::kObject},
      {"keywordsai_params", Shape::kObject},
      {"positive_feedback", Shape::kBoolean},
  };
  return *kFields;
}

// Why `v` does not have `shape`, or "" when it does (DRF-style messages).
std::string shape_error(const std::string& field, const Json& v, Shape shape) {
  const std::string got = "\"" + json_type_name(v) + "\"";
  switch (shape) {
    case Shape::kString:
      return v.is_string() ? "" : "Not a valid string.";
    case Shape::kInteger:
      return is_integer_like(v) ? "" : "A valid integer is required.";
    case Shape::kNumber:
      return v.is_number() ? "" : "A valid number is required.";
    case Shape::kBoolean:
      return v.is_boolean() ? "" : "Must be a valid boolean.";
    case Shape::kObject:
      return v.is_object() ? "" : "Expected a dictionary of items but got type " + got + ".";
    case Shape::kObjectList:
      if (!v.is_array()) return "Expected a list of items but got type " + got + ".";
      return is_list_of_objects(v) ? "" : "Expected a list of objects.";
    case Shape::kStringObjectOrObjectList:
      return v.is_string() || v.is_object() || is_list_of_objects(v)
                 ? ""
                 : "Expected a string, an object or a list of objects.";
    case Shape::kStringOrStringList:
      return v.is_string() ||
                     (v.is_array() &&
                      std::all_of(v.begin(), v.end(), [](const Json& e) { return e.is_string(); }))
                 ? ""
                 : "Expected a string or a list of strings.";
    case Shape::kStringOrObject:
      return v.is_string() || v.is_object() ? "" : "Expected a string or an object.";
    case Shape::kDatetime:
      return as_time(v) ? ""
                        : "Datetime has wrong format. Use one of these formats instead: "
                          "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].";
    case Shape::kEnum:
      if (field == "log_type") {
        return v.is_string() && log_types().count(v.get<std::string>()) != 0
                   ? ""
                   : "\"" + as_text(v) + "\" is not a valid choice.";
      }
      return v.is_string() && (v == "success" || v == "error")
                 ? ""
                 : "\"" + as_text(v) + "\" is not a valid choice.";
  }
  return "";
}

// Validates the create-span body; returns the 422 `errors` object (empty = ok).
// A documented field sent as `null` is refused: the documentation marks none of them nullable,
// and "absent" is spelled by leaving the field out (the official client omits unset fields).
// Undocumented fields are kept as sent (the real service stores unknown keys in the span's raw
// payload [guess]).
Json validate_span(const Json& body) {
  Json errors = Json::object();
  auto add = [&](const std::string& field, const std::string& message) {
    errors[field].push_back(message);
  };
  const auto model = body.find("model");
  if (model == body.end() || (model->is_string() && model->get_ref<const std::string&>().empty())) {
    add("model", "This field is required.");
  }
  for (const auto& [field, shape] : span_fields()) {
    const auto it = body.find(field);
    if (it == body.end()) continue;
    if (it->is_null()) {
      add(field, "This field may not be null.");
      continue;
    }
    if (std::string why = shape_error(field, *it, shape); !why.empty()) add(field, why);
  }
  if (has(body, "customer_identifier") && body["customer_identifier"].is_string() &&
      body["customer_identifier"].get_ref<const std::string&>().size() > 254) {
    add("customer_identifier", "Ensure this field has no more than 254 characters.");
  }
  return errors;
}

// The first integer-like value among usage[keys...].
std::optional<Json> usage_value(const Json& span, std::initializer_list<const char*> keys) {
  const auto usage = span.find("usage");
  if (usage == span.end() || !usage->is_object()) return std::nullopt;
  for (const char* k : keys) {
    const auto it = usage->find(k);
    if (it != usage->end() && is_integer_like(*it)) return Json(it->get<std::int64_t>());
  }
  return std::nullopt;
}

std::int64_t int_or_zero(const Json& obj, const char* key) {
  const auto it = obj.find(key);
  if (it == obj.end() || !is_integer_like(*it)) return 0;
  return it->get<std::int64_t>();
}

Json created_span_view(const Json& span) {
  Json out = Json::object();
  for (const char* f : {"id", "unique_id", "organization_id", "customer_identifier", "status",
                        "cost", "timestamp", "environment", "latency", "time_to_first_token",
                        "prompt_cache_creation_tokens", "prompt_cache_hit_tokens"}) {
    const auto it = span.find(f);
    out[f] = it == span.end() ? Json() : *it;
  }
  return out;
}

// A list row: the stored span with input/output as JSON strings (as the list spans page shows).
Json span_list_row(const Json& span, const std::vector<std::string>& include) {
  Json row = span;
  for (const char* f : {"input", "output"}) {
    const auto it = row.find(f);
    if (it != row.end() && !it->is_string() && !it->is_null()) {
      *it = it->dump(-1, ' ', false, Json::error_handler_t::replace);
    }
  }
  return project(std::move(row), include);
}

}  // namespace

Json MockState::normalise_span(Json body, const std::string& environment) {
  if (!body.is_object()) {
    throw bad_request("Invalid data. Expected a dictionary, but got " + json_type_name(body) + ".");
  }
  if (Json errors = validate_span(body); !errors.empty()) throw validation_error(std::move(errors));

  Json span = std::move(body);
  // Legacy aliases.
  auto move_alias = [&](const char* from, const char* to) {
    const auto it = span.find(from);
    if (it == span.end()) return;
    if (!has(span, to)) span[to] = *it;
    span.erase(from);
  };
  move_alias("generation_time", "latency");
  move_alias("ttft", "time_to_first_token");
  move_alias("messages", "prompt_messages");
  if (has(span, "keywordsai_params")) {
    Json merged = span["keywordsai_params"];
    if (has(span, "respan_params")) {
      for (const auto& [k, v] : span["respan_params"].items())
        merged[k] = v;
    }
    span["respan_params"] = std::move(merged);
  }
  span.erase("keywordsai_params");
  if (!has(span, "customer_identifier") && has(span, "customer_params")) {
    const auto& cp = span["customer_params"];
    const auto it = cp.find("customer_identifier");
    if (it != cp.end() && (it->is_string() || it->is_number())) {
      span["customer_identifier"] = as_text(*it);
    }
  }
  // Token counts from the provider usage object.
  if (!has(span, "prompt_tokens")) {
    span["prompt_tokens"] = usage_value(span, {"prompt_tokens", "input_tokens"}).value_or(Json(0));
  }
  if (!has(span, "completion_tokens")) {
    span["completion_tokens"] =
        usage_value(span, {"completion_tokens", "output_tokens"}).value_or(Json(0));
  }
  if (!has(span, "prompt_cache_creation_tokens")) {
    if (auto v = usage_value(span, {"cache_creation_input_tokens"})) {
      span["prompt_cache_creation_tokens"] = *v;
    }
  }
  if (!has(span, "prompt_cache_hit_tokens")) {
    if (auto v = usage_value(span, {"cache_read_input_tokens"})) {
      span["prompt_cache_hit_tokens"] = *v;
    } else if (has(span, "usage") && span["usage"].contains("prompt_tokens_details") &&
               span["usage"]["prompt_tokens_details"].is_object()) {
      const auto& details = span["usage"]["prompt_tokens_details"];
      const auto cached = details.find("cached_tokens");
      if (cached != details.end() && is_integer_like(*cached)) {
        span["prompt_cache_hit_tokens"] = cached->get<std::int64_t>();
      }
    }
  }
  const std::int64_t prompt_tokens = int_or_zero(span, "prompt_tokens");
  const std::int64_t completion_tokens = int_or_zero(span, "completion_tokens");
  span["total_request_tokens"] = saturating_add(prompt_tokens, completion_tokens);

  if (!has(span, "cost")) {
    const auto pp = number_at(span, "prompt_unit_price");
    const auto cp = number_at(span, "completion_unit_price");
    span["cost"] = (static_cast<double>(prompt_tokens) * pp.value_or(0.0) +
                    static_cast<double>(completion_tokens) * cp.value_or(0.0)) /
                   1e6;
  }
  if (!has(span, "status_code")) span["status_code"] = 200;
  if (!has(span, "status")) {
    const bool failed = int_or_zero(span, "status_code") >= 400 ||
                        (has(span, "error_message") && !as_text(span["error_message"]).empty());
    span["status"] = failed ? "error" : "success";
  }
  if (!has(span, "log_type")) span["log_type"] = "chat";

  // Times: canonical ISO 8601 UTC with microseconds.
  const std::int64_t ts = has(span, "timestamp") ? *as_time(span["timestamp"]) : now_micros();
  span["timestamp"] = format_iso8601(ts);
  if (has(span, "start_time")) span["start_time"] = format_iso8601(*as_time(span["start_time"]));

  // Server-assigned fields.
  const std::string uid = ids_.hex32();
  span["unique_id"] = uid;
  span["id"] = uid;
  span["environment"] = environment;
  span["organization_id"] = config_.organization_id;
  return span;
}

const MockState::SpanRecord& MockState::store_span(Json span) {
  std::vector<Json> one;
  one.push_back(std::move(span));
  return spans_[store_spans(std::move(one))];
}

std::size_t MockState::store_spans(std::vector<Json> spans) {
  if (spans.size() > config_.max_request_logs - std::min(config_.max_request_logs, spans_.size())) {
    throw store_full("request logs", config_.max_request_logs, "max_stored_request_logs",
                     spans.size());
  }
  traces_.add_request_logs(spans);  // spans with a trace id join their traces (or 507)
  const std::size_t first = spans_.size();
  for (auto& span : spans) {
    SpanRecord rec;
    rec.ts = as_time(span["timestamp"]).value_or(0);
    const std::string uid = span["unique_id"].get<std::string>();
    rec.data = std::move(span);
    span_index_[uid] = spans_.size();
    spans_.push_back(std::move(rec));
  }
  return first;
}

ApiResponse MockState::spans_create(const ApiRequest& req) {
  Json body = parse_body(req);
  if (body.is_null()) body = Json::object();
  const SpanRecord& rec = store_span(normalise_span(std::move(body), req.environment));
  return {200, created_span_view(rec.data)};
}

ApiResponse MockState::bulk_store(const ApiRequest& req, const char* not_a_list,
                                  const std::function<Json(const Json& row)>& prepare,
                                  const std::function<void(std::vector<Json>& rows)>& commit) {
  const Json body = body_object(req);
  const auto logs = body.find("logs");
  if (logs == body.end() || !logs->is_array()) throw bad_request(not_a_list);
  if (logs->size() > config_.max_bulk_size) {
    throw bad_request("At most " + std::to_string(config_.max_bulk_size) + " logs per request");
  }
  Json errors = Json::array();
  std::vector<Json> rows;
  std::size_t index = 0;
  for (const auto& row : *logs) {
    try {
      rows.push_back(prepare(row));
    } catch (const HttpError& e) {
      const Json& b = e.body();
      const std::string text =
          b.contains("errors") ? errors_to_text(b["errors"]) : as_text(b.value("detail", Json()));
      errors.push_back({{"index", index}, {"error", text}});
    }
    ++index;
  }
  const std::size_t stored = rows.size();
  commit(rows);  // all of them, or a 507 with nothing stored
  Json out = Json::object();
  out["success_count"] = stored;
  out["error_count"] = errors.size();
  out["errors"] = errors;
  out["total_errors"] = errors.size();
  return {200, std::move(out)};
}

ApiResponse MockState::spans_bulk(const ApiRequest& req) {
  return bulk_store(
      req, "logs must be a list of spans.",
      [&](const Json& row) { return normalise_span(row, req.environment); },
      [&](std::vector<Json>& rows) { store_spans(std::move(rows)); });
}

namespace {

// The list/summary time window: end defaults to now, start to end - 1 hour.
struct SpanQuery {
  std::int64_t start = 0;
  std::int64_t end = 0;
  std::optional<std::string> environment;
};

SpanQuery span_query(const QueryPairs& query) {
  SpanQuery q;
  const auto* end = query_get(query, "end_time");
  const auto* start = query_get(query, "start_time");
  q.end = end != nullptr && !end->empty() ? parse_time_value(Json(*end), "end_time") : now_micros();
  q.start = start != nullptr && !start->empty() ? parse_time_value(Json(*start), "start_time")
                                                : q.end - 3600LL * 1000000LL;
  if (q.start > q.end) throw bad_request("start_time must be before end_time.");
  if (const auto* env = query_get(query, "environment"); env != nullptr && !env->empty()) {
    q.environment = *env;
  }
  return q;
}

}  // namespace

std::vector<const MockState::SpanRecord*> MockState::spans_matching(
    const Window& window, const std::string* environment, const CompiledFilters& filters) const {
  std::vector<const SpanRecord*> out;
  for (const auto& rec : spans_) {
    if (rec.ts < window.start || rec.ts > window.end) continue;
    if (environment != nullptr && rec.data.value("environment", std::string()) != *environment) {
      continue;
    }
    if (!matches_filters(rec.data, filters)) continue;
    out.push_back(&rec);
  }
  return out;
}

ApiResponse MockState::spans_list(const ApiRequest& req, bool legacy) {
  const PageParams page = parse_page_params(req.query, legacy ? 100 : 50, 1000);
  const SpanQuery q = span_query(req.query);
  CompiledFilters filters;
  if (!legacy) filters = filters_of(body_object(req));
  auto add_query_filter = [&](const char* name) {
    if (const auto* v = query_get(req.query, name); v != nullptr && !v->empty()) {
      FilterCondition c;
      c.field = name;
      c.op = FilterOp::kEq;
      c.values.emplace_back(*v);
      filters.conditions.push_back(std::move(c));
    }
  };
  add_query_filter("log_type");
  if (legacy) add_query_filter("customer_identifier");
  const auto records =
      spans_matching({q.start, q.end}, q.environment ? &*q.environment : nullptr, filters);
  std::vector<const Json*> rows;
  rows.reserve(records.size());
  for (const auto* r : records)
    rows.push_back(&r->data);
  const auto* sort_by = query_get(req.query, "sort_by");
  sort_rows(rows, sort_by != nullptr && !sort_by->empty() ? *sort_by : "-timestamp");
  std::vector<std::string> include;
  if (const auto* inc = query_get(req.query, "include_fields")) include = split_csv(*inc);
  return {200, paginate(rows, page, req,
                        [&](const Json& span) { return span_list_row(span, include); })};
}

ApiResponse MockState::span_get(const std::string& uid) {
  const auto it = span_index_.find(uid);
  if (it == span_index_.end()) throw not_found();
  return {200, spans_[it->second].data};
}

ApiResponse MockState::span_patch(const std::string& uid, const ApiRequest& req) {
  const auto it = span_index_.find(uid);
  if (it == span_index_.end()) throw not_found();
  const Json body = body_object(req);
  // Validate everything before changing anything.
  if (body.contains("is_pinned") && !body["is_pinned"].is_boolean()) {
    throw bad_request("is_pinned must be a boolean.");
  }
  if (body.contains("positive_feedback") && !body["positive_feedback"].is_boolean() &&
      !body["positive_feedback"].is_null()) {
    throw bad_request("positive_feedback must be a boolean or null.");
  }
  if (body.contains("note") && !body["note"].is_string() && !body["note"].is_null()) {
    throw bad_request("note must be a string.");
  }
  if (body.contains("metadata") && !body["metadata"].is_object()) {
    throw bad_request("metadata must be an object.");
  }
  Json& span = spans_[it->second].data;
  for (const char* f : {"is_pinned", "positive_feedback", "note"}) {
    if (body.contains(f)) span[f] = body[f];
  }
  if (body.contains("metadata")) {
    if (!span["metadata"].is_object()) span["metadata"] = Json::object();
    for (const auto& [k, v] : body["metadata"].items())
      span["metadata"][k] = v;
  }
  traces_.add_request_log(span, /*refresh_only=*/true);
  return {200, span};
}

namespace {

// Aggregates spans or dataset logs (already flattened into the span field names).
struct Summary {
  std::size_t count = 0;
  double total_cost = 0;
  std::int64_t total_tokens = 0, prompt_tokens = 0, completion_tokens = 0;
  double latency_sum = 0, tps_sum = 0, ttft_sum = 0;
  std::size_t latency_n = 0, tps_n = 0, ttft_n = 0;
  struct ScoreAgg {
    Json info;
    double sum = 0;
    std::size_t n = 0, true_count = 0, false_count = 0;
  };
  std::map<std::string, ScoreAgg> scores;

  void add(const Json& row, const Json& metrics) {
    ++count;
    total_cost += number_at(row, "cost").value_or(0.0);
    const std::int64_t pt = int_or_zero(row, "prompt_tokens");
    const std::int64_t ct = int_or_zero(row, "completion_tokens");
    prompt_tokens = saturating_add(prompt_tokens, pt);
    completion_tokens = saturating_add(completion_tokens, ct);
    total_tokens = saturating_add(total_tokens, row.contains("total_request_tokens")
                                                    ? int_or_zero(row, "total_request_tokens")
                                                    : saturating_add(pt, ct));
    const auto latency = number_at(row, "latency");
    if (latency) {
      latency_sum += *latency;
      ++latency_n;
    }
    auto ttft = number_at(row, "time_to_first_token");
    if (!ttft) ttft = number_at(metrics, "time_to_first_token");
    if (ttft) {
      ttft_sum += *ttft;
      ++ttft_n;
    }
    auto tps = number_at(row, "tokens_per_second");
    if (!tps) tps = number_at(metrics, "tokens_per_second");
    if (!tps && latency && *latency > 0 && ct > 0) tps = static_cast<double>(ct) / *latency;
    if (tps) {
      tps_sum += *tps;
      ++tps_n;
    }
    const auto sc = row.find("scores");
    if (sc == row.end() || !sc->is_object()) return;
    for (const auto& [id, score] : sc->items()) {
      ScoreAgg& agg = scores[id];
      if (agg.info.is_null()) {
        agg.info = {
            {"evaluator_id", id},
            {"evaluator_slug", score.is_object() ? score.value("evaluator_slug", id) : id},
            {"evaluator_name", score.is_object() ? score.value("evaluator_name", id) : id},
            {"score_value_type", score.is_object() ? score.value("score_value_type", "numerical")
                                                   : std::string("numerical")}};
      }
      const Json& value = score.is_object() ? score.value("score_value", Json()) : score;
      if (value.is_boolean()) {
        (value.get<bool>() ? agg.true_count : agg.false_count) += 1;
        agg.sum += value.get<bool>() ? 1.0 : 0.0;
        ++agg.n;
      } else if (value.is_number()) {
        agg.sum += value.get<double>();
        ++agg.n;
      }
    }
  }

  Json to_json() const {
    auto avg = [](double sum, std::size_t n) {
      return n == 0 ? 0.0 : sum / static_cast<double>(n);
    };
    Json s = Json::object();
    for (const auto& [id, agg] : scores) {
      Json entry = agg.info;
      entry["avg_score"] = avg(agg.sum, agg.n);
      entry["true_count"] = agg.true_count;
      entry["false_count"] = agg.false_count;
      s[id] = std::move(entry);
    }
    return {{"number_of_requests", count},
            {"total_cost", total_cost},
            {"total_tokens", total_tokens},
            {"total_prompt_tokens", prompt_tokens},
            {"total_completion_tokens", completion_tokens},
            {"avg_latency", avg(latency_sum, latency_n)},
            {"avg_tps", avg(tps_sum, tps_n)},
            {"avg_ttft", avg(ttft_sum, ttft_n)},
            {"scores", std::move(s)}};
  }
};

}  // namespace

ApiResponse MockState::spans_summary(const ApiRequest& req) {
  const SpanQuery q = span_query(req.query);
  const CompiledFilters filters = filters_of(body_object(req));
  Summary summary;
  static const Json kNoMetrics = Json::object();
  for (const auto* rec :
       spans_matching({q.start, q.end}, q.environment ? &*q.environment : nullptr, filters)) {
    summary.add(rec->data, kNoMetrics);
  }
  return {200, summary.to_json()};
}

// ------------------------------------------------------------------------------ direct access

std::vector<Json> MockState::request_logs() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Json> out;
  out.reserve(spans_.size());
  for (const auto& r : spans_)
    out.push_back(r.data);
  return out;
}

Json MockState::ui_request_logs(std::size_t limit) const {
  std::lock_guard<std::mutex> lock(mu_);
  Json rows = Json::array();
  for (auto it = spans_.rbegin(); it != spans_.rend() && rows.size() < limit; ++it) {
    rows.push_back(
        ui_pick(it->data, {"unique_id", "timestamp", "start_time", "model", "log_type", "status",
                           "status_code", "latency", "cost", "prompt_tokens", "completion_tokens",
                           "total_request_tokens", "customer_identifier", "trace_unique_id",
                           "span_unique_id", "span_name", "error_message", "environment"}));
  }
  return Json{{"count", spans_.size()}, {"results", std::move(rows)}};
}

bool MockState::has_log(const std::string& unique_id) const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (span_index_.count(unique_id) != 0) return true;
  }
  return traces_.has_span(unique_id);
}

Json MockState::add_request_log(Json span) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string env = config_.default_environment;
  if (span.is_object() && span.contains("environment") && span["environment"].is_string()) {
    env = span["environment"].get<std::string>();
  }
  return store_span(normalise_span(std::move(span), env)).data;
}

// Exposed for the dataset endpoints (mock_datasets.cpp).
Json summarise_rows(const std::vector<const Json*>& rows) {
  Summary summary;
  static const Json kNoMetrics = Json::object();
  for (const Json* row : rows) {
    const auto m = row->find("metrics");
    summary.add(*row, m != row->end() && m->is_object() ? *m : kNoMetrics);
  }
  return summary.to_json();
}

}  // namespace respan::testing::detail
