// The core refuses what it cannot send safely and survives hostile answers: option and
// per-call validation, path parameters, non-finite numbers, header injection, key scrubbing,
// size caps, deep JSON, hostile bulk answers, repeated pages, throwing hooks.
#include <chrono>
#include <clocale>
#include <cstdio>
#include <deque>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <respan/respan.hpp>
#include <respan/retry.hpp>

#include "http/pipeline.hpp"
#include "resource_util.hpp"
#include "scripted_transport.hpp"

using namespace std::chrono_literals;
using respan::ClientOptions;
using respan::ErrorCode;
using respan::HttpMethod;
using respan::HttpRequest;
using respan::HttpResponse;
using respan::Json;
using respan::detail::ApiRequest;
using respan::detail::Idempotency;
using respan::detail::Pipeline;

namespace {

using respan::test::resp;

constexpr const char* kKey = "sk-live/SECRET\"key-1234567890";

ClientOptions base_options(std::shared_ptr<respan::Transport> t = nullptr) {
  ClientOptions o;
  o.api_key = kKey;
  o.base_url = "http://127.0.0.1:9";
  o.transport = std::move(t);
  o.sleeper = [](std::chrono::milliseconds) {};
  return o;
}

respan::Error invalid(ClientOptions o) {
  auto v = respan::detail::validate_options(std::move(o));
  EXPECT_FALSE(v);
  if (v) return respan::Error{};
  EXPECT_EQ(v.error().code, ErrorCode::invalid_argument);
  return v.error();
}

ApiRequest list_request() {
  return ApiRequest{
      HttpMethod::post, "/api/request-logs/list/", {}, Json::object(), Idempotency::idempotent};
}

// ---------------------------------------------------------------- options

TEST(OptionsValidation, RefusesSelfDefeatingConfiguration) {
  {
    auto o = base_options();  // past a week (max() itself means "no deadline")
    o.call_deadline = std::chrono::hours(24 * 8);
    EXPECT_NE(invalid(o).message.find("call_deadline"), std::string::npos);
  }
  {
    auto o = base_options();
    o.retry.jitter = std::numeric_limits<double>::quiet_NaN();
    EXPECT_NE(invalid(o).message.find("jitter"), std::string::npos);
  }
  {
    auto o = base_options();
    o.retry.initial_backoff = -5ms;
    EXPECT_NE(invalid(o).message.find("initial_backoff"), std::string::npos);
  }
  {
    auto o = base_options();
    o.retry.multiplier = std::numeric_limits<double>::infinity();
    EXPECT_NE(invalid(o).message.find("multiplier"), std::string::npos);
  }
  {
    auto o = base_options();
    o.retry.max_retries = 1'000'000;
    EXPECT_NE(invalid(o).message.find("max_retries"), std::string::npos);
  }
  {
    auto o = base_options();
    o.retry.min_backoff = 0ms;
    EXPECT_NE(invalid(o).message.find("min_backoff"), std::string::npos);
  }
  {
    auto o = base_options();
    o.max_response_bytes = 0;
    EXPECT_NE(invalid(o).message.find("max_response_bytes"), std::string::npos);
  }
  {
    auto o = base_options();
    o.request_timeout = 0ms;
    EXPECT_NE(invalid(o).message.find("request_timeout"), std::string::npos);
  }
}

TEST(OptionsValidation, ApiKeyWithNulOrLineBreakIsRefusedNotTruncated) {
  auto o = base_options();
  o.api_key = std::string("sk-abc\0def", 10);
  EXPECT_NE(invalid(o).message.find("control character"), std::string::npos);
  o.api_key = "sk-abc\r\nX-Evil: 1";
  invalid(o);
}

TEST(OptionsValidation, BadBaseUrlIsReportedWhenTheClientIsMade) {
  for (const char* url : {"ftp://x", "https://", "https://user:pw@host", "https://host:99999",
                          "https://ho st", "https://host\n.evil", "api.respan.ai"}) {
    auto o = base_options();
    o.base_url = url;
    invalid(o);
    EXPECT_FALSE(respan::RespanClient::create(o)) << url;
  }
}

TEST(OptionsValidation, BaseUrlWithDotSegmentsIsRefused) {
  // libcurl and servers collapse dot segments: the calls would reach another path.
  for (const char* url :
       {"https://api.respan.ai/./api", "https://api.respan.ai/x/../api",
        "https://api.respan.ai/x/..", "https://api.respan.ai/..", "https://api.respan.ai/x/./",
        "https://api.respan.ai/x/../", "https://api.respan.ai/%2e%2E/api",
        "https://api.respan.ai/x/%2E", "https://api.respan.ai/x/.%2e", "https://api.respan.ai/."}) {
    auto o = base_options();
    o.base_url = url;
    EXPECT_NE(invalid(o).message.find("segments"), std::string::npos) << url;
    auto c = respan::RespanClient::create(o);
    ASSERT_FALSE(c) << url;
    EXPECT_EQ(c.error().code, ErrorCode::invalid_argument) << url;
  }
  // Dots inside a segment are fine.
  for (const char* url : {"https://api.respan.ai/v1.2/api", "https://api.respan.ai/.well/x",
                          "https://api.respan.ai/..x/", "https://api.respan.ai/x.."}) {
    auto o = base_options();
    o.base_url = url;
    EXPECT_TRUE(respan::detail::validate_options(o)) << url;
  }
}

TEST(OptionsValidation, ApiKeyOutsideVisibleAsciiIsRefusedWithoutEchoingIt) {
  for (const std::string& key :
       {std::string("sk-inner space-SECRET"), std::string("sk-tab\tSECRET"),
        std::string("sk-del\x7fSECRET"), std::string("sk-\xc3\xa9-SECRET"),
        std::string("sk-\x80-SECRET"), std::string("sk-nbsp\xc2\xa0SECRET"),
        std::string("sk-nul\0SECRET", 13)}) {
    auto o = base_options();
    o.api_key = key;
    const respan::Error e = invalid(o);
    EXPECT_EQ(e.message.find("SECRET"), std::string::npos) << e.message;
    EXPECT_EQ(e.to_string().find("SECRET"), std::string::npos) << e.to_string();
    auto c = respan::RespanClient::create(o);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().code, ErrorCode::invalid_argument);
    EXPECT_EQ(c.error().to_string().find("SECRET"), std::string::npos);
  }
  // Every visible ASCII character is accepted; surrounding whitespace is trimmed.
  std::string all;
  for (char c = 0x21; c < 0x7f; ++c)
    all += c;
  auto o = base_options();
  o.api_key = all;
  EXPECT_TRUE(respan::detail::validate_options(o));
  o.api_key = " sk-trimmed\n";
  EXPECT_EQ(respan::detail::validate_options(o).value().api_key, "sk-trimmed");
}

