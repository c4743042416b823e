// PromptCache over a scripted, thread-safe transport and an injected clock: TTL, stale-while-
// error, the retry interval after a failure, max_stale, invalidation, pinned versions,
// eviction, and one fetch per entry in flight.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <respan/respan.hpp>

namespace {

using namespace std::chrono_literals;
using respan::ErrorCode;
using respan::Json;

// Answers the prompt and version routes from `live_version`; fails while `down`; may hold
// every request until release().
class PromptTransport : public respan::Transport {
 public:
  std::atomic<int> requests{0};
  std::atomic<bool> down{false};
  std::atomic<int> live_version{2};

  respan::Result<respan::HttpResponse> send(const respan::HttpRequest& r) override {
    ++requests;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return !hold_; });
    }
    if (down) return respan::Error::make(ErrorCode::network, "connection reset");
    respan::HttpResponse out;
    out.status = 200;
    const std::string& url = r.url;
    const std::string v = std::to_string(live_version.load());
    if (url.find("/versions/") != std::string::npos) {
      const auto at = url.find("/versions/") + 10;
      const std::string number = url.substr(at, url.find('/', at) - at);
      out.body = Json{{"version", std::stoi(number)},
                      {"model", "gpt-4o"},
                      {"messages", {{{"role", "user"}, {"content", "v" + number + " {{name}}"}}}}}
                     .dump();
    } else if (url.find("/api/prompts/none/") != std::string::npos) {
      out.body = R"({"id": "none", "live_version": null})";
    } else {
      out.body = Json{{"id", "p1"}, {"live_version", {{"version", std::stoi(v)}}}}.dump();
    }
    return out;
  }

  void hold() {
    std::lock_guard<std::mutex> lock(mu_);
    hold_ = true;
  }
  void release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      hold_ = false;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false;
};

class PromptCacheTest : public ::testing::Test {
 protected:
  respan::RespanClient client() {
    respan::ClientOptions o;
    o.api_key = "k";
    o.base_url = "http://127.0.0.1:9";
    o.transport = transport_;
    o.retry.max_retries = 0;
    o.sleeper = [](std::chrono::milliseconds) {};
    return respan::RespanClient::create(o).value();
  }
  respan::PromptCacheOptions options() {
    respan::PromptCacheOptions o;
    o.ttl = 60s;
    o.max_stale = 1h;
    o.error_retry_interval = 5s;
    o.clock = [this] {
      return std::chrono::steady_clock::time_point(
          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
              std::chrono::nanoseconds(now_ns_.load())));
    };
    o.on_fetch_error = [this](const std::string& id, const respan::Error& e) {
      std::lock_guard<std::mutex> lock(errors_mu_);
      errors_.push_back(id + ": " + std::string(respan::to_string(e.code)));
    };
    return o;
  }
  void advance(std::chrono::nanoseconds d) { now_ns_ += d.count(); }

  std::shared_ptr<PromptTransport> transport_ = std::make_shared<PromptTransport>();
  std::atomic<std::int64_t> now_ns_{std::chrono::nanoseconds(std::chrono::hours(1000)).count()};
  std::mutex errors_mu_;
  std::vector<std::string> errors_;
};

TEST_F(PromptCacheTest, FreshValuesAreServedWithoutRequests) {
  respan::PromptCache cache(client(), options());
  auto a = cache.get("p1");
  ASSERT_TRUE(a) << a.error();
  EXPECT_FALSE(a->stale);
  EXPECT_EQ(a->version().version, 2);
  EXPECT_EQ(a->prompt().id, "p1");
  EXPECT_EQ(transport_->requests, 2);  // the prompt, then its live version
  advance(59s);
  auto b = cache.get("p1");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->value, a->value);  // the same shared value
  EXPECT_EQ(transport_->requests, 2);
  EXPECT_EQ(b->render({{"name", "Ada"}}).value()[0].text(), "v2 Ada");
  const auto s = cache.stats();
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.misses, 1u);
  EXPECT_EQ(s.fetches, 1u);
  EXPECT_EQ(s.entries, 1u);
}

TEST_F(PromptCacheTest, AnExpiredEntryIsFetchedAgain) {
  respan::PromptCache cache(client(), options());
  ASSERT_EQ(cache.get("p1").value().version().version, 2);
  transport_->live_version = 3;  // deployed meanwhile
  advance(60s);
  auto again = cache.get("p1");
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->stale);
  EXPECT_EQ(again->version().version, 3);
  EXPECT_EQ(transport_->requests, 4);
}

