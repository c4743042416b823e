// Internal: the privacy and volume controls (respan/privacy.hpp) as the BatchLogger's core
// applies them, for the BatchLogger and the Tracer alike: the sampling decision (on the
// caller's thread, in log()) and, on the exporter thread before a span is serialized, the
// filter, content capture off, the masking hook and the size limits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <respan/export.hpp>
#include <respan/privacy.hpp>

namespace respan {
struct TraceSpan;
}

namespace respan::detail {

/// Paths of the strings a step touched: the first eight named, the count goes on.
struct TouchedFields {
  static constexpr std::size_t kNamed = 8;
  std::uint64_t count = 0;
  std::vector<std::string> paths;
  RESPAN_EXPORT void add(std::string_view path);
  /// "<what> 2 fields: input, metadata.email" (with "and N more").
  RESPAN_EXPORT std::string describe(const char* what) const;
  void clear() noexcept {
    count = 0;
    paths.clear();
  }
};

/// What happened to one span on the exporter thread.
struct PrivacyOutcome {
  bool keep = true;            // false: the filter dropped it
  bool filter_failed = false;  // the filter threw (the span is dropped)
  std::string filter_error;    // what it threw, when it was a std::exception
  TouchedFields mask_failed;   // strings replaced by kMaskFailedMarker
  TouchedFields truncated;     // strings cut by a size limit
  void clear() noexcept {
    keep = true;
    filter_failed = false;
    filter_error.clear();
    mask_failed.clear();
    truncated.clear();
  }
};

/// The effective settings: `capture_content` after `RESPAN_TRACE_CONTENT` (which can only turn
/// it off).
RESPAN_EXPORT PrivacyOptions effective_privacy(PrivacyOptions o);

/// An invalid_argument message naming the first option out of range, or "".
std::string check_privacy(const PrivacyOptions& o);

/// True when the exporter has anything to do for a span (filter, content off, mask, limits).
bool privacy_active(const PrivacyOptions& o) noexcept;

/// The sampling decision for a span of `trace_id` at `threshold` (sampling_threshold()): by
/// the trace id, or a random draw without one. Never throws, never allocates.
RESPAN_EXPORT bool sampled_in(const std::optional<std::string>& trace_id,
                              std::uint64_t threshold) noexcept;

/// Applies the filter, content capture off, the masking hook and the size limits to `span`,
/// in that order (exporter thread). Exceptions of the filter and the hook are caught and
/// counted in `out`; others (out of memory in the SDK itself) propagate.
RESPAN_EXPORT void apply_privacy(const PrivacyOptions& o, TraceSpan& span, PrivacyOutcome& out);

}  // namespace respan::detail
