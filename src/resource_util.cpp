#include "resource_util.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "batch/answers.hpp"
#include "util/json_limits.hpp"

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
  Result<Reply> reply = p.execute(r, o);
  if (!reply) return std::move(reply).error();
  // The one decoder of batch answers (batch/answers.hpp), as the BatchLogger reads them.
  const std::string& text = reply->http.body;
  BoundedJson parsed;
  if (!text.empty()) parsed = parse_json_bounded(text);
  const Json* body =
      (!text.empty() && parsed.status == JsonParseStatus::ok) ? &parsed.value : nullptr;
  const RowVerdicts v = read_answer(AnswerShape::bulk, body, text.empty(), rows);
  BulkResult out = to_bulk_result(v, body);
  if (out.unconfirmed_count > 0) {
    const std::size_t first = static_cast<std::size_t>(
        std::find(v.state.begin(), v.state.end(), RowVerdicts::State::unconfirmed) -
        v.state.begin());
    p.log(LogLevel::warn, std::to_string(out.unconfirmed_count) + " of " + std::to_string(rows) +
                              " rows of " + std::string(to_string(r.method)) + " " + r.path +
                              " were neither confirmed nor rejected (" + v.message[first] + ")");
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
  // The pipeline checks every path segment (check_path); this names the parameter.
  if (auto bad = check_path("/" + percent_encode(id) + "/")) {
    bad->message = std::string(what) + ": " + bad->message;
    return bad;
  }
  return std::nullopt;
}

}  // namespace respan::detail
