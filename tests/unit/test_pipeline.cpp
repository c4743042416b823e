// The request pipeline against a scripted in-process transport: retry decisions, the
// backoff schedule, deadlines, error decoding and key scrubbing, without sockets or sleeps.
#include <chrono>
#include <deque>
#include <mutex>

#include <gtest/gtest.h>

#include <respan/transport.hpp>

#include "http/pipeline.hpp"
#include "scripted_transport.hpp"

using namespace std::chrono_literals;
using respan::ErrorCode;
using respan::HttpMethod;
using respan::HttpRequest;
using respan::HttpResponse;
using respan::detail::ApiRequest;
using respan::detail::Pipeline;

namespace {

using respan::test::resp;

constexpr const char* kKey = "sk-test-SECRET-1234567890";

struct Harness {
  std::shared_ptr<respan::test::ScriptedTransport> transport =
      std::make_shared<respan::test::ScriptedTransport>();
  std::vector<std::chrono::milliseconds> sleeps;
  std::chrono::system_clock::time_point now{std::chrono::seconds(1'700'000'000)};
  std::chrono::steady_clock::time_point steady{std::chrono::hours(1000)};
  std::vector<std::string> logs;

  respan::ClientOptions options() {
    respan::ClientOptions o;
    o.api_key = kKey;
    o.base_url = "http://127.0.0.1:9/api/";
    o.transport = transport;
    o.random = [] { return 0.5; };  // jitter factor exactly 1
    o.sleeper = [this](std::chrono::milliseconds d) {
      sleeps.push_back(d);
      now += d;
      steady += d;
    };
    o.clock = [this] { return now; };
    o.steady_clock = [this] { return steady; };
    o.log_level = respan::LogLevel::debug;
    o.log = [this](respan::LogLevel, std::string_view m) { logs.emplace_back(m); };
    return o;
  }
  Pipeline make(respan::ClientOptions o) {
    return Pipeline(respan::detail::validate_options(std::move(o)).value());
  }
};

// A create: not idempotent.
ApiRequest post(std::string path = "/api/datasets/") {
  return ApiRequest{HttpMethod::post, std::move(path), {}, respan::Json{{"name", "m"}}};
}

// A list POST: idempotent.
ApiRequest list_post() {
  return ApiRequest{HttpMethod::post,
                    "/api/request-logs/list/",
                    {},
                    respan::Json::object(),
                    respan::detail::Idempotency::idempotent};
}

respan::Error not_sent(std::string message) {
  auto e = respan::Error::make(ErrorCode::network, std::move(message));
  e.certainly_not_sent = true;
  return e;
}

TEST(Pipeline, SucceedsAfterRetryingServerErrorsWithExponentialBackoff) {
  Harness h;
  h.transport->script.push_back(resp(503, R"({"detail":"busy"})"));
  h.transport->script.push_back(resp(502, "<html>bad gateway</html>"));
  h.transport->script.push_back(resp(200, R"({"unique_id":"u1"})"));
  auto p = h.make(h.options());
  auto r = p.execute_json(list_post());
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ((*r)["unique_id"], "u1");
  EXPECT_EQ(h.transport->seen.size(), 3u);
  EXPECT_EQ(h.sleeps, (std::vector<std::chrono::milliseconds>{500ms, 1000ms}));
}

TEST(Pipeline, GivesUpAfterMaxRetriesWithLastError) {
  Harness h;
  for (int i = 0; i < 5; ++i)
    h.transport->script.push_back(resp(500, R"({"detail":"boom"})"));
  auto p = h.make(h.options());
  auto r = p.execute(list_post());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::server);
  EXPECT_EQ(r.error().http_status, 500);
  EXPECT_EQ(r.error().attempts, 3);
  EXPECT_EQ(r.error().message, "boom");
  EXPECT_EQ(r.error().request, "POST /api/request-logs/list/");
  EXPECT_TRUE(r.error().is_retryable());
  EXPECT_EQ(h.transport->seen.size(), 3u);
}

// Retries follow from the operation's idempotency class, never from the method alone.
void expect_retried(const ApiRequest& request, int status, bool retried) {
  Harness h;
  h.transport->script.push_back(resp(status));
  h.transport->script.push_back(resp(200));
  auto p = h.make(h.options());
  auto r = p.execute(request);
  EXPECT_EQ(h.transport->seen.size(), retried ? 2u : 1u) << status;
  EXPECT_EQ(static_cast<bool>(r), retried) << status;
  if (!r) {
    EXPECT_EQ(r.error().attempts, 1) << status;
    EXPECT_FALSE(r.error().is_retryable()) << status;
  }
}

TEST(Pipeline, IdempotentOperationsRetryTransientStatuses) {
  for (int status : {408, 429, 500, 502, 503, 504})
    expect_retried(list_post(), status, true);
  for (int status : {400, 401, 403, 404, 405, 409, 413, 422})
    expect_retried(list_post(), status, false);
}

TEST(Pipeline, NonIdempotentOperationsRetryOnlyWhenCertainlyNotProcessed) {
  for (int status : {429, 503})
    expect_retried(post(), status, true);
  for (int status : {408, 409, 500, 502, 504})
    expect_retried(post(), status, false);
}

TEST(Pipeline, ConflictIsNeverRetried) {
  expect_retried(list_post(), 409, false);
  expect_retried(post(), 409, false);
}

TEST(Pipeline, NetworkErrorsRetriedOnlyWhenSafe) {
  {  // idempotent: any network error
    Harness h;
    h.transport->script.push_back(respan::Error::make(ErrorCode::network, "connection reset"));
    h.transport->script.push_back(resp(200));
    auto p = h.make(h.options());
    EXPECT_TRUE(p.execute(list_post()));
    EXPECT_EQ(h.transport->seen.size(), 2u);
  }
  {  // a create whose request may have arrived is not repeated
    Harness h;
    h.transport->script.push_back(respan::Error::make(ErrorCode::network, "connection reset"));
    h.transport->script.push_back(resp(200));
    auto p = h.make(h.options());
    auto r = p.execute(post());
    ASSERT_FALSE(r);
    EXPECT_FALSE(r.error().is_retryable());
    EXPECT_EQ(h.transport->seen.size(), 1u);
  }
  {  // ... nor after a timeout
    Harness h;
    h.transport->script.push_back(respan::Error::make(ErrorCode::timeout, "timed out"));
    h.transport->script.push_back(resp(200));
    auto p = h.make(h.options());
    EXPECT_FALSE(p.execute(post()));
    EXPECT_EQ(h.transport->seen.size(), 1u);
  }
  {  // but it is when nothing was sent
    Harness h;
    h.transport->script.push_back(not_sent("connection refused"));
    h.transport->script.push_back(resp(200));
    auto p = h.make(h.options());
    EXPECT_TRUE(p.execute(post()));
    EXPECT_EQ(h.transport->seen.size(), 2u);
  }
}

TEST(Pipeline, SpanCreatesAreAtLeastOnceByDefaultWithAnAtMostOnceOption) {
  ApiRequest span{HttpMethod::post,
                  "/api/request-logs/",
                  {},
                  respan::Json{{"model", "m"}},
                  respan::detail::Idempotency::span_create};
  {
    Harness h;
    h.transport->script.push_back(respan::Error::make(ErrorCode::network, "reset"));
    h.transport->script.push_back(resp(500));
    h.transport->script.push_back(resp(200));
    auto p = h.make(h.options());
    EXPECT_TRUE(p.execute(span));
    EXPECT_EQ(h.transport->seen.size(), 3u);
  }
  {
    Harness h;
    h.transport->script.push_back(respan::Error::make(ErrorCode::network, "reset"));
    h.transport->script.push_back(resp(200));
    auto o = h.options();
    o.span_delivery = respan::SpanDelivery::at_most_once;
    auto p = h.make(o);
    EXPECT_FALSE(p.execute(span));
    EXPECT_EQ(h.transport->seen.size(), 1u);
  }
}

TEST(Pipeline, RetriedDeleteThatFindsNothingAfterALostAnswerSucceeds) {
  Harness h;
  h.transport->script.push_back(respan::Error::make(ErrorCode::network, "reset after send"));
  h.transport->script.push_back(resp(404, R"({"error":"Not found"})"));
  auto p = h.make(h.options());
  ApiRequest del{HttpMethod::del,
                 "/api/datasets/d1/",
                 {},
                 std::nullopt,
                 respan::detail::Idempotency::idempotent};
  EXPECT_TRUE(p.execute(del));
  // A first-attempt 404 is still an error.
  Harness h2;
  h2.transport->script.push_back(resp(404, R"({"error":"Not found"})"));
  auto p2 = h2.make(h2.options());
  auto r = p2.execute(del);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
}

TEST(Pipeline, HonoursRetryAfterWithAFloor) {
  Harness h;
  h.transport->script.push_back(
      resp(429, R"({"detail":"Rate limit exceeded"})", {{"retry-after", "7"}}));
  h.transport->script.push_back(resp(429, R"({"detail":"Rate limit exceeded","retry_after":0})"));
  h.transport->script.push_back(resp(200));
  auto p = h.make(h.options());
  ASSERT_TRUE(p.execute(post()));
  // Retry-After: 0 does not mean a zero-delay storm: the floor (min_backoff) applies.
  EXPECT_EQ(h.sleeps, (std::vector<std::chrono::milliseconds>{7000ms, 100ms}));
}

TEST(Pipeline, RetryAfterBeyondTheCapFailsFastWithTheHint) {
  Harness h;
  h.transport->script.push_back(resp(429, R"({"detail":"Rate limit exceeded","retry_after":600})"));
  h.transport->script.push_back(resp(200));
  auto o = h.options();
  o.retry.max_retry_after = 20s;
  auto p = h.make(o);
  auto r = p.execute(post());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::rate_limited);
  EXPECT_EQ(r.error().retry_after, std::chrono::milliseconds(600'000));
  EXPECT_TRUE(r.error().is_retryable());
  EXPECT_TRUE(h.sleeps.empty());
  EXPECT_EQ(h.transport->seen.size(), 1u);
}

TEST(Pipeline, RateLimitResetInformsOnly429) {
  Harness h;
  // A 503 with an X-RateLimit-Reset an hour away still uses the normal backoff.
  h.transport->script.push_back(resp(503, "{}", {{"x-ratelimit-reset", "3600"}}));
  h.transport->script.push_back(resp(200));
  auto p = h.make(h.options());
  ASSERT_TRUE(p.execute(list_post()));
  EXPECT_EQ(h.sleeps, (std::vector<std::chrono::milliseconds>{500ms}));
}

TEST(Pipeline, DeadlineUsesTheSteadyClockNotTheWallClock) {
  Harness h;
  h.transport->script.push_back(resp(200));
  auto o = h.options();
  o.call_deadline = 2s;
  o.clock = [] { return std::chrono::system_clock::time_point{}; };  // wall clock jumps to 1970
  auto p = h.make(o);
  ASSERT_TRUE(p.execute(list_post()));
  EXPECT_EQ(h.transport->seen[0].timeout, 2000ms);
}

TEST(Pipeline, StopsRetryingWhenTheDeadlineWouldPass) {
  Harness h;
  for (int i = 0; i < 5; ++i)
    h.transport->script.push_back(resp(503));
  auto o = h.options();
  o.call_deadline = 1200ms;  // 500 ms fits, the next 1000 ms does not
  o.retry.max_retries = 4;
  auto p = h.make(o);
  auto r = p.execute(list_post());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::server);
  EXPECT_EQ(r.error().attempts, 2);
  EXPECT_EQ(h.sleeps, (std::vector<std::chrono::milliseconds>{500ms}));
}

TEST(Pipeline, AttemptTimeoutNeverExceedsRemainingDeadline) {
  Harness h;
  h.transport->script.push_back(resp(200));
  auto o = h.options();
  o.request_timeout = 60s;
  o.call_deadline = 2s;
  auto p = h.make(o);
  ASSERT_TRUE(p.execute(post()));
  EXPECT_EQ(h.transport->seen[0].timeout, 2000ms);
}

TEST(Pipeline, PerCallOverrides) {
  Harness h;
  h.transport->script.push_back(resp(503));
  auto p = h.make(h.options());
  respan::RequestOptions call;
  call.max_retries = 0;
  call.request_timeout = 1234ms;
  call.headers["X-Trace"] = "abc";
  auto r = p.execute(post(), call);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().attempts, 1);
  EXPECT_EQ(h.transport->seen[0].timeout, 1234ms);
  bool found = false;
  for (auto& [k, v] : h.transport->seen[0].headers)
    found = found || (k == "X-Trace" && v == "abc");
  EXPECT_TRUE(found);
}

TEST(Pipeline, CancelledCallSendsNothing) {
  Harness h;
  auto p = h.make(h.options());
  auto token = std::make_shared<respan::CancellationToken>();
  token->cancel();
  respan::RequestOptions call;
  call.cancel = token;
  auto r = p.execute(post(), call);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::cancelled);
  EXPECT_TRUE(h.transport->seen.empty());
}

