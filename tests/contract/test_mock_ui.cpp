// The mock server's web viewer (MockServerOptions::ui) over raw loopback HTTP: the page is one
// self-contained document, the read-only JSON endpoints under /ui/api/ answer bounded rows of
// the stores without changing them, /ui/api/changes waits for new data, and without the option
// none of it exists (404 like any unknown path).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "contract_util.hpp"

namespace contract {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

respan::testing::MockServerOptions with_ui() {
  respan::testing::MockServerOptions o;
  o.ui = true;
  return o;
}

class MockUi : public ContractTest {
 protected:
  MockUi() : ContractTest(with_ui()) {}
  using ContractTest::span;

  // A GET without the API key (the viewer needs none).
  Reply get(const std::string& path) {
    httplib::Client c("127.0.0.1", server_.port());
    c.set_read_timeout(30, 0);
    return reply_of(c.Get(path.c_str()));
  }

  // Ingests spans through the documented trace ingest endpoint.
  void ingest(const Json& spans) {
    const Reply r = call("POST", "/api/v1/traces/ingest", spans);
    ASSERT_EQ(r.status, 200) << r.text;
  }

  static Json trace_span(const std::string& tid, const std::string& sid, const std::string& parent,
                         const std::string& start, const std::string& end,
                         Json extra = Json::object()) {
    Json s = {{"trace_unique_id", tid}, {"span_unique_id", sid}, {"span_name", sid},
              {"start_time", start},    {"timestamp", end},      {"model", "gpt-4o"}};
    if (!parent.empty()) s["span_parent_id"] = parent;
    for (const auto& [k, v] : extra.items())
      s[k] = v;
    return s;
  }
};

class MockUiOff : public ContractTest {};

// ---------------------------------------------------------------------------- off

TEST_F(MockUiOff, ViewerPathsAreUnknownPathsWithoutTheOption) {
  const Reply unknown = call("GET", "/not-a-path");
  ASSERT_EQ(unknown.status, 404);
  for (const char* path : {"/ui", "/ui/", "/ui/api/logs", "/ui/api/traces", "/ui/api/datasets",
                           "/ui/api/changes?since=0&wait=5000", "/ui/api/traces/x"}) {
    const auto before = steady_clock::now();
    const Reply r = call("GET", path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.text, unknown.text) << path;  // the same answer as any unknown path
    EXPECT_LT(steady_clock::now() - before, milliseconds(2000)) << path << " waited";
  }
}

// ---------------------------------------------------------------------------- the page

TEST_F(MockUi, PageIsOneSelfContainedDocument) {
  auto c = client();
  const auto a = c->Get("/ui");
  const auto b = c->Get("/ui/");
  ASSERT_TRUE(a && b);
  ASSERT_EQ(a->status, 200);
  ASSERT_EQ(b->status, 200);
  EXPECT_EQ(a->get_header_value("Content-Type"), "text/html; charset=utf-8");
  const std::string& page = a->body;
  RecordProperty("page_bytes", std::to_string(page.size()));
  std::cout << "viewer page: " << page.size() << " bytes\n";
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_LT(page.size(), 64u * 1024u);
  // No external asset of any kind: no URL with a scheme, no src/href, no CSS import or url().
  for (const char* needle : {"http:", "https:", "src=", "href=", "@import", "url(", "@NONCE@"}) {
    EXPECT_EQ(page.find(needle), std::string::npos) << needle;
  }
  // Exactly one script, allowed by the per-answer nonce of the Content-Security-Policy, which
  // allows nothing external.
  const std::string csp = a->get_header_value("Content-Security-Policy");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(csp, m, std::regex("script-src 'nonce-([0-9a-f]{32})'"))) << csp;
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("connect-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(page.find("<script nonce=\"" + m[1].str() + "\">"), std::string::npos);
  EXPECT_EQ(page.find("<script"), page.rfind("<script"));
  EXPECT_EQ(b->get_header_value("Content-Security-Policy").find(m[1].str()), std::string::npos)
      << "the nonce must change between answers";
  // The page never uses innerHTML/outerHTML/insertAdjacentHTML/document.write (span text is
  // untrusted): every element is built with createElement and textContent.
  for (const char* sink : {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"}) {
    EXPECT_EQ(page.find(sink), std::string::npos) << sink;
  }
}

