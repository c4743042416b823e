#include "testing/mock_connections.hpp"

#include <algorithm>
#include <cerrno>
#include <utility>

#include <poll.h>
#include <sys/socket.h>

namespace respan::testing::detail {

bool wait_socket(int sock, short events, int timeout_ms) {
  pollfd p{};
  p.fd = sock;
  p.events = events;
  for (;;) {
    const int r = ::poll(&p, 1, timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    return r > 0;
  }
}

// ------------------------------------------------------------------------------ PlainChannel

ssize_t PlainChannel::read(char* data, std::size_t size) {
  ssize_t n;
  do {
    n = ::recv(sock_, data, size, 0);
  } while (n < 0 && errno == EINTR);
  return n;
}

ssize_t PlainChannel::write(const char* data, std::size_t size) {
  ssize_t n;
  do {
    n = ::send(sock_, data, size, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n;
}

// ------------------------------------------------------------------------------ registry

void ConnectionRegistry::add(int sock) {
  std::lock_guard<std::mutex> lock(mu_);
  conns_[sock] = Conn{};
}

void ConnectionRegistry::remove(int sock) {
  std::lock_guard<std::mutex> lock(mu_);
  conns_.erase(sock);
}

void ConnectionRegistry::set_idle(int sock) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = conns_.find(sock);
  if (it == conns_.end()) return;
  it->second.idle = true;
  it->second.idle_since = ++clock_;
}

bool ConnectionRegistry::set_busy(int sock) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = conns_.find(sock);
  if (it == conns_.end() || it->second.evicted) return false;
  it->second.idle = false;
  return true;
}

void ConnectionRegistry::evict_idle(std::size_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<std::uint64_t, int>> idle;
  for (const auto& [sock, c] : conns_) {
    if (c.idle && !c.evicted) idle.emplace_back(c.idle_since, sock);
  }
  std::sort(idle.begin(), idle.end());
  for (std::size_t i = 0; i < idle.size() && i < n; ++i) {
    conns_[idle[i].second].evicted = true;
    ::shutdown(idle[i].second, SHUT_RDWR);
  }
}

void ConnectionRegistry::shutdown_all() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [sock, c] : conns_) {
    c.evicted = true;
    ::shutdown(sock, SHUT_RDWR);
  }
}

// ------------------------------------------------------------------------------ ElasticPool

ElasticPool::ElasticPool(std::size_t initial, std::size_t max,
                         std::atomic<std::size_t>& jobs_enqueued,
                         std::function<void(std::size_t)> evict_idle)
    : max_(std::max(initial, max)),
      jobs_enqueued_(jobs_enqueued),
      evict_idle_(std::move(evict_idle)) {
  std::lock_guard<std::mutex> lock(mu_);
  for (std::size_t i = 0; i < initial; ++i)
    threads_.emplace_back([this] { work(); });
}

ElasticPool::~ElasticPool() {
  shutdown();
}

void ElasticPool::enqueue(std::function<void()> fn) {
  jobs_enqueued_.fetch_add(1, std::memory_order_relaxed);
  std::size_t starved = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(std::move(fn));
    if (idle_ < jobs_.size() && threads_.size() < max_) {
      threads_.emplace_back([this] { work(); });
    } else if (idle_ < jobs_.size()) {
      starved = jobs_.size() - idle_;
    }
  }
  cv_.notify_one();
  // Every worker holds a connection: rather than make the new one wait for an idle
  // keep-alive connection to time out, close the longest idle ones (as nginx reuses idle
  // keep-alive connections when it runs out of connections).
  if (starved > 0 && evict_idle_) evict_idle_(starved);
}

std::size_t ElasticPool::starved() {
  std::lock_guard<std::mutex> lock(mu_);
  return idle_ < jobs_.size() && threads_.size() >= max_ ? jobs_.size() - idle_ : 0;
}

void ElasticPool::shutdown() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    shutdown_ = true;
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (auto& t : threads)
    t.join();
}

void ElasticPool::work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      ++idle_;
      cv_.wait(lock, [this] { return shutdown_ || !jobs_.empty(); });
      --idle_;
      if (jobs_.empty()) return;  // shutdown with nothing left to do
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

}  // namespace respan::testing::detail
