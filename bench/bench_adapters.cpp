// The provider adapters' cost (issue #16): decoding a typical Chat Completions answer into a
// span (the bounded parse of the body plus openai::chat_log()) against nlohmann's parse of
// the same bytes alone, the baseline; and the same for a whole exchange (request and answer
// bodies). Goal: at most 1.5x the baseline. Both pairs run interleaved in one run:
//
//   ./build/release/bench/respan_bench --benchmark_filter='Adapter'
//       --benchmark_repetitions=5 --benchmark_report_aggregates_only=true     (one command line)
//
// Compare the medians: .../adapter over .../nlohmann_parse is the ratio. Measured (Release,
// 2 shared cores, medians of 5, CPU time): answer alone 9.67 us vs 8.58 us = 1.13x (1.16x
// wall); whole exchange 16.4 us vs 14.7 us = 1.12x (1.09x wall). The adapter's bounded parser
// is faster than nlohmann's, which pays for most of the mapping.
#include <cstdio>
#include <cstdlib>
#include <string>

#include <benchmark/benchmark.h>

#include <respan/adapters/openai.hpp>
#include <respan/json.hpp>

namespace {

using respan::Json;

// A typical answer (about 1.2 KB): text, a tool call, usage with its details.
const std::string& response_bytes() {
  static const std::string* body = new std::string(Json{
      {"id", "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT"},
      {"object", "chat.completion"},
      {"created", 1741569952},
      {"model", "gpt-4o-mini-2024-07-18"},
      {"choices",
       {{{"index", 0},
         {"message",
          {{"role", "assistant"},
           {"content",
            "Your order #48213 left our warehouse on Monday and is with the carrier. The "
            "tracking page shows it out for delivery today; you should receive it before 6 pm. "
            "If it does not arrive, reply here and I will open a claim with the carrier."},
           {"refusal", nullptr},
           {"annotations", Json::array()},
           {"tool_calls",
            {{{"id", "call_Vf2x9"},
              {"type", "function"},
              {"function",
               {{"name", "lookup_order"},
                {"arguments", "{\"order_id\":\"48213\",\"include_tracking\":true}"}}}}}}}},
         {"logprobs", nullptr},
         {"finish_reason", "tool_calls"}}}},
      {"usage",
       {{"prompt_tokens", 412},
        {"completion_tokens", 96},
        {"total_tokens", 508},
        {"prompt_tokens_details", {{"cached_tokens", 256}, {"audio_tokens", 0}}},
        {"completion_tokens_details",
         {{"reasoning_tokens", 0},
          {"audio_tokens", 0},
          {"accepted_prediction_tokens", 0},
          {"rejected_prediction_tokens", 0}}}}},
      {"service_tier", "default"},
      {"system_fingerprint", "fp_06737a9306"}}.dump());
  return *body;
}

// The request that produced it: a system prompt, two turns, one tool.
const std::string& request_bytes() {
  static const std::string* body = new std::string(Json{
      {"model", "gpt-4o-mini"},
      {"messages",
       {{{"role", "system"},
         {"content",
          "You are a helpful support agent for an online shop. Answer briefly, cite the order "
          "number and never reveal internal notes."}},
        {{"role", "user"}, {"content", "Where is my order #48213? It was due yesterday."}}}},
      {"tools",
       {{{"type", "function"},
         {"function",
          {{"name", "lookup_order"},
           {"description", "Order status and tracking"},
           {"parameters",
            {{"type", "object"},
             {"properties",
              {{"order_id", {{"type", "string"}}}, {"include_tracking", {{"type", "boolean"}}}}},
             {"required", {"order_id"}}}}}}}}},
      {"tool_choice", "auto"},
      {"temperature", 0.2},
      {"max_completion_tokens", 300},
      {"user", "cust-1"}}.dump());
  return *body;
}

void BM_AdapterResponse_nlohmann_parse(benchmark::State& state) {
  const std::string& body = response_bytes();
  for (auto _ : state) {
    Json j = Json::parse(body);
    benchmark::DoNotOptimize(j);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}

void BM_AdapterResponse_adapter(benchmark::State& state) {
  const std::string& body = response_bytes();
  const Json request = Json::object();  // the answer alone
  for (auto _ : state) {
    respan::Result<Json> response = respan::adapters::parse_body(body);
    respan::Result<respan::RequestLog> log = respan::adapters::openai::chat_log(request, *response);
    benchmark::DoNotOptimize(log);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}

void BM_AdapterExchange_nlohmann_parse(benchmark::State& state) {
  const std::string& req = request_bytes();
  const std::string& resp = response_bytes();
  for (auto _ : state) {
    Json a = Json::parse(req);
    Json b = Json::parse(resp);
    benchmark::DoNotOptimize(a);
    benchmark::DoNotOptimize(b);
  }
}

void BM_AdapterExchange_adapter(benchmark::State& state) {
  const std::string& req = request_bytes();
  const std::string& resp = response_bytes();
  for (auto _ : state) {
    respan::Result<Json> request = respan::adapters::parse_body(req);
    respan::Result<Json> response = respan::adapters::parse_body(resp);
    respan::Result<respan::RequestLog> log =
        respan::adapters::openai::chat_log(*request, *response);
    benchmark::DoNotOptimize(log);
  }
}

// Before measuring: the adapter reads what the benchmark claims it reads.
const bool kChecked = [] {
  respan::Result<respan::RequestLog> log = respan::adapters::openai::chat_log(
      Json::parse(request_bytes()), Json::parse(response_bytes()));
  if (!log || !log->tool_calls || log->tool_calls->size() != 1 || *log->prompt_tokens != 412 ||
      log->prompt_messages->size() != 2 || !log->tools) {
    std::fprintf(stderr, "bench_adapters: the adapter did not read the fixture\n");
    std::abort();
  }
  return true;
}();

}  // namespace

BENCHMARK(BM_AdapterResponse_nlohmann_parse);
BENCHMARK(BM_AdapterResponse_adapter);
BENCHMARK(BM_AdapterExchange_nlohmann_parse);
BENCHMARK(BM_AdapterExchange_adapter);
