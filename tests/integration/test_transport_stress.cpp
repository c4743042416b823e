// The libcurl transport under load and at its limits, against the mock server over loopback:
// many threads sharing one client with injected faults, keep-alive reuse, the facts a failed
// transfer reports (error code, certainly_not_sent) and the response size cap.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>
#include <respan/transport.hpp>

#include "mock_api_test.hpp"

using namespace std::chrono_literals;
using respan::ErrorCode;
using respan::Json;
using respan::testing::Fault;

namespace {

class TransportStress : public MockApiTest {
 protected:
  /// Millisecond backoff (see MockApiTest) and server-requested delays capped at 5 ms.
  respan::ClientOptions fast_options() const {
    respan::ClientOptions o = options();
    o.retry.max_retries = 2;
    o.retry.max_retry_after = 5ms;
    o.request_timeout = 60s;
    return o;
  }

  static respan::RequestLog span_for(const std::string& customer) {
    respan::RequestLog s;
    s.model = "gpt-4o";
    s.prompt_messages = std::vector<respan::Message>{respan::Message::user("Where is my order?")};
    s.completion_message = respan::Message::assistant("It ships today.");
    s.prompt_tokens = 12;
    s.completion_tokens = 6;
    s.latency = 0.25;
    s.customer_identifier = customer;
    return s;
  }

