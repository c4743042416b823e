#include "testing/mock_util.hpp"

#include <chrono>
#include <cstdio>

#include "util/text.hpp"

namespace respan::testing::detail {

std::string percent_decode(std::string_view s, bool plus_as_space) {
  return respan::detail::percent_decode(s, plus_as_space);
}

std::string percent_encode(std::string_view s) {
  return respan::detail::percent_encode(s);
}

QueryPairs parse_query(std::string_view raw) {
  QueryPairs pairs;
  std::size_t start = 0;
  while (start <= raw.size()) {
    std::size_t end = raw.find('&', start);
    if (end == std::string_view::npos) end = raw.size();
    const std::string_view part = raw.substr(start, end - start);
    if (!part.empty()) {
      const std::size_t eq = part.find('=');
      if (eq == std::string_view::npos) {
        pairs.emplace_back(percent_decode(part, true), std::string());
      } else {
        pairs.emplace_back(percent_decode(part.substr(0, eq), true),
                           percent_decode(part.substr(eq + 1), true));
      }
    }
    start = end + 1;
  }
  return pairs;
}

std::string build_query(const QueryPairs& pairs) {
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) out.push_back('&');
    out += percent_encode(key);
    out.push_back('=');
    out += percent_encode(value);
  }
  return out;
}

std::string lower(std::string s) {
  return respan::detail::ascii_lower(s);
}

std::int64_t now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

IdGenerator::IdGenerator() {
  std::random_device rd;
  std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
  rng_.seed(seq);
}

std::string IdGenerator::hex32() {
  char buf[33];
  const auto a = static_cast<unsigned long long>(rng_());
  const auto b = static_cast<unsigned long long>(rng_());
  std::snprintf(buf, sizeof buf, "%016llx%016llx", a, b);
  return buf;
}

std::string IdGenerator::uuid4() {
  std::uint64_t a = rng_();
  std::uint64_t b = rng_();
  a = (a & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  b = (b & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // RFC 4122 variant
  char buf[37];
  std::snprintf(
      buf, sizeof buf, "%08llx-%04llx-%04llx-%04llx-%012llx",
      static_cast<unsigned long long>(a >> 32), static_cast<unsigned long long>((a >> 16) & 0xFFFF),
      static_cast<unsigned long long>(a & 0xFFFF), static_cast<unsigned long long>(b >> 48),
      static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFull));
  return buf;
}

}  // namespace respan::testing::detail
