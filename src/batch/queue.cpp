// The BatchLogger's admission and lifecycle: log() on the callers' threads (caps, overflow
// policy, wake-ups), flush(), shutdown(), starting the threads.
#include <algorithm>
#include <atomic>
#include <system_error>
#include <utility>

#include "batch/core.hpp"
#include "batch/estimate.hpp"
#include "util/options_check.hpp"

namespace respan::detail::batch {

namespace {
std::atomic<int> g_failing_thread_starts{0};
std::atomic<int> g_thread_starts_before_failing{0};
}  // namespace

Clock::time_point deadline_after(milliseconds d) {
  const Clock::time_point now = Clock::now();
  if (d.count() <= 0) return now;
  const auto room = std::chrono::duration_cast<milliseconds>(Clock::time_point::max() - now);
  return d >= room ? Clock::time_point::max() : now + d;
}

std::thread start_thread(std::function<void()> body) {
  for (int k = g_thread_starts_before_failing.load(); k > 0;) {
    if (g_thread_starts_before_failing.compare_exchange_weak(k, k - 1))
      return std::thread(std::move(body));
  }
  for (int n = g_failing_thread_starts.load(); n > 0;) {
    if (g_failing_thread_starts.compare_exchange_weak(n, n - 1))
      throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again),
                              "thread start refused (fault injection)");
  }
  return std::thread(std::move(body));
}

Result<BatchOptions> validate_options(BatchOptions o, std::size_t max_rows) {
  // The rule ClientOptions follows (util/options_check.hpp): duration::max() is the longest
  // value an option takes (no limit at all for block_timeout and shutdown_timeout), any other
  // value outside its range is refused.
  saturate(o.flush_interval, kHour);
  saturate(o.min_backoff, kHour);
  saturate(o.max_backoff, kHour);
  saturate(o.request_timeout, kDay);
  const std::size_t batch_limit = std::min(kApiMaxBatch, max_rows);
  if (o.max_batch_spans < 1 || o.max_batch_spans > batch_limit) {
    return invalid_option("BatchOptions::max_batch_spans must be between 1 and " +
                          std::to_string(batch_limit) + " (got " +
                          std::to_string(o.max_batch_spans) + ")");
  }
  if (o.max_queue_spans < 1)
    return invalid_option("BatchOptions::max_queue_spans must be at least 1");
  // A queue smaller than a batch is a small queue, not a contradiction: batches then hold
  // at most the whole queue (documented at BatchOptions::max_batch_spans).
  o.max_batch_spans = std::min(o.max_batch_spans, o.max_queue_spans);
  constexpr std::size_t kKiB = 1024;
  if (o.max_batch_bytes < 64 * kKiB || o.max_batch_bytes > 16 * kKiB * kKiB) {
    return invalid_option("BatchOptions::max_batch_bytes must be between 64 KiB and 16 MiB (got " +
                          std::to_string(o.max_batch_bytes) + ")");
  }
  if (o.max_queue_bytes < 64 * kKiB) {
    return invalid_option("BatchOptions::max_queue_bytes must be at least 64 KiB (got " +
                          std::to_string(o.max_queue_bytes) + ")");
  }
  if (o.overflow != OverflowPolicy::drop_newest && o.overflow != OverflowPolicy::drop_oldest &&
      o.overflow != OverflowPolicy::block) {
    return invalid_option("BatchOptions::overflow is not an OverflowPolicy");
  }
  const milliseconds unlimited = milliseconds::max();
  if (auto e =
          check_duration("BatchOptions::flush_interval", o.flush_interval, milliseconds(1), kHour))
    return *e;
  if (auto e = check_duration("BatchOptions::block_timeout", o.block_timeout, milliseconds(0),
                              unlimited))
    return *e;
  if (auto e = check_duration("BatchOptions::min_backoff", o.min_backoff, milliseconds(1), kHour))
    return *e;
  if (auto e = check_duration("BatchOptions::max_backoff", o.max_backoff, o.min_backoff, kHour)) {
    e->message += " (at least min_backoff)";
    return *e;
  }
  if (auto e = check_duration("BatchOptions::request_timeout", o.request_timeout, milliseconds(0),
                              kDay)) {
    e->message += "; 0 uses the client's request_timeout";
    return *e;
  }
  if (auto e = check_duration("BatchOptions::shutdown_timeout", o.shutdown_timeout, milliseconds(0),
                              unlimited))
    return *e;
  if (std::string why = check_privacy(o.privacy); !why.empty()) return invalid_option(why);
  o.privacy = effective_privacy(std::move(o.privacy));
  return o;
}

