// Tracing: an agent-like workflow (plan, two tool calls on two threads, an LLM call, an
// answer) recorded as one trace of nested spans, with no ids or timers handled by hand.
//
//   tracing
//
// Each respan::Span fills its own trace and span ids, parent, names, start time, timestamp
// and latency, and is queued when it ends (a span left by an exception is marked as an
// error). shutdown() sends what is left and returns the DeliveryReport, printed as one JSON
// object on the last line of stdout. Exit status 0 only if every span was delivered.
//
// With RESPAN_API_KEY set, talks to Respan (RESPAN_BASE_URL overrides the host). Without it,
// starts the bundled mock Respan server on 127.0.0.1, so it runs with no account or network.
// RESPAN_TRACING_EXPORTER=otlp sends OTLP/HTTP JSON instead of using trace ingest: to Respan,
// or to the OpenTelemetry Collector named by OTEL_EXPORTER_OTLP_TRACES_ENDPOINT /
// OTEL_EXPORTER_OTLP_ENDPOINT (with OTEL_EXPORTER_OTLP_HEADERS).
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

#include "example_client.hpp"

namespace {

// A tool call: its own span under the parent handed over from another thread.
void run_tool(respan::Tracer& tracer, const respan::SpanContext& parent, const std::string& name,
              const std::string& query) {
  respan::Span span = tracer.start_span(name, parent);  // current span of this thread
  span.set_log_type(respan::LogType::tool()).set_input(query);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the tool's work
  span.set_output(name + " found: order 42 ships today");
}

}  // namespace

int main() {
  // 1. A client: the real service if a key is configured, else a local mock server
  //    (example_client.hpp).
  example::Connection conn = example::connect();
  if (!conn.client) {
    std::cerr << "cannot create client: " << conn.client.error() << "\n";
    return 1;
  }

  // 2. A tracer: exporter and collector from RESPAN_TRACING_EXPORTER and OTEL_EXPORTER_OTLP_*.
  respan::TracerOptions tracer_options;
  tracer_options.service_name = "tracing-example";
  tracer_options.batch.on_event = [](const respan::DeliveryEvent& e) {  // exporter's thread
    using Kind = respan::DeliveryEvent::Kind;
    std::cerr << (e.kind == Kind::rejected         ? "rejected: "
                  : e.kind == Kind::fields_dropped ? "sent without a field: "
                                                   : "dropped: ")
              << e.message << "\n";
  };
  auto tracer_or = respan::Tracer::from_env(std::move(conn.client).value(), tracer_options);
  if (!tracer_or) {
    std::cerr << "cannot create tracer: " << tracer_or.error() << "\n";
    return 1;
  }
  respan::Tracer tracer = std::move(tracer_or).value();
  std::cout << "exporting spans to " << tracer.endpoint() << "\n";

  // 3. The workflow. Spans end (and are queued) when they go out of scope.
  std::string trace_id;
  {
    respan::Span root = tracer.start_trace("answer_question");
    root.set_input("Where is my order 42?").set_customer("customer-7");
    trace_id = root.trace_unique_id();

    {
      respan::Span plan = tracer.start_span("plan");  // child of `root`: this thread's current
      plan.set_output("look up the order, then the shipping status");
    }

    // Two tool calls on two threads; the parent goes over as a SpanContext.
    const respan::SpanContext parent = root.context();
    std::thread orders(run_tool, std::ref(tracer), parent, "orders_db", "order 42");
    std::thread shipping(run_tool, std::ref(tracer), parent, "shipping_api", "order 42");
    orders.join();
    shipping.join();

    {
      respan::Span llm = tracer.start_span("llm_call");
      llm.set_model("gpt-4o")
          .set_prompt_messages({respan::Message::system("You are a helpful support agent."),
                                respan::Message::user("Where is my order 42?")})
          .set_completion_message(respan::Message::assistant("Order 42 ships today."))
          .set_usage(24, 6)
          .set_cost(0.00012);
    }

    {
      respan::Span answer = tracer.start_span("answer");
      answer.set_output("Order 42 ships today.");
    }
    root.set_output("Order 42 ships today.");
  }
  std::cout << "trace " << trace_id << ": " << tracer.stats().logged << " spans ended\n";

  // 4. Send what is left (up to 30 s) and stop: every span is delivered, rejected or dropped.
  const respan::DeliveryReport report = tracer.shutdown(std::chrono::seconds(30));
  if (conn.mock) {
    if (auto trace = conn.mock->trace(trace_id)) {
      std::cout << "the mock holds the trace: " << (*trace)["span_count"] << " spans, root '"
                << (*trace)["span_tree"][0]["span_name"].get<std::string>() << "' with "
                << (*trace)["span_tree"][0]["children"].size() << " children\n";
    }
  }
  respan::Json line;
  respan::to_json(line, report);
  std::cout << line.dump() << std::endl;
  return report.logged == 6 && report.all_delivered() ? 0 : 1;
}
