// A small loopback HTTP proxy for tests: it answers CONNECT (the way clients reach https://
// servers through a proxy) by opening a TCP tunnel to the requested loopback address and
// relaying bytes both ways. It never sees the tunnelled plaintext. Anything else, and
// CONNECT to a non-loopback host, is refused (405 / 403).
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace respan::test {

class ConnectProxy {
 public:
  /// Listens on 127.0.0.1 on an ephemeral port. @throws std::runtime_error.
  ConnectProxy();
  ~ConnectProxy();
  ConnectProxy(const ConnectProxy&) = delete;
  ConnectProxy& operator=(const ConnectProxy&) = delete;

  /// "http://127.0.0.1:PORT".
  std::string url() const;
  int port() const { return port_; }
  /// The CONNECT targets received ("127.0.0.1:443"), in order.
  std::vector<std::string> targets() const;

 private:
  void accept_loop();
  void serve(int client);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::vector<std::string> targets_;
  std::vector<int> open_fds_;
  std::vector<std::thread> workers_;
};

}  // namespace respan::test
