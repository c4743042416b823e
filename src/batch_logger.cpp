// respan::BatchLogger: a bounded queue filled by log() on the callers' threads, drained by an
// exporter thread that serializes batches and hands each to a sender thread, which sends it
// through the bulk endpoint while the next one is serialized (at most one batch waits).
//
// Accounting: every span gets a sequence number when logged. Under `mu` the counters
// logged/delivered/rejected/dropped change together with the queue, so a snapshot is always
// consistent (pending = logged - delivered - rejected - dropped). Spans taken by the exporter
// ("in flight") keep counting against the queue caps until they are settled, so memory stays
// within max_queue_spans/max_queue_bytes whatever the server does. flush() waits until no
// span with a sequence number below its target is unsettled.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <limits>
#include <mutex>
#include <random>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include <respan/batch_logger.hpp>
#include <respan/retry.hpp>
#include <respan/tracing.hpp>

#include "batch_sink.hpp"
#include "http/pipeline.hpp"
#include "models/encode.hpp"
#include "resource_util.hpp"
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
             {"unended", r.dropped_unended}}},
           {"possibly_duplicated", r.possibly_duplicated},
           {"unconfirmed", r.unconfirmed},
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
  Result<BulkResult> send(const detail::Pipeline& pipeline, std::string& body, std::size_t rows,
                          const RequestOptions& options) const override {
    detail::ApiRequest req{
        HttpMethod::post, kBulkPath, {}, std::nullopt, detail::Idempotency::span_create,
        std::move(body)};
    Result<BulkResult> r = detail::call_bulk(pipeline, req, rows, options);
    body = std::move(*req.body_text);  // kept for a retry
    return r;
  }
  const char* single_path() const noexcept override { return kCreatePath; }
  std::string describe() const override { return kBulkPath; }
};

}  // namespace

std::shared_ptr<const detail::BatchSink> detail::request_log_bulk_sink() {
  static const auto sink = std::make_shared<const RequestLogBulkSink>();
  return sink;
}

// ---------------------------------------------------------------- the logger

struct BatchLogger::Impl {
  struct Item {
    std::unique_ptr<TraceSpan> span;
    std::uint64_t seq = 0;
    std::size_t bytes = 0;
    Clock::time_point logged_at;
  };

  // A span taken by the exporter, serialized.
  struct Row {
    Item item;
    std::string json;
    bool settled = false;
  };

  // One batch taken from the queue: serialized by the exporter thread, then sent by the
  // sender thread while the exporter serializes the next one.
  struct Batch {
    std::vector<Row> rows;
    std::vector<Row*> ready;  // serialized and valid, in order
    std::size_t cursor = 0;   // rows before it are settled
  };

  enum class Outcome { delivered, rejected, dropped };

  Impl(std::shared_ptr<const detail::Pipeline> pipeline, BatchOptions options,
       std::shared_ptr<const detail::BatchSink> sink, bool trace_events)
      : pipeline_(std::move(pipeline)),
        sink_(std::move(sink)),
        trace_events_(trace_events),
        opt_(clamp(std::move(options), sink_->max_rows())),
        body_overhead_(sink_->body_prefix().size() + sink_->body_suffix().size()) {
    cancel_ = std::make_shared<CancellationToken>();
    exporter_ = std::thread([this] { run(); });
    sender_ = std::thread([this] { send_loop(); });
  }

