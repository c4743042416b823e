// Datasets: turn logged LLM calls into a regression dataset, curate it, evaluate it.
//
// 1. log a few chat spans;
// 2. build a dataset from the spans of the last hour that used gpt-4o;
// 3. add a hand-written case, fix an expected output, replace a log;
// 4. run an evaluator on the dataset and list the evaluation runs;
// 5. print the dataset summary.
//
// With RESPAN_API_KEY set, talks to Respan (RESPAN_BASE_URL overrides the host;
// RESPAN_EVALUATOR_ID names the evaluator to run, the step is skipped without it). Without a
// key, starts the bundled mock Respan server on 127.0.0.1, so it runs with no account.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

#include "example_client.hpp"

namespace {

int fail(const std::string& what, const respan::Error& error) {
  std::cerr << what << " failed: " << error << "\n";
  return 1;
}

}  // namespace

int main() {
  // A client: the real service if a key is configured, else a local mock server.
  example::Connection conn = example::connect();  // example_client.hpp
  if (!conn.client) return fail("creating the client", conn.client.error());
  respan::RespanClient client = std::move(conn.client).value();
  const auto window_start =
      respan::Timestamp(std::chrono::system_clock::now() - std::chrono::hours(1));

  // 1. Log some spans.
  const std::vector<std::pair<std::string, std::string>> calls = {
      {"Where is my order?", "It ships today."},
      {"Can I change my address?", "Yes, from the account page."},
      {"Do you ship to Norway?", "Not yet, sorry."}};
  for (const auto& [question, answer] : calls) {
    respan::RequestLog span;
    span.model = "gpt-4o";
    span.prompt_messages = std::vector<respan::Message>{respan::Message::user(question)};
    span.completion_message = respan::Message::assistant(answer);
    span.prompt_tokens = 12;
    span.completion_tokens = 8;
    span.cost = 0.0004;
    span.latency = 0.9;
    span.metadata = respan::Json{{"feature", "support-bot"}};
    auto created = client.request_logs().create(span);
    if (!created) return fail("logging a span", created.error());
  }
  std::cout << "logged " << calls.size() << " spans\n";

  // 2. A regression dataset from the gpt-4o spans of the last hour.
  respan::Dataset create;
  create.name = "support-regressions";
  create.description = "support-bot answers to keep stable";
  create.start_time = window_start;
  create.end_time = respan::Timestamp(std::chrono::system_clock::now() + std::chrono::minutes(1));
  create.initial_log_filters = respan::Filters().equals("model", "gpt-4o");
  auto dataset = client.datasets().create(create);
  if (!dataset) return fail("creating the dataset", dataset.error());
  const std::string id = dataset->id;
  // The service fills the dataset in the background: wait (briefly) until it is ready.
  for (int attempt = 0; attempt < 30; ++attempt) {
    auto current = client.datasets().retrieve(id);
    if (!current) return fail("retrieving the dataset", current.error());
    dataset = std::move(current);
    const auto status = dataset->status.value_or(respan::DatasetStatus::ready());
    if (status != respan::DatasetStatus::initializing() &&
        status != respan::DatasetStatus::loading()) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  std::cout << "dataset " << id << " (" << dataset->status.value_or(respan::DatasetStatus("?"))
            << ") holds " << dataset->log_count.value_or(0) << " logs\n";

  // 3. Curate: add a hand-written case, set an expected output, replace a log.
  respan::DatasetLogsResource logs = client.dataset_logs(id);
  respan::DatasetLog edge_case;
  edge_case.input = respan::Json{{"question", "Where is my order #A-17?"}};
  edge_case.output = respan::Json{{"answer", "Order A-17 ships on Monday."}};
  edge_case.metadata = respan::Json{{"model", "gpt-4o"}, {"source", "hand-written"}};
  edge_case.metrics = respan::Json{{"prompt_tokens", 14}, {"completion_tokens", 9}};
  auto added = logs.create(edge_case);
  if (!added) return fail("adding a log", added.error());

  respan::DatasetLogUpdate expected;
  expected.expected_output = respan::Json{{"answer", "Order A-17 ships on Monday, 9 am."}};
  auto patched = logs.update(added->unique_id, expected);
  if (!patched) return fail("updating the log", patched.error());

  respan::DatasetLogListQuery first_page;
  first_page.page_size = 10;
  auto page = logs.list(first_page);
  if (!page) return fail("listing the logs", page.error());
  for (const auto& log : page->results) {
    if (log.unique_id == added->unique_id) continue;
    respan::DatasetLogUpdate replacement;  // PUT: whatever is not set here is removed
    replacement.input = log.input.value_or(respan::Json("(no input)"));
    replacement.output = log.output.value_or(respan::Json());
    replacement.expected_output = log.output.value_or(respan::Json());
    auto replaced = logs.replace(log.unique_id, replacement);
    if (!replaced) return fail("replacing a log", replaced.error());
    std::cout << "replaced log " << log.unique_id << " (expected output = its output)\n";
    break;
  }
  std::cout << "the dataset now lists " << page->count << " logs\n";

  // 4. Run an evaluator and list the runs.
  std::string evaluator = conn.mock ? "relevance" : "";
  if (const char* e = std::getenv("RESPAN_EVALUATOR_ID"); e != nullptr && *e != '\0') evaluator = e;
  if (evaluator.empty()) {
    std::cout << "RESPAN_EVALUATOR_ID is not set: skipping the evaluation step\n";
  } else {
    respan::RunEvaluatorsRequest run;
    run.evaluator_ids = {evaluator};
    auto started = client.datasets().run_evaluators(id, run);
    if (!started) return fail("running the evaluator", started.error());
    for (const auto& [name, why] : started->errors.items())
      std::cout << "evaluator " << name << " not started: " << why << "\n";
    for (auto& task : client.datasets().list_all_eval_runs(id)) {
      if (!task) return fail("listing the evaluation runs", task.error());
      std::cout << "evaluation run " << task->task_id << " " << task->evaluator_slug.value_or("?")
                << ": " << task->status.value_or(respan::EvaluationTaskStatus("?"));
      if (task->score) std::cout << ", score " << *task->score;
      std::cout << "\n";
    }
  }

  // 5. The summary.
  auto summary = logs.summary();
  if (!summary) return fail("summarising the dataset", summary.error());
  std::cout << "summary: " << summary->number_of_requests << " logs, " << summary->total_tokens
            << " tokens, $" << summary->total_cost << " total, " << summary->avg_latency
            << " s average latency\n";
  for (const auto& [evaluator_id, score] : summary->scores) {
    std::cout << "  " << score.evaluator_name.value_or(evaluator_id) << ": average "
              << score.avg_score.value_or(0) << "\n";
  }
  return 0;
}