// ---------------------------------------------------------------------------- lists

TEST_F(MockUi, RequestLogListIsBoundedNewestFirst) {
  for (int i = 0; i < 600; ++i)
    server_.add_request_log({{"model", "m-" + std::to_string(i)}, {"cost", 0.5}});
  Reply r = get("/ui/api/logs");
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["count"], 600);
  ASSERT_EQ(r.body["results"].size(), 100u);  // the default page
  EXPECT_EQ(r.body["results"][0]["model"], "m-599");
  EXPECT_EQ(r.body["results"][99]["model"], "m-500");
  EXPECT_TRUE(r.body["version"].is_number_unsigned());
  expect_shape(r.body["results"][0],
               {{"unique_id", kStr}, {"timestamp", kStr}, {"model", kStr}, {"cost", kNum}}, false,
               "log row");
  r = get("/ui/api/logs?limit=500");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["results"].size(), 500u);
  EXPECT_EQ(get("/ui/api/logs?limit=7").body["results"].size(), 7u);
  for (const char* bad :
       {"limit=501", "limit=0", "limit=-1", "limit=abc", "limit=", "limit=99999999999999999999"}) {
    r = get(std::string("/ui/api/logs?") + bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_TRUE(r.body["detail"].is_string()) << r.text;
  }
}

TEST_F(MockUi, TraceAndDatasetListsAreBoundedNewestFirst) {
  for (int i = 0; i < 3; ++i) {
    const std::string tid = "trace-" + std::to_string(i);
    ingest(Json::array(
        {trace_span(tid, tid + "-root", "", "2025-01-01T00:00:00Z", "2025-01-01T00:00:01Z",
                    {{"status", i == 1 ? "error" : "success"}})}));
  }
  for (const char* name : {"first", "second"})
    make_dataset(name);
  Reply r = get("/ui/api/traces");
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["count"], 3);
  ASSERT_EQ(r.body["results"].size(), 3u);
  EXPECT_EQ(r.body["results"][0]["trace_unique_id"], "trace-2");
  EXPECT_EQ(r.body["results"][1]["error_count"], 1);
  expect_shape(r.body["results"][0],
               {{"trace_unique_id", kStr},
                {"name", kStr},
                {"start_time", kStr},
                {"span_count", kInt},
                {"error_count", kInt},
                {"duration", kNum},
                {"total_cost", kNum},
                {"total_tokens", kInt}},
               false, "trace row");
  EXPECT_EQ(get("/ui/api/traces?limit=1").body["results"].size(), 1u);
  EXPECT_EQ(get("/ui/api/traces?limit=501").status, 400);

  r = get("/ui/api/datasets");
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["count"], 2);
  ASSERT_EQ(r.body["results"].size(), 2u);
  EXPECT_EQ(r.body["results"][0]["name"], "second");
  EXPECT_EQ(r.body["results"][0]["log_count"], 0);
  EXPECT_EQ(get("/ui/api/datasets?limit=1").body["results"].size(), 1u);
  EXPECT_EQ(get("/ui/api/datasets?limit=0").status, 400);
}

// ---------------------------------------------------------------------------- one trace

