/// @file error.hpp
/// @brief The typed error every respan call reports, and the exception `Result::value()` throws.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace respan {

/// What went wrong, independent of transport details.
enum class ErrorCode {
  invalid_argument,   ///< Rejected by the SDK before anything was sent.
  bad_request,        ///< HTTP 400.
  unauthorized,       ///< HTTP 401: missing or wrong API key.
  forbidden,          ///< HTTP 403.
  not_found,          ///< HTTP 404.
  conflict,           ///< HTTP 409 (retried by default).
  payload_too_large,  ///< HTTP 413.
  validation,         ///< HTTP 422: see Error::field_errors.
  rate_limited,       ///< HTTP 429 (retried by default).
  server,             ///< HTTP 5xx (retried by default).
  http,       ///< Any other unexpected HTTP status (e.g. a 3xx: redirects are not followed).
  network,    ///< Connection failed, reset or dropped (retried by default).
  timeout,    ///< A request timeout or the per-call deadline expired.
  decode,     ///< A 2xx response whose body could not be decoded.
  cancelled,  ///< Cancelled through a CancellationToken.
  response_too_large,  ///< The response body exceeded ClientOptions::max_response_bytes.
};

/// Stable lower-case name of a code, e.g. "rate_limited".
std::string_view to_string(ErrorCode code) noexcept;

/// Maps an HTTP status (>= 300) to its ErrorCode.
ErrorCode error_code_for_status(int http_status) noexcept;

/// A failed call. Never contains the API key.
struct Error {
  ErrorCode code = ErrorCode::network;
  /// HTTP status of the last response, 0 if none was received.
  int http_status = 0;
  /// Human-readable message: the body's `detail`, `error` or `message` when present.
  std::string message;
  /// Per-field messages of a 422 (`errors` in the body), field name to messages.
  std::map<std::string, std::vector<std::string>> field_errors;
  /// The raw response body (may be non-JSON), empty if none.
  std::string raw_body;
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

  /// True for codes the default retry policy retries.
  bool is_retryable() const noexcept;
  /// One line: "rate_limited (HTTP 429) POST /api/request-logs/: Rate limit exceeded [3 attempts]".
  std::string to_string() const;

  /// Convenience constructor for SDK-side errors.
  static Error make(ErrorCode code, std::string message);
};

std::ostream& operator<<(std::ostream& os, const Error& e);

/// Thrown by Result<T>::value() when the result holds an error.
class ApiError : public std::runtime_error {
 public:
  explicit ApiError(Error error);
  const Error& error() const noexcept { return error_; }
  ErrorCode code() const noexcept { return error_.code; }
  int http_status() const noexcept { return error_.http_status; }

 private:
  Error error_;
};

}  // namespace respan
