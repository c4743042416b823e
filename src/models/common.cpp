#include <algorithm>
#include <chrono>
#include <ratio>

#include <respan/models/common.hpp>

#include "models/json_io.hpp"
#include "util/iso8601.hpp"
#include "util/text.hpp"

namespace respan {

const std::vector<std::string_view>& LogTypeValues::known() {
  static const auto* values =  // never destroyed: exporter threads may read it at exit
      new std::vector<std::string_view>{
          "chat",  "completion", "response", "embedding", "speech",   "transcription", "workflow",
          "agent", "task",       "tool",     "guardrail", "reranker", "other"};
  return *values;
}

const std::vector<std::string_view>& SpanStatusValues::known() {
  static const auto* values =  // never destroyed: exporter threads may read it at exit
      new std::vector<std::string_view>{"success", "error"};
  return *values;
}

Timestamp::Timestamp(std::chrono::system_clock::time_point tp)
    : text_(detail::format_iso8601_micros(
          std::chrono::duration_cast<std::chrono::microseconds>(tp.time_since_epoch()).count())) {}

Timestamp Timestamp::now() {
  return Timestamp(std::chrono::system_clock::now());
}

std::optional<std::int64_t> detail::json_count(const Json& v) noexcept {
  if (!detail::json_type_fits<std::int64_t>(v)) return std::nullopt;
  const auto n = v.get<std::int64_t>();
  if (n < 0) return std::nullopt;
  return n;
}

std::optional<std::int64_t> Timestamp::unix_micros() const {
  return detail::parse_iso8601_micros(text_);
}

std::optional<std::chrono::system_clock::time_point> Timestamp::to_time_point() const {
  using Duration = std::chrono::system_clock::duration;
  static_assert(std::ratio_less_equal_v<Duration::period, std::micro>,
                "system_clock is expected to be at least as fine as microseconds");
  const std::optional<std::int64_t> us = unix_micros();
  if (!us) return std::nullopt;
  // system_clock spans about +-292 years around 1970 with nanosecond ticks: refuse the
  // instants it cannot represent instead of overflowing.
  constexpr auto kMax = std::chrono::duration_cast<std::chrono::microseconds>(Duration::max());
  constexpr auto kMin = std::chrono::duration_cast<std::chrono::microseconds>(Duration::min());
  if (*us > kMax.count() || *us < kMin.count()) return std::nullopt;
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<Duration>(std::chrono::microseconds(*us)));
}

int Timestamp::compare(const Timestamp& a, const Timestamp& b) {
  if (a.text_ == b.text_) return 0;
  const std::optional<std::int64_t> x = a.unix_micros();
  const std::optional<std::int64_t> y = b.unix_micros();
  if (x && y) return *x < *y ? -1 : (*x > *y ? 1 : 0);
  if (x) return -1;  // valid times first
  if (y) return 1;
  return a.text_ < b.text_ ? -1 : 1;
}

void to_json(Json& j_out, const Timestamp& t) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = t.str();
  j_out = std::move(j);
}
void from_json(const Json& j, Timestamp& t) {
  t = Timestamp(j.get<std::string>());
}

void to_json(Json& j_out, const RowError& e) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = Json::object();
  j["index"] = e.index;
  j["error"] = e.error;
  detail::put_extra(j, e.extra);
  j_out = std::move(j);
}

void from_json(const Json& j, RowError& e) {
  e = RowError{};
  if (j.is_string()) {
    e.error = j.get<std::string>();
    return;
  }
  detail::Reader r(j);
  r.get_or("index", e.index);
  if (auto it = j.find("index"); it != j.end() && it->is_string()) {
    if (const auto index = detail::parse_int64(it->get_ref<const std::string&>())) {
      e.index = *index;
      r.skip("index");
    }
  }
  // The reason may be a string or a structured object; keep the text either way.
  for (const char* key : {"error", "detail", "message"}) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) continue;
    e.error = it->is_string() ? it->get<std::string>() : it->dump();
    r.skip(key);
    break;
  }
  e.extra = r.extra();
}

void to_json(Json& j_out, const BulkResult& b) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = Json::object();
  j["success_count"] = b.success_count;
  j["error_count"] = b.error_count;
  j["errors"] = b.errors;
  detail::put(j, "total_errors", b.total_errors);
  if (!b.unique_ids.empty()) j["unique_ids"] = b.unique_ids;
  detail::put_extra(j, b.extra);
  j_out = std::move(j);
}

