// Internal: the rules every model follows on the wire (what is refused on writing, how
// tolerant reading is) and the reader that runs a model's field list (fields.hpp).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <respan/filters.hpp>
#include <respan/json.hpp>
#include <respan/models/common.hpp>
#include <respan/models/request_log.hpp>

#include "models/fields.hpp"
#include "util/json_limits.hpp"

namespace respan::detail {

/// Thrown by the serialisers of the models when a value may not go on the wire: a non-finite
/// number anywhere, or a set optional field whose value is JSON null. path() names the field
/// relative to the model being encoded ("prompt_messages[2].content", "metadata.score");
/// each enclosing serialiser prepends its own field. encode() (encode.hpp) turns it into an
/// ErrorCode::invalid_argument Error. A std::invalid_argument, so `Json(model)` users can
/// catch it without this header.
class EncodeError : public std::invalid_argument {
 public:
  EncodeError(std::string path, std::string reason, bool non_finite = false)
      : std::invalid_argument(reason),
        path_(std::move(path)),
        reason_(std::move(reason)),
        non_finite_(non_finite) {
    update();
  }
  /// True when the value refused is a NaN or an infinity (the asynchronous paths leave such a
  /// field out instead of refusing the whole model, see FieldDrops).
  bool non_finite() const noexcept { return non_finite_; }
  const std::string& path() const noexcept { return path_; }
  const std::string& reason() const noexcept { return reason_; }
  const char* what() const noexcept override { return message_.c_str(); }

  /// Makes the path relative to the enclosing object: "latency" -> "<field>.latency".
  void prepend_field(std::string_view field) {
    std::string p(field);
    if (!path_.empty() && path_.front() != '[') p += '.';
    path_ = p + path_;
    update();
  }
  /// Makes the path relative to the enclosing array: "content" -> "[i].content".
  void prepend_index(std::size_t index) {
    std::string p = "[" + std::to_string(index) + "]";
    if (!path_.empty() && path_.front() != '[') p += '.';
    path_ = p + path_;
    update();
  }

 private:
  void update() { message_ = path_.empty() ? reason_ : path_ + ": " + reason_; }
  std::string path_;
  std::string reason_;
  std::string message_;
  bool non_finite_ = false;
};

/// Fields left out of a model because they held a non-finite number: the asynchronous paths
/// (BatchLogger, Tracer) send the rest of the span and count them.
struct FieldDrops {
  /// The first paths kept ("latency", "metadata.score"); the count goes on.
  static constexpr std::size_t kNamed = 8;
  std::uint64_t count = 0;
  std::vector<std::string> paths;

