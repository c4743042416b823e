/// @file
/// respan::BatchLogger: asynchronous, batching span logging with an exact delivery ledger.
///
/// `log()` moves or copies the span into a bounded in-memory queue and returns: no I/O, no
/// JSON, no exception on the caller's thread. Two threads per logger do the rest: one
/// serializes the queued spans in batches, the other sends each batch (while the next one is
/// serialized) through `POST /api/request-logs/bulk/` (falling back to single creates where
/// that endpoint answers 404/405), retrying with backoff.
///
/// Every span given to log() and kept by sampling (PrivacyOptions::sample_ratio) ends in
/// exactly one counted state of the DeliveryReport: delivered, rejected (the server refused
/// it; with its reason), dropped (never sent, or given up; with a reason) or still pending.
/// `logged == delivered + rejected + dropped + pending` holds in every snapshot; spans
/// sampled out are counted apart (`sampled_out`). Spans delivered in a batch that was resent after
/// an ambiguous failure (a timeout or a reset after the request was sent) are also counted in
/// `possibly_duplicated`: the server may hold two copies of them.
///
/// @code
/// respan::BatchLogger logger(client);            // default BatchOptions
/// logger.log(std::move(span));                   // returns at once
/// respan::DeliveryReport r = logger.shutdown(std::chrono::seconds(5));  // or shutdown(): no limit
/// @endcode
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <respan/client.hpp>
#include <respan/export.hpp>
#include <respan/json.hpp>
#include <respan/models/request_log.hpp>
#include <respan/privacy.hpp>

namespace respan {

struct TraceSpan;

namespace detail {
class BatchSink;
struct BatchLoggerAccess;
}  // namespace detail

/// What log() does when the queue is full (in spans or in bytes).
enum class OverflowPolicy {
  drop_newest,  ///< The span being logged is dropped (the default; log() never waits).
  drop_oldest,  ///< The oldest queued span is dropped to make room.
  block,        ///< log() waits up to BatchOptions::block_timeout, then drops the new span.
};

/// Why a span was dropped.
enum class DropReason {
  queue_full,  ///< The queue was full (see OverflowPolicy).
  shutdown,    ///< Still pending when the shutdown deadline passed, or logged after shutdown.
  invalid,     ///< Refused locally: no model, a non-finite number, a null where a value is
               ///< needed, nesting deeper than 128 levels.
  too_large,   ///< Its JSON alone exceeds BatchOptions::max_batch_bytes.
  internal,    ///< The SDK could not keep it: out of memory, a thread that could not start,
               ///< or an exception in the logger's threads.
  /// Sent, but the answer was lost (timeout, reset after sending) and the client's
  /// ClientOptions::span_delivery is SpanDelivery::at_most_once, so it was not sent again:
  /// the server may or may not have stored it.
  unacknowledged,
  /// A Tracer's span still open (never ended) when the tracer shut down: counted, not sent.
  unended,
  /// Sent and answered 2xx, but the answer did not confirm it: not of the documented shape
  /// (an HTML page, an empty body), contradicting itself, or confirming fewer rows than the
  /// request carried. The server may or may not have stored it; it is not resent (a second
  /// copy could be stored twice). The README's "What the server's answer proves" table has
  /// the rules.
  unconfirmed,
  /// PrivacyOptions::filter returned false, or threw (see DeliveryReport::filter_failures).
  filtered,
};

/// The name of a drop reason ("queue_full", ...).
RESPAN_EXPORT std::string_view to_string(DropReason reason) noexcept;

/// Counters of a BatchLogger. All are cumulative since construction and read together, so
/// `logged == delivered + rejected + dropped + pending` always holds. Spans given to log()
/// number `logged + sampled_out`.
struct RESPAN_EXPORT DeliveryReport {
  std::uint64_t logged = 0;     ///< Spans given to log() and kept by sampling.
  std::uint64_t delivered = 0;  ///< Confirmed stored by the server's answer.
  std::uint64_t rejected = 0;   ///< Refused by the server, with its reason (via on_event).
  std::uint64_t dropped = 0;    ///< Sum of the dropped_* counters.
  std::uint64_t pending = 0;    ///< Queued or being sent.