TEST(OptionsValidation, PlainHttpOnlyToLoopbackUnlessAllowed) {
  for (const char* ok : {"http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:80",
                         "http://127.10.0.3", "https://api.respan.ai"}) {
    auto o = base_options();
    o.base_url = ok;
    EXPECT_TRUE(respan::detail::validate_options(o)) << ok;
  }
  auto o = base_options();
  o.base_url = "http://api.respan.ai";
  EXPECT_NE(invalid(o).message.find("allow_insecure_http"), std::string::npos);
  o.base_url = "http://127.0.0.1.evil.example";
  invalid(o);
  o.allow_insecure_http = true;
  EXPECT_TRUE(respan::detail::validate_options(o));
}

TEST(OptionsValidation, HeaderInjectionAndReservedHeadersAreRefused) {
  const std::pair<std::string, std::string> bad[] = {{"X-Ok", "a\r\nX-Injected: 1"},
                                                     {"X-Ok", std::string("a\0b", 3)},
                                                     {"X Bad", "v"},
                                                     {"X-Bad\r\n", "v"},
                                                     {"", "v"},
                                                     {"Authorization", "Bearer other"},
                                                     {"content-type", "text/plain"},
                                                     {"Content-Length", "5"},
                                                     {"HOST", "elsewhere"},
                                                     {"User-Agent", "me"}};
  for (const auto& [name, value] : bad) {
    auto o = base_options();
    o.default_headers[name] = value;
    invalid(o);
  }
  auto o = base_options();
  o.user_agent_suffix = "app/1\r\nX-Evil: 1";
  invalid(o);
  o = base_options();
  o.default_headers["X-Team"] = "observability\tteam";
  EXPECT_TRUE(respan::detail::validate_options(o));
}

