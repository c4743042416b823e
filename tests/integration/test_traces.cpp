// The traces API end to end: spans ingested over raw HTTP (legacy JSON in both forms and OTLP
// JSON), then read and managed through the real client and libcurl transport against the mock
// server over loopback.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

#include "mock_api_test.hpp"

using respan::ErrorCode;
using respan::Json;

namespace {

constexpr const char* kTid = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr const char* kRoot = "00f067aa0ba902b7";
constexpr const char* kLlm = "53995c3f42cd8ad8";
constexpr const char* kTool = "a3ce929d0e0e4736";

class TracesApi : public MockApiTest {
 protected:
  respan::RespanClient client() const { return respan::RespanClient::create(options()).value(); }

  // POSTs a raw body to the mock (no SDK code on the path but the libcurl transport).
  int post_raw(const std::string& path, const std::string& body,
               const std::string& content_type = "application/json") const {
    respan::HttpRequest r;
    r.method = respan::HttpMethod::post;
    r.url = server_.base_url() + path;
    r.headers = {{"Authorization", "Bearer " + server_.api_key()}, {"Content-Type", content_type}};
    r.body = body;
    r.timeout = std::chrono::seconds(10);
    auto res = transport_->send(r);
    return res ? res->status : -1;
  }

  // Microseconds since the epoch.
  static std::int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  static respan::Timestamp at(std::int64_t us) {
    return respan::Timestamp(std::chrono::system_clock::time_point(std::chrono::microseconds(us)));
  }
  static std::string iso(std::int64_t us) { return at(us).str(); }

  // A three-span trace (workflow root, LLM call, tool call under the LLM call) as ingest items.
  static Json ingest_items(std::int64_t t0) {
    return Json::array({{{"trace_unique_id", kTid},
                         {"span_unique_id", kRoot},
                         {"span_name", "answer_question"},
                         {"log_type", "workflow"},
                         {"start_time", iso(t0)},
                         {"timestamp", iso(t0 + 3000000)},
                         {"customer_identifier", "alice"}},
                        {{"trace_unique_id", kTid},
                         {"span_unique_id", kLlm},
                         {"span_parent_id", kRoot},
                         {"span_name", "openai.chat"},
                         {"log_type", "chat"},
                         {"model", "gpt-4o"},
                         {"prompt_tokens", 12},
                         {"completion_tokens", 8},
                         {"start_time", iso(t0 + 100000)},
                         {"timestamp", iso(t0 + 2000000)}},
                        {{"trace_unique_id", kTid},
                         {"span_unique_id", kTool},
                         {"span_parent_id", kLlm},
                         {"span_name", "lookup"},
                         {"log_type", "tool"},
                         {"start_time", iso(t0 + 500000)},
                         {"timestamp", iso(t0 + 900000)}}});
  }

  static Json attr(const std::string& key, Json value) {
    return {{"key", key}, {"value", std::move(value)}};
  }

  // The same trace as an OTLP JSON request.
  static Json otlp_request(std::int64_t t0) {
    auto ns = [](std::int64_t us) { return std::to_string(us * 1000); };
    auto span = [&](const char* id, const char* parent, const char* name, std::int64_t s,
                    std::int64_t e, Json attrs) {
      Json out = {{"traceId", kTid},
                  {"spanId", id},
                  {"name", name},
                  {"startTimeUnixNano", ns(s)},
                  {"endTimeUnixNano", ns(e)},
                  {"attributes", std::move(attrs)}};
      if (parent != nullptr) out["parentSpanId"] = parent;
      return out;
    };
    Json spans = Json::array(
        {span(kRoot, nullptr, "answer_question", t0, t0 + 3000000,
              Json::array({attr("traceloop.span.kind", {{"stringValue", "workflow"}}),
                           attr("respan.customer_params.customer_identifier",
                                {{"stringValue", "alice"}})})),
         span(kLlm, kRoot, "openai.chat", t0 + 100000, t0 + 2000000,
              Json::array({attr("llm.request.type", {{"stringValue", "chat"}}),
                           attr("gen_ai.request.model", {{"stringValue", "gpt-4o"}}),
                           attr("gen_ai.usage.prompt_tokens", {{"intValue", "12"}}),
                           attr("gen_ai.usage.completion_tokens", {{"intValue", "8"}})})),
         span(kTool, kLlm, "lookup", t0 + 500000, t0 + 900000,
              Json::array({attr("traceloop.span.kind", {{"stringValue", "tool"}})}))});
    return {{"resourceSpans", Json::array({{{"resource", {{"attributes", Json::array()}}},
                                            {"scopeSpans", Json::array({{{"spans", spans}}})}}})}};
  }

