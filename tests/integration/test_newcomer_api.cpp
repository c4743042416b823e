// The public API as a newcomer writes it (issue "The public API as a newcomer writes it"),
// against the mock server over loopback: BatchLogger::create and its validation, flush() and
// shutdown() without a deadline, the first delivery failure said once and kept in the
// DeliveryReport, exceptions recorded on spans, and context that follows the work to other
// threads.
#include <atomic>
#include <chrono>
#include <future>
#include <limits>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <respan/respan.hpp>
#include <respan/tracing.hpp>

#include "mock_api_test.hpp"

namespace {

using respan::BatchLogger;
using respan::BatchOptions;
using respan::DeliveryReport;
using respan::Json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kBulk = "/api/request-logs/bulk/";
constexpr const char* kIngest = "/api/v1/traces/ingest";

respan::RequestLog span_for(const std::string& tag) {
  respan::RequestLog s;
  s.model = "gpt-4o";
  s.customer_identifier = tag;
  return s;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size()))
    ++n;
  return n;
}

class NewcomerApi : public MockApiTest {
 protected:
  respan::RespanClient client() const { return respan::RespanClient(options()); }
  static BatchOptions fast() {
    BatchOptions o;
    o.flush_interval = milliseconds(20);
    o.min_backoff = milliseconds(1);
    o.max_backoff = milliseconds(5);
    return o;
  }
  respan::Tracer tracer(respan::TracerOptions o = {}) const {
    o.batch.flush_interval = milliseconds(20);
    o.batch.min_backoff = milliseconds(1);
    o.batch.max_backoff = milliseconds(5);
    return respan::Tracer(client(), std::move(o));
  }
  // The spans the mock stored through trace ingest, by span name.
  Json ingested(const std::string& name) const {
    for (const Json& s : server_.ingested_spans())
      if (s.value("span_name", "") == name) return s;
    return Json();
  }
};

// ---------------------------------------------------------------- item 7: one policy

