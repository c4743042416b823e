#include <respan/traces.hpp>

#include "http/pipeline.hpp"
#include "models/encode.hpp"
#include "resource_util.hpp"

namespace respan {

using detail::ApiRequest;
using detail::QueryParams;

namespace {

std::string trace_path(const std::string& trace_unique_id) {
  return "/api/traces/" + detail::percent_encode(trace_unique_id) + "/";
}

QueryParams window_params(const TraceTimeWindow& w) {
  QueryParams p;
  detail::add_param(p, "start_time", w.start_time);
  detail::add_param(p, "end_time", w.end_time);
  return p;
}

Result<Page<TraceRecord>> list_page(const detail::Pipeline& p, const TraceListQuery& q,
                                    const RequestOptions& o) {
  if (auto bad = detail::check_paging(q.page, q.page_size, TracesResource::kMaxPageSize)) {
    return *bad;
  }
  QueryParams params;
  detail::add_param(params, "page", q.page);
  detail::add_param(params, "page_size", q.page_size);
  detail::add_param(params, "sort_by", q.sort_by);
  detail::add_param(params, "start_time", q.start_time);
  detail::add_param(params, "end_time", q.end_time);
  detail::add_param(params, "environment", q.environment);
  ApiRequest r{HttpMethod::post, "/api/traces/list/", std::move(params),
               detail::filters_body(q.filters, detail::FilterFamily::traces, p),
               detail::Idempotency::idempotent};
  return p.call<Page<TraceRecord>>(r, o);
}

}  // namespace

Result<Page<TraceRecord>> TracesResource::list(const TraceListQuery& query,
                                               const RequestOptions& options) const {
  return list_page(*pipeline_, query, options);
}

PageRange<TraceRecord> TracesResource::list_all(TraceListQuery query,
                                                RequestOptions options) const {
  return detail::all_pages<TraceRecord>(
      std::move(query), [p = pipeline_, o = std::move(options)](const TraceListQuery& q) {
        return list_page(*p, q, o);
      });
}

Result<TraceRecord> TracesResource::retrieve(const std::string& trace_unique_id,
                                             const TraceTimeWindow& window,
                                             const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(trace_unique_id, "trace_unique_id")) return *bad;
  return pipeline_->call<TraceRecord>({HttpMethod::get,
                                       trace_path(trace_unique_id),
                                       window_params(window),
                                       {},
                                       detail::Idempotency::idempotent},
                                      options);
}

Result<void> TracesResource::remove(const std::string& trace_unique_id,
                                    const TraceTimeWindow& window,
                                    const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(trace_unique_id, "trace_unique_id")) return *bad;
  return pipeline_->call_void({HttpMethod::del,
                               trace_path(trace_unique_id),
                               window_params(window),
                               {},
                               detail::Idempotency::idempotent},
                              options);
}

Result<ShareTraceResult> TracesResource::set_public(const std::string& trace_unique_id,
                                                    bool is_public,
                                                    const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(trace_unique_id, "trace_unique_id")) return *bad;
  return detail::call_update<ShareTraceResult>(*pipeline_,
                                               {HttpMethod::patch,
                                                trace_path(trace_unique_id),
                                                {},
                                                Json{{"is_public", is_public}},
                                                detail::Idempotency::idempotent},
                                               options);
}

Result<TraceRecord> TracesResource::retrieve_public(const std::string& unique_organization_id,
                                                    const std::string& trace_unique_id,
                                                    const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(unique_organization_id, "unique_organization_id")) {
    return *bad;
  }
  if (auto bad = detail::check_path_param(trace_unique_id, "trace_unique_id")) return *bad;
  ApiRequest r{HttpMethod::get,
               "/api/" + detail::percent_encode(unique_organization_id) + "/traces/" +
                   detail::percent_encode(trace_unique_id) + "/",
               {},
               {},
               detail::Idempotency::idempotent};
  r.authenticated = false;  // a public endpoint: the key is not sent
  return pipeline_->call<TraceRecord>(r, options);
}

Result<BulkDeleteTracesResult> TracesResource::bulk_delete(const BulkDeleteTracesRequest& request,
                                                           const RequestOptions& options) const {
  if (request.filters.empty()) {
    return Error::make(ErrorCode::invalid_argument,
                       "BulkDeleteTracesRequest::filters is empty: the server refuses to delete "
                       "every trace; give at least one filter");
  }
  QueryParams params;
  detail::add_param(params, "start_time", request.start_time);
  detail::add_param(params, "end_time", request.end_time);
  detail::add_param(params, "environment", request.environment);
  return detail::call_object<BulkDeleteTracesResult>(
      *pipeline_,
      {HttpMethod::post, "/api/traces/bulk/", std::move(params),
       detail::filters_body(request.filters, detail::FilterFamily::traces, *pipeline_),
       detail::Idempotency::idempotent},
      options);
}

}  // namespace respan
