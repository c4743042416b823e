#include <respan/models/dataset.hpp>

#include "models/json_io.hpp"

namespace respan {

using detail::put;
using detail::put_extra;
using detail::put_required;
using detail::Reader;

const std::vector<std::string_view>& DatasetStatusValues::known() {
  static const auto* values =  // never destroyed: exporter threads may read it at exit
      new std::vector<std::string_view>{"initializing", "ready", "failed", "loading"};
  return *values;
}

const std::vector<std::string_view>& DatasetTypeValues::known() {
  static const auto* values =  // never destroyed: exporter threads may read it at exit
      new std::vector<std::string_view>{"sampling", "llm"};
  return *values;
}

const std::vector<std::string_view>& EvaluationTaskStatusValues::known() {
  static const auto* values =  // never destroyed: exporter threads may read it at exit
      new std::vector<std::string_view>{"pending", "running", "completed", "failed"};
  return *values;
}

// ------------------------------------------------------------------------------ Dataset

void to_json(Json& j_out, const Dataset& d) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = Json::object();
  put(j, "name", d.name);
  put(j, "description", d.description);
  put(j, "sampling", d.sampling);
  put(j, "start_time", d.start_time);
  put(j, "end_time", d.end_time);
  put(j, "is_empty", d.is_empty);
  if (d.initial_log_filters)
    put_required(j, "initial_log_filters", d.initial_log_filters->to_json());
  put(j, "source_dataset_id", d.source_dataset_id);
  put_extra(j, d.extra);
  j_out = std::move(j);
}

void from_json(const Json& j, Dataset& d) {
  d = Dataset{};
  Reader r(j);
  r.get("name", d.name);
  r.get("description", d.description);
  r.get("sampling", d.sampling);
  r.get("start_time", d.start_time);
  r.get("end_time", d.end_time);
  r.get("is_empty", d.is_empty);
  r.filters("initial_log_filters", d.initial_log_filters);
  r.id("source_dataset_id", d.source_dataset_id);
  d.extra = r.extra();
}

// ------------------------------------------------------------------------------ DatasetTag

void to_json(Json& j_out, const DatasetTag& t) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = Json::object();
  put(j, "id", t.id);
  put(j, "name", t.name);
  put(j, "color", t.color);
  put_extra(j, t.extra);
  j_out = std::move(j);
}

void from_json(const Json& j, DatasetTag& t) {
  t = DatasetTag{};
  if (j.is_string()) {  // a bare tag id
    t.id = j.get<std::string>();
    return;
  }
  Reader r(j);
  r.id("id", t.id);
  r.get("name", t.name);
  r.get("color", t.color);
  t.extra = r.extra();
}

// ------------------------------------------------------------------------------ DatasetRecord

void to_json(Json& j_out, const DatasetRecord& d) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = Json::object();
  if (!d.id.empty()) j["id"] = d.id;
  put(j, "name", d.name);
  put(j, "description", d.description);
  put(j, "type", d.type);
  put(j, "status", d.status);
  put(j, "log_count", d.log_count);
  put(j, "created_at", d.created_at);
  put(j, "updated_at", d.updated_at);
  put(j, "organization_id", d.organization_id);
  put(j, "organization", d.organization);
  put(j, "updated_by", d.updated_by);
  put(j, "log_ids", d.log_ids);
  put(j, "completed_annotation_count", d.completed_annotation_count);
  put(j, "running_status", d.running_status);
  put(j, "running_progress", d.running_progress);
  put(j, "running_at", d.running_at);
  put(j, "starred", d.starred);
  put(j, "tags", d.tags);
  put(j, "initial_log_filters", d.initial_log_filters);
  put(j, "unique_organization_ids", d.unique_organization_ids);
  put(j, "timestamps", d.timestamps);
  put(j, "evaluator", d.evaluator);
  put_extra(j, d.extra);
  j_out = std::move(j);
}

void from_json(const Json& j, DatasetRecord& d) {
  d = DatasetRecord{};
  Reader r(j);
  r.id("id", d.id);
  r.get("name", d.name);
  r.get("description", d.description);
  r.get("type", d.type);
  r.get("status", d.status);
  r.get("log_count", d.log_count);
  r.get("created_at", d.created_at);
  r.get("updated_at", d.updated_at);
  r.id("organization_id", d.organization_id);
  r.id("organization", d.organization);
  r.get("updated_by", d.updated_by);
  r.get("log_ids", d.log_ids);
  r.get("completed_annotation_count", d.completed_annotation_count);
  r.get("running_status", d.running_status);
  r.get("running_progress", d.running_progress);
  r.get("running_at", d.running_at);
  r.get("starred", d.starred);
  r.get("tags", d.tags);
  r.raw("initial_log_filters", d.initial_log_filters);
  r.get("unique_organization_ids", d.unique_organization_ids);
  r.get("timestamps", d.timestamps);
  r.get("evaluator", d.evaluator);
  d.extra = r.extra();
}

