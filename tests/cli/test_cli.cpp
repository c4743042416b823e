// End-to-end tests of the respan CLI: the binary, run as a child process, against the mock
// server over loopback HTTP; results are checked against what the mock stored.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli_test.hpp"

namespace {

using namespace respan::cli_test;

// ------------------------------------------------------------------ help, usage, completion

std::vector<std::string> split_words(const std::string& s) {
  std::vector<std::string> w;
  std::istringstream in(s);
  for (std::string x; in >> x;)
    w.push_back(x);
  return w;
}

// The commands `respan --help` lists ("  logs create     Log one span ...").
std::vector<std::vector<std::string>> listed_commands() {
  ProcessResult r = run_process(kCli, {"--help"}, {});
  EXPECT_EQ(r.status, 0);
  std::vector<std::vector<std::string>> out;
  bool in_commands = false;
  for (const auto& line : lines_of(r.out)) {
    if (line == "Commands:") {
      in_commands = true;
      continue;
    }
    if (in_commands && line.rfind("  ", 0) != 0) break;
    if (!in_commands || line.size() < 3 || line[2] == ' ') continue;
    const auto gap = line.find("  ", 2);
    out.push_back(split_words(line.substr(2, gap - 2)));
  }
  return out;
}

TEST(CliHelp, EveryCommandHasHelp) {
  const auto commands = listed_commands();
  ASSERT_GE(commands.size(), 50u);  // every endpoint family is there
  std::set<std::string> groups;
  for (const auto& words : commands) {
    // Under the sanitizers (slow process starts) one command per group.
    if (RESPAN_CLI_TEST_SANITIZED && groups.count(words[0])) continue;
    std::vector<std::string> args = words;
    args.push_back("--help");
    ProcessResult r = run_process(kCli, args, {});
    std::string name;
    for (const auto& w : words)
      name += (name.empty() ? "" : " ") + w;
    EXPECT_EQ(r.status, 0) << name << ": " << r.err;
    EXPECT_EQ(r.out.rfind("usage: respan " + name, 0), 0u) << r.out;
    groups.insert(words[0]);
  }
  for (const char* g : {"logs", "datasets", "dataset-logs", "traces", "scores", "prompts",
                        "customers", "threads", "mock-server", "completion"}) {
    EXPECT_TRUE(groups.count(g)) << g;
    ProcessResult r = run_process(kCli, {g, "--help"}, {});
    EXPECT_EQ(r.status, 0) << g;
    EXPECT_NE(r.out.find("usage: respan " + std::string(g)), std::string::npos) << r.out;
  }
  ProcessResult v = run_process(kCli, {"--version"}, {});
  EXPECT_EQ(v.status, 0);
  EXPECT_EQ(v.out.rfind("respan ", 0), 0u);
}

TEST(CliHelp, UsageErrorsExitTwo) {
  const std::map<std::string, std::string> key{{"RESPAN_API_KEY", "k"}};
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{},
                                             {"nope"},
                                             {"logs"},
                                             {"logs", "nope"},
                                             {"logs", "list", "--nope"},
                                             {"logs", "get"},
                                             {"logs", "get", "a", "b"},
                                             {"logs", "list", "--page-size", "x"},
                                             {"logs", "list", "--filter", "cost:between=1"},
                                             {"logs", "list", "--since", "3 weeks"},
                                             {"logs", "create", "--data", "{not json"},
                                             {"logs", "create", "--data", "[1]"},
                                             {"logs", "create", "-f", "/nonexistent/x.json"},
                                             {"logs", "create", "--model", "a", "--model", "b"},
                                             {"logs", "upload"},
                                             {"logs", "upload", "/nonexistent.jsonl"},
                                             {"dataset-logs", "list"},
                                             {"completion", "bash", "--base-url", "x"}}) {
    ProcessResult r = run_process(kCli, args, key);
    std::string joined;
    for (const auto& a : args)
      joined += a + ' ';
    EXPECT_EQ(r.status, 2) << joined << "\n" << r.err;
    EXPECT_NE(r.err.find("respan: "), std::string::npos) << joined;
    EXPECT_TRUE(r.out.empty()) << joined;
  }
  // No key at all.
  ProcessResult r = run_process(kCli, {"logs", "list"}, {});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("RESPAN_API_KEY"), std::string::npos);
}

