/// @file customer.hpp
/// @brief Customer models (the API's "users"): your application's end users, identified by the
/// `customer_identifier` you put on logs. See common.hpp for the conventions every model
/// follows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <respan/export.hpp>
#include <respan/json.hpp>
#include <respan/models/common.hpp>

namespace respan {

/// Documented values of Environment.
struct RESPAN_EXPORT EnvironmentValues {
  static const std::vector<std::string_view>& known();
};

/// An environment of the customer endpoints (`environment`): prod or test.
class RESPAN_EXPORT Environment : public OpenEnum<EnvironmentValues> {
 public:
  using OpenEnum::OpenEnum;
  static Environment prod() { return Environment("prod"); }
  static Environment test() { return Environment("test"); }
};

/// Documented values of BudgetDuration.
struct RESPAN_EXPORT BudgetDurationValues {
  static const std::vector<std::string_view>& known();
};

/// The period of a customer's `period_budget` (`budget_duration`).
class RESPAN_EXPORT BudgetDuration : public OpenEnum<BudgetDurationValues> {
 public:
  using OpenEnum::OpenEnum;
  static BudgetDuration daily() { return BudgetDuration("daily"); }
  static BudgetDuration weekly() { return BudgetDuration("weekly"); }
  static BudgetDuration monthly() { return BudgetDuration("monthly"); }
};

/// A customer, as the list rows and the retrieve/update answers give it; the two shapes
/// differ and this struct is their union (fields one shape lacks stay unset).
///
/// The server's `id` means two things: in list rows a synthetic row id, in retrieve and
/// update answers the customer identifier. The identity is always `customer_identifier`
/// (filled from `id` for retrieve/update answers that lack it). List rows repeat three
/// metrics under legacy names (`total_requests`, `tokens`, `cost`): each canonical field is
/// filled from its legacy twin when the server sends only that one.
struct RESPAN_EXPORT CustomerRecord {
  std::string customer_identifier;  ///< Your key for the customer ("" if none was sent).
  std::optional<std::string> id;    ///< The server's `id` as sent (see above).
  std::optional<std::string> name;
  std::optional<std::string> email;
  std::optional<Environment> environment;
  // Usage (list rows).
  std::optional<std::string> unique_organization_id;
  std::optional<Timestamp> first_seen;
  std::optional<Timestamp> last_active_timeframe;  ///< Latest activity in the timeframe.
  std::optional<std::int64_t> active_days;
  std::optional<std::int64_t> number_of_requests;
  std::optional<std::int64_t> total_requests;  ///< Legacy twin of number_of_requests.
  std::optional<std::int64_t> total_tokens;
  std::optional<std::int64_t> tokens;  ///< Legacy twin of total_tokens.
  std::optional<double> total_cost;    ///< USD.
  std::optional<double> cost;          ///< Legacy twin of total_cost.
  std::optional<Seconds> average_latency;
  std::optional<Seconds> average_ttft;         ///< Average time to first token.
  std::optional<double> average_monthly_cost;  ///< USD, estimated.
  // Budget.
  std::optional<double> period_budget;  ///< USD per period.
  std::optional<BudgetDuration> budget_duration;
  std::optional<double> total_budget;  ///< USD, lifetime.
  // Detail view (retrieve / update).
  std::optional<std::string> organization_name;
  std::optional<double> total_period_usage;  ///< USD spent in the running period.
  std::optional<Timestamp> period_start;
  std::optional<Timestamp> period_end;
  std::optional<Timestamp> updated_at;
  Json extra;  ///< Any other field.
};
RESPAN_EXPORT void to_json(Json& j, const CustomerRecord& c);
RESPAN_EXPORT void from_json(const Json& j, CustomerRecord& c);

/// Body of `PATCH /api/users/{customer_identifier}/`: profile and budget; only set fields
/// change. `metadata` and `markup_percentage` are accepted by the API but never returned.
struct RESPAN_EXPORT CustomerUpdate {
  std::optional<std::string> email;
  std::optional<std::string> name;
  std::optional<Json> metadata;         ///< An object (merge vs replace is not documented).
  std::optional<double> period_budget;  ///< USD per period.
  std::optional<BudgetDuration> budget_duration;
  std::optional<double> total_budget;       ///< USD, lifetime.
  std::optional<Timestamp> period_start;    ///< Custom start of the budget period (UTC).
  std::optional<Timestamp> period_end;      ///< Custom end of the budget period (UTC).
  std::optional<double> markup_percentage;  ///< Added in this customer's usage reports.
  Json extra;                               ///< Other fields to send.
};
RESPAN_EXPORT void to_json(Json& j, const CustomerUpdate& u);
RESPAN_EXPORT void from_json(const Json& j, CustomerUpdate& u);

}  // namespace respan
