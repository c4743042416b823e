// The traces part of the mock Respan service: spans ingested through
// `POST /api/v1/traces/ingest` and OTLP/HTTP (`POST /api/v2/traces`, `/api/v1/traces`, JSON or
// protobuf) or created as request logs
// with a `trace_unique_id`, the traces aggregated from them, and the traces endpoints
// (list, retrieve, delete, share, public read, bulk delete, ingest). HTTP routing lives in
// mock_traces.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "testing/mock_filters.hpp"
#include "testing/mock_util.hpp"

namespace respan::testing::detail {

struct ApiRequest;
struct ApiResponse;
class TraceStore;

/// One HTTP request as the trace routes see it, with the server's hooks (mock_server.cpp).
struct TraceHttp {
  const std::string& method;     ///< Upper-case.
  const std::string& raw_path;   ///< As sent (percent-encoded), without the query.
  const std::string& raw_query;  ///< Without the '?'.
  const std::string& body;
  std::string content_type;  ///< The Content-Type header ("" when absent).
  std::string link_base;     ///< "http://host:port" for pagination links.
  /// Checks the bearer key: the key's environment, or nullopt after answering 401 itself.
  std::function<std::optional<std::string>()> authenticate;
  /// Sends the answer (`allow`: the Allow header, "" for none).
  std::function<void(int status, const Json& body, const std::string& allow)> reply;
  /// Sends an answer that is not JSON (e.g. OTLP protobuf) with its content type.
  std::function<void(int status, const std::string& body, const std::string& content_type)>
      reply_bytes;
};

/// Serves the documented trace routes (`/api/v1/traces/ingest`, `/api/v2/traces`,
/// `/api/v1/traces`,
/// `/api/traces/...`, `/api/{unique_organization_id}/traces/{tid}/`) and returns the status
/// answered; returns 0 without answering when `http.raw_path` is not one of them.
int serve_traces(TraceStore& store, const TraceHttp& http);

struct TraceStoreConfig {
  /// `unique_organization_id` of every trace, and its alias `organization_id`.
  std::string organization_id = "org_mock";
  std::size_t max_bulk_delete = 1000;  ///< Bulk delete refuses more matches (documented).
  /// Most spans stored, and most entries of ingested_spans() (MockServerOptions::
  /// max_stored_trace_spans).
  std::size_t max_spans = 100000;
};

/// Trace storage plus the trace endpoint logic; every public member is thread-safe.
///
/// A span is stored under its `span_unique_id`: a span sent again (by any route) replaces
/// the earlier one, moving it to another trace when its `trace_unique_id` changed. Traces are
/// aggregated from their spans on every read.
class TraceStore {
 public:
  explicit TraceStore(TraceStoreConfig config);

  // Endpoints. `request.environment` is the API key's environment. Errors are thrown as
  // HttpError (mock_state.hpp) with a `{"detail": ...}` body; mock_traces.cpp maps the body.
  ApiResponse ingest(const ApiRequest& request);  ///< POST /api/v1/traces/ingest
  ApiResponse otlp(const ApiRequest& request);    ///< POST /api/v2/traces, /api/v1/traces (JSON)
  /// An OTLP export already decoded into the OTLP JSON form (JSON or protobuf requests).
  ApiResponse otlp_export(const Json& body, const std::string& environment);
  ApiResponse list(const ApiRequest& request);  ///< POST /api/traces/list/
  ApiResponse retrieve(const std::string& tid, const ApiRequest& request);  ///< GET
  ApiResponse remove(const std::string& tid, const ApiRequest& request);    ///< DELETE
  ApiResponse share(const std::string& tid, const ApiRequest& request);     ///< PATCH
  ApiResponse public_read(const std::string& org, const std::string& tid);  ///< no auth
  ApiResponse bulk_delete(const ApiRequest& request);  ///< POST /api/traces/bulk/

  /// Adds a request log (a span stored by `POST /api/request-logs/`, the bulk create or
  /// MockServer::add_request_log(), already validated and normalised) to its trace when it has
  /// a non-empty `trace_unique_id`; otherwise does nothing. Its span id is its
  /// `span_unique_id` when that is a non-empty string [guess: the request-log create documents
  /// no such field; trace ingest does], else its `unique_id`; an empty `span_parent_id` makes
  /// it a root. It is not listed by ingested_spans(). With `refresh_only`, the span replaces
  /// its stored copy only when that is still stored (a PATCH of the log must not bring back a
  /// deleted trace). @throws HttpError 507 (nothing stored) when the span is new and the store
  /// is full.
  void add_request_log(const Json& log, bool refresh_only = false);
  /// add_request_log() for several logs: all of their spans, or none (507) when the new ones
  /// do not all fit.
  void add_request_logs(const std::vector<Json>& logs);

  void reset();
  /// Every span accepted by ingest or OTLP in arrival order (re-sent spans each time), as
  /// stored, plus `received_via` ("ingest" or "otlp").
  std::vector<Json> ingested_spans() const;
  /// Every trace in first-seen order, in the retrieve shape (with `span_tree`) plus
  /// `is_public`.
  std::vector<Json> traces() const;
  /// One trace in the retrieve shape, or nullopt.
  std::optional<Json> trace(const std::string& trace_unique_id) const;
  /// The viewer's trace list (MockServerOptions::ui, mock_ui.cpp): `{"count": traces,
  /// "results": [...]}`, the `limit` traces seen last first, each a summary of its list row.
  Json ui_traces(std::size_t limit) const;
  /// The viewer's trace: `{"trace": summary, "span_count": n, "truncated": bool, "spans":
  /// [...]}`, the first `max_spans` spans by start time, flat, each with its text fields cut,
  /// `offset_us`/`duration_us` from the trace's start and `is_error`; nullopt when unknown.
  std::optional<Json> ui_trace(const std::string& tid, std::size_t max_spans) const;
  /// True when a span with this `span_unique_id` is stored.
  bool has_span(const std::string& span_unique_id) const;

 private:
  struct TraceMeta {
    std::uint64_t seq = 0;  ///< First-seen order; its decimal text is the trace's `id`.
    bool is_public = false;
    std::string environment;
  };

  /// The span a request log adds to its trace, or nullopt when it has no trace id.
  static std::optional<Json> request_log_span(const Json& log);
  /// Throws 507 unless the span ids among `spans` not stored yet all fit (under the lock).
  void check_room(const std::vector<Json>& spans) const;
  /// Stores normalised spans (under the lock); `record` adds them to ingested_spans(). Throws
  /// 507 before storing any when the new span ids among them do not all fit.
  void store_spans(std::vector<Json> spans, const std::string& via, const std::string& environment,
                   bool record = true);
  /// The trace row (list shape) aggregated from its spans; nullopt when it has none.
  std::optional<Json> trace_row(const std::string& tid) const;
  /// The retrieve shape: the row plus `span_tree` (and `is_public` when `with_state`, for
  /// the test accessors).
  Json trace_detail(const std::string& tid, bool with_state = false) const;
  /// Trace ids in first-seen order.
  std::vector<std::string> trace_ids() const;
  void erase_trace(const std::string& tid);

  mutable std::mutex mu_;
  TraceStoreConfig config_;
  std::deque<Json> arrivals_;          ///< The newest spans accepted by ingest/OTLP, arrival order.
  std::map<std::string, Json> spans_;  ///< span_unique_id -> stored span.
  std::map<std::string, std::vector<std::string>> trace_spans_;  ///< tid -> span ids (order)
  std::unordered_map<std::string, TraceMeta> meta_;
  std::uint64_t seq_ = 0;
};

}  // namespace respan::testing::detail
