// The Tracer's wire formats (trace ingest rows, OTLP/HTTP JSON) and the OpenTelemetry
// exporter environment variables, without a network.
#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include <respan/tracing.hpp>

#include "tracing/trace_export.hpp"

namespace {

using respan::Json;
using respan::TraceSpan;

TraceSpan llm_span() {
  TraceSpan s;
  s.log.trace_unique_id = "0123456789abcdef0123456789abcdef";
  s.log.span_parent_id = "1111111111111111";
  s.log.span_name = "llm";
  s.log.span_workflow_name = "answer";
  s.log.log_type = respan::LogType::chat();
  s.log.model = "gpt-4o";
  s.log.prompt_messages = std::vector<respan::Message>{respan::Message::user("Where?")};
  s.log.completion_message = respan::Message::assistant("Here.");
  s.log.prompt_tokens = 12;
  s.log.completion_tokens = 6;
  s.log.cost = 0.5;
  s.log.customer_identifier = "c-1";
  s.log.metadata = Json{{"k", "v"}, {"n", 3}, {"o", {{"a", 1}}}};
  s.log.temperature = 0.25;
  s.log.prompt_id = "p-9";  // no recognised attribute
  s.span_unique_id = "2222222222222222";
  s.start_unix_nanos = 1767225600123456789;  // 2026-01-01T00:00:00.123456789Z
  s.end_unix_nanos = s.start_unix_nanos + 1500000000;
  return s;
}

std::map<std::string, Json> attributes(const Json& span) {
  std::map<std::string, Json> out;
  for (const Json& a : span.at("attributes"))
    out[a.at("key").get<std::string>()] = a.at("value");
  return out;
}

TEST(TraceIds, HexRoundTripAndRandomNeverZero) {
  EXPECT_EQ(respan::detail::hex_id(0xabcULL), "0000000000000abc");
  EXPECT_EQ(respan::detail::hex_id(1, 2), "00000000000000010000000000000002");
  std::uint64_t v[2];
  ASSERT_TRUE(respan::detail::parse_hex_id("00000000000000010000000000000002", v, 2));
  EXPECT_EQ(v[0], 1u);
  EXPECT_EQ(v[1], 2u);
  EXPECT_FALSE(respan::detail::parse_hex_id("000000000000000g", v, 1));
  EXPECT_FALSE(respan::detail::parse_hex_id("00", v, 1));
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::uint64_t id = respan::detail::random_id();
    EXPECT_NE(id, 0u);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_FALSE(respan::SpanContext::from_ids(std::string(32, '0'), "1111111111111111"));
  auto c = respan::SpanContext::from_ids(std::string(32, 'A'), "1111111111111111", "wf");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->trace_unique_id(), std::string(32, 'a'));
  EXPECT_EQ(c->workflow_name(), "wf");
}

TEST(TraceIngestEncoding, RowHasIdsTimesAndSpanFields) {
  auto r = respan::detail::ingest_span_json(llm_span());
  ASSERT_TRUE(r) << r.error();
  const Json& j = *r;
  EXPECT_EQ(j["trace_unique_id"], "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(j["span_unique_id"], "2222222222222222");
  EXPECT_EQ(j["span_parent_id"], "1111111111111111");
  EXPECT_EQ(j["span_name"], "llm");
  EXPECT_EQ(j["span_workflow_name"], "answer");
  EXPECT_EQ(j["start_time"], "2026-01-01T00:00:00.123456Z");
  EXPECT_EQ(j["timestamp"], "2026-01-01T00:00:01.623456Z");
  EXPECT_DOUBLE_EQ(j["latency"].get<double>(), 1.5);
  EXPECT_EQ(j["status"], "success");
  EXPECT_EQ(j["model"], "gpt-4o");
  EXPECT_EQ(j["prompt_tokens"], 12);
  EXPECT_EQ(j["metadata"]["k"], "v");
  EXPECT_EQ(j["customer_identifier"], "c-1");
}

TEST(TraceIngestEncoding, WorkflowSpanWithoutModelOmitsItAndErrorsAreMarked) {
  TraceSpan s = llm_span();
  s.log = respan::RequestLog();
  s.log.trace_unique_id = "0123456789abcdef0123456789abcdef";
  s.log.span_name = "root";
  s.error = true;
  s.log.error_message = "boom";
  auto r = respan::detail::ingest_span_json(s);
  ASSERT_TRUE(r) << r.error();
  EXPECT_FALSE(r->contains("model"));
  EXPECT_FALSE(r->contains("span_parent_id"));
  EXPECT_EQ((*r)["status"], "error");
  EXPECT_EQ((*r)["error_message"], "boom");
}

TEST(TraceIngestEncoding, RefusesMissingOrMalformedIds) {
  TraceSpan s = llm_span();
  s.span_unique_id = "xyz";
  EXPECT_FALSE(respan::detail::ingest_span_json(s));
  s = llm_span();
  s.log.trace_unique_id = std::string(32, '0');
  EXPECT_FALSE(respan::detail::ingest_span_json(s));
  s = llm_span();
  s.log.latency = std::numeric_limits<double>::quiet_NaN();
  auto r = respan::detail::ingest_span_json(s);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("latency"), std::string::npos);
}

