// The masking hook's cost per span (issue #16, goal: below the serialization of the same
// span), compiled into respan_bench:
//
//   ./build/release/bench/respan_bench --benchmark_filter='Privacy' --benchmark_repetitions=5
//
// BM_Privacy/span:S/mode:M, per span, on the exporter's code paths (no network):
// - mode 0: copy the span (the baseline of mode 1: masking rewrites the span in place, so each
//   iteration masks a fresh copy);
// - mode 1: copy, then the exporter's privacy step with PrivacyOptions::mask =
//   redact::all() (detail::apply_privacy(): the walk over every string of the span with its
//   path, and the four scanners: secrets, e-mails, cards, phones);
// - mode 2: serialize the span as the BatchLogger does (the request-log bulk sink's encode(),
//   the text writer with its checks), the cheapest of the SDK's serializers.
// Spans: S=0 the typical chat span of bench_common.hpp (about 600 bytes of JSON, nothing to
// redact); S=1 a retrieval-style span of about 9 KB of text (a long prompt of documents, a
// tool call, metadata) holding an e-mail address, a phone number, a card number and a key.
//
// Masking cost = ns(mode 1) - ns(mode 0); compare with ns(mode 2): the ratio is the goal's.
// One run (Release, 5 repetitions, medians of CPU time, a 2-core machine under load):
// S=0 (1057 - 327) / 875 = 0.83x; S=1 (11099 - 672) / 4997 = 2.1x.
#include <cstdint>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <respan/privacy.hpp>
#include <respan/respan.hpp>
#include <respan/tracing.hpp>

#include "batch_sink.hpp"
#include "bench_common.hpp"
#include "privacy/apply.hpp"

namespace {

respan::TraceSpan long_span() {
  respan::TraceSpan t;
  respan::RequestLog& l = t.log;
  l = respan_bench::sample_span();
  std::string docs;
  const char* para =
      "Shipping policy: orders placed before 2 pm ship the same day from the EU warehouse; "
      "tracking numbers are e-mailed once the carrier scans the parcel, usually within 24 "
      "hours. Returns are accepted within 30 days in the original packaging. ";
  for (int i = 0; i < 40; ++i)
    docs += para;
  docs +=
      "Customer wrote from jane.doe@example.com, phone +1 415 555 2671, card "
      "4111 1111 1111 1111, and pasted sk-proj-abcdefghijklmnopqrstuvwxyz0123 by mistake.";
  l.prompt_messages = std::vector<respan::Message>{
      respan::Message::system("You are a helpful support agent. Use the documents."),
      respan::Message::user(docs)};
  l.completion_message = respan::Message::assistant(
      "Your order ships today; tracking follows by e-mail. Please rotate the key you pasted.");
  l.tool_calls = std::vector<respan::ToolCall>{respan::ToolCall::make_function(
      "call_1", "lookup_order", "{\"order_id\":\"12345\",\"email\":\"jane.doe@example.com\"}")};
  l.metadata = respan::Json{
      {"region", "eu-west-1"}, {"build", "2026.11.22"}, {"user", {{"plan", "pro"}, {"seats", 12}}}};
  return t;
}

void BM_Privacy(benchmark::State& state) {
  respan::TraceSpan pristine;
  if (state.range(0) == 0) {
    pristine.log = respan_bench::sample_span();
  } else {
    pristine = long_span();
  }
  const int mode = static_cast<int>(state.range(1));
  respan::PrivacyOptions privacy;
  privacy.mask = respan::redact::all();
  const auto sink = respan::detail::request_log_bulk_sink();
  respan::detail::PrivacyOutcome outcome;
  std::string out;
  out.reserve(64 * 1024);
  for (auto _ : state) {
    if (mode == 2) {
      out.clear();
      if (sink->encode(pristine, out)) {
        state.SkipWithError("cannot encode the span");
        return;
      }
      benchmark::DoNotOptimize(out.data());
    } else {
      respan::TraceSpan copy = pristine;
      if (mode == 1) {
        outcome.clear();
        respan::detail::apply_privacy(privacy, copy, outcome);
      }
      benchmark::DoNotOptimize(&copy);
    }
    benchmark::ClobberMemory();
  }
  if (mode == 1) {  // the redaction happened (S=1) and nothing failed
    respan::TraceSpan copy = pristine;
    outcome.clear();
    respan::detail::apply_privacy(privacy, copy, outcome);
    out.clear();
    (void)sink->encode(copy, out);
    if (outcome.mask_failed.count != 0 ||
        (state.range(0) == 1 &&
         (out.find("jane.doe") != std::string::npos || out.find("4111 1111") != std::string::npos ||
          out.find("sk-proj") != std::string::npos))) {
      state.SkipWithError("the span was not masked");
      return;
    }
  }
  state.counters["span_json_bytes"] = [&] {
    std::string s;
    (void)sink->encode(pristine, s);
    return static_cast<double>(s.size());
  }();
  state.counters["ns_per_span"] =
      benchmark::Counter(static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

BENCHMARK(BM_Privacy)
    ->ArgNames({"span", "mode"})
    ->ArgsProduct({{0, 1}, {0, 1, 2}})
    ->DisplayAggregatesOnly(true);

}  // namespace
