// Internal: the one way options are checked (ClientOptions, BatchOptions, TracerOptions):
// duration::max() saturates to the longest value an option takes, anything else outside
// its range is refused with an invalid_argument Error naming the option and the range.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <respan/error.hpp>

namespace respan::detail {

constexpr std::chrono::milliseconds kHour{3'600'000};
constexpr std::chrono::milliseconds kDay = kHour * 24;
constexpr std::chrono::milliseconds kWeek = kDay * 7;

/// An invalid_argument Error with `message`.
inline Error invalid_option(std::string message) {
  return Error::make(ErrorCode::invalid_argument, std::move(message));
}

/// An Error when `v` is outside [lo, hi]: "`name` must be between lo ms and hi ms (got v ms)".
inline std::optional<Error> check_duration(const char* name, std::chrono::milliseconds v,
                                           std::chrono::milliseconds lo,
                                           std::chrono::milliseconds hi) {
  if (v < lo || v > hi) {
    return invalid_option(std::string(name) + " must be between " + std::to_string(lo.count()) +
                          " ms and " + std::to_string(hi.count()) + " ms (got " +
                          std::to_string(v.count()) + " ms)");
  }
  return std::nullopt;
}

/// duration::max() stands for "no limit": replaced by `as`.
inline void saturate(std::chrono::milliseconds& d, std::chrono::milliseconds as) {
  if (d == std::chrono::milliseconds::max()) d = as;
}

}  // namespace respan::detail
