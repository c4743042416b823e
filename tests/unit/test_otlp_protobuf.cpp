// OTLP protobuf and gzip, without a network: the protobuf wire helpers (util/proto_wire.hpp),
// gzip (util/gzip.hpp), the hand-written span encoder proved against the official schema
// (protoc, support/otlp_protoc.hpp), the protobuf answers read by the one answer decoder, the
// protobuf error bodies, and the OTLP collector's retry classifier.
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <respan/tracing.hpp>

#include "batch/answers.hpp"
#include "http/pipeline.hpp"
#include "http/retry_class.hpp"
#include "otlp_protoc.hpp"
#include "tracing/otlp_proto.hpp"
#include "tracing/trace_export.hpp"
#include "util/gzip.hpp"
#include "util/proto_wire.hpp"

namespace {

using respan::Json;
using respan::TraceSpan;
namespace proto = respan::detail::proto;

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b)
    s.push_back(static_cast<char>(c));
  return s;
}

// ---------------------------------------------------------------- wire format

TEST(ProtoWire, VarintsAndFixed64AreLittleEndianBase128) {
  std::string out;
  proto::put_varint(out, 0);
  proto::put_varint(out, 1);
  proto::put_varint(out, 300);
  EXPECT_EQ(out, bytes({0x00, 0x01, 0xAC, 0x02}));
  out.clear();
  proto::put_varint_field(out, 3, static_cast<std::uint64_t>(std::int64_t{-1}));  // int64 -1
  EXPECT_EQ(out, bytes({0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}));
  out.clear();
  proto::put_fixed64_field(out, 7, 0x0102030405060708ULL);
  EXPECT_EQ(out, bytes({0x39, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01}));
  EXPECT_EQ(proto::varint_size(127), 1u);
  EXPECT_EQ(proto::varint_size(128), 2u);
  EXPECT_EQ(proto::varint_size(UINT64_MAX), 10u);
}

TEST(ProtoWire, MessagesGetTheirLengthWhateverItsSize) {
  for (std::size_t n : {0u, 1u, 127u, 128u, 16383u, 16384u, 70000u}) {
    std::string out = "x";
    const std::size_t m = proto::begin_message(out, 2);
    out.append(n, 'a');
    proto::end_message(out, m);
    proto::Reader r(std::string_view(out).substr(1));
    proto::Field f;
    ASSERT_TRUE(r.next(f)) << n;
    EXPECT_EQ(f.number, 2u);
    EXPECT_EQ(f.type, proto::WireType::len);
    EXPECT_EQ(f.bytes.size(), n);
    EXPECT_FALSE(r.next(f));
    EXPECT_EQ(r.error(), nullptr);
  }
}

TEST(ProtoWire, StringsAreMadeValidUtf8LikeTheJsonWriter) {
  std::string out;
  proto::put_string_field(out, 1,
                          "a\xff"
                          "b\xc3\xa9");
  proto::Reader r(out);
  proto::Field f;
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(f.bytes,
            "a\xEF\xBF\xBD"
            "b\xc3\xa9");
  EXPECT_TRUE(proto::is_valid_utf8(f.bytes));
}

TEST(ProtoWire, ReaderRefusesMalformedInputWithoutReadingPastIt) {
  struct Case {
    std::string data;
    const char* what;
  };
  const std::vector<Case> cases = {
      {bytes({0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}),
       "11-byte varint"},
      {bytes({0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02}), "65-bit varint"},
      {bytes({0x08, 0x80}), "truncated varint"},
      {bytes({0x12, 0x05, 'a', 'b'}), "length past the end"},
      {bytes({0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F}), "huge length"},
      {bytes({0x09, 0x01, 0x02}), "fixed64 past the end"},
      {bytes({0x0B}), "start group"},
      {bytes({0x0C}), "end group"},
      {bytes({0x00, 0x01}), "field number 0"},
      {bytes({0x0E}), "wire type 6"},
  };
  for (const Case& c : cases) {
    proto::Reader r(c.data);
    proto::Field f;
    while (r.next(f)) {
    }
    EXPECT_NE(r.error(), nullptr) << c.what;
  }
}

