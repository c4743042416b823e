// respan::Tracer against the mock server over loopback: span trees over threads, errors on
// unwinding, the ledger of never-ended spans, OTLP bodies, retries and collector routing.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <respan/respan.hpp>
#include <respan/tracing.hpp>

#include "mock_api_test.hpp"

namespace {

using respan::Json;
using std::chrono::milliseconds;
using std::chrono::seconds;

class TracingTest : public MockApiTest {
 protected:
  respan::TracerOptions tracer_options() const {
    respan::TracerOptions o;
    o.batch.min_backoff = milliseconds(1);
    o.batch.max_backoff = milliseconds(5);
    o.batch.flush_interval = milliseconds(50);
    return o;
  }
  respan::Tracer tracer(respan::TracerOptions o) {
    return respan::Tracer(respan::RespanClient(options()), std::move(o));
  }
};

// The agent-like workflow: root, plan (thread-local parent), two tools on two threads (explicit
// parent, each with a nested step through the thread-local current span), an LLM call.
std::string run_workflow(respan::Tracer& tracer) {
  respan::Span root = tracer.start_trace("answer");
  root.set_input("Where is my order?");
  {
    respan::Span plan = tracer.start_span("plan");
    plan.set_output("look it up");
  }
  const respan::SpanContext ctx = root.context();
  std::vector<std::thread> tools;
  for (const char* name : {"tool_a", "tool_b"}) {
    tools.emplace_back([&tracer, ctx, name] {
      respan::Span tool = tracer.start_span(name, ctx);
      tool.set_log_type(respan::LogType::tool());
      respan::Span step = tracer.start_span(std::string(name) + "_step");  // under `tool`
      step.set_metadata("thread", name);
    });
  }
  for (auto& t : tools)
    t.join();
  {
    respan::Span llm = root.child("llm");
    llm.set_model("gpt-4o")
        .set_prompt_messages({respan::Message::user("Where is my order?")})
        .set_completion_message(respan::Message::assistant("It ships today."))
        .set_usage(12, 6);
  }
  root.set_output("It ships today.");
  return root.trace_unique_id();
}

// A tree as (name, log type, model) nodes with children sorted by name, ids left out.
Json shape(const Json& node) {
  Json out{{"name", node.value("span_name", "")},
           {"log_type", node.value("log_type", "")},
           {"model", node.value("model", "")},
           {"status", node.value("status", "")},
           {"workflow", node.value("span_workflow_name", "")}};
  std::vector<Json> kids;
  for (const Json& c : node.value("children", Json::array()))
    kids.push_back(shape(c));
  std::sort(kids.begin(), kids.end(),
            [](const Json& a, const Json& b) { return a["name"] < b["name"]; });
  out["children"] = kids;
  return out;
}

TEST_F(TracingTest, NestedSpansOverTwoThreadsFormOneTree) {
  respan::Tracer t = tracer(tracer_options());
  const std::string tid = run_workflow(t);
  ASSERT_EQ(tid.size(), 32u);
  const respan::DeliveryReport r = t.flush(seconds(10));
  EXPECT_EQ(r.logged, 7u);
  EXPECT_EQ(r.delivered, 7u);
  EXPECT_EQ(r.pending, 0u);
  EXPECT_EQ(t.open_spans(), 0u);

  auto trace = server_.trace(tid);
  ASSERT_TRUE(trace.has_value());
  ASSERT_EQ((*trace)["span_tree"].size(), 1u) << trace->dump();
  const Json& root = (*trace)["span_tree"][0];
  EXPECT_EQ(root["span_name"], "answer");
  EXPECT_FALSE(root.contains("span_parent_id") && !root["span_parent_id"].is_null());
  const Json s = shape(root);
  ASSERT_EQ(s["children"].size(), 4u) << s.dump(1);
  EXPECT_EQ(s["children"][0]["name"], "llm");
  EXPECT_EQ(s["children"][0]["model"], "gpt-4o");
  EXPECT_EQ(s["children"][0]["log_type"], "chat");
  EXPECT_EQ(s["children"][1]["name"], "plan");
  EXPECT_EQ(s["children"][1]["log_type"], "task");
  EXPECT_EQ(s["children"][2]["name"], "tool_a");
  EXPECT_EQ(s["children"][2]["log_type"], "tool");
  ASSERT_EQ(s["children"][2]["children"].size(), 1u);
  EXPECT_EQ(s["children"][2]["children"][0]["name"], "tool_a_step");
  ASSERT_EQ(s["children"][3]["children"].size(), 1u);
  EXPECT_EQ(s["children"][3]["children"][0]["name"], "tool_b_step");
  EXPECT_EQ(s["log_type"], "workflow");
  // Every span carries the workflow name, ids of the right form and times.
  for (const Json& span : server_.ingested_spans()) {
    EXPECT_EQ(span["trace_unique_id"], tid);
    EXPECT_EQ(span["span_workflow_name"], "answer");
    EXPECT_EQ(span["span_unique_id"].get<std::string>().size(), 16u);
    EXPECT_TRUE(span.contains("start_time"));
    EXPECT_TRUE(span.contains("timestamp"));
    EXPECT_GE(span["latency"].get<double>(), 0.0);
  }
  // Trace ingest is the default exporter, {"data": [...]} bodies.
  const auto reqs = requests_to("/api/v1/traces/ingest", "POST");
  ASSERT_FALSE(reqs.empty());
  EXPECT_TRUE(reqs[0].json().contains("data"));
}

TEST_F(TracingTest, SpanDestroyedDuringUnwindingIsAnError) {
  respan::Tracer t = tracer(tracer_options());
  std::string failed_id;
  std::string ok_id;
  try {
    respan::Span s = t.start_trace("fails");
    failed_id = s.span_unique_id();
    throw std::runtime_error("tool crashed");
  } catch (const std::runtime_error&) {
    respan::Span s = t.start_trace("in_handler");  // started and ended inside the handler
    ok_id = s.span_unique_id();
  }
  {
    respan::Span s = t.start_trace("told");
    s.set_error("bad answer");
  }
  EXPECT_EQ(t.flush(seconds(10)).delivered, 3u);
  std::map<std::string, Json> by_name;
  for (const Json& span : server_.ingested_spans())
    by_name[span["span_name"].get<std::string>()] = span;
  EXPECT_EQ(by_name["fails"]["status"], "error");
  EXPECT_NE(by_name["fails"]["error_message"].get<std::string>().find("unwinding"),
            std::string::npos);
  EXPECT_EQ(by_name["fails"]["span_unique_id"], failed_id);
  EXPECT_EQ(by_name["in_handler"]["status"], "success");
  EXPECT_EQ(by_name["told"]["status"], "error");
  EXPECT_EQ(by_name["told"]["error_message"], "bad answer");
}

TEST_F(TracingTest, NeverEndedSpanIsCountedAtShutdownAndNeverSent) {
  respan::TracerOptions o = tracer_options();
  std::mutex mu;
  std::vector<std::string> unended;
  o.batch.on_event = [&](const respan::DeliveryEvent& e) {
    std::lock_guard<std::mutex> lk(mu);
    if (e.kind == respan::DeliveryEvent::Kind::dropped && e.reason == respan::DropReason::unended)
      unended.push_back(e.message);
  };
  auto t = std::make_unique<respan::Tracer>(respan::RespanClient(options()), o);
  auto leaked = std::make_unique<respan::Span>(t->start_trace("forgotten"));
  { respan::Span done = leaked->child("done"); }
  EXPECT_EQ(t->open_spans(), 1u);
  const respan::DeliveryReport r = t->shutdown(seconds(10));
  EXPECT_EQ(r.logged, 2u);
  EXPECT_EQ(r.delivered, 1u);
  EXPECT_EQ(r.dropped_unended, 1u);
  EXPECT_EQ(r.dropped, 1u);
  EXPECT_EQ(r.pending, 0u);
  {
    std::lock_guard<std::mutex> lk(mu);
    ASSERT_EQ(unended.size(), 1u);
    EXPECT_NE(unended[0].find("'forgotten'"), std::string::npos);
    EXPECT_NE(unended[0].find(leaked->span_unique_id()), std::string::npos);
  }
  Json j;
  respan::to_json(j, r);
  EXPECT_EQ(j["dropped_by_reason"]["unended"], 1);
  // Ending it after the tracer is gone is safe, not sent and not counted twice.
  t.reset();
  leaked.reset();
  std::size_t forgotten_sent = 0;
  for (const Json& span : server_.ingested_spans())
    forgotten_sent += span["span_name"] == "forgotten" ? 1 : 0;
  EXPECT_EQ(forgotten_sent, 0u);
}

TEST_F(TracingTest, SpanStartedAfterShutdownIsDroppedAsShutdown) {
  respan::Tracer t = tracer(tracer_options());
  t.shutdown(seconds(5));
  { respan::Span late = t.start_trace("late"); }
  const respan::DeliveryReport r = t.stats();
  EXPECT_EQ(r.logged, 1u);
  EXPECT_EQ(r.dropped_shutdown, 1u);
}

TEST_F(TracingTest, OtlpBodiesDecodeToTheSameTree) {
  respan::Tracer ingest = tracer(tracer_options());
  const std::string tid_ingest = run_workflow(ingest);
  ASSERT_EQ(ingest.flush(seconds(10)).delivered, 7u);

  respan::TracerOptions o = tracer_options();
  o.exporter = respan::TraceExporter::otlp;
  respan::Tracer otlp = tracer(o);
  EXPECT_EQ(otlp.endpoint(), server_.base_url() + "/api/v2/traces");
  const std::string tid_otlp = run_workflow(otlp);
  const respan::DeliveryReport r = otlp.flush(seconds(10));
  EXPECT_EQ(r.delivered, 7u);
  EXPECT_EQ(r.rejected, 0u);

  const auto reqs = requests_to("/api/v2/traces", "POST");
  ASSERT_FALSE(reqs.empty());
  EXPECT_EQ(reqs[0].header("authorization"), "Bearer " + server_.api_key());
  const Json body = reqs[0].json();
  ASSERT_TRUE(body.contains("resourceSpans")) << reqs[0].body;

  auto a = server_.trace(tid_ingest);
  auto b = server_.trace(tid_otlp);
  ASSERT_TRUE(a && b);
  ASSERT_EQ((*a)["span_tree"].size(), 1u);
  ASSERT_EQ((*b)["span_tree"].size(), 1u);
  EXPECT_EQ(shape((*a)["span_tree"][0]).dump(1), shape((*b)["span_tree"][0]).dump(1));
  EXPECT_EQ((*a)["span_count"], (*b)["span_count"]);
  EXPECT_EQ((*a)["total_prompt_tokens"], (*b)["total_prompt_tokens"]);
}

TEST_F(TracingTest, ExporterRetriesAfter503) {
  for (const bool use_otlp : {false, true}) {
    SCOPED_TRACE(use_otlp ? "otlp" : "ingest");
    server_.clear_requests();
    const std::string path = use_otlp ? "/api/v2/traces" : "/api/v1/traces/ingest";
    respan::testing::Fault f;
    f.status = 503;
    f.times = 2;
    f.path_prefix = path;
    server_.inject_fault(f);
    respan::TracerOptions o = tracer_options();
    if (use_otlp) o.exporter = respan::TraceExporter::otlp;
    respan::Tracer t = tracer(o);
    std::string tid;
    {
      respan::Span s = t.start_trace("retried");
      tid = s.trace_unique_id();
    }
    const respan::DeliveryReport r = t.flush(seconds(10));
    EXPECT_EQ(r.delivered, 1u);
    EXPECT_EQ(r.requests, 3u);
    EXPECT_EQ(r.retries, 2u);
    EXPECT_EQ(r.possibly_duplicated, 0u);
    EXPECT_EQ(requests_to(path, "POST").size(), 3u);
    EXPECT_TRUE(server_.trace(tid).has_value());
  }
}

TEST_F(TracingTest, ResendAfterLostAnswerIsSafeEvenAtMostOnce) {
  // Trace ingest de-duplicates by span id: a batch whose answer was lost is sent again
  // whatever span_delivery says, and the trace holds one copy of each span.
  respan::ClientOptions co = options();
  co.span_delivery = respan::SpanDelivery::at_most_once;
  respan::testing::Fault f;
  f.drop_connection = true;
  f.path_prefix = "/api/v1/traces/ingest";
  server_.inject_fault(f);
  respan::Tracer t(respan::RespanClient(co), tracer_options());
  std::string tid;
  {
    respan::Span s = t.start_trace("twice");
    tid = s.trace_unique_id();
    s.child("child").end();
  }
  const respan::DeliveryReport r = t.flush(seconds(10));
  EXPECT_EQ(r.delivered, 2u);
  EXPECT_EQ(r.dropped_unacknowledged, 0u);
  EXPECT_EQ(r.possibly_duplicated, 0u);
  auto trace = server_.trace(tid);
  ASSERT_TRUE(trace);
  EXPECT_EQ((*trace)["span_count"], 2);
}

TEST_F(TracingTest, CollectorGetsNoApiKeyUnlessHeadersSaySo) {
  // The mock's /api/v2/traces stands in for a collector's OTLP/HTTP endpoint.
  respan::TracerOptions o = tracer_options();
  o.exporter = respan::TraceExporter::otlp;
  o.otlp_endpoint = server_.base_url() + "/api/v2/traces";
  {
    respan::ClientOptions co = options();
    co.default_headers["x-respan-team"] = "t";  // meant for Respan only
    respan::Tracer t(respan::RespanClient(co), o);
    { respan::Span s = t.start_trace("no_key"); }
    const respan::DeliveryReport r = t.flush(seconds(10));
    EXPECT_EQ(r.rejected, 1u);  // 401: the Respan key was not sent
    const auto reqs = requests_to("/api/v2/traces", "POST");
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].header("authorization"), "");
    EXPECT_EQ(reqs[0].header("x-respan-team"), "");
  }
  server_.clear_requests();
  o.otlp_headers["Authorization"] = "Bearer " + server_.api_key();
  o.otlp_headers["x-tenant"] = "t1";
  respan::Tracer t = tracer(o);
  { respan::Span s = t.start_trace("with_key"); }
  EXPECT_EQ(t.flush(seconds(10)).delivered, 1u);
  const auto reqs = requests_to("/api/v2/traces", "POST");
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].header("x-tenant"), "t1");
}

