// Internal: the request pipeline shared by every resource (auth, user agent, JSON bodies,
// retries by idempotency class, deadlines, error decoding, key scrubbing, input checks).
// Knows no resources.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <respan/export.hpp>
#include <respan/json.hpp>
#include <respan/options.hpp>
#include <respan/result.hpp>
#include <respan/transport.hpp>

#include "models/encode.hpp"
#include "util/text.hpp"

namespace respan::detail {

/// Returns the options with base_url normalised, or an invalid_argument Error naming the
/// first unusable field.
RESPAN_EXPORT Result<ClientOptions> validate_options(ClientOptions options);

/// True for `localhost`, `127.x.y.z` and `[::1]` (case-insensitive): hosts a plain-http URL
/// may name without sending secrets across a network.
RESPAN_EXPORT bool is_loopback_host(std::string_view host);

/// An invalid_argument Error when `name: value` may not be sent as an extra header (not an
/// HTTP token, a control character in the value, or a header the SDK sets itself).
/// `allow_authorization`: `Authorization` may be given (requests that do not carry the API
/// key, see ApiRequest::authenticated).
RESPAN_EXPORT std::optional<Error> check_header(const std::string& name, const std::string& value,
                                                bool allow_authorization = false);

using QueryParams = std::vector<std::pair<std::string, std::string>>;

/// How an operation may be retried (see RetryPolicy and the README's retry table).
enum class Idempotency {
  /// Repeating it has the effect of doing it once: reads, PUT, PATCH, DELETE, list and
  /// summary POSTs. Retried on 408, 429, 5xx, timeouts and network errors.
  idempotent,
  /// Creates something each time: retried only when the request certainly was not
  /// processed (nothing sent / connection refused, 429, 503).
  non_idempotent,
  /// Span creates: idempotent under SpanDelivery::at_least_once (the default),
  /// non_idempotent under SpanDelivery::at_most_once.
  span_create,
};

/// One API call before transport details: method, path under the host, query and body.
struct ApiRequest {
  HttpMethod method = HttpMethod::get;
  std::string path;  ///< e.g. "/api/request-logs/"; segments already percent-encoded
  QueryParams query;
  std::optional<Json> body;
  /// Every operation declares its class; the safe default is never to repeat work.
  Idempotency idempotency = Idempotency::non_idempotent;
  /// A body already serialized by the caller (who checked it as check_body() would); used
  /// when #body is unset.
  std::optional<std::string> body_text{};
  /// Send `Authorization: Bearer <API key>`. False for the public endpoints (the public trace
  /// read: the key then never leaves the process) and for third-party endpoints (#absolute_url);
  /// RequestOptions::headers may then carry an `Authorization` of their own.
  bool authenticated = true;
  /// An absolute URL (validated by the caller) sent to instead of base_url + #path: a
  /// third-party endpoint such as an OpenTelemetry Collector. #path then only names the call in
  /// messages and is not checked, and ClientOptions::default_headers (meant for Respan) are not
  /// sent; RequestOptions::headers are.
  std::optional<std::string> absolute_url{};
  /// The media type of #body_text (and of the answer asked for with `Accept`); unset:
  /// `application/json`. E.g. `application/x-protobuf` for OTLP protobuf.
  std::optional<std::string> content_type{};
  /// `Content-Encoding` of #body_text, already applied by the caller (e.g. `gzip`).
  std::optional<std::string> content_encoding{};
};

/// A successful (2xx) exchange and how many attempts it took.
struct Reply {
  HttpResponse http;
  int attempts = 1;
};

/// A successful exchange whose body was parsed as JSON (an empty body gives null).
struct JsonReply {
  Json json;
  int status = 0;
  int attempts = 1;
  std::size_t body_bytes = 0;
};

/// Builds an Error from a non-2xx response (message from detail / error / message,
/// 422 field errors, retry hint, raw body). Not yet scrubbed or capped.
RESPAN_EXPORT Error error_from_response(const HttpResponse& response,
                                        std::chrono::system_clock::time_point now);

/// Path segments that must not be sent: empty, ".", ".." (libcurl and servers collapse dot
/// segments, so `remove("..")` would reach the parent resource) or containing control
/// characters. `path` is checked segment by segment after percent-decoding; the error names
/// the offending segment.
RESPAN_EXPORT std::optional<Error> check_path(std::string_view path);

/// An invalid_argument Error when a request body cannot be sent: nested deeper than
/// kMaxJsonDepth, or holding a non-finite number (named by its path). One iterative pass.
std::optional<Error> check_body(const Json& body);

/// True for a T with a decode_text(std::string_view, T&) overload.
template <class T, class = void>
struct has_text_decoder : std::false_type {};
template <class T>
struct has_text_decoder<T,
                        std::void_t<decltype(decode_text(std::string_view{}, std::declval<T&>()))>>
    : std::true_type {};

class RESPAN_EXPORT Pipeline {
 public:
  /// Precondition: `options` passed validate_options.
  explicit Pipeline(ClientOptions options);

