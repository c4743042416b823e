/// @file options.hpp
/// @brief Client configuration: ClientOptions, RetryPolicy, per-call RequestOptions.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <respan/export.hpp>

namespace respan {

class Transport;

/// Severity of a message passed to ClientOptions::log.
enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };

/// Receives the SDK's diagnostic messages. Called from the calling thread (or the
/// BatchLogger's worker); must be thread-safe. Messages never contain the API key.
using LogCallback = std::function<void(LogLevel level, std::string_view message)>;

/// When and how long to wait before retrying a failed attempt.
///
/// Which failures are retried depends on the operation's idempotency class (see the README's
/// table of retry rules): reads, PUT, PATCH, DELETE and list/summary POSTs retry HTTP 408,
/// 429, 5xx, timeouts and network errors; creates, import, export and evaluator runs retry
/// only when the request certainly was not processed (nothing sent or connection refused,
/// 429, 503). 409 is never retried.
///
/// The delay before retry `n` (0-based) is `initial_backoff * multiplier^n`, capped at
/// `max_backoff`, scaled by a random factor in `[1 - jitter, 1 + jitter]`, and never below
/// `min_backoff`. A server-requested delay (`retry-after-ms`, `Retry-After` seconds or
/// HTTP-date, the body's `retry_after`, and for 429 `X-RateLimit-Reset`) replaces it (with the
/// same floor); one longer than `max_retry_after` is not waited for: the call fails at once
/// with Error::retry_after set. RespanClient refuses a policy outside the documented ranges.
struct RESPAN_EXPORT RetryPolicy {
  int max_retries = 2;  ///< Retries after the first attempt (0-100; 3 attempts by default).
  std::chrono::milliseconds initial_backoff{500};     ///< >= min_backoff.
  double multiplier = 2.0;                            ///< Finite, 1-100.
  std::chrono::milliseconds max_backoff{30'000};      ///< >= initial_backoff, <= 1 hour.
  double jitter = 0.2;                                ///< Fraction in [0, 1].
  std::chrono::milliseconds max_retry_after{60'000};  ///< 0 - 1 hour.
  std::chrono::milliseconds min_backoff{100};         ///< Floor of every delay; 1 ms - max_backoff.

  /// A policy that never retries.
  static RetryPolicy none() {
    RetryPolicy p;
    p.max_retries = 0;
    return p;
  }
};

/// What a span create (single or bulk) does after an ambiguous failure: a timeout, or a
/// connection lost after the request was sent, where the server may have stored the span.
enum class SpanDelivery {
  /// Retry (the default): a span is never lost to a transient failure, at the price of a
  /// rare duplicate (the API has no idempotency key).
  at_least_once,
  /// Do not retry ambiguous failures: never a duplicate, but such a span may be lost.
  at_most_once,
};

/// Cooperative cancellation for in-flight calls: `cancel()` aborts the transfer and
/// any pending retry; the call then fails with ErrorCode::cancelled.
class RESPAN_EXPORT CancellationToken {
 public:
  void cancel() noexcept { cancelled_.store(true, std::memory_order_relaxed); }
  bool is_cancelled() const noexcept { return cancelled_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> cancelled_{false};
};

/// Configuration of a RespanClient. Every field has a usable default except `api_key`.
struct RESPAN_EXPORT ClientOptions {
  /// Respan API key (sent as `Authorization: Bearer`). Never logged or put in errors.
  /// Surrounding whitespace is trimmed; inside, only visible ASCII (0x21-0x7E) is accepted.
  std::string api_key;
  /// API root, with or without a trailing `/api` or `/`: "https://api.respan.ai",
  /// "https://api.respan.ai/api/" and "http://127.0.0.1:8080" all work. Plain `http://` is
  /// accepted only for loopback hosts (127.0.0.0/8, ::1, localhost) unless
  /// `allow_insecure_http` is set. A path with `.` or `..` segments (also as `%2e`) is refused.
  std::string base_url = "https://api.respan.ai";
  /// Allow plain `http://` to a non-loopback host (the API key then travels in clear text).
  bool allow_insecure_http = false;
  /// Time allowed to establish a connection (per attempt); 1 ms - 1 hour. For every duration
  /// of these options, `std::chrono::milliseconds::max()` means "no limit" (the longest value
  /// allowed; no deadline for #call_deadline) and a negative value is refused.
  std::chrono::milliseconds connect_timeout{10'000};
  /// Time allowed for one attempt, connect included; 1 ms - 1 day.
  std::chrono::milliseconds request_timeout{60'000};
  /// Overall time budget of one call across all attempts and backoff sleeps, measured on a
  /// steady clock; 0 = none, at most 7 days. A bulk call's deadline covers all its chunks.
  std::chrono::milliseconds call_deadline{180'000};
  /// Largest response body accepted (after decompression); a larger one fails with
  /// ErrorCode::response_too_large and is not retried. 1 KiB - 1 GiB.
  std::size_t max_response_bytes = 32u * 1024u * 1024u;
  /// Retry behaviour of span creates after ambiguous failures.
  SpanDelivery span_delivery = SpanDelivery::at_least_once;
  RetryPolicy retry;
  /// Proxy URL, e.g. "http://proxy:3128"; `https://` API calls go through it with CONNECT
  /// (end-to-end TLS to the API: the proxy sees only the host name). Empty: the standard
  /// environment variables, as libcurl reads them: `https_proxy` / `HTTPS_PROXY` for https
  /// URLs, `http_proxy` (lower case only) for http, `all_proxy`; `no_proxy` / `NO_PROXY`
  /// (comma-separated host names, domains, IP addresses or CIDR ranges, `*` for all) lists
  /// hosts reached directly, and applies to this option too.
  std::string proxy;
  /// Path to a PEM file of CA certificates to verify the server with, replacing the system
  /// store (e.g. a company or test CA). Empty: the system default. RespanClient::from_env()
  /// reads it from RESPAN_CA_BUNDLE. A missing or unreadable file fails calls with
  /// ErrorCode::tls.
  std::string ca_bundle;
  /// Verify the server's TLS certificate and host name (TLS 1.2 is the minimum version either
  /// way). A certificate that does not verify (unknown CA, expired, issued for another host)
  /// fails the call with ErrorCode::tls, which is never retried. Keep on outside tests;
  /// turning it off logs a warning once per client.
  bool verify_tls = true;
  /// Appended to the User-Agent header ("respan-cpp/<version> <suffix>"); printable text.
  std::string user_agent_suffix;
  /// Extra headers sent on every request. Names must be HTTP tokens and values must not
  /// contain control characters; the headers the SDK sets itself (Authorization,
  /// Content-Type, Content-Length, Host, User-Agent, Accept, Accept-Encoding, Connection,
  /// Expect, Transfer-Encoding) are refused.
  std::map<std::string, std::string> default_headers;
  /// Diagnostics sink; null = silent.
  LogCallback log;
  /// Minimum level passed to `log`.
  LogLevel log_level = LogLevel::warn;
  /// Create spans through the legacy alias `/api/request-logs/create/` instead of
  /// `/api/request-logs/`.
  bool use_legacy_create_endpoint = false;

  /// Custom transport (e.g. a test double). Null: the built-in libcurl transport.
  std::shared_ptr<Transport> transport;
  /// Replaces the sleep between retries (tests). Null: std::this_thread::sleep_for. If it
  /// throws, the real sleep is used.
  std::function<void(std::chrono::milliseconds)> sleeper;
  /// Replaces the wall clock used for HTTP-date `Retry-After` and `X-RateLimit-Reset`
  /// (tests). Null (or throwing): std::chrono::system_clock.
  std::function<std::chrono::system_clock::time_point()> clock;
  /// Replaces the monotonic clock used for deadlines (tests). Null (or throwing):
  /// std::chrono::steady_clock.
  std::function<std::chrono::steady_clock::time_point()> steady_clock;
  /// Replaces the jitter source (tests); must return a value in [0, 1). Null (or throwing,
  /// or out of range): a PRNG / the midpoint.
  std::function<double()> random;
};

/// Per-call overrides. Pass as the last argument of any resource method. Values outside the
/// ranges of ClientOptions (e.g. a timeout of 0) fail the call with invalid_argument.
struct RESPAN_EXPORT RequestOptions {
  std::optional<std::chrono::milliseconds> request_timeout;  ///< Per-attempt timeout, > 0.
  std::optional<std::chrono::milliseconds> call_deadline;    ///< Overall budget; 0 or max() = none.
  std::optional<int> max_retries;                            ///< 0-100.
  std::shared_ptr<const CancellationToken> cancel;
  /// Extra headers for this call (same rules as ClientOptions::default_headers).
  std::map<std::string, std::string> headers;
};

}  // namespace respan