TEST_F(MockUi, TraceIsFlatWithParentsOffsetsAndErrors) {
  ingest(Json::array(
      {trace_span("t 1/x", "root", "", "2025-01-01T00:00:00Z", "2025-01-01T00:00:01Z"),
       trace_span("t 1/x", "tool", "root", "2025-01-01T00:00:00.100Z", "2025-01-01T00:00:00.400Z",
                  {{"status", "error"}, {"error_message", "timed out"}}),
       trace_span("t 1/x", "step", "tool", "2025-01-01T00:00:00.150Z", "2025-01-01T00:00:00.200Z"),
       trace_span("t 1/x", "llm", "root", "2025-01-01T00:00:00.500Z", "2025-01-01T00:00:00.900Z",
                  {{"prompt_tokens", 24}, {"completion_tokens", 6}, {"cost", 0.00012}})}));
  Reply r = get("/ui/api/traces/t%201%2Fx");  // the id percent-encoded, '/' included
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["span_count"], 4);
  EXPECT_EQ(r.body["truncated"], false);
  EXPECT_EQ(r.body["trace"]["trace_unique_id"], "t 1/x");
  EXPECT_EQ(r.body["trace"]["error_count"], 1);
  Json& spans = r.body["spans"];
  ASSERT_EQ(spans.size(), 4u);
  // By start time, each with its parent as text and its place on the trace's time axis.
  const std::vector<std::vector<Json>> expected = {{"root", "", 0, 1000000, false},
                                                   {"tool", "root", 100000, 300000, true},
                                                   {"step", "tool", 150000, 50000, false},
                                                   {"llm", "root", 500000, 400000, false}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    Json& s = spans[i];
    EXPECT_EQ(s["span_unique_id"], expected[i][0]) << s.dump();
    EXPECT_EQ(s["span_parent_id"], expected[i][1]) << s.dump();
    EXPECT_EQ(s["offset_us"], expected[i][2]) << s.dump();
    EXPECT_EQ(s["duration_us"], expected[i][3]) << s.dump();
    EXPECT_EQ(s["is_error"], expected[i][4]) << s.dump();
  }
  EXPECT_EQ(spans[1]["error_message"], "timed out");
  EXPECT_EQ(spans[3]["model"], "gpt-4o");
  EXPECT_EQ(spans[3]["prompt_tokens"], 24);
  EXPECT_EQ(spans[3]["completion_tokens"], 6);
  EXPECT_DOUBLE_EQ(spans[3]["cost"].get<double>(), 0.00012);

  r = get("/ui/api/traces/t%201%2Fx?max_spans=2");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["spans"].size(), 2u);
  EXPECT_EQ(r.body["span_count"], 4);
  EXPECT_EQ(r.body["truncated"], true);
  EXPECT_EQ(get("/ui/api/traces/t%201%2Fx?max_spans=0").status, 400);
  EXPECT_EQ(get("/ui/api/traces/t%201%2Fx?max_spans=5001").status, 400);
  r = get("/ui/api/traces/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body["detail"], "Trace not found.");
  EXPECT_EQ(get("/ui/api/traces/").status, 404);
  EXPECT_EQ(get("/ui/api/traces/t%201%2Fx/more").status, 404);
  EXPECT_EQ(get("/ui/api/unknown").status, 404);
}

TEST_F(MockUi, LargeFieldsAreCutAndStructuredOnesBecomeText) {
  const std::string big(10000, 'x');
  ingest(Json::array({trace_span("big", "root", "", "2025-01-01T00:00:00Z", "2025-01-01T00:00:01Z",
                                 {{"input", big}, {"output", {{"answer", big}}}})}));
  Reply r = get("/ui/api/traces/big");
  ASSERT_EQ(r.status, 200) << r.text.substr(0, 200);
  const Json& s = r.body["spans"][0];
  ASSERT_TRUE(s["input"].is_string());
  ASSERT_TRUE(s["output"].is_string());
  EXPECT_LE(s["input"].get<std::string>().size(), 2000u + 20u);
  EXPECT_NE(s["input"].get<std::string>().find("[truncated]"), std::string::npos);
  EXPECT_EQ(s["output"].get<std::string>().rfind("{\"answer\":\"xxx", 0), 0u);
  EXPECT_LT(r.text.size(), 6000u);
}

// ---------------------------------------------------------------------------- read-only