  /// Sends with retries; 2xx -> the response, anything else -> an Error. Never throws.
  Result<Reply> execute(const ApiRequest& request, const RequestOptions& call = {}) const;

  /// execute(), lending `request.body_text` to the transport instead of copying it (a batch
  /// body may be megabytes): it is back in `request.body_text` when this returns.
  Result<Reply> execute_lending(ApiRequest& request, const RequestOptions& call = {}) const;

  /// execute() and parse the body as JSON (bounded depth; an empty body gives null).
  Result<JsonReply> execute_json_reply(const ApiRequest& request,
                                       const RequestOptions& call = {}) const;

  /// execute_json_reply() without the reply details.
  Result<Json> execute_json(const ApiRequest& request, const RequestOptions& call = {}) const;

  /// The JSON of a successful exchange's body (bounded depth; an empty body gives null).
  Result<JsonReply> json_reply(const ApiRequest& request, Reply&& reply) const;

  /// execute_json() and decode into T through nlohmann's from_json. A type with a
  /// decode_text() overload (a hot path's answer) is decoded from the body text first; any
  /// body that this does not take (not a plain object, ...) goes the general way.
  template <class T>
  Result<T> call(const ApiRequest& request, const RequestOptions& call = {}) const {
    Result<Reply> rep = execute(request, call);
    if (!rep) return std::move(rep).error();
    if constexpr (has_text_decoder<T>::value) {
      T fast;
      try {
        if (!rep->http.body.empty() && decode_text(rep->http.body, fast)) return fast;
      } catch (const std::exception&) {  // the general way below reports it
      }
    }
    Result<JsonReply> j = json_reply(request, std::move(*rep));
    if (!j) return std::move(j).error();
    try {
      return j->json.template get<T>();
    } catch (const std::exception& ex) {
      return decode_error(request, *j, ex.what());
    }
  }

  /// Like call<T>(), but the response body is not needed.
  Result<void> call_void(const ApiRequest& request, const RequestOptions& call = {}) const;

  /// A decode Error for a 2xx reply whose JSON did not have the expected shape: keeps the
  /// status, the attempts, the body size and a capped, scrubbed copy of the body.
  Error decode_error(const ApiRequest& request, const JsonReply& reply,
                     std::string_view what) const;

  const ClientOptions& options() const noexcept { return options_; }
  void log(LogLevel level, std::string_view message) const;
  /// To ClientOptions::log when it is set (at `level`, subject to log_level), else to stderr
  /// as one line "respan: <message>"; scrubbed of the API key either way. Never throws.
  void report(LogLevel level, std::string_view message) const noexcept;
  /// Removes every occurrence of the API key from `text`: raw, JSON-escaped (also with `\/`
  /// or any byte as `\uXXXX`, in any mix) and URL-encoded (either hex case).
  std::string scrub(std::string text) const;
  /// Scrubs every string of `e` and caps its sizes (see Error).
  void sanitize(Error& e) const;
  std::string url_for(const ApiRequest& request) const;
  /// The monotonic clock deadlines are measured on.
  std::chrono::steady_clock::time_point steady_now() const;

 private:
  std::chrono::system_clock::time_point now() const;
  Result<Reply> execute_with(const ApiRequest& request, std::string* lent,
                             const RequestOptions& call) const;
  void sleep_for(std::chrono::milliseconds d, const CancellationToken* cancel) const;
  double random01() const;
  bool is_idempotent(Idempotency idem) const noexcept;
  /// Whether a failed attempt of an operation of class `idempotent` may be repeated.
  static bool should_retry(const Error& e, bool idempotent) noexcept;

  ClientOptions options_;
  std::shared_ptr<Transport> transport_;
  std::string user_agent_;
  std::vector<std::string> key_forms_;  // the key as it may appear in echoed text
};

}  // namespace respan::detail
