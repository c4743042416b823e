// The JSON reader of every response, measured (issue #19 item 2): the project's own
// parse_json_bounded() against nlohmann's parser driven through its SAX interface with the
// same depth bound (detail::parse_json_sax), on three bodies the bundled mock really sends:
//
//   (a) Create: the answer of POST /api/request-logs/create/ (about 350 B; the create hot
//       path reads it as a flat object, so both readers' flat variants are measured too);
//   (b) List100: a 100-row page of POST /api/request-logs/list/ (chat rows with messages,
//       tools, usage and metadata, about 150 KB);
//   (c) DatasetPage1M: a 100-row page of POST /api/datasets/{id}/logs/list/ (about 1 MB).
//
// End to end (JsonEndToEnd/...), with each reader chosen for the calling thread
// (detail::g_bench_use_sax_reader): RequestLogsResource::list() of page (b),
// DatasetLogsResource::list() of page (c) and a span create, each over loopback against the
// mock and in process (a transport answering the same body without a socket). Over loopback
// the Time column is the call as its caller waits for it, mostly the mock's work (it
// brotli-compresses pages as a production front end would); the CPU column is the calling
// thread's, i.e. the client's own work. Every pair runs interleaved in one run:
//
//   ./build/release/bench/respan_bench --benchmark_filter='Json'
//       --benchmark_repetitions=5 --benchmark_report_aggregates_only=true     (one command line)
//
// Compare the medians: .../sax over .../own is the own parser's speed-up. Before measuring,
// the program checks that both readers give the same value (and types) for each body.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>
#include <httplib.h>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

#include "bench_common.hpp"
#include "util/json_limits.hpp"

namespace {

using respan::Json;

// A chat row as a support bot logs it: a few turns, a tool definition and call, usage and
// metadata. `i` varies the texts and numbers.
Json chat_span(int i) {
  const std::string n = std::to_string(i);
  Json messages = Json::array(
      {{{"role", "system"},
        {"content",
         "You are a helpful support agent for an online shop. Answer briefly, cite the order "
         "number and never reveal internal notes."}},
       {{"role", "user"}, {"content", "Where is my order #" + n + "? It was due yesterday."}},
       {{"role", "assistant"},
        {"content", nullptr},
        {"tool_calls", Json::array({{{"id", "call_" + n},
                                     {"type", "function"},
                                     {"function",
                                      {{"name", "lookup_order"},
                                       {"arguments", "{\"order_id\": \"" + n + "\"}"}}}}})}},
       {{"role", "tool"},
        {"tool_call_id", "call_" + n},
        {"content", "{\"status\": \"shipped\", \"carrier\": \"DHL\", \"eta\": \"Thursday\"}"}}});
  return {{"model", i % 3 == 0 ? "gpt-4o-mini" : "gpt-4o"},
          {"log_type", "chat"},
          {"prompt_messages", messages},
          {"completion_message",
           {{"role", "assistant"},
            {"content", "Order #" + n +
                            " shipped with DHL today and arrives Thursday. Sorry for "
                            "the delay!"}}},
          {"tools", Json::array({{{"type", "function"},
                                  {"function",
                                   {{"name", "lookup_order"},
                                    {"description", "Looks an order up by its number."},
                                    {"parameters",
                                     {{"type", "object"},
                                      {"properties", {{"order_id", {{"type", "string"}}}}},
                                      {"required", Json::array({"order_id"})}}}}}}})},
          {"usage",
           {{"prompt_tokens", 180 + i},
            {"completion_tokens", 24 + i % 7},
            {"total_tokens", 204 + i + i % 7},
            {"cache_read_input_tokens", 64}}},
          {"prompt_tokens", 180 + i},
          {"completion_tokens", 24 + i % 7},
          {"cost", 0.00042 + i * 1e-6},
          {"latency", 0.84 + i * 0.01},
          {"time_to_first_token", 0.21},
          {"temperature", 0.2},
          {"customer_identifier", "customer-" + std::to_string(i % 17)},
          {"thread_identifier", "thread-" + std::to_string(i / 4)},
          {"metadata",
           {{"region", "eu-west-1"},
            {"build", "2026.11.22"},
            {"ticket", 10000 + i},
            {"vip", i % 5 == 0}}}};
}

// A dataset log of about 10 KB: a retrieval-augmented question with its context passages.
Json dataset_log(int i) {
  std::string context;
  for (int k = 0; k < 24; ++k) {
    context += "Passage " + std::to_string(k) + " of document " + std::to_string(i) +
               ": the warranty covers manufacturing defects for two years from delivery; "
               "returns are accepted within 30 days when the item is unused and in its "
               "original packaging, \"except\" for sealed software.\n";
  }
  for (int k = 0; k < 24; ++k) {
    context += "Passage " + std::to_string(k + 24) + " of document " + std::to_string(i) +
               ": shipping within the EU takes 2-4 working days; express delivery is "
               "available for \u20ac9.90 in Germany, Austria and the Netherlands.\n";
  }
  return {
      {"input", Json::array({{{"role", "system"}, {"content", "Answer from the context only."}},
                             {{"role", "user"},
                              {"content", context + "Question " + std::to_string(i) +
                                              ": can I return an opened box?"}}})},
      {"output",
       {{"role", "assistant"},
        {"content", "No: returns need the item unused and in its original packaging."}}},
      {"expected_output", "Only unused items in their original packaging can be returned."},
      {"model", "gpt-4o"},
      {"metadata", {{"source", "faq-v3"}, {"row", i}, {"split", i % 4 == 0 ? "test" : "train"}}},
      {"metrics", {{"prompt_tokens", 2400 + i}, {"completion_tokens", 18}, {"cost", 0.0061}}}};
}

struct Bodies {
  respan::testing::MockServer server;  // holds the pages read
  respan::testing::MockServer sink;    // takes the spans created (so the pages stay the same)
  std::string dataset_id;
  std::string create;   // (a)
  std::string list100;  // (b)
  std::string page1m;   // (c)

