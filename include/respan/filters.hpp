/// @file filters.hpp
/// @brief Typed builder for the Respan filter grammar used by list, summary, import and
/// remove calls: `{"<field>": {"operator": "<op>", "value": [ ... ]}}`.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <respan/export.hpp>
#include <respan/json.hpp>

namespace respan {

/// Every documented filter operator.
enum class FilterOperator {
  equals,      ///< Sent as `""` (the documented spelling of equality).
  not_equal,   ///< `not`
  iexact,      ///< Case-insensitive equality.
  lt,          ///< Less than (numbers, times).
  lte,         ///< Less than or equal.
  gt,          ///< Greater than.
  gte,         ///< Greater than or equal.
  contains,    ///< Substring, case-sensitive.
  icontains,   ///< Substring, case-insensitive.
  startswith,  ///< Prefix.
  endswith,    ///< Suffix.
  in,          ///< Value is one of a list.
  isnull,      ///< Field is null (`[true]`) or not (`[false]`).
};

/// The wire spelling of an operator (`equals` -> "").
RESPAN_EXPORT const char* to_wire(FilterOperator op) noexcept;

/// The documented filterable fields of spans: request-log lists and summaries, dataset-log
/// lists, summaries, imports and removals. Use them where a field name goes:
/// `Filters().equals(respan::SpanField::customer_identifier, "c-1")`. The API also takes
/// other names; a name that no list of its endpoint knows (a likely typo, such as
/// `customer_id`) is sent as given and warned about once per process: through
/// ClientOptions::log when set, else on stderr. `metadata__<key>` and `scores__<id>`
/// (Filters::metadata(), Filters::score()) are always known.
struct SpanField {
  static constexpr const char* status = "status";
  static constexpr const char* status_code = "status_code";
  static constexpr const char* unique_id = "unique_id";
  static constexpr const char* id = "id";  ///< Dataset logs: pick logs by id (with `in`).
  static constexpr const char* customer_identifier = "customer_identifier";
  static constexpr const char* customer_email = "customer_email";
  static constexpr const char* customer_name = "customer_name";
  static constexpr const char* thread_identifier = "thread_identifier";
  static constexpr const char* custom_identifier = "custom_identifier";
  static constexpr const char* group_identifier = "group_identifier";
  static constexpr const char* prompt_id = "prompt_id";
  static constexpr const char* prompt_name = "prompt_name";
  static constexpr const char* trace_unique_id = "trace_unique_id";
  static constexpr const char* span_parent_id = "span_parent_id";
  static constexpr const char* is_root_span = "is_root_span";
  static constexpr const char* span_workflow_name = "span_workflow_name";
  static constexpr const char* span_name = "span_name";
  static constexpr const char* model = "model";
  static constexpr const char* provider_id = "provider_id";
  static constexpr const char* deployment_name = "deployment_name";
  static constexpr const char* log_type = "log_type";
  static constexpr const char* environment = "environment";
  static constexpr const char* stream = "stream";
  static constexpr const char* tools = "tools";
  static constexpr const char* cache_hit = "cache_hit";
  static constexpr const char* cache_key = "cache_key";
  static constexpr const char* prompt_tokens = "prompt_tokens";
  static constexpr const char* completion_tokens = "completion_tokens";
  static constexpr const char* total_tokens = "total_tokens";
  static constexpr const char* total_request_tokens = "total_request_tokens";
  static constexpr const char* cost = "cost";
  static constexpr const char* latency = "latency";
  static constexpr const char* time_to_first_token = "time_to_first_token";
  static constexpr const char* tokens_per_second = "tokens_per_second";
  static constexpr const char* temperature = "temperature";
  static constexpr const char* max_tokens = "max_tokens";
  static constexpr const char* metadata = "metadata";
  static constexpr const char* messages = "messages";
  static constexpr const char* positive_feedback = "positive_feedback";
  static constexpr const char* evaluator_id = "evaluator_id";
  static constexpr const char* error_message = "error_message";
  static constexpr const char* failed = "failed";
  static constexpr const char* organization_key_id = "organization_key_id";
  static constexpr const char* organization_key_name = "organization_key_name";
};

/// The documented filterable fields of traces (`traces().list()`, bulk delete); see SpanField.
struct TraceField {
  static constexpr const char* trace_unique_id = "trace_unique_id";
  static constexpr const char* customer_identifier = "customer_identifier";
  static constexpr const char* environment = "environment";
  static constexpr const char* span_count = "span_count";
  static constexpr const char* llm_call_count = "llm_call_count";
  static constexpr const char* error_count = "error_count";
  static constexpr const char* total_cost = "total_cost";
  static constexpr const char* total_tokens = "total_tokens";
  static constexpr const char* total_prompt_tokens = "total_prompt_tokens";
  static constexpr const char* total_completion_tokens = "total_completion_tokens";
};

/// The filterable fields of dataset lists (the documented example filters `name`; the
/// others are the listed datasets' fields); see SpanField.
struct DatasetField {
  static constexpr const char* id = "id";
  static constexpr const char* name = "name";
  static constexpr const char* description = "description";
  static constexpr const char* type = "type";
  static constexpr const char* status = "status";
  static constexpr const char* starred = "starred";
  static constexpr const char* created_at = "created_at";
  static constexpr const char* updated_at = "updated_at";
};

/// The documented filterable fields of prompt lists and summaries; see SpanField.
struct PromptField {
  static constexpr const char* prompt_id = "prompt_id";
  static constexpr const char* prompt_slug = "prompt_slug";
  static constexpr const char* name = "name";
  static constexpr const char* description = "description";
  static constexpr const char* starred = "starred";
  static constexpr const char* tags = "tags";
  static constexpr const char* created_at = "created_at";
  static constexpr const char* updated_at = "updated_at";
  static constexpr const char* current_version_updated_at = "current_version__updated_at";
  static constexpr const char* is_deleted = "is_deleted";
};

/// The documented filterable fields of customer lists; see SpanField.
struct CustomerField {
  static constexpr const char* customer_identifier = "customer_identifier";
  static constexpr const char* name = "name";
  static constexpr const char* email = "email";
  static constexpr const char* number_of_requests = "number_of_requests";
  static constexpr const char* total_tokens = "total_tokens";
  static constexpr const char* total_cost = "total_cost";
  static constexpr const char* active_days = "active_days";
};

/// The documented filterable fields of thread lists; see SpanField.
struct ThreadField {
  static constexpr const char* thread_identifier = "thread_identifier";
  static constexpr const char* customer_identifier = "customer_identifier";
  static constexpr const char* organization_key_id = "organization_key_id";
};

/// A set of filter conditions, ANDed by the server. Values are always sent as arrays (a
/// scalar becomes a one-element array). Setting a field twice replaces the earlier condition.
///
/// @code
/// respan::Filters f;
/// f.equals(respan::SpanField::model, "gpt-4o")
///  .gte(respan::SpanField::cost, 0.01)
///  .in(respan::SpanField::status_code, {400, 429, 500})
///  .icontains(respan::Filters::metadata("feature"), "checkout");
/// @endcode
class RESPAN_EXPORT Filters {
 public:
  Filters() = default;

