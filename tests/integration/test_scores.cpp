// Scores through the SDK against the mock server: scoring a logged span in one call (from
// request_logs().create and from a Tracer span), the one-score-per-log-evaluator-scorer upsert,
// the general routes, lists that page past a per-page `count`, and retries by idempotency.
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

#include "mock_api_test.hpp"

using respan::ErrorCode;
using respan::Json;

namespace {

class ScoresApi : public MockApiTest {
 protected:
  respan::RespanClient client() const { return respan::RespanClient::create(options()).value(); }

  respan::RequestLogCreated log_span() const {
    respan::RequestLog span("gpt-4o");
    span.prompt_messages = std::vector<respan::Message>{respan::Message::user("Where is it?")};
    span.completion_message = respan::Message::assistant("It ships today.");
    return client().request_logs().create(span).value();
  }
};

TEST_F(ScoresApi, ALoggedSpanIsScoredInOneCallAndRescoringReplacesTheScore) {
  const respan::RequestLogCreated created = log_span();
  auto c = client();
  auto up = respan::Score::boolean("thumbs_up", true);
  up.timestamp = created.timestamp;
  auto first = c.scores().for_log(created).create(up);
  ASSERT_TRUE(first) << first.error();
  EXPECT_FALSE(first->id.empty());
  EXPECT_EQ(first->log_id, created.unique_id);
  EXPECT_EQ(first->boolean_value, true);
  EXPECT_EQ(first->evaluator_slug, "thumbs_up");
  ASSERT_TRUE(first->scorer.has_value());

  // The user changes their mind: the same evaluator on the same log by the same caller
  // overwrites the score (same id) instead of adding one.
  auto second =
      c.scores().for_log(created.unique_id).create(respan::Score::boolean("thumbs_up", false));
  ASSERT_TRUE(second) << second.error();
  EXPECT_EQ(second->id, first->id);
  EXPECT_EQ(second->boolean_value, false);
  ASSERT_EQ(server_.scores().size(), 1u);
  EXPECT_EQ(server_.scores()[0]["boolean_value"], false);

  // Another evaluator is another score.
  ASSERT_TRUE(c.scores().for_log(created).create(respan::Score::numerical("stars", 4)));
  std::set<std::string> slugs;
  for (auto& s : c.scores().for_log(created).list_all()) {
    ASSERT_TRUE(s) << s.error();
    slugs.insert(s->evaluator_slug.value_or(""));
  }
  EXPECT_EQ(slugs, (std::set<std::string>{"thumbs_up", "stars"}));

  // The request carried no log_id: the log is in the path.
  const auto posts = requests_to("/api/logs/" + created.unique_id + "/scores/", "POST");
  ASSERT_EQ(posts.size(), 3u);
  EXPECT_FALSE(posts[0].json().contains("log_id"));
  EXPECT_EQ(posts[0].json()["timestamp"], created.timestamp->str());
}

TEST_F(ScoresApi, LogScopedSingleScoreRoutes) {
  const auto created = log_span();
  auto log = client().scores().for_log(created);
  auto s = log.create(respan::Score::json("extract", {{"order", "A-17"}})).value();
  EXPECT_EQ(s.json_document(), (Json{{"order", "A-17"}}));
  auto got = log.retrieve(s.id);
  ASSERT_TRUE(got) << got.error();
  EXPECT_FALSE(got->inputs.has_value());  // the log-scoped answer has no inputs/evaluator
  respan::ScoreUpdate u;
  u.json_value = R"({"order": "A-18"})";
  EXPECT_EQ(log.update(s.id, u).value().json_document(), (Json{{"order", "A-18"}}));
  auto replaced = log.replace(s.id, respan::Score::categorical("extract", {"x"}));
  ASSERT_TRUE(replaced) << replaced.error();
  EXPECT_FALSE(replaced->json_value.has_value());
  EXPECT_EQ(replaced->categorical_value, std::vector<std::string>{"x"});
  ASSERT_TRUE(log.remove(s.id));
  auto gone = log.retrieve(s.id);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::not_found);
  EXPECT_FALSE(gone.error().message.empty());  // read from the {"error": ...} body
}

