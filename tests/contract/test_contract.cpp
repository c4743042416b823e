// Contract tests: per endpoint, the documented request and response shapes (the seeds in
// /work/shared/seeds/ and REFERENCE.md, section cited at each table) checked against the mock
// over raw loopback HTTP, so that the mock cannot drift toward whatever the SDK sends.
#include <string>
#include <vector>

#include "contract_util.hpp"

namespace contract {
namespace {

// ---------------------------------------------------------------------------- shapes

// Span create response: seed create-request-log-span.txt "Response", REFERENCE §7.1.
const Shape kSpanCreated = {{"id", kStr},
                            {"unique_id", kStr},
                            {"organization_id", kStr},
                            {"customer_identifier", kStr | kNull},
                            {"status", kStr},
                            {"cost", kNum},
                            {"timestamp", kStr},
                            {"environment", kStr},
                            {"latency", kNum | kNull},
                            {"time_to_first_token", kNum | kNull},
                            {"prompt_cache_creation_tokens", kInt | kNull},
                            {"prompt_cache_hit_tokens", kInt | kNull}};

// List envelope: REFERENCE §3.1.
const Shape kEnvelope = {
    {"count", kInt}, {"next", kStr | kNull}, {"previous", kStr | kNull}, {"results", kArr}};
// Dataset-family envelope additions: REFERENCE §4.2, §5.2, §6.2.
const Shape kDatasetEnvelope = {
    {"count", kInt},       {"next", kStr | kNull},    {"previous", kStr | kNull}, {"results", kArr},
    {"total_count", kInt}, {"current_filters", kObj}, {"filters_data", kObj}};

// Bulk answer: REFERENCE §5.7 (no `unique_ids`: undocumented).
const Shape kBulk = {
    {"success_count", kInt}, {"error_count", kInt}, {"errors", kArr}, {"total_errors", kInt}};
const Shape kBulkRowError = {{"index", kInt}, {"error", kStr}};

// Dataset create answer: REFERENCE §4.1 ([sdk F] types; `log_count` from the older docs).
const Shape kDatasetCreated = {
    {"id", kStr},         {"name", kStr},       {"description", kStr | kNull},
    {"type", kStr},       {"status", kStr},     {"initial_log_filters", kObj},
    {"created_at", kStr}, {"updated_at", kStr}, {"log_count", kInt}};

const Shape kUser = {{"first_name", kStr}, {"last_name", kStr}, {"email", kStr}};

// Dataset list row: REFERENCE §4.2 (organization_id an integer in the official types).
const Shape kDatasetRow = {{"id", kStr},
                           {"name", kStr},
                           {"description", kStr | kNull},
                           {"type", kStr},
                           {"status", kStr},
                           {"log_count", kInt},
                           {"created_at", kStr},
                           {"organization_id", kInt},
                           {"updated_by", kObj},
                           {"log_ids", kArr},
                           {"updated_at", kStr},
                           {"completed_annotation_count", kInt},
                           {"running_status", kStr | kNull},
                           {"running_progress", kNum},
                           {"starred", kBool},
                           {"tags", kArr}};

// Dataset retrieve / update answer: REFERENCE §4.3, §4.4.
const Shape kDatasetDetail = {{"id", kStr},
                              {"name", kStr},
                              {"type", kStr},
                              {"description", kStr | kNull},
                              {"created_at", kStr},
                              {"updated_at", kStr},
                              {"organization", kInt},
                              {"initial_log_filters", kObj},
                              {"unique_organization_ids", kArr},
                              {"timestamps", kArr},
                              {"log_count", kInt},
                              {"evaluator", kStr | kNull},
                              {"status", kStr},
                              {"running_status", kStr | kNull},
                              {"running_progress", kInt},
                              {"running_at", kStr | kNull},
                              {"completed_annotation_count", kInt}};

// Dataset-log create answer: seed "Create a dataset log" Response, REFERENCE §5.1.
const Shape kLogCreated = {{"message", kStr}, {"unique_id", kStr}};

// Single dataset log (GET/PATCH/PUT): REFERENCE §5.3 — `scores` a list of objects.
// organization_id: type undocumented for dataset logs [guess: string as on spans].
const Shape kLogDetail = {{"id", kStr},
                          {"unique_id", kStr},
                          {"organization_id", kStr | kInt},
                          {"environment", kStr},
                          {"timestamp", kStr},
                          {"start_time", kStr | kNull},
                          {"prompt_tokens", kInt},
                          {"completion_tokens", kInt},
                          {"total_request_tokens", kInt},
                          {"cost", kNum},
                          {"model", kStr | kNull},
                          {"latency", kNum | kNull},
                          {"status_code", kInt},
                          {"status", kStr},
                          {"metadata", kObj},
                          {"prompt", kStr | kNull},
                          {"completion", kStr | kNull},
                          {"messages", kArr},
                          {"input", kAny},
                          {"output", kAny},
                          {"expected_output", kAny},
                          {"dataset_id", kStr},
                          {"scores", kArr}};

// Dataset-log list row: REFERENCE §5.2 — `scores` an object.
const Shape kLogRow = {{"id", kStr},
                       {"unique_id", kStr},
                       {"organization_id", kStr | kInt},
                       {"environment", kStr},
                       {"timestamp", kStr},
                       {"start_time", kStr | kNull},
                       {"prompt_tokens", kInt},
                       {"completion_tokens", kInt},
                       {"total_request_tokens", kInt},
                       {"cost", kNum},
                       {"model", kStr | kNull},
                       {"latency", kNum | kNull},
                       {"status_code", kInt},
                       {"status", kStr},
                       {"prompt", kStr | kNull},
                       {"completion", kStr | kNull},
                       {"input", kAny},
                       {"output", kAny},
                       {"dataset_id", kStr},
                       {"annotation_status", kStr | kNull},
                       {"annotation_completed_by", kObj | kNull},
                       {"scores", kObj},
                       {"metadata", kObj},
                       {"custom_identifier", kStr | kNull},
                       {"log_type", kStr | kNull}};

// Summary: REFERENCE §5.10 / §7.6.
const Shape kSummary = {{"number_of_requests", kInt},
                        {"total_cost", kNum},
                        {"total_tokens", kInt},
                        {"total_prompt_tokens", kInt},
                        {"total_completion_tokens", kInt},
                        {"avg_latency", kNum},
                        {"avg_tps", kNum},
                        {"avg_ttft", kNum},
                        {"scores", kObj}};

// Evaluation task: REFERENCE §6.1.
const Shape kTask = {{"task_id", kStr},
                     {"name", kStr},
                     {"dataset_id", kStr},
                     {"evaluator_slug", kStr},
                     {"status", kStr},
                     {"started_at", kStr | kNull},
                     {"completed_at", kStr | kNull},
                     {"error_message", kStr | kNull},
                     {"evaluated_logs_count", kInt},
                     {"score", kNum | kNull}};

using ContractSpans = ContractTest;
using ContractDatasets = ContractTest;
using ContractErrors = ContractTest;

// ---------------------------------------------------------------------------- spans (§7)

TEST_F(ContractSpans, CreateAnswersTheDocumentedFields) {
  for (const char* path : {"/api/request-logs/", "/api/request-logs/create/"}) {
    Reply r = call("POST", path, span({{"customer_identifier", "c-1"}, {"latency", 0.5}}));
    ASSERT_EQ(r.status, 200) << path << r.text;
    expect_shape(r.body, kSpanCreated, true, path);
    EXPECT_EQ(r.body["id"], r.body["unique_id"]);
    EXPECT_EQ(r.body["status"], "success");  // enum success|error
  }
}

// Request validation per create-request-log-span.txt / REFERENCE §7.1: each row is a body
// field and a value the documented type refuses (422 {"error": ...}, §7.1 Errors).
TEST_F(ContractSpans, CreateRefusesValuesOutsideTheDocumentedTypes) {
  const std::vector<std::pair<const char*, Json>> bad = {
      {"model", nullptr},                              // required, and null is not "absent"
      {"completion_message", "It ships today."},       // object
      {"completion_message", Json::array()},           // object
      {"prompt_messages", Json::array({"hi"})},        // list of objects
      {"messages", Json::array({1})},                  // list of objects
      {"tools", Json::array({Json::array()})},         // list of objects
      {"tool_calls", Json::object()},                  // list of objects
      {"input", Json::array({"a", "b"})},              // string, object or list of objects
      {"input", 42},                                   //
      {"output", true},                                //
      {"stop", Json::array({1, 2})},                   // string or list of strings
      {"stop", Json::object()},                        //
      {"tool_choice", 1},                              // string or object
      {"tool_choice", Json::array()},                  //
      {"warnings", Json::array({"w"})},                // string or object
      {"log_type", "text"},                            // 13 documented values only
      {"log_type", "span"},                            //
      {"status", "ok"},                                // success | error
      {"prompt_tokens", 1.5},                          // integer
      {"prompt_tokens", 1e300},                        // integer (beyond int64)
      {"completion_tokens", "12"},                     // integer
      {"latency", "fast"},                             // double
      {"stream", "true"},                              // boolean
      {"metadata", Json::array()},                     // object
      {"metadata", nullptr},                           // null is not "absent"
      {"customer_identifier", nullptr},                //
      {"customer_identifier", std::string(255, 'c')},  // <= 254 characters
      {"timestamp", "yesterday"},                      // datetime
      {"positive_feedback", nullptr},                  // boolean (null only on PATCH §7.5)
  };
  for (const auto& [field, value] : bad) {
    Json body = span();
    body[field] = value;
    Reply r = call("POST", "/api/request-logs/", body);
    EXPECT_EQ(r.status, 422) << field << "=" << value.dump() << ": " << r.text;
    expect_shape(r.body, {{"error", kStr}}, true, std::string("422 for ") + field);
    EXPECT_NE(r.body.value("error", std::string()).find(field), std::string::npos) << r.text;
  }
  EXPECT_TRUE(server_.request_logs().empty());
}

TEST_F(ContractSpans, CreateAcceptsEveryDocumentedAlternative) {
  const std::vector<std::pair<const char*, Json>> good = {
      {"input", "plain text"},
      {"input", Json{{"question", "q"}}},
      {"input", Json::array({Json{{"role", "user"}, {"content", "hi"}}})},
      {"output", Json{{"role", "assistant"}, {"content", "ok"}}},
      {"stop", "\n"},
      {"stop", Json::array({"\n", "END"})},
      {"tool_choice", "auto"},
      {"tool_choice", Json{{"type", "function"}, {"function", {{"name", "f"}}}}},
      {"warnings", "careful"},
      {"warnings", Json{{"w", 1}}},
      {"completion_message", Json{{"role", "assistant"}, {"content", "ok"}}},
      {"prompt_messages", Json::array({Json{{"role", "user"}, {"content", "hi"}}})},
      {"prompt_tokens", 12},
      {"prompt_tokens", 12.0},  // an integral number
      {"customer_identifier", std::string(254, 'c')},
      {"timestamp", "2025-07-01T00:00:00Z"},
  };
  for (const char* lt : {"chat", "completion", "response", "embedding", "speech", "transcription",
                         "workflow", "agent", "task", "tool", "guardrail", "reranker", "other"}) {
    Reply r = call("POST", "/api/request-logs/", span({{"log_type", lt}}));
    EXPECT_EQ(r.status, 200) << lt << ": " << r.text;
  }
  for (const auto& [field, value] : good) {
    Json body = span();
    body[field] = value;
    Reply r = call("POST", "/api/request-logs/", body);
    EXPECT_EQ(r.status, 200) << field << "=" << value.dump() << ": " << r.text;
  }
}

TEST_F(ContractSpans, BulkAnswersCountsAndRowErrorsOnly) {
  // REFERENCE §7.7: {logs: [...]}, per-row failures; answer shape [guess: as §5.7].
  const Json body = {{"logs", Json::array({span(), Json{{"model", 1}}, span()})}};
  Reply r = call("POST", "/api/request-logs/bulk/", body);
  ASSERT_EQ(r.status, 200) << r.text;
  expect_shape(r.body, kBulk, true, "span bulk");
  EXPECT_EQ(r.body["success_count"], 2);
  ASSERT_EQ(r.body["errors"].size(), 1u);
  expect_shape(r.body["errors"][0], kBulkRowError, true, "span bulk row error");
  EXPECT_EQ(r.body["errors"][0]["index"], 1);
}

TEST_F(ContractSpans, ListAndSummaryShapes) {
  ASSERT_EQ(call("POST", "/api/request-logs/", span({{"input", Json{{"a", 1}}}})).status, 200);
  Reply list = call("POST", "/api/request-logs/list/", Json::object());
  ASSERT_EQ(list.status, 200) << list.text;
  expect_shape(list.body, kEnvelope, true, "span list");  // §7.2: {count,next,previous,results}
  ASSERT_EQ(list.body["results"].size(), 1u);
  EXPECT_TRUE(list.body["results"][0]["input"].is_string());  // §7.2: input/output JSON strings
  Reply sum = call("POST", "/api/request-logs/summary/", Json::object());
  ASSERT_EQ(sum.status, 200) << sum.text;
  expect_shape(sum.body, kSummary, true, "span summary");
}

// ---------------------------------------------------------------------------- datasets (§4)

TEST_F(ContractDatasets, DatasetObjectsHaveTheDocumentedShapePerEndpoint) {
  Reply created = call("POST", "/api/datasets/", Json{{"name", "d"}, {"is_empty", true}});
  ASSERT_EQ(created.status, 201) << created.text;
  expect_shape(created.body, kDatasetCreated, true, "dataset create");
  const std::string id = created.body["id"];
  ASSERT_EQ(call("POST", "/api/datasets/" + id + "/logs/", Json{{"input", "q"}}).status, 201);

  Reply list = call("POST", "/api/datasets/list/", Json::object());
  ASSERT_EQ(list.status, 200) << list.text;
  expect_shape(list.body, kDatasetEnvelope, true, "dataset list");
  ASSERT_EQ(list.body["results"].size(), 1u);
  Json row = list.body["results"][0];
  expect_shape(row, kDatasetRow, true, "dataset list row");
  expect_shape(row["updated_by"], kUser, true, "updated_by");
  expect_all(row["log_ids"], kStr, "log_ids");
  EXPECT_EQ(row["log_ids"].size(), 1u);

  Reply got = call("GET", "/api/datasets/" + id + "/");
  ASSERT_EQ(got.status, 200) << got.text;
  expect_shape(got.body, kDatasetDetail, true, "dataset retrieve");
  expect_all(got.body["unique_organization_ids"], kStr, "unique_organization_ids");
  expect_all(got.body["timestamps"], kStr, "timestamps");

  Reply patched =
      call("PATCH", "/api/datasets/" + id + "/", Json{{"name", "e"}, {"starred", true}});
  ASSERT_EQ(patched.status, 200) << patched.text;
  expect_shape(patched.body, kDatasetDetail, true, "dataset update");  // §4.4: as retrieve
  EXPECT_EQ(patched.body["name"], "e");
}

// ---------------------------------------------------------------------------- dataset logs (§5)

TEST_F(ContractDatasets, DatasetLogAnswersPerEndpoint) {
  const std::string id = make_dataset();
  const std::string logs = "/api/datasets/" + id + "/logs/";
  // The seed's example body.
  const Json seed_body = {
      {"input", {{"customer_id", "cust_12345"}, {"message", "I need help with my subscription"}}},
      {"output", {{"response", "I would be happy to help with your subscription."}}},
      {"metadata", {{"model", "gpt-4o"}, {"log_type", "chat"}}},
      {"metrics",
       {{"prompt_tokens", 25}, {"completion_tokens", 18}, {"cost", 0.002}, {"latency", 1.8}}}};
  Reply created = call("POST", logs, seed_body);
  ASSERT_EQ(created.status, 201) << created.text;
  expect_shape(created.body, kLogCreated, true, "dataset log create");
  EXPECT_EQ(created.body["message"], "Dataset log created successfully");
  const std::string uid = created.body["unique_id"];
  EXPECT_EQ(uid.size(), 32u);  // 32-hex (§5.1)

  // Give the log a score, then read it through every endpoint.
  ASSERT_EQ(call("POST", "/api/datasets/" + id + "/eval-reports/create/",
                 Json{{"evaluator_ids", {"relevance"}}})
                .status,
            200);
  Reply got = call("GET", logs + uid + "/");
  ASSERT_EQ(got.status, 200) << got.text;
  expect_shape(got.body, kLogDetail, true, "dataset log retrieve");
  ASSERT_EQ(got.body["scores"].size(), 1u);
  expect_all(got.body["scores"], kObj, "single-log scores");
  EXPECT_EQ(got.body["model"], "gpt-4o");
  EXPECT_EQ(got.body["prompt_tokens"], 25);

  for (const char* method : {"PATCH", "PUT"}) {
    Reply r = call(method, logs + uid + "/", Json{{"output", "changed"}});
    ASSERT_EQ(r.status, 200) << method << r.text;
    expect_shape(r.body, kLogDetail, true, std::string("dataset log ") + method);
    expect_all(r.body["scores"], kObj, "scores");
  }

  Reply list = call("POST", logs + "list/", Json::object());
  ASSERT_EQ(list.status, 200) << list.text;
  expect_shape(list.body, kDatasetEnvelope, false, "dataset log list");
  EXPECT_TRUE(list.body.contains("filter_options"));  // §5.2
  ASSERT_EQ(list.body["results"].size(), 1u);
  expect_shape(list.body["results"][0], kLogRow, true, "dataset log list row");
  EXPECT_TRUE(list.body["results"][0]["scores"].contains("relevance"));

  for (const char* method : {"GET", "POST"}) {
    Reply s = send(method, logs + "summary/", method == std::string("POST") ? "{}" : "");
    ASSERT_EQ(s.status, 200) << s.text;
    expect_shape(s.body, kSummary, true, "dataset log summary");
  }
  Reply runs = call("GET", "/api/datasets/" + id + "/eval-reports/list/");
  ASSERT_EQ(runs.status, 200) << runs.text;
  expect_shape(runs.body, kDatasetEnvelope, true, "eval runs");
  ASSERT_EQ(runs.body["results"].size(), 1u);
  expect_shape(runs.body["results"][0], kTask, true, "eval task");
}

// Run evaluators: `evaluator_ids` names evaluators the organization has. The mock knows a
// configurable list (MockServerOptions::known_evaluators) and refuses the whole run with the
// documented 400 when one is unknown, starting nothing.
TEST_F(ContractDatasets, RunEvaluatorsRefusesAnUnknownEvaluator) {
  const std::string id = make_dataset("eval");
  ASSERT_EQ(call("POST", "/api/datasets/" + id + "/logs/", Json{{"input", "q"}}).status, 201);
  const std::string path = "/api/datasets/" + id + "/eval-reports/create/";

  Reply unknown = call("POST", path, Json{{"evaluator_ids", {"relevance", "no-such-judge"}}});
  EXPECT_EQ(unknown.status, 400) << unknown.text;
  ASSERT_TRUE(unknown.body.contains("message")) << unknown.text;  // the datasets family's 400
  EXPECT_NE(unknown.body["message"].get<std::string>().find("\"no-such-judge\""), std::string::npos)
      << unknown.text;
  EXPECT_EQ(unknown.body["message"].get<std::string>().find("\"relevance\""), std::string::npos)
      << "only the unknown evaluator is named: " << unknown.text;
  EXPECT_TRUE(server_.evaluation_runs(id).empty()) << "a refused run starts nothing";

  // Every default evaluator runs.
  const Json defaults = respan::testing::MockServerOptions{}.known_evaluators;
  ASSERT_FALSE(defaults.empty());
  Reply known = call("POST", path, Json{{"evaluator_ids", defaults}});
  ASSERT_EQ(known.status, 200) << known.text;
  EXPECT_EQ(known.body["created_tasks"].size(), defaults.size());
  EXPECT_EQ(known.body["errors"], Json::object());
  EXPECT_EQ(server_.evaluation_runs(id).size(), defaults.size());
}

class ContractOwnEvaluators : public ContractTest {
 protected:
  ContractOwnEvaluators() : ContractTest(options()) {}
  static respan::testing::MockServerOptions options() {
    respan::testing::MockServerOptions o;
    o.known_evaluators = {"evl_550e8400", "response_quality"};
    return o;
  }
};

TEST_F(ContractOwnEvaluators, OnlyTheConfiguredEvaluatorsRun) {
  const std::string id = make_dataset("own");
  const std::string path = "/api/datasets/" + id + "/eval-reports/create/";
  Reply ran = call("POST", path, Json{{"evaluator_ids", {"evl_550e8400", "response_quality"}}});
  ASSERT_EQ(ran.status, 200) << ran.text;
  ASSERT_EQ(ran.body["created_tasks"].size(), 2u);
  EXPECT_EQ(ran.body["created_tasks"][1]["evaluator_slug"], "response_quality");
  Reply refused = call("POST", path, Json{{"evaluator_ids", {"relevance"}}});  // a default
  EXPECT_EQ(refused.status, 400) << refused.text;
  EXPECT_EQ(server_.evaluation_runs(id).size(), 2u);
}

TEST_F(ContractDatasets, PatchChangesOnlyTheFieldsSent) {
  // REFERENCE §5.4: "Only supplied fields change"; `metrics` is no update field.
  const std::string id = make_dataset();
  const std::string logs = "/api/datasets/" + id + "/logs/";
  Reply created = call("POST", logs,
                       Json{{"input", "q"},
                            {"metadata", {{"model", "gpt-4o"}, {"custom_identifier", "c-7"}}},
                            {"metrics", {{"cost", 0.5}}}});
  ASSERT_EQ(created.status, 201);
  const std::string uid = created.body["unique_id"];
  Reply patched = call("PATCH", logs + uid + "/",
                       Json{{"metadata", {{"k", "v"}}}, {"metrics", {{"cost", 9.0}}}});
  ASSERT_EQ(patched.status, 200) << patched.text;
  EXPECT_EQ(patched.body["model"], "gpt-4o");
  EXPECT_EQ(patched.body["input"], "q");
  EXPECT_EQ(patched.body["metadata"], Json({{"k", "v"}}));
  EXPECT_DOUBLE_EQ(patched.body["cost"].get<double>(), 0.5);  // metrics not applied
  Reply list = call("POST", logs + "list/", Json::object());
  EXPECT_EQ(list.body["results"][0]["custom_identifier"], "c-7");

  // PUT removes the body fields left out (§5.5).
  Reply put = call("PUT", logs + uid + "/", Json{{"input", "q2"}});
  ASSERT_EQ(put.status, 200) << put.text;
  EXPECT_EQ(put.body["metadata"], Json::object());
  EXPECT_TRUE(put.body["output"].is_null());
}

TEST_F(ContractDatasets, UndocumentedCreateFieldsAreNotApplied) {
  // §5.1 documents input, output, metadata, metrics only.
  const std::string id = make_dataset();
  const std::string logs = "/api/datasets/" + id + "/logs/";
  Reply created =
      call("POST", logs,
           Json{{"input", "q"}, {"expected_output", "e"}, {"prompt", "p"}, {"completion", "c"}});
  ASSERT_EQ(created.status, 201) << created.text;
  Reply got = call("GET", logs + created.body["unique_id"].get<std::string>() + "/");
  EXPECT_TRUE(got.body["expected_output"].is_null()) << got.text;
  EXPECT_TRUE(got.body["prompt"].is_null());
  EXPECT_TRUE(got.body["completion"].is_null());
  // A missing input is refused (required, §5.1).
  Reply no_input = call("POST", logs, Json{{"output", "o"}});
  EXPECT_EQ(no_input.status, 400);
}

TEST_F(ContractDatasets, BulkRowsMayOmitEveryField) {
  // §5.7: every row field is optional; answer without `unique_ids`.
  const std::string id = make_dataset();
  const Json body = {{"logs", Json::array({Json{{"output", "only output"}},
                                           Json{{"input", "q"}, {"expected_output", "e"}},
                                           Json{{"metadata", "not an object"}}})}};
  Reply r = call("POST", "/api/datasets/" + id + "/logs/bulk/", body);
  ASSERT_EQ(r.status, 200) << r.text;
  expect_shape(r.body, kBulk, true, "dataset log bulk");
  EXPECT_EQ(r.body["success_count"], 2);
  ASSERT_EQ(r.body["errors"].size(), 1u);
  expect_shape(r.body["errors"][0], kBulkRowError, true, "bulk row error");
  EXPECT_EQ(r.body["errors"][0]["index"], 2);
}

TEST_F(ContractDatasets, ImportedLogsKeepTheirCustomerIdentifierForFilters) {
  ASSERT_EQ(call("POST", "/api/request-logs/", span({{"customer_identifier", "cust-42"}})).status,
            200);
  ASSERT_EQ(call("POST", "/api/request-logs/", span({{"customer_identifier", "cust-7"}})).status,
            200);
  const std::string id = make_dataset();
  Reply imported =
      call("POST", "/api/datasets/" + id + "/logs/import/",
           Json{{"start_time", "2000-01-01T00:00:00Z"}, {"end_time", "2100-01-01T00:00:00Z"}});
  ASSERT_EQ(imported.status, 200) << imported.text;
  expect_shape(imported.body, {{"message", kStr}}, true, "import");  // §5.8
  const Json filter = {
      {"filters", {{"customer_identifier", {{"operator", ""}, {"value", {"cust-42"}}}}}}};
  Reply list = call("POST", "/api/datasets/" + id + "/logs/list/", filter);
  ASSERT_EQ(list.status, 200) << list.text;
  EXPECT_EQ(list.body["count"], 1) << list.text;
  Reply removed = call("DELETE", "/api/datasets/" + id + "/logs/import/", filter);
  ASSERT_EQ(removed.status, 200) << removed.text;
  expect_shape(removed.body, {{"message", kStr}}, true, "remove");  // §5.9
  EXPECT_EQ(server_.dataset_logs(id).size(), 1u);
}

// ---------------------------------------------------------------------------- errors (§9)

TEST_F(ContractErrors, ErrorBodiesUseTheDocumentedFormPerFamily) {
  // 401 and routing errors: {"detail": ...} (docs D-err).
  auto anon = std::make_unique<httplib::Client>("127.0.0.1", server_.port());
  Reply unauth = reply_of(anon->Post("/api/request-logs/", span().dump(), "application/json"));
  EXPECT_EQ(unauth.status, 401);
  expect_shape(unauth.body, {{"detail", kStr}}, true, "401");
  Reply unknown = call("GET", "/api/nothing-here/");
  EXPECT_EQ(unknown.status, 404);
  expect_shape(unknown.body, {{"detail", kStr}}, true, "unknown path");
  // Spans: 422 {"error": ...} (§7.1).
  Reply invalid = call("POST", "/api/request-logs/", Json{{"model", 5}});
  EXPECT_EQ(invalid.status, 422);
  expect_shape(invalid.body, {{"error", kStr}}, true, "span 422");
  // Spans: 400 {"detail": ...} (docs D-err).
  Reply bad_json = send("POST", "/api/request-logs/", "{");
  EXPECT_EQ(bad_json.status, 400);
  expect_shape(bad_json.body, {{"detail", kStr}}, true, "span 400");
  // Datasets: 400 {"message": ...}, 404 {"error": ...} (official client error bodies, §9).
  Reply no_name = call("POST", "/api/datasets/", Json{{"is_empty", true}});
  EXPECT_EQ(no_name.status, 400);
  expect_shape(no_name.body, {{"message", kStr}}, true, "dataset 400");
  Reply missing = call("GET", "/api/datasets/no-such-dataset/");
  EXPECT_EQ(missing.status, 404);
  expect_shape(missing.body, {{"error", kStr}}, true, "dataset 404");
}

}  // namespace
}  // namespace contract