  /// Adds (or replaces) the condition on `field`. An array `value` is sent as is; anything
  /// else is wrapped in a one-element array.
  Filters& where(std::string field, FilterOperator op, Json value);
  /// Escape hatch for operators the SDK does not name (e.g. "regex"); `value` as in where().
  Filters& where_raw(std::string field, std::string op, Json value);

  Filters& equals(std::string field, Json value) {
    return where(std::move(field), FilterOperator::equals, std::move(value));
  }
  Filters& not_equal(std::string field, Json value) {
    return where(std::move(field), FilterOperator::not_equal, std::move(value));
  }
  Filters& iexact(std::string field, Json value) {
    return where(std::move(field), FilterOperator::iexact, std::move(value));
  }
  Filters& lt(std::string field, Json value) {
    return where(std::move(field), FilterOperator::lt, std::move(value));
  }
  Filters& lte(std::string field, Json value) {
    return where(std::move(field), FilterOperator::lte, std::move(value));
  }
  Filters& gt(std::string field, Json value) {
    return where(std::move(field), FilterOperator::gt, std::move(value));
  }
  Filters& gte(std::string field, Json value) {
    return where(std::move(field), FilterOperator::gte, std::move(value));
  }
  Filters& contains(std::string field, Json value) {
    return where(std::move(field), FilterOperator::contains, std::move(value));
  }
  Filters& icontains(std::string field, Json value) {
    return where(std::move(field), FilterOperator::icontains, std::move(value));
  }
  Filters& startswith(std::string field, Json value) {
    return where(std::move(field), FilterOperator::startswith, std::move(value));
  }
  Filters& endswith(std::string field, Json value) {
    return where(std::move(field), FilterOperator::endswith, std::move(value));
  }
  /// `field` is one of `values`.
  Filters& in(std::string field, std::vector<Json> values) {
    return where(std::move(field), FilterOperator::in, Json(std::move(values)));
  }
  /// `field` is null (`is_null = true`) or not null.
  Filters& isnull(std::string field, bool is_null = true) {
    return where(std::move(field), FilterOperator::isnull, Json(is_null));
  }

  /// Field name of a custom metadata key: `metadata__<key>`.
  static std::string metadata(std::string_view key) { return "metadata__" + std::string(key); }
  /// Field name of an evaluator's score: `scores__<evaluator_id>`.
  static std::string score(std::string_view evaluator_id) {
    return "scores__" + std::string(evaluator_id);
  }

  bool empty() const noexcept { return conditions_.empty(); }
  std::size_t size() const noexcept { return conditions_.size(); }
  /// Removes the condition on `field`, if any.
  void remove(const std::string& field) { conditions_.erase(field); }
  /// The inner map `{"<field>": {"operator": ..., "value": [...]}}` (no "filters" wrapper).
  const Json& to_json() const noexcept { return conditions_; }
  /// Wraps an existing JSON filter map (for filters read from a server response).
  static Filters from_json(const Json& map);

  friend bool operator==(const Filters& a, const Filters& b) {
    return a.conditions_ == b.conditions_;
  }
  friend bool operator!=(const Filters& a, const Filters& b) { return !(a == b); }

 private:
  Json conditions_ = Json::object();
};

RESPAN_EXPORT void to_json(Json& j, const Filters& f);
RESPAN_EXPORT void from_json(const Json& j, Filters& f);

}  // namespace respan
