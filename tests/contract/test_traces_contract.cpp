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

// `id` and `organization_id` are strings in the official types (§7.8).
const Shape kTraceRow = {{"id", kStr},
                         {"trace_unique_id", kStr},
                         {"root_span_unique_id", kStr},
                         {"unique_organization_id", kStr},
                         {"organization_id", kStr},
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

TEST_F(ContractTraces, OtlpTakesJsonOrProtobufAndCountsRejectedSpans) {
  // Protobuf is decoded (test_otlp_contract.cpp): a truncated message is a 400.
  Reply r = otlp(std::string("\x0a\x02", 2), "application/x-protobuf");
  EXPECT_EQ(r.status, 400) << r.text;
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

TEST_F(ContractTraces, RequestLogSpansWithATraceIdFormATrace) {
  const std::string tid = "rl-trace-1";
  const std::string window = "?start_time=2026-11-27T04:00:00Z&end_time=2026-11-27T06:00:00Z";
  // The root, by the standard create: its unique_id is its span id.
  Reply r = call("POST", "/api/request-logs/",
                 span({{"trace_unique_id", tid},
                       {"span_name", "pipeline"},
                       {"span_workflow_name", "pipeline"},
                       {"log_type", "workflow"},
                       {"customer_identifier", "user-1"},
                       {"start_time", "2026-11-27T05:00:00Z"},
                       {"timestamp", "2026-11-27T05:00:03Z"}}));
  ASSERT_EQ(r.status, 200) << r.text;
  const std::string root = r.body.value("unique_id", std::string());
  ASSERT_FALSE(root.empty());
  // A child by the legacy alias, naming the root's unique_id as its parent.
  r = call("POST", "/api/request-logs/create/",
           span({{"trace_unique_id", tid},
                 {"span_parent_id", root},
                 {"span_name", "openai.chat"},
                 {"prompt_tokens", 10},
                 {"completion_tokens", 5},
                 {"start_time", "2026-11-27T05:00:00.500Z"},
                 {"timestamp", "2026-11-27T05:00:01.500Z"}}));
  ASSERT_EQ(r.status, 200) << r.text;
  const std::string llm = r.body.value("unique_id", std::string());
  // Two more by the bulk create, with client-chosen span ids (the bulk answer has no ids), a
  // grandchild among them; a log without a trace id joins no trace.
  Json tool = span({{"trace_unique_id", tid},
                    {"span_unique_id", "tool-1"},
                    {"span_parent_id", root},
                    {"span_name", "search"},
                    {"log_type", "tool"},
                    {"start_time", "2026-11-27T05:00:02Z"},
                    {"timestamp", "2026-11-27T05:00:02.500Z"}});
  const Json sub = span({{"trace_unique_id", tid},
                         {"span_unique_id", "tool-1-sub"},
                         {"span_parent_id", "tool-1"},
                         {"span_name", "fetch"},
                         {"log_type", "tool"},
                         {"start_time", "2026-11-27T05:00:02.100Z"},
                         {"timestamp", "2026-11-27T05:00:02.200Z"}});
  r = call("POST", "/api/request-logs/bulk/",
           Json{{"logs", Json::array({tool, sub, span({{"span_name", "alone"}})})}});
  ASSERT_EQ(r.status, 200) << r.text;
  ASSERT_EQ(r.body["success_count"], 3);
  // Sent again under the same span id: it replaces the earlier copy in the trace.
  tool["span_name"] = "web_search";
  ASSERT_EQ(call("POST", "/api/request-logs/bulk/", Json{{"logs", Json::array({tool})}}).status,
            200);
  EXPECT_EQ(server_.request_logs().size(), 6u);   // the resent row is a new request log
  EXPECT_TRUE(server_.ingested_spans().empty());  // request logs are not ingested spans
  EXPECT_EQ(server_.traces().size(), 1u);

  // List.
  r = call("POST", "/api/traces/list/" + window, Json::object());
  ASSERT_EQ(r.status, 200) << r.text;
  ASSERT_EQ(r.body["results"].size(), 1u) << r.text;
  Json row = r.body["results"][0];
  expect_shape(row, kTraceRow, true, "trace row");
  EXPECT_EQ(row["trace_unique_id"], tid);
  EXPECT_EQ(row["span_count"], 4);
  EXPECT_EQ(row["root_span_unique_id"], root);
  EXPECT_EQ(row["name"], "pipeline");
  EXPECT_EQ(row["customer_identifier"], "user-1");
  EXPECT_EQ(row["total_tokens"], 15);
  EXPECT_EQ(row["duration"], 3.0);
  ASSERT_TRUE(row["id"].is_string()) << row["id"].dump();
  ASSERT_TRUE(row["organization_id"].is_string()) << row["organization_id"].dump();
  EXPECT_EQ(row["organization_id"], row["unique_organization_id"]);

  // Retrieve: the tree nested by span_parent_id, siblings by start time.
  const std::string path = "/api/traces/" + tid + "/";
  r = call("GET", path);
  ASSERT_EQ(r.status, 200) << r.text;
  Shape detail = kTraceRow;
  detail.push_back({"span_tree", kArr});
  expect_shape(r.body, detail, true, "retrieve");
  EXPECT_EQ(r.body["id"], row["id"]);
  ASSERT_EQ(r.body["span_tree"].size(), 1u);
  Json top = r.body["span_tree"][0];
  EXPECT_EQ(top["span_unique_id"], root);
  EXPECT_EQ(top["unique_id"], root);
  EXPECT_EQ(top["span_name"], "pipeline");
  EXPECT_FALSE(top.contains("span_parent_id"));
  ASSERT_EQ(top["children"].size(), 2u);
  EXPECT_EQ(top["children"][0]["span_unique_id"], llm);
  EXPECT_EQ(top["children"][0]["span_parent_id"], root);
  EXPECT_EQ(top["children"][0]["span_name"], "openai.chat");
  EXPECT_EQ(top["children"][1]["span_unique_id"], "tool-1");
  EXPECT_EQ(top["children"][1]["span_name"], "web_search");
  ASSERT_EQ(top["children"][1]["children"].size(), 1u);
  EXPECT_EQ(top["children"][1]["children"][0]["span_unique_id"], "tool-1-sub");
  EXPECT_EQ(top["children"][1]["children"][0]["span_parent_id"], "tool-1");

  // A PATCH of a log shows in its trace.
  ASSERT_EQ(
      call("PATCH", "/api/request-logs/" + llm + "/", Json{{"metadata", {{"k", "v"}}}}).status,
      200);
  r = call("GET", path);
  EXPECT_EQ(r.body["span_tree"][0]["children"][0]["metadata"], Json({{"k", "v"}}));

  // Share, public read without a key, unshare.
  auto anon = client();
  anon->set_default_headers({});
  const std::string pub = "/api/org_mock/traces/" + tid + "/";
  EXPECT_EQ(reply_of(anon->Get(pub.c_str())).status, 404);
  r = call("PATCH", path, Json{{"is_public", true}});
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body, Json({{"trace_unique_id", tid}, {"is_public", true}}));
  r = reply_of(anon->Get(pub.c_str()));
  ASSERT_EQ(r.status, 200) << r.text;
  expect_shape(r.body, detail, true, "public read");
  EXPECT_EQ(r.body["span_tree"][0]["children"].size(), 2u);
  ASSERT_EQ(call("PATCH", path, Json{{"is_public", false}}).status, 200);
  EXPECT_EQ(reply_of(anon->Get(pub.c_str())).status, 404);
  ASSERT_EQ(call("PATCH", path, Json{{"is_public", true}}).status, 200);

  // Delete: every trace endpoint answers 404 afterwards, and a later PATCH of one of its logs
  // does not bring it back.
  r = call("DELETE", path);
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(call("GET", path).status, 404);
  EXPECT_EQ(call("PATCH", path, Json{{"is_public", true}}).status, 404);
  EXPECT_EQ(reply_of(anon->Get(pub.c_str())).status, 404);
  EXPECT_EQ(call("DELETE", path).status, 404);
  ASSERT_EQ(call("PATCH", "/api/request-logs/" + llm + "/", Json{{"note", "n"}}).status, 200);
  EXPECT_EQ(call("GET", path).status, 404);
  EXPECT_EQ(call("POST", "/api/traces/list/" + window, Json::object()).body["count"], 0);
}

TEST_F(ContractTraces, RequestLogAndIngestedSpansShareATraceById) {
  // An ingested span and a request log with the same span id: the later one replaces it.
  ASSERT_EQ(call("POST", "/api/v1/traces/ingest", ingest_spans()).status, 200);
  Reply r = call("POST", "/api/request-logs/",
                 span({{"trace_unique_id", kTid},
                       {"span_unique_id", kChild},
                       {"span_parent_id", kRoot},
                       {"span_name", "from-request-log"},
                       {"start_time", "2026-11-26T05:00:00.500Z"},
                       {"timestamp", "2026-11-26T05:00:01.500Z"}}));
  ASSERT_EQ(r.status, 200) << r.text;
  const Json t = server_.trace(kTid).value();
  EXPECT_EQ(t["span_count"], 2);
  ASSERT_EQ(t["span_tree"][0]["children"].size(), 1u);
  EXPECT_EQ(t["span_tree"][0]["children"][0]["span_name"], "from-request-log");
  EXPECT_EQ(server_.ingested_spans().size(), 2u);
  // A trace id that is empty joins no trace.
  ASSERT_EQ(call("POST", "/api/request-logs/", span({{"trace_unique_id", ""}})).status, 200);
  EXPECT_EQ(server_.traces().size(), 1u);
}

TEST_F(ContractTraces, ErrorBodiesAndHostileInput) {
  // The official client's error bodies for this family (§9): 400 {message}, 404 {error}.
  Reply r = call("POST", "/api/v1/traces/ingest", Json{{"data", 5}});
  EXPECT_EQ(r.status, 400);
  expect_shape(r.body, {{"message", kStr}}, true, "ingest 400");
  r = call("DELETE", "/api/traces/nope/");
  EXPECT_EQ(r.status, 404);
  expect_shape(r.body, {{"error", kStr}}, true, "trace 404");
  r = call("POST", "/api/traces/list/?page_size=1001", Json::object());
  EXPECT_EQ(r.status, 400);
  expect_shape(r.body, {{"message", kStr}}, true, "list 400");
  // Nesting deeper than 128 levels is refused before anything is stored.
  std::string deep(200, '[');
  deep += std::string(200, ']');
  EXPECT_EQ(send("POST", "/api/v1/traces/ingest", deep).status, 400);
  EXPECT_EQ(otlp(deep).status, 400);
  // A parent chain deeper than the answer may nest is cut, never overflowing the 128 levels
  // a client accepts.
  Json chain = Json::array();
  for (int i = 0; i < 100; ++i) {
    Json s = {{"trace_unique_id", "deep"}, {"span_unique_id", "s" + std::to_string(i)}};
    if (i > 0) s["span_parent_id"] = "s" + std::to_string(i - 1);
    chain.push_back(s);
  }
  ASSERT_EQ(call("POST", "/api/v1/traces/ingest", chain).status, 200);
  r = call("GET", "/api/traces/deep/");
  ASSERT_EQ(r.status, 200) << r.text.substr(0, 200);
  int levels = 0;
  for (const Json* n = &r.body["span_tree"]; n->is_array() && !n->empty(); ++levels)
    n = &(*n)[0]["children"];
  EXPECT_GT(levels, 10);
  EXPECT_LE(2 + 2 * levels, 128);
  EXPECT_EQ(r.body["span_count"], 100);
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