  void add(std::string path) {
    ++count;
    if (paths.size() < kNamed) paths.push_back(std::move(path));
  }
  /// "left out non-finite numbers: latency, metadata.score" (with "and N more").
  std::string describe() const {
    std::string s =
        "left out " + std::to_string(count) + " non-finite number" + (count == 1 ? "" : "s") + ": ";
    for (std::size_t i = 0; i < paths.size(); ++i) {
      if (i != 0) s += ", ";
      s += paths[i];
    }
    if (count > paths.size()) s += " and " + std::to_string(count - paths.size()) + " more";
    return s;
  }
};

/// "not a finite number (NaN)" / "(inf)" / "(-inf)".
inline std::string non_finite_reason(double d) {
  const char* what = std::isnan(d) ? "NaN" : (d > 0 ? "inf" : "-inf");
  return std::string("not a finite number (") + what + ")";
}

/// @throws EncodeError when `d` is NaN or infinite.
inline void check_finite(double d) {
  if (!std::isfinite(d)) throw EncodeError("", non_finite_reason(d), true);
}

/// @throws EncodeError naming the first non-finite number inside `v` (path relative to `v`),
/// or, when `v` sits `outer_depth` containers deep and reaches deeper than `max_depth` levels
/// in all, the container that goes too deep. Nulls inside `v` are allowed (free-form user
/// JSON). Iterative: any nesting depth.
inline void check_finite(const Json& v, std::size_t outer_depth = 0,
                         std::size_t max_depth = static_cast<std::size_t>(-1)) {
  if (v.is_number_float()) {
    check_finite(v.get<double>());
    return;
  }
  if (!v.is_structured()) return;
  const auto too_deep = [max_depth] {
    return EncodeError("", "nests JSON deeper than " + std::to_string(max_depth) + " levels");
  };
  if (outer_depth + 1 > max_depth) throw too_deep();
  bool flat = true;  // the common flat object or array: checked without a stack
  for (const Json& child : v) {
    if (child.is_structured() || (child.is_number_float() && !std::isfinite(child.get<double>()))) {
      flat = false;  // nested, or a bad number whose path the walk below names
      break;
    }
  }
  if (flat) return;
  struct Frame {
    const Json* node;
    Json::const_iterator it;
    std::size_t index;
  };
  std::vector<Frame> stack;
  stack.push_back({&v, v.cbegin(), 0});
  while (!stack.empty()) {
    Frame& f = stack.back();
    if (f.it == f.node->cend()) {
      stack.pop_back();
      if (!stack.empty()) {
        ++stack.back().it;
        ++stack.back().index;
      }
      continue;
    }
    const Json& child = *f.it;
    const auto fail = [&stack](EncodeError e) {  // names the child's path, then throws
      for (auto fr = stack.rbegin(); fr != stack.rend(); ++fr) {
        if (fr->node->is_object()) {
          e.prepend_field(fr->it.key());
        } else {
          e.prepend_index(fr->index);
        }
      }
      throw e;
    };
    if (child.is_number_float() && !std::isfinite(child.get<double>())) {
      fail(EncodeError("", non_finite_reason(child.get<double>()), true));
    }
    if (child.is_structured()) {
      if (outer_depth + stack.size() + 1 > max_depth) fail(too_deep());
      stack.push_back({&child, child.cbegin(), 0});  // invalidates f
      continue;
    }
    ++f.it;
    ++f.index;
  }
}

/// `v` without its non-finite numbers, for the asynchronous paths: an object member that is
/// one, or an array that holds one (directly or in a nested array), is removed and its path
/// (`path` + ".name") recorded in `drops`; objects inside arrays are pruned in place. False
/// when `v` itself must go (it is such a number or array). `v` sits `depth` containers deep.
/// @throws EncodeError (not non_finite()) when `v` nests deeper than `max_depth` in all.
inline bool prune_non_finite(Json& v, const std::string& path, FieldDrops& drops, std::size_t depth,
                             std::size_t max_depth) {
  if (v.is_number_float()) return std::isfinite(v.get<double>());
  if (!v.is_structured()) return true;
  if (depth + 1 > max_depth) {
    throw EncodeError(path, "nests JSON deeper than " + std::to_string(max_depth) + " levels");
  }
  if (v.is_array()) {
    bool keep = true;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!prune_non_finite(v[i], path + "[" + std::to_string(i) + "]", drops, depth + 1,
                            max_depth)) {
        keep = false;  // the array goes whole: indices are not renumbered
      }
    }
    return keep;
  }
  for (auto it = v.begin(); it != v.end();) {
    std::string member = path.empty() ? it.key() : path + "." + it.key();
    if (prune_non_finite(it.value(), member, drops, depth + 1, max_depth)) {
      ++it;
    } else {
      drops.add(std::move(member));
      it = v.erase(it);
    }
  }
  return true;
}

/// `Json(v)` in two steps: the value is fully constructed before the model's to_json runs, so
/// an EncodeError thrown half-way unwinds it normally. (A throw inside nlohmann's converting
/// constructor leaves a partly built object that is never destroyed: a leak.)
template <class T>
Json to_json_value(const T& v) {
  Json out;
  nlohmann::adl_serializer<T>::to_json(out, v);
  return out;
}