TEST(ProtoWire, RpcStatusMessage) {
  std::string status;
  proto::put_varint_field(status, 1, 3);
  proto::put_string_field(status, 2, "span 2: name is required");
  EXPECT_EQ(proto::rpc_status_message(status), "span 2: name is required");
  EXPECT_FALSE(proto::rpc_status_message("{\"message\": \"json\"}"));
  EXPECT_FALSE(proto::rpc_status_message(bytes({0x12, 0x09, 'x'})));
  EXPECT_TRUE(proto::is_protobuf_media_type("application/x-protobuf; charset=binary"));
  EXPECT_TRUE(proto::is_protobuf_media_type("Application/Protobuf"));
  EXPECT_FALSE(proto::is_protobuf_media_type("application/json"));
}

TEST(ProtoWire, ContentEncodingIsTheSdksHeader) {
  // The SDK sets it when it compresses a body: a caller's copy would mislabel the body.
  EXPECT_TRUE(respan::detail::check_header("Content-Encoding", "gzip"));
  EXPECT_TRUE(respan::detail::check_header("content-encoding", "br", true));
  EXPECT_FALSE(respan::detail::check_header("Content-Language", "en"));
}

TEST(ProtoWire, ProtobufErrorBodiesGiveTheReceiversMessage) {
  respan::HttpResponse res;
  res.status = 400;
  res.headers.emplace_back("Content-Type", "application/x-protobuf");
  proto::put_varint_field(res.body, 1, 3);
  proto::put_string_field(res.body, 2, "invalid span: traceId must be 16 bytes");
  const respan::Error e =
      respan::detail::error_from_response(res, std::chrono::system_clock::now());
  EXPECT_EQ(e.message, "invalid span: traceId must be 16 bytes");
  EXPECT_EQ(e.code, respan::ErrorCode::bad_request);
  res.body = bytes({0xFF, 0xFF});  // not a Status: the reason phrase, never the bytes
  EXPECT_EQ(respan::detail::error_from_response(res, std::chrono::system_clock::now()).message,
            "Bad Request");
}

// ---------------------------------------------------------------- gzip

TEST(Gzip, RoundTripAndBounds) {
  std::string text;
  for (int i = 0; i < 2000; ++i)
    text += "{\"key\":\"gen_ai.usage.input_tokens\",\"value\":{\"intValue\":\"" +
            std::to_string(i) + "\"}},";
  std::string gz;
  ASSERT_TRUE(respan::detail::gzip_compress(text, gz));
  EXPECT_LT(gz.size() * 10, text.size());
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);  // the gzip magic number
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
  std::string back;
  EXPECT_EQ(respan::detail::gunzip(gz, text.size(), back), respan::detail::GunzipStatus::ok);
  EXPECT_EQ(back, text);
  // One byte short of the decoded size: refused, nothing kept.
  EXPECT_EQ(respan::detail::gunzip(gz, text.size() - 1, back),
            respan::detail::GunzipStatus::too_large);
  EXPECT_TRUE(back.empty());
  EXPECT_EQ(respan::detail::gunzip(gz.substr(0, gz.size() / 2), text.size(), back),
            respan::detail::GunzipStatus::malformed);
  EXPECT_EQ(respan::detail::gunzip("not gzip at all", 1000, back),
            respan::detail::GunzipStatus::malformed);
  EXPECT_EQ(respan::detail::gunzip(gz + "trailing", text.size() * 2, back),
            respan::detail::GunzipStatus::malformed);
  // Two members concatenated (RFC 1952) decode to both texts.
  EXPECT_EQ(respan::detail::gunzip(gz + gz, text.size() * 2, back),
            respan::detail::GunzipStatus::ok);
  EXPECT_EQ(back, text + text);
  std::string empty_gz;
  ASSERT_TRUE(respan::detail::gzip_compress("", empty_gz));
  EXPECT_EQ(respan::detail::gunzip(empty_gz, 0, back), respan::detail::GunzipStatus::ok);
}

// ---------------------------------------------------------------- the span encoder

TraceSpan base_span(std::uint64_t n) {
  TraceSpan s;
  s.log.trace_unique_id = "0af7651916cd43dd8448eb211c80319c";
  s.span_unique_id = respan::detail::hex_id(0xb7ad6b7169203331ULL + n);
  s.log.span_name = "span-" + std::to_string(n);
  s.start_unix_nanos = 1767225600123456789 + static_cast<std::int64_t>(n);
  s.end_unix_nanos = s.start_unix_nanos + 1500000000;
  return s;
}

