// `respan logs upload` and `respan dataset-logs upload` end to end: JSON lines through the
// BatchLogger to the mock server, with faults injected, checked exactly against its store.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "cli_test.hpp"

namespace {

using namespace respan::cli_test;
using respan::testing::Fault;

// The custom_identifier of every stored span, with how many times each is stored.
std::map<std::string, int> stored_ids(const respan::testing::MockServer& server) {
  std::map<std::string, int> ids;
  for (const auto& s : server.request_logs())
    ++ids[s.value("custom_identifier", "")];
  return ids;
}

Json final_report(const ProcessResult& r) {
  auto lines = lines_of(r.out);
  EXPECT_EQ(lines.size(), 1u) << r.out;
  return lines.empty() ? Json() : Json::parse(lines.back());
}

TEST_F(Cli, UploadReportsBadLinesByNumberAndExitsPartial) {
  const std::string text =
      "{\"model\": \"m\", \"custom_identifier\": \"L1\"}\n"
      "\n"                                                  // 2: blank, ignored
      "{\"model\": \"m\", \"custom_identifier\": \"L3\"\n"  // 3: not JSON
      "[1, 2]\n"                                            // 4: not an object
      "{\"custom_identifier\": \"L5\"}\n"                   // 5: no model (dropped locally)
      "{\"model\": \"m\", \"custom_identifier\": \"L6\", \"prompt_tokens\": \"many\"}\n"  // 6: 422
      "{\"model\": \"m\", \"custom_identifier\": \"L7\"}\r\n"  // 7: CRLF is fine
      "{\"model\": \"m\", \"custom_identifier\": \"L8\"}";     // 8: no final newline
  TempFile file(text);
  ProcessResult r = run({"logs", "upload", file.path()});
  EXPECT_EQ(r.status, 3) << r.err;
  EXPECT_NE(r.err.find("line 3: not valid JSON"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("line 4: not a JSON object; skipped"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("line 5: dropped (invalid): RequestLog.model: required"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("line 6: rejected"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("prompt_tokens"), std::string::npos) << r.err;
  const Json report = final_report(r);
  EXPECT_EQ(report["lines"], 8);
  EXPECT_EQ(report["invalid_lines"], 2);
  EXPECT_EQ(report["delivery"]["logged"], 5);
  EXPECT_EQ(report["delivery"]["delivered"], 3);
  EXPECT_EQ(report["delivery"]["rejected"], 1);
  EXPECT_EQ(report["delivery"]["dropped_by_reason"]["invalid"], 1);
  EXPECT_EQ(report["delivery"]["pending"], 0);
  EXPECT_EQ(stored_ids(server), (std::map<std::string, int>{{"L1", 1}, {"L7", 1}, {"L8", 1}}));
}

TEST_F(Cli, UploadStopsAtAnInvalidLineWhenAsked) {
  TempFile file(
      "{\"model\": \"m\", \"custom_identifier\": \"A\"}\n"
      "{\"model\": \"m\", \"custom_identifier\": \"B\"}\n"
      "nope\n"
      "{\"model\": \"m\", \"custom_identifier\": \"C\"}\n");
  ProcessResult r = run({"logs", "upload", file.path(), "--on-invalid", "stop"});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("line 3: not valid JSON"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("stopping"), std::string::npos) << r.err;
  const Json report = final_report(r);
  EXPECT_EQ(report["stopped_at_line"], 3);
  EXPECT_EQ(report["delivery"]["delivered"], 2);  // what was read before it is delivered
  EXPECT_EQ(stored_ids(server), (std::map<std::string, int>{{"A", 1}, {"B", 1}}));
}

TEST_F(Cli, UploadFromStdinAllDeliveredExitsZero) {
  std::string text;
  for (int i = 0; i < 1200; ++i) {
    text += "{\"model\": \"m\", \"custom_identifier\": \"S" + std::to_string(i) + "\"}\n";
  }
  ProcessResult r = run({"logs", "upload", "-", "--batch-size", "100", "--progress", "lines",
                         "--progress-interval", "0"},
                        text);
  EXPECT_EQ(r.status, 0) << r.err;
  const Json report = final_report(r);
  EXPECT_EQ(report["delivery"]["delivered"], 1200);
  EXPECT_GE(report["delivery"]["requests"], 12);  // batches of at most 100
  // Plain progress lines (stderr is not a terminal), the last one complete.
  const auto progress = lines_of(r.err);
  ASSERT_FALSE(progress.empty());
  EXPECT_NE(progress.back().find("respan: read 1200 lines, delivered 1200"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos);
  EXPECT_EQ(stored_ids(server).size(), 1200u);
  std::size_t bulk = 0;
  for (const auto& q : server.requests()) {
    if (q.path == "/api/request-logs/bulk/") {
      ++bulk;
      EXPECT_LE(q.json()["logs"].size(), 100u);
    }
  }
  EXPECT_EQ(bulk, report["delivery"]["requests"].get<std::size_t>());
}

TEST_F(Cli, UploadProgressBar) {
  TempFile file("{\"model\": \"m\"}\n{\"model\": \"m\"}\n");
  ProcessResult r = run({"logs", "upload", file.path(), "--progress", "bar"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("\r[########################] 100%  read 2  delivered 2  rejected 0"),
            std::string::npos)
      << r.err;
  r = run({"logs", "upload", file.path(), "--progress", "none"});
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST_F(Cli, UploadNothingDeliveredExitsOne) {
  TempFile file("{\"model\": \"m\"}\n{\"model\": \"m\"}\n");
  ProcessResult r =
      run_process(kCli, {"logs", "upload", file.path(), "--max-reported", "1"},
                  {{"RESPAN_API_KEY", "wrong-key"}, {"RESPAN_BASE_URL", server.base_url()}});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("rejected (HTTP 401)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("and 1 more problems not shown"), std::string::npos) << r.err;
  EXPECT_EQ(final_report(r)["delivery"]["rejected"], 2);
  EXPECT_TRUE(server.request_logs().empty());
  // The server never answers: the drain timeout gives up on the spans (dropped, shutdown).
  server.stop();
  r = run({"logs", "upload", file.path(), "--drain-timeout", "0.3"});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(final_report(r)["delivery"]["dropped_by_reason"]["shutdown"], 2);
}

TEST_F(Cli, UploadInterruptedWhileWaitingForInput) {
  Process upload(kCli, {"logs", "upload", "-", "--progress", "none"}, env());
  upload.write_stdin(
      "{\"model\": \"m\", \"custom_identifier\": \"A\"}\n"
      "{\"model\": \"m\", \"custom_identifier\": \"B\"}\n");
  // Delivered after the flush interval while the CLI waits for more input on its stdin.
  for (int i = 0; i < 200 && server.request_logs().size() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(server.request_logs().size(), 2u);
  kill(upload.pid(), SIGINT);
  ProcessResult r = upload.finish("", /*close_stdin=*/false);  // only the signal ends it
  EXPECT_EQ(r.status, 130) << r.err;
  const Json report = final_report(r);
  EXPECT_EQ(report["interrupted"], true);
  EXPECT_EQ(report["lines"], 2);
  // Stored by the server; the answer may still have been on its way when the signal came
  // (the in-flight request is then cancelled and its spans counted as dropped at shutdown).
  const Json& d = report["delivery"];
  EXPECT_EQ(d["logged"], 2);
  EXPECT_EQ(d["delivered"].get<int>() + d["dropped_by_reason"]["shutdown"].get<int>(), 2);
  EXPECT_EQ(d["pending"], 0);
}

// The acceptance test: 100,000 lines (10,000 under the sanitizers, whose slowdown would make
// it a minutes-long test; RESPAN_CLI_UPLOAD_LINES), some of them invalid JSON, some refused
// locally, some refused by the server, uploaded while the server fails now and then (503 with
// Retry-After, 429, 500, dropped connections, 413 splitting a batch). Every line ends in exactly
// one state, and the mock's store holds exactly the delivered lines, each once.
TEST_F(Cli, Upload100kLinesWithFaultsMatchesTheStoreExactly) {
  constexpr int kLines = RESPAN_CLI_UPLOAD_LINES;
  // Special lines, about 10 + 5 + 6 of them in 100,000 (and in 10,000).
  constexpr int kEveryInvalidJson = kLines / 10 - 27;
  constexpr int kEveryLocalInvalid = kLines / 5 - 3;
  constexpr int kEveryRejected = kLines * 3 / 20 - 17;
  std::string text;
  text.reserve(static_cast<std::size_t>(kLines) * 80);
  std::set<std::string> expected;
  std::set<int> invalid_json, local_invalid, server_rejected;
  for (int i = 1; i <= kLines; ++i) {
    const std::string id = "L" + std::to_string(i);
    if (i % kEveryInvalidJson == 0) {
      text += "{\"model\": \"m\", \"custom_identifier\": \"" + id + "\",\n";  // cut short
      invalid_json.insert(i);
    } else if (i % kEveryLocalInvalid == 0) {
      text += "{\"model\": \"\", \"custom_identifier\": \"" + id + "\"}\n";
      local_invalid.insert(i);
    } else if (i % kEveryRejected == 0) {
      text += "{\"model\": \"m\", \"custom_identifier\": \"" + id + "\", \"cost\": \"free\"}\n";
      server_rejected.insert(i);
    } else {
      text += "{\"model\": \"gpt-4o\", \"custom_identifier\": \"" + id +
              "\", \"prompt_tokens\": " + std::to_string(i % 500) + ", \"input\": \"q\"}\n";
      expected.insert(id);
    }
  }
  TempFile file(text);

  const std::string bulk = "/api/request-logs/bulk/";
  auto fault = [&](int status, int times) {
    Fault f;
    f.status = status;
    f.times = times;
    f.method = "POST";
    f.path_prefix = bulk;
    return f;
  };
  Fault unavailable = fault(503, 2);
  unavailable.retry_after = "0";
  server.inject_fault(unavailable);
  // More faults once the upload is under way.
  std::atomic<bool> stop{false};
  const std::size_t inject_after = std::min<std::size_t>(40, kLines / 500 / 3);
  std::thread injector([&] {
    while (!server.wait_for_requests(inject_after, std::chrono::milliseconds(50))) {
      if (stop) return;
    }
    Fault limited = fault(429, 1);
    limited.retry_after_ms = "20";
    server.inject_fault(limited);
    server.inject_fault(fault(500, 2));
    Fault dropped = fault(0, 2);
    dropped.drop_connection = true;
    server.inject_fault(dropped);
    server.inject_fault(fault(413, 1));
    Fault slow = fault(0, 3);
    slow.delay = std::chrono::milliseconds(50);
    server.inject_fault(slow);
  });

  const auto start = std::chrono::steady_clock::now();
  ProcessResult r = run({"logs", "upload", file.path(), "--progress", "lines"});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  stop = true;
  injector.join();
  std::cout << kLines << "-line upload with faults: " << seconds << " s\n";

  EXPECT_EQ(r.status, 3) << r.err;
  const Json report = final_report(r);
  const Json& d = report["delivery"];
  const auto n_expected = expected.size();
  EXPECT_EQ(report["lines"], kLines);
  ASSERT_GE(invalid_json.size(), 9u);
  ASSERT_GE(local_invalid.size(), 4u);
  ASSERT_GE(server_rejected.size(), 5u);
  EXPECT_EQ(report["invalid_lines"], invalid_json.size());
  EXPECT_EQ(d["logged"], kLines - invalid_json.size());
  EXPECT_EQ(d["delivered"], n_expected);
  EXPECT_EQ(d["rejected"], server_rejected.size());
  EXPECT_EQ(d["dropped"], local_invalid.size());
  EXPECT_EQ(d["dropped_by_reason"]["invalid"], local_invalid.size());
  EXPECT_EQ(d["pending"], 0);
  EXPECT_GE(d["retries"], 7);  // 503 x2, 429, 500 x2 and the dropped connections x2
  EXPECT_GE(d["splits"], 1);   // the 413

  // The store: exactly the expected lines, each once (faults answer before storing).
  const auto ids = stored_ids(server);
  EXPECT_EQ(ids.size(), n_expected);
  std::size_t twice = 0, unexpected = 0;
  for (const auto& [id, n] : ids) {
    twice += n != 1;
    unexpected += expected.count(id) == 0;
  }
  EXPECT_EQ(twice, 0u);
  EXPECT_EQ(unexpected, 0u);
  // Each problem line is named on stderr with its number.
  for (int i : invalid_json) {
    EXPECT_NE(r.err.find("line " + std::to_string(i) + ": not valid JSON"), std::string::npos) << i;
  }
  for (int i : local_invalid) {
    EXPECT_NE(r.err.find("line " + std::to_string(i) + ": dropped (invalid)"), std::string::npos)
        << i;
  }
  for (int i : server_rejected) {
    EXPECT_NE(r.err.find("line " + std::to_string(i) + ": rejected"), std::string::npos) << i;
  }
}

TEST_F(Cli, DatasetLogUploadWithFaults) {
  const Json ds = server.add_dataset({{"name", "d"}, {"is_empty", true}});
  const std::string id = ds["id"];
  std::string text;
  for (int i = 1; i <= 3000; ++i) {
    if (i == 1500) {
      text += "{\"input\": \"x\", \"metadata\": [1]}\n";  // metadata must be an object
    } else if (i == 2000) {
      text += "{oops\n";
    } else {
      text += "{\"input\": {\"n\": " + std::to_string(i) + "}, \"expected_output\": \"e\"}\n";
    }
  }
  TempFile file(text);
  Fault f;
  f.status = 503;
  f.times = 2;
  f.path_prefix = "/api/datasets/" + id + "/logs/bulk/";
  server.inject_fault(f);
  f.status = 0;
  f.drop_connection = true;
  f.times = 1;
  server.inject_fault(f);
  ProcessResult r = run({"dataset-logs", "upload", "-d", id, file.path()});
  EXPECT_EQ(r.status, 3) << r.err;
  EXPECT_NE(r.err.find("line 1500: dropped (invalid): DatasetLog.metadata"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("line 2000: not valid JSON"), std::string::npos) << r.err;
  const Json report = final_report(r);
  EXPECT_EQ(report["dataset_id"], id);
  EXPECT_EQ(report["delivery"]["delivered"], 2998);
  EXPECT_GE(report["delivery"]["retries"], 3);
  const auto logs = server.dataset_logs(id);
  ASSERT_EQ(logs.size(), 2998u);
  std::set<int> seen;
  for (const auto& l : logs)
    seen.insert(l["input"]["n"].get<int>());
  EXPECT_EQ(seen.size(), 2998u);
  EXPECT_EQ(seen.count(1500) + seen.count(2000), 0u);

  // An unknown dataset: every batch is refused (404), nothing delivered.
  r = run({"dataset-logs", "upload", "-d", "no-such-dataset", file.path(), "-q"});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(final_report(r)["delivery"]["delivered"], 0);
}

}  // namespace
