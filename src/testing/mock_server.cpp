// MockServer: the cpp-httplib front of the mock Respan service (auth, faults, recording,
// lifecycle, the connection loop). The endpoint logic lives in mock_state.cpp and its
// siblings; the connections in mock_connections.cpp; the one use of cpp-httplib below its
// public API in httplib_adapter.cpp. The fake OpenAI endpoint (MockServerOptions::fake_openai)
// is mock_openai.cpp.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <respan/testing/mock_server.hpp>

#include "testing/httplib_adapter.hpp"
#include "testing/mock_connections.hpp"
#include "testing/mock_openai.hpp"
#include "testing/mock_runtime_state.hpp"
#include "testing/mock_state.hpp"
#include "testing/mock_tls.hpp"
#include "testing/mock_ui.hpp"
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

// Set by a handler that left the request stream in an unknown state (a body refused half
// read): the connection is closed after the answer.
thread_local bool t_close_connection = false;

// Request header that carries a gzip Content-Encoding from the pre-routing handler to the
// body reader (the real header is hidden from cpp-httplib's own decoder in between).
constexpr const char* kGzipMarker = "X-Respan-Mock-Gzip-Body";

// httplib's default read and write timeouts (CPPHTTPLIB_READ_TIMEOUT_SECOND, ..._WRITE_...).
constexpr int kReadTimeoutMs = 5000;
constexpr int kWriteTimeoutMs = 5000;

