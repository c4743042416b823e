/// @file json.hpp
/// @brief The JSON type used by every respan model (nlohmann::json).
#pragma once

#include <nlohmann/json.hpp>

namespace respan {
/// Any JSON value. Models keep unknown response fields in a `Json extra` member.
using Json = nlohmann::json;
}  // namespace respan