// Starts both threads; on failure stops what started and throws ApiError(internal).
void Core::start() {
  std::unique_lock<std::mutex> lk(mu_);
  if (!start_locked(lk)) {
    throw ApiError(
        Error::make(ErrorCode::internal, "BatchLogger: cannot start its threads: " + start_error_));
  }
}

// ------------------------------------------------------------------ caller side
bool Core::enqueue(std::unique_ptr<TraceSpan> span) {
  const std::size_t bytes = estimate_bytes(*span);  // may throw: nothing counted yet
  std::deque<Item> evicted;                         // destroyed after the lock is released
  std::unique_lock<std::mutex> lk(mu_);
  ++counters_.logged;
  if (stopping_) {
    ++counters_.dropped_shutdown;
    ++late_drops_;
    return false;
  }
  if (!started_ && !start_locked(lk)) {  // a forked child's first call
    ++counters_.dropped_internal;
    return false;
  }
  if (!fits(bytes)) {
    work_cv_.notify_one();  // under pressure the exporter must not sleep out its interval
    if (opt().overflow == OverflowPolicy::drop_oldest) {
      while (!fits(bytes) && !queue_.empty()) {
        queue_bytes_ -= queue_.front().bytes;
        evicted.push_back(std::move(queue_.front()));
        queue_.pop_front();
        ++counters_.dropped_queue_full;
        ++overflow_drops_;
      }
      if (!evicted.empty()) done_cv_.notify_all();  // a flush may wait for those
    } else if (opt().overflow == OverflowPolicy::block) {
      wait_until(space_cv_, lk, deadline_after(opt().block_timeout),
                 [&] { return stopping_ || fits(bytes); });
      if (stopping_) {
        ++counters_.dropped_shutdown;
        ++late_drops_;
        return false;
      }
    }
    if (!fits(bytes)) {
      ++counters_.dropped_queue_full;
      ++overflow_drops_;
      return false;
    }
  }
  const bool was_empty = queue_.empty();
  try {
    queue_.push_back(Item{std::move(span), next_seq_, bytes, Clock::now()});
  } catch (...) {
    ++counters_.dropped_internal;
    return false;
  }
  ++next_seq_;
  queue_bytes_ += bytes;
  // Wake the exporter on the first span, on a full batch (in spans or bytes), and under
  // pressure; otherwise it sleeps until the oldest span's flush_interval.
  if (was_empty || queue_.size() == opt().max_batch_spans ||
      (queue_bytes_ >= opt().max_batch_bytes && queue_bytes_ - bytes < opt().max_batch_bytes) ||
      pressed())
    work_cv_.notify_one();
  return true;
}

bool Core::log_failed() noexcept {
  try {
    std::lock_guard<std::mutex> lk(mu_);
    ++counters_.logged;
    ++counters_.dropped_internal;
  } catch (...) {  // a mutex that cannot be locked: nothing can be counted
  }
  return false;
}

DeliveryReport Core::stats() const {
  std::lock_guard<std::mutex> lk(mu_);
  return snapshot_locked();
}

DeliveryReport Core::flush(milliseconds timeout) {
  const Clock::time_point until = deadline_after(timeout);
  std::unique_lock<std::mutex> lk(mu_);
  const std::uint64_t target = next_seq_;
  flush_target_ = std::max(flush_target_, target);
  work_cv_.notify_one();
  wait_until(done_cv_, lk, until, [&] { return exited_ || settled_before(target); });
  return snapshot_locked();
}

