/// @file prompt_cache.hpp
/// @brief PromptCache: an in-process, thread-safe cache of prompt versions with a TTL and
/// stale-while-error, so that a hot path renders prompts without a request per call.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <respan/client.hpp>
#include <respan/error.hpp>
#include <respan/export.hpp>
#include <respan/json.hpp>
#include <respan/models/prompt.hpp>
#include <respan/options.hpp>
#include <respan/prompt_template.hpp>
#include <respan/result.hpp>

namespace respan {

/// Settings of a PromptCache.
struct RESPAN_EXPORT PromptCacheOptions {
  /// How long a fetched version is served without asking the API again.
  std::chrono::milliseconds ttl{60'000};
  /// How long past its TTL a value may still be served when refreshing it fails (the API is
  /// down, answers 5xx, 429, 404...): stale-while-error. 0 never serves a stale value.
  std::chrono::milliseconds max_stale{std::chrono::hours(24)};
  /// After a failed refresh, the stale value is served without asking the API again for this
  /// long (a hot path does not wait for a down API on every call).
  std::chrono::milliseconds error_retry_interval{5'000};
  /// Most cached entries; the least recently used one is dropped beyond it.
  std::size_t max_entries = 1000;
  /// The clock TTLs are measured on (default: std::chrono::steady_clock::now). Tests inject
  /// their own to expire entries without sleeping.
  std::function<std::chrono::steady_clock::time_point()> clock;
  /// Options of each fetch (deadline, retries, headers).
  RequestOptions request_options;
  /// Called after each failed fetch, from the calling thread, outside the cache's lock, with
  /// the prompt id and the error (whether or not a stale value was served). Exceptions it
  /// throws are caught and ignored.
  std::function<void(const std::string& prompt_id, const Error& error)> on_fetch_error;
};

/// Counters of a PromptCache since it was made.
struct RESPAN_EXPORT PromptCacheStats {
  std::uint64_t hits = 0;          ///< Served fresh from the cache.
  std::uint64_t misses = 0;        ///< Needed a fetch (absent or expired).
  std::uint64_t fetches = 0;       ///< Fetches completed (successful or not).
  std::uint64_t fetch_errors = 0;  ///< Fetches that failed.
  std::uint64_t stale_served = 0;  ///< Served past the TTL (refresh failed or in flight).
  std::uint64_t evictions = 0;     ///< Entries dropped for max_entries.
  std::size_t entries = 0;         ///< Entries held now.
};

/// A cached prompt version, as PromptCache hands it out.
struct RESPAN_EXPORT CachedPrompt {
  /// The fetched prompt and version (shared, immutable). For PromptCache::get_version() the
  /// prompt record holds only its `id`.
  std::shared_ptr<const DeployedPrompt> value;
  /// True when served past its TTL: a refresh failed (#refresh_error says why) or another
  /// thread is refreshing it right now (#refresh_error unset).
  bool stale = false;
  /// The error of the last failed refresh, when #stale because of it.
  std::optional<Error> refresh_error;
  /// When the value was fetched (on PromptCacheOptions::clock).
  std::chrono::steady_clock::time_point fetched_at;

  /// The version, with its messages.
  const PromptVersionRecord& version() const { return value->version; }
  /// The prompt record (its live pointer names version() for PromptCache::get()).
  const PromptRecord& prompt() const { return value->prompt; }
  /// render() of version() (see prompt_template.hpp).
  Result<std::vector<Message>> render(const Json& variables,
                                      const RenderOptions& options = {}) const {
    return respan::render(value->version, variables, options);
  }
};

/// Caches prompt versions for runtime use: the live version of a prompt (get()) or one pinned
/// version (get_version()), each under its own TTL.
///
/// - Fresh values are served from memory. One thread refreshes an expired entry while the
///   others wait for it, or get the expired value at once (marked stale) when it is within
///   max_stale: there is at most one fetch per entry in flight.
/// - Stale-while-error: when a refresh fails and a value fetched earlier is less than
///   `ttl + max_stale` old, that value is returned with `stale = true` and `refresh_error`
///   set; stats().stale_served and on_fetch_error report it, and the API is not asked again
///   for `error_retry_interval`. Without such a value the error is returned.
/// - Thread-safe; copies share one cache. Each entry holds one fetched version (two requests
///   for get(): the prompt, then its live version).
///
/// @code
/// respan::PromptCache prompts(client);                      // TTL 60 s
/// auto p = prompts.get(prompt_id);                          // fetched once a minute at most
/// if (!p) return fallback();
/// if (p->stale) log_warning("serving a stale prompt: " + p->refresh_error->to_string());
/// auto messages = p->render({{"user_query", question}}).value();
/// @endcode
class RESPAN_EXPORT PromptCache {
 public:
  explicit PromptCache(RespanClient client, PromptCacheOptions options = {});

  /// The live (deployed) version of `prompt_id` (PromptsResource::retrieve_deployed()).
  Result<CachedPrompt> get(const std::string& prompt_id);
  /// Version `version` of `prompt_id` (PromptsResource::retrieve_version()).
  Result<CachedPrompt> get_version(const std::string& prompt_id, std::int64_t version);

  /// Drops every entry of `prompt_id` (the next get fetches again).
  void invalidate(const std::string& prompt_id);
  /// Drops every entry.
  void clear();
  /// The counters.
  PromptCacheStats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace respan
