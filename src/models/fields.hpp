// Internal: one field list per model.
//
// Each model names its fields once, with their wire names, in a function template found by
// argument-dependent lookup:
//
//   template <class V>
//   void model_fields(V& v, Self<V, ContentPart>& p) {
//     v("type", p.type);            // a plain member: always written
//     v("text", p.text);            // an optional: written when set
//     v("image_url", p.image_url);
//     v.extra(p.extra);             // last: the members the SDK does not model
//   }
//
// A new field is one line in its model's list; RESPAN_MODEL_JSON(Model) (emit.hpp) makes the
// model's to_json and from_json from the list. The list's order is the order TextOut writes.
//
// Visitors run the list: the writers (DomOut and TextOut, emit.hpp) write the fields, the
// reader (FieldReader, json_io.hpp) decodes them, HeapSize (heap.hpp) adds up what they hold
// on the heap. `Self<V, M>` is `const M` for the visitors that only look (writers, HeapSize)
// and `M` for the reader.
//
// A field's C++ type says how it is written and read (json_io.hpp has the rules: unset
// optionals are omitted, values of the wrong type land in `extra`, ...). A tag as a third
// argument says where a field differs from its type's rule:
//
//   field::id              a string, or an integer kept as its decimal text; a plain
//                          std::string (an identity) is omitted when empty
//   field::Id{"alias"}     as field::id, read from "alias" when the field is missing
//   field::Alias{"other"}  read from "other" when the field is missing (only the field is written)
//   field::count           a non-negative integer; any other value lands in `extra`
//   field::omit_empty      a plain member written only when not empty ("", null, false, [])
//   field::constant        a value, not a member, always written and skipped on reading
//   a field::Codec         the model's own rule, in one struct (e.g. a list decoded element by
//                          element); see field::Codec.
//
// `v.fill(to, from)`, after both fields: on reading, `to` takes `from`'s value when it was not
// sent (legacy twins and aliases: latency from generation_time).
//
// Sub-lists shared by several models (the span fields of RequestLog and RequestLogRecord,
// span_fields.hpp) are functions of the same shape without the `extra` line.
#pragma once

#include <optional>
#include <type_traits>
#include <variant>
#include <vector>

#include <respan/models/common.hpp>

namespace respan::detail {

/// The model as a visitor `V` sees it: const for the writers and HeapSize, mutable for the reader.
template <class V, class M>
using Self = std::conditional_t<V::kReads, M, const M>;

namespace field {

/// A string, or an integer kept as its decimal text. A plain std::string with this tag is an
/// identity: omitted from the wire when empty. `alias`: read from there when the field is
/// missing.
struct Id {
  const char* alias = nullptr;
};
inline constexpr Id id{};

/// Read from `other` when the field is missing; only the field itself is written.
struct Alias {
  const char* other;
};

/// A non-negative integer (count, total_count); any other value is left in `extra`.
struct Count {};
inline constexpr Count count{};

/// A plain member written only when it is not empty: "", JSON null, false, an empty list.
struct OmitEmpty {};
inline constexpr OmitEmpty omit_empty{};

/// A constant always written and skipped on reading (e.g. "is_exporting": true).
struct Constant {};
inline constexpr Constant constant{};

/// Base of a field's own rule. A codec has `template <class R, class T> void read(R& r, const
/// char* key, T& out) const` (R is a FieldReader: find(), understood(), add_extra()) and, when
/// it also writes its own way, `kWrites = true` and `template <class Out, class T> void
/// write(Out& o, const char* key, const T& value) const` (o.required() / o.opt()); otherwise
/// the field is written as its type says.
struct Codec {
  static constexpr bool kWrites = false;
};

/// True when `Tag` is a codec that writes its field its own way.
template <class Tag>
constexpr bool writes_itself() {
  if constexpr (std::is_base_of_v<Codec, Tag>) {
    return Tag::kWrites;
  } else {
    return false;
  }
}

}  // namespace field

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_optional<OptionalList<T>> : std::true_type {};

template <class T>
struct is_clearable : std::false_type {};
template <class T>
struct is_clearable<Clearable<T>> : std::true_type {};

template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};

template <class T>
struct is_variant : std::false_type {};
template <class... T>
struct is_variant<std::variant<T...>> : std::true_type {};

template <class T>
struct is_open_enum {
 private:
  template <class Tag>
  static std::true_type test(const OpenEnum<Tag>*);
  static std::false_type test(...);

 public:
  static constexpr bool value = decltype(test(static_cast<const T*>(nullptr)))::value;
};

}  // namespace respan::detail
