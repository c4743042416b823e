#include <respan/prompts.hpp>

#include "http/pipeline.hpp"
#include "models/encode.hpp"
#include "resource_util.hpp"

namespace respan {

using detail::ApiRequest;
using detail::Idempotency;
using detail::QueryParams;

namespace {

std::string prompt_path(const std::string& prompt_id) {
  return "/api/prompts/" + detail::percent_encode(prompt_id) + "/";
}

std::string version_path(const std::string& prompt_id, std::int64_t version) {
  return prompt_path(prompt_id) + "versions/" + std::to_string(version) + "/";
}

std::optional<Error> check_version_number(std::int64_t version) {
  if (version < 0) {
    return Error::make(
        ErrorCode::invalid_argument,
        "version: a prompt version number is not negative (got " + std::to_string(version) + ")");
  }
  return std::nullopt;
}

// Checks shared by the version write bodies: message roles, documented ranges.
std::optional<Error> check_version_fields(const PromptVersionFields& f, const char* type_name) {
  auto bad = [&](const std::string& what) {
    return Error::make(ErrorCode::invalid_argument, std::string(type_name) + "." + what);
  };
  if (f.temperature && (*f.temperature < 0 || *f.temperature > 2)) {
    return bad("temperature: must be between 0 and 2");
  }
  if (f.frequency_penalty && (*f.frequency_penalty < -2 || *f.frequency_penalty > 2)) {
    return bad("frequency_penalty: must be between -2 and 2");
  }
  if (f.presence_penalty && (*f.presence_penalty < -2 || *f.presence_penalty > 2)) {
    return bad("presence_penalty: must be between -2 and 2");
  }
  if (f.max_tokens && *f.max_tokens < 1) return bad("max_tokens: must be positive");
  if (f.variables && !f.variables->is_object()) return bad("variables: must be a JSON object");
  return std::nullopt;
}

std::optional<Error> check_messages(const std::vector<Message>& messages, const char* type_name) {
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (messages[i].role.empty()) {
      return Error::make(ErrorCode::invalid_argument, std::string(type_name) + ".messages[" +
                                                          std::to_string(i) + "].role: required");
    }
  }
  return std::nullopt;
}

Result<Page<PromptRecord>> list_page(const detail::Pipeline& p, const PromptListQuery& q,
                                     const RequestOptions& o) {
  if (auto bad = detail::check_paging(q.page, q.page_size, PromptsResource::kMaxPageSize)) {
    return *bad;
  }
  QueryParams params;
  detail::add_param(params, "page", q.page);
  detail::add_param(params, "page_size", q.page_size);
  detail::add_param(params, "sort_by", q.sort_by);
  return p.call<Page<PromptRecord>>(
      {HttpMethod::post, "/api/prompts/list/", std::move(params),
       detail::filters_body(q.filters, detail::FilterFamily::prompts, p), Idempotency::idempotent},
      o);
}

Result<Page<PromptVersionRecord>> versions_page(const detail::Pipeline& p,
                                                const std::string& prompt_id,
                                                const PromptVersionListQuery& q,
                                                const RequestOptions& o) {
  if (auto bad = detail::check_path_param(prompt_id, "prompt_id")) return *bad;
  if (auto bad = detail::check_paging(q.page, q.page_size, PromptsResource::kMaxVersionPageSize)) {
    return *bad;
  }
  QueryParams params;
  detail::add_param(params, "page", q.page);
  detail::add_param(params, "page_size", q.page_size);
  return p.call<Page<PromptVersionRecord>>({HttpMethod::get,
                                            prompt_path(prompt_id) + "versions/",
                                            std::move(params),
                                            {},
                                            Idempotency::idempotent},
                                           o);
}

}  // namespace

Result<PromptRecord> PromptsResource::create(const Prompt& prompt,
                                             const RequestOptions& options) const {
  if (prompt.name.empty()) {
    return Error::make(ErrorCode::invalid_argument, "Prompt.name is required");
  }
  Result<Json> body = detail::encode(prompt, "Prompt");
  if (!body) return std::move(body).error();
  return pipeline_->call<PromptRecord>(
      {HttpMethod::post, "/api/prompts/", {}, std::move(*body), Idempotency::non_idempotent},
      options);
}

