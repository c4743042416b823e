// Request-parsing helpers shared by the mock server's endpoint implementations.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "testing/mock_filters.hpp"
#include "testing/mock_state.hpp"
#include "testing/mock_util.hpp"
#include "util/json_limits.hpp"

namespace respan::testing::detail {

/// Python-style type name used in DRF-like messages ("dict", "list", "str", ...).
inline std::string json_type_name(const Json& v) {
  switch (v.type()) {
    case Json::value_t::object:
      return "dict";
    case Json::value_t::array:
      return "list";
    case Json::value_t::string:
      return "str";
    case Json::value_t::boolean:
      return "bool";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "int";
    case Json::value_t::number_float:
      return "float";
    case Json::value_t::null:
      return "NoneType";
    default:
      return "unknown";
  }
}

/// True when a number anywhere in `v` is not finite (the parser turns `1e400` into infinity).
/// Iterative: `v` may nest up to respan::detail::kMaxJsonDepth levels.
inline bool has_non_finite_number(const Json& v) {
  std::vector<const Json*> todo{&v};
  while (!todo.empty()) {
    const Json* j = todo.back();
    todo.pop_back();
    if (j->is_number_float() && !std::isfinite(j->get<double>())) return true;
    if (j->is_structured()) {
      for (const auto& child : *j)
        todo.push_back(&child);
    }
  }
  return false;
}

/// The parsed body, or null when it is empty. Parsed with the shared bounded parser
/// (util/json_limits.hpp): a body nesting deeper than kMaxJsonDepth levels is refused, so no
/// stored value can later overflow the stack when it is copied or dumped.
/// @throws HttpError 400 on invalid JSON, excessive nesting or an out-of-range number.
inline Json parse_body(const ApiRequest& req) {
  if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) return Json();
  respan::detail::BoundedJson parsed = respan::detail::parse_json_bounded(req.body);
  if (parsed.status == respan::detail::JsonParseStatus::too_deep) {
    throw bad_request("JSON parse error - nesting deeper than " +
                      std::to_string(respan::detail::kMaxJsonDepth) + " levels");
  }
  if (parsed.status != respan::detail::JsonParseStatus::ok) {
    throw bad_request("JSON parse error - the request body is not valid JSON");
  }
  if (has_non_finite_number(parsed.value)) {
    throw bad_request("JSON parse error - number out of range");
  }
  return std::move(parsed.value);
}

/// The body as an object ({} when empty). @throws HttpError 400 when it is another type.
inline Json body_object(const ApiRequest& req) {
  Json body = parse_body(req);
  if (body.is_null()) return Json::object();
  if (!body.is_object()) {
    throw bad_request("Invalid data. Expected a dictionary, but got " + json_type_name(body) + ".");
  }
  return body;
}

/// First value of a query parameter.
inline const std::string* query_get(const QueryPairs& query, const std::string& key) {
  for (const auto& [k, v] : query) {
    if (k == key) return &v;
  }
  return nullptr;
}

/// True when `obj[key]` exists and is not null.
inline bool has(const Json& obj, const char* key) {
  const auto it = obj.find(key);
  return it != obj.end() && !it->is_null();
}

/// Compiles `body["filters"]`. @throws HttpError 400.
inline CompiledFilters filters_of(const Json& body, const char* key = "filters") {
  const auto it = body.find(key);
  if (it == body.end()) return {};
  try {
    return compile_filters(*it);
  } catch (const FilterError& e) {
    throw bad_request(e.what());
  }
}

/// Parses a required ISO 8601 value. @throws HttpError 400.
inline std::int64_t parse_time_value(const Json& v, const std::string& name) {
  if (v.is_string()) {
    if (const auto t = parse_iso8601(v.get_ref<const std::string&>())) return *t;
  }
  throw bad_request("Invalid " + name + ": expected an ISO 8601 datetime such as " +
                    "2025-07-01T00:00:00Z");
}

