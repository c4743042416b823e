/// @file
/// respan::Tracer: RAII trace spans (a workflow, its steps on any thread, its LLM calls)
/// delivered asynchronously through the BatchLogger's queue, exporter and ledger.
///
/// A Span fills its own ids, parent, names and times; the setters add the LLM fields. A span
/// ends when end() is called or when it is destroyed, and is then queued (no I/O on the
/// caller's thread). A span destroyed during stack unwinding is marked as an error.
///
/// @code
/// respan::Tracer tracer(client);                        // trace ingest (the default)
/// {
///   respan::Span root = tracer.start_trace("answer_question");
///   respan::Span plan = tracer.start_span("plan");      // child of this thread's current span
///   plan.end();
///   std::thread tool([&tracer, ctx = root.context()] {
///     respan::Span s = tracer.start_span("search", ctx);   // explicit parent on another thread
///     s.set_log_type(respan::LogType::tool());
///   });
///   respan::Span llm = root.child("llm");
///   llm.set_model("gpt-4o").set_usage(12, 6).set_cost(0.0001);
///   tool.join();
/// }
/// respan::DeliveryReport report = tracer.shutdown(std::chrono::seconds(5));
/// @endcode
///
/// Exporters (TracerOptions::exporter): the Respan trace ingest endpoint
/// (`POST /api/v1/traces/ingest`, the default), or OTLP/HTTP, either to Respan (with the API
/// key: JSON to `POST /api/v2/traces`, protobuf to `POST /api/v1/traces`) or to an
/// OpenTelemetry Collector named by TracerOptions::otlp_endpoint or the `OTEL_EXPORTER_OTLP_*`
/// variables (Tracer::from_env()). OTLP bodies are JSON (`http/json`) or protobuf
/// (`http/protobuf`, TracerOptions::otlp_protocol), optionally gzip-compressed
/// (TracerOptions::otlp_compression).
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <respan/batch_logger.hpp>
#include <respan/client.hpp>
#include <respan/export.hpp>
#include <respan/json.hpp>
#include <respan/models/common.hpp>
#include <respan/models/request_log.hpp>
#include <respan/result.hpp>