DeliveryReport Core::shutdown(milliseconds timeout) {
  const Clock::time_point until = deadline_after(timeout);
  if (on_own_thread()) return stats();  // from on_event: cannot wait for itself
  std::lock_guard<std::mutex> once(shutdown_mu_);
  if (joined_) return final_;
  {
    std::unique_lock<std::mutex> lk(mu_);
    stopping_ = true;
    abort_at_ = until;
    flush_target_ = next_seq_;
    work_cv_.notify_all();
    space_cv_.notify_all();
    const std::uint64_t target = next_seq_;
    if (started_ &&
        !wait_until(done_cv_, lk, until, [&] { return exited_ || settled_before(target); })) {
      abort_ = true;
      cancel_->cancel();  // interrupts the request in flight
      work_cv_.notify_all();
      handoff_cv_.notify_all();
    }
  }
  if (exporter_.joinable()) exporter_.join();
  if (sender_.joinable()) sender_.join();
  std::unique_lock<std::mutex> lk(mu_);
  if (!started_) drop_queue_locked(lk);  // threads never ran here (a forked child)
  final_ = snapshot_locked();
  joined_ = true;
  return final_;
}

// Spans a Tracer started and never ended: logged and dropped at once (pending unchanged).
void Core::count_unended(const std::vector<std::string>& descriptions) {
  if (descriptions.empty()) return;
  {
    std::lock_guard<std::mutex> lk(mu_);
    counters_.logged += descriptions.size();
    counters_.dropped_unended += descriptions.size();
  }
  for (const std::string& d : descriptions)
    notify_drop(DropReason::unended, 1, d, nullptr);
}

bool Core::start_locked(std::unique_lock<std::mutex>& lk) {
  if (started_) return true;
  if (start_failed_) return false;
  try {
    exporter_ = start_thread([this] { run(); });
  } catch (const std::exception& ex) {
    start_failed_ = true;
    start_error_ = ex.what();
    return false;
  }
  try {
    sender_ = start_thread([this] { send_loop(); });
  } catch (const std::exception& ex) {
    start_failed_ = true;
    start_error_ = ex.what();
    serializer_done_ = true;  // the exporter exits at once
    abort_ = true;
    work_cv_.notify_all();
    lk.unlock();
    exporter_.join();
    lk.lock();
    return false;
  }
  started_ = true;
  return true;
}

bool Core::fits(std::size_t bytes) const {
  return queue_.size() + inflight_spans_ + 1 <= opt().max_queue_spans &&
         queue_bytes_ + inflight_bytes_ + bytes <= opt().max_queue_bytes;
}

// Half the queue's capacity (spans or bytes) is used: send without waiting.
bool Core::pressed() const {
  return (queue_.size() + inflight_spans_) * 2 >= opt().max_queue_spans ||
         (queue_bytes_ + inflight_bytes_) * 2 >= opt().max_queue_bytes;
}

DeliveryReport Core::snapshot_locked() const {
  DeliveryReport r = counters_;
  r.dropped = r.dropped_queue_full + r.dropped_shutdown + r.dropped_invalid + r.dropped_too_large +
              r.dropped_internal + r.dropped_unacknowledged + r.dropped_unended +
              r.dropped_unconfirmed + r.dropped_filtered;
  r.pending = r.logged - r.delivered - r.rejected - r.dropped;
  r.queued = queue_.size();
  r.queued_bytes = queue_bytes_;
  return r;
}

bool Core::sampled_out(const std::optional<std::string>& trace_id) noexcept {
  if (cfg_.sample_threshold == 0 || sampled_in(trace_id, cfg_.sample_threshold)) return false;
  std::lock_guard<std::mutex> lk(mu_);
  ++counters_.sampled_out;
  return true;
}

// No span logged before `target` (a sequence number) is unsettled.
bool Core::settled_before(std::uint64_t target) const {
  if (!queue_.empty() && queue_.front().seq < target) return false;
  return inflight_min_seq_ >= target;
}

}  // namespace respan::detail::batch

namespace respan::detail {
void inject_thread_start_failures(int count, int after) noexcept {
  batch::g_failing_thread_starts.store(count);
  batch::g_thread_starts_before_failing.store(after);
}
}  // namespace respan::detail
