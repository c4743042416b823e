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

#include <respan/options.hpp>
#include <respan/result.hpp>

namespace respan {

enum class HttpMethod { get, post, put, patch, del };

/// "GET", "POST", "PUT", "PATCH" or "DELETE".
std::string_view to_string(HttpMethod method) noexcept;

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

/// One HTTP exchange to perform. A body is sent for any method (DELETE included) when
/// `body` is set.
struct HttpRequest {
  HttpMethod method = HttpMethod::get;
  std::string url;
  HttpHeaders headers;
  std::optional<std::string> body;
  std::chrono::milliseconds timeout{0};          ///< Whole attempt; 0 = none.
  std::chrono::milliseconds connect_timeout{0};  ///< 0 = transport default.
  std::shared_ptr<const CancellationToken> cancel;
};

/// A complete HTTP response of any status. Header names are lower-case.
struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;

  /// First header with this name (case-insensitive), if any.
  std::optional<std::string> header(std::string_view name) const;
};

/// Sends HTTP requests. Implementations must be safe to call from many threads at once.
/// `send` returns an HttpResponse for every status code it receives; it returns an Error
/// (network, timeout, cancelled or invalid_argument) only when no complete response arrived.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};

/// Settings of the libcurl transport.
struct CurlTransportOptions {
  std::string proxy;      ///< Empty: libcurl's default (honours *_proxy env vars).
  std::string ca_bundle;  ///< Empty: the system CA store.
  bool verify_tls = true;
  std::chrono::milliseconds connect_timeout{10'000};
  /// Idle easy handles kept for reuse (each keeps its connections alive).
  std::size_t max_idle_handles = 32;
  /// Largest response body accepted; larger responses fail with a network error.
  std::size_t max_response_bytes = 256u * 1024u * 1024u;
};

/// The built-in libcurl transport: pooled easy handles sharing one connection, DNS and TLS
/// session cache (keep-alive across threads), gzip/deflate decoding, no redirects followed.
std::shared_ptr<Transport> make_curl_transport(const CurlTransportOptions& options = {});

}  // namespace respan
