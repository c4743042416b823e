// respan::BatchLogger: a bounded queue filled by log() on the callers' threads, drained by an
// exporter thread that serializes batches into request bodies and hands each to a sender
// thread, which sends it while the next one is serialized (at most one batch waits).
//
// Accounting: every span gets a sequence number when logged. Under `mu_` the counters
// logged/delivered/rejected/dropped change together with the queue, so a snapshot is always
// consistent (pending = logged - delivered - rejected - dropped). Spans taken by the exporter
// ("in flight") and the request bodies made of them keep counting against the queue caps
// until they are settled, so memory stays within max_queue_spans/max_queue_bytes whatever the
// server does. flush() waits until no span with a sequence number below its target is
// unsettled. A row is delivered only on the evidence of the server's answer, read by the one
// decoder of batch answers (batch/answers.hpp).
//
// Process lifecycle: the mutable state (queue, ledger, locks, threads) is a Core the logger
// owns. In a child process after fork() the parent's Core is abandoned (its threads do not
// exist there, its locks may be held by them) and a fresh one takes over, whose threads start
// on the child's first call (util/fork.hpp). Every wait saturates: duration::max() is no limit.

#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include <respan/batch_logger.hpp>
#include <respan/tracing.hpp>

#include "batch/core.hpp"
#include "batch_sink.hpp"
#include "models/encode.hpp"
#include "util/fork.hpp"

