// The delivery ledger at its edges (issue "The delivery ledger is exact at the edges"): odd
// answers, a server that refuses everything, durations at their limits, wake-ups and memory
// under pressure, faults inside the logger's threads, spans ended on other threads, fork().
// Everything runs against the mock server over loopback through the real libcurl transport.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <new>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

#include "../support/fork_gate.hpp"
#include "batch_sink.hpp"
#include "mock_api_test.hpp"

using namespace std::chrono_literals;
using respan::BatchLogger;
using respan::BatchOptions;
using respan::DeliveryReport;
using respan::Json;
using respan::testing::Fault;

namespace {

constexpr const char* kBulk = "/api/request-logs/bulk/";
using Clock = std::chrono::steady_clock;

respan::RequestLog span_for(const std::string& customer, std::size_t text_bytes = 0) {
  respan::RequestLog s;
  s.model = "gpt-4o";
  s.prompt_messages = std::vector<respan::Message>{respan::Message::user(
      text_bytes ? std::string(text_bytes, 'x') : std::string("Where is my order?"))};
  s.completion_message = respan::Message::assistant("It ships today.");
  s.customer_identifier = customer;
  return s;
}

void expect_balanced(const DeliveryReport& r) {
  EXPECT_EQ(r.logged, r.delivered + r.rejected + r.dropped + r.pending);
  EXPECT_EQ(r.dropped, r.dropped_queue_full + r.dropped_shutdown + r.dropped_invalid +
                           r.dropped_too_large + r.dropped_internal + r.dropped_unacknowledged +
                           r.dropped_unended + r.dropped_unconfirmed);
}

long long ms_since(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

class LedgerEdges : public MockApiTest {
 protected:
  respan::RespanClient client() const { return respan::RespanClient(options()); }
  static BatchOptions fast(std::size_t batch = 500) {
    BatchOptions o;
    o.flush_interval = 20ms;
    o.min_backoff = 1ms;
    o.max_backoff = 5ms;
    o.max_batch_spans = batch;
    return o;
  }
  void answer_bulk_once(int status, const std::string& body) {
    Fault f;
    f.path_prefix = kBulk;
    f.status = status;
    f.body = body;
    f.times = 1;
    server_.inject_fault(f);
  }
  DeliveryReport log_and_shutdown(std::size_t n, BatchOptions o) {
    BatchLogger logger(client(), o);
    for (std::size_t i = 0; i < n; ++i)
      logger.log(span_for("c" + std::to_string(i)));
    DeliveryReport r = logger.shutdown(10s);
    expect_balanced(r);
    return r;
  }
};

// ---------------------------------------------------------------- 1. answers

TEST_F(LedgerEdges, CountsWithoutRowsRejectAllWhenNothingSucceeded) {
  answer_bulk_once(200, R"({"success_count": 0, "error_count": 50})");
  const DeliveryReport r = log_and_shutdown(50, fast(50));
  EXPECT_EQ(r.delivered, 0u);
  EXPECT_EQ(r.rejected, 50u);
}

TEST_F(LedgerEdges, FiftyErrorsNamingRowZeroDeliverNothing) {
  std::string errors;
  for (int i = 0; i < 50; ++i)
    errors += std::string(i ? "," : "") + R"({"index": 0, "error": "bad"})";
  answer_bulk_once(200, R"({"success_count": 0, "error_count": 50, "errors": [)" + errors + "]}");
  const DeliveryReport r = log_and_shutdown(50, fast(50));
  EXPECT_EQ(r.delivered, 0u);
  EXPECT_EQ(r.rejected, 50u);
}

TEST_F(LedgerEdges, TwoHundredsThatConfirmNothingDeliverNothing) {
  for (const std::string& body :
       {std::string("<html><body>Service temporarily moved</body></html>"),
        std::string(R"({"success_count": -5})"), std::string(R"({"success_count": "50"})"),
        std::string(R"({"success_count": 0})"), std::string("")}) {
    server_.clear_faults();
    server_.reset();
    answer_bulk_once(200, body);
    const DeliveryReport r = log_and_shutdown(50, fast(50));
    EXPECT_EQ(r.delivered, 0u) << body;
    EXPECT_EQ(r.dropped_unconfirmed, 50u) << body;
    EXPECT_EQ(r.pending, 0u) << body;
  }
}

TEST_F(LedgerEdges, SynchronousCreateBulkReadsTheSameAnswersTheSameWay) {
  answer_bulk_once(200, "<html>proxy</html>");
  std::vector<respan::RequestLog> spans(3, span_for("sync"));
  auto r = client().request_logs().create_bulk(spans);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->success_count, 0);
  EXPECT_EQ(r->unconfirmed_count, 3);
  answer_bulk_once(200, R"({"success_count": 0, "error_count": 3})");
  r = client().request_logs().create_bulk(spans);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->success_count, 0);
  EXPECT_EQ(r->error_count, 3);
}