TEST(OptionsValidation, VerifyTlsOffWarnsOncePerClient) {
  auto o = base_options();
  o.base_url = "https://127.0.0.1:9";
  o.verify_tls = false;
  int warnings = 0;
  o.log = [&](respan::LogLevel level, std::string_view m) {
    if (level == respan::LogLevel::warn && m.find("verification is OFF") != std::string::npos)
      ++warnings;
  };
  auto client = respan::RespanClient::create(o).value();
  auto copy = client;
  (void)copy;
  EXPECT_EQ(warnings, 1);
}

// ---------------------------------------------------------------- per call

TEST(PerCallValidation, ZeroOrNegativeTimeoutsAndBadHeadersAreRefused) {
  auto t = std::make_shared<respan::test::ScriptedTransport>();
  Pipeline p(respan::detail::validate_options(base_options(t)).value());
  respan::RequestOptions call;
  call.request_timeout = 0ms;
  auto r = p.execute(list_request(), call);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  call = {};
  call.request_timeout = -1ms;
  EXPECT_FALSE(p.execute(list_request(), call));
  call = {};
  call.call_deadline = -1ms;
  EXPECT_FALSE(p.execute(list_request(), call));
  call = {};
  call.headers["X-Trace"] = "a\nb";
  EXPECT_FALSE(p.execute(list_request(), call));
  call = {};
  call.headers["authorization"] = "Bearer x";
  EXPECT_FALSE(p.execute(list_request(), call));
  EXPECT_TRUE(t->seen.empty());
}

// ---------------------------------------------------------------- paths

TEST(PathParameters, DotSegmentsEmptyAndControlCharactersAreRefused) {
  for (const char* bad : {"/api/datasets/../", "/api/datasets/./", "/api/datasets//logs/",
                          "/api/datasets/a%0Ab/", "/api/datasets/%00/", "/api/datasets/%2E%2E/"}) {
    auto e = respan::detail::check_path(bad);
    ASSERT_TRUE(e) << bad;
    EXPECT_EQ(e->code, ErrorCode::invalid_argument);
  }
  EXPECT_FALSE(respan::detail::check_path("/api/datasets/_saved_logs/logs/a.b..c/"));
  EXPECT_FALSE(respan::detail::check_path("/api/v1/traces/ingest"));
}

TEST(PathParameters, EveryResourceRefusesDotDotBeforeSending) {
  auto t = std::make_shared<respan::test::ScriptedTransport>();
  auto client = respan::RespanClient::create(base_options(t)).value();
  for (const std::string id : {"..", ".", "", "a\nb"}) {
    EXPECT_EQ(client.dataset_logs("ds").remove(id).error().code, ErrorCode::invalid_argument) << id;
    EXPECT_EQ(client.dataset_logs(id).summary().error().code, ErrorCode::invalid_argument) << id;
    EXPECT_EQ(client.datasets().remove(id).error().code, ErrorCode::invalid_argument) << id;
    EXPECT_EQ(client.request_logs().retrieve(id).error().code, ErrorCode::invalid_argument) << id;
  }
  EXPECT_TRUE(t->seen.empty());
}

// ---------------------------------------------------------------- bodies

TEST(Bodies, NonFiniteNumbersAreRefusedNamingTheField) {
  auto t = std::make_shared<respan::test::ScriptedTransport>();
  Pipeline p(respan::detail::validate_options(base_options(t)).value());
  ApiRequest r{HttpMethod::post,
               "/api/request-logs/",
               {},
               Json{{"model", "m"}, {"metadata", {{"scores", {1.0, std::nan("")}}}}}};
  auto res = p.execute(r);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(res.error().message.find("metadata.scores[1]"), std::string::npos)
      << res.error().message;
  EXPECT_TRUE(t->seen.empty());
}

