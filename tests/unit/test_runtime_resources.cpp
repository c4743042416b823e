// The score, prompt, customer and thread resources over a scripted transport: what they send
// (method, path, query, body), what they refuse before sending, and how their lists page.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <respan/respan.hpp>

#include "scripted_transport.hpp"

namespace {

using respan::ErrorCode;
using respan::Json;
using respan::test::resp;
using respan::test::ScriptedTransport;

class RuntimeResources : public ::testing::Test {
 protected:
  respan::RespanClient client() {
    respan::ClientOptions o;
    o.api_key = "k";
    o.base_url = "http://127.0.0.1:9";
    o.transport = t_;
    o.sleeper = [](std::chrono::milliseconds) {};
    return respan::RespanClient::create(o).value();
  }
  // The path and query of the i-th request.
  std::string target(std::size_t i) const {
    const std::string& url = t_->seen.at(i).url;
    return url.substr(std::string("http://127.0.0.1:9").size());
  }
  Json body(std::size_t i) const {
    const auto& b = t_->seen.at(i).body;
    return b ? Json::parse(*b) : Json();
  }

  std::shared_ptr<ScriptedTransport> t_ = std::make_shared<ScriptedTransport>();
};

template <class T>
void expect_refused(const respan::Result<T>& r, const std::string& fragment) {
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(r.error().message.find(fragment), std::string::npos) << r.error().message;
}

TEST_F(RuntimeResources, ScoresAreCheckedBeforeSending) {
  auto c = client();
  respan::Score no_evaluator;
  no_evaluator.numerical_value = 1;
  no_evaluator.log_id = "l";
  expect_refused(c.scores().create(no_evaluator), "evaluator_id or evaluator_slug");
  respan::Score no_value;
  no_value.evaluator_slug = "q";
  no_value.log_id = "l";
  expect_refused(c.scores().create(no_value), "no value");
  expect_refused(c.scores().create(respan::Score::numerical("q", 1)), "log_id is required");
  respan::Score bad_json = respan::Score::numerical("q", 1);
  bad_json.numerical_value.reset();
  bad_json.json_value = "{oops";
  expect_refused(c.scores().for_log("l").create(bad_json), "json_value");
  respan::Score other_log = respan::Score::numerical("q", 1);
  other_log.log_id = "someone-else";
  expect_refused(c.scores().for_log("l").create(other_log), "differs");
  expect_refused(c.scores().for_log("").create(respan::Score::numerical("q", 1)), "log_id");
  expect_refused(c.scores().for_log("..").list(), "log_id");
  expect_refused(c.scores().retrieve(""), "score_id");
  expect_refused(c.scores().for_log("l").remove("."), "score_id");
  respan::ScoreListQuery q;
  q.page_size = 101;
  expect_refused(c.scores().list(q), "page_size");
  respan::ScoreUpdate u;
  u.json_value = "nope";
  expect_refused(c.scores().update("s", u), "json_value");
  EXPECT_TRUE(t_->seen.empty());
}

TEST_F(RuntimeResources, LogScopedCreateSendsNoLogIdAndPercentEncodesThePath) {
  t_->script.push_back(resp(201, R"({"id": "s1", "created_at": "2026-04-10T12:00:00Z"})"));
  respan::RequestLogCreated created;
  created.unique_id = "log/1 ?";
  respan::Score s = respan::Score::boolean("thumbs_up", true);
  s.log_id = "log/1 ?";  // the same log: accepted, not sent
  auto r = client().scores().for_log(created).create(s);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->id, "s1");
  ASSERT_EQ(t_->seen.size(), 1u);
  EXPECT_EQ(t_->seen[0].method, respan::HttpMethod::post);
  EXPECT_EQ(target(0), "/api/logs/log%2F1%20%3F/scores/");
  EXPECT_EQ(body(0), (Json{{"evaluator_slug", "thumbs_up"}, {"boolean_value", true}}));
}

