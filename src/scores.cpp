#include <respan/scores.hpp>

#include "http/pipeline.hpp"
#include "models/encode.hpp"
#include "resource_util.hpp"
#include "util/json_limits.hpp"

namespace respan {

using detail::ApiRequest;
using detail::Idempotency;
using detail::QueryParams;

namespace {

std::string score_path(const std::string& score_id) {
  return "/api/scores/" + detail::percent_encode(score_id) + "/";
}

std::string log_scores_path(const std::string& log_id) {
  return "/api/logs/" + detail::percent_encode(log_id) + "/scores/";
}

std::optional<Error> invalid(std::string message) {
  return Error::make(ErrorCode::invalid_argument, std::move(message));
}

// The value rules shared by the write body and the PATCH body: json_value is JSON text.
std::optional<Error> check_json_value(const std::optional<std::string>& json_value,
                                      const char* type_name) {
  if (!json_value) return std::nullopt;
  if (detail::parse_json_bounded(*json_value).status != detail::JsonParseStatus::ok) {
    return invalid(std::string(type_name) +
                   ".json_value: not JSON text (the API takes the JSON document serialised into "
                   "a string; Score::json() does it)");
  }
  return std::nullopt;
}

// The rules of a score write body (create and replace, both routes).
std::optional<Error> check_score(const Score& s) {
  const bool by_id = s.evaluator_id && !s.evaluator_id->empty();
  const bool by_slug = s.evaluator_slug && !s.evaluator_slug->empty();
  if (!by_id && !by_slug) {
    return invalid("Score: evaluator_id or evaluator_slug is required");
  }
  if (!s.numerical_value && !s.string_value && !s.boolean_value && !s.categorical_value &&
      !s.json_value) {
    return invalid(
        "Score: no value set (numerical_value, string_value, boolean_value, categorical_value "
        "or json_value)");
  }
  return check_json_value(s.json_value, "Score");
}

// The body of a log-scoped write: the log comes from the path, so `log_id` is not sent (and a
// different one is refused rather than silently dropped).
Result<Json> log_scoped_body(const Score& score, const std::string& log_id) {
  if (auto bad = check_score(score)) return *bad;
  if (score.log_id && *score.log_id != log_id) {
    return Error::make(ErrorCode::invalid_argument,
                       "Score.log_id (" + *score.log_id + ") differs from the log of this route (" +
                           log_id + "); leave it unset on the log-scoped routes");
  }
  Score body = score;
  body.log_id.reset();
  return detail::encode(body, "Score");
}

Result<Page<ScoreRecord>> list_page(const detail::Pipeline& p, const ScoreListQuery& q,
                                    const RequestOptions& o) {
  if (auto bad = detail::check_paging(q.page, q.page_size, ScoresResource::kMaxPageSize)) {
    return *bad;
  }
  QueryParams params;
  detail::add_param(params, "page", q.page);
  detail::add_param(params, "page_size", q.page_size);
  detail::add_param(params, "sort_by", q.sort_by);
  return p.call<Page<ScoreRecord>>(
      {HttpMethod::post, "/api/scores/list/", std::move(params),
       detail::filters_body(q.filters, detail::FilterFamily::unchecked, p),
       Idempotency::idempotent},
      o);
}

Result<Page<ScoreRecord>> log_page(const detail::Pipeline& p, const std::string& log_id,
                                   const LogScoreListQuery& q, const RequestOptions& o) {
  if (auto bad = detail::check_path_param(log_id, "log_id")) return *bad;
  if (auto bad = detail::check_paging(q.page, q.page_size, LogScoresResource::kMaxPageSize)) {
    return *bad;
  }
  QueryParams params;
  detail::add_param(params, "page", q.page);
  detail::add_param(params, "page_size", q.page_size);
  return p.call<Page<ScoreRecord>>(
      {HttpMethod::get, log_scores_path(log_id), std::move(params), {}, Idempotency::idempotent},
      o);
}

}  // namespace

// ------------------------------------------------------------------------------ LogScoresResource

Result<ScoreRecord> LogScoresResource::create(const Score& score,
                                              const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(log_id_, "log_id")) return *bad;
  Result<Json> body = log_scoped_body(score, log_id_);
  if (!body) return std::move(body).error();
  // An upsert per (log, evaluator, scorer): repeating it leaves the same state.
  return pipeline_->call<ScoreRecord>(
      {HttpMethod::post, log_scores_path(log_id_), {}, std::move(*body), Idempotency::idempotent},
      options);
}

Result<Page<ScoreRecord>> LogScoresResource::list(const LogScoreListQuery& query,
                                                  const RequestOptions& options) const {
  return log_page(*pipeline_, log_id_, query, options);
}

PageRange<ScoreRecord> LogScoresResource::list_all(LogScoreListQuery query,
                                                   RequestOptions options) const {
  return detail::all_pages_by_next<ScoreRecord>(
      std::move(query), [p = pipeline_, id = log_id_, o = std::move(options)](
                            const LogScoreListQuery& q) { return log_page(*p, id, q, o); });
}

