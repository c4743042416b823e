// The connections of the mock Respan server: the bytes of one connection (plain or TLS), the
// registry of open connections (idle ones can be evicted, all of them closed at stop()), and
// the worker pool that grows with them. Only cpp-httplib's public API is used here
// (httplib::TaskQueue is its documented extension point for `Server::new_task_queue`).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <httplib.h>
#include <sys/types.h>

namespace respan::testing::detail {

/// poll() for `events` on one socket; true when ready (or hung up: the read then sees it).
bool wait_socket(int sock, short events, int timeout_ms);

/// The bytes of one accepted connection, as the request reader (httplib_adapter.hpp) reads
/// them: plain TCP (PlainChannel) or TLS (mock_tls.hpp). Writes never raise SIGPIPE.
class ByteChannel {
 public:
  virtual ~ByteChannel() = default;
  /// The connected socket (for poll()).
  virtual int socket() const = 0;
  /// True when bytes are readable without waiting for the socket (decrypted TLS bytes).
  virtual bool pending() const = 0;
  /// Like recv(): > 0 bytes read, 0 at a clean close, < 0 on error.
  virtual ssize_t read(char* data, std::size_t size) = 0;
  /// Like send(): bytes written or < 0 on error.
  virtual ssize_t write(const char* data, std::size_t size) = 0;
};

/// A plain TCP connection.
class PlainChannel final : public ByteChannel {
 public:
  explicit PlainChannel(int sock) : sock_(sock) {}
  int socket() const override { return sock_; }
  bool pending() const override { return false; }
  ssize_t read(char* data, std::size_t size) override;
  ssize_t write(const char* data, std::size_t size) override;

 private:
  int sock_;
};

/// The server side of the open connections, and which of them wait idle for a request.
class ConnectionRegistry {
 public:
  void add(int sock);
  /// Call before the socket is closed (so that no call here touches a reused descriptor).
  void remove(int sock);
  void set_idle(int sock);
  /// False when the connection was evicted (or closed by shutdown_all()) while idle: the
  /// caller then closes it.
  bool set_busy(int sock);
  /// Shuts down up to `n` connections idle the longest; their workers see the hang-up at once.
  void evict_idle(std::size_t n);
  /// Shuts down every registered connection (stop(): idle keep-alive connections and stalled
  /// clients end at once instead of after their timeouts).
  void shutdown_all();

 private:
  struct Conn {
    bool idle = false;
    bool evicted = false;
    std::uint64_t idle_since = 0;
  };
  std::mutex mu_;
  std::map<int, Conn> conns_;
  std::uint64_t clock_ = 0;
};

/// A thread pool that starts `initial` workers and adds one whenever a job arrives while every
/// worker is busy (up to `max`). The server keeps a worker for the whole life of a keep-alive
/// connection, so a fixed pool would stall clients that open more connections than workers.
/// The server enqueues one job per accepted connection, so the pool also counts connections.
class ElasticPool final : public httplib::TaskQueue {
 public:
  /// `evict_idle(n)` is called (under no lock of ours) when `n` jobs wait and the pool cannot
  /// grow: it closes up to `n` idle keep-alive connections so that their workers take the jobs.
  ElasticPool(std::size_t initial, std::size_t max, std::atomic<std::size_t>& jobs_enqueued,
              std::function<void(std::size_t)> evict_idle);
  ElasticPool(const ElasticPool&) = delete;
  ElasticPool& operator=(const ElasticPool&) = delete;
  ~ElasticPool() override;

  void enqueue(std::function<void()> fn) override;
  void shutdown() override;
  /// Jobs (new connections) waiting while no worker is free and the pool cannot grow.
  std::size_t starved();

 private:
  void work();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  std::size_t idle_ = 0;
  std::size_t max_;
  std::atomic<std::size_t>& jobs_enqueued_;
  std::function<void(std::size_t)> evict_idle_;
  bool shutdown_ = false;
};

}  // namespace respan::testing::detail
