// The dataset, dataset-log and dataset-evaluation APIs end to end: the real client and libcurl
// transport against the mock server over loopback.
#include <chrono>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

#include "mock_api_test.hpp"

using namespace std::chrono_literals;
using respan::ErrorCode;
using respan::Json;
using respan::testing::Fault;
using respan::testing::MockServer;
using respan::testing::RecordedRequest;

namespace {

class DatasetsApi : public MockApiTest {
 protected:
  respan::RespanClient client() const { return respan::RespanClient::create(options()).value(); }

  // An empty dataset created over HTTP.
  respan::DatasetRecord empty_dataset(const std::string& name) const {
    respan::Dataset c;
    c.name = name;
    c.is_empty = true;
    return client().datasets().create(c).value();
  }

  static respan::DatasetLog log_row(const std::string& question, double cost = 0.002) {
    respan::DatasetLog l;
    l.input = Json{{"question", question}};
    l.output = Json{{"answer", "A: " + question}};
    l.metadata = Json{{"model", "gpt-4o"}, {"log_type", "chat"}};
    l.metrics =
        Json{{"prompt_tokens", 25}, {"completion_tokens", 18}, {"cost", cost}, {"latency", 1.5}};
    return l;
  }

  static std::string logs_path(const std::string& id) { return "/api/datasets/" + id + "/logs/"; }
};

// ------------------------------------------------------------------------------ datasets

TEST_F(DatasetsApi, CreateEmptyDatasetSendsOnlySetFields) {
  respan::Dataset c;
  c.name = "support-regressions";
  c.description = "hand-picked";
  c.is_empty = true;
  auto ds = client().datasets().create(c);
  ASSERT_TRUE(ds) << ds.error();
  EXPECT_EQ(ds->id.size(), 36u);  // UUID
  EXPECT_EQ(ds->name, "support-regressions");
  EXPECT_EQ(ds->description, "hand-picked");
  EXPECT_EQ(ds->status, respan::DatasetStatus::ready());
  EXPECT_EQ(ds->log_count, 0);
  EXPECT_TRUE(ds->created_at && ds->created_at->valid());

  auto sent = requests_to("/api/datasets/");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].method, "POST");
  EXPECT_EQ(sent[0].header("authorization"), "Bearer " + server_.api_key());
  EXPECT_EQ(
      sent[0].json(),
      (Json{{"name", "support-regressions"}, {"description", "hand-picked"}, {"is_empty", true}}));
  ASSERT_EQ(server_.datasets().size(), 1u);
  EXPECT_EQ(server_.datasets()[0]["id"], ds->id);
}

TEST_F(DatasetsApi, CreateValidatesLocallyBeforeSending) {
  auto c = client();
  respan::Dataset no_name;
  no_name.is_empty = true;
  auto r = c.datasets().create(no_name);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(r.error().attempts, 0);

  for (std::int64_t bad : {0, 101, -5}) {
    respan::Dataset s;
    s.name = "x";
    s.sampling = bad;
    auto rs = c.datasets().create(s);
    ASSERT_FALSE(rs);
    EXPECT_EQ(rs.error().code, ErrorCode::invalid_argument) << bad;
  }
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(DatasetsApi, CreateFromLogsWithoutTimeWindowIsABadRequest) {
  respan::Dataset c;
  c.name = "from logs";  // neither is_empty nor a source: start/end times are required
  auto r = client().datasets().create(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::bad_request);
  EXPECT_EQ(r.error().http_status, 400);
  EXPECT_NE(r.error().message.find("start_time"), std::string::npos) << r.error().message;
  EXPECT_TRUE(server_.datasets().empty());
}

TEST_F(DatasetsApi, CreateFromLogsSamplesTheWindowAndFilters) {
  for (int i = 0; i < 4; ++i) {
    server_.add_request_log({{"model", i < 3 ? "gpt-4o" : "claude"},
                             {"input", "q" + std::to_string(i)},
                             {"output", "a"},
                             {"cost", 0.5},
                             {"timestamp", "2026-01-10T00:00:0" + std::to_string(i) + "Z"}});
  }
  server_.add_request_log({{"model", "gpt-4o"}, {"timestamp", "2025-06-01T00:00:00Z"}});
  respan::Dataset c;
  c.name = "regressions";
  c.start_time = respan::Timestamp("2026-01-01T00:00:00Z");
  c.end_time = respan::Timestamp("2026-02-01T00:00:00Z");
  c.initial_log_filters = respan::Filters().equals("model", "gpt-4o");
  c.sampling = 100;
  auto ds = client().datasets().create(c);
  ASSERT_TRUE(ds) << ds.error();
  auto got = client().datasets().retrieve(ds->id);
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(got->log_count, 3);
  ASSERT_TRUE(got->initial_log_filters);
  EXPECT_EQ(*got->initial_log_filters, c.initial_log_filters->to_json());
  EXPECT_EQ(requests_to("/api/datasets/").at(0).json().at("initial_log_filters"),
            (Json{{"model", {{"operator", ""}, {"value", {"gpt-4o"}}}}}));
}

TEST_F(DatasetsApi, CopyingADatasetNeedsNoName) {
  auto c = client();
  auto src = empty_dataset("source");
  ASSERT_TRUE(c.dataset_logs(src.id).create(log_row("one")));
  ASSERT_TRUE(c.dataset_logs(src.id).create(log_row("two")));
  respan::Dataset copy;
  copy.source_dataset_id = src.id;
  auto dup = c.datasets().create(copy);
  ASSERT_TRUE(dup) << dup.error();
  EXPECT_NE(dup->id, src.id);
  EXPECT_EQ(server_.dataset_logs(dup->id).size(), 2u);
  EXPECT_EQ(requests_to("/api/datasets/").back().json(), (Json{{"source_dataset_id", src.id}}));
}

TEST_F(DatasetsApi, BackgroundCreationReportsInitializingUntilDone) {
  respan::testing::MockServerOptions mo;
  mo.immediate_background_jobs = false;
  MockServer slow(mo);
  slow.start();
  auto o = options();
  o.base_url = slow.base_url();
  auto c = respan::RespanClient::create(o).value();
  slow.add_request_log({{"model", "gpt-4o"}, {"timestamp", "2026-01-10T00:00:00Z"}});
  respan::Dataset create;
  create.name = "async";
  create.start_time = respan::Timestamp("2026-01-01T00:00:00Z");
  create.end_time = respan::Timestamp("2026-02-01T00:00:00Z");
  auto ds = c.datasets().create(create);
  ASSERT_TRUE(ds) << ds.error();
  EXPECT_EQ(ds->status, respan::DatasetStatus::initializing());
  EXPECT_EQ(ds->log_count, 0);
  slow.complete_pending_jobs();
  auto after = c.datasets().retrieve(ds->id);
  ASSERT_TRUE(after) << after.error();
  EXPECT_EQ(after->status, respan::DatasetStatus::ready());
  EXPECT_EQ(after->log_count, 1);
}

TEST_F(DatasetsApi, WrongKeyIsUnauthorizedOnEveryKindOfCall) {
  auto o = options();
  o.api_key = "sk-wrong-0000";
  auto c = respan::RespanClient::create(o).value();
  auto ds = empty_dataset("mine");

  auto list = c.datasets().list();
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().code, ErrorCode::unauthorized);
  EXPECT_EQ(list.error().http_status, 401);
  EXPECT_EQ(list.error().attempts, 1);  // not retried

  auto log = c.dataset_logs(ds.id).create(log_row("q"));
  ASSERT_FALSE(log);
  EXPECT_EQ(log.error().code, ErrorCode::unauthorized);
  auto del = c.datasets().remove(ds.id);
  ASSERT_FALSE(del);
  EXPECT_EQ(del.error().http_status, 401);
  EXPECT_EQ(server_.datasets().size(), 1u);
  EXPECT_EQ(del.error().to_string().find("sk-wrong-0000"), std::string::npos);
}

