// Internal pieces of the retry schedule shared by the pipeline.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include <respan/json.hpp>
#include <respan/transport.hpp>

namespace respan::detail {

/// Seconds since the Unix epoch of an HTTP-date (the three RFC 9110 formats, years
/// 1970-9999), or nullopt.
std::optional<std::int64_t> parse_http_date_seconds(std::string_view text);

/// respan::server_retry_delay with the body already parsed (`body` may be null). Delays are
/// clamped to [0, ~31 years], never ignored for being large.
std::optional<std::chrono::milliseconds> server_retry_delay(
    const HttpResponse& response, std::chrono::system_clock::time_point now, const Json* body);

}  // namespace respan::detail
