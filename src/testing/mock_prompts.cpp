// Prompt endpoints of the mock Respan service: prompts, their numbered
// versions, commits and deployments.
//
// The draft / commit / live model, as the mock plays it [a guess where the API documentation is
// silent]:
// - a new prompt has no version; each created version gets the next number (numbers are never
//   reused) and becomes the current version, an editable draft (`readonly: false`);
// - a commit freezes the current version (`readonly: true`) and opens a new draft with the same
//   content as the next version; committing a draft nobody changed since is refused (400);
// - only committed versions can be deployed (400 otherwise); `deploy: true` on a version create
//   or update commits it and makes it live at once; the live version cannot be deleted (400)
//   and committed versions cannot be edited (400);
// - deleting a prompt removes it with its versions.
#include <algorithm>
#include <string>
#include <vector>

#include "testing/mock_runtime_state.hpp"
#include "testing/mock_runtime_util.hpp"

namespace respan::testing::detail {

namespace {

const std::vector<FieldSpec>& version_fields() {
  static const std::vector<FieldSpec> kFields = {
      {"messages", FieldKind::kObjectList},
      {"model", FieldKind::kString},
      {"description", FieldKind::kString},
      {"thinking", FieldKind::kObject},
      {"stream", FieldKind::kBoolean},
      {"temperature", FieldKind::kNumber},
      {"max_tokens", FieldKind::kInteger},
      {"top_p", FieldKind::kNumber},
      {"frequency_penalty", FieldKind::kNumber},
      {"presence_penalty", FieldKind::kNumber},
      {"reasoning_effort", FieldKind::kString},
      {"verbosity", FieldKind::kString},
      {"seed", FieldKind::kInteger},
      {"variables", FieldKind::kObject},
      {"fallback_models", FieldKind::kStringList},
      {"load_balance_models", FieldKind::kObjectList},
      {"tools", FieldKind::kObjectList},
      {"tool_choice", FieldKind::kStringOrObject},
      {"response_format", FieldKind::kObject},
      {"json_schema", FieldKind::kObject},
      {"is_enforcing_response_format", FieldKind::kBoolean},
  };
  return kFields;
}

// Checks a version body (`creating`: messages and model required). @throws HttpError 400.
void check_version_body(const Json& body, bool creating) {
  check_fields(body, version_fields());
  check_fields(body, {{"deploy", FieldKind::kBoolean}});
  if (creating) {
    if (!body.contains("messages")) throw bad_request("messages: This field is required.");
    if (!body.contains("model")) throw bad_request("model: This field is required.");
  }
  if (body.contains("messages")) {
    const Json& m = body["messages"];
    if (m.empty()) throw bad_request("messages: This list may not be empty.");
    for (std::size_t i = 0; i < m.size(); ++i) {
      if (!m[i].contains("role") || !m[i]["role"].is_string()) {
        throw bad_request("messages[" + std::to_string(i) + "].role: This field is required.");
      }
    }
  }
  if (body.contains("model") && body["model"].get_ref<const std::string&>().empty()) {
    throw bad_request("model: This field may not be blank.");
  }
  check_range(body, "temperature", 0, 2);
  check_range(body, "frequency_penalty", -2, 2);
  check_range(body, "presence_penalty", -2, 2);
  if (const auto mt = number_at(body, "max_tokens"); mt && *mt < 1) {
    throw bad_request("max_tokens: Ensure this value is greater than or equal to 1.");
  }
}

constexpr const char* kVersionFields[] = {"id",
                                          "prompt_version_id",
                                          "version",
                                          "description",
                                          "messages",
                                          "thinking",
                                          "model",
                                          "stream",
                                          "temperature",
                                          "max_tokens",
                                          "top_p",
                                          "frequency_penalty",
                                          "presence_penalty",
                                          "reasoning_effort",
                                          "verbosity",
                                          "seed",
                                          "variables",
                                          "fallback_models",
                                          "load_balance_models",
                                          "tools",
                                          "tool_choice",
                                          "response_format",
                                          "json_schema",
                                          "is_enforcing_response_format",
                                          "readonly",
                                          "is_deployed",
                                          "edited_by",
                                          "created_at",
                                          "updated_at"};

// The Prompt version object (list items, create, retrieve, update).
Json version_view(const Json& stored) {
  Json out = Json::object();
  for (const char* f : kVersionFields) {
    const auto it = stored.find(f);
    out[f] = it == stored.end() ? Json() : *it;
  }
  return out;
}

// The version summary of commit and deploy (no sampling or tool parameters).
Json version_summary(const Json& stored) {
  return pick_or_null(
      stored, {"id", "prompt_version_id", "version", "description", "messages", "model", "readonly",
               "is_deployed", "edited_by", "created_at", "updated_at"});
}

Json pointer_of(const Json& version) {
  return {{"version", version["version"]},
          {"model", version["model"]},
          {"updated_at", version["updated_at"]}};
}

Json editor() {
  return {{"id", 1},
          {"email", "mock-user@example.invalid"},
          {"first_name", "Mock"},
          {"last_name", "User"}};
}

std::string slug_of(const std::string& name) {
  std::string out;
  for (const char c : name) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum) {
      out.push_back(c);
    } else if (c >= 'A' && c <= 'Z') {
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if (!out.empty() && out.back() != '_') {
      out.push_back('_');
    }
  }
  while (!out.empty() && out.back() == '_')
    out.pop_back();
  return out.empty() ? "prompt" : out;
}

// Prompt filter keys the rows do not carry as such: `prompt_id` and the double-underscore
// `current_version__updated_at`.
Json filter_row(Json view, const Json& meta) {
  view["prompt_id"] = view["id"];
  view["starred"] = meta.value("starred", false);
  view["is_deleted"] = false;
  view["current_version__updated_at"] =
      view["current_version"].is_object() ? view["current_version"]["updated_at"] : Json();
  return view;
}

}  // namespace

