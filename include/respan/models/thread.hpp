/// @file thread.hpp
/// @brief The conversation thread model: spans sharing a `thread_identifier`. See common.hpp
/// for the conventions every model follows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <respan/export.hpp>
#include <respan/json.hpp>
#include <respan/models/common.hpp>

namespace respan {

/// A row of `POST /api/log_threads/`.
struct RESPAN_EXPORT ThreadRecord {
  std::string thread_identifier;           ///< The thread's id ("" if none was sent).
  std::optional<std::string> environment;  ///< Free text (e.g. "prod", "test").
  std::optional<std::int64_t> log_count;   ///< Spans in the thread.
  Json extra;                              ///< Any other field.
};
RESPAN_EXPORT void to_json(Json& j, const ThreadRecord& t);
RESPAN_EXPORT void from_json(const Json& j, ThreadRecord& t);

}  // namespace respan