TEST_F(LedgerEdges, TracerIngestAndOtlpCountUnconfirmedAnswers) {
  for (auto exporter : {respan::TraceExporter::respan_ingest, respan::TraceExporter::otlp}) {
    server_.clear_faults();
    Fault f;
    f.path_prefix = exporter == respan::TraceExporter::otlp ? "/api/v2/traces" : "/api/v1/traces";
    f.status = 200;
    f.body = exporter == respan::TraceExporter::otlp
                 ? R"({"partialSuccess": {"rejectedSpans": "99999999999999999999"}})"
                 : "<html>ok</html>";
    f.times = 1;
    server_.inject_fault(f);
    respan::TracerOptions o;
    o.exporter = exporter;
    o.batch = fast();
    respan::Tracer tracer(client(), o);
    {
      respan::Span root = tracer.start_trace("root");
      respan::Span child = tracer.start_span("child");
    }
    const DeliveryReport r = tracer.shutdown(10s);
    expect_balanced(r);
    EXPECT_EQ(r.delivered, 0u);
    EXPECT_EQ(r.dropped_unconfirmed, 2u);
  }
}

// ---------------------------------------------------------------- 7. splitting budget

TEST_F(LedgerEdges, AServerThatRefusesEverythingCostsABoundedNumberOfRequests) {
  Fault refuse;
  refuse.path_prefix = kBulk;
  refuse.status = 400;
  refuse.body = R"({"detail": "everything is wrong"})";
  refuse.times = -1;
  server_.inject_fault(refuse);
  BatchOptions o = fast(500);
  o.flush_interval = 60s;  // exactly two full batches
  const DeliveryReport r = log_and_shutdown(1000, o);
  EXPECT_EQ(r.rejected, 1000u);
  EXPECT_EQ(r.delivered, 0u);
  // Two batches of 500: at most 2*ceil(log2(500)) + 2 = 20 requests each (was 2n-1 = 999).
  EXPECT_LE(r.requests, 40u);
  EXPECT_EQ(requests_to(kBulk, "POST").size(), r.requests);
}

// ---------------------------------------------------------------- 12. pinned outcomes

TEST_F(LedgerEdges, ASpanRefusedByTheSingleCreateFallbackCountsRejected) {
  Fault missing;
  missing.path_prefix = kBulk;
  missing.status = 404;
  missing.times = -1;
  server_.inject_fault(missing);
  Fault refuse_one;
  refuse_one.path_prefix = "/api/request-logs/";
  refuse_one.method = "POST";
  refuse_one.status = 422;
  refuse_one.body = R"({"detail": "model not allowed"})";
  refuse_one.times = 1;
  server_.inject_fault(refuse_one);
  const DeliveryReport r = log_and_shutdown(5, fast());
  EXPECT_TRUE(r.bulk_unavailable);
  EXPECT_EQ(r.rejected, 1u);
  EXPECT_EQ(r.delivered, 4u);
}

TEST_F(LedgerEdges, AFinalHttpErrorRejectsEverySpanAndDeliversNone) {
  respan::ClientOptions o = options();
  o.api_key = "wrong-key";
  BatchLogger logger(respan::RespanClient(o), fast());
  for (int i = 0; i < 30; ++i)
    logger.log(span_for("unauthorized"));
  const DeliveryReport r = logger.shutdown(10s);
  expect_balanced(r);
  EXPECT_EQ(r.rejected, 30u);
  EXPECT_EQ(r.delivered, 0u);
  EXPECT_EQ(r.requests, 1u);  // 401 is final: no retry, no split
}

// ---------------------------------------------------------------- 4. time saturates

