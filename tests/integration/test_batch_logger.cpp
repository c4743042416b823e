// respan::BatchLogger against the mock server over loopback through the real libcurl
// transport: the delivery ledger under faults, with the server down, flush deadlines,
// rejections, local validation, overflow policies, the bulk fallbacks.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

#include "mock_api_test.hpp"

using namespace std::chrono_literals;
using respan::BatchLogger;
using respan::BatchOptions;
using respan::DeliveryEvent;
using respan::DeliveryReport;
using respan::DropReason;
using respan::Json;
using respan::OverflowPolicy;
using respan::testing::Fault;

namespace {

constexpr const char* kBulk = "/api/request-logs/bulk/";

respan::RequestLog chat_span(const std::string& customer) {
  respan::RequestLog s;
  s.model = "gpt-4o";
  s.prompt_messages = std::vector<respan::Message>{
      respan::Message::system("You are a helpful support agent."),
      respan::Message::user("Where is my order? It was due yesterday.")};
  s.completion_message = respan::Message::assistant("It ships today and arrives Thursday.");
  s.prompt_tokens = 42;
  s.completion_tokens = 11;
  s.latency = 0.84;
  s.customer_identifier = customer;
  s.metadata = Json{{"region", "eu-west-1"}};
  return s;
}

void expect_balanced(const DeliveryReport& r) {
  EXPECT_EQ(r.logged, r.delivered + r.rejected + r.dropped + r.pending);
  EXPECT_EQ(r.dropped, r.dropped_queue_full + r.dropped_shutdown + r.dropped_invalid +
                           r.dropped_too_large + r.dropped_internal + r.dropped_unacknowledged);
  EXPECT_LE(r.possibly_duplicated, r.delivered);
}

// Collects on_event calls (made on the exporter thread).
struct Events {
  std::mutex mu;
  std::vector<DeliveryEvent> events;
  std::vector<std::string> span_customers;  // customer of each event's span, "" if none
  std::function<void(const DeliveryEvent&)> callback() {
    return [this](const DeliveryEvent& e) {
      std::lock_guard<std::mutex> lk(mu);
      events.push_back(e);
      span_customers.push_back(e.span && e.span->customer_identifier ? *e.span->customer_identifier
                                                                     : std::string());
      events.back().span = nullptr;  // only valid during the callback
    };
  }
};

class BatchLoggerTest : public MockApiTest {
 protected:
  respan::RespanClient client() const { return respan::RespanClient(options()); }

  static BatchOptions fast() {
    BatchOptions o;
    o.flush_interval = 20ms;
    o.min_backoff = 5ms;
    o.max_backoff = 50ms;
    return o;
  }

  // Stored spans per customer_identifier.
  std::map<std::string, int> stored_by_customer() const {
    std::map<std::string, int> out;
    for (const Json& s : server_.request_logs())
      ++out[s.value("customer_identifier", std::string())];
    return out;
  }