TEST(Pipeline, SendsAuthUserAgentAndJson) {
  Harness h;
  h.transport->script.push_back(resp(200));
  auto o = h.options();
  o.user_agent_suffix = "my-app/2";
  auto p = h.make(o);
  ApiRequest r = post();
  r.query = {{"page", "2"}, {"sort_by", "-timestamp"}, {"start_time", "2025-01-01T00:00:00+01:00"}};
  ASSERT_TRUE(p.execute(r));
  const HttpRequest& sent = h.transport->seen.at(0);
  EXPECT_EQ(sent.url,
            "http://127.0.0.1:9/api/datasets/?page=2&sort_by=-timestamp&start_time=2025-01-01T00%"
            "3A00%3A00%2B01%3A00");
  auto header = [&](const std::string& name) {
    for (auto& [k, v] : sent.headers)
      if (k == name) return v;
    return std::string();
  };
  EXPECT_EQ(header("Authorization"), std::string("Bearer ") + kKey);
  EXPECT_EQ(header("Content-Type"), "application/json");
  EXPECT_EQ(header("User-Agent").rfind("respan-cpp/", 0), 0u);
  EXPECT_NE(header("User-Agent").find("my-app/2"), std::string::npos);
  EXPECT_EQ(sent.body.value(), R"({"name":"m"})");
}

