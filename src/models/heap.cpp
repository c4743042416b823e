#include "models/heap.hpp"

#include <vector>

namespace respan::detail {

namespace {
constexpr std::size_t kMapNode = 48;  // red-black tree node header
}  // namespace

std::size_t json_tree_heap(const Json& root) {
  // A walk with a small inline stack: no allocation on the caller's thread for typical values.
  std::size_t total = 0;
  const Json* inline_stack[32];
  std::size_t inline_size = 0;
  std::vector<const Json*> overflow;
  auto push = [&](const Json* v) {
    if (inline_size < 32) {
      inline_stack[inline_size++] = v;
    } else {
      overflow.push_back(v);
    }
  };
  push(&root);
  while (inline_size > 0 || !overflow.empty()) {
    const Json* v;
    if (!overflow.empty()) {
      v = overflow.back();
      overflow.pop_back();
    } else {
      v = inline_stack[--inline_size];
    }
    switch (v->type()) {
      case Json::value_t::string:
        total += sizeof(std::string) + kAllocOverhead + heap_of(v->get_ref<const std::string&>());
        break;
      case Json::value_t::array: {
        const auto& a = v->get_ref<const Json::array_t&>();
        total += sizeof(Json::array_t) + kAllocOverhead * 2 + a.capacity() * sizeof(Json);
        for (const Json& c : a)
          push(&c);
        break;
      }
      case Json::value_t::object: {
        const auto& o = v->get_ref<const Json::object_t&>();
        total += sizeof(Json::object_t) + kAllocOverhead;
        for (const auto& [k, c] : o) {
          total += kMapNode + sizeof(std::string) + sizeof(Json) + kAllocOverhead + heap_of(k);
          push(&c);
        }
        break;
      }
      case Json::value_t::binary:
        total += sizeof(Json::binary_t) + kAllocOverhead + v->get_binary().size();
        break;
      default:
        break;
    }
  }
  return total;
}

}  // namespace respan::detail
