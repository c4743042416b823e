#include <respan/models/prompt.hpp>

#include "models/emit.hpp"
#include "models/json_io.hpp"

namespace respan {

using detail::Self;
namespace field = detail::field;

// Each model's fields are listed once, in its model_fields() (models/fields.hpp).

// The settings every kind of version has.
template <class V>
void version_fields(V& v, Self<V, PromptVersionFields>& f) {
  v("description", f.description);
  v("thinking", f.thinking);
  v("stream", f.stream);
  v("temperature", f.temperature);
  v("max_tokens", f.max_tokens);
  v("top_p", f.top_p);
  v("frequency_penalty", f.frequency_penalty);
  v("presence_penalty", f.presence_penalty);
  v("reasoning_effort", f.reasoning_effort);
  v("verbosity", f.verbosity);
  v("seed", f.seed);
  v("variables", f.variables);
  v("fallback_models", f.fallback_models);
  v("load_balance_models", f.load_balance_models);
  v("tools", f.tools);
  v("tool_choice", f.tool_choice);
  v("response_format", f.response_format);
  v("json_schema", f.json_schema);
  v("is_enforcing_response_format", f.is_enforcing_response_format);
}

// ------------------------------------------------------------------------------ Prompt

template <class V>
void model_fields(V& v, Self<V, Prompt>& p) {
  v("name", p.name);
  v("description", p.description);
  v.extra(p.extra);
}
RESPAN_MODEL_JSON(Prompt)

template <class V>
void model_fields(V& v, Self<V, PromptUpdate>& u) {
  v("name", u.name);
  v("description", u.description);
  v.extra(u.extra);
}
RESPAN_MODEL_JSON(PromptUpdate)

// ------------------------------------------------------------------------------ PromptTag

template <class V>
void model_fields(V& v, Self<V, PromptTag>& t) {
  v("id", t.id, field::id);
  v("name", t.name);
  v("color", t.color);
  v("created_at", t.created_at);
  v("updated_at", t.updated_at);
  v.extra(t.extra);
}
RESPAN_MODEL_JSON(PromptTag)

// ------------------------------------------------------------------------------ pointers

template <class V>
void model_fields(V& v, Self<V, PromptVersionPointer>& p) {
  v("version", p.version);
  v("model", p.model);
  v("updated_at", p.updated_at);
  v.extra(p.extra);
}
RESPAN_MODEL_JSON(PromptVersionPointer)

// ------------------------------------------------------------------------------ PromptRecord

template <class V>
void model_fields(V& v, Self<V, PromptRecord>& p) {
  v("id", p.id, field::id);
  v("name", p.name);
  v("description", p.description);
  v("prompt_slug", p.prompt_slug);
  v("tags", p.tags);
  v("current_version", p.current_version);
  v("live_version", p.live_version);
  v("created_at", p.created_at);
  v("updated_at", p.updated_at);
  v.extra(p.extra);
}
RESPAN_MODEL_JSON(PromptRecord)

// ------------------------------------------------------------------------------ versions

template <class V>
void model_fields(V& v, Self<V, PromptVersion>& pv) {
  v("messages", pv.messages);
  v("model", pv.model);
  version_fields(v, pv);
  v("deploy", pv.deploy);
  v.extra(pv.extra);
}
RESPAN_MODEL_JSON(PromptVersion)

template <class V>
void model_fields(V& v, Self<V, PromptVersionUpdate>& u) {
  v("messages", u.messages);
  v("model", u.model);
  version_fields(v, u);
  v("deploy", u.deploy);
  v.extra(u.extra);
}
RESPAN_MODEL_JSON(PromptVersionUpdate)

template <class V>
void model_fields(V& v, Self<V, PromptEditor>& e) {
  v("id", e.id, field::id);
  v("email", e.email);
  v("first_name", e.first_name);
  v("last_name", e.last_name);
  v.extra(e.extra);
}
RESPAN_MODEL_JSON(PromptEditor)

template <class V>
void model_fields(V& v, Self<V, PromptVersionRecord>& pv) {
  v("id", pv.id, field::id);
  v("prompt_version_id", pv.prompt_version_id, field::id);
  v("version", pv.version);
  v("messages", pv.messages);
  v("model", pv.model);
  version_fields(v, pv);
  v("readonly", pv.readonly);
  v("is_deployed", pv.is_deployed);
  v("edited_by", pv.edited_by);
  v("created_at", pv.created_at);
  v("updated_at", pv.updated_at);
  v.extra(pv.extra);
}
RESPAN_MODEL_JSON(PromptVersionRecord)

// ------------------------------------------------------------------------------ operations

template <class V>
void model_fields(V& v, Self<V, CommitPromptRequest>& c) {
  v("description", c.description);
  v.extra(c.extra);
}
RESPAN_MODEL_JSON(CommitPromptRequest)

template <class V>
void model_fields(V& v, Self<V, PromptsSummary>& s) {
  v("total_count", s.total_count, field::count);  // anything else stays in extra
  v.extra(s.extra);
}

void to_json(Json& j, const PromptsSummary& s) {
  detail::write_dom(j, s);
}

void from_json(const Json& j, PromptsSummary& s) {
  s = PromptsSummary{};
  if (j.is_object()) detail::read_fields(j, s);
}

}  // namespace respan
