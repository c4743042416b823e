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
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <limits>
#include <mutex>
#include <new>
#include <random>
#include <system_error>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include <respan/batch_logger.hpp>
#include <respan/retry.hpp>
#include <respan/tracing.hpp>

#include "batch/answers.hpp"
#include "batch_sink.hpp"
#include "http/pipeline.hpp"
#include "http/retry_class.hpp"
#include "models/encode.hpp"
#include "resource_util.hpp"
#include "util/fork.hpp"
#include "util/json_write.hpp"

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
             {"unconfirmed", r.dropped_unconfirmed}}},
           {"possibly_duplicated", r.possibly_duplicated},
           {"requests", r.requests},
           {"retries", r.retries},
           {"splits", r.splits},
           {"bulk_unavailable", r.bulk_unavailable},
           {"queued", r.queued},
           {"queued_bytes", r.queued_bytes}};
}

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr const char* kBulkPath = "/api/request-logs/bulk/";
constexpr const char* kCreatePath = "/api/request-logs/";
constexpr std::size_t kApiMaxBatch = 500;

// ---------------------------------------------------------------- memory estimate
// What a span holds on the heap, estimated without JSON work: string capacities and JSON
// nodes, each allocation charged kAllocOverhead (malloc's header and rounding). It errs on
// the high side so that max_queue_bytes bounds real memory.
constexpr std::size_t kAllocOverhead = 32;
constexpr std::size_t kMapNode = 48;  // red-black tree node header

std::size_t heap_of(const std::string& s) {
  return s.capacity() > 15 ? s.capacity() + 1 + kAllocOverhead : 0;
}
std::size_t heap_of(const std::optional<std::string>& s) {
  return s ? heap_of(*s) : 0;
}

std::size_t heap_of(const Json& root) {
  if (root.is_null() || root.is_boolean() || root.is_number()) return 0;  // the common case
  // A walk with a small inline stack: no allocation on the caller's thread for typical values.
  std::size_t total = 0;
  const Json* inline_stack[32];
  std::size_t inline_size = 0;
  std::vector<const Json*> overflow;
  auto push = [&](const Json* v) {
    if (inline_size < 32) {
      inline_stack[inline_size++] = v;
    } else {
      overflow.push_back(v);
    }
  };
  push(&root);
  while (inline_size > 0 || !overflow.empty()) {
    const Json* v;
    if (!overflow.empty()) {
      v = overflow.back();
      overflow.pop_back();
    } else {
      v = inline_stack[--inline_size];
    }
    switch (v->type()) {
      case Json::value_t::string:
        total += sizeof(std::string) + kAllocOverhead + heap_of(v->get_ref<const std::string&>());
        break;
      case Json::value_t::array: {
        const auto& a = v->get_ref<const Json::array_t&>();
        total += sizeof(Json::array_t) + kAllocOverhead * 2 + a.capacity() * sizeof(Json);
        for (const Json& c : a)
          push(&c);
        break;
      }
      case Json::value_t::object: {
        const auto& o = v->get_ref<const Json::object_t&>();
        total += sizeof(Json::object_t) + kAllocOverhead;
        for (const auto& [k, c] : o) {
          total += kMapNode + sizeof(std::string) + sizeof(Json) + kAllocOverhead + heap_of(k);
          push(&c);
        }
        break;
      }
      case Json::value_t::binary:
        total += sizeof(Json::binary_t) + kAllocOverhead + v->get_binary().size();
        break;
      default:
        break;
    }
  }
  return total;
}
std::size_t heap_of(const std::optional<Json>& j) {
  return j ? heap_of(*j) : 0;
}
template <class U>
std::size_t heap_of_union(const std::optional<U>& u) {
  return u ? heap_of(u->json()) : 0;
}

std::size_t heap_of(const ToolCall& c) {
  std::size_t n = heap_of(c.id) + heap_of(c.type) + heap_of(c.extra);
  if (c.function)
    n += heap_of(c.function->name) + heap_of(c.function->arguments) + heap_of(c.function->extra);
  return n;
}

std::size_t heap_of(const ToolDefinition& t) {
  std::size_t n = heap_of(t.type) + heap_of(t.extra);
  if (t.function) {
    n += heap_of(t.function->name) + heap_of(t.function->description) +
         heap_of(t.function->parameters) + heap_of(t.function->extra);
  }
  return n;
}

std::size_t heap_of(const Message& m) {
  std::size_t n = heap_of(m.role) + heap_of(m.name) + heap_of(m.tool_call_id) + heap_of(m.extra);
  if (m.content) {
    if (const auto* text = std::get_if<std::string>(&*m.content)) {
      n += heap_of(*text);
    } else if (const auto* parts = std::get_if<std::vector<ContentPart>>(&*m.content)) {
      n += kAllocOverhead + parts->capacity() * sizeof(ContentPart);
      for (const auto& p : *parts)
        n += heap_of(p.type) + heap_of(p.text) + heap_of(p.image_url) + heap_of(p.extra);
    }
  }
  if (m.tool_calls) {
    n += kAllocOverhead + m.tool_calls->capacity() * sizeof(ToolCall);
    for (const auto& c : *m.tool_calls)
      n += heap_of(c);
  }
  return n;
}

