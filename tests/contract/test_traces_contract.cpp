// Contract tests of the mock's trace endpoints (REFERENCE §7.8) over raw loopback HTTP.
#include <string>

#include "contract_util.hpp"

namespace contract {
namespace {

class ContractTraces : public ContractTest {
 protected:
  static constexpr const char* kTid = "0af7651916cd43dd8448eb211c80319c";
  static constexpr const char* kRoot = "b7ad6b7169203331";
  static constexpr const char* kChild = "00f067aa0ba902b7";

  // The same two-span trace as ingest items: a workflow root and an LLM child.
  static Json ingest_spans() {
    return Json::array({{{"trace_unique_id", kTid},
                         {"span_unique_id", kRoot},
                         {"span_name", "pipeline"},
                         {"log_type", "workflow"},
                         {"span_workflow_name", "pipeline"},
                         {"start_time", "2026-11-26T05:00:00Z"},
                         {"timestamp", "2026-11-26T05:00:02Z"},
                         {"customer_identifier", "user-1"}},
                        {{"trace_unique_id", kTid},
                         {"span_unique_id", kChild},
                         {"span_parent_id", kRoot},
                         {"span_name", "openai.chat"},
                         {"log_type", "chat"},
                         {"model", "gpt-4o"},
                         {"prompt_tokens", 10},
                         {"completion_tokens", 5},
                         {"input", Json::array({{{"role", "user"}, {"content", "hi"}}})},
                         {"output", {{"role", "assistant"}, {"content", "hello"}}},
                         {"start_time", "2026-11-26T05:00:00.500Z"},
                         {"timestamp", "2026-11-26T05:00:01.500Z"},
                         {"status", "error"},
                         {"error_message", "boom"}}});
  }

  static Json str_attr(const std::string& k, const std::string& v) {
    return {{"key", k}, {"value", {{"stringValue", v}}}};
  }
  static Json int_attr(const std::string& k, const std::string& v) {
    return {{"key", k}, {"value", {{"intValue", v}}}};
  }

  // The same trace as an OTLP JSON ExportTraceServiceRequest.
  static Json otlp_body() {
    const Json root = {
        {"traceId", kTid},
        {"spanId", kRoot},
        {"name", "pipeline"},
        {"kind", 1},
        {"startTimeUnixNano", "1795669200000000000"},
        {"endTimeUnixNano", "1795669202000000000"},
        {"attributes",
         Json::array({str_attr("traceloop.span.kind", "workflow"),
                      str_attr("traceloop.workflow.name", "pipeline"),
                      str_attr("respan.customer_params.customer_identifier", "user-1")})},
        {"status", Json::object()}};
    const Json child = {
        {"traceId", kTid},
        {"spanId", kChild},
        {"parentSpanId", kRoot},
        {"name", "openai.chat"},
        {"startTimeUnixNano", "1795669200500000000"},
        {"endTimeUnixNano", "1795669201500000000"},
        {"attributes", Json::array({str_attr("llm.request.type", "chat"),
                                    str_attr("gen_ai.request.model", "gpt-4o"),
                                    int_attr("gen_ai.usage.prompt_tokens", "10"),
                                    int_attr("gen_ai.usage.completion_tokens", "5"),
                                    str_attr("gen_ai.prompt.0.role", "user"),
                                    str_attr("gen_ai.prompt.0.content", "hi"),
                                    str_attr("gen_ai.completion.0.role", "assistant"),
                                    str_attr("gen_ai.completion.0.content", "hello"),
                                    {{"key", "custom.flag"}, {"value", {{"boolValue", true}}}}})},
        {"status", {{"code", 2}, {"message", "boom"}}}};
    return {{"resourceSpans",
             Json::array(
                 {{{"resource", {{"attributes", Json::array({str_attr("service.name", "svc")})}}},
                   {"scopeSpans", Json::array({{{"scope", {{"name", "respan"}, {"version", "1"}}},
                                                {"spans", Json::array({root, child})}}})}}})}};
  }

  Reply otlp(const std::string& body, const std::string& type = "application/json") {
    auto c = client();
    return reply_of(c->Post("/api/v2/traces", body, type.c_str()));
  }

