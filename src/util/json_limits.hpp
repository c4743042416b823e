// Internal: the one way JSON text from the network (responses in the client, requests in the
// mock server) is parsed. Nesting depth is bounded while parsing, because dump(), copies and
// comparisons of a value recurse once per level and a hostile body of ~200 KB of '[' would
// otherwise overflow the stack.
//
// parse_json_bounded() runs nlohmann's own parser (iterative) through its SAX interface and
// builds the value itself, refusing the first array or object that would open deeper than the
// bound, so a deep body is dropped after its first levels. The value is therefore nlohmann's:
// RFC 8259 strictly (no comments, no trailing commas, no leading zeros, no raw control
// characters, strings must be valid UTF-8, lone surrogate escapes refused), an optional UTF-8
// BOM skipped, integers as int64 (negative) or uint64, falling back to double when they do not
// fit, numbers above double's range refused, below it read as +-0, the last of duplicate keys
// winning. One deliberate difference: a NUL byte anywhere is an error (nlohmann takes one
// outside a string for the end of the input and accepts "1\0garbage"). The fuzz_json
// differential fuzzer checks all this against Json::parse.
//
// It replaced a hand-written parser (issue #19): bench/bench_json.cpp at commit 4cc8b2a measured
// that one 1.8-2.8x faster on list pages, but a 100-row list call against the mock over
// loopback took as long with either reader (its time is the server's and the network's).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

/// Reads one JSON text with parse_json_bounded()'s rules.
class BoundedJsonParser {
 public:
  BoundedJsonParser(std::string_view text, std::size_t max_depth) noexcept
      : text_(text), max_depth_(max_depth) {}

  /// The whole text as one value into `root` (unspecified unless the status is ok).
  JsonParseStatus parse(Json& root) {
    Builder b(&root, nullptr, max_depth_);
    if (run(b)) return JsonParseStatus::ok;
    return b.too_deep ? JsonParseStatus::too_deep : JsonParseStatus::invalid;
  }

  /// Parses the text as one JSON object into `out`'s members, in order, without building a map.
  /// False (and `out` unspecified) unless the text is a valid object within the depth bound
  /// whose member names are all different: callers then use parse() for the exact outcome.
  bool parse_flat_object(FlatJsonObject& out) {
    out.members.clear();
    Builder b(nullptr, &out, max_depth_);
    return run(b);
  }

 private:
  // nlohmann's SAX events -> a Json value (into `root`) or the members of a top-level object
  // (into `flat`), with the depth bound checked as each array or object opens.
  struct Builder {
    Json* root;
    FlatJsonObject* flat;
    std::size_t max_depth;
    bool too_deep = false;
    Json* slot = nullptr;      // where the value after the last key goes
    std::vector<Json*> stack;  // open arrays and objects, innermost last (nullptr: `flat`)

    Builder(Json* r, FlatJsonObject* f, std::size_t d) : root(r), flat(f), max_depth(d) {}
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
    bool parse_error(std::size_t, const std::string&, const Json::exception&) { return false; }
    bool key(Json::string_t& k) {
      if (stack.back() != nullptr) {
        slot = &stack.back()->get_ref<Json::object_t&>()[k];  // the last duplicate wins
        return true;
      }
      if (flat->find(k) != flat->end()) return false;  // a duplicate: the caller uses parse()
      flat->members.emplace_back(k, Json());
      slot = &flat->members.back().second;
      return true;
    }
    // The next value's place: the root, a new array element or the last key's slot.
    Json* next() {
      if (stack.empty()) return root;
      if (stack.back() != nullptr && stack.back()->is_array()) {
        auto& items = stack.back()->get_ref<Json::array_t&>();
        items.emplace_back();
        return &items.back();  // stays valid: the array grows again only after it is complete
      }
      return slot;
    }
    bool put(Json&& v) {
      Json* s = next();
      if (s == nullptr) return false;  // a flat object's text that is not an object
      *s = std::move(v);
      return true;
    }
    bool open(Json::value_t type) {
      if (stack.size() >= max_depth) {
        too_deep = true;
        return false;
      }
      Json* s = next();
      if (s == nullptr && type != Json::value_t::object) return false;
      if (s != nullptr) *s = Json(type);
      stack.push_back(s);
      return true;
    }
    bool close() {
      stack.pop_back();
      return true;
    }
  };

  bool run(Builder& b) const {
    // nlohmann reads a NUL byte as the end of the input; it is never valid JSON text.
    return text_.find('\0') == std::string_view::npos &&
           Json::sax_parse(text_.data(), text_.data() + text_.size(), &b);
  }

  std::string_view text_;
  std::size_t max_depth_;
};

inline BoundedJson parse_json_bounded(std::string_view text,
                                      std::size_t max_depth = kMaxJsonDepth) {
  BoundedJson out;
  out.status = BoundedJsonParser(text, max_depth).parse(out.value);
  if (out.status != JsonParseStatus::ok) out.value = Json();
  return out;
}

}  // namespace respan::detail