TEST_F(DatasetsApi, RetrieveUpdateAndDelete) {
  auto c = client();
  auto ds = empty_dataset("before");

  auto got = c.datasets().retrieve(ds.id);
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(got->id, ds.id);
  EXPECT_EQ(got->name, "before");
  EXPECT_EQ(requests_to("/api/datasets/" + ds.id + "/", "GET").size(), 1u);

  respan::DatasetUpdate u;
  u.name = "after";
  u.starred = true;
  u.tags = std::vector<std::string>{"tag-1", "tag-2"};
  auto upd = c.datasets().update(ds.id, u);
  ASSERT_TRUE(upd) << upd.error();
  EXPECT_EQ(upd->name, "after");
  EXPECT_EQ(upd->description, "");  // untouched
  // The update answers the retrieve shape (REFERENCE §4.4, §4.3), which has no starred/tags:
  // list rows carry them (§4.2).
  auto listed = c.datasets().list();
  ASSERT_TRUE(listed) << listed.error();
  ASSERT_EQ(listed->results.size(), 1u);
  EXPECT_EQ(listed->results[0].starred, true);
  ASSERT_TRUE(listed->results[0].tags);
  ASSERT_EQ(listed->results[0].tags->size(), 2u);
  EXPECT_EQ((*listed->results[0].tags)[1].id, "tag-2");
  auto patch = requests_to("/api/datasets/" + ds.id + "/", "PATCH");
  ASSERT_EQ(patch.size(), 1u);
  EXPECT_EQ(patch[0].json(),
            (Json{{"name", "after"}, {"starred", true}, {"tags", {"tag-1", "tag-2"}}}));

  ASSERT_TRUE(c.datasets().remove(ds.id));
  EXPECT_EQ(requests_to("/api/datasets/" + ds.id + "/", "DELETE").size(), 1u);
  EXPECT_TRUE(server_.datasets().empty());
  auto gone = c.datasets().retrieve(ds.id);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::not_found);
  EXPECT_EQ(gone.error().http_status, 404);
  auto again = c.datasets().remove(ds.id);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::not_found);
}

TEST_F(DatasetsApi, UnknownDatasetIsNotFoundEverywhere) {
  auto c = client();
  const std::string id = "00000000-0000-4000-8000-000000000000";
  EXPECT_EQ(c.datasets().update(id, {}).error().http_status, 404);
  EXPECT_EQ(c.dataset_logs(id).create(log_row("q")).error().code, ErrorCode::not_found);
  EXPECT_EQ(c.dataset_logs(id).list().error().code, ErrorCode::not_found);
  EXPECT_EQ(c.dataset_logs(id).summary().error().code, ErrorCode::not_found);
  respan::RunEvaluatorsRequest run;
  run.evaluator_ids = {"relevance"};
  EXPECT_EQ(c.datasets().run_evaluators(id, run).error().code, ErrorCode::not_found);
  EXPECT_EQ(c.datasets().list_eval_runs(id).error().code, ErrorCode::not_found);
}

TEST_F(DatasetsApi, ListSendsPagingInQueryFiltersInBodyAndListAllYieldsEachOnce) {
  auto c = client();
  std::set<std::string> support_ids;
  for (int i = 0; i < 7; ++i)
    support_ids.insert(empty_dataset("Support " + std::to_string(i)).id);
  for (int i = 0; i < 3; ++i)
    empty_dataset("billing " + std::to_string(i));
  server_.clear_requests();

  respan::DatasetListQuery q;
  q.filters.icontains("name", "support");
  q.page_size = 3;
  q.sort_by = "name";
  auto page = c.datasets().list(q);
  ASSERT_TRUE(page) << page.error();
  EXPECT_EQ(page->count, 7);
  EXPECT_EQ(page->total_count, 7);
  ASSERT_EQ(page->results.size(), 3u);
  EXPECT_EQ(page->results[0].name, "Support 0");  // sorted by name
  EXPECT_TRUE(page->has_next());
  EXPECT_EQ(page->current_filters, q.filters.to_json());

  auto sent = requests_to("/api/datasets/list/");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].method, "POST");
  EXPECT_EQ(sent[0].query_params.at("page_size"), "3");
  EXPECT_EQ(sent[0].query_params.at("sort_by"), "name");
  EXPECT_EQ(sent[0].query_params.count("page"), 0u);
  EXPECT_EQ(sent[0].json(), (Json{{"filters", q.filters.to_json()}}));

  server_.clear_requests();
  std::set<std::string> seen;
  auto range = c.datasets().list_all(q);
  for (auto& ds : range) {
    ASSERT_TRUE(ds) << ds.error();
    EXPECT_TRUE(seen.insert(ds->id).second) << "yielded twice: " << ds->id;
  }
  EXPECT_EQ(seen, support_ids);
  EXPECT_EQ(range.pages_fetched(), 3);
  auto pages = requests_to("/api/datasets/list/");
  ASSERT_EQ(pages.size(), 3u);
  for (std::size_t i = 0; i < pages.size(); ++i) {
    EXPECT_EQ(pages[i].query_params.at("page"), std::to_string(i + 1));
    EXPECT_EQ(pages[i].query_params.at("page_size"), "3");
    EXPECT_EQ(pages[i].json(), (Json{{"filters", q.filters.to_json()}}));
    EXPECT_FALSE(pages[i].json().contains("page"));
  }
}

