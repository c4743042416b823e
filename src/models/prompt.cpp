#include <respan/models/prompt.hpp>

#include "models/emit.hpp"
#include "models/json_io.hpp"

namespace respan {

using detail::Reader;

// Each model's fields are listed once, in emit_fields() (models/emit.hpp).
namespace {

template <class M>
Json dom_object(const M& m) {
  Json j = Json::object();
  detail::DomOut o{j};
  emit_fields(o, m);
  return j;
}

template <class Out>
void emit_version_fields(Out& o, const PromptVersionFields& f) {
  o.opt("description", f.description);
  o.opt("thinking", f.thinking);
  o.opt("stream", f.stream);
  o.opt("temperature", f.temperature);
  o.opt("max_tokens", f.max_tokens);
  o.opt("top_p", f.top_p);
  o.opt("frequency_penalty", f.frequency_penalty);
  o.opt("presence_penalty", f.presence_penalty);
  o.opt("reasoning_effort", f.reasoning_effort);
  o.opt("verbosity", f.verbosity);
  o.opt("seed", f.seed);
  o.opt("variables", f.variables);
  o.opt("fallback_models", f.fallback_models);
  o.opt("load_balance_models", f.load_balance_models);
  o.opt("tools", f.tools);
  o.opt("tool_choice", f.tool_choice);
  o.opt("response_format", f.response_format);
  o.opt("json_schema", f.json_schema);
  o.opt("is_enforcing_response_format", f.is_enforcing_response_format);
}

void decode_version_fields(Reader& r, PromptVersionFields& f) {
  r.get("description", f.description);
  r.raw("thinking", f.thinking);
  r.get("stream", f.stream);
  r.get("temperature", f.temperature);
  r.get("max_tokens", f.max_tokens);
  r.get("top_p", f.top_p);
  r.get("frequency_penalty", f.frequency_penalty);
  r.get("presence_penalty", f.presence_penalty);
  r.get("reasoning_effort", f.reasoning_effort);
  r.get("verbosity", f.verbosity);
  r.get("seed", f.seed);
  r.raw("variables", f.variables);
  r.get("fallback_models", f.fallback_models);
  r.get("load_balance_models", f.load_balance_models);
  r.get("tools", f.tools);
  r.get("tool_choice", f.tool_choice);
  r.raw("response_format", f.response_format);
  r.raw("json_schema", f.json_schema);
  r.get("is_enforcing_response_format", f.is_enforcing_response_format);
}

}  // namespace

// ------------------------------------------------------------------------------ Prompt

template <class Out>
void emit_fields(Out& o, const Prompt& p) {
  o.required("name", p.name);
  o.opt("description", p.description);
  o.extra(p.extra);
}

void to_json(Json& j_out, const Prompt& p) {
  j_out = dom_object(p);
}

void from_json(const Json& j, Prompt& p) {
  p = Prompt{};
  Reader r(j);
  r.get_or("name", p.name);
  r.get("description", p.description);
  p.extra = r.extra();
}

template <class Out>
void emit_fields(Out& o, const PromptUpdate& u) {
  o.opt("name", u.name);
  o.opt("description", u.description);
  o.extra(u.extra);
}

void to_json(Json& j_out, const PromptUpdate& u) {
  j_out = dom_object(u);
}

void from_json(const Json& j, PromptUpdate& u) {
  u = PromptUpdate{};
  Reader r(j);
  r.get("name", u.name);
  r.get("description", u.description);
  u.extra = r.extra();
}

// ------------------------------------------------------------------------------ PromptTag

template <class Out>
void emit_fields(Out& o, const PromptTag& t) {
  o.opt("id", t.id);
  o.opt("name", t.name);
  o.opt("color", t.color);
  o.opt("created_at", t.created_at);
  o.opt("updated_at", t.updated_at);
  o.extra(t.extra);
}

void to_json(Json& j_out, const PromptTag& t) {
  j_out = dom_object(t);
}

void from_json(const Json& j, PromptTag& t) {
  t = PromptTag{};
  Reader r(j);
  r.id("id", t.id);
  r.get("name", t.name);
  r.get("color", t.color);
  r.get("created_at", t.created_at);
  r.get("updated_at", t.updated_at);
  t.extra = r.extra();
}

// ------------------------------------------------------------------------------ pointers

template <class Out>
void emit_fields(Out& o, const PromptVersionPointer& p) {
  o.opt("version", p.version);
  o.opt("model", p.model);
  o.opt("updated_at", p.updated_at);
  o.extra(p.extra);
}

void to_json(Json& j_out, const PromptVersionPointer& p) {
  j_out = dom_object(p);
}

void from_json(const Json& j, PromptVersionPointer& p) {
  p = PromptVersionPointer{};
  Reader r(j);
  r.get("version", p.version);
  r.get("model", p.model);
  r.get("updated_at", p.updated_at);
  p.extra = r.extra();
}

// ------------------------------------------------------------------------------ PromptRecord

template <class Out>
void emit_fields(Out& o, const PromptRecord& p) {
  if (!p.id.empty()) o.required("id", p.id);
  o.opt("name", p.name);
  o.opt("description", p.description);
  o.opt("prompt_slug", p.prompt_slug);
  o.opt("tags", p.tags);
  o.opt("current_version", p.current_version);
  o.opt("live_version", p.live_version);
  o.opt("created_at", p.created_at);
  o.opt("updated_at", p.updated_at);
  o.extra(p.extra);
}

void to_json(Json& j_out, const PromptRecord& p) {
  j_out = dom_object(p);
}

void from_json(const Json& j, PromptRecord& p) {
  p = PromptRecord{};
  Reader r(j);
  r.id("id", p.id);
  r.get("name", p.name);
  r.get("description", p.description);
  r.get("prompt_slug", p.prompt_slug);
  r.get("tags", p.tags);
  r.get("current_version", p.current_version);
  r.get("live_version", p.live_version);
  r.get("created_at", p.created_at);
  r.get("updated_at", p.updated_at);
  p.extra = r.extra();
}

// ------------------------------------------------------------------------------ versions

template <class Out>
void emit_fields(Out& o, const PromptVersion& v) {
  o.required("messages", v.messages);
  o.required("model", v.model);
  emit_version_fields(o, v);
  o.opt("deploy", v.deploy);
  o.extra(v.extra);
}

void to_json(Json& j_out, const PromptVersion& v) {
  j_out = dom_object(v);
}

void from_json(const Json& j, PromptVersion& v) {
  v = PromptVersion{};
  Reader r(j);
  r.get_or("messages", v.messages);
  r.get_or("model", v.model);
  decode_version_fields(r, v);
  r.get("deploy", v.deploy);
  v.extra = r.extra();
}

template <class Out>
void emit_fields(Out& o, const PromptVersionUpdate& u) {
  o.opt("messages", u.messages);
  o.opt("model", u.model);
  emit_version_fields(o, u);
  o.opt("deploy", u.deploy);
  o.extra(u.extra);
}

void to_json(Json& j_out, const PromptVersionUpdate& u) {
  j_out = dom_object(u);
}

void from_json(const Json& j, PromptVersionUpdate& u) {
  u = PromptVersionUpdate{};
  Reader r(j);
  r.get("messages", u.messages);
  r.get("model", u.model);
  decode_version_fields(r, u);
  r.get("deploy", u.deploy);
  u.extra = r.extra();
}

template <class Out>
void emit_fields(Out& o, const PromptEditor& e) {
  o.opt("id", e.id);
  o.opt("email", e.email);
  o.opt("first_name", e.first_name);
  o.opt("last_name", e.last_name);
  o.extra(e.extra);
}

void to_json(Json& j_out, const PromptEditor& e) {
  j_out = dom_object(e);
}

void from_json(const Json& j, PromptEditor& e) {
  e = PromptEditor{};
  Reader r(j);
  r.id("id", e.id);
  r.get("email", e.email);
  r.get("first_name", e.first_name);
  r.get("last_name", e.last_name);
  e.extra = r.extra();
}

template <class Out>
void emit_fields(Out& o, const PromptVersionRecord& v) {
  o.opt("id", v.id);
  o.opt("prompt_version_id", v.prompt_version_id);
  o.opt("version", v.version);
  o.opt("messages", v.messages);
  o.opt("model", v.model);
  emit_version_fields(o, v);
  o.opt("readonly", v.readonly);
  o.opt("is_deployed", v.is_deployed);
  o.opt("edited_by", v.edited_by);
  o.opt("created_at", v.created_at);
  o.opt("updated_at", v.updated_at);
  o.extra(v.extra);
}

void to_json(Json& j_out, const PromptVersionRecord& v) {
  j_out = dom_object(v);
}

void from_json(const Json& j, PromptVersionRecord& v) {
  v = PromptVersionRecord{};
  Reader r(j);
  r.id("id", v.id);
  r.id("prompt_version_id", v.prompt_version_id);
  r.get("version", v.version);
  r.get("messages", v.messages);
  r.get("model", v.model);
  decode_version_fields(r, v);
  r.get("readonly", v.readonly);
  r.get("is_deployed", v.is_deployed);
  r.get("edited_by", v.edited_by);
  r.get("created_at", v.created_at);
  r.get("updated_at", v.updated_at);
  v.extra = r.extra();
}

// ------------------------------------------------------------------------------ operations

template <class Out>
void emit_fields(Out& o, const CommitPromptRequest& c) {
  o.opt("description", c.description);
  o.extra(c.extra);
}

void to_json(Json& j_out, const CommitPromptRequest& c) {
  j_out = dom_object(c);
}

void from_json(const Json& j, CommitPromptRequest& c) {
  c = CommitPromptRequest{};
  Reader r(j);
  r.get("description", c.description);
  c.extra = r.extra();
}

template <class Out>
void emit_fields(Out& o, const PromptsSummary& s) {
  o.opt("total_count", s.total_count);
  o.extra(s.extra);
}

void to_json(Json& j_out, const PromptsSummary& s) {
  j_out = dom_object(s);
}

void from_json(const Json& j, PromptsSummary& s) {
  s = PromptsSummary{};
  if (!j.is_object()) return;
  Reader r(j);
  r.get("total_count", s.total_count);
  if (s.total_count && *s.total_count < 0) s.total_count.reset();
  s.extra = r.extra();
  if (!s.total_count && j.contains("total_count") && !j["total_count"].is_null()) {
    s.extra["total_count"] = j["total_count"];
  }
}

}  // namespace respan
