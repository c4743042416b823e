// The BatchLogger's exporter thread: waits for a batch, takes it from the queue and writes its
// request bodies (pieces within max_batch_bytes), then hands it to the sender.
#include <algorithm>
#include <utility>

#include "batch/core.hpp"

namespace respan::detail::batch {

// ------------------------------------------------------------------ exporter thread
void Core::run() noexcept {
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
bool Core::export_once(std::unique_lock<std::mutex>& lk) {
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
    if (stopping_ || queue_.front().seq < flush_target_ || queue_.size() >= opt().max_batch_spans ||
        queue_bytes_ >= opt().max_batch_bytes || pressed())
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
void Core::prepare(Batch& batch) {
  std::size_t provisional = 0;  // the reserve of the piece being written, counted before use
  try {
    write_pieces(batch, provisional);
  } catch (...) {
    std::lock_guard<std::mutex> lk(mu_);
    inflight_bytes_ -= provisional;
    throw;
  }
}

// Request bodies count against max_queue_bytes: a piece's reserve from the moment it is
// made, its capacity once written. Without an on_event callback a span is no longer needed
// once its piece is written, so it is destroyed then (and its estimate released): a batch
// never holds its spans and all its bodies at once.
void Core::write_pieces(Batch& batch, std::size_t& provisional) {
  const std::string_view prefix = cfg_.sink->body_prefix();
  const std::string_view suffix = cfg_.sink->body_suffix();
  const std::size_t cap = opt().max_batch_bytes;
  const bool keep_spans = static_cast<bool>(opt().on_event);
  Piece piece;
  auto close_piece = [&] {
    if (piece.rows.empty()) return;
    piece.body += suffix;
    batch.pieces.push_back(std::move(piece));
    piece = Piece();
    Piece& p = batch.pieces.back();
    std::vector<std::unique_ptr<TraceSpan>> done;
    if (!keep_spans) done.reserve(p.rows.size());
    std::lock_guard<std::mutex> lk(mu_);
    inflight_bytes_ -= std::exchange(provisional, 0);
    p.accounted = p.body.capacity();
    inflight_bytes_ += p.accounted;
    if (!keep_spans) {
      for (Row* r : p.rows) {
        inflight_bytes_ -= r->item.bytes;
        r->item.bytes = 0;
        done.push_back(std::move(r->item.span));
      }
    }
  };  // `lk` is released before `done` is destroyed
  std::string scratch;
  FieldDrops drops;
  PrivacyOutcome privacy;
  for (Row& row : batch.rows) {
    if (cfg_.privacy && !apply_privacy_to(row, privacy)) continue;
    scratch.clear();
    std::optional<std::string> refused;
    DropReason reason = DropReason::invalid;
    drops.count = 0;
    drops.paths.clear();
    try {
      refused = cfg_.sink->encode(*row.item.span, scratch, &drops);
    } catch (const std::bad_alloc&) {
      refused = std::string("out of memory while encoding");
      reason = DropReason::internal;
    } catch (const std::exception& ex) {  // a bug in an encoder
      refused = std::string("cannot be encoded: ") + ex.what();
      reason = DropReason::internal;
    }
    if (!refused && scratch.size() + cfg_.body_overhead > cap) {
      reason = DropReason::too_large;
      refused = "span JSON of " + std::to_string(scratch.size()) + " bytes exceeds max_batch_bytes";
    }
    if (refused) {
      settle(row, Outcome::dropped, reason, 0, *refused, false);
      continue;
    }
    if (drops.count != 0) note_fields_dropped(drops, row.item.span.get());
    if (!piece.rows.empty() && piece.body.size() + 1 + scratch.size() + suffix.size() > cap)
      close_piece();
    if (piece.rows.empty()) {
      const std::size_t reserve =
          std::min(cap, scratch.size() * (batch.rows.size() + 1) + cfg_.body_overhead + 64);
      {
        std::lock_guard<std::mutex> lk(mu_);
        inflight_bytes_ += reserve;
        provisional = reserve;
      }
      piece.body.reserve(reserve);
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
}

// Applies the privacy options to a row's span (exporter thread): the filter, content capture
// off, the masking hook, the size limits. A span the SDK cannot process (out of memory) is
// not sent unmasked: it is dropped, reason internal.
bool Core::apply_privacy_to(Row& row, PrivacyOutcome& outcome) {
  outcome.clear();
  try {
    detail::apply_privacy(opt().privacy, *row.item.span, outcome);
  } catch (const std::exception& ex) {
    settle(row, Outcome::dropped, DropReason::internal, 0,
           std::string("cannot apply the privacy options: ") + ex.what(), false);
    return false;
  } catch (...) {
    settle(row, Outcome::dropped, DropReason::internal, 0, "cannot apply the privacy options",
           false);
    return false;
  }
  if (!outcome.keep) {
    if (outcome.filter_failed) {
      {
        std::lock_guard<std::mutex> lk(mu_);
        ++counters_.filter_failures;
      }
      note_failure(
          0, "the span filter threw (the span is dropped)" +
                 (outcome.filter_error.empty() ? std::string() : ": " + outcome.filter_error));
    }
    settle(row, Outcome::dropped, DropReason::filtered, 0,
           outcome.filter_failed
               ? "the span filter threw" +
                     (outcome.filter_error.empty() ? std::string() : ": " + outcome.filter_error)
               : std::string("the span filter returned false"),
           false);
    return false;
  }
  note_privacy(outcome, row.item.span.get());
  return true;
}

}  // namespace respan::detail::batch
