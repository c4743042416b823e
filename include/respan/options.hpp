/// @file options.hpp
/// @brief Client configuration: ClientOptions, RetryPolicy, per-call RequestOptions.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace respan {

class Transport;

/// Severity of a message passed to ClientOptions::log.
enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };

/// Receives the SDK's diagnostic messages. Called from the calling thread (or the
/// BatchLogger's worker); must be thread-safe. Messages never contain the API key.
using LogCallback = std::function<void(LogLevel level, std::string_view message)>;

/// When and how long to wait before retrying a failed attempt.
///
/// Retried: HTTP 408, 409, 429, 5xx and network errors. The delay before retry `n`
/// (0-based) is `initial_backoff * multiplier^n`, capped at `max_backoff`, scaled by a
/// random factor in `[1 - jitter, 1 + jitter]`. A server-requested delay
/// (`retry-after-ms`, `Retry-After` seconds or HTTP-date, or the body's `retry_after`)
/// replaces it, capped at `max_retry_after`.
struct RetryPolicy {
  int max_retries = 2;  ///< Retries after the first attempt (so 3 attempts by default).
  std::chrono::milliseconds initial_backoff{500};
  double multiplier = 2.0;
  std::chrono::milliseconds max_backoff{30'000};
  double jitter = 0.2;  ///< Fraction in [0, 1].
  std::chrono::milliseconds max_retry_after{60'000};

  /// A policy that never retries.
  static RetryPolicy none() {
    RetryPolicy p;
    p.max_retries = 0;
    return p;
  }
};

/// Cooperative cancellation for in-flight calls: `cancel()` aborts the transfer and
/// any pending retry; the call then fails with ErrorCode::cancelled.
class CancellationToken {
 public:
  void cancel() noexcept { cancelled_.store(true, std::memory_order_relaxed); }
  bool is_cancelled() const noexcept { return cancelled_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> cancelled_{false};
};

/// Configuration of a RespanClient. Every field has a usable default except `api_key`.
struct ClientOptions {
  /// Respan API key (sent as `Authorization: Bearer`). Never logged or put in errors.
  std::string api_key;
  /// API root, with or without a trailing `/api` or `/`: "https://api.respan.ai",
  /// "https://api.respan.ai/api/" and "http://127.0.0.1:8080" all work.
  std::string base_url = "https://api.respan.ai";
  /// Time allowed to establish a connection (per attempt).
  std::chrono::milliseconds connect_timeout{10'000};
  /// Time allowed for one attempt, connect included.
  std::chrono::milliseconds request_timeout{60'000};
  /// Overall time budget of one call across all attempts and backoff sleeps; 0 = none.
  std::chrono::milliseconds call_deadline{180'000};
  RetryPolicy retry;
  /// Proxy URL, e.g. "http://proxy:3128". Empty: libcurl's default (the *_proxy env vars).
  std::string proxy;
  /// Path to a PEM CA bundle to verify the server with. Empty: the system default.
  std::string ca_bundle;
  /// Verify the server's TLS certificate and host name. Keep on outside tests.
  bool verify_tls = true;
  /// Appended to the User-Agent header ("respan-cpp/<version> <suffix>").
  std::string user_agent_suffix;
  /// Extra headers sent on every request (Authorization cannot be overridden here).
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
  /// Replaces the sleep between retries (tests). Null: std::this_thread::sleep_for.
  std::function<void(std::chrono::milliseconds)> sleeper;
  /// Replaces the clock used for deadlines and HTTP-date Retry-After (tests). Null: the
  /// real clocks. Returns the current wall-clock time.
  std::function<std::chrono::system_clock::time_point()> clock;
  /// Replaces the jitter source (tests); must return a value in [0, 1). Null: a PRNG.
  std::function<double()> random;
};

/// Per-call overrides. Pass as the last argument of any resource method.
struct RequestOptions {
  std::optional<std::chrono::milliseconds> request_timeout;  ///< Per-attempt timeout.
  std::optional<std::chrono::milliseconds> call_deadline;    ///< Overall budget; 0 = none.
  std::optional<int> max_retries;
  std::shared_ptr<const CancellationToken> cancel;
  std::map<std::string, std::string> headers;  ///< Extra headers for this call.
};

}  // namespace respan