void from_json(const Json& j, BulkResult& b) {
  b = BulkResult{};
  detail::Reader r(j);
  r.get_or("success_count", b.success_count);
  r.get_or("error_count", b.error_count);
  r.get("total_errors", b.total_errors);
  if (auto it = j.find("errors"); it != j.end() && it->is_array()) {
    for (const Json& e : *it)
      b.errors.push_back(e.get<RowError>());
    r.skip("errors");
  } else if (it != j.end() && it->is_null()) {
    r.skip("errors");
  }
  if (auto it = j.find("unique_ids"); it != j.end() && it->is_array()) {
    for (const Json& id : *it) {
      if (id.is_string()) b.unique_ids.push_back(id.get<std::string>());
    }
    r.skip("unique_ids");
  }
  if (b.error_count == 0) {
    b.error_count = std::max<std::int64_t>(b.total_errors.value_or(0),
                                           static_cast<std::int64_t>(b.errors.size()));
  }
  b.extra = r.extra();
}

void to_json(Json& j_out, const EvaluatorScoreSummary& s) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = Json::object();
  detail::put(j, "evaluator_id", s.evaluator_id);
  detail::put(j, "evaluator_slug", s.evaluator_slug);
  detail::put(j, "evaluator_name", s.evaluator_name);
  detail::put(j, "score_value_type", s.score_value_type);
  detail::put(j, "avg_score", s.avg_score);
  detail::put(j, "true_count", s.true_count);
  detail::put(j, "false_count", s.false_count);
  detail::put_extra(j, s.extra);
  j_out = std::move(j);
}

void from_json(const Json& j, EvaluatorScoreSummary& s) {
  s = EvaluatorScoreSummary{};
  detail::Reader r(j);
  r.id("evaluator_id", s.evaluator_id);
  r.get("evaluator_slug", s.evaluator_slug);
  r.get("evaluator_name", s.evaluator_name);
  r.get("score_value_type", s.score_value_type);
  r.get("avg_score", s.avg_score);
  r.get("true_count", s.true_count);
  r.get("false_count", s.false_count);
  s.extra = r.extra();
}

void to_json(Json& j_out, const UserRef& u) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = Json::object();
  detail::put(j, "first_name", u.first_name);
  detail::put(j, "last_name", u.last_name);
  detail::put(j, "email", u.email);
  detail::put_extra(j, u.extra);
  j_out = std::move(j);
}

void from_json(const Json& j, UserRef& u) {
  u = UserRef{};
  detail::Reader r(j);
  r.get("first_name", u.first_name);
  r.get("last_name", u.last_name);
  r.get("email", u.email);
  u.extra = r.extra();
}

void to_json(Json& j_out, const MessageResponse& m) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = Json::object();
  detail::put(j, "message", m.message);
  detail::put_extra(j, m.extra);
  j_out = std::move(j);
}

void from_json(const Json& j, MessageResponse& m) {
  m = MessageResponse{};
  if (!j.is_object()) return;  // an empty or non-object acknowledgement is still success
  detail::Reader r(j);
  r.get("message", m.message);
  m.extra = r.extra();
}

void to_json(Json& j_out, const LogsSummary& s) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = Json::object();
  j["number_of_requests"] = s.number_of_requests;
  j["total_cost"] = s.total_cost;
  j["total_tokens"] = s.total_tokens;
  j["total_prompt_tokens"] = s.total_prompt_tokens;
  j["total_completion_tokens"] = s.total_completion_tokens;
  j["avg_latency"] = s.avg_latency;
  j["avg_tps"] = s.avg_tps;
  j["avg_ttft"] = s.avg_ttft;
  j["scores"] = s.scores;
  detail::put_extra(j, s.extra);
  j_out = std::move(j);
}

void from_json(const Json& j, LogsSummary& s) {
  s = LogsSummary{};
  detail::Reader r(j);
  r.get_or("number_of_requests", s.number_of_requests);
  r.get_or("total_cost", s.total_cost);
  r.get_or("total_tokens", s.total_tokens);
  r.get_or("total_prompt_tokens", s.total_prompt_tokens);
  r.get_or("total_completion_tokens", s.total_completion_tokens);
  r.get_or("avg_latency", s.avg_latency);
  r.get_or("avg_tps", s.avg_tps);
  r.get_or("avg_ttft", s.avg_ttft);
  Json odd_scores = Json::object();  // entries that are not score objects
  if (auto it = j.find("scores"); it != j.end() && it->is_object()) {
    for (auto e = it->begin(); e != it->end(); ++e) {
      if (e.value().is_object()) {
        s.scores[e.key()] = e.value().get<EvaluatorScoreSummary>();
      } else {
        odd_scores[e.key()] = e.value();
      }
    }
    r.skip("scores");
  } else if (it != j.end() && it->is_null()) {
    r.skip("scores");
  }
  s.extra = r.extra();
  if (!odd_scores.empty()) s.extra["scores"] = std::move(odd_scores);
}

}  // namespace respan
