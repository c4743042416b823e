// Batch logging: log many spans from several threads without waiting on the network.
//
//   batch_logging [N]      N spans (default 1000), logged from two threads
//
// respan::BatchLogger::log() only queues the span; a background thread sends them in batches
// through the bulk endpoint. shutdown() sends what is left and returns the DeliveryReport,
// printed as one JSON object on the last line of stdout. Exit status 0 only if every span was
// delivered.
//
// With RESPAN_API_KEY set, talks to Respan (RESPAN_BASE_URL overrides the host). Without it,
// starts the bundled mock Respan server on 127.0.0.1, so it runs with no account or network.
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <respan/batch_logger.hpp>
#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

#include "example_client.hpp"

namespace {

// N: a positive decimal integer (digits only), else 0.
std::uint64_t parse_count(const char* text) {
  if (text == nullptr || *text == '\0') return 0;
  for (const char* p = text; *p != '\0'; ++p) {
    if (*p < '0' || *p > '9') return 0;
  }
  errno = 0;
  char* end = nullptr;
  const unsigned long long n = std::strtoull(text, &end, 10);
  if (errno == ERANGE || *end != '\0') return 0;
  return n;
}

respan::RequestLog make_span(int worker, std::uint64_t i) {
  respan::RequestLog span;
  span.model = "gpt-4o";
  span.prompt_messages =
      std::vector<respan::Message>{respan::Message::system("You are a helpful support agent."),
                                   respan::Message::user("Where is my order?")};
  span.completion_message = respan::Message::assistant("It ships today.");
  span.prompt_tokens = 12;
  span.completion_tokens = 6;
  span.latency = 0.84;
  span.customer_identifier = "customer-" + std::to_string(i % 100);
  span.metadata = respan::Json{{"worker", worker}, {"sequence", i}};
  return span;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t n = 1000;
  if (argc > 2 || (argc == 2 && (n = parse_count(argv[1])) == 0)) {
    std::cerr << "usage: batch_logging [N]   (N: number of spans, a positive integer; "
                 "default 1000)\n";
    return 2;
  }

  // 1. A client: the real service if a key is configured, else a local mock server
  //    (example_client.hpp).
  example::Connection conn = example::connect();
  if (!conn.client) {
    std::cerr << "cannot create client: " << conn.client.error() << "\n";
    return 1;
  }

  // 2. A logger. Every span must arrive here, so a full queue makes log() wait (up to
  //    block_timeout) instead of dropping; the default, drop_newest, never waits.
  respan::BatchOptions batch;
  batch.overflow = respan::OverflowPolicy::block;
  batch.block_timeout = std::chrono::seconds(10);
  auto shown = std::make_shared<std::atomic<int>>(0);
  batch.on_event = [shown](const respan::DeliveryEvent& e) {  // from the logger's own thread
    const int k = shown->fetch_add(1);
    if (k == 10) std::cerr << "(further rejections and drops not shown; see the report)\n";
    if (k >= 10) return;
    if (e.kind == respan::DeliveryEvent::Kind::rejected) {
      std::cerr << "rejected (HTTP " << e.http_status << "): " << e.message << "\n";
    } else if (e.kind == respan::DeliveryEvent::Kind::fields_dropped) {
      std::cerr << "sent without a field: " << e.message << "\n";
    } else {
      std::cerr << "dropped " << e.count << " (" << respan::to_string(e.reason)
                << "): " << e.message << "\n";
    }
  };
  respan::BatchLogger logger(std::move(conn.client).value(), batch);

  // 3. Log from two threads. log() never throws and returns at once (no I/O on this thread).
  const std::uint64_t halves[2] = {n - n / 2, n / 2};
  std::vector<std::thread> workers;
  for (int w = 0; w < 2; ++w) {
    workers.emplace_back([&logger, w, count = halves[w]] {
      for (std::uint64_t i = 0; i < count; ++i)
        logger.log(make_span(w, i));
    });
  }
  for (auto& t : workers)
    t.join();

  // 4. Send what is left (up to 30 s) and stop. Every span is now delivered, rejected or
  //    dropped: pending is 0.
  const respan::DeliveryReport report = logger.shutdown(std::chrono::seconds(30));
  std::cout << "logged " << report.logged << " spans in " << report.requests << " requests\n";
  respan::Json line;
  respan::to_json(line, report);
  std::cout << line.dump() << std::endl;
  return report.logged == n && report.all_delivered() ? 0 : 1;
}