TEST(CliHelp, BashCompletion) {
  ProcessResult script = run_process(kCli, {"completion", "bash"}, {});
  ASSERT_EQ(script.status, 0);
  TempFile file(script.out);
  // COMPREPLY for a partial command line, as bash computes it with the generated function.
  auto complete = [&](const std::string& words) {
    const std::string cmd = "source '" + file.path() + "'; COMP_WORDS=(" + words +
                            "); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _respan; "
                            "printf '%s\\n' \"${COMPREPLY[@]}\"";
    ProcessResult r = run_process("/bin/bash", {"-c", cmd}, {});
    EXPECT_EQ(r.status, 0) << r.err;
    auto l = lines_of(r.out);
    std::sort(l.begin(), l.end());
    return l;
  };
  EXPECT_EQ(complete("respan lo"), std::vector<std::string>{"logs"});
  EXPECT_EQ(complete("respan logs up"), (std::vector<std::string>{"update", "upload"}));
  EXPECT_EQ(complete("respan logs upload --on-"), std::vector<std::string>{"--on-invalid"});
  EXPECT_EQ(complete("respan logs upload --on-invalid s"),
            (std::vector<std::string>{"skip", "stop"}));
  EXPECT_EQ(complete("respan --base-url http://x dataset-logs upl"),
            std::vector<std::string>{"upload"});
  EXPECT_EQ(complete("respan mock-server --tls-"),
            (std::vector<std::string>{"--tls-cert", "--tls-key"}));
  EXPECT_EQ(complete("respan mock-server --u"), std::vector<std::string>{"--ui"});
  EXPECT_EQ(complete("respan logs list --page-s"), std::vector<std::string>{"--page-size"});
}

// ------------------------------------------------------------------ credentials and errors

TEST_F(Cli, ApiKeyIsNeverEchoed) {
  const std::string secret = "sk-very-secret-cli-key-0123456789";
  ProcessResult r = run_process(kCli, {"logs", "list", "--api-key", secret, "--retries", "0"},
                                {{"RESPAN_BASE_URL", server.base_url()}});
  EXPECT_EQ(r.status, 1) << r.err;  // 401: an API error
  EXPECT_NE(r.err.find("401"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find(secret), std::string::npos);
  EXPECT_EQ(r.err.find(secret), std::string::npos);
  // An unusable key (a space inside) is refused before anything is sent, without repeating it.
  const std::string bad = "sk-bad key-987654321";
  r = run_process(kCli, {"logs", "list"},
                  {{"RESPAN_BASE_URL", server.base_url()}, {"RESPAN_API_KEY", bad}});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err.find("987654321"), std::string::npos) << r.err;
  // The upload's report and its rejection lines do not carry it either.
  TempFile f("{\"model\": \"m\"}\n");
  r = run_process(kCli, {"logs", "upload", f.path(), "--api-key", secret},
                  {{"RESPAN_BASE_URL", server.base_url()}});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(r.out.find(secret), std::string::npos);
  EXPECT_EQ(r.err.find(secret), std::string::npos);
}

