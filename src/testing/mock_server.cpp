// MockServer: the cpp-httplib front of the mock Respan service (auth, faults, recording,
// lifecycle). The endpoint logic lives in mock_state.cpp / mock_datasets.cpp.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>

#include <arpa/inet.h>
#include <dirent.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <respan/testing/mock_server.hpp>

#include "testing/mock_runtime_state.hpp"
#include "testing/mock_state.hpp"
#include "testing/mock_tls.hpp"
#include "testing/mock_util.hpp"
#include "util/gzip.hpp"
#include "util/json_limits.hpp"
#include "util/text.hpp"

namespace respan::testing {

using detail::Json;

// ------------------------------------------------------------------------------ RecordedRequest

std::string RecordedRequest::header(const std::string& lower_name) const {
  const auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

nlohmann::json RecordedRequest::json() const {
  if (body.empty() || body_truncated) return nullptr;
  respan::detail::BoundedJson parsed = respan::detail::parse_json_bounded(body);
  return parsed.status == respan::detail::JsonParseStatus::ok ? std::move(parsed.value) : Json();
}

namespace {

// ------------------------------------------------------------------------------ worker pool

// A thread pool that starts `initial` workers and adds one whenever a job arrives while every
// worker is busy (up to `max`). httplib keeps a worker for the whole life of a keep-alive
// connection, so a fixed pool would stall clients that open more connections than workers.
// httplib enqueues one job per accepted connection, so the pool also counts connections.
class ElasticPool final : public httplib::TaskQueue {
 public:
  // `evict_idle(n)` is called (under no lock of ours) when `n` jobs wait and the pool cannot
  // grow: it closes up to `n` idle keep-alive connections so that their workers take the jobs.
  ElasticPool(std::size_t initial, std::size_t max, std::atomic<std::size_t>& jobs_enqueued,
              std::function<void(std::size_t)> evict_idle)
      : max_(std::max(initial, max)),
        jobs_enqueued_(jobs_enqueued),
        evict_idle_(std::move(evict_idle)) {
    std::lock_guard<std::mutex> lock(mu_);
    for (std::size_t i = 0; i < initial; ++i)
      threads_.emplace_back([this] { work(); });
  }
  ElasticPool(const ElasticPool&) = delete;
  ElasticPool& operator=(const ElasticPool&) = delete;
  ~ElasticPool() override { shutdown(); }

  void enqueue(std::function<void()> fn) override {
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

  // Jobs (new connections) waiting while no worker is free and the pool cannot grow.
  std::size_t starved() {
    std::lock_guard<std::mutex> lock(mu_);
    return idle_ < jobs_.size() && threads_.size() >= max_ ? jobs_.size() - idle_ : 0;
  }

  void shutdown() override {
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

 private:
  void work() {
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

// ------------------------------------------------------------------------------ connections

// The server side of the open connections, and which of them wait idle for a request.
class ConnectionRegistry {
 public:
  void add(int sock) {
    std::lock_guard<std::mutex> lock(mu_);
    conns_[sock] = Conn{};
  }
  void remove(int sock) {
    std::lock_guard<std::mutex> lock(mu_);
    conns_.erase(sock);
  }
  void set_idle(int sock) {
    std::lock_guard<std::mutex> lock(mu_);
    const auto it = conns_.find(sock);
    if (it == conns_.end()) return;
    it->second.idle = true;
    it->second.idle_since = ++clock_;
  }
  // False when the connection was evicted while idle: the caller then closes it.
  bool set_busy(int sock) {
    std::lock_guard<std::mutex> lock(mu_);
    const auto it = conns_.find(sock);
    if (it == conns_.end() || it->second.evicted) return false;
    it->second.idle = false;
    return true;
  }
  // Shuts down up to `n` connections idle the longest; their workers see the hang-up at once.
  void evict_idle(std::size_t n) {
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

// poll() for `events` on one socket; true when ready (or hung up: the read then sees it).
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

// A buffered socket stream for httplib's request parser with a budget of bytes per request:
// whatever a request consists of (request line, headers, a body of any framing, or bytes a
// request without a body left behind), reading more than the budget fails the request.
class SocketStream final : public httplib::Stream {
 public:
  // `tls`: the connection's TLS session, or null for plain HTTP.
  SocketStream(int sock, int read_timeout_ms, int write_timeout_ms, detail::TlsConnection* tls)
      : sock_(sock),
        read_timeout_ms_(read_timeout_ms),
        write_timeout_ms_(write_timeout_ms),
        tls_(tls) {}

  void start_request(std::size_t budget) {
    budget_ = budget;
    used_ = 0;
  }
  bool over_budget() const { return over_; }
  /// True when bytes of a next request (sent without waiting for the answer) are buffered.
  bool has_buffered() const { return pos_ < len_ || (tls_ != nullptr && tls_->pending()); }

  bool is_readable() const override {
    return has_buffered() || wait_socket(sock_, POLLIN, read_timeout_ms_);
  }
  bool is_writable() const override { return wait_socket(sock_, POLLOUT, write_timeout_ms_); }

  ssize_t read(char* ptr, size_t size) override {
    if (pos_ >= len_) {
      if (!is_readable()) return -1;
      ssize_t n;
      if (tls_ != nullptr) {
        n = tls_->read(buf_, sizeof buf_);
      } else {
        do {
          n = ::recv(sock_, buf_, sizeof buf_, 0);
        } while (n < 0 && errno == EINTR);
      }
      if (n <= 0) return n;
      pos_ = 0;
      len_ = static_cast<std::size_t>(n);
    }
    std::size_t n = std::min(size, len_ - pos_);
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
    if (tls_ != nullptr) return tls_->write(ptr, size);
    ssize_t n;
    do {
      n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getpeername(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      address_of(addr, ip, port);
    }
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      address_of(addr, ip, port);
    }
  }
  socket_t socket() const override { return sock_; }

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

  int sock_;
  int read_timeout_ms_;
  int write_timeout_ms_;
  detail::TlsConnection* tls_;
  char buf_[16 * 1024];
  std::size_t pos_ = 0;
  std::size_t len_ = 0;
  std::size_t budget_ = 0;
  std::size_t used_ = 0;
  bool over_ = false;
};

// Set by a handler that left the request stream in an unknown state (a body refused half
// read): the connection is closed after the answer.
thread_local bool t_close_connection = false;

// Request header that carries a gzip Content-Encoding from the pre-routing handler to the
// body reader (the real header is hidden from cpp-httplib's own decoder in between).
constexpr const char* kGzipMarker = "X-Respan-Mock-Gzip-Body";

// Exposes the listening socket (to enlarge httplib's fixed backlog of 5) and serves each
// connection with our own loop around httplib's request parser: a bounded SocketStream, an
// idle wait that blocks in poll() (httplib 0.11 polls every 10 ms per connection) and that an
// eviction can end, and no limit on requests per connection.
class ListenServer final : public httplib::Server {
 public:
  // `on_idle` runs each time a connection starts waiting for a request.
  // `tls`: serve HTTPS with this context (null: plain HTTP).
  ListenServer(ConnectionRegistry& connections, std::size_t request_budget, int idle_timeout_ms,
               std::function<void()> on_idle, detail::TlsServerContext* tls)
      : connections_(connections),
        request_budget_(request_budget),
        idle_timeout_ms_(idle_timeout_ms),
        on_idle_(std::move(on_idle)),
        tls_(tls) {}
  int listen_socket() const { return static_cast<int>(svr_sock_.load()); }

 private:
  bool process_and_close_socket(socket_t sock) override {
    connections_.add(sock);
    const int read_timeout_ms =
        static_cast<int>(read_timeout_sec_ * 1000 + read_timeout_usec_ / 1000);
    std::unique_ptr<detail::TlsConnection> tls;
    if (tls_ != nullptr) tls = tls_->accept(sock, read_timeout_ms);
    if (tls_ == nullptr || tls) {
      SocketStream strm(sock, read_timeout_ms,
                        static_cast<int>(write_timeout_sec_ * 1000 + write_timeout_usec_ / 1000),
                        tls.get());
      for (;;) {
        connections_.set_idle(sock);
        on_idle_();
        const bool readable = strm.has_buffered() || wait_socket(sock, POLLIN, idle_timeout_ms_);
        if (!connections_.set_busy(sock) || !readable || !is_running()) break;
        strm.start_request(request_budget_);
        t_close_connection = false;
        bool closed = false;
        const bool ok = process_request(strm, false, closed, nullptr);
        if (!ok || closed || t_close_connection || strm.over_budget()) break;
      }
    }
    tls.reset();  // close_notify before the socket closes
    connections_.remove(sock);
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
    return true;
  }

  ConnectionRegistry& connections_;
  std::size_t request_budget_;
  int idle_timeout_ms_;
  std::function<void()> on_idle_;
  detail::TlsServerContext* tls_;
};

// Shuts down every connected TCP socket of this process whose local port is `port`, i.e. the
// server side of connections to our (already closed) listening socket. httplib 0.11 keeps an
// idle keep-alive connection open for keep_alive_timeout without checking for stop(); this
// makes stop() prompt.
void shutdown_server_connections(int port) {
#ifdef __linux__
  std::vector<int> fds;
  if (DIR* dir = ::opendir("/proc/self/fd")) {
    while (const dirent* entry = ::readdir(dir)) {
      char* end = nullptr;
      const long fd = std::strtol(entry->d_name, &end, 10);
      if (end != entry->d_name && *end == '\0') fds.push_back(static_cast<int>(fd));
    }
    ::closedir(dir);
  }
  for (const int fd : fds) {
    sockaddr_storage local{};
    socklen_t len = sizeof local;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0) continue;
    int local_port = -1;
    if (local.ss_family == AF_INET) {
      local_port = ntohs(reinterpret_cast<const sockaddr_in*>(&local)->sin_port);
    } else if (local.ss_family == AF_INET6) {
      local_port = ntohs(reinterpret_cast<const sockaddr_in6*>(&local)->sin6_port);
    }
    if (local_port != port) continue;
    int type = 0;
    socklen_t type_len = sizeof type;
    if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_len) != 0 || type != SOCK_STREAM) {
      continue;
    }
    sockaddr_storage peer{};
    socklen_t peer_len = sizeof peer;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) continue;
    ::shutdown(fd, SHUT_RDWR);
  }
#else
  (void)port;
#endif
}

const char* reason_for(int status) {
  switch (status) {
    case 400:
      return "Bad request.";
    case 401:
      return "Authentication credentials were not provided.";
    case 403:
      return "You do not have permission to perform this action.";
    case 404:
      return "Not found.";
    case 405:
      return "Method not allowed.";
    case 408:
      return "Request timeout.";
    case 409:
      return "Conflict.";
    case 413:
      return "Request entity too large.";
    case 414:
      return "Request URI too long.";
    case 422:
      return "Validation error";
    case 429:
      return "Rate limit exceeded";
    case 500:
      return "Internal server error";
    case 502:
      return "Bad gateway";
    case 503:
      return "Service unavailable";
    case 504:
      return "Gateway timeout";
    default: {
      const std::string_view phrase = respan::detail::reason_phrase(status);
      return phrase.empty() ? "Mock fault" : phrase.data();  // the phrases are literals
    }
  }
}

std::string dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// cpp-httplib compresses a response (brotli or gzip, as the client accepts) only when its
// content type is exactly "application/json". Like a production front end, compress only
// bodies worth it: small ones go out uncompressed under the equivalent charset form.
constexpr std::size_t kCompressMinBytes = 1024;

const char* json_content_type(std::size_t size) {
  return size >= kCompressMinBytes ? "application/json" : "application/json; charset=utf-8";
}

void set_json(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  std::string text = dump(body);
  const char* type = json_content_type(text.size());
  res.set_content(std::move(text), type);
}

bool is_pseudo_header(const std::string& name) {
  return name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" ||
         name == "LOCAL_PORT";
}

constexpr const char* kNoCredentials = "Authentication credentials were not provided.";
constexpr const char* kInvalidKey =
    "Invalid API key. Create one at https://platform.respan.ai/platform/api-keys";

}  // namespace

// ------------------------------------------------------------------------------ Impl

struct MockServer::Impl {
  explicit Impl(MockServerOptions o)
      : options(std::move(o)),
        state(detail::StateConfig{options.organization_id, options.organization_number,
                                  options.environment, options.max_bulk_size,
                                  options.immediate_background_jobs}),
        runtime(detail::RuntimeStoreConfig{
            options.organization_id, "Mock Organization", options.max_stored_objects,
            [this](const std::string& id) { return state.has_log(id); },
            [this] { return state.request_logs(); }}) {}

  MockServerOptions options;
  detail::MockState state;
  // Scores, prompts, customers and threads (mock_runtime.cpp and siblings).
  detail::RuntimeStore runtime;

  // Lifecycle.
  mutable std::mutex lifecycle_mu;
  std::unique_ptr<ListenServer> server;
  std::thread listener;
  std::atomic<int> bound_port{0};
  std::atomic<bool> running{false};
  std::atomic<std::size_t> connections_accepted{0};
  // HTTPS: made at the first start() when MockServerOptions::tls_cert_file is set.
  std::unique_ptr<detail::TlsServerContext> tls;
  std::mutex done_mu;
  std::condition_variable done_cv;
  bool listener_done = false;
  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stop_requested = false;

  // Faults.
  std::mutex fault_mu;
  std::deque<Fault> faults;

  // Recorded requests: the newest ones, within options.max_recorded_requests and
  // options.max_recorded_bytes of bodies; records[i] has sequence number first_seq + i.
  mutable std::mutex rec_mu;
  mutable std::condition_variable rec_cv;
  std::deque<RecordedRequest> records;
  std::uint64_t first_seq = 0;
  std::size_t recorded_bytes = 0;
  std::size_t answered = 0;
  std::uint64_t generation = 0;

  ConnectionRegistry connections;
  // The running server's worker pool (owned by httplib; only its own workers read this).
  std::atomic<ElasticPool*> pool{nullptr};

  // A connection went idle: if new connections wait for a worker meanwhile (the eviction at
  // enqueue found too few idle connections, e.g. workers not yet registered), evict now.
  void on_connection_idle() {
    if (ElasticPool* p = pool.load()) {
      if (const std::size_t n = p->starved()) connections.evict_idle(n);
    }
  }

  struct Slot {
    std::uint64_t generation;
    std::uint64_t seq;
  };

  // ---------------------------------------------------------------- lifecycle

  void configure(ListenServer& svr) {
    const auto initial = static_cast<std::size_t>(std::max(1, options.thread_count));
    const auto max = options.max_thread_count > 0
                         ? static_cast<std::size_t>(options.max_thread_count)
                         : std::max<std::size_t>(initial, 256);
    svr.new_task_queue = [this, initial, max] {
      auto* created = new ElasticPool(initial, max, connections_accepted,
                                      [this](std::size_t n) { connections.evict_idle(n); });
      pool = created;
      return created;
    };
    svr.set_keep_alive_max_count(10000);
    svr.set_keep_alive_timeout(std::max(1, options.keep_alive_timeout_seconds));
    svr.set_payload_max_length(options.max_payload_bytes);
    svr.set_tcp_nodelay(true);
    // SO_REUSEADDR only: Debian's default also sets SO_REUSEPORT, which would let two servers
    // silently share an explicit port.
    svr.set_socket_options([](socket_t sock) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    // httplib 0.11 reads a POST/PUT/PATCH body without Content-Length until the connection
    // closes (stalling for the read timeout, then 400). HTTP servers treat such a request as
    // having an empty body; so do we. The request object is not const inside httplib.
    svr.set_pre_routing_handler([](const httplib::Request& req, httplib::Response&) {
      auto& r = const_cast<httplib::Request&>(req);
      if ((req.method == "POST" || req.method == "PUT" || req.method == "PATCH") &&
          !req.has_header("Content-Length") && !req.has_header("Transfer-Encoding")) {
        r.set_header("Content-Length", "0");
      }
      // A gzip body is decompressed by reading_handler (bounded, and the same whichever
      // cpp-httplib build this is): hide the header from httplib's own decoder until then.
      if (req.method != "GET" && req.method != "OPTIONS" && req.method != "HEAD") {
        const std::string enc = detail::lower(req.get_header_value("Content-Encoding"));
        if (enc == "gzip" || enc == "x-gzip") {
          r.headers.erase("Content-Encoding");
          r.set_header(kGzipMarker, enc);
        }
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    const auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      handle(req, res);
    };
    // Bodies are read here rather than by httplib, whose own reader caps only bodies with a
    // Content-Length: a chunked (or compressed) body is counted as it arrives and refused with
    // 413 once over max_payload_bytes.
    const auto reading_handler = [this](const httplib::Request& req, httplib::Response& res,
                                        const httplib::ContentReader& reader) {
      std::string body;
      bool over = false;
      const bool ok = reader([&](const char* data, std::size_t n) {
        if (body.size() + n > options.max_payload_bytes) {
          over = true;
          return false;
        }
        body.append(data, n);
        return true;
      });
      auto& r = const_cast<httplib::Request&>(req);
      std::string encoding;
      if (req.has_header(kGzipMarker)) {
        encoding = req.get_header_value(kGzipMarker);
        r.headers.erase(kGzipMarker);
        r.set_header("Content-Encoding", encoding);  // recorded as sent
      }
      if (!ok || over) {
        t_close_connection = true;  // the rest of the body is still on the wire
        const int status = over || res.status == 413 ? 413 : 400;
        set_json(res, status, Json{{"detail", reason_for(status)}});
        res.set_header("Connection", "close");
        const Slot slot = record(req, body.size());
        finish(slot, status);
        return;
      }
      const std::size_t wire_size = body.size();
      if (!encoding.empty()) {
        std::string decoded;
        const respan::detail::GunzipStatus g =
            respan::detail::gunzip(body, options.max_payload_bytes, decoded);
        if (g != respan::detail::GunzipStatus::ok) {
          const int status = g == respan::detail::GunzipStatus::too_large ? 413 : 400;
          set_json(res, status,
                   Json{{"detail", status == 413 ? std::string(reason_for(413)) +
                                                       " (after gzip decompression)"
                                                 : std::string("The request body is not valid "
                                                               "gzip (Content-Encoding: " +
                                                               encoding + ").")}});
          const Slot slot = record(req, wire_size);
          finish(slot, status);
          return;
        }
        body = std::move(decoded);
      }
      r.body = std::move(body);
      handle(req, res, wire_size);
    };
    svr.Get(".*", handler);
    svr.Post(".*", reading_handler);
    svr.Put(".*", reading_handler);
    svr.Patch(".*", reading_handler);
    svr.Delete(".*", reading_handler);
    svr.Options(".*", handler);
    // Errors produced by httplib itself (malformed request, 413, unsupported method) never
    // reach `handle`: give them a JSON body and record them.
    svr.set_error_handler(httplib::Server::HandlerWithResponse(
        [this](const httplib::Request& req, httplib::Response& res) {
          if (res.has_header("Content-Type")) return httplib::Server::HandlerResponse::Unhandled;
          set_json(res, res.status, Json{{"detail", reason_for(res.status)}});
          res.set_header("Connection", "close");
          t_close_connection = true;
          const Slot slot = record(req);
          finish(slot, res.status);
          return httplib::Server::HandlerResponse::Handled;
        }));
    svr.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          set_json(res, 500,
                   Json{{"detail", "Internal server error"}, {"error_code", "INTERNAL_ERROR"}});
        });
  }

  void start() {
    std::lock_guard<std::mutex> lock(lifecycle_mu);
    if (server) return;
    // Per request: the body cap plus room for the request line, headers and chunk framing.
    const std::size_t budget = options.max_payload_bytes + 1024 * 1024;
    if (!tls && (!options.tls_cert_file.empty() || !options.tls_key_file.empty())) {
      tls = std::make_unique<detail::TlsServerContext>(options.tls_cert_file, options.tls_key_file);
    }
    auto svr = std::make_unique<ListenServer>(
        connections, budget, std::max(1, options.keep_alive_timeout_seconds) * 1000,
        [this] { on_connection_idle(); }, tls.get());
    configure(*svr);
    const int wanted = options.port > 0 ? options.port : bound_port.load();
    int port = -1;
    if (wanted > 0) {
      if (svr->bind_to_port(options.host, wanted)) port = wanted;
    } else {
      port = svr->bind_to_any_port(options.host);
    }
    if (port <= 0) {
      throw std::runtime_error("respan mock server: cannot listen on " + options.host + ":" +
                               std::to_string(wanted));
    }
    // httplib listens with a backlog of 5; allow bursts of concurrent connects.
    ::listen(svr->listen_socket(), SOMAXCONN);
    {
      std::lock_guard<std::mutex> l(done_mu);
      listener_done = false;
    }
    {
      std::lock_guard<std::mutex> l(stop_mu);
      stop_requested = false;
    }
    ListenServer* raw = svr.get();
    listener = std::thread([this, raw] {
      raw->listen_after_bind();
      {
        std::lock_guard<std::mutex> l(done_mu);
        listener_done = true;
      }
      done_cv.notify_all();
    });
    for (;;) {
      if (raw->is_running()) break;
      {
        std::lock_guard<std::mutex> l(done_mu);
        if (listener_done) {
          listener.join();
          throw std::runtime_error("respan mock server: the listener exited at start-up");
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    server = std::move(svr);
    bound_port = port;
    running = true;
  }

  void stop() {
    std::lock_guard<std::mutex> lock(lifecycle_mu);
    if (!server) return;
    running = false;
    {
      std::lock_guard<std::mutex> l(stop_mu);
      stop_requested = true;
    }
    stop_cv.notify_all();
    server->stop();  // closes the listening socket; the listener then joins its workers
    {
      std::unique_lock<std::mutex> l(done_mu);
      while (
          !done_cv.wait_for(l, std::chrono::milliseconds(50), [this] { return listener_done; })) {
        // Workers still hold connections (idle keep-alive or a stalled client): close them.
        l.unlock();
        shutdown_server_connections(bound_port.load());
        l.lock();
      }
    }
    listener.join();
    server.reset();
  }

  // ---------------------------------------------------------------- recording

  // `wire_size`: bytes of the body on the wire (SIZE_MAX: the body's own size).
  Slot record(const httplib::Request& req, std::size_t wire_size = SIZE_MAX) {
    RecordedRequest rec;
    rec.method = req.method;
    const std::string& target = req.target;
    const auto q = target.find('?');
    rec.path = target.substr(0, q);
    if (q != std::string::npos) rec.query = target.substr(q + 1);
    for (auto& [k, v] : detail::parse_query(rec.query))
      rec.query_params.emplace(k, v);
    for (const auto& [name, value] : req.headers) {
      if (!is_pseudo_header(name)) rec.headers.emplace(detail::lower(name), value);
    }
    rec.body_size = req.body.size();
    rec.wire_size = wire_size == SIZE_MAX ? req.body.size() : wire_size;
    if (req.body.size() > options.max_recorded_bytes) {
      rec.body = req.body.substr(0, options.max_recorded_bytes);
      rec.body_truncated = true;
    } else {
      rec.body = req.body;
    }
    std::lock_guard<std::mutex> lock(rec_mu);
    recorded_bytes += rec.body.size();
    records.push_back(std::move(rec));
    // Forget the oldest requests beyond the bounds (the newest one is always kept).
    while (records.size() > 1 &&
           (records.size() > std::max<std::size_t>(1, options.max_recorded_requests) ||
            recorded_bytes > options.max_recorded_bytes)) {
      recorded_bytes -= records.front().body.size();
      records.pop_front();
      ++first_seq;
    }
    return {generation, first_seq + records.size() - 1};
  }

  void finish(const Slot& slot, int status) {
    {
      std::lock_guard<std::mutex> lock(rec_mu);
      if (slot.generation != generation) return;
      if (slot.seq >= first_seq && slot.seq - first_seq < records.size()) {
        records[static_cast<std::size_t>(slot.seq - first_seq)].status = status;
      }
      ++answered;
    }
    rec_cv.notify_all();
  }

  // ---------------------------------------------------------------- faults

  std::optional<Fault> take_fault(const std::string& method, const std::string& path) {
    std::lock_guard<std::mutex> lock(fault_mu);
    for (auto it = faults.begin(); it != faults.end(); ++it) {
      if (!it->method.empty() && detail::lower(it->method) != detail::lower(method)) continue;
      if (!it->path_prefix.empty() &&
          path.compare(0, it->path_prefix.size(), it->path_prefix) != 0) {
        continue;
      }
      Fault f = *it;
      if (it->times > 0 && --it->times == 0) faults.erase(it);
      return f;
    }
    return std::nullopt;
  }

  void sleep_interruptible(std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock(stop_mu);
    stop_cv.wait_for(lock, d, [this] { return stop_requested; });
  }

  static void drop_connection(httplib::Response& res) {
    // Declare a length, send part of it, then fail the provider: httplib closes the socket
    // and the client sees a truncated transfer.
    auto body = std::make_shared<std::string>(
        R"({"detail": "This response was cut short by the mock server (drop_connection)."})");
    res.status = 200;
    res.set_content_provider(body->size(), "application/json",
                             [body](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                               if (offset == 0) sink.write(body->data(), body->size() / 2);
                               return false;
                             });
  }

  // ---------------------------------------------------------------- requests

  std::string link_base(const httplib::Request& req) const {
    std::string host = req.get_header_value("Host");
    if (host.empty()) {
      const std::string base = base_url();
      return base;
    }
    return scheme() + host;
  }

  std::string scheme() const {
    return options.tls_cert_file.empty() && options.tls_key_file.empty() ? "http://" : "https://";
  }

  std::string base_url() const {
    std::string host = options.host;
    if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
    if (host == "::") host = "::1";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    return scheme() + host + ":" + std::to_string(bound_port.load());
  }

  // Returns the environment of an accepted key, or nullopt after writing the 401.
  std::optional<std::string> authenticate(const httplib::Request& req, httplib::Response& res) {
    const std::string header = req.get_header_value("Authorization");
    std::optional<std::string> env;
    bool presented = false;
    const auto space = header.find(' ');
    if (!header.empty()) {
      presented = true;
      if (space != std::string::npos && detail::lower(header.substr(0, space)) == "bearer") {
        std::string key = header.substr(space + 1);
        key.erase(0, key.find_first_not_of(' '));
        key.erase(key.find_last_not_of(' ') + 1);
        if (!key.empty() && key == options.api_key) {
          env = options.environment;
        } else if (const auto it = options.extra_keys.find(key);
                   !key.empty() && it != options.extra_keys.end()) {
          env = it->second;
        }
      }
    }
    if (env) return env;
    if (!options.require_auth) return options.environment;
    set_json(res, 401, Json{{"detail", presented ? kInvalidKey : kNoCredentials}});
    res.set_header("WWW-Authenticate", "Bearer realm=\"api\"");
    return std::nullopt;
  }

  // Produces the answer; returns the status sent (0 = connection dropped).
  int respond(const httplib::Request& req, httplib::Response& res, const std::string& raw_path,
              const std::string& raw_query) {
    if (std::optional<Fault> fault = take_fault(req.method, raw_path)) {
      if (fault->delay.count() > 0) sleep_interruptible(fault->delay);
      if (fault->drop_connection) {
        drop_connection(res);
        return 0;
      }
      if (fault->malformed_json) {
        res.status = 200;
        res.set_content(R"({"id": "0f3c9a", "unique_id": "0f3c9a", "status": "succ)",
                        "application/json");
        return 200;
      }
      if (fault->status > 0) {
        if (fault->retry_after) res.set_header("Retry-After", *fault->retry_after);
        if (fault->retry_after_ms) res.set_header("retry-after-ms", *fault->retry_after_ms);
        res.status = fault->status;
        if (fault->body) {
          res.set_content(*fault->body, fault->content_type
                                            ? fault->content_type->c_str()
                                            : json_content_type(fault->body->size()));
        } else {
          Json body{{"detail", reason_for(fault->status)}};
          if (fault->body_retry_after) body["retry_after"] = *fault->body_retry_after;
          set_json(res, fault->status, body);
        }
        return fault->status;
      }
    }
    if (const int traced = detail::serve_traces(
            state.traces(),
            {req.method, raw_path, raw_query, req.body, req.get_header_value("Content-Type"),
             link_base(req), [&] { return authenticate(req, res); },
             [&](int s, const Json& b, const std::string& allow) {
               if (!allow.empty()) res.set_header("Allow", allow);
               set_json(res, s, b);
             },
             [&](int s, const std::string& b, const std::string& type) {
               res.status = s;
               res.set_content(b, type.c_str());
             }});
        traced != 0)
      return traced;  // mock_traces.cpp
    if (const int served = detail::serve_runtime(
            runtime,
            {req.method, raw_path, raw_query, req.body, req.get_header_value("Authorization"),
             link_base(req), [&] { return authenticate(req, res); },
             [&](int s, const std::optional<Json>& b, const std::string& allow) {
               if (!allow.empty()) res.set_header("Allow", allow);
               if (b) {
                 set_json(res, s, *b);
               } else {
                 res.status = s;
               }
             }});
        served != 0)
      return served;  // mock_runtime.cpp
    const std::optional<detail::Route> route = detail::resolve_route(raw_path);
    if (!route) {
      set_json(res, 404, Json{{"detail", "Not found."}});
      return 404;
    }
    if (req.method == "OPTIONS") {
      res.set_header("Allow", route->allow_header());
      set_json(res, 200, Json{{"allowed_methods", route->methods}});
      return 200;
    }
    const std::optional<std::string> environment = authenticate(req, res);
    if (!environment) return 401;
    if (!route->allows(req.method)) {
      res.set_header("Allow", route->allow_header());
      set_json(res, 405, Json{{"detail", "Method \"" + req.method + "\" not allowed."}});
      return 405;
    }
    detail::ApiRequest api;
    api.method = req.method;
    api.raw_path = raw_path;
    api.query = detail::parse_query(raw_query);
    api.body = req.body;
    api.environment = *environment;
    api.link_base = link_base(req);
    detail::ApiResponse out = state.handle(*route, api);
    if (out.body) {
      set_json(res, out.status, *out.body);
    } else {
      res.status = out.status;
    }
    return out.status;
  }

  void handle(const httplib::Request& req, httplib::Response& res,
              std::size_t wire_size = SIZE_MAX) {
    const Slot slot = record(req, wire_size);
    const auto q = req.target.find('?');
    const std::string raw_path = req.target.substr(0, q);
    const std::string raw_query = q == std::string::npos ? std::string() : req.target.substr(q + 1);
    int status = 500;
    try {
      status = respond(req, res, raw_path, raw_query);
    } catch (const std::exception& e) {
      set_json(res, 500,
               Json{{"detail", std::string("Internal server error: ") + e.what()},
                    {"error_code", "INTERNAL_ERROR"}});
    }
    finish(slot, status);
  }
};

// ------------------------------------------------------------------------------ MockServer

namespace {

template <class F>
auto direct(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const detail::HttpError& e) {
    throw std::invalid_argument(e.what());
  }
}

}  // namespace

MockServer::MockServer(MockServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

MockServer::~MockServer() {
  try {
    impl_->stop();
  } catch (...) {  // never throw from a destructor
  }
}

void MockServer::start() {
  impl_->start();
}
void MockServer::stop() {
  impl_->stop();
}
bool MockServer::running() const {
  return impl_->running.load();
}
int MockServer::port() const {
  return impl_->bound_port.load();
}
std::string MockServer::base_url() const {
  return impl_->base_url();
}
const std::string& MockServer::api_key() const {
  return impl_->options.api_key;
}
const MockServerOptions& MockServer::options() const {
  return impl_->options;
}

void MockServer::inject_fault(Fault fault) {
  if (fault.times == 0) return;
  std::lock_guard<std::mutex> lock(impl_->fault_mu);
  impl_->faults.push_back(std::move(fault));
}

void MockServer::clear_faults() {
  std::lock_guard<std::mutex> lock(impl_->fault_mu);
  impl_->faults.clear();
}

std::vector<RecordedRequest> MockServer::requests() const {
  std::lock_guard<std::mutex> lock(impl_->rec_mu);
  return {impl_->records.begin(), impl_->records.end()};
}

void MockServer::clear_requests() {
  {
    std::lock_guard<std::mutex> lock(impl_->rec_mu);
    impl_->first_seq += impl_->records.size();
    impl_->records.clear();
    impl_->recorded_bytes = 0;
    impl_->answered = 0;
    ++impl_->generation;
  }
  impl_->rec_cv.notify_all();
}

std::size_t MockServer::tls_handshakes() const {
  std::lock_guard<std::mutex> lock(impl_->lifecycle_mu);
  return impl_->tls ? impl_->tls->handshakes() : 0;
}
std::size_t MockServer::tls_resumed_sessions() const {
  std::lock_guard<std::mutex> lock(impl_->lifecycle_mu);
  return impl_->tls ? impl_->tls->resumed() : 0;
}
std::size_t MockServer::tls_failed_handshakes() const {
  std::lock_guard<std::mutex> lock(impl_->lifecycle_mu);
  return impl_->tls ? impl_->tls->failed() : 0;
}
std::size_t MockServer::connections_accepted() const {
  return impl_->connections_accepted.load(std::memory_order_relaxed);
}

bool MockServer::wait_for_requests(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(impl_->rec_mu);
  return impl_->rec_cv.wait_for(lock, timeout, [&] { return impl_->answered >= count; });
}

void MockServer::reset() {
  impl_->state.reset();
  impl_->runtime.reset();
  clear_faults();
  clear_requests();
}

std::vector<nlohmann::json> MockServer::request_logs() const {
  return impl_->state.request_logs();
}

nlohmann::json MockServer::add_request_log(nlohmann::json span) {
  return direct([&] { return impl_->state.add_request_log(std::move(span)); });
}

std::vector<nlohmann::json> MockServer::datasets() const {
  return impl_->state.datasets();
}

nlohmann::json MockServer::add_dataset(nlohmann::json body) {
  return direct([&] { return impl_->state.add_dataset(std::move(body)); });
}

std::vector<nlohmann::json> MockServer::dataset_logs(const std::string& dataset_id) const {
  return impl_->state.dataset_logs(dataset_id);
}

nlohmann::json MockServer::add_dataset_log(const std::string& dataset_id, nlohmann::json log) {
  return direct([&] { return impl_->state.add_dataset_log(dataset_id, std::move(log)); });
}

std::vector<nlohmann::json> MockServer::evaluation_runs(const std::string& dataset_id) const {
  return impl_->state.evaluation_runs(dataset_id);
}

void MockServer::complete_pending_jobs() {
  impl_->state.complete_pending_jobs();
}

std::size_t MockServer::pending_job_count() const {
  return impl_->state.pending_job_count();
}

std::vector<nlohmann::json> MockServer::scores() const {
  return impl_->runtime.scores();
}

std::vector<nlohmann::json> MockServer::prompts() const {
  return impl_->runtime.prompts();
}

std::vector<nlohmann::json> MockServer::ingested_spans() const {
  return impl_->state.traces().ingested_spans();
}

std::vector<nlohmann::json> MockServer::traces() const {
  return impl_->state.traces().traces();
}

std::optional<nlohmann::json> MockServer::trace(const std::string& trace_unique_id) const {
  return impl_->state.traces().trace(trace_unique_id);
}

}  // namespace respan::testing