Result<Page<PromptRecord>> PromptsResource::list(const PromptListQuery& query,
                                                 const RequestOptions& options) const {
  return list_page(*pipeline_, query, options);
}

PageRange<PromptRecord> PromptsResource::list_all(PromptListQuery query,
                                                  RequestOptions options) const {
  return detail::all_pages_by_next<PromptRecord>(
      std::move(query), [p = pipeline_, o = std::move(options)](const PromptListQuery& q) {
        return list_page(*p, q, o);
      });
}

Result<PromptsSummary> PromptsResource::summary(const Filters& filters,
                                                const RequestOptions& options) const {
  return detail::call_object<PromptsSummary>(
      *pipeline_,
      {HttpMethod::post,
       "/api/prompts/summary/",
       {},
       detail::filters_body(filters, detail::FilterFamily::prompts, *pipeline_),
       Idempotency::idempotent},
      options);
}

Result<PromptRecord> PromptsResource::retrieve(const std::string& prompt_id,
                                               const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(prompt_id, "prompt_id")) return *bad;
  return pipeline_->call<PromptRecord>(
      {HttpMethod::get, prompt_path(prompt_id), {}, {}, Idempotency::idempotent}, options);
}

Result<PromptRecord> PromptsResource::update(const std::string& prompt_id,
                                             const PromptUpdate& update,
                                             const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(prompt_id, "prompt_id")) return *bad;
  if (update.name && update.name->empty()) {
    return Error::make(ErrorCode::invalid_argument, "PromptUpdate.name may not be empty");
  }
  Result<Json> body = detail::encode(update, "PromptUpdate");
  if (!body) return std::move(body).error();
  return detail::call_object<PromptRecord>(
      *pipeline_,
      {HttpMethod::patch, prompt_path(prompt_id), {}, std::move(*body), Idempotency::idempotent},
      options);
}

Result<void> PromptsResource::remove(const std::string& prompt_id,
                                     const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(prompt_id, "prompt_id")) return *bad;
  return pipeline_->call_void(
      {HttpMethod::del, prompt_path(prompt_id), {}, {}, Idempotency::idempotent}, options);
}

Result<Page<PromptVersionRecord>> PromptsResource::list_versions(
    const std::string& prompt_id, const PromptVersionListQuery& query,
    const RequestOptions& options) const {
  return versions_page(*pipeline_, prompt_id, query, options);
}

PageRange<PromptVersionRecord> PromptsResource::list_all_versions(std::string prompt_id,
                                                                  PromptVersionListQuery query,
                                                                  RequestOptions options) const {
  return detail::all_pages_by_next<PromptVersionRecord>(
      std::move(query),
      [p = pipeline_, id = std::move(prompt_id), o = std::move(options)](
          const PromptVersionListQuery& q) { return versions_page(*p, id, q, o); });
}

Result<PromptVersionRecord> PromptsResource::create_version(const std::string& prompt_id,
                                                            const PromptVersion& version,
                                                            const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(prompt_id, "prompt_id")) return *bad;
  if (version.messages.empty()) {
    return Error::make(ErrorCode::invalid_argument, "PromptVersion.messages is required");
  }
  if (version.model.empty()) {
    return Error::make(ErrorCode::invalid_argument, "PromptVersion.model is required");
  }
  if (auto bad = check_messages(version.messages, "PromptVersion")) return *bad;
  if (auto bad = check_version_fields(version, "PromptVersion")) return *bad;
  Result<Json> body = detail::encode(version, "PromptVersion");
  if (!body) return std::move(body).error();
  return pipeline_->call<PromptVersionRecord>({HttpMethod::post,
                                               prompt_path(prompt_id) + "versions/",
                                               {},
                                               std::move(*body),
                                               Idempotency::non_idempotent},
                                              options);
}

