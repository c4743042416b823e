// Internal: the protobuf wire format (https://protobuf.dev/programming-guides/encoding/), the
// little of it that OTLP needs, without libprotobuf: varints, fixed64, length-delimited fields,
// and a bounded reader. Header-only, so that respan (the OTLP encoder, the answer decoder) and
// respan::testing (the mock's OTLP decoder) share it without a link dependency.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "util/text.hpp"

namespace respan::detail::proto {

/// Wire types (the low three bits of a tag). Groups (3, 4) are not supported.
enum class WireType : std::uint8_t { varint = 0, fixed64 = 1, len = 2, fixed32 = 5 };

// ---------------------------------------------------------------- writing

inline void put_varint(std::string& out, std::uint64_t v) {
  char buf[10];
  std::size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out.append(buf, n);
}

/// Bytes of the varint encoding of `v` (1-10).
constexpr std::size_t varint_size(std::uint64_t v) noexcept {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

inline void put_tag(std::string& out, std::uint32_t field, WireType type) {
  put_varint(out, (static_cast<std::uint64_t>(field) << 3) | static_cast<std::uint64_t>(type));
}

/// A varint field (int32/int64/uint32/uint64/bool/enum; negative int64 as its two's
/// complement, 10 bytes, as protobuf does).
inline void put_varint_field(std::string& out, std::uint32_t field, std::uint64_t v) {
  put_tag(out, field, WireType::varint);
  put_varint(out, v);
}

inline void put_fixed64_field(std::string& out, std::uint32_t field, std::uint64_t v) {
  put_tag(out, field, WireType::fixed64);
  char buf[8];
  for (int i = 0; i < 8; ++i)
    buf[i] = static_cast<char>((v >> (8 * i)) & 0xFF);  // little-endian
  out.append(buf, 8);
}

inline void put_double_field(std::string& out, std::uint32_t field, double d) {
  std::uint64_t bits = 0;
  static_assert(sizeof bits == sizeof d, "IEEE 754 double");
  std::memcpy(&bits, &d, sizeof d);
  put_fixed64_field(out, field, bits);
}

/// A bytes field.
inline void put_bytes_field(std::string& out, std::uint32_t field, std::string_view bytes) {
  put_tag(out, field, WireType::len);
  put_varint(out, bytes.size());
  out.append(bytes.data(), bytes.size());
}

/// A string field: UTF-8 as protobuf requires, each byte that does not start a valid UTF-8
/// sequence replaced by U+FFFD (the rule of the JSON writer, util/json_write.hpp, so the
/// protobuf and JSON encodings of a value carry the same text).
inline void put_string_field(std::string& out, std::uint32_t field, std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80)
    ++i;
  if (i == s.size()) {
    put_bytes_field(out, field, s);
    return;
  }
  std::string clean(s.substr(0, i));
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      clean.push_back(s[i++]);
    } else if (const std::size_t n = utf8_sequence_length(s, i)) {
      clean.append(s.data() + i, n);
      i += n;
    } else {
      clean.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  put_bytes_field(out, field, clean);
}

/// Starts an embedded message (a length-delimited field whose length is not known yet): writes
/// the tag and a one-byte length placeholder; returns the mark end_message() needs.
inline std::size_t begin_message(std::string& out, std::uint32_t field) {
  put_tag(out, field, WireType::len);
  out.push_back('\0');
  return out.size();
}

/// Ends the message begun at `mark`: writes its length, moving the content when the length
/// needs more than one byte (only messages of 128 bytes or more pay that move).
inline void end_message(std::string& out, std::size_t mark) {
  const std::size_t len = out.size() - mark;
  const std::size_t n = varint_size(len);
  if (n > 1) out.insert(mark, n - 1, '\0');
  std::size_t v = len;
  for (std::size_t k = 0; k < n; ++k) {
    out[mark - 1 + k] = static_cast<char>((v & 0x7F) | (k + 1 < n ? 0x80 : 0));
    v >>= 7;
  }
}

// ---------------------------------------------------------------- reading

/// One field read by Reader::next().
struct Field {
  std::uint32_t number = 0;
  WireType type = WireType::varint;
  std::uint64_t value = 0;  ///< varint, fixed64 or fixed32 fields
  std::string_view bytes;   ///< length-delimited fields
};

/// Reads the fields of one message, bounded by its bytes: a varint longer than 10 bytes, a
/// length or a fixed field past the end, field number 0, and groups (wire types 3 and 4) are
/// errors (next() returns false and error() is set); nothing is read outside the input.
class Reader {
 public:
  explicit Reader(std::string_view data) noexcept
      : p_(data.data()), end_(data.data() + data.size()) {}

