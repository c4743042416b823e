#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <respan/json.hpp>
#include <respan/retry.hpp>

#include "http/retry_class.hpp"
#include "http/retry_detail.hpp"
#include "util/civil_time.hpp"
#include "util/json_limits.hpp"
#include "util/text.hpp"

namespace respan {

namespace {

using std::chrono::milliseconds;

// Longest server-requested delay represented (~31 years): far beyond any cap, far below
// int64 milliseconds overflow. Larger requests are clamped to it, not ignored, so that a
// server asking for "much later" still makes the call fail fast instead of retrying early.
constexpr double kMaxHintSeconds = 1e9;

milliseconds from_seconds(double seconds) {
  const double s = std::clamp(seconds, 0.0, kMaxHintSeconds);
  return milliseconds(static_cast<std::int64_t>(std::llround(s * 1000.0)));
}

double to_unit_interval(double r) {
  return std::isfinite(r) ? std::clamp(r, 0.0, 1.0) : 0.5;
}

int month_index(std::string_view m) {
  static constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  if (m.size() < 3) return -1;
  const std::string lower = detail::ascii_lower(m.substr(0, 3));
  for (int i = 0; i < 12; ++i) {
    if (kMonths[i] == lower) return i;
  }
  return -1;
}

// "hh:mm:ss" with 1-2 digit fields.
bool parse_clock(std::string_view t, int& hh, int& mm, int& ss) {
  int* out[] = {&hh, &mm, &ss};
  std::size_t pos = 0;
  for (int i = 0; i < 3; ++i) {
    std::size_t n = 0;
    int v = 0;
    while (pos < t.size() && detail::is_ascii_digit(t[pos]) && n < 2) {
      v = v * 10 + (t[pos] - '0');
      ++pos;
      ++n;
    }
    if (n == 0) return false;
    *out[i] = v;
    if (i < 2) {
      if (pos >= t.size() || t[pos] != ':') return false;
      ++pos;
    }
  }
  return pos == t.size();
}

}  // namespace

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry,
                                        double random01) noexcept {
  const double floor_ms =
      static_cast<double>(std::max<std::int64_t>(0, policy.min_backoff.count()));
  const double cap = std::max(
      floor_ms, static_cast<double>(std::max<std::int64_t>(0, policy.max_backoff.count())));
  double base = static_cast<double>(std::max<std::int64_t>(0, policy.initial_backoff.count()));
  const double mult =
      (std::isfinite(policy.multiplier) && policy.multiplier >= 1.0) ? policy.multiplier : 1.0;
  for (int i = 0; i < retry && base < cap; ++i)
    base *= mult;
  base = std::min(base, cap);
  const double jitter = std::isfinite(policy.jitter) ? std::clamp(policy.jitter, 0.0, 1.0) : 0.0;
  const double r = to_unit_interval(random01);
  const double scaled = std::clamp(base * (1.0 - jitter + 2.0 * jitter * r), floor_ms, cap);
  return milliseconds(static_cast<std::int64_t>(std::llround(scaled)));
}

