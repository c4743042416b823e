#include "testing/mock_tls.hpp"

#include <cerrno>
#include <cstdint>
#include <stdexcept>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>

namespace respan::testing::detail {

namespace {

int fd_of(BIO* b) {
  return static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(b)));
}

// A socket BIO that sends with MSG_NOSIGNAL: a client hanging up must not kill the process
// hosting the mock (OpenSSL's own socket BIO uses write(), which raises SIGPIPE).
int bio_write(BIO* b, const char* data, int size) {
  BIO_clear_retry_flags(b);
  ssize_t n;
  do {
    n = ::send(fd_of(b), data, static_cast<std::size_t>(size), MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return static_cast<int>(n);
}

int bio_read(BIO* b, char* data, int size) {
  BIO_clear_retry_flags(b);
  ssize_t n;
  do {
    n = ::recv(fd_of(b), data, static_cast<std::size_t>(size), 0);
  } while (n < 0 && errno == EINTR);
  return static_cast<int>(n);
}

long bio_ctrl(BIO*, int cmd, long, void*) {
  return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

int bio_create(BIO* b) {
  BIO_set_init(b, 1);
  return 1;
}

const BIO_METHOD* nosignal_socket_method() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "respan mock socket");
    if (m != nullptr) {
      BIO_meth_set_write(m, bio_write);
      BIO_meth_set_read(m, bio_read);
      BIO_meth_set_ctrl(m, bio_ctrl);
      BIO_meth_set_create(m, bio_create);
    }
    return m;
  }();
  return method;
}

std::string openssl_error() {
  std::string out;
  char buf[256];
  while (const unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? std::string("unknown OpenSSL error") : out;
}

void set_timeouts(int sock, int timeout_ms) {
  timeval tv{};
  tv.tv_sec = timeout_ms / 1000;
  tv.tv_usec = static_cast<suseconds_t>((timeout_ms % 1000) * 1000);
  ::setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

}  // namespace

TlsConnection::~TlsConnection() {
  SSL_shutdown(ssl_);  // sends close_notify; does not wait for the client's
  SSL_free(ssl_);
}

bool TlsConnection::pending() const {
  return SSL_pending(ssl_) > 0;
}

ssize_t TlsConnection::read(char* data, std::size_t size) {
  const int n = SSL_read(ssl_, data, static_cast<int>(size > 1u << 30 ? 1u << 30 : size));
  if (n > 0) return n;
  const int err = SSL_get_error(ssl_, n);
  ERR_clear_error();
  return err == SSL_ERROR_ZERO_RETURN ? 0 : -1;
}

ssize_t TlsConnection::write(const char* data, std::size_t size) {
  const int n = SSL_write(ssl_, data, static_cast<int>(size > 1u << 30 ? 1u << 30 : size));
  if (n > 0) return n;
  ERR_clear_error();
  return -1;
}

TlsServerContext::TlsServerContext(const std::string& cert_file, const std::string& key_file) {
  if (cert_file.empty() || key_file.empty()) {
    throw std::runtime_error("respan mock server: TLS needs both a certificate and a key file");
  }
  ctx_ = SSL_CTX_new(TLS_server_method());
  if (ctx_ == nullptr) throw std::runtime_error("respan mock server: " + openssl_error());
  auto fail = [this](const std::string& what) {
    const std::string detail = openssl_error();
    SSL_CTX_free(ctx_);
    ctx_ = nullptr;
    throw std::runtime_error("respan mock server: " + what + ": " + detail);
  };
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  SSL_CTX_set_mode(ctx_, SSL_MODE_AUTO_RETRY);
  // Clients resume sessions (ids or tickets) from the same context.
  static const unsigned char kSessionContext[] = "respan-mock";
  SSL_CTX_set_session_id_context(ctx_, kSessionContext, sizeof kSessionContext - 1);
  if (SSL_CTX_use_certificate_chain_file(ctx_, cert_file.c_str()) != 1) {
    fail("cannot load the TLS certificate " + cert_file);
  }
  if (SSL_CTX_use_PrivateKey_file(ctx_, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    fail("cannot load the TLS key " + key_file);
  }
  if (SSL_CTX_check_private_key(ctx_) != 1) fail("the TLS key does not match the certificate");
}

TlsServerContext::~TlsServerContext() {
  SSL_CTX_free(ctx_);
}

std::unique_ptr<TlsConnection> TlsServerContext::accept(int sock, int timeout_ms) {
  const BIO_METHOD* method = nosignal_socket_method();
  SSL* ssl = method != nullptr ? SSL_new(ctx_) : nullptr;
  BIO* bio = ssl != nullptr ? BIO_new(method) : nullptr;
  if (bio == nullptr) {
    SSL_free(ssl);
    ERR_clear_error();
    failed_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  BIO_set_data(bio, reinterpret_cast<void*>(static_cast<std::intptr_t>(sock)));
  SSL_set_bio(ssl, bio, bio);  // ssl owns bio
  // A client that stalls mid-handshake (or mid-record later) fails instead of holding a
  // worker forever.
  set_timeouts(sock, timeout_ms);
  if (SSL_accept(ssl) != 1) {
    ERR_clear_error();
    SSL_free(ssl);
    failed_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  handshakes_.fetch_add(1, std::memory_order_relaxed);
  if (SSL_session_reused(ssl) != 0) resumed_.fetch_add(1, std::memory_order_relaxed);
  return std::make_unique<TlsConnection>(ssl, sock);
}

}  // namespace respan::testing::detail