// Spans that exercise every attribute form: messages with tool calls and parts, usage with
// cache counts, every scalar type, nested metadata (deep, null, unsigned beyond int64),
// non-ASCII and invalid UTF-8, an error with an event, a root without a parent.
std::vector<TraceSpan> varied_spans() {
  std::vector<TraceSpan> out;
  {
    TraceSpan s = base_span(1);
    s.log.span_parent_id = "00f067aa0ba902b7";
    s.log.span_workflow_name = "answer";
    s.log.model = "gpt-4o";
    respan::Message user = respan::Message::user("Where is my order? ¿Dónde está? 注文");
    respan::Message assistant = respan::Message::assistant("Looking it up");
    respan::ToolCall call;
    call.id = "call_1";
    call.type = "function";
    respan::FunctionCall fn;
    fn.name = "lookup";
    fn.arguments = R"({"order": 12345})";
    call.function = fn;
    assistant.tool_calls = std::vector<respan::ToolCall>{call};
    respan::Message tool = respan::Message::tool("call_1", "shipped");
    s.log.prompt_messages = std::vector<respan::Message>{user, assistant, tool};
    s.log.completion_message = respan::Message::assistant("It ships today \xff (bad byte).");
    respan::Usage u;
    u.prompt_tokens = 1200;
    u.completion_tokens = 35;
    u.cache_read_input_tokens = 1024;
    u.cache_creation_input_tokens = 0;
    s.log.usage = u;
    s.log.cost = 0.000123;
    s.log.temperature = 0.0;
    s.log.top_p = 1.0;
    s.log.max_tokens = 4096;
    s.log.stream = false;
    s.log.customer_identifier = "customer-42";
    respan::CustomerParams cp;
    cp.email = "a@example.com";
    cp.name = "Ann";
    s.log.customer_params = cp;
    s.log.custom_identifier = "ticket-7";
    s.log.thread_identifier = "thread-1";
    s.log.group_identifier = "group-1";
    Json deep = Json::object({{"leaf", -7}});
    for (int i = 0; i < 12; ++i)
      deep = Json::object({{"d" + std::to_string(i), deep}});
    s.log.metadata = Json{{"region", "eu-west-1"},
                          {"retries", -3},
                          {"big", std::numeric_limits<std::uint64_t>::max()},
                          {"ratio", 2.5},
                          {"whole", 3.0},
                          {"ok", false},
                          {"none", nullptr},
                          {"empty", ""},
                          {"list", {1, "two", 3.5, true, nullptr, Json::array(), Json::object()}},
                          {"obj", {{"a", {{"b", {1, 2}}}}}},
                          {"deep", deep}};
    s.log.prompt_id = "p-9";
    s.log.tools = std::vector<respan::ToolDefinition>{
        respan::ToolDefinition::make_function("lookup", "Finds an order", Json::object())};
    s.log.time_to_first_token = 0.21;
    out.push_back(s);
  }
  {
    TraceSpan s = base_span(2);
    s.log.span_workflow_name = "answer";
    s.log.log_type = respan::LogType::tool();
    s.error = true;
    s.log.error_message = "timeout after 30 s";
    s.log.status_code = 504;
    s.log.input = respan::SpanIO(Json{{"q", "x"}});
    s.log.output = std::string("");
    out.push_back(s);
  }
  {
    TraceSpan s = base_span(3);
    s.log.model = "text-embedding-3-small";
    s.log.log_type = respan::LogType::embedding();
    s.provider_id = "azure.ai.openai";
    s.log.prompt_tokens = 0;
    s.log.metadata = Json::array({"not", "an", "object"});
    out.push_back(s);
  }
  {
    TraceSpan s = base_span(4);  // a bare span: ids, name and times only
    s.log.span_name = "";
    out.push_back(s);
  }
  return out;
}

// The body an OTLP sink sends for `spans`, as the BatchLogger assembles it (rows joined by
// commas), through the sink's own framing.
std::string sink_body(const respan::TracerOptions& o, const std::vector<TraceSpan>& spans) {
  auto sink = respan::detail::make_trace_sink(o);
  std::string body(sink->body_prefix());
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (i > 0) body += ',';
    std::string row;
    const auto bad = sink->encode(spans[i], row);
    EXPECT_FALSE(bad) << *bad;
    body += row;
  }
  body += sink->body_suffix();
  auto bytes_or = respan::detail::otlp_request_bytes(*sink, body);
  EXPECT_TRUE(bytes_or) << bytes_or.error();
  return bytes_or ? *bytes_or : std::string();
}

