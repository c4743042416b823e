/// @file traces.hpp
/// @brief The traces API: list, retrieve with the span tree, delete, share/unshare, public read
/// and bulk delete by filters (https://www.respan.ai/docs/apis/traces/list-traces).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <respan/export.hpp>
#include <respan/filters.hpp>
#include <respan/models/common.hpp>
#include <respan/models/trace.hpp>
#include <respan/options.hpp>
#include <respan/pagination.hpp>
#include <respan/result.hpp>

namespace respan {

namespace detail {
class Pipeline;
}

/// Query of `POST /api/traces/list/`. Everything but `filters` travels in the URL.
///
/// Trace filter fields (documented): `trace_unique_id`, `customer_identifier`,
/// `environment`, `span_count`, `llm_call_count`, `error_count`, `total_cost`,
/// `total_tokens`, `total_prompt_tokens`, `total_completion_tokens`, `metadata__<key>`.
struct RESPAN_EXPORT TraceListQuery {
  Filters filters;                         ///< Body `filters`.
  std::optional<std::int64_t> page;        ///< 1-based (server default 1).
  std::optional<std::int64_t> page_size;   ///< At most 1000.
  std::optional<std::string> sort_by;      ///< e.g. "-timestamp", "-total_cost", "-duration".
  std::optional<Timestamp> start_time;     ///< Server default: one hour before end_time.
  std::optional<Timestamp> end_time;       ///< Server default: now.
  std::optional<std::string> environment;  ///< e.g. "prod" or "test".
};

/// Optional time bounds of retrieve() and remove() (`start_time` / `end_time` query
/// parameters), which help the server find the trace.
struct RESPAN_EXPORT TraceTimeWindow {
  std::optional<Timestamp> start_time;
  std::optional<Timestamp> end_time;
};

/// Body and query of `POST /api/traces/bulk/`.
struct RESPAN_EXPORT BulkDeleteTracesRequest {
  /// Which traces to delete: required and non-empty (the server refuses to delete
  /// everything; so does the SDK, before sending). Fields as in TraceListQuery.
  Filters filters;
  std::optional<Timestamp> start_time;     ///< Server default: one hour before end_time.
  std::optional<Timestamp> end_time;       ///< Server default: now.
  std::optional<std::string> environment;  ///< e.g. "prod" or "test".
};

/// The trace endpoints. Obtain with RespanClient::traces(); cheap to copy; safe to use from
/// many threads. Every call validates its arguments first and reports
/// ErrorCode::invalid_argument without sending anything when they are wrong (an empty or
/// unusable id, empty bulk-delete filters, a page size out of range). Ids are opaque strings
/// (the tracer's are 32 hex digits, but any id the server gave is accepted) and are
/// percent-encoded in the path.
///
/// Spans reach traces through the ingest endpoints (`POST /api/v1/traces/ingest`,
/// `POST /api/v2/traces`) that the tracer and BatchLogger use, or through span creation with
/// a `trace_unique_id`; this resource reads and manages the traces built from them.
///
/// @code
/// respan::TraceListQuery q;
/// q.filters.gte("error_count", 1);
/// q.sort_by = "-total_cost";
/// for (auto& trace : client.traces().list_all(q)) {
///   if (!trace) { std::cerr << trace.error() << '\n'; break; }
///   auto full = client.traces().retrieve(trace->trace_unique_id);  // with span_tree
/// }
/// @endcode
class RESPAN_EXPORT TracesResource {
 public:
  /// Largest `page_size` of list().
  static constexpr std::int64_t kMaxPageSize = 1000;

  /// One page of `POST /api/traces/list/` (filters in the body, the rest in the query). Rows
  /// carry no `span_tree`.
  Result<Page<TraceRecord>> list(const TraceListQuery& query = {},
                                 const RequestOptions& options = {}) const;

  /// Every matching trace, fetching pages lazily from `query.page` (default 1).
  PageRange<TraceRecord> list_all(TraceListQuery query = {}, RequestOptions options = {}) const;

  /// `GET /api/traces/{trace_unique_id}/`: the trace with its `span_tree`. A trace outside
  /// the given window is not found (ErrorCode::not_found).
  Result<TraceRecord> retrieve(const std::string& trace_unique_id,
                               const TraceTimeWindow& window = {},
                               const RequestOptions& options = {}) const;

  /// `DELETE /api/traces/{trace_unique_id}/`. A retry that finds the trace gone after an
  /// attempt whose answer was lost succeeds.
  Result<void> remove(const std::string& trace_unique_id, const TraceTimeWindow& window = {},
                      const RequestOptions& options = {}) const;

  /// `PATCH /api/traces/{trace_unique_id}/` with `{"is_public": is_public}`.
  Result<ShareTraceResult> set_public(const std::string& trace_unique_id, bool is_public,
                                      const RequestOptions& options = {}) const;

  /// Makes the trace readable without a key (retrieve_public()): set_public(id, true).
  Result<ShareTraceResult> share(const std::string& trace_unique_id,
                                 const RequestOptions& options = {}) const {
    return set_public(trace_unique_id, true, options);
  }

  /// Makes a shared trace private again: set_public(id, false).
  Result<ShareTraceResult> unshare(const std::string& trace_unique_id,
                                   const RequestOptions& options = {}) const {
    return set_public(trace_unique_id, false, options);
  }

  /// `GET /api/{unique_organization_id}/traces/{trace_unique_id}/`: a shared trace, as
  /// retrieve() returns it. Sent WITHOUT the Authorization header (the endpoint is public;
  /// the client's key never leaves the process on this call). `unique_organization_id` is
  /// TraceRecord::unique_organization_id. A trace that is not shared is not found.
  Result<TraceRecord> retrieve_public(const std::string& unique_organization_id,
                                      const std::string& trace_unique_id,
                                      const RequestOptions& options = {}) const;

  /// `POST /api/traces/bulk/`: deletes every trace matching `request.filters` in the time
  /// window. Empty filters are refused before sending (ErrorCode::invalid_argument); the
  /// server refuses a request matching more than 1000 traces (ErrorCode::bad_request):
  /// narrow the filters or the window. Retried like a DELETE: after a retry the
  /// `deleted_count` is that of the last attempt only.
  Result<BulkDeleteTracesResult> bulk_delete(const BulkDeleteTracesRequest& request,
                                             const RequestOptions& options = {}) const;

 private:
  friend class RespanClient;
  explicit TracesResource(std::shared_ptr<const detail::Pipeline> p) : pipeline_(std::move(p)) {}
  std::shared_ptr<const detail::Pipeline> pipeline_;
};

}  // namespace respan