  respan::HttpRequest get_request(const std::string& path) const {
    respan::HttpRequest r;
    r.method = respan::HttpMethod::get;
    r.url = server_.base_url() + path;
    r.headers.emplace_back("Authorization", "Bearer " + server_.api_key());
    r.timeout = 30s;
    return r;
  }
};

enum class FaultKind { none, unavailable, rate_limited, server_error, drop, malformed, delay };

Fault make_fault(FaultKind kind) {
  Fault f;  // a Fault with nothing set passes the request through to normal handling
  switch (kind) {
    case FaultKind::none:
      break;
    case FaultKind::unavailable:
      f.status = 503;
      f.retry_after = "1";  // capped to RetryPolicy::max_retry_after (5 ms)
      break;
    case FaultKind::rate_limited:
      f.status = 429;
      f.retry_after_ms = "2";
      break;
    case FaultKind::server_error:
      f.status = 500;
      f.body_retry_after = 0.001;
      break;
    case FaultKind::drop:
      f.drop_connection = true;
      break;
    case FaultKind::malformed:
      f.malformed_json = true;
      break;
    case FaultKind::delay:
      f.delay = 5ms;
      break;
  }
  return f;
}

struct Outcome {
  bool is_create = true;
  std::string customer;  ///< Sent (create) or expected (retrieve) customer_identifier.
  bool ok = false;
  std::optional<std::string> unique_id;
  std::optional<std::string> returned_customer;
  std::optional<respan::Error> error;
};

// 16 threads share one RespanClient for 3,520 calls (creates and retrieves of their own
// spans) while ~30% of the first 2,400 requests get a fault. Every call must end in a success
// that matches the server's stored data, or in a typed error explained by a fault.
TEST_F(TransportStress, ManyThreadsShareOneClientThroughFaults) {
  constexpr int kThreads = 16;
  constexpr int kCallsPerThread = 220;
  constexpr std::size_t kFaults = 2400;  // fewer than the calls: every fault gets consumed

  std::mt19937 rng(20261126);
  std::map<FaultKind, std::size_t> injected;
  for (std::size_t i = 0; i < kFaults; ++i) {
    const auto roll = std::uniform_int_distribution<int>(0, 99)(rng);
    FaultKind kind = FaultKind::none;
    if (roll < 8) {
      kind = FaultKind::unavailable;
    } else if (roll < 14) {
      kind = FaultKind::rate_limited;
    } else if (roll < 17) {
      kind = FaultKind::server_error;
    } else if (roll < 22) {
      kind = FaultKind::drop;
    } else if (roll < 26) {
      kind = FaultKind::malformed;
    } else if (roll < 31) {
      kind = FaultKind::delay;
    }
    ++injected[kind];
    server_.inject_fault(make_fault(kind));
  }

  const respan::RespanClient client = respan::RespanClient::create(fast_options()).value();
  std::vector<std::vector<Outcome>> outcomes(kThreads);
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      while (!go.load())
        std::this_thread::yield();
      auto& mine = outcomes[static_cast<std::size_t>(t)];
      std::vector<std::pair<std::string, std::string>> created;  // unique_id, customer
      for (int i = 0; i < kCallsPerThread; ++i) {
        Outcome o;
        if (i % 5 == 4 && !created.empty()) {
          const auto& [uid, customer] = created[static_cast<std::size_t>(i) % created.size()];
          o.is_create = false;
          o.customer = customer;
          auto r = client.request_logs().retrieve(uid);
          o.ok = static_cast<bool>(r);
          if (r) {
            o.unique_id = r->unique_id;
            o.returned_customer = r->customer_identifier;
          } else {
            o.error = r.error();
          }
        } else {
          o.customer = "t" + std::to_string(t) + "-c" + std::to_string(i);
          auto r = client.request_logs().create(span_for(o.customer));
          o.ok = static_cast<bool>(r);
          if (r) {
            o.unique_id = r->unique_id;
            o.returned_customer = r->customer_identifier;
            if (!r->unique_id.empty()) created.emplace_back(r->unique_id, o.customer);
          } else {
            o.error = r.error();
          }
        }
        mine.push_back(std::move(o));
      }
    });
  }
  const auto started = std::chrono::steady_clock::now();
  go = true;
  for (auto& th : threads)
    th.join();
  const auto took = std::chrono::steady_clock::now() - started;

  std::map<std::string, Json> stored;  // unique_id -> stored span
  for (const Json& s : server_.request_logs())
    stored.emplace(s.at("unique_id").get<std::string>(), s);
  const std::vector<respan::testing::RecordedRequest> recorded = server_.requests();

  std::size_t calls = 0, created = 0, retrieved = 0;
  std::map<ErrorCode, std::size_t> errors;
  std::set<std::string> created_ids;
  for (const auto& per_thread : outcomes) {
    for (const Outcome& o : per_thread) {
      ++calls;
      if (o.ok) {
        ASSERT_TRUE(o.unique_id);
        EXPECT_EQ(o.returned_customer, o.customer);
        const auto it = stored.find(*o.unique_id);
        ASSERT_NE(it, stored.end()) << "success not stored: " << *o.unique_id;
        EXPECT_EQ(it->second.value("customer_identifier", ""), o.customer);
        if (o.is_create) {
          ++created;
          EXPECT_TRUE(created_ids.insert(*o.unique_id).second) << "duplicate " << *o.unique_id;
        } else {
          ++retrieved;
        }
        continue;
      }
      ASSERT_TRUE(o.error);
      const respan::Error& e = *o.error;
      ++errors[e.code];
      // Only the injected faults can fail a call: exhausted retries of 5xx / 429 / dropped
      // connections, or a malformed 200 body (not retried).
      EXPECT_TRUE(e.code == ErrorCode::server || e.code == ErrorCode::rate_limited ||
                  e.code == ErrorCode::network || e.code == ErrorCode::decode)
          << e;
      EXPECT_FALSE(e.message.empty()) << e;
      EXPECT_GE(e.attempts, 1) << e;
      EXPECT_FALSE(e.certainly_not_sent) << e;  // the server saw every one of these requests
    }
  }
  EXPECT_EQ(calls, static_cast<std::size_t>(kThreads * kCallsPerThread));
  // Every fault was consumed, and each shows up exactly where it should.
  ASSERT_GE(recorded.size(), kFaults);
  EXPECT_EQ(errors[ErrorCode::decode], injected[FaultKind::malformed]);
  const auto dropped = static_cast<std::size_t>(
      std::count_if(recorded.begin(), recorded.end(), [](const auto& r) { return r.status == 0; }));
  EXPECT_EQ(dropped, injected[FaultKind::drop]);
  // Every stored span was created by exactly one successful call (no lost successes, no
  // duplicates from a retry of a request the server had processed).
  EXPECT_EQ(stored.size(), created);
  EXPECT_EQ(created_ids.size(), created);
  EXPECT_GT(created, calls / 2);
  EXPECT_GT(retrieved, 0u);
  // Keep-alive: connections are reused; a new one is opened only per pooled handle (at most
  // one per thread), after a dropped connection, or after an idle timeout.
  EXPECT_LE(server_.connections_accepted(), 2 * kThreads + injected[FaultKind::drop]);

  std::cout << "[ stress   ] " << calls << " calls, " << recorded.size() << " requests, "
            << server_.connections_accepted() << " connections in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
            << " ms; created " << created << ", retrieved " << retrieved << ", errors:";
  for (const auto& [code, n] : errors)
    std::cout << ' ' << respan::to_string(code) << '=' << n;
  std::cout << '\n';
}

TEST_F(TransportStress, SequentialCallsFromOneThreadReuseOneConnection) {
  const respan::RespanClient client = respan::RespanClient::create(fast_options()).value();
  const std::size_t before = server_.connections_accepted();
  for (int i = 0; i < 40; ++i) {
    auto r = client.request_logs().create(span_for("sequential-" + std::to_string(i)));
    ASSERT_TRUE(r) << r.error();
  }
  EXPECT_EQ(server_.connections_accepted() - before, 1u);
  EXPECT_EQ(server_.request_logs().size(), 40u);
}

TEST_F(TransportStress, ConcurrentCallsOpenAtMostOneConnectionPerThread) {
  constexpr int kThreads = 6;
  const respan::RespanClient client = respan::RespanClient::create(fast_options()).value();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 30; ++i) {
        if (!client.request_logs().create(span_for("c" + std::to_string(t)))) ++failures;
      }
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(failures.load(), 0);
  const std::size_t after_concurrent = server_.connections_accepted();
  EXPECT_GE(after_concurrent, 1u);
  EXPECT_LE(after_concurrent, static_cast<std::size_t>(kThreads));
  // Back to one thread: the pooled handles still hold their live connections.
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(client.request_logs().create(span_for("after")));
  EXPECT_EQ(server_.connections_accepted(), after_concurrent);
}

