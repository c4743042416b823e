// Contract tests of the mock's score, prompt, customer (users) and thread endpoints over raw
// loopback HTTP: one test per endpoint (each test name carries the endpoint number 35-64 continuing
// the REFERENCE table, as the official client lists them), checking the documented answer shapes,
// validation (400 `{"message"}`), 404 (`{"error"}`), 401 and pagination, plus the mock's bound on
// stored objects.
#include <set>
#include <string>

#include "contract_util.hpp"

namespace contract {
namespace {

constexpr unsigned kOptStr = kStr | kNull;

const Shape kScore = {{"id", kStr},
                      {"created_at", kStr},
                      {"type", kOptStr},
                      {"environment", kOptStr},
                      {"numerical_value", kNum | kNull},
                      {"string_value", kOptStr},
                      {"boolean_value", kBool | kNull},
                      {"categorical_value", kArr | kNull},
                      {"json_value", kOptStr},
                      {"is_passed", kBool | kNull},
                      {"cost", kNum | kNull},
                      {"evaluator_id", kOptStr},
                      {"evaluator_slug", kOptStr},
                      {"evaluator_name", kOptStr},
                      {"scorer", kOptStr},
                      {"log_id", kOptStr},
                      {"prompt_id", kOptStr},
                      {"prompt_version_number", kInt | kNull},
                      {"dataset_id", kOptStr},
                      {"automation_id", kOptStr},
                      {"status", kOptStr},
                      {"error_message", kOptStr}};

Shape extended_score() {
  Shape s = kScore;
  s.push_back({"inputs", kObj | kNull});
  s.push_back({"evaluator", kObj | kNull});
  return s;
}

const Shape kScorePage = {{"count", kInt},
                          {"next", kOptStr},
                          {"previous", kOptStr},
                          {"current_filters", kObj},
                          {"results", kArr}};

const Shape kPage = {{"count", kInt}, {"next", kOptStr}, {"previous", kOptStr}, {"results", kArr}};

const Shape kPrompt = {{"id", kStr},
                       {"name", kStr},
                       {"description", kStr},
                       {"prompt_slug", kStr},
                       {"tags", kArr},
                       {"current_version", kObj | kNull},
                       {"live_version", kObj | kNull},
                       {"created_at", kStr},
                       {"updated_at", kStr}};

const Shape kPointer = {{"version", kInt}, {"model", kOptStr}, {"updated_at", kStr}};

const Shape kVersion = {{"id", kStr},
                        {"prompt_version_id", kStr},
                        {"version", kInt},
                        {"description", kOptStr},
                        {"messages", kArr},
                        {"thinking", kObj | kNull},
                        {"model", kStr},
                        {"stream", kBool | kNull},
                        {"temperature", kNum | kNull},
                        {"max_tokens", kInt | kNull},
                        {"top_p", kNum | kNull},
                        {"frequency_penalty", kNum | kNull},
                        {"presence_penalty", kNum | kNull},
                        {"reasoning_effort", kOptStr},
                        {"verbosity", kOptStr},
                        {"seed", kInt | kNull},
                        {"variables", kObj | kNull},
                        {"fallback_models", kArr | kNull},
                        {"load_balance_models", kArr | kNull},
                        {"tools", kArr | kNull},
                        {"tool_choice", kStr | kObj | kNull},
                        {"response_format", kObj | kNull},
                        {"json_schema", kObj | kNull},
                        {"is_enforcing_response_format", kBool | kNull},
                        {"readonly", kBool},
                        {"is_deployed", kBool},
                        {"edited_by", kObj},
                        {"created_at", kStr},
                        {"updated_at", kStr}};

const Shape kVersionSummary = {{"id", kStr},        {"prompt_version_id", kStr},
                               {"version", kInt},   {"description", kOptStr},
                               {"messages", kArr},  {"model", kStr},
                               {"readonly", kBool}, {"is_deployed", kBool},
                               {"edited_by", kObj}, {"created_at", kStr},
                               {"updated_at", kStr}};

const Shape kEditor = {{"id", kInt}, {"email", kStr}, {"first_name", kStr}, {"last_name", kStr}};

const Shape kCustomerRow = {{"id", kStr},
                            {"customer_identifier", kStr},
                            {"unique_organization_id", kStr},
                            {"environment", kStr},
                            {"name", kOptStr},
                            {"email", kOptStr},
                            {"first_seen", kStr},
                            {"last_active_timeframe", kStr},
                            {"active_days", kInt},
                            {"number_of_requests", kInt},
                            {"total_requests", kInt},
                            {"total_tokens", kInt},
                            {"tokens", kInt},
                            {"total_cost", kNum},
                            {"cost", kNum},
                            {"average_latency", kNum | kNull},
                            {"average_ttft", kNum | kNull},
                            {"average_monthly_cost", kNum},
                            {"period_budget", kNum | kNull},
                            {"budget_duration", kOptStr},
                            {"total_budget", kNum | kNull}};

const Shape kCustomerDetail = {{"id", kStr},
                               {"name", kOptStr},
                               {"email", kOptStr},
                               {"customer_identifier", kStr},
                               {"environment", kStr},
                               {"total_budget", kNum | kNull},
                               {"period_budget", kNum | kNull},
                               {"organization_name", kStr},
                               {"total_period_usage", kNum},
                               {"period_start", kStr},
                               {"period_end", kStr},
                               {"budget_duration", kOptStr},
                               {"updated_at", kStr}};

const Shape kThread = {{"thread_identifier", kStr}, {"environment", kStr}, {"log_count", kInt}};

class ContractRuntime : public ContractTest {
 protected:
  ContractRuntime() : ContractTest(options()) {}
  static respan::testing::MockServerOptions options() {
    respan::testing::MockServerOptions o;
    o.extra_keys = {{"other-key", "test"}, {"prod-key", "prod"}};
    return o;
  }

  // A stored span; returns its unique_id.
  std::string make_log(Json extra = Json::object()) {
    Reply r = call("POST", "/api/request-logs/", span(std::move(extra)));
    EXPECT_EQ(r.status, 200) << r.text;
    return r.body.value("unique_id", std::string());
  }