// ------------------------------------------------------------------------------ DatasetUpdate

void to_json(Json& j_out, const DatasetUpdate& u) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = Json::object();
  put(j, "name", u.name);
  put(j, "description", u.description);
  put(j, "starred", u.starred);
  put(j, "tags", u.tags);
  put_extra(j, u.extra);
  j_out = std::move(j);
}

void from_json(const Json& j, DatasetUpdate& u) {
  u = DatasetUpdate{};
  Reader r(j);
  r.get("name", u.name);
  r.get("description", u.description);
  r.get("starred", u.starred);
  r.get("tags", u.tags);
  u.extra = r.extra();
}

// ------------------------------------------------------------------------------ evaluators

void to_json(Json& j_out, const RunEvaluatorsRequest& req) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = Json::object();
  j["evaluator_ids"] = req.evaluator_ids;
  put(j, "experiment_id", req.experiment_id);
  put(j, "generation_method", req.generation_method);
  put_extra(j, req.extra);
  j_out = std::move(j);
}

void from_json(const Json& j, RunEvaluatorsRequest& req) {
  req = RunEvaluatorsRequest{};
  Reader r(j);
  r.get_or("evaluator_ids", req.evaluator_ids);
  r.id("experiment_id", req.experiment_id);
  r.get("generation_method", req.generation_method);
  req.extra = r.extra();
}

void to_json(Json& j_out, const EvaluationTask& t) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = Json::object();
  if (!t.task_id.empty()) j["task_id"] = t.task_id;
  put(j, "name", t.name);
  put(j, "dataset_id", t.dataset_id);
  put(j, "evaluator_slug", t.evaluator_slug);
  put(j, "status", t.status);
  put(j, "started_at", t.started_at);
  put(j, "completed_at", t.completed_at);
  put(j, "error_message", t.error_message);
  put(j, "evaluated_logs_count", t.evaluated_logs_count);
  put(j, "score", t.score);
  put_extra(j, t.extra);
  j_out = std::move(j);
}

void from_json(const Json& j, EvaluationTask& t) {
  t = EvaluationTask{};
  Reader r(j);
  r.id("task_id", t.task_id);
  r.get("name", t.name);
  r.id("dataset_id", t.dataset_id);
  r.get("evaluator_slug", t.evaluator_slug);
  r.get("status", t.status);
  r.get("started_at", t.started_at);
  r.get("completed_at", t.completed_at);
  r.get("error_message", t.error_message);
  r.get("evaluated_logs_count", t.evaluated_logs_count);
  r.get("score", t.score);
  t.extra = r.extra();
}

void to_json(Json& j_out, const RunEvaluatorsResult& res) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = Json::object();
  j["created_tasks"] = res.created_tasks;
  j["errors"] = res.errors;
  put(j, "experiment_updated", res.experiment_updated);
  j["experiment_evaluator_ids"] = res.experiment_evaluator_ids;
  put_extra(j, res.extra);
  j_out = std::move(j);
}

void from_json(const Json& j, RunEvaluatorsResult& res) {
  res = RunEvaluatorsResult{};
  Reader r(j);
  Json odd = Json::array();  // non-object items of created_tasks
  if (auto it = j.find("created_tasks"); it != j.end() && it->is_array()) {
    // Decode item by item so one odd task does not hide the others.
    for (const Json& item : *it) {
      if (item.is_object()) {
        res.created_tasks.push_back(item.get<EvaluationTask>());
      } else {
        odd.push_back(item);
      }
    }
    r.skip("created_tasks");
  } else if (it != j.end() && it->is_null()) {
    r.skip("created_tasks");
  }
  if (auto it = j.find("errors"); it != j.end()) {
    res.errors = it->is_null() ? Json::object() : *it;
    r.skip("errors");
  }
  r.get("experiment_updated", res.experiment_updated);
  r.get_or("experiment_evaluator_ids", res.experiment_evaluator_ids);
  res.extra = r.extra();
  if (!odd.empty()) res.extra["created_tasks"] = std::move(odd);
}

}  // namespace respan
