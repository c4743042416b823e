// Internal: the BatchLogger's working state, one Core per process (a forked child gets a
// fresh one, see batch_logger.cpp). Its jobs live in one file each, around one lock:
// - queue.cpp: admission (caps, overflow policy, wake-ups), flush, shutdown, lifecycle;
// - batcher.cpp: the exporter thread, which takes batches and writes request bodies;
// - sender.cpp: the sender thread: attempts, backoff, splitting with a budget, fallbacks;
// - ledger.cpp: settling rows in the counters and reporting them to on_event;
// - answers.cpp: the one decoder of batch answers; estimate.cpp: the memory estimate.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <respan/batch_logger.hpp>
#include <respan/tracing.hpp>

#include "batch/answers.hpp"
#include "batch_sink.hpp"
#include "http/pipeline.hpp"
#include "models/json_io.hpp"
#include "privacy/apply.hpp"

namespace respan::detail::batch {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::size_t kApiMaxBatch = 500;

/// `now + d`, saturated: duration::max() (or anything past the clock's range) is no deadline
/// (Clock::time_point::max()), a negative duration is now.
Clock::time_point deadline_after(milliseconds d);

/// cv.wait_until(), or cv.wait() when `until` is no deadline.
template <class Pred>
bool wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lk,
                Clock::time_point until, Pred pred) {
  if (until == Clock::time_point::max()) {
    cv.wait(lk, pred);
    return true;
  }
  return cv.wait_until(lk, until, pred);
}

/// Starts a thread, or throws std::system_error (also when a test asked for it to fail, see
/// inject_thread_start_failures()).
std::thread start_thread(std::function<void()> body);

/// ceil(log2(n)) for n >= 1.
inline int ceil_log2(std::size_t n) {
  int k = 0;
  while ((std::size_t{1} << k) < n && k < 63)
    ++k;
  return k;
}

// What every Core of one logger shares (a child process's Core too): never changes.
struct Config {
  std::shared_ptr<const Pipeline> pipeline;
  std::shared_ptr<const BatchSink> sink;
  bool trace_events = false;  // DeliveryEvent::trace_span is set (a Tracer's logger)
  BatchOptions opt;
  std::size_t body_overhead = 0;       // the sink's body prefix and suffix
  std::uint64_t sample_threshold = 0;  // sampling_threshold(opt.privacy.sample_ratio)
  bool privacy = false;                // the exporter applies opt.privacy (privacy_active())
};

/// The options as the logger uses them (duration::max() saturated to the longest value each
/// takes), or an invalid_argument Error naming the first option out of its range or
/// contradicting another (util/options_check.hpp has the rule ClientOptions follows too).
Result<BatchOptions> validate_options(BatchOptions o, std::size_t max_rows);

enum class Outcome { delivered, rejected, dropped };

struct Item {
  std::unique_ptr<TraceSpan> span;
  std::uint64_t seq = 0;
  std::size_t bytes = 0;  // the span's estimated memory, counted against max_queue_bytes
  Clock::time_point logged_at;
};

// A span taken by the exporter. Its JSON is the slice [off, off + len) of its piece's body.
struct Row {
  Item item;
  bool settled = false;
  std::size_t off = 0;
  std::size_t len = 0;
};

// Requests sent to isolate the rows a server refuses by splitting a request, for one request
// as the exporter made it: at most 2*ceil(log2(n)) + 2 in all, then the rows left are
// rejected with the server's last reason.
struct SplitBudget {
  int left = 0;
  int status = 0;
  std::string reason;
};

// One request body and its rows.
struct Piece {
  std::string body;  // prefix, rows separated by commas, suffix
  std::vector<Row*> rows;
  std::size_t accounted = 0;  // body bytes counted in inflight_bytes_
  std::shared_ptr<SplitBudget> budget;
};

// One batch taken from the queue: serialized into pieces by the exporter thread, then sent
// by the sender thread while the exporter serializes the next one.
struct Batch {
  std::vector<Row> rows;
  std::deque<Piece> pieces;  // bodies not yet sent (splits add theirs at the front)
  std::size_t cursor = 0;    // rows before it are settled
};