TEST_F(DatasetsApi, ListWithoutFiltersSendsAnEmptyObject) {
  empty_dataset("a");
  server_.clear_requests();
  auto page = client().datasets().list();
  ASSERT_TRUE(page) << page.error();
  EXPECT_EQ(page->count, 1);
  EXPECT_EQ(requests_to("/api/datasets/list/").at(0).json(), Json::object());
  EXPECT_TRUE(requests_to("/api/datasets/list/").at(0).query.empty());
}

TEST_F(DatasetsApi, InvalidPagingIsRejectedLocally) {
  auto c = client();
  respan::DatasetListQuery q;
  q.page_size = 101;
  EXPECT_EQ(c.datasets().list(q).error().code, ErrorCode::invalid_argument);
  q.page_size.reset();
  q.page = 0;
  EXPECT_EQ(c.datasets().list(q).error().code, ErrorCode::invalid_argument);
  respan::DatasetLogListQuery lq;
  lq.page_size = 101;
  EXPECT_EQ(c.dataset_logs("ds").list(lq).error().code, ErrorCode::invalid_argument);
  respan::EvalRunListQuery eq;
  eq.page_size = 500;
  EXPECT_EQ(c.datasets().list_eval_runs("ds", eq).error().code, ErrorCode::invalid_argument);
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(DatasetsApi, EmptyIdsAreRejectedLocallyOnEveryCall) {
  auto c = client();
  auto expect_invalid = [](const respan::Error& e) {
    EXPECT_EQ(e.code, ErrorCode::invalid_argument);
  };
  expect_invalid(c.datasets().retrieve("").error());
  expect_invalid(c.datasets().update("", {}).error());
  expect_invalid(c.datasets().remove("").error());
  respan::RunEvaluatorsRequest run;
  run.evaluator_ids = {"e"};
  expect_invalid(c.datasets().run_evaluators("", run).error());
  expect_invalid(c.datasets().list_eval_runs("").error());
  auto runs = c.datasets().list_all_eval_runs("");
  auto it = runs.begin();
  ASSERT_NE(it, runs.end());
  ASSERT_FALSE(*it);
  expect_invalid(it->error());

  auto logs = c.dataset_logs("");
  EXPECT_EQ(logs.dataset_id(), "");
  expect_invalid(logs.create(log_row("q")).error());
  expect_invalid(logs.create_bulk({log_row("q")}).error());
  expect_invalid(logs.list().error());
  expect_invalid(logs.export_logs().error());
  expect_invalid(logs.retrieve("u").error());
  expect_invalid(logs.update("u", {}).error());
  expect_invalid(logs.replace("u", {}).error());
  expect_invalid(logs.remove("u").error());
  respan::ImportLogsRequest imp;
  imp.start_time = "2026-01-01T00:00:00Z";
  imp.end_time = "2026-01-02T00:00:00Z";
  expect_invalid(logs.import_logs(imp).error());
  respan::RemoveLogsRequest rm;
  rm.is_deleting_all_logs = true;
  expect_invalid(logs.remove_logs(rm).error());
  expect_invalid(logs.summary().error());
  expect_invalid(logs.summary(respan::Filters().equals("model", "x")).error());
  // And an empty log id on a valid dataset.
  auto ok = c.dataset_logs("ds");
  expect_invalid(ok.retrieve("").error());
  expect_invalid(ok.update("", {}).error());
  expect_invalid(ok.replace("", {}).error());
  expect_invalid(ok.remove("").error());
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(DatasetsApi, PathParametersArePercentEncoded) {
  auto c = client();
  auto r = c.datasets().retrieve("team/a b?x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::not_found);  // one unknown id, not another route
  ASSERT_EQ(server_.requests().size(), 1u);
  EXPECT_EQ(server_.requests()[0].path, "/api/datasets/team%2Fa%20b%3Fx/");
  EXPECT_TRUE(server_.requests()[0].query.empty());

  auto ds = empty_dataset("plain");
  server_.clear_requests();
  auto log = c.dataset_logs(ds.id).retrieve("../x y");
  ASSERT_FALSE(log);
  EXPECT_EQ(log.error().code, ErrorCode::not_found);
  ASSERT_EQ(server_.requests().size(), 1u);
  EXPECT_EQ(server_.requests()[0].path, "/api/datasets/" + ds.id + "/logs/..%2Fx%20y/");

  server_.clear_requests();
  respan::RunEvaluatorsRequest run;
  run.evaluator_ids = {"e"};
  (void)c.datasets().run_evaluators("a/b", run);
  EXPECT_EQ(server_.requests().at(0).path, "/api/datasets/a%2Fb/eval-reports/create/");
}

// ------------------------------------------------------------------------------ dataset logs

TEST_F(DatasetsApi, CreateLogSendsTheDocumentedBodyAndRetrieves) {
  auto c = client();
  auto ds = empty_dataset("logs");
  auto logs = c.dataset_logs(ds.id);
  EXPECT_EQ(logs.dataset_id(), ds.id);

  respan::DatasetLog l;
  l.input = Json{{"customer_id", "cust_12345"}, {"message", "I need help with my subscription"}};
  l.output = Json{{"response", "I would be happy to help with your subscription."}};
  l.metadata = Json{{"model", "gpt-4o"}, {"log_type", "chat"}};
  l.metrics =
      Json{{"prompt_tokens", 25}, {"completion_tokens", 18}, {"cost", 0.002}, {"latency", 1.8}};
  auto created = logs.create(l);
  ASSERT_TRUE(created) << created.error();
  EXPECT_EQ(created->message, "Dataset log created successfully");
  EXPECT_EQ(created->unique_id.size(), 32u);
  auto sent = requests_to(logs_path(ds.id), "POST");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].json(), Json(l));
  EXPECT_FALSE(sent[0].json().contains("expected_output"));

  auto got = logs.retrieve(created->unique_id);
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(got->unique_id, created->unique_id);
  EXPECT_EQ(got->dataset_id, ds.id);
  EXPECT_EQ(got->input, l.input);
  EXPECT_EQ(got->output, l.output);
  EXPECT_FALSE(got->expected_output);
  EXPECT_EQ(got->model, "gpt-4o");
  EXPECT_EQ(got->prompt_tokens, 25);
  EXPECT_EQ(got->completion_tokens, 18);
  EXPECT_EQ(got->total_request_tokens, 43);
  EXPECT_DOUBLE_EQ(got->cost.value_or(0), 0.002);
  EXPECT_DOUBLE_EQ(got->latency.value_or(0).count(), 1.8);
  EXPECT_EQ(got->environment, "test");
  EXPECT_TRUE(got->timestamp && got->timestamp->valid());
  // log_type is a list-row field (REFERENCE §5.2), not one of a single log (§5.3).
  auto rows = logs.list();
  ASSERT_TRUE(rows) << rows.error();
  ASSERT_EQ(rows->results.size(), 1u);
  EXPECT_EQ(rows->results[0].log_type, respan::LogType::chat());
}

TEST_F(DatasetsApi, CreateLogValidation) {
  auto c = client();
  auto ds = empty_dataset("v");
  auto logs = c.dataset_logs(ds.id);
  server_.clear_requests();

  respan::DatasetLog no_input;
  no_input.output = "x";
  EXPECT_EQ(logs.create(no_input).error().code, ErrorCode::invalid_argument);
  respan::DatasetLog bad_metrics = log_row("q");
  bad_metrics.metrics = Json::array({1, 2});
  EXPECT_EQ(logs.create(bad_metrics).error().code, ErrorCode::invalid_argument);
  respan::DatasetLog nan_metric = log_row("q");
  nan_metric.metrics = Json{{"cost", std::nan("")}};
  auto nan_r = logs.create(nan_metric);
  ASSERT_FALSE(nan_r);
  EXPECT_EQ(nan_r.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(nan_r.error().message, "DatasetLog.metrics.cost: not a finite number (NaN)");
  respan::DatasetLogUpdate null_update;
  null_update.expected_output = Json();
  EXPECT_EQ(logs.update("some-log", null_update).error().message,
            "DatasetLogUpdate.expected_output: set but null");
  EXPECT_TRUE(server_.requests().empty());

  // Checked by the server: a non-object metadata sent through `extra` (400 {"message"}, the
  // dataset family's documented 400 body, REFERENCE §9).
  respan::DatasetLog bad_metadata;
  bad_metadata.input = "q";
  bad_metadata.extra["metadata"] = "not an object";
  auto r = logs.create(bad_metadata);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::bad_request);
  EXPECT_EQ(r.error().http_status, 400);
  EXPECT_EQ(r.error().message, "metadata must be an object.");
  EXPECT_TRUE(server_.dataset_logs(ds.id).empty());
}

TEST_F(DatasetsApi, PatchChangesOnlyTheGivenFields) {
  auto c = client();
  auto ds = empty_dataset("patch");
  auto logs = c.dataset_logs(ds.id);
  respan::DatasetLog l = log_row("keep me");
  const std::string uid = logs.create(l).value().unique_id;
  // expected_output is no documented create field (REFERENCE §5.1): set it with PATCH (§5.4).
  respan::DatasetLogUpdate gold;
  gold.expected_output = "gold";
  ASSERT_TRUE(logs.update(uid, gold));
  server_.clear_requests();

  respan::DatasetLogUpdate u;
  u.output = Json{{"answer", "better"}};
  u.prompt = "system prompt";
  auto upd = logs.update(uid, u);
  ASSERT_TRUE(upd) << upd.error();
  EXPECT_EQ(upd->output, (Json{{"answer", "better"}}));
  EXPECT_EQ(upd->prompt, Json("system prompt"));
  EXPECT_EQ(upd->input, l.input);                 // untouched
  EXPECT_EQ(upd->expected_output, Json("gold"));  // untouched
  EXPECT_EQ(upd->metadata, l.metadata);           // untouched
  auto sent = requests_to(logs_path(ds.id) + uid + "/", "PATCH");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].json(),
            (Json{{"output", {{"answer", "better"}}}, {"prompt", "system prompt"}}));

  auto missing = logs.update("0123456789abcdef0123456789abcdef", u);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
}

