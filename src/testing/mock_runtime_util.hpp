// Request-checking helpers shared by the score, prompt, customer and thread endpoints of the
// mock Respan service.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "testing/mock_endpoint_util.hpp"
#include "testing/mock_state.hpp"
#include "util/json_limits.hpp"

namespace respan::testing::detail {

/// The JSON shape a documented body field must have.
enum class FieldKind {
  kString,
  kInteger,
  kNumber,
  kBoolean,
  kObject,
  kStringList,      ///< a list of strings
  kObjectList,      ///< a list of objects
  kDatetime,        ///< an ISO 8601 string
  kStringOrObject,  ///< e.g. tool_choice
  kJsonText,        ///< a string holding valid JSON text (score json_value)
};

inline bool field_matches(const Json& v, FieldKind kind) {
  switch (kind) {
    case FieldKind::kString:
      return v.is_string();
    case FieldKind::kInteger:
      return is_integer_like(v);
    case FieldKind::kNumber:
      return v.is_number();
    case FieldKind::kBoolean:
      return v.is_boolean();
    case FieldKind::kObject:
      return v.is_object();
    case FieldKind::kStringList:
      return v.is_array() &&
             std::all_of(v.begin(), v.end(), [](const Json& e) { return e.is_string(); });
    case FieldKind::kObjectList:
      return v.is_array() &&
             std::all_of(v.begin(), v.end(), [](const Json& e) { return e.is_object(); });
    case FieldKind::kDatetime:
      return v.is_string() && parse_iso8601(v.get_ref<const std::string&>()).has_value();
    case FieldKind::kStringOrObject:
      return v.is_string() || v.is_object();
    case FieldKind::kJsonText:
      return v.is_string() &&
             respan::detail::parse_json_bounded(v.get_ref<const std::string&>()).status ==
                 respan::detail::JsonParseStatus::ok;
  }
  return false;
}

inline const char* field_expectation(FieldKind kind) {
  switch (kind) {
    case FieldKind::kString:
      return "Not a valid string.";
    case FieldKind::kInteger:
      return "A valid integer is required.";
    case FieldKind::kNumber:
      return "A valid number is required.";
    case FieldKind::kBoolean:
      return "Must be a valid boolean.";
    case FieldKind::kObject:
      return "Expected a dictionary.";
    case FieldKind::kStringList:
      return "Expected a list of strings.";
    case FieldKind::kObjectList:
      return "Expected a list of objects.";
    case FieldKind::kDatetime:
      return "Datetime has wrong format. Use ISO 8601, e.g. 2026-04-10T12:00:00Z.";
    case FieldKind::kStringOrObject:
      return "Expected a string or a dictionary.";
    case FieldKind::kJsonText:
      return "Expected a string holding a JSON document.";
  }
  return "Invalid value.";
}

/// A documented field of a body: refused when sent as `null` or with the wrong shape.
struct FieldSpec {
  const char* name;
  FieldKind kind;
};

/// Checks every field of `specs` present in `body`. @throws HttpError 400.
inline void check_fields(const Json& body, const std::vector<FieldSpec>& specs) {
  for (const FieldSpec& f : specs) {
    const auto it = body.find(f.name);
    if (it == body.end()) continue;
    if (it->is_null()) throw bad_request(std::string(f.name) + ": This field may not be null.");
    if (!field_matches(*it, f.kind)) {
      throw bad_request(std::string(f.name) + ": " + field_expectation(f.kind));
    }
  }
}

/// A number field within [lo, hi]. @throws HttpError 400.
inline void check_range(const Json& body, const char* field, double lo, double hi) {
  const auto v = number_at(body, field);
  if (v && (*v < lo || *v > hi)) {
    throw bad_request(std::string(field) + ": Ensure this value is between " + Json(lo).dump() +
                      " and " + Json(hi).dump() + ".");
  }
}

/// The members of `body` named in `fields`.
inline Json pick_present(const Json& body, const std::vector<FieldSpec>& fields) {
  Json out = Json::object();
  for (const FieldSpec& f : fields) {
    const auto it = body.find(f.name);
    if (it != body.end()) out[f.name] = *it;
  }
  return out;
}

/// `stored[f]` (or null) for each of `fields`: an object with exactly these members.
inline Json pick_or_null(const Json& stored, std::initializer_list<const char*> fields) {
  Json out = Json::object();
  for (const char* f : fields) {
    const auto it = stored.find(f);
    out[f] = it == stored.end() ? Json() : *it;
  }
  return out;
}

/// The rows of one page and the envelope (total `count`, links).
inline Json page_of(const std::vector<Json>& rows, const PageParams& page, const ApiRequest& req) {
  const std::size_t first = (page.page - 1) * page.page_size;
  Json results = Json::array();
  for (std::size_t i = first; i < rows.size() && i < first + page.page_size; ++i)
    results.push_back(rows[i]);
  return page_envelope(std::move(results), rows.size(), page, req);
}

/// Sorts `rows` by `sort_by` (see sort_rows), keeping their current order among ties.
inline std::vector<Json> sorted(std::vector<Json> rows, const std::string& sort_by) {
  std::vector<const Json*> ptrs;
  ptrs.reserve(rows.size());
  for (const auto& r : rows)
    ptrs.push_back(&r);
  sort_rows(ptrs, sort_by);
  std::vector<Json> out;
  out.reserve(rows.size());
  for (const Json* p : ptrs)
    out.push_back(*p);
  return out;
}

/// The `sort_by` query parameter, or `fallback` when absent or empty.
inline std::string sort_param(const ApiRequest& req, const std::string& fallback) {
  const auto* s = query_get(req.query, "sort_by");
  return s != nullptr && !s->empty() ? *s : fallback;
}

}  // namespace respan::testing::detail