  // Ingests a one-span trace `tid` with the given cost and customer, started `ago_s` ago.
  void ingest_trace(const std::string& tid, double cost, const std::string& customer,
                    std::int64_t ago_s = 60) const {
    const std::int64_t t0 = now_us() - ago_s * 1000000;
    Json item = {{"trace_unique_id", tid},
                 {"span_unique_id", tid + "-root"},
                 {"span_name", "job " + tid},
                 {"model", "gpt-4o"},
                 {"cost", cost},
                 {"customer_identifier", customer},
                 {"start_time", iso(t0)},
                 {"timestamp", iso(t0 + 1000000)}};
    ASSERT_EQ(post_raw("/api/v1/traces/ingest", Json::array({item}).dump()), 200);
  }

  // The tree as (id, name, parent, children...) for comparisons across routes.
  static Json shape(const std::vector<respan::TraceSpanNode>& nodes) {
    Json out = Json::array();
    for (const auto& n : nodes) {
      out.push_back({{"id", n.span_unique_id.value_or("")},
                     {"name", n.span_name.value_or("")},
                     {"parent", n.span_parent_id.value_or("")},
                     {"model", n.model},
                     {"log_type", n.log_type ? n.log_type->value() : ""},
                     {"prompt_tokens", n.prompt_tokens.value_or(-1)},
                     {"start", n.start_time ? n.start_time->str() : ""},
                     {"children", shape(n.children)}});
    }
    return out;
  }

  std::shared_ptr<respan::Transport> transport_ = respan::make_curl_transport();
};

TEST_F(TracesApi, IngestBothFormsAndOtlpBuildTheSameSpanTree) {
  const std::int64_t t0 = now_us() - 120 * 1000000LL;
  ASSERT_EQ(post_raw("/api/v1/traces/ingest", ingest_items(t0).dump()), 200);
  auto bare = client().traces().retrieve(kTid);
  ASSERT_TRUE(bare) << bare.error();
  ASSERT_TRUE(bare->span_tree.has_value());
  ASSERT_EQ(bare->span_tree->size(), 1u);
  const auto& root = bare->span_tree->at(0);
  EXPECT_EQ(root.span_unique_id, kRoot);
  ASSERT_EQ(root.children.size(), 1u);
  EXPECT_EQ(root.children[0].span_unique_id, kLlm);
  EXPECT_EQ(root.children[0].span_parent_id, kRoot);
  ASSERT_EQ(root.children[0].children.size(), 1u);
  EXPECT_EQ(root.children[0].children[0].span_unique_id, kTool);
  EXPECT_TRUE(root.children[0].children[0].children.empty());
  EXPECT_EQ(bare->trace_unique_id, kTid);
  EXPECT_EQ(bare->root_span_unique_id, kRoot);
  EXPECT_EQ(bare->span_count, 3);
  EXPECT_EQ(bare->llm_call_count, 1);
  EXPECT_EQ(bare->total_tokens, 20);
  EXPECT_EQ(bare->name, "answer_question");
  EXPECT_EQ(bare->customer_identifier, "alice");
  ASSERT_TRUE(bare->duration.has_value());
  EXPECT_DOUBLE_EQ(bare->duration->count(), 3.0);
  EXPECT_TRUE(bare->extra.empty()) << bare->extra.dump();
  const Json tree = shape(*bare->span_tree);

  server_.reset();
  ASSERT_EQ(post_raw("/api/v1/traces/ingest", Json{{"data", ingest_items(t0)}}.dump()), 200);
  auto wrapped = client().traces().retrieve(kTid);
  ASSERT_TRUE(wrapped) << wrapped.error();
  EXPECT_EQ(Json(*wrapped), Json(*bare));

  server_.reset();
  ASSERT_EQ(post_raw("/api/v2/traces", otlp_request(t0).dump()), 200);
  auto otlp = client().traces().retrieve(kTid);
  ASSERT_TRUE(otlp) << otlp.error();
  EXPECT_EQ(shape(*otlp->span_tree), tree);
  EXPECT_EQ(otlp->span_count, bare->span_count);
  EXPECT_EQ(otlp->llm_call_count, bare->llm_call_count);
  EXPECT_EQ(otlp->total_tokens, bare->total_tokens);
  EXPECT_EQ(otlp->customer_identifier, bare->customer_identifier);
  EXPECT_EQ(otlp->start_time, bare->start_time);
  EXPECT_EQ(otlp->end_time, bare->end_time);
  const auto spans = server_.ingested_spans();
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0]["received_via"], "otlp");
  // Protobuf is decoded too (test_otlp.cpp); a truncated message is refused.
  EXPECT_EQ(post_raw("/api/v2/traces", "\x0a", "application/x-protobuf"), 400);
  EXPECT_EQ(post_raw("/api/v2/traces", "{}", "text/plain"), 415);
}

