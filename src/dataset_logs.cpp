#include <algorithm>

#include <respan/dataset_logs.hpp>

#include "http/pipeline.hpp"
#include "models/encode.hpp"
#include "resource_util.hpp"

namespace respan {

using detail::ApiRequest;
using detail::QueryParams;

namespace {

std::string logs_path(const std::string& dataset_id) {
  return "/api/datasets/" + detail::percent_encode(dataset_id) + "/logs/";
}

std::string log_path(const std::string& dataset_id, const std::string& unique_id) {
  return logs_path(dataset_id) + detail::percent_encode(unique_id) + "/";
}

// Why a row of a bulk create cannot be sent, or "" when it is fine. Every field of a bulk row
// is optional, input included (the bulk create documents no required field): an unset
// input is left out of the row.
std::string invalid_bulk_row_reason(const DatasetLog& log) {
  if (log.metadata && !log.metadata->is_object()) return "metadata must be a JSON object";
  if (log.metrics && !log.metrics->is_object()) return "metrics must be a JSON object";
  return {};
}

// Why a log cannot be sent to the single create, or "" when it is fine: there `input` is
// required (the API documents it so).
std::string invalid_log_reason(const DatasetLog& log) {
  if (log.input.is_null()) return "input is required";
  return invalid_bulk_row_reason(log);
}

Result<Page<DatasetLogRecord>> list_page(const detail::Pipeline& p, const std::string& dataset_id,
                                         const DatasetLogListQuery& q, const RequestOptions& o) {
  if (auto bad = detail::check_path_param(dataset_id, "dataset_id")) return *bad;
  if (auto bad = detail::check_paging(q.page, q.page_size, DatasetLogsResource::kMaxPageSize)) {
    return *bad;
  }
  QueryParams params;
  detail::add_param(params, "page", q.page);
  detail::add_param(params, "page_size", q.page_size);
  detail::add_param(params, "sort_by", q.sort_by);
  detail::add_list_param(params, "include_fields", q.include_fields);
  return p.call<Page<DatasetLogRecord>>(
      {HttpMethod::post, logs_path(dataset_id) + "list/", std::move(params),
       detail::filters_body(q.filters, detail::FilterFamily::spans, p),
       detail::Idempotency::idempotent},
      o);
}

}  // namespace

Result<DatasetLogCreated> DatasetLogsResource::create(const DatasetLog& log,
                                                      const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(dataset_id_, "dataset_id")) return *bad;
  if (std::string why = invalid_log_reason(log); !why.empty()) {
    return Error::make(ErrorCode::invalid_argument, "DatasetLog: " + why);
  }
  Result<Json> body = detail::encode(log, "DatasetLog");
  if (!body) return std::move(body).error();
  return detail::call_object<DatasetLogCreated>(*pipeline_,
                                                {HttpMethod::post,
                                                 logs_path(dataset_id_),
                                                 {},
                                                 std::move(*body),
                                                 detail::Idempotency::non_idempotent},
                                                options);
}

Result<BulkResult> DatasetLogsResource::create_bulk(const std::vector<DatasetLog>& logs,
                                                    const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(dataset_id_, "dataset_id")) return *bad;
  return detail::send_bulk(
      *pipeline_, logs_path(dataset_id_) + "bulk/", logs, kMaxBulkSize,
      [](const DatasetLog& log) -> std::string { return invalid_bulk_row_reason(log); }, options,
      detail::Idempotency::non_idempotent, "DatasetLog");
}

Result<Page<DatasetLogRecord>> DatasetLogsResource::list(const DatasetLogListQuery& query,
                                                         const RequestOptions& options) const {
  return list_page(*pipeline_, dataset_id_, query, options);
}

PageRange<DatasetLogRecord> DatasetLogsResource::list_all(DatasetLogListQuery query,
                                                          RequestOptions options) const {
  return detail::all_pages<DatasetLogRecord>(
      std::move(query), [p = pipeline_, id = dataset_id_, o = std::move(options)](
                            const DatasetLogListQuery& q) { return list_page(*p, id, q, o); });
}

Result<MessageResponse> DatasetLogsResource::export_logs(const ExportLogsRequest& request,
                                                         const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(dataset_id_, "dataset_id")) return *bad;
  Result<Json> body = detail::encode(request, "ExportLogsRequest");
  if (!body) return std::move(body).error();
  return detail::call_object<MessageResponse>(*pipeline_,
                                              {HttpMethod::post,
                                               logs_path(dataset_id_) + "list/",
                                               {},
                                               std::move(*body),
                                               detail::Idempotency::non_idempotent},
                                              options);
}

Result<DatasetLogRecord> DatasetLogsResource::retrieve(const std::string& unique_id,
                                                       const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(dataset_id_, "dataset_id")) return *bad;
  if (auto bad = detail::check_path_param(unique_id, "unique_id")) return *bad;
  return pipeline_->call<DatasetLogRecord>(
      {HttpMethod::get, log_path(dataset_id_, unique_id), {}, {}, detail::Idempotency::idempotent},
      options);
}

