// Internal: the one retry classifier. The pipeline (synchronous calls), the BatchLogger and
// the Tracer's exporters all ask it whether a failed attempt may be tried again and whether
// the server may have acted on it; docs/conventions.md has the table.
#pragma once

#include <respan/error.hpp>
#include <respan/export.hpp>

namespace respan::detail {

struct FailureClass {
  /// Trying again later may succeed (network trouble, timeouts, 408, 425, 429, 5xx).
  bool transient = false;
  /// The server may have acted on the request, so a resend may repeat its effect (a
  /// reset or timeout after the request was sent, 408, 5xx other than 503). False for
  /// answers that say the request was refused before any work (425, 429, 503) and for
  /// failures before anything was sent.
  bool maybe_processed = false;
};

/// Classifies a failed attempt (never a success).
RESPAN_EXPORT FailureClass classify_failure(const Error& e) noexcept;

/// Classifies a failed attempt towards an OpenTelemetry Collector (or any OTLP/HTTP receiver
/// that is not Respan), by the OTLP specification ("OTLP/HTTP Response", "Retryable response
/// codes"): only 429, 502, 503 and 504 are transient (429 and 503 refused before any work,
/// 502 and 504 from a gateway that may have forwarded the request), and network failures and
/// timeouts as classify_failure() says; every other status, 408 and 500 included, is final.
RESPAN_EXPORT FailureClass classify_collector_failure(const Error& e) noexcept;

/// Whether the pipeline repeats a failed attempt of an operation: transient, and either
/// idempotent or certainly not processed.
inline bool may_retry(const FailureClass& c, bool idempotent) noexcept {
  return c.transient && (idempotent || !c.maybe_processed);
}

}  // namespace respan::detail
