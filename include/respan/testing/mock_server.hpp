/// @file mock_server.hpp
/// @brief An in-process mock of the Respan HTTP API for tests and offline development.
///
/// `respan::testing::MockServer` listens on a loopback port and answers the request-log (span)
/// and dataset endpoints of the Respan API the way the real service does: the same paths (with
/// their trailing slashes), bearer-key authentication, validation errors, field normalisation,
/// page-number pagination with absolute `next`/`previous` links, the filter grammar, and the
/// error body shapes. Everything is stored in memory. Faults (error statuses, `Retry-After`,
/// delays, dropped connections, malformed JSON) can be injected to test a client's retry and
/// error handling, and every request the server receives is recorded for assertions.
///
/// @code
/// respan::testing::MockServer server;            // accepts "Bearer test-key"
/// server.start();
/// respan::ClientOptions o;
/// o.api_key = server.api_key();
/// o.base_url = server.base_url();
/// auto client = respan::RespanClient::create(o).value();
/// respan::testing::Fault f;                      // the next request answers 503
/// f.status = 503;
/// f.retry_after = "1";
/// server.inject_fault(f);
/// respan::RequestLog span("gpt-4o");
/// auto created = client.request_logs().create(span);  // retried after the 503
/// EXPECT_EQ(server.requests().size(), 2u);
/// EXPECT_EQ(server.request_logs().size(), 1u);
/// @endcode
///
/// With MockServerOptions::tls_cert_file and tls_key_file set, the same API is served over
/// HTTPS (see tls_handshakes() to observe TLS connection reuse).
///
/// All member functions are thread-safe. The server is not a security boundary: bind it to
/// loopback only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <respan/export.hpp>