TEST(Pipeline, GetWithoutBodySendsNoContentType) {
  Harness h;
  h.transport->script.push_back(resp(200));
  auto p = h.make(h.options());
  ASSERT_TRUE(p.execute(ApiRequest{HttpMethod::get, "/api/request-logs/x/", {}, std::nullopt}));
  EXPECT_FALSE(h.transport->seen[0].body.has_value());
  for (auto& [k, v] : h.transport->seen[0].headers)
    EXPECT_NE(k, "Content-Type");
}

TEST(Pipeline, DeleteCarriesItsJsonBody) {
  Harness h;
  h.transport->script.push_back(resp(200));
  auto p = h.make(h.options());
  ASSERT_TRUE(p.execute(ApiRequest{HttpMethod::del,
                                   "/api/datasets/d/logs/import/",
                                   {},
                                   respan::Json{{"is_deleting_all_logs", true}}}));
  EXPECT_EQ(h.transport->seen[0].method, HttpMethod::del);
  EXPECT_EQ(h.transport->seen[0].body.value(), R"({"is_deleting_all_logs":true})");
}

TEST(Pipeline, InvalidUtf8IsReplacedNotThrown) {
  Harness h;
  h.transport->script.push_back(resp(200));
  auto p = h.make(h.options());
  ApiRequest r{
      HttpMethod::post, "/api/request-logs/", {}, respan::Json{{"model", std::string("bad\xff")}}};
  ASSERT_TRUE(p.execute(r));
  EXPECT_EQ(h.transport->seen[0].body.value(), "{\"model\":\"bad\xEF\xBF\xBD\"}");
}