std::size_t heap_of(const std::optional<std::vector<Message>>& v) {
  if (!v) return 0;
  std::size_t n = kAllocOverhead + v->capacity() * sizeof(Message);
  for (const auto& m : *v)
    n += heap_of(m);
  return n;
}

std::size_t estimate_bytes(const TraceSpan& queued) {
  const RequestLog& s = queued.log;
  std::size_t n = sizeof(TraceSpan) + kAllocOverhead;  // queued behind a unique_ptr
  n += heap_of(queued.span_unique_id) + heap_of(queued.span_path);
  n += heap_of(s.model) + heap_of(s.prompt_messages) + heap_of(s.messages);
  if (s.completion_message) n += heap_of(*s.completion_message);
  n += heap_of_union(s.input) + heap_of_union(s.output) + heap_of_union(s.stop) +
       heap_of_union(s.tool_choice) + heap_of_union(s.warnings);
  if (s.tools) {
    n += kAllocOverhead + s.tools->capacity() * sizeof(ToolDefinition);
    for (const auto& t : *s.tools)
      n += heap_of(t);
  }
  if (s.tool_calls) {
    n += kAllocOverhead + s.tool_calls->capacity() * sizeof(ToolCall);
    for (const auto& c : *s.tool_calls)
      n += heap_of(c);
  }
  n += heap_of(s.response_format) + heap_of(s.error_message) + heap_of(s.trace_unique_id) +
       heap_of(s.span_name) + heap_of(s.span_parent_id) + heap_of(s.span_workflow_name) +
       heap_of(s.custom_identifier) + heap_of(s.thread_identifier) + heap_of(s.group_identifier) +
       heap_of(s.customer_identifier) + heap_of(s.metadata) + heap_of(s.properties) +
       heap_of(s.variables) + heap_of(s.prompt_id) + heap_of(s.prompt_name) +
       heap_of(s.full_request) + heap_of(s.full_response) + heap_of(s.respan_params) +
       heap_of(s.keywordsai_params) + heap_of(s.extra);
  if (s.customer_params) n += 512;  // a few short strings
  if (s.usage) n += 256;
  return n;
}

// ---------------------------------------------------------------- request-log bulk sink
// {"logs":[...]} to the bulk endpoint, single creates where it answers 404/405.
class RequestLogBulkSink final : public detail::BatchSink {
 public:
  std::optional<std::string> encode(const TraceSpan& span, std::string& out) const override {
    const RequestLog& log = span.log;
    if (log.model.empty()) return std::string("RequestLog.model: required");
    // Straight to text (no Json DOM), checked as check_body() would (models/emit.hpp).
    if (Result<void> encoded = detail::encode_text(log, "RequestLog", out); !encoded) {
      return encoded.error().message;
    }
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

// ---------------------------------------------------------------- time

namespace {

// `now + d`, saturated: duration::max() (or anything past the clock's range) is no deadline,
// a negative duration is now.
Clock::time_point deadline_after(milliseconds d) {
  const Clock::time_point now = Clock::now();
  if (d.count() <= 0) return now;
  const auto room = std::chrono::duration_cast<milliseconds>(Clock::time_point::max() - now);
  return d >= room ? Clock::time_point::max() : now + d;
}

template <class Pred>
bool wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lk,
                Clock::time_point until, Pred pred) {
  if (until == Clock::time_point::max()) {
    cv.wait(lk, pred);
    return true;
  }
  return cv.wait_until(lk, until, pred);
}

std::atomic<int> g_failing_thread_starts{0};

// Starts a thread, or throws std::system_error (also when a test asked for it to fail).
std::thread start_thread(std::function<void()> body) {
  for (int n = g_failing_thread_starts.load(); n > 0;) {
    if (g_failing_thread_starts.compare_exchange_weak(n, n - 1))
      throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again),
                              "thread start refused (fault injection)");
  }
  return std::thread(std::move(body));
}

// ceil(log2(n)) for n >= 1.
int ceil_log2(std::size_t n) {
  int k = 0;
  while ((std::size_t{1} << k) < n && k < 63)
    ++k;
  return k;
}

}  // namespace

void detail::inject_thread_start_failures(int count) noexcept {
  g_failing_thread_starts.store(count);
}

// ---------------------------------------------------------------- the logger

