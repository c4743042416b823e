// OTLP beyond JSON against the mock over loopback: http/protobuf to Respan (`/api/v1/traces`)
// and to a collector, gzip bodies, the protoc cross-check of every protobuf body captured
// (support/otlp_protoc.hpp), the OTLP/HTTP retry rules towards a collector, the refusal of
// secrets over plain http, and the GenAI attributes end to end.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <respan/respan.hpp>
#include <respan/tracing.hpp>

#include "mock_api_test.hpp"
#include "otlp_protoc.hpp"
#include "tracing/trace_export.hpp"
#include "util/proto_wire.hpp"

namespace {

using respan::Json;
using std::chrono::milliseconds;
using std::chrono::seconds;

class OtlpTest : public MockApiTest {
 protected:
  respan::TracerOptions otlp_options(respan::OtlpProtocol protocol,
                                     respan::OtlpCompression compression) const {
    respan::TracerOptions o;
    o.exporter = respan::TraceExporter::otlp;
    o.otlp_protocol = protocol;
    o.otlp_compression = compression;
    o.batch.min_backoff = milliseconds(1);
    o.batch.max_backoff = milliseconds(5);
    o.batch.flush_interval = milliseconds(50);
    return o;
  }
  // A collector: the mock's OTLP route as a third-party URL (no Respan key unless given).
  respan::TracerOptions collector_options(respan::OtlpProtocol protocol) const {
    respan::TracerOptions o = otlp_options(protocol, respan::OtlpCompression::none);
    o.otlp_endpoint = server_.base_url() + "/api/v1/traces";
    o.otlp_headers["Authorization"] = "Bearer " + server_.api_key();
    return o;
  }
  respan::Tracer tracer(respan::TracerOptions o) {
    return respan::Tracer(respan::RespanClient(options()), std::move(o));
  }
};

// The agent-like workflow of test_tracing.cpp: a root, a plan step, two tools on two
// threads, an LLM call with usage, cache counts and metadata; 7 spans.
std::string run_workflow(respan::Tracer& tracer) {
  respan::Span root = tracer.start_trace("answer");
  root.set_input("Where is my order?");
  { respan::Span plan = tracer.start_span("plan"); }
  const respan::SpanContext ctx = root.context();
  std::vector<std::thread> tools;
  for (const char* name : {"tool_a", "tool_b"}) {
    tools.emplace_back([&tracer, ctx, name] {
      respan::Span tool = tracer.start_span(name, ctx);
      tool.set_log_type(respan::LogType::tool());
      respan::Span step = tracer.start_span(std::string(name) + "_step");
      step.set_metadata("thread", name);
    });
  }
  for (auto& t : tools)
    t.join();
  {
    respan::Span llm = root.child("llm");
    respan::Usage u;
    u.prompt_tokens = 12;
    u.completion_tokens = 6;
    u.cache_read_input_tokens = 8;
    llm.set_model("gpt-4o")
        .set_prompt_messages({respan::Message::user("Where is my order?")})
        .set_completion_message(respan::Message::assistant("It ships today."))
        .set_usage(u)
        .set_metadata(Json{{"tags", {"a", 1}}, {"nested", {{"k", true}}}});
    llm.fields().custom_identifier = "ticket-7";
  }
  root.set_output("It ships today.");
  return root.trace_unique_id();
}

Json shape(const Json& node) {
  Json out{{"name", node.value("span_name", "")},
           {"log_type", node.value("log_type", "")},
           {"model", node.value("model", "")},
           {"status", node.value("status", "")},
           {"prompt_tokens", node.value("prompt_tokens", 0)},
           {"custom_identifier", node.value("custom_identifier", "")}};
  std::vector<Json> kids;
  for (const Json& c : node.value("children", Json::array()))
    kids.push_back(shape(c));
  std::sort(kids.begin(), kids.end(),
            [](const Json& a, const Json& b) { return a["name"] < b["name"]; });
  out["children"] = kids;
  return out;
}

std::map<std::string, Json> attributes_of(const Json& span) {
  std::map<std::string, Json> out;
  for (const Json& a : span.value("attributes", Json::array()))
    out[a["key"].get<std::string>()] = a["value"];
  return out;
}

TEST_F(OtlpTest, ProtobufToRespanGoesToV1TracesAndBuildsTheSameTree) {
  respan::Tracer json_tracer =
      tracer(otlp_options(respan::OtlpProtocol::http_json, respan::OtlpCompression::none));
  const std::string tid_json = run_workflow(json_tracer);
  ASSERT_EQ(json_tracer.flush(seconds(10)).delivered, 7u);

  respan::Tracer t =
      tracer(otlp_options(respan::OtlpProtocol::http_protobuf, respan::OtlpCompression::none));
  EXPECT_EQ(t.endpoint(), server_.base_url() + "/api/v1/traces");
  const std::string tid = run_workflow(t);
  const respan::DeliveryReport r = t.flush(seconds(10));
  EXPECT_EQ(r.delivered, 7u);
  EXPECT_EQ(r.rejected + r.dropped + r.pending, 0u);

  const auto reqs = requests_to("/api/v1/traces", "POST");
  ASSERT_FALSE(reqs.empty());
  for (const auto& req : reqs) {
    EXPECT_EQ(req.header("content-type"), "application/x-protobuf");
    EXPECT_EQ(req.header("authorization"), "Bearer " + server_.api_key());
    EXPECT_EQ(req.header("content-encoding"), "");
    EXPECT_EQ(req.status, 200);
  }
  auto a = server_.trace(tid_json);
  auto b = server_.trace(tid);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(shape((*b)["span_tree"][0]).dump(1), shape((*a)["span_tree"][0]).dump(1));
  EXPECT_EQ((*b)["total_prompt_tokens"], 12);
  EXPECT_EQ((*b)["span_count"], 7);
}

// A collector that refuses the export (401: no key given) hands every span back through
// on_event with its ids; each protobuf body the mock captured, decoded by protoc with the
// official schema, must equal the JSON encoding of those very spans.
TEST_F(OtlpTest, EveryCapturedProtobufBodyDecodesToTheJsonOfItsSpans) {
  RESPAN_REQUIRE_PROTOC();
  for (const auto compression : {respan::OtlpCompression::none, respan::OtlpCompression::gzip}) {
    SCOPED_TRACE(compression == respan::OtlpCompression::gzip ? "gzip" : "plain");
    server_.clear_requests();
    respan::TracerOptions o = collector_options(respan::OtlpProtocol::http_protobuf);
    o.otlp_headers.clear();  // the mock answers 401: every span comes back rejected
    o.otlp_compression = compression;
    o.service_name = "cross-check";
    o.resource_attributes["deployment.environment"] = "ci";
    std::mutex mu;
    std::map<std::string, respan::TraceSpan> sent;  // span id -> span
    o.batch.on_event = [&](const respan::DeliveryEvent& e) {
      if (e.trace_span == nullptr) return;
      std::lock_guard<std::mutex> lk(mu);
      sent[e.trace_span->span_unique_id] = *e.trace_span;
    };
    respan::Tracer t = tracer(o);
    run_workflow(t);
    {
      respan::Span failed = t.start_trace("fails");
      failed.set_error("upstream timeout");
      failed.fields().status_code = 504;
    }
    const respan::DeliveryReport r = t.flush(seconds(10));
    EXPECT_EQ(r.rejected, 8u);
    std::lock_guard<std::mutex> lk(mu);
    ASSERT_EQ(sent.size(), 8u);

    const auto reqs = requests_to("/api/v1/traces", "POST");
    ASSERT_FALSE(reqs.empty());
    std::vector<std::string> bodies;
    for (const auto& req : reqs) {
      EXPECT_EQ(req.header("content-type"), "application/x-protobuf");
      if (compression == respan::OtlpCompression::gzip) {
        EXPECT_EQ(req.header("content-encoding"), "gzip");
        EXPECT_LT(req.wire_size, req.body_size);
      }
      ASSERT_FALSE(req.body_truncated);
      bodies.push_back(req.body);  // recorded decompressed by the mock
    }
    const std::vector<Json> decoded = respan_test::OtlpProtoc::get().decode(bodies);
    // The envelope of the JSON encoding with the same options.
    respan::TracerOptions json_o = o;
    json_o.otlp_protocol = respan::OtlpProtocol::http_json;
    const auto envelope =
        respan::detail::otlp_envelope(json_o.service_name, json_o.resource_attributes);
    const Json json_request = Json::parse(envelope.prefix + envelope.suffix);
    std::size_t spans_seen = 0;
    for (const Json& d : decoded) {
      const Json& rs = d.at("resourceSpans").at(0);
      EXPECT_EQ(respan_test::proto3_normalized(rs.at("resource")),
                respan_test::proto3_normalized(json_request["resourceSpans"][0]["resource"]));
      EXPECT_EQ(rs.at("scopeSpans").at(0).at("scope"),
                json_request["resourceSpans"][0]["scopeSpans"][0]["scope"]);
      for (const Json& span : rs.at("scopeSpans").at(0).at("spans")) {
        const std::string id = span.at("spanId");
        ASSERT_EQ(sent.count(id), 1u) << id;
        auto expected = respan::detail::otlp_span_json(sent.at(id));
        ASSERT_TRUE(expected) << expected.error();
        EXPECT_EQ(respan_test::proto3_normalized(span).dump(1),
                  respan_test::proto3_normalized(*expected).dump(1));
        ++spans_seen;
      }
    }
    EXPECT_EQ(spans_seen, 8u);
  }
}

TEST_F(OtlpTest, GzipBodiesAreDeliveredAndSmall) {
  std::map<std::string, std::size_t> plain_bytes;
  for (const auto protocol :
       {respan::OtlpProtocol::http_json, respan::OtlpProtocol::http_protobuf}) {
    for (const auto compression : {respan::OtlpCompression::none, respan::OtlpCompression::gzip}) {
      const bool pb = protocol == respan::OtlpProtocol::http_protobuf;
      const bool gz = compression == respan::OtlpCompression::gzip;
      SCOPED_TRACE(std::string(pb ? "protobuf" : "json") + (gz ? "+gzip" : ""));
      server_.clear_requests();
      respan::TracerOptions o = otlp_options(protocol, compression);
      o.batch.flush_interval = seconds(30);  // one request, sent by flush()
      respan::Tracer t = tracer(o);
      std::vector<std::string> tids;
      for (int i = 0; i < 20; ++i)
        tids.push_back(run_workflow(t));
      const respan::DeliveryReport r = t.flush(seconds(10));
      EXPECT_EQ(r.delivered, 140u);
      for (const auto& tid : tids)
        EXPECT_TRUE(server_.trace(tid)) << tid;
      const auto reqs = requests_to(pb ? "/api/v1/traces" : "/api/v2/traces", "POST");
      ASSERT_FALSE(reqs.empty());
      std::size_t wire = 0;
      std::size_t decoded = 0;
      for (const auto& req : reqs) {
        EXPECT_EQ(req.header("content-encoding"), gz ? "gzip" : "");
        wire += req.wire_size;
        decoded += req.body_size;
      }
      if (!gz) {
        EXPECT_EQ(wire, decoded);
        plain_bytes[pb ? "protobuf" : "json"] = wire;
      } else {
        EXPECT_LT(wire * 4, decoded);  // at most a quarter of the uncompressed bytes
      }
    }
  }
  // Protobuf is well under plain JSON.
  EXPECT_LT(plain_bytes["protobuf"] * 10, plain_bytes["json"] * 7);
}

TEST_F(OtlpTest, FromEnvChoosesProtobufAndGzip) {
  ::setenv("RESPAN_TRACING_EXPORTER", "otlp", 1);
  ::setenv("OTEL_EXPORTER_OTLP_ENDPOINT", server_.base_url().c_str(), 1);  // + /v1/traces
  ::setenv("OTEL_EXPORTER_OTLP_HEADERS", ("Authorization=Bearer%20" + server_.api_key()).c_str(),
           1);
  ::setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf", 1);
  ::setenv("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "gzip", 1);
  respan::TracerOptions defaults;
  defaults.batch.flush_interval = milliseconds(50);
  auto t = respan::Tracer::from_env(respan::RespanClient(options()), defaults);
  for (const char* v :
       {"RESPAN_TRACING_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_HEADERS",
        "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION"})
    ::unsetenv(v);
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->endpoint(), server_.base_url() + "/v1/traces");
  EXPECT_EQ(t->options().otlp_protocol, respan::OtlpProtocol::http_protobuf);
  EXPECT_EQ(t->options().otlp_compression, respan::OtlpCompression::gzip);
  // The collector's path is the OTel one (/v1/traces), which the mock does not serve: 404,
  // final towards a collector, rejected without a retry.
  { respan::Span s = t->start_trace("env"); }
  const respan::DeliveryReport r = t->flush(seconds(10));
  EXPECT_EQ(r.rejected, 1u);
  EXPECT_EQ(r.requests, 1u);
  const auto reqs = requests_to("/v1/traces", "POST");
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].header("content-type"), "application/x-protobuf");
  EXPECT_EQ(reqs[0].header("content-encoding"), "gzip");
}