Result<DatasetLogRecord> DatasetLogsResource::update(const std::string& unique_id,
                                                     const DatasetLogUpdate& update,
                                                     const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(dataset_id_, "dataset_id")) return *bad;
  if (auto bad = detail::check_path_param(unique_id, "unique_id")) return *bad;
  Result<Json> body = detail::encode(update, "DatasetLogUpdate");
  if (!body) return std::move(body).error();
  return detail::call_update<DatasetLogRecord>(*pipeline_,
                                               {HttpMethod::patch,
                                                log_path(dataset_id_, unique_id),
                                                {},
                                                std::move(*body),
                                                detail::Idempotency::idempotent},
                                               options);
}

Result<DatasetLogRecord> DatasetLogsResource::replace(const std::string& unique_id,
                                                      const DatasetLogUpdate& replacement,
                                                      const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(dataset_id_, "dataset_id")) return *bad;
  if (auto bad = detail::check_path_param(unique_id, "unique_id")) return *bad;
  Result<Json> body = detail::encode(replacement, "DatasetLogUpdate");
  if (!body) return std::move(body).error();
  return detail::call_update<DatasetLogRecord>(*pipeline_,
                                               {HttpMethod::put,
                                                log_path(dataset_id_, unique_id),
                                                {},
                                                std::move(*body),
                                                detail::Idempotency::idempotent},
                                               options);
}

Result<void> DatasetLogsResource::remove(const std::string& unique_id,
                                         const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(dataset_id_, "dataset_id")) return *bad;
  if (auto bad = detail::check_path_param(unique_id, "unique_id")) return *bad;
  return pipeline_->call_void(
      {HttpMethod::del, log_path(dataset_id_, unique_id), {}, {}, detail::Idempotency::idempotent},
      options);
}

Result<MessageResponse> DatasetLogsResource::import_logs(const ImportLogsRequest& request,
                                                         const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(dataset_id_, "dataset_id")) return *bad;
  if (request.start_time.empty() || request.end_time.empty()) {
    return Error::make(ErrorCode::invalid_argument,
                       "ImportLogsRequest: start_time and end_time are required");
  }
  const auto start = request.start_time.unix_micros();
  const auto end = request.end_time.unix_micros();
  if (!start || !end) {
    return Error::make(ErrorCode::invalid_argument,
                       "ImportLogsRequest: start_time and end_time must be ISO 8601 date-times");
  }
  if (*start > *end) {
    return Error::make(ErrorCode::invalid_argument,
                       "ImportLogsRequest: start_time must not be after end_time");
  }
  if (request.sampling_percentage &&
      (*request.sampling_percentage < 1 || *request.sampling_percentage > 100)) {
    return Error::make(ErrorCode::invalid_argument,
                       "ImportLogsRequest: sampling_percentage must be between 1 and 100");
  }
  detail::warn_unknown_filter_fields(request.filters, detail::FilterFamily::spans, *pipeline_);
  Result<Json> body = detail::encode(request, "ImportLogsRequest");
  if (!body) return std::move(body).error();
  return detail::call_object<MessageResponse>(*pipeline_,
                                              {HttpMethod::post,
                                               logs_path(dataset_id_) + "import/",
                                               {},
                                               std::move(*body),
                                               detail::Idempotency::non_idempotent},
                                              options);
}

Result<MessageResponse> DatasetLogsResource::remove_logs(const RemoveLogsRequest& request,
                                                         const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(dataset_id_, "dataset_id")) return *bad;
  if (!request.is_deleting_all_logs && request.filters.empty()) {
    return Error::make(ErrorCode::invalid_argument,
                       "RemoveLogsRequest: set is_deleting_all_logs or give filters");
  }
  detail::warn_unknown_filter_fields(request.filters, detail::FilterFamily::spans, *pipeline_);
  Result<Json> body = detail::encode(request, "RemoveLogsRequest");
  if (!body) return std::move(body).error();
  return detail::call_object<MessageResponse>(*pipeline_,
                                              {HttpMethod::del,
                                               logs_path(dataset_id_) + "import/",
                                               {},
                                               std::move(*body),
                                               detail::Idempotency::idempotent},
                                              options);
}

Result<DatasetLogsSummary> DatasetLogsResource::summary(const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(dataset_id_, "dataset_id")) return *bad;
  return pipeline_->call<DatasetLogsSummary>({HttpMethod::get,
                                              logs_path(dataset_id_) + "summary/",
                                              {},
                                              {},
                                              detail::Idempotency::idempotent},
                                             options);
}

Result<DatasetLogsSummary> DatasetLogsResource::summary(const Filters& filters,
                                                        const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(dataset_id_, "dataset_id")) return *bad;
  return pipeline_->call<DatasetLogsSummary>(
      {HttpMethod::post,
       logs_path(dataset_id_) + "summary/",
       {},
       detail::filters_body(filters, detail::FilterFamily::spans, *pipeline_),
       detail::Idempotency::idempotent},
      options);
}

}  // namespace respan
