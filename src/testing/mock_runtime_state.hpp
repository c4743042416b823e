// The score, prompt, customer (users) and thread families of the mock Respan service
// (the official client's `scores`, `prompts`, `users` and `threads` operations): storage, endpoint
// logic and routing. Scores: mock_scores.cpp; prompts: mock_prompts.cpp; customers and threads:
// mock_customers.cpp; routing and shared plumbing: mock_runtime.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "testing/mock_filters.hpp"
#include "testing/mock_util.hpp"

namespace respan::testing::detail {

struct ApiRequest;
struct ApiResponse;
struct PageParams;
class RuntimeStore;

/// One HTTP request as these routes see it, with the server's hooks (mock_server.cpp).
struct RuntimeHttp {
  const std::string& method;     ///< Upper-case.
  const std::string& raw_path;   ///< As sent (percent-encoded), without the query.
  const std::string& raw_query;  ///< Without the '?'.
  const std::string& body;
  std::string authorization;  ///< The Authorization header (the caller's identity).
  std::string link_base;      ///< "http://host:port" for pagination links.
  /// Checks the bearer key: the key's environment, or nullopt after answering 401 itself.
  std::function<std::optional<std::string>()> authenticate;
  /// Sends the answer (`allow`: the Allow header, "" for none; a null body: no body).
  std::function<void(int status, const std::optional<Json>& body, const std::string& allow)> reply;
};

/// Serves `/api/scores/...`, `/api/logs/{log_id}/scores/...`, `/api/prompts/...`,
/// `/api/users/...` and `/api/log_threads/` and returns the status answered; returns 0
/// without answering when `http.raw_path` is none of them.
int serve_runtime(RuntimeStore& store, const RuntimeHttp& http);

struct RuntimeStoreConfig {
  std::string organization_id = "org_mock";  ///< Customers' `unique_organization_id`.
  std::string organization_name = "Mock Organization";
  /// Most objects kept per family (scores; prompts and their versions together; customer
  /// profiles). A create beyond it answers 400 saying the mock store is full.
  std::size_t max_objects = 10000;
  /// True when a log (span) with this `unique_id` (or ingested `span_unique_id`) is stored.
  std::function<bool(const std::string& log_id)> log_exists;
  /// The stored request logs (spans), in creation order.
  std::function<std::vector<Json>()> request_logs;
};

/// Storage plus endpoint logic of the four families; every public member is thread-safe.
/// Endpoints throw HttpError (mock_state.hpp) with a `{"detail": ...}` body; serve_runtime()
/// maps it to the family's error shape.
class RuntimeStore {
 public:
  explicit RuntimeStore(RuntimeStoreConfig config);

  // Scores (mock_scores.cpp). `scorer` is the caller's identity (from its API key).
  ApiResponse score_create(const ApiRequest& req, const std::string& scorer);
  ApiResponse scores_list(const ApiRequest& req);
  ApiResponse score_get(const std::string& id);
  ApiResponse score_replace(const std::string& id, const ApiRequest& req,
                            const std::string& scorer);
  ApiResponse score_update(const std::string& id, const ApiRequest& req);
  ApiResponse score_delete(const std::string& id);
  ApiResponse log_scores_list(const std::string& log_id, const ApiRequest& req);
  ApiResponse log_score_upsert(const std::string& log_id, const ApiRequest& req,
                               const std::string& scorer);
  ApiResponse log_score_get(const std::string& log_id, const std::string& id);
  ApiResponse log_score_replace(const std::string& log_id, const std::string& id,
                                const ApiRequest& req, const std::string& scorer);
  ApiResponse log_score_update(const std::string& log_id, const std::string& id,
                               const ApiRequest& req);
  ApiResponse log_score_delete(const std::string& log_id, const std::string& id);

  // Prompts (mock_prompts.cpp).
  ApiResponse prompts_list(const ApiRequest& req);
  ApiResponse prompts_summary(const ApiRequest& req);
  ApiResponse prompt_create(const ApiRequest& req);
  ApiResponse prompt_get(const std::string& id);
  ApiResponse prompt_update(const std::string& id, const ApiRequest& req);
  ApiResponse prompt_delete(const std::string& id);
  ApiResponse versions_list(const std::string& id, const ApiRequest& req);
  ApiResponse version_create(const std::string& id, const ApiRequest& req);
  ApiResponse version_get(const std::string& id, std::int64_t version);
  ApiResponse version_update(const std::string& id, std::int64_t version, const ApiRequest& req);
  ApiResponse version_delete(const std::string& id, std::int64_t version);
  ApiResponse prompt_commit(const std::string& id, const ApiRequest& req);
  ApiResponse prompt_deploy(const std::string& id, const ApiRequest& req);

  // Customers and threads (mock_customers.cpp).
  ApiResponse customers_list(const ApiRequest& req);
  ApiResponse customer_get(const std::string& customer_identifier, const ApiRequest& req);
  ApiResponse customer_update(const std::string& customer_identifier, const ApiRequest& req);
  ApiResponse customer_delete(const std::string& customer_identifier, const ApiRequest& req);
  ApiResponse threads_list(const ApiRequest& req);

  void reset();
  /// Every stored score (the extended shape), oldest first.
  std::vector<Json> scores() const;
  /// Every prompt (the retrieve shape) with its `versions` (oldest first), oldest first.
  std::vector<Json> prompts() const;

 private:
  struct ScoreRow {
    Json data;  ///< Every field of the extended score object.
    std::uint64_t seq = 0;
  };
  struct PromptRow {
    Json meta;                   ///< id, name, description, prompt_slug, tags, times, ...
    std::vector<Json> versions;  ///< By version number, ascending.
    std::int64_t next_version = 1;
    bool draft_changed = false;  ///< The newest draft differs from the last commit.
    std::uint64_t seq = 0;
  };
  struct CustomerUsage;

  // Scores.
  Json score_from_body(const Json& body, const std::string& log_id, const std::string& scorer,
                       const std::string& environment) const;
  ScoreRow& score_or_404(const std::string& id);
  ScoreRow& log_score_or_404(const std::string& log_id, const std::string& id);
  void check_room(std::size_t stored, const char* what) const;
  void require_log(const std::string& log_id) const;

  // Prompts.
  PromptRow& prompt_or_404(const std::string& id);
  Json& version_or_404(PromptRow& p, std::int64_t version);
  Json prompt_view(const PromptRow& p) const;
  std::size_t prompt_objects() const;
  void deploy_version(PromptRow& p, Json& version);

  // Customers.
  std::map<std::string, CustomerUsage> usage(const std::string& environment) const;
  std::string environment_of(const ApiRequest& req) const;
  Json customer_detail(const std::string& environment, const std::string& id,
                       const CustomerUsage& u) const;

  mutable std::mutex mu_;
  RuntimeStoreConfig config_;
  IdGenerator ids_;
  std::uint64_t seq_ = 0;
  std::map<std::string, ScoreRow> scores_;
  std::map<std::string, PromptRow> prompts_;
  std::map<std::string, Json> profiles_;  ///< env + '\n' + customer_identifier -> profile
  /// env + '\n' + customer_identifier -> number of request logs when it was deleted: only
  /// logs stored after that bring it back.
  std::map<std::string, std::size_t> deleted_at_;
};

}  // namespace respan::testing::detail