// ---------------------------------------------------------------- the collector's rules

TEST_F(OtlpTest, CollectorRetriesOnly429And502To504) {
  for (int status : {429, 502, 503, 504}) {
    SCOPED_TRACE(status);
    server_.clear_requests();
    respan::testing::Fault f;
    f.status = status;
    f.times = 2;
    f.path_prefix = "/api/v1/traces";
    server_.inject_fault(f);
    respan::Tracer t = tracer(collector_options(respan::OtlpProtocol::http_protobuf));
    { respan::Span s = t.start_trace("retried"); }
    const respan::DeliveryReport r = t.flush(seconds(10));
    EXPECT_EQ(r.delivered, 1u);
    EXPECT_EQ(r.requests, 3u);
    EXPECT_EQ(r.retries, 2u);
    // 502 and 504 come from a gateway that may have forwarded the request.
    EXPECT_EQ(r.possibly_duplicated, status == 502 || status == 504 ? 1u : 0u);
  }
  for (int status : {400, 401, 403, 404, 408, 409, 413, 422, 500, 501}) {
    SCOPED_TRACE(status);
    server_.clear_requests();
    respan::testing::Fault f;
    f.status = status;
    f.times = 1;
    f.path_prefix = "/api/v1/traces";
    server_.inject_fault(f);
    respan::Tracer t = tracer(collector_options(respan::OtlpProtocol::http_json));
    { respan::Span s = t.start_trace("final"); }
    const respan::DeliveryReport r = t.flush(seconds(10));
    EXPECT_EQ(r.rejected, 1u);
    EXPECT_EQ(r.requests, 1u);
    EXPECT_EQ(r.retries, 0u);
  }
}