respan::TracerOptions otlp_options(respan::OtlpProtocol p, respan::OtlpCompression c) {
  respan::TracerOptions o;
  o.exporter = respan::TraceExporter::otlp;
  o.otlp_protocol = p;
  o.otlp_compression = c;
  o.service_name = "checkout-agent";
  o.resource_attributes = {{"deployment.environment", "test"}, {"service.version", "1.2.3"}};
  return o;
}

TEST(OtlpProtobuf, SpanBytesFollowTheFieldNumbers) {
  // A minimal span, checked byte by byte against trace.proto's field numbers.
  Json s{{"traceId", "0102030405060708090a0b0c0d0e0f10"},
         {"spanId", "1112131415161718"},
         {"name", "a"},
         {"kind", 1},
         {"startTimeUnixNano", "1"},
         {"endTimeUnixNano", "2"},
         {"attributes", Json::array({Json{{"key", "k"}, {"value", {{"intValue", "-2"}}}}})},
         {"status", {{"code", 2}, {"message", "m"}}}};
  std::string out;
  ASSERT_FALSE(respan::detail::otlp_span_proto(s, out));
  std::string expected = bytes({0x12, 0x00});  // ScopeSpans.spans (2), length below
  expected += bytes({0x0A, 0x10});             // trace_id (1), 16 bytes
  for (int i = 1; i <= 16; ++i)
    expected.push_back(static_cast<char>(i));
  expected += bytes({0x12, 0x08, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18});  // span_id (2)
  expected += bytes({0x2A, 0x01, 'a'});                                             // name (5)
  expected += bytes({0x30, 0x01});                                                  // kind (6)
  expected += bytes({0x39, 1, 0, 0, 0, 0, 0, 0, 0});  // start_time_unix_nano (7), fixed64
  expected += bytes({0x41, 2, 0, 0, 0, 0, 0, 0, 0});  // end_time_unix_nano (8), fixed64
  // attributes (9): KeyValue{key (1) "k", value (2) AnyValue{int_value (3) -2}}
  expected += bytes({0x4A, 0x10, 0x0A, 0x01, 'k', 0x12, 0x0B, 0x18, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF,
                     0xFF, 0xFF, 0xFF, 0xFF, 0x01});
  expected += bytes({0x7A, 0x05, 0x12, 0x01, 'm', 0x18, 0x02});  // status (15): message, code
  expected[1] = static_cast<char>(expected.size() - 2);
  EXPECT_EQ(out, expected);
}

TEST(OtlpProtobuf, EncoderRefusesWhatItDoesNotKnow) {
  Json s{{"traceId", "zz"}, {"spanId", "1112131415161718"}};
  std::string out;
  EXPECT_TRUE(respan::detail::otlp_span_proto(s, out));
  s = Json{{"traceId", "0102030405060708090a0b0c0d0e0f10"},
           {"spanId", "1112131415161718"},
           {"attributes", Json::array({Json{{"key", "k"}, {"value", {{"weird", 1}}}}})}};
  out.clear();
  EXPECT_TRUE(respan::detail::otlp_span_proto(s, out));
}

TEST(OtlpProtobuf, MatchesTheJsonEncodingThroughTheOfficialSchema) {
  RESPAN_REQUIRE_PROTOC();
  const std::vector<TraceSpan> spans = varied_spans();
  const std::string json_body = sink_body(
      otlp_options(respan::OtlpProtocol::http_json, respan::OtlpCompression::none), spans);
  const std::string proto_body = sink_body(
      otlp_options(respan::OtlpProtocol::http_protobuf, respan::OtlpCompression::none), spans);
  ASSERT_FALSE(proto_body.empty());
  const std::vector<Json> decoded = respan_test::OtlpProtoc::get().decode({proto_body});
  ASSERT_EQ(decoded.size(), 1u);
  const Json expected = respan_test::proto3_normalized(Json::parse(json_body));
  const Json actual = respan_test::proto3_normalized(decoded[0]);
  EXPECT_EQ(actual.at("resourceSpans").at(0).at("resource"),
            expected.at("resourceSpans").at(0).at("resource"));
  const Json& a_spans = actual["resourceSpans"][0]["scopeSpans"][0]["spans"];
  const Json& e_spans = expected["resourceSpans"][0]["scopeSpans"][0]["spans"];
  ASSERT_EQ(a_spans.size(), spans.size());
  for (std::size_t i = 0; i < spans.size(); ++i)
    EXPECT_EQ(a_spans[i].dump(1), e_spans[i].dump(1)) << "span " << i;
  EXPECT_EQ(actual, expected);  // the whole ExportTraceServiceRequest
  // The protobuf body is about half the JSON one.
  EXPECT_LT(proto_body.size() * 10, json_body.size() * 7);
}