  static respan::ClientOptions down_options() {
    respan::ClientOptions o;
    o.api_key = "test-key";
    o.base_url = "http://127.0.0.1:1";  // nothing listens there: connection refused
    o.connect_timeout = 200ms;
    return o;
  }
};

TEST_F(BatchLoggerTest, DeliversEverySpanOnceAndReportsIt) {
  BatchLogger logger(client(), fast());
  for (int i = 0; i < 1000; ++i)
    EXPECT_TRUE(logger.log(chat_span("c-" + std::to_string(i))));
  const DeliveryReport r = logger.shutdown(10s);
  expect_balanced(r);
  EXPECT_EQ(r.logged, 1000u);
  EXPECT_EQ(r.delivered, 1000u);
  EXPECT_EQ(r.pending, 0u);
  EXPECT_EQ(r.dropped, 0u);
  EXPECT_GE(r.requests, 2u);  // 500 spans per request at most
  const auto stored = stored_by_customer();
  EXPECT_EQ(stored.size(), 1000u);
  for (const auto& [customer, n] : stored)
    EXPECT_EQ(n, 1) << customer;
  for (const auto& req : requests_to(kBulk, "POST"))
    EXPECT_LE(req.json().at("logs").size(), 500u);
  // Idempotent: a second shutdown returns the same final report.
  const DeliveryReport again = logger.shutdown(1s);
  EXPECT_EQ(again.delivered, r.delivered);
  EXPECT_EQ(again.requests, r.requests);
}

// The acceptance test: 10,000 spans from 4 threads while 20% of bulk requests answer
// 503 with Retry-After and some connections are dropped before the request is processed.
TEST_F(BatchLoggerTest, ExactLedgerUnderFaultsFromFourThreads) {
  // A repeating pattern over the bulk requests: 1 in 5 answers 503 (Retry-After: 0), 1 in 10
  // is a dropped connection; "pure delay" faults with no delay let the others through.
  int injected_503 = 0, injected_drops = 0;
  for (int i = 0; i < 400; ++i) {
    Fault f;
    f.path_prefix = kBulk;
    if (i % 5 == 1) {
      f.status = 503;
      f.retry_after = "0";
      ++injected_503;
    } else if (i % 10 == 3) {
      f.drop_connection = true;
      ++injected_drops;
    }
    server_.inject_fault(f);
  }
  BatchOptions o = fast();
  o.max_batch_spans = 100;
  BatchLogger logger(client(), o);
  std::atomic<bool> done{false};
  std::thread reader([&] {  // the ledger stays consistent while it moves
    while (!done.load()) {
      const DeliveryReport r = logger.stats();
      ASSERT_LE(r.delivered + r.rejected + r.dropped, r.logged);
      std::this_thread::sleep_for(1ms);
    }
  });
  std::vector<std::thread> producers;
  for (int t = 0; t < 4; ++t) {
    producers.emplace_back([&logger, t] {
      for (int i = 0; i < 2500; ++i)
        logger.log(chat_span("t" + std::to_string(t) + "-" + std::to_string(i)));
    });
  }
  for (auto& p : producers)
    p.join();
  const DeliveryReport r = logger.shutdown(60s);
  done = true;
  reader.join();
  expect_balanced(r);
  EXPECT_EQ(r.logged, 10000u);
  EXPECT_EQ(r.delivered, 10000u);
  EXPECT_EQ(r.pending, 0u);
  EXPECT_EQ(r.rejected, 0u);
  EXPECT_EQ(r.dropped, 0u);
  EXPECT_GT(r.retries, 0u);
  // Dropped connections are ambiguous failures: their spans were resent.
  EXPECT_GT(r.possibly_duplicated, 0u);
  const auto stored = stored_by_customer();
  EXPECT_EQ(stored.size(), 10000u);
  for (const auto& [customer, n] : stored)
    ASSERT_EQ(n, 1) << customer << " stored " << n << " times";
  // The faults were really met: failed attempts = retries.
  int answered_503 = 0;
  for (const auto& req : requests_to(kBulk, "POST"))
    if (req.status == 503) ++answered_503;
  EXPECT_GT(answered_503, 0);
  EXPECT_LE(answered_503, injected_503);
  EXPECT_LE(r.retries, static_cast<std::uint64_t>(injected_503 + injected_drops));
}

// Under SpanDelivery::at_most_once a batch whose answer was lost is not resent: its spans are
// counted as dropped (unacknowledged), never delivered twice.
TEST_F(BatchLoggerTest, AtMostOnceNeverResendsAfterAnAmbiguousFailure) {
  Fault drop;
  drop.path_prefix = kBulk;
  drop.drop_connection = true;
  server_.inject_fault(drop);
  respan::ClientOptions co = options();
  co.span_delivery = respan::SpanDelivery::at_most_once;
  BatchOptions o = fast();
  o.flush_interval = 60s;
  BatchLogger logger(respan::RespanClient(co), o);
  for (int i = 0; i < 10; ++i)
    logger.log(chat_span("amo-" + std::to_string(i)));
  logger.flush(10s);
  for (int i = 0; i < 5; ++i)
    logger.log(chat_span("amo-next-" + std::to_string(i)));
  const DeliveryReport r = logger.shutdown(10s);
  expect_balanced(r);
  EXPECT_EQ(r.dropped_unacknowledged, 10u);
  EXPECT_EQ(r.delivered, 5u);
  EXPECT_EQ(r.possibly_duplicated, 0u);
  EXPECT_EQ(requests_to(kBulk, "POST").size(), 2u);
}

TEST_F(BatchLoggerTest, ServerDownDroppedPlusPendingIsExactAndMemoryIsCapped) {
  BatchOptions o = fast();
  o.max_queue_spans = 1000;
  BatchLogger logger(respan::RespanClient(down_options()), o);
  int accepted = 0;
  for (int i = 0; i < 5000; ++i)
    accepted += logger.log(chat_span("down-" + std::to_string(i))) ? 1 : 0;
  const DeliveryReport mid = logger.stats();
  expect_balanced(mid);
  EXPECT_EQ(mid.logged, 5000u);
  EXPECT_EQ(mid.delivered, 0u);
  EXPECT_EQ(mid.dropped + mid.pending, 5000u);
  EXPECT_LE(mid.pending, 1000u);  // queued and in flight together stay within the cap
  EXPECT_EQ(mid.dropped_queue_full, 5000u - static_cast<std::uint64_t>(accepted));
  EXPECT_LE(mid.queued_bytes, o.max_queue_bytes);

  const auto t0 = std::chrono::steady_clock::now();
  const DeliveryReport end = logger.shutdown(300ms);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  expect_balanced(end);
  EXPECT_EQ(end.pending, 0u);
  EXPECT_EQ(end.dropped, 5000u);
  EXPECT_EQ(end.dropped_shutdown, static_cast<std::uint64_t>(accepted));
  EXPECT_GT(end.requests, 0u);
}

TEST_F(BatchLoggerTest, ByteCapBoundsTheQueue) {
  BatchOptions o = fast();
  o.max_queue_bytes = 64 * 1024;  // the smallest accepted
  BatchLogger logger(respan::RespanClient(down_options()), o);
  for (int i = 0; i < 2000; ++i)
    logger.log(chat_span("bytes-" + std::to_string(i)));
  const DeliveryReport r = logger.stats();
  expect_balanced(r);
  EXPECT_GT(r.dropped_queue_full, 1000u);
  EXPECT_LE(r.queued_bytes, 64u * 1024u);
  EXPECT_LT(r.pending, 200u);
  logger.shutdown(0ms);
}

TEST_F(BatchLoggerTest, FlushReturnsByItsDeadline) {
  Fault slow;
  slow.path_prefix = kBulk;
  slow.delay = 3s;
  server_.inject_fault(slow);
  BatchLogger logger(client(), fast());
  for (int i = 0; i < 10; ++i)
    logger.log(chat_span("slow-" + std::to_string(i)));
  const auto t0 = std::chrono::steady_clock::now();
  const DeliveryReport r = logger.flush(200ms);
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(took, 190ms);
  EXPECT_LT(took, 1500ms);
  EXPECT_EQ(r.pending, 10u);
  // Shutdown with a short deadline cancels the request in flight and drops what is left.
  const auto t1 = std::chrono::steady_clock::now();
  const DeliveryReport end = logger.shutdown(100ms);
  EXPECT_LT(std::chrono::steady_clock::now() - t1, 2s);
  expect_balanced(end);
  EXPECT_EQ(end.pending, 0u);
  EXPECT_EQ(end.delivered + end.dropped_shutdown, 10u);
}

TEST_F(BatchLoggerTest, FlushWaitsForEarlierSpansOnly) {
  BatchOptions o = fast();
  o.flush_interval = 60s;  // nothing leaves without a flush
  BatchLogger logger(client(), o);
  for (int i = 0; i < 30; ++i)
    logger.log(chat_span("f-" + std::to_string(i)));
  EXPECT_EQ(logger.stats().delivered, 0u);
  const DeliveryReport r = logger.flush(10s);
  EXPECT_EQ(r.delivered, 30u);
  EXPECT_EQ(r.pending, 0u);
  EXPECT_EQ(server_.request_logs().size(), 30u);
}

TEST_F(BatchLoggerTest, RejectedRowIsReportedWithTheServersReason) {
  Events ev;
  BatchOptions o = fast();
  o.on_event = ev.callback();
  BatchLogger logger(client(), o);
  logger.log(chat_span("good-1"));
  respan::RequestLog bad = chat_span("bad");
  bad.log_type = respan::LogType("not-a-documented-type");  // the API refuses it
  logger.log(bad);
  logger.log(chat_span("good-2"));
  const DeliveryReport r = logger.shutdown(10s);
  expect_balanced(r);
  EXPECT_EQ(r.delivered, 2u);
  EXPECT_EQ(r.rejected, 1u);
  std::lock_guard<std::mutex> lk(ev.mu);
  ASSERT_EQ(ev.events.size(), 1u);
  EXPECT_EQ(ev.events[0].kind, DeliveryEvent::Kind::rejected);
  EXPECT_NE(ev.events[0].message.find("log_type"), std::string::npos) << ev.events[0].message;
  EXPECT_EQ(ev.span_customers[0], "bad");
  const auto stored = stored_by_customer();
  EXPECT_EQ(stored.count("bad"), 0u);
  EXPECT_EQ(stored.count("good-1"), 1u);
  EXPECT_EQ(stored.count("good-2"), 1u);
}

TEST_F(BatchLoggerTest, InvalidSpansAreDroppedLocallyWithAReason) {
  Events ev;
  BatchOptions o = fast();
  o.on_event = ev.callback();
  BatchLogger logger(client(), o);
  respan::RequestLog no_model = chat_span("no-model");
  no_model.model.clear();
  respan::RequestLog nul_extra = chat_span("null-input");
  nul_extra.input = respan::SpanIO();  // set but null: refused, whatever else the span holds
  nul_extra.latency = std::nan("");
  logger.log(no_model);
  logger.log(nul_extra);
  logger.log(chat_span("fine"));
  const DeliveryReport r = logger.shutdown(10s);
  expect_balanced(r);
  EXPECT_EQ(r.delivered, 1u);
  EXPECT_EQ(r.dropped_invalid, 2u);
  EXPECT_EQ(r.fields_dropped, 0u);  // a refused span counts no field
  std::lock_guard<std::mutex> lk(ev.mu);
  ASSERT_EQ(ev.events.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(ev.events[i].kind, DeliveryEvent::Kind::dropped);
    EXPECT_EQ(ev.events[i].reason, DropReason::invalid);
  }
  EXPECT_NE(ev.events[0].message.find("model"), std::string::npos);
  EXPECT_NE(ev.events[1].message.find("input: set but null"), std::string::npos)
      << ev.events[1].message;
  EXPECT_EQ(ev.span_customers[1], "null-input");
  // Nothing invalid reached the wire.
  for (const auto& req : requests_to(kBulk, "POST")) {
    EXPECT_EQ(req.body.find("null-input"), std::string::npos);
    EXPECT_EQ(req.body.find("no-model"), std::string::npos);
  }
}

// A non-finite number costs its field, not the span: the span is delivered without it, the
// DeliveryReport counts the fields, on_event names them. The synchronous create still
// refuses such a span (test_request_logs.cpp).
TEST_F(BatchLoggerTest, NonFiniteNumbersCostTheirFieldNotTheSpan) {
  Events ev;
  BatchOptions o = fast();
  o.on_event = ev.callback();
  BatchLogger logger(client(), o);
  respan::RequestLog span = chat_span("nan");
  span.cost = std::nan("");
  span.temperature = std::numeric_limits<double>::infinity();
  span.latency = 0.84;
  span.metadata = Json{{"ok", 1},
                       {"bad", -std::numeric_limits<double>::infinity()},
                       {"inner", {{"keep", "x"}, {"gone", std::nan("")}}},
                       {"series", {1.0, std::nan("")}}};
  span.extra = Json{{"custom_score", std::nan("")}, {"custom_label", "kept"}};
  logger.log(span);
  logger.log(chat_span("fine"));
  const DeliveryReport r = logger.shutdown(10s);
  expect_balanced(r);
  EXPECT_EQ(r.delivered, 2u);
  EXPECT_EQ(r.dropped, 0u);
  EXPECT_EQ(r.fields_dropped, 6u);
  EXPECT_EQ(Json(r)["fields_dropped"], 6);
  {
    std::lock_guard<std::mutex> lk(ev.mu);
    ASSERT_EQ(ev.events.size(), 1u);
    EXPECT_EQ(ev.events[0].kind, DeliveryEvent::Kind::fields_dropped);
    EXPECT_EQ(ev.events[0].count, 6u);
    EXPECT_EQ(ev.events[0].message,
              "left out 6 non-finite numbers: cost, temperature, metadata.bad, "
              "metadata.inner.gone, metadata.series, custom_score");
    EXPECT_EQ(ev.span_customers[0], "nan");
  }
  const Json* stored = nullptr;
  const auto logs = server_.request_logs();
  for (const Json& s : logs)
    if (s.value("customer_identifier", "") == "nan") stored = &s;
  ASSERT_NE(stored, nullptr);
  EXPECT_FALSE(stored->contains("temperature"));
  EXPECT_EQ((*stored)["latency"], 0.84);
  EXPECT_EQ((*stored)["metadata"], (Json{{"ok", 1}, {"inner", {{"keep", "x"}}}}));
  EXPECT_EQ((*stored)["custom_label"], "kept");
  EXPECT_FALSE(stored->contains("custom_score"));
  for (const auto& req : requests_to(kBulk, "POST")) {
    EXPECT_EQ(req.body.find("NaN"), std::string::npos);
    EXPECT_EQ(req.body.find("nan,"), std::string::npos);
    EXPECT_TRUE(Json::accept(req.body));
  }
}

TEST_F(BatchLoggerTest, BlankOrNulModelIsDroppedLocallyLikeTheCreateRefusesIt) {
  Events ev;
  BatchOptions o = fast();
  o.on_event = ev.callback();
  BatchLogger logger(client(), o);
  respan::RequestLog blank = chat_span("blank");
  blank.model = " \t ";
  respan::RequestLog nul = chat_span("nul");
  nul.model = std::string("gpt\0-4o", 7);
  logger.log(blank);
  logger.log(nul);
  logger.log(chat_span("fine"));
  const DeliveryReport r = logger.shutdown(10s);
  expect_balanced(r);
  EXPECT_EQ(r.delivered, 1u);
  EXPECT_EQ(r.dropped_invalid, 2u);
  std::lock_guard<std::mutex> lk(ev.mu);
  ASSERT_EQ(ev.events.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(ev.events[i].reason, DropReason::invalid);
    EXPECT_NE(ev.events[i].message.find("model"), std::string::npos) << ev.events[i].message;
  }
  EXPECT_EQ(stored_by_customer(), (std::map<std::string, int>{{"fine", 1}}));
}

TEST_F(BatchLoggerTest, FallsBackToSingleCreatesWhenBulkIsMissing) {
  Fault missing;
  missing.path_prefix = kBulk;
  missing.status = 404;
  missing.times = -1;
  server_.inject_fault(missing);
  BatchLogger logger(client(), fast());
  for (int i = 0; i < 20; ++i)
    logger.log(chat_span("single-" + std::to_string(i)));
  const DeliveryReport r = logger.shutdown(10s);
  expect_balanced(r);
  EXPECT_TRUE(r.bulk_unavailable);
  EXPECT_EQ(r.delivered, 20u);
  EXPECT_EQ(stored_by_customer().size(), 20u);
  EXPECT_EQ(requests_to("/api/request-logs/", "POST").size(), 20u);
}

TEST_F(BatchLoggerTest, PayloadTooLargeSplitsTheBatch) {
  Fault too_large;
  too_large.path_prefix = kBulk;
  too_large.status = 413;
  too_large.times = 2;
  server_.inject_fault(too_large);
  BatchOptions o = fast();
  o.flush_interval = 60s;
  BatchLogger logger(client(), o);
  for (int i = 0; i < 64; ++i)
    logger.log(chat_span("split-" + std::to_string(i)));
  const DeliveryReport r = logger.shutdown(10s);
  expect_balanced(r);
  EXPECT_EQ(r.delivered, 64u);
  EXPECT_EQ(r.splits, 2u);
  EXPECT_EQ(stored_by_customer().size(), 64u);
}

TEST_F(BatchLoggerTest, OverflowPolicies) {
  BatchOptions o = fast();
  o.max_queue_spans = 10;
  {
    o.overflow = OverflowPolicy::drop_newest;
    BatchLogger logger(respan::RespanClient(down_options()), o);
    int accepted = 0;
    for (int i = 0; i < 50; ++i)
      accepted += logger.log(chat_span("n")) ? 1 : 0;
    EXPECT_LE(accepted, 10);
    EXPECT_EQ(logger.stats().dropped_queue_full, 50u - static_cast<std::uint64_t>(accepted));
    logger.shutdown(0ms);
  }
  {
    o.overflow = OverflowPolicy::drop_oldest;
    BatchLogger logger(respan::RespanClient(down_options()), o);
    int accepted = 0;
    for (int i = 0; i < 50; ++i)
      accepted += logger.log(chat_span("o")) ? 1 : 0;
    const DeliveryReport r = logger.stats();
    // Spans in flight cannot make room: how many are depends on when the exporter (woken as
    // the queue fills) took its batch. Every log() either evicted a queued span or was dropped.
    EXPECT_GE(accepted, 10);
    EXPECT_EQ(r.pending + r.dropped_queue_full, 50u);
    EXPECT_GE(r.dropped_queue_full, 40u);
    EXPECT_LE(r.pending, 10u);
    logger.shutdown(0ms);
  }
  {
    o.overflow = OverflowPolicy::block;
    o.block_timeout = 50ms;
    BatchLogger logger(respan::RespanClient(down_options()), o);
    for (int i = 0; i < 10; ++i)
      logger.log(chat_span("b"));
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_FALSE(logger.log(chat_span("b")));  // waits for room, then gives up
    EXPECT_GE(std::chrono::steady_clock::now() - t0, 45ms);
    EXPECT_EQ(logger.stats().dropped_queue_full, 1u);
    logger.shutdown(0ms);
  }
}

TEST_F(BatchLoggerTest, LogAfterShutdownIsCountedAsDropped) {
  BatchLogger logger(client(), fast());
  logger.shutdown(1s);
  EXPECT_FALSE(logger.log(chat_span("late")));
  const DeliveryReport r = logger.stats();
  expect_balanced(r);
  EXPECT_EQ(r.logged, 1u);
  EXPECT_EQ(r.dropped_shutdown, 1u);
}

TEST_F(BatchLoggerTest, DestructorDeliversWhatIsQueued) {
  {
    BatchOptions o = fast();
    o.flush_interval = 60s;
    BatchLogger logger(client(), o);
    for (int i = 0; i < 5; ++i)
      logger.log(chat_span("d-" + std::to_string(i)));
  }
  EXPECT_EQ(server_.request_logs().size(), 5u);
}

TEST_F(BatchLoggerTest, ReportAsJson) {
  BatchLogger logger(client(), fast());
  logger.log(chat_span("j"));
  const DeliveryReport r = logger.shutdown(10s);
  const Json j = r;
  EXPECT_EQ(j.at("delivered"), 1);
  EXPECT_EQ(j.at("pending"), 0);
  EXPECT_EQ(j.at("dropped_by_reason").at("queue_full"), 0);
}

}  // namespace
