/// @file client.hpp
/// @brief RespanClient: the entry point of the SDK.
#pragma once

#include <memory>
#include <string>

#include <respan/dataset_logs.hpp>
#include <respan/datasets.hpp>
#include <respan/options.hpp>
#include <respan/request_logs.hpp>
#include <respan/result.hpp>

namespace respan {

namespace detail {
class Pipeline;
}

/// A client of the Respan API.
///
/// Thread safety: a RespanClient (and every resource object it hands out) may be used by
/// any number of threads at once; copies are cheap and share one connection pool.
///
/// @code
/// auto client = respan::RespanClient::from_env().value();   // RESPAN_API_KEY, RESPAN_BASE_URL
/// respan::RequestLog span;
/// span.model = "gpt-4o";
/// auto created = client.request_logs().create(span);
/// if (!created) std::cerr << created.error() << '\n';
/// @endcode
class RespanClient {
 public:
  /// Validates `options`; throws ApiError (ErrorCode::invalid_argument) if they are unusable,
  /// e.g. no API key. Use create() to get a Result instead.
  explicit RespanClient(ClientOptions options);

  /// Validates `options` and builds a client, or returns an invalid_argument Error.
  static Result<RespanClient> create(ClientOptions options);

  /// Like create(), with `api_key` from RESPAN_API_KEY and `base_url` from RESPAN_BASE_URL
  /// when they are set (the legacy KEYWORDSAI_API_KEY / KEYWORDSAI_BASE_URL are read as a
  /// fallback). Other fields come from `defaults`.
  static Result<RespanClient> from_env(ClientOptions defaults = {});

  /// The request-log (span) endpoints.
  RequestLogsResource request_logs() const;

  /// The dataset endpoints (create, list, retrieve, update, delete, evaluator runs).
  DatasetsResource datasets() const;

  /// The log endpoints of one dataset. `dataset_id` may be the virtual `"_saved_logs"`
  /// collection; it is percent-encoded into the path.
  DatasetLogsResource dataset_logs(std::string dataset_id) const;

  /// The options in effect (base_url normalised, without `/api`).
  const ClientOptions& options() const noexcept;

 private:
  struct Validated {};
  RespanClient(Validated, ClientOptions options);
  std::shared_ptr<const detail::Pipeline> pipeline_;
};

}  // namespace respan
