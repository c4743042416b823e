// Differential fuzzer for the JSON reader and writer every response and request body goes
// through: bytes -> detail::parse_json_bounded, compared with nlohmann's own parser.
// Checked properties:
// - within the depth bound, parse_json_bounded accepts exactly what Json::parse accepts, and
//   builds an equal value of the same types;
// - beyond the bound (json_too_deep), or with a NUL byte anywhere, it never accepts;
// - for an accepted value v: detail::to_json_text(v) parses back to v, and is byte-identical
//   to nlohmann's dump when v holds no double (doubles may be spelled differently but keep
//   their value);
// - the input as one string value: to_json_text gives valid JSON text whatever the bytes
//   (invalid UTF-8 replaced), equal to nlohmann's dump with error_handler_t::replace when the
//   bytes are valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <respan/json.hpp>

#include "util/json_limits.hpp"
#include "util/json_write.hpp"

namespace {

using respan::Json;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// Equal values and equal JSON types at every level (Json's operator== treats 1 and 1.0 as
// equal; the types must match too).
bool same(const Json& a, const Json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
      if (ia.key() != ib.key() || !same(ia.value(), ib.value())) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!same(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

bool has_double(const Json& v) {
  if (v.is_number_float()) return true;
  if (!v.is_structured()) return false;
  for (const Json& child : v) {
    if (has_double(child)) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto ours = respan::detail::parse_json_bounded(text);
  if (respan::detail::json_too_deep(text) || text.find('\0') != std::string_view::npos) {
    // Too deep, or a NUL byte (never valid JSON; nlohmann reads one as the end of the input
    // and accepts "1\0garbage", this parser refuses it).
    check(ours.status != respan::detail::JsonParseStatus::ok);
  } else {
    const Json reference = Json::parse(text.begin(), text.end(), nullptr, false);
    check(reference.is_discarded() == (ours.status != respan::detail::JsonParseStatus::ok));
    if (!reference.is_discarded()) check(same(ours.value, reference));
  }
  if (ours.status == respan::detail::JsonParseStatus::ok) {
    const std::string written = respan::detail::to_json_text(ours.value);
    const auto back = respan::detail::parse_json_bounded(written);
    check(back.status == respan::detail::JsonParseStatus::ok);
    check(back.value == ours.value);
    if (!has_double(ours.value)) {
      check(written == ours.value.dump(-1, ' ', false, Json::error_handler_t::replace));
    }
  }

  const Json as_string = std::string(text);
  const std::string quoted = respan::detail::to_json_text(as_string);
  const auto reread = respan::detail::parse_json_bounded(quoted);
  check(reread.status == respan::detail::JsonParseStatus::ok && reread.value.is_string());
  bool valid_utf8 = true;
  for (std::size_t i = 0; i < text.size() && valid_utf8;) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
    } else if (const std::size_t n = respan::detail::utf8_sequence_length(text, i)) {
      i += n;
    } else {
      valid_utf8 = false;
    }
  }
  if (valid_utf8) {
    check(reread.value == as_string);
    check(quoted == as_string.dump(-1, ' ', false, Json::error_handler_t::replace));
  }
  return 0;
}
