/// @file score.hpp
/// @brief Score models: the score to write (Score), its value-only update (ScoreUpdate) and the
/// stored score (ScoreRecord). See common.hpp for the conventions every model follows.
///
/// A score is an evaluator's result attached to one log (span): a number, a text, a boolean,
/// one or more chosen options, or a JSON document. Normally exactly one of the five
/// `*_value` fields is set, the one matching the evaluator's kind:
///
/// | Evaluator kind | Field |
/// |---|---|
/// | numerical, percentage | `numerical_value` |
/// | text, comment | `string_value` |
/// | boolean | `boolean_value` |
/// | single_select, multi_select, categorical | `categorical_value` |
/// | json | `json_value` (the JSON document as text, not an object) |
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <respan/export.hpp>
#include <respan/json.hpp>
#include <respan/models/common.hpp>

namespace respan {

/// Documented values of ScoreType.
struct RESPAN_EXPORT ScoreTypeValues {
  static const std::vector<std::string_view>& known();
};

/// How the evaluator behind a score runs (`type` of a ScoreRecord). Old scores may carry
/// other legacy values, which are kept verbatim.
class RESPAN_EXPORT ScoreType : public OpenEnum<ScoreTypeValues> {
 public:
  using OpenEnum::OpenEnum;
  static ScoreType llm() { return ScoreType("llm"); }
  static ScoreType human() { return ScoreType("human"); }
  static ScoreType code() { return ScoreType("code"); }
  static ScoreType function() { return ScoreType("function"); }
  static ScoreType human_numerical() { return ScoreType("human_numerical"); }
  static ScoreType human_boolean() { return ScoreType("human_boolean"); }
  static ScoreType human_categorical() { return ScoreType("human_categorical"); }
  static ScoreType human_text() { return ScoreType("human_text"); }
  static ScoreType custom() { return ScoreType("custom"); }
};

/// The body of a score create or replace (`POST /api/scores/`, `PUT /api/scores/{id}/` and
/// the log-scoped `POST|PUT /api/logs/{log_id}/scores/...`). Only set fields are sent.
///
/// Rules the resource checks before sending (ErrorCode::invalid_argument): `evaluator_id` or
/// `evaluator_slug` is set, at least one `*_value` is set, and `json_value` (when set) is valid
/// JSON text. `log_id` is needed on the general routes; the log-scoped routes take the log from
/// the path and do not send it.
///
/// @code
/// auto created = client.request_logs().create(span).value();
/// auto s = respan::Score::boolean("thumbs_up", true);   // evaluator slug + value
/// s.log_id = created.unique_id;
/// s.timestamp = created.timestamp;                       // spares the server a log lookup
/// @endcode
struct RESPAN_EXPORT Score {
  std::optional<std::string> evaluator_id;    ///< The evaluator (or give evaluator_slug).
  std::optional<std::string> evaluator_slug;  ///< Slug of a custom evaluator.
  /// The scored log/span `unique_id`: general routes only (the log-scoped ones use the path).
  std::optional<std::string> log_id;
  std::optional<Timestamp> timestamp;      ///< The scored log's timestamp (UTC, e.g. "...Z").
  std::optional<std::string> environment;  ///< Free text, e.g. "prod" or "test".
  std::optional<std::string> prompt_id;    ///< Link to a prompt.
  std::optional<std::int64_t> prompt_version_number;  ///< Link to a prompt version number.
  std::optional<std::string> dataset_id;              ///< Link to a dataset.
  std::optional<std::string> automation_id;           ///< Link to an automation.
  /// Who or what produced the score. On the log-scoped routes the server sets it from the
  /// caller (the API key), whatever is sent.
  std::optional<std::string> scorer;
  std::optional<double> numerical_value;    ///< numerical / percentage evaluators.
  std::optional<std::string> string_value;  ///< text / comment evaluators.
  std::optional<bool> boolean_value;        ///< boolean evaluators.
  /// single_select / multi_select / categorical evaluators: the chosen option(s).
  OptionalList<std::string> categorical_value;
  /// json evaluators: the JSON document as text (see Score::json()).
  std::optional<std::string> json_value;
  Json extra;  ///< Other fields to send.