TEST_F(DatasetsApi, PutReplacesAndRemovesOmittedFields) {
  auto c = client();
  auto ds = empty_dataset("put");
  auto logs = c.dataset_logs(ds.id);
  respan::DatasetLog l = log_row("old question");
  l.expected_output = "gold";
  const std::string uid = logs.create(l).value().unique_id;

  respan::DatasetLogUpdate replacement;
  replacement.input = Json{{"question", "new question"}};
  replacement.completion = "done";
  auto rep = logs.replace(uid, replacement);
  ASSERT_TRUE(rep) << rep.error();
  EXPECT_EQ(rep->input, (Json{{"question", "new question"}}));
  EXPECT_EQ(rep->completion, Json("done"));
  EXPECT_FALSE(rep->output);           // omitted -> removed
  EXPECT_FALSE(rep->expected_output);  // omitted -> removed
  EXPECT_EQ(rep->metadata.value_or(Json()), Json::object());
  // model is no body field of PUT (§5.5): it keeps the value derived at creation [guess].
  EXPECT_EQ(rep->model, "gpt-4o");

  auto sent = requests_to(logs_path(ds.id) + uid + "/", "PUT");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].json(), Json(replacement));
  auto stored = logs.retrieve(uid).value();
  EXPECT_FALSE(stored.output);
  EXPECT_EQ(stored.input, (Json{{"question", "new question"}}));
}

