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

size_t sink(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

void BM_RawCurlPost_TLS(benchmark::State& state) {
  auto& fx = TlsFixture::get();
  const std::size_t h0 = fx.server->tls_handshakes();
  const std::size_t r0 = fx.server->tls_resumed_sessions();
  const std::string url = fx.server->base_url() + "/api/request-logs/";
  const std::string body = respan::Json(sample_span()).dump();
  CURL* h = curl_easy_init();
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, ("Authorization: Bearer " + fx.server->api_key()).c_str());
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Accept: application/json");
  headers = curl_slist_append(headers, "Expect:");
  std::string response;
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &sink);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(h, CURLOPT_CAINFO, fx.certs.ca_cert.c_str());
  for (auto _ : state) {
    response.clear();
    const CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK || status >= 300) {
      state.SkipWithError("raw POST failed");
      break;
    }
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(h);
  count_handshakes(state, *fx.server, h0, r0);
  fx.server->reset();
}

BENCHMARK(BM_RawCurlPost_TLS)->UseRealTime()->ReportAggregatesOnly(true);
BENCHMARK(BM_SdkCreate_TLS)->UseRealTime()->ReportAggregatesOnly(true);

}  // namespace
