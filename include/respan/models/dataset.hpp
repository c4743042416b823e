/// @file dataset.hpp
/// @brief Dataset models: the dataset to create (Dataset), the stored dataset (DatasetRecord),
/// the update body, and the evaluator-run request and result. See common.hpp for the conventions
/// every model follows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <respan/export.hpp>
#include <respan/filters.hpp>
#include <respan/json.hpp>
#include <respan/models/common.hpp>

namespace respan {

/// Documented values of DatasetStatus.
struct RESPAN_EXPORT DatasetStatusValues {
  static const std::vector<std::string_view>& known();
};

/// Lifecycle state of a dataset (`status`). Datasets built from logs or copied from another
/// dataset are filled in the background: `initializing`/`loading` until `ready` (or `failed`).
class RESPAN_EXPORT DatasetStatus : public OpenEnum<DatasetStatusValues> {
 public:
  using OpenEnum::OpenEnum;
  static DatasetStatus initializing() { return DatasetStatus("initializing"); }
  static DatasetStatus ready() { return DatasetStatus("ready"); }
  static DatasetStatus failed() { return DatasetStatus("failed"); }
  static DatasetStatus loading() { return DatasetStatus("loading"); }
};

/// Documented values of DatasetType.
struct RESPAN_EXPORT DatasetTypeValues {
  static const std::vector<std::string_view>& known();
};

/// Kind of dataset (`type`): "sampling" (built from request logs) or "llm".
class RESPAN_EXPORT DatasetType : public OpenEnum<DatasetTypeValues> {
 public:
  using OpenEnum::OpenEnum;
  static DatasetType sampling() { return DatasetType("sampling"); }
  static DatasetType llm() { return DatasetType("llm"); }
};

/// Body of `POST /api/datasets/`. Three ways to create a dataset: sample existing request logs
/// (`start_time`/`end_time`, optional `initial_log_filters` and `sampling`), an empty one
/// (`is_empty = true`), or a copy of another (`source_dataset_id`). Only set fields are sent.
struct RESPAN_EXPORT Dataset {
  std::optional<std::string> name;         ///< Required unless source_dataset_id is set.
  std::optional<std::string> description;  ///< Free text.
  std::optional<std::int64_t> sampling;  ///< Percent (1-100) of matching logs; server default 100.
  std::optional<Timestamp> start_time;   ///< Start of the log window (sampling from logs).
  std::optional<Timestamp> end_time;     ///< End of the log window (sampling from logs).
  std::optional<bool> is_empty;          ///< Create an empty dataset (times are then ignored).
  std::optional<Filters> initial_log_filters;    ///< Which request logs to sample.
  std::optional<std::string> source_dataset_id;  ///< Duplicate this dataset (copied async).
  Json extra;                                    ///< Other fields to send.
};
RESPAN_EXPORT void to_json(Json& j, const Dataset& d);
RESPAN_EXPORT void from_json(const Json& j, Dataset& d);

/// A tag attached to a dataset.
struct RESPAN_EXPORT DatasetTag {
  std::optional<std::string> id;     ///< Tag id (an integer id is kept as its decimal text).
  std::optional<std::string> name;   ///< Display name.
  std::optional<std::string> color;  ///< e.g. "#888888".
  Json extra;                        ///< Any other field.
};
RESPAN_EXPORT void to_json(Json& j, const DatasetTag& t);
RESPAN_EXPORT void from_json(const Json& j, DatasetTag& t);

/// A dataset as returned by create, list, retrieve and update. The list item and the
/// retrieve shape differ slightly; this struct is their union and every field is optional
/// except `id`. Ids the server sends as integers (`organization_id`, `organization`) are kept
/// as their decimal text.
struct RESPAN_EXPORT DatasetRecord {
  std::string id;                          ///< UUID of the dataset ("" if the server sent none).
  std::optional<std::string> name;         ///< Display name.
  std::optional<std::string> description;  ///< Free text.
  std::optional<DatasetType> type;         ///< sampling / llm.
  std::optional<DatasetStatus> status;     ///< initializing / ready / failed / loading.
  std::optional<std::int64_t> log_count;   ///< Number of logs in the dataset.
  std::optional<Timestamp> created_at;     ///< Creation time.
  std::optional<Timestamp> updated_at;     ///< Last modification time.
  std::optional<std::string> organization_id;              ///< Owning organization (list items).
  std::optional<std::string> organization;                 ///< Owning organization (retrieve).
  std::optional<UserRef> updated_by;                       ///< Who last changed it (list items).
  OptionalList<std::string> log_ids;                       ///< Log ids (list items).
  std::optional<std::int64_t> completed_annotation_count;  ///< Logs fully annotated.
  std::optional<std::string> running_status;          ///< Background job state, e.g. "pending".
  std::optional<double> running_progress;             ///< Background job progress.
  std::optional<Timestamp> running_at;                ///< When the background job started.
  std::optional<bool> starred;                        ///< Starred in the UI.
  OptionalList<DatasetTag> tags;                      ///< Attached tags.
  std::optional<Json> initial_log_filters;            ///< Filters the dataset was sampled with.
  OptionalList<std::string> unique_organization_ids;  ///< (retrieve)
  OptionalList<std::string> timestamps;               ///< (retrieve)
  std::optional<std::string> evaluator;               ///< Attached evaluator, if any (retrieve).
  Json extra;                                         ///< Any other field.
};
RESPAN_EXPORT void to_json(Json& j, const DatasetRecord& d);
RESPAN_EXPORT void from_json(const Json& j, DatasetRecord& d);

/// Body of `PATCH /api/datasets/{id}/`. Only set fields are sent (and changed).
struct RESPAN_EXPORT DatasetUpdate {
  std::optional<std::string> name;         ///< New name.
  std::optional<std::string> description;  ///< New description.
  std::optional<bool> starred;             ///< Star or unstar.
  OptionalList<std::string> tags;          ///< Tag ids; replaces the existing tags.
  Json extra;                              ///< Other fields to send.
};
RESPAN_EXPORT void to_json(Json& j, const DatasetUpdate& u);
RESPAN_EXPORT void from_json(const Json& j, DatasetUpdate& u);

/// Body of `POST /api/datasets/{id}/eval-reports/create/`.
struct RESPAN_EXPORT RunEvaluatorsRequest {
  std::vector<std::string> evaluator_ids;        ///< Evaluators to run (required, non-empty).
  std::optional<std::string> experiment_id;      ///< Attach the run to an experiment.
  std::optional<std::string> generation_method;  ///< Server default "auto".
  Json extra;                                    ///< Other fields to send.
};
RESPAN_EXPORT void to_json(Json& j, const RunEvaluatorsRequest& r);
RESPAN_EXPORT void from_json(const Json& j, RunEvaluatorsRequest& r);

/// Documented values of EvaluationTaskStatus.
struct RESPAN_EXPORT EvaluationTaskStatusValues {
  static const std::vector<std::string_view>& known();
};

/// State of an evaluation task (`status`). The value set is not documented: the named values
/// are the ones observed or implied ([guess]); anything else is kept verbatim.
class RESPAN_EXPORT EvaluationTaskStatus : public OpenEnum<EvaluationTaskStatusValues> {
 public:
  using OpenEnum::OpenEnum;
  static EvaluationTaskStatus pending() { return EvaluationTaskStatus("pending"); }
  static EvaluationTaskStatus running() { return EvaluationTaskStatus("running"); }
  static EvaluationTaskStatus completed() { return EvaluationTaskStatus("completed"); }
  static EvaluationTaskStatus failed() { return EvaluationTaskStatus("failed"); }
};

/// One evaluator run over a dataset (an item of `created_tasks` and of the eval-run list).
struct RESPAN_EXPORT EvaluationTask {
  std::string task_id;                               ///< Task id ("" if the server sent none).
  std::optional<std::string> name;                   ///< Display name.
  std::optional<std::string> dataset_id;             ///< Dataset evaluated.
  std::optional<std::string> evaluator_slug;         ///< Evaluator that ran.
  std::optional<EvaluationTaskStatus> status;        ///< pending / running / completed / ...
  std::optional<Timestamp> started_at;               ///< When it started.
  std::optional<Timestamp> completed_at;             ///< When it finished.
  std::optional<std::string> error_message;          ///< Why it failed.
  std::optional<std::int64_t> evaluated_logs_count;  ///< Logs scored so far.
  std::optional<double> score;                       ///< Aggregate score.
  Json extra;                                        ///< Any other field.
};
RESPAN_EXPORT void to_json(Json& j, const EvaluationTask& t);
RESPAN_EXPORT void from_json(const Json& j, EvaluationTask& t);

/// Response of `POST /api/datasets/{id}/eval-reports/create/`.
struct RESPAN_EXPORT RunEvaluatorsResult {
  std::vector<EvaluationTask> created_tasks;  ///< One task per evaluator started.
  Json errors = Json::object();               ///< Per-evaluator errors (evaluator -> reason).
  std::optional<bool> experiment_updated;     ///< The experiment got the evaluators.
  std::vector<std::string> experiment_evaluator_ids;  ///< Evaluators added to the experiment.
  Json extra;                                         ///< Any other field.
};
RESPAN_EXPORT void to_json(Json& j, const RunEvaluatorsResult& r);
RESPAN_EXPORT void from_json(const Json& j, RunEvaluatorsResult& r);

}  // namespace respan
