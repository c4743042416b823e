// Prompts through the SDK against the mock server: the version lifecycle (create, commit,
// deploy, retrieve the live version, render), lists, and PromptCache at run time: TTL expiry
// on an injected clock and on the real one, and stale-while-error under injected faults.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

#include "mock_api_test.hpp"

using respan::ErrorCode;
using respan::Json;
using namespace std::chrono_literals;

namespace {

class PromptsApi : public MockApiTest {
 protected:
  respan::RespanClient client() const { return respan::RespanClient::create(options()).value(); }

  static respan::PromptVersion version(const std::string& system) {
    respan::PromptVersion v;
    v.messages = {respan::Message::system(system), respan::Message::user("{{ user_query }}")};
    v.model = "gpt-4o";
    v.temperature = 0.3;
    v.variables = Json{{"user_query", ""}, {"tone", "friendly"}};
    return v;
  }

  // A prompt whose live version is committed version 1 ("v1: ...").
  std::string deployed_prompt() const {
    auto c = client();
    respan::Prompt p;
    p.name = "support";
    const std::string id = c.prompts().create(p).value().id;
    EXPECT_TRUE(c.prompts().create_version(id, version("v1: be {{tone}}")));
    EXPECT_TRUE(c.prompts().commit(id));
    EXPECT_TRUE(c.prompts().deploy(id, 1));
    return id;
  }

  // Deploys a new version ("v<n>: ...") of `id`.
  void deploy_new(const std::string& id, const std::string& system) const {
    auto v = version(system);
    v.deploy = true;
    ASSERT_TRUE(client().prompts().create_version(id, v));
  }
};

TEST_F(PromptsApi, LifecycleFromCreateToRenderingTheLiveVersion) {
  auto c = client();
  respan::Prompt p;
  p.name = "customer_support";
  p.description = "answers order questions";
  auto created = c.prompts().create(p);
  ASSERT_TRUE(created) << created.error();
  const std::string id = created->id;
  EXPECT_FALSE(created->live_version.has_value());
  auto none = c.prompts().retrieve_deployed(id);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::not_found);

  auto draft = c.prompts().create_version(id, version("Answer in a {{tone}} tone."));
  ASSERT_TRUE(draft) << draft.error();
  EXPECT_EQ(draft->version, 1);
  EXPECT_EQ(draft->readonly, false);
  // A draft cannot be deployed; committed versions can.
  auto early = c.prompts().deploy(id, 1);
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, ErrorCode::bad_request);
  respan::CommitPromptRequest commit;
  commit.description = "first";
  auto committed = c.prompts().commit(id, commit);
  ASSERT_TRUE(committed) << committed.error();
  EXPECT_EQ(committed->readonly, true);
  auto live = c.prompts().deploy(id, 1);
  ASSERT_TRUE(live) << live.error();
  EXPECT_EQ(live->is_deployed, true);

  auto deployed = c.prompts().retrieve_deployed(id);
  ASSERT_TRUE(deployed) << deployed.error();
  EXPECT_EQ(deployed->prompt.live_version->version, 1);
  EXPECT_EQ(deployed->prompt.current_version->version, 2);  // the new draft
  EXPECT_EQ(deployed->version.prompt_version_id.has_value(), true);
  auto messages =
      respan::render(deployed->version, {{"user_query", "Where is my order?"}, {"tone", "calm"}});
  ASSERT_TRUE(messages) << messages.error();
  ASSERT_EQ(messages->size(), 2u);
  EXPECT_EQ((*messages)[0].text(), "Answer in a calm tone.");
  EXPECT_EQ((*messages)[1].text(), "Where is my order?");
  auto missing = respan::render(deployed->version, {{"user_query", "?"}});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::invalid_argument);

  // Edit the draft, list the versions (newest first), delete the draft, not the live one.
  respan::PromptVersionUpdate edit;
  edit.temperature = 0.9;
  EXPECT_EQ(c.prompts().update_version(id, 2, edit).value().temperature, 0.9);
  auto frozen = c.prompts().update_version(id, 1, edit);
  ASSERT_FALSE(frozen);
  EXPECT_EQ(frozen.error().code, ErrorCode::bad_request);
  std::vector<std::int64_t> numbers;
  respan::PromptVersionListQuery vq;
  vq.page_size = 1;
  for (auto& v : c.prompts().list_all_versions(id, vq))
    numbers.push_back(v.value().version.value_or(-1));
  EXPECT_EQ(numbers, (std::vector<std::int64_t>{2, 1}));
  EXPECT_EQ(c.prompts().remove_version(id, 1).error().code, ErrorCode::bad_request);
  ASSERT_TRUE(c.prompts().remove_version(id, 2));

  respan::PromptUpdate rename;
  rename.name = "support_v2";
  auto renamed = c.prompts().update(id, rename);
  ASSERT_TRUE(renamed) << renamed.error();
  EXPECT_EQ(renamed->name, "support_v2");
  EXPECT_FALSE(renamed->live_version.has_value());  // the reduced update answer
  ASSERT_TRUE(c.prompts().remove(id));
  EXPECT_EQ(c.prompts().retrieve(id).error().code, ErrorCode::not_found);
}

TEST_F(PromptsApi, ListsAndSummaryWithFilters) {
  auto c = client();
  for (const char* name : {"support a", "support b", "support c", "sales"}) {
    respan::Prompt p;
    p.name = name;
    ASSERT_TRUE(c.prompts().create(p));
  }
  respan::PromptListQuery q;
  q.filters.icontains("name", "support");
  q.page_size = 2;
  std::vector<std::string> names;
  for (auto& p : c.prompts().list_all(q))
    names.push_back(p.value().name.value_or(""));
  EXPECT_EQ(names, (std::vector<std::string>{"support c", "support b", "support a"}));
  EXPECT_EQ(c.prompts().summary(q.filters).value().total_count, 3);
  EXPECT_EQ(c.prompts().summary().value().total_count, 4);
}

