// Synchronous span create through the SDK vs. a raw libcurl POST of the same bytes over a
// reused easy handle, both against the bundled mock server on loopback, in one run.
//
//   cmake --workflow --preset release && ./build/release/bench/respan_bench
//
// The ratio SdkCreate / RawCurlPost is the SDK's overhead (serialisation, headers, retry
// bookkeeping, response decoding) on top of the HTTP round trip itself.
#include <cstdlib>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>
#include <curl/curl.h>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

namespace {

respan::RequestLog sample_span() {
  respan::RequestLog span;
  span.model = "gpt-4o";
  span.prompt_messages = std::vector<respan::Message>{
      respan::Message::system("You are a helpful support agent."),
      respan::Message::user("Where is my order #12345? It was due yesterday.")};
  span.completion_message = respan::Message::assistant("It ships today and arrives Thursday.");
  span.prompt_tokens = 42;
  span.completion_tokens = 11;
  span.latency = 0.84;
  span.time_to_first_token = 0.21;
  span.customer_identifier = "customer-42";
  span.metadata = respan::Json{{"region", "eu-west-1"}, {"build", "2026.11.22"}};
  return span;
}

struct Fixture {
  respan::testing::MockServer server;
  Fixture() { server.start(); }
  static Fixture& get() {
    static Fixture f;
    return f;
  }
};

void BM_SdkCreate(benchmark::State& state) {
  auto& fx = Fixture::get();
  respan::ClientOptions o;
  o.api_key = fx.server.api_key();
  o.base_url = fx.server.base_url();
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
  fx.server.reset();
}

size_t sink(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

void BM_RawCurlPost(benchmark::State& state) {
  auto& fx = Fixture::get();
  const std::string url = fx.server.base_url() + "/api/request-logs/";
  const std::string body = respan::Json(sample_span()).dump();
  CURL* h = curl_easy_init();
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, ("Authorization: Bearer " + fx.server.api_key()).c_str());
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
  fx.server.reset();
}

// Interleave repetitions so drift on a shared machine hits both sides alike.
BENCHMARK(BM_RawCurlPost)->UseRealTime()->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK(BM_SdkCreate)->UseRealTime()->Repetitions(5)->ReportAggregatesOnly(true);

}  // namespace

BENCHMARK_MAIN();