  /// Reads the next field into `f`; false at the end of the message or on an error.
  bool next(Field& f) noexcept {
    if (error_ != nullptr || p_ == end_) return false;
    std::uint64_t tag = 0;
    if (!varint(tag)) return fail("malformed varint in a tag");
    if ((tag >> 3) == 0 || (tag >> 3) > 0x1FFFFFFF) return fail("invalid field number");
    f.number = static_cast<std::uint32_t>(tag >> 3);
    f.value = 0;
    f.bytes = {};
    switch (tag & 7) {
      case 0:
        f.type = WireType::varint;
        if (!varint(f.value)) return fail("malformed varint");
        return true;
      case 1:
        f.type = WireType::fixed64;
        return fixed(8, f.value);
      case 2: {
        f.type = WireType::len;
        std::uint64_t len = 0;
        if (!varint(len)) return fail("malformed length");
        if (len > static_cast<std::uint64_t>(end_ - p_)) return fail("length past the end");
        f.bytes = std::string_view(p_, static_cast<std::size_t>(len));
        p_ += len;
        return true;
      }
      case 5:
        f.type = WireType::fixed32;
        return fixed(4, f.value);
      default:
        return fail("unsupported wire type (group or reserved)");
    }
  }

  /// Why reading stopped early, or nullptr (a static string).
  const char* error() const noexcept { return error_; }

 private:
  bool varint(std::uint64_t& v) noexcept {
    v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (p_ == end_) return false;
      const auto b = static_cast<unsigned char>(*p_++);
      if (shift == 63 && b > 1) return false;  // more than 64 bits
      v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;  // an 11th byte
  }
  bool fixed(int n, std::uint64_t& v) noexcept {
    if (end_ - p_ < n) return fail("fixed-size field past the end");
    v = 0;
    for (int i = 0; i < n; ++i)
      v |= static_cast<std::uint64_t>(static_cast<unsigned char>(p_[i])) << (8 * i);
    p_ += n;
    return true;
  }
  bool fail(const char* why) noexcept {
    error_ = why;
    return false;
  }

  const char* p_;
  const char* end_;
  const char* error_ = nullptr;
};

/// True when `s` is valid UTF-8 (what protobuf requires of a string field).
inline bool is_valid_utf8(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
    } else if (const std::size_t n = utf8_sequence_length(s, i)) {
      i += n;
    } else {
      return false;
    }
  }
  return true;
}

/// The `message` of a google.rpc.Status (`int32 code = 1; string message = 2; repeated Any
/// details = 3;`), the body of an OTLP/HTTP error answer in protobuf; nullopt when `body` is
/// not such a message or has no message.
inline std::optional<std::string> rpc_status_message(std::string_view body) {
  Reader r(body);
  Field f;
  std::optional<std::string> message;
  while (r.next(f)) {
    if (f.number == 1 && f.type != WireType::varint) return std::nullopt;
    if (f.number == 2) {
      if (f.type != WireType::len || !is_valid_utf8(f.bytes)) return std::nullopt;
      message = std::string(f.bytes);
    }
  }
  if (r.error() != nullptr || !message || message->empty()) return std::nullopt;
  return message;
}

/// True for the media types of protobuf bodies (`application/x-protobuf`,
/// `application/protobuf`), parameters ignored.
inline bool is_protobuf_media_type(std::string_view content_type) {
  const std::string_view media = trim(content_type.substr(0, content_type.find(';')));
  return iequals(media, "application/x-protobuf") || iequals(media, "application/protobuf");
}

}  // namespace respan::detail::proto