TEST_F(PromptCacheTest, StaleWhileErrorServesTheLastValueAndSaysSo) {
  respan::PromptCache cache(client(), options());
  ASSERT_TRUE(cache.get("p1"));
  transport_->down = true;
  advance(61s);
  auto stale = cache.get("p1");
  ASSERT_TRUE(stale) << stale.error();
  EXPECT_TRUE(stale->stale);
  ASSERT_TRUE(stale->refresh_error.has_value());
  EXPECT_EQ(stale->refresh_error->code, ErrorCode::network);
  EXPECT_EQ(stale->version().version, 2);
  EXPECT_EQ(transport_->requests, 3);
  {
    std::lock_guard<std::mutex> lock(errors_mu_);
    EXPECT_EQ(errors_, (std::vector<std::string>{"p1: network"}));
  }
  // Within error_retry_interval the API is not asked again.
  advance(4s);
  auto still = cache.get("p1");
  ASSERT_TRUE(still);
  EXPECT_TRUE(still->stale);
  EXPECT_EQ(transport_->requests, 3);
  // Then one refresh is tried; once the API is back the value is fresh again.
  advance(2s);
  ASSERT_TRUE(cache.get("p1"));
  EXPECT_EQ(transport_->requests, 4);
  transport_->down = false;
  advance(6s);
  auto fresh = cache.get("p1");
  ASSERT_TRUE(fresh);
  EXPECT_FALSE(fresh->stale);
  EXPECT_FALSE(fresh->refresh_error.has_value());
  const auto s = cache.stats();
  EXPECT_EQ(s.fetch_errors, 2u);
  EXPECT_EQ(s.stale_served, 3u);
}

TEST_F(PromptCacheTest, NoStaleValueBeyondMaxStale) {
  auto o = options();
  o.max_stale = 10min;
  respan::PromptCache cache(client(), o);
  ASSERT_TRUE(cache.get("p1"));
  transport_->down = true;
  advance(60s + 10min);
  auto r = cache.get("p1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::network);
}

TEST_F(PromptCacheTest, AFailedFirstFetchIsAnErrorAndIsNotCached) {
  respan::PromptCache cache(client(), options());
  transport_->down = true;
  auto r = cache.get("p1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::network);
  transport_->down = false;
  ASSERT_TRUE(cache.get("p1"));  // no waiting for error_retry_interval without a value
  auto none = cache.get("none");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::not_found);
}

TEST_F(PromptCacheTest, InvalidateAndPinnedVersions) {
  respan::PromptCache cache(client(), options());
  ASSERT_TRUE(cache.get("p1"));
  auto v1 = cache.get_version("p1", 1);
  ASSERT_TRUE(v1);
  EXPECT_EQ(v1->version().version, 1);
  EXPECT_EQ(v1->prompt().id, "p1");
  EXPECT_EQ(transport_->requests, 3);
  EXPECT_EQ(cache.stats().entries, 2u);
  cache.invalidate("p1");
  EXPECT_EQ(cache.stats().entries, 0u);
  ASSERT_TRUE(cache.get("p1"));
  EXPECT_EQ(transport_->requests, 5);
  cache.clear();
  EXPECT_EQ(cache.stats().entries, 0u);
  auto bad = cache.get_version("p1", -1);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::invalid_argument);
}

TEST_F(PromptCacheTest, TheLeastRecentlyUsedEntryIsEvicted) {
  auto o = options();
  o.max_entries = 2;
  respan::PromptCache cache(client(), o);
  ASSERT_TRUE(cache.get_version("p1", 1));
  advance(1s);
  ASSERT_TRUE(cache.get_version("p1", 2));
  advance(1s);
  ASSERT_TRUE(cache.get_version("p1", 1));  // 1 is now more recent than 2
  advance(1s);
  ASSERT_TRUE(cache.get_version("p1", 3));  // evicts 2
  EXPECT_EQ(cache.stats().evictions, 1u);
  const int before = transport_->requests;
  ASSERT_TRUE(cache.get_version("p1", 1));
  EXPECT_EQ(transport_->requests, before);
  ASSERT_TRUE(cache.get_version("p1", 2));
  EXPECT_EQ(transport_->requests, before + 1);
}

TEST_F(PromptCacheTest, ConcurrentMissesShareOneFetch) {
  respan::PromptCache cache(client(), options());
  transport_->hold();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (cache.get("p1")) ++ok;
    });
  }
  // Wait until the one fetch is in flight, then let it finish.
  for (int i = 0; i < 1000 && transport_->requests == 0; ++i)
    std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(20ms);
  transport_->release();
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(ok, 8);
  EXPECT_EQ(transport_->requests, 2);
  EXPECT_EQ(cache.stats().fetches, 1u);
}

TEST_F(PromptCacheTest, AnExpiredValueIsServedStaleWhileAnotherThreadRefreshes) {
  respan::PromptCache cache(client(), options());
  ASSERT_TRUE(cache.get("p1"));
  advance(61s);
  transport_->hold();
  std::thread refresher([&] { EXPECT_TRUE(cache.get("p1")); });
  for (int i = 0; i < 1000 && transport_->requests < 3; ++i)
    std::this_thread::sleep_for(1ms);
  auto meanwhile = cache.get("p1");  // does not wait for the refresh
  ASSERT_TRUE(meanwhile);
  EXPECT_TRUE(meanwhile->stale);
  EXPECT_FALSE(meanwhile->refresh_error.has_value());
  transport_->release();
  refresher.join();
  auto fresh = cache.get("p1");
  ASSERT_TRUE(fresh);
  EXPECT_FALSE(fresh->stale);
}

}  // namespace