  static BatchOptions clamp(BatchOptions o, std::size_t max_rows) {
    o.max_batch_spans =
        std::clamp<std::size_t>(o.max_batch_spans, 1, std::min(kApiMaxBatch, max_rows));
    o.max_batch_bytes =
        std::clamp<std::size_t>(o.max_batch_bytes, 64u * 1024u, 16u * 1024u * 1024u);
    o.flush_interval = std::clamp(o.flush_interval, milliseconds(1), milliseconds(3600000));
    o.max_queue_spans = std::max<std::size_t>(o.max_queue_spans, 1);
    o.max_queue_bytes = std::max<std::size_t>(o.max_queue_bytes, 64u * 1024u);
    o.block_timeout = std::clamp(o.block_timeout, milliseconds(0), milliseconds(3600000));
    o.min_backoff = std::clamp(o.min_backoff, milliseconds(1), milliseconds(3600000));
    o.max_backoff = std::clamp(o.max_backoff, o.min_backoff, milliseconds(3600000));
    o.request_timeout = std::clamp(o.request_timeout, milliseconds(0), milliseconds(86400000));
    o.shutdown_timeout = std::clamp(o.shutdown_timeout, milliseconds(0), milliseconds(86400000));
    return o;
  }

  // ---------------------------------------------------------------- caller side
  bool fits(std::size_t bytes) const {
    return queue_.size() + inflight_spans_ + 1 <= opt_.max_queue_spans &&
           queue_bytes_ + inflight_bytes_ + bytes <= opt_.max_queue_bytes;
  }

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
    if (!fits(bytes)) {
      if (opt_.overflow == OverflowPolicy::drop_oldest) {
        while (!fits(bytes) && !queue_.empty()) {
          queue_bytes_ -= queue_.front().bytes;
          evicted.push_back(std::move(queue_.front()));
          queue_.pop_front();
          ++counters_.dropped_queue_full;
          ++overflow_drops_;
        }
        if (!evicted.empty()) done_cv_.notify_all();  // a flush may wait for those
      } else if (opt_.overflow == OverflowPolicy::block) {
        space_cv_.wait_for(lk, opt_.block_timeout, [&] { return stopping_ || fits(bytes); });
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
    if (was_empty || queue_.size() == opt_.max_batch_spans) work_cv_.notify_one();
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

  // ---------------------------------------------------------------- reading
  DeliveryReport snapshot_locked() const {
    DeliveryReport r = counters_;
    r.dropped = r.dropped_queue_full + r.dropped_shutdown + r.dropped_invalid +
                r.dropped_too_large + r.dropped_internal + r.dropped_unacknowledged +
                r.dropped_unended;
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

  DeliveryReport flush(milliseconds timeout) {
    std::unique_lock<std::mutex> lk(mu_);
    const std::uint64_t target = next_seq_;
    flush_target_ = std::max(flush_target_, target);
    work_cv_.notify_one();
    done_cv_.wait_for(lk, timeout, [&] { return exited_ || settled_before(target); });
    return snapshot_locked();
  }

  DeliveryReport shutdown(milliseconds timeout) {
    std::lock_guard<std::mutex> once(shutdown_mu_);
    if (joined_) return final_;
    {
      std::unique_lock<std::mutex> lk(mu_);
      stopping_ = true;
      abort_at_ = Clock::now() + timeout;
      flush_target_ = next_seq_;
      work_cv_.notify_all();
      space_cv_.notify_all();
      const std::uint64_t target = next_seq_;
      if (!done_cv_.wait_until(lk, abort_at_, [&] { return exited_ || settled_before(target); })) {
        abort_ = true;
        cancel_->cancel();  // interrupts the request in flight
        work_cv_.notify_all();
        handoff_cv_.notify_all();
      }
    }
    exporter_.join();
    sender_.join();
    std::lock_guard<std::mutex> lk(mu_);
    final_ = snapshot_locked();
    joined_ = true;
    return final_;
  }

  // ---------------------------------------------------------------- exporter
  void run() {
    std::unique_lock<std::mutex> lk(mu_);
    for (;;) {
      // Wait for a batch: full, old enough, asked for by a flush, or shutting down.
      for (;;) {
        if (abort_) break;
        if (overflow_drops_ > 0 || late_drops_ > 0) break;  // report them
        if (queue_.empty()) {
          if (stopping_) break;
          work_cv_.wait(lk);
          continue;
        }
        if (stopping_ || queue_.front().seq < flush_target_ ||
            queue_.size() >= opt_.max_batch_spans || queue_bytes_ >= opt_.max_batch_bytes)
          break;
        const auto due = queue_.front().logged_at + opt_.flush_interval;
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
        continue;
      }
      if (abort_) {
        drop_queue_locked(lk);
        break;
      }
      if (queue_.empty()) break;  // stopping and drained

      // Take a batch; its spans stay counted against the caps until settled.
      auto batch = std::make_unique<Batch>();
      const std::size_t n = std::min(queue_.size(), opt_.max_batch_spans);
      batch->rows.reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        Item& it = queue_.front();
        queue_bytes_ -= it.bytes;
        inflight_bytes_ += it.bytes;
        ++inflight_spans_;
        batch->rows.push_back(Row{std::move(it), {}, false});
        queue_.pop_front();
      }
      inflight_.push_back(batch.get());
      update_inflight_min_locked();
      lk.unlock();
      prepare(*batch);
      wake_waiters();
      lk.lock();
      // Hand it to the sender (one batch waits at most, so two are in flight at most).
      handoff_cv_.wait(lk, [&] { return !handoff_ || abort_; });
      if (handoff_) {  // aborting, and the sender has not taken the previous one
        lk.unlock();
        for (Row& row : batch->rows) {
          if (!row.settled)
            settle(row, Outcome::dropped, DropReason::shutdown, 0,
                   "still unsent at the shutdown deadline", false, false);
        }
        lk.lock();
        inflight_.erase(std::find(inflight_.begin(), inflight_.end(), batch.get()));
        update_inflight_min_locked();
        done_cv_.notify_all();
        lk.unlock();
        batch.reset();
        lk.lock();
        continue;
      }
      handoff_ = std::move(batch);  // on abort the sender settles it as shutdown
      handoff_cv_.notify_all();
    }
    serializer_done_ = true;
    handoff_cv_.notify_all();
  }

  // The sender thread: sends the batches the exporter prepared, in order.
  void send_loop() {
    std::unique_lock<std::mutex> lk(mu_);
    for (;;) {
      handoff_cv_.wait(lk, [&] { return handoff_ || serializer_done_; });
      if (!handoff_) break;
      std::unique_ptr<Batch> batch = std::move(handoff_);
      handoff_cv_.notify_all();
      lk.unlock();
      send_all(*batch);
      lk.lock();
      inflight_.erase(std::find(inflight_.begin(), inflight_.end(), batch.get()));
      update_inflight_min_locked();
      space_cv_.notify_all();
      done_cv_.notify_all();
      lk.unlock();
      batch.reset();  // the spans' destructors run outside the lock producers take
      lk.lock();
    }
    exited_ = true;
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
    for (Item& it : left)
      notify_drop(DropReason::shutdown, 1, "still queued at the shutdown deadline", it.span.get());
    left.clear();
    lk.lock();
  }

  // Settles one row (under the lock), then reports it (outside).
  void settle(Row& row, Outcome outcome, DropReason reason, int status, const std::string& why,
              bool possibly_duplicated, bool unconfirmed) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      row.settled = true;
      switch (outcome) {
        case Outcome::delivered:
          ++counters_.delivered;
          if (possibly_duplicated) ++counters_.possibly_duplicated;
          if (unconfirmed) ++counters_.unconfirmed;
          break;
        case Outcome::rejected:
          ++counters_.rejected;
          break;
        case Outcome::dropped:
          switch (reason) {
            case DropReason::queue_full:
              ++counters_.dropped_queue_full;
              break;
            case DropReason::shutdown:
              ++counters_.dropped_shutdown;
              break;
            case DropReason::invalid:
              ++counters_.dropped_invalid;
              break;
            case DropReason::too_large:
              ++counters_.dropped_too_large;
              break;
            case DropReason::internal:
              ++counters_.dropped_internal;
              break;
            case DropReason::unacknowledged:
              ++counters_.dropped_unacknowledged;
              break;
            case DropReason::unended:
              ++counters_.dropped_unended;
              break;
          }
          break;
      }
      --inflight_spans_;
      inflight_bytes_ -= row.item.bytes;
      update_inflight_min_locked();
      // Waiters (flush, blocked producers) are woken once per chunk, not per row.
      wake_pending_ = true;
    }
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
    row.json.clear();
    row.json.shrink_to_fit();
  }

