// Internal: the one way JSON text from the network (responses in the client, requests in the
// mock server) is parsed. Nesting depth is bounded while parsing, because dump(), copies and
// comparisons of a value recurse once per level and a hostile body of ~200 KB of '[' would
// otherwise overflow the stack.
//
// parse_json_bounded() is a one-pass, iterative parser that builds the same nlohmann Json
// value as Json::parse() for every document within the depth bound (checked by the
// fuzz_json differential fuzzer against nlohmann's own parser): RFC 8259 strictly (no
// comments, no trailing commas, no leading zeros, no raw control characters, strings must be
// valid UTF-8, lone surrogate escapes refused), an optional UTF-8 BOM skipped, integers as
// int64 (negative) or uint64, falling back to double when they do not fit, numbers above
// double's range refused (as nlohmann does), below it read as +-0, the last of duplicate
// keys winning. One deliberate difference: a NUL byte outside a string is an error (nlohmann
// takes it for the end of the input and accepts "1\0garbage").
// Kept by measurement (bench/bench_json.cpp, which parses the same bodies with this parser
// and with nlohmann's SAX interface plus the same depth bound, interleaved in one run): this
// parser is 1.6-2.1x faster on a 100-row request-log page, 2.8-4.0x on a 1 MB dataset-log
// page and 2.2-3.4x on a create answer (Release, medians of 5, three runs), and a 100-row
// list end to end in process costs 1.5-1.8x more client CPU with the SAX reader. The SAX
// candidate stays below (BoundedSaxBuilder, parse_json_sax) for that benchmark, selected per
// thread by g_bench_use_sax_reader, which nothing but the benchmark sets.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <respan/json.hpp>

#include "util/json_write.hpp"
#include "util/text.hpp"

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
/// (`value` is then null). Never throws (but std::bad_alloc).
struct BoundedJson {
  Json value;
  JsonParseStatus status = JsonParseStatus::ok;
};

/// A JSON object as its members in document order (see BoundedJsonParser::parse_flat_object):
/// for small response objects read once, cheaper than a Json object's map. Iterates like a
/// Json object (key(), value(), `*it`, `it->`), so BasicReader can read it.
struct FlatJsonObject {
  using Member = std::pair<std::string, Json>;
  std::vector<Member> members;

  class const_iterator {
   public:
    explicit const_iterator(const Member* m) : m_(m) {}
    const std::string& key() const { return m_->first; }
    const Json& value() const { return m_->second; }
    const Json& operator*() const { return m_->second; }
    const Json* operator->() const { return &m_->second; }
    const_iterator& operator++() {
      ++m_;
      return *this;
    }
    bool operator==(const const_iterator& o) const { return m_ == o.m_; }
    bool operator!=(const const_iterator& o) const { return m_ != o.m_; }

   private:
    const Member* m_;
  };

  const_iterator begin() const { return const_iterator(members.data()); }
  const_iterator end() const { return const_iterator(members.data() + members.size()); }
  const_iterator find(std::string_view key) const {
    for (const Member& m : members) {
      if (m.first == key) return const_iterator(&m);
    }
    return end();
  }
  bool is_object() const noexcept { return true; }
};

/// Bench only (bench/bench_json.cpp): makes parse_json_bounded() and parse_flat_object() use
/// the candidate below in this thread.
inline thread_local bool g_bench_use_sax_reader = false;

