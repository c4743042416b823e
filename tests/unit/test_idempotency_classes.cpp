// Every resource operation declares its idempotency class: after a failure where the request
// may have been processed (a connection reset after sending), idempotent operations are
// retried and creates, import, export and evaluator runs are not.
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <respan/respan.hpp>

#include "scripted_transport.hpp"

namespace {

using respan::ErrorCode;
using respan::test::resp;
using respan::test::ScriptedTransport;

struct Case {
  const char* name;
  bool retried;
  std::function<bool(const respan::RespanClient&)> call;  // true when the call succeeded
};

respan::RespanClient client_of(std::shared_ptr<ScriptedTransport> t,
                               respan::SpanDelivery delivery) {
  respan::ClientOptions o;
  o.api_key = "k";
  o.base_url = "http://127.0.0.1:9";
  o.transport = std::move(t);
  o.sleeper = [](std::chrono::milliseconds) {};
  o.span_delivery = delivery;
  return respan::RespanClient::create(o).value();
}

std::vector<Case> cases() {
  using C = const respan::RespanClient&;
  respan::RequestLog span("gpt-4o");
  respan::Dataset ds;
  ds.name = "d";
  ds.is_empty = true;
  respan::DatasetLog log;
  log.input = "q";
  respan::ImportLogsRequest import;
  import.start_time = "2026-01-01T00:00:00Z";
  import.end_time = "2026-01-02T00:00:00Z";
  respan::RemoveLogsRequest remove;
  remove.is_deleting_all_logs = true;
  respan::RunEvaluatorsRequest run;
  run.evaluator_ids = {"e1"};
  respan::DatasetUpdate dsu;
  dsu.name = "n";
  respan::DatasetLogUpdate logu;
  logu.output = "o";
  respan::RequestLogUpdate spanu;
  spanu.note = "n";
  respan::BulkDeleteTracesRequest bulk_delete;
  bulk_delete.filters.equals("customer_identifier", "c");
  respan::Score score = respan::Score::numerical("quality", 4.5);
  respan::Score general_score = score;
  general_score.log_id = "log1";
  respan::ScoreUpdate scoreu;
  scoreu.numerical_value = 3;
  respan::Prompt prompt;
  prompt.name = "p";
  respan::PromptUpdate promptu;
  promptu.description = "d";
  respan::PromptVersion version;
  version.model = "gpt-4o";
  version.messages = {respan::Message::user("{{q}}")};
  respan::PromptVersionUpdate versionu;
  versionu.temperature = 0.5;
  respan::CustomerUpdate customeru;
  customeru.name = "Alice";
  return {
      {"span create (at least once)", true, [=](C c) { return !!c.request_logs().create(span); }},
      {"span bulk (at least once)", true,
       [=](C c) {
         auto r = c.request_logs().create_bulk({span});
         return r && r->errors.empty();
       }},
      {"span list", true, [](C c) { return !!c.request_logs().list(); }},
      {"span legacy list", true, [](C c) { return !!c.request_logs().list_legacy(); }},
      {"span retrieve", true, [](C c) { return !!c.request_logs().retrieve("u"); }},
      {"span update", true, [=](C c) { return !!c.request_logs().update("u", spanu); }},
      {"span summary", true, [](C c) { return !!c.request_logs().summary(); }},
      {"dataset create", false, [=](C c) { return !!c.datasets().create(ds); }},
      {"dataset list", true, [](C c) { return !!c.datasets().list(); }},
      {"dataset retrieve", true, [](C c) { return !!c.datasets().retrieve("d"); }},
      {"dataset update", true, [=](C c) { return !!c.datasets().update("d", dsu); }},
      {"dataset delete", true, [](C c) { return !!c.datasets().remove("d"); }},
      {"run evaluators", false, [=](C c) { return !!c.datasets().run_evaluators("d", run); }},
      {"eval runs list", true, [](C c) { return !!c.datasets().list_eval_runs("d"); }},
      {"dataset-log create", false, [=](C c) { return !!c.dataset_logs("d").create(log); }},
      {"dataset-log bulk", false,
       [=](C c) {
         auto r = c.dataset_logs("d").create_bulk({log});
         return r && r->errors.empty();
       }},
      {"dataset-log list", true, [](C c) { return !!c.dataset_logs("d").list(); }},
      {"export", false, [](C c) { return !!c.dataset_logs("d").export_logs(); }},
      {"dataset-log retrieve", true, [](C c) { return !!c.dataset_logs("d").retrieve("u"); }},
      {"dataset-log update", true, [=](C c) { return !!c.dataset_logs("d").update("u", logu); }},
      {"dataset-log replace", true, [=](C c) { return !!c.dataset_logs("d").replace("u", logu); }},
      {"dataset-log delete", true, [](C c) { return !!c.dataset_logs("d").remove("u"); }},
      {"import", false, [=](C c) { return !!c.dataset_logs("d").import_logs(import); }},
      {"remove logs", true, [=](C c) { return !!c.dataset_logs("d").remove_logs(remove); }},
      {"logs summary", true, [](C c) { return !!c.dataset_logs("d").summary(); }},
      {"filtered logs summary", true,
       [](C c) { return !!c.dataset_logs("d").summary(respan::Filters{}); }},
      {"trace list", true, [](C c) { return !!c.traces().list(); }},
      {"trace retrieve", true, [](C c) { return !!c.traces().retrieve("t"); }},
      {"trace delete", true, [](C c) { return !!c.traces().remove("t"); }},
      {"trace share", true, [](C c) { return !!c.traces().share("t"); }},
      {"trace unshare", true, [](C c) { return !!c.traces().unshare("t"); }},
      {"trace public read", true, [](C c) { return !!c.traces().retrieve_public("o", "t"); }},
      {"trace bulk delete", true, [=](C c) { return !!c.traces().bulk_delete(bulk_delete); }},
      // Scores (the log-scoped create is an upsert per log, evaluator and scorer).
      {"score create", false, [=](C c) { return !!c.scores().create(general_score); }},
      {"score list", true, [](C c) { return !!c.scores().list(); }},
      {"score retrieve", true, [](C c) { return !!c.scores().retrieve("s"); }},
      {"score replace", true, [=](C c) { return !!c.scores().replace("s", score); }},
      {"score update", true, [=](C c) { return !!c.scores().update("s", scoreu); }},
      {"score delete", true, [](C c) { return !!c.scores().remove("s"); }},
      {"log score list", true, [](C c) { return !!c.scores().for_log("l").list(); }},
      {"log score create (upsert)", true,
       [=](C c) { return !!c.scores().for_log("l").create(score); }},
      {"log score retrieve", true, [](C c) { return !!c.scores().for_log("l").retrieve("s"); }},
      {"log score replace", true,
       [=](C c) { return !!c.scores().for_log("l").replace("s", score); }},
      {"log score update", true,
       [=](C c) { return !!c.scores().for_log("l").update("s", scoreu); }},
      {"log score delete", true, [](C c) { return !!c.scores().for_log("l").remove("s"); }},
      // Prompts.
      {"prompt list", true, [](C c) { return !!c.prompts().list(); }},
      {"prompt create", false, [=](C c) { return !!c.prompts().create(prompt); }},
      {"prompt retrieve", true, [](C c) { return !!c.prompts().retrieve("p"); }},
      {"prompt delete", true, [](C c) { return !!c.prompts().remove("p"); }},
      {"prompt update", true, [=](C c) { return !!c.prompts().update("p", promptu); }},
      {"prompt version list", true, [](C c) { return !!c.prompts().list_versions("p"); }},
      {"prompt version create", false,
       [=](C c) { return !!c.prompts().create_version("p", version); }},
      {"prompt version retrieve", true, [](C c) { return !!c.prompts().retrieve_version("p", 1); }},
      {"prompt version delete", true, [](C c) { return !!c.prompts().remove_version("p", 1); }},
      {"prompt version update", true,
       [=](C c) { return !!c.prompts().update_version("p", 1, versionu); }},
      {"prompt commit", false, [](C c) { return !!c.prompts().commit("p"); }},
      {"prompt deploy", true, [](C c) { return !!c.prompts().deploy("p", 1); }},
      {"prompt summary", true, [](C c) { return !!c.prompts().summary(); }},
      // Customers and threads.
      {"customer list", true, [](C c) { return !!c.customers().list(); }},
      {"customer retrieve", true, [](C c) { return !!c.customers().retrieve("a@b.c"); }},
      {"customer delete", true, [](C c) { return !!c.customers().remove("a@b.c"); }},
      {"customer update", true, [=](C c) { return !!c.customers().update("a@b.c", customeru); }},
      {"thread list", true, [](C c) { return !!c.threads().list(); }},
  };
}

TEST(IdempotencyClasses, AmbiguousFailuresAreRetriedOnlyForIdempotentOperations) {
  for (const Case& c : cases()) {
    auto t = std::make_shared<ScriptedTransport>();
    t->script.push_back(respan::Error::make(ErrorCode::network, "reset after sending"));
    t->script.push_back(resp(200, R"({"success_count": 1, "count": 0, "results": []})"));
    auto client = client_of(t, respan::SpanDelivery::at_least_once);
    const bool ok = c.call(client);
    EXPECT_EQ(t->seen.size(), c.retried ? 2u : 1u) << c.name;
    EXPECT_EQ(ok, c.retried) << c.name;
  }
}

TEST(IdempotencyClasses, EveryOperationIsRetriedWhenNothingWasSent) {
  for (const Case& c : cases()) {
    auto t = std::make_shared<ScriptedTransport>();
    auto refused = respan::Error::make(ErrorCode::network, "connection refused");
    refused.certainly_not_sent = true;
    t->script.push_back(refused);
    t->script.push_back(resp(200, R"({"success_count": 1, "count": 0, "results": []})"));
    auto client = client_of(t, respan::SpanDelivery::at_most_once);
    EXPECT_TRUE(c.call(client)) << c.name;
    EXPECT_EQ(t->seen.size(), 2u) << c.name;
  }
}

TEST(IdempotencyClasses, AtMostOnceSpansAreNotRetriedAfterAnAmbiguousFailure) {
  for (const Case& c : cases()) {
    if (std::string(c.name).rfind("span", 0) != 0 ||
        std::string(c.name).find("at least once") == std::string::npos)
      continue;
    auto t = std::make_shared<ScriptedTransport>();
    t->script.push_back(respan::Error::make(ErrorCode::timeout, "timed out after sending"));
    t->script.push_back(resp(200, R"({"success_count": 1})"));
    auto client = client_of(t, respan::SpanDelivery::at_most_once);
    EXPECT_FALSE(c.call(client)) << c.name;
    EXPECT_EQ(t->seen.size(), 1u) << c.name;
  }
}

}  // namespace