/// The JSON of one field value, checked: no non-finite number in numbers, free-form JSON and
/// JsonUnion values; arrays report the failing element's index.
/// @throws EncodeError with a path relative to the value.
template <class T>
Json encode_value(const T& v) {
  if constexpr (std::is_floating_point_v<T>) {
    check_finite(static_cast<double>(v));
    return Json(v);
  } else if constexpr (std::is_same_v<T, Seconds>) {
    check_finite(v.count());
    return Json(v.count());
  } else if constexpr (std::is_same_v<T, Json>) {
    check_finite(v);
    return v;
  } else if constexpr (is_vector<T>::value) {
    Json out = Json::array();
    for (std::size_t i = 0; i < v.size(); ++i) {
      try {
        out.push_back(encode_value(v[i]));
      } catch (EncodeError& e) {
        e.prepend_index(i);
        throw;
      }
    }
    return out;
  } else if constexpr (std::is_base_of_v<JsonUnion, T>) {
    check_finite(v.json());
    return v.json();
  } else if constexpr (is_variant<T>::value) {
    return std::visit([](const auto& alt) { return encode_value(alt); }, v);
  } else {
    return to_json_value(v);  // models check themselves
  }
}

/// Sets j[k] to a required (always sent) value, checked like encode_value().
template <class T>
void put_required(Json& j, const char* k, const T& v) {
  try {
    j[k] = encode_value(v);
  } catch (EncodeError& e) {
    e.prepend_field(k);
    throw;
  }
}

/// Sets j[k] when `v` holds a value (unset optionals are omitted from the wire).
/// @throws EncodeError when the value is JSON null or holds a non-finite number.
template <class T>
void put(Json& j, const char* k, const std::optional<T>& v) {
  if (!v) return;
  Json out;
  try {
    out = encode_value(*v);
  } catch (EncodeError& e) {
    e.prepend_field(k);
    throw;
  }
  if (out.is_null()) throw EncodeError(k, "set but null");
  j[k] = std::move(out);
}

/// Sets j[k] to the value, or to null when cleared; omits an unset field.
template <class T>
void put(Json& j, const char* k, const Clearable<T>& v) {
  if (v.has_value()) {
    put(j, k, std::optional<T>(v.value()));
  } else if (v.is_cleared()) {
    j[k] = nullptr;
  }
}

/// Copies `extra`'s members into `j` without overwriting typed fields. Sent as given (nulls
/// included) except that non-finite numbers are refused.
inline void put_extra(Json& j, const Json& extra) {
  if (!extra.is_object()) return;
  for (auto it = extra.begin(); it != extra.end(); ++it) {
    if (j.contains(it.key())) continue;
    try {
      check_finite(it.value());
    } catch (EncodeError& e) {
      e.prepend_field(it.key());
      throw;
    }
    j[it.key()] = it.value();
  }
}

/// True when `v` can be decoded as T without silent conversion: for an integral T, only an
/// integer (or a float holding an integral value) that T represents exactly; never undefined
/// behaviour, whatever the number (1e300, -1, 2^64 - 1, NaN).
template <class T>
bool json_type_fits(const Json& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v.is_boolean();
  } else if constexpr (std::is_integral_v<T>) {
    using Limits = std::numeric_limits<T>;
    if (v.is_number_unsigned()) {
      return v.get<std::uint64_t>() <= static_cast<std::uint64_t>(Limits::max());
    }
    if (v.is_number_integer()) {
      const std::int64_t x = v.get<std::int64_t>();
      if constexpr (std::is_signed_v<T>) {
        return x >= static_cast<std::int64_t>(Limits::min()) &&
               x <= static_cast<std::int64_t>(Limits::max());
      } else {
        return x >= 0 && static_cast<std::uint64_t>(x) <= static_cast<std::uint64_t>(Limits::max());
      }
    }
    if (v.is_number_float()) {
      const double d = v.get<double>();
      if (!std::isfinite(d) || std::trunc(d) != d) return false;
      // [-2^digits, 2^digits) for signed T, [0, 2^digits) for unsigned: exact in a double.
      const double hi = std::ldexp(1.0, Limits::digits);
      const double lo = std::is_signed_v<T> ? -hi : 0.0;
      return d >= lo && d < hi;
    }
    return false;
  } else if constexpr (std::is_floating_point_v<T> || std::is_same_v<T, Seconds>) {
    return v.is_number();
  } else if constexpr (std::is_same_v<T, std::string>) {
    return v.is_string();
  } else {
    return true;  // class types validate in their own from_json
  }
}

