// Synchronous span create through the SDK vs. a raw libcurl POST of the same bytes over a
// reused easy handle (and the SDK's transport alone in between), all against the bundled mock
// server on loopback, in one run:
//
//   cmake --preset release && cmake --build build/release --target respan_bench
//   ./build/release/bench/respan_bench --benchmark_enable_random_interleaving=true
//       --benchmark_repetitions=10 --benchmark_min_time=0.5          (one command line)
//
// Random interleaving makes Google Benchmark run the repetitions of all benchmarks in a
// random order, so drift on a shared machine hits every side alike; only aggregates are
// reported. The two interleaving flags are also this program's defaults (see main(); flags
// given on the command line win), so a plain `respan_bench` runs the same way. Compare the
// medians (`*_median` rows): SdkCreate / RawCurlPost is the SDK's overhead (serialisation,
// headers, retry bookkeeping, response decoding) on top of the HTTP round trip itself, and
// TransportPost / RawCurlPost the transport's share of it.
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <curl/curl.h>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

#include "bench_common.hpp"
#include "raw_curl.hpp"

namespace {

using respan_bench::sample_span;

// The server every benchmark talks to: the bundled mock in this process, or, when
// RESPAN_BENCH_BASE_URL (and RESPAN_BENCH_API_KEY) name a loopback server such as a
// separately started `respan-mock-server`, that one, so the CPU column holds only the client.
struct Fixture {
  respan::testing::MockServer server;
  std::string external_url;
  std::string external_key;
  Fixture() {
    const char* url = std::getenv("RESPAN_BENCH_BASE_URL");
    if (url != nullptr && *url != '\0') {
      external_url = url;
      const char* key = std::getenv("RESPAN_BENCH_API_KEY");
      external_key = key != nullptr ? key : "test-key";
    } else {
      server.start();
    }
  }
  std::string base_url() const { return external_url.empty() ? server.base_url() : external_url; }
  std::string api_key() const { return external_url.empty() ? server.api_key() : external_key; }
  void reset() {
    if (external_url.empty()) server.reset();
  }
  static Fixture& get() {
    static Fixture f;
    return f;
  }
};

void BM_SdkCreate(benchmark::State& state) {
  auto& fx = Fixture::get();
  respan::ClientOptions o;
  o.api_key = fx.api_key();
  o.base_url = fx.base_url();
  auto client = respan::RespanClient::create(o).value();
  const respan::RequestLog span = sample_span();
  for (auto _ : state) {
    auto r = client.request_logs().create(span);
    if (!r) {
      state.SkipWithError(r.error().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(r->unique_id);
  }
  fx.reset();
}

void BM_RawCurlPost(benchmark::State& state) {
  auto& fx = Fixture::get();
  const std::string url = fx.base_url() + "/api/request-logs/";
  respan_bench::RawCurlPost post(url, fx.api_key(), respan::Json(sample_span()).dump());
  for (auto _ : state) {
    if (!post.perform()) {
      state.SkipWithError("raw POST failed");
      break;
    }
  }
  fx.reset();
}

// The transport alone (respan::make_curl_transport) posting the same bytes with the SDK's
// headers: separates the transport's share of the overhead from the pipeline's and models'.
void BM_TransportPost(benchmark::State& state) {
  auto& fx = Fixture::get();
  const auto transport = respan::make_curl_transport();
  respan::HttpRequest req;
  req.method = respan::HttpMethod::post;
  req.url = fx.base_url() + "/api/request-logs/";
  req.headers = {{"Authorization", "Bearer " + fx.api_key()},
                 {"User-Agent", "respan-cpp/bench"},
                 {"Accept", "application/json"},
                 {"Content-Type", "application/json"}};
  req.body = respan::Json(sample_span()).dump();
  req.timeout = std::chrono::seconds(60);
  for (auto _ : state) {
    auto r = transport->send(req);
    if (!r || r->status >= 300) {
      state.SkipWithError("transport POST failed");
      break;
    }
    benchmark::DoNotOptimize(r->body);
  }
  fx.reset();
}

// No Repetitions() here: it would override --benchmark_repetitions.
BENCHMARK(BM_RawCurlPost)->UseRealTime()->ReportAggregatesOnly(true);
BENCHMARK(BM_TransportPost)->UseRealTime()->ReportAggregatesOnly(true);
BENCHMARK(BM_SdkCreate)->UseRealTime()->ReportAggregatesOnly(true);

}  // namespace

// BENCHMARK_MAIN() with defaults for the flags that make the comparison fair: interleaved,
// repeated runs. Later flags override earlier ones, so the user's own flags win.
int main(int argc, char** argv) {
  static char arg0_default[] = "respan_bench";
  std::vector<char*> args{argc > 0 ? argv[0] : arg0_default};
  static char interleave[] = "--benchmark_enable_random_interleaving=true";
  static char repetitions[] = "--benchmark_repetitions=10";
  args.push_back(interleave);
  args.push_back(repetitions);
  for (int i = 1; i < argc; ++i)
    args.push_back(argv[i]);
  int n = static_cast<int>(args.size());
  args.push_back(nullptr);
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
