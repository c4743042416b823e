// The BatchLogger's sender thread: sends each piece, reads the answer with the one decoder,
// retries what the one classifier calls transient, splits refused requests within a budget,
// falls back to single creates.
#include <algorithm>
#include <random>
#include <utility>

#include <respan/retry.hpp>

#include "batch/core.hpp"
#include "http/retry_class.hpp"
#include "util/fork.hpp"
#include "util/json_limits.hpp"

namespace respan::detail::batch {

// ------------------------------------------------------------------ sender thread
void Core::send_loop() noexcept {
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
void Core::retire(std::unique_ptr<Batch> batch) noexcept {
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
void Core::fail_batch(Batch& batch, const std::string& why, DropReason reason) noexcept {
  for (Row& row : batch.rows) {
    if (!row.settled) settle(row, Outcome::dropped, reason, 0, why, false);
  }
}

void Core::release_body_locked(Piece& p) noexcept {
  inflight_bytes_ -= p.accounted;
  p.accounted = 0;
  std::string().swap(p.body);
}

void Core::send_all(Batch& batch) {
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

// Whether an ambiguous failure must not be resent. A sink whose endpoint de-duplicates by
// span id (trace ingest) resends whatever span_delivery says: a second copy replaces the
// first, so at-least-once costs nothing there.
bool Core::at_most_once() const {
  return !cfg_.sink->deduplicates() &&
         cfg_.pipeline->options().span_delivery == SpanDelivery::at_most_once;
}

bool Core::bulk_unavailable() {
  std::lock_guard<std::mutex> lk(mu_);
  return counters_.bulk_unavailable;
}

bool Core::aborting() {
  std::lock_guard<std::mutex> lk(mu_);
  return abort_;
}

RequestOptions Core::attempt_options() {
  RequestOptions ro;
  ro.max_retries = 0;
  ro.cancel = cancel_;
  if (opt().request_timeout.count() > 0) ro.request_timeout = opt().request_timeout;
  std::lock_guard<std::mutex> lk(mu_);
  if (stopping_ && abort_at_ != Clock::time_point::max()) {
    const auto left =
        std::chrono::duration_cast<milliseconds>(abort_at_ - Clock::now()) + milliseconds(1);
    const milliseconds per = ro.request_timeout.value_or(cfg_.pipeline->options().request_timeout);
    ro.request_timeout = std::clamp(left, milliseconds(1), std::max(per, milliseconds(1)));
  }
  return ro;
}

void Core::count_request(int attempt) {
  std::lock_guard<std::mutex> lk(mu_);
  ++counters_.requests;
  if (attempt > 0) ++counters_.retries;
}

// Sleeps before the next attempt (`retry` = 0 for the first repeat); false when the
// logger is aborting.
bool Core::backoff(const Error& e, int retry) {
  milliseconds delay;
  if (e.retry_after) {
    delay = std::clamp(*e.retry_after, opt().min_backoff, opt().max_backoff);
  } else {
    RetryPolicy p;
    p.initial_backoff = opt().min_backoff;
    p.min_backoff = opt().min_backoff;
    p.max_backoff = opt().max_backoff;
    delay = backoff_delay(p, retry, static_cast<double>(random_u64() >> 11) * 0x1p-53);
  }
  std::unique_lock<std::mutex> lk(mu_);
  const auto until = Clock::now() + delay;
  // not work_cv_: its notify_one is for the exporter
  handoff_cv_.wait_until(lk, until, [&] { return abort_; });
  return !abort_;
}

std::string Core::reason_of(const Error& e) {
  std::string s = e.message;
  if (e.http_status > 0) s = "HTTP " + std::to_string(e.http_status) + ": " + s;
  return s;
}

void Core::settle_rows(const std::vector<Row*>& rows, Outcome outcome, DropReason reason,
                       int status, const std::string& why) {
  for (Row* r : rows)
    if (!r->settled) settle(*r, outcome, reason, status, why, false);
}

void Core::send_piece(Piece& p, std::deque<Piece>& work) {
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
    Result<RowVerdicts> r =
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
    if (e.code == ErrorCode::cancelled) continue;   // aborting: settled as shutdown above
    const FailureClass c = cfg_.sink->classify(e);  // the sink's classifier (batch_sink.hpp)
    if (c.transient) {
      if (c.maybe_processed && at_most_once()) {
        settle_rows(p.rows, Outcome::dropped, DropReason::unacknowledged, s, kUnacknowledged);
        return;
      }
      if (c.maybe_processed && may_duplicate()) resent_after_ambiguity = true;
      note_failure(e.http_status, "delivery attempt failed, retrying: " + reason_of(e));
      backoff(e, attempt);
      continue;
    }
    if (e.code == ErrorCode::internal) {  // out of memory here, not the server's refusal
      settle_rows(p.rows, Outcome::dropped, DropReason::internal, 0, reason_of(e));
    } else {
      settle_rows(p.rows, Outcome::rejected, DropReason::invalid, s, reason_of(e));
    }
    return;
  }
}

// Splits a piece's rows in two pieces at the front of `work`, each with its own body.
void Core::split(Piece& p, std::deque<Piece>& work) {
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

void Core::send_single(Row& row, const std::string& body) {
  bool resent_after_ambiguity = false;
  for (int attempt = 0;; ++attempt) {
    if (aborting()) {
      settle(row, Outcome::dropped, DropReason::shutdown, 0,
             "still unsent at the shutdown deadline", false);
      return;
    }
    ApiRequest req{HttpMethod::post, cfg_.sink->single_path(), {},
                   std::nullopt,     Idempotency::span_create, body.substr(row.off, row.len)};
    count_request(attempt);
    Result<Reply> r = cfg_.pipeline->execute(req, attempt_options());
    if (r) {
      // The create answer is the span's record (an object); anything else confirms nothing.
      const RowVerdicts v = read_single_answer(r->http.body);
      settle_verdicts({&row}, v, resent_after_ambiguity);
      return;
    }
    const Error& e = r.error();
    if (e.code == ErrorCode::cancelled) continue;
    const FailureClass c = cfg_.sink->classify(e);  // the sink's classifier (batch_sink.hpp)
    if (c.transient) {
      if (c.maybe_processed && at_most_once()) {
        settle(row, Outcome::dropped, DropReason::unacknowledged, e.http_status, kUnacknowledged,
               false);
        return;
      }
      if (c.maybe_processed && may_duplicate()) resent_after_ambiguity = true;
      note_failure(e.http_status, "delivery attempt failed, retrying: " + reason_of(e));
      backoff(e, attempt);
      continue;
    }
    if (e.code == ErrorCode::internal) {  // out of memory here, not the server's refusal
      settle(row, Outcome::dropped, DropReason::internal, 0, reason_of(e), false);
    } else {
      settle(row, Outcome::rejected, DropReason::invalid, e.http_status, reason_of(e), false);
    }
    return;
  }
}

RowVerdicts Core::read_single_answer(const std::string& body) {
  RowVerdicts v;
  v.state.assign(1, RowVerdicts::State::unconfirmed);
  v.message.assign(1, "not confirmed by the server's answer: it is not the created span");
  const BoundedJson j = parse_json_bounded(body);
  if (!body.empty() && j.status == JsonParseStatus::ok && j.value.is_object()) {
    v.state[0] = RowVerdicts::State::delivered;
    v.message[0].clear();
    v.delivered = 1;
  } else {
    v.unconfirmed = 1;
  }
  return v;
}

}  // namespace respan::detail::batch