/// Reads fields of a JSON object one by one and remembers which were understood; the rest
/// (unknown keys and values of an unexpected type) become `extra()`. `Obj` is a Json object or
/// a FlatJsonObject (the members of a response parsed without a map: same results).
template <class Obj>
class BasicReader {
 public:
  /// @throws nlohmann::json::type_error when `j` is not an object.
  explicit BasicReader(const Obj& j) : j_(j) {
    seen_.reserve(16);  // one allocation for a typical model instead of a regrowth per power of 2
    if constexpr (std::is_same_v<Obj, Json>) {
      if (!j.is_object()) throw Json::type_error::create(302, "expected a JSON object", &j);
    }
  }

  /// Optional field: missing or null -> unset; a value of the wrong type -> unset, kept in extra.
  template <class T>
  void get(const char* k, std::optional<T>& out) {
    out.reset();
    T value{};
    if (read(k, value)) out = std::move(value);
  }

  /// Field with a default: left untouched when missing, null or of the wrong type.
  template <class T>
  void get_or(const char* k, T& out) {
    read(k, out);
  }

  /// Any JSON value; null counts as unset.
  void raw(const char* k, std::optional<Json>& out) {
    out.reset();
    auto it = j_.find(k);
    if (it == j_.end()) return;
    seen(k);
    if (!it->is_null()) out = *it;
  }

  /// Any JSON value kept as is (null stays null).
  void raw_or(const char* k, Json& out) {
    auto it = j_.find(k);
    if (it == j_.end()) return;
    seen(k);
    out = *it;
  }

  /// An id: a string, or an integer kept as its decimal text (some deployments send those).
  void id(const char* k, std::optional<std::string>& out) {
    get(k, out);
    if (out) return;
    auto it = j_.find(k);
    if (it != j_.end() && it->is_number_integer()) {
      out = it->dump();
      seen(k);
    }
  }
  /// As above; "" when missing.
  void id(const char* k, std::string& out) {
    std::optional<std::string> v;
    id(k, v);
    out = v.value_or(std::string());
  }

  /// A filter map: an object becomes Filters; anything else stays unread (lands in extra).
  void filters(const char* k, std::optional<Filters>& out) {
    out.reset();
    auto it = j_.find(k);
    if (it == j_.end()) return;
    if (it->is_null()) {
      seen(k);
    } else if (it->is_object()) {
      out = Filters::from_json(*it);
      seen(k);
    }
  }
  /// As above; empty Filters when missing.
  void filters(const char* k, Filters& out) {
    std::optional<Filters> v;
    filters(k, v);
    out = v.value_or(Filters{});
  }

  /// A count: a non-negative integer (see json_count()); null counts as unset, any other
  /// value is left unread (lands in extra).
  void count(const char* k, std::optional<std::int64_t>& out) {
    out.reset();
    auto it = j_.find(k);
    if (it == j_.end()) return;
    if (it->is_null()) {
      seen(k);
    } else if ((out = json_count(*it))) {
      seen(k);
    }
  }

  /// Marks `k` as understood without reading it.
  void skip(const char* k) {
    if (j_.contains(k)) seen(k);
  }

  /// Members that were not understood.
  Json extra() const {
    Json out = Json::object();
    for (auto it = j_.begin(); it != j_.end(); ++it) {
      bool known = false;
      for (const auto& s : seen_) {
        if (s == it.key()) {
          known = true;
          break;
        }
      }
      if (!known) out[it.key()] = it.value();
    }
    return out;
  }

