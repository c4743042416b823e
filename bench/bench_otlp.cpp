// OTLP request bodies: bytes per span and encoding CPU per span of the Tracer's OTLP sink, for
// JSON and protobuf, plain and gzip, compiled into respan_bench (bench_create.cpp's main()):
//
//   ./build/release/bench/respan_bench --benchmark_filter=Otlp_Encode --benchmark_repetitions=1
//
// BM_Otlp_Encode/protobuf:P/gzip:G/spans:N builds one request of N spans (1, or a batch of
// 100) per iteration exactly as the exporter does (the sink's encode() per span, rows joined,
// then the sink's request bytes: protobuf framing and/or gzip, level 6), no network. The
// spans are the benchmarks' typical chat span (bench_common.hpp sample_span()) as trace
// spans, each with its own random ids, times, token counts, customer, order number and
// answer, as a batch from a real process would be (identical spans would flatter gzip).
// Counters: bytes_per_span (the body sent, divided by N, envelope included), vs_json (bytes
// relative to plain JSON of the same spans; the goal for gzip is <= 0.25) and ns_per_span
// (CPU time per span; the time columns are per request).
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <respan/respan.hpp>
#include <respan/tracing.hpp>

#include "bench_common.hpp"
#include "tracing/trace_export.hpp"

namespace {

std::vector<respan::TraceSpan> chat_spans(std::size_t n) {
  static const char* const kDays[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"};
  std::mt19937_64 rng(42);
  std::vector<respan::TraceSpan> out;
  const std::int64_t t0 = 1767225600000000000;  // 2026-01-01
  for (std::size_t i = 0; i < n; ++i) {
    respan::TraceSpan s;
    s.log = respan_bench::sample_span();
    (*s.log.prompt_messages)[1] =
        respan::Message::user("Where is my order #" + std::to_string(10000 + rng() % 90000) +
                              "? It was due " + kDays[rng() % 5] + ".");
    s.log.completion_message = respan::Message::assistant(
        std::string("It ships ") + kDays[rng() % 5] + " and arrives " + kDays[rng() % 5] + ".");
    s.log.trace_unique_id = respan::detail::hex_id(rng() | 1, rng());
    s.log.span_parent_id = respan::detail::hex_id(rng() | 1);
    s.log.span_name = "llm_call";
    s.log.span_workflow_name = "bench_workflow";
    s.log.log_type = respan::LogType::chat();
    s.log.prompt_tokens = 30 + static_cast<std::int64_t>(rng() % 40);
    s.log.completion_tokens = 5 + static_cast<std::int64_t>(rng() % 20);
    s.log.customer_identifier = "customer-" + std::to_string(rng() % 1000);
    s.log.latency.reset();  // derived from the times, as for a traced call
    s.span_unique_id = respan::detail::hex_id(rng() | 1);
    s.start_unix_nanos =
        t0 + static_cast<std::int64_t>(i) * 1000003 + static_cast<std::int64_t>(rng() % 1000);
    s.end_unix_nanos = s.start_unix_nanos + 840000000 + static_cast<std::int64_t>(rng() % 99991);
    out.push_back(std::move(s));
  }
  return out;
}

// One request body as the exporter sends it.
bool request_bytes(const respan::detail::BatchSink& sink,
                   const std::vector<respan::TraceSpan>& spans, std::string& body, std::string& row,
                   std::string& wire) {
  body.assign(sink.body_prefix());
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (i > 0) body.push_back(',');
    row.clear();
    if (sink.encode(spans[i], row)) return false;
    body += row;
  }
  body += sink.body_suffix();
  respan::Result<std::string> r = respan::detail::otlp_request_bytes(sink, body);
  if (!r) return false;
  wire = std::move(*r);
  return true;
}

respan::TracerOptions options(bool protobuf, bool gzip) {
  respan::TracerOptions o;
  o.exporter = respan::TraceExporter::otlp;
  o.otlp_protocol =
      protobuf ? respan::OtlpProtocol::http_protobuf : respan::OtlpProtocol::http_json;
  o.otlp_compression = gzip ? respan::OtlpCompression::gzip : respan::OtlpCompression::none;
  return o;
}

void BM_Otlp_Encode(benchmark::State& state) {
  const bool protobuf = state.range(0) != 0;
  const bool gzip = state.range(1) != 0;
  const auto span_count = static_cast<std::size_t>(state.range(2));
  const std::vector<respan::TraceSpan> spans = chat_spans(span_count);
  std::string body, row, wire;
  // Plain JSON, the reference of vs_json.
  const auto json_sink = respan::detail::make_trace_sink(options(false, false));
  if (!request_bytes(*json_sink, spans, body, row, wire)) {
    state.SkipWithError("cannot encode the spans as JSON");
    return;
  }
  const double json_bytes = static_cast<double>(wire.size());
  const auto sink = respan::detail::make_trace_sink(options(protobuf, gzip));
  for (auto _ : state) {
    if (!request_bytes(*sink, spans, body, row, wire)) {
      state.SkipWithError("cannot encode the spans");
      return;
    }
    benchmark::DoNotOptimize(wire.data());
    benchmark::ClobberMemory();
  }
  const double n = static_cast<double>(span_count);
  state.counters["bytes_per_span"] = static_cast<double>(wire.size()) / n;
  state.counters["vs_json"] = static_cast<double>(wire.size()) / json_bytes;
  // Seconds of CPU per span (shown in ns by the console's unit scaling).
  state.counters["ns_per_span"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * n,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(span_count));
}

BENCHMARK(BM_Otlp_Encode)
    ->ArgNames({"protobuf", "gzip", "spans"})
    ->ArgsProduct({{0, 1}, {0, 1}, {1, 100}})
    ->DisplayAggregatesOnly(true);

}  // namespace
