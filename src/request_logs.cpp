#include <algorithm>

#include <respan/request_logs.hpp>

#include "http/pipeline.hpp"
#include "models/encode.hpp"
#include "resource_util.hpp"

namespace respan {

using detail::ApiRequest;
using detail::QueryParams;

namespace {

constexpr const char* kCreatePath = "/api/request-logs/";
constexpr const char* kLegacyCreatePath = "/api/request-logs/create/";

QueryParams list_params(const RequestLogListQuery& q) {
  QueryParams p;
  detail::add_param(p, "page", q.page);
  detail::add_param(p, "page_size", q.page_size);
  detail::add_param(p, "sort_by", q.sort_by);
  detail::add_param(p, "start_time", q.start_time);
  detail::add_param(p, "end_time", q.end_time);
  detail::add_param(p, "environment", q.environment);
  if (q.log_type) p.emplace_back("log_type", q.log_type->value());
  detail::add_list_param(p, "include_fields", q.include_fields);
  return p;
}

Result<Page<RequestLogRecord>> list_page(const detail::Pipeline& p, const RequestLogListQuery& q,
                                         const RequestOptions& o) {
  if (auto bad = detail::check_paging(q.page, q.page_size, 1000)) return *bad;
  ApiRequest r{HttpMethod::post, "/api/request-logs/list/", list_params(q),
               detail::filters_body(q.filters, detail::FilterFamily::spans, p),
               detail::Idempotency::idempotent};
  return p.call<Page<RequestLogRecord>>(r, o);
}

}  // namespace

Result<RequestLogCreated> RequestLogsResource::create(const RequestLog& span,
                                                      const RequestOptions& options) const {
  if (span.model.empty()) {
    return Error::make(ErrorCode::invalid_argument, "RequestLog::model is required");
  }
  const char* path =
      pipeline_->options().use_legacy_create_endpoint ? kLegacyCreatePath : kCreatePath;
  // Straight to JSON text: no Json DOM on the hot path (models/emit.hpp).
  ApiRequest request{HttpMethod::post, path, {}, std::nullopt, detail::Idempotency::span_create,
                     std::string()};
  request.body_text->reserve(512);
  if (auto encoded = detail::encode_text(span, "RequestLog", *request.body_text); !encoded) {
    return encoded.error();
  }
  return pipeline_->call<RequestLogCreated>(request, options);
}

Result<BulkResult> RequestLogsResource::create_bulk(const std::vector<RequestLog>& spans,
                                                    const RequestOptions& options) const {
  return detail::send_bulk(
      *pipeline_, "/api/request-logs/bulk/", spans, kMaxBulkSize,
      [](const RequestLog& s) -> std::string {
        if (s.model.empty()) return "model is required";
        return {};
      },
      options, detail::Idempotency::span_create, "RequestLog");
}

Result<Page<RequestLogRecord>> RequestLogsResource::list(const RequestLogListQuery& query,
                                                         const RequestOptions& options) const {
  return list_page(*pipeline_, query, options);
}

PageRange<RequestLogRecord> RequestLogsResource::list_all(RequestLogListQuery query,
                                                          RequestOptions options) const {
  return detail::all_pages<RequestLogRecord>(
      std::move(query), [p = pipeline_, o = std::move(options)](const RequestLogListQuery& q) {
        return list_page(*p, q, o);
      });
}

Result<Page<RequestLogRecord>> RequestLogsResource::list_legacy(
    const LegacyRequestLogListQuery& q, const RequestOptions& options) const {
  if (auto bad = detail::check_paging(q.page, q.page_size, 1000)) return *bad;
  QueryParams p;
  detail::add_param(p, "page", q.page);
  detail::add_param(p, "page_size", q.page_size);
  detail::add_param(p, "sort_by", q.sort_by);
  detail::add_param(p, "start_time", q.start_time);
  detail::add_param(p, "end_time", q.end_time);
  detail::add_param(p, "customer_identifier", q.customer_identifier);
  detail::add_list_param(p, "include_fields", q.include_fields);
  return pipeline_->call<Page<RequestLogRecord>>(
      {HttpMethod::get, "/api/request-logs/", std::move(p), {}, detail::Idempotency::idempotent},
      options);
}

Result<RequestLogRecord> RequestLogsResource::retrieve(const std::string& unique_id,
                                                       const RequestOptions& options) const {
  if (unique_id.empty()) return Error::make(ErrorCode::invalid_argument, "unique_id is empty");
  return pipeline_->call<RequestLogRecord>(
      {HttpMethod::get,
       "/api/request-logs/" + detail::percent_encode(unique_id) + "/",
       {},
       {},
       detail::Idempotency::idempotent},
      options);
}

Result<RequestLogRecord> RequestLogsResource::update(const std::string& unique_id,
                                                     const RequestLogUpdate& update,
                                                     const RequestOptions& options) const {
  if (unique_id.empty()) return Error::make(ErrorCode::invalid_argument, "unique_id is empty");
  Result<Json> body = detail::encode(update, "RequestLogUpdate");
  if (!body) return std::move(body).error();
  return detail::call_update<RequestLogRecord>(
      *pipeline_,
      {HttpMethod::patch,
       "/api/request-logs/" + detail::percent_encode(unique_id) + "/",
       {},
       std::move(*body),
       detail::Idempotency::idempotent},
      options);
}

Result<RequestLogSummary> RequestLogsResource::summary(const RequestLogSummaryQuery& q,
                                                       const RequestOptions& options) const {
  QueryParams p;
  detail::add_param(p, "start_time", q.start_time);
  detail::add_param(p, "end_time", q.end_time);
  detail::add_param(p, "environment", q.environment);
  return pipeline_->call<RequestLogSummary>(
      {HttpMethod::post, "/api/request-logs/summary/", std::move(p),
       detail::filters_body(q.filters, detail::FilterFamily::spans, *pipeline_),
       detail::Idempotency::idempotent},
      options);
}

}  // namespace respan