  static Bodies& get() {
    static Bodies b;
    return b;
  }

 private:
  Bodies() {
    server.start();
    sink.start();
    for (int i = 0; i < 100; ++i)
      server.add_request_log(chat_span(i));
    dataset_id =
        server.add_dataset({{"name", "bench"}, {"is_empty", true}})["id"].get<std::string>();
    for (int i = 0; i < 100; ++i)
      server.add_dataset_log(dataset_id, dataset_log(i));

    httplib::Client c(server.base_url());
    const httplib::Headers auth{{"Authorization", "Bearer " + server.api_key()}};
    create = post(c, auth, "/api/request-logs/create/", Json(respan_bench::sample_span()).dump());
    list100 = post(c, auth, "/api/request-logs/list/?page_size=100", "{}");
    page1m = post(c, auth, "/api/datasets/" + dataset_id + "/logs/list/?page_size=100", "{}");
    std::fprintf(stderr, "bench_json bodies: create %zu B, list100 %zu B, page1m %zu B\n",
                 create.size(), list100.size(), page1m.size());
    for (const std::string* body : {&create, &list100, &page1m})
      check_same(*body);
  }

  static std::string post(httplib::Client& c, const httplib::Headers& h, const std::string& path,
                          const std::string& body) {
    auto r = c.Post(path, h, body, "application/json");
    if (!r || r->status != 200) {
      std::fprintf(stderr, "bench_json: %s failed\n", path.c_str());
      std::exit(1);
    }
    return r->body;
  }

