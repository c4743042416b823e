// Internal: what a model holds on the heap, estimated from its field list (fields.hpp) without
// JSON work: string capacities and JSON nodes, each allocation charged kAllocOverhead (malloc's
// header and rounding). It errs on the high side, so that the BatchLogger's max_queue_bytes
// bounds real memory (src/batch/estimate.cpp).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>

#include <respan/json.hpp>
#include <respan/models/common.hpp>
#include <respan/models/request_log.hpp>

#include "models/fields.hpp"

namespace respan::detail {

/// Charged per heap allocation.
inline constexpr std::size_t kAllocOverhead = 32;

/// The heap a Json container or string holds: its strings, arrays and object nodes. Allocates
/// nothing for typical values (may throw std::bad_alloc for very deep JSON).
std::size_t json_tree_heap(const Json& root);

/// The heap a Json value holds (none for null, booleans and numbers: the common case, inline).
inline std::size_t json_heap(const Json& v) {
  return v.is_structured() || v.is_string() || v.is_binary() ? json_tree_heap(v) : 0;
}

/// What the span a RequestLog holds on the heap (not counting the RequestLog itself).
std::size_t heap_bytes(const RequestLog& span);

template <class T>
std::size_t heap_of(const T& v);

/// Runs a field list, adding up the heap of each field.
struct HeapSize {
  static constexpr bool kReads = false;
  std::size_t total = 0;

  template <class T>
  void operator()(const char*, const T& v) {
    total += heap_of(v);
  }
  template <class T, class Tag>
  void operator()(const char*, const T& v, const Tag&) {
    total += heap_of(v);
  }
  void extra(const Json& e) { total += json_heap(e); }
  template <class A, class B>
  void fill(const A&, const B&) {}
};

/// The heap `v` holds beyond its own size: a string's buffer (beyond the short-string
/// buffer), a list's array and its elements', a model's fields'.
template <class T>
std::size_t heap_of(const T& v) {
  if constexpr (std::is_arithmetic_v<T> || std::is_same_v<T, Seconds>) {
    return 0;
  } else if constexpr (std::is_same_v<T, std::string>) {
    return v.capacity() > 15 ? v.capacity() + 1 + kAllocOverhead : 0;
  } else if constexpr (std::is_same_v<T, Json>) {
    return json_heap(v);
  } else if constexpr (is_optional<T>::value) {
    return v ? heap_of(*v) : 0;
  } else if constexpr (is_vector<T>::value) {
    std::size_t n = kAllocOverhead + v.capacity() * sizeof(typename T::value_type);
    for (const auto& e : v)
      n += heap_of(e);
    return n;
  } else if constexpr (is_variant<T>::value) {
    return std::visit([](const auto& alt) { return heap_of(alt); }, v);
  } else if constexpr (std::is_base_of_v<JsonUnion, T>) {
    return json_heap(v.json());
  } else if constexpr (std::is_same_v<T, Timestamp>) {
    return heap_of(v.str());
  } else if constexpr (is_open_enum<T>::value) {
    return heap_of(v.value());
  } else {
    HeapSize h;
    model_fields(h, v);
    return h.total;
  }
}

}  // namespace respan::detail