TEST(Bodies, DeeplyNestedCallerJsonIsRefusedNotRecursedInto) {
  auto t = std::make_shared<respan::test::ScriptedTransport>();
  Pipeline p(respan::detail::validate_options(base_options(t)).value());
  Json deep = Json::array();
  for (int i = 0; i < 100'000; ++i)
    deep = Json::array({std::move(deep)});
  ApiRequest r{HttpMethod::post, "/api/request-logs/", {}, Json{{"metadata", {{"x", 1}}}}};
  r.body->at("metadata")["deep"] = std::move(deep);
  auto res = p.execute(r);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, ErrorCode::invalid_argument);
  EXPECT_TRUE(t->seen.empty());
}

TEST(Bodies, BlankOrNulModelIsRefusedBeforeSending) {
  auto t = std::make_shared<respan::test::ScriptedTransport>();
  auto client = respan::RespanClient::create(base_options(t)).value();
  for (const std::string& model : {std::string(""), std::string(" "), std::string("\t \n"),
                                   std::string("gpt\0-4o", 7), std::string("\0", 1)}) {
    respan::RequestLog span("x");
    span.model = model;
    auto r = client.request_logs().create(span);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
    EXPECT_NE(r.error().message.find("model"), std::string::npos) << r.error().message;
    // The bulk create refuses the row and sends the others.
    t->script.push_back(resp(200, R"({"success_count": 1, "error_count": 0, "errors": []})"));
    auto bulk = client.request_logs().create_bulk({span, respan::RequestLog("gpt-4o")});
    ASSERT_TRUE(bulk) << bulk.error();
    EXPECT_EQ(bulk->success_count, 1);
    ASSERT_EQ(bulk->errors.size(), 1u);
    EXPECT_EQ(bulk->errors[0].index, 0);
    EXPECT_NE(bulk->errors[0].error.find("model"), std::string::npos) << bulk->errors[0].error;
    ASSERT_FALSE(t->seen.empty());
    ASSERT_TRUE(t->seen.back().body.has_value());
    const Json sent = Json::parse(*t->seen.back().body);
    ASSERT_EQ(sent["logs"].size(), 1u);
    EXPECT_EQ(sent["logs"][0]["model"], "gpt-4o");
    t->seen.clear();
  }
  // The shared rule: both writers of the create body (the BatchLogger's sink writes the text).
  respan::RequestLog blank(" ");
  std::string text;
  auto written = respan::detail::encode_text(blank, "RequestLog", text);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().message, "RequestLog.model: blank (only whitespace)");
  EXPECT_TRUE(text.empty());
  auto dom = respan::detail::encode(blank, "RequestLog");
  ASSERT_FALSE(dom);
  EXPECT_EQ(dom.error().message, written.error().message);
  blank.model = std::string("a\0b", 3);
  EXPECT_EQ(respan::detail::encode(blank, "RequestLog").error().message,
            "RequestLog.model: holds a NUL byte");
  // A model with inner or surrounding spaces is someone's model name: sent as given.
  respan::RequestLog spaced(" my model ");
  EXPECT_TRUE(respan::detail::encode(spaced, "RequestLog"));
}

// ---------------------------------------------------------------- hostile answers

TEST(HostileAnswers, AnUpdateAnswerThatIsNotAnObjectIsADecodeError) {
  auto t = std::make_shared<respan::test::ScriptedTransport>();
  auto client = respan::RespanClient::create(base_options(t)).value();
  // Each update method, returning its error (nullopt on success).
  using Call = std::function<std::optional<respan::Error>()>;
  auto error_of = [](const auto& r) -> std::optional<respan::Error> {
    if (r) return std::nullopt;
    return r.error();
  };
  const std::vector<std::pair<std::string, Call>> calls = {
      {"request_logs().update",
       [&] { return error_of(client.request_logs().update("u", respan::RequestLogUpdate{})); }},
      {"datasets().update",
       [&] { return error_of(client.datasets().update("d", respan::DatasetUpdate{})); }},
      {"dataset_logs().update",
       [&] { return error_of(client.dataset_logs("d").update("u", respan::DatasetLogUpdate{})); }},
      {"dataset_logs().replace",
       [&] { return error_of(client.dataset_logs("d").replace("u", respan::DatasetLogUpdate{})); }},
      {"traces().set_public", [&] { return error_of(client.traces().set_public("t", true)); }},
  };
  for (const auto& [name, call] : calls) {
    for (const char* body : {"[]", "[{}]", "\"ok\"", "42", "true", "null"}) {
      t->script.push_back(resp(200, body));
      const std::optional<respan::Error> e = call();
      ASSERT_TRUE(e) << name << " accepted " << body;
      EXPECT_EQ(e->code, ErrorCode::decode) << name << " " << body;
      EXPECT_EQ(e->http_status, 200) << name << " " << body;
      EXPECT_NE(e->message.find("JSON object"), std::string::npos) << name << " " << e->message;
    }
    // An object, and an empty body (an acknowledgement without a record), are answers.
    for (const char* body : {"{}", ""}) {
      t->script.push_back(resp(200, body));
      const std::optional<respan::Error> e = call();
      EXPECT_FALSE(e) << name << " " << body << ": " << e->to_string();
    }
  }
  EXPECT_TRUE(t->script.empty());
}