  // Rows are in sequence order and mostly settle in order: a cursor per batch over its
  // settled prefix keeps this amortised O(1). Batches are in order too.
  // Settles, under one lock, every row of `chunk` without an error as delivered.
  void settle_delivered(const std::vector<Row*>& chunk, const std::vector<std::string>& errors,
                        bool possibly_duplicated, bool unconfirmed) {
    std::lock_guard<std::mutex> lk(mu_);
    for (std::size_t i = 0; i < chunk.size(); ++i) {
      if (!errors[i].empty()) continue;
      Row& row = *chunk[i];
      row.settled = true;
      ++counters_.delivered;
      if (possibly_duplicated) ++counters_.possibly_duplicated;
      if (unconfirmed) ++counters_.unconfirmed;
      --inflight_spans_;
      inflight_bytes_ -= row.item.bytes;
      std::string().swap(row.json);
    }
    update_inflight_min_locked();
    wake_pending_ = true;
  }

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

  void set_span(DeliveryEvent& e, const TraceSpan* span) const {
    if (span == nullptr) return;
    e.span = &span->log;
    if (trace_events_) e.trace_span = span;
  }

  void notify_drop(DropReason reason, std::uint64_t count, const std::string& why,
                   const TraceSpan* span) {
    DeliveryEvent e;
    e.kind = DeliveryEvent::Kind::dropped;
    e.reason = reason;
    e.count = count;
    e.message = why;
    set_span(e, span);
    emit(e);
  }

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