TEST_F(NewcomerApi, CreateRefusesOptionsOutOfRangeOrContradictingEachOther) {
  struct Case {
    const char* what;
    void (*set)(BatchOptions&);
  };
  const Case cases[] = {
      {"max_batch_spans", [](BatchOptions& o) { o.max_batch_spans = 0; }},
      {"max_batch_spans", [](BatchOptions& o) { o.max_batch_spans = 501; }},
      {"max_queue_spans", [](BatchOptions& o) { o.max_queue_spans = 0; }},
      {"max_batch_bytes", [](BatchOptions& o) { o.max_batch_bytes = 1024; }},
      {"max_queue_bytes", [](BatchOptions& o) { o.max_queue_bytes = 1; }},
      {"flush_interval", [](BatchOptions& o) { o.flush_interval = milliseconds(0); }},
      {"flush_interval", [](BatchOptions& o) { o.flush_interval = milliseconds(-5); }},
      {"block_timeout", [](BatchOptions& o) { o.block_timeout = milliseconds(-1); }},
      {"max_backoff",
       [](BatchOptions& o) {
         o.min_backoff = milliseconds(500);
         o.max_backoff = milliseconds(100);
       }},
      {"request_timeout", [](BatchOptions& o) { o.request_timeout = milliseconds(-1); }},
      {"shutdown_timeout", [](BatchOptions& o) { o.shutdown_timeout = milliseconds(-1); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    BatchOptions o;
    c.set(o);
    respan::Result<BatchLogger> r = BatchLogger::create(client(), o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, respan::ErrorCode::invalid_argument);
    EXPECT_NE(r.error().message.find(c.what), std::string::npos) << r.error().message;
    // The constructor throws the same error; a Tracer refuses the same batch options.
    EXPECT_THROW(BatchLogger(client(), o), respan::ApiError);
    respan::TracerOptions t;
    t.batch = o;
    respan::Result<respan::Tracer> tr = respan::Tracer::create(client(), t);
    ASSERT_FALSE(tr.ok());
    EXPECT_EQ(tr.error().code, respan::ErrorCode::invalid_argument);
  }
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(NewcomerApi, CreateAcceptsMaxDurationsAndTheLoggerMoves) {
  BatchOptions o = fast();
  o.block_timeout = milliseconds::max();
  o.shutdown_timeout = milliseconds::max();
  o.max_backoff = milliseconds::max();
  o.request_timeout = milliseconds::max();
  respan::Result<BatchLogger> created = BatchLogger::create(client(), o);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(created->options().shutdown_timeout, milliseconds::max());
  EXPECT_EQ(created->options().max_backoff, std::chrono::hours(1));

  BatchLogger logger = std::move(created).value();
  for (int i = 0; i < 20; ++i)
    EXPECT_TRUE(logger.log(span_for("moved")));
  BatchLogger other = std::move(logger);
  EXPECT_FALSE(logger.log(span_for("from the moved-from one")));  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(logger.stats().logged, 0u);
  // flush() without an argument returns only when everything logged is settled.
  const DeliveryReport r = other.flush();
  EXPECT_EQ(r.logged, 20u);
  EXPECT_EQ(r.delivered, 20u);
  EXPECT_EQ(r.pending, 0u);
  EXPECT_EQ(server_.request_logs().size(), 20u);
}

TEST_F(NewcomerApi, ShutdownWithoutDeadlineWaitsOutAnOutage) {
  respan::testing::Fault f;
  f.status = 503;
  f.times = 3;
  f.path_prefix = kBulk;
  server_.inject_fault(f);
  BatchOptions o = fast();
  o.min_backoff = milliseconds(30);
  o.max_backoff = milliseconds(60);
  BatchLogger logger(client(), o);
  for (int i = 0; i < 5; ++i)
    logger.log(span_for("outage"));
  const DeliveryReport r = logger.shutdown();
  EXPECT_EQ(r.delivered, 5u);
  EXPECT_EQ(r.pending, 0u);
  EXPECT_EQ(r.retries, 3u);
  // The outage is remembered after the success that ended it.
  EXPECT_NE(r.last_error.find("503"), std::string::npos) << r.last_error;
  EXPECT_EQ(r.last_error_status, 503);
}

// ---------------------------------------------------------------- item 4: failures said

TEST_F(NewcomerApi, FirstDeliveryFailureIsSaidOnceOnStderrAndKeptInTheReport) {
  respan::testing::Fault f;
  f.status = 503;
  f.times = 4;
  f.path_prefix = kBulk;
  server_.inject_fault(f);
  testing::internal::CaptureStderr();
  DeliveryReport r;
  {
    BatchLogger logger(client(), fast());
    for (int i = 0; i < 3; ++i)
      logger.log(span_for("stderr"));
    r = logger.flush(seconds(10));
  }
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(r.delivered, 3u);
  EXPECT_EQ(count_of(err, "respan: "), 1u) << err;
  EXPECT_NE(err.find("BatchLogger"), std::string::npos) << err;
  EXPECT_NE(err.find("503"), std::string::npos) << err;
  EXPECT_EQ(err.find(server_.api_key()), std::string::npos) << "the API key was printed";
  EXPECT_NE(r.last_error.find("HTTP 503"), std::string::npos) << r.last_error;
  Json j = r;
  EXPECT_EQ(j["last_error_status"], 503);
}

TEST_F(NewcomerApi, TheClientsLogCallbackReplacesStderr) {
  respan::ClientOptions co = options();
  std::vector<std::string> messages;
  std::mutex mu;
  co.log = [&](respan::LogLevel level, std::string_view m) {
    std::lock_guard<std::mutex> lk(mu);
    if (level == respan::LogLevel::error) messages.emplace_back(m);
  };
  co.base_url = "http://127.0.0.1:1";  // nothing listens there
  testing::internal::CaptureStderr();
  DeliveryReport r;
  {
    respan::TracerOptions to;
    to.batch = fast();
    respan::Tracer t(respan::RespanClient(co), to);
    { respan::Span s = t.start_trace("unreachable"); }
    r = t.shutdown(milliseconds(300));
  }
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(err.find("respan: "), std::string::npos) << err;
  std::lock_guard<std::mutex> lk(mu);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_NE(messages[0].find("Tracer"), std::string::npos) << messages[0];
  EXPECT_EQ(r.delivered, 0u);
  EXPECT_EQ(r.dropped_shutdown, 1u);
  EXPECT_FALSE(r.last_error.empty());
  EXPECT_EQ(r.last_error_status, 0);
}

// ---------------------------------------------------------------- item 4: exceptions

struct QuotaExceeded : std::runtime_error {
  QuotaExceeded() : std::runtime_error("quota exceeded for model gpt-4o") {}
};

TEST_F(NewcomerApi, RecordExceptionKeepsTypeAndMessageInEveryExporter) {
  for (const bool otlp : {false, true}) {
    SCOPED_TRACE(otlp ? "otlp" : "ingest");
    server_.clear_requests();
    respan::TracerOptions o;
    if (otlp) o.exporter = respan::TraceExporter::otlp;
    respan::Tracer t = tracer(o);
    {
      respan::Span s = t.start_trace(otlp ? "otlp-call" : "ingest-call");
      try {
        throw QuotaExceeded();
      } catch (const std::exception& e) {
        s.record_exception(e);
      }
    }
    ASSERT_EQ(t.flush(seconds(10)).delivered, 1u);
    if (!otlp) {
      const Json row = ingested("ingest-call");
      ASSERT_TRUE(row.is_object());
      EXPECT_EQ(row["status"], "error");
      EXPECT_EQ(row["error_message"],
                "(anonymous namespace)::QuotaExceeded: quota exceeded for model gpt-4o");
    } else {
      const auto reqs = requests_to("/api/v2/traces", "POST");
      ASSERT_EQ(reqs.size(), 1u);
      const Json span = reqs[0].json()["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
      EXPECT_EQ(span["status"]["code"], 2);
      EXPECT_EQ(span["status"]["message"], "quota exceeded for model gpt-4o");
      Json event_attrs = span["events"][0]["attributes"];
      std::map<std::string, std::string> attrs;
      for (const Json& a : event_attrs)
        attrs[a["key"]] = a["value"].value("stringValue", "");
      EXPECT_EQ(attrs["exception.type"], "(anonymous namespace)::QuotaExceeded");
      EXPECT_EQ(attrs["exception.message"], "quota exceeded for model gpt-4o");
      EXPECT_EQ(attrs["error.type"], "(anonymous namespace)::QuotaExceeded");
    }
  }
}

TEST_F(NewcomerApi, InSpanRecordsWhatLeavesTheCodeAndRethrows) {
  respan::Tracer t = tracer();
  std::string root_id;
  {
    respan::Span root = t.start_trace("request");
    root_id = root.span_unique_id();
    const int n = t.in_span("parse", [](respan::Span& s) {
      s.set_model("gpt-4o");
      return 42;
    });
    EXPECT_EQ(n, 42);
    EXPECT_THROW(t.in_span("call", [] { throw std::out_of_range("no such tool: search"); }),
                 std::out_of_range);
    EXPECT_THROW(t.in_span("opaque", [] { throw 7; }), int);
    std::string text = "kept";
    std::string& ref = t.in_span("ref", [&]() -> std::string& { return text; });
    EXPECT_EQ(&ref, &text);
  }
  ASSERT_EQ(t.flush(seconds(10)).delivered, 5u);
  const Json parse = ingested("parse");
  EXPECT_EQ(parse["status"], "success");
  EXPECT_EQ(parse["span_parent_id"], root_id);
  const Json call = ingested("call");
  EXPECT_EQ(call["status"], "error");
  EXPECT_EQ(call["error_message"], "std::out_of_range: no such tool: search");
  EXPECT_EQ(call["span_parent_id"], root_id);
  const Json opaque = ingested("opaque");
  EXPECT_EQ(opaque["status"], "error");
  EXPECT_EQ(opaque["error_message"], "an exception not derived from std::exception");
}

TEST(RecordException, MarksARequestLogForTheBatchLogger) {
  respan::RequestLog log;
  respan::record_exception(log, std::invalid_argument("bad temperature"));
  ASSERT_TRUE(log.status.has_value());
  EXPECT_EQ(*log.status, respan::SpanStatus::error());
  EXPECT_EQ(log.error_message, "std::invalid_argument: bad temperature");
}

// ---------------------------------------------------------------- item 6: context

TEST_F(NewcomerApi, MakeCurrentNestsWorkOnAnotherThreadUntilTheScopeEnds) {
  respan::Tracer t = tracer();
  std::string root_id;
  std::string trace_id;
  {
    respan::Span root = t.start_trace("root");
    root_id = root.span_unique_id();
    trace_id = root.trace_unique_id();
    std::thread worker([&] {
      EXPECT_FALSE(t.current_context().valid());
      {
        auto scope = root.make_current();
        EXPECT_EQ(t.current_context().span_unique_id(), root_id);
        respan::Span inside = t.start_span("inside");
      }
      respan::Span after = t.start_span("after");  // the scope ended: a new trace
    });
    worker.join();
  }
  ASSERT_EQ(t.flush(seconds(10)).delivered, 3u);
  EXPECT_EQ(ingested("inside")["span_parent_id"], root_id);
  EXPECT_EQ(ingested("inside")["trace_unique_id"], trace_id);
  const Json after = ingested("after");
  EXPECT_FALSE(after.contains("span_parent_id") && !after["span_parent_id"].is_null());
  EXPECT_NE(after["trace_unique_id"], trace_id);
}

TEST_F(NewcomerApi, WrapCarriesTheCallersSpanIntoAsyncAndPools) {
  respan::Tracer t = tracer();
  std::string root_id;
  {
    respan::Span root = t.start_trace("fan-out");
    root_id = root.span_unique_id();
    std::vector<std::future<int>> parts;
    for (int i = 0; i < 3; ++i) {
      parts.push_back(std::async(std::launch::async, t.wrap([&t, i] {
        respan::Span part = t.start_span("part-" + std::to_string(i));
        return i;
      })));
    }
    int sum = 0;
    for (auto& p : parts)
      sum += p.get();
    EXPECT_EQ(sum, 3);
    // Without wrap the same call starts a trace of its own.
    std::async(std::launch::async, [&t] { respan::Span lost = t.start_span("unwrapped"); }).get();
  }
  ASSERT_EQ(t.flush(seconds(10)).delivered, 5u);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(ingested("part-" + std::to_string(i))["span_parent_id"], root_id) << i;
  const Json lost = ingested("unwrapped");
  EXPECT_FALSE(lost.contains("span_parent_id") && !lost["span_parent_id"].is_null());
}

TEST_F(NewcomerApi, ARemoteParentMadeCurrentAppliesToTheTracer) {
  const auto remote = respan::SpanContext::from_ids("0123456789abcdef0123456789abcdef",
                                                    "00f067aa0ba902b7", "upstream");
  ASSERT_TRUE(remote.has_value());
  respan::Tracer t = tracer();
  {
    auto scope = remote->make_current();
    respan::Span s = t.start_span("downstream");
    EXPECT_EQ(s.trace_unique_id(), "0123456789abcdef0123456789abcdef");
  }
  ASSERT_EQ(t.flush(seconds(10)).delivered, 1u);
  const Json s = ingested("downstream");
  EXPECT_EQ(s["span_parent_id"], "00f067aa0ba902b7");
  EXPECT_EQ(s["span_workflow_name"], "upstream");
  EXPECT_TRUE(server_.requests().size() >= 1u);
  EXPECT_EQ(requests_to(kIngest, "POST").size(), 1u);
}

}  // namespace

namespace {

// ---------------------------------------------------------------- item 5: known fields

TEST_F(NewcomerApi, AnUnknownFilterFieldIsSentButWarnedAboutOncePerField) {
  respan::ClientOptions co = options();
  std::vector<std::string> warnings;
  std::mutex mu;
  co.log = [&](respan::LogLevel level, std::string_view m) {
    std::lock_guard<std::mutex> lk(mu);
    if (level == respan::LogLevel::warn && m.find("filter field") != std::string_view::npos)
      warnings.emplace_back(m);
  };
  respan::RespanClient c(co);
  respan::RequestLogListQuery q;
  q.filters
      .equals("customer_idx", "c-1")  // a typo of customer_identifier
      .equals(respan::SpanField::customer_identifier, "c-1")
      .equals(respan::Filters::metadata("feature"), "checkout")
      .gte(respan::Filters::score("eval-1"), 0.5);
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(c.request_logs().list(q).ok());
  {
    std::lock_guard<std::mutex> lk(mu);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("'customer_idx'"), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[0].find("spans"), std::string::npos) << warnings[0];
  }
  const auto sent = requests_to("/api/request-logs/list/", "POST");
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_TRUE(sent[0].json()["filters"].contains("customer_idx"));

  // A span field is not a trace field; the documented trace fields pass.
  respan::TraceListQuery tq;
  tq.filters.gte(respan::TraceField::total_cost, 0.1).equals(respan::SpanField::span_name, "x");
  ASSERT_TRUE(c.traces().list(tq).ok());
  std::lock_guard<std::mutex> lk(mu);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[1].find("'span_name'"), std::string::npos) << warnings[1];
  EXPECT_NE(warnings[1].find("traces"), std::string::npos) << warnings[1];
}

// ---------------------------------------------------------------- items 2 and 3: fields

// Detects a member named `name` in T (the legacy aliases must not be writable).
#define RESPAN_TEST_HAS_MEMBER(trait, name) \
  template <class T, class = void>          \
  struct trait : std::false_type {};        \
  template <class T>                        \
  struct trait<T, std::void_t<decltype(std::declval<T&>().name)>> : std::true_type {};
RESPAN_TEST_HAS_MEMBER(HasMessages, messages)
RESPAN_TEST_HAS_MEMBER(HasGenerationTime, generation_time)
RESPAN_TEST_HAS_MEMBER(HasTtft, ttft)
RESPAN_TEST_HAS_MEMBER(HasKeywordsaiParams, keywordsai_params)
#undef RESPAN_TEST_HAS_MEMBER

TEST_F(NewcomerApi, AssignmentsThatReadAsMeantCompileAndSendWhatTheySay) {
  using namespace std::chrono_literals;
  respan::RequestLog span("gpt-4o");
  span.prompt_messages = {respan::Message::user("hi")};
  span.completion_message = respan::Message::assistant("hello");
  span.tools = {respan::ToolDefinition::make_function("lookup", "Finds an order", Json::object())};
  span.latency = std::chrono::milliseconds(840);
  span.time_to_first_token = 210ms;
  span.timestamp = std::chrono::system_clock::now();
  span.start_time = std::chrono::system_clock::now() - 840ms;
  span.log_type = "chat";
  span.status = "success";
  auto c = client();
  ASSERT_TRUE(c.request_logs().create(span).ok());

  const auto sent = requests_to("/api/request-logs/", "POST");
  ASSERT_EQ(sent.size(), 1u);
  const Json body = sent[0].json();
  EXPECT_EQ(body["latency"], 0.84) << body.dump();  // milliseconds go out as seconds
  EXPECT_EQ(body["time_to_first_token"], 0.21);
  ASSERT_EQ(body["prompt_messages"].size(), 1u);
  EXPECT_EQ(body["prompt_messages"][0]["content"], "hi");
  EXPECT_EQ(body["tools"][0]["function"]["name"], "lookup");
  EXPECT_EQ(body["log_type"], "chat");
  EXPECT_EQ(body["status"], "success");
  const respan::Timestamp sent_at(body["timestamp"].get<std::string>());
  ASSERT_TRUE(sent_at.valid()) << body["timestamp"];
  EXPECT_LT(std::chrono::system_clock::now() - *sent_at.to_time_point(), 60s);

  // A number of seconds still works; `= {}` unsets a list as it unsets a std::optional.
  span.latency = 1.5;
  span.prompt_messages = {};
  span.tools = std::vector<respan::ToolDefinition>{};  // an empty list, sent as []
  ASSERT_TRUE(c.request_logs().create(span).ok());
  const Json second = requests_to("/api/request-logs/", "POST").at(1).json();
  EXPECT_EQ(second["latency"], 1.5);
  EXPECT_FALSE(second.contains("prompt_messages")) << second.dump();
  EXPECT_EQ(second["tools"], Json::array());

  // Read back: durations are Seconds, comparable with chrono durations and numbers.
  respan::RequestLogRecord rec =
      Json{{"model", "m"}, {"latency", 0.25}}.get<respan::RequestLogRecord>();
  ASSERT_TRUE(rec.latency);
  EXPECT_EQ(*rec.latency, 250ms);
  EXPECT_EQ(*rec.latency, 0.25);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(rec.latency->duration()), 250ms);
}

TEST_F(NewcomerApi, EveryDurationFieldTakesAChronoDuration) {
  using namespace std::chrono_literals;
  const respan::Seconds ms(1500ms), us(std::chrono::microseconds(250)), min(2min);
  EXPECT_DOUBLE_EQ(ms.count(), 1.5);
  EXPECT_DOUBLE_EQ(us.count(), 0.00025);
  EXPECT_DOUBLE_EQ(min.count(), 120.0);
  respan::DatasetLogRecord dl;
  dl.latency = 1200ms;
  EXPECT_EQ(Json(dl)["latency"], 1.2);
  respan::RequestLogCreated created;
  created.latency = 3s;
  created.time_to_first_token = 500ms;
  EXPECT_EQ(Json(created)["time_to_first_token"], 0.5);
  respan::TraceRecord trace;
  trace.duration = 90s;
  EXPECT_EQ(Json(trace)["duration"], 90.0);
  respan::CustomerRecord customer;
  customer.average_latency = 1200ms;
  customer.average_ttft = 300ms;
  EXPECT_EQ(Json(customer)["average_ttft"], 0.3);
  // A non-finite duration is refused by the synchronous create, as any non-finite number.
  respan::RequestLog bad("gpt-4o");
  bad.latency = std::numeric_limits<double>::infinity();
  auto c = client();
  auto r = c.request_logs().create(bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, respan::ErrorCode::invalid_argument);
  EXPECT_NE(r.error().message.find("latency"), std::string::npos) << r.error().message;
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(NewcomerApi, OneFieldPerFactAndTheLegacyNamesAreStillRead) {
  EXPECT_FALSE(HasMessages<respan::RequestLog>::value);
  EXPECT_FALSE(HasGenerationTime<respan::RequestLog>::value);
  EXPECT_FALSE(HasTtft<respan::RequestLog>::value);
  EXPECT_FALSE(HasKeywordsaiParams<respan::RequestLog>::value);
  EXPECT_FALSE(HasGenerationTime<respan::RequestLogRecord>::value);

  // Responses (and JSON lines written by older code) may use the legacy names: they fill the
  // canonical fields and are not left in `extra`, so nothing is sent twice when logged again.
  const Json legacy = {{"model", "gpt-4o"},
                       {"messages", {{{"role", "user"}, {"content", "hi"}}}},
                       {"generation_time", 1.25},
                       {"ttft", 0.5},
                       {"keywordsai_params", {{"cache_enabled", true}}}};
  const auto rec = legacy.get<respan::RequestLogRecord>();
  ASSERT_TRUE(rec.prompt_messages);
  EXPECT_EQ(rec.prompt_messages->at(0).text(), "hi");
  EXPECT_DOUBLE_EQ(rec.latency->count(), 1.25);
  EXPECT_DOUBLE_EQ(rec.time_to_first_token->count(), 0.5);
  EXPECT_EQ(rec.respan_params, (Json{{"cache_enabled", true}}));
  EXPECT_TRUE(rec.extra.empty()) << rec.extra.dump();
  const Json again = respan::RequestLog::from_record(rec);
  for (const char* legacy_name : {"messages", "generation_time", "ttft", "keywordsai_params"})
    EXPECT_FALSE(again.contains(legacy_name)) << legacy_name << " in " << again.dump();
  EXPECT_EQ(again["latency"], 1.25);

  // Where both are present the canonical field wins.
  const auto both =
      Json{{"model", "m"}, {"latency", 2.0}, {"generation_time", 9.0}}.get<respan::RequestLog>();
  EXPECT_DOUBLE_EQ(both.latency->count(), 2.0);
}

}  // namespace
