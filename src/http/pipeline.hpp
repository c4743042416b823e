// Internal: the request pipeline shared by every resource (auth, user agent, JSON bodies,
// retries with backoff, deadlines, error decoding, key scrubbing). Knows no resources.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <respan/json.hpp>
#include <respan/options.hpp>
#include <respan/result.hpp>
#include <respan/transport.hpp>

#include "util/text.hpp"

namespace respan::detail {

/// Returns the options with base_url normalised, or an invalid_argument Error.
Result<ClientOptions> validate_options(ClientOptions options);

using QueryParams = std::vector<std::pair<std::string, std::string>>;

/// One API call before transport details: method, path under the host, query and body.
struct ApiRequest {
  HttpMethod method = HttpMethod::get;
  std::string path;  ///< e.g. "/api/request-logs/"; segments already percent-encoded
  QueryParams query;
  std::optional<Json> body;
};

/// Builds an Error from a non-2xx response (message from detail / error / message,
/// 422 field errors, retry hint, raw body).
Error error_from_response(const HttpResponse& response, std::chrono::system_clock::time_point now);

class Pipeline {
 public:
  /// Precondition: `options` passed validate_options.
  explicit Pipeline(ClientOptions options);

  /// Sends with retries; 2xx -> the response, anything else -> an Error.
  Result<HttpResponse> execute(const ApiRequest& request, const RequestOptions& call = {}) const;

  /// execute() and parse the body as JSON (an empty body gives null).
  Result<Json> execute_json(const ApiRequest& request, const RequestOptions& call = {}) const;

  /// execute_json() and decode into T through nlohmann's from_json.
  template <class T>
  Result<T> call(const ApiRequest& request, const RequestOptions& call = {}) const {
    Result<Json> j = execute_json(request, call);
    if (!j) return std::move(j).error();
    try {
      return j->template get<T>();
    } catch (const std::exception& ex) {
      return decode_error(request, *j, ex.what());
    }
  }

  /// Like call<T>(), but the response body is not needed.
  Result<void> call_void(const ApiRequest& request, const RequestOptions& call = {}) const;

  const ClientOptions& options() const noexcept { return options_; }
  void log(LogLevel level, std::string_view message) const;
  /// Removes every occurrence of the API key from `text`.
  std::string scrub(std::string text) const;
  std::string url_for(const ApiRequest& request) const;

 private:
  Error decode_error(const ApiRequest& request, const Json& body, std::string_view what) const;
  std::chrono::system_clock::time_point now() const;
  void sleep_for(std::chrono::milliseconds d, const CancellationToken* cancel) const;
  double random01() const;

  ClientOptions options_;
  std::shared_ptr<Transport> transport_;
  std::string user_agent_;
  mutable std::mutex rng_mu_;
  mutable std::mt19937_64 rng_;
};

}  // namespace respan::detail