/// Candidate reader measured by bench/bench_json.cpp: nlohmann's own lexer and parser through
/// its SAX interface, building the value with the depth bound checked while parsing. With
/// `flat` set, the top-level object's members go into it instead (no duplicates allowed).
class BoundedSaxBuilder {
 public:
  BoundedSaxBuilder(Json& root, std::size_t max_depth, FlatJsonObject* flat = nullptr)
      : root_(&root), flat_(flat), max_depth_(max_depth) {}
  bool null() { return put(Json(nullptr)); }
  bool boolean(bool v) { return put(Json(v)); }
  bool number_integer(Json::number_integer_t v) { return put(Json(v)); }
  bool number_unsigned(Json::number_unsigned_t v) { return put(Json(v)); }
  bool number_float(Json::number_float_t v, const Json::string_t&) { return put(Json(v)); }
  bool string(Json::string_t& v) { return put(Json(v)); }
  bool binary(Json::binary_t&) { return false; }  // JSON text holds none
  bool start_object(std::size_t) { return open(Json::value_t::object); }
  bool start_array(std::size_t) { return open(Json::value_t::array); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(Json::string_t& k) {
    if (stack_.back() != nullptr) {
      slot_ = &stack_.back()->get_ref<Json::object_t&>()[k];  // the last duplicate wins
      return true;
    }
    if (flat_->find(k) != flat_->end()) return false;  // a duplicate: see parse_flat_object
    flat_->members.emplace_back(k, Json());
    slot_ = &flat_->members.back().second;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const Json::exception&) { return false; }
  bool too_deep() const noexcept { return too_deep_; }

 private:
  // Where the next value goes: the root, a new array element or the slot of the last key.
  Json* slot() {
    if (stack_.empty()) return root_;
    Json* top = stack_.back();
    if (top != nullptr && top->is_array()) {
      auto& items = top->get_ref<Json::array_t&>();
      items.emplace_back();
      return &items.back();
    }
    return slot_;
  }
  bool put(Json&& v) {
    if (stack_.empty() && flat_ != nullptr) return false;  // not an object
    *slot() = std::move(v);
    return true;
  }
  bool open(Json::value_t type) {
    if (stack_.size() >= max_depth_) {
      too_deep_ = true;
      return false;
    }
    if (stack_.empty() && flat_ != nullptr) {
      if (type != Json::value_t::object) return false;
      stack_.push_back(nullptr);  // the flat object's members are read in key()
      return true;
    }
    Json* s = slot();
    *s = Json(type);
    stack_.push_back(s);
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }

  Json* root_;
  FlatJsonObject* flat_;
  std::size_t max_depth_;
  Json* slot_ = nullptr;
  std::vector<Json*> stack_;  // the open arrays and objects, innermost last
  bool too_deep_ = false;
};

/// The candidate (see BoundedSaxBuilder): the same contract as parse_json_bounded().
inline BoundedJson parse_json_sax(std::string_view text, std::size_t max_depth = kMaxJsonDepth) {
  BoundedJson out;
  BoundedSaxBuilder sax(out.value, max_depth);
  // nlohmann reads a NUL byte as the end of the input; it is never valid JSON.
  if (text.find('\0') != std::string_view::npos ||
      !Json::sax_parse(text.data(), text.data() + text.size(), &sax)) {
    out.status = sax.too_deep() ? JsonParseStatus::too_deep : JsonParseStatus::invalid;
    out.value = Json();
  }
  return out;
}

/// The candidate's parse_flat_object().
inline bool parse_flat_object_sax(std::string_view text, FlatJsonObject& out) {
  out.members.clear();
  Json unused;
  BoundedSaxBuilder sax(unused, kMaxJsonDepth, &out);
  return text.find('\0') == std::string_view::npos &&
         Json::sax_parse(text.data(), text.data() + text.size(), &sax);
}

class BoundedJsonParser {
 public:
  BoundedJsonParser(std::string_view text, std::size_t max_depth) noexcept
      : p_(text.data()), end_(text.data() + text.size()), max_depth_(max_depth) {}

  JsonParseStatus parse(Json& root) {
    skip_bom();
    const JsonParseStatus status = value(root, 0);
    if (status != JsonParseStatus::ok) return status;
    skip_ws();
    return p_ == end_ ? JsonParseStatus::ok : JsonParseStatus::invalid;
  }

  /// Parses `text` as one JSON object into `out`'s members, in order, without building a map.
  /// False (and `out` unspecified) unless the text is a valid object within the depth bound
  /// whose member names are all different: callers then use parse() for the exact outcome.
  bool parse_flat_object(FlatJsonObject& out) {
    if (g_bench_use_sax_reader) {
      return parse_flat_object_sax(std::string_view(p_, static_cast<std::size_t>(end_ - p_)), out);
    }
    out.members.clear();
    skip_bom();
    skip_ws();
    if (p_ == end_ || *p_ != '{') return false;
    ++p_;
    skip_ws();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
    } else {
      for (;;) {
        std::string key;
        if (!member_name(key)) return false;
        for (const auto& m : out.members) {
          if (m.first == key) return false;  // a duplicate: the last one wins in parse()
        }
        out.members.emplace_back(std::move(key), Json());
        if (value(out.members.back().second, 1) != JsonParseStatus::ok) return false;
        skip_ws();
        if (p_ == end_) return false;
        const char d = *p_++;
        if (d == '}') break;
        if (d != ',') return false;
        skip_ws();
      }
    }
    skip_ws();
    return p_ == end_;
  }

