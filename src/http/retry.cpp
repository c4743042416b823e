#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <string>

#include <respan/json.hpp>
#include <respan/retry.hpp>

#include "util/civil_time.hpp"

namespace respan {

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry,
                                        double random01) noexcept {
  const double cap = static_cast<double>(std::max<std::int64_t>(0, policy.max_backoff.count()));
  double base = static_cast<double>(std::max<std::int64_t>(0, policy.initial_backoff.count()));
  const double mult = policy.multiplier < 1.0 ? 1.0 : policy.multiplier;
  for (int i = 0; i < retry && base < cap; ++i)
    base *= mult;
  base = std::min(base, cap);
  const double jitter = std::clamp(policy.jitter, 0.0, 1.0);
  const double r = std::clamp(random01, 0.0, 1.0);
  const double scaled = std::min(base * (1.0 - jitter + 2.0 * jitter * r), cap);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(scaled)));
}

namespace {

std::optional<double> parse_number(std::string_view text) {
  std::string s(text);
  s.erase(std::remove_if(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); }),
          s.end());
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == nullptr || *end != '\0' || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<std::chrono::milliseconds> from_seconds(double seconds) {
  if (seconds < 0 || seconds > 1e9) return std::nullopt;
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(seconds * 1000.0)));
}

int month_index(std::string_view m) {
  static constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  if (m.size() < 3) return -1;
  std::string lower;
  for (char c : m.substr(0, 3))
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (int i = 0; i < 12; ++i) {
    if (kMonths[i] == lower) return i;
  }
  return -1;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
  // Tokenise on spaces, commas and dashes; accept the three formats of RFC 9110 5.6.7.
  std::vector<std::string> tok;
  std::string cur;
  for (char c : text) {
    if (c == ' ' || c == ',' || c == '-' || c == '\t') {
      if (!cur.empty()) tok.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) tok.push_back(std::move(cur));
  int day = -1, month = -1, hh = -1, mm = -1, ss = -1;
  std::int64_t year = -1;
  for (std::size_t i = 1; i < tok.size(); ++i) {  // token 0 is the weekday
    const std::string& t = tok[i];
    if (t.find(':') != std::string::npos) {
      if (std::sscanf(t.c_str(), "%d:%d:%d", &hh, &mm, &ss) != 3) return std::nullopt;
    } else if (month < 0 && month_index(t) >= 0) {
      month = month_index(t);
    } else if (!t.empty() && std::isdigit(static_cast<unsigned char>(t[0]))) {
      const long v = std::strtol(t.c_str(), nullptr, 10);
      if (day < 0 && t.size() <= 2 && month < 0) {
        day = static_cast<int>(v);
      } else if (day < 0 && t.size() <= 2 && month >= 0 && hh < 0) {
        day = static_cast<int>(v);  // asctime: "Nov  6 08:49:37 1994"
      } else {
        year = v < 100 ? (v < 70 ? 2000 + v : 1900 + v) : v;
      }
    }
  }
  if (day < 1 || day > 31 || month < 0 || year < 1970 || hh < 0 || hh > 23 || mm < 0 || mm > 59 ||
      ss < 0 || ss > 60) {
    return std::nullopt;
  }
  const std::int64_t days =
      detail::days_from_civil(year, static_cast<unsigned>(month + 1), static_cast<unsigned>(day));
  const std::int64_t secs = days * 86400 + hh * 3600 + mm * 60 + ss;
  return std::chrono::system_clock::time_point(std::chrono::seconds(secs));
}

std::optional<std::chrono::milliseconds> server_retry_delay(
    const HttpResponse& response, std::chrono::system_clock::time_point now) {
  if (auto ms = response.header("retry-after-ms")) {
    if (auto v = parse_number(*ms); v && *v >= 0 && *v < 1e12) {
      return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(*v)));
    }
  }
  if (auto ra = response.header("retry-after")) {
    if (auto v = parse_number(*ra)) {
      if (auto d = from_seconds(*v)) return d;
    } else if (auto when = parse_http_date(*ra)) {
      const auto diff = std::chrono::duration_cast<std::chrono::milliseconds>(*when - now);
      return std::max(diff, std::chrono::milliseconds(0));
    }
  }
  if (!response.body.empty() && response.body.size() < 1'000'000) {
    const Json j = Json::parse(response.body, nullptr, false);
    if (j.is_object()) {
      auto it = j.find("retry_after");
      if (it != j.end()) {
        if (it->is_number()) return from_seconds(it->get<double>());
        if (it->is_string()) {
          if (auto v = parse_number(it->get<std::string>())) return from_seconds(*v);
        }
      }
    }
  }
  if (auto reset = response.header("x-ratelimit-reset")) {
    if (auto v = parse_number(*reset); v && *v >= 0) {
      if (*v < 1e9) return from_seconds(*v);  // seconds until the window resets
      const auto when = std::chrono::system_clock::time_point(
          std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(*v * 1000.0))));
      return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(when - now),
                      std::chrono::milliseconds(0));
    }
  }
  return std::nullopt;
}

}  // namespace respan