  std::uint64_t dropped_queue_full = 0;      ///< DropReason::queue_full
  std::uint64_t dropped_shutdown = 0;        ///< DropReason::shutdown
  std::uint64_t dropped_invalid = 0;         ///< DropReason::invalid
  std::uint64_t dropped_too_large = 0;       ///< DropReason::too_large
  std::uint64_t dropped_internal = 0;        ///< DropReason::internal
  std::uint64_t dropped_unacknowledged = 0;  ///< DropReason::unacknowledged
  std::uint64_t dropped_unended = 0;         ///< DropReason::unended
  std::uint64_t dropped_unconfirmed = 0;     ///< DropReason::unconfirmed
  std::uint64_t dropped_filtered = 0;        ///< DropReason::filtered

  /// Spans sampled out by PrivacyOptions::sample_ratio: given to log() but not counted in
  /// #logged (never queued, never sent, not a drop).
  std::uint64_t sampled_out = 0;
  /// Spans dropped because PrivacyOptions::filter threw (a subset of #dropped_filtered).
  std::uint64_t filter_failures = 0;
  /// Spans sent with at least one string replaced by kMaskFailedMarker because the masking
  /// hook threw (not a span state: they count as usual). Also reported to on_event
  /// (DeliveryEvent::Kind::mask_failed).
  std::uint64_t mask_failures = 0;
  /// Spans sent with at least one string cut by PrivacyOptions::max_field_bytes or
  /// max_span_bytes (not a span state). Also reported to on_event (DeliveryEvent::Kind::truncated).
  std::uint64_t truncated = 0;

  /// Delivered spans that were in a request sent again after an ambiguous failure: the
  /// server may have stored them twice. A subset of #delivered, not a separate state.
  /// Always 0 under SpanDelivery::at_most_once (see DropReason::unacknowledged).
  std::uint64_t possibly_duplicated = 0;

  /// Fields left out of spans that were still sent: a NaN or infinite number (which JSON
  /// cannot carry), e.g. a NaN `cost`, is dropped with the member (or whole array) holding
  /// it, and the rest of the span goes out. Not a span state: such spans count as usual.
  /// Each is also reported to on_event (DeliveryEvent::Kind::fields_dropped).
  std::uint64_t fields_dropped = 0;

  std::uint64_t requests = 0;     ///< HTTP requests sent (each attempt counts).
  std::uint64_t retries = 0;      ///< Attempts that were repeats of a failed one.
  std::uint64_t splits = 0;       ///< Batches split in two (413, or a 400/422 to isolate a row).
  bool bulk_unavailable = false;  ///< The bulk endpoint answered 404/405: single creates used.

  /// Spans in the queue (not yet taken by the exporter) and their accounted bytes.
  std::uint64_t queued = 0;
  std::uint64_t queued_bytes = 0;

  /// The latest failure, as one line: a failed attempt that will be retried ("delivery
  /// attempt failed, retrying: HTTP 503: ..."), a rejection, or a drop; empty while there has
  /// been none. Not cleared by later successes. The first failure of a logger is also reported
  /// once: to ClientOptions::log when it is set, else on stderr.
  std::string last_error;
  /// The HTTP status of #last_error (0 when it was not an HTTP answer).
  int last_error_status = 0;

