// The one file of the mock Respan server that uses cpp-httplib below its public API.
//
// cpp-httplib's own connection loop (Server::process_and_close_socket) reads a request's
// headers without any bound (0.11.4 took 120 MB of header lines and answered 200), waits for
// the next request of an idle keep-alive connection by polling every 10 ms without noticing
// stop(), and ends a connection after a fixed number of requests. The mock runs its own loop
// instead (MockServer::Impl::serve_connection): it overrides that private virtual and calls
// the protected Server::process_request with a Stream that counts the bytes of each request.
// Everything else of the mock uses cpp-httplib's public API only. See docs/conventions.md
// ("The mock server").
//
// Written and tested for cpp-httplib 0.11.4 (Debian bookworm); the check below refuses any
// other minor version: review process_request's signature, the Stream virtuals and
// process_and_close_socket before extending it.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include <httplib.h>

#include "testing/mock_connections.hpp"

namespace respan::testing::detail {

constexpr bool httplib_version_is(const char* version, const char* prefix) {
  for (; *prefix != '\0'; ++version, ++prefix) {
    if (*version != *prefix) return false;
  }
  return true;
}

static_assert(httplib_version_is(CPPHTTPLIB_VERSION, "0.11."),
              "src/testing/httplib_adapter.* were written for cpp-httplib 0.11.x: check "
              "Server::process_and_close_socket, Server::process_request and httplib::Stream "
              "of this version before allowing it here");

/// An httplib::Server whose accepted connections are served by `serve_connection(server,
/// sock)` (on a worker of the server's task queue) instead of httplib's keep-alive loop. The
/// callee reads and answers the requests with a RequestReader; the socket is shut down and
/// closed when it returns. Routes, handlers and options are set with the public API as usual.
class ConnectionServer final : public httplib::Server {
 public:
  using ServeConnection = std::function<void(ConnectionServer& server, int sock)>;
  explicit ConnectionServer(ServeConnection serve_connection);

 private:
  friend class RequestReader;
  bool process_and_close_socket(socket_t sock) override;

  ServeConnection serve_connection_;
};

/// Reads the requests of one connection, routes them through a ConnectionServer and writes
/// the answers. Bytes read ahead (a next request sent without waiting) are kept between
/// requests.
class RequestReader {
 public:
  RequestReader(ConnectionServer& server, ByteChannel& channel, int read_timeout_ms,
                int write_timeout_ms);
  ~RequestReader();
  RequestReader(const RequestReader&) = delete;
  RequestReader& operator=(const RequestReader&) = delete;

  /// True when bytes of a next request are already buffered.
  bool has_buffered() const;
  /// Reads one request, reading at most `budget` bytes for it whatever it consists of (request
  /// line, headers, a body of any framing), routes it and writes the answer. False when the
  /// connection must close: a read or write failed, the answer said `Connection: close`, or
  /// the request went over the budget (httplib answers it 400 or 413 when it still can).
  bool serve_one(std::size_t budget);

 private:
  class Stream;
  ConnectionServer& server_;
  std::unique_ptr<Stream> stream_;
};

}  // namespace respan::testing::detail
