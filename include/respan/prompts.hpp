/// @file prompts.hpp
/// @brief The prompts API: prompts (named containers) and their numbered versions (messages,
/// model, parameters), commits and deployments. For runtime use see PromptCache
/// (prompt_cache.hpp) and the `{{variable}}` rendering of prompt_template.hpp.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <respan/export.hpp>
#include <respan/filters.hpp>
#include <respan/models/common.hpp>
#include <respan/models/prompt.hpp>
#include <respan/options.hpp>
#include <respan/pagination.hpp>
#include <respan/result.hpp>

namespace respan {

namespace detail {
class Pipeline;
}

/// Query of `POST /api/prompts/list/` and body of `POST /api/prompts/summary/`. Everything but
/// `filters` travels in the URL.
///
/// Prompt filter fields: `prompt_id`, `prompt_slug`, `name`, `description`, `starred`, `tags`,
/// `created_at`, `updated_at`, `current_version__updated_at` (two underscores), `is_deleted`.
struct RESPAN_EXPORT PromptListQuery {
  Filters filters;                        ///< Body `filters`, e.g. name icontains "support".
  std::optional<std::int64_t> page;       ///< 1-based.
  std::optional<std::int64_t> page_size;  ///< At most 100.
  /// "-id", "-current_version__updated_at" or "current_version__updated_at".
  std::optional<std::string> sort_by;
};

/// Query of `GET /api/prompts/{prompt_id}/versions/` (newest first).
struct RESPAN_EXPORT PromptVersionListQuery {
  std::optional<std::int64_t> page;       ///< 1-based.
  std::optional<std::int64_t> page_size;  ///< At most 500.
};

/// The prompt endpoints. Obtain with RespanClient::prompts(); cheap to copy; safe to use from
/// many threads. Every call validates its arguments first and reports
/// ErrorCode::invalid_argument without sending anything when they are wrong (an empty or
/// unusable prompt id, a negative version number, a version without messages or model, a page
/// size out of range). Prompt ids are percent-encoded in the path; versions are numbers.
///
/// The lifecycle: create() a prompt, add versions with create_version() (each is a new
/// draft; `deploy = true` makes it live at once), commit() freezes the draft into a read-only
/// version, deploy() makes a committed version live. At run time fetch the live version with
/// retrieve_deployed() — or through a PromptCache — and render it (PromptVersionRecord +
/// render_messages()).
///
/// @code
/// auto live = client.prompts().retrieve_deployed(prompt_id).value();
/// auto messages = respan::render_messages(*live.version.messages,
///                                         {{"user_query", "Where is my order?"}}).value();
/// @endcode
class RESPAN_EXPORT PromptsResource {
 public:
  /// Largest `page_size` of list().
  static constexpr std::int64_t kMaxPageSize = 100;
  /// Largest `page_size` of list_versions().
  static constexpr std::int64_t kMaxVersionPageSize = 500;

  /// `POST /api/prompts/`: a new prompt (each call makes one; `name` is required). Not
  /// idempotent.
  Result<PromptRecord> create(const Prompt& prompt, const RequestOptions& options = {}) const;

  /// One page of `POST /api/prompts/list/`.
  Result<Page<PromptRecord>> list(const PromptListQuery& query = {},
                                  const RequestOptions& options = {}) const;

  /// Every matching prompt, fetching pages lazily from `query.page` (default 1); ends on a page
  /// without `next` or an empty page.
  PageRange<PromptRecord> list_all(PromptListQuery query = {}, RequestOptions options = {}) const;

  /// `POST /api/prompts/summary/`: how many prompts match `filters` (paging is ignored).
  Result<PromptsSummary> summary(const Filters& filters = {},
                                 const RequestOptions& options = {}) const;

  /// `GET /api/prompts/{prompt_id}/`, with its current and live version pointers.
  Result<PromptRecord> retrieve(const std::string& prompt_id,
                                const RequestOptions& options = {}) const;

  /// `PATCH /api/prompts/{prompt_id}/`: rename / re-describe. The answer holds only `id`,
  /// `name`, `description` and `updated_at`.
  Result<PromptRecord> update(const std::string& prompt_id, const PromptUpdate& update,
                              const RequestOptions& options = {}) const;

  /// `DELETE /api/prompts/{prompt_id}/`: the prompt and all of its versions.
  Result<void> remove(const std::string& prompt_id, const RequestOptions& options = {}) const;

  /// One page of `GET /api/prompts/{prompt_id}/versions/` (newest first).
  Result<Page<PromptVersionRecord>> list_versions(const std::string& prompt_id,
                                                  const PromptVersionListQuery& query = {},
                                                  const RequestOptions& options = {}) const;

  /// Every version of the prompt, fetching pages lazily.
  PageRange<PromptVersionRecord> list_all_versions(std::string prompt_id,
                                                   PromptVersionListQuery query = {},
                                                   RequestOptions options = {}) const;

  /// `POST /api/prompts/{prompt_id}/versions/`: adds a version (`messages` non-empty and
  /// `model` required). Not idempotent.
  Result<PromptVersionRecord> create_version(const std::string& prompt_id,
                                             const PromptVersion& version,
                                             const RequestOptions& options = {}) const;

  /// `GET /api/prompts/{prompt_id}/versions/{version}/`.
  Result<PromptVersionRecord> retrieve_version(const std::string& prompt_id, std::int64_t version,
                                               const RequestOptions& options = {}) const;

  /// `PATCH /api/prompts/{prompt_id}/versions/{version}/`: edits a version (committed versions
  /// are read-only and refused by the server); `deploy = true` makes it live.
  Result<PromptVersionRecord> update_version(const std::string& prompt_id, std::int64_t version,
                                             const PromptVersionUpdate& update,
                                             const RequestOptions& options = {}) const;

  /// `DELETE /api/prompts/{prompt_id}/versions/{version}/`. The live version cannot be
  /// deleted (ErrorCode::bad_request).
  Result<void> remove_version(const std::string& prompt_id, std::int64_t version,
                              const RequestOptions& options = {}) const;

  /// `POST /api/prompts/{prompt_id}/commits/`: freezes the draft into a read-only version and
  /// answers its summary (no sampling or tool parameters). Not idempotent.
  Result<PromptVersionRecord> commit(const std::string& prompt_id,
                                     const CommitPromptRequest& request = {},
                                     const RequestOptions& options = {}) const;

  /// `POST /api/prompts/{prompt_id}/deployments/` with `{"version": version}`: makes a
  /// committed version live; answers its summary. Repeating it leaves the same state.
  Result<PromptVersionRecord> deploy(const std::string& prompt_id, std::int64_t version,
                                     const RequestOptions& options = {}) const;

  /// The live version of a prompt with its messages: retrieve() for the prompt's
  /// `live_version` pointer, then retrieve_version() of that number (two requests).
  /// ErrorCode::not_found (http_status 0) when the prompt has no live version.
  Result<DeployedPrompt> retrieve_deployed(const std::string& prompt_id,
                                           const RequestOptions& options = {}) const;

 private:
  friend class RespanClient;
  explicit PromptsResource(std::shared_ptr<const detail::Pipeline> p) : pipeline_(std::move(p)) {}
  std::shared_ptr<const detail::Pipeline> pipeline_;
};

}  // namespace respan
