/// @file dataset_log.hpp
/// @brief Dataset-log models: the log to create (DatasetLog), its acknowledgement, the update
/// body, the stored log (DatasetLogRecord), the export / import / remove requests and the
/// logs summary. See common.hpp for the conventions every model follows.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <respan/export.hpp>
#include <respan/filters.hpp>
#include <respan/json.hpp>
#include <respan/models/common.hpp>

namespace respan {

/// Body of `POST /api/datasets/{id}/logs/` and one row of the bulk endpoint, in the unified
/// input/output format. Only set fields are sent.
struct RESPAN_EXPORT DatasetLog {
  Json input;                           ///< Required: any JSON (null = missing).
  std::optional<Json> output;           ///< Any JSON.
  std::optional<Json> expected_output;  ///< Any JSON (ground truth for evaluators).
  std::optional<Json> metadata;         ///< JSON object, e.g. {"model", "log_type", custom keys}.
  std::optional<Json> metrics;          ///< JSON object, e.g. {"prompt_tokens", "cost", "latency"}.
  /// Prompt text (documented on update/replace; sent on create only when set).
  std::optional<std::string> prompt;
  /// Completion text (documented on update/replace; sent on create only when set).
  std::optional<std::string> completion;
  Json extra;  ///< Other top-level fields to send.
};
RESPAN_EXPORT void to_json(Json& j, const DatasetLog& c);
RESPAN_EXPORT void from_json(const Json& j, DatasetLog& c);

/// Response of `POST /api/datasets/{id}/logs/`.
struct RESPAN_EXPORT DatasetLogCreated {
  std::optional<std::string> message;  ///< e.g. "Dataset log created successfully".
  std::string unique_id;               ///< Id of the new log ("" if the server sent none).
  Json extra;                          ///< Any other field.
};
RESPAN_EXPORT void to_json(Json& j, const DatasetLogCreated& c);
RESPAN_EXPORT void from_json(const Json& j, DatasetLogCreated& c);

/// Body of `PATCH` (partial update: only set fields change) and `PUT` (replace: fields left
/// unset are removed server-side) of `/api/datasets/{id}/logs/{unique_id}/`.
struct RESPAN_EXPORT DatasetLogUpdate {
  std::optional<Json> input;              ///< Any JSON.
  std::optional<Json> output;             ///< Any JSON.
  std::optional<Json> expected_output;    ///< Any JSON.
  std::optional<std::string> prompt;      ///< Prompt text.
  std::optional<std::string> completion;  ///< Completion text.
  std::optional<Json> metadata;           ///< JSON object.
  /// JSON object of metrics (documented on create; sent on update/replace only when set).
  std::optional<Json> metrics;
  Json extra;  ///< Other fields to send.
};
RESPAN_EXPORT void to_json(Json& j, const DatasetLogUpdate& u);
RESPAN_EXPORT void from_json(const Json& j, DatasetLogUpdate& u);

/// A dataset log: an item of the list endpoint or the full log of retrieve / update / replace.
/// List rows may carry `input`/`output` as JSON-encoded strings: the value is kept as sent.
struct RESPAN_EXPORT DatasetLogRecord {
  std::optional<std::string> id;                     ///< Row id (often equal to unique_id).
  std::string unique_id;                             ///< Log id ("" if the server sent none).
  std::optional<std::string> organization_id;        ///< Integer ids are kept as decimal text.
  std::optional<std::string> environment;            ///< e.g. "prod", "test".
  std::optional<Timestamp> timestamp;                ///< Completion time.
  std::optional<Timestamp> start_time;               ///< Start time.
  std::optional<std::int64_t> prompt_tokens;         ///< Prompt tokens.
  std::optional<std::int64_t> completion_tokens;     ///< Completion tokens.
  std::optional<std::int64_t> total_request_tokens;  ///< Total tokens.
  std::optional<double> cost;                        ///< USD.
  std::optional<std::string> model;                  ///< Model name.
  std::optional<Seconds> latency;
  std::optional<std::int64_t> status_code;         ///< HTTP-like status of the call.
  std::optional<SpanStatus> status;                ///< success / error.
  std::optional<Json> prompt;                      ///< Prompt (usually text).
  std::optional<Json> completion;                  ///< Completion (usually text).
  std::optional<Json> messages;                    ///< Chat messages.
  std::optional<Json> input;                       ///< As the server sent it.
  std::optional<Json> output;                      ///< As the server sent it.
  std::optional<Json> expected_output;             ///< As the server sent it.
  std::optional<std::string> dataset_id;           ///< Owning dataset.
  std::optional<std::string> annotation_status;    ///< Annotation workflow state.
  std::optional<UserRef> annotation_completed_by;  ///< Who completed the annotation.
  /// Evaluator scores, normalised to evaluator id -> score object. List rows send an object
  /// keyed by evaluator id; single-log answers (retrieve, update, replace) send a list of score
  /// objects, keyed here by their `evaluator_id` (else `evaluator_slug`, else `id`; entries
  /// with none of them are only in raw_scores).
  std::map<std::string, Json> scores;
  std::optional<Json> raw_scores;  ///< `scores` exactly as the server sent it (object or list).
  std::optional<Json> metadata;    ///< JSON object.
  std::optional<Json> metrics;     ///< JSON object.
  std::optional<std::string> custom_identifier;  ///< Caller-defined id.
  std::optional<LogType> log_type;               ///< e.g. chat.
  Json extra;                                    ///< Any other field.
};
RESPAN_EXPORT void to_json(Json& j, const DatasetLogRecord& l);
RESPAN_EXPORT void from_json(const Json& j, DatasetLogRecord& l);

/// Documented values of ExportFormat.
struct RESPAN_EXPORT ExportFormatValues {
  static const std::vector<std::string_view>& known();
};

/// File format of a dataset-log export (`export_format`). Server default: csv.
class RESPAN_EXPORT ExportFormat : public OpenEnum<ExportFormatValues> {
 public:
  using OpenEnum::OpenEnum;
  static ExportFormat csv() { return ExportFormat(".csv"); }
  static ExportFormat jsonl() { return ExportFormat(".jsonl"); }
};

/// Body of an export request on `POST /api/datasets/{id}/logs/list/` (`is_exporting: true`).
/// The export runs asynchronously; the server answers with a message.
struct RESPAN_EXPORT ExportLogsRequest {
  Filters filters;                            ///< Which logs to export (empty = all).
  std::optional<ExportFormat> export_format;  ///< csv (server default) or jsonl.
  std::optional<std::string> name;            ///< Export file name.
  Json extra;                                 ///< Other fields to send.
};
/// Encodes with `"is_exporting": true`.
RESPAN_EXPORT void to_json(Json& j, const ExportLogsRequest& e);
RESPAN_EXPORT void from_json(const Json& j, ExportLogsRequest& e);

/// Body of `POST /api/datasets/{id}/logs/import/`: copies existing request logs into the
/// dataset in the background.
struct RESPAN_EXPORT ImportLogsRequest {
  Timestamp start_time;                             ///< Required.
  Timestamp end_time;                               ///< Required.
  Filters filters;                                  ///< Which logs (empty = all in the window).
  std::optional<std::int64_t> sampling_percentage;  ///< 1-100; server default 100.
  Json extra;                                       ///< Other fields to send.
};
RESPAN_EXPORT void to_json(Json& j, const ImportLogsRequest& i);
RESPAN_EXPORT void from_json(const Json& j, ImportLogsRequest& i);

/// Body of `DELETE /api/datasets/{id}/logs/import/`: removes logs in the background. Set
/// `is_deleting_all_logs` or give `filters` (at least one is required).
struct RESPAN_EXPORT RemoveLogsRequest {
  bool is_deleting_all_logs = false;  ///< Remove every log (sent only when true).
  Filters filters;                    ///< Remove the matching logs.
  Json extra;                         ///< Other fields to send.
};
RESPAN_EXPORT void to_json(Json& j, const RemoveLogsRequest& r);
RESPAN_EXPORT void from_json(const Json& j, RemoveLogsRequest& r);

/// Response of the dataset-log summaries (`GET` and `POST .../logs/summary/`).
using DatasetLogsSummary = LogsSummary;

}  // namespace respan
