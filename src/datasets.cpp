#include <respan/datasets.hpp>

#include "http/pipeline.hpp"
#include "models/encode.hpp"
#include "resource_util.hpp"

namespace respan {

using detail::ApiRequest;
using detail::QueryParams;

namespace {

std::string dataset_path(const std::string& id) {
  return "/api/datasets/" + detail::percent_encode(id) + "/";
}

Result<Page<DatasetRecord>> list_page(const detail::Pipeline& p, const DatasetListQuery& q,
                                      const RequestOptions& o) {
  if (auto bad = detail::check_paging(q.page, q.page_size, DatasetsResource::kMaxPageSize)) {
    return *bad;
  }
  QueryParams params;
  detail::add_param(params, "page", q.page);
  detail::add_param(params, "page_size", q.page_size);
  detail::add_param(params, "sort_by", q.sort_by);
  return p.call<Page<DatasetRecord>>(
      {HttpMethod::post, "/api/datasets/list/", std::move(params),
       detail::filters_body(q.filters, detail::FilterFamily::datasets, p),
       detail::Idempotency::idempotent},
      o);
}

Result<Page<EvaluationTask>> eval_page(const detail::Pipeline& p, const std::string& id,
                                       const EvalRunListQuery& q, const RequestOptions& o) {
  if (auto bad = detail::check_path_param(id, "dataset_id")) return *bad;
  if (auto bad = detail::check_paging(q.page, q.page_size, DatasetsResource::kMaxPageSize)) {
    return *bad;
  }
  QueryParams params;
  detail::add_param(params, "page", q.page);
  detail::add_param(params, "page_size", q.page_size);
  return p.call<Page<EvaluationTask>>({HttpMethod::get,
                                       dataset_path(id) + "eval-reports/list/",
                                       std::move(params),
                                       {},
                                       detail::Idempotency::idempotent},
                                      o);
}

}  // namespace

Result<DatasetRecord> DatasetsResource::create(const Dataset& dataset,
                                               const RequestOptions& options) const {
  const bool copying = dataset.source_dataset_id && !dataset.source_dataset_id->empty();
  if (!copying && (!dataset.name || dataset.name->empty())) {
    return Error::make(ErrorCode::invalid_argument,
                       "Dataset::name is required unless source_dataset_id is set");
  }
  if (dataset.sampling && (*dataset.sampling < 1 || *dataset.sampling > 100)) {
    return Error::make(ErrorCode::invalid_argument,
                       "Dataset::sampling must be a percentage between 1 and 100");
  }
  if (dataset.initial_log_filters) {
    detail::warn_unknown_filter_fields(*dataset.initial_log_filters, detail::FilterFamily::spans,
                                       *pipeline_);
  }
  Result<Json> body = detail::encode(dataset, "Dataset");
  if (!body) return std::move(body).error();
  return pipeline_->call<DatasetRecord>({HttpMethod::post,
                                         "/api/datasets/",
                                         {},
                                         std::move(*body),
                                         detail::Idempotency::non_idempotent},
                                        options);
}

Result<Page<DatasetRecord>> DatasetsResource::list(const DatasetListQuery& query,
                                                   const RequestOptions& options) const {
  return list_page(*pipeline_, query, options);
}

PageRange<DatasetRecord> DatasetsResource::list_all(DatasetListQuery query,
                                                    RequestOptions options) const {
  return detail::all_pages<DatasetRecord>(
      std::move(query), [p = pipeline_, o = std::move(options)](const DatasetListQuery& q) {
        return list_page(*p, q, o);
      });
}

Result<DatasetRecord> DatasetsResource::retrieve(const std::string& dataset_id,
                                                 const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(dataset_id, "dataset_id")) return *bad;
  return pipeline_->call<DatasetRecord>(
      {HttpMethod::get, dataset_path(dataset_id), {}, {}, detail::Idempotency::idempotent},
      options);
}

Result<DatasetRecord> DatasetsResource::update(const std::string& dataset_id,
                                               const DatasetUpdate& update,
                                               const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(dataset_id, "dataset_id")) return *bad;
  if (update.name && update.name->empty()) {
    return Error::make(ErrorCode::invalid_argument, "DatasetUpdate::name may not be empty");
  }
  Result<Json> body = detail::encode(update, "DatasetUpdate");
  if (!body) return std::move(body).error();
  return detail::call_update<DatasetRecord>(*pipeline_,
                                            {HttpMethod::patch,
                                             dataset_path(dataset_id),
                                             {},
                                             std::move(*body),
                                             detail::Idempotency::idempotent},
                                            options);
}

Result<void> DatasetsResource::remove(const std::string& dataset_id,
                                      const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(dataset_id, "dataset_id")) return *bad;
  return pipeline_->call_void(
      {HttpMethod::del, dataset_path(dataset_id), {}, {}, detail::Idempotency::idempotent},
      options);
}

Result<RunEvaluatorsResult> DatasetsResource::run_evaluators(const std::string& dataset_id,
                                                             const RunEvaluatorsRequest& request,
                                                             const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(dataset_id, "dataset_id")) return *bad;
  if (request.evaluator_ids.empty()) {
    return Error::make(ErrorCode::invalid_argument,
                       "RunEvaluatorsRequest::evaluator_ids must not be empty");
  }
  for (const auto& id : request.evaluator_ids) {
    if (id.empty()) {
      return Error::make(ErrorCode::invalid_argument,
                         "RunEvaluatorsRequest::evaluator_ids contains an empty id");
    }
  }
  Result<Json> body = detail::encode(request, "RunEvaluatorsRequest");
  if (!body) return std::move(body).error();
  return detail::call_object<RunEvaluatorsResult>(
      *pipeline_,
      {HttpMethod::post,
       dataset_path(dataset_id) + "eval-reports/create/",
       {},
       std::move(*body),
       detail::Idempotency::non_idempotent},
      options);
}

Result<Page<EvaluationTask>> DatasetsResource::list_eval_runs(const std::string& dataset_id,
                                                              const EvalRunListQuery& query,
                                                              const RequestOptions& options) const {
  return eval_page(*pipeline_, dataset_id, query, options);
}

PageRange<EvaluationTask> DatasetsResource::list_all_eval_runs(std::string dataset_id,
                                                               EvalRunListQuery query,
                                                               RequestOptions options) const {
  return detail::all_pages<EvaluationTask>(
      std::move(query), [p = pipeline_, id = std::move(dataset_id), o = std::move(options)](
                            const EvalRunListQuery& q) { return eval_page(*p, id, q, o); });
}

}  // namespace respan