TEST_F(OtlpTest, CollectorHonoursRetryAfter) {
  respan::testing::Fault f;
  f.status = 429;
  f.retry_after = "1";
  f.path_prefix = "/api/v1/traces";
  server_.inject_fault(f);
  respan::TracerOptions o = collector_options(respan::OtlpProtocol::http_protobuf);
  o.batch.max_backoff = seconds(5);
  respan::Tracer t = tracer(o);
  { respan::Span s = t.start_trace("throttled"); }
  const auto t0 = std::chrono::steady_clock::now();
  const respan::DeliveryReport r = t.flush(seconds(10));
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.delivered, 1u);
  EXPECT_EQ(r.retries, 1u);
  EXPECT_GE(took, milliseconds(950));
}

TEST_F(OtlpTest, CollectorBadRequestIsFinalUnsplitAndKeepsItsMessage) {
  struct Case {
    const char* what;
    std::string body;
    std::string type;
  };
  std::string status_pb;  // google.rpc.Status{code: 3, message}
  respan::detail::proto::put_varint_field(status_pb, 1, 3);
  respan::detail::proto::put_string_field(status_pb, 2, "span 3 has no name (protobuf)");
  const std::vector<Case> cases = {
      {"json status", R"j({"code": 3, "message": "span 3 has no name (json)"})j",
       "application/json"},
      {"protobuf status", status_pb, "application/x-protobuf"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    server_.clear_requests();
    respan::testing::Fault f;
    f.status = 400;
    f.body = c.body;
    f.content_type = c.type;
    f.path_prefix = "/api/v1/traces";
    server_.inject_fault(f);
    respan::TracerOptions o = collector_options(respan::OtlpProtocol::http_protobuf);
    o.batch.flush_interval = seconds(30);
    std::mutex mu;
    std::vector<std::string> reasons;
    o.batch.on_event = [&](const respan::DeliveryEvent& e) {
      std::lock_guard<std::mutex> lk(mu);
      if (e.kind == respan::DeliveryEvent::Kind::rejected) reasons.push_back(e.message);
    };
    respan::Tracer t = tracer(o);
    for (int i = 0; i < 5; ++i) {
      respan::Span s = t.start_trace("span" + std::to_string(i));
    }
    const respan::DeliveryReport r = t.flush(seconds(10));
    EXPECT_EQ(r.rejected, 5u);
    EXPECT_EQ(r.requests, 1u);  // neither retried nor split
    EXPECT_EQ(r.splits, 0u);
    std::lock_guard<std::mutex> lk(mu);
    ASSERT_EQ(reasons.size(), 5u);
    EXPECT_NE(reasons[0].find("span 3 has no name"), std::string::npos) << reasons[0];
    EXPECT_NE(reasons[0].find("400"), std::string::npos) << reasons[0];
  }
}

TEST_F(OtlpTest, RespanEndpointsKeepSplittingWhileACollectorSplitsOnlyOn413) {
  struct Case {
    bool collector;
    int status;
    bool splits;
  };
  for (const Case& c : {Case{false, 400, true}, Case{false, 413, true}, Case{false, 422, true},
                        Case{true, 413, true}, Case{true, 422, false}}) {
    SCOPED_TRACE(std::string(c.collector ? "collector " : "respan ") + std::to_string(c.status));
    server_.clear_requests();
    respan::TracerOptions o =
        c.collector ? collector_options(respan::OtlpProtocol::http_json)
                    : otlp_options(respan::OtlpProtocol::http_json, respan::OtlpCompression::none);
    o.batch.flush_interval = seconds(30);
    respan::testing::Fault f;
    f.status = c.status;
    f.times = 1;
    f.path_prefix = c.collector ? "/api/v1/traces" : "/api/v2/traces";
    server_.inject_fault(f);
    respan::Tracer t = tracer(o);
    for (int i = 0; i < 4; ++i) {
      respan::Span s = t.start_trace("span" + std::to_string(i));
    }
    const respan::DeliveryReport r = t.flush(seconds(10));
    if (c.splits) {
      EXPECT_GE(r.splits, 1u);
      EXPECT_EQ(r.delivered, 4u);  // the halves went through
    } else {
      EXPECT_EQ(r.splits, 0u);
      EXPECT_EQ(r.rejected, 4u);
      EXPECT_EQ(r.requests, 1u);
    }
  }
}

TEST_F(OtlpTest, CollectorPartialSuccessIsCountedInEitherEncoding) {
  std::string ps;  // ExportTraceServiceResponse{partial_success{rejected_spans: 2, message}}
  {
    std::string inner;
    respan::detail::proto::put_varint_field(inner, 1, 2);
    respan::detail::proto::put_string_field(inner, 2, "2 spans too old");
    respan::detail::proto::put_bytes_field(ps, 1, inner);
  }
  struct Case {
    std::string body;
    std::string type;
  };
  for (const Case& c :
       {Case{R"({"partialSuccess": {"rejectedSpans": "2", "errorMessage": "2 spans too old"}})",
             "application/json"},
        Case{ps, "application/x-protobuf"}}) {
    SCOPED_TRACE(c.type);
    respan::testing::Fault f;
    f.status = 200;
    f.body = c.body;
    f.content_type = c.type;
    f.path_prefix = "/api/v1/traces";
    server_.inject_fault(f);
    respan::TracerOptions o = collector_options(respan::OtlpProtocol::http_protobuf);
    o.batch.flush_interval = seconds(30);
    std::mutex mu;
    std::vector<std::string> reasons;
    o.batch.on_event = [&](const respan::DeliveryEvent& e) {
      std::lock_guard<std::mutex> lk(mu);
      reasons.push_back(e.message);
    };
    respan::Tracer t = tracer(o);
    for (int i = 0; i < 5; ++i) {
      respan::Span s = t.start_trace("span" + std::to_string(i));
    }
    const respan::DeliveryReport r = t.flush(seconds(10));
    EXPECT_EQ(r.delivered, 3u);
    EXPECT_EQ(r.rejected, 2u);
    std::lock_guard<std::mutex> lk(mu);
    ASSERT_EQ(reasons.size(), 2u);
    EXPECT_NE(reasons[0].find("2 spans too old"), std::string::npos) << reasons[0];
  }
}

// ---------------------------------------------------------------- security

TEST_F(OtlpTest, SecretsToAPlainHttpCollectorOffLoopbackAreRefused) {
  respan::TracerOptions o;
  o.exporter = respan::TraceExporter::otlp;
  o.otlp_endpoint = "http://otel-collector.example:4318/v1/traces";
  o.otlp_headers["X-Honeycomb-Team"] = "team";  // not secret-looking: fine
  auto ok = respan::Tracer::create(respan::RespanClient(options()), o);
  EXPECT_TRUE(ok) << ok.error();
  for (const char* name : {"Authorization", "x-api-key", "DD-API-KEY", "x-auth-token"}) {
    SCOPED_TRACE(name);
    respan::TracerOptions bad = o;
    bad.otlp_headers[name] = "super-secret-value";
    auto t = respan::Tracer::create(respan::RespanClient(options()), bad);
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().code, respan::ErrorCode::invalid_argument);
    EXPECT_EQ(t.error().message.find("super-secret-value"), std::string::npos);
    EXPECT_THROW(respan::Tracer(respan::RespanClient(options()), bad), respan::ApiError);
    bad.allow_insecure_collector = true;  // the explicit opt-in
    EXPECT_TRUE(respan::Tracer::create(respan::RespanClient(options()), bad));
    bad.allow_insecure_collector = false;
    bad.otlp_endpoint = "https://otel-collector.example:4318/v1/traces";
    EXPECT_TRUE(respan::Tracer::create(respan::RespanClient(options()), bad));
  }
  // The same through the environment.
  ::setenv("RESPAN_TRACING_EXPORTER", "otlp", 1);
  ::setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://10.1.2.3:4318", 1);
  ::setenv("OTEL_EXPORTER_OTLP_HEADERS", "api-key=abc123", 1);
  auto t = respan::Tracer::from_env(respan::RespanClient(options()));
  ::unsetenv("RESPAN_TRACING_EXPORTER");
  ::unsetenv("OTEL_EXPORTER_OTLP_ENDPOINT");
  ::unsetenv("OTEL_EXPORTER_OTLP_HEADERS");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, respan::ErrorCode::invalid_argument);
  EXPECT_EQ(t.error().message.find("abc123"), std::string::npos);
}

