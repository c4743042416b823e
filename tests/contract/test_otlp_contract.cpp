// Contract tests of the mock's OTLP/HTTP routes beyond JSON (REFERENCE §7.8): protobuf on
// `/api/v2/traces` and `/api/v1/traces` (Respan's JavaScript tracer posts there), answers in
// the request's encoding, the bounds of the protobuf decoder, and gzip request bodies. The
// protobuf bodies are written field by field here, following opentelemetry-proto's numbers.
#include <string>
#include <vector>

#include "contract_util.hpp"
#include "util/gzip.hpp"
#include "util/proto_wire.hpp"

namespace contract {
namespace {

namespace proto = respan::detail::proto;

constexpr const char* kTid = "0af7651916cd43dd8448eb211c80319c";
constexpr const char* kRoot = "b7ad6b7169203331";
constexpr const char* kChild = "00f067aa0ba902b7";

std::string unhex(const std::string& h) {
  std::string out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return out;
}

// Field writers over proto_wire, one per OTLP message used here.
std::string kv_string(const std::string& key, const std::string& value) {
  std::string any;
  proto::put_string_field(any, 1, value);  // AnyValue.string_value
  std::string kv;
  proto::put_string_field(kv, 1, key);  // KeyValue.key
  proto::put_bytes_field(kv, 2, any);   // KeyValue.value
  return kv;
}
std::string kv_int(const std::string& key, std::int64_t value) {
  std::string any;
  proto::put_varint_field(any, 3, static_cast<std::uint64_t>(value));  // AnyValue.int_value
  std::string kv;
  proto::put_string_field(kv, 1, key);
  proto::put_bytes_field(kv, 2, any);
  return kv;
}

struct SpanFields {
  std::string trace_id = unhex(kTid);
  std::string span_id;
  std::string parent;
  std::string name;
  std::uint64_t start = 0;
  std::uint64_t end = 0;
  std::vector<std::string> attributes;  // encoded KeyValues
  int status_code = 0;
  std::string status_message;
};

std::string span_message(const SpanFields& s) {
  std::string out;
  proto::put_bytes_field(out, 1, s.trace_id);
  proto::put_bytes_field(out, 2, s.span_id);
  if (!s.parent.empty()) proto::put_bytes_field(out, 4, s.parent);
  proto::put_string_field(out, 5, s.name);
  proto::put_fixed64_field(out, 7, s.start);
  proto::put_fixed64_field(out, 8, s.end);
  for (const std::string& a : s.attributes)
    proto::put_bytes_field(out, 9, a);
  std::string status;
  if (!s.status_message.empty()) proto::put_string_field(status, 2, s.status_message);
  if (s.status_code != 0)
    proto::put_varint_field(status, 3, static_cast<std::uint64_t>(s.status_code));
  proto::put_bytes_field(out, 15, status);
  return out;
}

// ExportTraceServiceRequest{resource_spans{resource{attributes}, scope_spans{scope, spans}}}.
std::string request(const std::vector<std::string>& spans) {
  std::string resource;
  proto::put_bytes_field(resource, 1, kv_string("service.name", "svc"));
  std::string scope;
  proto::put_string_field(scope, 1, "respan");
  proto::put_string_field(scope, 2, "1");
  std::string scope_spans;
  proto::put_bytes_field(scope_spans, 1, scope);
  for (const std::string& s : spans)
    proto::put_bytes_field(scope_spans, 2, s);
  std::string resource_spans;
  proto::put_bytes_field(resource_spans, 1, resource);
  proto::put_bytes_field(resource_spans, 2, scope_spans);
  std::string out;
  proto::put_bytes_field(out, 1, resource_spans);
  return out;
}

// The two-span trace of test_traces_contract.cpp, in protobuf.
std::vector<std::string> two_spans() {
  SpanFields root;
  root.span_id = unhex(kRoot);
  root.name = "pipeline";
  root.start = 1795669200000000000ULL;
  root.end = 1795669202000000000ULL;
  root.attributes = {kv_string("traceloop.span.kind", "workflow"),
                     kv_string("traceloop.workflow.name", "pipeline"),
                     kv_string("respan.customer_params.customer_identifier", "user-1")};
  SpanFields child;
  child.span_id = unhex(kChild);
  child.parent = unhex(kRoot);
  child.name = "openai.chat";
  child.start = 1795669200500000000ULL;
  child.end = 1795669201500000000ULL;
  child.attributes = {kv_string("llm.request.type", "chat"),
                      kv_string("gen_ai.request.model", "gpt-4o"),
                      kv_int("gen_ai.usage.input_tokens", 10),
                      kv_int("gen_ai.usage.output_tokens", 5),
                      kv_string("gen_ai.prompt.0.role", "user"),
                      kv_string("gen_ai.prompt.0.content", "hi"),
                      kv_string("gen_ai.completion.0.role", "assistant"),
                      kv_string("gen_ai.completion.0.content", "hello"),
                      kv_string("respan.span_params.custom_identifier", "ticket-7")};
  child.status_code = 2;
  child.status_message = "boom";
  return {span_message(root), span_message(child)};
}

// The JSON twin of two_spans().
Json json_request() {
  auto str = [](const std::string& k, const std::string& v) {
    return Json{{"key", k}, {"value", {{"stringValue", v}}}};
  };
  auto num = [](const std::string& k, const std::string& v) {
    return Json{{"key", k}, {"value", {{"intValue", v}}}};
  };
  const Json root = {
      {"traceId", kTid},
      {"spanId", kRoot},
      {"name", "pipeline"},
      {"startTimeUnixNano", "1795669200000000000"},
      {"endTimeUnixNano", "1795669202000000000"},
      {"attributes", Json::array({str("traceloop.span.kind", "workflow"),
                                  str("traceloop.workflow.name", "pipeline"),
                                  str("respan.customer_params.customer_identifier", "user-1")})}};
  const Json child = {
      {"traceId", kTid},
      {"spanId", kChild},
      {"parentSpanId", kRoot},
      {"name", "openai.chat"},
      {"startTimeUnixNano", "1795669200500000000"},
      {"endTimeUnixNano", "1795669201500000000"},
      {"attributes",
       Json::array({str("llm.request.type", "chat"), str("gen_ai.request.model", "gpt-4o"),
                    num("gen_ai.usage.input_tokens", "10"), num("gen_ai.usage.output_tokens", "5"),
                    str("gen_ai.prompt.0.role", "user"), str("gen_ai.prompt.0.content", "hi"),
                    str("gen_ai.completion.0.role", "assistant"),
                    str("gen_ai.completion.0.content", "hello"),
                    str("respan.span_params.custom_identifier", "ticket-7")})},
      {"status", {{"code", 2}, {"message", "boom"}}}};
  return {
      {"resourceSpans",
       Json::array({{{"resource", {{"attributes", Json::array({str("service.name", "svc")})}}},
                     {"scopeSpans", Json::array({{{"scope", {{"name", "respan"}, {"version", "1"}}},
                                                  {"spans", Json::array({root, child})}}})}}})}};
}

// What a protobuf answer says: rejected spans and message of its partial_success.
struct ProtoAnswer {
  bool decoded = false;
  std::int64_t rejected = 0;
  std::string message;
};
ProtoAnswer decode_answer(const std::string& body) {
  ProtoAnswer a;
  proto::Reader r(body);
  proto::Field f;
  while (r.next(f)) {
    if (f.number != 1) continue;
    proto::Reader ps(f.bytes);
    proto::Field g;
    while (ps.next(g)) {
      if (g.number == 1) a.rejected = static_cast<std::int64_t>(g.value);
      if (g.number == 2) a.message = std::string(g.bytes);
    }
  }
  a.decoded = r.error() == nullptr;
  return a;
}

class ContractOtlp : public ContractTest {
 protected:
  explicit ContractOtlp(respan::testing::MockServerOptions o = {}) : ContractTest(std::move(o)) {}