TEST_F(DatasetsApi, DeleteOneLog) {
  auto c = client();
  auto ds = empty_dataset("del");
  auto logs = c.dataset_logs(ds.id);
  const std::string a = logs.create(log_row("a")).value().unique_id;
  const std::string b = logs.create(log_row("b")).value().unique_id;
  ASSERT_TRUE(logs.remove(a));
  EXPECT_EQ(requests_to(logs_path(ds.id) + a + "/", "DELETE").size(), 1u);
  ASSERT_EQ(server_.dataset_logs(ds.id).size(), 1u);
  EXPECT_EQ(server_.dataset_logs(ds.id)[0]["unique_id"], b);
  auto gone = logs.retrieve(a);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::not_found);
  EXPECT_EQ(logs.remove(a).error().http_status, 404);
}

TEST_F(DatasetsApi, ListLogsPagesWithQueryAndBodyAndIncludeFields) {
  auto c = client();
  auto ds = empty_dataset("list");
  auto logs = c.dataset_logs(ds.id);
  std::set<std::string> cheap;
  for (int i = 0; i < 11; ++i) {
    const double cost = i < 8 ? 0.001 : 1.0;
    auto id = logs.create(log_row("q" + std::to_string(i), cost)).value().unique_id;
    if (i < 8) cheap.insert(id);
  }
  server_.clear_requests();

  respan::DatasetLogListQuery q;
  q.filters.lt("cost", 0.5);
  q.page_size = 3;
  q.sort_by = "-timestamp";
  auto page = logs.list(q);
  ASSERT_TRUE(page) << page.error();
  EXPECT_EQ(page->count, 8);
  EXPECT_EQ(page->results.size(), 3u);
  EXPECT_TRUE(page->has_next());
  auto sent = requests_to(logs_path(ds.id) + "list/");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].query_params.at("page_size"), "3");
  EXPECT_EQ(sent[0].query_params.at("sort_by"), "-timestamp");
  EXPECT_EQ(sent[0].json(), (Json{{"filters", q.filters.to_json()}}));

  server_.clear_requests();
  std::set<std::string> seen;
  auto range = logs.list_all(q);
  for (auto& row : range) {
    ASSERT_TRUE(row) << row.error();
    EXPECT_TRUE(seen.insert(row->unique_id).second) << "yielded twice";
    EXPECT_LT(row->cost.value_or(99), 0.5);
  }
  EXPECT_EQ(seen, cheap);
  EXPECT_EQ(range.pages_fetched(), 3);
  auto pages = requests_to(logs_path(ds.id) + "list/");
  ASSERT_EQ(pages.size(), 3u);
  EXPECT_EQ(pages[2].query_params.at("page"), "3");
  EXPECT_EQ(pages[2].json(), (Json{{"filters", q.filters.to_json()}}));

  server_.clear_requests();
  respan::DatasetLogListQuery slim;
  slim.include_fields = {"unique_id", "cost"};
  auto rows = logs.list(slim);
  ASSERT_TRUE(rows) << rows.error();
  EXPECT_EQ(requests_to(logs_path(ds.id) + "list/").at(0).query_params.at("include_fields"),
            "unique_id,cost");
  ASSERT_FALSE(rows->results.empty());
  EXPECT_FALSE(rows->results[0].unique_id.empty());
  EXPECT_FALSE(rows->results[0].input);  // not included
}

TEST_F(DatasetsApi, ExportStartsAnAsyncExport) {
  auto c = client();
  auto ds = empty_dataset("export");
  auto logs = c.dataset_logs(ds.id);
  respan::ExportLogsRequest e;
  e.filters.equals("model", "gpt-4o");
  e.export_format = respan::ExportFormat::jsonl();
  e.name = "nightly";
  auto r = logs.export_logs(e);
  ASSERT_TRUE(r) << r.error();
  ASSERT_TRUE(r->message);
  EXPECT_NE(r->message->find("Export"), std::string::npos);
  auto sent = requests_to(logs_path(ds.id) + "list/");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].json(), (Json{{"is_exporting", true},
                                  {"filters", e.filters.to_json()},
                                  {"export_format", ".jsonl"},
                                  {"name", "nightly"}}));

  auto dflt = logs.export_logs();
  ASSERT_TRUE(dflt) << dflt.error();
  EXPECT_EQ(requests_to(logs_path(ds.id) + "list/").back().json(), (Json{{"is_exporting", true}}));

  respan::ExportLogsRequest bad;
  bad.export_format = respan::ExportFormat(".xlsx");
  auto rb = logs.export_logs(bad);
  ASSERT_FALSE(rb);
  EXPECT_EQ(rb.error().code, ErrorCode::bad_request);
}

TEST_F(DatasetsApi, BulkCreateChunksAndReportsBadRowsByOriginalIndex) {
  auto c = client();
  auto ds = empty_dataset("bulk");
  std::vector<respan::DatasetLog> rows;
  for (int i = 0; i < 1203; ++i)
    rows.push_back(log_row("q" + std::to_string(i)));
  // Every field of a bulk row is optional, input included (REFERENCE §5.7): sent without it.
  rows[0].input = Json();
  rows[600].input = Json();
  rows[1202].input = Json();
  rows[700].metadata = Json("not an object");  // refused locally
  rows[701].metadata = Json("not an object");
  auto r = c.dataset_logs(ds.id).create_bulk(rows);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->success_count, 1201);
  EXPECT_EQ(r->error_count, 2);
  EXPECT_EQ(r->total_errors, 2);
  ASSERT_EQ(r->errors.size(), 2u);
  EXPECT_EQ(r->errors[0].index, 700);
  EXPECT_EQ(r->errors[1].index, 701);
  EXPECT_NE(r->errors[0].error.find("metadata"), std::string::npos);
  EXPECT_TRUE(r->unique_ids.empty());  // the documented answer lists no ids
  EXPECT_FALSE(r->all_succeeded());

  auto sent = requests_to(logs_path(ds.id) + "bulk/");
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0].json().at("logs").size(), 500u);
  EXPECT_EQ(sent[1].json().at("logs").size(), 500u);
  EXPECT_EQ(sent[2].json().at("logs").size(), 201u);
  EXPECT_FALSE(sent[0].json().at("logs").at(0).contains("input"));
  EXPECT_EQ(sent[0].json().at("logs").at(1).at("input"), (Json{{"question", "q1"}}));
  EXPECT_EQ(server_.dataset_logs(ds.id).size(), 1201u);
}