TEST(ErrorDecoding, MessageFromDetailErrorOrMessage) {
  const auto now = std::chrono::system_clock::now();
  EXPECT_EQ(
      respan::detail::error_from_response(resp(400, R"({"detail":"d","error":"e"})"), now).message,
      "d");
  EXPECT_EQ(
      respan::detail::error_from_response(resp(404, R"({"error":"e","message":"m"})"), now).message,
      "e");
  EXPECT_EQ(respan::detail::error_from_response(resp(400, R"({"message":"m"})"), now).message, "m");
  auto nested = respan::detail::error_from_response(resp(403, R"({"detail":{"code":"x"}})"), now);
  EXPECT_EQ(nested.message, R"({"code":"x"})");
  EXPECT_EQ(nested.code, ErrorCode::forbidden);
}

TEST(ErrorDecoding, ValidationFieldErrors) {
  auto e = respan::detail::error_from_response(
      resp(
          422,
          R"({"detail":"Validation error","errors":{"model":["This field is required."],"x":"bad"}})"),
      std::chrono::system_clock::now());
  EXPECT_EQ(e.code, ErrorCode::validation);
  EXPECT_EQ(e.message, "Validation error");
  ASSERT_EQ(e.field_errors.size(), 2u);
  EXPECT_EQ(e.field_errors["model"], std::vector<std::string>{"This field is required."});
  EXPECT_EQ(e.field_errors["x"], std::vector<std::string>{"bad"});
}

