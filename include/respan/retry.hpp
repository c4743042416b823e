/// @file retry.hpp
/// @brief The retry schedule as pure functions, so it can be inspected and tested.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include <respan/export.hpp>
#include <respan/options.hpp>
#include <respan/transport.hpp>

namespace respan {

/// Delay before retry number `retry` (0-based) when the server gave no hint:
/// `initial_backoff * multiplier^retry` capped at `max_backoff`, then scaled by
/// `1 - jitter + 2 * jitter * random01` and kept within `[min_backoff, max_backoff]`.
/// Non-finite or out-of-range policy values and `random01` are clamped, never trusted.
RESPAN_EXPORT std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry,
                                                      double random01) noexcept;

/// The delay the server asked for, if any, in this order: `retry-after-ms` header,
/// `Retry-After` header (delta-seconds or HTTP-date, relative to `now`), the JSON body's
/// `retry_after` (seconds), and, for a 429 only, `X-RateLimit-Reset` (epoch milliseconds
/// from 1e12, epoch seconds from 1e9, else seconds from now). A time in the past gives 0;
/// huge values are clamped to about 31 years (not ignored), negative or unparsable ones are
/// ignored. Not capped by any policy. Locale-independent.
RESPAN_EXPORT std::optional<std::chrono::milliseconds> server_retry_delay(
    const HttpResponse& response, std::chrono::system_clock::time_point now);

/// Parses an HTTP-date (IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850 or asctime).
/// Dates that std::chrono::system_clock cannot represent (after 2261) give nullopt.
RESPAN_EXPORT std::optional<std::chrono::system_clock::time_point> parse_http_date(
    std::string_view text);

}  // namespace respan
