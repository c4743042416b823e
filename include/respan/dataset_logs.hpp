/// @file dataset_logs.hpp
/// @brief The logs of one dataset: create (one or in bulk), list, export, retrieve, update,
/// replace, delete, import existing request logs, remove logs by filter, summaries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <respan/export.hpp>
#include <respan/filters.hpp>
#include <respan/models/common.hpp>
#include <respan/models/dataset_log.hpp>
#include <respan/options.hpp>
#include <respan/pagination.hpp>
#include <respan/result.hpp>

namespace respan {

namespace detail {
class Pipeline;
}

/// Query of `POST /api/datasets/{id}/logs/list/`. Everything but `filters` travels in the URL.
struct RESPAN_EXPORT DatasetLogListQuery {
  Filters filters;                          ///< Body `filters`.
  std::optional<std::int64_t> page;         ///< 1-based (server default 1).
  std::optional<std::int64_t> page_size;    ///< At most 100.
  std::optional<std::string> sort_by;       ///< e.g. "-timestamp", "cost".
  std::vector<std::string> include_fields;  ///< Only these fields per row (comma-joined).
};

/// The log endpoints of one dataset. Obtain with RespanClient::dataset_logs(dataset_id); the
/// id may be `_saved_logs` (the virtual saved-logs collection). Cheap to copy; safe to use from
/// many threads. An empty dataset id, an empty log id, or a body holding a non-finite number or
/// a set-but-null field (docs/conventions.md) fails the call with ErrorCode::invalid_argument
/// before anything is sent. Path parameters are percent-encoded.
class RESPAN_EXPORT DatasetLogsResource {
 public:
  /// Most logs one bulk request carries; create_bulk() splits larger inputs.
  static constexpr std::size_t kMaxBulkSize = 500;
  /// Largest `page_size` of list().
  static constexpr std::int64_t kMaxPageSize = 100;

  /// The dataset this resource is bound to.
  const std::string& dataset_id() const noexcept { return dataset_id_; }

  /// `POST /api/datasets/{id}/logs/`. `input` is required; `metadata`/`metrics` must be
  /// objects when set.
  Result<DatasetLogCreated> create(const DatasetLog& log, const RequestOptions& options = {}) const;

  /// `POST /api/datasets/{id}/logs/bulk/` in chunks of at most kMaxBulkSize. Rows are checked
  /// locally first (a row without `input` is reported, not sent). Per-row errors carry the
  /// row's index in `logs`. A chunk that fails as a whole reports each of its rows as a row
  /// error; rows the server's answer does not account for are counted in
  /// BulkResult::unconfirmed_count, never as stored. The call fails only if no row was stored
  /// and a request failed. The call deadline covers the whole call, all chunks together. A
  /// chunk is not idempotent: it is retried only when it certainly was not processed.
  Result<BulkResult> create_bulk(const std::vector<DatasetLog>& logs,
                                 const RequestOptions& options = {}) const;

  /// One page of `POST /api/datasets/{id}/logs/list/`.
  Result<Page<DatasetLogRecord>> list(const DatasetLogListQuery& query = {},
                                      const RequestOptions& options = {}) const;

  /// Every matching log, fetching pages lazily from `query.page` (default 1).
  PageRange<DatasetLogRecord> list_all(DatasetLogListQuery query = {},
                                       RequestOptions options = {}) const;

  /// Starts an asynchronous export: `POST /api/datasets/{id}/logs/list/` with
  /// `is_exporting: true`. (Named export_logs because `export` is a C++ keyword.)
  Result<MessageResponse> export_logs(const ExportLogsRequest& request = {},
                                      const RequestOptions& options = {}) const;

  /// `GET /api/datasets/{id}/logs/{unique_id}/`.
  Result<DatasetLogRecord> retrieve(const std::string& unique_id,
                                    const RequestOptions& options = {}) const;

  /// `PATCH /api/datasets/{id}/logs/{unique_id}/`: only the set fields change.
  Result<DatasetLogRecord> update(const std::string& unique_id, const DatasetLogUpdate& update,
                                  const RequestOptions& options = {}) const;

  /// `PUT /api/datasets/{id}/logs/{unique_id}/`: replaces the log; fields left unset in
  /// `replacement` are removed server-side (the way to remove a field of a dataset log).
  Result<DatasetLogRecord> replace(const std::string& unique_id,
                                   const DatasetLogUpdate& replacement,
                                   const RequestOptions& options = {}) const;

  /// `DELETE /api/datasets/{id}/logs/{unique_id}/`.
  Result<void> remove(const std::string& unique_id, const RequestOptions& options = {}) const;

  /// `POST /api/datasets/{id}/logs/import/`: copies request logs of the time window (and
  /// matching the filters) into the dataset, in the background. Both times are required and
  /// must parse as ISO 8601 with start <= end; `sampling_percentage` must be 1-100.
  Result<MessageResponse> import_logs(const ImportLogsRequest& request,
                                      const RequestOptions& options = {}) const;

  /// `DELETE /api/datasets/{id}/logs/import/` with a JSON body: removes every log
  /// (`is_deleting_all_logs`) or the matching ones, in the background. One of the two is
  /// required.
  Result<MessageResponse> remove_logs(const RemoveLogsRequest& request,
                                      const RequestOptions& options = {}) const;

  /// `GET /api/datasets/{id}/logs/summary/`: aggregates over every log of the dataset.
  Result<DatasetLogsSummary> summary(const RequestOptions& options = {}) const;

  /// `POST /api/datasets/{id}/logs/summary/` with `{"filters": ...}` (or `{}` when empty):
  /// aggregates over the matching logs.
  Result<DatasetLogsSummary> summary(const Filters& filters,
                                     const RequestOptions& options = {}) const;

 private:
  friend class RespanClient;
  DatasetLogsResource(std::shared_ptr<const detail::Pipeline> p, std::string id)
      : pipeline_(std::move(p)), dataset_id_(std::move(id)) {}
  std::shared_ptr<const detail::Pipeline> pipeline_;
  std::string dataset_id_;
};

}  // namespace respan