  /// A score of evaluator `evaluator_slug` with a numerical value.
  static Score numerical(std::string evaluator_slug, double value);
  /// A score of evaluator `evaluator_slug` with a text value.
  static Score text(std::string evaluator_slug, std::string value);
  /// A score of evaluator `evaluator_slug` with a boolean value (e.g. a thumbs-up).
  static Score boolean(std::string evaluator_slug, bool value);
  /// A score of evaluator `evaluator_slug` with the chosen option(s).
  static Score categorical(std::string evaluator_slug, std::vector<std::string> options);
  /// A score of evaluator `evaluator_slug` whose value is `document`, serialised to JSON text
  /// as the API expects.
  static Score json(std::string evaluator_slug, const Json& document);
};
RESPAN_EXPORT void to_json(Json& j, const Score& s);
RESPAN_EXPORT void from_json(const Json& j, Score& s);

/// Body of a score PATCH (`PATCH /api/scores/{id}/`, `PATCH /api/logs/{log_id}/scores/{id}/`):
/// only the value fields can change this way (evaluator, log and links need a replace).
struct RESPAN_EXPORT ScoreUpdate {
  std::optional<double> numerical_value;
  std::optional<std::string> string_value;
  std::optional<bool> boolean_value;
  OptionalList<std::string> categorical_value;
  std::optional<std::string> json_value;  ///< JSON text.
  Json extra;                             ///< Other fields to send.
};
RESPAN_EXPORT void to_json(Json& j, const ScoreUpdate& u);
RESPAN_EXPORT void from_json(const Json& j, ScoreUpdate& u);

/// What the evaluator saw, kept with a score (`inputs`; general single-score answers only).
struct RESPAN_EXPORT ScoreInputs {
  std::optional<Json> input;     ///< What was evaluated (any JSON).
  std::optional<Json> output;    ///< The response evaluated (any JSON).
  std::optional<Json> metrics;   ///< An object.
  std::optional<Json> metadata;  ///< An object.
  Json extra;
};
RESPAN_EXPORT void to_json(Json& j, const ScoreInputs& i);
RESPAN_EXPORT void from_json(const Json& j, ScoreInputs& i);

/// A stored score, as every score endpoint returns it. `inputs` and `evaluator` come only
/// from the general single-score routes (ScoresResource::retrieve, replace, update); the
/// log-scoped routes, create and the lists leave them unset.
struct RESPAN_EXPORT ScoreRecord {
  std::string id;                       ///< Score id ("" if the server sent none).
  std::optional<Timestamp> created_at;  ///< Creation time.
  std::optional<ScoreType> type;        ///< llm / human / code / ... (open).
  std::optional<std::string> environment;
  std::optional<double> numerical_value;
  std::optional<std::string> string_value;
  std::optional<bool> boolean_value;
  OptionalList<std::string> categorical_value;
  std::optional<std::string> json_value;  ///< JSON text; see json_document().
  std::optional<bool> is_passed;          ///< Whether the value meets the pass condition.
  std::optional<double> cost;             ///< Cost of the evaluation, USD.
  std::optional<std::string> evaluator_id;
  std::optional<std::string> evaluator_slug;
  std::optional<std::string> evaluator_name;
  std::optional<std::string> scorer;  ///< Producer of the score.
  std::optional<std::string> log_id;  ///< The scored log/span.
  std::optional<std::string> prompt_id;
  std::optional<std::int64_t> prompt_version_number;
  std::optional<std::string> dataset_id;
  std::optional<std::string> automation_id;
  std::optional<std::string> status;         ///< Evaluation status (free text).
  std::optional<std::string> error_message;  ///< Why the evaluation failed.
  std::optional<ScoreInputs> inputs;         ///< General single-score routes only.
  std::optional<Json> evaluator;             ///< General single-score routes only.
  Json extra;                                ///< Any other field.

  /// `json_value` parsed; nullopt when unset or not valid JSON.
  std::optional<Json> json_document() const;
};
RESPAN_EXPORT void to_json(Json& j, const ScoreRecord& s);
RESPAN_EXPORT void from_json(const Json& j, ScoreRecord& s);

}  // namespace respan
