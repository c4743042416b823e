// respan::BatchLogger benchmarks, compiled into respan_bench next to bench_create.cpp (whose
// main() runs them all, randomly interleaved and repeated):
//
//   ./build/release/bench/respan_bench --benchmark_filter='BatchLog|Trace|SyncCreate|Serialize'
//       --benchmark_repetitions=5                                     (one command line)
//
// - BM_BatchLog_Caller: what log() costs the calling thread for a typical chat span, with 1
//   and 2 producer threads. copy:0 moves pre-made copies in (log(RequestLog&&), the copies
//   are made outside the timed region); copy:1 passes one span by reference
//   (log(const RequestLog&), the copy happens inside log()). Each call is timed with
//   steady_clock into a per-thread sample vector; the counters median_ns, p99_ns, p999_ns and
//   max_ns are over all threads' samples (they include one steady_clock::now(), ~20-30 ns).
//   The queue never fills: caps far above what is logged (1,000,000 spans, 1 GiB), and every
//   10,000 calls per thread the timer is paused while flush() empties it, so no call takes
//   the drop path (a dropped span fails the benchmark). The exporter and the sink server run
//   during the timed calls, as they would in production.
// - BM_Handoff_Baseline: the floor for copy:0 above: the same span moved into a mutex-
//   protected, pre-reserved std::vector (1 and 2 threads, same counters). Goal: log(&&)
//   median within 2.5x of it.
// - BM_Trace_SpanLifecycle: what a traced LLM call costs the calling thread, with 1 and 2
//   threads: Tracer::start_span() (a child of the thread's current root span), the setters
//   for the same fields as BM_BatchLog_Caller's span (model, messages copied in, usage,
//   customer, metadata), and end() (ids, times, queueing to the trace ingest exporter). Timed
//   and flushed like BM_BatchLog_Caller (same counters, same sink process, route
//   /api/v1/traces/ingest); compare its median_ns with BM_BatchLog_Caller copy:1 (goal:
//   within 2x).
// - BM_BatchLog_Delivered: spans per second delivered by a BatchLogger to a minimal loopback
//   sink server: 20,000 spans logged (moved in; copies made with the timer paused) and then
//   flush() inside the timed region, per iteration. Fails unless every one is delivered.
// - BM_SyncCreate_OneByOne: the same span sent with client.request_logs().create(), one
//   synchronous call after the other, to the same sink.
// - BM_Serialize_Only: the same 20,000 spans serialized with the logger's serializer
//   (detail::encode + detail::write_json) into {"logs":[...]} bodies of up to 500 rows, no
//   network: the bound for Delivered on this machine. (The logger writes each row into its own
//   string and joins them per request; here rows are written straight into the body, so this
//   bound is, if anything, slightly optimistic.)
//
// Compare items_per_second medians: Delivered / SyncCreate_OneByOne (goal >= 20x) and
// Delivered / Serialize_Only (goal >= 0.5x). The sink runs in this process, so on a small
// machine it competes with the logger for CPU; it does the least a server can: checks the
// Authorization header, counts the rows of a bulk body in one pass over the bytes, and
// answers canned JSON.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>
#include <httplib.h>

#include <respan/batch_logger.hpp>
#include <respan/respan.hpp>
#include <respan/tracing.hpp>

#include "bench_common.hpp"
#include "models/encode.hpp"
#include "util/json_write.hpp"

namespace {

using respan_bench::sample_span;

constexpr std::size_t kNotABulkBody = static_cast<std::size_t>(-1);

// The number of objects in the top-level array of a {"logs": [...]} body, in one pass over
// the bytes (strings and their escapes skipped); kNotABulkBody for anything else.
std::size_t count_bulk_rows(std::string_view body) {
  std::size_t rows = 0;
  char stack[3] = {0, 0, 0};  // container kinds of the first three levels
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : body) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '{':
      case '[':
        if (depth == 0 && c != '{') return kNotABulkBody;
        if (depth == 2 && c == '{' && stack[1] == '[') ++rows;
        if (depth < 3) stack[depth] = c;
        ++depth;
        break;
      case '}':
      case ']':
        if (depth == 0) return kNotABulkBody;
        --depth;
        break;
      default:
        break;
    }
  }
  return depth == 0 && !in_string ? rows : kNotABulkBody;
}

