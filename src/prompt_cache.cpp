#include <condition_variable>
#include <map>
#include <mutex>
#include <utility>

#include <respan/prompt_cache.hpp>
#include <respan/prompts.hpp>

namespace respan {

namespace {
using Clock = std::chrono::steady_clock;
constexpr std::int64_t kLive = -1;  // the key's version for get()
}  // namespace

struct PromptCache::Impl {
  struct Entry {
    std::shared_ptr<const DeployedPrompt> value;
    Clock::time_point fetched_at{};
    Clock::time_point retry_at{};  // no refresh before this after a failed one
    Clock::time_point last_used{};
    std::optional<Error> last_error;
    bool refreshing = false;
    std::uint64_t flights = 0;  // refreshes completed
  };
  using Key = std::pair<std::string, std::int64_t>;

  Impl(RespanClient c, PromptCacheOptions o) : client(std::move(c)), options(std::move(o)) {
    if (!options.clock) options.clock = [] { return Clock::now(); };
    if (options.max_entries == 0) options.max_entries = 1;
  }

  RespanClient client;
  PromptCacheOptions options;
  mutable std::mutex mu;
  std::condition_variable cv;
  std::map<Key, Entry> entries;
  PromptCacheStats stats;

  Clock::time_point now() const {
    try {
      return options.clock();
    } catch (...) {  // a throwing clock hook must not escape
      return Clock::now();
    }
  }

  bool within_stale(Clock::time_point t, const Entry& e) const {
    return e.value && t - e.fetched_at < options.ttl + options.max_stale;
  }

  static CachedPrompt view(const Entry& e, bool stale) {
    CachedPrompt out;
    out.value = e.value;
    out.stale = stale;
    if (stale) out.refresh_error = e.last_error;
    out.fetched_at = e.fetched_at;
    return out;
  }

  // The entry of `key`, made (evicting the least recently used idle entry) when missing.
  Entry& entry_for(const Key& key) {
    auto it = entries.find(key);
    if (it != entries.end()) return it->second;
    while (entries.size() >= options.max_entries) {
      auto victim = entries.end();
      for (auto e = entries.begin(); e != entries.end(); ++e) {
        if (e->second.refreshing) continue;
        if (victim == entries.end() || e->second.last_used < victim->second.last_used) victim = e;
      }
      if (victim == entries.end()) break;  // every entry is being refreshed: grow briefly
      entries.erase(victim);
      ++stats.evictions;
    }
    return entries[key];
  }

  Result<DeployedPrompt> fetch(const Key& key) const {
    if (key.second == kLive) {
      return client.prompts().retrieve_deployed(key.first, options.request_options);
    }
    Result<PromptVersionRecord> v =
        client.prompts().retrieve_version(key.first, key.second, options.request_options);
    if (!v) return std::move(v).error();
    DeployedPrompt out;
    out.prompt.id = key.first;
    out.version = std::move(v).value();
    return out;
  }

  void report(const std::string& prompt_id, const Error& e) const {
    if (!options.on_fetch_error) return;
    try {
      options.on_fetch_error(prompt_id, e);
    } catch (...) {  // a throwing callback is contained
    }
  }

  Result<CachedPrompt> get(const Key& key) {
    std::unique_lock<std::mutex> lock(mu);
    std::optional<std::uint64_t> waited;  // the flight count when this thread began waiting
    for (;;) {
      const auto t = now();
      Entry& e = entry_for(key);
      e.last_used = t;
      if (e.value && t - e.fetched_at < options.ttl) {
        ++stats.hits;
        return view(e, false);
      }
      if (waited && e.flights != *waited && !e.refreshing) {
        // The refresh this thread waited for has ended (and left no fresh value).
        if (e.last_error) {
          if (within_stale(t, e)) {
            ++stats.stale_served;
            return view(e, true);
          }
          return *e.last_error;
        }
      }
      if (e.last_error && t < e.retry_at && within_stale(t, e)) {
        ++stats.stale_served;
        return view(e, true);
      }
      if (e.refreshing) {
        if (within_stale(t, e)) {  // do not make a hot path wait: serve what we have
          ++stats.stale_served;
          return view(e, true);
        }
        waited = e.flights;
        cv.wait(lock);
        continue;
      }
      e.refreshing = true;
      break;
    }
    ++stats.misses;
    lock.unlock();
    Result<DeployedPrompt> got = [&]() -> Result<DeployedPrompt> {
      try {
        return fetch(key);
      } catch (const std::exception& e) {  // (out of memory): waiters must still wake up
        return Error::make(ErrorCode::network, std::string("prompt fetch failed: ") + e.what());
      }
    }();
    lock.lock();
    ++stats.fetches;
    if (!got) ++stats.fetch_errors;
    const auto t = now();
    const auto it = entries.find(key);
    if (it == entries.end()) {  // invalidated or cleared meanwhile: hand out what we got
      cv.notify_all();
      lock.unlock();
      if (!got) {
        report(key.first, got.error());
        return std::move(got).error();
      }
      CachedPrompt out;
      out.value = std::make_shared<const DeployedPrompt>(std::move(got).value());
      out.fetched_at = t;
      return out;
    }
    Entry& e = it->second;
    e.refreshing = false;
    ++e.flights;
    if (got) {
      e.value = std::make_shared<const DeployedPrompt>(std::move(got).value());
      e.fetched_at = t;
      e.last_error.reset();
      cv.notify_all();
      return view(e, false);
    }
    e.last_error = got.error();
    e.retry_at = t + options.error_retry_interval;
    cv.notify_all();
    Result<CachedPrompt> out = got.error();
    if (within_stale(t, e)) {
      ++stats.stale_served;
      out = view(e, true);
    }
    lock.unlock();
    report(key.first, got.error());
    return out;
  }
};

PromptCache::PromptCache(RespanClient client, PromptCacheOptions options)
    : impl_(std::make_shared<Impl>(std::move(client), std::move(options))) {}

Result<CachedPrompt> PromptCache::get(const std::string& prompt_id) {
  return impl_->get({prompt_id, kLive});
}

Result<CachedPrompt> PromptCache::get_version(const std::string& prompt_id, std::int64_t version) {
  if (version < 0) {
    return Error::make(ErrorCode::invalid_argument,
                       "version: a prompt version number is not negative");
  }
  return impl_->get({prompt_id, version});
}

void PromptCache::invalidate(const std::string& prompt_id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (auto it = impl_->entries.begin(); it != impl_->entries.end();) {
    it = it->first.first == prompt_id ? impl_->entries.erase(it) : std::next(it);
  }
  impl_->cv.notify_all();
}

void PromptCache::clear() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->entries.clear();
  impl_->cv.notify_all();
}

PromptCacheStats PromptCache::stats() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  PromptCacheStats s = impl_->stats;
  s.entries = impl_->entries.size();
  return s;
}

}  // namespace respan
