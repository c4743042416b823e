// The plain-HTTP pair of bench_create.cpp over HTTPS: a synchronous span create through the
// SDK vs. a raw libcurl POST of the same bytes over a reused easy handle, both against the
// bundled mock serving TLS (a throwaway CA and server certificate made at start-up), in the
// same interleaved run as the plain pair:
//
//   ./build/release/bench/respan_bench --benchmark_filter='SdkCreate|RawCurlPost'
//
// Compare BM_SdkCreate_TLS / BM_RawCurlPost_TLS (medians) with BM_SdkCreate / BM_RawCurlPost.
// The `handshakes` counter is the number of TLS handshakes the server completed during one
// repetition (each repetition starts a new client or handle, so 1 means every later call
// reused the connection); `resumed` counts those that resumed an earlier session.
#include <memory>
#include <string>

#include <benchmark/benchmark.h>
#include <curl/curl.h>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

#include "../tests/support/test_certs.hpp"
#include "bench_common.hpp"
#include "raw_curl.hpp"

namespace {

using respan_bench::sample_span;

struct TlsFixture {
  respan::test::TestCertificates certs = respan::test::TestCertificates::make();
  std::unique_ptr<respan::testing::MockServer> server;
  TlsFixture() {
    respan::testing::MockServerOptions o;
    o.tls_cert_file = certs.server_cert;
    o.tls_key_file = certs.server_key;
    server = std::make_unique<respan::testing::MockServer>(o);
    server->start();
  }
  static TlsFixture& get() {
    static TlsFixture f;
    return f;
  }
};

// Reports the server's TLS handshakes (and resumptions) since `h0` / `r0`.
void count_handshakes(benchmark::State& state, const respan::testing::MockServer& server,
                      std::size_t h0, std::size_t r0) {
  state.counters["handshakes"] = static_cast<double>(server.tls_handshakes() - h0);
  state.counters["resumed"] = static_cast<double>(server.tls_resumed_sessions() - r0);
}

void BM_SdkCreate_TLS(benchmark::State& state) {
  auto& fx = TlsFixture::get();
  const std::size_t h0 = fx.server->tls_handshakes();
  const std::size_t r0 = fx.server->tls_resumed_sessions();
  respan::ClientOptions o;
  o.api_key = fx.server->api_key();
  o.base_url = fx.server->base_url();
  o.ca_bundle = fx.certs.ca_cert;
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
  count_handshakes(state, *fx.server, h0, r0);
  fx.server->reset();
}

void BM_RawCurlPost_TLS(benchmark::State& state) {
  auto& fx = TlsFixture::get();
  const std::size_t h0 = fx.server->tls_handshakes();
  const std::size_t r0 = fx.server->tls_resumed_sessions();
  const std::string url = fx.server->base_url() + "/api/request-logs/";
  respan_bench::RawCurlPost post(url, fx.server->api_key(), respan::Json(sample_span()).dump(),
                                 fx.certs.ca_cert);
  for (auto _ : state) {
    if (!post.perform()) {
      state.SkipWithError("raw POST failed");
      break;
    }
  }
  count_handshakes(state, *fx.server, h0, r0);
  fx.server->reset();
}

BENCHMARK(BM_RawCurlPost_TLS)->UseRealTime()->ReportAggregatesOnly(true);
BENCHMARK(BM_SdkCreate_TLS)->UseRealTime()->ReportAggregatesOnly(true);

}  // namespace
