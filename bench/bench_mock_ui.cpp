// What the mock server's web viewer (MockServerOptions::ui) costs the API it serves: the same
// span create (a raw libcurl POST of fixed bytes over one reused handle) against a mock with
// the viewer off and one with it on (no page open), in one run. The CPU column is the whole
// process's (client and in-process mock):
//
//   ./build/release/bench/respan_bench --benchmark_filter=MockUi --benchmark_min_time=0.5
//
// Compare the medians: MockUiCreate/ui:1 / MockUiCreate/ui:0 is what the viewer's change
// counter adds to a write. With the viewer off its routes are not registered and the counter
// is never touched (one `options.ui` test per write request).
#include <memory>
#include <string>

#include <benchmark/benchmark.h>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

#include "bench_common.hpp"
#include "raw_curl.hpp"

namespace {

respan::testing::MockServer& mock(bool ui) {
  static auto* servers = [] {
    auto* s = new std::unique_ptr<respan::testing::MockServer>[2];  // never destroyed
    for (int i = 0; i < 2; ++i) {
      respan::testing::MockServerOptions o;
      o.ui = i == 1;
      s[i] = std::make_unique<respan::testing::MockServer>(o);
      s[i]->start();
    }
    return s;
  }();
  return *servers[ui ? 1 : 0];
}

void BM_MockUiCreate(benchmark::State& state) {
  respan::testing::MockServer& server = mock(state.range(0) != 0);
  respan_bench::RawCurlPost post(server.base_url() + "/api/request-logs/", server.api_key(),
                                 respan::Json(respan_bench::sample_span()).dump());
  std::size_t stored = 0;
  for (auto _ : state) {
    if (++stored == 50000) {  // stay far below max_stored_request_logs
      state.PauseTiming();
      server.reset();
      stored = 0;
      state.ResumeTiming();
    }
    if (!post.perform()) {
      state.SkipWithError("POST failed");
      break;
    }
  }
  server.reset();
}

BENCHMARK(BM_MockUiCreate)
    ->ArgName("ui")
    ->Arg(0)
    ->Arg(1)
    ->UseRealTime()
    ->MeasureProcessCPUTime()
    ->ReportAggregatesOnly(true);

}  // namespace
