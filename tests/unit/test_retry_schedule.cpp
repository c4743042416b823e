#include <chrono>

#include <gtest/gtest.h>

#include <respan/retry.hpp>

using namespace std::chrono_literals;
using respan::HttpResponse;
using respan::RetryPolicy;

namespace {

TEST(Backoff, ExponentialWithoutJitterAtMidpoint) {
  RetryPolicy p;  // 500 ms, x2, cap 30 s, jitter 0.2
  EXPECT_EQ(respan::backoff_delay(p, 0, 0.5), 500ms);
  EXPECT_EQ(respan::backoff_delay(p, 1, 0.5), 1000ms);
  EXPECT_EQ(respan::backoff_delay(p, 2, 0.5), 2000ms);
  EXPECT_EQ(respan::backoff_delay(p, 3, 0.5), 4000ms);
}

TEST(Backoff, JitterBounds) {
  RetryPolicy p;
  EXPECT_EQ(respan::backoff_delay(p, 1, 0.0), 800ms);   // 1000 * 0.8
  EXPECT_EQ(respan::backoff_delay(p, 1, 1.0), 1200ms);  // 1000 * 1.2
  p.jitter = 0.0;
  EXPECT_EQ(respan::backoff_delay(p, 1, 0.0), 1000ms);
  EXPECT_EQ(respan::backoff_delay(p, 1, 1.0), 1000ms);
}

TEST(Backoff, CappedAndOverflowSafe) {
  RetryPolicy p;
  p.max_backoff = 3s;
  EXPECT_EQ(respan::backoff_delay(p, 5, 0.5), 3000ms);
  EXPECT_EQ(respan::backoff_delay(p, 5, 1.0), 3000ms);  // jitter never exceeds the cap
  EXPECT_EQ(respan::backoff_delay(p, 1'000'000, 0.5), 3000ms);
}

HttpResponse with_header(const std::string& name, const std::string& value) {
  HttpResponse r;
  r.status = 429;
  r.headers.emplace_back(name, value);
  return r;
}

const auto kNow = std::chrono::system_clock::time_point(
    std::chrono::seconds(784111777));  // 1994-11-06 08:49:37 UTC

TEST(ServerRetryDelay, RetryAfterSeconds) {
  EXPECT_EQ(respan::server_retry_delay(with_header("retry-after", "2"), kNow), 2000ms);
  EXPECT_EQ(respan::server_retry_delay(with_header("retry-after", " 1.5 "), kNow), 1500ms);
}

TEST(ServerRetryDelay, RetryAfterHttpDate) {
  EXPECT_EQ(
      respan::server_retry_delay(with_header("retry-after", "Sun, 06 Nov 1994 08:49:47 GMT"), kNow),
      10000ms);
  // A date in the past means "now".
  EXPECT_EQ(
      respan::server_retry_delay(with_header("retry-after", "Sun, 06 Nov 1994 08:00:00 GMT"), kNow),
      0ms);
}

TEST(ServerRetryDelay, RetryAfterMsWinsOverRetryAfter) {
  HttpResponse r = with_header("retry-after", "9");
  r.headers.emplace_back("retry-after-ms", "250");
  EXPECT_EQ(respan::server_retry_delay(r, kNow), 250ms);
}

TEST(ServerRetryDelay, BodyRetryAfter) {
  HttpResponse r;
  r.status = 429;
  r.body = R"({"detail": "Rate limit exceeded", "retry_after": 3})";
  EXPECT_EQ(respan::server_retry_delay(r, kNow), 3000ms);
  r.body = R"({"retry_after": "0.5"})";
  EXPECT_EQ(respan::server_retry_delay(r, kNow), 500ms);
}

TEST(ServerRetryDelay, GarbageAndNegativeIgnored) {
  EXPECT_FALSE(respan::server_retry_delay(with_header("retry-after", "soon"), kNow));
  EXPECT_FALSE(respan::server_retry_delay(with_header("retry-after", "-5"), kNow));
  EXPECT_FALSE(respan::server_retry_delay(with_header("retry-after-ms", "abc"), kNow));
  HttpResponse r;
  r.body = "<html>busy</html>";
  EXPECT_FALSE(respan::server_retry_delay(r, kNow));
}

TEST(ServerRetryDelay, RateLimitResetEpochOrDelta) {
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1767225600));
  // Epoch seconds, 12 s after now.
  EXPECT_EQ(respan::server_retry_delay(with_header("x-ratelimit-reset", "1767225612"), now),
            std::chrono::milliseconds(12000));
  // A reset time already past means "now".
  EXPECT_EQ(respan::server_retry_delay(with_header("x-ratelimit-reset", "1767225000"), now),
            std::chrono::milliseconds(0));
  // Small values are seconds from now.
  EXPECT_EQ(respan::server_retry_delay(with_header("x-ratelimit-reset", "3"), now),
            std::chrono::milliseconds(3000));
  // Retry-After wins over X-RateLimit-Reset.
  HttpResponse both = with_header("x-ratelimit-reset", "1767225612");
  both.headers.emplace_back("retry-after", "2");
  EXPECT_EQ(respan::server_retry_delay(both, now), std::chrono::milliseconds(2000));
  EXPECT_FALSE(respan::server_retry_delay(with_header("x-ratelimit-reset", "later"), now));
}

TEST(HttpDate, AllThreeFormats) {
  const auto expected = kNow;
  EXPECT_EQ(respan::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), expected);
  EXPECT_EQ(respan::parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), expected);
  EXPECT_EQ(respan::parse_http_date("Sun Nov  6 08:49:37 1994"), expected);
  EXPECT_FALSE(respan::parse_http_date("yesterday"));
  EXPECT_FALSE(respan::parse_http_date("Sun, 36 Nov 1994 08:49:37 GMT"));
}

}  // namespace
