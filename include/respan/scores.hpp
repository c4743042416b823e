/// @file scores.hpp
/// @brief The scores API: evaluator results attached to logs (spans), through the general
/// `/api/scores/...` routes and the log-scoped `/api/logs/{log_id}/scores/...` routes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <respan/export.hpp>
#include <respan/filters.hpp>
#include <respan/models/common.hpp>
#include <respan/models/request_log.hpp>
#include <respan/models/score.hpp>
#include <respan/options.hpp>
#include <respan/pagination.hpp>
#include <respan/result.hpp>

namespace respan {

namespace detail {
class Pipeline;
}

/// Query of `POST /api/scores/list/`. Everything but `filters` travels in the URL.
struct RESPAN_EXPORT ScoreListQuery {
  Filters filters;  ///< Body `filters` (any score field, e.g. `log_id`, `evaluator_slug`).
  std::optional<std::int64_t> page;       ///< 1-based.
  std::optional<std::int64_t> page_size;  ///< At most 100.
  std::optional<std::string> sort_by;     ///< e.g. "-created_at".
};

/// Query of `GET /api/logs/{log_id}/scores/` (no filters, no sorting).
struct RESPAN_EXPORT LogScoreListQuery {
  std::optional<std::int64_t> page;       ///< 1-based.
  std::optional<std::int64_t> page_size;  ///< At most 100.
};

/// The scores of one log (span): the `/api/logs/{log_id}/scores/...` routes. Obtain with
/// ScoresResource::for_log(); cheap to copy; safe to use from many threads. The log id is
/// checked (and percent-encoded) on every call, like every path parameter.
///
/// **One score per log, evaluator and scorer.** create() is an upsert: the server keeps at
/// most one score per (log, evaluator, scorer), and posting the same evaluator on the same
/// log again overwrites the stored score (same id) instead of adding one. On these routes the
/// scorer is the caller (the API key), whatever Score::scorer says. This makes create() safe
/// to retry, and a user who changes a thumbs-up into a thumbs-down replaces their score.
class RESPAN_EXPORT LogScoresResource {
 public:
  /// Largest `page_size` of list().
  static constexpr std::int64_t kMaxPageSize = 100;

  /// The log (span) `unique_id` these calls address.
  const std::string& log_id() const noexcept { return log_id_; }

  /// `POST /api/logs/{log_id}/scores/`: creates the score, or overwrites the caller's score of
  /// the same evaluator on this log (see the class documentation). Needs `evaluator_id` or
  /// `evaluator_slug` and a value; `score.log_id` is not sent (a different one is refused).
  /// ErrorCode::not_found when the log does not exist. Idempotent (retried).
  Result<ScoreRecord> create(const Score& score, const RequestOptions& options = {}) const;

  /// One page of `GET /api/logs/{log_id}/scores/`.
  Result<Page<ScoreRecord>> list(const LogScoreListQuery& query = {},
                                 const RequestOptions& options = {}) const;

  /// Every score of the log, fetching pages lazily from `query.page` (default 1). Ends after
  /// a page without `next` or on an empty page (the `count` of score pages is the number of
  /// rows of that page, not a total, and is never used to stop).
  PageRange<ScoreRecord> list_all(LogScoreListQuery query = {}, RequestOptions options = {}) const;

  /// `GET /api/logs/{log_id}/scores/{score_id}/` (no `inputs` / `evaluator`).
  Result<ScoreRecord> retrieve(const std::string& score_id,
                               const RequestOptions& options = {}) const;

  /// `PUT /api/logs/{log_id}/scores/{score_id}/`: replaces the score (fields left unset are
  /// presumably reset). Same body rules as create().
  Result<ScoreRecord> replace(const std::string& score_id, const Score& score,
                              const RequestOptions& options = {}) const;

  /// `PATCH /api/logs/{log_id}/scores/{score_id}/`: changes the value fields that are set.
  Result<ScoreRecord> update(const std::string& score_id, const ScoreUpdate& update,
                             const RequestOptions& options = {}) const;

