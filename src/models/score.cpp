#include <respan/models/score.hpp>

#include "models/emit.hpp"
#include "models/json_io.hpp"
#include "util/json_limits.hpp"

namespace respan {

using detail::Self;
namespace field = detail::field;

const std::vector<std::string_view>& ScoreTypeValues::known() {
  static const std::vector<std::string_view> values = {"llm",
                                                       "human",
                                                       "code",
                                                       "function",
                                                       "human_numerical",
                                                       "human_boolean",
                                                       "human_categorical",
                                                       "human_text",
                                                       "custom"};
  return values;
}

// Each model's fields are listed once, in its model_fields() (models/fields.hpp).
namespace {

Score with_slug(std::string slug) {
  Score s;
  s.evaluator_slug = std::move(slug);
  return s;
}

}  // namespace

// ------------------------------------------------------------------------------ Score

Score Score::numerical(std::string evaluator_slug, double value) {
  Score s = with_slug(std::move(evaluator_slug));
  s.numerical_value = value;
  return s;
}

Score Score::text(std::string evaluator_slug, std::string value) {
  Score s = with_slug(std::move(evaluator_slug));
  s.string_value = std::move(value);
  return s;
}

Score Score::boolean(std::string evaluator_slug, bool value) {
  Score s = with_slug(std::move(evaluator_slug));
  s.boolean_value = value;
  return s;
}

Score Score::categorical(std::string evaluator_slug, std::vector<std::string> options) {
  Score s = with_slug(std::move(evaluator_slug));
  s.categorical_value = std::move(options);
  return s;
}

Score Score::json(std::string evaluator_slug, const Json& document) {
  Score s = with_slug(std::move(evaluator_slug));
  s.json_value = document.dump(-1, ' ', false, Json::error_handler_t::replace);
  return s;
}

// A score's value, one of five kinds (Score, ScoreUpdate and ScoreRecord all have them).
template <class V, class M>
void value_fields(V& v, M& s) {
  v("numerical_value", s.numerical_value);
  v("string_value", s.string_value);
  v("boolean_value", s.boolean_value);
  v("categorical_value", s.categorical_value);
  v("json_value", s.json_value);
}

template <class V>
void model_fields(V& v, Self<V, Score>& s) {
  v("evaluator_id", s.evaluator_id, field::id);
  v("evaluator_slug", s.evaluator_slug);
  v("log_id", s.log_id, field::id);
  v("timestamp", s.timestamp);
  v("environment", s.environment);
  v("prompt_id", s.prompt_id, field::id);
  v("prompt_version_number", s.prompt_version_number);
  v("dataset_id", s.dataset_id, field::id);
  v("automation_id", s.automation_id, field::id);
  v("scorer", s.scorer);
  value_fields(v, s);
  v.extra(s.extra);
}
RESPAN_MODEL_JSON(Score)

// ------------------------------------------------------------------------------ ScoreUpdate

template <class V>
void model_fields(V& v, Self<V, ScoreUpdate>& u) {
  value_fields(v, u);
  v.extra(u.extra);
}
RESPAN_MODEL_JSON(ScoreUpdate)

// ------------------------------------------------------------------------------ ScoreInputs

template <class V>
void model_fields(V& v, Self<V, ScoreInputs>& i) {
  v("input", i.input);
  v("output", i.output);
  v("metrics", i.metrics);
  v("metadata", i.metadata);
  v.extra(i.extra);
}
RESPAN_MODEL_JSON(ScoreInputs)

// ------------------------------------------------------------------------------ ScoreRecord

std::optional<Json> ScoreRecord::json_document() const {
  if (!json_value) return std::nullopt;
  detail::BoundedJson parsed = detail::parse_json_bounded(*json_value);
  if (parsed.status != detail::JsonParseStatus::ok) return std::nullopt;
  return std::move(parsed.value);
}

template <class V>
void model_fields(V& v, Self<V, ScoreRecord>& s) {
  v("id", s.id, field::id);
  v("created_at", s.created_at);
  v("type", s.type);
  v("environment", s.environment);
  value_fields(v, s);
  v("is_passed", s.is_passed);
  v("cost", s.cost);
  v("evaluator_id", s.evaluator_id, field::id);
  v("evaluator_slug", s.evaluator_slug);
  v("evaluator_name", s.evaluator_name);
  v("scorer", s.scorer);
  v("log_id", s.log_id, field::id);
  v("prompt_id", s.prompt_id, field::id);
  v("prompt_version_number", s.prompt_version_number);
  v("dataset_id", s.dataset_id, field::id);
  v("automation_id", s.automation_id, field::id);
  v("status", s.status);
  v("error_message", s.error_message);
  v("inputs", s.inputs);
  v("evaluator", s.evaluator);
  v.extra(s.extra);
}
RESPAN_MODEL_JSON(ScoreRecord)

}  // namespace respan
