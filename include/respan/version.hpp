/// @file version.hpp
/// @brief The SDK version.
#pragma once

#include <string_view>

#define RESPAN_VERSION_MAJOR 0
#define RESPAN_VERSION_MINOR 1
#define RESPAN_VERSION_PATCH 0

namespace respan {
/// "MAJOR.MINOR.PATCH" of this SDK (sent in the User-Agent header).
constexpr std::string_view version() noexcept {
  return "0.1.0";
}
}  // namespace respan