// True when `fd` is a listening TCP socket bound to `port`.
bool is_listening_on(int fd, int port) {
  if (fd < 0) return false;
  int listening = 0;
  socklen_t len = sizeof listening;
  if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || listening == 0) {
    return false;
  }
  sockaddr_storage local{};
  socklen_t local_len = sizeof local;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0) return false;
  if (local.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&local)->sin_port) == port;
  }
  if (local.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&local)->sin6_port) == port;
  }
  return false;
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
                                  options.immediate_background_jobs,
                                  options.max_stored_request_logs, options.max_stored_trace_spans,
                                  options.max_stored_datasets, options.max_stored_dataset_logs,
                                  options.known_evaluators}),
        runtime(detail::RuntimeStoreConfig{
            options.organization_id, "Mock Organization", options.max_stored_objects,
            [this](const std::string& id) { return state.has_log(id); },
            [this] { return state.request_logs(); }}) {}

  MockServerOptions options;
  detail::MockState state;
  // Scores, prompts, customers and threads (mock_runtime.cpp and siblings).
  detail::RuntimeStore runtime;
  // The viewer's change counter (only bumped with MockServerOptions::ui).
  detail::UiChanges ui_changes;

  // Lifecycle.
  mutable std::mutex lifecycle_mu;
  std::unique_ptr<detail::ConnectionServer> server;
  std::thread listener;
  std::atomic<int> bound_port{0};
  std::atomic<std::uint64_t> openai_calls{0};  // the fake OpenAI endpoint's answer ids
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

  detail::ConnectionRegistry connections;
  // The running server's worker pool (owned by httplib; only its own workers read this).
  std::atomic<detail::ElasticPool*> pool{nullptr};
  // The listening socket of the server being started (set by its socket-options callback).
  std::atomic<int> listen_fd{-1};

  // A connection went idle: if new connections wait for a worker meanwhile (the eviction at
  // enqueue found too few idle connections, e.g. workers not yet registered), evict now.
  void on_connection_idle() {
    if (detail::ElasticPool* p = pool.load()) {
      if (const std::size_t n = p->starved()) connections.evict_idle(n);
    }
  }

  struct Slot {
    std::uint64_t generation;
    std::uint64_t seq;
  };

  // ---------------------------------------------------------------- lifecycle

  // Serves one accepted connection (on a worker): the TLS handshake when serving HTTPS, then
  // its requests until it closes, fails, idles past keep_alive_timeout_seconds, is evicted or
  // the server stops. httplib's own loop would poll an idle connection every 10 ms, miss
  // stop() and bound neither a request's size nor evictions (httplib_adapter.hpp).
  void serve_connection(detail::ConnectionServer& svr, int sock) {
    connections.add(sock);
    std::unique_ptr<detail::TlsConnection> tls_conn;
    detail::PlainChannel plain(sock);
    detail::ByteChannel* channel = &plain;
    if (tls != nullptr) {
      tls_conn = tls->accept(sock, kReadTimeoutMs);
      channel = tls_conn.get();
    }
    if (channel != nullptr) {
      detail::RequestReader reader(svr, *channel, kReadTimeoutMs, kWriteTimeoutMs);
      const int idle_timeout_ms = std::max(1, options.keep_alive_timeout_seconds) * 1000;
      for (;;) {
        connections.set_idle(sock);
        on_connection_idle();
        const bool readable =
            reader.has_buffered() || detail::wait_socket(sock, POLLIN, idle_timeout_ms);
        if (!connections.set_busy(sock) || !readable || !svr.is_running()) break;
        t_close_connection = false;
        if (!reader.serve_one(request_budget()) || t_close_connection) break;
      }
    }
    tls_conn.reset();  // close_notify before the socket closes
    connections.remove(sock);
  }

  // Per request: the body cap plus room for the request line, headers and chunk framing.
  std::size_t request_budget() const { return options.max_payload_bytes + 1024 * 1024; }

  void configure(detail::ConnectionServer& svr) {
    const auto initial = static_cast<std::size_t>(std::max(1, options.thread_count));
    const auto max = options.max_thread_count > 0
                         ? static_cast<std::size_t>(options.max_thread_count)
                         : std::max<std::size_t>(initial, 256);
    svr.new_task_queue = [this, initial, max] {
      auto* created = new detail::ElasticPool(initial, max, connections_accepted,
                                              [this](std::size_t n) { connections.evict_idle(n); });
      pool = created;
      return created;
    };
    svr.set_keep_alive_max_count(10000);
    svr.set_keep_alive_timeout(std::max(1, options.keep_alive_timeout_seconds));
    svr.set_payload_max_length(options.max_payload_bytes);
    svr.set_tcp_nodelay(true);
    // SO_REUSEADDR only: Debian's default also sets SO_REUSEPORT, which would let two servers
    // silently share an explicit port. httplib calls this for the listening socket only,
    // before binding it: start() enlarges its backlog once bound.
    svr.set_socket_options([this](socket_t sock) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
      listen_fd = sock;
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
    // The viewer (mock_ui.cpp): registered only when asked for, ahead of the catch-all, so
    // that without it `/ui` is an unknown path like any other and costs nothing.
    if (options.ui) {
      svr.Get(R"(/ui(/.*)?)", [this](const httplib::Request& req, httplib::Response& res) {
        serve_viewer(req, res);
      });
    }
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
    ui_changes.restart();
    if (!tls && (!options.tls_cert_file.empty() || !options.tls_key_file.empty())) {
      tls = std::make_unique<detail::TlsServerContext>(options.tls_cert_file, options.tls_key_file);
    }
    auto svr = std::make_unique<detail::ConnectionServer>(
        [this](detail::ConnectionServer& s, int sock) { serve_connection(s, sock); });
    listen_fd = -1;
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
    if (is_listening_on(listen_fd.load(), port)) ::listen(listen_fd.load(), SOMAXCONN);
    {
      std::lock_guard<std::mutex> l(done_mu);
      listener_done = false;
    }
    {
      std::lock_guard<std::mutex> l(stop_mu);
      stop_requested = false;
    }
    detail::ConnectionServer* raw = svr.get();
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
    ui_changes.stop();  // the viewer's waiting `/ui/api/changes` answer now
    server->stop();     // closes the listening socket; the listener then joins its workers
    {
      std::unique_lock<std::mutex> l(done_mu);
      while (
          !done_cv.wait_for(l, std::chrono::milliseconds(50), [this] { return listener_done; })) {
        // Workers still hold connections (idle keep-alive or a stalled client): close them.
        l.unlock();
        connections.shutdown_all();
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

  // Answers 200 `text/event-stream`, each event written as its own HTTP chunk when the
  // previous one was sent (cpp-httplib's chunked content provider).
  static void stream_events(httplib::Response& res, std::vector<std::string> events) {
    auto pending = std::make_shared<std::deque<std::string>>(
        std::make_move_iterator(events.begin()), std::make_move_iterator(events.end()));
    res.status = 200;
    res.set_header("Cache-Control", "no-cache");
    res.set_chunked_content_provider("text/event-stream",
                                     [pending](std::size_t, httplib::DataSink& sink) {
                                       if (pending->empty()) {
                                         sink.done();
                                         return true;
                                       }
                                       const std::string event = std::move(pending->front());
                                       pending->pop_front();
                                       return sink.write(event.data(), event.size());
                                     });
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
    // The route families, tried in turn: each answers the paths it knows and returns 0 for
    // the others (a new family is one more step here; see docs/conventions.md).
    if (options.fake_openai) {
      if (const int served = detail::serve_fake_openai(
              {req.method, raw_path, req.body, req.get_header_value("Authorization"),
               [this](const std::string& key) {
                 return key == options.api_key || options.extra_keys.count(key) != 0;
               },
               options.require_auth, [this] { return openai_calls.fetch_add(1) + 1; },
               [&](int s, const Json& b) { set_json(res, s, b); },
               [&](std::vector<std::string> events) { stream_events(res, std::move(events)); }});
          served != 0)
        return served;  // mock_openai.cpp
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

  // A GET under `/ui` with the viewer on: recorded like any request, but neither
  // authenticated nor subject to injected faults (it is not part of the simulated API).
  void serve_viewer(const httplib::Request& req, httplib::Response& res) {
    const Slot slot = record(req);
    const auto q = req.target.find('?');
    const std::string raw_path = req.target.substr(0, q);
    const std::string raw_query = q == std::string::npos ? std::string() : req.target.substr(q + 1);
    detail::UiAnswer answer = detail::serve_ui(state, ui_changes, raw_path, raw_query);
    for (const auto& [name, value] : answer.headers)
      res.set_header(name, value);
    res.status = answer.status;
    const char* type = answer.content_type == "application/json"
                           ? json_content_type(answer.body.size())
                           : answer.content_type.c_str();
    res.set_content(std::move(answer.body), type);
    finish(slot, answer.status);
  }

  // The stored data may have changed: wake the viewer's pollers (with the viewer on only).
  void data_changed() {
    if (options.ui) ui_changes.bump();
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
    if (options.ui && req.method != "GET" && req.method != "HEAD" && req.method != "OPTIONS") {
      ui_changes.bump();  // a write may have changed the stores
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
  impl_->data_changed();
}

std::vector<nlohmann::json> MockServer::request_logs() const {
  return impl_->state.request_logs();
}

nlohmann::json MockServer::add_request_log(nlohmann::json span) {
  Json stored = direct([&] { return impl_->state.add_request_log(std::move(span)); });
  impl_->data_changed();
  return stored;
}

std::vector<nlohmann::json> MockServer::datasets() const {
  return impl_->state.datasets();
}

nlohmann::json MockServer::add_dataset(nlohmann::json body) {
  Json stored = direct([&] { return impl_->state.add_dataset(std::move(body)); });
  impl_->data_changed();
  return stored;
}

std::vector<nlohmann::json> MockServer::dataset_logs(const std::string& dataset_id) const {
  return impl_->state.dataset_logs(dataset_id);
}

nlohmann::json MockServer::add_dataset_log(const std::string& dataset_id, nlohmann::json log) {
  Json stored = direct([&] { return impl_->state.add_dataset_log(dataset_id, std::move(log)); });
  impl_->data_changed();
  return stored;
}

std::vector<nlohmann::json> MockServer::evaluation_runs(const std::string& dataset_id) const {
  return impl_->state.evaluation_runs(dataset_id);
}

void MockServer::complete_pending_jobs() {
  impl_->state.complete_pending_jobs();
  impl_->data_changed();
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