namespace respan::testing {

/// Configuration of a MockServer.
struct RESPAN_TESTING_EXPORT MockServerOptions {
  /// API key accepted as `Authorization: Bearer <api_key>`. Spans created with it are stored
  /// with `environment` set to #environment.
  std::string api_key = "test-key";
  /// Environment of #api_key (the real service derives a span's environment from the key).
  std::string environment = "test";
  /// More accepted keys: key -> environment (e.g. {"prod-key", "prod"}).
  std::map<std::string, std::string> extra_keys;
  /// `organization_id` reported on spans, dataset logs and traces (a string, as the span create
  /// response and the trace types document it; on traces also `unique_organization_id`, the
  /// organization of the public-read path), and the one entry of a dataset's
  /// `unique_organization_ids`.
  std::string organization_id = "org_mock";
  /// Integer organization id of datasets: `organization_id` of list rows and `organization`
  /// of retrieve/update answers (integers in the official client's types).
  std::int64_t organization_number = 1;
  /// Address to bind. Keep it on loopback.
  std::string host = "127.0.0.1";
  /// Port to bind; 0 picks a free ephemeral port (see MockServer::port()).
  int port = 0;
  /// When false, requests without a valid key are accepted too (their environment is the key's
  /// environment when the key is known, else #environment).
  bool require_auth = true;
  /// Largest `logs` array accepted by the bulk endpoints (the real API documents 500).
  std::size_t max_bulk_size = 500;
  /// Worker threads started up front. The pool grows on demand when every worker is busy
  /// (a keep-alive connection occupies a worker while it is open), up to #max_thread_count.
  int thread_count = 16;
  /// Upper bound of the worker pool (0 = max(thread_count, 256)). When every worker holds a
  /// connection and another one arrives, the connections idle the longest are closed so that
  /// idle keep-alive connections never delay a new client.
  int max_thread_count = 0;
  /// Seconds an idle keep-alive connection is kept open by the server.
  int keep_alive_timeout_seconds = 5;
  /// Largest request body accepted, whatever its framing (Content-Length, chunked, compressed:
  /// counted decoded); larger bodies get 413 and the connection is closed (the real API caps
  /// payloads at 20 MB). A `Content-Encoding: gzip` body is decompressed by the mock itself,
  /// stopping at this bound (413), and answered 400 when it is not valid gzip.
  std::size_t max_payload_bytes = 20u * 1024u * 1024u;
  /// Work the real API does in the background (dataset creation from logs or from another
  /// dataset, log import, log removal, evaluator runs) is applied before the response is sent
  /// when true (deterministic tests). When false it is queued until
  /// MockServer::complete_pending_jobs() runs it: datasets then report `status: "initializing"`
  /// and evaluation tasks `status: "pending"` until then.
  bool immediate_background_jobs = true;
  /// PEM file of the server certificate (its chain may follow it). When set, together with
  /// #tls_key_file, the server speaks HTTPS only (TLS 1.2 or newer) and base_url() starts with
  /// `https://`; the certificate must name the host clients use (e.g. a subjectAltName of
  /// `127.0.0.1`). Empty: plain HTTP.
  std::string tls_cert_file;
  /// PEM file of the private key of #tls_cert_file (unencrypted).
  std::string tls_key_file;
  /// Most objects the score, prompt and customer stores keep, each: scores; prompts and their
  /// versions together; customer profiles. A create (or first profile update) beyond it
  /// answers 400 saying the mock store is full (the stores below answer 507).
  std::size_t max_stored_objects = 10000;
  /// Most request logs (spans stored through `request-logs/`, its bulk create and
  /// add_request_log()) kept. A create beyond it answers 507 (Insufficient Storage) with
  /// `{"detail": ...}` naming this option; a bulk create whose valid rows do not all fit
  /// stores none of them (all or nothing; rows refused for their content are still reported
  /// per row when the rest fits). add_request_log() throws std::invalid_argument instead.
  std::size_t max_stored_request_logs = 100000;
  /// Most spans the trace store keeps (ingested, OTLP, and request logs that joined a trace),
  /// and the most entries ingested_spans() remembers (the oldest are forgotten first). An
  /// ingest or OTLP export whose new spans do not all fit stores none of them and answers 507
  /// (OTLP protobuf: a google.rpc.Status RESOURCE_EXHAUSTED); so does a request-log create
  /// whose span would join a full trace store. A span sent again replaces its stored copy and
  /// takes no more room.
  std::size_t max_stored_trace_spans = 100000;
  /// Most datasets kept (the virtual `_saved_logs` collection not counted); a create beyond it
  /// answers 507.
  std::size_t max_stored_datasets = 10000;
  /// Most dataset logs and evaluation tasks kept, in all datasets together. A log create, a
  /// bulk create, an import, a dataset creation from logs or from another dataset, or an
  /// evaluator run that would go beyond it adds nothing and answers 507 (the dataset is then
  /// not created). Background work queued while there was room (see
  /// #immediate_background_jobs) that no longer fits when it runs adds nothing.
  std::size_t max_stored_dataset_logs = 100000;
  /// The evaluators this mock knows, by id or slug (the mock does not tell the two apart), for
  /// `POST datasets/{id}/eval-reports/create/`: a run naming any other evaluator is refused
  /// whole with 400 `{"message": "Evaluator not found: <ids>"}` and starts nothing, as the
  /// real service refuses an evaluator the organization does not have (the API documents 400
  /// for this call; the exact body is a guess). Empty: every run is refused. The defaults are
  /// the slugs the examples and tests use: `relevance`, `faithfulness`, `correctness`,
  /// `toxicity`, `fluency` (`respan-mock-server --evaluator SLUG` adds one).
  std::vector<std::string> known_evaluators = {"relevance", "faithfulness", "correctness",
                                               "toxicity", "fluency"};
  /// The request recorder keeps the newest requests only: at most this many...
  std::size_t max_recorded_requests = 10000;
  /// ...and at most this many bytes of request bodies in all (a larger body is kept truncated,
  /// see RecordedRequest::body_truncated). Older requests are forgotten first.
  std::size_t max_recorded_bytes = 64u * 1024u * 1024u;
  /// Serve a local web viewer of the stored data: `GET /ui` (also `/ui/`) answers one
  /// self-contained HTML page (no external assets) that lists the request logs, traces and
  /// datasets and draws a trace as a waterfall, refreshing as spans arrive. The page reads the
  /// read-only JSON endpoints `GET /ui/api/logs`, `/ui/api/traces`, `/ui/api/traces/{tid}`,
  /// `/ui/api/datasets` (each bounded by `?limit=` or `?max_spans=`) and `/ui/api/changes`
  /// (`?since=V&wait=MS`: answers once the stored data changed after version `V`, or after
  /// `MS` milliseconds, at most 25000). These paths are the mock's own, not part of the
  /// Respan API: they need no API key, never change the stores, are recorded by requests()
  /// like any request but never take an injected Fault. When false (the default) they are
  /// not registered: `/ui` answers 404 like any unknown path.
  bool ui = false;
  /// Also serve a small fake of OpenAI's Chat Completions API, `POST /v1/chat/completions`
  /// (not part of the Respan API), so that a program calling an OpenAI-compatible endpoint
  /// can run offline: point its OpenAI base URL at `base_url() + "/v1"`. It accepts the keys
  /// this mock accepts (#api_key, #extra_keys; any request when #require_auth is false),
  /// validates the body as OpenAI does (`model` and a non-empty `messages` array of messages
  /// with a valid `role` required; `stream`, `stream_options`, `n`, `max_tokens` and
  /// `max_completion_tokens` checked) and answers errors in OpenAI's shape
  /// `{"error": {"message", "type", "param", "code"}}` (401, 400, and 404 for other `/v1/`
  /// paths). The answer is deterministic: "Mock answer to:" followed by the words of the last
  /// user message (the first 64), one token being one whitespace-separated word (prompt
  /// tokens: the words of every message's text); `max_tokens` cuts it (finish reason
  /// `length`). Any model name is accepted; tools are ignored. With `"stream": true` it
  /// answers `text/event-stream`: `chat.completion.chunk` events, each sent as its own HTTP
  /// chunk (the role, then one word per delta, then the finish reason; with
  /// `stream_options.include_usage` every chunk carries `"usage": null` and a last chunk with
  /// empty `choices` carries the usage), then `data: [DONE]`. Requests are recorded and take
  /// injected faults like any other. Off by default: `/v1/...` then answers 404.
  bool fake_openai = false;
};

/// One HTTP request received by the server, as it arrived.
struct RESPAN_TESTING_EXPORT RecordedRequest {
  std::string method;  ///< "GET", "POST", ...
  std::string path;    ///< Path as sent on the wire (still percent-encoded), without the query.
  std::string query;   ///< Raw query string without the leading '?'.
  std::map<std::string, std::string> query_params;  ///< Decoded; first value wins on repeats.
  std::multimap<std::string, std::string> headers;  ///< Header names lower-cased.
  /// Request body (its first max_recorded_bytes when truncated); a body sent with
  /// `Content-Encoding: gzip` is kept decompressed (the header stays in #headers).
  std::string body;
  std::size_t body_size = 0;    ///< Size of the body (decompressed, for a gzip body).
  bool body_truncated = false;  ///< True when #body holds only the start of the body.
  /// Bytes of the body on the wire: its compressed size for a gzip body, else #body_size.
  std::size_t wire_size = 0;
  /// Status the mock answered with; 0 while in flight or when the connection was dropped.
  int status = 0;

