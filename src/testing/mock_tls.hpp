// TLS for the mock Respan server: an OpenSSL server context (TLS 1.2 minimum) and the
// per-connection sessions of its connection loop (a ByteChannel each). Why this is not
// httplib::SSLServer: docs/conventions.md ("The mock server").
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>

#include <sys/types.h>

#include "testing/mock_connections.hpp"

struct ssl_st;
struct ssl_ctx_st;

namespace respan::testing::detail {

/// The server side of one TLS connection over a connected, blocking socket. Writes never
/// raise SIGPIPE.
class TlsConnection final : public ByteChannel {
 public:
  TlsConnection(ssl_st* ssl, int sock) : ssl_(ssl), sock_(sock) {}
  /// Sends close_notify (without waiting for the client's) and frees the session.
  ~TlsConnection() override;
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;

  int socket() const override { return sock_; }
  /// Decrypted bytes already buffered (readable without waiting for the socket).
  bool pending() const override;
  ssize_t read(char* data, std::size_t size) override;
  ssize_t write(const char* data, std::size_t size) override;

 private:
  ssl_st* ssl_;
  int sock_;
};

/// A server TLS context made from a PEM certificate chain and its private key.
class TlsServerContext {
 public:
  /// @throws std::runtime_error when the files cannot be loaded or do not match.
  TlsServerContext(const std::string& cert_file, const std::string& key_file);
  ~TlsServerContext();
  TlsServerContext(const TlsServerContext&) = delete;
  TlsServerContext& operator=(const TlsServerContext&) = delete;

  /// Runs the server handshake on `sock` (at most `timeout_ms` per read or write); null when
  /// it fails. Counts completed handshakes and resumed sessions.
  std::unique_ptr<TlsConnection> accept(int sock, int timeout_ms);

  std::size_t handshakes() const { return handshakes_.load(std::memory_order_relaxed); }
  std::size_t resumed() const { return resumed_.load(std::memory_order_relaxed); }
  std::size_t failed() const { return failed_.load(std::memory_order_relaxed); }

 private:
  ssl_ctx_st* ctx_ = nullptr;
  std::atomic<std::size_t> handshakes_{0};
  std::atomic<std::size_t> resumed_{0};
  std::atomic<std::size_t> failed_{0};
};

}  // namespace respan::testing::detail
