#include "connect_proxy.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace respan::test {

namespace {

bool send_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

bool send_text(int fd, const std::string& text) {
  return send_all(fd, text.data(), text.size());
}

}  // namespace

ConnectProxy::ConnectProxy() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listen_fd_ < 0) throw std::runtime_error("proxy: socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("proxy: cannot listen on 127.0.0.1");
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

ConnectProxy::~ConnectProxy() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  acceptor_.join();
  ::close(listen_fd_);
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const int fd : open_fds_)
      ::shutdown(fd, SHUT_RDWR);
    workers.swap(workers_);
  }
  for (auto& t : workers)
    t.join();
}

std::string ConnectProxy::url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

std::vector<std::string> ConnectProxy::targets() const {
  std::lock_guard<std::mutex> lock(mu_);
  return targets_;
}

void ConnectProxy::accept_loop() {
  for (;;) {
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) {
      if (errno == EINTR) continue;
      return;  // shut down
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    open_fds_.push_back(fd);
    workers_.emplace_back([this, fd] { serve(fd); });
  }
}

void ConnectProxy::serve(int client) {
  int upstream = -1;
  auto forget = [this](int fd) {
    if (fd < 0) return;
    std::lock_guard<std::mutex> lock(mu_);
    open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
    ::close(fd);
  };
  // The request head, byte by byte: nothing after it may be consumed (it belongs to the tunnel).
  std::string head;
  char c = 0;
  while (head.size() < 8192 && head.find("\r\n\r\n") == std::string::npos) {
    const ssize_t n = ::recv(client, &c, 1, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    head.push_back(c);
  }
  const std::string line = head.substr(0, head.find("\r\n"));
  const auto sp1 = line.find(' ');
  const auto sp2 = line.find(' ', sp1 == std::string::npos ? 0 : sp1 + 1);
  if (head.find("\r\n\r\n") == std::string::npos || sp1 == std::string::npos ||
      sp2 == std::string::npos) {
    forget(client);
    return;
  }
  const std::string method = line.substr(0, sp1);
  const std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  {
    std::lock_guard<std::mutex> lock(mu_);
    targets_.push_back(method == "CONNECT" ? target : method + " " + target);
  }
  const auto colon = target.rfind(':');
  const std::string host = colon == std::string::npos ? "" : target.substr(0, colon);
  const int port = colon == std::string::npos ? 0 : std::atoi(target.c_str() + colon + 1);
  if (method != "CONNECT") {
    send_text(client, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n");
    forget(client);
    return;
  }
  if ((host != "127.0.0.1" && host != "localhost") || port <= 0 || port > 65535) {
    send_text(client, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");  // loopback only
    forget(client);
    return;
  }
  upstream = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (upstream < 0 || ::connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    send_text(client, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
    if (upstream >= 0) ::close(upstream);
    forget(client);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    open_fds_.push_back(upstream);
  }
  const int one = 1;
  ::setsockopt(upstream, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (send_text(client, "HTTP/1.1 200 Connection established\r\n\r\n")) {
    char buf[16 * 1024];
    pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
    for (bool open = true; open && !stopping_;) {
      if (::poll(fds, 2, 200) < 0 && errno != EINTR) break;
      for (int i = 0; i < 2 && open; ++i) {
        if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
        const ssize_t n = ::recv(fds[i].fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        open = n > 0 && send_all(fds[1 - i].fd, buf, static_cast<std::size_t>(n));
      }
    }
  }
  forget(upstream);
  forget(client);
}

}  // namespace respan::test