// ------------------------------------------------------------------------------ plumbing

RuntimeStore::PromptRow& RuntimeStore::prompt_or_404(const std::string& id) {
  const auto it = prompts_.find(id);
  if (it == prompts_.end()) throw HttpError(404, {{"detail", "Prompt not found."}});
  return it->second;
}

Json& RuntimeStore::version_or_404(PromptRow& p, std::int64_t version) {
  for (Json& v : p.versions) {
    if (v["version"] == version) return v;
  }
  throw HttpError(404, {{"detail", "Prompt version " + std::to_string(version) + " not found."}});
}

std::size_t RuntimeStore::prompt_objects() const {
  std::size_t n = prompts_.size();
  for (const auto& [id, p] : prompts_)
    n += p.versions.size();
  return n;
}

Json RuntimeStore::prompt_view(const PromptRow& p) const {
  Json out = pick_or_null(p.meta, {"id", "name", "description", "prompt_slug", "tags"});
  out["current_version"] = p.versions.empty() ? Json() : pointer_of(p.versions.back());
  out["live_version"] = Json();
  for (const Json& v : p.versions) {
    if (v.value("is_deployed", false)) out["live_version"] = pointer_of(v);
  }
  out["created_at"] = p.meta["created_at"];
  out["updated_at"] = p.meta["updated_at"];
  return out;
}

void RuntimeStore::deploy_version(PromptRow& p, Json& version) {
  for (Json& v : p.versions)
    v["is_deployed"] = false;
  version["readonly"] = true;
  version["is_deployed"] = true;
  p.meta["updated_at"] = format_iso8601(now_micros());
}

// ------------------------------------------------------------------------------ prompts

ApiResponse RuntimeStore::prompt_create(const ApiRequest& req) {
  const Json body = body_object(req);
  check_fields(body, {{"name", FieldKind::kString}, {"description", FieldKind::kString}});
  if (!body.contains("name")) throw bad_request("name: This field is required.");
  const std::string name = body["name"].get<std::string>();
  if (name.empty()) throw bad_request("name: This field may not be blank.");
  std::lock_guard<std::mutex> lock(mu_);
  check_room(prompt_objects(), "prompts and prompt versions");
  const std::string id = ids_.hex32();
  const std::string now = format_iso8601(now_micros());
  PromptRow row;
  row.meta = {{"id", id},
              {"name", name},
              {"description", body.value("description", std::string())},
              {"prompt_slug", slug_of(name) + "_" + id.substr(0, 6)},
              {"tags", Json::array()},
              {"starred", false},
              {"created_at", now},
              {"updated_at", now}};
  row.seq = ++seq_;
  const auto& stored = prompts_.emplace(id, std::move(row)).first->second;
  return {201, prompt_view(stored)};
}