  // The fields both routes must agree on, per span node, recursively.
  static Json comparable(const Json& node) {
    Json out = Json::object();
    for (const char* f :
         {"trace_unique_id", "span_unique_id", "span_parent_id", "span_name", "span_workflow_name",
          "log_type", "model", "prompt_tokens", "completion_tokens", "total_request_tokens",
          "status", "error_message", "start_time", "timestamp", "latency", "customer_identifier",
          "input", "output"}) {
      if (node.contains(f)) out[f] = node[f];
    }
    Json kids = Json::array();
    for (const auto& c : node.value("children", Json::array()))
      kids.push_back(comparable(c));
    out["children"] = kids;
    return out;
  }
};

const Shape kTraceRow = {{"id", kAny},
                         {"trace_unique_id", kStr},
                         {"root_span_unique_id", kStr},
                         {"unique_organization_id", kStr},
                         {"organization_id", kAny},
                         {"organization_name", kStr},
                         {"organization_key_id", kStr},
                         {"environment", kStr},
                         {"customer_identifier", kStr},
                         {"start_time", kStr},
                         {"end_time", kStr},
                         {"duration", kNum},
                         {"span_count", kInt},
                         {"llm_call_count", kInt},
                         {"total_cost", kNum},
                         {"total_prompt_tokens", kInt},
                         {"total_completion_tokens", kInt},
                         {"total_tokens", kInt},
                         {"error_count", kInt},
                         {"name", kStr},
                         {"input", kStr},
                         {"output", kStr},
                         {"metadata", kObj},
                         {"trace_group_identifier", kStr},
                         {"session_identifier", kStr},
                         {"model", kStr}};

TEST_F(ContractTraces, IngestTakesABareArrayOrADataObject) {
  Reply r = call("POST", "/api/v1/traces/ingest", ingest_spans());
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body, Json({{"message", "Processed 2 spans"}}));
  const Json tree_a = server_.trace(kTid).value()["span_tree"];
  server_.reset();
  r = call("POST", "/api/v1/traces/ingest", Json{{"data", ingest_spans()}});
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(server_.trace(kTid).value()["span_tree"], tree_a);
  const auto spans = server_.ingested_spans();
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0]["received_via"], "ingest");
  EXPECT_EQ(spans[1]["span_unique_id"], kChild);
}

TEST_F(ContractTraces, IngestAndOtlpBuildTheSameTree) {
  ASSERT_EQ(call("POST", "/api/v1/traces/ingest", ingest_spans()).status, 200);
  const Json via_ingest = server_.trace(kTid).value();
  server_.reset();
  Reply r = otlp(otlp_body().dump());
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["partialSuccess"]["rejectedSpans"], 0);
  const Json via_otlp = server_.trace(kTid).value();
  ASSERT_EQ(via_otlp["span_tree"].size(), 1u);
  EXPECT_EQ(comparable(via_otlp["span_tree"][0]), comparable(via_ingest["span_tree"][0]));
  for (const char* f : {"span_count", "llm_call_count", "error_count", "total_tokens", "name",
                        "root_span_unique_id", "start_time", "end_time", "duration",
                        "customer_identifier", "input", "output"}) {
    EXPECT_EQ(via_otlp[f], via_ingest[f]) << f;
  }
  EXPECT_EQ(via_otlp["span_count"], 2);
  EXPECT_EQ(via_otlp["llm_call_count"], 1);
  EXPECT_EQ(via_otlp["error_count"], 1);
  EXPECT_EQ(via_otlp["total_tokens"], 15);
  EXPECT_EQ(via_otlp["name"], "pipeline");
  EXPECT_EQ(via_otlp["duration"], 2.0);
  const Json child = via_otlp["span_tree"][0]["children"][0];
  EXPECT_EQ(child["metadata"]["custom.flag"], true);  // unrecognised attributes -> metadata
  EXPECT_EQ(child["prompt_messages"][0]["content"], "hi");
  EXPECT_EQ(server_.ingested_spans().at(0)["received_via"], "otlp");
}

