#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

#include <respan/models/common.hpp>

#include "models/json_io.hpp"
#include "util/civil_time.hpp"

namespace respan {

namespace {

bool digits(const std::string& s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

}  // namespace

const std::vector<std::string_view>& LogTypeValues::known() {
  static const std::vector<std::string_view> values{
      "chat",  "completion", "response", "embedding", "speech",   "transcription", "workflow",
      "agent", "task",       "tool",     "guardrail", "reranker", "other"};
  return values;
}

const std::vector<std::string_view>& SpanStatusValues::known() {
  static const std::vector<std::string_view> values{"success", "error"};
  return values;
}

Timestamp::Timestamp(std::chrono::system_clock::time_point tp) {
  using namespace std::chrono;
  const auto us = duration_cast<microseconds>(tp.time_since_epoch()).count();
  std::int64_t secs = us / 1000000;
  std::int64_t frac = us % 1000000;
  if (frac < 0) {
    frac += 1000000;
    --secs;
  }
  std::int64_t days = secs / 86400;
  std::int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  std::int64_t y = 0;
  unsigned m = 0;
  unsigned d = 0;
  detail::civil_from_days(days, y, m, d);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%06lldZ",
                static_cast<long long>(y), m, d, static_cast<int>(rem / 3600),
                static_cast<int>(rem % 3600 / 60), static_cast<int>(rem % 60),
                static_cast<long long>(frac));
  text_ = buf;
}

Timestamp Timestamp::now() {
  return Timestamp(std::chrono::system_clock::now());
}

std::optional<std::chrono::system_clock::time_point> Timestamp::to_time_point() const {
  const std::string& s = text_;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;
  std::size_t pos = 10;
  std::int64_t micros = 0;
  std::int64_t offset_sec = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
    if (!digits(s, pos + 1, 2, h) || s.size() < pos + 6 || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, mi)) {
      return std::nullopt;
    }
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!digits(s, pos + 1, 2, sec)) return std::nullopt;
      pos += 3;
    }
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      std::int64_t scale = 100000;
      const std::size_t start = pos;
      while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
        micros += (s[pos] - '0') * scale;
        scale /= 10;
        ++pos;
      }
      if (pos == start) return std::nullopt;
    }
    if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
    if (pos < s.size()) {
      if (s[pos] == 'Z' || s[pos] == 'z') {
        ++pos;
      } else if (s[pos] == '+' || s[pos] == '-') {
        const int sign = s[pos] == '-' ? -1 : 1;
        int oh = 0, om = 0;
        if (!digits(s, pos + 1, 2, oh)) return std::nullopt;
        pos += 3;
        if (pos < s.size() && s[pos] == ':') ++pos;
        if (pos < s.size()) {
          if (!digits(s, pos, 2, om)) return std::nullopt;
          pos += 2;
        }
        offset_sec = sign * (oh * 3600 + om * 60);
      }
    }
    if (pos != s.size()) return std::nullopt;
  }
  const std::int64_t days =
      detail::days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  const std::int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_sec;
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::microseconds(secs * 1000000 + micros)));
}

void to_json(Json& j, const Timestamp& t) {
  j = t.str();
}
void from_json(const Json& j, Timestamp& t) {
  t = Timestamp(j.get<std::string>());
}

void to_json(Json& j, const RowError& e) {
  j = Json::object();
  j["index"] = e.index;
  j["error"] = e.error;
  detail::put_extra(j, e.extra);
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
    try {
      e.index = std::stoll(it->get<std::string>());
      r.skip("index");
    } catch (const std::exception&) {
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

void to_json(Json& j, const BulkResult& b) {
  j = Json::object();
  j["success_count"] = b.success_count;
  j["error_count"] = b.error_count;
  j["errors"] = b.errors;
  detail::put(j, "total_errors", b.total_errors);
  if (!b.unique_ids.empty()) j["unique_ids"] = b.unique_ids;
  detail::put_extra(j, b.extra);
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

void to_json(Json& j, const EvaluatorScoreSummary& s) {
  j = Json::object();
  detail::put(j, "evaluator_id", s.evaluator_id);
  detail::put(j, "evaluator_slug", s.evaluator_slug);
  detail::put(j, "evaluator_name", s.evaluator_name);
  detail::put(j, "score_value_type", s.score_value_type);
  detail::put(j, "avg_score", s.avg_score);
  detail::put(j, "true_count", s.true_count);
  detail::put(j, "false_count", s.false_count);
  detail::put_extra(j, s.extra);
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

void to_json(Json& j, const UserRef& u) {
  j = Json::object();
  detail::put(j, "first_name", u.first_name);
  detail::put(j, "last_name", u.last_name);
  detail::put(j, "email", u.email);
  detail::put_extra(j, u.extra);
}

void from_json(const Json& j, UserRef& u) {
  u = UserRef{};
  detail::Reader r(j);
  r.get("first_name", u.first_name);
  r.get("last_name", u.last_name);
  r.get("email", u.email);
  u.extra = r.extra();
}

void to_json(Json& j, const MessageResponse& m) {
  j = Json::object();
  detail::put(j, "message", m.message);
  detail::put_extra(j, m.extra);
}

void from_json(const Json& j, MessageResponse& m) {
  m = MessageResponse{};
  if (!j.is_object()) return;  // an empty or non-object acknowledgement is still success
  detail::Reader r(j);
  r.get("message", m.message);
  m.extra = r.extra();
}

void to_json(Json& j, const LogsSummary& s) {
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