class Core {
 public:
  explicit Core(const Config& cfg) : cfg_(cfg), cancel_(std::make_shared<CancellationToken>()) {}
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  // Starts both threads; on failure stops what started and throws ApiError(internal).
  void start();

  // ------------------------------------------------------------------ caller side
  bool enqueue(std::unique_ptr<TraceSpan> span);

  // Head sampling (PrivacyOptions::sample_ratio): true, and counted, when a span of
  // `trace_id` is sampled out. Never allocates.
  bool sampled_out(const std::optional<std::string>& trace_id) noexcept;

  bool log_failed() noexcept;

  DeliveryReport stats() const;

  DeliveryReport flush(milliseconds timeout);

  DeliveryReport shutdown(milliseconds timeout);

  // True on the logger's own threads (on_event runs there).
  bool on_own_thread() const noexcept {
    const auto me = std::this_thread::get_id();
    return me == exporter_.get_id() || me == sender_.get_id();
  }

  // True when no thread of this Core is left to join (it may be destroyed).
  bool joined() const noexcept { return !exporter_.joinable() && !sender_.joinable(); }

  // Spans a Tracer started and never ended: logged and dropped at once (pending unchanged).
  void count_unended(const std::vector<std::string>& descriptions);

 private:
  const BatchOptions& opt() const noexcept { return cfg_.opt; }

  bool start_locked(std::unique_lock<std::mutex>& lk);

  bool fits(std::size_t bytes) const;
  // Half the queue's capacity (spans or bytes) is used: send without waiting.
  bool pressed() const;

  DeliveryReport snapshot_locked() const;

  // No span logged before `target` (a sequence number) is unsettled.
  bool settled_before(std::uint64_t target) const;

  // ------------------------------------------------------------------ exporter thread
  void run() noexcept;

  // Waits for and serializes one batch; false when the exporter is done. `lk` is held on
  // entry and on return.
  bool export_once(std::unique_lock<std::mutex>& lk);

  // Serializes the rows of a batch into request bodies within max_batch_bytes (exporter
  // thread). Rows that cannot be sent are settled dropped.
  void prepare(Batch& batch);

  // Request bodies count against max_queue_bytes: a piece's reserve from the moment it is
  // made, its capacity once written. Without an on_event callback a span is no longer needed
  // once its piece is written, so it is destroyed then (and its estimate released): a batch
  // never holds its spans and all its bodies at once.
  void write_pieces(Batch& batch, std::size_t& provisional);

  // ------------------------------------------------------------------ sender thread
  void send_loop() noexcept;

  // Removes a batch whose rows are all settled from the in-flight list and destroys it
  // outside the lock producers take.
  void retire(std::unique_ptr<Batch> batch) noexcept;

  // Settles every unsettled row of a batch as dropped (never throws).
  void fail_batch(Batch& batch, const std::string& why,
                  DropReason reason = DropReason::internal) noexcept;

  void release_body_locked(Piece& p) noexcept;

  void send_all(Batch& batch);

  // Releases a piece's body from the byte accounting when it goes out of scope.
  struct BodyRelease {
    Core& core;
    Piece& piece;
    ~BodyRelease() {
      std::lock_guard<std::mutex> lk(core.mu_);
      core.release_body_locked(piece);
    }
  };

  static constexpr const char* kUnacknowledged =
      "sent, but the answer was lost; not resent (SpanDelivery::at_most_once)";

  // Whether an ambiguous failure must not be resent. A sink whose endpoint de-duplicates by
  // span id (trace ingest) resends whatever span_delivery says: a second copy replaces the
  // first, so at-least-once costs nothing there.
  bool at_most_once() const;
  // Whether a resend after an ambiguous failure may store a span twice.
  bool may_duplicate() const { return !cfg_.sink->deduplicates(); }

  bool bulk_unavailable();

  bool aborting();

  RequestOptions attempt_options();

  void count_request(int attempt);

  // Sleeps before the next attempt (`retry` = 0 for the first repeat); false when the
  // logger is aborting.
  bool backoff(const Error& e, int retry);

  static std::string reason_of(const Error& e);

  void settle_rows(const std::vector<Row*>& rows, Outcome outcome, DropReason reason, int status,
                   const std::string& why);

