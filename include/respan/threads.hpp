/// @file threads.hpp
/// @brief The threads API: conversation threads, i.e. the spans that share a
/// `thread_identifier` (RequestLog::thread_identifier).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <respan/export.hpp>
#include <respan/filters.hpp>
#include <respan/models/common.hpp>
#include <respan/models/thread.hpp>
#include <respan/options.hpp>
#include <respan/pagination.hpp>
#include <respan/request_logs.hpp>
#include <respan/result.hpp>

namespace respan {

namespace detail {
class Pipeline;
}

/// Query of `POST /api/log_threads/`. Everything but `filters` travels in the URL.
///
/// Filter fields: `thread_identifier`, `customer_identifier`, `organization_key_id` (any other
/// key is sent as given).
struct RESPAN_EXPORT ThreadListQuery {
  Filters filters;                        ///< Body `filters`.
  std::optional<std::int64_t> page;       ///< 1-based; 1 is sent when unset.
  std::optional<std::int64_t> page_size;  ///< At most 1000.
  /// Free text. The API key's environment decides in practice (a production key lists
  /// production threads), so this is rarely needed.
  std::optional<std::string> environment;
};

/// The thread endpoint. Obtain with RespanClient::threads(); cheap to copy; safe to use from
/// many threads. The API lists threads only; a thread's spans come from the span list with a
/// `thread_identifier` filter, which spans() builds.
///
/// @code
/// for (auto& t : client.threads().list_all()) {
///   if (!t) { std::cerr << t.error() << '\n'; break; }
///   std::cout << t->thread_identifier << ": " << t->log_count.value_or(0) << " spans\n";
/// }
/// @endcode
class RESPAN_EXPORT ThreadsResource {
 public:
  /// Largest `page_size` of list().
  static constexpr std::int64_t kMaxPageSize = 1000;

  /// One page of `POST /api/log_threads/` (note: no `/list/` suffix on this path).
  Result<Page<ThreadRecord>> list(const ThreadListQuery& query = {},
                                  const RequestOptions& options = {}) const;

  /// Every matching thread, fetching pages lazily from `query.page` (default 1); ends on a page
  /// without `next` or an empty page.
  PageRange<ThreadRecord> list_all(ThreadListQuery query = {}, RequestOptions options = {}) const;

  /// The spans of thread `thread_identifier`, through `POST /api/request-logs/list/` with an
  /// equality filter on `thread_identifier` added to `query` (whose time window still applies:
  /// the span list's default is the last hour). An empty id is reported as the range's one
  /// ErrorCode::invalid_argument item.
  PageRange<RequestLogRecord> spans(const std::string& thread_identifier,
                                    RequestLogListQuery query = {},
                                    RequestOptions options = {}) const;

 private:
  friend class RespanClient;
  ThreadsResource(std::shared_ptr<const detail::Pipeline> p, RequestLogsResource logs)
      : pipeline_(std::move(p)), logs_(std::move(logs)) {}
  std::shared_ptr<const detail::Pipeline> pipeline_;
  RequestLogsResource logs_;
};

}  // namespace respan
