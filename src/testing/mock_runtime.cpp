// Routing of the score, prompt, customer and thread endpoints of the mock Respan service
// (the official client's `scores`, `prompts`, `users` and `threads` operations), and the store's
// shared plumbing.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "testing/mock_runtime_state.hpp"
#include "testing/mock_runtime_util.hpp"

namespace respan::testing::detail {

// ------------------------------------------------------------------------------ store

RuntimeStore::RuntimeStore(RuntimeStoreConfig config) : config_(std::move(config)) {
  if (!config_.log_exists) config_.log_exists = [](const std::string&) { return false; };
  if (!config_.request_logs) config_.request_logs = [] { return std::vector<Json>(); };
}

void RuntimeStore::reset() {
  std::lock_guard<std::mutex> lock(mu_);
  scores_.clear();
  prompts_.clear();
  profiles_.clear();
  deleted_at_.clear();
}

void RuntimeStore::check_room(std::size_t stored, const char* what) const {
  if (stored >= config_.max_objects) {
    throw bad_request("The mock server's store is full: it keeps at most " +
                      std::to_string(config_.max_objects) + " " + what +
                      " (MockServerOptions::max_stored_objects). Delete some first.");
  }
}

namespace {

// ------------------------------------------------------------------------------ routing

enum class Family { kScores, kLogScores, kPrompts, kUsers, kThreads };

enum class RouteKind {
  kScoreCreate,    // POST /api/scores/
  kScoreList,      // POST /api/scores/list/
  kScore,          // GET PUT PATCH DELETE /api/scores/{id}/
  kLogScores,      // GET POST /api/logs/{log_id}/scores/
  kLogScore,       // GET PUT PATCH DELETE /api/logs/{log_id}/scores/{id}/
  kPromptCreate,   // POST /api/prompts/
  kPromptList,     // POST /api/prompts/list/
  kPromptSummary,  // POST /api/prompts/summary/
  kPrompt,         // GET PATCH DELETE /api/prompts/{id}/
  kVersions,       // GET POST /api/prompts/{id}/versions/
  kVersion,        // GET PATCH DELETE /api/prompts/{id}/versions/{n}/
  kCommit,         // POST /api/prompts/{id}/commits/
  kDeploy,         // POST /api/prompts/{id}/deployments/
  kUserList,       // POST /api/users/list/
  kUser,           // GET PATCH DELETE /api/users/{customer_identifier}/
  kThreads,        // POST /api/log_threads/
};

struct Resolved {
  RouteKind kind;
  std::vector<std::string> methods;
  std::string a;  // first path parameter
  std::string b;  // second path parameter
  std::int64_t version = 0;
  bool bad_version = false;  // the {version} segment is not a number: 404
};

bool is_family(std::string_view first) {
  return first == "scores" || first == "logs" || first == "prompts" || first == "users" ||
         first == "log_threads";
}

std::optional<std::int64_t> version_number(const std::string& s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::int64_t v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::optional<Resolved> resolve(const std::string& raw_path) {
  static const std::string kPrefix = "/api/";
  if (raw_path.size() <= kPrefix.size() || raw_path.compare(0, kPrefix.size(), kPrefix) != 0 ||
      raw_path.back() != '/') {
    return std::nullopt;
  }
  // One cheap look at the first segment before splitting: other families skip the rest.
  const std::size_t end_first = raw_path.find('/', kPrefix.size());
  const std::string first_raw = raw_path.substr(kPrefix.size(), end_first - kPrefix.size());
  if (!is_family(first_raw) &&
      (first_raw.find('%') == std::string::npos || !is_family(percent_decode(first_raw, false)))) {
    return std::nullopt;
  }
  std::vector<std::string> seg;
  const std::string inner = raw_path.substr(kPrefix.size(), raw_path.size() - kPrefix.size() - 1);
  std::size_t start = 0;
  while (start <= inner.size()) {
    std::size_t end = inner.find('/', start);
    if (end == std::string::npos) end = inner.size();
    if (end == start) return std::nullopt;
    seg.push_back(percent_decode(inner.substr(start, end - start), false));
    start = end + 1;
  }
  const std::size_t n = seg.size();
  auto make = [](RouteKind k, std::vector<std::string> m, std::string a = {}, std::string b = {}) {
    Resolved r{k, std::move(m), std::move(a), std::move(b)};
    return std::optional<Resolved>(std::move(r));
  };
  if (seg[0] == "scores") {
    if (n == 1) return make(RouteKind::kScoreCreate, {"POST"});
    if (n != 2) return std::nullopt;
    if (seg[1] == "list") return make(RouteKind::kScoreList, {"POST"});
    return make(RouteKind::kScore, {"GET", "PUT", "PATCH", "DELETE"}, seg[1]);
  }
  if (seg[0] == "logs") {
    if (n < 3 || seg[2] != "scores") return std::nullopt;
    if (n == 3) return make(RouteKind::kLogScores, {"GET", "POST"}, seg[1]);
    if (n == 4)
      return make(RouteKind::kLogScore, {"GET", "PUT", "PATCH", "DELETE"}, seg[1], seg[3]);
    return std::nullopt;
  }
  if (seg[0] == "prompts") {
    if (n == 1) return make(RouteKind::kPromptCreate, {"POST"});
    if (n == 2) {
      if (seg[1] == "list") return make(RouteKind::kPromptList, {"POST"});
      if (seg[1] == "summary") return make(RouteKind::kPromptSummary, {"POST"});
      return make(RouteKind::kPrompt, {"GET", "PATCH", "DELETE"}, seg[1]);
    }
    if (seg[2] == "versions") {
      if (n == 3) return make(RouteKind::kVersions, {"GET", "POST"}, seg[1]);
      if (n != 4) return std::nullopt;
      auto r = make(RouteKind::kVersion, {"GET", "PATCH", "DELETE"}, seg[1], seg[3]);
      if (const auto v = version_number(seg[3])) {
        r->version = *v;
      } else {
        r->bad_version = true;
      }
      return r;
    }
    if (n == 3 && seg[2] == "commits") return make(RouteKind::kCommit, {"POST"}, seg[1]);
    if (n == 3 && seg[2] == "deployments") return make(RouteKind::kDeploy, {"POST"}, seg[1]);
    return std::nullopt;
  }
  if (seg[0] == "users") {
    if (n != 2) return std::nullopt;
    if (seg[1] == "list") return make(RouteKind::kUserList, {"POST"});
    return make(RouteKind::kUser, {"GET", "PATCH", "DELETE"}, seg[1]);
  }
  if (seg[0] == "log_threads" && n == 1) return make(RouteKind::kThreads, {"POST"});
  return std::nullopt;
}

std::string allow_of(const std::vector<std::string>& methods) {
  std::string out;
  for (const auto& m : methods)
    out += m + ", ";
  return out + "OPTIONS";
}

// Error bodies of these families as the official client types them (as for
// datasets and traces): 400 `{"message": ...}`, 404 `{"error": ...}`, others `{"detail": ...}`.
Json error_body(int status, const Json& body) {
  const auto detail = body.find("detail");
  if (detail == body.end()) return body;
  if (status == 400) return {{"message", *detail}};
  if (status == 404) return {{"error", *detail}};
  return body;
}

// The caller's identity as a score's `scorer`: derived from its API key (never the key
// itself), so that two keys are two scorers.
std::string scorer_of(const std::string& authorization) {
  const auto space = authorization.find(' ');
  if (authorization.empty() || space == std::string::npos) return "anonymous";
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (std::size_t i = space + 1; i < authorization.size(); ++i) {
    h ^= static_cast<unsigned char>(authorization[i]);
    h *= 1099511628211ULL;
  }
  static const char* kHex = "0123456789abcdef";
  std::string out = "api_key_";
  for (int shift = 28; shift >= 0; shift -= 4)
    out.push_back(kHex[(h >> shift) & 0xF]);
  return out;
}

}  // namespace

int serve_runtime(RuntimeStore& store, const RuntimeHttp& http) {
  const std::optional<Resolved> r = resolve(http.raw_path);
  if (!r) return 0;
  if (http.method == "OPTIONS") {
    http.reply(200, Json{{"allowed_methods", r->methods}}, allow_of(r->methods));
    return 200;
  }
  const std::optional<std::string> env = http.authenticate();
  if (!env) return 401;
  const std::string method = http.method == "HEAD" ? "GET" : http.method;
  if (std::find(r->methods.begin(), r->methods.end(), method) == r->methods.end()) {
    http.reply(405, Json{{"detail", "Method \"" + http.method + "\" not allowed."}},
               allow_of(r->methods));
    return 405;
  }
  ApiRequest req;
  req.method = method;
  req.raw_path = http.raw_path;
  req.query = parse_query(http.raw_query);
  req.body = http.body;
  req.environment = *env;
  req.link_base = http.link_base;
  const std::string scorer = scorer_of(http.authorization);
  ApiResponse out;
  try {
    switch (r->kind) {
      case RouteKind::kScoreCreate:
        out = store.score_create(req, scorer);
        break;
      case RouteKind::kScoreList:
        out = store.scores_list(req);
        break;
      case RouteKind::kScore:
        if (method == "GET") {
          out = store.score_get(r->a);
        } else if (method == "PUT") {
          out = store.score_replace(r->a, req, scorer);
        } else if (method == "PATCH") {
          out = store.score_update(r->a, req);
        } else {
          out = store.score_delete(r->a);
        }
        break;
      case RouteKind::kLogScores:
        out = method == "GET" ? store.log_scores_list(r->a, req)
                              : store.log_score_upsert(r->a, req, scorer);
        break;
      case RouteKind::kLogScore:
        if (method == "GET") {
          out = store.log_score_get(r->a, r->b);
        } else if (method == "PUT") {
          out = store.log_score_replace(r->a, r->b, req, scorer);
        } else if (method == "PATCH") {
          out = store.log_score_update(r->a, r->b, req);
        } else {
          out = store.log_score_delete(r->a, r->b);
        }
        break;
      case RouteKind::kPromptCreate:
        out = store.prompt_create(req);
        break;
      case RouteKind::kPromptList:
        out = store.prompts_list(req);
        break;
      case RouteKind::kPromptSummary:
        out = store.prompts_summary(req);
        break;
      case RouteKind::kPrompt:
        if (method == "GET") {
          out = store.prompt_get(r->a);
        } else if (method == "PATCH") {
          out = store.prompt_update(r->a, req);
        } else {
          out = store.prompt_delete(r->a);
        }
        break;
      case RouteKind::kVersions:
        out = method == "GET" ? store.versions_list(r->a, req) : store.version_create(r->a, req);
        break;
      case RouteKind::kVersion:
        if (r->bad_version) throw not_found();
        if (method == "GET") {
          out = store.version_get(r->a, r->version);
        } else if (method == "PATCH") {
          out = store.version_update(r->a, r->version, req);
        } else {
          out = store.version_delete(r->a, r->version);
        }
        break;
      case RouteKind::kCommit:
        out = store.prompt_commit(r->a, req);
        break;
      case RouteKind::kDeploy:
        out = store.prompt_deploy(r->a, req);
        break;
      case RouteKind::kUserList:
        out = store.customers_list(req);
        break;
      case RouteKind::kUser:
        if (method == "GET") {
          out = store.customer_get(r->a, req);
        } else if (method == "PATCH") {
          out = store.customer_update(r->a, req);
        } else {
          out = store.customer_delete(r->a, req);
        }
        break;
      case RouteKind::kThreads:
        out = store.threads_list(req);
        break;
    }
  } catch (const HttpError& e) {
    out = {e.status(), error_body(e.status(), e.body())};
  } catch (const std::exception& e) {
    out = {500, Json{{"detail", std::string("Internal server error: ") + e.what()},
                     {"error_code", "INTERNAL_ERROR"}}};
  }
  http.reply(out.status, out.body, "");
  return out.status;
}

}  // namespace respan::testing::detail
