// Internal: the one way JSON text from the network (responses in the client, requests in the
// mock server) is parsed: nesting depth is bounded before nlohmann/json sees the text, because
// dump(), copies and comparisons of a value recurse once per level and a hostile body of
// ~200 KB of '[' would otherwise overflow the stack.
#pragma once

#include <cstddef>
#include <string_view>

#include <respan/json.hpp>

namespace respan::detail {

/// Deepest nesting of arrays and objects accepted in any JSON document.
constexpr std::size_t kMaxJsonDepth = 128;

/// True when `text` nests arrays/objects deeper than `limit` (brackets inside strings do
/// not count). Linear, no allocation; malformed text is left to the parser.
inline bool json_too_deep(std::string_view text, std::size_t limit = kMaxJsonDepth) noexcept {
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > limit) return true;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return false;
}

/// Why parse_json_bounded() failed.
enum class JsonParseStatus { ok, invalid, too_deep };

/// Parses `text` as JSON; `status` says whether it was valid and within the depth bound
/// (`value` is then discarded/null). Never throws.
struct BoundedJson {
  Json value;
  JsonParseStatus status = JsonParseStatus::ok;
};
inline BoundedJson parse_json_bounded(std::string_view text,
                                      std::size_t max_depth = kMaxJsonDepth) {
  BoundedJson out;
  if (json_too_deep(text, max_depth)) {
    out.status = JsonParseStatus::too_deep;
    return out;
  }
  out.value = Json::parse(text.begin(), text.end(), nullptr, false);
  if (out.value.is_discarded()) {
    out.value = Json();
    out.status = JsonParseStatus::invalid;
  }
  return out;
}

}  // namespace respan::detail
