// Internal: the memory a queued span holds, estimated without JSON work.
#pragma once

#include <cstddef>

namespace respan {
struct TraceSpan;
}

namespace respan::detail::batch {

/// What a span holds on the heap: string capacities and JSON nodes, each allocation charged
/// its malloc overhead. Errs on the high side, so that max_queue_bytes bounds real memory.
/// Allocates nothing for typical spans (may throw std::bad_alloc for very deep JSON).
std::size_t estimate_bytes(const TraceSpan& span);

}  // namespace respan::detail::batch