TEST(HostileAnswers, DeeplyNestedJsonIsADecodeErrorNotACrash) {
  const std::string deep = std::string(200'000, '[') + std::string(200'000, ']');
  for (int status : {200, 400, 500}) {
    auto t = std::make_shared<respan::test::ScriptedTransport>();
    t->script.push_back(resp(status, deep));
    auto o = base_options(t);
    o.retry.max_retries = 0;
    Pipeline p(respan::detail::validate_options(o).value());
    auto r = p.execute_json(list_request());
    ASSERT_FALSE(r) << status;
    EXPECT_EQ(r.error().http_status, status);
    EXPECT_EQ(r.error().body_bytes, deep.size());
    EXPECT_LE(r.error().raw_body.size(), respan::Error::kMaxRawBodyBytes + 32);
    if (status == 200) {
      EXPECT_EQ(r.error().code, ErrorCode::decode);
    }
    EXPECT_LE(r.error().to_string().size(), 4200u);
  }
}

TEST(HostileAnswers, KeyEchoedAsAFieldNameOrEscapedIsScrubbedEverywhere) {
  auto t = std::make_shared<respan::test::ScriptedTransport>();
  // Django REST framework echoes input keys as field names; JSON escapes '"' and may escape '/'.
  const std::string escaped = Json(std::string(kKey)).dump();  // "sk-live/SECRET\"key-..."
  std::string slash_escaped = escaped;
  for (std::size_t pos = slash_escaped.find('/'); pos != std::string::npos;
       pos = slash_escaped.find('/', pos + 2))
    slash_escaped.insert(pos, "\\");
  t->script.push_back(
      resp(400, "{" + escaped + ": [\"unknown field " + slash_escaped.substr(1) + "]}"));
  std::vector<std::string> logs;
  auto o = base_options(t);
  o.log_level = respan::LogLevel::debug;
  o.log = [&](respan::LogLevel, std::string_view m) { logs.emplace_back(m); };
  Pipeline p(respan::detail::validate_options(o).value());
  auto r = p.execute(list_request());
  ASSERT_FALSE(r);
  const respan::Error& e = r.error();
  std::string everything = e.to_string() + e.raw_body + e.message + e.request;
  for (const auto& [field, msgs] : e.field_errors) {
    everything += field;
    for (const auto& m : msgs)
      everything += m;
  }
  everything += respan::ApiError(e).what();
  for (const auto& l : logs)
    everything += l;
  EXPECT_EQ(everything.find("SECRET"), std::string::npos) << everything;
  EXPECT_NE(everything.find("[redacted]"), std::string::npos);
}

TEST(HostileAnswers, KeyEchoedWithUnicodeOrMixedEscapesIsScrubbed) {
  const std::string key = kKey;  // sk-live/SECRET"key-1234567890
  // Each spelling of the key a JSON encoder or a URL may produce.
  std::string all_u;  // every byte as \u00XX
  std::string upper_u;
  for (char c : key) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
    all_u += buf;
    std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(c));
    upper_u += buf;
  }
  const std::vector<std::string> spellings = {
      all_u,
      upper_u,
      R"(sk-live\u002fSECRET\u0022key-1234567890)",  // only the specials, as \u
      R"(sk-live\/SECRET\"key\u002d1234567890)",     // mixed escapes
      R"(\u0073k-live\/SECRET\"key-1234567890)",     // the first byte escaped
      "sk-live%2fSECRET%22key-1234567890",           // URL-encoded, lower-case hex
      "sk%2Dlive%2FSECRET%22key-1234567890",         // more bytes URL-encoded
  };
  for (const std::string& spelled : spellings) {
    auto t = std::make_shared<respan::test::ScriptedTransport>();
    const std::string body = R"({"detail": "invalid key )" + spelled + R"(, check it"})";
    t->script.push_back(resp(401, body));
    std::vector<std::string> logs;
    auto o = base_options(t);
    o.log_level = respan::LogLevel::debug;
    o.log = [&](respan::LogLevel, std::string_view m) { logs.emplace_back(m); };
    Pipeline p(respan::detail::validate_options(o).value());
    auto r = p.execute(list_request());
    ASSERT_FALSE(r);
    const respan::Error& e = r.error();
    EXPECT_EQ(e.raw_body, R"({"detail": "invalid key [redacted], check it"})") << spelled;
    EXPECT_EQ(e.message, "invalid key [redacted], check it") << spelled;
    ASSERT_FALSE(logs.empty());
    for (const auto& l : logs) {
      EXPECT_EQ(l.find(spelled), std::string::npos) << l;
      EXPECT_EQ(l.find("SECRET"), std::string::npos) << l;
    }
  }
  // Text that only resembles the key is left alone.
  auto t = std::make_shared<respan::test::ScriptedTransport>();
  const std::string near = R"({"detail": "sk-live\/SECRET\"key-123456789 \\u0041 %zz"})";
  t->script.push_back(resp(400, near));
  Pipeline p(respan::detail::validate_options(base_options(t)).value());
  auto r = p.execute(list_request());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().raw_body, near);
}

