// Pure logic of the mock Respan server: ISO 8601 times, the filter grammar (the Filters API
// reference, https://www.respan.ai/docs/apis/reference/filters-api-reference)
// and the ordering used by `sort_by`. Header-only so the unit tests (which do not link
// respan::testing) can exercise it directly.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/iso8601.hpp"
#include "util/text.hpp"

namespace respan::testing::detail {

using Json = nlohmann::json;

// ------------------------------------------------------------------------------ time

/// Parses an ISO 8601 / RFC 3339 date or date-time into microseconds since the Unix epoch
/// (the parser respan::Timestamp uses: util/iso8601.hpp).
inline std::optional<std::int64_t> parse_iso8601(std::string_view s) {
  return respan::detail::parse_iso8601_micros(s);
}

/// Formats microseconds since the epoch as `YYYY-MM-DDThh:mm:ss.ffffffZ` (UTC).
inline std::string format_iso8601(std::int64_t micros) {
  return respan::detail::format_iso8601_micros(micros);
}

// ------------------------------------------------------------------------------ values

/// A number, or a string holding a plain decimal number ("200", "-1.5", "2e3").
inline std::optional<double> as_number(const Json& v) {
  if (v.is_number()) return v.get<double>();
  if (!v.is_string()) return std::nullopt;
  const auto& s = v.get_ref<const std::string&>();
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && respan::detail::is_ascii_digit(s[i]))
    ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && respan::detail::is_ascii_digit(s[i]))
      ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exp_digits = 0;
    while (i < s.size() && respan::detail::is_ascii_digit(s[i]))
      ++i, ++exp_digits;
    if (exp_digits == 0) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  return respan::detail::parse_double(s);
}

/// The text form of a value used by the string operators: strings as-is, numbers and booleans
/// as JSON, null as "", arrays/objects as compact JSON.
inline std::string as_text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return {};
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

inline std::string ascii_lower(std::string s) {
  for (auto& c : s)
    c = respan::detail::ascii_lower(c);
  return s;
}

inline std::optional<std::int64_t> as_time(const Json& v) {
  if (!v.is_string()) return std::nullopt;
  return parse_iso8601(v.get_ref<const std::string&>());
}

/// Equality as the filters understand it: numbers compare numerically (also against numeric
/// strings), ISO date-times compare as instants, booleans also match "true"/"false", a list
/// field matches when any element does.
inline bool values_equal(const Json& field, const Json& value) {
  if (field.is_array() && !value.is_array()) {
    return std::any_of(field.begin(), field.end(),
                       [&](const Json& e) { return values_equal(e, value); });
  }
  if (field.is_null() || value.is_null()) return field.is_null() && value.is_null();
  if (field.is_boolean() || value.is_boolean()) {
    if (field.is_boolean() && value.is_boolean()) return field == value;
    return ascii_lower(as_text(field)) == ascii_lower(as_text(value));
  }
  if (field.is_number() || value.is_number()) {
    const auto a = as_number(field);
    const auto b = as_number(value);
    return a && b && *a == *b;
  }
  if (field.is_string() && value.is_string()) {
    if (field == value) return true;
    const auto a = as_time(field);
    const auto b = as_time(value);
    return a && b && *a == *b;
  }
  return field == value;
}