namespace respan {

std::string_view to_string(DropReason reason) noexcept {
  switch (reason) {
    case DropReason::queue_full:
      return "queue_full";
    case DropReason::shutdown:
      return "shutdown";
    case DropReason::invalid:
      return "invalid";
    case DropReason::too_large:
      return "too_large";
    case DropReason::internal:
      return "internal";
    case DropReason::unacknowledged:
      return "unacknowledged";
    case DropReason::unended:
      return "unended";
    case DropReason::unconfirmed:
      return "unconfirmed";
    case DropReason::filtered:
      return "filtered";
  }
  return "internal";
}

void to_json(Json& j, const DeliveryReport& r) {
  j = Json{{"logged", r.logged},
           {"delivered", r.delivered},
           {"rejected", r.rejected},
           {"dropped", r.dropped},
           {"pending", r.pending},
           {"dropped_by_reason",
            {{"queue_full", r.dropped_queue_full},
             {"shutdown", r.dropped_shutdown},
             {"invalid", r.dropped_invalid},
             {"too_large", r.dropped_too_large},
             {"internal", r.dropped_internal},
             {"unacknowledged", r.dropped_unacknowledged},
             {"unended", r.dropped_unended},
             {"unconfirmed", r.dropped_unconfirmed},
             {"filtered", r.dropped_filtered}}},
           {"sampled_out", r.sampled_out},
           {"filter_failures", r.filter_failures},
           {"mask_failures", r.mask_failures},
           {"truncated", r.truncated},
           {"possibly_duplicated", r.possibly_duplicated},
           {"fields_dropped", r.fields_dropped},
           {"requests", r.requests},
           {"retries", r.retries},
           {"splits", r.splits},
           {"bulk_unavailable", r.bulk_unavailable},
           {"queued", r.queued},
           {"queued_bytes", r.queued_bytes}};
  if (!r.last_error.empty()) {
    j["last_error"] = r.last_error;
    if (r.last_error_status > 0) j["last_error_status"] = r.last_error_status;
  }
}

namespace {

using detail::batch::Config;
using detail::batch::Core;
using detail::batch::validate_options;
using std::chrono::milliseconds;

constexpr const char* kBulkPath = "/api/request-logs/bulk/";
constexpr const char* kCreatePath = "/api/request-logs/";

// ---------------------------------------------------------------- request-log bulk sink
// {"logs":[...]} to the bulk endpoint, single creates where it answers 404/405.
class RequestLogBulkSink final : public detail::BatchSink {
 public:
  std::optional<std::string> encode(const TraceSpan& span, std::string& out,
                                    detail::FieldDrops* drops = nullptr) const override {
    const RequestLog& log = span.log;
    if (log.model.empty()) return std::string("RequestLog.model: required");
    // Straight to text (no Json DOM), checked as check_body() would (models/emit.hpp).
    Result<void> encoded = drops != nullptr
                               ? detail::encode_text_dropping(log, "RequestLog", out, *drops)
                               : detail::encode_text(log, "RequestLog", out);
    if (!encoded) return encoded.error().message;
    return std::nullopt;
  }
  std::string_view body_prefix() const noexcept override { return "{\"logs\":["; }
  std::string_view body_suffix() const noexcept override { return "]}"; }
  Result<detail::RowVerdicts> send(const detail::Pipeline& pipeline, std::string& body,
                                   std::size_t rows, const RequestOptions& options) const override {
    detail::ApiRequest req{
        HttpMethod::post, kBulkPath, {}, std::nullopt, detail::Idempotency::span_create,
        std::move(body)};
    Result<detail::Reply> r = pipeline.execute_lending(req, options);
    body = std::move(*req.body_text);  // kept for a retry
    if (!r) return std::move(r).error();
    return detail::read_answer(detail::AnswerShape::bulk, r->http.body, rows);
  }
  const char* single_path() const noexcept override { return kCreatePath; }
  std::string describe() const override { return kBulkPath; }
};

}  // namespace

std::shared_ptr<const detail::BatchSink> detail::request_log_bulk_sink() {
  static const auto sink = std::make_shared<const RequestLogBulkSink>();
  return sink;
}

struct BatchLogger::Impl final : detail::ForkAware {
  Impl(std::shared_ptr<const detail::Pipeline> pipeline, BatchOptions options,
       std::shared_ptr<const detail::BatchSink> sink, bool trace_events) {
    cfg.pipeline = std::move(pipeline);
    cfg.sink = std::move(sink);
    cfg.trace_events = trace_events;
    Result<BatchOptions> checked = validate_options(std::move(options), cfg.sink->max_rows());
    if (!checked) throw ApiError(std::move(checked).error());
    cfg.opt = std::move(checked).value();
    cfg.body_overhead = cfg.sink->body_prefix().size() + cfg.sink->body_suffix().size();
    cfg.sample_threshold = sampling_threshold(cfg.opt.privacy.sample_ratio);
    cfg.privacy = detail::privacy_active(cfg.opt.privacy);
    auto core = std::make_unique<Core>(cfg);
    core->start();  // throws ApiError(internal)
    if (!detail::register_fork_aware(this)) {
      core->shutdown(milliseconds(0));
      throw ApiError(Error::make(ErrorCode::internal, "BatchLogger: out of memory"));
    }
    core_ = core.release();
  }

  ~Impl() {
    detail::unregister_fork_aware(this);
    // A Core whose threads still run (shutdown was called from one of them) is left alone.
    if (core_ != nullptr && core_->joined()) delete core_;
  }

  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // In a forked child: the parent's Core is abandoned (never destroyed: its threads are gone
  // and its locks may be held); a fresh one starts its threads on the first call.
  void on_fork_child() noexcept override { core_ = new (std::nothrow) Core(cfg); }

