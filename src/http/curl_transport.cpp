// libcurl implementation of respan::Transport.
//
// Thread safety and keep-alive: a connection is never shared between threads. Easy handles
// are pooled; send() takes one from the pool (LIFO, so the most recently used handle, whose
// connection is most likely still alive, comes first), owns it exclusively for the whole
// transfer and then returns it. Each easy handle is paired with its own multi handle for its
// whole life: libcurl keeps the connection cache in the multi handle, so sequential requests
// of a handle reuse its keep-alive connection. The handles attach to one CURLSH share holding
// only the DNS and TLS-session caches (libcurl documents sharing connections between
// concurrently used handles as unsupported), guarded by the lock callbacks below.
//
// Cancellation: a transfer runs the multi loop that curl_easy_perform runs internally
// (curl_multi_perform, then curl_multi_poll until something happens), except that the wait is
// cut into short slices when the request carries a CancellationToken, which is checked after
// each one; a cancelled transfer is removed from its multi handle, which closes its
// connection. curl_easy_perform waits up to a second per poll and would notice a cancellation
// only that late while a server hangs. Without a token the loop waits as long as libcurl
// asks, like curl_easy_perform. The poll returns as soon as a socket is ready or libcurl's own
// timer (connect and request timeouts) expires, so the slices cost nothing on a live transfer.
//
// fork(): the transport is fork-aware (util/fork.hpp). In a child process it abandons the
// idle handles, their connections (sockets and TLS state shared with the parent) and the
// share handle, without cleaning them up, re-creates its mutexes and makes fresh handles and
// a fresh share on demand.
#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <curl/curl.h>

#include <respan/transport.hpp>

#include "util/fork.hpp"
#include "util/text.hpp"

namespace respan {

std::string_view to_string(HttpMethod method) noexcept {
  switch (method) {
    case HttpMethod::get:
      return "GET";
    case HttpMethod::post:
      return "POST";
    case HttpMethod::put:
      return "PUT";
    case HttpMethod::patch:
      return "PATCH";
    case HttpMethod::del:
      return "DELETE";
  }
  return "GET";
}

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (detail::iequals(k, name)) return v;
  }
  return std::nullopt;
}

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Exchange {
  std::string body;
  HttpHeaders headers;
  std::size_t max_bytes = 0;
  /// Set when the response exceeded max_bytes; `declared_bytes` is its Content-Length when
  /// that header already exceeded it (the body was then never read).
  bool too_large = false;
  /// Set when a callback ran out of memory (the exception never crosses libcurl's C frames).
  bool out_of_memory = false;
  std::optional<std::int64_t> declared_bytes;
};

