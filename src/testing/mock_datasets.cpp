// Dataset, dataset-log and dataset-evaluation endpoints of the mock Respan service
// (https://www.respan.ai/docs/apis/datasets/create-dataset and the pages next to it).
#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <utility>

#include "testing/mock_endpoint_util.hpp"
#include "testing/mock_state.hpp"
#include "testing/mock_ui.hpp"

namespace respan::testing::detail {

namespace {

constexpr const char* kSavedLogs = "_saved_logs";

// The stored form of a new dataset: the given fields plus the service's defaults.
Json new_dataset_meta(const std::string& id, const Json& name, const Json& description,
                      const char* status, Json initial_filters, const std::string& now) {
  return {{"id", id},
          {"name", name},
          {"description", description},
          {"type", "sampling"},
          {"status", status},
          {"initial_log_filters", std::move(initial_filters)},
          {"created_at", now},
          {"updated_at", now},
          {"starred", false},
          {"tags", Json::array()},
          {"running_status", nullptr},
          {"running_progress", 0},
          {"running_at", nullptr},
          {"completed_annotation_count", 0},
          {"evaluator", nullptr}};
}

// Validates the documented fields of a dataset-log body: `input`/`output`/`expected_output`
// any JSON, `metadata`/`metrics` objects, `prompt`/`completion` strings (log create, update
// and bulk create). `null` is a value for the "any" fields and refused for the typed ones (null is
// not "absent"). A required `input` must be present and not null.
void validate_dataset_log_fields(const Json& body, bool require_input) {
  if (require_input && (!body.contains("input") || body["input"].is_null())) {
    throw bad_request("input is required");
  }
  for (const char* f : {"metadata", "metrics"}) {
    if (body.contains(f) && !body[f].is_object())
      throw bad_request(std::string(f) + " must be an object.");
  }
  for (const char* f : {"prompt", "completion"}) {
    if (body.contains(f) && !body[f].is_string())
      throw bad_request(std::string(f) + " must be a string.");
  }
}

// The members of `body` named in `fields` (the documented body of one endpoint).
Json only_fields(const Json& body, std::initializer_list<const char*> fields) {
  Json out = Json::object();
  for (const char* f : fields) {
    const auto it = body.find(f);
    if (it != body.end()) out[f] = *it;
  }
  return out;
}

// Fills the span-like columns of a new dataset log (those of a list row) from its metadata and
// metrics. Done once, when the log is created: later updates change only the fields they send
// (as the PATCH documents).
void lift_dataset_log_fields(Json& log) {
  static const Json kEmpty = Json::object();
  const Json& md = log["metadata"].is_object() ? log["metadata"] : kEmpty;
  const Json& mt = log["metrics"].is_object() ? log["metrics"] : kEmpty;
  auto pick = [](const Json& obj, const char* key) {
    const auto it = obj.find(key);
    return it == obj.end() ? Json() : *it;
  };
  for (const char* f : {"model", "log_type", "custom_identifier", "customer_identifier"}) {
    if (!has(log, f)) log[f] = pick(md, f);
  }
  log["cost"] = number_at(mt, "cost").value_or(0.0);
  log["latency"] = pick(mt, "latency").is_number() ? pick(mt, "latency") : Json();
  const Json pt = pick(mt, "prompt_tokens");
  const Json ct = pick(mt, "completion_tokens");
  const std::int64_t p = is_integer_like(pt) ? pt.get<std::int64_t>() : 0;
  const std::int64_t c = is_integer_like(ct) ? ct.get<std::int64_t>() : 0;
  log["prompt_tokens"] = p;
  log["completion_tokens"] = c;
  const Json total = pick(mt, "total_tokens");
  log["total_request_tokens"] =
      is_integer_like(total) ? total.get<std::int64_t>() : saturating_add(p, c);
}

// The user shown as `updated_by` / `annotation_completed_by` ({first_name, last_name, email},
// as the dataset and dataset-log list rows carry it).
Json mock_user() {
  return {{"first_name", "Mock"}, {"last_name", "User"}, {"email", "mock-user@example.invalid"}};
}

// Stored scores (evaluator id -> score object) in the list-row form: the object itself
// (a list row's `scores` is an object).
Json scores_object(const Json& log) {
  const auto it = log.find("scores");
  return it != log.end() && it->is_object() ? *it : Json::object();
}

// ... and in the single-log form: a list of score objects (a retrieved log's `scores`).
Json scores_list(const Json& log) {
  Json out = Json::array();
  const Json scores = scores_object(log);  // range-for over items() of a temporary dangles
  for (const auto& [id, score] : scores.items()) {
    Json entry = score.is_object() ? score : Json{{"score_value", score}};
    if (!entry.contains("evaluator_id")) entry["evaluator_id"] = id;
    out.push_back(std::move(entry));
  }
  return out;
}

Json pick_all(const Json& stored, std::initializer_list<const char*> fields) {
  Json out = Json::object();
  for (const char* f : fields) {
    const auto it = stored.find(f);
    out[f] = it == stored.end() ? Json() : *it;
  }
  return out;
}

// A dataset log as GET/PATCH/PUT answer it (the official client's DatasetLog type).
Json dataset_log_detail(const Json& stored) {
  Json out = pick_all(stored, {"id",
                               "unique_id",
                               "organization_id",
                               "environment",
                               "timestamp",
                               "start_time",
                               "prompt_tokens",
                               "completion_tokens",
                               "total_request_tokens",
                               "cost",
                               "model",
                               "latency",
                               "status_code",
                               "status",
                               "metadata",
                               "prompt",
                               "completion",
                               "messages",
                               "input",
                               "output",
                               "expected_output",
                               "dataset_id"});
  if (!out["messages"].is_array()) out["messages"] = Json::array();
  out["scores"] = scores_list(stored);
  return out;
}

// A row of `POST .../logs/list/` (the official client's list item type).
Json dataset_log_row(const Json& stored) {
  Json out = pick_all(stored, {"id",
                               "unique_id",
                               "organization_id",
                               "environment",
                               "timestamp",
                               "start_time",
                               "prompt_tokens",
                               "completion_tokens",
                               "total_request_tokens",
                               "cost",
                               "model",
                               "latency",
                               "status_code",
                               "status",
                               "prompt",
                               "completion",
                               "input",
                               "output",
                               "dataset_id",
                               "annotation_status",
                               "annotation_completed_by",
                               "metadata",
                               "custom_identifier",
                               "log_type"});
  out["scores"] = scores_object(stored);
  return out;
}

// Deterministic mock evaluator score in [1, 5] derived from the log's size.
double mock_score(const Json& log) {
  auto size_of = [&](const char* f) {
    const auto it = log.find(f);
    return it == log.end() ? std::size_t{0}
                           : it->dump(-1, ' ', false, Json::error_handler_t::replace).size();
  };
  return static_cast<double>(1 + (size_of("input") + size_of("output")) % 5);
}

Json list_envelope(Json page, const Json& current_filters) {
  page["total_count"] = page["count"];
  page["current_filters"] = current_filters.is_object() ? current_filters : Json::object();
  page["filters_data"] = Json::object();
  return page;
}

Json filters_echo(const Json& body) {
  const auto it = body.find("filters");
  return it != body.end() && it->is_object() ? *it : Json::object();
}

Json sampling_percentage(const Json& body, const char* key) {
  if (!has(body, key)) return Json(100);
  const Json& v = body[key];
  if (!is_integer_like(v) || v.get<double>() < 1 || v.get<double>() > 100) {
    throw bad_request(std::string(key) + " must be an integer between 1 and 100.");
  }
  return v;
}

}  // namespace

// ------------------------------------------------------------------------------ datasets

MockState::Dataset* MockState::find_dataset(const std::string& id) {
  const auto it = datasets_.find(id);
  return it == datasets_.end() ? nullptr : &it->second;
}

const MockState::Dataset* MockState::find_dataset(const std::string& id) const {
  const auto it = datasets_.find(id);
  return it == datasets_.end() ? nullptr : &it->second;
}

MockState::Dataset& MockState::dataset_or_404(const std::string& id) {
  if (Dataset* ds = find_dataset(id)) return *ds;
  if (id != kSavedLogs) throw not_found();
  // The virtual saved-logs collection always exists; materialise it on first use.
  Dataset ds;
  ds.seq = ++dataset_seq_;
  const std::string now = now_iso();
  ds.meta = new_dataset_meta(kSavedLogs, "Saved logs", "", "ready", Json::object(), now);
  return datasets_.emplace(kSavedLogs, std::move(ds)).first->second;
}

Json MockState::dataset_view(const Dataset& ds) const {
  Json out = ds.meta;
  out["log_count"] = ds.logs.size();
  out["organization_id"] = config_.organization_number;
  return out;
}

Json MockState::dataset_created(const Dataset& ds) const {
  // The create answer (the official client's Dataset type); `log_count` from the older docs.
  Json out = pick_all(ds.meta, {"id", "name", "description", "type", "status",
                                "initial_log_filters", "created_at", "updated_at"});
  out["log_count"] = ds.logs.size();
  return out;
}

Json MockState::dataset_row(const Dataset& ds) const {
  // A list item (the official client's type): `organization_id` is an integer.
  Json out =
      pick_all(ds.meta, {"id", "name", "description", "type", "status", "created_at", "updated_at",
                         "completed_annotation_count", "running_status", "starred", "tags"});
  out["log_count"] = ds.logs.size();
  out["organization_id"] = config_.organization_number;
  out["updated_by"] = mock_user();
  Json log_ids = Json::array();
  for (const Json& log : ds.logs)
    log_ids.push_back(log["unique_id"]);
  out["log_ids"] = std::move(log_ids);
  out["running_progress"] = static_cast<double>(ds.meta.value("running_progress", 0));
  return out;
}

Json MockState::dataset_detail(const Dataset& ds) const {
  // The retrieve answer; update answers the same shape (the official client's type and
  // https://www.respan.ai/docs/apis/datasets/retrieve-dataset).
  Json out = pick_all(ds.meta, {"id", "name", "type", "description", "created_at", "updated_at",
                                "initial_log_filters", "evaluator", "status", "running_status",
                                "running_at", "completed_annotation_count"});
  out["organization"] = config_.organization_number;
  out["unique_organization_ids"] = Json::array({config_.organization_id});
  // [guess] What `timestamps` lists is undocumented (a list of strings): the mock reports the
  // dataset's creation and last update times.
  out["timestamps"] = Json::array({ds.meta["created_at"], ds.meta["updated_at"]});
  out["log_count"] = ds.logs.size();
  out["running_progress"] = ds.meta.value("running_progress", 0);
  return out;
}

Json MockState::create_dataset(const Json& body, const std::string& environment) {
  (void)environment;
  for (const char* f : {"name", "description", "source_dataset_id"}) {
    if (has(body, f) && !body[f].is_string())
      throw bad_request(std::string(f) + " must be a string.");
  }
  if (has(body, "is_empty") && !body["is_empty"].is_boolean()) {
    throw bad_request("is_empty must be a boolean.");
  }
  std::string name = has(body, "name") ? body["name"].get<std::string>() : std::string();
  std::string source_id;
  if (has(body, "source_dataset_id")) {
    source_id = body["source_dataset_id"].get<std::string>();
    const Dataset* source = find_dataset(source_id);
    if (source == nullptr) throw not_found();
    if (name.empty()) name = source->meta.value("name", std::string()) + " (copy)";
  } else if (name.empty()) {
    throw bad_request("name is required");
  }
  const bool is_empty = body.value("is_empty", false);
  const bool from_logs = source_id.empty() && !is_empty;
  const CompiledFilters filters = filters_of(body, "initial_log_filters");
  Window window;
  double percentage = 100;
  if (from_logs) {
    if (!has(body, "start_time") || !has(body, "end_time")) {
      throw bad_request("start_time and end_time are required unless is_empty is true.");
    }
    window.start = parse_time_value(body["start_time"], "start_time");
    window.end = parse_time_value(body["end_time"], "end_time");
    if (window.start > window.end) throw bad_request("start_time must be before end_time.");
    percentage = sampling_percentage(body, "sampling").get<double>();
  }
  if (datasets_.size() - datasets_.count(kSavedLogs) >= config_.max_datasets) {
    throw store_full("datasets", config_.max_datasets, "max_stored_datasets", 1);
  }
  // The background work that fills it must fit too (it adds nothing when it no longer does).
  if (from_logs) {
    check_dataset_room(spans_to_import(window, filters, percentage).size());
  } else if (!source_id.empty()) {
    check_dataset_room(find_dataset(source_id)->logs.size());
  }

  Dataset ds;
  ds.seq = ++dataset_seq_;
  const std::string id = ids_.uuid4();
  const std::string now = now_iso();
  const bool background = from_logs || !source_id.empty();
  Json initial_filters = Json::object();
  if (has(body, "initial_log_filters")) initial_filters = body["initial_log_filters"];
  if (!source_id.empty() && initial_filters.empty()) {
    initial_filters = find_dataset(source_id)->meta.value("initial_log_filters", Json::object());
  }
  ds.meta = new_dataset_meta(id, name, has(body, "description") ? body["description"] : Json(""),
                             background && !config_.immediate_jobs ? "initializing" : "ready",
                             std::move(initial_filters), now);
  datasets_.emplace(id, std::move(ds));

  if (from_logs) {
    run_or_queue([this, id, window, filters, percentage] {
      import_spans(id, window, filters, percentage);
      if (Dataset* d = find_dataset(id)) d->meta["status"] = "ready";
    });
  } else if (!source_id.empty()) {
    run_or_queue([this, id, source_id] {
      Dataset* target = find_dataset(id);
      const Dataset* source = find_dataset(source_id);
      if (target == nullptr) return;
      if (source != nullptr &&
          source->logs.size() <=
              config_.max_dataset_logs - std::min(config_.max_dataset_logs, dataset_objects())) {
        for (const Json& log : source->logs) {
          Json copy = log;
          const std::string uid = ids_.hex32();
          copy["id"] = uid;
          copy["unique_id"] = uid;
          copy["dataset_id"] = id;
          copy["created_at"] = now_iso();
          copy["updated_at"] = copy["created_at"];
          target->logs.push_back(std::move(copy));
        }
      }
      target->meta["status"] = "ready";
    });
  }
  return dataset_view(*find_dataset(id));
}

ApiResponse MockState::datasets_create(const ApiRequest& req) {
  const Json created = create_dataset(body_object(req), req.environment);
  return {201, dataset_created(*find_dataset(created["id"].get<std::string>()))};
}

ApiResponse MockState::datasets_list(const ApiRequest& req) {
  const PageParams page = parse_page_params(req.query, 50, 100);
  const Json body = body_object(req);
  const CompiledFilters filters = filters_of(body);
  std::vector<const Dataset*> ordered;
  for (const auto& [id, ds] : datasets_) {
    if (id != kSavedLogs) ordered.push_back(&ds);
  }
  std::sort(ordered.begin(), ordered.end(),
            [](const Dataset* a, const Dataset* b) { return a->seq < b->seq; });
  std::vector<Json> views;
  views.reserve(ordered.size());
  for (const Dataset* ds : ordered)
    views.push_back(dataset_row(*ds));
  std::vector<const Json*> rows;
  for (const Json& v : views) {
    if (matches_filters(v, filters)) rows.push_back(&v);
  }
  const auto* sort_by = query_get(req.query, "sort_by");
  sort_rows(rows, sort_by != nullptr && !sort_by->empty() ? *sort_by : "-created_at");
  Json out = paginate(rows, page, req, [](const Json& row) { return row; });
  return {200, list_envelope(std::move(out), filters_echo(body))};
}

ApiResponse MockState::dataset_get(const std::string& id) {
  return {200, dataset_detail(dataset_or_404(id))};
}

ApiResponse MockState::dataset_patch(const std::string& id, const ApiRequest& req) {
  Dataset& ds = dataset_or_404(id);
  const Json body = body_object(req);
  for (const char* f : {"name", "description"}) {
    if (body.contains(f) && !body[f].is_string())
      throw bad_request(std::string(f) + " must be a string.");
  }
  if (body.contains("name") && body["name"].get_ref<const std::string&>().empty()) {
    throw bad_request("name may not be blank.");
  }
  if (body.contains("starred") && !body["starred"].is_boolean()) {
    throw bad_request("starred must be a boolean.");
  }
  if (body.contains("tags")) {
    const Json& tags = body["tags"];
    if (!tags.is_array() ||
        !std::all_of(tags.begin(), tags.end(), [](const Json& t) { return t.is_string(); })) {
      throw bad_request("tags must be a list of tag id strings.");
    }
  }
  for (const char* f : {"name", "description", "starred"}) {
    if (body.contains(f)) ds.meta[f] = body[f];
  }
  if (body.contains("tags")) {
    Json tags = Json::array();
    for (const auto& t : body["tags"])
      tags.push_back({{"id", t}, {"name", t}, {"color", "#888888"}});
    ds.meta["tags"] = std::move(tags);
  }
  ds.meta["updated_at"] = now_iso();
  return {200, dataset_detail(ds)};
}

ApiResponse MockState::dataset_delete(const std::string& id) {
  if (id == kSavedLogs) throw bad_request("The saved-logs collection cannot be deleted.");
  if (datasets_.erase(id) == 0) throw not_found();
  return {204, std::nullopt};
}

// ------------------------------------------------------------------------------ dataset logs

Json MockState::make_dataset_log(const std::string& dataset_id, const Json& body,
                                 const std::string& environment) {
  const std::string uid = ids_.hex32();
  const std::string now = now_iso();
  auto field = [&](const char* f) {
    const auto it = body.find(f);
    return it == body.end() ? Json() : *it;
  };
  Json log = {
      {"id", uid},
      {"unique_id", uid},
      {"dataset_id", dataset_id},
      {"organization_id", config_.organization_id},
      {"environment", environment},
      {"input", field("input")},
      {"output", field("output")},
      {"expected_output", field("expected_output")},
      {"metadata", has(body, "metadata") ? body["metadata"] : Json::object()},
      {"metrics", has(body, "metrics") ? body["metrics"] : Json::object()},
      {"prompt", field("prompt")},
      {"completion", field("completion")},
      {"messages", has(body, "messages") ? body["messages"] : Json::array()},
      {"scores", Json::object()},
      {"timestamp", has(body, "timestamp") ? format_iso8601(*as_time(body["timestamp"])) : now},
      {"start_time", has(body, "start_time") ? body["start_time"] : Json()},
      {"status_code", has(body, "status_code") ? body["status_code"] : Json(200)},
      {"status", has(body, "status") ? body["status"] : Json("success")},
      // [guess] Annotation values are undocumented beyond their types.
      {"annotation_status", "pending"},
      {"annotation_completed_by", nullptr},
      {"created_at", now},
      {"updated_at", now}};
  for (const char* f : {"model", "log_type", "custom_identifier", "customer_identifier"}) {
    if (has(body, f)) log[f] = body[f];
  }
  lift_dataset_log_fields(log);
  return log;
}

Json MockState::dataset_log_from_span(const std::string& dataset_id, const Json& span) {
  auto first_of = [&](const char* a, const char* b) {
    if (has(span, a)) return span[a];
    if (has(span, b)) return span[b];
    return Json();
  };
  Json metadata =
      span.contains("metadata") && span["metadata"].is_object() ? span["metadata"] : Json::object();
  for (const char* f : {"model", "log_type", "customer_identifier", "custom_identifier"}) {
    if (has(span, f)) metadata[f] = span[f];
  }
  Json metrics = Json::object();
  for (const char* f : {"prompt_tokens", "completion_tokens", "cost", "latency",
                        "time_to_first_token", "tokens_per_second"}) {
    if (has(span, f)) metrics[f] = span[f];
  }
  if (has(span, "total_request_tokens")) metrics["total_tokens"] = span["total_request_tokens"];
  Json body = {{"input", first_of("input", "prompt_messages")},
               {"output", first_of("output", "completion_message")},
               {"metadata", std::move(metadata)},
               {"metrics", std::move(metrics)},
               {"timestamp", span.value("timestamp", Json())}};
  // The span's own columns travel with it: an imported log keeps its model, identifiers
  // (customer_identifier stays a top-level field, where `filters` look for it), status and
  // start time.
  for (const char* f : {"model", "log_type", "customer_identifier", "custom_identifier",
                        "status_code", "status", "start_time"}) {
    if (has(span, f)) body[f] = span[f];
  }
  if (has(span, "prompt_messages") && span["prompt_messages"].is_array()) {
    body["messages"] = span["prompt_messages"];
  }
  return make_dataset_log(dataset_id, body, span.value("environment", config_.default_environment));
}

std::vector<const MockState::SpanRecord*> MockState::spans_to_import(const Window& window,
                                                                     const CompiledFilters& filters,
                                                                     double percentage) const {
  std::vector<const SpanRecord*> matching = spans_matching(window, nullptr, filters);
  std::stable_sort(matching.begin(), matching.end(),
                   [](const SpanRecord* a, const SpanRecord* b) { return a->ts < b->ts; });
  const auto take = static_cast<std::size_t>(
      std::ceil(static_cast<double>(matching.size()) * percentage / 100.0));
  if (take < matching.size()) matching.resize(take);
  return matching;
}

void MockState::import_spans(const std::string& dataset_id, Window window,
                             const CompiledFilters& filters, double percentage) {
  Dataset* ds = find_dataset(dataset_id);
  if (ds == nullptr) return;
  const std::vector<const SpanRecord*> spans = spans_to_import(window, filters, percentage);
  // Queued work that no longer fits adds nothing (the request was answered when it did).
  if (spans.size() >
      config_.max_dataset_logs - std::min(config_.max_dataset_logs, dataset_objects())) {
    return;
  }
  for (const SpanRecord* span : spans)
    ds->logs.push_back(dataset_log_from_span(dataset_id, span->data));
  ds->meta["updated_at"] = now_iso();
}

std::size_t MockState::dataset_objects() const {
  std::size_t n = 0;
  for (const auto& [id, ds] : datasets_)
    n += ds.logs.size() + ds.tasks.size();
  return n;
}

void MockState::check_dataset_room(std::size_t adding) const {
  if (adding > config_.max_dataset_logs - std::min(config_.max_dataset_logs, dataset_objects())) {
    throw store_full("dataset logs and evaluation tasks", config_.max_dataset_logs,
                     "max_stored_dataset_logs", adding);
  }
}

ApiResponse MockState::dlogs_create(const std::string& id, const ApiRequest& req) {
  Dataset& ds = dataset_or_404(id);
  // The documented body is input (required), output, metadata, metrics ("Create a dataset
  // log", https://www.respan.ai/docs/apis/datasets/create-dataset-log). The docs are silent on
  // other keys such as expected_output, prompt or completion: like a DRF serializer the mock
  // accepts and ignores them, so a client never comes to depend on a field the real endpoint does
  // not document (set them with PATCH, or use the bulk endpoint, whose rows document
  // expected_output).
  const Json body = only_fields(body_object(req), {"input", "output", "metadata", "metrics"});
  validate_dataset_log_fields(body, true);
  check_dataset_room(1);
  ds.logs.push_back(make_dataset_log(ds.meta["id"].get<std::string>(), body, req.environment));
  return {201, Json{{"message", "Dataset log created successfully"},
                    {"unique_id", ds.logs.back()["unique_id"]}}};
}

ApiResponse MockState::dlogs_list(const std::string& id, const ApiRequest& req) {
  Dataset& ds = dataset_or_404(id);
  const Json body = body_object(req);
  const CompiledFilters filters = filters_of(body);
  if (body.contains("is_exporting") && !body["is_exporting"].is_boolean()) {
    throw bad_request("is_exporting must be a boolean.");
  }
  if (body.value("is_exporting", false)) {
    const Json format = body.value("export_format", Json(".csv"));
    if (format != ".csv" && format != ".jsonl") {
      throw bad_request("export_format must be \".csv\" or \".jsonl\".");
    }
    return {200, Json{{"message",
                       "Export started. You will receive the file by email when it is ready."}}};
  }
  const PageParams page = parse_page_params(req.query, 50, 100);
  std::vector<const Json*> rows;
  for (const Json& log : ds.logs) {
    if (matches_filters(log, filters)) rows.push_back(&log);
  }
  const auto* sort_by = query_get(req.query, "sort_by");
  sort_rows(rows, sort_by != nullptr && !sort_by->empty() ? *sort_by : "-timestamp");
  std::vector<std::string> include;
  if (const auto* inc = query_get(req.query, "include_fields")) include = split_csv(*inc);
  Json out = paginate(rows, page, req,
                      [&](const Json& row) { return project(dataset_log_row(row), include); });
  out = list_envelope(std::move(out), filters_echo(body));
  out["filter_options"] = Json::object();
  return {200, std::move(out)};
}

ApiResponse MockState::dlog_get(const std::string& id, const std::string& uid) {
  Dataset& ds = dataset_or_404(id);
  for (const Json& log : ds.logs) {
    if (log["unique_id"] == uid) return {200, dataset_log_detail(log)};
  }
  throw not_found();
}

ApiResponse MockState::dlog_update(const std::string& id, const std::string& uid,
                                   const ApiRequest& req, bool replace) {
  Dataset& ds = dataset_or_404(id);
  const auto it = std::find_if(ds.logs.begin(), ds.logs.end(),
                               [&](const Json& log) { return log["unique_id"] == uid; });
  if (it == ds.logs.end()) throw not_found();
  // PATCH and PUT take input, output, expected_output, prompt, completion, metadata
  // (as documented for both). Other keys are ignored: `metrics` in particular is no update field
  // (the docs are silent on it, and the span-like columns it fed at creation stay as they are).
  const Json body = only_fields(
      body_object(req), {"input", "output", "expected_output", "prompt", "completion", "metadata"});
  validate_dataset_log_fields(body, false);
  Json& log = *it;
  // PATCH changes only the fields sent; PUT also removes the ones left out. The span-like
  // columns (model, log_type, custom_identifier, metrics, ...) are not body fields of either:
  // they keep their values [guess: the docs do not say whether a new metadata.model re-derives
  // model; the mock does not].
  for (const char* f : {"input", "output", "expected_output", "prompt", "completion"}) {
    if (body.contains(f)) {
      log[f] = body[f];
    } else if (replace) {
      log[f] = nullptr;
    }
  }
  if (body.contains("metadata")) {
    log["metadata"] = body["metadata"];
  } else if (replace) {
    log["metadata"] = Json::object();
  }
  log["updated_at"] = now_iso();
  return {200, dataset_log_detail(log)};
}

ApiResponse MockState::dlog_delete(const std::string& id, const std::string& uid) {
  Dataset& ds = dataset_or_404(id);
  const auto it = std::find_if(ds.logs.begin(), ds.logs.end(),
                               [&](const Json& log) { return log["unique_id"] == uid; });
  if (it == ds.logs.end()) throw not_found();
  ds.logs.erase(it);
  return {204, std::nullopt};
}

ApiResponse MockState::dlogs_bulk(const std::string& id, const ApiRequest& req) {
  Dataset& ds = dataset_or_404(id);
  return bulk_store(
      req, "logs must be a list.",
      [&](const Json& row) {
        if (!row.is_object()) {
          throw bad_request("Invalid data. Expected a dictionary, but got " + json_type_name(row) +
                            ".");
        }
        // Every field of a bulk row is optional, input included (as documented).
        const Json fields =
            only_fields(row, {"input", "output", "expected_output", "metadata", "metrics"});
        validate_dataset_log_fields(fields, false);
        return make_dataset_log(ds.meta["id"].get<std::string>(), fields, req.environment);
      },
      [&](std::vector<Json>& rows) {
        check_dataset_room(rows.size());
        for (Json& row : rows)
          ds.logs.push_back(std::move(row));
      });
}

ApiResponse MockState::dlogs_import(const std::string& id, const ApiRequest& req) {
  Dataset& ds = dataset_or_404(id);
  const Json body = body_object(req);
  if (!has(body, "start_time") || !has(body, "end_time")) {
    throw bad_request("start_time and end_time are required.");
  }
  Window window;
  window.start = parse_time_value(body["start_time"], "start_time");
  window.end = parse_time_value(body["end_time"], "end_time");
  if (window.start > window.end) throw bad_request("start_time must be before end_time.");
  const CompiledFilters filters = filters_of(body);
  const double percentage = sampling_percentage(body, "sampling_percentage").get<double>();
  const std::string ds_id = ds.meta["id"].get<std::string>();
  check_dataset_room(spans_to_import(window, filters, percentage).size());
  run_or_queue([this, ds_id, window, filters, percentage] {
    import_spans(ds_id, window, filters, percentage);
  });
  return {200, Json{{"message", "Logs are being added to dataset in the background"}}};
}

ApiResponse MockState::dlogs_remove(const std::string& id, const ApiRequest& req) {
  Dataset& ds = dataset_or_404(id);
  const Json body = body_object(req);
  if (body.contains("is_deleting_all_logs") && !body["is_deleting_all_logs"].is_boolean()) {
    throw bad_request("is_deleting_all_logs must be a boolean.");
  }
  const bool all = body.value("is_deleting_all_logs", false);
  const CompiledFilters filters = filters_of(body);
  if (!all && filters.empty()) {
    throw bad_request("Provide filters or set is_deleting_all_logs to true.");
  }
  const std::string ds_id = ds.meta["id"].get<std::string>();
  run_or_queue([this, ds_id, all, filters] {
    Dataset* d = find_dataset(ds_id);
    if (d == nullptr) return;
    auto& logs = d->logs;
    logs.erase(
        std::remove_if(logs.begin(), logs.end(),
                       [&](const Json& log) { return all || matches_filters(log, filters); }),
        logs.end());
    d->meta["updated_at"] = now_iso();
  });
  return {200, Json{{"message", "Logs are being removed from dataset in the background"}}};
}

ApiResponse MockState::dlogs_summary(const std::string& id, const ApiRequest& req) {
  Dataset& ds = dataset_or_404(id);
  CompiledFilters filters;
  if (req.method == "POST") filters = filters_of(body_object(req));
  std::vector<const Json*> rows;
  for (const Json& log : ds.logs) {
    if (matches_filters(log, filters)) rows.push_back(&log);
  }
  return {200, summarise_rows(rows)};
}

// ------------------------------------------------------------------------------ evaluations

ApiResponse MockState::eval_create(const std::string& id, const ApiRequest& req) {
  Dataset& ds = dataset_or_404(id);
  const Json body = body_object(req);
  const auto evaluators = body.find("evaluator_ids");
  if (evaluators == body.end() || !evaluators->is_array() || evaluators->empty() ||
      !std::all_of(evaluators->begin(), evaluators->end(),
                   [](const Json& e) { return e.is_string() && !e.get<std::string>().empty(); })) {
    throw bad_request("evaluator_ids must be a non-empty list of evaluator id strings.");
  }
  for (const char* f : {"experiment_id", "generation_method"}) {
    if (has(body, f) && !body[f].is_string())
      throw bad_request(std::string(f) + " must be a string.");
  }
  // An evaluator the organization does not have is refused: the call documents 400 (and 404
  // for the dataset) but not the body. [guess] The whole run is refused with 400 naming every
  // unknown evaluator and starts nothing, rather than a 200 that lists them in `errors`: the
  // stricter of the two readings, so that a test passing against the mock does not fail
  // against the service. `errors` is therefore always empty here.
  const std::set<std::string> known(config_.evaluators.begin(), config_.evaluators.end());
  std::set<std::string> unknown;
  for (const auto& e : *evaluators) {
    if (known.count(e.get_ref<const std::string&>()) == 0)
      unknown.insert(e.get_ref<const std::string&>());
  }
  if (!unknown.empty()) {
    // The message names the first 8 (each cut to 64 bytes), in sorted order.
    std::string names;
    std::size_t named = 0;
    for (const std::string& evaluator : unknown) {
      if (named++ == 8) {
        names += ", ... (" + std::to_string(unknown.size()) + " in all)";
        break;
      }
      names += (names.empty() ? "" : ", ") +
               Json(evaluator.substr(0, 64)).dump(-1, ' ', false, Json::error_handler_t::replace);
    }
    throw bad_request("Evaluator not found: " + names +
                      " (the mock knows MockServerOptions::known_evaluators).");
  }
  const bool has_experiment = has(body, "experiment_id");
  const std::string ds_id = ds.meta["id"].get<std::string>();
  check_dataset_room(evaluators->size());
  Json errors = Json::object();
  std::vector<std::string> task_ids;
  Json ran = Json::array();
  for (const auto& e : *evaluators) {
    const std::string evaluator = e.get<std::string>();
    const std::string task_id = ids_.uuid4();
    ds.tasks.push_back({{"task_id", task_id},
                        {"name", evaluator + " on " + ds.meta.value("name", std::string())},
                        {"dataset_id", ds_id},
                        {"evaluator_slug", evaluator},
                        {"status", "pending"},
                        {"started_at", nullptr},
                        {"completed_at", nullptr},
                        {"error_message", nullptr},
                        {"evaluated_logs_count", 0},
                        {"score", nullptr}});
    task_ids.push_back(task_id);
    ran.push_back(evaluator);
  }
  for (const auto& task_id : task_ids) {
    run_or_queue([this, ds_id, task_id] { run_task(ds_id, task_id); });
  }
  Json created = Json::array();
  // Re-find: running the tasks does not reallocate `tasks`, but be explicit about the lookup.
  Dataset& after = dataset_or_404(ds_id);
  for (const auto& task_id : task_ids) {
    for (const Json& t : after.tasks) {
      if (t["task_id"] == task_id) created.push_back(t);
    }
  }
  return {200, Json{{"created_tasks", std::move(created)},
                    {"errors", std::move(errors)},
                    {"experiment_updated", has_experiment && !task_ids.empty()},
                    {"experiment_evaluator_ids", has_experiment ? ran : Json::array()}}};
}

void MockState::run_task(const std::string& dataset_id, const std::string& task_id) {
  Dataset* ds = find_dataset(dataset_id);
  if (ds == nullptr) return;
  const auto task = std::find_if(ds->tasks.begin(), ds->tasks.end(),
                                 [&](const Json& t) { return t["task_id"] == task_id; });
  if (task == ds->tasks.end()) return;
  const std::string evaluator = (*task)["evaluator_slug"].get<std::string>();
  (*task)["started_at"] = now_iso();
  double sum = 0;
  for (Json& log : ds->logs) {
    const double score = mock_score(log);
    sum += score;
    if (!log["scores"].is_object()) log["scores"] = Json::object();
    log["scores"][evaluator] = {{"evaluator_id", evaluator},
                                {"evaluator_slug", evaluator},
                                {"evaluator_name", evaluator},
                                {"score_value_type", "numerical"},
                                {"score_value", score}};
  }
  const std::size_t n = ds->logs.size();
  (*task)["status"] = "completed";
  (*task)["completed_at"] = now_iso();
  (*task)["evaluated_logs_count"] = n;
  (*task)["score"] = n == 0 ? 0.0 : sum / static_cast<double>(n);
}

ApiResponse MockState::eval_list(const std::string& id, const ApiRequest& req) {
  Dataset& ds = dataset_or_404(id);
  const PageParams page = parse_page_params(req.query, 50, 100);
  std::vector<const Json*> rows;
  for (auto it = ds.tasks.rbegin(); it != ds.tasks.rend(); ++it)
    rows.push_back(&*it);
  Json out = paginate(rows, page, req, [](const Json& row) { return row; });
  return {200, list_envelope(std::move(out), Json::object())};
}

// ------------------------------------------------------------------------------ direct access

std::vector<Json> MockState::datasets() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<const Dataset*> ordered;
  for (const auto& [id, ds] : datasets_) {
    if (id != kSavedLogs) ordered.push_back(&ds);
  }
  std::sort(ordered.begin(), ordered.end(),
            [](const Dataset* a, const Dataset* b) { return a->seq < b->seq; });
  std::vector<Json> out;
  for (const Dataset* ds : ordered)
    out.push_back(dataset_view(*ds));
  return out;
}

