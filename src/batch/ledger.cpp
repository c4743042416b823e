// The BatchLogger's ledger: settles rows in the counters under the lock and reports
// rejections and drops to on_event, one call at a time.
#include <algorithm>
#include <utility>

#include "batch/core.hpp"

namespace respan::detail::batch {

// ------------------------------------------------------------------ the ledger
void Core::settle_verdicts(const std::vector<Row*>& rows, const RowVerdicts& v,
                           bool possibly_duplicated) {
  using State = RowVerdicts::State;
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
void Core::settle(Row& row, Outcome outcome, DropReason reason, int status, const std::string& why,
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
  if (outcome == Outcome::rejected) note_failure(status, "rejected by the server: " + why);
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

std::uint64_t& Core::drop_counter(DropReason reason) {
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
    case DropReason::filtered:
      return counters_.dropped_filtered;
  }
  return counters_.dropped_internal;
}

// Rows are in sequence order and mostly settle in order: a cursor per batch over its
// settled prefix keeps this amortised O(1). Batches are in order too.
void Core::update_inflight_min_locked() {
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
void Core::wake_waiters() {
  std::lock_guard<std::mutex> lk(mu_);
  if (!std::exchange(wake_pending_, false)) return;
  done_cv_.notify_all();
  space_cv_.notify_all();
}

void Core::drop_queue_locked(std::unique_lock<std::mutex>& lk) {
  std::deque<Item> left;
  left.swap(queue_);
  queue_bytes_ = 0;
  counters_.dropped_shutdown += left.size();
  done_cv_.notify_all();
  lk.unlock();
  try {
    for (Item& it : left)
      notify_drop(DropReason::shutdown, 1, "still queued at the shutdown deadline", it.span.get());
  } catch (...) {
  }
  left.clear();
  lk.lock();
}

void Core::set_span(DeliveryEvent& e, const TraceSpan* span) const {
  if (span == nullptr) return;
  e.span = &span->log;
  if (cfg_.trace_events) e.trace_span = span;
}

void Core::notify_drop(DropReason reason, std::uint64_t count, const std::string& why,
                       const TraceSpan* span) {
  // A span the filter declined is the caller's choice, not a failure (a filter that threw is
  // reported by apply_privacy_to()).
  if (reason != DropReason::filtered)
    note_failure(0, std::to_string(count) + (count == 1 ? " span" : " spans") + " dropped (" +
                        std::string(to_string(reason)) + "): " + why);
  if (!opt().on_event) return;
  DeliveryEvent e;
  e.kind = DeliveryEvent::Kind::dropped;
  e.reason = reason;
  e.count = count;
  e.message = why;
  set_span(e, span);
  emit(e);
}

void Core::note_fields_dropped(const FieldDrops& drops, const TraceSpan* span) noexcept {
  {
    std::lock_guard<std::mutex> lk(mu_);
    counters_.fields_dropped += drops.count;
  }
  if (!opt().on_event) return;
  try {
    DeliveryEvent e;
    e.kind = DeliveryEvent::Kind::fields_dropped;
    e.count = drops.count;
    e.message = drops.describe();
    set_span(e, span);
    emit(e);
  } catch (...) {  // out of memory while reporting: the counter has it
  }
}

void Core::note_privacy(const PrivacyOutcome& outcome, const TraceSpan* span) noexcept {
  if (outcome.mask_failed.count == 0 && outcome.truncated.count == 0) return;
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (outcome.mask_failed.count != 0) ++counters_.mask_failures;
    if (outcome.truncated.count != 0) ++counters_.truncated;
  }
  if (outcome.mask_failed.count != 0)
    note_failure(0, outcome.mask_failed.describe("the masking hook threw on"));
  if (!opt().on_event) return;
  try {
    if (outcome.mask_failed.count != 0) {
      DeliveryEvent e;
      e.kind = DeliveryEvent::Kind::mask_failed;
      e.count = outcome.mask_failed.count;
      e.message = outcome.mask_failed.describe("the masking hook threw on");
      set_span(e, span);
      emit(e);
    }
    if (outcome.truncated.count != 0) {
      DeliveryEvent e;
      e.kind = DeliveryEvent::Kind::truncated;
      e.count = outcome.truncated.count;
      e.message = outcome.truncated.describe("cut by a size limit");
      set_span(e, span);
      emit(e);
    }
  } catch (...) {  // out of memory while reporting: the counters have it
  }
}

void Core::note_failure(int status, const std::string& what) noexcept {
  bool first = false;
  try {
    std::string text = status > 0 && what.find("HTTP ") == std::string::npos
                           ? "HTTP " + std::to_string(status) + ": " + what
                           : what;
    std::lock_guard<std::mutex> lk(mu_);
    counters_.last_error = std::move(text);
    counters_.last_error_status = status;
    first = !std::exchange(failure_reported_, true);
  } catch (...) {  // out of memory: the counters still tell
    return;
  }
  if (!first) return;
  try {
    const std::string who = cfg_.trace_events ? "Tracer" : "BatchLogger";
    cfg_.pipeline->report(LogLevel::error,
                          who + " (" + cfg_.sink->describe() + "): " + what +
                              " [reported once: DeliveryReport::last_error keeps the latest "
                              "failure, BatchOptions::on_event gets every rejection and drop, "
                              "ClientOptions::log takes these messages instead of stderr]");
  } catch (...) {
  }
}

void Core::emit(const DeliveryEvent& e) noexcept {
  if (!opt().on_event) return;
  try {
    std::lock_guard<std::mutex> one_at_a_time(event_mu_);
    opt().on_event(e);
  } catch (...) {  // the callback's failure (even std::bad_alloc) must not stop delivery
  }
}

}  // namespace respan::detail::batch
