// What a queued span holds on the heap, estimated without JSON work (the BatchLogger's
// max_queue_bytes accounting).
#include "batch/estimate.hpp"

#include <vector>

#include <respan/tracing.hpp>

namespace respan::detail::batch {

namespace {

// What a span holds on the heap, estimated without JSON work: string capacities and JSON
// nodes, each allocation charged kAllocOverhead (malloc's header and rounding). It errs on
// the high side so that max_queue_bytes bounds real memory.
constexpr std::size_t kAllocOverhead = 32;
constexpr std::size_t kMapNode = 48;  // red-black tree node header

std::size_t heap_of(const std::string& s) {
  return s.capacity() > 15 ? s.capacity() + 1 + kAllocOverhead : 0;
}
std::size_t heap_of(const std::optional<std::string>& s) {
  return s ? heap_of(*s) : 0;
}

std::size_t heap_of(const Json& root) {
  if (root.is_null() || root.is_boolean() || root.is_number()) return 0;  // the common case
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
std::size_t heap_of(const std::optional<Json>& j) {
  return j ? heap_of(*j) : 0;
}
template <class U>
std::size_t heap_of_union(const std::optional<U>& u) {
  return u ? heap_of(u->json()) : 0;
}

std::size_t heap_of(const ToolCall& c) {
  std::size_t n = heap_of(c.id) + heap_of(c.type) + heap_of(c.extra);
  if (c.function)
    n += heap_of(c.function->name) + heap_of(c.function->arguments) + heap_of(c.function->extra);
  return n;
}

std::size_t heap_of(const ToolDefinition& t) {
  std::size_t n = heap_of(t.type) + heap_of(t.extra);
  if (t.function) {
    n += heap_of(t.function->name) + heap_of(t.function->description) +
         heap_of(t.function->parameters) + heap_of(t.function->extra);
  }
  return n;
}

std::size_t heap_of(const Message& m) {
  std::size_t n = heap_of(m.role) + heap_of(m.name) + heap_of(m.tool_call_id) + heap_of(m.extra);
  if (m.content) {
    if (const auto* text = std::get_if<std::string>(&*m.content)) {
      n += heap_of(*text);
    } else if (const auto* parts = std::get_if<std::vector<ContentPart>>(&*m.content)) {
      n += kAllocOverhead + parts->capacity() * sizeof(ContentPart);
      for (const auto& p : *parts)
        n += heap_of(p.type) + heap_of(p.text) + heap_of(p.image_url) + heap_of(p.extra);
    }
  }
  if (m.tool_calls) {
    n += kAllocOverhead + m.tool_calls->capacity() * sizeof(ToolCall);
    for (const auto& c : *m.tool_calls)
      n += heap_of(c);
  }
  return n;
}

std::size_t heap_of(const std::optional<std::vector<Message>>& v) {
  if (!v) return 0;
  std::size_t n = kAllocOverhead + v->capacity() * sizeof(Message);
  for (const auto& m : *v)
    n += heap_of(m);
  return n;
}

}  // namespace

std::size_t estimate_bytes(const TraceSpan& queued) {
  const RequestLog& s = queued.log;
  std::size_t n = sizeof(TraceSpan) + kAllocOverhead;  // queued behind a unique_ptr
  n += heap_of(queued.span_unique_id) + heap_of(queued.span_path) + heap_of(queued.provider_id) +
       heap_of(queued.exception_type);
  n += heap_of(s.model) + heap_of(s.prompt_messages) + heap_of(s.messages);
  if (s.completion_message) n += heap_of(*s.completion_message);
  n += heap_of_union(s.input) + heap_of_union(s.output) + heap_of_union(s.stop) +
       heap_of_union(s.tool_choice) + heap_of_union(s.warnings);
  if (s.tools) {
    n += kAllocOverhead + s.tools->capacity() * sizeof(ToolDefinition);
    for (const auto& t : *s.tools)
      n += heap_of(t);
  }
  if (s.tool_calls) {
    n += kAllocOverhead + s.tool_calls->capacity() * sizeof(ToolCall);
    for (const auto& c : *s.tool_calls)
      n += heap_of(c);
  }
  n += heap_of(s.response_format) + heap_of(s.error_message) + heap_of(s.trace_unique_id) +
       heap_of(s.span_name) + heap_of(s.span_parent_id) + heap_of(s.span_workflow_name) +
       heap_of(s.custom_identifier) + heap_of(s.thread_identifier) + heap_of(s.group_identifier) +
       heap_of(s.customer_identifier) + heap_of(s.metadata) + heap_of(s.properties) +
       heap_of(s.variables) + heap_of(s.prompt_id) + heap_of(s.prompt_name) +
       heap_of(s.full_request) + heap_of(s.full_response) + heap_of(s.respan_params) +
       heap_of(s.keywordsai_params) + heap_of(s.extra);
  if (s.customer_params) n += 512;  // a few short strings
  if (s.usage) n += 256;
  return n;
}

}  // namespace respan::detail::batch