TEST_F(TracesApi, ListFiltersSortsAndPagesLazily) {
  ingest_trace("t-a", 0.5, "alice");
  ingest_trace("t-b", 0.1, "bob");
  ingest_trace("t-c", 0.9, "alice");
  ingest_trace("t-d", 0.3, "alice");
  ingest_trace("t-e", 0.7, "alice");
  ingest_trace("t-old", 9.0, "alice", 3 * 3600);  // outside the default one-hour window

  respan::TraceListQuery q;
  q.filters.equals("customer_identifier", "alice");
  q.sort_by = "-total_cost";
  q.page_size = 2;
  auto page = client().traces().list(q);
  ASSERT_TRUE(page) << page.error();
  EXPECT_EQ(page->count, 4);
  ASSERT_EQ(page->results.size(), 2u);
  EXPECT_EQ(page->results[0].trace_unique_id, "t-c");
  EXPECT_EQ(page->results[1].trace_unique_id, "t-e");
  EXPECT_FALSE(page->results[0].span_tree.has_value());  // rows carry no tree
  EXPECT_TRUE(page->has_next());

  server_.clear_requests();
  std::vector<std::string> order;
  for (auto& t : client().traces().list_all(q)) {
    ASSERT_TRUE(t) << t.error();
    order.push_back(t->trace_unique_id);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"t-c", "t-e", "t-a", "t-d"}));
  const auto sent = requests_to("/api/traces/list/", "POST");
  ASSERT_EQ(sent.size(), 2u);  // two pages of two: the second has no next
  EXPECT_EQ(sent[1].query_params.at("page"), "2");
  EXPECT_EQ(sent[1].query_params.at("page_size"), "2");
  EXPECT_EQ(sent[1].query_params.at("sort_by"), "-total_cost");
  EXPECT_EQ(sent[1].json()["filters"]["customer_identifier"]["value"], Json::array({"alice"}));

  // An explicit window reaches the old trace.
  respan::TraceListQuery old;
  old.start_time = at(now_us() - 4 * 3600 * 1000000LL);
  old.end_time = at(now_us() - 2 * 3600 * 1000000LL);
  auto older = client().traces().list(old);
  ASSERT_TRUE(older) << older.error();
  ASSERT_EQ(older->results.size(), 1u);
  EXPECT_EQ(older->results[0].trace_unique_id, "t-old");
  EXPECT_EQ(older->results[0].total_cost, 9.0);

  respan::TraceListQuery too_big;
  too_big.page_size = 1001;
  auto refused = client().traces().list(too_big);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::invalid_argument);
}

TEST_F(TracesApi, RetrieveAndDeleteTakeAnOptionalWindowAndReportNotFound) {
  ingest_trace("t-1", 0.2, "alice");
  respan::TraceTimeWindow past;
  past.end_time = at(now_us() - 3600 * 1000000LL);
  auto missing = client().traces().retrieve("t-1", past);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  EXPECT_EQ(requests_to("/api/traces/t-1/", "GET").back().query_params.count("end_time"), 1u);

  auto unknown = client().traces().retrieve("no-such-trace");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::not_found);
  EXPECT_EQ(unknown.error().http_status, 404);

  // Ids are opaque: anything but an unusable path segment is sent, percent-encoded.
  auto slash = client().traces().retrieve("a/b c");
  ASSERT_FALSE(slash);
  EXPECT_EQ(slash.error().code, ErrorCode::not_found);
  EXPECT_EQ(requests_to("/api/traces/a%2Fb%20c/").size(), 1u);
  for (const std::string bad : {"", ".", ".."}) {
    auto r = client().traces().retrieve(bad);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument) << bad;
  }

  ASSERT_TRUE(client().traces().remove("t-1")) << "delete";
  EXPECT_FALSE(server_.trace("t-1").has_value());
  auto again = client().traces().remove("t-1");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::not_found);
}

