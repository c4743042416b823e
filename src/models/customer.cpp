#include <respan/models/customer.hpp>

#include "models/emit.hpp"
#include "models/json_io.hpp"

namespace respan {

using detail::Self;
namespace field = detail::field;

const std::vector<std::string_view>& EnvironmentValues::known() {
  static const std::vector<std::string_view> values = {"prod", "test"};
  return values;
}

const std::vector<std::string_view>& BudgetDurationValues::known() {
  static const std::vector<std::string_view> values = {"daily", "weekly", "monthly"};
  return values;
}

// Each model's fields are listed once, in its model_fields() (models/fields.hpp).

// ------------------------------------------------------------------------------ CustomerRecord

template <class V>
void model_fields(V& v, Self<V, CustomerRecord>& c) {
  v("customer_identifier", c.customer_identifier, field::id);
  v("id", c.id, field::id);
  v("name", c.name);
  v("email", c.email);
  v("environment", c.environment);
  v("unique_organization_id", c.unique_organization_id, field::id);
  v("first_seen", c.first_seen);
  v("last_active_timeframe", c.last_active_timeframe);
  v("active_days", c.active_days);
  v("number_of_requests", c.number_of_requests);
  v("total_requests", c.total_requests);
  v("total_tokens", c.total_tokens);
  v("tokens", c.tokens);
  v("total_cost", c.total_cost);
  v("cost", c.cost);
  v("average_latency", c.average_latency);
  v("average_ttft", c.average_ttft);
  v("average_monthly_cost", c.average_monthly_cost);
  v("period_budget", c.period_budget);
  v("budget_duration", c.budget_duration);
  v("total_budget", c.total_budget);
  v("organization_name", c.organization_name);
  v("total_period_usage", c.total_period_usage);
  v("period_start", c.period_start);
  v("period_end", c.period_end);
  v("updated_at", c.updated_at);
  v.fill(c.number_of_requests, c.total_requests);  // the legacy twins
  v.fill(c.total_tokens, c.tokens);
  v.fill(c.total_cost, c.cost);
  v.extra(c.extra);
}
RESPAN_MODEL_JSON(CustomerRecord)

// ------------------------------------------------------------------------------ CustomerUpdate

template <class V>
void model_fields(V& v, Self<V, CustomerUpdate>& u) {
  v("email", u.email);
  v("name", u.name);
  v("metadata", u.metadata);
  v("period_budget", u.period_budget);
  v("budget_duration", u.budget_duration);
  v("total_budget", u.total_budget);
  v("period_start", u.period_start);
  v("period_end", u.period_end);
  v("markup_percentage", u.markup_percentage);
  v.extra(u.extra);
}
RESPAN_MODEL_JSON(CustomerUpdate)

}  // namespace respan