  void emit(const DeliveryEvent& e) {
    if (!opt_.on_event) return;
    std::lock_guard<std::mutex> one_at_a_time(event_mu_);
    try {
      opt_.on_event(e);
    } catch (...) {  // the callback's failure must not stop delivery
    }
  }

  // Serializes and validates the rows of a batch (exporter thread).
  void prepare(Batch& batch) {
    std::vector<Row*>& ready = batch.ready;
    ready.reserve(batch.rows.size());
    for (Row& row : batch.rows) {
      std::string why;
      DropReason reason = DropReason::invalid;
      std::optional<std::string> refused;
      try {
        refused = sink_->encode(*row.item.span, row.json);
      } catch (const std::exception& ex) {  // out of memory, or a bug in an encoder
        refused = std::string("cannot be encoded: ") + ex.what();
      }
      if (refused) {
        why = std::move(*refused);
      } else if (row.json.size() + body_overhead_ > opt_.max_batch_bytes) {
        reason = DropReason::too_large;
        why = "span JSON of " + std::to_string(row.json.size()) + " bytes exceeds max_batch_bytes";
      }
      if (why.empty()) {
        ready.push_back(&row);
      } else {
        settle(row, Outcome::dropped, reason, 0, why, false, false);
      }
    }
  }

  // Sends the serialized rows of a batch in chunks within the byte cap (sender thread).
  void send_all(Batch& batch) {
    const std::vector<Row*>& ready = batch.ready;
    // Chunks within max_batch_bytes, in order.
    std::deque<std::vector<Row*>> work;
    std::vector<Row*> chunk;
    std::size_t bytes = body_overhead_;
    for (Row* r : ready) {
      if (!chunk.empty() && bytes + r->json.size() + 1 > opt_.max_batch_bytes) {
        work.push_back(std::move(chunk));
        chunk.clear();
        bytes = body_overhead_;
      }
      chunk.push_back(r);
      bytes += r->json.size() + 1;
    }
    if (!chunk.empty()) work.push_back(std::move(chunk));
    wake_waiters();
    while (!work.empty()) {
      std::vector<Row*> c = std::move(work.front());
      work.pop_front();
      if (bulk_unavailable()) {
        for (Row* r : c) {
          send_single(*r);
          wake_waiters();
        }
        continue;
      }
      send_bulk(c, work);
      wake_waiters();
    }
  }