  /// True when nothing is pending.
  bool complete() const noexcept { return pending == 0; }
  /// True when every logged span was delivered.
  bool all_delivered() const noexcept { return delivered == logged; }
};

/// The report as one JSON object: {"logged": ..., "delivered": ..., "rejected": ...,
/// "dropped": ..., "pending": ..., "dropped_by_reason": {...}, "sampled_out": ...,
/// "filter_failures": ..., "mask_failures": ..., "truncated": ..., ...}.
RESPAN_EXPORT void to_json(Json& j, const DeliveryReport& r);

/// A rejection or a drop, reported to BatchOptions::on_event from the logger's threads.
struct RESPAN_EXPORT DeliveryEvent {
  enum class Kind {
    rejected,        ///< The server refused #span; #message holds its reason.
    dropped,         ///< #count spans were dropped for #reason.
    fields_dropped,  ///< #span is sent without #count fields that held a non-finite
                     ///< number; #message names them ("left out 1 non-finite number:
                     ///< cost"). Not a drop: the span goes on.
    mask_failed,     ///< The masking hook threw on #count strings of #span, which are sent as
                     ///< kMaskFailedMarker; #message names them. Not a drop.
    truncated,       ///< #count strings of #span were cut by a size limit; #message names
                     ///< them. Not a drop.
  };
  Kind kind = Kind::dropped;
  DropReason reason = DropReason::queue_full;  ///< For Kind::dropped.
  std::uint64_t count = 1;                     ///< Spans this event covers.
  int http_status = 0;                         ///< For Kind::rejected: the server's status.
  std::string message;                         ///< The server's reason, or ours.
  /// The span itself when it is still at hand (rejections, invalid, too large, shutdown),
  /// so the caller can keep it elsewhere; nullptr for spans no longer held (queue_full).
  /// Valid during the callback only.
  const RequestLog* span = nullptr;
  /// For a Tracer's spans: the span with its ids (its `log` is #span). Valid during the
  /// callback only; nullptr otherwise.
  const TraceSpan* trace_span = nullptr;
};

/// Settings of a BatchLogger. A value outside its documented range, or contradicting another
/// (max_backoff below min_backoff), is refused:
/// BatchLogger::create() returns an invalid_argument Error naming it (the constructor throws
/// it as ApiError), as ClientOptions does. `std::chrono::milliseconds::max()` is accepted for
/// every duration: no limit where a limit is optional (block_timeout, shutdown_timeout), the
/// largest value of the range elsewhere; negative durations are refused.
struct RESPAN_EXPORT BatchOptions {
  /// Most spans per bulk request, 1..500 (the API's limit); a batch never holds more than
  /// max_queue_spans (options() then shows that smaller figure).
  std::size_t max_batch_spans = 500;
  /// Most bytes of JSON per bulk request (64 KiB..16 MiB); a span alone larger than this is
  /// dropped as too_large.
  std::size_t max_batch_bytes = 4u * 1024u * 1024u;
  /// A batch is sent when it is full or when its oldest span has waited this long (1 ms..1 h).
  std::chrono::milliseconds flush_interval{1000};

  /// Queue capacity in spans (spans being sent count too), at least 1.
  std::size_t max_queue_spans = 100000;
  /// Queue capacity in bytes (at least 64 KiB), estimated from the spans' in-memory size; spans
  /// being sent and their request bodies count too. Memory held by queued spans stays below this
  /// while the server is down or slow. When half of either capacity is used, batches are sent
  /// without waiting for flush_interval.
  std::size_t max_queue_bytes = 64u * 1024u * 1024u;
  OverflowPolicy overflow = OverflowPolicy::drop_newest;
  /// For OverflowPolicy::block: the longest log() waits for room (max(): until there is room).
  std::chrono::milliseconds block_timeout{100};

  /// Backoff between attempts of a failed batch: doubling from min_backoff to
  /// max_backoff, with jitter; a server's Retry-After (or equivalent) is honoured up to
  /// max_backoff. A batch is retried until it succeeds, is refused, or the logger shuts
  /// down (it never gives up on its own while there is time).
  std::chrono::milliseconds min_backoff{100};
  /// Longest wait between attempts (see min_backoff), min_backoff..1 h; min_backoff is 1 ms..1 h.
  std::chrono::milliseconds max_backoff{30000};
  /// Timeout of one HTTP attempt, up to 24 h (0: the client's request_timeout).
  std::chrono::milliseconds request_timeout{0};

  /// Deadline the destructor gives shutdown() (max(): no limit).
  std::chrono::milliseconds shutdown_timeout{5000};