/// Ordering for lt/lte/gt/gte: numeric when both sides are numeric, instants when both are ISO
/// date-times, else lexicographic for strings; nullopt when not comparable (e.g. null field).
inline std::optional<int> compare_for_filter(const Json& field, const Json& value) {
  if (field.is_null() || value.is_null()) return std::nullopt;
  const auto a = as_number(field);
  const auto b = as_number(value);
  if (a && b) return *a < *b ? -1 : (*a > *b ? 1 : 0);
  if (field.is_string() && value.is_string()) {
    const auto ta = as_time(field);
    const auto tb = as_time(value);
    if (ta && tb) return *ta < *tb ? -1 : (*ta > *tb ? 1 : 0);
    const int c = field.get_ref<const std::string&>().compare(value.get_ref<const std::string&>());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return std::nullopt;
}

/// Ordering used by `sort_by`: numbers numerically, strings lexicographically (canonical
/// timestamps therefore chronologically), booleans false < true; missing/null values sort after
/// every present value. Values of different kinds order bool < number < string < other.
inline int compare_for_sort(const Json* a, const Json* b) {
  const bool a_null = a == nullptr || a->is_null();
  const bool b_null = b == nullptr || b->is_null();
  if (a_null || b_null) return a_null == b_null ? 0 : (a_null ? 1 : -1);
  auto rank = [](const Json& v) {
    if (v.is_boolean()) return 0;
    if (v.is_number()) return 1;
    if (v.is_string()) return 2;
    return 3;
  };
  const int ra = rank(*a), rb = rank(*b);
  if (ra != rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return a->get<bool>() == b->get<bool>() ? 0 : (a->get<bool>() ? 1 : -1);
    case 1: {
      const double x = a->get<double>(), y = b->get<double>();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    case 2: {
      const int c = a->get_ref<const std::string&>().compare(b->get_ref<const std::string&>());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    default: {
      const int c = a->dump().compare(b->dump());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
  }
}

/// One `sort_by` key: a field name and its direction.
struct SortKey {
  std::string field;
  bool descending = false;
};

/// Parses `sort_by` ("-timestamp", "cost", "model,-cost"). Empty entries are skipped.
inline std::vector<SortKey> parse_sort_by(const std::string& sort_by) {
  std::vector<SortKey> keys;
  std::size_t start = 0;
  while (start <= sort_by.size()) {
    std::size_t end = sort_by.find(',', start);
    if (end == std::string::npos) end = sort_by.size();
    std::string part = sort_by.substr(start, end - start);
    part.erase(0, part.find_first_not_of(" \t"));
    part.erase(part.find_last_not_of(" \t") + 1);
    SortKey key;
    if (!part.empty() && (part[0] == '-' || part[0] == '+')) {
      key.descending = part[0] == '-';
      part.erase(0, 1);
    }
    if (!part.empty()) {
      key.field = std::move(part);
      keys.push_back(std::move(key));
    }
    start = end + 1;
  }
  return keys;
}

// ------------------------------------------------------------------------------ filters

/// An invalid filter specification; answered with HTTP 400 `{"detail": what()}`.
class FilterError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Looks a filter/sort field up in a stored row: `metadata__<key>` reads `metadata[key]`,
/// `scores__<evaluator_id>` reads the score (its `score_value` when it is a score object),
/// anything else reads the top-level field of that exact name (with a few documented aliases:
/// `total_tokens` -> `total_request_tokens`, `customer_email`/`customer_name` ->
/// `customer_params.email`/`.name`). nullptr when absent.
inline const Json* lookup_field(const Json& row, const std::string& field) {
  if (!row.is_object()) return nullptr;
  auto nested = [&](const char* container, const std::string& key) -> const Json* {
    const auto it = row.find(container);
    if (it == row.end() || !it->is_object()) return nullptr;
    const auto inner = it->find(key);
    return inner == it->end() ? nullptr : &*inner;
  };
  static const std::string kMetadata = "metadata__";
  static const std::string kScores = "scores__";
  if (field.size() > kMetadata.size() && field.compare(0, kMetadata.size(), kMetadata) == 0) {
    return nested("metadata", field.substr(kMetadata.size()));
  }
  if (field.size() > kScores.size() && field.compare(0, kScores.size(), kScores) == 0) {
    const Json* score = nested("scores", field.substr(kScores.size()));
    if (score != nullptr && score->is_object()) {
      const auto v = score->find("score_value");
      if (v != score->end()) return &*v;
    }
    return score;
  }
  const auto it = row.find(field);
  if (it != row.end()) return &*it;
  if (field == "total_tokens") return lookup_field(row, "total_request_tokens");
  if (field == "customer_email") return nested("customer_params", "email");
  if (field == "customer_name") return nested("customer_params", "name");
  return nullptr;
}

enum class FilterOp {
  kEq,
  kIExact,
  kLt,
  kLte,
  kGt,
  kGte,
  kContains,
  kIContains,
  kStartsWith,
  kEndsWith,
  kIn,
  kIsNull,
  kNot,
  kRegex,
  kEmpty,
  kNotEmpty,
};

/// Maps an operator spelling to its operation; nullopt when unsupported.
inline std::optional<FilterOp> parse_filter_op(const std::string& op) {
  if (op.empty() || op == "=" || op == "==" || op == "eq" || op == "equals") return FilterOp::kEq;
  if (op == "iexact") return FilterOp::kIExact;
  if (op == "lt") return FilterOp::kLt;
  if (op == "lte") return FilterOp::kLte;
  if (op == "gt") return FilterOp::kGt;
  if (op == "gte") return FilterOp::kGte;
  if (op == "contains") return FilterOp::kContains;
  if (op == "icontains") return FilterOp::kIContains;
  if (op == "startswith") return FilterOp::kStartsWith;
  if (op == "endswith") return FilterOp::kEndsWith;
  if (op == "in") return FilterOp::kIn;
  if (op == "isnull") return FilterOp::kIsNull;
  if (op == "not") return FilterOp::kNot;
  if (op == "regex") return FilterOp::kRegex;
  if (op == "empty") return FilterOp::kEmpty;
  if (op == "not_empty" || op == "notEmpty") return FilterOp::kNotEmpty;
  return std::nullopt;
}

/// One validated condition.
struct FilterCondition {
  std::string field;
  FilterOp op = FilterOp::kEq;
  std::vector<Json> values;          ///< The `value` array, or the scalar as a single element.
  std::vector<std::regex> patterns;  ///< Compiled `values` for kRegex.
  bool isnull = true;                ///< The flag of kIsNull.
};

/// A validated `filters` object: every condition must hold.
struct CompiledFilters {
  std::vector<FilterCondition> conditions;
  bool empty() const { return conditions.empty(); }
};

namespace filter_impl {

inline bool truthy(const Json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number()) return v.get<double>() != 0;
  if (v.is_string()) {
    const auto s = ascii_lower(v.get<std::string>());
    return s == "true" || s == "1" || s == "yes";
  }
  return !v.is_null();
}

inline FilterCondition compile_condition(const std::string& field, const Json& spec) {
  if (!spec.is_object()) {
    throw FilterError("Invalid filter for field '" + field +
                      "': expected an object {\"operator\": ..., \"value\": ...}");
  }
  FilterCondition cond;
  cond.field = field;
  std::string op_name;
  if (const auto it = spec.find("operator"); it != spec.end() && !it->is_null()) {
    if (!it->is_string()) throw FilterError("Invalid filter operator for field '" + field + "'");
    op_name = it->get<std::string>();
  }
  const auto op = parse_filter_op(op_name);
  if (!op) throw FilterError("Unsupported filter operator: " + op_name);
  cond.op = *op;
  if (const auto it = spec.find("connector"); it != spec.end() && !it->is_null()) {
    if (!it->is_string() || ascii_lower(it->get<std::string>()) != "and") {
      throw FilterError("Unsupported filter connector: " + as_text(*it));
    }
  }
  const auto value = spec.find("value");
  const bool has_value = value != spec.end();
  if (has_value && value->is_array()) {
    cond.values.assign(value->begin(), value->end());
  } else if (has_value) {
    cond.values.push_back(*value);
  }
  switch (cond.op) {
    case FilterOp::kEmpty:
    case FilterOp::kNotEmpty:
      break;
    case FilterOp::kIsNull:
      cond.isnull = cond.values.empty() ? true : truthy(cond.values.front());
      break;
    case FilterOp::kRegex:
      if (!has_value) throw FilterError("Missing value for filter on field '" + field + "'");
      for (const auto& v : cond.values) {
        try {
          cond.patterns.emplace_back(as_text(v), std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
          throw FilterError("Invalid regular expression for field '" + field + "': " + e.what());
        }
      }
      break;
    default:
      if (!has_value) throw FilterError("Missing value for filter on field '" + field + "'");
      break;
  }
  return cond;
}

inline bool any_value(const FilterCondition& c, const std::function<bool(const Json&)>& pred) {
  return std::any_of(c.values.begin(), c.values.end(), pred);
}

inline bool is_empty_value(const Json* v) {
  if (v == nullptr || v->is_null()) return true;
  if (v->is_string()) return v->get_ref<const std::string&>().empty();
  if (v->is_array() || v->is_object()) return v->empty();
  return false;
}

inline bool contains_value(const Json& field, const Json& value, bool insensitive) {
  if (field.is_array()) {
    return std::any_of(field.begin(), field.end(), [&](const Json& e) {
      if (insensitive && e.is_string()) {
        return ascii_lower(as_text(e)) == ascii_lower(as_text(value));
      }
      return values_equal(e, value);
    });
  }
  std::string hay = as_text(field);
  std::string needle = as_text(value);
  if (insensitive) {
    hay = ascii_lower(std::move(hay));
    needle = ascii_lower(std::move(needle));
  }
  return hay.find(needle) != std::string::npos;
}

}  // namespace filter_impl

/// Validates a `filters` object (null = no filters) and compiles it.
/// Each field maps to a condition `{"operator", "value"}` or to a list of conditions (ANDed).
/// @throws FilterError on a malformed specification or an unsupported operator.
inline CompiledFilters compile_filters(const Json& filters) {
  CompiledFilters out;
  if (filters.is_null()) return out;
  if (!filters.is_object()) throw FilterError("filters must be an object");
  for (const auto& [field, spec] : filters.items()) {
    if (spec.is_array()) {
      for (const auto& one : spec)
        out.conditions.push_back(filter_impl::compile_condition(field, one));
    } else {
      out.conditions.push_back(filter_impl::compile_condition(field, spec));
    }
  }
  return out;
}

/// True when `row` satisfies the condition.
inline bool matches_condition(const Json& row, const FilterCondition& c) {
  using filter_impl::any_value;
  const Json* field = lookup_field(row, c.field);
  static const Json kNull;
  const Json& f = field != nullptr ? *field : kNull;
  switch (c.op) {
    case FilterOp::kEq:
      return any_value(c, [&](const Json& v) { return values_equal(f, v); });
    case FilterOp::kNot:
      return !any_value(c, [&](const Json& v) { return values_equal(f, v); });
    case FilterOp::kIn:
      return any_value(c, [&](const Json& v) {
        if (v.is_array()) {
          return std::any_of(v.begin(), v.end(), [&](const Json& e) { return values_equal(f, e); });
        }
        return values_equal(f, v);
      });
    case FilterOp::kIExact:
      if (f.is_null()) return any_value(c, [](const Json& v) { return v.is_null(); });
      return any_value(c, [&](const Json& v) {
        if (f.is_array()) {
          return std::any_of(f.begin(), f.end(), [&](const Json& e) {
            return ascii_lower(as_text(e)) == ascii_lower(as_text(v));
          });
        }
        return ascii_lower(as_text(f)) == ascii_lower(as_text(v));
      });
    case FilterOp::kLt:
    case FilterOp::kLte:
    case FilterOp::kGt:
    case FilterOp::kGte:
      return any_value(c, [&](const Json& v) {
        const auto cmp = compare_for_filter(f, v);
        if (!cmp) return false;
        switch (c.op) {
          case FilterOp::kLt:
            return *cmp < 0;
          case FilterOp::kLte:
            return *cmp <= 0;
          case FilterOp::kGt:
            return *cmp > 0;
          default:
            return *cmp >= 0;
        }
      });
    case FilterOp::kContains:
    case FilterOp::kIContains:
      if (f.is_null()) return false;
      return any_value(c, [&](const Json& v) {
        return filter_impl::contains_value(f, v, c.op == FilterOp::kIContains);
      });
    case FilterOp::kStartsWith:
    case FilterOp::kEndsWith:
      if (f.is_null()) return false;
      return any_value(c, [&](const Json& v) {
        const std::string text = as_text(f);
        const std::string part = as_text(v);
        if (part.size() > text.size()) return false;
        return c.op == FilterOp::kStartsWith
                   ? text.compare(0, part.size(), part) == 0
                   : text.compare(text.size() - part.size(), part.size(), part) == 0;
      });
    case FilterOp::kIsNull:
      return c.isnull == f.is_null();
    case FilterOp::kRegex: {
      if (f.is_null()) return false;
      const std::string text = as_text(f);
      return std::any_of(c.patterns.begin(), c.patterns.end(),
                         [&](const std::regex& re) { return std::regex_search(text, re); });
    }
    case FilterOp::kEmpty:
      return filter_impl::is_empty_value(field);
    case FilterOp::kNotEmpty:
      return !filter_impl::is_empty_value(field);
  }
  return false;
}

/// True when `row` satisfies every condition (an empty filter matches everything).
inline bool matches_filters(const Json& row, const CompiledFilters& filters) {
  return std::all_of(filters.conditions.begin(), filters.conditions.end(),
                     [&](const FilterCondition& c) { return matches_condition(row, c); });
}

}  // namespace respan::testing::detail
