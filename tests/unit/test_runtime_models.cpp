// Models of the score, prompt, customer and thread families: what is sent, and lenient
// decoding (unknown fields kept in `extra`, mistyped fields not failing the call, the
// documented aliases and inconsistencies absorbed).
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <respan/respan.hpp>

namespace {

using respan::Json;

TEST(ScoreModels, NamedConstructorsSetTheEvaluatorAndOneValue) {
  EXPECT_EQ(Json(respan::Score::numerical("quality", 4.5)),
            (Json{{"evaluator_slug", "quality"}, {"numerical_value", 4.5}}));
  EXPECT_EQ(Json(respan::Score::boolean("thumbs_up", false)),
            (Json{{"evaluator_slug", "thumbs_up"}, {"boolean_value", false}}));
  EXPECT_EQ(Json(respan::Score::text("note", "ok")),
            (Json{{"evaluator_slug", "note"}, {"string_value", "ok"}}));
  EXPECT_EQ(Json(respan::Score::categorical("tone", {"polite", "short"})),
            (Json{{"evaluator_slug", "tone"}, {"categorical_value", {"polite", "short"}}}));
  // json_value is JSON text on the wire, not an object.
  const Json j = respan::Score::json("extract", {{"a", 1}});
  EXPECT_EQ(j["json_value"], R"({"a":1})");
}

TEST(ScoreModels, WriteBodyOmitsUnsetFieldsAndSendsExtra) {
  respan::Score s;
  s.evaluator_id = "ev1";
  s.log_id = "log1";
  s.timestamp = "2026-04-10T12:00:00Z";
  s.prompt_version_number = 3;
  s.numerical_value = 1;
  s.extra = {{"future_field", true}};
  EXPECT_EQ(Json(s), (Json{{"evaluator_id", "ev1"},
                           {"log_id", "log1"},
                           {"timestamp", "2026-04-10T12:00:00Z"},
                           {"prompt_version_number", 3},
                           {"numerical_value", 1.0},
                           {"future_field", true}}));
  respan::ScoreUpdate u;
  u.boolean_value = true;
  EXPECT_EQ(Json(u), (Json{{"boolean_value", true}}));
}

TEST(ScoreModels, RecordDecodesLenientlyAndKeepsUnknownFields) {
  const Json body = {{"id", "sc1"},
                     {"created_at", "2026-04-10T12:00:00Z"},
                     {"type", "legacy_thing"},
                     {"numerical_value", 4.5},
                     {"json_value", R"({"k": [1, 2]})"},
                     {"is_passed", nullptr},
                     {"evaluator_slug", "quality"},
                     {"log_id", 123},
                     {"prompt_version_number", "not a number"},
                     {"inputs", {{"input", "q"}, {"output", {{"a", 1}}}, {"custom", 1}}},
                     {"evaluator", {{"name", "Quality"}}},
                     {"brand_new", "x"}};
  const auto s = body.get<respan::ScoreRecord>();
  EXPECT_EQ(s.id, "sc1");
  ASSERT_TRUE(s.type);
  EXPECT_FALSE(s.type->is_known());
  EXPECT_EQ(s.type->value(), "legacy_thing");
  EXPECT_EQ(s.numerical_value, 4.5);
  EXPECT_FALSE(s.is_passed.has_value());
  EXPECT_EQ(s.log_id, "123");  // an integer id kept as its text
  EXPECT_FALSE(s.prompt_version_number.has_value());
  EXPECT_EQ(s.extra["prompt_version_number"], "not a number");
  EXPECT_EQ(s.extra["brand_new"], "x");
  ASSERT_TRUE(s.inputs);
  EXPECT_EQ(s.inputs->input, Json("q"));
  EXPECT_EQ(s.inputs->extra["custom"], 1);
  EXPECT_EQ(s.evaluator->at("name"), "Quality");
  EXPECT_EQ(s.json_document(), (Json{{"k", {1, 2}}}));
  EXPECT_TRUE(respan::ScoreType::human_boolean().is_known());

  respan::ScoreRecord odd;
  odd.json_value = "{not json";
  EXPECT_FALSE(odd.json_document().has_value());
}

TEST(PromptModels, VersionBodyHasTheRequiredFieldsAndTheSetOnes) {
  respan::PromptVersion v;
  v.messages = {respan::Message::system("Use {{context}}"), respan::Message::user("{{q}}")};
  v.model = "gpt-4o";
  v.temperature = 0.7;
  v.variables = Json{{"context", ""}, {"q", ""}};
  v.load_balance_models = std::vector<Json>{{{"model", "gpt-4o"}, {"weight", 0.8}}};
  v.tool_choice = respan::ToolChoice("auto");
  v.deploy = false;
  const Json j = v;
  EXPECT_EQ(j["model"], "gpt-4o");
  EXPECT_EQ(j["messages"][0], (Json{{"role", "system"}, {"content", "Use {{context}}"}}));
  EXPECT_EQ(j["temperature"], 0.7);
  EXPECT_EQ(j["tool_choice"], "auto");
  EXPECT_EQ(j["deploy"], false);
  EXPECT_FALSE(j.contains("max_tokens"));
  EXPECT_EQ(j["load_balance_models"][0]["weight"], 0.8);
}

TEST(PromptModels, RecordsDecodeAllThreeVersionIdsAndThePointers) {
  const Json prompt = {{"id", "p1"},
                       {"name", "support"},
                       {"tags", {{{"id", 7}, {"name", "prod"}}}},
                       {"current_version", {{"version", 3}, {"model", "gpt-4o"}}},
                       {"live_version", nullptr},
                       {"starred", true}};
  const auto p = prompt.get<respan::PromptRecord>();
  EXPECT_EQ(p.id, "p1");
  ASSERT_TRUE(p.tags);
  EXPECT_EQ((*p.tags)[0].id, "7");
  EXPECT_EQ(p.current_version->version, 3);
  EXPECT_FALSE(p.live_version.has_value());
  EXPECT_EQ(p.extra["starred"], true);

  const Json version = {{"id", "v-record"},
                        {"prompt_version_id", "pv-9"},
                        {"version", 3},
                        {"messages", {{{"role", "user"}, {"content", "{{q}}"}, {"x", 1}}}},
                        {"tool_choice", {{"type", "function"}}},
                        {"edited_by", {{"id", 12}, {"email", "a@b.c"}}},
                        {"readonly", true},
                        {"is_deployed", false},
                        {"unknown", Json::array()}};
  const auto v = version.get<respan::PromptVersionRecord>();
  EXPECT_EQ(v.id, "v-record");
  EXPECT_EQ(v.prompt_version_id, "pv-9");
  EXPECT_EQ(v.version, 3);
  ASSERT_TRUE(v.messages);
  EXPECT_EQ((*v.messages)[0].extra["x"], 1);
  EXPECT_TRUE(v.tool_choice->is_object());
  EXPECT_EQ(v.edited_by->id, "12");  // the editor's integer id kept as text
  EXPECT_EQ(v.readonly, true);
  EXPECT_TRUE(v.extra.contains("unknown"));

  // Messages of an unexpected shape stay in extra instead of failing the call.
  const auto odd = Json{{"messages", "not a list"}}.get<respan::PromptVersionRecord>();
  EXPECT_FALSE(odd.messages.has_value());
  EXPECT_EQ(odd.extra["messages"], "not a list");

  const auto four = Json{{"total_count", 4}}.get<respan::PromptsSummary>();
  EXPECT_EQ(four.total_count, 4);
  const auto neg = Json{{"total_count", -1}}.get<respan::PromptsSummary>();
  EXPECT_FALSE(neg.total_count.has_value());
  EXPECT_EQ(neg.extra["total_count"], -1);
}

TEST(CustomerModels, LegacyTwinsFillTheCanonicalFields) {
  const Json row = {{"id", "row-1"},
                    {"customer_identifier", "alice@example.com"},
                    {"environment", "prod"},
                    {"total_requests", 3},
                    {"tokens", 30},
                    {"cost", 0.25},
                    {"budget_duration", "fortnightly"},
                    {"first_seen", "2026-01-01T00:00:00Z"}};
  const auto c = row.get<respan::CustomerRecord>();
  EXPECT_EQ(c.customer_identifier, "alice@example.com");
  EXPECT_EQ(c.id, "row-1");
  EXPECT_EQ(c.number_of_requests, 3);
  EXPECT_EQ(c.total_tokens, 30);
  EXPECT_EQ(c.total_cost, 0.25);
  EXPECT_EQ(c.environment, respan::Environment::prod());
  EXPECT_FALSE(c.budget_duration->is_known());  // an open enum keeps unknown values

  const Json both = {{"number_of_requests", 5}, {"total_requests", 4}};
  EXPECT_EQ(both.get<respan::CustomerRecord>().number_of_requests, 5);

  respan::CustomerUpdate u;
  u.name = "Alice";
  u.period_budget = 200.0;
  u.budget_duration = respan::BudgetDuration::monthly();
  EXPECT_EQ(Json(u),
            (Json{{"name", "Alice"}, {"period_budget", 200.0}, {"budget_duration", "monthly"}}));
}

TEST(ThreadModels, RowsDecode) {
  const auto t = Json{
      {"thread_identifier", "th-1"},
      {"environment", "prod"},
      {"log_count", 4},
      {"x", 1}}.get<respan::ThreadRecord>();
  EXPECT_EQ(t.thread_identifier, "th-1");
  EXPECT_EQ(t.log_count, 4);
  EXPECT_EQ(t.extra["x"], 1);
  EXPECT_EQ(Json(t)["thread_identifier"], "th-1");
}

TEST(RuntimeModels, NonFiniteNumbersAreRefusedWhenEncoding) {
  respan::Score s = respan::Score::numerical("q", std::numeric_limits<double>::quiet_NaN());
  EXPECT_THROW((void)Json(s), std::invalid_argument);
}

}  // namespace
