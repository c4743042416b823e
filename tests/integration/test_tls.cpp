// HTTPS end to end: the real client and libcurl transport against the mock server serving TLS
// with certificates made at test time (a throwaway CA; see tests/support/test_certs.hpp).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

#include "../support/connect_proxy.hpp"
#include "../support/test_certs.hpp"

using namespace std::chrono_literals;
using respan::ErrorCode;
using respan::testing::Fault;
using respan::testing::MockServer;
using respan::testing::MockServerOptions;

namespace {

// Sets (or unsets, with nullopt) an environment variable for the life of the object.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// No proxy from the environment the tests run in (set per test where wanted).
struct NoProxyEnv {
  ScopedEnv a{"https_proxy", std::nullopt}, b{"HTTPS_PROXY", std::nullopt},
      c{"http_proxy", std::nullopt}, d{"all_proxy", std::nullopt}, e{"ALL_PROXY", std::nullopt},
      f{"no_proxy", std::nullopt}, g{"NO_PROXY", std::nullopt};
};

class Tls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certs_ = new respan::test::TestCertificates(respan::test::TestCertificates::make());
  }
  static void TearDownTestSuite() {
    delete certs_;
    certs_ = nullptr;
  }

  static MockServerOptions server_options(const std::string& cert, const std::string& key) {
    MockServerOptions o;
    o.tls_cert_file = cert;
    o.tls_key_file = key;
    return o;
  }
  static MockServerOptions good_server() {
    return server_options(certs_->server_cert, certs_->server_key);
  }

  // A client of `server` that trusts the test CA, with millisecond backoff.
  static respan::ClientOptions options(const MockServer& server) {
    respan::ClientOptions o;
    o.api_key = server.api_key();
    o.base_url = server.base_url();
    o.ca_bundle = certs_->ca_cert;
    o.retry.min_backoff = 1ms;
    o.retry.initial_backoff = 1ms;
    o.retry.max_backoff = 5ms;
    return o;
  }

  static respan::RequestLog span(const std::string& customer = "customer-42") {
    respan::RequestLog s;
    s.model = "gpt-4o";
    s.prompt_messages = std::vector<respan::Message>{respan::Message::user("Where is my order?")};
    s.completion_message = respan::Message::assistant("It ships today.");
    s.customer_identifier = customer;
    return s;
  }

  // The failure of one list call (idempotent: retried on network errors, so a retry of a TLS
  // failure would show) of a client of `server` with `o`.
  static respan::Error failure(MockServer& server, respan::ClientOptions o) {
    auto client = respan::RespanClient::create(std::move(o)).value();
    auto r = client.request_logs().list();
    EXPECT_FALSE(r) << "the call succeeded";
    EXPECT_EQ(server.requests().size(), 0u) << "no request may reach the server";
    return r ? respan::Error{} : r.error();
  }

  static void expect_final_tls_failure(const respan::Error& e, MockServer& server) {
    EXPECT_EQ(e.code, ErrorCode::tls) << e;
    EXPECT_EQ(e.attempts, 1) << "certificate errors are final: " << e;
    EXPECT_FALSE(e.retryable) << e;
    EXPECT_EQ(e.http_status, 0);
    EXPECT_NE(e.message.find("TLS certificate verification failed"), std::string::npos) << e;
    EXPECT_EQ(server.connections_accepted(), 1u) << "one connection, no retry";
  }

  NoProxyEnv no_proxy_env_;
  static respan::test::TestCertificates* certs_;
};

respan::test::TestCertificates* Tls::certs_ = nullptr;

TEST_F(Tls, CaBundleTrustsTheTestCaAndTheWholeApiWorksOverHttps) {
  MockServer server(good_server());
  server.start();
  ASSERT_EQ(server.base_url().rfind("https://127.0.0.1:", 0), 0u) << server.base_url();
  auto client = respan::RespanClient::create(options(server)).value();

  auto created = client.request_logs().create(span());
  ASSERT_TRUE(created) << created.error();
  auto got = client.request_logs().retrieve(created->unique_id);
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(got->customer_identifier, "customer-42");
  // Pagination links point back at https://.
  ASSERT_TRUE(client.request_logs().create(span("customer-43")));
  respan::RequestLogListQuery q;
  q.page_size = 1;
  std::size_t seen = 0;
  for (const auto& row : client.request_logs().list_all(q)) {
    ASSERT_TRUE(row) << row.error();
    ++seen;
  }
  EXPECT_EQ(seen, 2u);
  EXPECT_EQ(server.request_logs().size(), 2u);
  EXPECT_EQ(server.tls_handshakes(), server.connections_accepted());
}

TEST_F(Tls, LocalhostNameVerifiesToo) {
  MockServer server(good_server());
  server.start();
  auto o = options(server);
  o.base_url = "https://localhost:" + std::to_string(server.port());
  auto created = respan::RespanClient::create(o).value().request_logs().create(span());
  ASSERT_TRUE(created) << created.error();
}

