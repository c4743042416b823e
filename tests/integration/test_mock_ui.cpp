// The mock server's web viewer (MockServerOptions::ui) fed by the SDK: a trace sent by the
// Tracer over loopback reads back from /ui/api/traces/{id} (through the SDK's own libcurl
// transport) with the SDK's span ids, parents, error status and LLM fields, which is what the
// page draws (tests/browser/ checks the drawing itself in chromium).
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>
#include <respan/tracing.hpp>
#include <respan/transport.hpp>

namespace {

using respan::Json;
using std::chrono::milliseconds;
using std::chrono::seconds;

class MockUiTracing : public ::testing::Test {
 protected:
  static respan::testing::MockServerOptions with_ui() {
    respan::testing::MockServerOptions o;
    o.ui = true;
    return o;
  }
  void SetUp() override { server_.start(); }

  Json get(const std::string& path) {
    respan::HttpRequest req;
    req.url = server_.base_url() + path;
    req.timeout = seconds(30);
    auto r = transport_->send(req);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().to_string());
    if (!r) return Json();
    EXPECT_EQ(r->status, 200) << r->body;
    return Json::parse(r->body, nullptr, false);
  }

  respan::testing::MockServer server_{with_ui()};
  std::shared_ptr<respan::Transport> transport_ = respan::make_curl_transport();
};

TEST_F(MockUiTracing, TraceFromTheTracerReadsBackWithItsTree) {
  respan::ClientOptions c;
  c.api_key = server_.api_key();
  c.base_url = server_.base_url();
  respan::TracerOptions t;
  t.batch.flush_interval = milliseconds(50);
  respan::Tracer tracer(respan::RespanClient(c), t);

  std::map<std::string, std::string> parent_of;  // span id -> parent id ("" for the root)
  std::string trace_id, error_id, llm_id;
  {
    respan::Span root = tracer.start_trace("answer");
    trace_id = root.trace_unique_id();
    parent_of[root.span_unique_id()] = "";
    {
      respan::Span tool = root.child("tool");
      parent_of[tool.span_unique_id()] = root.span_unique_id();
      respan::Span step = tracer.start_span("step", tool.context());
      parent_of[step.span_unique_id()] = tool.span_unique_id();
      step.set_error("step failed");
      error_id = step.span_unique_id();
    }
    respan::Span llm = root.child("llm");
    llm.set_model("gpt-4o").set_usage(24, 6).set_cost(0.00012);
    llm_id = llm.span_unique_id();
    parent_of[llm_id] = root.span_unique_id();
  }
  const respan::DeliveryReport report = tracer.shutdown(seconds(20));
  ASSERT_TRUE(report.all_delivered());

  Json list = get("/ui/api/traces");
  ASSERT_EQ(list["results"].size(), 1u) << list.dump();
  EXPECT_EQ(list["results"][0]["trace_unique_id"], trace_id);
  EXPECT_EQ(list["results"][0]["span_count"], 4);
  EXPECT_EQ(list["results"][0]["error_count"], 1);

  Json trace = get("/ui/api/traces/" + trace_id);
  ASSERT_EQ(trace["spans"].size(), 4u) << trace.dump();
  for (const Json& s : trace["spans"]) {
    const std::string id = s["span_unique_id"].get<std::string>();
    ASSERT_EQ(parent_of.count(id), 1u) << id;
    EXPECT_EQ(s["span_parent_id"], parent_of[id]) << id;
    EXPECT_EQ(s["is_error"], id == error_id) << id;
    EXPECT_GE(s["offset_us"].get<std::int64_t>(), 0);
    EXPECT_GE(s["duration_us"].get<std::int64_t>(), 0);
    if (id == error_id) {
      EXPECT_EQ(s["error_message"], "step failed");
    }
    if (id == llm_id) {
      EXPECT_EQ(s["model"], "gpt-4o");
      EXPECT_EQ(s["prompt_tokens"], 24);
      EXPECT_EQ(s["completion_tokens"], 6);
      EXPECT_DOUBLE_EQ(s["cost"].get<double>(), 0.00012);
    }
  }
  EXPECT_EQ(trace["spans"][0]["span_parent_id"], "");  // the root starts first
}

}  // namespace
