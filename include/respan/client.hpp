/// @file client.hpp
/// @brief RespanClient: the entry point of the SDK.
#pragma once

#include <memory>
#include <string>

#include <respan/customers.hpp>
#include <respan/dataset_logs.hpp>
#include <respan/datasets.hpp>
#include <respan/export.hpp>
#include <respan/options.hpp>
#include <respan/prompts.hpp>
#include <respan/request_logs.hpp>
#include <respan/result.hpp>
#include <respan/scores.hpp>
#include <respan/threads.hpp>
#include <respan/traces.hpp>

namespace respan {

namespace detail {
class Pipeline;
}

/// A client of the Respan API.
///
/// Thread safety: a RespanClient (and every resource object it hands out) may be used by
/// any number of threads at once; copies are cheap and share one transport. The built-in
/// transport never shares a connection between threads: each in-flight call uses its own
/// pooled libcurl handle with its own keep-alive connections (DNS and TLS-session caches are
/// shared).
///
/// @code
/// auto client = respan::RespanClient::from_env().value();   // RESPAN_API_KEY, RESPAN_BASE_URL
/// respan::RequestLog span;
/// span.model = "gpt-4o";
/// auto created = client.request_logs().create(span);
/// if (!created) std::cerr << created.error() << '\n';
/// @endcode
class RESPAN_EXPORT RespanClient {
 public:
  /// Validates `options` (API key, base URL, timeouts, retry policy, headers...); throws
  /// ApiError (ErrorCode::invalid_argument) naming the first unusable field. Use create() to
  /// get a Result instead. `verify_tls = false` is logged as a warning once, here.
  explicit RespanClient(ClientOptions options);

  /// Validates `options` and builds a client, or returns an invalid_argument Error.
  static Result<RespanClient> create(ClientOptions options);

  /// Like create(), with `api_key` from RESPAN_API_KEY and `base_url` from RESPAN_BASE_URL
  /// when they are set (the legacy KEYWORDSAI_API_KEY / KEYWORDSAI_BASE_URL are read as a
  /// fallback), and `ca_bundle` from RESPAN_CA_BUNDLE when set. Other fields come from
  /// `defaults`.
  static Result<RespanClient> from_env(ClientOptions defaults = {});

  /// The request-log (span) endpoints.
  RequestLogsResource request_logs() const;

  /// The dataset endpoints (create, list, retrieve, update, delete, evaluator runs).
  DatasetsResource datasets() const;

  /// The log endpoints of one dataset. `dataset_id` may be the virtual `"_saved_logs"`
  /// collection; it is percent-encoded into the path.
  DatasetLogsResource dataset_logs(std::string dataset_id) const;

  /// The trace endpoints (list, retrieve with the span tree, delete, share, public read,
  /// bulk delete).
  TracesResource traces() const;

  /// The score endpoints: evaluator results on logs (spans); `scores().for_log(id)` for the
  /// log-scoped routes (one score per log, evaluator and scorer).
  ScoresResource scores() const;

  /// The prompt endpoints: prompts, versions, commits, deployments (see also PromptCache).
  PromptsResource prompts() const;

  /// The customer endpoints (the API's `/api/users/...`): list, retrieve, update, delete.
  CustomersResource customers() const;

  /// The conversation-thread endpoint (list) and the spans of a thread.
  ThreadsResource threads() const;

  /// The options in effect (base_url normalised, without `/api`).
  const ClientOptions& options() const noexcept;

  /// Copies and moves share the connection pool. A moved-from client stays fully usable
  /// (moving is a cheap copy of a shared handle), so it is always safe to use or destroy.
  RespanClient(const RespanClient&) = default;
  RespanClient& operator=(const RespanClient&) = default;
  RespanClient(RespanClient&& other) noexcept : pipeline_(other.pipeline_) {}
  RespanClient& operator=(RespanClient&& other) noexcept {
    pipeline_ = other.pipeline_;
    return *this;
  }
  ~RespanClient() = default;

 private:
  friend class BatchLogger;  // sends through the same pipeline
  struct Validated {};
  RespanClient(Validated, ClientOptions options);
  std::shared_ptr<const detail::Pipeline> pipeline_;
};

}  // namespace respan