// ---------------------------------------------------------------- GenAI attributes

TEST_F(OtlpTest, GenAiAttributesReachTheReceiver) {
  respan::Tracer t =
      tracer(otlp_options(respan::OtlpProtocol::http_json, respan::OtlpCompression::none));
  std::string tid;
  {
    respan::Span root = t.start_trace("chat");
    tid = root.trace_unique_id();
    respan::Span llm = root.child("llm");
    respan::Usage u;
    u.input_tokens = 100;
    u.output_tokens = 20;
    u.cache_read_input_tokens = 64;
    u.cache_creation_input_tokens = 16;
    llm.set_model("claude-sonnet-4").set_usage(u).set_cost(0.002).set_customer("cust-1");
    llm.fields().custom_identifier = "ticket-9";
    llm.fields().thread_identifier = "thread-9";
    llm.fields().group_identifier = "group-9";
    llm.set_error("rate limited upstream");
    llm.fields().status_code = 429;
  }
  ASSERT_EQ(t.flush(seconds(10)).delivered, 2u);
  const auto reqs = requests_to("/api/v2/traces", "POST");
  ASSERT_FALSE(reqs.empty());
  Json llm;
  for (const auto& req : reqs) {
    const Json body = req.json();
    for (const Json& s : body["resourceSpans"][0]["scopeSpans"][0]["spans"])
      if (s["name"] == "llm") llm = s;
  }
  ASSERT_TRUE(llm.is_object());
  auto a = attributes_of(llm);
  EXPECT_EQ(a["gen_ai.operation.name"]["stringValue"], "chat");
  EXPECT_EQ(a["gen_ai.provider.name"]["stringValue"], "anthropic");
  EXPECT_EQ(a["gen_ai.usage.input_tokens"]["intValue"], "100");
  EXPECT_EQ(a["gen_ai.usage.prompt_tokens"]["intValue"], "100");
  EXPECT_EQ(a["gen_ai.usage.cache_read.input_tokens"]["intValue"], "64");
  EXPECT_EQ(a["gen_ai.usage.cache_creation.input_tokens"]["intValue"], "16");
  EXPECT_EQ(a["respan.span_params.custom_identifier"]["stringValue"], "ticket-9");
  EXPECT_EQ(a["error.type"]["stringValue"], "429");
  EXPECT_EQ(llm["status"]["code"], 2);
  EXPECT_EQ(llm["events"][0]["name"], "exception");
  // What the mock (a model of Respan) stores from them.
  const auto trace = server_.trace(tid);
  ASSERT_TRUE(trace);
  const Json& node = (*trace)["span_tree"][0]["children"][0];
  EXPECT_EQ(node["prompt_tokens"], 100);
  EXPECT_EQ(node["completion_tokens"], 20);
  EXPECT_EQ(node["custom_identifier"], "ticket-9");
  EXPECT_EQ(node["thread_identifier"], "thread-9");
  EXPECT_EQ(node["customer_identifier"], "cust-1");
  EXPECT_EQ(node["usage"]["cache_read_input_tokens"], 64);
  EXPECT_EQ(node["status"], "error");
  EXPECT_EQ(node["error_message"], "rate limited upstream");
  // The root had no error: status UNSET, stored as a success.
  EXPECT_EQ((*trace)["span_tree"][0]["status"], "success");
}

}  // namespace