 private:
  // Decodes member `k` into `out` when present, non-null and of a fitting type; marks a null
  // or decoded member as understood. Returns true when `out` was assigned.
  template <class T>
  bool read(const char* k, T& out) {
    auto it = j_.find(k);
    if (it == j_.end()) return false;
    if (it->is_null()) {
      seen(k);
      return false;
    }
    if (!json_type_fits<T>(*it)) return false;
    try {
      out = it->template get<T>();
      seen(k);
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }

  void seen(const char* k) { seen_.emplace_back(k); }
  const Obj& j_;
  std::vector<std::string_view> seen_;
};

using Reader = BasicReader<Json>;

/// Runs a model's field list (fields.hpp) as a decoder: each field is read as its type and tag
/// say (BasicReader's rules), and `extra` gets the members no field understood.
template <class Obj>
class FieldReader {
 public:
  static constexpr bool kReads = true;

  explicit FieldReader(const Obj& j) : r_(j), j_(j) {}

  template <class T>
  void operator()(const char* k, T& out) {
    if constexpr (std::is_same_v<T, Filters> || std::is_same_v<T, std::optional<Filters>>) {
      r_.filters(k, out);
    } else if constexpr (is_optional<T>::value) {
      r_.get(k, out);
    } else {
      r_.get_or(k, out);
    }
  }

  template <class T, class Tag>
  void operator()(const char* k, T& out, const Tag& tag) {
    if constexpr (std::is_same_v<Tag, field::Id>) {
      r_.id(k, out);
      if (tag.alias != nullptr && missing(out)) r_.id(tag.alias, out);
    } else if constexpr (std::is_same_v<Tag, field::Alias>) {
      (*this)(k, out);
      if (!out) (*this)(tag.other, out);
    } else if constexpr (std::is_same_v<Tag, field::Count>) {
      r_.count(k, out);
    } else if constexpr (std::is_base_of_v<field::Codec, Tag>) {
      tag.read(*this, k, out);
    } else {
      (*this)(k, out);
    }
  }
  /// A constant (field::constant): only marked as understood.
  template <class T>
  void operator()(const char* k, const T&, field::Constant) {
    r_.skip(k);
  }

  /// `to` takes `from`'s value when it was not read (a twin or alias the server may fill
  /// instead); after both in the list.
  template <class A, class B>
  void fill(A& to, const B& from) {
    if constexpr (is_optional<A>::value) {
      if (!to) to = from;
    } else {
      if (to.empty() && from) to = *from;
    }
  }

  /// The members no field understood, and those the codecs put aside (add_extra()).
  void extra(Json& out) {
    out = r_.extra();
    for (auto& [k, v] : aside_)
      out[k] = std::move(v);
  }

  // For codecs.
  /// Member `k`, or nullptr.
  const Json* find(const char* k) const {
    auto it = j_.find(k);
    return it == j_.end() ? nullptr : &*it;
  }
  /// Marks `k` as understood: it does not land in extra.
  void understood(const char* k) { r_.skip(k); }
  /// Puts `v` into extra under `k` (the part of a field that did not decode).
  void add_extra(const char* k, Json v) { aside_.emplace_back(k, std::move(v)); }
  BasicReader<Obj>& reader() { return r_; }

 private:
  static bool missing(const std::string& s) { return s.empty(); }
  static bool missing(const std::optional<std::string>& s) { return !s; }

  BasicReader<Obj> r_;
  const Obj& j_;
  std::vector<std::pair<const char*, Json>> aside_;
};

/// Decodes `m` from `j` with its field list (model_fields, found by argument-dependent lookup).
/// @throws nlohmann::json::type_error when `j` is not an object.
template <class M, class Obj>
void read_fields(const Obj& j, M& m) {
  m = M{};
  FieldReader<Obj> r(j);
  model_fields(r, m);
}

}  // namespace respan::detail
