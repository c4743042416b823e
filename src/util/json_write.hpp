// Internal: compact JSON text from a Json value, the one serializer for request bodies.
//
// Same output as Json::dump(-1, ' ', false, error_handler_t::replace) for every value the
// SDK sends (compact, UTF-8 kept as is, invalid UTF-8 replaced by U+FFFD, object members in
// the Json's own order), several times faster: strings are copied in runs rather than byte
// by byte, numbers go through std::to_chars, and there is no per-character virtual call.
// Differences that do not change the value: a non-finite number is written as `null` (the
// pipeline refuses those before they get here), and a double is written in its shortest
// round-trip form (std::to_chars) with ".0" added when it would otherwise read as an integer.
// Iterative, so a deeply nested value cannot overflow the stack.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <respan/json.hpp>

#include "util/text.hpp"

namespace respan::detail {

/// Bytes a JSON string cannot hold as they are: controls, '"', '\\', and every non-ASCII
/// byte (checked as UTF-8 by the slow path).
struct JsonEscapeTable {
  bool special[256] = {};
  constexpr JsonEscapeTable() {
    for (int c = 0; c < 256; ++c)
      special[c] = c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
  }
};
inline constexpr JsonEscapeTable kJsonEscape{};

/// Appends `s` as a JSON string literal (quotes included).
inline void write_json_string(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  const char* const data = s.data();
  const std::size_t size = s.size();
  std::size_t i = 0;
  while (i < size && !kJsonEscape.special[static_cast<unsigned char>(data[i])])
    ++i;
  if (i == size) {  // the common case: nothing to escape
    const std::size_t at = out.size();
    out.resize(at + size + 2);
    char* dst = &out[at];
    dst[0] = '"';
    if (size != 0) std::memcpy(dst + 1, data, size);
    dst[size + 1] = '"';
    return;
  }
  out.push_back('"');
  std::size_t run = 0;  // start of the bytes not yet copied
  while (i < size) {
    const auto c = static_cast<unsigned char>(data[i]);
    if (!kJsonEscape.special[c]) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (const std::size_t n = utf8_sequence_length(s, i)) {
        i += n;
        continue;
      }
    }
    out.append(data + run, i - run);
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (c < 0x20) {
          const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
          out.append(esc, sizeof esc);
        } else {
          out.append("\xEF\xBF\xBD");  // invalid UTF-8 byte: U+FFFD REPLACEMENT CHARACTER
        }
    }
    ++i;
    run = i;
  }
  out.append(data + run, size - run);
  out.push_back('"');
}

/// Appends an integer as JSON text.
template <class Int>
inline void write_json_integer(Int value, std::string& out) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, r.ptr);
}

/// Appends a double as JSON text: its shortest round-trip form, with ".0" added when it would
/// otherwise read as an integer; `null` when it is not finite (callers refuse those first).
inline void write_json_double(double d, std::string& out) {
  if (!std::isfinite(d)) {
    out.append("null");
    return;
  }
  char buf[40];
  const auto r = std::to_chars(buf, buf + sizeof buf, d);
  const std::string_view text(buf, static_cast<std::size_t>(r.ptr - buf));
  out.append(text);
  if (text.find_first_of(".e") == std::string_view::npos) out.append(".0");
}

/// Appends the JSON text of a number or other scalar (not an array or object).
inline void write_json_scalar(const Json& v, std::string& out) {
  switch (v.type()) {
    case Json::value_t::null:
    case Json::value_t::discarded:
      out.append("null");
      return;
    case Json::value_t::boolean:
      out.append(v.get<bool>() ? "true" : "false");
      return;
    case Json::value_t::string:
      write_json_string(v.get_ref<const std::string&>(), out);
      return;
    case Json::value_t::number_integer:
      write_json_integer(v.get<std::int64_t>(), out);
      return;
    case Json::value_t::number_unsigned:
      write_json_integer(v.get<std::uint64_t>(), out);
      return;
    case Json::value_t::number_float:
      write_json_double(v.get<double>(), out);
      return;
    case Json::value_t::binary:  // never built by the SDK; written as nlohmann would
      out.append(v.dump());
      return;
    case Json::value_t::array:
    case Json::value_t::object:
      break;
  }
}

/// Appends the compact JSON text of `v` to `out`.
inline void write_json(const Json& v, std::string& out) {
  if (!v.is_structured()) {
    write_json_scalar(v, out);
    return;
  }
  // The common flat object or array (metadata, a list of numbers): no stack to allocate.
  bool flat = true;
  for (const Json& child : v) {
    if (child.is_structured()) {
      flat = false;
      break;
    }
  }
  if (flat) {
    const bool object = v.is_object();
    out.push_back(object ? '{' : '[');
    bool first = true;
    for (auto it = v.cbegin(); it != v.cend(); ++it) {
      if (!first) out.push_back(',');
      first = false;
      if (object) {
        write_json_string(it.key(), out);
        out.push_back(':');
      }
      write_json_scalar(*it, out);
    }
    out.push_back(object ? '}' : ']');
    return;
  }
  struct Frame {
    const Json* node;
    Json::const_iterator it;
    bool first;
  };
  std::vector<Frame> stack;
  stack.push_back({&v, v.cbegin(), true});
  out.push_back(v.is_object() ? '{' : '[');
  while (!stack.empty()) {
    Frame& f = stack.back();
    if (f.it == f.node->cend()) {
      out.push_back(f.node->is_object() ? '}' : ']');
      stack.pop_back();
      continue;
    }
    if (!f.first) out.push_back(',');
    f.first = false;
    if (f.node->is_object()) {
      write_json_string(f.it.key(), out);
      out.push_back(':');
    }
    const Json& child = *f.it;
    ++f.it;
    if (child.is_structured()) {
      out.push_back(child.is_object() ? '{' : '[');
      stack.push_back({&child, child.cbegin(), true});  // invalidates f
    } else {
      write_json_scalar(child, out);
    }
  }
}

/// The compact JSON text of `v`.
inline std::string to_json_text(const Json& v) {
  std::string out;
  out.reserve(256);
  write_json(v, out);
  return out;
}

}  // namespace respan::detail
