/// @file prompt.hpp
/// @brief Prompt models: the prompt (a named container) and its numbered versions (the
/// content: messages, model, parameters). See common.hpp for the conventions every model
/// follows, and prompt_template.hpp for rendering a version's messages.
///
/// A prompt's versions are numbered 1, 2, ...: one is the editable draft (the prompt's
/// `current_version`), committed versions are read-only (`readonly`), and one committed
/// version is live (`is_deployed`, the prompt's `live_version`). A version has three
/// identifiers: `id` and `prompt_version_id` (strings) and `version` (the number the paths,
/// deployments and scores' `prompt_version_number` use).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <respan/export.hpp>
#include <respan/json.hpp>
#include <respan/models/common.hpp>
#include <respan/models/request_log.hpp>

namespace respan {

/// Body of `POST /api/prompts/`.
struct RESPAN_EXPORT Prompt {
  std::string name;                        ///< Required, non-empty.
  std::optional<std::string> description;  ///< Free text.
  Json extra;                              ///< Other fields to send.
};
RESPAN_EXPORT void to_json(Json& j, const Prompt& p);
RESPAN_EXPORT void from_json(const Json& j, Prompt& p);

/// Body of `PATCH /api/prompts/{prompt_id}/`: only set fields change.
struct RESPAN_EXPORT PromptUpdate {
  std::optional<std::string> name;         ///< New name (non-empty).
  std::optional<std::string> description;  ///< New description.
  Json extra;                              ///< Other fields to send.
};
RESPAN_EXPORT void to_json(Json& j, const PromptUpdate& u);
RESPAN_EXPORT void from_json(const Json& j, PromptUpdate& u);

/// A tag of a prompt.
struct RESPAN_EXPORT PromptTag {
  std::optional<std::string> id;
  std::optional<std::string> name;
  std::optional<std::string> color;
  std::optional<Timestamp> created_at;
  std::optional<Timestamp> updated_at;
  Json extra;
};
RESPAN_EXPORT void to_json(Json& j, const PromptTag& t);
RESPAN_EXPORT void from_json(const Json& j, PromptTag& t);

/// A prompt's pointer to one of its versions (`current_version`, `live_version`).
struct RESPAN_EXPORT PromptVersionPointer {
  std::optional<std::int64_t> version;  ///< The version number.
  std::optional<std::string> model;
  std::optional<Timestamp> updated_at;
  Json extra;
};
RESPAN_EXPORT void to_json(Json& j, const PromptVersionPointer& p);
RESPAN_EXPORT void from_json(const Json& j, PromptVersionPointer& p);

/// A prompt as create, retrieve and list return it. Update answers only `id`, `name`,
/// `description` and `updated_at`: the other fields are then unset.
struct RESPAN_EXPORT PromptRecord {
  std::string id;  ///< Prompt id, the `{prompt_id}` of the paths ("" if none was sent).
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> prompt_slug;
  OptionalList<PromptTag> tags;
  std::optional<PromptVersionPointer> current_version;  ///< The draft / latest version.
  std::optional<PromptVersionPointer> live_version;     ///< The deployed version, if any.
  std::optional<Timestamp> created_at;
  std::optional<Timestamp> updated_at;
  Json extra;  ///< Any other field.
};
RESPAN_EXPORT void to_json(Json& j, const PromptRecord& p);
RESPAN_EXPORT void from_json(const Json& j, PromptRecord& p);

/// The fields of a prompt version shared by the create body (PromptVersion), the update body
/// (PromptVersionUpdate) and the stored version (PromptVersionRecord). Not used on its own.
struct RESPAN_EXPORT PromptVersionFields {
  std::optional<std::string> description;  ///< Version note / commit message.
  std::optional<Json> thinking;            ///< Provider-specific reasoning settings (object).
  std::optional<bool> stream;
  std::optional<double> temperature;        ///< 0-2.
  std::optional<std::int64_t> max_tokens;   ///< Upper bound on generated tokens.
  std::optional<double> top_p;              ///< Nucleus sampling.
  std::optional<double> frequency_penalty;  ///< -2..2.
  std::optional<double> presence_penalty;   ///< -2..2.
  std::optional<std::string> reasoning_effort;
  std::optional<std::string> verbosity;
  std::optional<std::int64_t> seed;
  /// Declared template variables: name -> default value (an object).
  std::optional<Json> variables;
  OptionalList<std::string> fallback_models;  ///< Tried if the model fails.
  /// Weighted split across models, e.g. `[{"model": "gpt-4o", "weight": 0.8}, ...]`.
  OptionalList<Json> load_balance_models;
  OptionalList<Json> tools;               ///< Tool definitions offered to the model.
  std::optional<ToolChoice> tool_choice;  ///< A string or an object.
  std::optional<Json> response_format;    ///< An object.
  std::optional<Json> json_schema;        ///< An object.
  std::optional<bool> is_enforcing_response_format;
};

/// Body of `POST /api/prompts/{prompt_id}/versions/`: a new version. `messages` (non-empty)
/// and `model` are required. Variables are written `{{name}}` in message text.
struct RESPAN_EXPORT PromptVersion : PromptVersionFields {
  std::vector<Message> messages;  ///< The template's chat messages.
  std::string model;              ///< Primary model.
  std::optional<bool> deploy;     ///< True: the new version goes live at once.
  Json extra;                     ///< Other fields to send.
};
RESPAN_EXPORT void to_json(Json& j, const PromptVersion& v);
RESPAN_EXPORT void from_json(const Json& j, PromptVersion& v);

/// Body of `PATCH /api/prompts/{prompt_id}/versions/{version}/`: only set fields change.
struct RESPAN_EXPORT PromptVersionUpdate : PromptVersionFields {
  OptionalList<Message> messages;
  std::optional<std::string> model;
  std::optional<bool> deploy;  ///< True: this version goes live at once.
  Json extra;                  ///< Other fields to send.
};
RESPAN_EXPORT void to_json(Json& j, const PromptVersionUpdate& u);
RESPAN_EXPORT void from_json(const Json& j, PromptVersionUpdate& u);

/// Who last edited a version. Its `id` is an integer on the wire (kept as decimal text).
struct RESPAN_EXPORT PromptEditor {
  std::optional<std::string> id;
  std::optional<std::string> email;
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
  Json extra;
};
RESPAN_EXPORT void to_json(Json& j, const PromptEditor& e);
RESPAN_EXPORT void from_json(const Json& j, PromptEditor& e);

/// A stored prompt version, as the version endpoints return it. Commit and deploy answer a
/// summary (no sampling or tool parameters): those fields are then unset.
struct RESPAN_EXPORT PromptVersionRecord : PromptVersionFields {
  std::optional<std::string> id;                 ///< Version record id.
  std::optional<std::string> prompt_version_id;  ///< Another string id of the version.
  std::optional<std::int64_t> version;           ///< The version number.
  OptionalList<Message> messages;                ///< The template's chat messages.
  std::optional<std::string> model;
  std::optional<bool> readonly;     ///< True for committed (frozen) versions.
  std::optional<bool> is_deployed;  ///< True for the live version.
  std::optional<PromptEditor> edited_by;
  std::optional<Timestamp> created_at;
  std::optional<Timestamp> updated_at;
  Json extra;  ///< Any other field.
};
RESPAN_EXPORT void to_json(Json& j, const PromptVersionRecord& v);
RESPAN_EXPORT void from_json(const Json& j, PromptVersionRecord& v);

/// Body of `POST /api/prompts/{prompt_id}/commits/`.
struct RESPAN_EXPORT CommitPromptRequest {
  std::optional<std::string> description;  ///< Commit message.
  Json extra;                              ///< Other fields to send.
};
RESPAN_EXPORT void to_json(Json& j, const CommitPromptRequest& r);
RESPAN_EXPORT void from_json(const Json& j, CommitPromptRequest& r);

/// Answer of `POST /api/prompts/summary/`.
struct RESPAN_EXPORT PromptsSummary {
  std::optional<std::int64_t> total_count;  ///< Prompts matching the filters.
  Json extra;
};
RESPAN_EXPORT void to_json(Json& j, const PromptsSummary& s);
RESPAN_EXPORT void from_json(const Json& j, PromptsSummary& s);

/// A prompt with the version its live pointer names: PromptsResource::retrieve_deployed().
struct RESPAN_EXPORT DeployedPrompt {
  PromptRecord prompt;          ///< The prompt (its live_version names #version).
  PromptVersionRecord version;  ///< The live version, with its messages.
};

}  // namespace respan
