#include "resource_util.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

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

namespace {

// Index of a server row error: an integer (or integer text) within [0, rows), else -1.
std::int64_t row_index(const Json& v, std::size_t rows) {
  std::optional<std::int64_t> i;
  if (v.is_number_integer()) {
    i = v.get<std::int64_t>();
  } else if (v.is_number_unsigned()) {
    if (v.get<std::uint64_t>() < rows) i = static_cast<std::int64_t>(v.get<std::uint64_t>());
  } else if (v.is_string()) {
    i = parse_int64(v.get_ref<const std::string&>());
  }
  return (i && *i >= 0 && static_cast<std::uint64_t>(*i) < rows) ? *i : -1;
}

// A non-negative integral count (an integer, or a float with no fraction), else nullopt.
std::optional<std::int64_t> count_of(const Json& v) {
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u <= static_cast<std::uint64_t>(INT64_MAX)) return static_cast<std::int64_t>(u);
    return std::nullopt;
  }
  if (v.is_number_integer()) {
    const auto i = v.get<std::int64_t>();
    return i >= 0 ? std::optional<std::int64_t>(i) : std::nullopt;
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && d >= 0 && d < 9.0e15 && std::floor(d) == d)
      return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

}  // namespace

Result<BulkResult> call_bulk(const Pipeline& p, const ApiRequest& r, std::size_t rows,
                             const RequestOptions& o) {
  Result<JsonReply> reply = p.execute_json_reply(r, o);
  if (!reply) return std::move(reply).error();
  const Json& body = reply->json;
  const auto n = static_cast<std::int64_t>(rows);
  BulkResult out;
  std::optional<std::int64_t> confirmed;
  std::optional<std::int64_t> server_errors;
  if (body.is_object()) {
    out.extra = Json::object();
    for (auto it = body.begin(); it != body.end(); ++it) {
      const std::string& k = it.key();
      const Json& v = it.value();
      if (k == "success_count") {
        confirmed = count_of(v);
        if (!confirmed) out.extra[k] = v;
      } else if (k == "error_count" || k == "total_errors") {
        if (auto c = count_of(v)) {
          server_errors = std::max(server_errors.value_or(0), *c);
          if (k == "total_errors") out.total_errors = *c;
        } else {
          out.extra[k] = v;
        }
      } else if (k == "errors" && v.is_array()) {
        for (const Json& e : v) {
          RowError row;
          if (e.is_object()) {
            if (auto idx = e.find("index"); idx != e.end()) row.index = row_index(*idx, rows);
            if (auto msg = e.find("error"); msg != e.end()) {
              row.error = msg->is_string() ? msg->get<std::string>() : to_json_text(*msg);
            }
            row.extra = e;
            row.extra.erase("index");
            row.extra.erase("error");
          } else {
            row.error = e.is_string() ? e.get<std::string>() : to_json_text(e);
          }
          if (row.error.empty()) row.error = "rejected by the server (no reason given)";
          out.errors.push_back(std::move(row));
          if (static_cast<std::int64_t>(out.errors.size()) >= n) break;
        }
      } else if (k == "unique_ids" && v.is_array()) {
        for (const Json& id : v) {
          if (id.is_string()) out.unique_ids.push_back(id.get<std::string>());
        }
      } else {
        out.extra[k] = v;
      }
    }
  } else if (!body.is_null()) {
    out.extra = body;
  }
  const std::int64_t listed = static_cast<std::int64_t>(out.errors.size());
  out.error_count = std::min(n, std::max(listed, server_errors.value_or(0)));
  if (confirmed) {
    out.success_count = std::min(*confirmed, n - out.error_count);
  } else {
    out.success_count = 0;  // an answer without a valid count confirms nothing
  }
  out.unconfirmed_count = n - out.success_count - out.error_count;
  if (out.unconfirmed_count > 0) {
    p.log(LogLevel::warn, std::to_string(out.unconfirmed_count) + " of " + std::to_string(n) +
                              " rows of " + std::string(to_string(r.method)) + " " + r.path +
                              " were neither confirmed nor rejected by the server's answer");
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
