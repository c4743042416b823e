/// @file retry.hpp
/// @brief The retry schedule as pure functions, so it can be inspected and tested.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include <respan/options.hpp>
#include <respan/transport.hpp>

namespace respan {

/// Delay before retry number `retry` (0-based) when the server gave no hint:
/// `initial_backoff * multiplier^retry` capped at `max_backoff`, then scaled by
/// `1 - jitter + 2 * jitter * random01` and capped at `max_backoff` again.
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry,
                                        double random01) noexcept;

/// The delay the server asked for, if any, in this order: `retry-after-ms` header,
/// `Retry-After` header (delta-seconds or HTTP-date, relative to `now`), the JSON body's
/// `retry_after` (seconds), and `X-RateLimit-Reset` (epoch seconds; a value below 1e9 is
/// read as seconds from now). Not capped; negative or unparsable values are ignored.
std::optional<std::chrono::milliseconds> server_retry_delay(
    const HttpResponse& response, std::chrono::system_clock::time_point now);

/// Parses an HTTP-date (IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850 or asctime).
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

}  // namespace respan
