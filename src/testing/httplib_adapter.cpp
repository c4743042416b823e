// See httplib_adapter.hpp: the only use of cpp-httplib below its public API.
#include "testing/httplib_adapter.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace respan::testing::detail {

// The version check itself (httplib_adapter.hpp).
static_assert(httplib_version_is("0.11.4", "0.11.") && !httplib_version_is("0.12.0", "0.11.") &&
                  !httplib_version_is("0.1", "0.11.") && !httplib_version_is("0.110.0", "0.11."),
              "httplib_version_is");

// ------------------------------------------------------------------------------ Stream

// A buffered stream over a ByteChannel for httplib's request parser, with a budget of bytes
// per request: whatever a request consists of (request line, headers, a body of any framing,
// or bytes a request without a body left behind), reading more than the budget fails it.
class RequestReader::Stream final : public httplib::Stream {
 public:
  Stream(ByteChannel& channel, int read_timeout_ms, int write_timeout_ms)
      : channel_(channel), read_timeout_ms_(read_timeout_ms), write_timeout_ms_(write_timeout_ms) {}

  void start_request(std::size_t budget) {
    budget_ = budget;
    used_ = 0;
  }
  bool over_budget() const { return over_; }
  bool has_buffered() const { return pos_ < len_ || channel_.pending(); }

  bool is_readable() const override {
    return has_buffered() || wait_socket(channel_.socket(), POLLIN, read_timeout_ms_);
  }
  bool is_writable() const override {
    return wait_socket(channel_.socket(), POLLOUT, write_timeout_ms_);
  }

  ssize_t read(char* ptr, size_t size) override {
    if (pos_ >= len_) {
      if (!is_readable()) return -1;
      const ssize_t n = channel_.read(buf_, sizeof buf_);
      if (n <= 0) return n;
      pos_ = 0;
      len_ = static_cast<std::size_t>(n);
    }
    const std::size_t n = std::min(size, len_ - pos_);
    if (used_ + n > budget_) {
      over_ = true;
      return -1;
    }
    used_ += n;
    std::memcpy(ptr, buf_ + pos_, n);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    return channel_.write(ptr, size);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getpeername(channel_.socket(), reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      address_of(addr, ip, port);
    }
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(channel_.socket(), reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      address_of(addr, ip, port);
    }
  }
  socket_t socket() const override { return channel_.socket(); }

 private:
  static void address_of(const sockaddr_storage& addr, std::string& ip, int& port) {
    char text[INET6_ADDRSTRLEN] = {};
    if (addr.ss_family == AF_INET) {
      const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
      ::inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
      port = ntohs(a->sin_port);
    } else if (addr.ss_family == AF_INET6) {
      const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
      ::inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
      port = ntohs(a->sin6_port);
    }
    ip = text;
  }

  ByteChannel& channel_;
  int read_timeout_ms_;
  int write_timeout_ms_;
  char buf_[16 * 1024];
  std::size_t pos_ = 0;
  std::size_t len_ = 0;
  std::size_t budget_ = 0;
  std::size_t used_ = 0;
  bool over_ = false;
};

// ------------------------------------------------------------------------------ RequestReader

RequestReader::RequestReader(ConnectionServer& server, ByteChannel& channel, int read_timeout_ms,
                             int write_timeout_ms)
    : server_(server),
      stream_(std::make_unique<Stream>(channel, read_timeout_ms, write_timeout_ms)) {}

RequestReader::~RequestReader() = default;

bool RequestReader::has_buffered() const {
  return stream_->has_buffered();
}

bool RequestReader::serve_one(std::size_t budget) {
  stream_->start_request(budget);
  bool closed = false;
  const bool ok = server_.process_request(*stream_, false, closed, nullptr);
  return ok && !closed && !stream_->over_budget();
}

// ------------------------------------------------------------------------------ ConnectionServer

ConnectionServer::ConnectionServer(ServeConnection serve_connection)
    : serve_connection_(std::move(serve_connection)) {}

bool ConnectionServer::process_and_close_socket(socket_t sock) {
  serve_connection_(*this, sock);
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return true;
}

}  // namespace respan::testing::detail