namespace respan {

/// One finished span as the tracer delivers it: the span fields of a RequestLog (those of span
/// create) plus what only trace ingest has. `log.model` may be empty (a workflow or tool
/// span): it is then not sent.
struct RESPAN_EXPORT TraceSpan {
  /// The span fields. The tracer fills `trace_unique_id`, `span_parent_id` (unset for a
  /// root), `span_name` and `span_workflow_name`; `start_time`, `timestamp` and `latency`
  /// are derived from the times below when left unset.
  RequestLog log;
  /// This span's id: 16 lowercase hex digits, never all zero (client-generated).
  std::string span_unique_id;
  /// Optional `span_path`.
  std::optional<std::string> span_path;
  /// Start and end, nanoseconds since the Unix epoch (UTC); 0 = unknown.
  std::int64_t start_unix_nanos = 0;
  std::int64_t end_unix_nanos = 0;  ///< See #start_unix_nanos.
  /// True for an errored span (status `error`; OTLP status code 2).
  bool error = false;
  /// The model's provider (e.g. `openai`, `anthropic`): `provider_id` in trace ingest,
  /// `gen_ai.provider.name` in OTLP. Unset: OTLP names the provider of a well-known model
  /// family (`gpt-*` is `openai`, `claude-*` `anthropic`, ...), else leaves it out.
  std::optional<std::string> provider_id{};
  /// The type of the exception that failed the span (Span::record_exception()), e.g.
  /// `std::runtime_error`: `exception.type` (and `error.type`) in OTLP; in trace ingest it
  /// prefixes `error_message` ("std::runtime_error: what()").
  std::optional<std::string> exception_type{};
};

/// Where a Tracer delivers spans.
enum class TraceExporter {
  respan_ingest,  ///< `POST {base_url}/api/v1/traces/ingest` (the default).
  otlp,           ///< OTLP/HTTP: Respan's `/api/v2/traces` (`/api/v1/traces` for
                  ///< protobuf), or a collector.
};

/// The OTLP/HTTP encoding of TraceExporter::otlp (`OTEL_EXPORTER_OTLP_PROTOCOL`).
enum class OtlpProtocol {
  http_json,      ///< `application/json`, the OTLP JSON mapping (the default).
  http_protobuf,  ///< `application/x-protobuf`: OpenTelemetry's default, about half the bytes.
};

/// Compression of OTLP request bodies (`OTEL_EXPORTER_OTLP_COMPRESSION`).
enum class OtlpCompression {
  none,  ///< Sent as is (the default).
  gzip,  ///< `Content-Encoding: gzip`.
};

/// The body shape of trace ingest requests (the endpoint accepts both).
enum class IngestBody {
  data_object,  ///< `{"data": [spans]}` (the default).
  bare_array,   ///< `[spans]`.
};

/// Settings of a Tracer.
struct RESPAN_EXPORT TracerOptions {
  TraceExporter exporter = TraceExporter::respan_ingest;
  /// For TraceExporter::respan_ingest.
  IngestBody ingest_body = IngestBody::data_object;
  /// For TraceExporter::otlp: the full URL of a collector's traces endpoint, used as is
  /// (e.g. `http://localhost:4318/v1/traces`). Empty: Respan, with the client's API key
  /// (`{base_url}/api/v2/traces` for JSON, `{base_url}/api/v1/traces` for protobuf, where
  /// Respan's own JavaScript tracer posts it). The Respan API key is never sent to a
  /// collector; give an `Authorization` in #otlp_headers if the collector wants one.
  ///
  /// Towards a collector the OTLP/HTTP rules apply: only 429, 502, 503, 504 and network
  /// failures are retried (honouring `Retry-After`); any other status is final for the whole
  /// request (a 400 is neither retried nor split; its spans are counted rejected with the
  /// collector's message), except 413, whose request is split in two.
  std::string otlp_endpoint;
  /// For TraceExporter::otlp: headers sent with every export. Names must be HTTP tokens,
  /// values free of control characters; the headers the SDK sets are refused, except
  /// `Authorization` towards a collector.
  ///
  /// A collector reached over plain `http://` on a host other than loopback must not be given
  /// an `Authorization` header or any header whose name looks secret (contains `key`,
  /// `token`, `secret`, `auth`, `password` or `signature`, in any case): such options are
  /// refused (Tracer::create() returns invalid_argument) unless #allow_insecure_collector.
  std::map<std::string, std::string> otlp_headers;
  /// For TraceExporter::otlp: JSON (the default) or protobuf bodies.
  OtlpProtocol otlp_protocol = OtlpProtocol::http_json;
  /// For TraceExporter::otlp: gzip the bodies (for batches of typical chat spans, about a
  /// twentieth of the bytes of plain JSON; a third for a request of one span).
  OtlpCompression otlp_compression = OtlpCompression::none;
  /// Allows secret-looking #otlp_headers towards a plain-`http://` collector on a non-loopback
  /// host (they then cross the network in clear text). Off by default.
  bool allow_insecure_collector = false;
  /// OTLP resource attribute `service.name`.
  std::string service_name = "respan-cpp";
  /// Further OTLP resource attributes (string values).
  std::map<std::string, std::string> resource_attributes;
  /// Queue, batching, retry and shutdown settings, and the on_event callback (whose
  /// DeliveryEvent::trace_span points at the span concerned). Spans never ended are reported
  /// to on_event from the thread that calls Tracer::shutdown() (still one call at a time).
  BatchOptions batch;
};

namespace detail {
struct CurrentStack;
}  // namespace detail

/// A span context made current on one thread (SpanContext::make_current(),
/// Span::make_current()), until this scope is destroyed or reset(). Movable, not copyable;
/// it may be destroyed on any thread (the context then leaves the thread that made it
/// current). Scopes nest: the innermost live one is the current parent.
class RESPAN_EXPORT ContextScope {
 public:
  /// An empty scope (makes nothing current).
  ContextScope() noexcept = default;
  ContextScope(ContextScope&& other) noexcept;
  /// Ends this scope first, then takes `other`'s.
  ContextScope& operator=(ContextScope&& other) noexcept;
  ContextScope(const ContextScope&) = delete;
  ContextScope& operator=(const ContextScope&) = delete;
  ~ContextScope();
  /// Ends the scope now (later calls do nothing).
  void reset() noexcept;
  /// True while the scope holds a context current.
  bool active() const noexcept { return token_ != 0; }

