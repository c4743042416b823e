#include <respan/models/score.hpp>

#include "models/emit.hpp"
#include "models/json_io.hpp"
#include "util/json_limits.hpp"

namespace respan {

using detail::Reader;

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

// Each model's fields are listed once, in emit_fields() (models/emit.hpp).
namespace {

template <class M>
Json dom_object(const M& m) {
  Json j = Json::object();
  detail::DomOut o{j};
  emit_fields(o, m);
  return j;
}

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

template <class Out>
void emit_fields(Out& o, const Score& s) {
  o.opt("evaluator_id", s.evaluator_id);
  o.opt("evaluator_slug", s.evaluator_slug);
  o.opt("log_id", s.log_id);
  o.opt("timestamp", s.timestamp);
  o.opt("environment", s.environment);
  o.opt("prompt_id", s.prompt_id);
  o.opt("prompt_version_number", s.prompt_version_number);
  o.opt("dataset_id", s.dataset_id);
  o.opt("automation_id", s.automation_id);
  o.opt("scorer", s.scorer);
  o.opt("numerical_value", s.numerical_value);
  o.opt("string_value", s.string_value);
  o.opt("boolean_value", s.boolean_value);
  o.opt("categorical_value", s.categorical_value);
  o.opt("json_value", s.json_value);
  o.extra(s.extra);
}

void to_json(Json& j_out, const Score& s) {
  j_out = dom_object(s);
}

void from_json(const Json& j, Score& s) {
  s = Score{};
  Reader r(j);
  r.id("evaluator_id", s.evaluator_id);
  r.get("evaluator_slug", s.evaluator_slug);
  r.id("log_id", s.log_id);
  r.get("timestamp", s.timestamp);
  r.get("environment", s.environment);
  r.id("prompt_id", s.prompt_id);
  r.get("prompt_version_number", s.prompt_version_number);
  r.id("dataset_id", s.dataset_id);
  r.id("automation_id", s.automation_id);
  r.get("scorer", s.scorer);
  r.get("numerical_value", s.numerical_value);
  r.get("string_value", s.string_value);
  r.get("boolean_value", s.boolean_value);
  r.get("categorical_value", s.categorical_value);
  r.get("json_value", s.json_value);
  s.extra = r.extra();
}

// ------------------------------------------------------------------------------ ScoreUpdate

template <class Out>
void emit_fields(Out& o, const ScoreUpdate& u) {
  o.opt("numerical_value", u.numerical_value);
  o.opt("string_value", u.string_value);
  o.opt("boolean_value", u.boolean_value);
  o.opt("categorical_value", u.categorical_value);
  o.opt("json_value", u.json_value);
  o.extra(u.extra);
}

void to_json(Json& j_out, const ScoreUpdate& u) {
  j_out = dom_object(u);
}

void from_json(const Json& j, ScoreUpdate& u) {
  u = ScoreUpdate{};
  Reader r(j);
  r.get("numerical_value", u.numerical_value);
  r.get("string_value", u.string_value);
  r.get("boolean_value", u.boolean_value);
  r.get("categorical_value", u.categorical_value);
  r.get("json_value", u.json_value);
  u.extra = r.extra();
}

// ------------------------------------------------------------------------------ ScoreInputs

template <class Out>
void emit_fields(Out& o, const ScoreInputs& i) {
  o.opt("input", i.input);
  o.opt("output", i.output);
  o.opt("metrics", i.metrics);
  o.opt("metadata", i.metadata);
  o.extra(i.extra);
}

void to_json(Json& j_out, const ScoreInputs& i) {
  j_out = dom_object(i);
}

void from_json(const Json& j, ScoreInputs& i) {
  i = ScoreInputs{};
  Reader r(j);
  r.raw("input", i.input);
  r.raw("output", i.output);
  r.raw("metrics", i.metrics);
  r.raw("metadata", i.metadata);
  i.extra = r.extra();
}

// ------------------------------------------------------------------------------ ScoreRecord

std::optional<Json> ScoreRecord::json_document() const {
  if (!json_value) return std::nullopt;
  detail::BoundedJson parsed = detail::parse_json_bounded(*json_value);
  if (parsed.status != detail::JsonParseStatus::ok) return std::nullopt;
  return std::move(parsed.value);
}

template <class Out>
void emit_fields(Out& o, const ScoreRecord& s) {
  if (!s.id.empty()) o.required("id", s.id);
  o.opt("created_at", s.created_at);
  o.opt("type", s.type);
  o.opt("environment", s.environment);
  o.opt("numerical_value", s.numerical_value);
  o.opt("string_value", s.string_value);
  o.opt("boolean_value", s.boolean_value);
  o.opt("categorical_value", s.categorical_value);
  o.opt("json_value", s.json_value);
  o.opt("is_passed", s.is_passed);
  o.opt("cost", s.cost);
  o.opt("evaluator_id", s.evaluator_id);
  o.opt("evaluator_slug", s.evaluator_slug);
  o.opt("evaluator_name", s.evaluator_name);
  o.opt("scorer", s.scorer);
  o.opt("log_id", s.log_id);
  o.opt("prompt_id", s.prompt_id);
  o.opt("prompt_version_number", s.prompt_version_number);
  o.opt("dataset_id", s.dataset_id);
  o.opt("automation_id", s.automation_id);
  o.opt("status", s.status);
  o.opt("error_message", s.error_message);
  o.opt("inputs", s.inputs);
  o.opt("evaluator", s.evaluator);
  o.extra(s.extra);
}

void to_json(Json& j_out, const ScoreRecord& s) {
  j_out = dom_object(s);
}

void from_json(const Json& j, ScoreRecord& s) {
  s = ScoreRecord{};
  Reader r(j);
  r.id("id", s.id);
  r.get("created_at", s.created_at);
  r.get("type", s.type);
  r.get("environment", s.environment);
  r.get("numerical_value", s.numerical_value);
  r.get("string_value", s.string_value);
  r.get("boolean_value", s.boolean_value);
  r.get("categorical_value", s.categorical_value);
  r.get("json_value", s.json_value);
  r.get("is_passed", s.is_passed);
  r.get("cost", s.cost);
  r.id("evaluator_id", s.evaluator_id);
  r.get("evaluator_slug", s.evaluator_slug);
  r.get("evaluator_name", s.evaluator_name);
  r.get("scorer", s.scorer);
  r.id("log_id", s.log_id);
  r.id("prompt_id", s.prompt_id);
  r.get("prompt_version_number", s.prompt_version_number);
  r.id("dataset_id", s.dataset_id);
  r.id("automation_id", s.automation_id);
  r.get("status", s.status);
  r.get("error_message", s.error_message);
  r.get("inputs", s.inputs);
  r.raw("evaluator", s.evaluator);
  s.extra = r.extra();
}

}  // namespace respan
