#include <respan/customers.hpp>

#include "http/pipeline.hpp"
#include "models/encode.hpp"
#include "resource_util.hpp"

namespace respan {

using detail::ApiRequest;
using detail::Idempotency;
using detail::QueryParams;

namespace {

std::string customer_path(const std::string& customer_identifier) {
  return "/api/users/" + detail::percent_encode(customer_identifier) + "/";
}

QueryParams environment_param(const std::optional<Environment>& environment) {
  QueryParams p;
  if (environment) p.emplace_back("environment", environment->value());
  return p;
}

// Retrieve and update answer the detail view, whose `id` is the customer identifier.
Result<CustomerRecord> with_identity(Result<CustomerRecord> r) {
  if (r && r->customer_identifier.empty() && r->id) r->customer_identifier = *r->id;
  return r;
}

std::optional<Error> check_update(const CustomerUpdate& u) {
  auto negative = [](const std::optional<double>& v) { return v && *v < 0; };
  const char* field = negative(u.period_budget)       ? "period_budget"
                      : negative(u.total_budget)      ? "total_budget"
                      : negative(u.markup_percentage) ? "markup_percentage"
                                                      : nullptr;
  if (field != nullptr) {
    return Error::make(ErrorCode::invalid_argument,
                       std::string("CustomerUpdate.") + field + ": may not be negative");
  }
  if (u.metadata && !u.metadata->is_object()) {
    return Error::make(ErrorCode::invalid_argument,
                       "CustomerUpdate.metadata: must be a JSON object");
  }
  return std::nullopt;
}

Result<Page<CustomerRecord>> list_page(const detail::Pipeline& p, const CustomerListQuery& q,
                                       const RequestOptions& o) {
  if (auto bad = detail::check_paging(q.page, q.page_size, CustomersResource::kMaxPageSize)) {
    return *bad;
  }
  QueryParams params;
  // The official client sends page=1 itself when none is given.
  detail::add_param(params, "page", std::optional<std::int64_t>(q.page.value_or(1)));
  detail::add_param(params, "page_size", q.page_size);
  detail::add_param(params, "sort_by", q.sort_by);
  if (q.environment) params.emplace_back("environment", q.environment->value());
  return p.call<Page<CustomerRecord>>(
      {HttpMethod::post, "/api/users/list/", std::move(params),
       detail::filters_body(q.filters, detail::FilterFamily::customers, p),
       Idempotency::idempotent},
      o);
}

}  // namespace

Result<Page<CustomerRecord>> CustomersResource::list(const CustomerListQuery& query,
                                                     const RequestOptions& options) const {
  return list_page(*pipeline_, query, options);
}

PageRange<CustomerRecord> CustomersResource::list_all(CustomerListQuery query,
                                                      RequestOptions options) const {
  return detail::all_pages_by_next<CustomerRecord>(
      std::move(query), [p = pipeline_, o = std::move(options)](const CustomerListQuery& q) {
        return list_page(*p, q, o);
      });
}

Result<CustomerRecord> CustomersResource::retrieve(const std::string& customer_identifier,
                                                   std::optional<Environment> environment,
                                                   const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(customer_identifier, "customer_identifier")) {
    return *bad;
  }
  return with_identity(pipeline_->call<CustomerRecord>({HttpMethod::get,
                                                        customer_path(customer_identifier),
                                                        environment_param(environment),
                                                        {},
                                                        Idempotency::idempotent},
                                                       options));
}

Result<CustomerRecord> CustomersResource::update(const std::string& customer_identifier,
                                                 const CustomerUpdate& update,
                                                 std::optional<Environment> environment,
                                                 const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(customer_identifier, "customer_identifier")) {
    return *bad;
  }
  if (auto bad = check_update(update)) return *bad;
  Result<Json> body = detail::encode(update, "CustomerUpdate");
  if (!body) return std::move(body).error();
  return with_identity(detail::call_object<CustomerRecord>(
      *pipeline_,
      {HttpMethod::patch, customer_path(customer_identifier), environment_param(environment),
       std::move(*body), Idempotency::idempotent},
      options));
}

Result<void> CustomersResource::remove(const std::string& customer_identifier,
                                       std::optional<Environment> environment,
                                       const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(customer_identifier, "customer_identifier")) {
    return *bad;
  }
  return pipeline_->call_void({HttpMethod::del,
                               customer_path(customer_identifier),
                               environment_param(environment),
                               {},
                               Idempotency::idempotent},
                              options);
}

}  // namespace respan
