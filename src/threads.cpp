#include <respan/threads.hpp>

#include "http/pipeline.hpp"
#include "resource_util.hpp"

namespace respan {

using detail::Idempotency;
using detail::QueryParams;

namespace {

Result<Page<ThreadRecord>> list_page(const detail::Pipeline& p, const ThreadListQuery& q,
                                     const RequestOptions& o) {
  if (auto bad = detail::check_paging(q.page, q.page_size, ThreadsResource::kMaxPageSize)) {
    return *bad;
  }
  QueryParams params;
  // The official client sends page=1 itself when none is given.
  detail::add_param(params, "page", std::optional<std::int64_t>(q.page.value_or(1)));
  detail::add_param(params, "page_size", q.page_size);
  detail::add_param(params, "environment", q.environment);
  return p.call<Page<ThreadRecord>>(
      {HttpMethod::post, "/api/log_threads/", std::move(params),
       detail::filters_body(q.filters, detail::FilterFamily::threads, p), Idempotency::idempotent},
      o);
}

}  // namespace

Result<Page<ThreadRecord>> ThreadsResource::list(const ThreadListQuery& query,
                                                 const RequestOptions& options) const {
  return list_page(*pipeline_, query, options);
}

PageRange<ThreadRecord> ThreadsResource::list_all(ThreadListQuery query,
                                                  RequestOptions options) const {
  return detail::all_pages_by_next<ThreadRecord>(
      std::move(query), [p = pipeline_, o = std::move(options)](const ThreadListQuery& q) {
        return list_page(*p, q, o);
      });
}

PageRange<RequestLogRecord> ThreadsResource::spans(const std::string& thread_identifier,
                                                   RequestLogListQuery query,
                                                   RequestOptions options) const {
  if (thread_identifier.empty()) {
    return PageRange<RequestLogRecord>([](std::int64_t) -> Result<Page<RequestLogRecord>> {
      return Error::make(ErrorCode::invalid_argument, "thread_identifier: empty");
    });
  }
  query.filters.equals("thread_identifier", thread_identifier);
  return logs_.list_all(std::move(query), std::move(options));
}

}  // namespace respan