TEST_F(RuntimeResources, ScoreRoutes) {
  for (int i = 0; i < 8; ++i)
    t_->script.push_back(resp(200, R"({"id": "s1"})"));
  auto c = client();
  respan::Score s = respan::Score::numerical("q", 2);
  s.log_id = "l1";
  ASSERT_TRUE(c.scores().create(s));
  respan::ScoreListQuery q;
  q.filters.equals("log_id", "l1");
  q.sort_by = "-created_at";
  q.page_size = 100;
  ASSERT_TRUE(c.scores().list(q));
  ASSERT_TRUE(c.scores().retrieve("s1"));
  ASSERT_TRUE(c.scores().replace("s1", s));
  respan::ScoreUpdate u;
  u.numerical_value = 5;
  ASSERT_TRUE(c.scores().update("s1", u));
  ASSERT_TRUE(c.scores().remove("s1"));
  ASSERT_TRUE(c.scores().for_log("l1").replace("s1", respan::Score::numerical("q", 1)));
  ASSERT_TRUE(c.scores().for_log("l1").update("s1", u));
  ASSERT_EQ(t_->seen.size(), 8u);
  EXPECT_EQ(target(0), "/api/scores/");
  EXPECT_EQ(body(0)["log_id"], "l1");
  EXPECT_EQ(target(1), "/api/scores/list/?page_size=100&sort_by=-created_at");
  EXPECT_EQ(body(1), (Json{{"filters", {{"log_id", {{"operator", ""}, {"value", {"l1"}}}}}}}));
  EXPECT_EQ(target(2), "/api/scores/s1/");
  EXPECT_EQ(t_->seen[3].method, respan::HttpMethod::put);
  EXPECT_EQ(t_->seen[4].method, respan::HttpMethod::patch);
  EXPECT_EQ(body(4), (Json{{"numerical_value", 5.0}}));
  EXPECT_EQ(t_->seen[5].method, respan::HttpMethod::del);
  EXPECT_EQ(target(6), "/api/logs/l1/scores/s1/");
  EXPECT_FALSE(body(6).contains("log_id"));
  EXPECT_EQ(t_->seen[7].method, respan::HttpMethod::patch);
}