// A minimal Respan stand-in on 127.0.0.1 (ephemeral port): POST /api/request-logs/bulk/ and
// POST /api/request-logs/ with the right bearer key get a canned 200, anything else 401/404.
class Sink {
 public:
  static Sink& get() {
    static Sink sink;
    return sink;
  }

  const respan::RespanClient& client() const { return *client_; }
  std::uint64_t rows() const { return rows_.load(std::memory_order_relaxed); }

  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;
  ~Sink() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  static constexpr const char* kKey = "sink-key";
  // With exactly "application/json" cpp-httplib would brotli/gzip-compress every answer (as
  // the client accepts it), which costs more CPU than the rest of the sink together.
  static constexpr const char* kJson = "application/json; charset=utf-8";

  Sink() {
    server_.new_task_queue = [] { return new httplib::ThreadPool(32); };
    server_.set_keep_alive_max_count(1000000);
    server_.set_tcp_nodelay(true);
    server_.Post("/api/request-logs/bulk/", [this](const httplib::Request& req,
                                                   httplib::Response& res) {
      if (!authorized(req, res)) return;
      const std::size_t n = count_bulk_rows(req.body);
      if (n == kNotABulkBody) {
        res.status = 400;
        res.set_content(R"({"detail":"logs must be a list of spans."})", kJson);
        return;
      }
      rows_.fetch_add(n, std::memory_order_relaxed);
      res.set_content(
          "{\"success_count\":" + std::to_string(n) + R"(,"error_count":0,"errors":[]})", kJson);
    });
    server_.Post(
        "/api/v1/traces/ingest", [this](const httplib::Request& req, httplib::Response& res) {
          if (!authorized(req, res)) return;
          const std::size_t n = count_bulk_rows(req.body);  // {"data": [...]}
          if (n == kNotABulkBody) {
            res.status = 400;
            res.set_content(R"({"detail":"data must be a list of spans."})", kJson);
            return;
          }
          rows_.fetch_add(n, std::memory_order_relaxed);
          res.set_content("{\"message\":\"Processed " + std::to_string(n) + " spans\"}", kJson);
        });
    server_.Post("/api/request-logs/", [this](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      rows_.fetch_add(1, std::memory_order_relaxed);
      res.set_content(R"({"unique_id":"x","id":"x"})", kJson);
    });
    const int port = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running())
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    respan::ClientOptions o;
    o.api_key = kKey;
    o.base_url = "http://127.0.0.1:" + std::to_string(port);
    client_ = std::make_unique<respan::RespanClient>(respan::RespanClient::create(o).value());
  }

  static bool authorized(const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Authorization") == std::string("Bearer ") + kKey) return true;
    res.status = 401;
    res.set_content(R"({"detail":"Authentication credentials were not provided."})", kJson);
    return false;
  }

  httplib::Server server_;
  std::thread thread_;
  std::atomic<std::uint64_t> rows_{0};
  std::unique_ptr<respan::RespanClient> client_;
};

// ------------------------------------------------------------------ caller's cost of log()

constexpr std::size_t kCallerChunk = 10000;         // calls per thread between two flushes
constexpr std::int64_t kCallerIterations = 100000;  // calls per thread per run

respan::BatchLogger& caller_logger() {
  static respan::BatchLogger logger = [] {
    respan::BatchOptions o;
    o.max_queue_spans = 1000000;
    o.max_queue_bytes = std::size_t{1} << 30;
    return respan::BatchLogger(Sink::get().client(), o);
  }();
  return logger;
}

// The samples of every thread of one run, merged once all threads are done.
struct Samples {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::uint32_t> ns;
  int arrived = 0;
  std::uint64_t dropped = 0;
};

Samples& caller_samples() {
  static Samples s;
  return s;
}

