// JSON encoding and tolerant decoding of the dataset and dataset-log models.
#include <stdexcept>

#include <gtest/gtest.h>

#include <respan/models/dataset.hpp>
#include <respan/models/dataset_log.hpp>

using respan::Json;

namespace {

// ------------------------------------------------------------------------------ Dataset

TEST(DatasetModels, DatasetSendsOnlySetFields) {
  respan::Dataset c;
  c.name = "support-regressions";
  EXPECT_EQ(Json(c), (Json{{"name", "support-regressions"}}));

  c.description = "failed checkouts";
  c.sampling = 40;
  c.start_time = respan::Timestamp("2026-01-01T00:00:00Z");
  c.end_time = respan::Timestamp("2026-01-02T00:00:00Z");
  c.is_empty = false;
  respan::Filters f;
  f.equals("model", "gpt-4o").gte("cost", 0.01);
  c.initial_log_filters = f;
  c.extra["type"] = "sampling";
  const Json j = c;
  EXPECT_EQ(j.at("sampling"), 40);
  EXPECT_EQ(j.at("start_time"), "2026-01-01T00:00:00Z");
  EXPECT_EQ(j.at("is_empty"), false);
  EXPECT_EQ(j.at("initial_log_filters"), f.to_json());
  EXPECT_EQ(j.at("initial_log_filters").at("model").at("value"), (Json{"gpt-4o"}));
  EXPECT_EQ(j.at("type"), "sampling");
  EXPECT_FALSE(j.contains("source_dataset_id"));

  const auto back = j.get<respan::Dataset>();
  EXPECT_EQ(back.name, c.name);
  EXPECT_EQ(back.sampling, 40);
  EXPECT_EQ(back.end_time, c.end_time);
  ASSERT_TRUE(back.initial_log_filters);
  EXPECT_EQ(*back.initial_log_filters, f);
  EXPECT_EQ(back.extra, (Json{{"type", "sampling"}}));
  EXPECT_EQ(Json(back), j);
}

TEST(DatasetModels, DatasetEmptyFiltersAreSentAsEmptyObject) {
  respan::Dataset c;
  c.source_dataset_id = "ds-1";
  c.initial_log_filters = respan::Filters{};
  EXPECT_EQ(Json(c),
            (Json{{"initial_log_filters", Json::object()}, {"source_dataset_id", "ds-1"}}));
}

// ------------------------------------------------------------------------------ DatasetRecord

Json list_item() {
  return Json{{"id", "6c1f7e1a-0000-4000-8000-000000000001"},
              {"name", "support"},
              {"description", ""},
              {"type", "sampling"},
              {"status", "ready"},
              {"log_count", 12},
              {"created_at", "2026-03-01T10:00:00Z"},
              {"updated_at", "2026-03-02T10:00:00.123456Z"},
              {"organization_id", 42},
              {"updated_by", {{"first_name", "Ada"}, {"last_name", "L"}, {"email", "a@x.io"}}},
              {"log_ids", {"a", "b"}},
              {"completed_annotation_count", 3},
              {"running_status", "pending"},
              {"running_progress", 0.5},
              {"running_at", nullptr},
              {"starred", true},
              {"tags", {{{"id", "t1"}, {"name", "prod"}, {"color", "#ff0000"}}}},
              {"initial_log_filters", {{"model", {{"operator", ""}, {"value", {"gpt-4o"}}}}}}};
}

TEST(DatasetModels, DatasetRecordDecodesListItem) {
  const auto d = list_item().get<respan::DatasetRecord>();
  EXPECT_EQ(d.id, "6c1f7e1a-0000-4000-8000-000000000001");
  EXPECT_EQ(d.name, "support");
  EXPECT_EQ(d.description, "");
  EXPECT_EQ(d.type, respan::DatasetType::sampling());
  ASSERT_TRUE(d.status);
  EXPECT_EQ(*d.status, respan::DatasetStatus::ready());
  EXPECT_TRUE(d.status->is_known());
  EXPECT_EQ(d.log_count, 12);
  EXPECT_EQ(d.created_at, respan::Timestamp("2026-03-01T10:00:00Z"));
  EXPECT_EQ(d.organization_id, "42");  // integer ids are kept as text
  ASSERT_TRUE(d.updated_by);
  EXPECT_EQ(d.updated_by->email, "a@x.io");
  EXPECT_EQ(d.log_ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(d.completed_annotation_count, 3);
  EXPECT_EQ(d.running_status, "pending");
  EXPECT_DOUBLE_EQ(d.running_progress.value_or(-1), 0.5);
  EXPECT_FALSE(d.running_at);  // null -> unset
  EXPECT_EQ(d.starred, true);
  ASSERT_TRUE(d.tags);
  ASSERT_EQ(d.tags->size(), 1u);
  EXPECT_EQ((*d.tags)[0].color, "#ff0000");
  ASSERT_TRUE(d.initial_log_filters);
  EXPECT_EQ(d.initial_log_filters->at("model").at("operator"), "");
  EXPECT_TRUE(d.extra.empty());
}

TEST(DatasetModels, DatasetRecordDecodesRetrieveShape) {
  const Json j = {{"id", "ds"},
                  {"organization", 7},
                  {"unique_organization_ids", {"org_a"}},
                  {"timestamps", {"2026-01-01T00:00:00Z"}},
                  {"evaluator", nullptr},
                  {"running_progress", 100},
                  {"status", "initializing"}};
  const auto d = j.get<respan::DatasetRecord>();
  EXPECT_EQ(d.organization, "7");
  EXPECT_EQ(d.unique_organization_ids, (std::vector<std::string>{"org_a"}));
  EXPECT_EQ(d.timestamps, (std::vector<std::string>{"2026-01-01T00:00:00Z"}));
  EXPECT_FALSE(d.evaluator);
  EXPECT_DOUBLE_EQ(d.running_progress.value_or(-1), 100.0);  // int accepted as double
  EXPECT_EQ(d.status, respan::DatasetStatus::initializing());
  EXPECT_TRUE(d.extra.empty());
}

TEST(DatasetModels, DatasetRecordKeepsUnknownFieldsAndUnknownStatus) {
  Json j = list_item();
  j["status"] = "archived";
  j["brand_new"] = {{"x", 1}};
  j["log_count"] = "many";  // wrong type: kept in extra, not a failure
  const auto d = j.get<respan::DatasetRecord>();
  ASSERT_TRUE(d.status);
  EXPECT_EQ(d.status->value(), "archived");
  EXPECT_FALSE(d.status->is_known());
  EXPECT_FALSE(d.log_count);
  EXPECT_EQ(d.extra.at("brand_new"), (Json{{"x", 1}}));
  EXPECT_EQ(d.extra.at("log_count"), "many");

  // Round trip: everything sent comes back (integer ids as text).
  Json expected = j;
  expected["organization_id"] = "42";
  expected.erase("running_at");  // null was decoded as unset
  EXPECT_EQ(Json(d), expected);
}

TEST(DatasetModels, DatasetRecordToleratesNullsEverywhere) {
  Json j = list_item();
  for (auto& [k, v] : j.items())
    v = nullptr;
  const auto d = j.get<respan::DatasetRecord>();
  EXPECT_EQ(d.id, "");
  EXPECT_FALSE(d.name);
  EXPECT_FALSE(d.status);
  EXPECT_FALSE(d.tags);
  EXPECT_FALSE(d.initial_log_filters);
  EXPECT_TRUE(d.extra.empty());
  EXPECT_EQ(Json(d), Json::object());
}

TEST(DatasetModels, DatasetRecordRejectsNonObject) {
  EXPECT_THROW(Json::array().get<respan::DatasetRecord>(), Json::exception);
}

// ------------------------------------------------------------------------------ DatasetUpdate

TEST(DatasetModels, DatasetUpdateRoundTrip) {
  respan::DatasetUpdate u;
  EXPECT_EQ(Json(u), Json::object());
  u.starred = false;
  u.tags = std::vector<std::string>{};
  EXPECT_EQ(Json(u), (Json{{"starred", false}, {"tags", Json::array()}}));  // empty list clears
  u.name = "renamed";
  u.description = "d";
  u.tags = std::vector<std::string>{"t1", "t2"};
  const Json j = u;
  const auto back = j.get<respan::DatasetUpdate>();
  EXPECT_EQ(back.name, "renamed");
  EXPECT_EQ(back.tags, u.tags);
  EXPECT_EQ(Json(back), j);
}

// ------------------------------------------------------------------------------ evaluators

TEST(DatasetModels, RunEvaluatorsRequestEncoding) {
  respan::RunEvaluatorsRequest r;
  r.evaluator_ids = {"ev-1", "ev-2"};
  EXPECT_EQ(Json(r), (Json{{"evaluator_ids", {"ev-1", "ev-2"}}}));
  r.experiment_id = "exp";
  r.generation_method = "auto";
  const Json j = r;
  EXPECT_EQ(j.at("experiment_id"), "exp");
  EXPECT_EQ(Json(j.get<respan::RunEvaluatorsRequest>()), j);
}

TEST(DatasetModels, RunEvaluatorsResultDecoding) {
  const Json j = {{"created_tasks",
                   {{{"task_id", "t-1"},
                     {"name", "relevance on ds"},
                     {"dataset_id", "ds"},
                     {"evaluator_slug", "relevance"},
                     {"status", "pending"},
                     {"started_at", nullptr},
                     {"completed_at", "2026-01-01T00:00:05Z"},
                     {"error_message", nullptr},
                     {"evaluated_logs_count", 4},
                     {"score", 3.5},
                     {"progress", 0.1}},
                    "garbage"}},
                  {"errors", {{"missing-x", "Evaluator not found"}}},
                  {"experiment_updated", false},
                  {"experiment_evaluator_ids", Json::array()},
                  {"next_step", "poll"}};
  const auto r = j.get<respan::RunEvaluatorsResult>();
  ASSERT_EQ(r.created_tasks.size(), 1u);
  const auto& t = r.created_tasks[0];
  EXPECT_EQ(t.task_id, "t-1");
  EXPECT_EQ(t.status, respan::EvaluationTaskStatus::pending());
  EXPECT_FALSE(t.started_at);
  EXPECT_EQ(t.completed_at, respan::Timestamp("2026-01-01T00:00:05Z"));
  EXPECT_EQ(t.evaluated_logs_count, 4);
  EXPECT_DOUBLE_EQ(t.score.value_or(0), 3.5);
  EXPECT_EQ(t.extra, (Json{{"progress", 0.1}}));
  EXPECT_EQ(r.errors.at("missing-x"), "Evaluator not found");
  EXPECT_EQ(r.experiment_updated, false);
  EXPECT_TRUE(r.experiment_evaluator_ids.empty());
  EXPECT_EQ(r.extra.at("next_step"), "poll");
  EXPECT_EQ(r.extra.at("created_tasks"), (Json{"garbage"}));  // the odd item is not lost
}

TEST(DatasetModels, EvaluationTaskUnknownStatusAndNulls) {
  const Json j = {{"task_id", 17}, {"status", "queued_for_gpu"}, {"score", nullptr}};
  const auto t = j.get<respan::EvaluationTask>();
  EXPECT_EQ(t.task_id, "17");
  ASSERT_TRUE(t.status);
  EXPECT_EQ(t.status->value(), "queued_for_gpu");
  EXPECT_FALSE(t.status->is_known());
  EXPECT_FALSE(t.score);
  EXPECT_EQ(Json(t), (Json{{"task_id", "17"}, {"status", "queued_for_gpu"}}));
}

TEST(DatasetModels, RunEvaluatorsResultNullErrorsBecomeEmptyObject) {
  const auto r =
      Json{{"errors", nullptr}, {"created_tasks", nullptr}}.get<respan::RunEvaluatorsResult>();
  EXPECT_TRUE(r.created_tasks.empty());
  EXPECT_EQ(r.errors, Json::object());
  EXPECT_TRUE(r.extra.empty());
}

// ------------------------------------------------------------------------------ DatasetLog

TEST(DatasetLogModels, CreateSendsOnlySetFields) {
  respan::DatasetLog c;
  c.input = Json{{"customer_id", "cust_12345"}, {"message", "I need help"}};
  EXPECT_EQ(Json(c), (Json{{"input", c.input}}));
  c.output = Json{{"response", "Happy to help"}};
  c.expected_output = "Happy to help";
  c.metadata = Json{{"model", "gpt-4o"}, {"log_type", "chat"}};
  c.metrics = Json{{"prompt_tokens", 25}, {"cost", 0.002}};
  c.extra["model"] = "gpt-4o";  // older docs: top-level fields
  const Json j = c;
  EXPECT_EQ(j.at("output").at("response"), "Happy to help");
  EXPECT_EQ(j.at("expected_output"), "Happy to help");
  EXPECT_EQ(j.at("metrics").at("prompt_tokens"), 25);
  EXPECT_EQ(j.at("model"), "gpt-4o");
  const auto back = j.get<respan::DatasetLog>();
  EXPECT_EQ(back.input, c.input);
  EXPECT_EQ(back.metadata, c.metadata);
  EXPECT_EQ(back.extra, (Json{{"model", "gpt-4o"}}));
  EXPECT_EQ(Json(back), j);
}

TEST(DatasetLogModels, CreateWithoutInputOmitsIt) {
  respan::DatasetLog c;
  c.output = "x";
  EXPECT_EQ(Json(c), (Json{{"output", "x"}}));
  // A string input is any JSON too.
  c.input = "plain text";
  EXPECT_EQ(Json(c).at("input"), "plain text");
}

TEST(DatasetLogModels, CreatedDecoding) {
  const auto c = Json{
      {"message", "Dataset log created successfully"},
      {"unique_id", "2844b4f401854250aec6ee1ffd8f38be"},
      {"queued",
       true}}.get<respan::DatasetLogCreated>();
  EXPECT_EQ(c.message, "Dataset log created successfully");
  EXPECT_EQ(c.unique_id, "2844b4f401854250aec6ee1ffd8f38be");
  EXPECT_EQ(c.extra, (Json{{"queued", true}}));
  // Only an id: used as the unique id.
  EXPECT_EQ((Json{{"id", "abc"}}.get<respan::DatasetLogCreated>().unique_id), "abc");
  // Not an object: tolerated as an empty acknowledgement.
  EXPECT_EQ(Json().get<respan::DatasetLogCreated>().unique_id, "");
}

// ------------------------------------------------------------------------------ DatasetLogUpdate

TEST(DatasetLogModels, UpdateSendsOnlySetFieldsAndRefusesNull) {
  respan::DatasetLogUpdate u;
  EXPECT_EQ(Json(u), Json::object());
  u.expected_output = Json(nullptr);  // not a way to clear: refused (replace() removes fields)
  u.prompt = "p";
  EXPECT_THROW((void)Json(u), std::invalid_argument);
  u.expected_output = "e";
  EXPECT_EQ(Json(u), (Json{{"expected_output", "e"}, {"prompt", "p"}}));
  u.input = Json{{"q", 1}};
  u.output = Json::array({1, 2});
  u.completion = "c";
  u.metadata = Json{{"k", "v"}};
  const Json j = u;
  const auto back = j.get<respan::DatasetLogUpdate>();
  EXPECT_EQ(back.input, u.input);
  EXPECT_EQ(back.completion, "c");
  EXPECT_EQ(back.expected_output, Json("e"));
  EXPECT_EQ(back.metadata, u.metadata);
  EXPECT_FALSE(
      (Json{{"expected_output", nullptr}}.get<respan::DatasetLogUpdate>().expected_output));
}

// ------------------------------------------------------------------------------ DatasetLogRecord

Json full_log() {
  return Json{{"id", "u1"},
              {"unique_id", "u1"},
              {"organization_id", 99},
              {"environment", "prod"},
              {"timestamp", "2026-02-01T12:00:00Z"},
              {"start_time", "2026-02-01T11:59:59Z"},
              {"prompt_tokens", 25},
              {"completion_tokens", 18},
              {"total_request_tokens", 43},
              {"cost", 0.002},
              {"model", "gpt-4o"},
              {"latency", 1.8},
              {"status_code", 200},
              {"status", "success"},
              {"prompt", "hello"},
              {"completion", "hi"},
              {"messages", {{{"role", "user"}, {"content", "hello"}}}},
              {"input", "{\"q\": \"hello\"}"},  // list rows may send JSON strings
              {"output", {{"a", "hi"}}},
              {"expected_output", nullptr},
              {"dataset_id", "ds-1"},
              {"annotation_status", "completed"},
              {"annotation_completed_by", {{"email", "r@x.io"}}},
              {"scores", {{"ev", {{"score_value", 4}}}}},
              {"metadata", {{"model", "gpt-4o"}}},
              {"metrics", {{"cost", 0.002}}},
              {"custom_identifier", "c-1"},
              {"log_type", "chat"}};
}

TEST(DatasetLogModels, RecordDecodesEveryField) {
  const auto l = full_log().get<respan::DatasetLogRecord>();
  EXPECT_EQ(l.id, "u1");
  EXPECT_EQ(l.unique_id, "u1");
  EXPECT_EQ(l.organization_id, "99");
  EXPECT_EQ(l.environment, "prod");
  EXPECT_EQ(l.timestamp, respan::Timestamp("2026-02-01T12:00:00Z"));
  EXPECT_EQ(l.start_time, respan::Timestamp("2026-02-01T11:59:59Z"));
  EXPECT_EQ(l.prompt_tokens, 25);
  EXPECT_EQ(l.completion_tokens, 18);
  EXPECT_EQ(l.total_request_tokens, 43);
  EXPECT_DOUBLE_EQ(l.cost.value_or(0), 0.002);
  EXPECT_EQ(l.model, "gpt-4o");
  EXPECT_DOUBLE_EQ(l.latency.value_or(0).count(), 1.8);
  EXPECT_EQ(l.status_code, 200);
  EXPECT_EQ(l.status, respan::SpanStatus::success());
  EXPECT_EQ(l.prompt, Json("hello"));
  EXPECT_EQ(l.completion, Json("hi"));
  ASSERT_TRUE(l.messages);
  EXPECT_EQ(l.messages->at(0).at("role"), "user");
  EXPECT_EQ(l.input, Json("{\"q\": \"hello\"}"));  // kept as the server sent it
  EXPECT_EQ(l.output, (Json{{"a", "hi"}}));
  EXPECT_FALSE(l.expected_output);
  EXPECT_EQ(l.dataset_id, "ds-1");
  EXPECT_EQ(l.annotation_status, "completed");
  ASSERT_TRUE(l.annotation_completed_by);
  EXPECT_EQ(l.annotation_completed_by->email, "r@x.io");
  EXPECT_EQ(l.scores.at("ev").at("score_value"), 4);
  EXPECT_EQ(l.metadata, (Json{{"model", "gpt-4o"}}));
  EXPECT_EQ(l.metrics, (Json{{"cost", 0.002}}));
  EXPECT_EQ(l.custom_identifier, "c-1");
  EXPECT_EQ(l.log_type, respan::LogType::chat());
  EXPECT_TRUE(l.extra.empty());
}

TEST(DatasetLogModels, RecordRoundTripKeepsUnknownFields) {
  Json j = full_log();
  j["created_at"] = "2026-02-01T12:00:01Z";
  j["cost"] = "free";  // wrong type -> extra
  const auto l = j.get<respan::DatasetLogRecord>();
  EXPECT_FALSE(l.cost);
  EXPECT_EQ(l.extra, (Json{{"created_at", "2026-02-01T12:00:01Z"}, {"cost", "free"}}));
  Json expected = j;
  expected["organization_id"] = "99";
  expected.erase("expected_output");
  EXPECT_EQ(Json(l), expected);
}

TEST(DatasetLogModels, RecordWithOnlyIdUsesItAsUniqueId) {
  const auto l = (Json{{"id", 5}}).get<respan::DatasetLogRecord>();
  EXPECT_EQ(l.unique_id, "5");
  EXPECT_EQ(l.id, "5");
}

TEST(DatasetLogModels, RecordToleratesNulls) {
  Json j = full_log();
  for (auto& [k, v] : j.items())
    v = nullptr;
  const auto l = j.get<respan::DatasetLogRecord>();
  EXPECT_EQ(l.unique_id, "");
  EXPECT_FALSE(l.input);
  EXPECT_FALSE(l.annotation_completed_by);
  EXPECT_TRUE(l.extra.empty());
  EXPECT_EQ(Json(l), Json::object());
}

// ------------------------------------------------------------------------------ bodies

TEST(DatasetLogModels, ExportBody) {
  respan::ExportLogsRequest e;
  EXPECT_EQ(Json(e), (Json{{"is_exporting", true}}));
  e.filters.equals("model", "gpt-4o");
  e.export_format = respan::ExportFormat::jsonl();
  e.name = "dump";
  const Json j = e;
  EXPECT_EQ(j, (Json{{"is_exporting", true},
                     {"filters", e.filters.to_json()},
                     {"export_format", ".jsonl"},
                     {"name", "dump"}}));
  const auto back = j.get<respan::ExportLogsRequest>();
  EXPECT_EQ(back.filters, e.filters);
  EXPECT_EQ(back.export_format, respan::ExportFormat::jsonl());
  EXPECT_TRUE(back.extra.empty());
}

TEST(DatasetLogModels, ImportBody) {
  respan::ImportLogsRequest i;
  i.start_time = "2026-01-01T00:00:00Z";
  i.end_time = "2026-01-31T00:00:00Z";
  EXPECT_EQ(Json(i),
            (Json{{"start_time", "2026-01-01T00:00:00Z"}, {"end_time", "2026-01-31T00:00:00Z"}}));
  i.filters.gte("cost", 0.5);
  i.sampling_percentage = 50;
  const Json j = i;
  EXPECT_EQ(j.at("filters"), i.filters.to_json());
  EXPECT_EQ(j.at("sampling_percentage"), 50);
  const auto back = j.get<respan::ImportLogsRequest>();
  EXPECT_EQ(back.start_time, i.start_time);
  EXPECT_EQ(back.filters, i.filters);
  EXPECT_EQ(back.sampling_percentage, 50);
  EXPECT_EQ(Json(back), j);
}

TEST(DatasetLogModels, RemovalBody) {
  respan::RemoveLogsRequest r;
  EXPECT_EQ(Json(r), Json::object());
  r.is_deleting_all_logs = true;
  EXPECT_EQ(Json(r), (Json{{"is_deleting_all_logs", true}}));
  r.is_deleting_all_logs = false;
  r.filters.equals("unique_id", "abc");
  EXPECT_EQ(Json(r), (Json{{"filters", r.filters.to_json()}}));
  const auto back = Json(r).get<respan::RemoveLogsRequest>();
  EXPECT_FALSE(back.is_deleting_all_logs);
  EXPECT_EQ(back.filters, r.filters);
  // A non-object filters value is not silently dropped.
  const auto odd = Json{{"filters", "all"}}.get<respan::RemoveLogsRequest>();
  EXPECT_TRUE(odd.filters.empty());
  EXPECT_EQ(odd.extra, (Json{{"filters", "all"}}));
}

// ------------------------------------------------------------------------------ summary

TEST(DatasetLogModels, SummaryDecoding) {
  const Json j = {{"number_of_requests", 3},
                  {"total_cost", 0.3},
                  {"total_tokens", 90},
                  {"total_prompt_tokens", 60},
                  {"total_completion_tokens", 30},
                  {"avg_latency", 1.25},
                  {"avg_tps", 12.0},
                  {"avg_ttft", nullptr},
                  {"scores",
                   {{"ev-1",
                     {{"evaluator_id", "ev-1"},
                      {"evaluator_slug", "relevance"},
                      {"evaluator_name", "Relevance"},
                      {"score_value_type", "numerical"},
                      {"avg_score", 4.5},
                      {"true_count", 0},
                      {"false_count", 0}}},
                    {"weird", 3}}},
                  {"p95_latency", 2.0}};
  const auto s = j.get<respan::DatasetLogsSummary>();
  EXPECT_EQ(s.number_of_requests, 3);
  EXPECT_DOUBLE_EQ(s.total_cost, 0.3);
  EXPECT_EQ(s.total_tokens, 90);
  EXPECT_EQ(s.total_prompt_tokens, 60);
  EXPECT_EQ(s.total_completion_tokens, 30);
  EXPECT_DOUBLE_EQ(s.avg_latency.count(), 1.25);
  EXPECT_DOUBLE_EQ(s.avg_tps, 12.0);
  EXPECT_DOUBLE_EQ(s.avg_ttft.count(), 0.0);  // null tolerated
  ASSERT_EQ(s.scores.size(), 1u);
  EXPECT_EQ(s.scores.at("ev-1").evaluator_slug, "relevance");
  EXPECT_DOUBLE_EQ(s.scores.at("ev-1").avg_score.value_or(0), 4.5);
  EXPECT_EQ(s.extra.at("p95_latency"), 2.0);
  EXPECT_EQ(s.extra.at("scores"), (Json{{"weird", 3}}));

  const Json again = s;
  EXPECT_EQ(again.at("scores").at("ev-1").at("avg_score"), 4.5);
  EXPECT_EQ(again.at("p95_latency"), 2.0);
}

TEST(DatasetLogModels, SummaryOfEmptyObject) {
  const auto s = Json::object().get<respan::DatasetLogsSummary>();
  EXPECT_EQ(s.number_of_requests, 0);
  EXPECT_TRUE(s.scores.empty());
  EXPECT_TRUE(s.extra.empty());
}

TEST(DatasetModels, KnownStatusValues) {
  EXPECT_TRUE(respan::DatasetStatus::loading().is_known());
  EXPECT_TRUE(respan::DatasetStatus::failed().is_known());
  EXPECT_FALSE(respan::DatasetStatus("gone").is_known());
  EXPECT_TRUE(respan::EvaluationTaskStatus::completed().is_known());
  EXPECT_EQ(Json(respan::DatasetStatus::ready()), "ready");
}

}  // namespace

namespace {

TEST(DatasetLogModels, OptionalTextAndMetricsFieldsAreSentOnlyWhenSet) {
  respan::DatasetLog c;
  c.input = "q";
  EXPECT_EQ(Json(c), (Json{{"input", "q"}}));
  c.prompt = "p";
  c.completion = "a";
  EXPECT_EQ(Json(c), (Json{{"input", "q"}, {"prompt", "p"}, {"completion", "a"}}));
  EXPECT_EQ(Json(c).get<respan::DatasetLog>().completion, "a");

  respan::DatasetLogUpdate u;
  u.metrics = Json{{"cost", 0.5}};
  EXPECT_EQ(Json(u), (Json{{"metrics", {{"cost", 0.5}}}}));
  EXPECT_EQ(Json(u).get<respan::DatasetLogUpdate>().metrics, (Json{{"cost", 0.5}}));
}

}  // namespace

namespace {

TEST(DatasetLogModels, RecordStatusAndLogTypeAreOpenEnums) {
  const auto l = Json{{"unique_id", "u"}, {"status", "partial"}, {"log_type", "text"}}
                     .get<respan::DatasetLogRecord>();
  ASSERT_TRUE(l.status);
  EXPECT_FALSE(l.status->is_known());
  EXPECT_EQ(l.status->value(), "partial");
  ASSERT_TRUE(l.log_type);
  EXPECT_EQ(l.log_type->value(), "text");
  EXPECT_TRUE(respan::ExportFormat::csv().is_known());
  EXPECT_EQ(Json(respan::ExportFormat::csv()), ".csv");
  EXPECT_TRUE(respan::DatasetType::llm().is_known());
}

}  // namespace
