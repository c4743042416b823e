// Internal: where a BatchLogger delivers its batches. The queue, the exporter and sender
// threads, the retries and the ledger are the BatchLogger's; a sink says only how one span
// becomes one row, how rows make a request, and how the answer is read:
// - request-log bulk (`POST /api/request-logs/bulk/`, {"logs":[...]}; single creates when the
//   endpoint answers 404/405): BatchLogger's default;
// - trace ingest (`POST /api/v1/traces/ingest`, {"data":[...]} or a bare array) and OTLP/HTTP
//   JSON or protobuf (`POST /api/v2/traces`, `/api/v1/traces`, or an OpenTelemetry
//   Collector): the Tracer's (src/tracing/).
// A sink also says which retry classifier applies to its endpoint and on which statuses a
// request is split (classify(), splits_on()).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <respan/batch_logger.hpp>
#include <respan/export.hpp>
#include <respan/models/common.hpp>
#include <respan/options.hpp>
#include <respan/result.hpp>

#include "batch/answers.hpp"
#include "http/pipeline.hpp"
#include "http/retry_class.hpp"

namespace respan {
struct TraceSpan;
}

namespace respan::detail {

struct FieldDrops;

class BatchSink {
 public:
  virtual ~BatchSink() = default;

  /// Most rows in one request (the endpoint's limit).
  virtual std::size_t max_rows() const noexcept { return 500; }

  /// Serializes one span as one row of a body, appended to `out`. Returns why the span cannot
  /// be sent (it is then dropped as DropReason::invalid, and `out` is left as it was), or
  /// nullopt. With `drops`, a field holding a non-finite number is left out and recorded
  /// there, and the rest of the span is sent (the logger's rule); without, the span is refused.
  virtual std::optional<std::string> encode(const TraceSpan& span, std::string& out,
                                            FieldDrops* drops = nullptr) const = 0;

  /// The text before and after the comma-separated rows of a request body.
  virtual std::string_view body_prefix() const noexcept = 0;
  virtual std::string_view body_suffix() const noexcept = 0;

  /// Sends one request carrying `body` (`rows` rows) once (the logger retries), and reads a
  /// 2xx answer with the one decoder of batch answers (batch/answers.hpp). `body` is moved
  /// into the request and handed back in `body` for a retry.
  virtual Result<RowVerdicts> send(const Pipeline& pipeline, std::string& body, std::size_t rows,
                                   const RequestOptions& options) const = 0;

  /// Path of one-span creates to fall back to when the batch endpoint answers 404/405, or
  /// nullptr when there is none (a 404 is then a rejection).
  virtual const char* single_path() const noexcept { return nullptr; }

  /// Whether a failed request may be tried again and whether the receiver may have acted on
  /// it (http/retry_class.hpp): classify_failure() for Respan's endpoints,
  /// classify_collector_failure() for an OpenTelemetry Collector.
  virtual FailureClass classify(const Error& e) const noexcept { return classify_failure(e); }

  /// Whether a request answered with `status` is split in two to isolate the rows the
  /// receiver refuses (within the logger's splitting budget) rather than rejected whole:
  /// Respan's endpoints split on 400, 413 and 422.
  virtual bool splits_on(int status) const noexcept {
    return status == 413 || status == 400 || status == 422;
  }

  /// True when the endpoint de-duplicates spans by their id, so that re-sending a request the
  /// server may already have processed cannot store a span twice: ambiguous failures are then
  /// retried whatever ClientOptions::span_delivery says and not counted possibly_duplicated.
  virtual bool deduplicates() const noexcept { return false; }

  /// Names the endpoint in log lines.
  virtual std::string describe() const = 0;
};

/// After `after` thread starts that succeed, makes the next `count` thread starts of BatchLoggers
/// fail (a fault-injection hook for tests: the constructor then throws ApiError with
/// ErrorCode::internal).
RESPAN_EXPORT void inject_thread_start_failures(int count, int after = 0) noexcept;

/// The request-log bulk sink (BatchLogger's default; also used by the respan CLI's upload).
RESPAN_EXPORT std::shared_ptr<const BatchSink> request_log_bulk_sink();

/// What the Tracer uses of a BatchLogger beyond its public API.
struct RESPAN_EXPORT BatchLoggerAccess {
  /// A logger delivering to `sink`; its DeliveryEvents carry DeliveryEvent::trace_span.
  static std::unique_ptr<BatchLogger> make(RespanClient client, BatchOptions options,
                                           std::shared_ptr<const BatchSink> sink);
  /// Queues a span as BatchLogger::log() does (never throws; false when dropped at once).
  static bool log(BatchLogger& logger, std::unique_ptr<TraceSpan> span) noexcept;
  /// Counts spans that were never ended as logged and dropped (DropReason::unended) and
  /// reports each to on_event with its description.
  static void count_unended(BatchLogger& logger, const std::vector<std::string>& descriptions);
};

}  // namespace respan::detail