TEST(ErrorDecoding, DjangoStyleFieldErrorsWithoutDetail) {
  auto e = respan::detail::error_from_response(resp(400, R"({"name":["This field is required."]})"),
                                               std::chrono::system_clock::now());
  EXPECT_EQ(e.code, ErrorCode::bad_request);
  EXPECT_EQ(e.field_errors["name"], std::vector<std::string>{"This field is required."});
  EXPECT_EQ(e.message, "Bad Request");
}

TEST(ErrorDecoding, NonJsonBodyAndRedirects) {
  const auto now = std::chrono::system_clock::now();
  auto e = respan::detail::error_from_response(resp(502, "<html>\nBad gateway</html>"), now);
  EXPECT_EQ(e.code, ErrorCode::server);
  EXPECT_EQ(e.message, "<html> Bad gateway</html>");
  EXPECT_EQ(e.raw_body, "<html>\nBad gateway</html>");
  auto r =
      respan::detail::error_from_response(resp(301, "", {{"location", "https://elsewhere/"}}), now);
  EXPECT_EQ(r.code, ErrorCode::http);
  EXPECT_NE(r.message.find("not followed"), std::string::npos);
}

TEST(Pipeline, MalformedJsonOnSuccessIsADecodeError) {
  Harness h;
  h.transport->script.push_back(resp(200, R"({"unique_id": "abc)"));
  auto p = h.make(h.options());
  auto r = p.execute_json(post());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::decode);
  EXPECT_EQ(r.error().raw_body, R"({"unique_id": "abc)");
  EXPECT_EQ(h.transport->seen.size(), 1u);  // the server may have acted: never retried
}

TEST(Pipeline, ApiKeyNeverInErrorsOrLogs) {
  Harness h;
  const std::string echo = std::string(R"({"detail":"bad key )") + kKey + R"("})";
  h.transport->script.push_back(resp(500, echo));
  h.transport->script.push_back(resp(500, echo));
  h.transport->script.push_back(resp(401, echo));
  auto p = h.make(h.options());
  auto r = p.execute(list_post());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::unauthorized);
  const std::string all = r.error().to_string() + r.error().raw_body + r.error().message;
  EXPECT_EQ(all.find(kKey), std::string::npos);
  EXPECT_NE(all.find("[redacted]"), std::string::npos);
  ASSERT_FALSE(h.logs.empty());
  for (const auto& line : h.logs)
    EXPECT_EQ(line.find(kKey), std::string::npos) << line;
}

TEST(Options, BaseUrlNormalisation) {
  for (const char* in :
       {"https://api.respan.ai", "https://api.respan.ai/", "https://api.respan.ai/api",
        "https://api.respan.ai/api/", " https://api.respan.ai/api// ", "HTTPS://api.respan.ai"}) {
    respan::ClientOptions o;
    o.api_key = "k";
    o.base_url = in;
    auto v = respan::detail::validate_options(o);
    ASSERT_TRUE(v) << in;
    EXPECT_EQ(v->base_url, "https://api.respan.ai") << in;
  }
}

TEST(Options, RejectsUnusableOptions) {
  respan::ClientOptions o;
  auto missing = respan::detail::validate_options(o);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(missing.error().message.find("RESPAN_API_KEY"), std::string::npos);
  o.api_key = "k";
  o.base_url = "ftp://x";
  EXPECT_FALSE(respan::detail::validate_options(o));
  o.base_url = "https://x";
  o.request_timeout = 0ms;
  EXPECT_FALSE(respan::detail::validate_options(o));
}

TEST(PercentEncode, PathSegmentsAreEscaped) {
  EXPECT_EQ(respan::detail::percent_encode("abc-_.~09"), "abc-_.~09");
  EXPECT_EQ(respan::detail::percent_encode("a/b c?d#e%"), "a%2Fb%20c%3Fd%23e%25");
  EXPECT_EQ(respan::detail::percent_encode("_saved_logs"), "_saved_logs");
}

}  // namespace
