// What a queued span holds on the heap, estimated without JSON work (the BatchLogger's
// max_queue_bytes accounting): the span's fields as their field list says (models/heap.hpp).
#include "batch/estimate.hpp"

#include <respan/tracing.hpp>

#include "models/heap.hpp"

namespace respan::detail::batch {

std::size_t estimate_bytes(const TraceSpan& queued) {
  std::size_t n = sizeof(TraceSpan) + kAllocOverhead;  // queued behind a unique_ptr
  n += heap_of(queued.span_unique_id) + heap_of(queued.span_path) + heap_of(queued.provider_id) +
       heap_of(queued.exception_type);
  return n + heap_bytes(queued.log);
}

}  // namespace respan::detail::batch