TEST_F(DatasetsApi, BulkReportsUnencodableRowsWithoutThrowing) {
  auto c = client();
  auto ds = empty_dataset("bulk-nan");
  std::vector<respan::DatasetLog> rows{log_row("a"), log_row("b"), log_row("c")};
  rows[2].output = Json();  // set but null
  auto r = c.dataset_logs(ds.id).create_bulk(rows);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->success_count, 2);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].index, 2);
  EXPECT_NE(r->errors[0].error.find("DatasetLog.output: set but null"), std::string::npos);
  EXPECT_EQ(server_.dataset_logs(ds.id).size(), 2u);
}

TEST_F(DatasetsApi, BulkServerRowErrorsMapToOriginalIndices) {
  auto c = client();
  auto ds = empty_dataset("bulk-errors");
  Fault f;
  f.status = 200;
  f.path_prefix = logs_path(ds.id) + "bulk/";
  f.body =
      R"({"success_count": 1, "error_count": 1, "errors": [{"index": 1, "error": "bad row"}], "total_errors": 1})";
  server_.inject_fault(f);
  std::vector<respan::DatasetLog> rows{log_row("a"), log_row("b"), log_row("c")};
  rows[1].metadata = Json("not an object");  // not sent: the server sees rows 0 and 2
  auto r = c.dataset_logs(ds.id).create_bulk(rows);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->success_count, 1);
  EXPECT_EQ(r->error_count, 2);
  ASSERT_EQ(r->errors.size(), 2u);
  EXPECT_EQ(r->errors[0].index, 1);
  EXPECT_EQ(r->errors[1].index, 2);
  EXPECT_EQ(r->errors[1].error, "bad row");
}

TEST_F(DatasetsApi, BulkChunkFailureReportsEachRowOfThatChunk) {
  auto c = client();
  auto ds = empty_dataset("bulk-chunk");
  std::vector<respan::DatasetLog> rows;
  for (int i = 0; i < 520; ++i)
    rows.push_back(log_row("q" + std::to_string(i)));
  Fault f;
  f.status = 503;
  f.times = 3;  // the first chunk fails on every attempt (1 + 2 retries)
  f.path_prefix = logs_path(ds.id) + "bulk/";
  server_.inject_fault(f);
  auto r = c.dataset_logs(ds.id).create_bulk(rows);
  ASSERT_TRUE(r) << r.error();  // partial success is success
  EXPECT_EQ(r->success_count, 20);
  EXPECT_EQ(r->error_count, 500);
  ASSERT_EQ(r->errors.size(), 500u);
  EXPECT_EQ(r->errors.front().index, 0);
  EXPECT_EQ(r->errors.back().index, 499);
  EXPECT_NE(r->errors.front().error.find("503"), std::string::npos) << r->errors.front().error;
  EXPECT_EQ(server_.dataset_logs(ds.id).size(), 20u);
  EXPECT_EQ(requests_to(logs_path(ds.id) + "bulk/").size(), 4u);
}

TEST_F(DatasetsApi, BulkUnauthorizedStopsAndFails) {
  auto o = options();
  o.api_key = "nope";
  auto c = respan::RespanClient::create(o).value();
  std::vector<respan::DatasetLog> rows(1001, log_row("q"));
  auto r = c.dataset_logs("ds").create_bulk(rows);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::unauthorized);
  EXPECT_EQ(server_.requests().size(), 1u);  // later chunks are not sent
}

TEST_F(DatasetsApi, SavedLogsCollectionWorks) {
  auto c = client();
  auto saved = c.dataset_logs("_saved_logs");
  auto created = saved.create(log_row("saved one"));
  ASSERT_TRUE(created) << created.error();
  EXPECT_EQ(requests_to("/api/datasets/_saved_logs/logs/").size(), 1u);
  auto page = saved.list();
  ASSERT_TRUE(page) << page.error();
  EXPECT_EQ(page->count, 1);
  auto got = saved.retrieve(created->unique_id);
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(got->dataset_id, "_saved_logs");
  EXPECT_EQ(saved.summary().value().number_of_requests, 1);
  EXPECT_TRUE(server_.datasets().empty());  // virtual: not listed
}

// ------------------------------------------------------------------------------ import / remove