 private:
  void skip_bom() noexcept {
    if (end_ - p_ >= 3 && std::memcmp(p_, "\xEF\xBB\xBF", 3) == 0) p_ += 3;  // UTF-8 BOM
  }

  // One complete value into `root`, nested inside `outer` containers (for the depth bound);
  // stops after it (trailing text is the caller's business).
  JsonParseStatus value(Json& root, std::size_t outer) {
    Json* target = &root;  // where the next value goes
    for (;;) {
      // A value into *target; containers open here and are filled by the loop below.
      skip_ws();
      if (p_ == end_) return JsonParseStatus::invalid;
      const char c = *p_;
      if (c == '{' || c == '[') {
        if (outer + stack_.size() + 1 > max_depth_) return JsonParseStatus::too_deep;
        ++p_;
        skip_ws();
        if (c == '{') {
          *target = Json::object();
          if (p_ != end_ && *p_ == '}') {
            ++p_;
          } else {
            stack_.push_back(target);
            if (!member(*target, target)) return JsonParseStatus::invalid;
            continue;
          }
        } else {
          *target = Json::array();
          if (p_ != end_ && *p_ == ']') {
            ++p_;
          } else {
            stack_.push_back(target);
            target = element(*target);
            continue;
          }
        }
      } else if (!scalar(*target)) {
        return JsonParseStatus::invalid;
      }
      // The value is complete: close containers until one takes another value.
      for (;;) {
        if (stack_.empty()) return JsonParseStatus::ok;
        skip_ws();
        if (p_ == end_) return JsonParseStatus::invalid;
        Json& top = *stack_.back();
        const char d = *p_++;
        if (d == ',') {
          if (top.is_object()) {
            skip_ws();
            if (!member(top, target)) return JsonParseStatus::invalid;
          } else {
            target = element(top);
          }
          break;
        }
        if (d != (top.is_object() ? '}' : ']')) return JsonParseStatus::invalid;
        stack_.pop_back();
      }
    }
  }

  void skip_ws() noexcept {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t'))
      ++p_;
  }

  static Json* element(Json& array) {
    auto& items = array.get_ref<Json::array_t&>();
    items.emplace_back();
    return &items.back();  // stays valid: the array grows again only after this is complete
  }

  // `"key" :` into `key`.
  bool member_name(std::string& key) {
    if (p_ == end_ || *p_ != '"') return false;
    if (!string(key)) return false;
    skip_ws();
    if (p_ == end_ || *p_ != ':') return false;
    ++p_;
    return true;
  }

  // `"key" :` then points `target` at the key's slot (the last duplicate wins).
  bool member(Json& object, Json*& target) {
    std::string key;
    if (!member_name(key)) return false;
    auto& members = object.get_ref<Json::object_t&>();
    auto [it, inserted] = members.try_emplace(std::move(key));
    if (!inserted) it->second = Json();
    target = &it->second;
    return true;
  }

  bool scalar(Json& out) {
    switch (*p_) {
      case '"': {
        std::string s;
        if (!string(s)) return false;
        out = std::move(s);
        return true;
      }
      case 't':
        return literal("true", Json(true), out);
      case 'f':
        return literal("false", Json(false), out);
      case 'n':
        return literal("null", Json(nullptr), out);
      default:
        return number(out);
    }
  }

