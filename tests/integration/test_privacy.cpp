// The privacy and volume controls (respan/privacy.hpp) against the mock over loopback, under
// the BatchLogger and the Tracer, every exporter: a canary secret planted in every string field
// never reaches a request body, a throwing hook, content capture off (option and environment),
// head sampling (all-or-nothing traces, ratio, no trace id), the filter, size limits, the
// report's invariant with sampling on, and the options' validation.
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <respan/respan.hpp>
#include <respan/tracing.hpp>

#include "mock_api_test.hpp"

namespace {

using respan::BatchLogger;
using respan::BatchOptions;
using respan::DeliveryReport;
using respan::Json;
using std::chrono::milliseconds;
using std::chrono::seconds;

// An e-mail address and two API-key shapes: what must never leave the process.
const std::string kCanaryEmail = "canary.secret@example.com";
const std::string kCanaryKey = "sk-canaryCANARY0123456789abcdef";
const std::string kCanaryAws = "AKIACANARY0123456789";
const std::string kCanary = "note " + kCanaryEmail + " key " + kCanaryKey + " aws " + kCanaryAws;

void expect_balanced(const DeliveryReport& r) {
  EXPECT_EQ(r.logged, r.delivered + r.rejected + r.dropped + r.pending);
}

// Every string field the masking hook covers holds the canary.
void plant(respan::RequestLog& l) {
  const std::string c = kCanary;
  l.input = c;
  l.output = respan::SpanIO::from_json_value(Json{{"answer", c}, {"list", {c, 1}}});
  respan::Message with_parts = respan::Message::user(
      {respan::ContentPart::make_text(c), respan::ContentPart::make_image_url("https://x/" + c)});
  with_parts.name = c;
  with_parts.extra = Json{{"note", c}};
  respan::Message tool_call = respan::Message::assistant(
      {respan::ToolCall::make_function("call_1", "lookup", Json{{"q", c}}.dump())});
  l.prompt_messages = std::vector<respan::Message>{respan::Message::system(c), with_parts,
                                                   tool_call, respan::Message::tool("call_1", c)};
  l.completion_message = respan::Message::assistant(c);
  l.tool_calls = std::vector<respan::ToolCall>{
      respan::ToolCall::make_function("call_2", "send", Json{{"to", c}}.dump())};
  l.metadata = Json{{"user", {{"email", c}, {"tags", {c, "x"}}}}, {"n", 1}};
  l.properties = Json{{"p", c}};
  l.variables = Json{{"v", c}};
  l.full_request = Json{{"messages", {{{"role", "user"}, {"content", c}}}}};
  l.full_response = Json{{"choices", {{{"message", {{"content", c}}}}}}};
  l.error_message = c;
  l.warnings = respan::Warnings(c);
  l.customer_identifier = c;
  l.customer_params = respan::CustomerParams{c, c, c, Json{{"extra", c}}};
  l.thread_identifier = c;
  l.group_identifier = c;
  l.custom_identifier = c;
  l.respan_params = Json{{"r", c}};
  l.extra = Json{{"custom_field", c}};
}

// No recorded body (gzip bodies are kept decompressed; protobuf strings are raw bytes) holds
// any part of the canary; at least `min_bodies` bodies were sent and (when `all_redacted`)
// each shows the redaction.
void expect_no_canary(const respan::testing::MockServer& server, std::size_t min_bodies,
                      bool all_redacted = true) {
  std::size_t bodies = 0;
  for (const auto& r : server.requests()) {
    if (r.method != "POST") continue;
    ++bodies;
    EXPECT_FALSE(r.body_truncated);
    for (const std::string& secret : {kCanaryEmail, kCanaryKey, kCanaryAws, std::string("canary.")})
      EXPECT_EQ(r.body.find(secret), std::string::npos) << r.path << " leaks " << secret;
    if (!all_redacted) continue;
    EXPECT_NE(r.body.find("[REDACTED_EMAIL]"), std::string::npos) << r.path;
    EXPECT_NE(r.body.find("[REDACTED_SECRET]"), std::string::npos) << r.path;
  }
  EXPECT_GE(bodies, min_bodies);
}

class PrivacyTest : public MockApiTest {
 protected:
  respan::RespanClient client() const { return respan::RespanClient(options()); }
  static BatchOptions fast() {
    BatchOptions o;
    o.flush_interval = milliseconds(20);
    o.min_backoff = milliseconds(1);
    o.max_backoff = milliseconds(5);
    return o;
  }
  respan::TracerOptions tracer_options() const {
    respan::TracerOptions o;
    o.batch = fast();
    return o;
  }
  respan::Tracer tracer(respan::TracerOptions o) const {
    return respan::Tracer(client(), std::move(o));
  }
  void TearDown() override { ::unsetenv("RESPAN_TRACE_CONTENT"); }
};

// ------------------------------------------------------------------ the canary
TEST_F(PrivacyTest, CanaryNeverLeavesTheBatchLogger) {
  BatchOptions o = fast();
  o.privacy.mask = respan::redact::all();
  BatchLogger logger(client(), o);
  for (int i = 0; i < 3; ++i) {
    respan::RequestLog l("gpt-4o");
    plant(l);
    ASSERT_TRUE(logger.log(std::move(l)));
  }
  const DeliveryReport r = logger.shutdown(seconds(10));
  expect_balanced(r);
  EXPECT_EQ(r.delivered, 3u) << r.last_error;
  EXPECT_EQ(r.mask_failures, 0u);
  expect_no_canary(server_, 1);
  ASSERT_EQ(server_.request_logs().size(), 3u);
  EXPECT_EQ(server_.request_logs()[0].dump().find("canary"), std::string::npos);
}

void run_canary_trace(respan::Tracer& t) {
  respan::Span root = t.start_trace("workflow " + kCanary);
  {
    respan::Span llm = root.child("llm " + kCanary);
    llm.set_model("gpt-4o").set_usage(3, 4);
    plant(llm.fields());
    llm.fields().model = "gpt-4o";
  }
  respan::Span tool = root.child("tool");
  tool.set_input(kCanary).set_output(kCanary).set_error(kCanary);
  tool.set_metadata("secret", kCanary);
}

TEST_F(PrivacyTest, CanaryNeverLeavesTheTracerWhateverTheExporter) {
  struct Case {
    respan::TraceExporter exporter;
    respan::OtlpProtocol protocol;
    respan::OtlpCompression compression;
    const char* path;
  };
  const Case cases[] = {
      {respan::TraceExporter::respan_ingest, respan::OtlpProtocol::http_json,
       respan::OtlpCompression::none, "/api/v1/traces/ingest"},
      {respan::TraceExporter::otlp, respan::OtlpProtocol::http_json, respan::OtlpCompression::none,
       "/api/v2/traces"},
      {respan::TraceExporter::otlp, respan::OtlpProtocol::http_json, respan::OtlpCompression::gzip,
       "/api/v2/traces"},
      {respan::TraceExporter::otlp, respan::OtlpProtocol::http_protobuf,
       respan::OtlpCompression::none, "/api/v1/traces"},
      {respan::TraceExporter::otlp, respan::OtlpProtocol::http_protobuf,
       respan::OtlpCompression::gzip, "/api/v1/traces"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path);
    server_.clear_requests();
    respan::TracerOptions o = tracer_options();
    o.exporter = c.exporter;
    o.otlp_protocol = c.protocol;
    o.otlp_compression = c.compression;
    o.batch.privacy.mask = respan::redact::all();
    respan::Tracer t = tracer(o);
    run_canary_trace(t);
    const DeliveryReport r = t.shutdown(seconds(10));
    expect_balanced(r);
    EXPECT_EQ(r.delivered, 3u) << r.last_error;
    const auto sent = requests_to(c.path, "POST");
    ASSERT_FALSE(sent.empty());
    if (c.compression == respan::OtlpCompression::gzip) {
      EXPECT_EQ(sent[0].header("content-encoding"), "gzip");
    }
    expect_no_canary(server_, 1);
  }
}

// Without masking the same spans do carry the canary: the test above would catch a leak.
TEST_F(PrivacyTest, WithoutMaskingTheCanaryIsSent) {
  respan::Tracer t = tracer(tracer_options());
  run_canary_trace(t);
  EXPECT_EQ(t.shutdown(seconds(10)).delivered, 3u);
  bool seen = false;
  for (const auto& r : requests_to("/api/v1/traces/ingest", "POST"))
    seen = seen || r.body.find(kCanaryKey) != std::string::npos;
  EXPECT_TRUE(seen);
}

// ------------------------------------------------------------------ a throwing hook
TEST_F(PrivacyTest, ThrowingHookLeavesTheMarkerIsCountedAndNeverStopsTheExporter) {
  struct Weird {};
  std::mutex mu;
  std::vector<respan::DeliveryEvent::Kind> kinds;
  std::vector<std::string> messages;
  BatchOptions o = fast();
  o.privacy.mask = [](std::string& s, const respan::MaskField& f) {
    if (f.path == "input") throw std::runtime_error("hook bug");
    if (f.path == "metadata.k") throw Weird{};
    if (f.path == "output") throw std::bad_alloc();
    respan::redact::all()(s, f);
  };
  o.on_event = [&](const respan::DeliveryEvent& e) {
    std::lock_guard<std::mutex> lk(mu);
    kinds.push_back(e.kind);
    messages.push_back(e.message);
  };
  BatchLogger logger(client(), o);
  for (int i = 0; i < 5; ++i) {
    respan::RequestLog l("gpt-4o");
    l.input = kCanary;
    l.output = kCanary;
    l.metadata = Json{{"k", kCanary}, {"ok", kCanary}};
    l.customer_identifier = "c" + std::to_string(i);
    logger.log(std::move(l));
  }
  DeliveryReport r = logger.flush(seconds(10));
  EXPECT_EQ(r.delivered, 5u);
  EXPECT_EQ(r.mask_failures, 5u);
  expect_balanced(r);
  // Still exporting afterwards.
  logger.log(respan::RequestLog("gpt-4o"));
  r = logger.shutdown(seconds(10));
  EXPECT_EQ(r.delivered, 6u);
  EXPECT_EQ(r.mask_failures, 5u);
  const std::string marker(respan::kMaskFailedMarker);
  for (const Json& s : server_.request_logs()) {
    if (!s.contains("input")) continue;
    EXPECT_EQ(s["input"], marker);
    EXPECT_EQ(s["output"], marker);
    EXPECT_EQ(s["metadata"]["k"], marker);
    EXPECT_EQ(s["metadata"]["ok"].get<std::string>().find("canary"), std::string::npos);
  }
  expect_no_canary(server_, 1, false);
  std::lock_guard<std::mutex> lk(mu);
  ASSERT_EQ(std::count(kinds.begin(), kinds.end(), respan::DeliveryEvent::Kind::mask_failed), 5);
  EXPECT_NE(messages[0].find("input"), std::string::npos);
  EXPECT_NE(messages[0].find("metadata.k"), std::string::npos);
  EXPECT_NE(r.last_error.find("masking hook"), std::string::npos);
}

// ------------------------------------------------------------------ content capture off
void expect_no_content(const Json& span) {
  for (const char* f : {"input", "output", "prompt_messages", "completion_message", "full_request",
                        "full_response", "variables"})
    EXPECT_FALSE(span.contains(f)) << f << " in " << span.dump();
}

TEST_F(PrivacyTest, ContentOffKeepsModelUsageTimingIdsStatusAndMetadata) {
  BatchOptions o = fast();
  o.privacy.capture_content = false;
  BatchLogger logger(client(), o);
  respan::RequestLog l("gpt-4o");
  plant(l);
  l.prompt_tokens = 12;
  l.completion_tokens = 7;
  l.cost = 0.5;
  l.latency = 1.25;
  l.status = respan::SpanStatus::success();
  l.trace_unique_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  logger.log(std::move(l));
  EXPECT_EQ(logger.shutdown(seconds(10)).delivered, 1u);
  ASSERT_EQ(server_.request_logs().size(), 1u);
  const auto bodies = requests_to("/api/request-logs/bulk/", "POST");
  ASSERT_EQ(bodies.size(), 1u);
  const Json sent = bodies[0].json()["logs"][0];
  expect_no_content(sent);
  EXPECT_EQ(sent["model"], "gpt-4o");
  EXPECT_EQ(sent["prompt_tokens"], 12);
  EXPECT_EQ(sent["completion_tokens"], 7);
  EXPECT_EQ(sent["latency"], 1.25);
  EXPECT_EQ(sent["status"], "success");
  EXPECT_EQ(sent["trace_unique_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_TRUE(sent.contains("metadata"));
  EXPECT_FALSE(sent["tool_calls"][0]["function"].contains("arguments"));
  EXPECT_EQ(sent["tool_calls"][0]["function"]["name"], "send");
}

TEST_F(PrivacyTest, ContentOffByTheEnvironmentUnderTheTracerBothExporters) {
  ::setenv("RESPAN_TRACE_CONTENT", "false", 1);
  for (respan::TraceExporter ex :
       {respan::TraceExporter::respan_ingest, respan::TraceExporter::otlp}) {
    server_.clear_requests();
    respan::TracerOptions o = tracer_options();
    o.exporter = ex;
    respan::Tracer t = tracer(o);  // the option says true; the environment turns it off
    EXPECT_FALSE(t.options().batch.privacy.capture_content);
    std::string tid;
    {
      respan::Span s = t.start_trace("chat");
      tid = s.trace_unique_id();
      s.set_model("gpt-4o")
          .set_input("PROMPT-TEXT")
          .set_output("COMPLETION-TEXT")
          .set_prompt_messages({respan::Message::user("PROMPT-TEXT")})
          .set_completion_message(respan::Message::assistant("COMPLETION-TEXT"))
          .set_usage(10, 20)
          .set_metadata("team", "search");
    }
    EXPECT_EQ(t.shutdown(seconds(10)).delivered, 1u);
    std::size_t bodies = 0;
    for (const auto& r : server_.requests()) {
      if (r.method != "POST") continue;
      ++bodies;
      EXPECT_EQ(r.body.find("PROMPT-TEXT"), std::string::npos);
      EXPECT_EQ(r.body.find("COMPLETION-TEXT"), std::string::npos);
      EXPECT_NE(r.body.find("gpt-4o"), std::string::npos);
      EXPECT_NE(r.body.find("search"), std::string::npos);
    }
    EXPECT_GE(bodies, 1u);
    auto tree = server_.trace(tid);
    ASSERT_TRUE(tree);
    const Json& node = (*tree)["span_tree"][0];
    EXPECT_EQ(node.value("model", ""), "gpt-4o");
    EXPECT_EQ((*tree)["total_prompt_tokens"], 10);
  }
  ::setenv("RESPAN_TRACE_CONTENT", "true", 1);  // cannot turn back on what the option turns off
  respan::TracerOptions o = tracer_options();
  o.batch.privacy.capture_content = false;
  EXPECT_FALSE(tracer(o).options().batch.privacy.capture_content);
}

// ------------------------------------------------------------------ sampling
TEST_F(PrivacyTest, SampledTracesAreAllOrNothingAndFollowTheTraceIdRule) {
  respan::TracerOptions o = tracer_options();
  o.batch.privacy.sample_ratio = 0.5;
  respan::Tracer t = tracer(o);
  std::vector<std::string> ids;
  for (int i = 0; i < 200; ++i) {
    respan::Span root = t.start_trace("root");
    ids.push_back(root.trace_unique_id());
    respan::Span a = root.child("a");
    respan::Span b = a.child("b");
  }
  const DeliveryReport r = t.shutdown(seconds(20));
  expect_balanced(r);
  EXPECT_EQ(r.logged + r.sampled_out, 600u);
  EXPECT_EQ(r.delivered, r.logged);
  std::size_t kept = 0;
  for (const std::string& id : ids) {
    const bool expected = respan::trace_id_sampled(id, 0.5);
    auto tree = server_.trace(id);
    if (expected) {
      ++kept;
      ASSERT_TRUE(tree) << id;
      EXPECT_EQ((*tree)["span_count"], 3) << id;
    } else {
      EXPECT_FALSE(tree) << id;
    }
  }
  EXPECT_EQ(r.logged, 3 * kept);
  EXPECT_EQ(r.sampled_out, 3 * (200 - kept));
  EXPECT_NEAR(static_cast<double>(kept), 100.0, 40.0);  // binomial sd 7
}

TEST_F(PrivacyTest, RequestLogsWithoutATraceIdAreSampledAtTheRatio) {
  BatchOptions o = fast();
  o.privacy.sample_ratio = 0.25;
  BatchLogger logger(client(), o);
  for (int i = 0; i < 2000; ++i)
    EXPECT_TRUE(logger.log(respan::RequestLog("gpt-4o")));  // sampled out is not a failure
  // Spans of one trace id share one decision.
  for (int i = 0; i < 20; ++i) {
    respan::RequestLog l("gpt-4o");
    l.trace_unique_id = "4bf92f3577b34da6a3ffffffffffffff";  // R = 2^56-1: always kept
    logger.log(l);
    l.trace_unique_id = "4bf92f3577b34da6a30000000000000f";  // R = 15: never kept at 0.25
    logger.log(l);
  }
  const DeliveryReport r = logger.shutdown(seconds(20));
  expect_balanced(r);
  EXPECT_EQ(r.logged + r.sampled_out, 2040u);
  EXPECT_EQ(r.delivered, r.logged);
  EXPECT_NEAR(static_cast<double>(r.logged), 500.0 + 20.0, 120.0);  // sd 19
  std::size_t always = 0;
  for (const Json& s : server_.request_logs()) {
    const std::string id = s.value("trace_unique_id", "");
    EXPECT_NE(id, "4bf92f3577b34da6a30000000000000f");
    always += id == "4bf92f3577b34da6a3ffffffffffffff" ? 1 : 0;
  }
  EXPECT_EQ(always, 20u);
  const Json j = r;
  EXPECT_EQ(j["sampled_out"], r.sampled_out);
  EXPECT_EQ(j["logged"], r.logged);
}

TEST_F(PrivacyTest, RatioZeroSendsNothing) {
  BatchOptions o = fast();
  o.privacy.sample_ratio = 0.0;
  BatchLogger logger(client(), o);
  for (int i = 0; i < 100; ++i)
    logger.log(respan::RequestLog("gpt-4o"));
  const DeliveryReport r = logger.shutdown(seconds(5));
  EXPECT_EQ(r.logged, 0u);
  EXPECT_EQ(r.sampled_out, 100u);
  EXPECT_EQ(r.requests, 0u);
  EXPECT_TRUE(r.all_delivered());
}

// ------------------------------------------------------------------ the filter
TEST_F(PrivacyTest, FilterDropsSpansAndAThrowingFilterDropsAndIsCounted) {
  std::mutex mu;
  std::vector<std::string> dropped;
  BatchOptions o = fast();
  o.privacy.filter = [](const respan::TraceSpan& s) {
    if (s.log.customer_identifier == std::optional<std::string>("boom"))
      throw std::runtime_error("filter bug");
    if (s.log.customer_identifier == std::optional<std::string>("weird")) throw 7;
    return s.log.customer_identifier != std::optional<std::string>("health");
  };
  o.on_event = [&](const respan::DeliveryEvent& e) {
    if (e.kind != respan::DeliveryEvent::Kind::dropped) return;
    EXPECT_EQ(e.reason, respan::DropReason::filtered);
    ASSERT_NE(e.span, nullptr);
    std::lock_guard<std::mutex> lk(mu);
    dropped.push_back(*e.span->customer_identifier + ": " + e.message);
  };
  BatchLogger logger(client(), o);
  for (const char* c : {"a", "health", "b", "boom", "weird", "c"}) {
    respan::RequestLog l("gpt-4o");
    l.customer_identifier = c;
    logger.log(std::move(l));
  }
  const DeliveryReport r = logger.shutdown(seconds(10));
  expect_balanced(r);
  EXPECT_EQ(r.logged, 6u);
  EXPECT_EQ(r.delivered, 3u);
  EXPECT_EQ(r.dropped_filtered, 3u);
  EXPECT_EQ(r.dropped, 3u);
  EXPECT_EQ(r.filter_failures, 2u);
  EXPECT_EQ(server_.request_logs().size(), 3u);
  const Json j = r;
  EXPECT_EQ(j["dropped_by_reason"]["filtered"], 3);
  EXPECT_EQ(j["filter_failures"], 2);
  std::lock_guard<std::mutex> lk(mu);
  ASSERT_EQ(dropped.size(), 3u);
  EXPECT_NE(std::find(dropped.begin(), dropped.end(), "boom: the span filter threw: filter bug"),
            dropped.end());
}

TEST_F(PrivacyTest, ASpanDeclinedByTheFilterIsNotAFailure) {
  BatchOptions o = fast();
  o.privacy.filter = [](const respan::TraceSpan&) { return false; };
  BatchLogger logger(client(), o);
  for (int i = 0; i < 10; ++i)
    logger.log(respan::RequestLog("gpt-4o"));
  const DeliveryReport r = logger.shutdown(seconds(5));
  expect_balanced(r);
  EXPECT_EQ(r.dropped_filtered, 10u);
  EXPECT_EQ(r.filter_failures, 0u);
  EXPECT_TRUE(r.last_error.empty()) << r.last_error;
  EXPECT_EQ(r.requests, 0u);
}

// ------------------------------------------------------------------ size limits
TEST_F(PrivacyTest, SizeLimitsCutUtf8SafelyAndMarkTheSpan) {
  std::atomic<int> truncated_events{0};
  BatchOptions o = fast();
  o.privacy.max_field_bytes = 100;
  o.privacy.max_span_bytes = 2048;
  o.on_event = [&](const respan::DeliveryEvent& e) {
    if (e.kind == respan::DeliveryEvent::Kind::truncated) ++truncated_events;
  };
  BatchLogger logger(client(), o);
  std::string text;
  for (int i = 0; i < 100; ++i)
    text += "\xE2\x82\xAC";  // €: three bytes
  respan::RequestLog l("gpt-4o");
  l.input = text;
  std::vector<respan::Message> many;
  for (int i = 0; i < 40; ++i)
    many.push_back(respan::Message::user(std::string(90, 'x')));
  l.prompt_messages = many;  // 3600 bytes, each string under the field limit
  l.metadata = Json{{"team", "search"}};
  logger.log(std::move(l));
  logger.log(respan::RequestLog("gpt-4o"));  // nothing to cut
  const DeliveryReport r = logger.shutdown(seconds(10));
  EXPECT_EQ(r.delivered, 2u) << r.last_error;
  EXPECT_EQ(r.truncated, 1u);
  EXPECT_EQ(truncated_events.load(), 1);
  const auto bodies = requests_to("/api/request-logs/bulk/", "POST");
  ASSERT_FALSE(bodies.empty());
  const Json body = bodies[0].json();  // parses: valid UTF-8 throughout
  ASSERT_TRUE(body.is_object()) << bodies[0].body;
  const Json& span = body["logs"][0];
  const std::string input = span["input"];
  const std::string marker(respan::kTruncatedMarker);
  EXPECT_LE(input.size(), 100u);
  ASSERT_GT(input.size(), marker.size());
  EXPECT_EQ(input.substr(input.size() - marker.size()), marker);
  EXPECT_EQ((input.size() - marker.size()) % 3, 0u);  // whole € signs only
  std::size_t text_bytes = input.size();
  for (const Json& m : span["prompt_messages"])
    text_bytes += m["content"].get<std::string>().size();
  EXPECT_LE(text_bytes + std::string("search").size(), 2048u);
  EXPECT_EQ(span["metadata"]["respan_truncated"], true);
  EXPECT_EQ(span["metadata"]["team"], "search");
  EXPECT_FALSE(body["logs"][1].contains("metadata"));
}

// ------------------------------------------------------------------ validation
TEST_F(PrivacyTest, OutOfRangeOptionsAreRefused) {
  const double bad_ratios[] = {-0.1, 1.5, std::numeric_limits<double>::quiet_NaN()};
  for (double ratio : bad_ratios) {
    BatchOptions o;
    o.privacy.sample_ratio = ratio;
    auto made = BatchLogger::create(client(), o);
    ASSERT_FALSE(made);
    EXPECT_EQ(made.error().code, respan::ErrorCode::invalid_argument);
    EXPECT_NE(made.error().message.find("sample_ratio"), std::string::npos);
    respan::TracerOptions t;
    t.batch.privacy.sample_ratio = ratio;
    auto tr = respan::Tracer::create(client(), t);
    ASSERT_FALSE(tr);
    EXPECT_EQ(tr.error().code, respan::ErrorCode::invalid_argument);
  }
  BatchOptions o;
  o.privacy.max_field_bytes = 10;
  auto a = BatchLogger::create(client(), o);
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().message.find("max_field_bytes"), std::string::npos);
  o.privacy.max_field_bytes = 0;
  o.privacy.max_span_bytes = 100;
  auto b = BatchLogger::create(client(), o);
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().message.find("max_span_bytes"), std::string::npos);
  o.privacy.max_span_bytes = 1024;
  o.privacy.max_field_bytes = 64;
  o.privacy.sample_ratio = 0.0;
  EXPECT_TRUE(BatchLogger::create(client(), o));
}

}  // namespace