// The per-call latency histogram as counters (median, p99, p999, max in ns). Counters of
// thread 0 only: summed over threads, they stay as they are.
void report_latencies(benchmark::State& state, std::vector<std::uint32_t>& all) {
  auto percentile = [&all](double p) {
    const auto k = static_cast<std::size_t>(p * static_cast<double>(all.size() - 1));
    std::nth_element(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k), all.end());
    return static_cast<double>(all[k]);
  };
  state.counters["median_ns"] = percentile(0.5);
  state.counters["p99_ns"] = percentile(0.99);
  state.counters["p999_ns"] = percentile(0.999);
  state.counters["max_ns"] = static_cast<double>(*std::max_element(all.begin(), all.end()));
}

void BM_BatchLog_Caller(benchmark::State& state) {
  respan::BatchLogger& logger = caller_logger();
  Samples& merged = caller_samples();
  if (state.thread_index() == 0) {
    // Before the start barrier: other threads touch `merged` only after the loop.
    merged.ns.clear();
    merged.arrived = 0;
    merged.dropped = 0;
  }
  const bool copy = state.range(0) != 0;
  const respan::RequestLog proto = sample_span();
  std::vector<respan::RequestLog> spans;
  if (!copy) spans.assign(kCallerChunk, proto);
  std::vector<std::uint32_t> ns;
  ns.reserve(static_cast<std::size_t>(state.max_iterations));
  std::uint64_t dropped = 0;
  std::size_t i = 0;
  for (auto _ : state) {
    if (i == kCallerChunk) {
      state.PauseTiming();
      logger.flush(std::chrono::seconds(60));
      if (!copy) std::fill(spans.begin(), spans.end(), proto);
      i = 0;
      state.ResumeTiming();
    }
    const auto t0 = std::chrono::steady_clock::now();
    const bool queued = copy ? logger.log(proto) : logger.log(std::move(spans[i]));
    const auto t1 = std::chrono::steady_clock::now();
    ++i;
    dropped += queued ? 0 : 1;
    const auto d = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
    ns.push_back(static_cast<std::uint32_t>(std::min<std::int64_t>(d, UINT32_MAX)));
  }
  std::unique_lock<std::mutex> lock(merged.mu);
  merged.ns.insert(merged.ns.end(), ns.begin(), ns.end());
  merged.dropped += dropped;
  ++merged.arrived;
  merged.cv.notify_all();
  if (state.thread_index() != 0) return;
  merged.cv.wait(lock, [&] { return merged.arrived == state.threads(); });
  // Leave nothing queued: the exporter must not keep sending into the next benchmark.
  logger.flush(std::chrono::seconds(60));
  if (merged.dropped != 0) {
    state.SkipWithError("log() dropped spans: the queue filled up (drop path measured)");
    return;
  }
  report_latencies(state, merged.ns);
}

// ------------------------------------------------------------------ the least a hand-off costs

// The floor for BM_BatchLog_Caller copy:0: the same span moved into a mutex-protected,
// pre-reserved std::vector shared by the producers (no allocation, no wake-up, no size
// accounting, no consumer). Timed like BM_BatchLog_Caller; the vector is emptied with the
// timer paused every kCallerChunk calls per thread, as the logger is flushed there.
struct HandoffBaseline {
  std::mutex mu;
  std::vector<respan::RequestLog> spans;
};

HandoffBaseline& handoff_baseline() {
  static HandoffBaseline h;
  return h;
}

Samples& handoff_samples() {
  static Samples s;
  return s;
}