// --------------------------------------------------------------------------- error facts

TEST_F(TransportStress, RefusedConnectionIsCertainlyNotSent) {
  const auto transport = respan::make_curl_transport();
  const respan::HttpRequest req = get_request("/api/request-logs/");
  server_.stop();  // nothing listens on the port now: connect() is refused
  const auto r = transport->send(req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::network) << r.error();
  EXPECT_TRUE(r.error().certainly_not_sent) << r.error();
}

TEST_F(TransportStress, CancelledBeforeSendingIsCertainlyNotSent) {
  const auto transport = respan::make_curl_transport();
  auto token = std::make_shared<respan::CancellationToken>();
  token->cancel();
  respan::HttpRequest req = get_request("/api/request-logs/");
  req.cancel = token;
  const auto r = transport->send(req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::cancelled);
  EXPECT_TRUE(r.error().certainly_not_sent);
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(TransportStress, FailuresAfterSendingMayHaveBeenProcessed) {
  const auto transport = respan::make_curl_transport();
  ASSERT_TRUE(transport->send(get_request("/api/request-logs/")));  // a warm connection

  Fault drop;
  drop.drop_connection = true;
  server_.inject_fault(drop);
  auto r = transport->send(get_request("/api/request-logs/"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::network) << r.error();
  EXPECT_FALSE(r.error().certainly_not_sent);

  Fault slow;
  slow.delay = 3s;
  server_.inject_fault(slow);
  respan::HttpRequest req = get_request("/api/request-logs/");
  req.timeout = 200ms;
  r = transport->send(req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::timeout) << r.error();
  EXPECT_FALSE(r.error().certainly_not_sent);

  server_.inject_fault(slow);
  auto token = std::make_shared<respan::CancellationToken>();
  req.timeout = 30s;
  req.cancel = token;
  std::thread canceller([token] {
    std::this_thread::sleep_for(200ms);
    token->cancel();
  });
  r = transport->send(req);
  canceller.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::cancelled) << r.error();
  EXPECT_FALSE(r.error().certainly_not_sent);
}

// --------------------------------------------------------------------------- response cap

TEST_F(TransportStress, ResponseCapDefaultsTo32MiB) {
  EXPECT_EQ(respan::CurlTransportOptions{}.max_response_bytes, 32u * 1024u * 1024u);
}

TEST_F(TransportStress, DeclaredLengthOverTheCapFailsBeforeTheBody) {
  // Incompressible text: still far above the cap after the mock's gzip/brotli.
  std::mt19937 rng(7);
  std::string noise(64 * 1024, ' ');
  for (char& c : noise)
    c = static_cast<char>('a' + std::uniform_int_distribution<int>(0, 25)(rng));
  Fault big;
  big.status = 200;
  big.body = Json{{"detail", noise}}.dump();
  server_.inject_fault(big);

  respan::CurlTransportOptions t;
  t.max_response_bytes = 4096;
  respan::ClientOptions o = fast_options();
  o.transport = respan::make_curl_transport(t);
  const respan::RespanClient client = respan::RespanClient::create(o).value();
  const auto r = client.request_logs().retrieve("0123456789abcdef0123456789abcdef");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::response_too_large) << r.error();
  EXPECT_EQ(r.error().attempts, 1);  // not retried
  EXPECT_NE(r.error().message.find("4096"), std::string::npos) << r.error();
  EXPECT_NE(r.error().message.find("Content-Length"), std::string::npos) << r.error();
}

TEST_F(TransportStress, DecodedSizeOverTheCapFailsEvenWhenTheWireBodyIsSmall) {
  Fault bomb;
  bomb.status = 200;
  bomb.body = Json{{"detail", std::string(1024 * 1024, 'a')}}.dump();  // ~1 KiB compressed
  bomb.times = 2;
  server_.inject_fault(bomb);

  // Precondition: the mock compresses it far below the cap used next.
  const auto full = respan::make_curl_transport()->send(get_request("/api/request-logs/"));
  ASSERT_TRUE(full) << full.error();
  ASSERT_TRUE(full->header("content-encoding")) << "the mock did not compress the body";
  ASSERT_TRUE(full->header("content-length"));
  ASSERT_LT(std::stoul(*full->header("content-length")), 16u * 1024u);
  EXPECT_EQ(full->body, *bomb.body);

  respan::CurlTransportOptions t;
  t.max_response_bytes = 64 * 1024;
  const auto r = respan::make_curl_transport(t)->send(get_request("/api/request-logs/"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::response_too_large) << r.error();
  EXPECT_NE(r.error().message.find("65536"), std::string::npos) << r.error();
  EXPECT_EQ(r.error().message.find("Content-Length"), std::string::npos) << r.error();
}

}  // namespace
