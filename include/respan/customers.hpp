/// @file customers.hpp
/// @brief The customers API (the API's `/api/users/...` routes): list your application's end
/// users with their usage, read, configure (profile, budget) and delete them.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <respan/export.hpp>
#include <respan/filters.hpp>
#include <respan/models/common.hpp>
#include <respan/models/customer.hpp>
#include <respan/options.hpp>
#include <respan/pagination.hpp>
#include <respan/result.hpp>

namespace respan {

namespace detail {
class Pipeline;
}

/// Query of `POST /api/users/list/`. Everything but `filters` travels in the URL.
///
/// Filter fields: `customer_identifier`, `name`, `email`, `number_of_requests`,
/// `total_tokens`, `total_cost`, `active_days` (any other key is sent as given).
struct RESPAN_EXPORT CustomerListQuery {
  Filters filters;                        ///< Body `filters`.
  std::optional<std::int64_t> page;       ///< 1-based; 1 is sent when unset.
  std::optional<std::int64_t> page_size;  ///< At most 1000.
  /// e.g. "customer_identifier", "email", "name", "-first_seen", "-number_of_requests",
  /// "-total_cost" (`-` = descending).
  std::optional<std::string> sort_by;
  std::optional<Environment> environment;  ///< prod / test; default: the API key's.
};

/// The customer endpoints. Obtain with RespanClient::customers(); cheap to copy; safe to use
/// from many threads. Every call validates its arguments first and reports
/// ErrorCode::invalid_argument without sending anything when they are wrong.
///
/// There is no create: a customer exists once a log carries its `customer_identifier`
/// (RequestLog::customer_identifier); configure it afterwards with update(). The customer
/// identifier is free text (often an e-mail address) and is percent-encoded into the path, so
/// `/`, `?` or `@` in it are safe. `environment` (prod / test) is a query parameter on every
/// call, PATCH and DELETE included; unset, the server uses the API key's environment. The API
/// documents a rate limit of 60 requests per minute per organization for these endpoints.
class RESPAN_EXPORT CustomersResource {
 public:
  /// Largest `page_size` of list().
  static constexpr std::int64_t kMaxPageSize = 1000;

  /// One page of `POST /api/users/list/` (rows carry usage and budget figures; their `id` is a
  /// synthetic row id).
  Result<Page<CustomerRecord>> list(const CustomerListQuery& query = {},
                                    const RequestOptions& options = {}) const;

  /// Every matching customer, fetching pages lazily from `query.page` (default 1); ends on a
  /// page without `next` or an empty page.
  PageRange<CustomerRecord> list_all(CustomerListQuery query = {},
                                     RequestOptions options = {}) const;

  /// `GET /api/users/{customer_identifier}/`: profile, budget and current period usage.
  Result<CustomerRecord> retrieve(const std::string& customer_identifier,
                                  std::optional<Environment> environment = std::nullopt,
                                  const RequestOptions& options = {}) const;

  /// `PATCH /api/users/{customer_identifier}/`: only the set fields change. Budgets and the
  /// markup may not be negative.
  Result<CustomerRecord> update(const std::string& customer_identifier,
                                const CustomerUpdate& update,
                                std::optional<Environment> environment = std::nullopt,
                                const RequestOptions& options = {}) const;

  /// `DELETE /api/users/{customer_identifier}/`: permanent.
  Result<void> remove(const std::string& customer_identifier,
                      std::optional<Environment> environment = std::nullopt,
                      const RequestOptions& options = {}) const;

 private:
  friend class RespanClient;
  explicit CustomersResource(std::shared_ptr<const detail::Pipeline> p) : pipeline_(std::move(p)) {}
  std::shared_ptr<const detail::Pipeline> pipeline_;
};

}  // namespace respan
