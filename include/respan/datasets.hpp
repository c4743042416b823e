/// @file datasets.hpp
/// @brief The dataset API: create, list, retrieve, update, delete datasets, run evaluators on
/// a dataset and list its evaluation runs. Dataset logs live in dataset_logs.hpp.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <respan/export.hpp>
#include <respan/filters.hpp>
#include <respan/models/common.hpp>
#include <respan/models/dataset.hpp>
#include <respan/options.hpp>
#include <respan/pagination.hpp>
#include <respan/result.hpp>

namespace respan {

namespace detail {
class Pipeline;
}

/// Query of `POST /api/datasets/list/`. Everything but `filters` travels in the URL.
struct RESPAN_EXPORT DatasetListQuery {
  Filters filters;                        ///< Body `filters`, e.g. name icontains "support".
  std::optional<std::int64_t> page;       ///< 1-based (server default 1).
  std::optional<std::int64_t> page_size;  ///< At most 100 (undocumented; Respan's MCP server's).
  std::optional<std::string> sort_by;     ///< e.g. "-created_at", "name".
};

/// Query of `GET /api/datasets/{id}/eval-reports/list/`.
struct RESPAN_EXPORT EvalRunListQuery {
  std::optional<std::int64_t> page;       ///< 1-based (server default 1).
  std::optional<std::int64_t> page_size;  ///< At most 100.
};

/// The dataset endpoints. Obtain with RespanClient::datasets(); cheap to copy; safe to use
/// from many threads. Every call validates its arguments first and reports
/// ErrorCode::invalid_argument without sending anything when they are wrong (e.g. an empty
/// dataset id, a non-finite number or a set-but-null field in the body: docs/conventions.md).
/// Path parameters are percent-encoded.
class RESPAN_EXPORT DatasetsResource {
 public:
  /// Largest `page_size` of the list calls.
  static constexpr std::int64_t kMaxPageSize = 100;

  /// `POST /api/datasets/`. `name` is required unless `source_dataset_id` is set; `sampling`
  /// must be 1-100. Datasets built from logs or copies fill in the background (`status`).
  Result<DatasetRecord> create(const Dataset& dataset, const RequestOptions& options = {}) const;

  /// One page of `POST /api/datasets/list/` (filters in the body, paging in the query).
  Result<Page<DatasetRecord>> list(const DatasetListQuery& query = {},
                                   const RequestOptions& options = {}) const;

  /// Every matching dataset, fetching pages lazily from `query.page` (default 1).
  PageRange<DatasetRecord> list_all(DatasetListQuery query = {}, RequestOptions options = {}) const;

  /// `GET /api/datasets/{id}/`.
  Result<DatasetRecord> retrieve(const std::string& dataset_id,
                                 const RequestOptions& options = {}) const;

  /// `PATCH /api/datasets/{id}/`: only the set fields change (`tags` replaces the tags).
  Result<DatasetRecord> update(const std::string& dataset_id, const DatasetUpdate& update,
                               const RequestOptions& options = {}) const;

  /// `DELETE /api/datasets/{id}/`: deletes the dataset and its logs.
  Result<void> remove(const std::string& dataset_id, const RequestOptions& options = {}) const;

  /// `POST /api/datasets/{id}/eval-reports/create/`: starts the evaluators on every log of the
  /// dataset. `evaluator_ids` must be non-empty. Evaluators the server cannot run are listed in
  /// RunEvaluatorsResult::errors (the call still succeeds).
  Result<RunEvaluatorsResult> run_evaluators(const std::string& dataset_id,
                                             const RunEvaluatorsRequest& request,
                                             const RequestOptions& options = {}) const;

  /// One page of `GET /api/datasets/{id}/eval-reports/list/` (newest first on the mock).
  Result<Page<EvaluationTask>> list_eval_runs(const std::string& dataset_id,
                                              const EvalRunListQuery& query = {},
                                              const RequestOptions& options = {}) const;

  /// Every evaluation run of the dataset, fetching pages lazily from `query.page`.
  PageRange<EvaluationTask> list_all_eval_runs(std::string dataset_id, EvalRunListQuery query = {},
                                               RequestOptions options = {}) const;

 private:
  friend class RespanClient;
  explicit DatasetsResource(std::shared_ptr<const detail::Pipeline> p) : pipeline_(std::move(p)) {}
  std::shared_ptr<const detail::Pipeline> pipeline_;
};

}  // namespace respan