TEST_F(PromptsApi, CacheServesFreshValuesAndRefetchesAfterTheTtl) {
  const std::string id = deployed_prompt();
  std::atomic<std::int64_t> now_ms{1'000'000};
  respan::PromptCacheOptions o;
  o.ttl = 30s;
  o.clock = [&] {
    return std::chrono::steady_clock::time_point(std::chrono::milliseconds(now_ms));
  };
  respan::PromptCache cache(client(), o);
  server_.clear_requests();
  for (int i = 0; i < 100; ++i) {
    auto p = cache.get(id);
    ASSERT_TRUE(p) << p.error();
    EXPECT_EQ(p->version().version, 1);
  }
  EXPECT_EQ(server_.requests().size(), 2u);  // one fetch: the prompt and its live version
  deploy_new(id, "v3: terse");
  server_.clear_requests();
  now_ms += 29'000;
  EXPECT_EQ(cache.get(id).value().version().version, 1);  // still fresh
  EXPECT_TRUE(server_.requests().empty());
  now_ms += 1'000;
  auto refreshed = cache.get(id);
  ASSERT_TRUE(refreshed) << refreshed.error();
  EXPECT_FALSE(refreshed->stale);
  EXPECT_EQ(refreshed->version().version, 3);
  EXPECT_EQ(server_.requests().size(), 2u);
  EXPECT_EQ(refreshed->render({{"user_query", "hi"}}).value()[0].text(), "v3: terse");
}

TEST_F(PromptsApi, CacheServesTheStaleValueWhileTheApiFails) {
  const std::string id = deployed_prompt();
  std::atomic<std::int64_t> now_ms{1'000'000};
  std::atomic<int> errors{0};
  respan::PromptCacheOptions o;
  o.ttl = 10s;
  o.error_retry_interval = 2s;
  o.clock = [&] {
    return std::chrono::steady_clock::time_point(std::chrono::milliseconds(now_ms));
  };
  o.on_fetch_error = [&](const std::string&, const respan::Error&) { ++errors; };
  o.request_options.max_retries = 1;
  respan::PromptCache cache(client(), o);
  ASSERT_TRUE(cache.get(id));

  // The API answers 503 on every prompt route until the faults are cleared.
  respan::testing::Fault down;
  down.status = 503;
  down.times = -1;
  down.path_prefix = "/api/prompts/";
  server_.inject_fault(down);
  now_ms += 11'000;
  server_.clear_requests();
  auto stale = cache.get(id);
  ASSERT_TRUE(stale) << stale.error();
  EXPECT_TRUE(stale->stale);
  ASSERT_TRUE(stale->refresh_error.has_value());
  EXPECT_EQ(stale->refresh_error->code, ErrorCode::server);
  EXPECT_EQ(stale->refresh_error->http_status, 503);
  EXPECT_EQ(stale->version().version, 1);
  EXPECT_EQ(server_.requests().size(), 2u);  // one attempt and one retry
  EXPECT_EQ(errors, 1);
  // Within the retry interval the hot path gets the stale value with no request at all.
  for (int i = 0; i < 50; ++i)
    EXPECT_TRUE(cache.get(id).value().stale);
  EXPECT_EQ(server_.requests().size(), 2u);

  // A dropped connection is no different.
  server_.clear_faults();
  respan::testing::Fault drop;
  drop.drop_connection = true;
  drop.times = -1;
  drop.path_prefix = "/api/prompts/";
  server_.inject_fault(drop);
  now_ms += 2'000;
  auto dropped = cache.get(id);
  ASSERT_TRUE(dropped);
  EXPECT_TRUE(dropped->stale);
  EXPECT_EQ(dropped->refresh_error->code, ErrorCode::network);
  EXPECT_EQ(errors, 2);

  // Back up: the next refresh after the interval is fresh again.
  server_.clear_faults();
  deploy_new(id, "v3: recovered");
  now_ms += 2'000;
  auto fresh = cache.get(id);
  ASSERT_TRUE(fresh) << fresh.error();
  EXPECT_FALSE(fresh->stale);
  EXPECT_EQ(fresh->version().version, 3);
  const auto s = cache.stats();
  EXPECT_EQ(s.fetch_errors, 2u);
  EXPECT_EQ(s.stale_served, 52u);
}

TEST_F(PromptsApi, CacheWithoutAnEarlierValueReturnsTheError) {
  const std::string id = deployed_prompt();
  respan::testing::Fault down;
  down.status = 500;
  down.times = -1;
  down.path_prefix = "/api/prompts/";
  server_.inject_fault(down);
  respan::PromptCacheOptions o;
  o.request_options.max_retries = 0;
  respan::PromptCache cache(client(), o);
  auto r = cache.get(id);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::server);
  server_.clear_faults();
  EXPECT_TRUE(cache.get(id));
}

TEST_F(PromptsApi, CacheExpiresOnTheRealClock) {
  const std::string id = deployed_prompt();
  respan::PromptCacheOptions o;
  o.ttl = 50ms;
  respan::PromptCache cache(client(), o);
  ASSERT_TRUE(cache.get(id));
  ASSERT_TRUE(cache.get_version(id, 1));
  server_.clear_requests();
  ASSERT_TRUE(cache.get(id));
  EXPECT_TRUE(server_.requests().empty());
  std::this_thread::sleep_for(80ms);
  ASSERT_TRUE(cache.get(id));
  EXPECT_EQ(server_.requests().size(), 2u);
  EXPECT_EQ(cache.stats().entries, 2u);
}

}  // namespace