namespace {

// What every Core of one logger shares (a child process's Core too): never changes.
struct Config {
  std::shared_ptr<const detail::Pipeline> pipeline;
  std::shared_ptr<const detail::BatchSink> sink;
  bool trace_events = false;  // DeliveryEvent::trace_span is set (a Tracer's logger)
  BatchOptions opt;
  std::size_t body_overhead = 0;  // the sink's body prefix and suffix
};

BatchOptions clamp_options(BatchOptions o, std::size_t max_rows) {
  o.max_queue_spans = std::max<std::size_t>(o.max_queue_spans, 1);
  o.max_queue_bytes = std::max<std::size_t>(o.max_queue_bytes, 64u * 1024u);
  o.max_batch_spans = std::clamp<std::size_t>(
      o.max_batch_spans, 1, std::min({kApiMaxBatch, max_rows, o.max_queue_spans}));
  o.max_batch_bytes = std::clamp<std::size_t>(o.max_batch_bytes, 64u * 1024u, 16u * 1024u * 1024u);
  o.flush_interval = std::clamp(o.flush_interval, milliseconds(1), milliseconds(3600000));
  o.block_timeout = std::max(o.block_timeout, milliseconds(0));  // max(): wait for room
  o.min_backoff = std::clamp(o.min_backoff, milliseconds(1), milliseconds(3600000));
  o.max_backoff = std::clamp(o.max_backoff, o.min_backoff, milliseconds(3600000));
  o.request_timeout = std::clamp(o.request_timeout, milliseconds(0), milliseconds(86400000));
  o.shutdown_timeout = std::max(o.shutdown_timeout, milliseconds(0));  // max(): no limit
  return o;
}

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
  void start() {
    std::unique_lock<std::mutex> lk(mu_);
    if (!start_locked(lk)) {
      throw ApiError(Error::make(ErrorCode::internal,
                                 "BatchLogger: cannot start its threads: " + start_error_));
    }
  }