  httplib::Result post(const std::string& path, const std::string& body, const std::string& type,
                       const std::string& encoding = "") {
    auto c = client();
    httplib::Headers h;
    if (!encoding.empty()) h.emplace("Content-Encoding", encoding);
    return c->Post(path.c_str(), h, body, type.c_str());
  }

  // The stored fields both encodings must agree on, per span node, recursively.
  static Json comparable(const Json& node) {
    Json out = Json::object();
    for (const char* f : {"trace_unique_id",
                          "span_unique_id",
                          "span_parent_id",
                          "span_name",
                          "span_workflow_name",
                          "log_type",
                          "model",
                          "prompt_tokens",
                          "completion_tokens",
                          "total_request_tokens",
                          "status",
                          "error_message",
                          "start_time",
                          "timestamp",
                          "latency",
                          "customer_identifier",
                          "input",
                          "output",
                          "custom_identifier",
                          "metadata"}) {
      if (node.contains(f)) out[f] = node[f];
    }
    Json kids = Json::array();
    for (const auto& c : node.value("children", Json::array()))
      kids.push_back(comparable(c));
    out["children"] = kids;
    return out;
  }
};

TEST_F(ContractOtlp, ProtobufOnBothRoutesStoresWhatJsonStores) {
  auto r = post("/api/v2/traces", json_request().dump(), "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const Json via_json = comparable(server_.trace(kTid).value()["span_tree"][0]);
  EXPECT_EQ(via_json["children"][0]["custom_identifier"], "ticket-7");
  EXPECT_EQ(via_json["children"][0]["prompt_tokens"], 10);  // gen_ai.usage.input_tokens
  for (const char* path : {"/api/v2/traces", "/api/v1/traces"}) {
    SCOPED_TRACE(path);
    server_.reset();
    r = post(path, request(two_spans()), "application/x-protobuf");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    // OTLP/HTTP: the answer is in the request's encoding; a full success is empty.
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/x-protobuf");
    EXPECT_TRUE(r->body.empty());
    const auto trace = server_.trace(kTid);
    ASSERT_TRUE(trace);
    EXPECT_EQ(comparable((*trace)["span_tree"][0]).dump(1), via_json.dump(1));
    EXPECT_EQ(server_.ingested_spans().at(0)["received_via"], "otlp");
  }
  // JSON is taken on /api/v1/traces too; only the exact paths match.
  server_.reset();
  r = post("/api/v1/traces", json_request().dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(server_.ingested_spans().size(), 2u);
  r = post("/api/v1/traces/", request(two_spans()), "application/x-protobuf");
  ASSERT_TRUE(r);
  EXPECT_NE(r->status, 200);
  r = post("/api/v1/traces", "x", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
}

TEST_F(ContractOtlp, ProtobufSpansGetTheJsonValidation) {
  std::vector<std::string> spans = two_spans();
  SpanFields bad;
  bad.span_id = std::string("\x01\x02\x03", 3);  // 3 bytes, not 8
  bad.name = "short id";
  spans.push_back(span_message(bad));
  SpanFields zero;
  zero.trace_id = std::string(16, '\0');  // an all-zero trace id
  zero.span_id = unhex("1111111111111111");
  spans.push_back(span_message(zero));
  SpanFields backwards;
  backwards.span_id = unhex("2222222222222222");
  backwards.start = 10;
  backwards.end = 5;
  spans.push_back(span_message(backwards));
  auto r = post("/api/v2/traces", request(spans), "application/x-protobuf");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const ProtoAnswer a = decode_answer(r->body);
  ASSERT_TRUE(a.decoded);
  EXPECT_EQ(a.rejected, 3);
  EXPECT_NE(a.message.find("spanId"), std::string::npos) << a.message;
  EXPECT_EQ(server_.ingested_spans().size(), 2u);
  // The JSON route rejects the same spans for the same reasons.
  Json body = json_request();
  auto& list = body["resourceSpans"][0]["scopeSpans"][0]["spans"];
  list.push_back({{"traceId", kTid},
                  {"spanId", "010203"},
                  {"name", "short id"},
                  {"startTimeUnixNano", "0"},
                  {"endTimeUnixNano", "0"}});
  list.push_back({{"traceId", std::string(32, '0')},
                  {"spanId", "1111111111111111"},
                  {"name", ""},
                  {"startTimeUnixNano", "0"},
                  {"endTimeUnixNano", "0"}});
  list.push_back({{"traceId", kTid},
                  {"spanId", "2222222222222222"},
                  {"name", ""},
                  {"startTimeUnixNano", "10"},
                  {"endTimeUnixNano", "5"}});
  r = post("/api/v2/traces", body.dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(Json::parse(r->body)["partialSuccess"]["rejectedSpans"], 3);
  EXPECT_EQ(Json::parse(r->body)["partialSuccess"]["errorMessage"], a.message);
}

TEST_F(ContractOtlp, MalformedProtobufIsRefusedWithAStatus) {
  std::string deep_any;  // an AnyValue of arrays nested 200 deep
  {
    std::string v;
    proto::put_string_field(v, 1, "leaf");
    for (int i = 0; i < 200; ++i) {
      std::string arr;
      proto::put_bytes_field(arr, 1, v);  // ArrayValue.values
      std::string any;
      proto::put_bytes_field(any, 5, arr);  // AnyValue.array_value
      v = any;
    }
    std::string kv;
    proto::put_string_field(kv, 1, "deep");
    proto::put_bytes_field(kv, 2, v);
    deep_any = kv;
  }
  SpanFields deep;
  deep.span_id = unhex(kRoot);
  deep.attributes = {deep_any};
  std::string bad_utf8;  // a Span whose name (5) is not UTF-8
  proto::put_bytes_field(bad_utf8, 1, unhex(kTid));
  proto::put_bytes_field(bad_utf8, 2, unhex(kRoot));
  proto::put_bytes_field(bad_utf8, 5, "bad \xff name");
  std::string wrong_type;  // ResourceSpans given as a varint
  proto::put_varint_field(wrong_type, 1, 7);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {std::string("\x0a\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 12), "11-byte varint"},
      {std::string("\x0a\x10\x0a\x02", 4), "length past the end"},
      {std::string("\x0b", 1), "a group"},
      {wrong_type, "wrong wire type"},
      {request({bad_utf8}), "invalid UTF-8"},
      {request({span_message(deep)}), "nesting"},
  };
  for (const auto& [body, what] : cases) {
    SCOPED_TRACE(what);
    auto r = post("/api/v2/traces", body, "application/x-protobuf");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/x-protobuf");
    // google.rpc.Status {code: INVALID_ARGUMENT (3), message}
    proto::Reader rd(r->body);
    proto::Field f;
    std::int64_t code = 0;
    std::string message;
    while (rd.next(f)) {
      if (f.number == 1) code = static_cast<std::int64_t>(f.value);
      if (f.number == 2) message = std::string(f.bytes);
    }
    EXPECT_EQ(rd.error(), nullptr);
    EXPECT_EQ(code, 3);
    EXPECT_NE(message.find("ExportTraceServiceRequest"), std::string::npos) << message;
  }
  EXPECT_TRUE(server_.ingested_spans().empty());
  // Unknown fields are skipped, as protobuf does; an empty request stores nothing.
  std::string with_unknown = request(two_spans());
  proto::put_string_field(with_unknown, 99, "from the future");
  auto r = post("/api/v2/traces", with_unknown, "application/x-protobuf");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(server_.ingested_spans().size(), 2u);
  r = post("/api/v2/traces", "", "application/x-protobuf");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ContractOtlp, GzipBodiesOnEveryOtlpEncoding) {
  std::string json_gz;
  ASSERT_TRUE(respan::detail::gzip_compress(json_request().dump(), json_gz));
  std::string proto_gz;
  ASSERT_TRUE(respan::detail::gzip_compress(request(two_spans()), proto_gz));
  auto r = post("/api/v2/traces", json_gz, "application/json", "gzip");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  r = post("/api/v1/traces", proto_gz, "application/x-protobuf", "gzip");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(server_.ingested_spans().size(), 4u);
  // Recorded decompressed, with the header as sent and the size on the wire.
  const auto reqs = server_.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].header("content-encoding"), "gzip");
  EXPECT_EQ(reqs[0].json(), json_request());
  EXPECT_EQ(reqs[0].wire_size, json_gz.size());
  EXPECT_EQ(reqs[0].body_size, json_request().dump().size());
  EXPECT_EQ(reqs[1].body, request(two_spans()));
  // Not gzip: 400; the body stays unread as a span.
  r = post("/api/v2/traces", "definitely not gzip", "application/json", "gzip");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("gzip"), std::string::npos);
  r = post("/api/v2/traces", json_gz.substr(0, json_gz.size() - 6), "application/json", "gzip");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(server_.ingested_spans().size(), 4u);
  // Any route takes a gzip body.
  std::string span_gz;
  ASSERT_TRUE(respan::detail::gzip_compress(span().dump(), span_gz));
  r = post("/api/request-logs/", span_gz, "application/json", "gzip");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(server_.request_logs().size(), 1u);
}

respan::testing::MockServerOptions small_payloads() {
  respan::testing::MockServerOptions o;
  o.max_payload_bytes = 1024 * 1024;
  return o;
}

class ContractOtlpBounded : public ContractOtlp {
 protected:
  ContractOtlpBounded() : ContractOtlp(small_payloads()) {}
};

TEST_F(ContractOtlpBounded, AGzipBombStopsAtThePayloadBound) {
  // 64 MiB of zeros compress to about 64 KiB: decompression stops at 1 MiB (413).
  std::string bomb;
  ASSERT_TRUE(respan::detail::gzip_compress(std::string(64u << 20, '\0'), bomb, 9));
  ASSERT_LT(bomb.size(), small_payloads().max_payload_bytes);
  auto r = post("/api/v2/traces", bomb, "application/x-protobuf", "gzip");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  // Just under the bound is fine.
  std::string fits;
  Json body = json_request();
  body["padding"] = std::string(500 * 1024, ' ');
  ASSERT_TRUE(respan::detail::gzip_compress(body.dump(), fits));
  r = post("/api/v2/traces", fits, "application/json", "gzip");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body.substr(0, 200);
}

}  // namespace
}  // namespace contract
