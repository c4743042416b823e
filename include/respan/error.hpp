/// @file error.hpp
/// @brief The typed error every respan call reports, and the exception `Result::value()` throws.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <respan/export.hpp>

namespace respan {

/// What went wrong, independent of transport details.
enum class ErrorCode {
  invalid_argument,   ///< Rejected by the SDK before anything was sent.
  bad_request,        ///< HTTP 400.
  unauthorized,       ///< HTTP 401: missing or wrong API key.
  forbidden,          ///< HTTP 403.
  not_found,          ///< HTTP 404.
  conflict,           ///< HTTP 409 (never retried).
  payload_too_large,  ///< HTTP 413.
  validation,         ///< HTTP 422: see Error::field_errors.
  rate_limited,       ///< HTTP 429.
  server,             ///< HTTP 5xx.
  http,       ///< Any other unexpected HTTP status (e.g. a 3xx: redirects are not followed).
  network,    ///< Connection failed, reset or dropped.
  timeout,    ///< A request timeout or the per-call deadline expired.
  decode,     ///< A 2xx response whose body could not be decoded.
  cancelled,  ///< Cancelled through a CancellationToken.
  response_too_large,  ///< The response body exceeded ClientOptions::max_response_bytes.
  /// TLS failure that retrying cannot fix, never retried: the server's certificate was not
  /// trusted (unknown CA: see ClientOptions::ca_bundle, expired, or issued for another host
  /// name), the CA bundle could not be read, or libcurl refused a TLS setting. A handshake
  /// cut off by the network is ErrorCode::network.
  tls,
  /// The SDK could not get a resource it needs from the system (a thread, memory): e.g. a
  /// BatchLogger or Tracer whose background threads could not be started.
  internal,
};

/// Stable lower-case name of a code, e.g. "rate_limited".
RESPAN_EXPORT std::string_view to_string(ErrorCode code) noexcept;

/// Maps an HTTP status (>= 300) to its ErrorCode.
RESPAN_EXPORT ErrorCode error_code_for_status(int http_status) noexcept;

/// A failed call. Never contains the API key: every string in it (message, field names and
/// messages, raw body, request) is scrubbed of the key, also in its JSON- and URL-escaped
/// forms. `message` and each field message are capped at kMaxMessageBytes, `raw_body` at
/// kMaxRawBodyBytes (the full size is in `body_bytes`).
struct RESPAN_EXPORT Error {
  /// Longest `message` / field message kept (longer ones end in "...[truncated]").
  static constexpr std::size_t kMaxMessageBytes = 1024;
  /// Longest `raw_body` kept.
  static constexpr std::size_t kMaxRawBodyBytes = 16 * 1024;
  /// Most `field_errors` entries kept.
  static constexpr std::size_t kMaxFieldErrors = 64;

  ErrorCode code = ErrorCode::network;
  /// HTTP status of the last response, 0 if none was received.
  int http_status = 0;
  /// Human-readable message: the body's `detail`, `error` or `message` when present.
  std::string message;
  /// Per-field messages of a 422 (`errors` in the body), field name to messages.
  std::map<std::string, std::vector<std::string>> field_errors;
  /// The raw response body (may be non-JSON, capped at kMaxRawBodyBytes), empty if none.
  std::string raw_body;
  /// Size in bytes of the response body received (before raw_body was capped), 0 if none.
  std::size_t body_bytes = 0;
  /// The server's requested delay (Retry-After, retry-after-ms or body `retry_after`), if any.
  std::optional<std::chrono::milliseconds> retry_after;
  /// Number of HTTP attempts made (0 if rejected before sending).
  int attempts = 0;
  /// "METHOD /api/path/" of the call, for diagnostics.
  std::string request;
  /// True when the transport knows that no byte of the request reached the server
  /// (connection refused, DNS failure, cancelled before sending). Non-idempotent operations
  /// are retried only when this is true (or on 429 / 503). Transports set it; false is the
  /// safe default ("it may have been processed").
  bool certainly_not_sent = false;
  /// Whether the pipeline would retry this failure for this operation (given its idempotency
  /// class; independent of how many attempts are left). Set by the pipeline; false for
  /// errors made before sending.
  bool retryable = false;

  /// The `retryable` flag: true when the failed operation could have been retried.
  bool is_retryable() const noexcept { return retryable; }
  /// One line: "rate_limited (HTTP 429) POST /api/request-logs/: Rate limit exceeded [3 attempts]",
  /// at most about 4 KiB.
  std::string to_string() const;

  /// Convenience constructor for SDK-side errors.
  static Error make(ErrorCode code, std::string message);
};

RESPAN_EXPORT std::ostream& operator<<(std::ostream& os, const Error& e);

/// Thrown by Result<T>::value() when the result holds an error.
class RESPAN_EXPORT ApiError : public std::runtime_error {
 public:
  explicit ApiError(Error error);
  const Error& error() const noexcept { return error_; }
  ErrorCode code() const noexcept { return error_.code; }
  int http_status() const noexcept { return error_.http_status; }

 private:
  Error error_;
};

}  // namespace respan