  /// First value of header `lower_name` (a lower-case name), or "" when absent.
  std::string header(const std::string& lower_name) const;
  /// The body parsed as JSON, or null when it is empty, truncated, not valid JSON or nested
  /// deeper than 128 levels.
  nlohmann::json json() const;
};

/// A fault to inject. It applies to the next #times requests that match #method and
/// #path_prefix, before authentication and normal handling.
///
/// Order of effects: sleep #delay; then, first that applies: #drop_connection,
/// #malformed_json, #status; when none of them is set the request is handled normally (a pure
/// delay).
struct RESPAN_TESTING_EXPORT Fault {
  /// When > 0: answer with this status instead of handling the request. The body is #body, or
  /// `{"detail": "<reason>"}` (plus `"retry_after"` when #body_retry_after is set).
  int status = 0;
  std::optional<std::string> retry_after;     ///< `Retry-After` header ("2" or an HTTP-date).
  std::optional<std::string> retry_after_ms;  ///< `retry-after-ms` header value.
  std::optional<double> body_retry_after;     ///< Adds `"retry_after": x` to the JSON body.
  std::optional<std::string> body;            ///< Raw body replacing the default one.
  /// Content-Type of #body; unset: JSON (e.g. `application/x-protobuf` for an OTLP answer or
  /// a google.rpc.Status).
  std::optional<std::string> content_type;
  /// Sleep before answering (interrupted by MockServer::stop()).
  std::chrono::milliseconds delay{0};
  /// Send the status line, the headers and part of the declared body, then close the
  /// connection: the client sees a transfer error, never a complete response.
  bool drop_connection = false;
  /// Answer 200 with a truncated (invalid) JSON body.
  bool malformed_json = false;
  /// Number of matching requests this fault applies to. A negative value applies it until
  /// clear_faults(); 0 never applies.
  int times = 1;
  std::string method;       ///< "" = any method; else compared case-insensitively.
  std::string path_prefix;  ///< "" = any path; else must prefix the request path.
};

/// The mock Respan server. See the file documentation.
///
/// Endpoints (all under `/api/`, trailing slash required):
/// - `POST request-logs/`, `POST request-logs/create/` (create span), `POST request-logs/bulk/`,
///   `POST request-logs/list/`, `GET request-logs/` (legacy list), `GET|PATCH request-logs/{uid}/`,
///   `POST request-logs/summary/`;
/// - `POST datasets/`, `POST datasets/list/`, `GET|PATCH|DELETE datasets/{id}/`;
/// - `POST datasets/{id}/logs/`, `POST datasets/{id}/logs/list/`,
///   `GET|PATCH|PUT|DELETE datasets/{id}/logs/{uid}/`, `POST datasets/{id}/logs/bulk/`,
///   `POST|DELETE datasets/{id}/logs/import/`, `GET|POST datasets/{id}/logs/summary/`,
///   `POST datasets/{id}/eval-reports/create/` (only the evaluators of
///   MockServerOptions::known_evaluators run), `GET datasets/{id}/eval-reports/list/`;
/// - traces: `POST traces/list/`, `GET|PATCH|DELETE traces/{tid}/`,
///   `POST traces/bulk/`, and without a key `GET {unique_organization_id}/traces/{tid}/`
///   (answers only for a trace shared with `PATCH {"is_public": true}` and the organization
///   MockServerOptions::organization_id);
/// - span ingest, the paths without a trailing slash (only these exact paths match):
///   `POST /api/v1/traces/ingest` (a bare JSON array of spans or `{"data": [...]}`; every
///   item needs `trace_unique_id` and `span_unique_id`, else the whole batch is refused with
///   400; answers `{"message": "Processed N spans"}`), and OTLP/HTTP on `POST /api/v2/traces`
///   and `POST /api/v1/traces` (where Respan's JavaScript tracer posts): an
///   `ExportTraceServiceRequest` in JSON (`application/json`) or protobuf
///   (`application/x-protobuf`; other types answer 415). Invalid spans are counted in
///   `{"partialSuccess": {"rejectedSpans": n, "errorMessage": ...}}`. A protobuf request is
///   decoded (bounded: a malformed varint, a length past the end, a known field of the wrong
///   wire type, a string that is not UTF-8, or values nested deeper than 64 levels answer
///   400) into the OTLP JSON form and validated as JSON is; it is answered in protobuf
///   (ExportTraceServiceResponse, empty for a full success; a google.rpc.Status for a
///   400). Any request body may be sent with `Content-Encoding: gzip` (see
///   MockServerOptions::max_payload_bytes);
/// - scores: `POST scores/`, `POST scores/list/`, `GET|PUT|PATCH|DELETE scores/{id}/`,
///   `GET|POST logs/{log_id}/scores/`, `GET|PUT|PATCH|DELETE logs/{log_id}/scores/{id}/`. A
///   log is a stored request log (`unique_id`) or ingested span (`span_unique_id`); unknown
///   logs answer 404 on the log-scoped routes and 400 on `POST scores/`. The log-scoped POST
///   keeps one score per (log, evaluator, scorer), the scorer being derived from the caller's
///   API key: a repeat overwrites it (200; 201 when created). Score pages' `count` is the
///   number of rows on the page, as documented;
/// - prompts: `POST prompts/`, `POST prompts/list/`, `POST prompts/summary/`,
///   `GET|PATCH|DELETE prompts/{id}/`, `GET|POST prompts/{id}/versions/`,
///   `GET|PATCH|DELETE prompts/{id}/versions/{n}/`, `POST prompts/{id}/commits/`,
///   `POST prompts/{id}/deployments/`. A created version is a draft; a commit freezes the
///   draft (read-only) and opens a new one; only committed versions deploy; `deploy: true`
///   commits and deploys at once; the live version cannot be deleted;
/// - customers: `POST users/list/`, `GET|PATCH|DELETE users/{customer_identifier}/`, derived
///   from the stored request logs' `customer_identifier` (per environment: the `environment`
///   query parameter, prod or test, else the key's) plus the profiles set by PATCH; a deleted
///   customer reappears only with logs stored after the deletion;
/// - threads: `POST log_threads/`, the stored request logs grouped by `thread_identifier` (in
///   the key's environment unless `environment` is given), most recent first.
///
/// OTLP spans map onto the fields ingest stores: `traceId`/`spanId`/`parentSpanId` (hex,
/// lower-cased) to `trace_unique_id`/`span_unique_id`/`span_parent_id`, `name` to
/// `span_name`, the start/end times to `start_time`/`timestamp`/`latency`, status code 2 to
/// `status: "error"` (+ `error_message`), and the attributes `gen_ai.request.model` (or
/// `gen_ai.response.model`) to `model`, `gen_ai.usage.{prompt,completion,total}_tokens` to
/// `prompt_tokens`/`completion_tokens`/`total_request_tokens` (`gen_ai.usage.input_tokens` and
/// `output_tokens` where the older names are absent), `gen_ai.usage.cache_read_input_tokens`
/// to `usage.cache_read_input_tokens`, `respan.span_params.custom_identifier` to
/// `custom_identifier`, `gen_ai.prompt.N.{role,content}`
/// to `prompt_messages` (also `input`), `gen_ai.completion.N.*` to `completion_message` (also
/// `output`), `respan.entity.log_type`, else `traceloop.span.kind`, else `llm.request.type`
/// to `log_type` (else `chat` with a model, `custom` without), `traceloop.workflow.name` to
/// `span_workflow_name`, `respan.customer_params.*`/`respan.customer.identifier`,
/// `respan.threads.thread_identifier`/`respan.thread.id`,
/// `respan.trace.trace_group_identifier`/`respan.trace_group.id`, and `respan.metadata.<key>`
/// / `respan.metadata` (a JSON object) to `metadata`; other attributes land in `metadata`
/// under their own key. A span is stored under its span id: sending it again (by either
/// route) replaces it. A trace is aggregated from its spans: root = the earliest span without
/// a parent in the trace, `name`/`input`/`output`/`metadata` from the root (input and output
/// as strings), `start_time`/`end_time`/`duration`, `span_count`, `llm_call_count` (spans of
/// a generation log type), `total_cost`, token totals and `error_count` (spans with status
/// `error`). Traces are listed when their `start_time` is in the window; sort key `timestamp`
/// (the default, `-timestamp`) is that start time. Trace rows and details carry `id` (the
/// trace's first-seen number as text) and `organization_id` (the same string as
/// `unique_organization_id`) as strings, as the official types do.
///
/// Spans created through `request-logs/` (single create, the `create/` alias, bulk create and
/// add_request_log()) with a non-empty `trace_unique_id` also form traces, as the trace
/// linkage fields of the create documents: each is stored in its trace under its
/// `span_unique_id` when the body carries one as a non-empty string, else under its
/// `unique_id` (what a child's `span_parent_id` then names); `span_parent_id` links it to its
/// parent (empty: a root), `span_name` / `span_workflow_name` name it. Such a span is
/// deduplicated with ingested spans by span id, is not listed by ingested_spans(), and a
/// `PATCH request-logs/{uid}/` refreshes its copy in the trace. The other direction does not
/// hold: ingested spans are not request logs, and deleting a trace leaves the request logs
/// of its spans in place [guess].
///
/// With MockServerOptions::ui the server also answers a local web viewer at `/ui` and its
/// read-only JSON endpoints under `/ui/api/` (mock-only paths, not part of the Respan API; see
/// the option).
///
/// With MockServerOptions::fake_openai it also answers `POST /v1/chat/completions` as a small
/// fake of OpenAI's Chat Completions API (streamed or not; see the option).
///
/// Error bodies take the documented form of each endpoint family (the error-handling page and
/// the official client's error types): span
/// validation answers 422 `{"error": "<field>: <message>; ..."}`; dataset endpoints answer 400
/// `{"message": ...}` and 404 `{"error": ...}`, and so do the trace, score, prompt, customer
/// and thread endpoints; everything else `{"detail": ...}`. Deletes of scores, prompts,
/// prompt versions and customers answer 204 without a body. A documented
/// field sent as `null` is refused; fields an endpoint does not document are ignored.
/// Unknown paths answer 404 `{"detail": "Not found."}`, a wrong method on a known path 405.
/// Every response body is JSON. Bodies of 1 KiB or more are compressed (brotli or gzip) when
/// the client's Accept-Encoding allows it, as a production front end would; smaller ones are
/// sent as is. Data survives stop()/start(); reset() clears it. Every store is bounded (the
/// `max_stored_*` options of MockServerOptions): a store that is full answers 507, or 400 for
/// the score, prompt and customer stores, and never keeps part of a request that does not fit.
class RESPAN_TESTING_EXPORT MockServer {
 public:
  explicit MockServer(MockServerOptions options = {});
  /// Stops the server.
  ~MockServer();
  MockServer(const MockServer&) = delete;
  MockServer& operator=(const MockServer&) = delete;