TEST(OtlpProtobuf, GzipBodiesDecompressToThePlainOnes) {
  const std::vector<TraceSpan> spans = varied_spans();
  for (const auto p : {respan::OtlpProtocol::http_json, respan::OtlpProtocol::http_protobuf}) {
    const std::string plain = sink_body(otlp_options(p, respan::OtlpCompression::none), spans);
    const std::string gz = sink_body(otlp_options(p, respan::OtlpCompression::gzip), spans);
    std::string back;
    ASSERT_EQ(respan::detail::gunzip(gz, plain.size(), back), respan::detail::GunzipStatus::ok);
    EXPECT_EQ(back, plain);
    EXPECT_LT(gz.size(), plain.size());
  }
}

TEST(OtlpProtobuf, SinkFramingChecksItsRows) {
  const auto o = otlp_options(respan::OtlpProtocol::http_protobuf, respan::OtlpCompression::none);
  auto sink = respan::detail::make_trace_sink(o);
  EXPECT_EQ(respan::detail::trace_endpoint(o, "https://api.respan.ai"),
            "https://api.respan.ai/api/v1/traces");
  EXPECT_EQ(sink->describe(), "/api/v1/traces");
  std::string body(sink->body_prefix());
  EXPECT_TRUE(respan::detail::otlp_request_bytes(*sink, body));  // no rows: an empty scope
  EXPECT_FALSE(respan::detail::otlp_request_bytes(*sink, body + "garbage"));
  EXPECT_FALSE(respan::detail::otlp_request_bytes(*sink, "no prefix"));
  auto ingest = respan::detail::make_trace_sink(respan::TracerOptions{});
  EXPECT_FALSE(respan::detail::otlp_request_bytes(*ingest, "[]"));
}

// ---------------------------------------------------------------- answers

using respan::detail::AnswerFormat;
using respan::detail::AnswerShape;
using respan::detail::read_answer;
using State = respan::detail::RowVerdicts::State;

std::string partial_success(std::int64_t rejected, const std::string& message) {
  std::string ps;
  const std::size_t m = proto::begin_message(ps, 1);
  if (rejected != 0) proto::put_varint_field(ps, 1, static_cast<std::uint64_t>(rejected));
  if (!message.empty()) proto::put_string_field(ps, 2, message);
  proto::end_message(ps, m);
  return ps;
}

TEST(OtlpProtobufAnswer, SameVerdictsAsTheJsonAnswer) {
  // Empty: every span accepted (as `{}` in JSON).
  auto v = read_answer(AnswerShape::otlp, "", 3, AnswerFormat::protobuf);
  EXPECT_EQ(v.delivered, 3u);
  v = read_answer(AnswerShape::otlp, partial_success(0, ""), 3, AnswerFormat::protobuf);
  EXPECT_EQ(v.delivered, 3u);
  // Two rejected: the last two by convention, with the receiver's message, unidentified.
  v = read_answer(AnswerShape::otlp, partial_success(2, "bad ids"), 3, AnswerFormat::protobuf);
  const auto j = read_answer(
      AnswerShape::otlp, R"({"partialSuccess":{"rejectedSpans":"2","errorMessage":"bad ids"}})", 3);
  EXPECT_EQ(v.state, j.state);
  EXPECT_EQ(v.message, j.message);
  EXPECT_EQ(v.rejected, 2u);
  EXPECT_FALSE(v.identified);
  EXPECT_NE(v.message[2].find("bad ids"), std::string::npos);
  // Counts that cannot be, and bytes that are not the message, confirm nothing.
  for (const std::string& body :
       {partial_success(4, ""), partial_success(-1, ""), bytes({0x0A, 0x05, 0x08}),
        std::string("<html>busy</html>"), bytes({0x08, 0x01})}) {
    v = read_answer(AnswerShape::otlp, body, 3, AnswerFormat::protobuf);
    EXPECT_EQ(v.unconfirmed, 3u) << body;
    EXPECT_EQ(v.delivered, 0u);
  }
  // A receiver that answers JSON where protobuf was expected is understood.
  v = read_answer(AnswerShape::otlp, " {} ", 3, AnswerFormat::protobuf);
  EXPECT_EQ(v.delivered, 3u);
  v = read_answer(AnswerShape::otlp, R"({"partialSuccess":{"rejectedSpans":1}})", 3,
                  AnswerFormat::protobuf);
  EXPECT_EQ(v.rejected, 1u);
  // Unknown fields are skipped (a newer receiver).
  std::string newer = partial_success(1, "x");
  proto::put_string_field(newer, 9, "future");
  v = read_answer(AnswerShape::otlp, newer, 3, AnswerFormat::protobuf);
  EXPECT_EQ(v.rejected, 1u);
  EXPECT_EQ(v.delivered, 2u);
}

