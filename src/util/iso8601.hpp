// Internal: the one ISO 8601 / RFC 3339 parser and formatter, shared by respan::Timestamp and
// the mock server (header-only: the mock library does not link respan). Locale-independent,
// no undefined behaviour for any input.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "util/civil_time.hpp"
#include "util/text.hpp"

namespace respan::detail {

namespace iso8601_impl {

inline bool is_leap(std::int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

inline unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29u : kDays[m - 1];
}

// Reads exactly `n` ASCII digits at `pos`.
inline bool digits(std::string_view s, std::size_t& pos, std::size_t n, int& out) {
  if (pos > s.size() || n > s.size() - pos) return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (!is_ascii_digit(c)) return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  out = v;
  return true;
}

}  // namespace iso8601_impl

/// Parses an ISO 8601 / RFC 3339 date or date-time into microseconds since the Unix epoch.
/// Accepted: `YYYY-MM-DD` (years 0000-9999, day checked against the month), then optionally
/// `T` (or `t` or a space), `hh:mm`, `:ss` (60 = leap second, read as 59), a fraction of 1-9
/// digits after the seconds (`.` or `,`; truncated to microseconds), and a zone `Z`, `z`,
/// `±hh:mm`, `±hhmm` or `±hh`. No zone means UTC. Anything else: nullopt.
inline std::optional<std::int64_t> parse_iso8601_micros(std::string_view s) {
  using iso8601_impl::digits;
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0;
  if (!digits(s, pos, 4, year) || pos >= s.size() || s[pos++] != '-') return std::nullopt;
  if (!digits(s, pos, 2, month) || pos >= s.size() || s[pos++] != '-') return std::nullopt;
  if (!digits(s, pos, 2, day)) return std::nullopt;
  if (month < 1 || month > 12 || day < 1 ||
      static_cast<unsigned>(day) >
          iso8601_impl::days_in_month(year, static_cast<unsigned>(month))) {
    return std::nullopt;
  }
  int hour = 0, minute = 0, second = 0;
  std::int64_t micros = 0;
  std::int64_t offset_seconds = 0;
  if (pos < s.size()) {
    const char sep = s[pos++];
    if (sep != 'T' && sep != 't' && sep != ' ') return std::nullopt;
    if (!digits(s, pos, 2, hour) || pos >= s.size() || s[pos++] != ':') return std::nullopt;
    if (!digits(s, pos, 2, minute)) return std::nullopt;
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!digits(s, pos, 2, second)) return std::nullopt;
      if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
        ++pos;
        std::size_t n = 0;
        std::int64_t frac = 0;
        while (pos < s.size() && is_ascii_digit(s[pos])) {
          if (n < 6) frac = frac * 10 + (s[pos] - '0');
          ++n;
          ++pos;
        }
        if (n == 0 || n > 9) return std::nullopt;
        for (std::size_t i = n; i < 6; ++i)
          frac *= 10;
        micros = frac;
      }
    }
    if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
    if (second == 60) second = 59;  // leap second: clamp
    if (pos < s.size()) {
      const char z = s[pos];
      if (z == 'Z' || z == 'z') {
        ++pos;
      } else if (z == '+' || z == '-') {
        ++pos;
        int oh = 0, om = 0;
        if (!digits(s, pos, 2, oh)) return std::nullopt;
        if (pos < s.size()) {
          if (s[pos] == ':') ++pos;
          if (!digits(s, pos, 2, om)) return std::nullopt;
        }
        if (oh > 23 || om > 59) return std::nullopt;
        offset_seconds = (z == '+' ? 1 : -1) * (oh * 3600 + om * 60);
      } else {
        return std::nullopt;
      }
    }
    if (pos != s.size()) return std::nullopt;
  }
  const std::int64_t days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const std::int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  return secs * 1000000 + micros;
}

/// Formats microseconds since the epoch as `YYYY-MM-DDThh:mm:ss.ffffffZ` (UTC).
inline std::string format_iso8601_micros(std::int64_t micros) {
  std::int64_t secs = micros / 1000000;
  std::int64_t frac = micros % 1000000;
  if (frac < 0) {
    frac += 1000000;
    secs -= 1;
  }
  std::int64_t days = secs / 86400;
  std::int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days -= 1;
  }
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ",
                static_cast<long long>(y), m, d, static_cast<long long>(rem / 3600),
                static_cast<long long>((rem % 3600) / 60), static_cast<long long>(rem % 60),
                static_cast<long long>(frac));
  return buf;
}

}  // namespace respan::detail