  static constexpr const char* kUnacknowledged =
      "sent, but the answer was lost; not resent (SpanDelivery::at_most_once)";

  // Whether an ambiguous failure must not be resent. A sink whose endpoint de-duplicates by
  // span id (trace ingest) resends whatever span_delivery says: a second copy replaces the
  // first, so at-least-once costs nothing there.
  bool at_most_once() const {
    return !sink_->deduplicates() &&
           pipeline_->options().span_delivery == SpanDelivery::at_most_once;
  }
  // Whether a resend after an ambiguous failure may store a span twice.
  bool may_duplicate() const { return !sink_->deduplicates(); }

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
    if (opt_.request_timeout.count() > 0) ro.request_timeout = opt_.request_timeout;
    std::lock_guard<std::mutex> lk(mu_);
    if (stopping_) {
      const auto left =
          std::chrono::duration_cast<milliseconds>(abort_at_ - Clock::now()) + milliseconds(1);
      const milliseconds per = ro.request_timeout.value_or(pipeline_->options().request_timeout);
      ro.request_timeout = std::clamp(left, milliseconds(1), per);
    }
    return ro;
  }

  void count_request(int attempt) {
    std::lock_guard<std::mutex> lk(mu_);
    ++counters_.requests;
    if (attempt > 0) ++counters_.retries;
  }

  // Sleeps before the next attempt; false when the logger is aborting.
  bool backoff(const Error& e, int attempt) {
    milliseconds delay;
    if (e.retry_after) {
      delay = std::clamp(*e.retry_after, opt_.min_backoff, opt_.max_backoff);
    } else {
      RetryPolicy p;
      p.initial_backoff = opt_.min_backoff;
      p.min_backoff = opt_.min_backoff;
      p.max_backoff = opt_.max_backoff;
      delay = backoff_delay(p, attempt, std::uniform_real_distribution<double>(0, 1)(rng_));
    }
    std::unique_lock<std::mutex> lk(mu_);
    const auto until = Clock::now() + delay;
    handoff_cv_.wait_until(
        lk, until, [&] { return abort_; });  // not work_cv_: its notify_one is for the exporter
    return !abort_;
  }

  // Whether a failure means "try again later", and whether the request may have been
  // processed (then a resend may store the rows twice).
  static bool transient(const Error& e) {
    const int s = e.http_status;
    if (e.code == ErrorCode::network || e.code == ErrorCode::timeout) return true;
    return s == 408 || s == 425 || s == 429 || s >= 500;
  }
  static bool ambiguous(const Error& e) {
    if (e.certainly_not_sent) return false;
    if (e.http_status == 429 || e.http_status == 503) return false;
    return e.code == ErrorCode::network || e.code == ErrorCode::timeout || e.http_status == 408 ||
           e.http_status >= 500;
  }

  std::string reason_of(const Error& e) {
    std::string s = e.message;
    if (e.http_status > 0) s = "HTTP " + std::to_string(e.http_status) + ": " + s;
    return s;
  }

  void send_bulk(std::vector<Row*>& chunk, std::deque<std::vector<Row*>>& work) {
    std::string body(sink_->body_prefix());
    for (std::size_t i = 0; i < chunk.size(); ++i) {
      if (i > 0) body.push_back(',');
      body += chunk[i]->json;
    }
    body += sink_->body_suffix();
    bool resent_after_ambiguity = false;
    for (int attempt = 0;; ++attempt) {
      if (aborting()) {
        for (Row* r : chunk)
          settle(*r, Outcome::dropped, DropReason::shutdown, 0,
                 "still unsent at the shutdown deadline", false, false);
        return;
      }
      count_request(attempt);
      Result<BulkResult> r = sink_->send(*pipeline_, body, chunk.size(), attempt_options());
      if (r) {
        std::vector<std::string> errors(chunk.size());
        for (const RowError& e : r->errors) {
          if (e.index >= 0 && static_cast<std::size_t>(e.index) < chunk.size())
            errors[static_cast<std::size_t>(e.index)] = e.error;
        }
        // Unindexed errors: the server rejected rows without saying which (an OTLP
        // partialSuccess); the count is honoured by rejecting from the end.
        std::vector<const RowError*> unindexed;
        for (const RowError& e : r->errors)
          if (e.index < 0 || static_cast<std::size_t>(e.index) >= chunk.size())
            unindexed.push_back(&e);
        for (std::size_t i = chunk.size(); i-- > 0 && !unindexed.empty();) {
          if (errors[i].empty()) {
            errors[i] = "rejected by the server (row not identified): " + unindexed.back()->error;
            unindexed.pop_back();
          }
        }
        const bool unconfirmed = r->unconfirmed_count > 0;
        settle_delivered(chunk, errors, resent_after_ambiguity, unconfirmed);
        for (std::size_t i = 0; i < chunk.size(); ++i) {
          if (!errors[i].empty())
            settle(*chunk[i], Outcome::rejected, DropReason::invalid, 200, errors[i], false, false);
        }
        return;
      }
      const Error& e = r.error();
      const int s = e.http_status;
      if (e.code == ErrorCode::decode && s >= 200 && s < 300) {
        // Accepted (2xx) with an unreadable answer: stored, not itemised.
        for (Row* row : chunk)
          settle(*row, Outcome::delivered, DropReason::invalid, 0, {}, resent_after_ambiguity,
                 true);
        return;
      }
      if ((s == 404 || s == 405) && sink_->single_path() != nullptr) {
        {
          std::lock_guard<std::mutex> lk(mu_);
          counters_.bulk_unavailable = true;
        }
        pipeline_->log(LogLevel::warn, "BatchLogger: the bulk endpoint answered " +
                                           std::to_string(s) + "; sending spans one by one");
        for (Row* row : chunk)
          send_single(*row);
        return;
      }
      if ((s == 413 || s == 400 || s == 422) && chunk.size() > 1) {
        // Too large, or a row the server refuses whole: split to isolate it.
        {
          std::lock_guard<std::mutex> lk(mu_);
          ++counters_.splits;
        }
        const std::size_t half = chunk.size() / 2;
        std::vector<Row*> second(chunk.begin() + static_cast<std::ptrdiff_t>(half), chunk.end());
        std::vector<Row*> first(chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(half));
        work.push_front(std::move(second));
        work.push_front(std::move(first));
        return;
      }
      if (e.code == ErrorCode::cancelled) continue;  // aborting: settled as shutdown above
      if (transient(e)) {
        if (ambiguous(e) && at_most_once()) {
          for (Row* row : chunk)
            settle(*row, Outcome::dropped, DropReason::unacknowledged, s, kUnacknowledged, false,
                   false);
          return;
        }
        if (ambiguous(e) && may_duplicate()) resent_after_ambiguity = true;
        if (!backoff(e, attempt)) continue;
        continue;
      }
      for (Row* row : chunk)
        settle(*row, Outcome::rejected, DropReason::invalid, s, reason_of(e), false, false);
      return;
    }
  }

  void send_single(Row& row) {
    bool resent_after_ambiguity = false;
    for (int attempt = 0;; ++attempt) {
      if (aborting()) {
        settle(row, Outcome::dropped, DropReason::shutdown, 0,
               "still unsent at the shutdown deadline", false, false);
        return;
      }
      detail::ApiRequest req{HttpMethod::post,
                             sink_->single_path(),
                             {},
                             std::nullopt,
                             detail::Idempotency::span_create,
                             row.json};
      count_request(attempt);
      Result<detail::Reply> r = pipeline_->execute(req, attempt_options());
      if (r) {
        settle(row, Outcome::delivered, DropReason::invalid, 0, {}, resent_after_ambiguity, false);
        return;
      }
      const Error& e = r.error();
      if (e.code == ErrorCode::cancelled) continue;
      if (transient(e)) {
        if (ambiguous(e) && at_most_once()) {
          settle(row, Outcome::dropped, DropReason::unacknowledged, e.http_status, kUnacknowledged,
                 false, false);
          return;
        }
        if (ambiguous(e) && may_duplicate()) resent_after_ambiguity = true;
        backoff(e, attempt);
        continue;
      }
      settle(row, Outcome::rejected, DropReason::invalid, e.http_status, reason_of(e), false,
             false);
      return;
    }
  }

  std::shared_ptr<const detail::Pipeline> pipeline_;
  const std::shared_ptr<const detail::BatchSink> sink_;
  const bool trace_events_;  // DeliveryEvent::trace_span is set (a Tracer's logger)
  const BatchOptions opt_;
  const std::size_t body_overhead_;  // the sink's body prefix and suffix
  std::shared_ptr<CancellationToken> cancel_;
  std::mt19937_64 rng_{std::random_device{}()};

  mutable std::mutex mu_;
  std::mutex event_mu_;               // on_event calls never overlap
  std::condition_variable work_cv_;   // the exporter waits for work / backoff
  std::condition_variable space_cv_;  // blocked producers wait for room
  std::condition_variable done_cv_;   // flush/shutdown wait for settlements
  std::deque<Item> queue_;
  std::size_t queue_bytes_ = 0;
  std::size_t inflight_spans_ = 0;
  std::size_t inflight_bytes_ = 0;
  std::uint64_t inflight_min_seq_ = std::numeric_limits<std::uint64_t>::max();
  std::vector<Batch*> inflight_;        // taken from the queue, not yet fully settled; in order
  std::unique_ptr<Batch> handoff_;      // serialized, waiting for the sender
  std::condition_variable handoff_cv_;  // exporter <-> sender
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
  Clock::time_point abort_at_{};

  std::mutex shutdown_mu_;
  bool joined_ = false;
  DeliveryReport final_;
  std::thread exporter_;  // last: started once everything above exists
  std::thread sender_;
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
  try {
    return logger.impl_->enqueue(std::move(span));
  } catch (...) {
    return logger.impl_->log_failed();
  }
}