// ---------------------------------------------------------------- retry classifiers

respan::Error status_error(int status) {
  respan::Error e = respan::Error::make(respan::ErrorCode::http, "x");
  e.http_status = status;
  return e;
}

TEST(CollectorRetryClass, OnlyTheOtlpRetryableStatuses) {
  using respan::detail::classify_collector_failure;
  for (int s : {429, 503}) {
    EXPECT_TRUE(classify_collector_failure(status_error(s)).transient) << s;
    EXPECT_FALSE(classify_collector_failure(status_error(s)).maybe_processed) << s;
  }
  for (int s : {502, 504}) {
    EXPECT_TRUE(classify_collector_failure(status_error(s)).transient) << s;
    EXPECT_TRUE(classify_collector_failure(status_error(s)).maybe_processed) << s;
  }
  for (int s : {400, 401, 403, 404, 408, 409, 413, 422, 425, 500, 501, 505, 599})
    EXPECT_FALSE(classify_collector_failure(status_error(s)).transient) << s;
  // Respan's own classifier retries several of those.
  for (int s : {408, 425, 500})
    EXPECT_TRUE(respan::detail::classify_failure(status_error(s)).transient) << s;
  // Network failures and timeouts as the one classifier says.
  respan::Error net = respan::Error::make(respan::ErrorCode::network, "refused");
  net.certainly_not_sent = true;
  EXPECT_TRUE(classify_collector_failure(net).transient);
  EXPECT_FALSE(classify_collector_failure(net).maybe_processed);
  respan::Error timeout = respan::Error::make(respan::ErrorCode::timeout, "slow");
  EXPECT_TRUE(classify_collector_failure(timeout).transient);
  EXPECT_TRUE(classify_collector_failure(timeout).maybe_processed);
  EXPECT_FALSE(
      classify_collector_failure(respan::Error::make(respan::ErrorCode::cancelled, "c")).transient);
}

TEST(CollectorRetryClass, SinksSayWhichClassifierAndWhetherToSplit) {
  respan::TracerOptions o;
  auto ingest = respan::detail::make_trace_sink(o);
  EXPECT_TRUE(ingest->splits_on(400));
  EXPECT_TRUE(ingest->splits_on(413));
  EXPECT_TRUE(ingest->splits_on(422));
  EXPECT_TRUE(ingest->classify(status_error(500)).transient);
  o.exporter = respan::TraceExporter::otlp;
  auto respan_otlp = respan::detail::make_trace_sink(o);  // Respan's own rules
  EXPECT_TRUE(respan_otlp->splits_on(400));
  EXPECT_TRUE(respan_otlp->classify(status_error(500)).transient);
  o.otlp_endpoint = "http://127.0.0.1:4318/v1/traces";
  auto collector = respan::detail::make_trace_sink(o);
  EXPECT_FALSE(collector->splits_on(400));
  EXPECT_FALSE(collector->splits_on(422));
  EXPECT_TRUE(collector->splits_on(413));
  EXPECT_FALSE(collector->classify(status_error(500)).transient);
  EXPECT_TRUE(collector->classify(status_error(502)).transient);
}

}  // namespace
