// A BatchLogger or a Tracer at namespace scope, delivering its last spans from its destructor
// during static destruction at exit: nothing a background thread uses may be destroyed
// before the threads stop. Built three times (RESPAN_EXIT_MODE 0: BatchLogger, 1: Tracer with
// trace ingest, 2: Tracer with OTLP); each run must exit 0 with every span stored by the
// mock server and, in the sanitizer builds, without a report.
#include <cstdio>
#include <cstdlib>
#include <string>

#include <unistd.h>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

#ifndef RESPAN_EXIT_MODE
#define RESPAN_EXIT_MODE 0
#endif

namespace {

constexpr int kSpans = 6;

// The mock server runs in a child process forked before anything else starts (cpp-httplib
// keeps function-local statics of its own, which a server at namespace scope in this process
// would use after they are destroyed: that would test the mock, not the SDK). The checker asks
// the child, over a pipe, how many spans it stored.
struct Server {
  int port = 0;
  std::string key;
  int to_child = -1;
  int from_child = -1;
  Server() {
    int down[2], up[2];
    if (::pipe(down) != 0 || ::pipe(up) != 0) std::abort();
    const pid_t pid = ::fork();
    if (pid < 0) std::abort();
    if (pid == 0) {
      ::close(down[1]);
      ::close(up[0]);
      respan::testing::MockServer mock;
      mock.start();
      const int p = mock.port();
      if (::write(up[1], &p, sizeof p) != sizeof p) ::_exit(2);
      char ask = 0;
      if (::read(down[0], &ask, 1) == 1) {
        const int stored = static_cast<int>(RESPAN_EXIT_MODE == 0 ? mock.request_logs().size()
                                                                  : mock.ingested_spans().size());
        if (::write(up[1], &stored, sizeof stored) != sizeof stored) ::_exit(2);
      }
      mock.stop();
      ::_exit(0);
    }
    ::close(down[0]);
    ::close(up[1]);
    to_child = down[1];
    from_child = up[0];
    if (::read(from_child, &port, sizeof port) != sizeof port) std::abort();
    key = respan::testing::MockServerOptions().api_key;
  }
  int stored() const {
    const char ask = 1;
    int n = -1;
    if (::write(to_child, &ask, 1) != 1 || ::read(from_child, &n, sizeof n) != sizeof n) return -1;
    return n;
  }
};
Server g_server;  // constructed first, destroyed last

// Destroyed after the logger (constructed before it): checks what the server stored.
struct Checker {
  ~Checker() {
    const int stored = g_server.stored();
    if (stored != kSpans) {
      std::fprintf(stderr, "exit_flush: the server stored %d spans, expected %d\n", stored, kSpans);
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
  o.api_key = g_server.key;
  o.base_url = "http://127.0.0.1:" + std::to_string(g_server.port);
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