TEST_F(LedgerEdges, DurationMaxMeansNoLimitAndNegativeMeansNone) {
  BatchOptions o = fast();
  o.shutdown_timeout = std::chrono::milliseconds::max();
  o.block_timeout = std::chrono::milliseconds::max();
  o.request_timeout = std::chrono::milliseconds::max();
  o.flush_interval = std::chrono::milliseconds::max();
  o.max_backoff = std::chrono::milliseconds::max();
  BatchLogger logger(client(), o);
  for (int i = 0; i < 10; ++i)
    logger.log(span_for("max"));
  DeliveryReport r = logger.flush(std::chrono::milliseconds::max());
  EXPECT_EQ(r.delivered, 10u);
  const auto t0 = Clock::now();
  logger.log(span_for("negative"));
  r = logger.flush(std::chrono::milliseconds(-5));
  EXPECT_LT(ms_since(t0), 100);
  r = logger.shutdown(std::chrono::milliseconds::max());
  expect_balanced(r);
  EXPECT_EQ(r.delivered, 11u);
  EXPECT_EQ(r.pending, 0u);
}

TEST_F(LedgerEdges, ShutdownAndTheDestructorReturnOnTimeWhileARequestHangs) {
  Fault hang;
  hang.path_prefix = kBulk;
  hang.delay = 20s;
  hang.times = -1;
  server_.inject_fault(hang);
  {
    BatchLogger logger(client(), fast());
    logger.log(span_for("hang"));
    std::this_thread::sleep_for(100ms);  // the request is in flight
    const auto t0 = Clock::now();
    const DeliveryReport f = logger.flush(300ms);
    EXPECT_EQ(f.pending, 1u);
    EXPECT_LT(ms_since(t0), 400);
    const auto t1 = Clock::now();
    const DeliveryReport r = logger.shutdown(300ms);
    EXPECT_LT(ms_since(t1), 400);
    EXPECT_EQ(r.dropped_shutdown, 1u);
  }
  {
    BatchOptions o = fast();
    o.shutdown_timeout = 300ms;
    auto logger = std::make_unique<BatchLogger>(client(), o);
    logger->log(span_for("hang"));
    std::this_thread::sleep_for(100ms);
    const auto t0 = Clock::now();
    logger.reset();
    EXPECT_LT(ms_since(t0), 400);
  }
  {
    respan::TracerOptions o;
    o.batch = fast();
    respan::Tracer tracer(client(), o);
    tracer.start_trace("hang").end();
    std::this_thread::sleep_for(100ms);
    const auto t0 = Clock::now();
    tracer.shutdown(300ms);
    EXPECT_LT(ms_since(t0), 400);
  }
  server_.clear_faults();
}

// ---------------------------------------------------------------- 5. wake-ups and memory

TEST_F(LedgerEdges, TheExporterWakesOnCapacityNotOnlyOnFullBatches) {
  // A queue of 10 spans against batches of 500 and a one-minute interval: the exporter used
  // to sleep out the interval while producers waited for room and dropped.
  BatchOptions o = fast(500);
  o.flush_interval = 60s;
  o.max_queue_spans = 10;
  o.overflow = respan::OverflowPolicy::block;
  o.block_timeout = 5s;
  BatchLogger logger(client(), o);
  EXPECT_EQ(logger.options().max_batch_spans, 10u);  // clamped to the queue
  const auto t0 = Clock::now();
  for (int i = 0; i < 300; ++i)
    logger.log(span_for("cap"));
  const DeliveryReport r = logger.shutdown(10s);
  expect_balanced(r);
  EXPECT_EQ(r.delivered, 300u);
  EXPECT_EQ(r.dropped_queue_full, 0u);
  EXPECT_LT(ms_since(t0), 20000);
}

TEST_F(LedgerEdges, TheExporterWakesOnBytes) {
  BatchOptions o = fast(500);
  o.flush_interval = 60s;
  o.max_batch_bytes = 1u << 20;
  o.max_queue_bytes = 4u << 20;
  o.overflow = respan::OverflowPolicy::block;
  o.block_timeout = 5s;
  BatchLogger logger(client(), o);
  for (int i = 0; i < 60; ++i)
    logger.log(span_for("big", 200 * 1024));
  const DeliveryReport r = logger.shutdown(10s);
  expect_balanced(r);
  EXPECT_EQ(r.delivered, 60u);
  EXPECT_EQ(r.dropped_queue_full, 0u);
}

// ---------------------------------------------------------------- 6. nothing terminates