  Config cfg;
  Core* core_ = nullptr;  // null only in a child where the new Core could not be allocated
};

BatchLogger::BatchLogger(RespanClient client, BatchOptions options)
    : impl_(std::make_unique<Impl>(client.pipeline_, std::move(options),
                                   detail::request_log_bulk_sink(), false)) {}

BatchLogger::BatchLogger(RespanClient client, BatchOptions options,
                         std::shared_ptr<const detail::BatchSink> sink)
    : impl_(std::make_unique<Impl>(client.pipeline_, std::move(options), std::move(sink), true)) {}

std::unique_ptr<BatchLogger> detail::BatchLoggerAccess::make(
    RespanClient client, BatchOptions options, std::shared_ptr<const BatchSink> sink) {
  return std::unique_ptr<BatchLogger>(
      new BatchLogger(std::move(client), std::move(options), std::move(sink)));
}

bool detail::BatchLoggerAccess::log(BatchLogger& logger, std::unique_ptr<TraceSpan> span) noexcept {
  Core* core = logger.impl_->core_;
  if (core == nullptr) return false;
  if (span && core->sampled_out(span->log.trace_unique_id)) return true;  // not a drop
  try {
    return core->enqueue(std::move(span));
  } catch (...) {
    return core->log_failed();
  }
}

void detail::BatchLoggerAccess::count_unended(BatchLogger& logger,
                                              const std::vector<std::string>& descriptions) {
  if (Core* core = logger.impl_->core_) core->count_unended(descriptions);
}

Result<BatchLogger> BatchLogger::create(RespanClient client, BatchOptions options) {
  try {
    return BatchLogger(std::move(client), std::move(options));
  } catch (const ApiError& ex) {  // unusable options, or threads that could not start
    return ex.error();
  } catch (const std::exception& ex) {
    return Error::make(ErrorCode::internal, std::string("cannot start the logger: ") + ex.what());
  }
}

BatchLogger::BatchLogger(BatchLogger&&) noexcept = default;

BatchLogger& BatchLogger::operator=(BatchLogger&& other) noexcept {
  if (this != &other) {
    if (impl_ && impl_->core_ != nullptr) {
      try {
        impl_->core_->shutdown(impl_->cfg.opt.shutdown_timeout);
      } catch (...) {
      }
    }
    impl_ = std::move(other.impl_);
  }
  return *this;
}

BatchLogger::~BatchLogger() {
  if (!impl_ || impl_->core_ == nullptr) return;
  try {
    impl_->core_->shutdown(impl_->cfg.opt.shutdown_timeout);
  } catch (...) {  // a destructor must not throw; the threads have been joined or never ran
  }
}

bool BatchLogger::log(RequestLog&& span) noexcept {
  if (!impl_) return false;  // moved from
  Core* core = impl_->core_;
  if (core == nullptr) return false;
  if (core->sampled_out(span.trace_unique_id)) return true;  // before any allocation
  try {
    return core->enqueue(
        std::unique_ptr<TraceSpan>(new TraceSpan{std::move(span), {}, {}, 0, 0, false}));
  } catch (...) {
    return core->log_failed();
  }
}

bool BatchLogger::log(const RequestLog& span) noexcept {
  if (!impl_) return false;  // moved from
  Core* core = impl_->core_;
  if (core == nullptr) return false;
  if (core->sampled_out(span.trace_unique_id)) return true;  // before the copy
  try {
    return core->enqueue(std::unique_ptr<TraceSpan>(new TraceSpan{span, {}, {}, 0, 0, false}));
  } catch (...) {
    return core->log_failed();
  }
}

DeliveryReport BatchLogger::stats() const {
  return impl_ && impl_->core_ ? impl_->core_->stats() : DeliveryReport{};
}

DeliveryReport BatchLogger::flush() {
  return flush(std::chrono::milliseconds::max());
}

DeliveryReport BatchLogger::flush(std::chrono::milliseconds timeout) {
  return impl_ && impl_->core_ ? impl_->core_->flush(timeout) : DeliveryReport{};
}

DeliveryReport BatchLogger::shutdown() {
  return shutdown(std::chrono::milliseconds::max());
}

DeliveryReport BatchLogger::shutdown(std::chrono::milliseconds timeout) {
  return impl_ && impl_->core_ ? impl_->core_->shutdown(timeout) : DeliveryReport{};
}

const BatchOptions& BatchLogger::options() const noexcept {
  static const BatchOptions kDefaults;
  return impl_ ? impl_->cfg.opt : kDefaults;
}

}  // namespace respan
