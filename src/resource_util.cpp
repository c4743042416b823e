#include "resource_util.hpp"

#include <algorithm>

namespace respan::detail {

void add_list_param(QueryParams& p, const char* name, const std::vector<std::string>& values) {
  if (values.empty()) return;
  std::string joined;
  for (const auto& v : values) {
    if (!joined.empty()) joined += ',';
    joined += v;
  }
  p.emplace_back(name, std::move(joined));
}

Json filters_body(const Filters& filters) {
  if (filters.empty()) return Json::object();
  return Json{{"filters", filters.to_json()}};
}

std::optional<Error> check_paging(const std::optional<std::int64_t>& page,
                                  const std::optional<std::int64_t>& page_size,
                                  std::int64_t max_page_size) {
  if (page && *page < 1) {
    return Error::make(ErrorCode::invalid_argument, "page must be >= 1");
  }
  if (page_size && (*page_size < 1 || *page_size > max_page_size)) {
    return Error::make(ErrorCode::invalid_argument,
                       "page_size must be between 1 and " + std::to_string(max_page_size));
  }
  return std::nullopt;
}

void add_row_error(BulkResult& total, std::size_t index, std::string message) {
  RowError e;
  e.index = static_cast<std::int64_t>(index);
  e.error = std::move(message);
  total.errors.push_back(std::move(e));
  ++total.error_count;
}

Result<BulkResult> call_bulk(const Pipeline& p, const ApiRequest& r, std::size_t rows,
                             const RequestOptions& o) {
  Result<Json> j = p.execute_json(r, o);
  if (!j) return std::move(j).error();
  BulkResult out;
  if (j->is_object()) {
    try {
      out = j->get<BulkResult>();
    } catch (const std::exception& ex) {
      Error e =
          Error::make(ErrorCode::decode, std::string("unexpected bulk response: ") + ex.what());
      e.request = std::string(to_string(r.method)) + " " + r.path;
      return e;
    }
  }
  if (!j->is_object() || !j->contains("success_count")) {
    const auto failed = static_cast<std::int64_t>(out.errors.size());
    out.success_count = std::max<std::int64_t>(0, static_cast<std::int64_t>(rows) - failed);
  }
  return out;
}

void finish_bulk(BulkResult& total) {
  std::stable_sort(total.errors.begin(), total.errors.end(),
                   [](const RowError& a, const RowError& b) { return a.index < b.index; });
  total.total_errors = total.error_count;
}

bool is_systemic_failure(ErrorCode code) noexcept {
  return code == ErrorCode::unauthorized || code == ErrorCode::forbidden ||
         code == ErrorCode::invalid_argument || code == ErrorCode::cancelled;
}

std::optional<Error> check_path_param(const std::string& id, const char* what) {
  if (id.empty()) return Error::make(ErrorCode::invalid_argument, std::string(what) + " is empty");
  return std::nullopt;
}

}  // namespace respan::detail