Json MockState::ui_datasets(std::size_t limit) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<const Dataset*> ordered;
  for (const auto& [id, ds] : datasets_) {
    if (id != kSavedLogs) ordered.push_back(&ds);
  }
  std::sort(ordered.begin(), ordered.end(),
            [](const Dataset* a, const Dataset* b) { return a->seq > b->seq; });
  Json rows = Json::array();
  for (std::size_t i = 0; i < ordered.size() && i < limit; ++i) {
    Json row = ui_pick(ordered[i]->meta,
                       {"id", "name", "description", "type", "status", "created_at", "updated_at"});
    row["log_count"] = ordered[i]->logs.size();
    rows.push_back(std::move(row));
  }
  return Json{{"count", ordered.size()}, {"results", std::move(rows)}};
}

Json MockState::add_dataset(Json body) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!body.is_object()) throw bad_request("Invalid data. Expected a dictionary.");
  return create_dataset(body, config_.default_environment);
}

std::vector<Json> MockState::dataset_logs(const std::string& dataset_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  const Dataset* ds = find_dataset(dataset_id);
  return ds == nullptr ? std::vector<Json>{} : ds->logs;
}

Json MockState::add_dataset_log(const std::string& dataset_id, Json log) {
  std::lock_guard<std::mutex> lock(mu_);
  Dataset& ds = dataset_or_404(dataset_id);
  if (!log.is_object()) throw bad_request("Invalid data. Expected a dictionary.");
  validate_dataset_log_fields(log, true);
  if (has(log, "timestamp") && !as_time(log["timestamp"])) {
    throw bad_request("timestamp must be an ISO 8601 datetime.");
  }
  const std::string env = log.contains("environment") && log["environment"].is_string()
                              ? log["environment"].get<std::string>()
                              : config_.default_environment;
  check_dataset_room(1);
  ds.logs.push_back(make_dataset_log(dataset_id, log, env));
  return ds.logs.back();
}

std::vector<Json> MockState::evaluation_runs(const std::string& dataset_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  const Dataset* ds = find_dataset(dataset_id);
  return ds == nullptr ? std::vector<Json>{} : ds->tasks;
}

}  // namespace respan::testing::detail
