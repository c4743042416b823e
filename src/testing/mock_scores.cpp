// Score endpoints of the mock Respan service: the general `/api/scores/...`
// routes and the log-scoped `/api/logs/{log_id}/scores/...` routes over one store.
#include <algorithm>
#include <string>
#include <vector>

#include "testing/mock_runtime_state.hpp"
#include "testing/mock_runtime_util.hpp"

namespace respan::testing::detail {

namespace {

// The write body (create and replace, both routes): every documented field and its shape.
const std::vector<FieldSpec>& write_fields() {
  static const std::vector<FieldSpec> kFields = {
      {"evaluator_id", FieldKind::kString},
      {"evaluator_slug", FieldKind::kString},
      {"log_id", FieldKind::kString},
      {"timestamp", FieldKind::kDatetime},
      {"environment", FieldKind::kString},
      {"prompt_id", FieldKind::kString},
      {"prompt_version_number", FieldKind::kInteger},
      {"dataset_id", FieldKind::kString},
      {"automation_id", FieldKind::kString},
      {"scorer", FieldKind::kString},
      {"numerical_value", FieldKind::kNumber},
      {"string_value", FieldKind::kString},
      {"boolean_value", FieldKind::kBoolean},
      {"categorical_value", FieldKind::kStringList},
      {"json_value", FieldKind::kJsonText},
  };
  return kFields;
}

// The value body (PATCH, both routes).
const std::vector<FieldSpec>& value_fields() {
  static const std::vector<FieldSpec> kFields = {
      {"numerical_value", FieldKind::kNumber}, {"string_value", FieldKind::kString},
      {"boolean_value", FieldKind::kBoolean},  {"categorical_value", FieldKind::kStringList},
      {"json_value", FieldKind::kJsonText},
  };
  return kFields;
}

// The Score object (create, lists, the log-scoped single-score routes).
Json score_view(const Json& stored) {
  return pick_or_null(stored, {"id",
                               "created_at",
                               "type",
                               "environment",
                               "numerical_value",
                               "string_value",
                               "boolean_value",
                               "categorical_value",
                               "json_value",
                               "is_passed",
                               "cost",
                               "evaluator_id",
                               "evaluator_slug",
                               "evaluator_name",
                               "scorer",
                               "log_id",
                               "prompt_id",
                               "prompt_version_number",
                               "dataset_id",
                               "automation_id",
                               "status",
                               "error_message"});
}

// The extended Score object of the general single-score routes (retrieve, replace, update).
Json score_extended(const Json& stored) {
  Json out = score_view(stored);
  out["inputs"] = stored.value("inputs", Json::object());
  out["evaluator"] = stored.value("evaluator", Json());
  return out;
}

bool has_text(const Json& body, const char* key) {
  const auto it = body.find(key);
  return it != body.end() && it->is_string() && !it->get_ref<const std::string&>().empty();
}

// Checks a write body. @throws HttpError 400.
void check_write(const Json& body) {
  check_fields(body, write_fields());
  if (!has_text(body, "evaluator_id") && !has_text(body, "evaluator_slug")) {
    throw bad_request("evaluator_id or evaluator_slug is required.");
  }
  const auto& values = value_fields();
  if (std::none_of(values.begin(), values.end(),
                   [&](const FieldSpec& f) { return body.contains(f.name); })) {
    throw bad_request(
        "A value is required: one of numerical_value, string_value, boolean_value, "
        "categorical_value, json_value.");
  }
}

// The evaluator key of the upsert rule: the id when given, else the slug.
std::string evaluator_key(const Json& score) {
  if (has_text(score, "evaluator_id")) return "id:" + score["evaluator_id"].get<std::string>();
  return "slug:" + score.value("evaluator_slug", std::string());
}

// `count` of score pages is the number of rows on the page (as the official client documents it;
// other lists count the total).
Json score_page(std::vector<Json> rows, const PageParams& page, const ApiRequest& req,
                const Json& current_filters) {
  Json out = page_of(rows, page, req);
  out["count"] = out["results"].size();
  out["current_filters"] = current_filters;
  return out;
}

}  // namespace

void RuntimeStore::require_log(const std::string& log_id) const {
  if (!config_.log_exists(log_id)) {
    throw HttpError(404, {{"detail", "Log " + log_id + " not found."}});
  }
}

Json RuntimeStore::score_from_body(const Json& body, const std::string& log_id,
                                   const std::string& scorer,
                                   const std::string& environment) const {
  Json s = pick_present(body, write_fields());
  s["log_id"] = log_id;
  s["scorer"] = scorer;
  if (!has(s, "environment")) s["environment"] = environment;
  const std::string name = has_text(s, "evaluator_slug") ? s["evaluator_slug"].get<std::string>()
                                                         : s.value("evaluator_id", std::string());
  s["evaluator_name"] = name;
  // [guess] The mock has no evaluators: every score is of a custom evaluator, evaluated at
  // once, free of charge.
  s["type"] = "custom";
  s["is_passed"] = nullptr;
  s["cost"] = 0.0;
  s["status"] = "success";
  s["error_message"] = nullptr;
  s["inputs"] = Json{{"input", nullptr},
                     {"output", nullptr},
                     {"metrics", Json::object()},
                     {"metadata", Json::object()}};
  s["evaluator"] = nullptr;
  return s;
}

RuntimeStore::ScoreRow& RuntimeStore::score_or_404(const std::string& id) {
  const auto it = scores_.find(id);
  if (it == scores_.end()) throw HttpError(404, {{"detail", "Score not found."}});
  return it->second;
}

RuntimeStore::ScoreRow& RuntimeStore::log_score_or_404(const std::string& log_id,
                                                       const std::string& id) {
  const auto it = scores_.find(id);
  if (it == scores_.end() || it->second.data.value("log_id", std::string()) != log_id) {
    throw HttpError(404, {{"detail", "Score not found for this log."}});
  }
  return it->second;
}

// ------------------------------------------------------------------------------ general routes

ApiResponse RuntimeStore::score_create(const ApiRequest& req, const std::string& scorer) {
  const Json body = body_object(req);
  check_write(body);
  if (!has_text(body, "log_id")) {
    throw bad_request("log_id is required (or post to /api/logs/{log_id}/scores/).");
  }
  const std::string log_id = body["log_id"].get<std::string>();
  if (!config_.log_exists(log_id)) throw bad_request("log_id: log " + log_id + " not found.");
  std::lock_guard<std::mutex> lock(mu_);
  check_room(scores_.size(), "scores");
  // The general route adds a score each time (no de-duplication documented); the caller may
  // name the scorer.
  Json s = score_from_body(body, log_id,
                           has_text(body, "scorer") ? body["scorer"].get<std::string>() : scorer,
                           req.environment);
  const std::string id = ids_.uuid4();
  s["id"] = id;
  s["created_at"] = format_iso8601(now_micros());
  scores_[id] = ScoreRow{s, ++seq_};
  return {201, score_view(s)};
}

ApiResponse RuntimeStore::scores_list(const ApiRequest& req) {
  const PageParams page = parse_page_params(req.query, 50, 100);
  const Json body = body_object(req);
  const CompiledFilters filters = filters_of(body);
  const Json echo =
      body.contains("filters") && body["filters"].is_object() ? body["filters"] : Json::object();
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<const ScoreRow*> ordered;
  for (const auto& [id, row] : scores_)
    ordered.push_back(&row);
  std::sort(ordered.begin(), ordered.end(),
            [](const ScoreRow* a, const ScoreRow* b) { return a->seq < b->seq; });
  std::vector<Json> rows;
  for (const ScoreRow* row : ordered) {
    Json view = score_view(row->data);
    if (matches_filters(view, filters)) rows.push_back(std::move(view));
  }
  return {200,
          score_page(sorted(std::move(rows), sort_param(req, "-created_at")), page, req, echo)};
}

ApiResponse RuntimeStore::score_get(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  return {200, score_extended(score_or_404(id).data)};
}

ApiResponse RuntimeStore::score_replace(const std::string& id, const ApiRequest& req,
                                        const std::string& scorer) {
  const Json body = body_object(req);
  check_write(body);
  if (has_text(body, "log_id") && !config_.log_exists(body["log_id"].get<std::string>())) {
    throw bad_request("log_id: log " + body["log_id"].get<std::string>() + " not found.");
  }
  std::lock_guard<std::mutex> lock(mu_);
  ScoreRow& row = score_or_404(id);
  // PUT: the write fields not sent are reset [guess]; the log is kept when not given.
  const std::string log_id = has_text(body, "log_id") ? body["log_id"].get<std::string>()
                                                      : row.data["log_id"].get<std::string>();
  Json s = score_from_body(body, log_id,
                           has_text(body, "scorer") ? body["scorer"].get<std::string>() : scorer,
                           req.environment);
  s["id"] = id;
  s["created_at"] = row.data["created_at"];
  row.data = std::move(s);
  return {200, score_extended(row.data)};
}

ApiResponse RuntimeStore::score_update(const std::string& id, const ApiRequest& req) {
  const Json body = body_object(req);
  check_fields(body, value_fields());
  std::lock_guard<std::mutex> lock(mu_);
  ScoreRow& row = score_or_404(id);
  const Json changes = pick_present(body, value_fields());  // items() of a temporary dangles
  for (auto& [k, v] : changes.items())
    row.data[k] = v;
  return {200, score_extended(row.data)};
}

ApiResponse RuntimeStore::score_delete(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  score_or_404(id);
  scores_.erase(id);
  return {204, std::nullopt};
}

// ------------------------------------------------------------------------------ log-scoped routes

ApiResponse RuntimeStore::log_scores_list(const std::string& log_id, const ApiRequest& req) {
  const PageParams page = parse_page_params(req.query, 50, 100);
  require_log(log_id);
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<const ScoreRow*> ordered;
  for (const auto& [id, row] : scores_) {
    if (row.data.value("log_id", std::string()) == log_id) ordered.push_back(&row);
  }
  std::sort(ordered.begin(), ordered.end(),
            [](const ScoreRow* a, const ScoreRow* b) { return a->seq > b->seq; });  // newest first
  std::vector<Json> rows;
  for (const ScoreRow* row : ordered)
    rows.push_back(score_view(row->data));
  return {200, score_page(std::move(rows), page, req, Json::object())};
}

ApiResponse RuntimeStore::log_score_upsert(const std::string& log_id, const ApiRequest& req,
                                           const std::string& scorer) {
  const Json body = body_object(req);
  check_write(body);
  require_log(log_id);
  std::lock_guard<std::mutex> lock(mu_);
  // On this route the scorer is the caller, whatever the body says.
  Json s = score_from_body(body, log_id, scorer, req.environment);
  // At most one score per (log, evaluator, scorer): a repeat overwrites it.
  const std::string key = evaluator_key(s);
  for (auto& [id, row] : scores_) {
    if (row.data.value("log_id", std::string()) == log_id && evaluator_key(row.data) == key &&
        row.data.value("scorer", std::string()) == scorer) {
      s["id"] = id;
      s["created_at"] = row.data["created_at"];
      row.data = std::move(s);
      return {200, score_view(row.data)};
    }
  }
  check_room(scores_.size(), "scores");
  const std::string id = ids_.uuid4();
  s["id"] = id;
  s["created_at"] = format_iso8601(now_micros());
  scores_[id] = ScoreRow{s, ++seq_};
  return {201, score_view(s)};
}

ApiResponse RuntimeStore::log_score_get(const std::string& log_id, const std::string& id) {
  require_log(log_id);
  std::lock_guard<std::mutex> lock(mu_);
  return {200, score_view(log_score_or_404(log_id, id).data)};
}

ApiResponse RuntimeStore::log_score_replace(const std::string& log_id, const std::string& id,
                                            const ApiRequest& req, const std::string& scorer) {
  const Json body = body_object(req);
  check_write(body);
  require_log(log_id);
  std::lock_guard<std::mutex> lock(mu_);
  ScoreRow& row = log_score_or_404(log_id, id);
  Json s = score_from_body(body, log_id, scorer, req.environment);
  s["id"] = id;
  s["created_at"] = row.data["created_at"];
  row.data = std::move(s);
  return {200, score_view(row.data)};
}

ApiResponse RuntimeStore::log_score_update(const std::string& log_id, const std::string& id,
                                           const ApiRequest& req) {
  const Json body = body_object(req);
  check_fields(body, value_fields());
  require_log(log_id);
  std::lock_guard<std::mutex> lock(mu_);
  ScoreRow& row = log_score_or_404(log_id, id);
  const Json changes = pick_present(body, value_fields());  // items() of a temporary dangles
  for (auto& [k, v] : changes.items())
    row.data[k] = v;
  return {200, score_view(row.data)};
}

ApiResponse RuntimeStore::log_score_delete(const std::string& log_id, const std::string& id) {
  require_log(log_id);
  std::lock_guard<std::mutex> lock(mu_);
  log_score_or_404(log_id, id);
  scores_.erase(id);
  return {204, std::nullopt};
}

std::vector<Json> RuntimeStore::scores() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<const ScoreRow*> ordered;
  for (const auto& [id, row] : scores_)
    ordered.push_back(&row);
  std::sort(ordered.begin(), ordered.end(),
            [](const ScoreRow* a, const ScoreRow* b) { return a->seq < b->seq; });
  std::vector<Json> out;
  for (const ScoreRow* row : ordered)
    out.push_back(score_extended(row->data));
  return out;
}

}  // namespace respan::testing::detail