TEST(TraceIngestEncoding, SinkBodiesAreDataObjectOrBareArray) {
  respan::TracerOptions o;
  auto sink = respan::detail::make_trace_sink(o);
  std::string row;
  ASSERT_FALSE(sink->encode(llm_span(), row));
  Json body = Json::parse(std::string(sink->body_prefix()) + row + "," + row +
                          std::string(sink->body_suffix()));
  ASSERT_TRUE(body.is_object());
  EXPECT_EQ(body["data"].size(), 2u);
  EXPECT_TRUE(sink->deduplicates());
  o.ingest_body = respan::IngestBody::bare_array;
  sink = respan::detail::make_trace_sink(o);
  body = Json::parse(std::string(sink->body_prefix()) + row + std::string(sink->body_suffix()));
  ASSERT_TRUE(body.is_array());
  EXPECT_EQ(body[0]["span_unique_id"], "2222222222222222");
}

TEST(OtlpEncoding, SpanCarriesIdsNanosStatusAndRecognisedAttributes) {
  auto r = respan::detail::otlp_span_json(llm_span());
  ASSERT_TRUE(r) << r.error();
  const Json& s = *r;
  EXPECT_EQ(s["traceId"], "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(s["spanId"], "2222222222222222");
  EXPECT_EQ(s["parentSpanId"], "1111111111111111");
  EXPECT_EQ(s["name"], "llm");
  EXPECT_EQ(s["kind"], 3);
  EXPECT_EQ(s["startTimeUnixNano"], "1767225600123456789");
  EXPECT_EQ(s["endTimeUnixNano"], "1767225601623456789");
  EXPECT_EQ(s["status"], Json({{"code", 0}}));  // UNSET: nothing says it succeeded
  EXPECT_FALSE(s.contains("events"));
  auto a = attributes(s);
  EXPECT_EQ(a["gen_ai.request.model"]["stringValue"], "gpt-4o");
  EXPECT_EQ(a["gen_ai.operation.name"]["stringValue"], "chat");
  EXPECT_EQ(a["gen_ai.provider.name"]["stringValue"], "openai");  // the gpt-* family
  EXPECT_EQ(a["gen_ai.usage.input_tokens"]["intValue"], "12");    // int64 as a string
  EXPECT_EQ(a["gen_ai.usage.output_tokens"]["intValue"], "6");
  EXPECT_EQ(a["gen_ai.usage.prompt_tokens"]["intValue"], "12");  // the names Respan reads
  EXPECT_EQ(a["gen_ai.usage.completion_tokens"]["intValue"], "6");
  EXPECT_EQ(a["gen_ai.usage.total_tokens"]["intValue"], "18");
  EXPECT_EQ(a["gen_ai.prompt.0.role"]["stringValue"], "user");
  EXPECT_EQ(a["gen_ai.prompt.0.content"]["stringValue"], "Where?");
  EXPECT_EQ(a["gen_ai.completion.0.role"]["stringValue"], "assistant");
  EXPECT_EQ(a["gen_ai.completion.0.content"]["stringValue"], "Here.");
  EXPECT_EQ(a["traceloop.workflow.name"]["stringValue"], "answer");
  EXPECT_EQ(a["llm.request.type"]["stringValue"], "chat");
  EXPECT_EQ(a["respan.entity.log_type"]["stringValue"], "chat");
  EXPECT_EQ(a["respan.customer_params.customer_identifier"]["stringValue"], "c-1");
  EXPECT_EQ(a["respan.metadata.k"]["stringValue"], "v");
  EXPECT_EQ(a["respan.metadata.n"]["intValue"], "3");
  EXPECT_EQ(a["respan.metadata.o"],  // typed, not JSON text
            Json::parse(R"({"kvlistValue":{"values":[{"key":"a","value":{"intValue":"1"}}]}})"));
  EXPECT_EQ(a.count("error.type"), 0u);
  EXPECT_DOUBLE_EQ(a["gen_ai.request.temperature"]["doubleValue"].get<double>(), 0.25);
  EXPECT_DOUBLE_EQ(a["gen_ai.usage.cost"]["doubleValue"].get<double>(), 0.5);
  EXPECT_EQ(a["respan.span.prompt_id"]["stringValue"], "p-9");
}

TEST(OtlpEncoding, RootToolAndErrorSpans) {
  TraceSpan s = llm_span();
  s.log = respan::RequestLog();
  s.log.trace_unique_id = "0123456789abcdef0123456789abcdef";
  s.log.span_name = "search";
  s.log.log_type = respan::LogType::tool();
  s.error = true;
  s.log.error_message = "timeout";
  auto r = respan::detail::otlp_span_json(s);
  ASSERT_TRUE(r) << r.error();
  EXPECT_FALSE(r->contains("parentSpanId"));
  EXPECT_EQ((*r)["kind"], 1);
  EXPECT_EQ((*r)["status"]["code"], 2);
  EXPECT_EQ((*r)["status"]["message"], "timeout");
  auto a = attributes(*r);
  EXPECT_EQ(a["traceloop.span.kind"]["stringValue"], "tool");
  EXPECT_EQ(a["gen_ai.operation.name"]["stringValue"], "execute_tool");
  EXPECT_EQ(a.count("gen_ai.request.model"), 0u);
  EXPECT_EQ(a.count("gen_ai.provider.name"), 0u);
  EXPECT_EQ(a["error.type"]["stringValue"], "_OTHER");
  // The conventions' exception event, at the span's end.
  ASSERT_EQ((*r)["events"].size(), 1u);
  const Json& ev = (*r)["events"][0];
  EXPECT_EQ(ev["name"], "exception");
  EXPECT_EQ(ev["timeUnixNano"], (*r)["endTimeUnixNano"]);
  auto ea = attributes(ev);
  EXPECT_EQ(ea["exception.message"]["stringValue"], "timeout");
  EXPECT_EQ(ea["error.type"]["stringValue"], "_OTHER");
  // With an HTTP status, error.type is that status.
  s.log.status_code = 429;
  r = respan::detail::otlp_span_json(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(attributes(*r)["error.type"]["stringValue"], "429");
}

TEST(OtlpEncoding, CurrentGenAiNamesBesideTheOnesRespanReads) {
  TraceSpan s = llm_span();
  s.log.model = "claude-sonnet-4";
  s.log.log_type = respan::LogType::embedding();
  s.log.prompt_tokens.reset();
  s.log.completion_tokens.reset();
  respan::Usage u;
  u.input_tokens = 100;
  u.output_tokens = 7;
  u.cache_read_input_tokens = 80;
  u.cache_creation_input_tokens = 20;
  s.log.usage = u;
  s.log.custom_identifier = "ticket-7";
  s.log.thread_identifier = "th-1";
  s.log.group_identifier = "grp-1";
  s.log.metadata = Json{{"tags", {"a", 1, true, nullptr}}, {"none", nullptr}};
  auto r = respan::detail::otlp_span_json(s);
  ASSERT_TRUE(r) << r.error();
  auto a = attributes(*r);
  EXPECT_EQ(a["gen_ai.operation.name"]["stringValue"], "embeddings");
  EXPECT_EQ(a["gen_ai.provider.name"]["stringValue"], "anthropic");
  EXPECT_EQ(a["gen_ai.usage.input_tokens"]["intValue"], "100");
  EXPECT_EQ(a["gen_ai.usage.prompt_tokens"]["intValue"], "100");
  EXPECT_EQ(a["gen_ai.usage.output_tokens"]["intValue"], "7");
  EXPECT_EQ(a["gen_ai.usage.total_tokens"]["intValue"], "107");
  EXPECT_EQ(a["gen_ai.usage.cache_read.input_tokens"]["intValue"], "80");
  EXPECT_EQ(a["gen_ai.usage.cache_read_input_tokens"]["intValue"], "80");
  EXPECT_EQ(a["gen_ai.usage.cache_creation.input_tokens"]["intValue"], "20");
  EXPECT_EQ(a["gen_ai.usage.cache_creation_input_tokens"]["intValue"], "20");
  EXPECT_EQ(a["respan.span_params.custom_identifier"]["stringValue"], "ticket-7");
  EXPECT_EQ(a.count("respan.span.custom_identifier"), 0u);
  EXPECT_EQ(a["respan.threads.thread_identifier"]["stringValue"], "th-1");
  EXPECT_EQ(a["respan.trace.trace_group_identifier"]["stringValue"], "grp-1");
  EXPECT_EQ(a["respan.metadata.tags"], Json::parse(R"({"arrayValue":{"values":[
      {"stringValue":"a"},{"intValue":"1"},{"boolValue":true},{}]}})"));
  EXPECT_EQ(a["respan.metadata.none"], Json::object());  // an AnyValue with no value

  // An explicit provider wins; an unknown model has none; ingest sends provider_id.
  s.provider_id = "azure.ai.openai";
  EXPECT_EQ(attributes(*respan::detail::otlp_span_json(s))["gen_ai.provider.name"]["stringValue"],
            "azure.ai.openai");
  EXPECT_EQ((*respan::detail::ingest_span_json(s))["provider_id"], "azure.ai.openai");
  s.provider_id.reset();
  s.log.model = "my-local-model";
  EXPECT_EQ(attributes(*respan::detail::otlp_span_json(s)).count("gen_ai.provider.name"), 0u);
  s.log.model = "openrouter/meta-llama";
  EXPECT_EQ(attributes(*respan::detail::otlp_span_json(s)).count("gen_ai.provider.name"), 0u);
  s.log.model = "anthropic/claude-3";
  EXPECT_EQ(attributes(*respan::detail::otlp_span_json(s))["gen_ai.provider.name"]["stringValue"],
            "anthropic");
}