TEST_F(Tls, FromEnvReadsRespanCaBundle) {
  MockServer server(good_server());
  server.start();
  ScopedEnv key("RESPAN_API_KEY", server.api_key());
  ScopedEnv url("RESPAN_BASE_URL", server.base_url());
  ScopedEnv ca("RESPAN_CA_BUNDLE", certs_->ca_cert);
  auto client = respan::RespanClient::from_env();
  ASSERT_TRUE(client) << client.error();
  EXPECT_EQ(client->options().ca_bundle, certs_->ca_cert);
  auto created = client->request_logs().create(span());
  ASSERT_TRUE(created) << created.error();
}

TEST_F(Tls, WithoutTheCaTheCallFailsWithAFinalTlsError) {
  MockServer server(good_server());
  server.start();
  auto o = options(server);
  o.ca_bundle.clear();  // the system store does not know the test CA
  const respan::Error e = failure(server, o);
  expect_final_tls_failure(e, server);
  EXPECT_EQ(server.tls_handshakes(), 0u) << "the client aborts the handshake";
  EXPECT_NE(e.message.find("ca_bundle"), std::string::npos) << "names the fix: " << e;
  // Span creates (retried on ambiguous failures by default) do not retry it either.
  auto created = respan::RespanClient::create(o).value().request_logs().create(span());
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, ErrorCode::tls);
  EXPECT_EQ(created.error().attempts, 1);
  EXPECT_TRUE(created.error().certainly_not_sent);
  EXPECT_EQ(server.connections_accepted(), 2u);
  EXPECT_TRUE(server.request_logs().empty());
}

TEST_F(Tls, ACertificateForAnotherHostNameFails) {
  MockServer server(server_options(certs_->wrong_host_cert, certs_->wrong_host_key));
  server.start();
  const respan::Error e = failure(server, options(server));
  expect_final_tls_failure(e, server);
  // libcurl checks the name once the handshake is done, then hangs up before any request.
  EXPECT_NE(e.message.find("127.0.0.1"), std::string::npos) << "names the host: " << e;
}

TEST_F(Tls, AnExpiredCertificateFails) {
  MockServer server(server_options(certs_->expired_cert, certs_->expired_key));
  server.start();
  const respan::Error e = failure(server, options(server));
  expect_final_tls_failure(e, server);
  EXPECT_EQ(server.tls_handshakes(), 0u);
  EXPECT_NE(e.message.find("expired"), std::string::npos) << e;
}

TEST_F(Tls, AMissingCaBundleFileIsATlsError) {
  MockServer server(good_server());
  server.start();
  auto o = options(server);
  o.ca_bundle = certs_->dir + "/no-such-ca.pem";
  auto r = respan::RespanClient::create(o).value().request_logs().list();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::tls) << r.error();
  EXPECT_EQ(r.error().attempts, 1);
  EXPECT_NE(r.error().message.find("CA bundle"), std::string::npos) << r.error();
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(Tls, VerifyTlsFalseConnectsAndLogsItsWarning) {
  MockServer server(server_options(certs_->wrong_host_cert, certs_->wrong_host_key));
  server.start();
  auto o = options(server);
  o.ca_bundle.clear();  // untrusted CA and wrong host name: both ignored
  o.verify_tls = false;
  std::vector<std::string> warnings;
  o.log = [&warnings](respan::LogLevel level, std::string_view m) {
    if (level == respan::LogLevel::warn) warnings.emplace_back(m);
  };
  auto client = respan::RespanClient::create(o).value();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("verification is OFF"), std::string::npos) << warnings[0];
  auto created = client.request_logs().create(span());
  ASSERT_TRUE(created) << created.error();
  EXPECT_EQ(server.tls_handshakes(), 1u);
  EXPECT_EQ(warnings.size(), 1u) << "once per client, not per call";
}

TEST_F(Tls, ConsecutiveCallsFromOneThreadReuseOneTlsConnection) {
  MockServer server(good_server());
  server.start();
  auto client = respan::RespanClient::create(options(server)).value();
  for (int i = 0; i < 20; ++i) {
    auto created = client.request_logs().create(span());
    ASSERT_TRUE(created) << created.error();
  }
  EXPECT_EQ(server.connections_accepted(), 1u);
  EXPECT_EQ(server.tls_handshakes(), 1u);
  EXPECT_EQ(server.request_logs().size(), 20u);
}