namespace detail {

std::optional<std::int64_t> parse_http_date_seconds(std::string_view text) {
  // Tokenise on spaces, commas and dashes; accept the three formats of RFC 9110 5.6.7.
  std::vector<std::string_view> tok;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const bool sep =
        i == text.size() || text[i] == ' ' || text[i] == ',' || text[i] == '-' || text[i] == '\t';
    if (!sep) continue;
    if (i > start) tok.push_back(text.substr(start, i - start));
    start = i + 1;
    if (tok.size() > 8) return std::nullopt;
  }
  int day = -1, month = -1, hh = -1, mm = -1, ss = -1;
  std::int64_t year = -1;
  for (std::size_t i = 1; i < tok.size(); ++i) {  // token 0 is the weekday
    const std::string_view t = tok[i];
    if (t.find(':') != std::string_view::npos) {
      if (hh >= 0 || !parse_clock(t, hh, mm, ss)) return std::nullopt;
    } else if (month < 0 && month_index(t) >= 0) {
      month = month_index(t);
    } else if (is_ascii_digit(t[0])) {
      const auto v = parse_int64(t);
      if (!v || *v < 0) return std::nullopt;
      if (day < 0 && t.size() <= 2 && (month < 0 || hh < 0)) {
        day = static_cast<int>(*v);  // RFC 1123 / RFC 850 before the month; asctime after it
      } else if (year < 0 && t.size() <= 4) {
        year = t.size() <= 2 ? (*v < 70 ? 2000 + *v : 1900 + *v) : *v;
      } else {
        return std::nullopt;
      }
    }
  }
  if (day < 1 || month < 0 || year < 1970 || year > 9999 || hh < 0 || hh > 23 || mm < 0 ||
      mm > 59 || ss < 0 || ss > 60) {
    return std::nullopt;
  }
  static constexpr int kDaysIn[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (day > kDaysIn[month]) return std::nullopt;
  const std::int64_t days =
      days_from_civil(year, static_cast<unsigned>(month + 1), static_cast<unsigned>(day));
  return days * 86400 + hh * 3600 + mm * 60 + ss;
}

std::optional<std::chrono::milliseconds> server_retry_delay(
    const HttpResponse& response, std::chrono::system_clock::time_point now, const Json* body) {
  const double now_s =
      static_cast<double>(
          std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count()) /
      1000.0;
  if (auto ms = response.header("retry-after-ms")) {
    if (auto v = parse_double(*ms); v && *v >= 0) return from_seconds(*v / 1000.0);
  }
  if (auto ra = response.header("retry-after")) {
    if (auto v = parse_double(*ra)) {
      if (*v >= 0) return from_seconds(*v);
    } else if (auto when = parse_http_date_seconds(*ra)) {
      return from_seconds(static_cast<double>(*when) - now_s);
    }
  }
  if (body != nullptr && body->is_object()) {
    auto it = body->find("retry_after");
    if (it != body->end()) {
      std::optional<double> v;
      if (it->is_number()) v = it->get<double>();
      if (it->is_string()) v = parse_double(it->get_ref<const std::string&>());
      if (v && std::isfinite(*v) && *v >= 0) return from_seconds(*v);
    }
  }
  // X-RateLimit-Reset describes the rate-limit window: it informs only a 429.
  if (response.status == 429) {
    if (auto reset = response.header("x-ratelimit-reset")) {
      if (auto v = parse_double(*reset); v && *v >= 0) {
        if (*v >= 1e12) return from_seconds(*v / 1000.0 - now_s);  // epoch milliseconds
        if (*v >= 1e9) return from_seconds(*v - now_s);            // epoch seconds
        return from_seconds(*v);                                   // seconds from now
      }
    }
  }
  return std::nullopt;
}

}  // namespace detail

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
  const auto secs = detail::parse_http_date_seconds(text);
  // system_clock's nanosecond ticks end in 2262: later dates are not representable.
  constexpr std::int64_t kMaxRepresentable = 9'200'000'000;  // ~2261-07
  if (!secs || *secs > kMaxRepresentable) return std::nullopt;
  return std::chrono::system_clock::time_point(std::chrono::seconds(*secs));
}

std::optional<std::chrono::milliseconds> server_retry_delay(
    const HttpResponse& response, std::chrono::system_clock::time_point now) {
  if (response.body.empty()) return detail::server_retry_delay(response, now, nullptr);
  const detail::BoundedJson j = detail::parse_json_bounded(response.body);
  return detail::server_retry_delay(response, now, &j.value);
}

}  // namespace respan

namespace respan::detail {

FailureClass classify_failure(const Error& e) noexcept {
  const int s = e.http_status;
  if (e.code == ErrorCode::cancelled) return {false, false};
  if (s == 425 || s == 429 || s == 503) return {true, false};  // refused before any work
  if (s == 408) return {true, true};
  if (s >= 500 && s <= 599) return {true, true};
  if (s != 0) return {false, false};  // every other status is final
  if (e.code == ErrorCode::network || e.code == ErrorCode::timeout)
    return {true, !e.certainly_not_sent};
  return {false, false};  // tls, decode, invalid_argument, response_too_large, ...
}

FailureClass classify_collector_failure(const Error& e) noexcept {
  const int s = e.http_status;
  if (s == 0) return classify_failure(e);          // network, timeout, cancelled, local
  if (s == 429 || s == 503) return {true, false};  // throttled / unavailable: not processed
  if (s == 502 || s == 504) return {true, true};   // a gateway's answer: it may have forwarded
  return {false, false};  // "All other 4xx or 5xx response status codes MUST NOT be retried"
}

}  // namespace respan::detail
