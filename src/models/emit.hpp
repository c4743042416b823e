// Internal: the writers of a model's field list (fields.hpp).
//
//  * DomOut builds a Json (the model's to_json: what `Json(model)` users get);
//  * TextOut appends the compact JSON text straight to a string, without building a DOM: the
//    request body on the hot paths (span create, the BatchLogger).
//
// Both apply the same rules (json_io.hpp): unset optionals are omitted, a set-but-null value
// and a non-finite number are refused with an EncodeError naming the field path, `extra`'s
// members are sent unless a typed field of the same name was written. TextOut also refuses a
// body nested deeper than kMaxJsonDepth (the pipeline's check_body() rule), so its text can go
// out as ApiRequest::body_text unchecked. The two outputs hold the same JSON value (member
// order differs: DomOut's objects are sorted by key); tests/unit/test_encode.cpp checks it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include <respan/filters.hpp>
#include <respan/json.hpp>
#include <respan/models/common.hpp>
#include <respan/models/request_log.hpp>

#include "models/fields.hpp"
#include "models/json_io.hpp"
#include "util/json_limits.hpp"
#include "util/json_write.hpp"

namespace respan::detail {

/// What both writers do with a field list's entries: says, from the field's type and tag,
/// whether a field is written and as what; `Out` (DomOut, TextOut) writes it with
/// required(key, value) (always) or opt(key, optional) (when set).
template <class Out>
class FieldWriter {
 public:
  static constexpr bool kReads = false;

  template <class T>
  void operator()(const char* k, const T& v) {
    if constexpr (std::is_same_v<T, std::optional<Filters>>) {
      if (v) out().required(k, v->to_json());
    } else if constexpr (std::is_same_v<T, Filters>) {
      if (!v.empty()) out().required(k, v.to_json());  // empty filters: not sent
    } else if constexpr (is_optional<T>::value || is_clearable<T>::value) {
      out().opt(k, v);
    } else {
      out().required(k, v);
    }
  }

  template <class T, class Tag>
  void operator()(const char* k, const T& v, const Tag& tag) {
    if constexpr (field::writes_itself<Tag>()) {
      tag.write(out(), k, v);
    } else if constexpr (std::is_same_v<Tag, field::Constant>) {
      out().required(k, v);
    } else if constexpr (std::is_same_v<Tag, field::OmitEmpty> ||
                         (std::is_same_v<Tag, field::Id> && std::is_same_v<T, std::string>)) {
      if (!empty(v)) (*this)(k, v);
    } else {
      (*this)(k, v);
    }
  }

  /// Reading only (see FieldReader::fill).
  template <class A, class B>
  void fill(const A&, const B&) {}

 private:
  Out& out() { return static_cast<Out&>(*this); }
  template <class T>
  static bool empty(const T& v) {
    if constexpr (std::is_same_v<T, bool>) {
      return !v;
    } else if constexpr (std::is_same_v<T, Json>) {
      return v.is_null();
    } else {
      return v.empty();
    }
  }
};

/// Writes a model's fields into a Json object (see put/put_required/put_extra).
class DomOut : public FieldWriter<DomOut> {
 public:
  explicit DomOut(Json& j) : j_(j) {}
  template <class T>
  void required(const char* k, const T& v) {
    put_required(j_, k, v);
  }
  template <class T>
  void opt(const char* k, const T& v) {
    put(j_, k, v);
  }
  void extra(const Json& e) { put_extra(j_, e); }

 private:
  Json& j_;
};

/// A model as a Json object (its to_json), built aside: a refused field leaves `j_out`
/// untouched.
template <class M>
void write_dom(Json& j_out, const M& m) {
  Json j = Json::object();
  DomOut o(j);
  model_fields(o, m);
  j_out = std::move(j);
}

/// Appends a model's JSON text to a string. The text is complete only when no EncodeError was
/// thrown; on one, discard the string.
class TextOut : public FieldWriter<TextOut> {
 public:
  /// Not reentrant on one thread (the field names go to a per-thread scratch list).
  explicit TextOut(std::string& out) : out_(out), keys_(scratch_keys()) { keys_.clear(); }
  /// A writer that leaves out each field holding a non-finite number (an object member, or
  /// a whole array that holds one) and records it in `drops`, instead of refusing the model:
  /// the asynchronous paths' rule. Every other refusal still throws.
  TextOut(std::string& out, FieldDrops& drops) : TextOut(out) { drops_ = &drops; }

