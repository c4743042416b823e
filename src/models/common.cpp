#include <algorithm>
#include <chrono>
#include <ratio>

#include <respan/models/common.hpp>

#include "models/emit.hpp"
#include "models/json_io.hpp"
#include "util/iso8601.hpp"
#include "util/text.hpp"

namespace respan {

using detail::Self;
namespace field = detail::field;

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

namespace {

// A row's position: an integer, or its decimal text.
struct IndexCodec : field::Codec {
  template <class R>
  void read(R& r, const char* k, std::int64_t& out) const {
    r.reader().get_or(k, out);
    const Json* v = r.find(k);
    if (v == nullptr || !v->is_string()) return;
    if (const auto index = detail::parse_int64(v->get_ref<const std::string&>())) {
      out = *index;
      r.understood(k);
    }
  }
};

// The reason may come as "error", "detail" or "message", a string or a structured object;
// the text is kept either way.
struct ReasonCodec : field::Codec {
  template <class R>
  void read(R& r, const char*, std::string& out) const {
    for (const char* key : {"error", "detail", "message"}) {
      const Json* v = r.find(key);
      if (v == nullptr || v->is_null()) continue;
      out = v->is_string() ? v->get<std::string>() : v->dump();
      r.understood(key);
      return;
    }
  }
};

// Row errors decoded one by one (a row error that does not decode fails the result).
struct RowErrorsCodec : field::Codec {
  template <class R>
  void read(R& r, const char* k, std::vector<RowError>& out) const {
    const Json* v = r.find(k);
    if (v == nullptr || !(v->is_array() || v->is_null())) return;
    if (v->is_array()) {
      for (const Json& e : *v)
        out.push_back(e.get<RowError>());
    }
    r.understood(k);
  }
};

// The ids that are strings (others are dropped); sent only when there are some.
struct StringIdsCodec : field::Codec {
  static constexpr bool kWrites = true;
  template <class Out>
  void write(Out& o, const char* k, const std::vector<std::string>& ids) const {
    if (!ids.empty()) o.required(k, ids);
  }
  template <class R>
  void read(R& r, const char* k, std::vector<std::string>& out) const {
    const Json* v = r.find(k);
    if (v == nullptr || !v->is_array()) return;
    for (const Json& id : *v) {
      if (id.is_string()) out.push_back(id.get<std::string>());
    }
    r.understood(k);
  }
};

// The summaries by evaluator; entries that are not objects go to extra under the field's name.
struct ScoreSummariesCodec : field::Codec {
  template <class R>
  void read(R& r, const char* k, std::map<std::string, EvaluatorScoreSummary>& out) const {
    const Json* v = r.find(k);
    if (v == nullptr || !(v->is_object() || v->is_null())) return;
    r.understood(k);
    if (v->is_null()) return;
    Json odd = Json::object();
    for (auto e = v->begin(); e != v->end(); ++e) {
      if (e.value().is_object()) {
        out[e.key()] = e.value().get<EvaluatorScoreSummary>();
      } else {
        odd[e.key()] = e.value();
      }
    }
    if (!odd.empty()) r.add_extra(k, std::move(odd));
  }
};

}  // namespace

template <class V>
void model_fields(V& v, Self<V, RowError>& e) {
  v("index", e.index, IndexCodec{});
  v("error", e.error, ReasonCodec{});
  v.extra(e.extra);
}

void to_json(Json& j, const RowError& e) {
  detail::write_dom(j, e);
}

void from_json(const Json& j, RowError& e) {
  if (!j.is_string()) return detail::read_fields(j, e);
  e = RowError{};
  e.error = j.get<std::string>();
}

template <class V>
void model_fields(V& v, Self<V, BulkResult>& b) {
  v("success_count", b.success_count);
  v("error_count", b.error_count);
  v("errors", b.errors, RowErrorsCodec{});
  v("total_errors", b.total_errors);
  v("unique_ids", b.unique_ids, StringIdsCodec{});
  v.extra(b.extra);
}

void to_json(Json& j, const BulkResult& b) {
  detail::write_dom(j, b);
}

void from_json(const Json& j, BulkResult& b) {
  detail::read_fields(j, b);
  if (b.error_count == 0) {
    b.error_count = std::max<std::int64_t>(b.total_errors.value_or(0),
                                           static_cast<std::int64_t>(b.errors.size()));
  }
}

template <class V>
void model_fields(V& v, Self<V, EvaluatorScoreSummary>& s) {
  v("evaluator_id", s.evaluator_id, field::id);
  v("evaluator_slug", s.evaluator_slug);
  v("evaluator_name", s.evaluator_name);
  v("score_value_type", s.score_value_type);
  v("avg_score", s.avg_score);
  v("true_count", s.true_count);
  v("false_count", s.false_count);
  v.extra(s.extra);
}
RESPAN_MODEL_JSON(EvaluatorScoreSummary)

template <class V>
void model_fields(V& v, Self<V, UserRef>& u) {
  v("first_name", u.first_name);
  v("last_name", u.last_name);
  v("email", u.email);
  v.extra(u.extra);
}
RESPAN_MODEL_JSON(UserRef)

template <class V>
void model_fields(V& v, Self<V, MessageResponse>& m) {
  v("message", m.message);
  v.extra(m.extra);
}

void to_json(Json& j, const MessageResponse& m) {
  detail::write_dom(j, m);
}

void from_json(const Json& j, MessageResponse& m) {
  m = MessageResponse{};
  if (j.is_object()) detail::read_fields(j, m);  // an empty acknowledgement is still success
}

template <class V>
void model_fields(V& v, Self<V, LogsSummary>& s) {
  v("number_of_requests", s.number_of_requests);
  v("total_cost", s.total_cost);
  v("total_tokens", s.total_tokens);
  v("total_prompt_tokens", s.total_prompt_tokens);
  v("total_completion_tokens", s.total_completion_tokens);
  v("avg_latency", s.avg_latency);
  v("avg_tps", s.avg_tps);
  v("avg_ttft", s.avg_ttft);
  v("scores", s.scores, ScoreSummariesCodec{});
  v.extra(s.extra);
}
RESPAN_MODEL_JSON(LogsSummary)

}  // namespace respan