TEST_F(MockUi, ViewerNeverChangesTheStores) {
  ingest(
      Json::array({trace_span("t", "root", "", "2025-01-01T00:00:00Z", "2025-01-01T00:00:01Z")}));
  server_.add_request_log({{"model", "m"}});
  make_dataset("d");
  const auto logs = server_.request_logs();
  const auto traces = server_.traces();
  const auto datasets = server_.datasets();
  for (const char* path : {"/ui", "/ui/api/logs", "/ui/api/traces", "/ui/api/traces/t",
                           "/ui/api/datasets", "/ui/api/changes"}) {
    EXPECT_EQ(get(path).status, 200) << path;
  }
  // Other methods are not viewer routes: they reach the API's routing (an unknown path).
  for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
    EXPECT_EQ(send(method, "/ui/api/logs", "{}").status, 404) << method;
    EXPECT_EQ(send(method, "/ui/api/traces/t", "{}").status, 404) << method;
  }
  EXPECT_EQ(server_.request_logs(), logs);
  EXPECT_EQ(server_.traces(), traces);
  EXPECT_EQ(server_.datasets(), datasets);
}

TEST_F(MockUi, ViewerNeedsNoKeyTakesNoFaultAndIsRecorded) {
  respan::testing::Fault fault;
  fault.status = 503;
  fault.times = -1;
  server_.inject_fault(fault);
  EXPECT_EQ(call("POST", "/api/request-logs/", span()).status, 503);
  server_.clear_requests();
  const Reply r = get("/ui/api/logs");  // no Authorization header
  EXPECT_EQ(r.status, 200) << r.text;
  const auto recorded = server_.requests();
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].path, "/ui/api/logs");
  EXPECT_EQ(recorded[0].status, 200);
  server_.clear_faults();
}

// ---------------------------------------------------------------------------- changes

TEST_F(MockUi, ChangesAnswersWhenTheDataChanges) {
  Reply r = get("/ui/api/changes");
  ASSERT_EQ(r.status, 200);
  const std::uint64_t v0 = r.body["version"].get<std::uint64_t>();
  // Reads (the viewer's, the API's GETs) change nothing: an up-to-date cursor waits.
  EXPECT_EQ(call("GET", "/api/request-logs/").status, 200);
  auto before = steady_clock::now();
  r = get("/ui/api/changes?since=" + std::to_string(v0) + "&wait=300");
  EXPECT_EQ(r.body["version"], v0);
  EXPECT_GE(steady_clock::now() - before, milliseconds(250));
  // An old cursor answers at once.
  before = steady_clock::now();
  EXPECT_EQ(get("/ui/api/changes?since=0&wait=20000").body["version"], v0);
  EXPECT_LT(steady_clock::now() - before, milliseconds(5000));

  // A waiting poll answers as soon as a span is stored.
  std::atomic<std::uint64_t> seen{0};
  std::atomic<long long> waited_ms{0};
  before = steady_clock::now();
  std::thread poller([&] {
    const Reply w = get("/ui/api/changes?since=" + std::to_string(v0) + "&wait=20000");
    seen = w.body.value("version", std::uint64_t{0});
    waited_ms = std::chrono::duration_cast<milliseconds>(steady_clock::now() - before).count();
  });
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(seen.load(), 0u) << "answered before the change";
  EXPECT_EQ(call("POST", "/api/request-logs/", span()).status, 200);
  poller.join();
  EXPECT_GT(seen.load(), v0);
  EXPECT_GE(waited_ms.load(), 250);
  EXPECT_LT(waited_ms.load(), 10000);

  // The direct seeding helpers count as changes too.
  const std::uint64_t v1 = seen.load();
  server_.add_request_log({{"model", "m"}});
  EXPECT_GT(get("/ui/api/changes?since=" + std::to_string(v1)).body["version"].get<std::uint64_t>(),
            v1);

  for (const char* bad : {"wait=25001", "wait=-1", "since=x", "wait=1.5"}) {
    EXPECT_EQ(get(std::string("/ui/api/changes?") + bad).status, 400) << bad;
  }
}

TEST_F(MockUi, StopEndsAWaitingPoll) {
  std::atomic<bool> done{false};
  const auto before = steady_clock::now();
  std::thread poller([&] {
    get("/ui/api/changes?since=999999&wait=25000");  // answered or cut: either way it returns
    done = true;
  });
  std::this_thread::sleep_for(milliseconds(200));
  server_.stop();
  poller.join();
  EXPECT_TRUE(done.load());
  EXPECT_LT(steady_clock::now() - before, milliseconds(10000));
}

}  // namespace
}  // namespace contract