TEST_F(TracesApi, ShareUnshareAndPublicReadWithoutTheKey) {
  ingest_trace("t-pub", 0.2, "alice");
  auto t = client().traces().retrieve("t-pub");
  ASSERT_TRUE(t) << t.error();
  ASSERT_TRUE(t->unique_organization_id.has_value());
  const std::string org = *t->unique_organization_id;

  auto before = client().traces().retrieve_public(org, "t-pub");
  ASSERT_FALSE(before);
  EXPECT_EQ(before.error().code, ErrorCode::not_found);

  auto shared = client().traces().share("t-pub");
  ASSERT_TRUE(shared) << shared.error();
  EXPECT_EQ(shared->trace_unique_id, "t-pub");
  EXPECT_EQ(shared->is_public, true);
  EXPECT_EQ(requests_to("/api/traces/t-pub/", "PATCH").back().json(), Json({{"is_public", true}}));

  server_.clear_requests();
  auto pub = client().traces().retrieve_public(org, "t-pub");
  ASSERT_TRUE(pub) << pub.error();
  EXPECT_EQ(pub->trace_unique_id, "t-pub");
  ASSERT_TRUE(pub->span_tree.has_value());
  EXPECT_EQ(pub->span_tree->size(), 1u);
  const auto reads = requests_to("/api/" + org + "/traces/t-pub/", "GET");
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].header("authorization"), "");  // the key was not sent

  auto unshared = client().traces().unshare("t-pub");
  ASSERT_TRUE(unshared) << unshared.error();
  EXPECT_EQ(unshared->is_public, false);
  auto after = client().traces().retrieve_public(org, "t-pub");
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, ErrorCode::not_found);

  auto nope = client().traces().share("no-such-trace");
  ASSERT_FALSE(nope);
  EXPECT_EQ(nope.error().code, ErrorCode::not_found);
}