  /// Binds and starts accepting connections; returns once the server accepts requests.
  /// After a stop(), start() binds the same port again when MockServerOptions::port is 0.
  /// @throws std::runtime_error when the address cannot be bound, or when the TLS certificate
  /// or key (MockServerOptions::tls_cert_file) cannot be loaded.
  void start();
  /// Stops accepting, closes open connections and joins all threads. Idempotent.
  void stop();
  /// True between start() and stop().
  bool running() const;

  /// The bound port (0 before the first start()).
  int port() const;
  /// "http://127.0.0.1:PORT", or "https://127.0.0.1:PORT" when serving TLS (no `/api`
  /// suffix).
  std::string base_url() const;
  /// The accepted API key (MockServerOptions::api_key).
  const std::string& api_key() const;
  /// The options the server was created with.
  const MockServerOptions& options() const;

  /// Queues a fault; faults are tried in the order they were injected.
  void inject_fault(Fault fault);
  /// Removes every queued fault.
  void clear_faults();

  /// The requests received so far, in arrival order (including faulted and rejected ones),
  /// within MockServerOptions::max_recorded_requests and max_recorded_bytes: the oldest are
  /// forgotten first.
  std::vector<RecordedRequest> requests() const;
  /// Forgets the recorded requests.
  void clear_requests();
  /// TCP connections accepted since the server was created (across stop()/start(); not
  /// cleared by reset()). Lets tests check keep-alive reuse.
  std::size_t connections_accepted() const;
  /// TLS handshakes completed (full or resumed) since the server was created; 0 for plain
  /// HTTP. With connections_accepted(), shows whether a client reuses its TLS connections.
  std::size_t tls_handshakes() const;
  /// Of tls_handshakes(), those that resumed an earlier TLS session (abbreviated handshake).
  std::size_t tls_resumed_sessions() const;
  /// TLS handshakes that failed (e.g. the client did not trust the certificate and aborted).
  std::size_t tls_failed_handshakes() const;
  /// Waits until at least `count` requests have been answered (or dropped) since the last
  /// clear_requests()/reset(); false on timeout.
  bool wait_for_requests(std::size_t count, std::chrono::milliseconds timeout) const;