TEST_F(Tls, EachThreadKeepsItsOwnTlsConnection) {
  constexpr int kThreads = 4;
  constexpr int kCalls = 10;
  MockServer server(good_server());
  server.start();
  // The threads start together and the server holds the first call of each, so that all of
  // them overlap: each thread then needs a connection of its own (a connection is never
  // shared while in use) and keeps it for its later calls.
  Fault slow;
  slow.delay = 300ms;
  slow.times = kThreads;
  server.inject_fault(slow);
  auto client = respan::RespanClient::create(options(server)).value();
  std::atomic<int> failures{0};
  std::mutex mu;
  std::condition_variable cv;
  int ready = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      {
        std::unique_lock<std::mutex> lock(mu);
        if (++ready == kThreads) cv.notify_all();
        cv.wait(lock, [&] { return ready == kThreads; });
      }
      for (int i = 0; i < kCalls; ++i) {
        if (!client.request_logs().create(span("thread-" + std::to_string(t)))) ++failures;
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(server.request_logs().size(), static_cast<std::size_t>(kThreads * kCalls));
  // One connection and one handshake per thread, however many calls each made.
  EXPECT_EQ(server.connections_accepted(), static_cast<std::size_t>(kThreads));
  EXPECT_EQ(server.tls_handshakes(), static_cast<std::size_t>(kThreads));
}

TEST_F(Tls, ANewConnectionResumesTheSharedTlsSession) {
  MockServer server(good_server());
  server.start();
  auto client = respan::RespanClient::create(options(server)).value();
  ASSERT_TRUE(client.request_logs().create(span()));
  server.stop();  // closes the client's connection; the same port and TLS context come back
  server.start();
  auto created = client.request_logs().create(span());
  ASSERT_TRUE(created) << created.error();
  EXPECT_EQ(server.tls_handshakes(), 2u);
  EXPECT_EQ(server.tls_resumed_sessions(), 1u) << "the second handshake resumes the first";
}

TEST_F(Tls, ProxyOptionTunnelsHttpsThroughConnect) {
  MockServer server(good_server());
  server.start();
  respan::test::ConnectProxy proxy;
  auto o = options(server);
  o.proxy = proxy.url();
  auto client = respan::RespanClient::create(o).value();
  for (int i = 0; i < 3; ++i) {
    auto created = client.request_logs().create(span());
    ASSERT_TRUE(created) << created.error();
  }
  // One tunnel, kept alive; TLS runs end to end through it (the proxy sees no plaintext).
  EXPECT_EQ(proxy.targets(),
            std::vector<std::string>{"127.0.0.1:" + std::to_string(server.port())});
  EXPECT_EQ(server.tls_handshakes(), 1u);
  EXPECT_EQ(server.request_logs().size(), 3u);
}

TEST_F(Tls, HttpsProxyAndNoProxyEnvironmentVariables) {
  MockServer server(good_server());
  server.start();
  respan::test::ConnectProxy proxy;
  const std::string target = "127.0.0.1:" + std::to_string(server.port());
  {
    ScopedEnv https_proxy("https_proxy", proxy.url());
    auto created =
        respan::RespanClient::create(options(server)).value().request_logs().create(span());
    ASSERT_TRUE(created) << created.error();
    EXPECT_EQ(proxy.targets(), std::vector<std::string>{target});
    {
      ScopedEnv no_proxy("no_proxy", "localhost,127.0.0.1");
      auto direct =
          respan::RespanClient::create(options(server)).value().request_logs().create(span());
      ASSERT_TRUE(direct) << direct.error();
      EXPECT_EQ(proxy.targets().size(), 1u) << "no_proxy: reached directly";
      // no_proxy applies to the proxy option too.
      auto o = options(server);
      o.proxy = proxy.url();
      auto explicit_proxy = respan::RespanClient::create(o).value().request_logs().create(span());
      ASSERT_TRUE(explicit_proxy) << explicit_proxy.error();
      EXPECT_EQ(proxy.targets().size(), 1u);
    }
  }
  EXPECT_EQ(server.request_logs().size(), 3u);
}

TEST_F(Tls, AProxyRefusingTheTunnelIsANetworkError) {
  MockServer server(good_server());
  server.start();
  respan::test::ConnectProxy proxy;
  auto o = options(server);
  o.proxy = proxy.url();
  o.base_url = "https://localhost:1";  // the proxy tunnels only to live loopback ports
  o.retry = respan::RetryPolicy::none();
  auto r = respan::RespanClient::create(o).value().request_logs().list();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::network) << r.error();
  EXPECT_EQ(proxy.targets(), std::vector<std::string>{"localhost:1"});
}

TEST_F(Tls, TheMockRefusesPlainHttpOnItsTlsPort) {
  MockServer server(good_server());
  server.start();
  auto o = options(server);
  o.base_url = "http://127.0.0.1:" + std::to_string(server.port());
  o.retry = respan::RetryPolicy::none();
  auto r = respan::RespanClient::create(o).value().request_logs().list();
  ASSERT_FALSE(r);
  EXPECT_TRUE(server.requests().empty());
  EXPECT_EQ(server.tls_handshakes(), 0u);
}

TEST(MockServerTls, AnUnreadableCertificateFailsStart) {
  MockServerOptions o;
  o.tls_cert_file = "/nonexistent/cert.pem";
  o.tls_key_file = "/nonexistent/key.pem";
  MockServer server(o);
  EXPECT_THROW(server.start(), std::runtime_error);
  MockServerOptions only_cert;
  only_cert.tls_cert_file = "/nonexistent/cert.pem";
  MockServer half(only_cert);
  EXPECT_THROW(half.start(), std::runtime_error);
}

}  // namespace