ApiResponse RuntimeStore::prompts_list(const ApiRequest& req) {
  const PageParams page = parse_page_params(req.query, 50, 100);
  const CompiledFilters filters = filters_of(body_object(req));
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<const PromptRow*> ordered;
  for (const auto& [id, p] : prompts_)
    ordered.push_back(&p);
  std::sort(ordered.begin(), ordered.end(),
            [](const PromptRow* a, const PromptRow* b) { return a->seq < b->seq; });
  std::vector<Json> rows;
  for (const PromptRow* p : ordered) {
    Json row = filter_row(prompt_view(*p), p->meta);
    if (matches_filters(row, filters)) rows.push_back(std::move(row));
  }
  rows = sorted(std::move(rows), sort_param(req, "-created_at"));
  for (Json& r : rows) {  // back to the documented Prompt object
    for (const char* k : {"prompt_id", "starred", "is_deleted", "current_version__updated_at"})
      r.erase(k);
  }
  return {200, page_of(rows, page, req)};
}

ApiResponse RuntimeStore::prompts_summary(const ApiRequest& req) {
  const CompiledFilters filters = filters_of(body_object(req));
  std::lock_guard<std::mutex> lock(mu_);
  std::size_t n = 0;
  for (const auto& [id, p] : prompts_) {
    if (matches_filters(filter_row(prompt_view(p), p.meta), filters)) ++n;
  }
  return {200, Json{{"total_count", n}}};
}

ApiResponse RuntimeStore::prompt_get(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  return {200, prompt_view(prompt_or_404(id))};
}

ApiResponse RuntimeStore::prompt_update(const std::string& id, const ApiRequest& req) {
  const Json body = body_object(req);
  check_fields(body, {{"name", FieldKind::kString}, {"description", FieldKind::kString}});
  if (body.contains("name") && body["name"].get_ref<const std::string&>().empty()) {
    throw bad_request("name: This field may not be blank.");
  }
  std::lock_guard<std::mutex> lock(mu_);
  PromptRow& p = prompt_or_404(id);
  for (const char* f : {"name", "description"}) {
    if (body.contains(f)) p.meta[f] = body[f];
  }
  p.meta["updated_at"] = format_iso8601(now_micros());
  // The reduced answer of a prompt update: id, name, description, updated_at.
  return {200, pick_or_null(p.meta, {"id", "name", "description", "updated_at"})};
}

ApiResponse RuntimeStore::prompt_delete(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  prompt_or_404(id);
  prompts_.erase(id);
  return {204, std::nullopt};
}

// ------------------------------------------------------------------------------ versions

ApiResponse RuntimeStore::versions_list(const std::string& id, const ApiRequest& req) {
  const PageParams page = parse_page_params(req.query, 50, 500);
  std::lock_guard<std::mutex> lock(mu_);
  const PromptRow& p = prompt_or_404(id);
  std::vector<Json> rows;
  for (auto it = p.versions.rbegin(); it != p.versions.rend(); ++it)  // newest first
    rows.push_back(version_view(*it));
  return {200, page_of(rows, page, req)};
}

ApiResponse RuntimeStore::version_create(const std::string& id, const ApiRequest& req) {
  const Json body = body_object(req);
  check_version_body(body, true);
  std::lock_guard<std::mutex> lock(mu_);
  PromptRow& p = prompt_or_404(id);
  check_room(prompt_objects(), "prompts and prompt versions");
  const std::string now = format_iso8601(now_micros());
  Json v = pick_present(body, version_fields());
  v["id"] = ids_.uuid4();
  v["prompt_version_id"] = ids_.hex32();
  v["version"] = p.next_version++;
  v["readonly"] = false;
  v["is_deployed"] = false;
  v["edited_by"] = editor();
  v["created_at"] = now;
  v["updated_at"] = now;
  p.versions.push_back(std::move(v));
  p.draft_changed = true;
  p.meta["updated_at"] = now;
  Json& stored = p.versions.back();
  if (body.value("deploy", false)) {
    deploy_version(p, stored);
    p.draft_changed = false;
  }
  return {201, version_view(stored)};
}

ApiResponse RuntimeStore::version_get(const std::string& id, std::int64_t version) {
  std::lock_guard<std::mutex> lock(mu_);
  PromptRow& p = prompt_or_404(id);
  return {200, version_view(version_or_404(p, version))};
}

