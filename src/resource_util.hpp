// Internal helpers shared by the resource classes (query building, bulk merging).
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <respan/filters.hpp>
#include <respan/models/common.hpp>

#include "http/pipeline.hpp"

namespace respan::detail {

inline void add_param(QueryParams& p, const char* name, const std::optional<std::int64_t>& v) {
  if (v) p.emplace_back(name, std::to_string(*v));
}
inline void add_param(QueryParams& p, const char* name, const std::optional<std::string>& v) {
  if (v) p.emplace_back(name, *v);
}
inline void add_param(QueryParams& p, const char* name, const std::optional<Timestamp>& v) {
  if (v) p.emplace_back(name, v->str());
}
inline void add_param(QueryParams& p, const char* name, const std::optional<bool>& v) {
  if (v) p.emplace_back(name, *v ? "true" : "false");
}
/// Comma-joined list parameter, omitted when empty.
void add_list_param(QueryParams& p, const char* name, const std::vector<std::string>& values);

/// `{"filters": {...}}`, or `{}` when there are none.
Json filters_body(const Filters& filters);

/// An invalid_argument Error if page < 1 or page_size outside [1, max_page_size].
std::optional<Error> check_paging(const std::optional<std::int64_t>& page,
                                  const std::optional<std::int64_t>& page_size,
                                  std::int64_t max_page_size);

/// Records a row that failed on the client side (or whose chunk failed as a whole).
void add_row_error(BulkResult& total, std::size_t index, std::string message);

/// POSTs one bulk chunk of `rows` rows and decodes the BulkResult. When the server omits
/// `success_count`, it is taken as rows minus reported errors.
Result<BulkResult> call_bulk(const Pipeline& p, const ApiRequest& r, std::size_t rows,
                             const RequestOptions& o);

/// Adds a chunk's counts, errors (re-indexed by `to_global`) and ids to `total`.
template <class F>
void merge_bulk(BulkResult& total, BulkResult chunk, F to_global) {
  total.success_count += chunk.success_count;
  total.error_count += std::max<std::int64_t>({chunk.error_count, chunk.total_errors.value_or(0),
                                               static_cast<std::int64_t>(chunk.errors.size())});
  for (auto& e : chunk.errors) {
    e.index = to_global(e.index);
    total.errors.push_back(std::move(e));
  }
  for (auto& id : chunk.unique_ids)
    total.unique_ids.push_back(std::move(id));
}

/// Sorts errors by index and sets total_errors.
void finish_bulk(BulkResult& total);

/// call<T>() that tolerates an empty (or non-object) 2xx body by returning a default T.
template <class T>
Result<T> call_object(const Pipeline& p, const ApiRequest& r, const RequestOptions& o) {
  Result<Json> j = p.execute_json(r, o);
  if (!j) return std::move(j).error();
  if (!j->is_object()) return T{};
  try {
    return j->template get<T>();
  } catch (const std::exception& ex) {
    Error e =
        Error::make(ErrorCode::decode, std::string("unexpected response shape: ") + ex.what());
    e.request = std::string(to_string(r.method)) + " " + r.path;
    return e;
  }
}

}  // namespace respan::detail
