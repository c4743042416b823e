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

/// A set of filter conditions, ANDed by the server. Values are always sent as arrays (a
/// scalar becomes a one-element array). Setting a field twice replaces the earlier condition.
///
/// @code
/// respan::Filters f;
/// f.equals("model", "gpt-4o")
///  .gte("cost", 0.01)
///  .in("status_code", {400, 429, 500})
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