  /// Writes `m` as a JSON object: its fields come from its field list (model_fields, found by
  /// argument-dependent lookup).
  template <class M>
  void object(const M& m) {
    open('{');
    const std::size_t outer = level_;
    level_ = keys_.size();
    model_fields(*this, m);
    keys_.resize(level_);
    level_ = outer;
    close('}');
  }

  template <class T>
  void required(const char* k, const T& v) {
    if (drops_ != nullptr) return lenient(k, v);
    key(k);
    try {
      value(v);
    } catch (EncodeError& e) {
      e.prepend_field(k);
      throw;
    }
  }

  template <class T>
  void opt(const char* k, const std::optional<T>& v) {
    if (!v) return;
    if constexpr (std::is_same_v<T, Json>) {
      if (v->is_null()) throw EncodeError(k, "set but null");
    } else if constexpr (std::is_base_of_v<JsonUnion, T>) {
      if (v->json().is_null()) throw EncodeError(k, "set but null");
    }
    required(k, *v);
  }

  template <class T>
  void opt(const char* k, const Clearable<T>& v) {
    if (v.has_value()) {
      required(k, v.value());
    } else if (v.is_cleared()) {
      key(k);
      out_.append("null");
    }
  }

  /// `extra`'s members whose names no typed field of this object used, as given (nulls too);
  /// non-finite numbers and too deep values are refused.
  void extra(const Json& e) {
    if (!e.is_object()) return;
    for (auto it = e.begin(); it != e.end(); ++it) {
      if (written(it.key())) continue;
      const Mark m = mark();
      comma();
      write_json_string(it.key(), out_);
      out_.push_back(':');
      if (drops_ != nullptr) path_.push_back(it.key());
      try {
        json(it.value());
      } catch (EncodeError& err) {
        if (drops_ != nullptr) {
          const bool drop = err.non_finite();
          if (drop) drops_->add(joined_path());
          path_.pop_back();
          if (drop) {
            restore(m);
            continue;
          }
        }
        err.prepend_field(it.key());
        throw;
      }
      if (drops_ != nullptr) path_.pop_back();
    }
  }

 private:
  // Where the output stood before a field, to take the field back.
  struct Mark {
    std::size_t size;
    std::size_t keys;
    std::size_t depth;
    bool first;
  };
  Mark mark() const { return {out_.size(), keys_.size(), depth_, first_}; }
  void restore(const Mark& m) {
    out_.resize(m.size);
    keys_.resize(m.keys);
    depth_ = m.depth;
    first_ = m.first;
  }

  // required() for a lenient writer: the field is taken back when it holds a non-finite
  // number (innermost object member first: a nested field goes, its object stays).
  template <class T>
  void lenient(const char* k, const T& v) {
    const Mark m = mark();
    const std::size_t level = level_;
    key(k);
    path_.emplace_back(k);
    try {
      value(v);
    } catch (EncodeError& e) {
      if (!e.non_finite()) {
        path_.pop_back();
        e.prepend_field(k);
        throw;
      }
      drops_->add(joined_path());
      level_ = level;
      restore(m);
    }
    path_.pop_back();
  }

  std::string joined_path() const {
    std::string p;
    for (const std::string& s : path_) {
      if (!p.empty() && s.front() != '[') p += '.';
      p += s;
    }
    return p;
  }