void BM_Handoff_Baseline(benchmark::State& state) {
  HandoffBaseline& h = handoff_baseline();
  Samples& merged = handoff_samples();
  if (state.thread_index() == 0) {
    merged.ns.clear();
    merged.arrived = 0;
    merged.dropped = 0;
    std::lock_guard<std::mutex> lk(h.mu);
    h.spans.clear();
    h.spans.reserve(kCallerChunk * static_cast<std::size_t>(state.threads()) * 2);
  }
  const respan::RequestLog proto = sample_span();
  std::vector<respan::RequestLog> spans(kCallerChunk, proto);
  std::vector<respan::RequestLog> spare;
  spare.reserve(kCallerChunk * static_cast<std::size_t>(state.threads()) * 2);
  std::vector<std::uint32_t> ns;
  ns.reserve(static_cast<std::size_t>(state.max_iterations));
  std::size_t i = 0;
  for (auto _ : state) {
    if (i == kCallerChunk) {
      state.PauseTiming();
      {
        // Swapped with an empty pre-reserved vector under the lock, destroyed outside it:
        // the other producer's timed calls never wait for the clean-up.
        std::lock_guard<std::mutex> lk(h.mu);
        if (h.spans.size() >= kCallerChunk) h.spans.swap(spare);
      }
      spare.clear();
      std::fill(spans.begin(), spans.end(), proto);
      i = 0;
      state.ResumeTiming();
    }
    const auto t0 = std::chrono::steady_clock::now();
    {
      std::lock_guard<std::mutex> lk(h.mu);
      h.spans.push_back(std::move(spans[i]));
    }
    const auto t1 = std::chrono::steady_clock::now();
    ++i;
    const auto d = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
    ns.push_back(static_cast<std::uint32_t>(std::min<std::int64_t>(d, UINT32_MAX)));
  }
  std::unique_lock<std::mutex> lock(merged.mu);
  merged.ns.insert(merged.ns.end(), ns.begin(), ns.end());
  ++merged.arrived;
  merged.cv.notify_all();
  if (state.thread_index() != 0) return;
  merged.cv.wait(lock, [&] { return merged.arrived == state.threads(); });
  {
    std::lock_guard<std::mutex> lk(h.mu);
    h.spans.clear();
  }
  report_latencies(state, merged.ns);
}

// ------------------------------------------------------------------ a traced call's cost

respan::Tracer& lifecycle_tracer() {
  static respan::Tracer tracer = [] {
    respan::TracerOptions o;
    o.batch.max_queue_spans = 1000000;
    o.batch.max_queue_bytes = std::size_t{1} << 30;
    return respan::Tracer(Sink::get().client(), o);
  }();
  return tracer;
}

Samples& lifecycle_samples() {
  static Samples s;
  return s;
}

void BM_Trace_SpanLifecycle(benchmark::State& state) {
  respan::Tracer& tracer = lifecycle_tracer();
  Samples& merged = lifecycle_samples();
  if (state.thread_index() == 0) {
    merged.ns.clear();
    merged.arrived = 0;
    merged.dropped = 0;
  }
  const respan::RequestLog proto = sample_span();
  std::vector<std::uint32_t> ns;
  ns.reserve(static_cast<std::size_t>(state.max_iterations));
  const respan::DeliveryReport before = tracer.stats();
  std::size_t i = 0;
  respan::Span root = tracer.start_trace("bench_workflow");  // the parent of every timed span
  for (auto _ : state) {
    if (i == kCallerChunk) {
      state.PauseTiming();
      tracer.flush(std::chrono::seconds(60));
      i = 0;
      state.ResumeTiming();
    }
    const auto t0 = std::chrono::steady_clock::now();
    {
      respan::Span span = tracer.start_span("llm_call");
      span.set_model(proto.model)
          .set_prompt_messages(*proto.prompt_messages)
          .set_completion_message(*proto.completion_message)
          .set_usage(*proto.prompt_tokens, *proto.completion_tokens)
          .set_customer(*proto.customer_identifier)
          .set_metadata(*proto.metadata);
    }
    const auto t1 = std::chrono::steady_clock::now();
    ++i;
    const auto d = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
    ns.push_back(static_cast<std::uint32_t>(std::min<std::int64_t>(d, UINT32_MAX)));
  }
  root.end();
  std::unique_lock<std::mutex> lock(merged.mu);
  merged.ns.insert(merged.ns.end(), ns.begin(), ns.end());
  ++merged.arrived;
  merged.cv.notify_all();
  if (state.thread_index() != 0) return;
  merged.cv.wait(lock, [&] { return merged.arrived == state.threads(); });
  const respan::DeliveryReport after = tracer.flush(std::chrono::seconds(60));
  if (after.dropped != before.dropped || after.rejected != before.rejected) {
    state.SkipWithError("spans were dropped or rejected (queue full or sink refused)");
    return;
  }
  report_latencies(state, merged.ns);
}