TEST_F(DatasetsApi, ImportThenSummaryMatchesTheImportedSpans) {
  auto c = client();
  // In the window and gpt-4o: imported.
  struct Seed {
    const char* ts;
    const char* model;
    double cost;
    int pt, ct;
    double latency;
  };
  const std::vector<Seed> seeds = {
      {"2026-03-01T10:00:00Z", "gpt-4o", 0.25, 100, 20, 2.0},
      {"2026-03-02T10:00:00Z", "gpt-4o", 0.5, 200, 40, 4.0},
      {"2026-03-03T10:00:00Z", "gpt-4o", 0.125, 50, 10, 1.0},
      {"2026-03-02T11:00:00Z", "claude-3", 9.0, 900, 90, 9.0},  // filtered out
      {"2026-02-01T10:00:00Z", "gpt-4o", 7.0, 700, 70, 7.0},    // before the window
      {"2026-05-01T10:00:00Z", "gpt-4o", 8.0, 800, 80, 8.0}};   // after the window
  for (const auto& s : seeds) {
    server_.add_request_log({{"model", s.model},
                             {"timestamp", s.ts},
                             {"input", "question"},
                             {"output", "answer"},
                             {"cost", s.cost},
                             {"prompt_tokens", s.pt},
                             {"completion_tokens", s.ct},
                             {"latency", s.latency}});
  }
  auto ds = empty_dataset("imported");
  auto logs = c.dataset_logs(ds.id);
  respan::ImportLogsRequest imp;
  imp.start_time = "2026-03-01T00:00:00Z";
  imp.end_time = "2026-03-31T00:00:00Z";
  imp.filters.equals("model", "gpt-4o");
  auto msg = logs.import_logs(imp);
  ASSERT_TRUE(msg) << msg.error();
  EXPECT_TRUE(msg->message.has_value());
  auto sent = requests_to(logs_path(ds.id) + "import/", "POST");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].json(), (Json{{"start_time", "2026-03-01T00:00:00Z"},
                                  {"end_time", "2026-03-31T00:00:00Z"},
                                  {"filters", imp.filters.to_json()}}));

  auto sum = logs.summary();
  ASSERT_TRUE(sum) << sum.error();
  EXPECT_EQ(sum->number_of_requests, 3);
  EXPECT_DOUBLE_EQ(sum->total_cost, 0.875);
  EXPECT_EQ(sum->total_prompt_tokens, 350);
  EXPECT_EQ(sum->total_completion_tokens, 70);
  EXPECT_EQ(sum->total_tokens, 420);
  EXPECT_DOUBLE_EQ(sum->avg_latency.count(), 7.0 / 3.0);
  EXPECT_GT(sum->avg_tps, 0.0);
  auto get = requests_to(logs_path(ds.id) + "summary/");
  ASSERT_EQ(get.size(), 1u);
  EXPECT_EQ(get[0].method, "GET");
  EXPECT_TRUE(get[0].body.empty());

  // The listed logs agree with the summary.
  double listed_cost = 0;
  int listed = 0;
  for (auto& row : logs.list_all()) {
    ASSERT_TRUE(row) << row.error();
    listed_cost += row->cost.value_or(0);
    ++listed;
    EXPECT_EQ(row->model, "gpt-4o");
  }
  EXPECT_EQ(listed, 3);
  EXPECT_DOUBLE_EQ(listed_cost, sum->total_cost);

  // Filtered summary (POST) over a subset.
  auto expensive = logs.summary(respan::Filters().gte("cost", 0.25));
  ASSERT_TRUE(expensive) << expensive.error();
  EXPECT_EQ(expensive->number_of_requests, 2);
  EXPECT_DOUBLE_EQ(expensive->total_cost, 0.75);
  auto post = requests_to(logs_path(ds.id) + "summary/", "POST");
  ASSERT_EQ(post.size(), 1u);
  EXPECT_EQ(post[0].json(), (Json{{"filters", respan::Filters().gte("cost", 0.25).to_json()}}));
  // Empty filters: an empty object body.
  auto all = logs.summary(respan::Filters{});
  ASSERT_TRUE(all) << all.error();
  EXPECT_EQ(all->number_of_requests, 3);
  EXPECT_EQ(requests_to(logs_path(ds.id) + "summary/", "POST").back().json(), Json::object());
}

TEST_F(DatasetsApi, ImportSamplingPercentageIsSent) {
  for (int i = 0; i < 10; ++i) {
    server_.add_request_log(
        {{"model", "gpt-4o"}, {"timestamp", "2026-03-01T10:00:0" + std::to_string(i) + "Z"}});
  }
  auto ds = empty_dataset("sampled");
  respan::ImportLogsRequest imp;
  imp.start_time = "2026-03-01T00:00:00Z";
  imp.end_time = "2026-03-02T00:00:00Z";
  imp.sampling_percentage = 30;
  ASSERT_TRUE(client().dataset_logs(ds.id).import_logs(imp));
  EXPECT_EQ(requests_to(logs_path(ds.id) + "import/").at(0).json().at("sampling_percentage"), 30);
  EXPECT_EQ(server_.dataset_logs(ds.id).size(), 3u);
}

TEST_F(DatasetsApi, ImportValidatesLocally) {
  auto logs = client().dataset_logs("ds");
  respan::ImportLogsRequest imp;
  imp.start_time = "2026-03-01T00:00:00Z";
  EXPECT_EQ(logs.import_logs(imp).error().code, ErrorCode::invalid_argument);  // no end
  imp.end_time = "not a date";
  EXPECT_EQ(logs.import_logs(imp).error().code, ErrorCode::invalid_argument);
  imp.end_time = "2026-02-01T00:00:00Z";  // before start
  EXPECT_EQ(logs.import_logs(imp).error().code, ErrorCode::invalid_argument);
  imp.end_time = "2026-04-01T00:00:00Z";
  imp.sampling_percentage = 0;
  EXPECT_EQ(logs.import_logs(imp).error().code, ErrorCode::invalid_argument);
  EXPECT_TRUE(server_.requests().empty());
  // Valid locally; the dataset is unknown to the server.
  imp.sampling_percentage = 100;
  auto r = logs.import_logs(imp);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
}

TEST_F(DatasetsApi, RemoveLogsSendsItsBodyOnDelete) {
  auto c = client();
  auto ds = empty_dataset("remove");
  auto logs = c.dataset_logs(ds.id);
  const std::string keep = logs.create(log_row("keep", 0.001)).value().unique_id;
  const std::string drop = logs.create(log_row("drop", 0.001)).value().unique_id;
  ASSERT_TRUE(logs.create(log_row("pricey", 3.0)));

  respan::RemoveLogsRequest by_id;
  by_id.filters.equals("unique_id", drop);
  auto r = logs.remove_logs(by_id);
  ASSERT_TRUE(r) << r.error();
  EXPECT_TRUE(r->message.has_value());
  auto sent = requests_to(logs_path(ds.id) + "import/", "DELETE");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].header("content-type"), "application/json");
  EXPECT_EQ(sent[0].json(),
            (Json{{"filters", {{"unique_id", {{"operator", ""}, {"value", {drop}}}}}}}));
  EXPECT_EQ(server_.dataset_logs(ds.id).size(), 2u);
  EXPECT_EQ(logs.retrieve(drop).error().code, ErrorCode::not_found);
  EXPECT_TRUE(logs.retrieve(keep));

  respan::RemoveLogsRequest all;
  all.is_deleting_all_logs = true;
  ASSERT_TRUE(logs.remove_logs(all));
  EXPECT_EQ(requests_to(logs_path(ds.id) + "import/", "DELETE").back().json(),
            (Json{{"is_deleting_all_logs", true}}));
  EXPECT_TRUE(server_.dataset_logs(ds.id).empty());

  server_.clear_requests();
  EXPECT_EQ(logs.remove_logs({}).error().code, ErrorCode::invalid_argument);
  EXPECT_TRUE(server_.requests().empty());
}

