// A BatchLogger or a Tracer at namespace scope, delivering its last spans from its destructor
// during static destruction at exit: nothing a background thread uses may be destroyed
// before the threads stop. Built three times (RESPAN_EXIT_MODE 0: BatchLogger, 1: Tracer with
// trace ingest, 2: Tracer with OTLP); each run must exit 0 with every span stored by the
// mock server (a namespace-scope object, destroyed after the logger) and, in the sanitizer
// builds, without a report.
#include <cstdio>
#include <cstdlib>

#include <unistd.h>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

#ifndef RESPAN_EXIT_MODE
#define RESPAN_EXIT_MODE 0
#endif

namespace {

constexpr int kSpans = 6;

struct Server {
  respan::testing::MockServer mock;
  Server() { mock.start(); }
};
Server g_server;  // constructed first, destroyed last

// Destroyed after the logger (constructed before it): checks what the server stored.
struct Checker {
  ~Checker() {
    const std::size_t stored = RESPAN_EXIT_MODE == 0 ? g_server.mock.request_logs().size()
                                                     : g_server.mock.ingested_spans().size();
    if (stored != kSpans) {
      std::fprintf(stderr, "exit_flush: the server stored %zu spans, expected %d\n", stored,
                   kSpans);
      std::fflush(stderr);
      ::_exit(1);
    }
    std::printf("exit_flush: %d spans delivered at exit\n", kSpans);
    std::fflush(stdout);
  }
};
Checker g_checker;

respan::RespanClient make_client() {
  respan::ClientOptions o;
  o.api_key = g_server.mock.api_key();
  o.base_url = g_server.mock.base_url();
  return respan::RespanClient(o);
}

respan::BatchOptions batch_options() {
  respan::BatchOptions b;
  b.flush_interval = std::chrono::seconds(60);  // the last spans wait for the destructor
  b.shutdown_timeout = std::chrono::seconds(10);
  return b;
}

#if RESPAN_EXIT_MODE == 0
respan::BatchLogger g_logger(make_client(), batch_options());
void log_one(int i) {
  respan::RequestLog span;
  span.model = "gpt-4o";
  span.customer_identifier = "exit-" + std::to_string(i);
  g_logger.log(std::move(span));
}
void flush() {
  g_logger.flush(std::chrono::seconds(5));
}
#else
respan::TracerOptions tracer_options() {
  respan::TracerOptions o;
  o.exporter =
      RESPAN_EXIT_MODE == 2 ? respan::TraceExporter::otlp : respan::TraceExporter::respan_ingest;
  o.batch = batch_options();
  return o;
}
respan::Tracer g_tracer(make_client(), tracer_options());
void log_one(int i) {
  respan::Span s = g_tracer.start_trace("exit-" + std::to_string(i));
  s.set_model("gpt-4o").set_usage(3, 4).set_log_type(respan::LogType::chat());
}
void flush() {
  g_tracer.flush(std::chrono::seconds(5));
}
#endif

}  // namespace

int main() {
  // Half before a flush (the encoders' statics are initialised then), half left for exit.
  for (int i = 0; i < kSpans / 2; ++i)
    log_one(i);
  flush();
  for (int i = kSpans / 2; i < kSpans; ++i)
    log_one(i);
  return 0;
}