void detail::BatchLoggerAccess::count_unended(BatchLogger& logger,
                                              const std::vector<std::string>& descriptions) {
  logger.impl_->count_unended(descriptions);
}

BatchLogger::~BatchLogger() {
  try {
    impl_->shutdown(impl_->opt_.shutdown_timeout);
  } catch (...) {  // a destructor must not throw; the exporter has been joined or never ran
  }
}

bool BatchLogger::log(RequestLog&& span) noexcept {
  try {
    return impl_->enqueue(
        std::unique_ptr<TraceSpan>(new TraceSpan{std::move(span), {}, {}, 0, 0, false}));
  } catch (...) {
    return impl_->log_failed();
  }
}

bool BatchLogger::log(const RequestLog& span) noexcept {
  try {
    return impl_->enqueue(std::unique_ptr<TraceSpan>(new TraceSpan{span, {}, {}, 0, 0, false}));
  } catch (...) {
    return impl_->log_failed();
  }
}

DeliveryReport BatchLogger::stats() const {
  std::lock_guard<std::mutex> lk(impl_->mu_);
  return impl_->snapshot_locked();
}

DeliveryReport BatchLogger::flush(std::chrono::milliseconds timeout) {
  return impl_->flush(timeout);
}

DeliveryReport BatchLogger::shutdown(std::chrono::milliseconds timeout) {
  return impl_->shutdown(timeout);
}

const BatchOptions& BatchLogger::options() const noexcept {
  return impl_->opt_;
}

}  // namespace respan
