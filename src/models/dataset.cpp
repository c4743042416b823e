#include <respan/models/dataset.hpp>

#include "models/emit.hpp"
#include "models/json_io.hpp"

namespace respan {

using detail::Self;
namespace field = detail::field;

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

template <class V>
void model_fields(V& v, Self<V, Dataset>& d) {
  v("name", d.name);
  v("description", d.description);
  v("sampling", d.sampling);
  v("start_time", d.start_time);
  v("end_time", d.end_time);
  v("is_empty", d.is_empty);
  v("initial_log_filters", d.initial_log_filters);
  v("source_dataset_id", d.source_dataset_id, field::id);
  v.extra(d.extra);
}
RESPAN_MODEL_JSON(Dataset)

// ------------------------------------------------------------------------------ DatasetTag

template <class V>
void model_fields(V& v, Self<V, DatasetTag>& t) {
  v("id", t.id, field::id);
  v("name", t.name);
  v("color", t.color);
  v.extra(t.extra);
}

void to_json(Json& j, const DatasetTag& t) {
  detail::write_dom(j, t);
}

void from_json(const Json& j, DatasetTag& t) {
  if (!j.is_string()) return detail::read_fields(j, t);
  t = DatasetTag{};
  t.id = j.get<std::string>();  // a bare tag id
}

// ------------------------------------------------------------------------------ DatasetRecord

template <class V>
void model_fields(V& v, Self<V, DatasetRecord>& d) {
  v("id", d.id, field::id);
  v("name", d.name);
  v("description", d.description);
  v("type", d.type);
  v("status", d.status);
  v("log_count", d.log_count);
  v("created_at", d.created_at);
  v("updated_at", d.updated_at);
  v("organization_id", d.organization_id, field::id);
  v("organization", d.organization, field::id);
  v("updated_by", d.updated_by);
  v("log_ids", d.log_ids);
  v("completed_annotation_count", d.completed_annotation_count);
  v("running_status", d.running_status);
  v("running_progress", d.running_progress);
  v("running_at", d.running_at);
  v("starred", d.starred);
  v("tags", d.tags);
  v("initial_log_filters", d.initial_log_filters);
  v("unique_organization_ids", d.unique_organization_ids);
  v("timestamps", d.timestamps);
  v("evaluator", d.evaluator);
  v.extra(d.extra);
}
RESPAN_MODEL_JSON(DatasetRecord)

// ------------------------------------------------------------------------------ DatasetUpdate

template <class V>
void model_fields(V& v, Self<V, DatasetUpdate>& u) {
  v("name", u.name);
  v("description", u.description);
  v("starred", u.starred);
  v("tags", u.tags);
  v.extra(u.extra);
}
RESPAN_MODEL_JSON(DatasetUpdate)

// ------------------------------------------------------------------------------ evaluators

template <class V>
void model_fields(V& v, Self<V, RunEvaluatorsRequest>& req) {
  v("evaluator_ids", req.evaluator_ids);
  v("experiment_id", req.experiment_id, field::id);
  v("generation_method", req.generation_method);
  v.extra(req.extra);
}
RESPAN_MODEL_JSON(RunEvaluatorsRequest)

template <class V>
void model_fields(V& v, Self<V, EvaluationTask>& t) {
  v("task_id", t.task_id, field::id);
  v("name", t.name);
  v("dataset_id", t.dataset_id, field::id);
  v("evaluator_slug", t.evaluator_slug);
  v("status", t.status);
  v("started_at", t.started_at);
  v("completed_at", t.completed_at);
  v("error_message", t.error_message);
  v("evaluated_logs_count", t.evaluated_logs_count);
  v("score", t.score);
  v.extra(t.extra);
}
RESPAN_MODEL_JSON(EvaluationTask)

namespace {
// The tasks decoded one by one, so one odd task does not hide the others: the items that are
// not objects go to extra under the field's name.
struct TasksCodec : field::Codec {
  template <class R>
  void read(R& r, const char* k, std::vector<EvaluationTask>& out) const {
    const Json* v = r.find(k);
    if (v == nullptr || !(v->is_array() || v->is_null())) return;
    r.understood(k);
    if (v->is_null()) return;
    Json odd = Json::array();
    for (const Json& item : *v) {
      if (item.is_object()) {
        out.push_back(item.get<EvaluationTask>());
      } else {
        odd.push_back(item);
      }
    }
    if (!odd.empty()) r.add_extra(k, std::move(odd));
  }
};
}  // namespace

template <class V>
void model_fields(V& v, Self<V, RunEvaluatorsResult>& res) {
  v("created_tasks", res.created_tasks, TasksCodec{});
  v("errors", res.errors);
  v("experiment_updated", res.experiment_updated);
  v("experiment_evaluator_ids", res.experiment_evaluator_ids);
  v.extra(res.extra);
}
RESPAN_MODEL_JSON(RunEvaluatorsResult)

}  // namespace respan