  // Both readers must give the same value (same types too: dump() shows them) before their
  // speed is compared.
  static void check_same(const std::string& body) {
    const auto own = respan::detail::parse_json_bounded(body);
    const auto sax = respan::detail::parse_json_sax(body);
    if (own.status != respan::detail::JsonParseStatus::ok ||
        sax.status != respan::detail::JsonParseStatus::ok || own.value != sax.value ||
        own.value.dump() != sax.value.dump()) {
      std::fprintf(stderr, "bench_json: the readers disagree\n");
      std::exit(1);
    }
  }
};

enum class Reader { own, sax };

void parse(benchmark::State& state, const std::string Bodies::*body, Reader reader) {
  const std::string& text = Bodies::get().*body;
  for (auto _ : state) {
    auto r = reader == Reader::own ? respan::detail::parse_json_bounded(text)
                                   : respan::detail::parse_json_sax(text);
    benchmark::DoNotOptimize(r.value);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

// The create hot path reads the answer as a flat object (detail::decode_text).
void parse_flat(benchmark::State& state, Reader reader) {
  const std::string& text = Bodies::get().create;
  respan::detail::FlatJsonObject members;
  for (auto _ : state) {
    members.members.reserve(16);
    const bool ok = reader == Reader::own
                        ? respan::detail::BoundedJsonParser(text, respan::detail::kMaxJsonDepth)
                              .parse_flat_object(members)
                        : respan::detail::parse_flat_object_sax(text, members);
    if (!ok) {
      state.SkipWithError("flat parse failed");
      break;
    }
    benchmark::DoNotOptimize(members);
    members = {};
  }
}

// Answers every request with one body the mock sent, without a socket: the client's own work
// on a call (request, pipeline, JSON reader, models) without the mock's, which on the list
// pages is mostly its brotli compression (about 0.5 s per 150 KB page at quality 11).
class CannedTransport : public respan::Transport {
 public:
  explicit CannedTransport(std::string body) : body_(std::move(body)) {}
  respan::Result<respan::HttpResponse> send(const respan::HttpRequest&) override {
    respan::HttpResponse r;
    r.status = 200;
    r.headers = {{"content-type", "application/json"}};
    r.body = body_;
    return r;
  }

 private:
  std::string body_;
};

enum class Wire { loopback, in_process };

respan::RespanClient bench_client(
    Wire wire, const std::string& canned,
    const respan::testing::MockServer& server = Bodies::get().server) {
  respan::ClientOptions o;
  o.api_key = server.api_key();
  o.base_url = server.base_url();
  if (wire == Wire::in_process) o.transport = std::make_shared<CannedTransport>(canned);
  return respan::RespanClient::create(o).value();
}

// The reader is chosen per thread: the client's calls run in this one, the mock's parser (in
// its own threads) is not switched.
struct UseReader {
  explicit UseReader(Reader r) { respan::detail::g_bench_use_sax_reader = r == Reader::sax; }
  ~UseReader() { respan::detail::g_bench_use_sax_reader = false; }
  UseReader(const UseReader&) = delete;
  UseReader& operator=(const UseReader&) = delete;
};

void list_request_logs(benchmark::State& state, Reader reader, Wire wire) {
  auto client = bench_client(wire, Bodies::get().list100);
  respan::RequestLogListQuery q;
  q.page_size = 100;
  const UseReader use(reader);
  for (auto _ : state) {
    auto r = client.request_logs().list(q);
    if (!r || r->results.size() != 100 || !r->row_errors.empty()) {
      state.SkipWithError(r ? "short page" : r.error().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(r->results);
  }
}

void list_dataset_logs(benchmark::State& state, Reader reader, Wire wire) {
  auto client = bench_client(wire, Bodies::get().page1m);
  respan::DatasetLogListQuery q;
  q.page_size = 100;
  const UseReader use(reader);
  for (auto _ : state) {
    auto r = client.dataset_logs(Bodies::get().dataset_id).list(q);
    if (!r || r->results.size() != 100 || !r->row_errors.empty()) {
      state.SkipWithError(r ? "short page" : r.error().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(r->results);
  }
}

// A span create (its answer is read as a flat object, detail::decode_text).
void create_span(benchmark::State& state, Reader reader, Wire wire) {
  auto client = bench_client(wire, Bodies::get().create, Bodies::get().sink);
  const respan::RequestLog span = respan_bench::sample_span();
  const UseReader use(reader);
  for (auto _ : state) {
    auto r = client.request_logs().create(span);
    if (!r || r->unique_id.empty()) {
      state.SkipWithError(r ? "no unique_id" : r.error().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(r->unique_id);
  }
  Bodies::get().sink.reset();
}

// No Repetitions() here: it would override --benchmark_repetitions.
const bool registered = [] {
  const std::pair<const char*, Reader> readers[] = {{"own", Reader::own}, {"sax", Reader::sax}};
  for (const auto& [name, reader] : readers) {
    const std::string r = name;
    benchmark::RegisterBenchmark(("JsonParse/Create/" + r).c_str(), parse, &Bodies::create, reader)
        ->ReportAggregatesOnly(true);
    benchmark::RegisterBenchmark(("JsonParse/CreateFlat/" + r).c_str(), parse_flat, reader)
        ->ReportAggregatesOnly(true);
    benchmark::RegisterBenchmark(("JsonParse/List100/" + r).c_str(), parse, &Bodies::list100,
                                 reader)
        ->ReportAggregatesOnly(true);
    benchmark::RegisterBenchmark(("JsonParse/DatasetPage1M/" + r).c_str(), parse, &Bodies::page1m,
                                 reader)
        ->ReportAggregatesOnly(true);
    // Over loopback the wall time is mostly the mock's; the CPU column is the calling
    // thread's, i.e. the client's work (libcurl and brotli decoding included).
    benchmark::RegisterBenchmark(("JsonEndToEnd/ListRequestLogs100/loopback/" + r).c_str(),
                                 list_request_logs, reader, Wire::loopback)
        ->Iterations(10)
        ->ReportAggregatesOnly(true);
    benchmark::RegisterBenchmark(("JsonEndToEnd/ListDatasetLogs1M/loopback/" + r).c_str(),
                                 list_dataset_logs, reader, Wire::loopback)
        ->Iterations(3)
        ->ReportAggregatesOnly(true);
    benchmark::RegisterBenchmark(("JsonEndToEnd/CreateSpan/loopback/" + r).c_str(), create_span,
                                 reader, Wire::loopback)
        ->UseRealTime()
        ->ReportAggregatesOnly(true);
    benchmark::RegisterBenchmark(("JsonEndToEnd/ListRequestLogs100/in_process/" + r).c_str(),
                                 list_request_logs, reader, Wire::in_process)
        ->ReportAggregatesOnly(true);
    benchmark::RegisterBenchmark(("JsonEndToEnd/ListDatasetLogs1M/in_process/" + r).c_str(),
                                 list_dataset_logs, reader, Wire::in_process)
        ->ReportAggregatesOnly(true);
    benchmark::RegisterBenchmark(("JsonEndToEnd/CreateSpan/in_process/" + r).c_str(), create_span,
                                 reader, Wire::in_process)
        ->ReportAggregatesOnly(true);
  }
  return true;
}();

}  // namespace