TEST(HostileAnswers, HugeErrorBodiesAndMessagesAreCapped) {
  auto t = std::make_shared<respan::test::ScriptedTransport>();
  t->script.push_back(resp(400, R"({"detail":")" + std::string(5'000'000, 'x') + R"("})"));
  Pipeline p(respan::detail::validate_options(base_options(t)).value());
  auto r = p.execute(list_request());
  ASSERT_FALSE(r);
  EXPECT_LE(r.error().message.size(), respan::Error::kMaxMessageBytes + 32);
  EXPECT_LE(r.error().raw_body.size(), respan::Error::kMaxRawBodyBytes + 32);
  EXPECT_EQ(r.error().body_bytes, 5'000'000u + 13u);
  EXPECT_LE(std::string(respan::ApiError(r.error()).what()).size(), 4200u);
}

TEST(HostileAnswers, DecodeErrorsKeepStatusAttemptsAndSize) {
  auto t = std::make_shared<respan::test::ScriptedTransport>();
  t->script.push_back(resp(503));
  t->script.push_back(resp(200, R"([1, 2])"));
  auto o = base_options(t);
  Pipeline p(respan::detail::validate_options(o).value());
  auto r = p.call<respan::Page<respan::RequestLogRecord>>(list_request());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::decode);
  EXPECT_EQ(r.error().http_status, 200);
  EXPECT_EQ(r.error().attempts, 2);
  EXPECT_EQ(r.error().body_bytes, 6u);
  EXPECT_EQ(r.error().raw_body, "[1,2]");
}

TEST(HostileAnswers, BulkAnswerWithoutAValidCountConfirmsNothing) {
  for (const char* body : {"", "{}", R"({"success_count": null})", R"({"success_count": "3"})",
                           R"({"success_count": 1.5})", R"({"success_count": -1})", "[]"}) {
    auto t = std::make_shared<respan::test::ScriptedTransport>();
    t->script.push_back(resp(200, body));
    Pipeline p(respan::detail::validate_options(base_options(t)).value());
    auto r = respan::detail::call_bulk(
        p, {HttpMethod::post, "/api/request-logs/bulk/", {}, Json::object()}, 3, {});
    ASSERT_TRUE(r) << body;
    EXPECT_EQ(r->success_count, 0) << body;
    EXPECT_EQ(r->unconfirmed_count, 3) << body;
    EXPECT_FALSE(r->all_succeeded()) << body;
  }
  // Counts above the rows sent contradict the request: nothing is confirmed, and an error
  // naming a row outside the request names none.
  auto t = std::make_shared<respan::test::ScriptedTransport>();
  t->script.push_back(resp(
      200, R"({"success_count": 99, "error_count": 1, "errors": [{"index": 7, "error": "bad"}]})"));
  Pipeline p(respan::detail::validate_options(base_options(t)).value());
  auto r = respan::detail::call_bulk(
      p, {HttpMethod::post, "/api/request-logs/bulk/", {}, Json::object()}, 3, {});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->success_count, 0);
  EXPECT_EQ(r->error_count, 0);
  EXPECT_EQ(r->unconfirmed_count, 3);
  EXPECT_TRUE(r->errors.empty());
}

