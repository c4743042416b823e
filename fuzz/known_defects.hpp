// Inputs that hit library defects which are reported and being fixed outside fuzz/. While a
// predicate below returns true, the harness skips the one call it guards, so a long fuzzing
// run keeps exploring everything else instead of stopping at a known crash.
//
// - Each predicate names its reproducer(s) in fuzz/regressions/<target>/.
// - Delete a predicate (and its call sites) together with the fix; scripts/fuzz.sh then
//   replays the reproducer as a regression test.
// - RESPAN_FUZZ_KNOWN_DEFECTS=run in the environment disables every skip, to check whether a
//   defect is still there: `RESPAN_FUZZ_KNOWN_DEFECTS=run build/fuzz/fuzz/<target> <file>`.
#pragma once

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <respan/json.hpp>
#include <respan/transport.hpp>

#include "util/json_limits.hpp"
#include "util/text.hpp"

namespace respan_fuzz {

/// False when RESPAN_FUZZ_KNOWN_DEFECTS=run: every known defect is then exercised.
inline bool skip_known_defects() {
  static const bool skip = [] {
    const char* v = std::getenv("RESPAN_FUZZ_KNOWN_DEFECTS");
    return v == nullptr || std::strcmp(v, "run") != 0;
  }();
  return skip;
}

/// Timestamp::to_time_point() overflows std::chrono::system_clock (int64 nanoseconds, years
/// 1678-2261) for dates outside that range: signed overflow in src/models/common.cpp.
/// Reproducers: fuzz/regressions/fuzz_retry_after/known-timestamp-*.
inline bool timestamp_overflows(std::string_view text) {
  if (!skip_known_defects()) return false;
  if (text.size() < 4) return false;
  int year = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    if (!respan::detail::is_ascii_digit(text[i])) return false;
    year = year * 10 + (text[i] - '0');
  }
  return year < 1678 || year > 2261;
}

/// parse_http_date() (src/http/retry.cpp) returns its result as int64 nanoseconds without a
/// range check: signed overflow for a year above 2261, and already in days_from_civil /
/// `days * 86400` for huge years. Its year is the leading number of any token (tokens split
/// on " ,-\t") that has no ':'. Reproducers: fuzz/regressions/fuzz_retry_after/known-http-date-*.
inline bool http_date_overflows(std::string_view text) {
  if (!skip_known_defects()) return false;
  auto sep = [](char c) { return c == ' ' || c == ',' || c == '-' || c == '\t'; };
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && sep(text[i]))
      ++i;
    const std::size_t start = i;
    while (i < text.size() && !sep(text[i]))
      ++i;
    const std::string_view tok = text.substr(start, i - start);
    if (tok.empty() || !respan::detail::is_ascii_digit(tok.front())) continue;
    if (tok.find(':') != std::string_view::npos) continue;
    std::size_t n = 0;
    long long year = 0;
    while (n < tok.size() && respan::detail::is_ascii_digit(tok[n])) {
      if (year <= 100000) year = year * 10 + (tok[n] - '0');
      ++n;
    }
    if (year > 2261) return true;
  }
  return false;
}

/// server_retry_delay() (src/http/retry.cpp) turns an X-RateLimit-Reset epoch above ~9.2e9 s
/// (epoch milliseconds, 1e300, or digits joined by parse_number's removal of all whitespace:
/// "1000 1000 1000") into milliseconds and subtracts it from now in int64 nanoseconds: signed
/// overflow. Reproducers: fuzz/regressions/fuzz_retry_after/known-ratelimit-reset-*.
inline bool ratelimit_reset_overflows(std::string_view value) {
  if (!skip_known_defects()) return false;
  std::string s;  // as parse_number: every whitespace character removed, then strtod
  for (char c : value) {
    if (!std::isspace(static_cast<unsigned char>(c))) s += c;
  }
  if (s.empty()) return false;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  return end != nullptr && *end == '\0' && std::isfinite(v) && v > 9.0e9;
}

/// True when any retry-hint header of `res` would hit retry_hint_overflows().
inline bool response_retry_hint_overflows(const respan::HttpResponse& res) {
  for (const auto& [name, value] : res.headers) {
    if (respan::detail::iequals(name, "retry-after") && http_date_overflows(value)) return true;
    if (respan::detail::iequals(name, "x-ratelimit-reset") && ratelimit_reset_overflows(value)) {
      return true;
    }
  }
  return false;
}

/// error_from_response() (src/http/pipeline.cpp) parses the raw body without the depth bound
/// of parse_json_bounded, then dump()s `detail` recursively: a deeply nested body overflows
/// the stack. Reproducer: fuzz/regressions/fuzz_error_body/known-deep-detail.
inline bool error_body_too_deep(std::string_view body) {
  return skip_known_defects() && respan::detail::json_too_deep(body);
}

/// Page<T>'s from_json (include/respan/models/common.hpp) converts a floating-point `count`
/// or `total_count` to int64 without a range check: undefined behaviour for e.g. 1e300.
/// Reproducer: fuzz/regressions/fuzz_response_models/known-page-count-1e300.json.
inline bool page_count_overflows(const respan::Json& j) {
  if (!skip_known_defects() || !j.is_object()) return false;
  for (const char* key : {"count", "total_count"}) {
    auto it = j.find(key);
    if (it != j.end() && it->is_number_float()) {
      const double d = it->get<double>();
      if (!(std::fabs(d) < 9.2e18)) return true;
    }
  }
  return false;
}

}  // namespace respan_fuzz