// A sink that throws where a real one could run out of memory.
class ThrowingSink final : public respan::detail::BatchSink {
 public:
  std::optional<std::string> encode(const respan::TraceSpan& span, std::string& out,
                                    respan::detail::FieldDrops* = nullptr) const override {
    if (span.log.customer_identifier == std::string("encode-throws")) throw std::bad_alloc();
    out += "{}";
    return std::nullopt;
  }
  std::string_view body_prefix() const noexcept override { return "["; }
  std::string_view body_suffix() const noexcept override { return "]"; }
  respan::Result<respan::detail::RowVerdicts> send(const respan::detail::Pipeline&, std::string&,
                                                   std::size_t rows,
                                                   const respan::RequestOptions&) const override {
    if (sends_.fetch_add(1) == 0) throw std::bad_alloc();  // the first request
    return respan::detail::read_answer(respan::detail::AnswerShape::otlp, std::string_view("{}"),
                                       rows);
  }
  std::string describe() const override { return "throwing sink"; }
  mutable std::atomic<int> sends_{0};
};

TEST_F(LedgerEdges, ExceptionsInTheLoggersThreadsAreCountedDropsAndTheThreadsGoOn) {
  auto sink = std::make_shared<ThrowingSink>();
  BatchOptions o = fast(5);
  o.on_event = [](const respan::DeliveryEvent&) { throw std::bad_alloc(); };
  auto logger = respan::detail::BatchLoggerAccess::make(client(), o, sink);
  for (int i = 0; i < 5; ++i)
    logger->log(span_for("first batch"));  // its request throws
  logger->flush(5s);
  logger->log(span_for("encode-throws"));
  for (int i = 0; i < 4; ++i)
    logger->log(span_for("delivered"));
  const DeliveryReport r = logger->shutdown(5s);
  expect_balanced(r);
  EXPECT_EQ(r.dropped_internal, 6u);  // 5 of the throwing request, 1 that did not encode
  EXPECT_EQ(r.delivered, 4u);
}

TEST_F(LedgerEdges, AThreadThatCannotStartIsAnErrorNotTerminate) {
  for (int started_first : {0, 1}) {  // the exporter fails; the exporter starts, the sender fails
    respan::detail::inject_thread_start_failures(1, started_first);
    try {
      BatchLogger logger(client(), fast());
      ADD_FAILURE() << "the constructor did not throw (" << started_first << " thread started)";
    } catch (const respan::ApiError& e) {
      EXPECT_EQ(e.code(), respan::ErrorCode::internal);
    }
  }
  respan::detail::inject_thread_start_failures(1);
  auto t = respan::Tracer::create(client());
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, respan::ErrorCode::internal);
  respan::detail::inject_thread_start_failures(0);
  BatchLogger works(client(), fast());  // nothing left behind
  works.log(span_for("after"));
  EXPECT_EQ(works.shutdown(5s).delivered, 1u);
}

// ---------------------------------------------------------------- 9. current spans

TEST_F(LedgerEdges, SpansEndedOnAnotherThreadLeaveTheStartingThreadsStack) {
  respan::TracerOptions o;
  o.batch = fast();
  o.batch.max_queue_spans = 20000;
  respan::Tracer tracer(client(), o);
  respan::Span root = tracer.start_trace("root");
  std::vector<respan::Span> started;
  started.reserve(10000);
  for (int i = 0; i < 10000; ++i)  // each becomes this thread's current span
    started.push_back(tracer.start_span("s" + std::to_string(i), root.context()));
  std::thread ender([&] {
    for (auto& s : started)
      s.end();
  });
  ender.join();
  // None of them is current any more: the next span here is a child of the root again.
  respan::Span after = tracer.start_span("after");
  const std::string root_id = root.span_unique_id();
  after.end();
  root.end();
  const DeliveryReport r = tracer.shutdown(20s);
  EXPECT_EQ(r.delivered, 10002u);
  std::string parent_of_after = "(not delivered)";
  for (const Json& s : server_.ingested_spans())
    if (s.value("span_name", "") == "after") parent_of_after = s.value("span_parent_id", "");
  EXPECT_EQ(parent_of_after, root_id);
}

TEST_F(LedgerEdges, ImplicitParentingThreeDeepOnOneThread) {
  respan::TracerOptions o;
  o.batch = fast();
  respan::Tracer tracer(client(), o);
  std::string root_id, a_id, b_parent, a_parent;
  {
    respan::Span root = tracer.start_trace("root");
    respan::Span a = tracer.start_span("a");
    respan::Span b = tracer.start_span("b");
    root_id = root.span_unique_id();
    a_id = a.span_unique_id();
  }
  tracer.shutdown(10s);
  for (const Json& s : server_.ingested_spans()) {
    if (s.value("span_name", "") == "b") b_parent = s.value("span_parent_id", "");
    if (s.value("span_name", "") == "a") a_parent = s.value("span_parent_id", "");
  }
  EXPECT_EQ(b_parent, a_id);
  EXPECT_EQ(a_parent, root_id);
}