TEST_F(ScoresApi, GeneralRoutesAndListsThatPagePastThePerPageCount) {
  const auto a = log_span();
  const auto b = log_span();
  auto c = client();
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    respan::Score s = respan::Score::numerical("quality", i);
    s.log_id = a.unique_id;
    auto made = c.scores().create(s);
    ASSERT_TRUE(made) << made.error();
    ids.push_back(made->id);
  }
  respan::Score other = respan::Score::numerical("quality", 9);
  other.log_id = b.unique_id;
  ASSERT_TRUE(c.scores().create(other));

  respan::ScoreListQuery q;
  q.filters.equals("log_id", a.unique_id);
  q.page_size = 2;
  auto first_page = c.scores().list(q).value();
  EXPECT_EQ(first_page.count, 2);  // the rows of the page: a score page's `count`
  std::set<std::string> seen;
  for (auto& s : c.scores().list_all(q)) {
    ASSERT_TRUE(s) << s.error();
    seen.insert(s->id);
  }
  EXPECT_EQ(seen, std::set<std::string>(ids.begin(), ids.end()));
  EXPECT_EQ(requests_to("/api/scores/list/").size(), 4u);  // list() + 3 pages

  auto full = c.scores().retrieve(ids[0]);
  ASSERT_TRUE(full) << full.error();
  EXPECT_TRUE(full->inputs.has_value());  // the general single-score answer
  respan::ScoreUpdate u;
  u.numerical_value = 42;
  EXPECT_EQ(c.scores().update(ids[0], u).value().numerical_value, 42);
  respan::Score replacement = respan::Score::text("note", "rewritten");
  auto replaced = c.scores().replace(ids[0], replacement);
  ASSERT_TRUE(replaced) << replaced.error();
  EXPECT_EQ(replaced->log_id, a.unique_id);
  EXPECT_FALSE(replaced->numerical_value.has_value());
  ASSERT_TRUE(c.scores().remove(ids[0]));
  EXPECT_EQ(c.scores().retrieve(ids[0]).error().code, ErrorCode::not_found);
}

TEST_F(ScoresApi, ATracerSpanIsScoredByItsSpanId) {
  respan::TracerOptions o;
  o.batch.flush_interval = std::chrono::milliseconds(20);
  o.batch.min_backoff = std::chrono::milliseconds(1);
  respan::Tracer tracer(client(), o);
  std::string span_id;
  {
    respan::Span span = tracer.start_span("answer");
    span.set_model("gpt-4o");
    span_id = span.span_unique_id();
  }
  ASSERT_TRUE(tracer.flush(std::chrono::seconds(5)).complete());
  auto score = client().scores().for_log(span_id).create(respan::Score::boolean("thumbs_up", true));
  ASSERT_TRUE(score) << score.error();
  EXPECT_EQ(score->log_id, span_id);
}

TEST_F(ScoresApi, ErrorsAreTyped) {
  auto c = client();
  auto unknown = c.scores().for_log("no-such-log").create(respan::Score::numerical("q", 1));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::not_found);
  respan::Score s = respan::Score::numerical("q", 1);
  s.log_id = "no-such-log";
  auto bad = c.scores().create(s);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::bad_request);
  EXPECT_NE(bad.error().message.find("log_id"), std::string::npos);  // {"message": ...} body
  auto o = options();
  o.api_key = "wrong";
  auto unauthorized = respan::RespanClient::create(o).value().scores().for_log("x").list();
  ASSERT_FALSE(unauthorized);
  EXPECT_EQ(unauthorized.error().code, ErrorCode::unauthorized);
  // Refused locally: nothing sent.
  server_.clear_requests();
  EXPECT_EQ(c.scores().for_log("l").create(respan::Score{}).error().code,
            ErrorCode::invalid_argument);
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(ScoresApi, TheUpsertIsRetriedAfterA500AndTheGeneralCreateIsNot) {
  const auto created = log_span();
  auto c = client();
  respan::testing::Fault f;
  f.status = 500;
  f.path_prefix = "/api/logs/";
  server_.inject_fault(f);
  auto upsert = c.scores().for_log(created).create(respan::Score::boolean("thumbs_up", true));
  ASSERT_TRUE(upsert) << upsert.error();
  EXPECT_EQ(requests_to("/api/logs/" + created.unique_id + "/scores/", "POST").size(), 2u);

  f.path_prefix = "/api/scores/";
  server_.inject_fault(f);
  respan::Score s = respan::Score::numerical("q", 1);
  s.log_id = created.unique_id;
  auto general = c.scores().create(s);
  ASSERT_FALSE(general);
  EXPECT_EQ(general.error().code, ErrorCode::server);
  EXPECT_EQ(general.error().attempts, 1);
  EXPECT_EQ(server_.scores().size(), 1u);
}

}  // namespace
