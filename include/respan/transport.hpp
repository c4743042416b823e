/// @file transport.hpp
/// @brief The HTTP transport abstraction and the built-in libcurl implementation.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <respan/export.hpp>
#include <respan/options.hpp>
#include <respan/result.hpp>

namespace respan {

enum class HttpMethod { get, post, put, patch, del };

/// "GET", "POST", "PUT", "PATCH" or "DELETE".
RESPAN_EXPORT std::string_view to_string(HttpMethod method) noexcept;

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

/// One HTTP exchange to perform. A body is sent for any method (DELETE included) when
/// `body` is set.
struct RESPAN_EXPORT HttpRequest {
  HttpMethod method = HttpMethod::get;
  std::string url;
  HttpHeaders headers;
  std::optional<std::string> body;
  std::chrono::milliseconds timeout{0};          ///< Whole attempt; 0 = none.
  std::chrono::milliseconds connect_timeout{0};  ///< 0 = transport default.
  /// Cancels the exchange: the built-in transport ends a request in flight within about
  /// 10 ms of CancellationToken::cancel() (ErrorCode::cancelled), even while the server sends
  /// nothing.
  std::shared_ptr<const CancellationToken> cancel;
};

/// A complete HTTP response of any status. Header names are lower-case.
struct RESPAN_EXPORT HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;

  /// First header with this name (case-insensitive), if any.
  std::optional<std::string> header(std::string_view name) const;
};

/// Sends HTTP requests. Implementations must be safe to call from many threads at once.
/// `send` returns an HttpResponse for every status code it receives; it returns an Error
/// (network, timeout, cancelled, invalid_argument, response_too_large or tls) only when no
/// complete response arrived. An Error sets `certainly_not_sent` only when the transport
/// knows that no byte of the request reached the server.
class RESPAN_EXPORT Transport {
 public:
  virtual ~Transport() = default;
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};

/// Settings of the libcurl transport.
struct RESPAN_EXPORT CurlTransportOptions {
  std::string proxy;      ///< Empty: libcurl's default (honours *_proxy env vars).
  std::string ca_bundle;  ///< Empty: the system CA store.
  bool verify_tls = true;
  std::chrono::milliseconds connect_timeout{10'000};
  /// Idle easy handles kept for reuse (each keeps its own keep-alive connections).
  std::size_t max_idle_handles = 32;
  /// Largest response body accepted, counted after content decoding (so a small gzip body
  /// cannot inflate past it); default 32 MiB. A larger response fails with
  /// ErrorCode::response_too_large; one whose Content-Length already exceeds the limit fails
  /// before its body is read.
  std::size_t max_response_bytes = 32u * 1024u * 1024u;
};

/// The built-in libcurl transport. Thread-safe; a connection is never used by two threads at
/// once: each call takes an easy handle from a pool (most recently used first) for exclusive
/// use and returns it afterwards, and each handle keeps its own keep-alive connections, so
/// sequential calls reuse a connection. Handles share only the DNS and TLS-session caches.
/// Decodes gzip/deflate (and br when libcurl has it), follows no redirects, requires TLS 1.2
/// or newer. Fork-safe: in a child process created by fork() the transport never touches the
/// handles, connections or locks it inherited (they are left to the parent, and leaked in the
/// child) and opens connections of its own.
RESPAN_EXPORT std::shared_ptr<Transport> make_curl_transport(
    const CurlTransportOptions& options = {});

}  // namespace respan