// Issue: a NaN cost or an infinite temperature used to drop the whole span and orphan its
// children. Through every exporter the span is now delivered without that field, the
// child stays under it, and the report counts the fields.
TEST_F(OtlpTest, NonFiniteNumbersCostTheirFieldNotTheSpanInEveryExporter) {
  struct Case {
    const char* name;
    respan::TracerOptions options;
  };
  std::vector<Case> cases;
  cases.push_back({"ingest", respan::TracerOptions()});
  cases.back().options.batch.flush_interval = milliseconds(50);
  cases.push_back(
      {"otlp-json", otlp_options(respan::OtlpProtocol::http_json, respan::OtlpCompression::none)});
  cases.push_back({"otlp-protobuf", otlp_options(respan::OtlpProtocol::http_protobuf,
                                                 respan::OtlpCompression::gzip)});
  for (Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::mutex mu;
    std::vector<std::string> messages;
    c.options.batch.on_event = [&](const respan::DeliveryEvent& e) {
      std::lock_guard<std::mutex> lk(mu);
      if (e.kind == respan::DeliveryEvent::Kind::fields_dropped) messages.push_back(e.message);
    };
    respan::Tracer t = tracer(c.options);
    std::string tid;
    {
      respan::Span root = t.start_trace("root");
      tid = root.trace_unique_id();
      root.fields().cost = std::nan("");
      respan::Span llm = root.child("llm");
      llm.set_model("gpt-4o").set_metadata(
          Json{{"ok", 1}, {"bad", std::numeric_limits<double>::infinity()}});
      llm.fields().temperature = -std::numeric_limits<double>::infinity();
      llm.fields().prompt_tokens = 12;
    }
    const respan::DeliveryReport r = t.flush(seconds(10));
    EXPECT_EQ(r.delivered, 2u);
    EXPECT_EQ(r.dropped + r.rejected + r.pending, 0u);
    EXPECT_EQ(r.fields_dropped, 3u);
    {
      std::lock_guard<std::mutex> lk(mu);
      std::sort(messages.begin(), messages.end());
      ASSERT_EQ(messages.size(), 2u);
      EXPECT_EQ(messages[0], "left out 1 non-finite number: log.cost");
      EXPECT_EQ(messages[1], "left out 2 non-finite numbers: log.temperature, log.metadata.bad");
    }
    auto trace = server_.trace(tid);
    ASSERT_TRUE(trace);
    EXPECT_EQ((*trace)["span_count"], 2);
    const Json& root = (*trace)["span_tree"][0];
    EXPECT_EQ(root["span_name"], "root");
    ASSERT_EQ(root["children"].size(), 1u);
    EXPECT_EQ(root["children"][0]["span_name"], "llm");
    EXPECT_EQ(root["children"][0]["prompt_tokens"], 12);
    EXPECT_FALSE(root["children"][0].contains("temperature"));
  }
}
