/// @file request_logs.hpp
/// @brief The request-log (span) API: create, bulk create, list, retrieve, update, summary.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <respan/export.hpp>
#include <respan/filters.hpp>
#include <respan/models/common.hpp>
#include <respan/models/request_log.hpp>
#include <respan/options.hpp>
#include <respan/pagination.hpp>
#include <respan/result.hpp>

namespace respan {

namespace detail {
class Pipeline;
}

/// Query of `POST /api/request-logs/list/`. Everything but `filters` travels in the URL.
struct RESPAN_EXPORT RequestLogListQuery {
  Filters filters;                         ///< Body `filters`.
  std::optional<std::int64_t> page;        ///< 1-based (server default 1).
  std::optional<std::int64_t> page_size;   ///< Server default 50, at most 1000.
  std::optional<std::string> sort_by;      ///< e.g. "-timestamp" (the server default), "cost".
  std::optional<Timestamp> start_time;     ///< Server default: one hour before end_time.
  std::optional<Timestamp> end_time;       ///< Server default: now.
  std::optional<std::string> environment;  ///< e.g. "prod" or "test".
  /// Query-string log type. The list endpoint also knows values outside LogType::known()
  /// (e.g. LogType("text"), LogType("handoff")).
  std::optional<LogType> log_type;
  std::vector<std::string> include_fields;  ///< Only these fields per row (comma-joined).
};

/// Query of the legacy `GET /api/request-logs/` list (query parameters only).
struct RESPAN_EXPORT LegacyRequestLogListQuery {
  std::optional<std::int64_t> page;
  std::optional<std::int64_t> page_size;  ///< Server default 100, at most 1000.
  std::optional<std::string> sort_by;
  std::optional<Timestamp> start_time;
  std::optional<Timestamp> end_time;
  std::optional<std::string> customer_identifier;
  std::vector<std::string> include_fields;
};

/// Query of `POST /api/request-logs/summary/`.
struct RESPAN_EXPORT RequestLogSummaryQuery {
  Filters filters;  ///< Body `filters` (put log_type and the like here).
  std::optional<Timestamp> start_time;
  std::optional<Timestamp> end_time;
  std::optional<std::string> environment;
};

/// The request-log (span) endpoints. Obtain with RespanClient::request_logs(); cheap to
/// copy; safe to use from many threads. A body holding a non-finite number or a set-but-null
/// field is refused with ErrorCode::invalid_argument before anything is sent
/// (docs/conventions.md).
class RESPAN_EXPORT RequestLogsResource {
 public:
  /// Most spans one bulk request carries; create_bulk() splits larger inputs.
  static constexpr std::size_t kMaxBulkSize = 500;

  /// `POST /api/request-logs/` (or the legacy `/api/request-logs/create/` when
  /// ClientOptions::use_legacy_create_endpoint is set). `model` is required (not blank, no
  /// NUL byte).
  Result<RequestLogCreated> create(const RequestLog& span,
                                   const RequestOptions& options = {}) const;

  /// `POST /api/request-logs/bulk/` in chunks of at most kMaxBulkSize. Rows are validated
  /// locally first (a row without `model` is reported, not sent). Per-row errors carry the
  /// row's index in `spans`. A chunk that fails as a whole reports each of its rows as a
  /// row error; rows the server's answer does not account for are counted in
  /// BulkResult::unconfirmed_count, never as stored. The call fails only if no row could be
  /// delivered and a request failed. The call deadline (RequestOptions::call_deadline or
  /// ClientOptions::call_deadline) covers the whole call, all chunks together; chunks retry
  /// as span creates do (ClientOptions::span_delivery).
  Result<BulkResult> create_bulk(const std::vector<RequestLog>& spans,
                                 const RequestOptions& options = {}) const;

  /// One page of `POST /api/request-logs/list/`.
  Result<Page<RequestLogRecord>> list(const RequestLogListQuery& query = {},
                                      const RequestOptions& options = {}) const;

  /// Every matching span, fetching pages lazily from `query.page` (default 1).
  PageRange<RequestLogRecord> list_all(RequestLogListQuery query = {},
                                       RequestOptions options = {}) const;

  /// One page of the legacy `GET /api/request-logs/`.
  Result<Page<RequestLogRecord>> list_legacy(const LegacyRequestLogListQuery& query = {},
                                             const RequestOptions& options = {}) const;

  /// `GET /api/request-logs/{unique_id}/`.
  Result<RequestLogRecord> retrieve(const std::string& unique_id,
                                    const RequestOptions& options = {}) const;

  /// `PATCH /api/request-logs/{unique_id}/`: pin, feedback (or clear it), note, metadata
  /// (merged server-side). Returns the server's answer as a record (fields it omits stay unset;
  /// an empty body gives an empty record, an answer that is not a JSON object is
  /// ErrorCode::decode).
  Result<RequestLogRecord> update(const std::string& unique_id, const RequestLogUpdate& update,
                                  const RequestOptions& options = {}) const;

  /// `POST /api/request-logs/summary/`.
  Result<RequestLogSummary> summary(const RequestLogSummaryQuery& query = {},
                                    const RequestOptions& options = {}) const;

 private:
  friend class RespanClient;
  explicit RequestLogsResource(std::shared_ptr<const detail::Pipeline> p)
      : pipeline_(std::move(p)) {}
  std::shared_ptr<const detail::Pipeline> pipeline_;
};

}  // namespace respan