TEST(OtlpEncoding, DeepMetadataTurnsIntoJsonTextBelowEightLevels) {
  TraceSpan s = llm_span();
  Json deep = "leaf";
  for (int i = 0; i < 20; ++i)
    deep = Json::array({deep});
  s.log.metadata = Json{{"deep", deep}};
  auto r = respan::detail::otlp_span_json(s);
  ASSERT_TRUE(r) << r.error();
  Json v = attributes(*r)["respan.metadata.deep"];
  int typed = 0;
  while (v.contains("arrayValue")) {
    v = v["arrayValue"]["values"][0];
    ++typed;
  }
  EXPECT_EQ(typed, 8);
  ASSERT_TRUE(v.contains("stringValue"));
  EXPECT_EQ(Json::parse(v["stringValue"].get<std::string>()), deep[0][0][0][0][0][0][0][0]);
}

TEST(OtlpEncoding, EnvelopeIsAnExportTraceServiceRequest) {
  respan::TracerOptions o;
  o.exporter = respan::TraceExporter::otlp;
  o.service_name = "svc";
  o.resource_attributes["deployment.environment"] = "test";
  auto sink = respan::detail::make_trace_sink(o);
  std::string row;
  ASSERT_FALSE(sink->encode(llm_span(), row));
  const Json body =
      Json::parse(std::string(sink->body_prefix()) + row + std::string(sink->body_suffix()));
  const Json& rs = body.at("resourceSpans").at(0);
  std::map<std::string, Json> res;
  for (const Json& a : rs.at("resource").at("attributes"))
    res[a["key"].get<std::string>()] = a["value"];
  EXPECT_EQ(res["service.name"]["stringValue"], "svc");
  EXPECT_EQ(res["deployment.environment"]["stringValue"], "test");
  EXPECT_EQ(rs.at("scopeSpans").at(0).at("scope").at("name"), "respan-cpp");
  EXPECT_EQ(rs.at("scopeSpans").at(0).at("spans").at(0).at("spanId"), "2222222222222222");
  EXPECT_TRUE(sink->deduplicates());  // Respan's /api/v2/traces
  o.otlp_endpoint = "http://127.0.0.1:4318/v1/traces";
  EXPECT_FALSE(respan::detail::make_trace_sink(o)->deduplicates());  // a collector
}