  // A request with another key (or none, with key "").
  Reply call_as(const std::string& key, const std::string& method, const std::string& path,
                const Json& body = Json::object()) {
    auto c = client();
    if (key.empty()) {
      c->set_default_headers({});
    } else {
      c->set_default_headers({{"Authorization", "Bearer " + key}});
    }
    const std::string text = body.dump();
    if (method == "GET") return reply_of(c->Get(path.c_str()));
    if (method == "DELETE") return reply_of(c->Delete(path.c_str()));
    if (method == "PUT") return reply_of(c->Put(path.c_str(), text, "application/json"));
    if (method == "PATCH") return reply_of(c->Patch(path.c_str(), text, "application/json"));
    return reply_of(c->Post(path.c_str(), text, "application/json"));
  }

  static std::string message(const Reply& r) { return r.body.value("message", std::string()); }

  // Creates a prompt with one draft version; returns the prompt id.
  std::string make_prompt(const std::string& name = "support") {
    Reply p = call("POST", "/api/prompts/", Json{{"name", name}});
    EXPECT_EQ(p.status, 201) << p.text;
    return p.body.value("id", std::string());
  }
  static Json version_body(const std::string& text = "Answer {{q}}") {
    return {{"messages", {{{"role", "user"}, {"content", text}}}},
            {"model", "gpt-4o"},
            {"variables", {{"q", ""}}}};
  }
};

// ------------------------------------------------------------------------------ scores

TEST_F(ContractRuntime, CreateScore35) {
  const std::string log = make_log();
  Reply r = call("POST", "/api/scores/",
                 Json{{"evaluator_slug", "response_quality"},
                      {"log_id", log},
                      {"timestamp", "2026-04-10T12:00:00Z"},
                      {"numerical_value", 4.5},
                      {"prompt_version_number", 2},
                      {"undocumented", "ignored"}});
  ASSERT_EQ(r.status, 201) << r.text;
  expect_shape(r.body, kScore, true, "create score");
  EXPECT_EQ(r.body["log_id"], log);
  EXPECT_EQ(r.body["numerical_value"], 4.5);
  EXPECT_EQ(r.body["prompt_version_number"], 2);
  // No de-duplication on this route: the same body makes a second score.
  Reply again =
      call("POST", "/api/scores/",
           Json{{"evaluator_slug", "response_quality"}, {"log_id", log}, {"numerical_value", 1}});
  ASSERT_EQ(again.status, 201);
  EXPECT_NE(again.body["id"], r.body["id"]);

  const Json ok = {{"evaluator_slug", "q"}, {"log_id", log}, {"boolean_value", true}};
  auto without = [&](const char* f) {
    Json b = ok;
    b.erase(f);
    return b;
  };
  Reply no_log = call("POST", "/api/scores/", without("log_id"));
  EXPECT_EQ(no_log.status, 400);
  EXPECT_NE(message(no_log).find("log_id"), std::string::npos) << no_log.text;
  EXPECT_EQ(call("POST", "/api/scores/", without("evaluator_slug")).status, 400);
  EXPECT_EQ(call("POST", "/api/scores/", without("boolean_value")).status, 400);
  Json unknown_log = ok;
  unknown_log["log_id"] = "nope";
  EXPECT_EQ(call("POST", "/api/scores/", unknown_log).status, 400);
  for (const auto& [field, value] :
       std::vector<std::pair<std::string, Json>>{{"numerical_value", "4"},
                                                 {"boolean_value", 1},
                                                 {"categorical_value", Json::array({1})},
                                                 {"json_value", Json{{"a", 1}}},
                                                 {"json_value", "{not json"},
                                                 {"timestamp", "yesterday"},
                                                 {"prompt_version_number", 1.5},
                                                 {"evaluator_id", nullptr}}) {
    Json b = ok;
    b[field] = value;
    Reply bad = call("POST", "/api/scores/", b);
    EXPECT_EQ(bad.status, 400) << field << "=" << value.dump();
    EXPECT_NE(message(bad).find(field), std::string::npos) << bad.text;
  }
  EXPECT_EQ(call_as("", "POST", "/api/scores/", ok).status, 401);
  EXPECT_EQ(server_.scores().size(), 2u);
}

TEST_F(ContractRuntime, FilterScores36CountsTheRowsOfThePage) {
  const std::string a = make_log();
  const std::string b = make_log();
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(call("POST", "/api/scores/",
                   Json{{"evaluator_slug", "q"}, {"log_id", a}, {"numerical_value", i}})
                  .status,
              201);
  }
  ASSERT_EQ(call("POST", "/api/scores/",
                 Json{{"evaluator_slug", "other"}, {"log_id", b}, {"numerical_value", 9}})
                .status,
            201);
  const Json filters = {{"log_id", {{"operator", ""}, {"value", {a}}}}};
  Reply p1 = call("POST", "/api/scores/list/?page_size=2", Json{{"filters", filters}});
  ASSERT_EQ(p1.status, 200) << p1.text;
  expect_shape(p1.body, kScorePage, true, "score page");
  EXPECT_EQ(p1.body["count"], 2);  // rows on this page, not the 3 matches
  EXPECT_EQ(p1.body["current_filters"], filters);
  ASSERT_TRUE(p1.body["next"].is_string());
  EXPECT_NE(p1.body["next"].get<std::string>().find("page=2"), std::string::npos);
  for (const auto& row : p1.body["results"])
    expect_shape(row, kScore, true, "score row");
  EXPECT_EQ(p1.body["results"][0]["numerical_value"], 2.0);  // -created_at: newest first
  Reply p2 = call("POST", "/api/scores/list/?page_size=2&page=2", Json{{"filters", filters}});
  EXPECT_EQ(p2.body["count"], 1);
  EXPECT_TRUE(p2.body["next"].is_null());
  EXPECT_EQ(call("POST", "/api/scores/list/?sort_by=numerical_value", Json::object())
                .body["results"][0]["numerical_value"],
            0.0);
  EXPECT_EQ(call("POST", "/api/scores/list/", Json::object()).body["count"], 4);
  EXPECT_EQ(send("POST", "/api/scores/list/").status, 200);  // no body at all
  EXPECT_EQ(call("POST", "/api/scores/list/?page_size=101", Json::object()).status, 400);
  EXPECT_EQ(call("POST", "/api/scores/list/", Json{{"filters", "x"}}).status, 400);
  EXPECT_EQ(call("GET", "/api/scores/list/").status, 405);
}

TEST_F(ContractRuntime, RetrieveScore37AddsInputsAndEvaluator) {
  const std::string log = make_log();
  Reply c = call("POST", "/api/scores/",
                 Json{{"evaluator_id", "ev-1"}, {"log_id", log}, {"string_value", "fine"}});
  Reply r = call("GET", "/api/scores/" + c.body["id"].get<std::string>() + "/");
  ASSERT_EQ(r.status, 200) << r.text;
  expect_shape(r.body, extended_score(), true, "retrieve score");
  EXPECT_EQ(r.body["evaluator_id"], "ev-1");
  Reply missing = call("GET", "/api/scores/nope/");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(missing.body.contains("error")) << missing.text;
}

TEST_F(ContractRuntime, ReplaceScore38ResetsWhatIsNotSent) {
  const std::string log = make_log();
  Reply c = call(
      "POST", "/api/scores/",
      Json{{"evaluator_slug", "q"}, {"log_id", log}, {"numerical_value", 1}, {"dataset_id", "ds"}});
  const std::string path = "/api/scores/" + c.body["id"].get<std::string>() + "/";
  Reply r = call("PUT", path, Json{{"evaluator_slug", "q2"}, {"string_value", "x"}});
  ASSERT_EQ(r.status, 200) << r.text;
  expect_shape(r.body, extended_score(), true, "replace score");
  EXPECT_EQ(r.body["evaluator_slug"], "q2");
  EXPECT_TRUE(r.body["numerical_value"].is_null());
  EXPECT_TRUE(r.body["dataset_id"].is_null());
  EXPECT_EQ(r.body["log_id"], log);  // kept when not given
  EXPECT_EQ(r.body["created_at"], c.body["created_at"]);
  EXPECT_EQ(call("PUT", path, Json{{"string_value", "x"}}).status, 400);
  EXPECT_EQ(
      call("PUT", "/api/scores/nope/", Json{{"evaluator_slug", "q"}, {"string_value", "x"}}).status,
      404);
}

TEST_F(ContractRuntime, DeleteScore39) {
  const std::string log = make_log();
  Reply c = call("POST", "/api/scores/",
                 Json{{"evaluator_slug", "q"}, {"log_id", log}, {"numerical_value", 1}});
  const std::string path = "/api/scores/" + c.body["id"].get<std::string>() + "/";
  Reply d = call("DELETE", path);
  EXPECT_EQ(d.status, 204);
  EXPECT_TRUE(d.text.empty());
  EXPECT_EQ(call("DELETE", path).status, 404);
  EXPECT_EQ(call("GET", path).status, 404);
}

TEST_F(ContractRuntime, UpdateScore40ChangesOnlyValues) {
  const std::string log = make_log();
  Reply c = call("POST", "/api/scores/",
                 Json{{"evaluator_slug", "q"}, {"log_id", log}, {"numerical_value", 1}});
  const std::string path = "/api/scores/" + c.body["id"].get<std::string>() + "/";
  Reply r = call("PATCH", path, Json{{"numerical_value", 3}, {"evaluator_slug", "ignored"}});
  ASSERT_EQ(r.status, 200) << r.text;
  expect_shape(r.body, extended_score(), true, "update score");
  EXPECT_EQ(r.body["numerical_value"], 3);
  EXPECT_EQ(r.body["evaluator_slug"], "q");
  EXPECT_EQ(call("PATCH", path, Json{{"boolean_value", "yes"}}).status, 400);
  EXPECT_EQ(call("PATCH", path, Json{{"numerical_value", nullptr}}).status, 400);
  EXPECT_EQ(call("PATCH", "/api/scores/nope/", Json{{"numerical_value", 1}}).status, 404);
}

TEST_F(ContractRuntime, ListSpanScores41) {
  const std::string log = make_log();
  const std::string other = make_log();
  const std::string path = "/api/logs/" + log + "/scores/";
  for (const char* ev : {"a", "b", "c"}) {
    ASSERT_EQ(call("POST", path, Json{{"evaluator_slug", ev}, {"numerical_value", 1}}).status, 201);
  }
  ASSERT_EQ(call("POST", "/api/logs/" + other + "/scores/",
                 Json{{"evaluator_slug", "a"}, {"numerical_value", 1}})
                .status,
            201);
  Reply r = call("GET", path + "?page_size=2");
  ASSERT_EQ(r.status, 200) << r.text;
  expect_shape(r.body, kScorePage, true, "log score page");
  EXPECT_EQ(r.body["count"], 2);
  EXPECT_EQ(r.body["results"][0]["evaluator_slug"], "c");  // newest first
  ASSERT_TRUE(r.body["next"].is_string());
  Reply last = call("GET", path + "?page_size=2&page=2");
  EXPECT_EQ(last.body["count"], 1);
  EXPECT_TRUE(last.body["next"].is_null());
  EXPECT_EQ(call("GET", path).body["count"], 3);
  Reply missing = call("GET", "/api/logs/nope/scores/");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(missing.body.contains("error"));
  EXPECT_EQ(call("GET", path + "?page_size=101").status, 400);
}

TEST_F(ContractRuntime, CreateSpanScore42IsAnUpsertPerLogEvaluatorAndScorer) {
  const std::string log = make_log();
  const std::string path = "/api/logs/" + log + "/scores/";
  Reply first = call("POST", path,
                     Json{{"evaluator_slug", "thumbs"},
                          {"boolean_value", true},
                          {"scorer", "ignored on this route"},
                          {"log_id", "ignored too"}});
  ASSERT_EQ(first.status, 201) << first.text;
  expect_shape(first.body, kScore, true, "create span score");
  EXPECT_EQ(first.body["log_id"], log);
  EXPECT_NE(first.body["scorer"], "ignored on this route");
  Reply second = call("POST", path, Json{{"evaluator_slug", "thumbs"}, {"boolean_value", false}});
  ASSERT_EQ(second.status, 200) << second.text;
  EXPECT_EQ(second.body["id"], first.body["id"]);
  EXPECT_EQ(second.body["boolean_value"], false);
  EXPECT_EQ(second.body["created_at"], first.body["created_at"]);
  EXPECT_EQ(server_.scores().size(), 1u);
  // Another evaluator, or another caller, is another score.
  EXPECT_EQ(call("POST", path, Json{{"evaluator_slug", "stars"}, {"numerical_value", 5}}).status,
            201);
  Reply other = call_as("other-key", "POST", path,
                        Json{{"evaluator_slug", "thumbs"}, {"boolean_value", true}});
  EXPECT_EQ(other.status, 201) << other.text;
  EXPECT_NE(other.body["scorer"], first.body["scorer"]);
  EXPECT_EQ(server_.scores().size(), 3u);
  // A span ingested for a trace can be scored too.
  ASSERT_EQ(call("POST", "/api/v1/traces/ingest",
                 Json::array({{{"trace_unique_id", "t1"}, {"span_unique_id", "s1"}}}))
                .status,
            200);
  EXPECT_EQ(
      call("POST", "/api/logs/s1/scores/", Json{{"evaluator_slug", "q"}, {"numerical_value", 1}})
          .status,
      201);
  EXPECT_EQ(
      call("POST", "/api/logs/nope/scores/", Json{{"evaluator_slug", "q"}, {"numerical_value", 1}})
          .status,
      404);
  Reply bad = call("POST", path, Json{{"numerical_value", 1}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_FALSE(message(bad).empty());
  EXPECT_EQ(call_as("", "POST", path, Json{{"evaluator_slug", "q"}, {"numerical_value", 1}}).status,
            401);
}

TEST_F(ContractRuntime, RetrieveSpanScore43HasNoInputs) {
  const std::string log = make_log();
  const std::string other = make_log();
  Reply c = call("POST", "/api/logs/" + log + "/scores/",
                 Json{{"evaluator_slug", "q"}, {"numerical_value", 1}});
  const std::string id = c.body["id"].get<std::string>();
  Reply r = call("GET", "/api/logs/" + log + "/scores/" + id + "/");
  ASSERT_EQ(r.status, 200) << r.text;
  expect_shape(r.body, kScore, true, "retrieve span score");
  EXPECT_EQ(call("GET", "/api/logs/" + other + "/scores/" + id + "/").status, 404);
  EXPECT_EQ(call("GET", "/api/logs/" + log + "/scores/nope/").status, 404);
}

TEST_F(ContractRuntime, ReplaceSpanScore44) {
  const std::string log = make_log();
  Reply c = call("POST", "/api/logs/" + log + "/scores/",
                 Json{{"evaluator_slug", "q"}, {"numerical_value", 1}, {"dataset_id", "d"}});
  const std::string path = "/api/logs/" + log + "/scores/" + c.body["id"].get<std::string>() + "/";
  Reply r = call("PUT", path, Json{{"evaluator_slug", "q"}, {"categorical_value", {"a", "b"}}});
  ASSERT_EQ(r.status, 200) << r.text;
  expect_shape(r.body, kScore, true, "replace span score");
  EXPECT_EQ(r.body["categorical_value"], Json::array({"a", "b"}));
  EXPECT_TRUE(r.body["numerical_value"].is_null());
  EXPECT_TRUE(r.body["dataset_id"].is_null());
  EXPECT_EQ(call("PUT", path, Json{{"evaluator_slug", "q"}}).status, 400);
}

TEST_F(ContractRuntime, DeleteSpanScore45) {
  const std::string log = make_log();
  Reply c = call("POST", "/api/logs/" + log + "/scores/",
                 Json{{"evaluator_slug", "q"}, {"numerical_value", 1}});
  const std::string path = "/api/logs/" + log + "/scores/" + c.body["id"].get<std::string>() + "/";
  EXPECT_EQ(call("DELETE", path).status, 204);
  EXPECT_EQ(call("DELETE", path).status, 404);
  EXPECT_TRUE(server_.scores().empty());
}

TEST_F(ContractRuntime, UpdateSpanScore46) {
  const std::string log = make_log();
  Reply c = call("POST", "/api/logs/" + log + "/scores/",
                 Json{{"evaluator_slug", "q"}, {"json_value", R"({"a": 1})"}});
  const std::string path = "/api/logs/" + log + "/scores/" + c.body["id"].get<std::string>() + "/";
  Reply r = call("PATCH", path, Json{{"json_value", "[1, 2]"}});
  ASSERT_EQ(r.status, 200) << r.text;
  expect_shape(r.body, kScore, true, "update span score");
  EXPECT_EQ(r.body["json_value"], "[1, 2]");
  EXPECT_EQ(call("PATCH", path, Json{{"json_value", "[1,"}}).status, 400);
  EXPECT_EQ(call("PATCH", "/api/logs/" + log + "/scores/nope/", Json::object()).status, 404);
}

// ------------------------------------------------------------------------------ prompts

TEST_F(ContractRuntime, ListPrompts47) {
  for (const char* name : {"support bot", "sales", "Support FAQ"})
    make_prompt(name);
  const Json filters = {{"name", {{"operator", "icontains"}, {"value", {"support"}}}}};
  Reply r = call("POST", "/api/prompts/list/?page_size=1", Json{{"filters", filters}});
  ASSERT_EQ(r.status, 200) << r.text;
  expect_shape(r.body, kPage, true, "prompt page");
  EXPECT_EQ(r.body["count"], 2);  // the total here
  ASSERT_EQ(r.body["results"].size(), 1u);
  expect_shape(r.body["results"][0], kPrompt, true, "prompt row");
  EXPECT_EQ(r.body["results"][0]["name"], "Support FAQ");  // newest first by default
  EXPECT_TRUE(r.body["next"].is_string());
  EXPECT_EQ(call("POST", "/api/prompts/list/", Json::object()).body["count"], 3);
  EXPECT_EQ(call("POST", "/api/prompts/list/?page_size=101", Json::object()).status, 400);
  EXPECT_EQ(call_as("", "POST", "/api/prompts/list/").status, 401);
  // The double-underscore key filters and sorts on the current version's time.
  const std::string id = make_prompt("with version");
  ASSERT_EQ(call("POST", "/api/prompts/" + id + "/versions/", version_body()).status, 201);
  // Prompts without a version sort last ascending and first descending (as SQL NULLs do).
  Reply sorted =
      call("POST", "/api/prompts/list/?sort_by=current_version__updated_at", Json::object());
  EXPECT_EQ(sorted.body["results"][0]["id"], id);
  Reply desc =
      call("POST", "/api/prompts/list/?sort_by=-current_version__updated_at", Json::object());
  EXPECT_EQ(desc.body["results"][3]["id"], id);
  Reply f =
      call("POST", "/api/prompts/list/",
           Json{{"filters",
                 {{"current_version__updated_at", {{"operator", "isnull"}, {"value", {false}}}}}}});
  EXPECT_EQ(f.body["count"], 1) << f.text;
}

TEST_F(ContractRuntime, CreatePrompt48) {
  Reply r = call("POST", "/api/prompts/", Json{{"name", "customer_support"}});
  ASSERT_EQ(r.status, 201) << r.text;
  expect_shape(r.body, kPrompt, true, "create prompt");
  EXPECT_TRUE(r.body["current_version"].is_null());
  EXPECT_TRUE(r.body["live_version"].is_null());
  EXPECT_EQ(call("POST", "/api/prompts/", Json{{"name", "customer_support"}}).status, 201);
  EXPECT_EQ(call("POST", "/api/prompts/", Json::object()).status, 400);
  EXPECT_EQ(call("POST", "/api/prompts/", Json{{"name", ""}}).status, 400);
  EXPECT_EQ(call("POST", "/api/prompts/", Json{{"name", 3}}).status, 400);
  EXPECT_EQ(server_.prompts().size(), 2u);
}

TEST_F(ContractRuntime, RetrievePrompt49HasBothPointers) {
  const std::string id = make_prompt();
  const std::string versions = "/api/prompts/" + id + "/versions/";
  Json live = version_body();
  live["deploy"] = true;
  ASSERT_EQ(call("POST", versions, live).status, 201);
  ASSERT_EQ(call("POST", versions, version_body("v2 {{q}}")).status, 201);
  Reply r = call("GET", "/api/prompts/" + id + "/");
  ASSERT_EQ(r.status, 200) << r.text;
  expect_shape(r.body, kPrompt, true, "retrieve prompt");
  expect_shape(r.body["current_version"], kPointer, true, "current_version");
  expect_shape(r.body["live_version"], kPointer, true, "live_version");
  EXPECT_EQ(r.body["current_version"]["version"], 2);
  EXPECT_EQ(r.body["live_version"]["version"], 1);
  Reply missing = call("GET", "/api/prompts/nope/");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(missing.body.contains("error"));
}

TEST_F(ContractRuntime, DeletePrompt50) {
  const std::string id = make_prompt();
  ASSERT_EQ(call("POST", "/api/prompts/" + id + "/versions/", version_body()).status, 201);
  Reply d = call("DELETE", "/api/prompts/" + id + "/");
  EXPECT_EQ(d.status, 204);
  EXPECT_TRUE(d.text.empty());
  EXPECT_EQ(call("GET", "/api/prompts/" + id + "/").status, 404);
  EXPECT_EQ(call("GET", "/api/prompts/" + id + "/versions/1/").status, 404);
  EXPECT_EQ(call("DELETE", "/api/prompts/" + id + "/").status, 404);
}

TEST_F(ContractRuntime, UpdatePrompt51AnswersTheReducedShape) {
  const std::string id = make_prompt();
  Reply r =
      call("PATCH", "/api/prompts/" + id + "/", Json{{"name", "renamed"}, {"description", "d"}});
  ASSERT_EQ(r.status, 200) << r.text;
  expect_shape(r.body, {{"id", kStr}, {"name", kStr}, {"description", kStr}, {"updated_at", kStr}},
               true, "update prompt");
  EXPECT_EQ(r.body["name"], "renamed");
  EXPECT_EQ(call("GET", "/api/prompts/" + id + "/").body["description"], "d");
  EXPECT_EQ(call("PATCH", "/api/prompts/" + id + "/", Json{{"name", ""}}).status, 400);
  EXPECT_EQ(call("PATCH", "/api/prompts/" + id + "/", Json{{"description", nullptr}}).status, 400);
  EXPECT_EQ(call("PATCH", "/api/prompts/nope/", Json{{"name", "x"}}).status, 404);
}

TEST_F(ContractRuntime, ListPromptVersions52NewestFirst) {
  const std::string id = make_prompt();
  for (int i = 1; i <= 3; ++i) {
    ASSERT_EQ(
        call("POST", "/api/prompts/" + id + "/versions/", version_body("v" + std::to_string(i)))
            .status,
        201);
  }
  Reply r = call("GET", "/api/prompts/" + id + "/versions/?page_size=2");
  ASSERT_EQ(r.status, 200) << r.text;
  expect_shape(r.body, kPage, true, "version page");
  EXPECT_EQ(r.body["count"], 3);
  EXPECT_EQ(r.body["results"][0]["version"], 3);
  expect_shape(r.body["results"][0], kVersion, true, "version row");
  EXPECT_TRUE(r.body["next"].is_string());
  EXPECT_EQ(call("GET", "/api/prompts/" + id + "/versions/?page_size=500").status, 200);
  EXPECT_EQ(call("GET", "/api/prompts/" + id + "/versions/?page_size=501").status, 400);
  EXPECT_EQ(call("GET", "/api/prompts/nope/versions/").status, 404);
}

TEST_F(ContractRuntime, CreatePromptVersion53) {
  const std::string id = make_prompt();
  const std::string path = "/api/prompts/" + id + "/versions/";
  Json body = version_body();
  body["temperature"] = 0.7;
  body["max_tokens"] = 2048;
  body["fallback_models"] = {"gpt-4o-mini"};
  body["load_balance_models"] = {{{"model", "gpt-4o"}, {"weight", 0.8}}};
  body["tool_choice"] = "auto";
  Reply r = call("POST", path, body);
  ASSERT_EQ(r.status, 201) << r.text;
  expect_shape(r.body, kVersion, true, "create version");
  expect_shape(r.body["edited_by"], kEditor, true, "edited_by");
  EXPECT_EQ(r.body["version"], 1);
  EXPECT_EQ(r.body["readonly"], false);
  EXPECT_EQ(r.body["is_deployed"], false);
  EXPECT_EQ(r.body["temperature"], 0.7);
  for (const char* f : {"messages", "model"}) {
    Json b = version_body();
    b.erase(f);
    Reply bad = call("POST", path, b);
    EXPECT_EQ(bad.status, 400) << f;
    EXPECT_NE(message(bad).find(f), std::string::npos) << bad.text;
  }
  for (const auto& [field, value] :
       std::vector<std::pair<std::string, Json>>{{"temperature", 2.5},
                                                 {"frequency_penalty", -3},
                                                 {"max_tokens", 0},
                                                 {"messages", Json::array()},
                                                 {"messages", Json::array({"hi"})},
                                                 {"variables", "q"},
                                                 {"tool_choice", 1},
                                                 {"deploy", "yes"},
                                                 {"seed", nullptr}}) {
    Json b = version_body();
    b[field] = value;
    EXPECT_EQ(call("POST", path, b).status, 400) << field << "=" << value.dump();
  }
  Json deploy = version_body("live");
  deploy["deploy"] = true;
  Reply live = call("POST", path, deploy);
  ASSERT_EQ(live.status, 201);
  EXPECT_EQ(live.body["is_deployed"], true);
  EXPECT_EQ(call("GET", "/api/prompts/" + id + "/").body["live_version"]["version"], 2);
  EXPECT_EQ(call("POST", "/api/prompts/nope/versions/", version_body()).status, 404);
}

TEST_F(ContractRuntime, RetrievePromptVersion54) {
  const std::string id = make_prompt();
  ASSERT_EQ(call("POST", "/api/prompts/" + id + "/versions/", version_body()).status, 201);
  Reply r = call("GET", "/api/prompts/" + id + "/versions/1/");
  ASSERT_EQ(r.status, 200) << r.text;
  expect_shape(r.body, kVersion, true, "retrieve version");
  EXPECT_EQ(r.body["messages"][0]["content"], "Answer {{q}}");
  EXPECT_EQ(call("GET", "/api/prompts/" + id + "/versions/2/").status, 404);
  EXPECT_EQ(call("GET", "/api/prompts/" + id + "/versions/one/").status, 404);
}

TEST_F(ContractRuntime, DeletePromptVersion55RefusesTheLiveOne) {
  const std::string id = make_prompt();
  Json live = version_body();
  live["deploy"] = true;
  ASSERT_EQ(call("POST", "/api/prompts/" + id + "/versions/", live).status, 201);
  ASSERT_EQ(call("POST", "/api/prompts/" + id + "/versions/", version_body()).status, 201);
  Reply refused = call("DELETE", "/api/prompts/" + id + "/versions/1/");
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(message(refused).find("live"), std::string::npos) << refused.text;
  EXPECT_EQ(call("DELETE", "/api/prompts/" + id + "/versions/2/").status, 204);
  EXPECT_EQ(call("DELETE", "/api/prompts/" + id + "/versions/2/").status, 404);
}

TEST_F(ContractRuntime, UpdatePromptVersion56) {
  const std::string id = make_prompt();
  ASSERT_EQ(call("POST", "/api/prompts/" + id + "/versions/", version_body()).status, 201);
  const std::string path = "/api/prompts/" + id + "/versions/1/";
  Reply r = call("PATCH", path, Json{{"temperature", 0.2}, {"description", "tuned"}});
  ASSERT_EQ(r.status, 200) << r.text;
  expect_shape(r.body, kVersion, true, "update version");
  EXPECT_EQ(r.body["temperature"], 0.2);
  EXPECT_EQ(r.body["model"], "gpt-4o");  // untouched
  EXPECT_EQ(call("PATCH", path, Json{{"temperature", -1}}).status, 400);
  Reply deployed = call("PATCH", path, Json{{"deploy", true}});
  EXPECT_EQ(deployed.body["is_deployed"], true);
  EXPECT_EQ(deployed.body["readonly"], true);
  Reply frozen = call("PATCH", path, Json{{"temperature", 1}});
  EXPECT_EQ(frozen.status, 400);  // committed versions are read-only
  EXPECT_EQ(call("PATCH", "/api/prompts/" + id + "/versions/9/", Json::object()).status, 404);
}

TEST_F(ContractRuntime, CommitPromptVersion57) {
  const std::string id = make_prompt();
  const std::string commits = "/api/prompts/" + id + "/commits/";
  EXPECT_EQ(call("POST", commits, Json::object()).status, 400);  // nothing to commit yet
  ASSERT_EQ(call("POST", "/api/prompts/" + id + "/versions/", version_body()).status, 201);
  Reply r = call("POST", commits, Json{{"description", "first release"}});
  ASSERT_EQ(r.status, 201) << r.text;
  expect_shape(r.body, kVersionSummary, true, "commit");
  EXPECT_EQ(r.body["version"], 1);
  EXPECT_EQ(r.body["readonly"], true);
  EXPECT_EQ(r.body["description"], "first release");
  // The draft moved on to version 2, identical: committing it again is refused.
  Reply p = call("GET", "/api/prompts/" + id + "/");
  EXPECT_EQ(p.body["current_version"]["version"], 2);
  EXPECT_EQ(call("POST", commits, Json::object()).status, 400);
  ASSERT_EQ(call("PATCH", "/api/prompts/" + id + "/versions/2/", Json{{"top_p", 0.9}}).status, 200);
  EXPECT_EQ(call("POST", commits, Json::object()).status, 201);
  EXPECT_EQ(call("POST", "/api/prompts/nope/commits/", Json::object()).status, 404);
}

TEST_F(ContractRuntime, DeployPromptVersion58) {
  const std::string id = make_prompt();
  ASSERT_EQ(call("POST", "/api/prompts/" + id + "/versions/", version_body()).status, 201);
  const std::string deployments = "/api/prompts/" + id + "/deployments/";
  Reply draft = call("POST", deployments, Json{{"version", 1}});
  EXPECT_EQ(draft.status, 400);  // commit first
  ASSERT_EQ(call("POST", "/api/prompts/" + id + "/commits/", Json::object()).status, 201);
  Reply r = call("POST", deployments, Json{{"version", 1}});
  ASSERT_EQ(r.status, 200) << r.text;
  expect_shape(r.body, kVersionSummary, true, "deploy");
  EXPECT_EQ(r.body["is_deployed"], true);
  Reply repeat = call("POST", deployments, Json{{"version", 1}});  // the same state again
  EXPECT_EQ(repeat.status, 200);
  EXPECT_EQ(repeat.body["is_deployed"], true);
  EXPECT_EQ(call("GET", "/api/prompts/" + id + "/").body["live_version"]["version"], 1);
  EXPECT_EQ(call("POST", deployments, Json::object()).status, 400);
  EXPECT_EQ(call("POST", deployments, Json{{"version", "1"}}).status, 400);
  EXPECT_EQ(call("POST", deployments, Json{{"version", 7}}).status, 404);
}

TEST_F(ContractRuntime, PromptsSummary59) {
  make_prompt("support a");
  make_prompt("support b");
  make_prompt("sales");
  Reply all = call("POST", "/api/prompts/summary/", Json::object());
  ASSERT_EQ(all.status, 200) << all.text;
  expect_shape(all.body, {{"total_count", kInt}}, true, "summary");
  EXPECT_EQ(all.body["total_count"], 3);
  Reply some =
      call("POST", "/api/prompts/summary/",
           Json{{"filters", {{"name", {{"operator", "startswith"}, {"value", {"support"}}}}}}});
  EXPECT_EQ(some.body["total_count"], 2);
  EXPECT_EQ(call("GET", "/api/prompts/summary/").status, 405);
}

// ------------------------------------------------------------------------------ customers

TEST_F(ContractRuntime, ListCustomers60DerivedFromLogs) {
  make_log({{"customer_identifier", "alice"},
            {"cost", 0.5},
            {"prompt_tokens", 10},
            {"completion_tokens", 5},
            {"latency", 1.0},
            {"customer_params", {{"email", "alice@example.com"}, {"name", "Alice"}}}});
  make_log({{"customer_identifier", "alice"}, {"cost", 0.25}, {"latency", 3.0}});
  make_log({{"customer_identifier", "bob"}, {"cost", 2.0}});
  make_log();  // no customer
  Reply r = call("POST", "/api/users/list/?sort_by=-total_cost", Json::object());
  ASSERT_EQ(r.status, 200) << r.text;
  expect_shape(r.body, kPage, true, "customer page");
  EXPECT_EQ(r.body["count"], 2);
  for (const auto& row : r.body["results"])
    expect_shape(row, kCustomerRow, true, "customer row");
  EXPECT_EQ(r.body["results"][0]["customer_identifier"], "bob");
  const Json alice = r.body["results"][1];
  EXPECT_EQ(alice["number_of_requests"], 2);
  EXPECT_EQ(alice["total_requests"], 2);
  EXPECT_EQ(alice["total_tokens"], 15);
  EXPECT_EQ(alice["tokens"], 15);
  EXPECT_EQ(alice["total_cost"], 0.75);
  EXPECT_EQ(alice["average_latency"], 2.0);
  EXPECT_EQ(alice["email"], "alice@example.com");
  EXPECT_NE(alice["id"], "alice");  // a synthetic row id
  Reply filtered =
      call("POST", "/api/users/list/",
           Json{{"filters", {{"number_of_requests", {{"operator", "gte"}, {"value", {2}}}}}}});
  EXPECT_EQ(filtered.body["count"], 1);
  Reply paged = call("POST", "/api/users/list/?page=1&page_size=1", Json::object());
  EXPECT_EQ(paged.body["count"], 2);
  EXPECT_TRUE(paged.body["next"].is_string());
  EXPECT_EQ(call("POST", "/api/users/list/?environment=prod", Json::object()).body["count"], 0);
  EXPECT_EQ(call("POST", "/api/users/list/?environment=staging", Json::object()).status, 400);
  EXPECT_EQ(call("POST", "/api/users/list/?page_size=1000", Json::object()).status, 200);
  EXPECT_EQ(call("POST", "/api/users/list/?page_size=1001", Json::object()).status, 400);
  EXPECT_EQ(call_as("", "POST", "/api/users/list/").status, 401);
}

TEST_F(ContractRuntime, RetrieveUser61EncodedIdentifier) {
  const std::string who = "team/a@example.com";
  make_log({{"customer_identifier", who}, {"cost", 1.5}});
  const std::string path = "/api/users/team%2Fa%40example.com/";
  Reply r = call("GET", path);
  ASSERT_EQ(r.status, 200) << r.text;
  expect_shape(r.body, kCustomerDetail, true, "customer detail");
  EXPECT_EQ(r.body["id"], who);  // the detail view's id is the identifier
  EXPECT_EQ(r.body["customer_identifier"], who);
  EXPECT_EQ(r.body["total_period_usage"], 1.5);
  EXPECT_EQ(call("GET", path + "?environment=prod").status, 404);
  Reply missing = call("GET", "/api/users/nobody/");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(missing.body.contains("error"));
}

TEST_F(ContractRuntime, DeleteUser62) {
  make_log({{"customer_identifier", "carol"}});
  EXPECT_EQ(call("PATCH", "/api/users/carol/", Json{{"name", "Carol"}}).status, 200);
  Reply d = call("DELETE", "/api/users/carol/");
  EXPECT_EQ(d.status, 204);
  EXPECT_TRUE(d.text.empty());
  EXPECT_EQ(call("GET", "/api/users/carol/").status, 404);
  EXPECT_EQ(call("DELETE", "/api/users/carol/").status, 404);
  // New usage brings the customer back, without the deleted profile.
  make_log({{"customer_identifier", "carol"}});
  Reply back = call("GET", "/api/users/carol/");
  ASSERT_EQ(back.status, 200);
  EXPECT_TRUE(back.body["name"].is_null());
}

TEST_F(ContractRuntime, UpdateUser63) {
  make_log({{"customer_identifier", "dave"}});
  Reply r = call("PATCH", "/api/users/dave/",
                 Json{{"name", "Dave"},
                      {"period_budget", 200.0},
                      {"budget_duration", "monthly"},
                      {"metadata", {{"tier", "pro"}}},
                      {"markup_percentage", 10}});
  ASSERT_EQ(r.status, 200) << r.text;
  expect_shape(r.body, kCustomerDetail, true, "update customer");
  EXPECT_EQ(r.body["name"], "Dave");
  EXPECT_EQ(r.body["period_budget"], 200.0);
  EXPECT_EQ(r.body["budget_duration"], "monthly");
  EXPECT_FALSE(r.body.contains("metadata"));
  EXPECT_FALSE(r.body.contains("markup_percentage"));
  Reply custom =
      call("PATCH", "/api/users/dave/?environment=test",
           Json{{"period_start", "2026-01-01T00:00:00Z"}, {"period_end", "2026-02-01T00:00:00Z"}});
  EXPECT_EQ(custom.body["period_start"], "2026-01-01T00:00:00.000000Z");
  for (const auto& [field, value] :
       std::vector<std::pair<std::string, Json>>{{"budget_duration", "fortnightly"},
                                                 {"period_budget", -1},
                                                 {"email", 3},
                                                 {"metadata", "x"},
                                                 {"period_end", "soon"},
                                                 {"name", nullptr}}) {
    EXPECT_EQ(call("PATCH", "/api/users/dave/", Json{{field, value}}).status, 400)
        << field << "=" << value.dump();
  }
  EXPECT_EQ(call("PATCH", "/api/users/nobody/", Json{{"name", "x"}}).status, 404);
  EXPECT_EQ(call("PATCH", "/api/users/dave/?environment=prod", Json{{"name", "x"}}).status, 404);
}

// ------------------------------------------------------------------------------ threads

TEST_F(ContractRuntime, ListThreads64) {
  make_log({{"thread_identifier", "th-1"}, {"customer_identifier", "alice"}});
  make_log({{"thread_identifier", "th-1"}, {"customer_identifier", "alice"}});
  make_log({{"thread_identifier", "th-2"}, {"customer_identifier", "bob"}});
  make_log();
  Reply r = call("POST", "/api/log_threads/", Json::object());
  ASSERT_EQ(r.status, 200) << r.text;
  expect_shape(r.body, kPage, true, "thread page");
  EXPECT_EQ(r.body["count"], 2);
  for (const auto& row : r.body["results"])
    expect_shape(row, kThread, true, "thread row");
  std::set<std::string> ids;
  for (const auto& row : r.body["results"])
    ids.insert(row["thread_identifier"].get<std::string>());
  EXPECT_EQ(ids, (std::set<std::string>{"th-1", "th-2"}));
  Reply alice =
      call("POST", "/api/log_threads/?page=1",
           Json{{"filters", {{"customer_identifier", {{"operator", ""}, {"value", {"alice"}}}}}}});
  ASSERT_EQ(alice.body["count"], 1);
  EXPECT_EQ(alice.body["results"][0]["log_count"], 2);
  Reply paged = call("POST", "/api/log_threads/?page_size=1", Json::object());
  EXPECT_EQ(paged.body["results"].size(), 1u);
  EXPECT_TRUE(paged.body["next"].is_string());
  EXPECT_EQ(call_as("prod-key", "POST", "/api/log_threads/").body["count"], 0);
  EXPECT_EQ(call("POST", "/api/log_threads/?page_size=1001", Json::object()).status, 400);
  EXPECT_EQ(call("GET", "/api/log_threads/").status, 405);
  EXPECT_EQ(call("POST", "/api/log_threads/list/", Json::object()).status, 404);
}

// ------------------------------------------------------------------------------ bounds

class ContractRuntimeBounded : public ContractTest {
 protected:
  ContractRuntimeBounded() : ContractTest(bounded()) {}
  static respan::testing::MockServerOptions bounded() {
    respan::testing::MockServerOptions o;
    o.max_stored_objects = 2;
    return o;
  }
};

TEST_F(ContractRuntimeBounded, AFullStoreAnswersAClearError) {
  Reply log = call("POST", "/api/request-logs/", span());
  const std::string id = log.body["unique_id"].get<std::string>();
  const std::string path = "/api/logs/" + id + "/scores/";
  ASSERT_EQ(call("POST", path, Json{{"evaluator_slug", "a"}, {"numerical_value", 1}}).status, 201);
  ASSERT_EQ(call("POST", path, Json{{"evaluator_slug", "b"}, {"numerical_value", 1}}).status, 201);
  Reply full = call("POST", path, Json{{"evaluator_slug", "c"}, {"numerical_value", 1}});
  EXPECT_EQ(full.status, 400);
  EXPECT_NE(full.body.value("message", std::string()).find("full"), std::string::npos) << full.text;
  // An upsert of an existing score still works, and so does a create once room is made.
  EXPECT_EQ(call("POST", path, Json{{"evaluator_slug", "a"}, {"numerical_value", 2}}).status, 200);
  // Prompts and their versions share one bound.
  Reply p = call("POST", "/api/prompts/", Json{{"name", "p"}});
  ASSERT_EQ(p.status, 201);
  const Json v = {{"messages", {{{"role", "user"}, {"content", "x"}}}}, {"model", "m"}};
  EXPECT_EQ(
      call("POST", "/api/prompts/" + p.body["id"].get<std::string>() + "/versions/", v).status,
      201);
  EXPECT_EQ(call("POST", "/api/prompts/", Json{{"name", "q"}}).status, 400);
}

}  // namespace
}  // namespace contract