  bool literal(std::string_view word, Json value, Json& out) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::memcmp(p_, word.data(), word.size()) != 0)
      return false;
    p_ += word.size();
    out = std::move(value);
    return true;
  }

  static int hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // Four hex digits after "\u"; -1 if malformed.
  long hex4() noexcept {
    if (end_ - p_ < 4) return -1;
    long v = 0;
    for (int i = 0; i < 4; ++i) {
      const int d = hex_digit(p_[i]);
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    p_ += 4;
    return v;
  }

  static void append_utf8(std::string& out, unsigned long cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // A string literal starting at '"'; plain runs are copied in one piece.
  bool string(std::string& out) {
    ++p_;  // the opening quote
    const char* run = p_;
    for (;;) {
      while (p_ != end_ && !kJsonEscape.special[static_cast<unsigned char>(*p_)])
        ++p_;
      if (p_ == end_) return false;
      const auto u = static_cast<unsigned char>(*p_);
      if (u == '"') {
        out.append(run, p_);
        ++p_;
        return true;
      }
      if (u < 0x20) return false;  // raw control characters must be escaped
      if (u >= 0x80) {
        const std::string_view rest(p_, static_cast<std::size_t>(end_ - p_));
        const std::size_t n = utf8_sequence_length(rest, 0);
        if (n == 0) return false;
        p_ += n;
        continue;
      }
      out.append(run, p_);  // a backslash
      if (++p_ == end_) return false;
      const char e = *p_++;
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out.push_back(e);
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          long cp = hex4();
          if (cp < 0 || (cp >= 0xDC00 && cp <= 0xDFFF)) return false;  // lone low surrogate
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
            p_ += 2;
            const long low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, static_cast<unsigned long>(cp));
          break;
        }
        default:
          return false;
      }
      run = p_;
    }
  }

  bool digits() noexcept {
    const char* start = p_;
    while (p_ != end_ && is_ascii_digit(*p_))
      ++p_;
    return p_ != start;
  }

  bool number(Json& out) {
    const char* start = p_;
    const bool negative = *p_ == '-';
    if (negative) ++p_;
    if (p_ == end_) return false;
    const char* int_start = p_;
    if (*p_ == '0') {
      ++p_;
    } else if (!digits()) {
      return false;
    }
    const std::size_t int_digits = static_cast<std::size_t>(p_ - int_start);
    bool is_float = false;
    std::size_t fraction_zeros = 0;  // zeros right after '.', for the range fallback below
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      const char* frac = p_;
      if (!digits()) return false;
      while (frac != p_ && *frac == '0') {
        ++frac;
        ++fraction_zeros;
      }
      is_float = true;
    }
    bool negative_exponent = false;
    long exponent = 0;
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) negative_exponent = *p_++ == '-';
      const char* exp_start = p_;
      if (!digits()) return false;
      for (const char* d = exp_start; d != p_ && exponent < 100000; ++d)
        exponent = exponent * 10 + (*d - '0');
      is_float = true;
    }
    if (!is_float) {
      if (negative) {
        std::int64_t v = 0;
        if (std::from_chars(start, p_, v).ec == std::errc()) {
          out = v;
          return true;
        }
      } else {
        std::uint64_t v = 0;
        if (std::from_chars(start, p_, v).ec == std::errc()) {
          out = v;
          return true;
        }
      }
    }
    double d = 0;
    const auto r = std::from_chars(start, p_, d);
    if (r.ec == std::errc::result_out_of_range) {
      // Beyond double's range: an overflow is refused (as nlohmann does: no infinity ever
      // enters a value), an underflow is +-0 (as strtod gives it).
      const bool int_is_zero = int_digits == 1 && *int_start == '0';
      const long magnitude =
          (int_is_zero ? -static_cast<long>(fraction_zeros) : static_cast<long>(int_digits)) +
          (negative_exponent ? -exponent : exponent);
      if (magnitude > 0) return false;
      d = negative ? -0.0 : 0.0;
    } else if (r.ec != std::errc() || r.ptr != p_) {
      return false;
    }
    out = d;
    return true;
  }

  const char* p_;
  const char* end_;
  std::size_t max_depth_;
  std::vector<Json*> stack_;  // the open arrays and objects, innermost last
};

inline BoundedJson parse_json_bounded(std::string_view text,
                                      std::size_t max_depth = kMaxJsonDepth) {
  if (g_bench_use_sax_reader) return parse_json_sax(text, max_depth);
  BoundedJson out;
  BoundedJsonParser parser(text, max_depth);
  out.status = parser.parse(out.value);
  if (out.status != JsonParseStatus::ok) out.value = Json();
  return out;
}

}  // namespace respan::detail
