// The in-memory Respan service behind the mock server: routing table, storage and the
// endpoint logic, independent of the HTTP library.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "testing/mock_filters.hpp"
#include "testing/mock_trace_state.hpp"
#include "testing/mock_util.hpp"

namespace respan::testing::detail {

/// An error answer (status + JSON body) raised by the endpoint logic.
class HttpError : public std::exception {
 public:
  HttpError(int status, Json body);
  int status() const noexcept { return status_; }
  const Json& body() const noexcept { return body_; }
  const char* what() const noexcept override { return what_.c_str(); }

 private:
  int status_;
  Json body_;
  std::string what_;
};

/// 400 `{"detail": detail}`.
HttpError bad_request(const std::string& detail);
/// 404 `{"detail": "Not found."}`.
HttpError not_found();
/// 422 `{"detail": "Validation error", "errors": errors}`.
HttpError validation_error(Json errors);
/// 507 (Insufficient Storage) `{"detail": ...}`: the store of `what` holds `limit`, the bound
/// set by MockServerOptions::`option`, and cannot take `adding` more.
HttpError store_full(const char* what, std::size_t limit, const char* option, std::size_t adding);

enum class RouteId {
  kSpans,               // GET legacy list, POST create
  kSpansCreate,         // POST
  kSpansList,           // POST
  kSpansBulk,           // POST
  kSpansSummary,        // POST
  kSpan,                // GET, PATCH
  kDatasets,            // POST
  kDatasetsList,        // POST
  kDataset,             // GET, PATCH, DELETE
  kDatasetLogs,         // POST
  kDatasetLogsList,     // POST
  kDatasetLogsBulk,     // POST
  kDatasetLogsImport,   // POST, DELETE
  kDatasetLogsSummary,  // GET, POST
  kDatasetLog,          // GET, PATCH, PUT, DELETE
  kEvalCreate,          // POST
  kEvalList,            // GET
};

/// A resolved path with its (decoded) parameters.
struct Route {
  RouteId id = RouteId::kSpans;
  std::string dataset_id;
  std::string uid;
  std::vector<std::string> methods;  ///< Allowed methods (HEAD is implied by GET).

  bool allows(const std::string& method) const;
  std::string allow_header() const;
};

/// Resolves a raw (percent-encoded) path such as "/api/datasets/x/logs/"; nullopt = 404.
/// The trailing slash is required, as documented.
std::optional<Route> resolve_route(std::string_view raw_path);

/// What the endpoint logic needs from an HTTP request.
struct ApiRequest {
  std::string method;       ///< Upper-case.
  std::string raw_path;     ///< As sent (percent-encoded), used for pagination links.
  QueryPairs query;         ///< Decoded query parameters, in order.
  std::string body;         ///< Raw body (parsed lazily by the endpoints that read it).
  std::string environment;  ///< Environment of the API key.
  std::string link_base;    ///< "http://host:port" for absolute `next`/`previous` links.
};

struct ApiResponse {
  int status = 200;
  std::optional<Json> body;  ///< nullopt = no body (204).
};

/// Page-number pagination parameters.
struct PageParams {
  std::size_t page = 1;
  std::size_t page_size = 50;
};

/// The page envelope of a list answer: `count`, absolute `next`/`previous` links (the request's
/// other query parameters kept) and `results` (the rows of `page`, already cut).
Json page_envelope(Json results, std::size_t count, const PageParams& page, const ApiRequest& req);

/// A closed time range in microseconds since the epoch.
struct Window {
  std::int64_t start = 0;
  std::int64_t end = 0;
};

struct StateConfig {
  std::string organization_id = "org_mock";  ///< Spans' `organization_id` (a string).
  std::int64_t organization_number = 1;      ///< Datasets' integer `organization(_id)`.
  std::string default_environment = "test";
  std::size_t max_bulk_size = 500;
  bool immediate_jobs = true;
  std::size_t max_request_logs = 100000;  ///< MockServerOptions::max_stored_request_logs
  std::size_t max_trace_spans = 100000;   ///< MockServerOptions::max_stored_trace_spans
  std::size_t max_datasets = 10000;       ///< MockServerOptions::max_stored_datasets
  std::size_t max_dataset_logs = 100000;  ///< MockServerOptions::max_stored_dataset_logs
  std::vector<std::string> evaluators;    ///< MockServerOptions::known_evaluators
};

/// Storage plus endpoint logic; every public member is thread-safe (one mutex).
class MockState {
 public:
  explicit MockState(StateConfig config);

  /// Runs the endpoint for an already resolved and authorised route.
  /// Never throws: errors come back as their HTTP answer.
  ApiResponse handle(const Route& route, const ApiRequest& request);

  void reset();
  std::vector<Json> request_logs() const;
  /// True when a request log with this `unique_id`, or an ingested span with this
  /// `span_unique_id`, is stored (what scores may be attached to).
  bool has_log(const std::string& unique_id) const;
  Json add_request_log(Json span);  ///< @throws HttpError
  std::vector<Json> datasets() const;
  Json add_dataset(Json body);  ///< @throws HttpError
  std::vector<Json> dataset_logs(const std::string& dataset_id) const;
  Json add_dataset_log(const std::string& dataset_id, Json log);  ///< @throws HttpError
  std::vector<Json> evaluation_runs(const std::string& dataset_id) const;
  void complete_pending_jobs();
  std::size_t pending_job_count() const;
  /// The viewer's request-log list (MockServerOptions::ui, mock_ui.cpp): `{"count": stored,
  /// "results": [...]}`, the newest `limit` logs first, each a summary with its text fields cut.
  Json ui_request_logs(std::size_t limit) const;
  /// The viewer's dataset list, as ui_request_logs() (the `_saved_logs` collection left out).
  Json ui_datasets(std::size_t limit) const;
  /// The trace store (ingested spans and traces; locks on its own).
  TraceStore& traces() { return traces_; }
  const TraceStore& traces() const { return traces_; }