TEST_F(TracesApi, RequestLogSpansWithATraceIdAreReadAndManagedAsATrace) {
  const std::string tid = "rl-4bf92f3577b34da6";
  const std::int64_t t0 = now_us() - 60 * 1000000LL;
  auto c = client();
  // The root and the LLM call by the single create; the LLM call names the root's unique_id.
  respan::RequestLog root("gpt-4o");
  root.trace_unique_id = tid;
  root.span_name = "answer_question";
  root.span_workflow_name = "answer_question";
  root.log_type = respan::LogType::workflow();
  root.customer_identifier = "alice";
  root.start_time = at(t0);
  root.timestamp = at(t0 + 3000000);
  auto made = c.request_logs().create(root);
  ASSERT_TRUE(made) << made.error();
  const std::string root_id = made->unique_id;
  respan::RequestLog llm("gpt-4o");
  llm.trace_unique_id = tid;
  llm.span_parent_id = root_id;
  llm.span_name = "openai.chat";
  llm.prompt_tokens = 12;
  llm.completion_tokens = 8;
  llm.start_time = at(t0 + 100000);
  llm.timestamp = at(t0 + 2000000);
  auto made_llm = c.request_logs().create(llm);
  ASSERT_TRUE(made_llm) << made_llm.error();
  // A tool call under the LLM call and its step, by the bulk create with their own span ids.
  respan::RequestLog tool("gpt-4o");
  tool.trace_unique_id = tid;
  tool.span_parent_id = made_llm->unique_id;
  tool.span_name = "lookup";
  tool.log_type = respan::LogType::tool();
  tool.extra["span_unique_id"] = "tool-span";
  tool.start_time = at(t0 + 500000);
  tool.timestamp = at(t0 + 900000);
  respan::RequestLog step = tool;
  step.span_parent_id = "tool-span";
  step.span_name = "fetch";
  step.extra["span_unique_id"] = "step-span";
  step.start_time = at(t0 + 600000);
  step.timestamp = at(t0 + 700000);
  auto bulk = c.request_logs().create_bulk({tool, step});
  ASSERT_TRUE(bulk) << bulk.error();
  EXPECT_EQ(bulk->success_count, 2);

  // Listed (default window: the last hour).
  respan::TraceListQuery q;
  q.filters.equals("customer_identifier", "alice");
  auto page = c.traces().list(q);
  ASSERT_TRUE(page) << page.error();
  ASSERT_EQ(page->results.size(), 1u);
  const respan::TraceRecord& row = page->results[0];
  EXPECT_EQ(row.trace_unique_id, tid);
  EXPECT_EQ(row.span_count, 4);
  EXPECT_EQ(row.total_tokens, 20);
  EXPECT_EQ(row.root_span_unique_id, root_id);
  EXPECT_EQ(row.name, "answer_question");
  ASSERT_TRUE(row.id.has_value());
  EXPECT_FALSE(row.id->empty());
  EXPECT_EQ(row.organization_id, row.unique_organization_id);
  EXPECT_TRUE(row.extra.empty()) << row.extra.dump();

  // Retrieved with the tree nested by span_parent_id.
  auto t = c.traces().retrieve(tid);
  ASSERT_TRUE(t) << t.error();
  ASSERT_TRUE(t->span_tree.has_value());
  ASSERT_EQ(t->span_tree->size(), 1u);
  const respan::TraceSpanNode& top = t->span_tree->at(0);
  EXPECT_EQ(top.span_unique_id, root_id);
  EXPECT_EQ(top.unique_id, root_id);
  EXPECT_EQ(top.span_name, "answer_question");
  ASSERT_EQ(top.children.size(), 1u);
  EXPECT_EQ(top.children[0].span_unique_id, made_llm->unique_id);
  EXPECT_EQ(top.children[0].span_parent_id, root_id);
  EXPECT_EQ(top.children[0].prompt_tokens, 12);
  ASSERT_EQ(top.children[0].children.size(), 1u);
  const respan::TraceSpanNode& tool_node = top.children[0].children[0];
  EXPECT_EQ(tool_node.span_unique_id, "tool-span");
  EXPECT_EQ(tool_node.span_name, "lookup");
  ASSERT_EQ(tool_node.children.size(), 1u);
  EXPECT_EQ(tool_node.children[0].span_unique_id, "step-span");
  EXPECT_TRUE(tool_node.children[0].children.empty());
  EXPECT_EQ(t->id, row.id);

  // Shared, then read without the key.
  const std::string org = t->unique_organization_id.value_or("");
  ASSERT_FALSE(org.empty());
  EXPECT_FALSE(c.traces().retrieve_public(org, tid));
  auto shared = c.traces().share(tid);
  ASSERT_TRUE(shared) << shared.error();
  EXPECT_EQ(shared->is_public, true);
  auto pub = c.traces().retrieve_public(org, tid);
  ASSERT_TRUE(pub) << pub.error();
  ASSERT_TRUE(pub->span_tree.has_value());
  EXPECT_EQ(shape(*pub->span_tree), shape(*t->span_tree));

  // Deleted: gone for every trace call.
  ASSERT_TRUE(c.traces().remove(tid));
  for (const auto& r : {c.traces().retrieve(tid), c.traces().retrieve_public(org, tid)}) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::not_found);
  }
  auto reshare = c.traces().share(tid);
  ASSERT_FALSE(reshare);
  EXPECT_EQ(reshare.error().code, ErrorCode::not_found);
  auto again = c.traces().remove(tid);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::not_found);
}

TEST_F(TracesApi, BulkDeleteByFiltersRefusesEmptyFilters) {
  ingest_trace("t-x", 0.2, "alice");
  ingest_trace("t-y", 0.2, "bob");
  ingest_trace("t-z", 0.2, "bob");
  server_.clear_requests();
  auto empty = client().traces().bulk_delete({});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::invalid_argument);
  EXPECT_TRUE(server_.requests().empty());

  respan::BulkDeleteTracesRequest req;
  req.filters.equals("customer_identifier", "bob");
  req.environment = server_.options().environment;
  auto done = client().traces().bulk_delete(req);
  ASSERT_TRUE(done) << done.error();
  EXPECT_EQ(done->deleted_count, 2);
  EXPECT_TRUE(done->message.has_value());
  EXPECT_EQ(server_.traces().size(), 1u);
  const auto sent = requests_to("/api/traces/bulk/", "POST");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].query_params.at("environment"), server_.options().environment);
  EXPECT_EQ(sent[0].json()["filters"]["customer_identifier"]["value"], Json::array({"bob"}));
}

}  // namespace
