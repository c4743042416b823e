// Customer (`/api/users/...`) and thread (`/api/log_threads/`) endpoints of the mock Respan
// service. Both are views of the stored request logs: a customer exists
// once a log carries its `customer_identifier` (there is no create endpoint), a thread is the
// set of logs sharing a `thread_identifier`. Profiles and budgets set with PATCH are kept
// beside them; a deleted customer comes back only with logs stored after the deletion.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "testing/mock_runtime_state.hpp"
#include "testing/mock_runtime_util.hpp"
#include "util/civil_time.hpp"

namespace respan::testing::detail {

struct RuntimeStore::CustomerUsage {
  std::int64_t first_seen = 0;
  std::int64_t last_seen = 0;
  std::set<std::int64_t> days;  ///< Days (since the epoch) with activity.
  std::int64_t requests = 0;
  std::int64_t tokens = 0;
  double cost = 0;
  double latency_sum = 0;
  std::int64_t latency_n = 0;
  double ttft_sum = 0;
  std::int64_t ttft_n = 0;
  Json name;   ///< From the latest log's customer_params, if any.
  Json email;  ///< Idem.
  std::vector<std::pair<std::int64_t, double>> costs;  ///< (time, cost) of each log.
};

namespace {

constexpr std::int64_t kDay = 86400LL * 1000000LL;

const std::vector<FieldSpec>& update_fields() {
  static const std::vector<FieldSpec> kFields = {
      {"email", FieldKind::kString},
      {"name", FieldKind::kString},
      {"metadata", FieldKind::kObject},
      {"period_budget", FieldKind::kNumber},
      {"budget_duration", FieldKind::kString},
      {"total_budget", FieldKind::kNumber},
      {"period_start", FieldKind::kDatetime},
      {"period_end", FieldKind::kDatetime},
      {"markup_percentage", FieldKind::kNumber},
  };
  return kFields;
}

std::string key_of(const std::string& environment, const std::string& id) {
  return environment + "\n" + id;
}

std::string row_id(const std::string& environment, const std::string& id) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a: a stable synthetic row id
  for (const char c : key_of(environment, id)) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  static const char* kHex = "0123456789abcdef";
  std::string out = "cust_";
  for (int shift = 60; shift >= 0; shift -= 4)
    out.push_back(kHex[(h >> shift) & 0xF]);
  return out;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

// The running budget period containing `now` for a duration (monthly when unset): UTC
// midnight boundaries, weeks starting on Monday.
std::pair<std::int64_t, std::int64_t> period_of(const std::string& duration, std::int64_t now) {
  const std::int64_t day = floor_div(now, kDay);
  if (duration == "daily") return {day * kDay, (day + 1) * kDay};
  if (duration == "weekly") {
    const std::int64_t monday = day - ((day % 7 + 7 + 4 - 1) % 7);  // 1970-01-01 was a Thursday
    return {monday * kDay, (monday + 7) * kDay};
  }
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  respan::detail::civil_from_days(day, y, m, d);
  const std::int64_t first = respan::detail::days_from_civil(y, m, 1);
  const std::int64_t next = m == 12 ? respan::detail::days_from_civil(y + 1, 1, 1)
                                    : respan::detail::days_from_civil(y, m + 1, 1);
  return {first * kDay, next * kDay};
}

Json number_or_null(double sum, std::int64_t n) {
  return n == 0 ? Json() : Json(sum / static_cast<double>(n));
}

std::string text_of(const Json& v) {
  return v.is_string() ? v.get<std::string>() : std::string();
}

}  // namespace

std::string RuntimeStore::environment_of(const ApiRequest& req) const {
  const auto* env = query_get(req.query, "environment");
  if (env == nullptr || env->empty()) return req.environment;
  if (*env != "prod" && *env != "test") {
    throw bad_request("environment: \"" + *env + "\" is not a valid choice (prod, test).");
  }
  return *env;
}

std::map<std::string, RuntimeStore::CustomerUsage> RuntimeStore::usage(
    const std::string& environment) const {
  std::map<std::string, CustomerUsage> out;
  const std::vector<Json> logs = config_.request_logs();
  for (std::size_t i = 0; i < logs.size(); ++i) {
    const Json& log = logs[i];
    const std::string id = text_of(log.value("customer_identifier", Json()));
    if (id.empty() || text_of(log.value("environment", Json())) != environment) continue;
    const auto deleted = deleted_at_.find(key_of(environment, id));
    if (deleted != deleted_at_.end() && i < deleted->second) continue;
    const std::int64_t t = as_time(log.value("timestamp", Json())).value_or(now_micros());
    CustomerUsage& u = out[id];
    if (u.requests == 0 || t < u.first_seen) u.first_seen = t;
    u.last_seen = std::max(u.last_seen, t);
    u.days.insert(floor_div(t, kDay));
    ++u.requests;
    const Json tokens = log.value("total_request_tokens", Json());
    if (is_integer_like(tokens)) u.tokens = saturating_add(u.tokens, tokens.get<std::int64_t>());
    const double cost = number_at(log, "cost").value_or(0.0);
    u.cost += cost;
    u.costs.emplace_back(t, cost);
    if (const auto l = number_at(log, "latency")) {
      u.latency_sum += *l;
      ++u.latency_n;
    }
    if (const auto f = number_at(log, "time_to_first_token")) {
      u.ttft_sum += *f;
      ++u.ttft_n;
    }
    const auto cp = log.find("customer_params");
    if (cp != log.end() && cp->is_object()) {
      if (cp->contains("name") && (*cp)["name"].is_string()) u.name = (*cp)["name"];
      if (cp->contains("email") && (*cp)["email"].is_string()) u.email = (*cp)["email"];
    }
  }
  return out;
}

Json RuntimeStore::customer_detail(const std::string& environment, const std::string& id,
                                   const CustomerUsage& u) const {
  const auto pit = profiles_.find(key_of(environment, id));
  const Json profile = pit == profiles_.end() ? Json::object() : pit->second;
  const std::string duration = text_of(profile.value("budget_duration", Json()));
  auto [start, end] = period_of(duration, now_micros());
  if (const auto s = as_time(profile.value("period_start", Json()))) start = *s;
  if (const auto e = as_time(profile.value("period_end", Json()))) end = *e;
  double period_usage = 0;
  for (const auto& [t, c] : u.costs) {
    if (t >= start && t < end) period_usage += c;
  }
  return {{"id", id},
          {"name", profile.contains("name") ? profile["name"] : u.name},
          {"email", profile.contains("email") ? profile["email"] : u.email},
          {"customer_identifier", id},
          {"environment", environment},
          {"total_budget", profile.value("total_budget", Json())},
          {"period_budget", profile.value("period_budget", Json())},
          {"organization_name", config_.organization_name},
          {"total_period_usage", period_usage},
          {"period_start", format_iso8601(start)},
          {"period_end", format_iso8601(end)},
          {"budget_duration", profile.value("budget_duration", Json())},
          {"updated_at", profile.value("updated_at", Json(format_iso8601(u.last_seen)))}};
}

// ------------------------------------------------------------------------------ customers

ApiResponse RuntimeStore::customers_list(const ApiRequest& req) {
  const PageParams page = parse_page_params(req.query, 50, 1000);
  const CompiledFilters filters = filters_of(body_object(req));
  const std::string env = environment_of(req);
  std::lock_guard<std::mutex> lock(mu_);
  const auto all = usage(env);
  std::vector<std::pair<std::int64_t, Json>> rows;  // (first_seen, row) in first-seen order
  for (const auto& [id, u] : all) {
    const auto pit = profiles_.find(key_of(env, id));
    const Json profile = pit == profiles_.end() ? Json::object() : pit->second;
    const double days_known =
        std::max(1.0, static_cast<double>(now_micros() - u.first_seen) / static_cast<double>(kDay));
    Json row = {{"id", row_id(env, id)},
                {"customer_identifier", id},
                {"unique_organization_id", config_.organization_id},
                {"environment", env},
                {"name", profile.contains("name") ? profile["name"] : u.name},
                {"email", profile.contains("email") ? profile["email"] : u.email},
                {"first_seen", format_iso8601(u.first_seen)},
                {"last_active_timeframe", format_iso8601(u.last_seen)},
                {"active_days", u.days.size()},
                {"number_of_requests", u.requests},
                {"total_requests", u.requests},
                {"total_tokens", u.tokens},
                {"tokens", u.tokens},
                {"total_cost", u.cost},
                {"cost", u.cost},
                {"average_latency", number_or_null(u.latency_sum, u.latency_n)},
                {"average_ttft", number_or_null(u.ttft_sum, u.ttft_n)},
                {"average_monthly_cost", u.cost * 30.0 / std::max(30.0, days_known)},
                {"period_budget", profile.value("period_budget", Json())},
                {"budget_duration", profile.value("budget_duration", Json())},
                {"total_budget", profile.value("total_budget", Json())}};
    if (matches_filters(row, filters)) rows.emplace_back(u.first_seen, std::move(row));
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Json> plain;
  plain.reserve(rows.size());
  for (auto& r : rows)
    plain.push_back(std::move(r.second));
  return {200, page_of(sorted(std::move(plain), sort_param(req, "-first_seen")), page, req)};
}

ApiResponse RuntimeStore::customer_get(const std::string& customer_identifier,
                                       const ApiRequest& req) {
  const std::string env = environment_of(req);
  std::lock_guard<std::mutex> lock(mu_);
  const auto all = usage(env);
  const auto it = all.find(customer_identifier);
  if (it == all.end()) throw HttpError(404, {{"detail", "Customer not found."}});
  return {200, customer_detail(env, customer_identifier, it->second)};
}

ApiResponse RuntimeStore::customer_update(const std::string& customer_identifier,
                                          const ApiRequest& req) {
  const Json body = body_object(req);
  check_fields(body, update_fields());
  if (body.contains("budget_duration")) {
    const std::string d = body["budget_duration"].get<std::string>();
    if (d != "daily" && d != "weekly" && d != "monthly") {
      throw bad_request("budget_duration: \"" + d +
                        "\" is not a valid choice (daily, weekly, monthly).");
    }
  }
  for (const char* f : {"period_budget", "total_budget", "markup_percentage"}) {
    if (const auto v = number_at(body, f); v && *v < 0) {
      throw bad_request(std::string(f) + ": Ensure this value is greater than or equal to 0.");
    }
  }
  const std::string env = environment_of(req);
  std::lock_guard<std::mutex> lock(mu_);
  const auto all = usage(env);
  const auto it = all.find(customer_identifier);
  if (it == all.end()) throw HttpError(404, {{"detail", "Customer not found."}});
  const std::string key = key_of(env, customer_identifier);
  if (profiles_.count(key) == 0) check_room(profiles_.size(), "customer profiles");
  Json& profile = profiles_[key];
  if (!profile.is_object()) profile = Json::object();
  const Json changes = pick_present(body, update_fields());  // items() of a temporary dangles
  for (auto& [k, v] : changes.items())
    profile[k] = v;
  profile["updated_at"] = format_iso8601(now_micros());
  return {200, customer_detail(env, customer_identifier, it->second)};
}

ApiResponse RuntimeStore::customer_delete(const std::string& customer_identifier,
                                          const ApiRequest& req) {
  const std::string env = environment_of(req);
  std::lock_guard<std::mutex> lock(mu_);
  const auto all = usage(env);
  if (all.count(customer_identifier) == 0) {
    throw HttpError(404, {{"detail", "Customer not found."}});
  }
  const std::string key = key_of(env, customer_identifier);
  profiles_.erase(key);
  deleted_at_[key] = config_.request_logs().size();
  return {204, std::nullopt};
}

// ------------------------------------------------------------------------------ threads

ApiResponse RuntimeStore::threads_list(const ApiRequest& req) {
  const PageParams page = parse_page_params(req.query, 50, 1000);
  const CompiledFilters filters = filters_of(body_object(req));
  const auto* env_param = query_get(req.query, "environment");
  const std::string env =
      env_param != nullptr && !env_param->empty() ? *env_param : req.environment;
  struct Thread {
    std::int64_t count = 0;
    std::int64_t last = 0;
    std::size_t first_index = 0;
  };
  std::map<std::string, Thread> threads;
  const std::vector<Json> logs = config_.request_logs();
  for (std::size_t i = 0; i < logs.size(); ++i) {
    const Json& log = logs[i];
    const std::string id = text_of(log.value("thread_identifier", Json()));
    if (id.empty() || text_of(log.value("environment", Json())) != env) continue;
    if (!matches_filters(log, filters)) continue;
    Thread& t = threads[id];
    if (t.count == 0) t.first_index = i;
    ++t.count;
    t.last = std::max(t.last, as_time(log.value("timestamp", Json())).value_or(0));
  }
  std::vector<std::pair<std::string, Thread>> ordered(threads.begin(), threads.end());
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    if (a.second.last != b.second.last) return a.second.last > b.second.last;  // most recent
    return a.second.first_index > b.second.first_index;
  });
  std::vector<Json> rows;
  for (const auto& [id, t] : ordered)
    rows.push_back({{"thread_identifier", id}, {"environment", env}, {"log_count", t.count}});
  return {200, page_of(rows, page, req)};
}

}  // namespace respan::testing::detail