Result<PromptVersionRecord> PromptsResource::retrieve_version(const std::string& prompt_id,
                                                              std::int64_t version,
                                                              const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(prompt_id, "prompt_id")) return *bad;
  if (auto bad = check_version_number(version)) return *bad;
  return pipeline_->call<PromptVersionRecord>(
      {HttpMethod::get, version_path(prompt_id, version), {}, {}, Idempotency::idempotent},
      options);
}

Result<PromptVersionRecord> PromptsResource::update_version(const std::string& prompt_id,
                                                            std::int64_t version,
                                                            const PromptVersionUpdate& update,
                                                            const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(prompt_id, "prompt_id")) return *bad;
  if (auto bad = check_version_number(version)) return *bad;
  if (update.messages) {
    if (update.messages->empty()) {
      return Error::make(ErrorCode::invalid_argument,
                         "PromptVersionUpdate.messages may not be empty");
    }
    if (auto bad = check_messages(*update.messages, "PromptVersionUpdate")) return *bad;
  }
  if (update.model && update.model->empty()) {
    return Error::make(ErrorCode::invalid_argument, "PromptVersionUpdate.model may not be empty");
  }
  if (auto bad = check_version_fields(update, "PromptVersionUpdate")) return *bad;
  Result<Json> body = detail::encode(update, "PromptVersionUpdate");
  if (!body) return std::move(body).error();
  return detail::call_object<PromptVersionRecord>(*pipeline_,
                                                  {HttpMethod::patch,
                                                   version_path(prompt_id, version),
                                                   {},
                                                   std::move(*body),
                                                   Idempotency::idempotent},
                                                  options);
}

Result<void> PromptsResource::remove_version(const std::string& prompt_id, std::int64_t version,
                                             const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(prompt_id, "prompt_id")) return *bad;
  if (auto bad = check_version_number(version)) return *bad;
  return pipeline_->call_void(
      {HttpMethod::del, version_path(prompt_id, version), {}, {}, Idempotency::idempotent},
      options);
}

Result<PromptVersionRecord> PromptsResource::commit(const std::string& prompt_id,
                                                    const CommitPromptRequest& request,
                                                    const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(prompt_id, "prompt_id")) return *bad;
  Result<Json> body = detail::encode(request, "CommitPromptRequest");
  if (!body) return std::move(body).error();
  return pipeline_->call<PromptVersionRecord>({HttpMethod::post,
                                               prompt_path(prompt_id) + "commits/",
                                               {},
                                               std::move(*body),
                                               Idempotency::non_idempotent},
                                              options);
}

Result<PromptVersionRecord> PromptsResource::deploy(const std::string& prompt_id,
                                                    std::int64_t version,
                                                    const RequestOptions& options) const {
  if (auto bad = detail::check_path_param(prompt_id, "prompt_id")) return *bad;
  if (auto bad = check_version_number(version)) return *bad;
  return detail::call_object<PromptVersionRecord>(*pipeline_,
                                                  {HttpMethod::post,
                                                   prompt_path(prompt_id) + "deployments/",
                                                   {},
                                                   Json{{"version", version}},
                                                   Idempotency::idempotent},
                                                  options);
}

Result<DeployedPrompt> PromptsResource::retrieve_deployed(const std::string& prompt_id,
                                                          const RequestOptions& options) const {
  Result<PromptRecord> prompt = retrieve(prompt_id, options);
  if (!prompt) return std::move(prompt).error();
  if (!prompt->live_version || !prompt->live_version->version) {
    Error e = Error::make(ErrorCode::not_found,
                          "prompt " + prompt_id + " has no deployed (live) version");
    e.request = "GET " + prompt_path(prompt_id);
    return e;
  }
  Result<PromptVersionRecord> version =
      retrieve_version(prompt_id, *prompt->live_version->version, options);
  if (!version) return std::move(version).error();
  DeployedPrompt out;
  out.prompt = std::move(prompt).value();
  out.version = std::move(version).value();
  return out;
}

}  // namespace respan
