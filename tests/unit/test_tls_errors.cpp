// ErrorCode::tls: its name, and that the pipeline never retries it, whatever the operation and
// even when nothing was sent (a certificate that failed once fails again).
#include <memory>

#include <gtest/gtest.h>

#include <respan/respan.hpp>

#include "scripted_transport.hpp"

namespace {

using respan::ErrorCode;

respan::Error tls_failure() {
  auto e = respan::Error::make(ErrorCode::tls, "TLS certificate verification failed: expired");
  e.certainly_not_sent = true;
  return e;
}

TEST(TlsErrors, HaveTheirOwnCodeName) {
  EXPECT_EQ(respan::to_string(ErrorCode::tls), "tls");
}

TEST(TlsErrors, AreNeverRetried) {
  auto transport = std::make_shared<respan::test::ScriptedTransport>();
  for (int i = 0; i < 6; ++i)
    transport->script.push_back(tls_failure());
  respan::ClientOptions o;
  o.api_key = "k";
  o.transport = transport;
  o.sleeper = [](std::chrono::milliseconds) {};
  auto client = respan::RespanClient::create(o).value();

  respan::RequestLog span;
  span.model = "gpt-4o";
  auto created = client.request_logs().create(span);  // span create: at least once
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, ErrorCode::tls);
  EXPECT_EQ(created.error().attempts, 1);
  EXPECT_FALSE(created.error().is_retryable());

  auto listed = client.request_logs().list();  // idempotent
  ASSERT_FALSE(listed);
  EXPECT_EQ(listed.error().code, ErrorCode::tls);
  EXPECT_EQ(listed.error().attempts, 1);
  EXPECT_EQ(transport->seen.size(), 2u);
}

}  // namespace