TEST(HostileAnswers, ListAllStopsWhenTheServerRepeatsAPageForever) {
  auto t = std::make_shared<respan::test::ScriptedTransport>();
  const std::string page =
      R"({"count": 0, "next": "http://127.0.0.1:9/next", "results": [{"unique_id": "a", "model": "m"}]})";
  for (int i = 0; i < 10; ++i)
    t->script.push_back(resp(200, page));
  auto client = respan::RespanClient::create(base_options(t)).value();
  int rows = 0, errors = 0;
  for (auto& item : client.request_logs().list_all()) {
    if (item) {
      ++rows;
    } else {
      ++errors;
      EXPECT_EQ(item.error().code, ErrorCode::decode);
    }
  }
  EXPECT_EQ(rows, 1);
  EXPECT_EQ(errors, 1);
  EXPECT_EQ(t->seen.size(), 2u);
}

TEST(HostileAnswers, AMalformedRowIsReportedInPlaceAndTheRangeGoesOn) {
  auto t = std::make_shared<respan::test::ScriptedTransport>();
  t->script.push_back(resp(200, R"({"count": 4, "next": "http://127.0.0.1:9/p2", "results": [
      {"unique_id": "a", "model": "m"}, "not a row", {"unique_id": "b", "model": "m"}]})"));
  t->script.push_back(
      resp(200, R"({"count": 4, "next": null, "results": [{"unique_id": "c", "model": "m"}]})"));
  auto client = respan::RespanClient::create(base_options(t)).value();
  std::vector<std::string> seen;
  for (auto& item : client.request_logs().list_all()) {
    if (item) {
      seen.push_back(item->unique_id);
    } else {
      EXPECT_EQ(item.error().code, ErrorCode::decode);
      EXPECT_NE(item.error().message.find("row 1"), std::string::npos) << item.error().message;
      seen.push_back("error");
    }
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "error", "b", "c"}));
}

// ---------------------------------------------------------------- retry hints, dates