 private:
  struct SpanRecord {
    Json data;
    std::int64_t ts = 0;  ///< Parsed `timestamp` (µs since epoch).
  };
  struct Dataset {
    Json meta;                ///< The dataset object (log_count filled in on output).
    std::vector<Json> logs;   ///< Dataset logs in creation order.
    std::vector<Json> tasks;  ///< Evaluation tasks, oldest first.
    std::uint64_t seq = 0;
  };
  using RowView = std::function<Json(const Json&)>;

  ApiResponse dispatch(const Route& route, const ApiRequest& req);

  // request logs (spans)
  ApiResponse spans_create(const ApiRequest& req);
  ApiResponse spans_bulk(const ApiRequest& req);
  // Makes each row of the body's `logs` with `prepare` (throws HttpError to reject the row),
  // then stores the rows made with `commit` (all of them, or none when it throws: a full
  // store), and answers the bulk shape: counts and per-index errors.
  ApiResponse bulk_store(const ApiRequest& req, const char* not_a_list,
                         const std::function<Json(const Json& row)>& prepare,
                         const std::function<void(std::vector<Json>& rows)>& commit);
  ApiResponse spans_list(const ApiRequest& req, bool legacy);
  ApiResponse span_get(const std::string& uid);
  ApiResponse span_patch(const std::string& uid, const ApiRequest& req);
  ApiResponse spans_summary(const ApiRequest& req);
  Json normalise_span(Json body, const std::string& environment);
  const SpanRecord& store_span(Json span);
  /// Stores normalised spans, all or none (507 when they do not all fit here or, for those
  /// with a trace id, in the trace store); returns the index of the first.
  std::size_t store_spans(std::vector<Json> spans);
  std::vector<const SpanRecord*> spans_matching(const Window& window,
                                                const std::string* environment,
                                                const CompiledFilters& filters) const;

  // datasets
  ApiResponse datasets_create(const ApiRequest& req);
  ApiResponse datasets_list(const ApiRequest& req);
  ApiResponse dataset_get(const std::string& id);
  ApiResponse dataset_patch(const std::string& id, const ApiRequest& req);
  ApiResponse dataset_delete(const std::string& id);
  Json create_dataset(const Json& body, const std::string& environment);
  /// Dataset logs and evaluation tasks in all datasets.
  std::size_t dataset_objects() const;
  /// Throws 507 unless `adding` more dataset logs (or tasks) fit.
  void check_dataset_room(std::size_t adding) const;
  Dataset& dataset_or_404(const std::string& id);
  Dataset* find_dataset(const std::string& id);
  const Dataset* find_dataset(const std::string& id) const;
  Json dataset_view(const Dataset& ds) const;     ///< Everything stored (direct access).
  Json dataset_created(const Dataset& ds) const;  ///< Answer of create.
  Json dataset_row(const Dataset& ds) const;      ///< Row of list.
  Json dataset_detail(const Dataset& ds) const;   ///< Answer of retrieve/update.

  // dataset logs
  ApiResponse dlogs_create(const std::string& id, const ApiRequest& req);
  ApiResponse dlogs_list(const std::string& id, const ApiRequest& req);
  ApiResponse dlog_get(const std::string& id, const std::string& uid);
  ApiResponse dlog_update(const std::string& id, const std::string& uid, const ApiRequest& req,
                          bool replace);
  ApiResponse dlog_delete(const std::string& id, const std::string& uid);
  ApiResponse dlogs_bulk(const std::string& id, const ApiRequest& req);
  ApiResponse dlogs_import(const std::string& id, const ApiRequest& req);
  ApiResponse dlogs_remove(const std::string& id, const ApiRequest& req);
  ApiResponse dlogs_summary(const std::string& id, const ApiRequest& req);
  Json make_dataset_log(const std::string& dataset_id, const Json& body,
                        const std::string& environment);
  Json dataset_log_from_span(const std::string& dataset_id, const Json& span);
  /// The spans an import takes (time window, filters, then the first `percentage` by time).
  std::vector<const SpanRecord*> spans_to_import(const Window& window,
                                                 const CompiledFilters& filters,
                                                 double percentage) const;
  /// Adds the spans_to_import() to the dataset, or nothing when they do not all fit.
  void import_spans(const std::string& dataset_id, Window window, const CompiledFilters& filters,
                    double percentage);

  // evaluations
  ApiResponse eval_create(const std::string& id, const ApiRequest& req);
  ApiResponse eval_list(const std::string& id, const ApiRequest& req);
  void run_task(const std::string& dataset_id, const std::string& task_id);

  // shared helpers
  Json paginate(const std::vector<const Json*>& rows, const PageParams& page, const ApiRequest& req,
                const RowView& view) const;
  void run_or_queue(std::function<void()> job);
  std::string now_iso() const;

  mutable std::mutex mu_;
  StateConfig config_;
  IdGenerator ids_;
  std::vector<SpanRecord> spans_;
  std::unordered_map<std::string, std::size_t> span_index_;
  std::map<std::string, Dataset> datasets_;
  std::uint64_t dataset_seq_ = 0;
  std::vector<std::function<void()>> jobs_;
  TraceStore traces_;
};

}  // namespace respan::testing::detail