TEST(OtelEnv, HeadersAreCommaSeparatedPercentDecodedPairs) {
  auto h = respan::detail::parse_otel_key_values(
      " Authorization = Bearer%20abc , x-team=a%2Cb,,empty= ", "OTEL_EXPORTER_OTLP_HEADERS");
  ASSERT_TRUE(h) << h.error();
  EXPECT_EQ(h->at("Authorization"), "Bearer abc");
  EXPECT_EQ(h->at("x-team"), "a,b");
  EXPECT_EQ(h->at("empty"), "");
  EXPECT_EQ(h->size(), 3u);
  auto bad = respan::detail::parse_otel_key_values("a=1,secretvalue", "OTEL_EXPORTER_OTLP_HEADERS");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("entry 2"), std::string::npos);
  EXPECT_EQ(bad.error().message.find("secretvalue"), std::string::npos);
  EXPECT_FALSE(respan::detail::parse_otel_key_values("=x", "V"));
}

TEST(OtelEnv, EndpointSlashHandling) {
  EXPECT_EQ(respan::detail::otlp_traces_url("http://c:4318"), "http://c:4318/v1/traces");
  EXPECT_EQ(respan::detail::otlp_traces_url("http://c:4318/"), "http://c:4318/v1/traces");
  EXPECT_EQ(respan::detail::otlp_traces_url("https://api.respan.ai/api"),
            "https://api.respan.ai/api/v1/traces");
}