TEST_F(ContractTraces, IngestRequiresBothIdsAndAKey) {
  Json bad = ingest_spans();
  bad[1].erase("span_unique_id");
  Reply r = call("POST", "/api/v1/traces/ingest", bad);
  EXPECT_EQ(r.status, 400) << r.text;
  EXPECT_NE(r.body.value("message", std::string()).find("span_unique_id"), std::string::npos);
  EXPECT_TRUE(server_.ingested_spans().empty());  // nothing of a refused batch is stored
  bad = ingest_spans();
  bad[0]["trace_unique_id"] = nullptr;
  EXPECT_EQ(call("POST", "/api/v1/traces/ingest", bad).status, 400);
  EXPECT_EQ(call("POST", "/api/v1/traces/ingest", Json{{"spans", ingest_spans()}}).status, 400);
  EXPECT_EQ(send("POST", "/api/v1/traces/ingest", "{nope").status, 400);

  auto c = client();
  c->set_default_headers({});
  EXPECT_EQ(
      reply_of(c->Post("/api/v1/traces/ingest", ingest_spans().dump(), "application/json")).status,
      401);
  EXPECT_EQ(reply_of(c->Post("/api/v2/traces", otlp_body().dump(), "application/json")).status,
            401);
  EXPECT_EQ(reply_of(c->Post("/api/traces/list/", "{}", "application/json")).status, 401);
}

TEST_F(ContractTraces, IngestPathsHaveNoTrailingSlash) {
  EXPECT_NE(call("POST", "/api/v1/traces/ingest/", ingest_spans()).status, 200);
  EXPECT_NE(otlp(otlp_body().dump()).status, 0);
  auto c = client();
  EXPECT_NE(reply_of(c->Post("/api/v2/traces/", otlp_body().dump(), "application/json")).status,
            200);
  EXPECT_EQ(call("GET", "/api/v1/traces/ingest").status, 405);
}

TEST_F(ContractTraces, OtlpRefusesProtobufAndCountsRejectedSpans) {
  Reply r = otlp(std::string("\x0a\x02", 2), "application/x-protobuf");
  EXPECT_EQ(r.status, 415) << r.text;
  EXPECT_EQ(otlp(otlp_body().dump(), "text/plain").status, 415);
  EXPECT_EQ(otlp(otlp_body().dump(), "application/json; charset=utf-8").status, 200);
  EXPECT_EQ(otlp("[]").status, 400);

  Json body = otlp_body();
  auto& spans = body["resourceSpans"][0]["scopeSpans"][0]["spans"];
  spans[1]["spanId"] = "xyz";
  spans.push_back({{"traceId", kTid}, {"spanId", "1111111111111111"}, {"name", "no times"}});
  r = otlp(body.dump());
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["partialSuccess"]["rejectedSpans"], 2);
  EXPECT_FALSE(r.body["partialSuccess"]["errorMessage"].get<std::string>().empty());
  EXPECT_EQ(server_.ingested_spans().size(), 3u);  // 2 from the charset request, 1 here
}

TEST_F(ContractTraces, AResentSpanReplacesTheEarlierOne) {
  ASSERT_EQ(call("POST", "/api/v1/traces/ingest", ingest_spans()).status, 200);
  ASSERT_EQ(otlp(otlp_body().dump()).status, 200);
  Json again = ingest_spans()[1];
  again["span_name"] = "renamed";
  ASSERT_EQ(call("POST", "/api/v1/traces/ingest", Json::array({again})).status, 200);
  EXPECT_EQ(server_.ingested_spans().size(), 5u);
  const Json t = server_.trace(kTid).value();
  EXPECT_EQ(t["span_count"], 2);
  EXPECT_EQ(t["span_tree"][0]["children"].size(), 1u);
  EXPECT_EQ(t["span_tree"][0]["children"][0]["span_name"], "renamed");
  EXPECT_EQ(server_.traces().size(), 1u);
}