  /// `DELETE /api/logs/{log_id}/scores/{score_id}/`.
  Result<void> remove(const std::string& score_id, const RequestOptions& options = {}) const;

 private:
  friend class ScoresResource;
  LogScoresResource(std::shared_ptr<const detail::Pipeline> p, std::string log_id)
      : pipeline_(std::move(p)), log_id_(std::move(log_id)) {}
  std::shared_ptr<const detail::Pipeline> pipeline_;
  std::string log_id_;
};

/// The score endpoints. Obtain with RespanClient::scores(); cheap to copy; safe to use from
/// many threads. Every call validates its arguments first and reports
/// ErrorCode::invalid_argument without sending anything when they are wrong (an empty or
/// unusable id, no evaluator, no value, `json_value` that is not JSON, a page size out of
/// range, a non-finite number). Ids are opaque strings, percent-encoded in the path.
///
/// To score a span you logged, use its `unique_id` — RequestLogCreated::unique_id, the
/// `unique_id` of a RequestLogRecord, or a Tracer span's `span_unique_id()` (also in
/// `DeliveryEvent::trace_span` for the BatchLogger events of a Tracer's spans):
///
/// @code
/// auto created = client.request_logs().create(span).value();
/// // later, when the user clicks thumbs-up:
/// auto score = client.scores().for_log(created).create(respan::Score::boolean("thumbs_up", true));
/// @endcode
///
/// for_log() is the recommended route whenever the log is known: its create() is an upsert
/// (one score per log, evaluator and scorer), so it can be retried and repeated safely. The
/// general create() adds a score each time (no de-duplication is documented) and is not
/// retried after an ambiguous failure.
class RESPAN_EXPORT ScoresResource {
 public:
  /// Largest `page_size` of list().
  static constexpr std::int64_t kMaxPageSize = 100;

  /// The log-scoped routes of log (span) `log_id`.
  LogScoresResource for_log(std::string log_id) const;
  /// The log-scoped routes of the span a create returned (its `unique_id`).
  LogScoresResource for_log(const RequestLogCreated& created) const;

  /// `POST /api/scores/`: adds a score to the log named by `score.log_id` (required), with
  /// `evaluator_id` or `evaluator_slug` and a value. Not idempotent.
  Result<ScoreRecord> create(const Score& score, const RequestOptions& options = {}) const;

  /// One page of `POST /api/scores/list/` (filters in the body, paging in the query).
  Result<Page<ScoreRecord>> list(const ScoreListQuery& query = {},
                                 const RequestOptions& options = {}) const;

  /// Every matching score, fetching pages lazily from `query.page` (default 1); ends on a page
  /// without `next` or an empty page, never on `count` (a per-page number on score lists).
  PageRange<ScoreRecord> list_all(ScoreListQuery query = {}, RequestOptions options = {}) const;

  /// `GET /api/scores/{id}/`, with `inputs` and `evaluator`.
  Result<ScoreRecord> retrieve(const std::string& score_id,
                               const RequestOptions& options = {}) const;

  /// `PUT /api/scores/{id}/`: replaces the score (fields left unset are presumably reset;
  /// `log_id` may be left unset to keep the log). Needs an evaluator and a value.
  Result<ScoreRecord> replace(const std::string& score_id, const Score& score,
                              const RequestOptions& options = {}) const;

  /// `PATCH /api/scores/{id}/`: changes the value fields that are set.
  Result<ScoreRecord> update(const std::string& score_id, const ScoreUpdate& update,
                             const RequestOptions& options = {}) const;

  /// `DELETE /api/scores/{id}/`. A retry that finds the score gone after an attempt whose
  /// answer was lost succeeds.
  Result<void> remove(const std::string& score_id, const RequestOptions& options = {}) const;

 private:
  friend class RespanClient;
  explicit ScoresResource(std::shared_ptr<const detail::Pipeline> p) : pipeline_(std::move(p)) {}
  std::shared_ptr<const detail::Pipeline> pipeline_;
};

}  // namespace respan
