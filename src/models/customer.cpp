#include <respan/models/customer.hpp>

#include "models/emit.hpp"
#include "models/json_io.hpp"

namespace respan {

using detail::Reader;

const std::vector<std::string_view>& EnvironmentValues::known() {
  static const std::vector<std::string_view> values = {"prod", "test"};
  return values;
}

const std::vector<std::string_view>& BudgetDurationValues::known() {
  static const std::vector<std::string_view> values = {"daily", "weekly", "monthly"};
  return values;
}

// Each model's fields are listed once, in emit_fields() (models/emit.hpp).
namespace {
template <class M>
Json dom_object(const M& m) {
  Json j = Json::object();
  detail::DomOut o{j};
  emit_fields(o, m);
  return j;
}
}  // namespace

// ------------------------------------------------------------------------------ CustomerRecord

template <class Out>
void emit_fields(Out& o, const CustomerRecord& c) {
  if (!c.customer_identifier.empty()) o.required("customer_identifier", c.customer_identifier);
  o.opt("id", c.id);
  o.opt("name", c.name);
  o.opt("email", c.email);
  o.opt("environment", c.environment);
  o.opt("unique_organization_id", c.unique_organization_id);
  o.opt("first_seen", c.first_seen);
  o.opt("last_active_timeframe", c.last_active_timeframe);
  o.opt("active_days", c.active_days);
  o.opt("number_of_requests", c.number_of_requests);
  o.opt("total_requests", c.total_requests);
  o.opt("total_tokens", c.total_tokens);
  o.opt("tokens", c.tokens);
  o.opt("total_cost", c.total_cost);
  o.opt("cost", c.cost);
  o.opt("average_latency", c.average_latency);
  o.opt("average_ttft", c.average_ttft);
  o.opt("average_monthly_cost", c.average_monthly_cost);
  o.opt("period_budget", c.period_budget);
  o.opt("budget_duration", c.budget_duration);
  o.opt("total_budget", c.total_budget);
  o.opt("organization_name", c.organization_name);
  o.opt("total_period_usage", c.total_period_usage);
  o.opt("period_start", c.period_start);
  o.opt("period_end", c.period_end);
  o.opt("updated_at", c.updated_at);
  o.extra(c.extra);
}

void to_json(Json& j_out, const CustomerRecord& c) {
  j_out = dom_object(c);
}

void from_json(const Json& j, CustomerRecord& c) {
  c = CustomerRecord{};
  Reader r(j);
  r.id("customer_identifier", c.customer_identifier);
  r.id("id", c.id);
  r.get("name", c.name);
  r.get("email", c.email);
  r.get("environment", c.environment);
  r.id("unique_organization_id", c.unique_organization_id);
  r.get("first_seen", c.first_seen);
  r.get("last_active_timeframe", c.last_active_timeframe);
  r.get("active_days", c.active_days);
  r.get("number_of_requests", c.number_of_requests);
  r.get("total_requests", c.total_requests);
  r.get("total_tokens", c.total_tokens);
  r.get("tokens", c.tokens);
  r.get("total_cost", c.total_cost);
  r.get("cost", c.cost);
  r.get("average_latency", c.average_latency);
  r.get("average_ttft", c.average_ttft);
  r.get("average_monthly_cost", c.average_monthly_cost);
  r.get("period_budget", c.period_budget);
  r.get("budget_duration", c.budget_duration);
  r.get("total_budget", c.total_budget);
  r.get("organization_name", c.organization_name);
  r.get("total_period_usage", c.total_period_usage);
  r.get("period_start", c.period_start);
  r.get("period_end", c.period_end);
  r.get("updated_at", c.updated_at);
  // The legacy twins fill the canonical fields the server left out.
  if (!c.number_of_requests) c.number_of_requests = c.total_requests;
  if (!c.total_tokens) c.total_tokens = c.tokens;
  if (!c.total_cost) c.total_cost = c.cost;
  c.extra = r.extra();
}

// ------------------------------------------------------------------------------ CustomerUpdate

template <class Out>
void emit_fields(Out& o, const CustomerUpdate& u) {
  o.opt("email", u.email);
  o.opt("name", u.name);
  o.opt("metadata", u.metadata);
  o.opt("period_budget", u.period_budget);
  o.opt("budget_duration", u.budget_duration);
  o.opt("total_budget", u.total_budget);
  o.opt("period_start", u.period_start);
  o.opt("period_end", u.period_end);
  o.opt("markup_percentage", u.markup_percentage);
  o.extra(u.extra);
}

void to_json(Json& j_out, const CustomerUpdate& u) {
  j_out = dom_object(u);
}

void from_json(const Json& j, CustomerUpdate& u) {
  u = CustomerUpdate{};
  Reader r(j);
  r.get("email", u.email);
  r.get("name", u.name);
  r.raw("metadata", u.metadata);
  r.get("period_budget", u.period_budget);
  r.get("budget_duration", u.budget_duration);
  r.get("total_budget", u.total_budget);
  r.get("period_start", u.period_start);
  r.get("period_end", u.period_end);
  r.get("markup_percentage", u.markup_percentage);
  u.extra = r.extra();
}

}  // namespace respan