TEST_F(TracingTest, FromEnvRoutesToTheCollectorNamedByOtelVariables) {
  ::setenv("RESPAN_TRACING_EXPORTER", "otlp", 1);
  ::setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", (server_.base_url() + "/api/v2/traces").c_str(),
           1);
  ::setenv("OTEL_EXPORTER_OTLP_HEADERS", ("Authorization=Bearer%20" + server_.api_key()).c_str(),
           1);
  auto t = respan::Tracer::from_env(respan::RespanClient(options()), tracer_options());
  ::unsetenv("RESPAN_TRACING_EXPORTER");
  ::unsetenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  ::unsetenv("OTEL_EXPORTER_OTLP_HEADERS");
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->endpoint(), server_.base_url() + "/api/v2/traces");
  { respan::Span s = t->start_trace("env"); }
  EXPECT_EQ(t->flush(seconds(10)).delivered, 1u);
  EXPECT_EQ(requests_to("/api/v2/traces", "POST").size(), 1u);
}

TEST_F(TracingTest, InvalidOptionsAreRefusedBeforeStarting) {
  respan::TracerOptions o;
  o.exporter = respan::TraceExporter::otlp;
  o.otlp_endpoint = "collector:4318";
  auto t = respan::Tracer::create(respan::RespanClient(options()), o);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, respan::ErrorCode::invalid_argument);
  EXPECT_THROW(respan::Tracer(respan::RespanClient(options()), o), respan::ApiError);
}

TEST_F(TracingTest, MovedAndDefaultSpansAreSafe) {
  respan::Tracer t = tracer(tracer_options());
  respan::Span none;
  none.set_model("x").set_error("y");
  none.fields().cost = 1;
  EXPECT_FALSE(none.recording());
  EXPECT_FALSE(none.child("c").recording());
  respan::Span a = t.start_trace("a");
  respan::Span b = std::move(a);
  EXPECT_FALSE(a.recording());  // NOLINT(bugprone-use-after-move): documented state
  b = t.start_trace("c");       // ends "a" first
  b.end();
  b.end();
  EXPECT_EQ(t.flush(seconds(10)).delivered, 2u);
}

}  // namespace