TEST(OtelEnv, OptionsFromEnvironment) {
  std::map<std::string, std::string> env;
  auto getenv = [&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  // Without RESPAN_TRACING_EXPORTER=otlp the OTEL endpoint is not used.
  env["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://collector:4318";
  auto o = respan::detail::tracer_options_from_env({}, getenv);
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o->exporter, respan::TraceExporter::respan_ingest);
  EXPECT_TRUE(o->otlp_endpoint.empty());

  env["RESPAN_TRACING_EXPORTER"] = "OTLP";
  env["OTEL_EXPORTER_OTLP_HEADERS"] = "authorization=Bearer%20k,x-a=1";
  env["OTEL_EXPORTER_OTLP_TRACES_HEADERS"] = "Authorization=Basic%20z";
  env["OTEL_EXPORTER_OTLP_TIMEOUT"] = "2500";
  env["OTEL_SERVICE_NAME"] = "agent";
  o = respan::detail::tracer_options_from_env({}, getenv);
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o->exporter, respan::TraceExporter::otlp);
  EXPECT_EQ(o->otlp_endpoint, "http://collector:4318/v1/traces");
  EXPECT_EQ(o->otlp_headers.size(), 2u);
  EXPECT_EQ(o->otlp_headers.at("Authorization"), "Basic z");  // traces-specific wins
  EXPECT_EQ(o->batch.request_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(o->service_name, "agent");
  EXPECT_EQ(o->otlp_protocol, respan::OtlpProtocol::http_json);
  EXPECT_EQ(o->otlp_compression, respan::OtlpCompression::none);
  // Authorization to a collector, but over plain http to a non-loopback host: refused...
  auto refused = respan::detail::check_tracer_options(*o);
  ASSERT_TRUE(refused);
  EXPECT_NE(refused->message.find("allow_insecure_collector"), std::string::npos);
  EXPECT_EQ(refused->message.find("Basic z"), std::string::npos);  // never the value
  o->allow_insecure_collector = true;                              // ...unless asked
  EXPECT_FALSE(respan::detail::check_tracer_options(*o));

  env["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
  env["OTEL_EXPORTER_OTLP_COMPRESSION"] = "gzip";
  o = respan::detail::tracer_options_from_env({}, getenv);
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o->otlp_protocol, respan::OtlpProtocol::http_protobuf);
  EXPECT_EQ(o->otlp_compression, respan::OtlpCompression::gzip);
  env["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] = "http/json";  // the traces variables win
  env["OTEL_EXPORTER_OTLP_TRACES_COMPRESSION"] = "none";
  o = respan::detail::tracer_options_from_env({}, getenv);
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o->otlp_protocol, respan::OtlpProtocol::http_json);
  EXPECT_EQ(o->otlp_compression, respan::OtlpCompression::none);
  env["OTEL_EXPORTER_OTLP_TRACES_COMPRESSION"] = "zstd";
  EXPECT_FALSE(respan::detail::tracer_options_from_env({}, getenv));
  env.erase("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION");
  env.erase("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL");
  env.erase("OTEL_EXPORTER_OTLP_COMPRESSION");

  env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = "http://other:9999/custom";  // used as is
  o = respan::detail::tracer_options_from_env({}, getenv);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->otlp_endpoint, "http://other:9999/custom");

  env["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc";  // OTLP/gRPC is not spoken
  EXPECT_FALSE(respan::detail::tracer_options_from_env({}, getenv));
  env.erase("OTEL_EXPORTER_OTLP_PROTOCOL");
  env["RESPAN_TRACING_EXPORTER"] = "zipkin";
  EXPECT_FALSE(respan::detail::tracer_options_from_env({}, getenv));
}

TEST(TracerOptionsCheck, RefusesBadCollectorUrlsAndHeaders) {
  respan::TracerOptions o;
  o.exporter = respan::TraceExporter::otlp;
  o.otlp_endpoint = "ftp://x";
  EXPECT_FALSE(!respan::detail::check_tracer_options(o));
  o.otlp_endpoint = "http://user:pw@host/v1/traces";
  EXPECT_FALSE(!respan::detail::check_tracer_options(o));
  o.otlp_endpoint = "http://host:4318/v1/traces";
  EXPECT_FALSE(respan::detail::check_tracer_options(o));
  o.otlp_headers["bad header"] = "x";
  EXPECT_TRUE(respan::detail::check_tracer_options(o));
  o.otlp_headers.clear();
  o.otlp_headers["x-ok"] = "a\r\nb";
  EXPECT_TRUE(respan::detail::check_tracer_options(o));
  // To Respan's endpoint the API key is the Authorization: another one is refused.
  o.otlp_headers.clear();
  o.otlp_endpoint.clear();
  o.otlp_headers["Authorization"] = "Bearer other";
  EXPECT_TRUE(respan::detail::check_tracer_options(o));
}

TEST(TracerOptionsCheck, SecretsNeverGoToAPlainHttpCollectorOffLoopback) {
  EXPECT_TRUE(respan::detail::is_secret_header_name("Authorization"));
  EXPECT_TRUE(respan::detail::is_secret_header_name("proxy-authorization"));
  for (const char* n : {"x-api-key", "X-Honeycomb-Team-KEY", "x-access-token", "client-secret",
                        "X-Auth", "db-password", "x-signature", "DD-API-KEY"})
    EXPECT_TRUE(respan::detail::is_secret_header_name(n)) << n;
  for (const char* n : {"x-tenant", "x-team", "content-language", "x-scope"})
    EXPECT_FALSE(respan::detail::is_secret_header_name(n)) << n;

  respan::TracerOptions o;
  o.exporter = respan::TraceExporter::otlp;
  o.otlp_headers["x-api-key"] = "s3cr3t";
  for (const char* url : {"http://collector.internal:4318/v1/traces", "HTTP://10.0.0.5/v1/traces",
                          "http://[2001:db8::1]:4318/v1/traces", "http://127.0.0.1.nip.io/x"}) {
    o.otlp_endpoint = url;
    auto e = respan::detail::check_tracer_options(o);
    ASSERT_TRUE(e) << url;
    EXPECT_EQ(e->code, respan::ErrorCode::invalid_argument);
    EXPECT_NE(e->message.find("x-api-key"), std::string::npos);
    EXPECT_EQ(e->message.find("s3cr3t"), std::string::npos);
  }
  for (const char* url : {"https://collector.internal:4318/v1/traces", "http://localhost:4318/x",
                          "http://127.0.0.1:4318/v1/traces", "http://[::1]:4318/v1/traces",
                          "http://LOCALHOST/v1/traces"}) {
    o.otlp_endpoint = url;
    EXPECT_FALSE(respan::detail::check_tracer_options(o)) << url;
  }
  // Headers that are not secret may go anywhere; the opt-in lets secrets go too.
  o.otlp_endpoint = "http://collector.internal:4318/v1/traces";
  o.otlp_headers = {{"x-tenant", "t1"}};
  EXPECT_FALSE(respan::detail::check_tracer_options(o));
  o.otlp_headers = {{"Authorization", "Bearer k"}};
  EXPECT_TRUE(respan::detail::check_tracer_options(o));
  o.allow_insecure_collector = true;
  EXPECT_FALSE(respan::detail::check_tracer_options(o));
}

}  // namespace