// ---------------------------------------------------------------- 2. fork

bool wait_child(pid_t pid, int& status, std::chrono::seconds limit) {
  const auto until = Clock::now() + limit;
  while (Clock::now() < until) {
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return true;
    std::this_thread::sleep_for(5ms);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return false;
}

#if defined(__SANITIZE_THREAD__)
#define RESPAN_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RESPAN_TSAN 1
#endif
#endif

TEST_F(LedgerEdges, FiftyChildrenForkedWhileFourThreadsLogNeitherHangNorRepeatIds) {
#ifdef RESPAN_TSAN
  GTEST_SKIP() << "ThreadSanitizer does not support fork() from a multithreaded process; "
                  "this test runs in the plain and ASan builds";
#endif
  respan::TracerOptions to;
  to.batch = fast();
  to.batch.shutdown_timeout = 1s;
  auto* logger = new BatchLogger(client(), fast());
  auto* tracer = new respan::Tracer(client(), to);
  std::atomic<bool> stop{false};
  std::vector<std::thread> producers;
  respan_test::ForkGate gate(4);
  for (int t = 0; t < 4; ++t) {
    producers.emplace_back([&, t] {
      for (int i = 0; !stop.load(); ++i) {
        gate.pass();
        logger->log(span_for("parent-" + std::to_string(t)));
        respan::Span s = tracer->start_trace("parent");
        if (i % 50 == 0) std::this_thread::sleep_for(1ms);
      }
    });
  }
  std::set<std::string> ids;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::vector<pid_t> children;
  for (int c = 0; c < 50; ++c) {
    std::this_thread::sleep_for(2ms);
    const pid_t pid = gate.around_fork([] { return fork(); },
                                       [&] {
                                         logger->flush(10s);
                                         tracer->flush(10s);
                                       });
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      // The child: every call returns in time; its own spans are delivered by fresh threads.
      int code = 0;
      for (int i = 0; i < 3; ++i)
        logger->log(span_for("child"));
      const DeliveryReport f = logger->flush(20s);  // sanitizers and a loaded machine are slow
      if (f.delivered != 3 || f.logged != 3) {
        code = 2;
        std::fprintf(stderr, "child: %s\n", Json(f).dump().c_str());
      }
      std::string out;
      for (int i = 0; i < 4; ++i) {
        respan::Span s = tracer->start_trace("child");
        out += s.trace_unique_id() + " " + s.span_unique_id() + "\n";
      }
      if (write(fds[1], out.data(), out.size()) != static_cast<ssize_t>(out.size())) code = 3;
      const auto t0 = Clock::now();
      delete tracer;  // destructors of inherited objects never hang
      delete logger;
      if (ms_since(t0) > 5000) code = 4;
      _exit(code);
    }
    children.push_back(pid);
  }
  close(fds[1]);
  std::string text;
  std::thread reader([&] {
    char buf[4096];
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;)
      text.append(buf, static_cast<std::size_t>(n));
  });
  int hung = 0, failed = 0;
  for (pid_t pid : children) {
    int status = 0;
    if (!wait_child(pid, status, 90s)) {
      ++hung;
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      ++failed;
      ADD_FAILURE() << "child " << pid << ": "
                    << (WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                          : "signal " + std::to_string(WTERMSIG(status)));
    }
  }
  reader.join();
  close(fds[0]);
  stop = true;
  for (auto& t : producers)
    t.join();
  EXPECT_EQ(hung, 0);
  EXPECT_EQ(failed, 0);
  std::size_t count = 0;
  for (std::size_t b = 0, e; (e = text.find('\n', b)) != std::string::npos; b = e + 1) {
    const std::string line = text.substr(b, e - b);
    ids.insert(line.substr(0, 32));
    ids.insert(line.substr(33));
    count += 2;
  }
  EXPECT_EQ(count, 50u * 4 * 2);
  EXPECT_EQ(ids.size(), count) << "ids repeat across forked processes";
  // The parent's own logger and tracer still work.
  logger->log(span_for("parent-after"));
  EXPECT_EQ(logger->flush(10s).pending, 0u);
  delete tracer;
  const DeliveryReport r = logger->shutdown(10s);
  expect_balanced(r);
  delete logger;
}

}  // namespace