// ------------------------------------------------------------------------------ evaluations

TEST_F(DatasetsApi, RunEvaluatorsThenListRunsPaged) {
  auto c = client();
  auto ds = empty_dataset("eval");
  auto logs = c.dataset_logs(ds.id);
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(logs.create(log_row("q" + std::to_string(i))));

  respan::RunEvaluatorsRequest run;
  run.evaluator_ids = {"relevance", "toxicity", "fluency"};
  run.experiment_id = "exp-1";
  auto res = c.datasets().run_evaluators(ds.id, run);
  ASSERT_TRUE(res) << res.error();
  ASSERT_EQ(res->created_tasks.size(), 3u);
  for (const auto& t : res->created_tasks) {
    EXPECT_FALSE(t.task_id.empty());
    EXPECT_EQ(t.dataset_id, ds.id);
    EXPECT_EQ(t.status, respan::EvaluationTaskStatus::completed());
    EXPECT_EQ(t.evaluated_logs_count, 4);
    EXPECT_TRUE(t.score.has_value());
  }
  EXPECT_EQ(res->created_tasks[0].evaluator_slug, "relevance");
  EXPECT_TRUE(res->errors.empty());
  EXPECT_EQ(res->experiment_updated, true);
  EXPECT_EQ(res->experiment_evaluator_ids,
            (std::vector<std::string>{"relevance", "toxicity", "fluency"}));
  auto sent = requests_to("/api/datasets/" + ds.id + "/eval-reports/create/");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].json(), Json(run));

  respan::EvalRunListQuery q;
  q.page_size = 2;
  auto page = c.datasets().list_eval_runs(ds.id, q);
  ASSERT_TRUE(page) << page.error();
  EXPECT_EQ(page->count, 3);
  EXPECT_EQ(page->results.size(), 2u);
  EXPECT_TRUE(page->has_next());
  auto listed = requests_to("/api/datasets/" + ds.id + "/eval-reports/list/");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].method, "GET");
  EXPECT_EQ(listed[0].query_params.at("page_size"), "2");
  EXPECT_TRUE(listed[0].body.empty());

  server_.clear_requests();
  std::set<std::string> ids;
  for (const auto& t : res->created_tasks)
    ids.insert(t.task_id);
  std::set<std::string> seen;
  auto range = c.datasets().list_all_eval_runs(ds.id, q);
  for (auto& t : range) {
    ASSERT_TRUE(t) << t.error();
    EXPECT_TRUE(seen.insert(t->task_id).second) << "yielded twice";
  }
  EXPECT_EQ(seen, ids);
  EXPECT_EQ(range.pages_fetched(), 2);
  auto pages = requests_to("/api/datasets/" + ds.id + "/eval-reports/list/");
  ASSERT_EQ(pages.size(), 2u);
  EXPECT_EQ(pages[1].query_params.at("page"), "2");

  // The scores show up in the summary.
  auto sum = logs.summary().value();
  EXPECT_EQ(sum.scores.size(), 3u);
  ASSERT_EQ(sum.scores.count("relevance"), 1u);
  EXPECT_TRUE(sum.scores.at("relevance").avg_score.has_value());
}

TEST_F(DatasetsApi, RunEvaluatorsValidation) {
  auto c = client();
  respan::RunEvaluatorsRequest none;
  EXPECT_EQ(c.datasets().run_evaluators("ds", none).error().code, ErrorCode::invalid_argument);
  respan::RunEvaluatorsRequest blank;
  blank.evaluator_ids = {"ok", ""};
  EXPECT_EQ(c.datasets().run_evaluators("ds", blank).error().code, ErrorCode::invalid_argument);
  EXPECT_TRUE(server_.requests().empty());

  // The server checks the rest: a non-string experiment id sent through extra.
  auto ds = empty_dataset("eval-bad");
  respan::RunEvaluatorsRequest odd;
  odd.evaluator_ids = {"relevance"};
  odd.extra["experiment_id"] = 12;
  auto r = c.datasets().run_evaluators(ds.id, odd);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::bad_request);
  EXPECT_EQ(r.error().http_status, 400);
}

TEST_F(DatasetsApi, RunEvaluatorsWithAnUnknownEvaluatorIsATypedError) {
  auto c = client();
  auto ds = empty_dataset("eval-unknown");
  respan::RunEvaluatorsRequest run;
  run.evaluator_ids = {"relevance", "no-such-judge"};
  auto r = c.datasets().run_evaluators(ds.id, run);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::bad_request);
  EXPECT_EQ(r.error().http_status, 400);
  EXPECT_NE(r.error().message.find("no-such-judge"), std::string::npos) << r.error();
  EXPECT_FALSE(r.error().is_retryable());
  EXPECT_EQ(requests_to("/api/datasets/" + ds.id + "/eval-reports/create/").size(), 1u)
      << "a 400 is not retried";
  EXPECT_TRUE(server_.evaluation_runs(ds.id).empty());
  try {
    (void)c.datasets().run_evaluators(ds.id, run).value();
    ADD_FAILURE() << "value() of a refused run must throw";
  } catch (const respan::ApiError& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_request);
    EXPECT_EQ(e.error().http_status, 400);
  }
}

TEST_F(DatasetsApi, TransientErrorsAreRetried) {
  auto ds = empty_dataset("retry");
  Fault f;
  f.status = 503;
  f.times = 2;
  f.path_prefix = "/api/datasets/" + ds.id + "/";
  server_.inject_fault(f);
  auto got = client().datasets().retrieve(ds.id);
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(requests_to("/api/datasets/" + ds.id + "/").size(), 3u);
}

}  // namespace