  /// Called from the logger's own threads, one call at a time (never concurrently, never
  /// from log()), for each rejection and drop (drops on overflow are
  /// reported in aggregate). Exceptions it throws are caught and ignored. It must not call
  /// flush() or shutdown() of the same logger. Spans it is given have been through
  /// #privacy (masked, cut) except for DropReason::filtered and drops before export.
  std::function<void(const DeliveryEvent&)> on_event;

  /// Masking, content capture, sampling, filtering and size limits (respan/privacy.hpp).
  PrivacyOptions privacy;
};

/// Asynchronous batching span logger. Thread-safe: log(), stats(), flush() and shutdown()
/// may be called from any thread. Movable, not copyable; a moved-from logger drops what it is
/// given (log() returns false) and reports zeros.
class RESPAN_EXPORT BatchLogger {
 public:
  /// A logger with its two threads started, or an invalid_argument Error naming the option
  /// out of range (see BatchOptions), or an internal Error when the threads cannot start.
  /// The client's transport, base URL, key and headers are used; its retry settings are not
  /// (the logger retries on its own, see BatchOptions).
  ///
  /// @code
  /// respan::Result<respan::BatchLogger> logger = respan::BatchLogger::create(client);
  /// if (!logger) return logger.error();
  /// logger->log(std::move(span));
  /// @endcode
  static Result<BatchLogger> create(RespanClient client, BatchOptions options = {});

  /// Like create(), throwing the Error as ApiError (invalid_argument for unusable options,
  /// internal when the threads cannot be started; nothing is left running then).
  ///
  /// After `fork()`, a logger inherited by the child starts a fresh ledger and fresh threads
  /// on its first call there: the parent's queued spans stay the parent's (it delivers them),
  /// no connection of the parent is reused, and every call returns within its timeout.
  explicit BatchLogger(RespanClient client, BatchOptions options = {});
  /// shutdown(options.shutdown_timeout). Never hangs past that timeout (plus the time a
  /// running on_event callback takes).
  ~BatchLogger();
  BatchLogger(BatchLogger&&) noexcept;
  /// Shuts this logger down first (options().shutdown_timeout), then takes `other`'s.
  BatchLogger& operator=(BatchLogger&& other) noexcept;
  BatchLogger(const BatchLogger&) = delete;
  BatchLogger& operator=(const BatchLogger&) = delete;

  /// Queues a span. Never throws, never does I/O or JSON work; blocks only with
  /// OverflowPolicy::block. Returns false when the span was dropped at once (queue full,
  /// after shutdown, out of memory); the drop is counted either way.
  bool log(RequestLog&& span) noexcept;
  /// Copies and queues a span; see log(RequestLog&&).
  bool log(const RequestLog& span) noexcept;

  /// The counters now.
  DeliveryReport stats() const;

  /// Sends everything logged before this call without waiting for the flush interval, and
  /// waits until it is delivered, rejected or dropped, or until `timeout` passes
  /// (`milliseconds::max()`: no limit; negative: none). Returns the counters then (pending > 0
  /// if the timeout passed first).
  DeliveryReport flush(std::chrono::milliseconds timeout);
  /// flush() without a deadline: returns when everything logged before the call is settled.
  DeliveryReport flush();

  /// Stops accepting spans (later log() calls drop them, reason shutdown), sends what is
  /// queued until `timeout` passes, then drops what is left (reason shutdown, the in-flight
  /// request cancelled) and joins the logger's threads (`milliseconds::max()`: no limit).
  /// Returns within about 50 ms of `timeout` even while a request hangs. Idempotent: later
  /// calls wait for the first to finish and return the final counters, which then have
  /// pending == 0. Called from on_event it only returns the counters.
  DeliveryReport shutdown(std::chrono::milliseconds timeout);
  /// shutdown() without a deadline: returns when every logged span is settled (a server that
  /// stays down keeps it waiting; pass a timeout to bound it).
  DeliveryReport shutdown();

  /// The options in use (durations given as max() saturated, see BatchOptions).
  const BatchOptions& options() const noexcept;

 private:
  friend struct detail::BatchLoggerAccess;  // the Tracer's sinks and spans
  BatchLogger(RespanClient client, BatchOptions options,
              std::shared_ptr<const detail::BatchSink> sink);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace respan