  /// Clears all stored data (spans, datasets, dataset logs, evaluation runs, pending jobs,
  /// scores, prompts, customer profiles), faults and recorded requests.
  void reset();

  /// Stored spans, in creation order, as the service stores them (after normalisation).
  std::vector<nlohmann::json> request_logs() const;
  /// Stores a span without HTTP, with the same validation and normalisation as
  /// `POST /api/request-logs/` (handy to seed old timestamps). `environment` defaults to
  /// MockServerOptions::environment unless the span sets it. Returns the stored span.
  /// @throws std::invalid_argument when the span is rejected (message = the error body).
  nlohmann::json add_request_log(nlohmann::json span);

  /// Datasets in creation order (the virtual `_saved_logs` collection excluded).
  std::vector<nlohmann::json> datasets() const;
  /// Creates a dataset without HTTP; `body` as for `POST /api/datasets/`. Returns it.
  /// @throws std::invalid_argument when rejected.
  nlohmann::json add_dataset(nlohmann::json body);
  /// Logs of a dataset in creation order (empty for an unknown dataset). `_saved_logs` works.
  std::vector<nlohmann::json> dataset_logs(const std::string& dataset_id) const;
  /// Adds a dataset log without HTTP (a seeding helper): `log` as for
  /// `POST /api/datasets/{id}/logs/` (`input` required), and unlike that endpoint it also
  /// stores `expected_output`, `prompt`, `completion`, `timestamp`, `model`, `log_type`,
  /// `custom_identifier` and `customer_identifier` when given. Returns the stored log (every
  /// stored field, not an endpoint's view). @throws std::invalid_argument when rejected or the
  /// dataset is unknown.
  nlohmann::json add_dataset_log(const std::string& dataset_id, nlohmann::json log);
  /// Evaluation tasks of a dataset, oldest first.
  std::vector<nlohmann::json> evaluation_runs(const std::string& dataset_id) const;