TEST_F(Cli, ApiErrorsExitOne) {
  ProcessResult r = run({"logs", "get", "no-such-span", "--retries", "0"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("not_found (HTTP 404)"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
  // A span the API refuses (422), and one the SDK refuses before sending (exit 2).
  r = run({"logs", "create", "--model", "m", "--data", "{\"log_type\": \"no-such-type\"}"});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("422"), std::string::npos) << r.err;
  r = run({"logs", "create", "--data", "{\"model\": \"   \"}"});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("RequestLog.model"), std::string::npos) << r.err;
  // Unreachable: connection refused.
  server.stop();
  r = run({"logs", "list", "--retries", "0"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("network"), std::string::npos) << r.err;
}

// ------------------------------------------------------------------ request logs

TEST_F(Cli, LogsCreateFromFlagsFileStdinAndData) {
  Json a =
      run_json({"logs", "create", "--model", "gpt-4o", "--input", "Where is my order?", "--output",
                "{\"answer\": \"today\"}", "--customer", "alice", "--metadata", "feature=orders",
                "--metadata", "n=3", "--prompt-tokens", "12", "--cost", "0.5"});
  ASSERT_TRUE(a.contains("unique_id"));
  TempFile file(R"({"model": "claude", "custom_identifier": "from-file"})");
  Json b = run_json({"logs", "create", "-f", file.path(), "--thread", "t1"});
  Json c = run_json({"logs", "create", "-f", "-"}, R"({"model": "stdin-model"})");
  Json d = run_json({"logs", "create", "--data", R"({"model": "data-model"})", "--model", "flag"});

  const auto stored = server.request_logs();
  ASSERT_EQ(stored.size(), 4u);
  EXPECT_EQ(stored[0]["unique_id"], a["unique_id"]);
  EXPECT_EQ(stored[0]["model"], "gpt-4o");
  EXPECT_EQ(stored[0]["customer_identifier"], "alice");
  EXPECT_EQ(stored[0]["metadata"]["feature"], "orders");
  EXPECT_EQ(stored[0]["metadata"]["n"], 3);
  EXPECT_EQ(stored[0]["prompt_tokens"], 12);
  EXPECT_EQ(stored[0]["cost"], 0.5);
  EXPECT_EQ(stored[1]["unique_id"], b["unique_id"]);
  EXPECT_EQ(stored[1]["custom_identifier"], "from-file");
  EXPECT_EQ(stored[1]["thread_identifier"], "t1");
  EXPECT_EQ(stored[2]["model"], "stdin-model");
  EXPECT_EQ(stored[3]["model"], "flag");  // flags override the JSON input
  // The create request carried the input as sent: text and JSON.
  const auto reqs = server.requests();
  const Json first = reqs.front().json();
  EXPECT_EQ(first["input"], "Where is my order?");
  EXPECT_EQ(first["output"]["answer"], "today");
}

TEST_F(Cli, LogsListStreamsEveryPageAsJsonLines) {
  for (int i = 0; i < 7; ++i) {
    server.add_request_log({{"model", "m"},
                            {"customer_identifier", i % 2 ? "odd" : "even"},
                            {"custom_identifier", "s" + std::to_string(i)}});
  }
  server.clear_requests();
  ProcessResult r = run({"logs", "list", "--page-size", "3"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto rows = json_lines(r.out);
  ASSERT_EQ(rows.size(), 7u);
  std::set<std::string> ids;
  for (const auto& row : rows)
    ids.insert(row["custom_identifier"].get<std::string>());
  EXPECT_EQ(ids.size(), 7u);
  std::size_t list_requests = 0;
  for (const auto& q : server.requests())
    list_requests += q.path == "/api/request-logs/list/";
  EXPECT_EQ(list_requests, 3u);  // 3 + 3 + 1

  r = run({"logs", "list", "--filter", "customer_identifier=odd", "--page-size", "2"});
  ASSERT_EQ(r.status, 0) << r.err;
  rows = json_lines(r.out);
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& row : rows)
    EXPECT_EQ(row["customer_identifier"], "odd");

  r = run({"logs", "list", "--limit", "4", "--page-size", "3"});
  EXPECT_EQ(json_lines(r.out).size(), 4u);
  r = run({"logs", "list", "--page", "3", "--page-size", "3"});
  EXPECT_EQ(json_lines(r.out).size(), 1u);
  r = run({"logs", "list", "--legacy", "--page-size", "5"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(json_lines(r.out).size(), 7u);
  // A query from JSON (stdin) with flags on top.
  r = run({"logs", "list", "-f", "-", "--page-size", "10"},
          R"({"filters": {"customer_identifier": {"operator": "", "value": ["even"]}}})");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(json_lines(r.out).size(), 4u);
  // Outside the default window (the last hour) nothing is listed.
  r = run({"logs", "list", "--end", "2001-01-01T00:00:00Z"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST_F(Cli, LogsGetUpdateSummary) {
  const Json span = server.add_request_log({{"model", "m"}, {"cost", 0.25}});
  const std::string id = span["unique_id"];
  Json got = run_json({"logs", "get", id});
  EXPECT_EQ(got["unique_id"], id);
  EXPECT_EQ(got["model"], "m");
  run_json({"logs", "update", id, "--pinned", "true", "--feedback", "false", "--note", "bad"});
  Json stored = server.request_logs()[0];
  EXPECT_EQ(stored["is_pinned"], true);
  EXPECT_EQ(stored["positive_feedback"], false);
  EXPECT_EQ(stored["note"], "bad");
  EXPECT_EQ(run({"logs", "update", id}).status, 2);  // nothing to update
  Json summary = run_json({"logs", "summary"});
  EXPECT_EQ(summary["number_of_requests"], 1);
  Json pretty_check = Json::parse(run({"logs", "get", id, "--pretty"}).out);
  EXPECT_EQ(pretty_check["unique_id"], id);
}

// ------------------------------------------------------------------ datasets

TEST_F(Cli, DatasetsAndDatasetLogs) {
  Json ds = run_json({"datasets", "create", "--name", "regressions", "--empty"});
  const std::string id = ds["id"];
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(json_lines(run({"datasets", "list"}).out).size(), 1u);
  EXPECT_EQ(run_json({"datasets", "get", id})["name"], "regressions");
  EXPECT_EQ(run_json({"datasets", "update", id, "--description", "d"})["description"], "d");

  Json log = run_json({"dataset-logs", "create", "-d", id, "--input", "{\"q\": 1}",
                       "--expected-output", "one", "--metadata", "k=v"});
  const std::string log_id = log["unique_id"];
  ASSERT_EQ(server.dataset_logs(id).size(), 1u);
  EXPECT_EQ(server.dataset_logs(id)[0]["input"]["q"], 1);
  auto rows = json_lines(run({"dataset-logs", "list", "--dataset", id}).out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["unique_id"], log_id);
  EXPECT_EQ(run_json({"dataset-logs", "get", "-d", id, log_id})["unique_id"], log_id);
  run_json({"dataset-logs", "update", "-d", id, log_id, "--output", "two"});
  EXPECT_EQ(server.dataset_logs(id)[0]["output"], "two");
  run_json({"dataset-logs", "replace", "-d", id, log_id, "--input", "x"});
  EXPECT_TRUE(server.dataset_logs(id)[0]["expected_output"].is_null());  // removed by the PUT
  EXPECT_EQ(server.dataset_logs(id)[0]["input"], "x");
  Json summary = run_json({"dataset-logs", "summary", "-d", id});
  EXPECT_TRUE(summary.is_object());
  run_json({"dataset-logs", "delete", "-d", id, log_id});
  EXPECT_TRUE(server.dataset_logs(id).empty());

  // Import request logs of a window, with a filter; export; remove.
  server.add_request_log({{"model", "gpt-4o"}});
  server.add_request_log({{"model", "other"}});
  Json imported = run_json({"dataset-logs", "import", "-d", id, "--start", "2000-01-01T00:00:00Z",
                            "--end", "2100-01-01T00:00:00Z", "--filter", "model=gpt-4o"});
  EXPECT_TRUE(imported.contains("message"));
  EXPECT_EQ(server.dataset_logs(id).size(), 1u);
  EXPECT_TRUE(run_json({"dataset-logs", "export", "-d", id, "--format", ".jsonl"}).is_object());
  run_json({"dataset-logs", "remove", "-d", id, "--all"});
  EXPECT_TRUE(server.dataset_logs(id).empty());

  Json run_result = run_json({"datasets", "run-evaluators", id, "--evaluator", "relevance"});
  EXPECT_TRUE(run_result.is_object());
  EXPECT_EQ(server.evaluation_runs(id).size(), 1u);
  EXPECT_EQ(json_lines(run({"datasets", "eval-runs", id}).out).size(), 1u);
  run_json({"datasets", "delete", id});
  EXPECT_TRUE(server.datasets().empty());
}

// ------------------------------------------------------------------ traces

TEST_F(Cli, Traces) {
  const std::string tid = "0123456789abcdef0123456789abcdef";
  server.add_request_log({{"model", "m"},
                          {"trace_unique_id", tid},
                          {"span_name", "root"},
                          {"customer_identifier", "alice"}});
  server.add_request_log({{"model", "m"}, {"trace_unique_id", "ffff"}, {"span_name", "other"}});
  auto rows = json_lines(run({"traces", "list"}).out);
  ASSERT_EQ(rows.size(), 2u);
  Json t = run_json({"traces", "get", tid});
  EXPECT_EQ(t["trace_unique_id"], tid);
  EXPECT_EQ(t["span_tree"].size(), 1u);
  EXPECT_EQ(run_json({"traces", "share", tid})["is_public"], true);
  const std::string org = t["unique_organization_id"];
  ProcessResult pub =
      run_process(kCli, {"traces", "get-public", org, tid},
                  {{"RESPAN_API_KEY", "unused-key"}, {"RESPAN_BASE_URL", server.base_url()}});
  ASSERT_EQ(pub.status, 0) << pub.err;
  EXPECT_EQ(Json::parse(pub.out)["trace_unique_id"], tid);
  EXPECT_TRUE(server.requests().back().header("authorization").empty());
  run_json({"traces", "unshare", tid});
  EXPECT_EQ(run({"traces", "get-public", org, tid, "--retries", "0"}).status, 1);
  run_json({"traces", "delete", "ffff"});
  EXPECT_EQ(server.traces().size(), 1u);
  EXPECT_EQ(run({"traces", "bulk-delete"}).status, 2);  // no filters: refused locally
  Json del = run_json({"traces", "bulk-delete", "--filter", "customer_identifier=alice"});
  EXPECT_EQ(del["deleted_count"], 1);
  EXPECT_TRUE(server.traces().empty());
}

// ------------------------------------------------------------------ scores, prompts, customers,
// threads

TEST_F(Cli, ScoresPromptsCustomersThreads) {
  const Json span = server.add_request_log(
      {{"model", "m"}, {"customer_identifier", "bob@example.com"}, {"thread_identifier", "th-1"}});
  const std::string log_id = span["unique_id"];
  Json s1 = run_json(
      {"scores", "create", "--log", log_id, "--evaluator-slug", "thumbs", "--bool", "true"});
  Json s2 = run_json(
      {"scores", "create", "--log", log_id, "--evaluator-slug", "thumbs", "--bool", "false"});
  EXPECT_EQ(s1["id"], s2["id"]);  // the log-scoped create is an upsert
  ASSERT_EQ(server.scores().size(), 1u);
  EXPECT_EQ(server.scores()[0]["boolean_value"], false);
  Json s3 = run_json({"scores", "create", "--data", "{\"log_id\": \"" + log_id + "\"}",
                      "--evaluator-slug", "quality", "--number", "0.7"});
  EXPECT_EQ(server.scores().size(), 2u);
  EXPECT_EQ(json_lines(run({"scores", "list", "--log", log_id}).out).size(), 2u);
  EXPECT_EQ(json_lines(run({"scores", "list", "--filter", "evaluator_slug=quality"}).out).size(),
            1u);
  const std::string sid = s3["id"];
  EXPECT_EQ(run_json({"scores", "get", sid})["numerical_value"], 0.7);
  EXPECT_EQ(run_json({"scores", "update", sid, "--number", "0.9"})["numerical_value"], 0.9);
  run_json({"scores", "delete", sid});
  EXPECT_EQ(server.scores().size(), 1u);

  Json p = run_json({"prompts", "create", "--name", "support"});
  const std::string pid = p["id"];
  run_json({"prompts", "create-version", pid, "--model", "gpt-4o", "--data",
            R"({"messages": [{"role": "user", "content": "{{q}}"}]})"});
  Json committed = run_json({"prompts", "commit", pid, "--message", "first"});
  const std::string version = std::to_string(committed["version"].get<long long>());
  run_json({"prompts", "deploy", pid, version});
  Json live = run_json({"prompts", "get-deployed", pid});
  EXPECT_EQ(live["version"]["messages"][0]["content"], "{{q}}");
  EXPECT_EQ(json_lines(run({"prompts", "versions", pid}).out).size(), 2u);  // + the new draft
  EXPECT_EQ(run_json({"prompts", "get-version", pid, version})["model"], "gpt-4o");
  EXPECT_EQ(run_json({"prompts", "summary"})["total_count"], 1);
  EXPECT_EQ(run_json({"prompts", "update", pid, "--name", "renamed"})["name"], "renamed");
  EXPECT_EQ(json_lines(run({"prompts", "list"}).out).size(), 1u);
  EXPECT_EQ(run({"prompts", "get-version", pid, "x"}).status, 2);
  run_json({"prompts", "delete", pid});
  EXPECT_TRUE(server.prompts().empty());

  auto customers = json_lines(run({"customers", "list"}).out);
  ASSERT_EQ(customers.size(), 1u);
  EXPECT_EQ(customers[0]["customer_identifier"], "bob@example.com");
  Json cu = run_json({"customers", "update", "bob@example.com", "--name", "Bob", "--period-budget",
                      "20", "--budget-duration", "monthly"});
  EXPECT_EQ(cu["name"], "Bob");
  EXPECT_EQ(run_json({"customers", "get", "bob@example.com"})["period_budget"], 20.0);
  run_json({"customers", "delete", "bob@example.com"});

  auto threads = json_lines(run({"threads", "list"}).out);
  ASSERT_EQ(threads.size(), 1u);
  EXPECT_EQ(threads[0]["thread_identifier"], "th-1");
  auto spans = json_lines(run({"threads", "spans", "th-1"}).out);
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0]["unique_id"], log_id);
}

// ------------------------------------------------------------------ mock-server

TEST(CliMockServer, RunsTheBundledMock) {
  Process mock(
      kCli, {"mock-server", "--port", "0", "--api-key", "cli-key", "--evaluator", "my-judge"}, {});
  const std::string line = mock.read_line(std::chrono::seconds(20));
  ASSERT_EQ(line.rfind("listening on http://127.0.0.1:", 0), 0u) << line;
  const std::string url = line.substr(std::string("listening on ").size());
  const std::map<std::string, std::string> env = {{"RESPAN_API_KEY", "cli-key"},
                                                  {"RESPAN_BASE_URL", url}};
  ProcessResult r = run_process(kCli, {"logs", "create", "--model", "m"}, env);
  EXPECT_EQ(r.status, 0) << r.err;
  r = run_process(kCli, {"logs", "list"}, env);
  EXPECT_EQ(json_lines(r.out).size(), 1u);
  // --evaluator adds an evaluator to the defaults; any other is refused.
  r = run_process(kCli, {"datasets", "create", "--name", "d", "--empty"}, env);
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string ds = Json::parse(r.out)["id"].get<std::string>();
  for (const char* known : {"my-judge", "relevance"}) {
    r = run_process(kCli, {"datasets", "run-evaluators", ds, "--evaluator", known}, env);
    EXPECT_EQ(r.status, 0) << known << ": " << r.err;
  }
  r = run_process(kCli, {"datasets", "run-evaluators", ds, "--evaluator", "other-judge"}, env);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("other-judge"), std::string::npos) << r.err;
  kill(mock.pid(), SIGTERM);
  ProcessResult done = mock.finish();
  EXPECT_EQ(done.status, 0) << done.err;

  ProcessResult help = run_process(kCli, {"mock-server", "--help"}, {});
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("--tls-cert"), std::string::npos);
  EXPECT_NE(help.out.find("--ui"), std::string::npos);
  EXPECT_NE(help.out.find("--evaluator SLUG"), std::string::npos);
  EXPECT_EQ(run_process(kCli, {"mock-server", "--port", "x"}, {}).status, 2);
  EXPECT_EQ(run_process(kCli, {"mock-server", "--ui=1"}, {}).status, 2);  // takes no value
}

// The answer of `GET path` on 127.0.0.1:port over a plain socket (status line to body).
std::string http_get(int port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string req =
        "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size())) {
      char buf[65536];
      for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;)
        out.append(buf, static_cast<std::size_t>(n));
    }
  }
  close(fd);
  return out;
}

TEST(CliMockServer, UiServesTheViewer) {
  Process mock(kCli, {"mock-server", "--port", "0", "--ui"}, {});
  const std::string line = mock.read_line(std::chrono::seconds(20));
  ASSERT_EQ(line.rfind("listening on http://127.0.0.1:", 0), 0u) << line;
  const std::string url = line.substr(std::string("listening on ").size());
  EXPECT_EQ(mock.read_line(std::chrono::seconds(20)), "viewer at " + url + "/ui");
  const int port = std::atoi(url.substr(url.rfind(':') + 1).c_str());
  const std::string page = http_get(port, "/ui");
  EXPECT_EQ(page.rfind("HTTP/1.1 200", 0), 0u) << page.substr(0, 200);
  EXPECT_NE(page.find("<!DOCTYPE html>"), std::string::npos);
  EXPECT_EQ(http_get(port, "/ui/api/logs").rfind("HTTP/1.1 200", 0), 0u);
  kill(mock.pid(), SIGTERM);
  EXPECT_EQ(mock.finish().status, 0);

  // Without --ui the viewer does not exist.
  Process plain(kCli, {"mock-server", "--port", "0"}, {});
  const std::string plain_line = plain.read_line(std::chrono::seconds(20));
  ASSERT_EQ(plain_line.rfind("listening on http://127.0.0.1:", 0), 0u) << plain_line;
  const int plain_port = std::atoi(plain_line.substr(plain_line.rfind(':') + 1).c_str());
  EXPECT_EQ(http_get(plain_port, "/ui").rfind("HTTP/1.1 404", 0), 0u);
  kill(plain.pid(), SIGTERM);
  EXPECT_EQ(plain.finish().status, 0);
}

}  // namespace