TEST(RetryHints, FarFutureDatesAndEpochMillisecondsDoNotOverflow) {
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'767'225'600));
  HttpResponse r = resp(503, "", {{"retry-after", "Fri, 31 Dec 9999 23:59:59 GMT"}});
  auto d = respan::server_retry_delay(r, now);
  ASSERT_TRUE(d);
  EXPECT_GT(*d, std::chrono::hours(24 * 365 * 30));
  EXPECT_FALSE(respan::parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT"));  // not representable
  HttpResponse big = resp(429, "", {{"retry-after", "1e300"}});
  ASSERT_TRUE(respan::server_retry_delay(big, now));
  HttpResponse ms = resp(429, "", {{"x-ratelimit-reset", "1767225612000"}});
  EXPECT_EQ(respan::server_retry_delay(ms, now), std::chrono::milliseconds(12000));
  HttpResponse huge_day = resp(503, "", {{"retry-after", "Sun, 06 Nov 99999999999 08:49:37 GMT"}});
  EXPECT_FALSE(respan::server_retry_delay(huge_day, now));
}

TEST(RetryHints, ParsingIgnoresTheProcessLocale) {
  const char* old = std::setlocale(LC_NUMERIC, nullptr);
  const std::string saved = old ? old : "C";
  // de_DE uses ',' as the decimal separator; skip quietly where it is not installed.
  const bool switched = std::setlocale(LC_NUMERIC, "de_DE.UTF-8") != nullptr;
  HttpResponse r = resp(429, "", {{"retry-after", "1.5"}});
  EXPECT_EQ(respan::server_retry_delay(r, std::chrono::system_clock::now()), 1500ms);
  std::setlocale(LC_NUMERIC, saved.c_str());
  if (!switched) GTEST_SKIP() << "de_DE.UTF-8 locale not installed";
}

// ---------------------------------------------------------------- hooks, results, client

TEST(Hooks, ThrowingHooksNeverEscapeTheResultApi) {
  class Throwing : public respan::Transport {
   public:
    respan::Result<HttpResponse> send(const HttpRequest&) override {
      throw std::runtime_error("boom");
    }
  };
  auto o = base_options(std::make_shared<Throwing>());
  o.sleeper = [](std::chrono::milliseconds) { throw std::runtime_error("sleep"); };
  o.clock = []() -> std::chrono::system_clock::time_point { throw std::runtime_error("clock"); };
  o.steady_clock = []() -> std::chrono::steady_clock::time_point {
    throw std::runtime_error("steady");
  };
  o.random = []() -> double { throw std::runtime_error("random"); };
  o.log = [](respan::LogLevel, std::string_view) { throw std::runtime_error("log"); };
  o.retry.min_backoff = 1ms;
  o.retry.initial_backoff = 1ms;
  o.retry.max_backoff = 1ms;
  auto client = respan::RespanClient::create(o).value();
  respan::Result<respan::RequestLogRecord> r = respan::Error{};
  EXPECT_NO_THROW(r = client.request_logs().retrieve("abc"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::network);
  EXPECT_EQ(r.error().attempts, 3);
}

TEST(ResultAccess, DereferencingAnErrorThrowsApiError) {
  respan::Result<int> r = respan::Error::make(ErrorCode::not_found, "nope");
  EXPECT_THROW((void)*r, respan::ApiError);
  respan::Result<std::string> s = respan::Error::make(ErrorCode::not_found, "nope");
  EXPECT_THROW((void)s->size(), respan::ApiError);
  respan::Result<int> ok = 3;
  EXPECT_EQ(*ok, 3);
}

TEST(Client, MovedFromClientIsSafeToUseAndDestroy) {
  auto t = std::make_shared<respan::test::ScriptedTransport>();
  auto a = respan::RespanClient::create(base_options(t)).value();
  auto b = std::move(a);
  EXPECT_EQ(a.options().base_url, "http://127.0.0.1:9");  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(b.options().base_url, "http://127.0.0.1:9");
  respan::RespanClient c = respan::RespanClient::create(base_options(t)).value();
  c = std::move(b);
  EXPECT_EQ(b.options().api_key, kKey);  // NOLINT(bugprone-use-after-move)
}

}  // namespace

TEST(Durations, MaxMeansNoLimitAndNegativeIsRefused) {
  auto t = std::make_shared<respan::test::ScriptedTransport>();
  auto o = base_options(t);
  o.connect_timeout = std::chrono::milliseconds::max();
  o.request_timeout = std::chrono::milliseconds::max();
  o.call_deadline = std::chrono::milliseconds::max();
  o.retry.max_backoff = std::chrono::milliseconds::max();
  o.retry.max_retry_after = std::chrono::milliseconds::max();
  auto v = respan::detail::validate_options(o);
  ASSERT_TRUE(v) << v.error();
  EXPECT_EQ(v->call_deadline.count(), 0);  // none
  EXPECT_EQ(v->request_timeout, std::chrono::hours(24));
  EXPECT_EQ(v->connect_timeout, std::chrono::hours(1));
  // A call with RequestOptions at max() is sent (no overflow, no refusal).
  t->script.push_back(resp(200, R"({"id": "x"})"));
  Pipeline p(*v);
  respan::RequestOptions ro;
  ro.request_timeout = std::chrono::milliseconds::max();
  ro.call_deadline = std::chrono::milliseconds::max();
  auto r = p.execute({HttpMethod::get, "/api/request-logs/x/", {}, std::nullopt}, ro);
  EXPECT_TRUE(r) << r.error();
  o.request_timeout = std::chrono::milliseconds(-1);
  auto bad = respan::detail::validate_options(o);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::invalid_argument);
}