  /// Every stored score, oldest first, in the shape of `GET /api/scores/{id}/`.
  std::vector<nlohmann::json> scores() const;
  /// Every prompt, oldest first, in the shape of `GET /api/prompts/{id}/` plus `versions` (each
  /// in the shape of `GET /api/prompts/{id}/versions/{n}/`, oldest first).
  std::vector<nlohmann::json> prompts() const;

  /// Every span accepted by `POST /api/v1/traces/ingest` or `POST /api/v2/traces` (not the
  /// request logs that joined a trace), in arrival order (a span sent twice appears twice; the
  /// newest MockServerOptions::max_stored_trace_spans only),
  /// as stored: the ingest fields plus the derived ones (`start_time`, `timestamp`, `latency`,
  /// `prompt_tokens`, `completion_tokens`, `total_request_tokens`, `status`, `log_type`,
  /// `environment`), with `received_via` set to `"ingest"` or `"otlp"`. OTLP spans carry their
  /// ids as lower-case hex and their attributes mapped as described on the class.
  std::vector<nlohmann::json> ingested_spans() const;
  /// Every stored trace, first seen first, in the shape of `GET /api/traces/{tid}/` plus
  /// `is_public` (whether it is shared): the aggregated trace fields and `span_tree` (each node a
  /// stored span, without `received_via`, plus `children`; siblings ordered by start time).
  std::vector<nlohmann::json> traces() const;
  /// One trace as traces() gives it, or nullopt when no span of it is stored.
  std::optional<nlohmann::json> trace(const std::string& trace_unique_id) const;

  /// Runs the queued background work (only queued when
  /// MockServerOptions::immediate_background_jobs is false; otherwise a no-op).
  void complete_pending_jobs();
  /// Number of queued background jobs.
  std::size_t pending_job_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace respan::testing