 private:
  friend class SpanContext;
  std::shared_ptr<detail::CurrentStack> stack_;
  std::uint64_t token_ = 0;
};

/// The parent of a span, as a value that can be copied to other threads (or rebuilt from
/// ids received from elsewhere).
class RESPAN_EXPORT SpanContext {
 public:
  /// An invalid context (a span started with it begins a new trace).
  SpanContext() = default;
  /// A context from hex ids (32 and 16 hex digits, not all zero; either case); nullopt when
  /// they are malformed.
  static std::optional<SpanContext> from_ids(const std::string& trace_unique_id,
                                             const std::string& span_unique_id,
                                             std::string workflow_name = {});
  /// True when this names a span.
  bool valid() const noexcept { return span_id_ != 0; }
  /// 32 lowercase hex digits ("" when invalid).
  std::string trace_unique_id() const;
  /// 16 lowercase hex digits ("" when invalid).
  std::string span_unique_id() const;
  /// The workflow (root span) name children inherit.
  const std::string& workflow_name() const noexcept;

  /// Makes this context the current parent on the calling thread until the returned scope
  /// ends: Tracer::start_span(name) there nests under it. A context from a Span (or
  /// Tracer::current_context()) applies to its own tracer; one made by from_ids() (a parent
  /// received from another process) to every tracer. An invalid context gives an empty scope.
  [[nodiscard]] ContextScope make_current() const;

 private:
  friend class Tracer;
  friend class Span;
  std::uint64_t tracer_id_ = 0;  // 0: any tracer (a context made from ids)
  std::uint64_t trace_hi_ = 0;
  std::uint64_t trace_lo_ = 0;
  std::uint64_t span_id_ = 0;
  std::shared_ptr<const std::string> workflow_;
};

namespace detail {
struct TracerState;
struct SpanState;
/// The demangled type name of an exception (e.g. `std::runtime_error`).
RESPAN_EXPORT std::string exception_type_name(const std::exception& e);
}  // namespace detail

/// A span of a trace: started by a Tracer (or Span::child()), ended by end() or its
/// destructor, then queued for delivery. Movable, not copyable. One Span is used by one thread
/// at a time; other threads start children through context().
///
/// A span becomes the current span of the thread that started it until it ends, so
/// Tracer::start_span(name) nests under it. A span may be ended on any thread: it then stops
/// being current on the thread that started it. make_current() makes it current on another
/// thread too, for a scope.
class RESPAN_EXPORT Span {
 public:
  /// A span that records nothing (every call is a no-op).
  Span() noexcept;
  Span(Span&& other) noexcept;
  /// Ends this span first, then takes `other`'s.
  Span& operator=(Span&& other) noexcept;
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;
  /// Ends the span; during stack unwinding (an exception thrown since the span started and
  /// not yet caught) it is marked as an error first.
  ~Span();

  /// True until the span is ended (false for a default-constructed or moved-from Span).
  bool recording() const noexcept;
  /// This span as a parent for spans on other threads (invalid for a non-recording span).
  SpanContext context() const;
  /// 32 lowercase hex digits ("" when not recording).
  std::string trace_unique_id() const;
  /// 16 lowercase hex digits ("" when not recording).
  std::string span_unique_id() const;

  /// A child span (it becomes the current span of the calling thread). A non-recording
  /// span gives a non-recording child.
  Span child(std::string name) const;

  /// Makes this span the current parent on the calling thread until the scope ends (e.g. on
  /// a worker thread that was handed the span):
  /// @code
  /// respan::Span request = tracer.start_span("request");
  /// std::thread worker([&] {
  ///   auto scope = request.make_current();
  ///   respan::Span step = tracer.start_span("step");  // a child of `request`
  /// });
  /// worker.join();
  /// @endcode
  [[nodiscard]] ContextScope make_current() const;

