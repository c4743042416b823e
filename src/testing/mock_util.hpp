// Small helpers of the mock Respan server: URL coding, ids, clock.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace respan::testing::detail {

using QueryPairs = std::vector<std::pair<std::string, std::string>>;

/// Decodes %XX escapes (invalid escapes are kept literally); `plus_as_space` for query strings.
std::string percent_decode(std::string_view s, bool plus_as_space);
/// Encodes everything but RFC 3986 unreserved characters.
std::string percent_encode(std::string_view s);
/// Splits a raw query string ("a=1&b=x%20y") into decoded pairs, in order.
QueryPairs parse_query(std::string_view raw);
/// Builds an encoded query string from pairs.
std::string build_query(const QueryPairs& pairs);
/// ASCII lower-case copy.
std::string lower(std::string s);

/// Wall clock in microseconds since the Unix epoch.
std::int64_t now_micros();

/// Random identifiers (not thread-safe: the caller serialises access).
class IdGenerator {
 public:
  IdGenerator();
  /// 32 lower-case hex digits (the API's `unique_id` shape).
  std::string hex32();
  /// A random (version 4) UUID string.
  std::string uuid4();

 private:
  std::mt19937_64 rng_;
};

}  // namespace respan::testing::detail