  void open(char c) {
    if (++depth_ > kMaxJsonDepth) {
      throw EncodeError("", "nests JSON deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    out_.push_back(c);
    first_ = true;
  }
  void close(char c) {
    --depth_;
    out_.push_back(c);
    first_ = false;
  }
  void comma() {
    if (!first_) out_.push_back(',');
    first_ = false;
  }
  void key(const char* k) {
    comma();
    keys_.emplace_back(k);
    out_.push_back('"');
    out_.append(k);  // field names are plain ASCII identifiers: nothing to escape
    out_.append("\":", 2);
  }
  bool written(std::string_view k) const {
    for (std::size_t i = level_; i < keys_.size(); ++i) {
      if (keys_[i] == k) return true;
    }
    return false;
  }
  void json(const Json& v) {
    if (drops_ == nullptr) {
      check_finite(v, depth_, kMaxJsonDepth);
    } else {
      try {
        check_finite(v, depth_, kMaxJsonDepth);
      } catch (const EncodeError& e) {
        if (!e.non_finite()) throw;
        // Free-form JSON (metadata, extra): only its members that hold one go.
        Json pruned = v;
        if (!prune_non_finite(pruned, joined_path(), *drops_, depth_, kMaxJsonDepth)) {
          throw EncodeError("", "holds a non-finite number", true);  // the caller drops it
        }
        write_json(pruned, out_);
        first_ = false;
        return;
      }
    }
    write_json(v, out_);
    first_ = false;
  }

  template <class T>
  void value(const T& v) {
    if constexpr (std::is_same_v<T, bool>) {
      out_.append(v ? "true" : "false");
    } else if constexpr (std::is_integral_v<T>) {
      write_json_integer(v, out_);
    } else if constexpr (std::is_floating_point_v<T>) {
      check_finite(static_cast<double>(v));
      write_json_double(static_cast<double>(v), out_);
    } else if constexpr (std::is_same_v<T, Seconds>) {
      check_finite(v.count());
      write_json_double(v.count(), out_);
    } else if constexpr (std::is_same_v<T, std::string>) {
      write_json_string(v, out_);
    } else if constexpr (std::is_same_v<T, Timestamp>) {
      write_json_string(v.str(), out_);
    } else if constexpr (is_open_enum<T>::value) {
      write_json_string(v.value(), out_);
    } else if constexpr (std::is_same_v<T, Json>) {
      json(v);
    } else if constexpr (std::is_base_of_v<JsonUnion, T>) {
      json(v.json());
    } else if constexpr (is_variant<T>::value) {
      std::visit([this](const auto& alt) { this->value(alt); }, v);
    } else if constexpr (is_vector<T>::value) {
      open('[');
      for (std::size_t i = 0; i < v.size(); ++i) {
        comma();
        if (drops_ != nullptr) path_.push_back("[" + std::to_string(i) + "]");
        try {
          value(v[i]);
        } catch (EncodeError& e) {
          if (drops_ != nullptr) path_.pop_back();
          e.prepend_index(i);
          throw;
        }
        if (drops_ != nullptr) path_.pop_back();
        first_ = false;
      }
      close(']');
    } else {
      object(v);
    }
  }

  // Reused by every TextOut of the thread: no allocation per body once it has grown.
  static std::vector<std::string_view>& scratch_keys() {
    thread_local std::vector<std::string_view> keys;
    return keys;
  }

  std::string& out_;
  std::vector<std::string_view>& keys_;  // names written in the open objects, innermost last
  std::size_t level_ = 0;                // where the innermost open object's names start
  std::size_t depth_ = 0;
  bool first_ = true;
  FieldDrops* drops_ = nullptr;    // lenient writer: where dropped fields are counted
  std::vector<std::string> path_;  // lenient writer: the path to the value being written
};

}  // namespace respan::detail

/// Defines `to_json` and `from_json` of `Model` (declared in its public header) as runs of its
/// field list, for the models that need nothing else.
#define RESPAN_MODEL_JSON(Model)            \
  void to_json(Json& j, const Model& m) {   \
    detail::write_dom(j, m);                \
  }                                         \
  void from_json(const Json& j, Model& m) { \
    detail::read_fields(j, m);              \
  }