  /// The model (e.g. "gpt-4o"); a span with a model and no log type is sent as "chat".
  Span& set_model(std::string model);
  /// The span's kind: workflow (root spans' default), task (children's default), tool, ...
  Span& set_log_type(LogType type);
  /// The universal input / output (text, an object or messages).
  Span& set_input(SpanIO input);
  Span& set_output(SpanIO output);  ///< See set_input().
  /// Chat input messages.
  Span& set_prompt_messages(std::vector<Message> messages);
  /// The assistant's reply.
  Span& set_completion_message(Message message);
  /// Token counts (also sent as `usage`).
  Span& set_usage(std::int64_t prompt_tokens, std::int64_t completion_tokens);
  /// The provider's usage object (prompt/completion tokens taken from it when present).
  Span& set_usage(Usage usage);
  /// Cost in USD.
  Span& set_cost(double usd);
  /// Sets one metadata key (metadata is an object).
  Span& set_metadata(const std::string& key, Json value);
  /// Replaces the metadata object.
  Span& set_metadata(Json object);
  /// The customer this span serves.
  Span& set_customer(std::string customer_identifier);
  /// The customer with e-mail and name (`customer_params`).
  Span& set_customer(CustomerParams customer);
  /// The model's provider (TraceSpan::provider_id), e.g. "openai".
  Span& set_provider(std::string provider_id);
  /// Marks the span as an error (status `error`) with a message.
  Span& set_error(std::string message);
  /// Marks the span as failed by `e`: status `error`, `error_message` = `e.what()` and
  /// TraceSpan::exception_type = its dynamic type, demangled (e.g. `std::runtime_error`).
  Span& record_exception(const std::exception& e);
  /// The same for any exception, e.g. `std::current_exception()` in a `catch (...)`; one not
  /// derived from std::exception is recorded as an error without a type. A null pointer does
  /// nothing.
  Span& record_exception(const std::exception_ptr& e);
  /// Every field of the span, for what the setters do not cover. The ids, names and times
  /// the tracer fills are overwritten at end(), except times set here.
  RequestLog& fields();

  /// Ends the span and queues it. Later calls do nothing.
  void end() noexcept;

 private:
  friend class Tracer;
  explicit Span(std::unique_ptr<detail::SpanState> state) noexcept;
  std::unique_ptr<detail::SpanState> state_;
};

/// Creates spans and delivers them through a batching exporter with the BatchLogger's
/// delivery ledger. Thread-safe. Movable (spans keep what they need, so a span may outlive
/// its Tracer: it is then counted as dropped, reason shutdown).
///
/// A span still open when shutdown() runs is counted as `logged` and dropped with
/// DropReason::unended (on_event names it), and is not sent when it ends later.
class RESPAN_EXPORT Tracer {
 public:
  /// Validates the options and starts the exporter; throws ApiError (invalid_argument) on
  /// unusable options, ApiError (internal) when the exporter's threads cannot be started.
  /// See create(). After fork(), a tracer inherited by a child forgets the parent's open
  /// spans, reseeds its ids and delivers through a fresh exporter (see BatchLogger).
  explicit Tracer(RespanClient client, TracerOptions options = {});
  /// A tracer, or an invalid_argument Error naming the unusable option, or an internal Error
  /// when the exporter's threads cannot be started.
  static Result<Tracer> create(RespanClient client, TracerOptions options = {});
  /// Like create(), with settings from the environment over `defaults`:
  /// `RESPAN_TRACING_EXPORTER` (`respan` or `otlp`); for OTLP, the collector's
  /// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (used as is) or `OTEL_EXPORTER_OTLP_ENDPOINT`
  /// (+ `/v1/traces`), `OTEL_EXPORTER_OTLP_HEADERS` and `OTEL_EXPORTER_OTLP_TRACES_HEADERS`
  /// (comma-separated `key=value`, percent-decoded; the latter wins per key),
  /// `OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT` (ms), `OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL`
  /// (`http/json` or `http/protobuf`; `grpc` is refused),
  /// `OTEL_EXPORTER_OTLP_[TRACES_]COMPRESSION` (`gzip` or `none`), `OTEL_SERVICE_NAME` and
  /// `OTEL_RESOURCE_ATTRIBUTES`; the traces-specific variable wins over the general one. An
  /// empty variable counts as unset.
  static Result<Tracer> from_env(RespanClient client, TracerOptions defaults = {});