/// Splits a comma-separated list, trimming blanks and dropping empty entries.
inline std::vector<std::string> split_csv(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    std::string part = s.substr(start, end - start);
    part.erase(0, part.find_first_not_of(" \t"));
    part.erase(part.find_last_not_of(" \t") + 1);
    if (!part.empty()) out.push_back(std::move(part));
    start = end + 1;
  }
  return out;
}

/// Keeps only `fields` of an object row (all of it when `fields` is empty).
inline Json project(Json row, const std::vector<std::string>& fields) {
  if (fields.empty() || !row.is_object()) return row;
  Json out = Json::object();
  for (const auto& f : fields) {
    const auto it = row.find(f);
    if (it != row.end()) out[f] = std::move(*it);
  }
  return out;
}

/// A numeric field of an object, if present and a number.
inline std::optional<double> number_at(const Json& obj, const char* key) {
  if (!obj.is_object()) return std::nullopt;
  const auto it = obj.find(key);
  if (it == obj.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

/// True for JSON integers and floats with an integral value that fit a signed 64-bit integer
/// (so `get<std::int64_t>()` is exact; `1e300` is not an integer field's value).
inline bool is_integer_like(const Json& v) {
  if (v.is_number_unsigned()) {
    return v.get<std::uint64_t>() <= static_cast<std::uint64_t>(INT64_MAX);
  }
  if (v.is_number_integer()) return true;
  if (!v.is_number_float()) return false;
  const double d = v.get<double>();
  // [-2^63, 2^63): both bounds are exactly representable as doubles.
  return std::isfinite(d) && std::floor(d) == d && d >= -9223372036854775808.0 &&
         d < 9223372036854775808.0;
}

/// a + b, clamped to the int64 range (token counts near 2^63 must not overflow).
inline std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  if (!__builtin_add_overflow(a, b, &out)) return out;
  return b > 0 ? INT64_MAX : INT64_MIN;
}

/// Sorts rows by `sort_by`. Ties keep insertion order, reversed when the first key is
/// descending (so `-timestamp` lists the newest first even among equal timestamps).
inline void sort_rows(std::vector<const Json*>& rows, const std::string& sort_by) {
  const auto keys = parse_sort_by(sort_by);
  if (keys.empty()) return;
  if (keys.front().descending) std::reverse(rows.begin(), rows.end());
  std::stable_sort(rows.begin(), rows.end(), [&](const Json* a, const Json* b) {
    for (const auto& key : keys) {
      int c = compare_for_sort(lookup_field(*a, key.field), lookup_field(*b, key.field));
      if (key.descending) c = -c;
      if (c != 0) return c < 0;
    }
    return false;
  });
}

/// Reads `page`/`page_size` query parameters. @throws HttpError 400.
inline PageParams parse_page_params(const QueryPairs& query, std::size_t default_size,
                                    std::size_t max_size) {
  auto parse_positive = [](const std::string& s) -> std::optional<std::size_t> {
    if (s.empty() || s.size() > 9) return std::nullopt;
    std::size_t v = 0;
    for (const char c : s) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + static_cast<std::size_t>(c - '0');
    }
    if (v == 0) return std::nullopt;
    return v;
  };
  PageParams p;
  p.page_size = default_size;
  if (const auto* page = query_get(query, "page")) {
    const auto v = parse_positive(*page);
    if (!v) throw bad_request("Invalid page.");
    p.page = *v;
  }
  if (const auto* size = query_get(query, "page_size")) {
    const auto v = parse_positive(*size);
    if (!v) throw bad_request("Invalid page_size: expected a positive integer.");
    if (*v > max_size) {
      throw bad_request("page_size must be at most " + std::to_string(max_size) + ".");
    }
    p.page_size = *v;
  }
  return p;
}

/// Aggregates rows (spans, or dataset logs with span-like lifted fields and `metrics`) into the
/// documented summary shape (dataset logs summary, spans summary).
Json summarise_rows(const std::vector<const Json*>& rows);

}  // namespace respan::testing::detail