TEST_F(RuntimeResources, ScoreListsPageOnNextNeverOnCount) {
  // `count` of score pages is the number of rows on the page: 2 here, while 3 rows exist.
  t_->script.push_back(resp(
      200, R"({"count": 2, "next": "http://x/?page=2", "results": [{"id": "a"}, {"id": "b"}]})"));
  t_->script.push_back(resp(200, R"({"count": 1, "next": null, "results": [{"id": "c"}]})"));
  std::vector<std::string> ids;
  for (auto& s : client().scores().for_log("l").list_all()) {
    ASSERT_TRUE(s) << s.error();
    ids.push_back(s->id);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_EQ(t_->seen.size(), 2u);
  EXPECT_EQ(target(0), "/api/logs/l/scores/?page=1");
  EXPECT_EQ(target(1), "/api/logs/l/scores/?page=2");
}

TEST_F(RuntimeResources, ListsStopOnAnEmptyPageEvenWhenNextIsSet) {
  t_->script.push_back(resp(200, R"({"count": 99, "next": "u", "results": [{"id": "p"}]})"));
  t_->script.push_back(resp(200, R"({"count": 99, "next": "u", "results": []})"));
  int n = 0;
  for (auto& p : client().prompts().list_all()) {
    ASSERT_TRUE(p) << p.error();
    ++n;
  }
  EXPECT_EQ(n, 1);
  EXPECT_EQ(t_->seen.size(), 2u);
}

TEST_F(RuntimeResources, PromptsAreCheckedBeforeSending) {
  auto c = client();
  expect_refused(c.prompts().create(respan::Prompt{}), "name");
  respan::PromptVersion v;
  v.model = "gpt-4o";
  expect_refused(c.prompts().create_version("p", v), "messages");
  v.messages = {respan::Message::user("{{q}}")};
  v.model.clear();
  expect_refused(c.prompts().create_version("p", v), "model");
  v.model = "gpt-4o";
  v.temperature = 3;
  expect_refused(c.prompts().create_version("p", v), "temperature");
  v.temperature.reset();
  v.messages[0].role.clear();
  expect_refused(c.prompts().create_version("p", v), "role");
  expect_refused(c.prompts().retrieve_version("p", -1), "version");
  expect_refused(c.prompts().deploy("", 1), "prompt_id");
  respan::PromptVersionListQuery q;
  q.page_size = 501;
  expect_refused(c.prompts().list_versions("p", q), "page_size");
  respan::PromptUpdate u;
  u.name = "";
  expect_refused(c.prompts().update("p", u), "name");
  EXPECT_TRUE(t_->seen.empty());
}

TEST_F(RuntimeResources, PromptRoutes) {
  auto c = client();
  t_->script.push_back(resp(200, R"({"id": "p1"})"));
  t_->script.push_back(resp(200, R"({"version": 2})"));
  t_->script.push_back(resp(200, R"({"version": 2, "is_deployed": true})"));
  t_->script.push_back(resp(200, R"({"total_count": 3})"));
  t_->script.push_back(resp(204, ""));
  respan::Prompt p;
  p.name = "support";
  ASSERT_TRUE(c.prompts().create(p));
  respan::CommitPromptRequest commit;
  commit.description = "first";
  ASSERT_TRUE(c.prompts().commit("p1", commit));
  auto deployed = c.prompts().deploy("p1", 2);
  ASSERT_TRUE(deployed);
  EXPECT_EQ(deployed->is_deployed, true);
  respan::Filters f;
  f.icontains("name", "support");
  EXPECT_EQ(c.prompts().summary(f).value().total_count, 3);
  ASSERT_TRUE(c.prompts().remove_version("p1", 1));
  EXPECT_EQ(target(0), "/api/prompts/");
  EXPECT_EQ(body(0), (Json{{"name", "support"}}));
  EXPECT_EQ(target(1), "/api/prompts/p1/commits/");
  EXPECT_EQ(body(1), (Json{{"description", "first"}}));
  EXPECT_EQ(target(2), "/api/prompts/p1/deployments/");
  EXPECT_EQ(body(2), (Json{{"version", 2}}));
  EXPECT_EQ(target(3), "/api/prompts/summary/");
  EXPECT_EQ(target(4), "/api/prompts/p1/versions/1/");
  EXPECT_EQ(t_->seen[4].method, respan::HttpMethod::del);
}

TEST_F(RuntimeResources, RetrieveDeployedFollowsTheLivePointer) {
  auto c = client();
  t_->script.push_back(resp(200, R"({"id": "p1", "live_version": {"version": 4}})"));
  t_->script.push_back(
      resp(200, R"({"version": 4, "messages": [{"role": "user", "content": "x"}]})"));
  auto live = c.prompts().retrieve_deployed("p1");
  ASSERT_TRUE(live) << live.error();
  EXPECT_EQ(live->version.version, 4);
  EXPECT_EQ(target(1), "/api/prompts/p1/versions/4/");

  t_->script.push_back(resp(200, R"({"id": "p2", "live_version": null})"));
  auto none = c.prompts().retrieve_deployed("p2");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::not_found);
  EXPECT_EQ(t_->seen.size(), 3u);
}

TEST_F(RuntimeResources, CustomerRoutesEncodeTheIdentifierAndPassTheEnvironmentInTheQuery) {
  auto c = client();
  t_->script.push_back(resp(200, R"({"id": "a/b@c.d", "name": "Alice"})"));
  t_->script.push_back(resp(200, R"({"id": "a/b@c.d", "customer_identifier": "a/b@c.d"})"));
  t_->script.push_back(resp(204, ""));
  t_->script.push_back(resp(200, R"({"count": 0, "results": []})"));
  auto got = c.customers().retrieve("a/b@c.d", respan::Environment::prod());
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(got->customer_identifier, "a/b@c.d");  // from `id` in the detail view
  respan::CustomerUpdate u;
  u.total_budget = 10;
  ASSERT_TRUE(c.customers().update("a/b@c.d", u));
  ASSERT_TRUE(c.customers().remove("a/b@c.d", respan::Environment::test()));
  respan::CustomerListQuery q;
  q.sort_by = "-total_cost";
  ASSERT_TRUE(c.customers().list(q));
  EXPECT_EQ(target(0), "/api/users/a%2Fb%40c.d/?environment=prod");
  EXPECT_EQ(t_->seen[1].method, respan::HttpMethod::patch);
  EXPECT_EQ(target(1), "/api/users/a%2Fb%40c.d/");
  EXPECT_EQ(target(2), "/api/users/a%2Fb%40c.d/?environment=test");
  EXPECT_EQ(target(3), "/api/users/list/?page=1&sort_by=-total_cost");  // page=1 as F sends it
  EXPECT_EQ(body(3), Json::object());                                   // `{}` without filters

  respan::CustomerUpdate negative;
  negative.period_budget = -1;
  expect_refused(c.customers().update("a", negative), "period_budget");
  expect_refused(c.customers().retrieve(""), "customer_identifier");
  respan::CustomerListQuery big;
  big.page_size = 1001;
  expect_refused(c.customers().list(big), "page_size");
  EXPECT_EQ(t_->seen.size(), 4u);
}

TEST_F(RuntimeResources, ThreadsListAndTheSpansOfAThread) {
  auto c = client();
  t_->script.push_back(resp(
      200,
      R"({"count": 1, "next": null, "results": [{"thread_identifier": "t1", "log_count": 2}]})"));
  t_->script.push_back(
      resp(200, R"({"count": 1, "next": null, "results": [{"unique_id": "u1"}]})"));
  respan::ThreadListQuery q;
  q.filters.equals("customer_identifier", "alice");
  auto page = c.threads().list(q);
  ASSERT_TRUE(page) << page.error();
  EXPECT_EQ(page->results.at(0).thread_identifier, "t1");
  EXPECT_EQ(target(0), "/api/log_threads/?page=1");
  std::vector<std::string> spans;
  for (auto& s : c.threads().spans("t1"))
    spans.push_back(s.value().unique_id);
  EXPECT_EQ(spans, std::vector<std::string>{"u1"});
  EXPECT_EQ(body(1)["filters"]["thread_identifier"]["value"], Json::array({"t1"}));
  for (auto& s : c.threads().spans("")) {
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, ErrorCode::invalid_argument);
  }
  EXPECT_EQ(t_->seen.size(), 2u);
}

}  // namespace