TEST_F(ContractTraces, ListRetrieveShareDeleteShapes) {
  ASSERT_EQ(call("POST", "/api/v1/traces/ingest", ingest_spans()).status, 200);
  const std::string window = "?start_time=2026-11-26T04:00:00Z&end_time=2026-11-26T06:00:00Z";
  Reply r = call("POST", "/api/traces/list/" + window, Json::object());
  ASSERT_EQ(r.status, 200) << r.text;
  expect_shape(r.body, {{"count", kInt}, {"next", kNull}, {"previous", kNull}, {"results", kArr}},
               true, "list");
  ASSERT_EQ(r.body["results"].size(), 1u);
  expect_shape(r.body["results"][0], kTraceRow, true, "trace row");
  // The default window is the last hour: this trace is older.
  EXPECT_EQ(call("POST", "/api/traces/list/", Json::object()).body["count"], 0);

  r = call("GET", std::string("/api/traces/") + kTid + "/");
  ASSERT_EQ(r.status, 200) << r.text;
  Shape detail = kTraceRow;
  detail.push_back({"span_tree", kArr});
  expect_shape(r.body, detail, true, "retrieve");
  EXPECT_EQ(r.body["span_tree"][0]["children"][0]["span_unique_id"], kChild);
  EXPECT_EQ(
      call("GET", std::string("/api/traces/") + kTid + "/?end_time=2026-11-26T04:00:00Z").status,
      404);
  r = call("GET", "/api/traces/nope/");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(r.body.contains("error")) << r.text;

  // Public read: 404 until shared, then readable without a key.
  auto anon = client();
  anon->set_default_headers({});
  const std::string pub = std::string("/api/org_mock/traces/") + kTid + "/";
  EXPECT_EQ(reply_of(anon->Get(pub.c_str())).status, 404);
  r = call("PATCH", std::string("/api/traces/") + kTid + "/", Json{{"is_public", true}});
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body, Json({{"trace_unique_id", kTid}, {"is_public", true}}));
  r = reply_of(anon->Get(pub.c_str()));
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["span_tree"].size(), 1u);
  EXPECT_EQ(
      reply_of(anon->Get((std::string("/api/other_org/traces/") + kTid + "/").c_str())).status,
      404);
  EXPECT_EQ(call("PATCH", std::string("/api/traces/") + kTid + "/", Json::object()).status, 400);
  EXPECT_EQ(
      call("PATCH", std::string("/api/traces/") + kTid + "/", Json{{"is_public", "yes"}}).status,
      400);
  EXPECT_EQ(call("PATCH", "/api/traces/nope/", Json{{"is_public", false}}).status, 404);

  r = call("DELETE", std::string("/api/traces/") + kTid + "/");
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_TRUE(r.body["message"].is_string());
  EXPECT_FALSE(server_.trace(kTid).has_value());
  EXPECT_EQ(call("DELETE", std::string("/api/traces/") + kTid + "/").status, 404);
}

TEST_F(ContractTraces, BulkDeleteNeedsFiltersAndCapsMatches) {
  Json spans = Json::array();
  for (int i = 0; i < 1001; ++i) {
    spans.push_back({{"trace_unique_id", "t" + std::to_string(i)},
                     {"span_unique_id", "s" + std::to_string(i)},
                     {"customer_identifier", i < 3 ? "a" : "b"}});
  }
  ASSERT_EQ(call("POST", "/api/v1/traces/ingest", spans).status, 200);
  EXPECT_EQ(call("POST", "/api/traces/bulk/", Json::object()).status, 400);
  EXPECT_EQ(call("POST", "/api/traces/bulk/", Json{{"filters", Json::object()}}).status, 400);
  Reply r = call("POST", "/api/traces/bulk/",
                 Json{{"filters", {{"span_count", {{"operator", "gte"}, {"value", {1}}}}}}});
  EXPECT_EQ(r.status, 400) << r.text;  // 1001 matches
  r = call("POST", "/api/traces/bulk/",
           Json{{"filters", {{"customer_identifier", {{"operator", "="}, {"value", {"a"}}}}}}});
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["deleted_count"], 3);
  EXPECT_TRUE(r.body["message"].is_string());
  EXPECT_EQ(server_.traces().size(), 998u);
}

}  // namespace
}  // namespace contract