ApiResponse RuntimeStore::version_update(const std::string& id, std::int64_t version,
                                         const ApiRequest& req) {
  const Json body = body_object(req);
  check_version_body(body, false);
  std::lock_guard<std::mutex> lock(mu_);
  PromptRow& p = prompt_or_404(id);
  Json& v = version_or_404(p, version);
  const Json changes = pick_present(body, version_fields());
  if (v.value("readonly", false) && !changes.empty()) {
    throw bad_request("Version " + std::to_string(version) +
                      " is committed and read-only; create a new version instead.");
  }
  for (auto& [k, value] : changes.items())
    v[k] = value;
  v["updated_at"] = format_iso8601(now_micros());
  v["edited_by"] = editor();
  if (!changes.empty() && &v == &p.versions.back()) p.draft_changed = true;
  if (body.value("deploy", false)) {
    deploy_version(p, v);
    if (&v == &p.versions.back()) p.draft_changed = false;
  }
  return {200, version_view(v)};
}

ApiResponse RuntimeStore::version_delete(const std::string& id, std::int64_t version) {
  std::lock_guard<std::mutex> lock(mu_);
  PromptRow& p = prompt_or_404(id);
  const Json& v = version_or_404(p, version);
  if (v.value("is_deployed", false)) {
    throw bad_request("Version " + std::to_string(version) +
                      " is live and cannot be deleted; deploy another version first.");
  }
  p.versions.erase(std::remove_if(p.versions.begin(), p.versions.end(),
                                  [&](const Json& x) { return x["version"] == version; }),
                   p.versions.end());
  p.meta["updated_at"] = format_iso8601(now_micros());
  return {204, std::nullopt};
}

ApiResponse RuntimeStore::prompt_commit(const std::string& id, const ApiRequest& req) {
  const Json body = body_object(req);
  check_fields(body, {{"description", FieldKind::kString}});
  std::lock_guard<std::mutex> lock(mu_);
  PromptRow& p = prompt_or_404(id);
  if (p.versions.empty()) throw bad_request("Nothing to commit: the prompt has no version yet.");
  if (p.versions.back().value("readonly", false) || !p.draft_changed) {
    throw bad_request("Nothing to commit: the draft has not changed since the last commit.");
  }
  check_room(prompt_objects(), "prompts and prompt versions");
  const std::string now = format_iso8601(now_micros());
  Json& frozen = p.versions.back();
  frozen["readonly"] = true;
  if (body.contains("description")) frozen["description"] = body["description"];
  frozen["updated_at"] = now;
  Json draft = frozen;
  draft["id"] = ids_.uuid4();
  draft["prompt_version_id"] = ids_.hex32();
  draft["version"] = p.next_version++;
  draft["readonly"] = false;
  draft["is_deployed"] = false;
  draft["description"] = nullptr;
  draft["created_at"] = now;
  const Json answer = version_summary(frozen);
  p.versions.push_back(std::move(draft));  // invalidates `frozen`
  p.draft_changed = false;
  p.meta["updated_at"] = now;
  return {201, answer};
}

ApiResponse RuntimeStore::prompt_deploy(const std::string& id, const ApiRequest& req) {
  const Json body = body_object(req);
  if (!body.contains("version")) throw bad_request("version: This field is required.");
  check_fields(body, {{"version", FieldKind::kInteger}});
  const std::int64_t version = body["version"].get<std::int64_t>();
  std::lock_guard<std::mutex> lock(mu_);
  PromptRow& p = prompt_or_404(id);
  Json& v = version_or_404(p, version);
  if (!v.value("readonly", false)) {
    throw bad_request("Version " + std::to_string(version) +
                      " is a draft; commit it before deploying it.");
  }
  deploy_version(p, v);
  return {200, version_summary(v)};
}

std::vector<Json> RuntimeStore::prompts() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<const PromptRow*> ordered;
  for (const auto& [id, p] : prompts_)
    ordered.push_back(&p);
  std::sort(ordered.begin(), ordered.end(),
            [](const PromptRow* a, const PromptRow* b) { return a->seq < b->seq; });
  std::vector<Json> out;
  for (const PromptRow* p : ordered) {
    Json j = prompt_view(*p);
    j["versions"] = Json::array();
    for (const Json& v : p->versions)
      j["versions"].push_back(version_view(v));
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace respan::testing::detail