// Receives the decoded body (after gzip/deflate/br), so the cap also bounds compression bombs.
size_t on_body(char* data, size_t size, size_t count, void* user) noexcept {
  auto* ex = static_cast<Exchange*>(user);
  const size_t n = size * count;
  if (n > ex->max_bytes - ex->body.size()) {
    ex->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  try {
    ex->body.append(data, n);
  } catch (...) {  // std::bad_alloc: must not unwind through libcurl
    ex->out_of_memory = true;
    return 0;
  }
  return n;
}

size_t read_header(Exchange* ex, char* data, size_t n);

size_t on_header(char* data, size_t size, size_t count, void* user) noexcept {
  auto* ex = static_cast<Exchange*>(user);
  try {
    return read_header(ex, data, size * count);
  } catch (...) {  // std::bad_alloc: must not unwind through libcurl
    ex->out_of_memory = true;
    return 0;
  }
}

size_t read_header(Exchange* ex, char* data, size_t n) {
  const std::string_view line(data, n);
  if (line.rfind("HTTP/", 0) == 0) {
    ex->headers.clear();  // a new response (e.g. after 100 Continue): keep only the final one
    return n;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name = detail::ascii_lower(detail::trim(line.substr(0, colon)));
  std::string value(detail::trim(line.substr(colon + 1)));
  if (name == "content-length") {
    // Refuse an oversized body before downloading it. With a Content-Encoding this is the
    // encoded size; the decoded size is checked again in on_body.
    const std::optional<std::int64_t> declared = detail::parse_int64(value);
    if (declared && *declared > 0 && static_cast<std::uint64_t>(*declared) > ex->max_bytes) {
      ex->too_large = true;
      ex->declared_bytes = declared;
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
  }
  ex->headers.emplace_back(std::move(name), std::move(value));
  return n;
}

// Failures of certificate verification or TLS configuration: final, never retried (the same
// server answers the same certificate). A handshake that the network cut off
// (CURLE_SSL_CONNECT_ERROR) stays a network error.
bool is_tls_failure(CURLcode rc) {
  switch (rc) {
    case CURLE_PEER_FAILED_VERIFICATION:  // unknown CA, expired, wrong host name
    case CURLE_SSL_CACERT_BADFILE:        // ca_bundle missing or unreadable
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_NOT_BUILT_IN:
      return true;
    default:
      return false;
  }
}

std::string tls_message(CURLcode rc, const char* detail) {
  std::string m;
  switch (rc) {
    case CURLE_PEER_FAILED_VERIFICATION:
      m = "TLS certificate verification failed";
      break;
    case CURLE_SSL_CACERT_BADFILE:
      m = "TLS CA bundle could not be read (ClientOptions::ca_bundle / RESPAN_CA_BUNDLE)";
      break;
    default:
      m = std::string("TLS failure: ") + curl_easy_strerror(rc);
      break;
  }
  const std::string_view d = detail != nullptr ? detail : "";
  if (!d.empty()) m.append(": ").append(d);
  // An unknown issuer (not an expired certificate or another host name): say how to trust it.
  if (rc == CURLE_PEER_FAILED_VERIFICATION && (d.find("issuer") != std::string_view::npos ||
                                               d.find("self-signed") != std::string_view::npos ||
                                               d.find("self signed") != std::string_view::npos)) {
    m += " (a private or test CA is trusted through ClientOptions::ca_bundle or RESPAN_CA_BUNDLE)";
  }
  return m;
}

ErrorCode classify(CURLcode rc) {
  if (is_tls_failure(rc)) return ErrorCode::tls;
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return ErrorCode::timeout;
    case CURLE_ABORTED_BY_CALLBACK:
      return ErrorCode::cancelled;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_BAD_FUNCTION_ARGUMENT:
      return ErrorCode::invalid_argument;
    default:
      return ErrorCode::network;
  }
}

// True when libcurl guarantees that no byte of the request reached the server: name
// resolution or the TCP connect failed. `request_size` (CURLINFO_REQUEST_SIZE, the bytes of
// request headers libcurl issued during this transfer) must also be 0: libcurl silently
// retries a request whose reused keep-alive connection turned out dead, and that earlier
// write may have reached the server before the reconnect failed. Other failures (timeouts,
// resets, TLS errors, cancellation mid-transfer) stay "maybe sent": CURLINFO_REQUEST_SIZE alone
// is not a documented guarantee across libcurl versions and HTTP/2. A TLS handshake that
// failed on a new connection sent nothing either.
bool certainly_not_sent(CURLcode rc, long request_size) {
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      return request_size == 0;
    case CURLE_SSL_CONNECT_ERROR:
      // The handshake of a new connection failed: HTTP bytes go out only after it completes
      // (libcurl sends no TLS early data).
      return request_size == 0;
    default:
      return is_tls_failure(rc) && request_size == 0;
  }
}

std::string too_large_message(const Exchange& ex) {
  const std::string limit =
      "the limit of " + std::to_string(ex.max_bytes) + " bytes (max_response_bytes)";
  if (ex.declared_bytes) {
    return "response body of " + std::to_string(*ex.declared_bytes) +
           " bytes (Content-Length) exceeds " + limit;
  }
  return "response body exceeds " + limit;
}

// Longest wait between two checks of a request's CancellationToken: a cancelled transfer
// ends within about this long, even while the server sends nothing.
constexpr int kCancelCheckMs = 10;
// Longest wait of a transfer without a token (libcurl's own timers still end it on time):
// what curl_easy_perform uses.
constexpr int kIdlePollMs = 1000;

// What a failing multi call means for the transfer (as curl_easy_perform maps it).
CURLcode from_multi(CURLMcode mc) {
  return mc == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY : CURLE_BAD_FUNCTION_ARGUMENT;
}

class CurlTransport final : public Transport, private detail::ForkAware {
 public:
  explicit CurlTransport(CurlTransportOptions options) : options_(std::move(options)) {
    global_init();
    share_ = make_share();
    // Last, once the object is whole: from here on a fork() in another thread may call
    // on_fork_child() in the child.
    if (!detail::register_fork_aware(this)) {
      if (share_ != nullptr) curl_share_cleanup(share_);
      throw std::bad_alloc();
    }
  }

  ~CurlTransport() override {
    detail::unregister_fork_aware(this);  // first: a child must not see a half-destroyed object
    idle_.clear();                        // the handles go before the share they use
    if (share_ != nullptr) curl_share_cleanup(share_);
  }

  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<HttpResponse> send(const HttpRequest& request) override {
    if (request.cancel && request.cancel->is_cancelled()) {
      Error e = Error::make(ErrorCode::cancelled, "request cancelled before it was sent");
      e.certainly_not_sent = true;
      return e;
    }
    std::unique_ptr<Handle> handle = acquire();
    if (!handle) {
      Error e = Error::make(ErrorCode::network, "curl_easy_init failed");
      e.certainly_not_sent = true;
      return e;
    }
    CURL* h = handle->curl;
    if (handle->tls_rc != CURLE_OK && request.url.rfind("https://", 0) == 0) {
      const CURLcode tls_rc = handle->tls_rc;
      release(std::move(handle));
      Error e =
          Error::make(ErrorCode::tls, std::string("libcurl refused a TLS setting (TLS 1.2 minimum, "
                                                  "verification or CA bundle): ") +
                                          curl_easy_strerror(tls_rc));
      e.certainly_not_sent = true;
      return e;
    }

    Exchange& ex = handle->exchange;
    ex.body.clear();
    ex.headers.clear();
    ex.too_large = false;
    ex.out_of_memory = false;
    ex.declared_bytes.reset();
    handle->errbuf[0] = '\0';

    // Only what differs between requests is set here; the rest was set once per handle.
    if (!handle->headers_match(request.headers)) handle->set_headers(request.headers);
    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    const auto connect_ms =
        request.connect_timeout.count() > 0 ? request.connect_timeout : options_.connect_timeout;
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_ms.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));

    // HTTPGET resets whatever method and upload state the previous request left behind.
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, static_cast<const char*>(nullptr));
    if (request.method == HttpMethod::post) {
      curl_easy_setopt(h, CURLOPT_POST, 1L);
    } else if (request.method != HttpMethod::get) {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, to_string(request.method).data());
    }
    if (request.body) {
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body->size()));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body->data());
    } else if (request.method == HttpMethod::post) {
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(0));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
    }

    const CURLcode rc = perform(*handle, request.cancel.get());
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    long request_size = -1;  // stays -1 (= unknown) if the query fails
    if (rc != CURLE_OK) curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &request_size);
    // The request's memory must not be reachable from the pooled handle.
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, static_cast<const char*>(nullptr));

    if (rc != CURLE_OK) {
      Error e;
      e.http_status = 0;
      if (ex.too_large) {
        e.code = ErrorCode::response_too_large;
        e.message = too_large_message(ex);
      } else if (ex.out_of_memory) {
        e.code = ErrorCode::internal;
        e.message = "out of memory while receiving the response";
      } else if (rc == CURLE_ABORTED_BY_CALLBACK) {
        e.code = ErrorCode::cancelled;
        e.message = "request cancelled while in flight";
      } else {
        e.code = classify(rc);
        e.certainly_not_sent = certainly_not_sent(rc, request_size);
        if (e.code == ErrorCode::tls) {
          e.message = tls_message(rc, handle->errbuf);
        } else {
          e.message = std::string(curl_easy_strerror(rc));
          if (rc == CURLE_SSL_CONNECT_ERROR) e.message = "TLS handshake failed: " + e.message;
          if (handle->errbuf[0] != '\0') e.message += std::string(" (") + handle->errbuf + ")";
        }
      }
      release(std::move(handle));  // after a failure curl has already closed the connection
      return e;
    }
    HttpResponse res;
    res.status = static_cast<int>(status);
    res.headers = std::move(ex.headers);
    res.body = std::move(ex.body);
    release(std::move(handle));
    return res;
  }

 private:
  // One pooled easy handle with everything that stays the same between its requests: the
  // options fixed by CurlTransportOptions are set once when it is made (no curl_easy_reset
  // per request, which would drop libcurl's buffers and make every request set them again),
  // the header list is rebuilt only when the headers change. `multi` runs its transfers and
  // holds its connection cache; the easy handle is attached to it only during a transfer.
  struct Handle {
    CURL* curl = nullptr;
    CURLM* multi = nullptr;
    Exchange exchange;
    char errbuf[CURL_ERROR_SIZE] = {0};
    CURLcode tls_rc = CURLE_OK;  // first TLS option libcurl refused, if any
    curl_slist* header_list = nullptr;
    HttpHeaders header_values;

    Handle() = default;
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle() {
      if (multi != nullptr) curl_multi_cleanup(multi);  // closes the cached connections
      if (curl != nullptr) curl_easy_cleanup(curl);
      curl_slist_free_all(header_list);
    }

    bool headers_match(const HttpHeaders& h) const {
      return header_list != nullptr && h == header_values;
    }

    void set_headers(const HttpHeaders& h) {
      curl_slist* list = nullptr;
      std::string line;
      for (const auto& [k, v] : h) {
        line.assign(k).append(": ").append(v);
        curl_slist* next = curl_slist_append(list, line.c_str());
        if (next == nullptr) break;
        list = next;
      }
      if (curl_slist* next = curl_slist_append(list, "Expect:")) list = next;  // no 100-continue
      curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
      curl_slist_free_all(header_list);
      header_list = list;
      header_values = h;
    }
  };

  // One transfer of `handle` through its multi handle (see the file comment). Returns what
  // curl_easy_perform would, or CURLE_ABORTED_BY_CALLBACK when `cancel` fired first.
  static CURLcode perform(Handle& handle, const CancellationToken* cancel) {
    CURLM* m = handle.multi;
    CURLMcode mc = curl_multi_add_handle(m, handle.curl);
    if (mc != CURLM_OK) return from_multi(mc);
    const int slice_ms = cancel != nullptr ? kCancelCheckMs : kIdlePollMs;
    CURLcode rc = CURLE_OK;
    for (;;) {
      int running = 0;
      mc = curl_multi_perform(m, &running);
      if (mc != CURLM_OK) {
        rc = from_multi(mc);
        break;
      }
      if (running == 0) {
        int queued = 0;
        if (const CURLMsg* msg = curl_multi_info_read(m, &queued);
            msg != nullptr && msg->msg == CURLMSG_DONE) {
          rc = msg->data.result;
          break;
        }
      } else if (cancel != nullptr && cancel->is_cancelled()) {
        // Removing an unfinished transfer closes its connection (never reused half-done).
        rc = CURLE_ABORTED_BY_CALLBACK;
        break;
      }
      mc = curl_multi_poll(m, nullptr, 0, slice_ms, nullptr);
      if (mc != CURLM_OK) {
        rc = from_multi(mc);
        break;
      }
    }
    curl_multi_remove_handle(m, handle.curl);
    return rc;
  }

  CURLSH* make_share() {
    CURLSH* share = curl_share_init();
    if (share != nullptr) {
      curl_share_setopt(share, CURLSHOPT_LOCKFUNC, &CurlTransport::lock_cb);
      curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, &CurlTransport::unlock_cb);
      curl_share_setopt(share, CURLSHOPT_USERDATA, this);
      curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
      curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    }
    return share;
  }

  // The share new handles attach to; made here in a child process after fork(), where the
  // parent's was abandoned.
  CURLSH* current_share() {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (share_ == nullptr) share_ = make_share();
    return share_;
  }

  std::unique_ptr<Handle> make_handle() {
    auto handle = std::make_unique<Handle>();
    handle->curl = curl_easy_init();
    handle->multi = curl_multi_init();
    if (handle->curl == nullptr || handle->multi == nullptr) return nullptr;
    CURL* h = handle->curl;
    Exchange* ex = &handle->exchange;
    ex->max_bytes = options_.max_response_bytes;
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, handle->errbuf);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // gzip/deflate/br as built
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    if (CURLSH* share = current_share()) curl_easy_setopt(h, CURLOPT_SHARE, share);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, ex);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, ex);
    if (!options_.proxy.empty()) curl_easy_setopt(h, CURLOPT_PROXY, options_.proxy.c_str());
    auto must = [&handle](CURLcode rc) {
      if (handle->tls_rc == CURLE_OK) handle->tls_rc = rc;
    };
    if (!options_.ca_bundle.empty())
      must(curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_bundle.c_str()));
    must(curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L));
    must(curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L));
    must(curl_easy_setopt(h, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2)));
    curl_easy_setopt(h, CURLOPT_PROXY_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    return handle;
  }

  std::unique_ptr<Handle> acquire() {
    {
      std::lock_guard<std::mutex> lock(pool_mu_);
      if (!idle_.empty()) {
        std::unique_ptr<Handle> h = std::move(idle_.back());
        idle_.pop_back();
        return h;
      }
    }
    return make_handle();
  }

  void release(std::unique_ptr<Handle> h) {
    // Keep the exchange's buffers (reused by the next request) but not a large body.
    if (h->exchange.body.capacity() > kKeptBodyCapacity) std::string().swap(h->exchange.body);
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (idle_.size() < options_.max_idle_handles) idle_.push_back(std::move(h));
    // else: destroyed here, which closes its connections
  }

  // In the child, right after fork(), alone (see util/fork.hpp). Another thread of the parent
  // may have held pool_mu_ or a share lock, or been in the middle of changing idle_: nothing
  // of that is read, locked or destroyed. The idle handles and the share are leaked, not
  // cleaned up (cleanup would close, and for TLS send close_notify on, connections the parent
  // still uses); so is the pool's array. Nothing here allocates.
  void on_fork_child() noexcept override {
    new (&idle_) std::vector<std::unique_ptr<Handle>>();  // the old one and its handles leak
    share_ = nullptr;  // abandoned; current_share() makes a fresh one on demand
    new (&pool_mu_) std::mutex();
    for (std::mutex& mu : share_mu_)
      new (&mu) std::mutex();
  }

  static void lock_cb(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<CurlTransport*>(user)->share_mu_[index(data)].lock();
  }
  static void unlock_cb(CURL*, curl_lock_data data, void* user) {
    static_cast<CurlTransport*>(user)->share_mu_[index(data)].unlock();
  }
  static size_t index(curl_lock_data data) {
    const auto i = static_cast<size_t>(data);
    return i < kLocks ? i : 0;
  }

  static constexpr size_t kLocks = CURL_LOCK_DATA_LAST;
  CurlTransportOptions options_;
  CURLSH* share_ = nullptr;  // guarded by pool_mu_ (written only at construction and fork)
  std::array<std::mutex, kLocks> share_mu_;
  std::mutex pool_mu_;
  static constexpr std::size_t kKeptBodyCapacity = 64 * 1024;
  std::vector<std::unique_ptr<Handle>> idle_;
};

}  // namespace

std::shared_ptr<Transport> make_curl_transport(const CurlTransportOptions& options) {
  return std::make_shared<CurlTransport>(options);
}

}  // namespace respan