  // ------------------------------------------------------------------ caller side
  bool enqueue(std::unique_ptr<TraceSpan> span) {
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

  bool log_failed() noexcept {
    try {
      std::lock_guard<std::mutex> lk(mu_);
      ++counters_.logged;
      ++counters_.dropped_internal;
    } catch (...) {  // a mutex that cannot be locked: nothing can be counted
    }
    return false;
  }

  DeliveryReport stats() const {
    std::lock_guard<std::mutex> lk(mu_);
    return snapshot_locked();
  }

  DeliveryReport flush(milliseconds timeout) {
    const Clock::time_point until = deadline_after(timeout);
    std::unique_lock<std::mutex> lk(mu_);
    const std::uint64_t target = next_seq_;
    flush_target_ = std::max(flush_target_, target);
    work_cv_.notify_one();
    wait_until(done_cv_, lk, until, [&] { return exited_ || settled_before(target); });
    return snapshot_locked();
  }

  DeliveryReport shutdown(milliseconds timeout) {
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

  // True on the logger's own threads (on_event runs there).
  bool on_own_thread() const noexcept {
    const auto me = std::this_thread::get_id();
    return me == exporter_.get_id() || me == sender_.get_id();
  }

  // True when no thread of this Core is left to join (it may be destroyed).
  bool joined() const noexcept { return !exporter_.joinable() && !sender_.joinable(); }

  // Spans a Tracer started and never ended: logged and dropped at once (pending unchanged).
  void count_unended(const std::vector<std::string>& descriptions) {
    if (descriptions.empty()) return;
    {
      std::lock_guard<std::mutex> lk(mu_);
      counters_.logged += descriptions.size();
      counters_.dropped_unended += descriptions.size();
    }
    for (const std::string& d : descriptions)
      notify_drop(DropReason::unended, 1, d, nullptr);
  }

 private:
  const BatchOptions& opt() const noexcept { return cfg_.opt; }

  bool start_locked(std::unique_lock<std::mutex>& lk) {
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

  bool fits(std::size_t bytes) const {
    return queue_.size() + inflight_spans_ + 1 <= opt().max_queue_spans &&
           queue_bytes_ + inflight_bytes_ + bytes <= opt().max_queue_bytes;
  }
  // Half the queue's capacity (spans or bytes) is used: send without waiting.
  bool pressed() const {
    return (queue_.size() + inflight_spans_) * 2 >= opt().max_queue_spans ||
           (queue_bytes_ + inflight_bytes_) * 2 >= opt().max_queue_bytes;
  }

  DeliveryReport snapshot_locked() const {
    DeliveryReport r = counters_;
    r.dropped = r.dropped_queue_full + r.dropped_shutdown + r.dropped_invalid +
                r.dropped_too_large + r.dropped_internal + r.dropped_unacknowledged +
                r.dropped_unended + r.dropped_unconfirmed;
    r.pending = r.logged - r.delivered - r.rejected - r.dropped;
    r.queued = queue_.size();
    r.queued_bytes = queue_bytes_;
    return r;
  }

  // No span logged before `target` (a sequence number) is unsettled.
  bool settled_before(std::uint64_t target) const {
    if (!queue_.empty() && queue_.front().seq < target) return false;
    return inflight_min_seq_ >= target;
  }

  // ------------------------------------------------------------------ exporter thread
  void run() noexcept {
    std::unique_lock<std::mutex> lk(mu_, std::defer_lock);
    for (;;) {
      try {
        if (!lk.owns_lock()) lk.lock();
        if (!export_once(lk)) break;
      } catch (...) {
        // Out of memory (or a bug) outside any batch: nothing was taken from the queue.
        // Give the system a moment and go on; the spans stay counted where they are.
        try {
          if (lk.owns_lock()) lk.unlock();
          std::this_thread::sleep_for(milliseconds(10));
        } catch (...) {
        }
      }
    }
    try {
      if (!lk.owns_lock()) lk.lock();
    } catch (...) {
    }
    serializer_done_ = true;
    handoff_cv_.notify_all();
  }

  // Waits for and serializes one batch; false when the exporter is done. `lk` is held on
  // entry and on return.
  bool export_once(std::unique_lock<std::mutex>& lk) {
    // Wait for a batch: full (spans or bytes), old enough, asked for by a flush, the queue
    // under pressure, or shutting down.
    for (;;) {
      if (abort_) break;
      if (overflow_drops_ > 0 || late_drops_ > 0) break;  // report them
      if (queue_.empty()) {
        if (stopping_) break;
        work_cv_.wait(lk);
        continue;
      }
      if (stopping_ || queue_.front().seq < flush_target_ ||
          queue_.size() >= opt().max_batch_spans || queue_bytes_ >= opt().max_batch_bytes ||
          pressed())
        break;
      const auto due = queue_.front().logged_at + opt().flush_interval;
      if (Clock::now() >= due) break;
      work_cv_.wait_until(lk, due);
    }
    const std::uint64_t overflow = std::exchange(overflow_drops_, 0);
    const std::uint64_t late = std::exchange(late_drops_, 0);
    if (overflow > 0 || late > 0) {
      lk.unlock();
      if (overflow > 0) notify_drop(DropReason::queue_full, overflow, "queue full", nullptr);
      if (late > 0) notify_drop(DropReason::shutdown, late, "logged after shutdown", nullptr);
      lk.lock();
      return true;
    }
    if (abort_) {
      drop_queue_locked(lk);
      return false;
    }
    if (queue_.empty()) return false;  // stopping and drained

    // Take a batch; its spans stay counted against the caps until settled. Everything that
    // may throw happens before the first span leaves the queue.
    const std::size_t n = std::min(queue_.size(), opt().max_batch_spans);
    auto batch = std::make_unique<Batch>();
    batch->rows.reserve(n);
    inflight_.reserve(inflight_.size() + 1);
    for (std::size_t i = 0; i < n; ++i) {
      Item& it = queue_.front();
      queue_bytes_ -= it.bytes;
      inflight_bytes_ += it.bytes;
      ++inflight_spans_;
      batch->rows.push_back(Row{std::move(it), false, 0, 0});
      queue_.pop_front();
    }
    inflight_.push_back(batch.get());
    update_inflight_min_locked();
    lk.unlock();
    try {
      prepare(*batch);
    } catch (const std::exception& ex) {
      fail_batch(*batch, std::string("internal error while serializing: ") + ex.what());
    } catch (...) {
      fail_batch(*batch, "internal error while serializing");
    }
    wake_waiters();
    lk.lock();
    // Hand it to the sender (one batch waits at most, so two are in flight at most).
    handoff_cv_.wait(lk, [&] { return !handoff_ || abort_; });
    if (handoff_) {  // aborting, and the sender has not taken the previous one
      lk.unlock();
      fail_batch(*batch, "still unsent at the shutdown deadline", DropReason::shutdown);
      retire(std::move(batch));
      lk.lock();
      return true;
    }
    handoff_ = std::move(batch);  // on abort the sender settles it as shutdown
    handoff_cv_.notify_all();
    return true;
  }

  // Serializes the rows of a batch into request bodies within max_batch_bytes (exporter
  // thread). Rows that cannot be sent are settled dropped.
  void prepare(Batch& batch) {
    const std::string_view prefix = cfg_.sink->body_prefix();
    const std::string_view suffix = cfg_.sink->body_suffix();
    const std::size_t cap = opt().max_batch_bytes;
    // The bodies about to be written count against max_queue_bytes before they exist (their
    // size is not known yet: at most the spans' estimate, at most max_batch_bytes a piece);
    // the real capacities replace this below.
    std::size_t provision = 0;
    for (const Row& row : batch.rows)
      provision += row.item.bytes;
    provision = std::min(provision, cap);
    {
      std::lock_guard<std::mutex> lk(mu_);
      inflight_bytes_ += provision;
    }
    Piece piece;
    auto close_piece = [&] {
      if (piece.rows.empty()) return;
      piece.body += suffix;
      batch.pieces.push_back(std::move(piece));
      piece = Piece();
    };
    std::string scratch;
    for (Row& row : batch.rows) {
      scratch.clear();
      std::optional<std::string> refused;
      DropReason reason = DropReason::invalid;
      try {
        refused = cfg_.sink->encode(*row.item.span, scratch);
      } catch (const std::bad_alloc&) {
        refused = std::string("out of memory while encoding");
        reason = DropReason::internal;
      } catch (const std::exception& ex) {  // a bug in an encoder
        refused = std::string("cannot be encoded: ") + ex.what();
        reason = DropReason::internal;
      }
      if (!refused && scratch.size() + cfg_.body_overhead > cap) {
        reason = DropReason::too_large;
        refused =
            "span JSON of " + std::to_string(scratch.size()) + " bytes exceeds max_batch_bytes";
      }
      if (refused) {
        settle(row, Outcome::dropped, reason, 0, *refused, false);
        continue;
      }
      if (!piece.rows.empty() && piece.body.size() + 1 + scratch.size() + suffix.size() > cap)
        close_piece();
      if (piece.rows.empty()) {
        piece.body.reserve(std::min(cap, scratch.size() * (batch.rows.size() + 1) + 64));
        piece.body.assign(prefix);
      } else {
        piece.body.push_back(',');
      }
      row.off = piece.body.size();
      row.len = scratch.size();
      piece.body += scratch;
      piece.rows.push_back(&row);
    }
    close_piece();
    // The bodies count against max_queue_bytes from now on; without an on_event callback
    // the spans themselves are no longer needed: destroyed here, outside the lock.
    std::vector<std::unique_ptr<TraceSpan>> done;
    if (!opt().on_event) done.reserve(batch.rows.size());
    std::lock_guard<std::mutex> lk(mu_);
    inflight_bytes_ -= provision;
    for (Piece& p : batch.pieces) {
      p.accounted = p.body.capacity();
      inflight_bytes_ += p.accounted;
    }
    if (!opt().on_event) {
      for (Row& row : batch.rows) {
        if (row.settled) continue;
        inflight_bytes_ -= row.item.bytes;
        row.item.bytes = 0;
        done.push_back(std::move(row.item.span));
      }
    }
  }  // `lk` is released before `done` is destroyed

  // ------------------------------------------------------------------ sender thread
  void send_loop() noexcept {
    std::unique_lock<std::mutex> lk(mu_, std::defer_lock);
    for (;;) {
      std::unique_ptr<Batch> batch;
      try {
        if (!lk.owns_lock()) lk.lock();
        handoff_cv_.wait(lk, [&] { return handoff_ || serializer_done_; });
        if (!handoff_) break;
        batch = std::move(handoff_);
        handoff_cv_.notify_all();
        lk.unlock();
      } catch (...) {
        continue;
      }
      try {
        send_all(*batch);
      } catch (const std::exception& ex) {
        fail_batch(*batch, std::string("internal error while sending: ") + ex.what());
      } catch (...) {
        fail_batch(*batch, "internal error while sending");
      }
      retire(std::move(batch));
    }
    try {
      if (!lk.owns_lock()) lk.lock();
    } catch (...) {
    }
    exited_ = true;
    done_cv_.notify_all();
    space_cv_.notify_all();
  }

  // Removes a batch whose rows are all settled from the in-flight list and destroys it
  // outside the lock producers take.
  void retire(std::unique_ptr<Batch> batch) noexcept {
    {
      std::lock_guard<std::mutex> lk(mu_);
      for (Piece& p : batch->pieces)
        release_body_locked(p);
      inflight_.erase(std::find(inflight_.begin(), inflight_.end(), batch.get()));
      update_inflight_min_locked();
      space_cv_.notify_all();
      done_cv_.notify_all();
    }
    batch.reset();
  }

  // Settles every unsettled row of a batch as dropped (never throws).
  void fail_batch(Batch& batch, const std::string& why,
                  DropReason reason = DropReason::internal) noexcept {
    for (Row& row : batch.rows) {
      if (!row.settled) settle(row, Outcome::dropped, reason, 0, why, false);
    }
  }

  void release_body_locked(Piece& p) noexcept {
    inflight_bytes_ -= p.accounted;
    p.accounted = 0;
    std::string().swap(p.body);
  }

  void send_all(Batch& batch) {
    wake_waiters();
    while (!batch.pieces.empty()) {
      Piece p = std::move(batch.pieces.front());
      batch.pieces.pop_front();
      BodyRelease release{*this, p};  // also when sending throws
      if (bulk_unavailable()) {
        for (Row* r : p.rows) {
          if (!r->settled) send_single(*r, p.body);
          wake_waiters();
        }
      } else {
        send_piece(p, batch.pieces);
      }
    }
  }

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
  bool at_most_once() const {
    return !cfg_.sink->deduplicates() &&
           cfg_.pipeline->options().span_delivery == SpanDelivery::at_most_once;
  }
  // Whether a resend after an ambiguous failure may store a span twice.
  bool may_duplicate() const { return !cfg_.sink->deduplicates(); }

  bool bulk_unavailable() {
    std::lock_guard<std::mutex> lk(mu_);
    return counters_.bulk_unavailable;
  }

  bool aborting() {
    std::lock_guard<std::mutex> lk(mu_);
    return abort_;
  }

  RequestOptions attempt_options() {
    RequestOptions ro;
    ro.max_retries = 0;
    ro.cancel = cancel_;
    if (opt().request_timeout.count() > 0) ro.request_timeout = opt().request_timeout;
    std::lock_guard<std::mutex> lk(mu_);
    if (stopping_ && abort_at_ != Clock::time_point::max()) {
      const auto left =
          std::chrono::duration_cast<milliseconds>(abort_at_ - Clock::now()) + milliseconds(1);
      const milliseconds per =
          ro.request_timeout.value_or(cfg_.pipeline->options().request_timeout);
      ro.request_timeout = std::clamp(left, milliseconds(1), std::max(per, milliseconds(1)));
    }
    return ro;
  }

  void count_request(int attempt) {
    std::lock_guard<std::mutex> lk(mu_);
    ++counters_.requests;
    if (attempt > 0) ++counters_.retries;
  }

  // Sleeps before the next attempt (`retry` = 0 for the first repeat); false when the
  // logger is aborting.
  bool backoff(const Error& e, int retry) {
    milliseconds delay;
    if (e.retry_after) {
      delay = std::clamp(*e.retry_after, opt().min_backoff, opt().max_backoff);
    } else {
      RetryPolicy p;
      p.initial_backoff = opt().min_backoff;
      p.min_backoff = opt().min_backoff;
      p.max_backoff = opt().max_backoff;
      delay = backoff_delay(p, retry, static_cast<double>(detail::random_u64() >> 11) * 0x1p-53);
    }
    std::unique_lock<std::mutex> lk(mu_);
    const auto until = Clock::now() + delay;
    // not work_cv_: its notify_one is for the exporter
    handoff_cv_.wait_until(lk, until, [&] { return abort_; });
    return !abort_;
  }

  static std::string reason_of(const Error& e) {
    std::string s = e.message;
    if (e.http_status > 0) s = "HTTP " + std::to_string(e.http_status) + ": " + s;
    return s;
  }

  void settle_rows(const std::vector<Row*>& rows, Outcome outcome, DropReason reason, int status,
                   const std::string& why) {
    for (Row* r : rows)
      if (!r->settled) settle(*r, outcome, reason, status, why, false);
  }

  void send_piece(Piece& p, std::deque<Piece>& work) {
    if (p.budget && p.budget->left <= 0) {
      settle_rows(p.rows, Outcome::rejected, DropReason::invalid, p.budget->status,
                  p.budget->reason + " (the server refused the request; its rows were not " +
                      "isolated further: the splitting budget is spent)");
      return;
    }
    bool resent_after_ambiguity = false;
    for (int attempt = 0;; ++attempt) {
      if (aborting()) {
        settle_rows(p.rows, Outcome::dropped, DropReason::shutdown, 0,
                    "still unsent at the shutdown deadline");
        return;
      }
      count_request(attempt);
      if (p.budget && attempt == 0) --p.budget->left;
      Result<detail::RowVerdicts> r =
          cfg_.sink->send(*cfg_.pipeline, p.body, p.rows.size(), attempt_options());
      if (r) {
        settle_verdicts(p.rows, *r, resent_after_ambiguity);
        return;
      }
      const Error& e = r.error();
      const int s = e.http_status;
      if ((s == 404 || s == 405) && cfg_.sink->single_path() != nullptr) {
        {
          std::lock_guard<std::mutex> lk(mu_);
          counters_.bulk_unavailable = true;
        }
        cfg_.pipeline->log(LogLevel::warn, "BatchLogger: the bulk endpoint answered " +
                                               std::to_string(s) + "; sending spans one by one");
        for (Row* row : p.rows)
          send_single(*row, p.body);
        return;
      }
      if (cfg_.sink->splits_on(s)) {  // the sink's rule (batch_sink.hpp): 400/413/422 by default
        // Too large, or a row the server refuses whole: split to isolate it, within budget.
        if (p.rows.size() > 1) {
          if (!p.budget) {
            p.budget = std::make_shared<SplitBudget>();
            p.budget->left = 2 * ceil_log2(p.rows.size()) + 1;  // the first request is spent
          }
          p.budget->status = s;
          p.budget->reason = reason_of(e);
          if (p.budget->left > 0) {
            split(p, work);
            backoff(e, 0);  // the usual pause before the next request
            return;
          }
        }
        std::string why = reason_of(e);
        if (p.rows.size() > 1) why += " (not isolated further: the splitting budget is spent)";
        settle_rows(p.rows, Outcome::rejected, DropReason::invalid, s, why);
        return;
      }
      if (e.code == ErrorCode::cancelled) continue;  // aborting: settled as shutdown above
      // The sink's classifier (batch_sink.hpp): Respan's rules, or a collector's.
      const detail::FailureClass c = cfg_.sink->classify(e);
      if (c.transient) {
        if (c.maybe_processed && at_most_once()) {
          settle_rows(p.rows, Outcome::dropped, DropReason::unacknowledged, s, kUnacknowledged);
          return;
        }
        if (c.maybe_processed && may_duplicate()) resent_after_ambiguity = true;
        backoff(e, attempt);
        continue;
      }
      settle_rows(p.rows, Outcome::rejected, DropReason::invalid, s, reason_of(e));
      return;
    }
  }

  // Splits a piece's rows in two pieces at the front of `work`, each with its own body.
  void split(Piece& p, std::deque<Piece>& work) {
    const std::string_view prefix = cfg_.sink->body_prefix();
    const std::string_view suffix = cfg_.sink->body_suffix();
    const std::size_t half = p.rows.size() / 2;
    Piece parts[2];
    for (int k = 0; k < 2; ++k) {
      const std::size_t b = k == 0 ? 0 : half;
      const std::size_t e = k == 0 ? half : p.rows.size();
      Piece& q = parts[k];
      q.budget = p.budget;
      q.body.assign(prefix);
      for (std::size_t i = b; i < e; ++i) {
        Row* r = p.rows[i];
        if (i > b) q.body.push_back(',');
        q.body.append(p.body, r->off, r->len);
        q.rows.push_back(r);
      }
      q.body += suffix;
    }
    // The rows now point into the new bodies.
    for (Piece& q : parts) {
      std::size_t off = prefix.size();
      for (Row* r : q.rows) {
        r->off = off;
        off += r->len + 1;
      }
    }
    {
      std::lock_guard<std::mutex> lk(mu_);
      ++counters_.splits;
      for (Piece& q : parts) {
        q.accounted = q.body.capacity();
        inflight_bytes_ += q.accounted;
      }
      release_body_locked(p);
    }
    work.push_front(std::move(parts[1]));
    work.push_front(std::move(parts[0]));
  }

  void send_single(Row& row, const std::string& body) {
    bool resent_after_ambiguity = false;
    for (int attempt = 0;; ++attempt) {
      if (aborting()) {
        settle(row, Outcome::dropped, DropReason::shutdown, 0,
               "still unsent at the shutdown deadline", false);
        return;
      }
      detail::ApiRequest req{
          HttpMethod::post, cfg_.sink->single_path(),         {},
          std::nullopt,     detail::Idempotency::span_create, body.substr(row.off, row.len)};
      count_request(attempt);
      Result<detail::Reply> r = cfg_.pipeline->execute(req, attempt_options());
      if (r) {
        // The create answer is the span's record (an object); anything else confirms nothing.
        const detail::RowVerdicts v = read_single_answer(r->http.body);
        settle_verdicts({&row}, v, resent_after_ambiguity);
        return;
      }
      const Error& e = r.error();
      if (e.code == ErrorCode::cancelled) continue;
      const detail::FailureClass c = cfg_.sink->classify(e);  // the sink's classifier
      if (c.transient) {
        if (c.maybe_processed && at_most_once()) {
          settle(row, Outcome::dropped, DropReason::unacknowledged, e.http_status, kUnacknowledged,
                 false);
          return;
        }
        if (c.maybe_processed && may_duplicate()) resent_after_ambiguity = true;
        backoff(e, attempt);
        continue;
      }
      settle(row, Outcome::rejected, DropReason::invalid, e.http_status, reason_of(e), false);
      return;
    }
  }

  static detail::RowVerdicts read_single_answer(const std::string& body) {
    detail::RowVerdicts v;
    v.state.assign(1, detail::RowVerdicts::State::unconfirmed);
    v.message.assign(1, "not confirmed by the server's answer: it is not the created span");
    const detail::BoundedJson j = detail::parse_json_bounded(body);
    if (!body.empty() && j.status == detail::JsonParseStatus::ok && j.value.is_object()) {
      v.state[0] = detail::RowVerdicts::State::delivered;
      v.message[0].clear();
      v.delivered = 1;
    } else {
      v.unconfirmed = 1;
    }
    return v;
  }

  // ------------------------------------------------------------------ the ledger
  void settle_verdicts(const std::vector<Row*>& rows, const detail::RowVerdicts& v,
                       bool possibly_duplicated) {
    using State = detail::RowVerdicts::State;
    {
      std::lock_guard<std::mutex> lk(mu_);
      for (std::size_t i = 0; i < rows.size(); ++i) {
        if (v.state[i] != State::delivered || rows[i]->settled) continue;
        Row& row = *rows[i];
        row.settled = true;
        ++counters_.delivered;
        if (possibly_duplicated) ++counters_.possibly_duplicated;
        --inflight_spans_;
        inflight_bytes_ -= row.item.bytes;
      }
      update_inflight_min_locked();
      wake_pending_ = true;
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (rows[i]->settled) continue;
      if (v.state[i] == State::rejected) {
        settle(*rows[i], Outcome::rejected, DropReason::invalid, 200, v.message[i], false);
      } else {
        settle(*rows[i], Outcome::dropped, DropReason::unconfirmed, 200, v.message[i], false);
      }
    }
  }

  // Settles one row (under the lock), then reports it (outside). Never throws.
  void settle(Row& row, Outcome outcome, DropReason reason, int status, const std::string& why,
              bool possibly_duplicated) noexcept {
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (row.settled) return;
      row.settled = true;
      switch (outcome) {
        case Outcome::delivered:
          ++counters_.delivered;
          if (possibly_duplicated) ++counters_.possibly_duplicated;
          break;
        case Outcome::rejected:
          ++counters_.rejected;
          break;
        case Outcome::dropped:
          ++drop_counter(reason);
          break;
      }
      --inflight_spans_;
      inflight_bytes_ -= row.item.bytes;
      update_inflight_min_locked();
      // Waiters (flush, blocked producers) are woken once per chunk, not per row.
      wake_pending_ = true;
    }
    try {
      if (outcome == Outcome::rejected) {
        DeliveryEvent e;
        e.kind = DeliveryEvent::Kind::rejected;
        e.http_status = status;
        e.message = why;
        set_span(e, row.item.span.get());
        emit(e);
      } else if (outcome == Outcome::dropped) {
        notify_drop(reason, 1, why, row.item.span.get());
      }
    } catch (...) {  // out of memory while reporting: the ledger has it
    }
  }

  std::uint64_t& drop_counter(DropReason reason) {
    switch (reason) {
      case DropReason::queue_full:
        return counters_.dropped_queue_full;
      case DropReason::shutdown:
        return counters_.dropped_shutdown;
      case DropReason::invalid:
        return counters_.dropped_invalid;
      case DropReason::too_large:
        return counters_.dropped_too_large;
      case DropReason::internal:
        return counters_.dropped_internal;
      case DropReason::unacknowledged:
        return counters_.dropped_unacknowledged;
      case DropReason::unended:
        return counters_.dropped_unended;
      case DropReason::unconfirmed:
        return counters_.dropped_unconfirmed;
    }
    return counters_.dropped_internal;
  }

  // Rows are in sequence order and mostly settle in order: a cursor per batch over its
  // settled prefix keeps this amortised O(1). Batches are in order too.
  void update_inflight_min_locked() {
    inflight_min_seq_ = std::numeric_limits<std::uint64_t>::max();
    for (Batch* b : inflight_) {
      while (b->cursor < b->rows.size() && b->rows[b->cursor].settled)
        ++b->cursor;
      if (b->cursor < b->rows.size()) {
        inflight_min_seq_ = b->rows[b->cursor].item.seq;
        return;
      }
    }
  }

  // Wakes flush() and blocked producers if rows were settled since the last call.
  void wake_waiters() {
    std::lock_guard<std::mutex> lk(mu_);
    if (!std::exchange(wake_pending_, false)) return;
    done_cv_.notify_all();
    space_cv_.notify_all();
  }

  void drop_queue_locked(std::unique_lock<std::mutex>& lk) {
    std::deque<Item> left;
    left.swap(queue_);
    queue_bytes_ = 0;
    counters_.dropped_shutdown += left.size();
    done_cv_.notify_all();
    lk.unlock();
    try {
      for (Item& it : left)
        notify_drop(DropReason::shutdown, 1, "still queued at the shutdown deadline",
                    it.span.get());
    } catch (...) {
    }
    left.clear();
    lk.lock();
  }

  void set_span(DeliveryEvent& e, const TraceSpan* span) const {
    if (span == nullptr) return;
    e.span = &span->log;
    if (cfg_.trace_events) e.trace_span = span;
  }

  void notify_drop(DropReason reason, std::uint64_t count, const std::string& why,
                   const TraceSpan* span) {
    if (!opt().on_event) return;
    DeliveryEvent e;
    e.kind = DeliveryEvent::Kind::dropped;
    e.reason = reason;
    e.count = count;
    e.message = why;
    set_span(e, span);
    emit(e);
  }

  void emit(const DeliveryEvent& e) noexcept {
    if (!opt().on_event) return;
    try {
      std::lock_guard<std::mutex> one_at_a_time(event_mu_);
      opt().on_event(e);
    } catch (...) {  // the callback's failure (even std::bad_alloc) must not stop delivery
    }
  }

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

}  // namespace

struct BatchLogger::Impl final : detail::ForkAware {
  Impl(std::shared_ptr<const detail::Pipeline> pipeline, BatchOptions options,
       std::shared_ptr<const detail::BatchSink> sink, bool trace_events) {
    cfg.pipeline = std::move(pipeline);
    cfg.sink = std::move(sink);
    cfg.trace_events = trace_events;
    cfg.opt = clamp_options(std::move(options), cfg.sink->max_rows());
    cfg.body_overhead = cfg.sink->body_prefix().size() + cfg.sink->body_suffix().size();
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

BatchLogger::~BatchLogger() {
  if (!impl_ || impl_->core_ == nullptr) return;
  try {
    impl_->core_->shutdown(impl_->cfg.opt.shutdown_timeout);
  } catch (...) {  // a destructor must not throw; the threads have been joined or never ran
  }
}

bool BatchLogger::log(RequestLog&& span) noexcept {
  Core* core = impl_->core_;
  if (core == nullptr) return false;
  try {
    return core->enqueue(
        std::unique_ptr<TraceSpan>(new TraceSpan{std::move(span), {}, {}, 0, 0, false}));
  } catch (...) {
    return core->log_failed();
  }
}

bool BatchLogger::log(const RequestLog& span) noexcept {
  Core* core = impl_->core_;
  if (core == nullptr) return false;
  try {
    return core->enqueue(std::unique_ptr<TraceSpan>(new TraceSpan{span, {}, {}, 0, 0, false}));
  } catch (...) {
    return core->log_failed();
  }
}

DeliveryReport BatchLogger::stats() const {
  return impl_->core_ ? impl_->core_->stats() : DeliveryReport{};
}

DeliveryReport BatchLogger::flush(std::chrono::milliseconds timeout) {
  return impl_->core_ ? impl_->core_->flush(timeout) : DeliveryReport{};
}

DeliveryReport BatchLogger::shutdown(std::chrono::milliseconds timeout) {
  return impl_->core_ ? impl_->core_->shutdown(timeout) : DeliveryReport{};
}

const BatchOptions& BatchLogger::options() const noexcept {
  return impl_->cfg.opt;
}

}  // namespace respan