  Tracer(Tracer&&) noexcept;
  /// Shuts this tracer down first, then takes `other`'s.
  Tracer& operator=(Tracer&&) noexcept;
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;
  /// shutdown(options().batch.shutdown_timeout).
  ~Tracer();

  /// Starts a new trace: a root span named `name`, which is also the workflow name of every
  /// span under it. It becomes the current span of the calling thread.
  Span start_trace(std::string name);
  /// A child of the calling thread's current span of this tracer (the innermost span started
  /// on this thread and not yet ended, whichever thread ends it), or a new trace when there
  /// is none.
  Span start_span(std::string name);
  /// A child of `parent` (e.g. another thread's span); a new trace when `parent` is invalid.
  Span start_span(std::string name, const SpanContext& parent);

  /// Runs `f` in a new span named `name` (started as start_span(name) is), calling `f(span)`
  /// when `f` takes a `Span&`, else `f()`, and returns what `f` returns. An exception leaving
  /// `f` is recorded on the span (Span::record_exception()) and rethrown; the span ends when
  /// `f` returns or throws.
  /// @code
  /// int n = tracer.in_span("parse", [&](respan::Span& s) { s.set_model("gpt-4o"); return 42; });
  /// std::cout << n << '\n';  // 42
  /// @endcode
  template <class F>
  decltype(auto) in_span(std::string name, F&& f);

  /// The calling thread's current span of this tracer (see start_span(name)), invalid when
  /// there is none.
  SpanContext current_context() const;

  /// `f` wrapped so that it runs under the calling thread's current span (captured now)
  /// wherever it is called: for `std::async`, thread pools and executors. Spans started in it
  /// with start_span(name) are children of that span.
  /// @code
  /// auto fut = std::async(std::launch::async, tracer.wrap([&] {
  ///   respan::Span s = tracer.start_span("worker");  // a child of the caller's span
  /// }));
  /// @endcode
  template <class F>
  auto wrap(F&& f) const;

  /// The counters now (see DeliveryReport).
  DeliveryReport stats() const;
  /// Spans started and not yet ended.
  std::uint64_t open_spans() const;
  /// Sends every ended span now and waits up to `timeout` (see BatchLogger::flush()).
  DeliveryReport flush(std::chrono::milliseconds timeout);
  /// flush() without a deadline.
  DeliveryReport flush();
  /// Counts the spans still open as dropped (DropReason::unended), then shuts the exporter
  /// down (see BatchLogger::shutdown(); `milliseconds::max()` is no limit). Idempotent.
  DeliveryReport shutdown(std::chrono::milliseconds timeout);
  /// shutdown() without a deadline (see BatchLogger::shutdown()).
  DeliveryReport shutdown();

  /// The options in effect (after from_env()).
  const TracerOptions& options() const noexcept;
  /// The URL spans are posted to.
  const std::string& endpoint() const noexcept;

 private:
  friend class Span;
  struct Validated {};
  Tracer(Validated, RespanClient client, TracerOptions options);
  static Span start(const std::shared_ptr<detail::TracerState>& state, std::string name,
                    const SpanContext& parent);
  std::shared_ptr<detail::TracerState> state_;
};

/// Marks a request log as failed by `e` (for BatchLogger users): status `error` and
/// `error_message` "type: what()" (e.g. "std::runtime_error: boom").
RESPAN_EXPORT void record_exception(RequestLog& log, const std::exception& e);

template <class F>
decltype(auto) Tracer::in_span(std::string name, F&& f) {
  Span span = start_span(std::move(name));
  try {
    if constexpr (std::is_invocable_v<F&&, Span&>) {
      return std::invoke(std::forward<F>(f), span);
    } else {
      return std::invoke(std::forward<F>(f));
    }
  } catch (...) {
    span.record_exception(std::current_exception());
    throw;
  }
}

template <class F>
auto Tracer::wrap(F&& f) const {
  return [ctx = current_context(),
          fn = std::decay_t<F>(std::forward<F>(f))](auto&&... args) mutable -> decltype(auto) {
    ContextScope scope = ctx.make_current();
    return std::invoke(fn, std::forward<decltype(args)>(args)...);
  };
}

}  // namespace respan