Result<ScoreRecord> LogScoresResource::retrieve(const std::string& score_id,
                                                const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(log_id_, "log_id")) return *bad;
  if (auto bad = detail::check_path_param(score_id, "score_id")) return *bad;
  return pipeline_->call<ScoreRecord>(
      {HttpMethod::get,
       log_scores_path(log_id_) + detail::percent_encode(score_id) + "/",
       {},
       {},
       Idempotency::idempotent},
      options);
}

Result<ScoreRecord> LogScoresResource::replace(const std::string& score_id, const Score& score,
                                               const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(log_id_, "log_id")) return *bad;
  if (auto bad = detail::check_path_param(score_id, "score_id")) return *bad;
  Result<Json> body = log_scoped_body(score, log_id_);
  if (!body) return std::move(body).error();
  return detail::call_object<ScoreRecord>(
      *pipeline_,
      {HttpMethod::put,
       log_scores_path(log_id_) + detail::percent_encode(score_id) + "/",
       {},
       std::move(*body),
       Idempotency::idempotent},
      options);
}

Result<ScoreRecord> LogScoresResource::update(const std::string& score_id,
                                              const ScoreUpdate& update,
                                              const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(log_id_, "log_id")) return *bad;
  if (auto bad = detail::check_path_param(score_id, "score_id")) return *bad;
  if (auto bad = check_json_value(update.json_value, "ScoreUpdate")) return *bad;
  Result<Json> body = detail::encode(update, "ScoreUpdate");
  if (!body) return std::move(body).error();
  return detail::call_object<ScoreRecord>(
      *pipeline_,
      {HttpMethod::patch,
       log_scores_path(log_id_) + detail::percent_encode(score_id) + "/",
       {},
       std::move(*body),
       Idempotency::idempotent},
      options);
}

Result<void> LogScoresResource::remove(const std::string& score_id,
                                       const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(log_id_, "log_id")) return *bad;
  if (auto bad = detail::check_path_param(score_id, "score_id")) return *bad;
  return pipeline_->call_void({HttpMethod::del,
                               log_scores_path(log_id_) + detail::percent_encode(score_id) + "/",
                               {},
                               {},
                               Idempotency::idempotent},
                              options);
}

// ------------------------------------------------------------------------------ ScoresResource

LogScoresResource ScoresResource::for_log(std::string log_id) const {
  return LogScoresResource(pipeline_, std::move(log_id));
}

LogScoresResource ScoresResource::for_log(const RequestLogCreated& created) const {
  return LogScoresResource(pipeline_, created.unique_id);
}

Result<ScoreRecord> ScoresResource::create(const Score& score,
                                           const RequestOptions& options) const {
  if (auto bad = check_score(score)) return *bad;
  if (!score.log_id || score.log_id->empty()) {
    return Error::make(ErrorCode::invalid_argument,
                       "Score.log_id is required on POST /api/scores/ (or use for_log(log_id))");
  }
  Result<Json> body = detail::encode(score, "Score");
  if (!body) return std::move(body).error();
  return pipeline_->call<ScoreRecord>(
      {HttpMethod::post, "/api/scores/", {}, std::move(*body), Idempotency::non_idempotent},
      options);
}

Result<Page<ScoreRecord>> ScoresResource::list(const ScoreListQuery& query,
                                               const RequestOptions& options) const {
  return list_page(*pipeline_, query, options);
}

PageRange<ScoreRecord> ScoresResource::list_all(ScoreListQuery query,
                                                RequestOptions options) const {
  return detail::all_pages_by_next<ScoreRecord>(
      std::move(query), [p = pipeline_, o = std::move(options)](const ScoreListQuery& q) {
        return list_page(*p, q, o);
      });
}

Result<ScoreRecord> ScoresResource::retrieve(const std::string& score_id,
                                             const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(score_id, "score_id")) return *bad;
  return pipeline_->call<ScoreRecord>(
      {HttpMethod::get, score_path(score_id), {}, {}, Idempotency::idempotent}, options);
}

Result<ScoreRecord> ScoresResource::replace(const std::string& score_id, const Score& score,
                                            const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(score_id, "score_id")) return *bad;
  if (auto bad = check_score(score)) return *bad;
  Result<Json> body = detail::encode(score, "Score");
  if (!body) return std::move(body).error();
  return detail::call_object<ScoreRecord>(
      *pipeline_,
      {HttpMethod::put, score_path(score_id), {}, std::move(*body), Idempotency::idempotent},
      options);
}

Result<ScoreRecord> ScoresResource::update(const std::string& score_id, const ScoreUpdate& update,
                                           const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(score_id, "score_id")) return *bad;
  if (auto bad = check_json_value(update.json_value, "ScoreUpdate")) return *bad;
  Result<Json> body = detail::encode(update, "ScoreUpdate");
  if (!body) return std::move(body).error();
  return detail::call_object<ScoreRecord>(
      *pipeline_,
      {HttpMethod::patch, score_path(score_id), {}, std::move(*body), Idempotency::idempotent},
      options);
}

Result<void> ScoresResource::remove(const std::string& score_id,
                                    const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(score_id, "score_id")) return *bad;
  return pipeline_->call_void(
      {HttpMethod::del, score_path(score_id), {}, {}, Idempotency::idempotent}, options);
}

}  // namespace respan