// ------------------------------------------------------------------ delivered throughput

constexpr std::size_t kSpansPerIteration = 20000;

void BM_BatchLog_Delivered(benchmark::State& state) {
  Sink& sink = Sink::get();
  respan::BatchOptions o;
  o.max_queue_spans = 1000000;
  o.max_queue_bytes = std::size_t{1} << 30;
  respan::BatchLogger logger(sink.client(), o);
  const respan::RequestLog proto = sample_span();
  std::vector<respan::RequestLog> spans;
  std::uint64_t delivered = 0;
  for (auto _ : state) {
    state.PauseTiming();
    spans.assign(kSpansPerIteration, proto);
    const std::uint64_t rows_before = sink.rows();
    state.ResumeTiming();
    for (auto& span : spans)
      logger.log(std::move(span));
    const respan::DeliveryReport r = logger.flush(std::chrono::seconds(120));
    if (r.delivered != delivered + kSpansPerIteration ||
        sink.rows() - rows_before != kSpansPerIteration) {
      respan::Json j;
      respan::to_json(j, r);
      state.SkipWithError(("not every span was delivered: " + j.dump()).c_str());
      break;
    }
    delivered = r.delivered;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kSpansPerIteration));
}

void BM_SyncCreate_OneByOne(benchmark::State& state) {
  respan::RespanClient client = Sink::get().client();
  const respan::RequestLog span = sample_span();
  for (auto _ : state) {
    auto r = client.request_logs().create(span);
    if (!r) {
      state.SkipWithError(r.error().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(r->unique_id);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Serialize_Only(benchmark::State& state) {
  const respan::RequestLog span = sample_span();
  constexpr std::size_t kRowsPerBody = 500;
  std::string body;
  for (auto _ : state) {
    std::size_t rows = 0;
    for (std::size_t i = 0; i < kSpansPerIteration; ++i) {
      if (rows == 0) {
        body.clear();
        body += "{\"logs\":[";
      } else {
        body += ',';
      }
      respan::Result<respan::Json> row = respan::detail::encode(span, "RequestLog");
      if (!row) {
        state.SkipWithError(row.error().to_string().c_str());
        return;
      }
      respan::detail::write_json(*row, body);
      if (++rows == kRowsPerBody || i + 1 == kSpansPerIteration) {
        body += "]}";
        benchmark::DoNotOptimize(body.data());
        benchmark::ClobberMemory();
        rows = 0;
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kSpansPerIteration));
}

// No Repetitions() here: it would override --benchmark_repetitions. DisplayAggregatesOnly:
// the console shows aggregates, a --benchmark_out file keeps every repetition too.
BENCHMARK(BM_BatchLog_Caller)
    ->ArgName("copy")
    ->Arg(0)
    ->Arg(1)
    ->Threads(1)
    ->Threads(2)
    ->Iterations(kCallerIterations)
    ->UseRealTime()
    ->DisplayAggregatesOnly(true);
BENCHMARK(BM_Handoff_Baseline)
    ->Threads(1)
    ->Threads(2)
    ->Iterations(kCallerIterations)
    ->UseRealTime()
    ->DisplayAggregatesOnly(true);
BENCHMARK(BM_Trace_SpanLifecycle)
    ->Threads(1)
    ->Threads(2)
    ->Iterations(kCallerIterations)
    ->UseRealTime()
    ->DisplayAggregatesOnly(true);
BENCHMARK(BM_BatchLog_Delivered)->UseRealTime()->DisplayAggregatesOnly(true);
BENCHMARK(BM_SyncCreate_OneByOne)->UseRealTime()->DisplayAggregatesOnly(true);
BENCHMARK(BM_Serialize_Only)->UseRealTime()->DisplayAggregatesOnly(true);

}  // namespace