  void send_piece(Piece& p, std::deque<Piece>& work);

  // Splits a piece's rows in two pieces at the front of `work`, each with its own body.
  void split(Piece& p, std::deque<Piece>& work);

  void send_single(Row& row, const std::string& body);

  static RowVerdicts read_single_answer(const std::string& body);

  // ------------------------------------------------------------------ the ledger
  void settle_verdicts(const std::vector<Row*>& rows, const RowVerdicts& v,
                       bool possibly_duplicated);

  // Settles one row (under the lock), then reports it (outside). Never throws.
  void settle(Row& row, Outcome outcome, DropReason reason, int status, const std::string& why,
              bool possibly_duplicated) noexcept;

  std::uint64_t& drop_counter(DropReason reason);

  // Rows are in sequence order and mostly settle in order: a cursor per batch over its
  // settled prefix keeps this amortised O(1). Batches are in order too.
  void update_inflight_min_locked();

  // Wakes flush() and blocked producers if rows were settled since the last call.
  void wake_waiters();

  void drop_queue_locked(std::unique_lock<std::mutex>& lk);

  void set_span(DeliveryEvent& e, const TraceSpan* span) const;

  void notify_drop(DropReason reason, std::uint64_t count, const std::string& why,
                   const TraceSpan* span);

  // Counts the fields a span was sent without (non-finite numbers) and reports them.
  void note_fields_dropped(const FieldDrops& drops, const TraceSpan* span) noexcept;

  // Applies the privacy options to a row's span (exporter thread); false when the row was
  // settled (filtered out, or the SDK failed while applying them: the span is not sent).
  bool apply_privacy_to(Row& row, PrivacyOutcome& outcome);

  // Counts a span sent with strings the masking hook failed on, or cut by a size limit, and
  // reports them (DeliveryEvent::Kind::mask_failed, truncated).
  void note_privacy(const PrivacyOutcome& outcome, const TraceSpan* span) noexcept;

  void emit(const DeliveryEvent& e) noexcept;

  // Keeps a failure (a failed attempt, a rejection, a drop) as DeliveryReport::last_error,
  // and reports the first one of this logger once: to the client's log callback when set,
  // else on stderr. Never throws.
  void note_failure(int status, const std::string& what) noexcept;

  const Config& cfg_;
  std::shared_ptr<CancellationToken> cancel_;

  mutable std::mutex mu_;
  std::mutex event_mu_;               // on_event calls never overlap
  std::condition_variable work_cv_;   // the exporter waits for work
  std::condition_variable space_cv_;  // blocked producers wait for room
  std::condition_variable done_cv_;   // flush/shutdown wait for settlements
  std::deque<Item> queue_;
  std::size_t queue_bytes_ = 0;
  std::size_t inflight_spans_ = 0;
  std::size_t inflight_bytes_ = 0;  // in-flight spans' estimates and their request bodies
  std::uint64_t inflight_min_seq_ = std::numeric_limits<std::uint64_t>::max();
  std::vector<Batch*> inflight_;        // taken from the queue, not yet fully settled; in order
  std::unique_ptr<Batch> handoff_;      // serialized, waiting for the sender
  std::condition_variable handoff_cv_;  // exporter <-> sender, and backoff sleeps
  bool serializer_done_ = false;        // the exporter thread has finished
  bool wake_pending_ = false;
  std::uint64_t next_seq_ = 0;
  std::uint64_t flush_target_ = 0;
  std::uint64_t overflow_drops_ = 0;  // not yet reported to on_event
  std::uint64_t late_drops_ = 0;      // logged after shutdown, not yet reported
  DeliveryReport counters_;
  bool failure_reported_ = false;  // the first failure went to the log callback or stderr
  bool stopping_ = false;
  bool abort_ = false;
  bool exited_ = false;
  bool started_ = false;
  bool start_failed_ = false;
  std::string start_error_;
  Clock::time_point abort_at_{};

  std::mutex shutdown_mu_;
  bool joined_ = false;
  DeliveryReport final_;
  std::thread exporter_;
  std::thread sender_;
};

}  // namespace respan::detail::batch
