// Quickstart: log one chat span and read it back.
//
// With RESPAN_API_KEY set, talks to Respan (RESPAN_BASE_URL overrides the host). Without it,
// starts the bundled mock Respan server on 127.0.0.1, so it runs with no account or network.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

#include "example_client.hpp"

int main() {
  // 1. A client: the real service if a key is configured, else a local mock server
  //    (example_client.hpp).
  example::Connection conn = example::connect();
  if (!conn.client) {
    std::cerr << "cannot create client: " << conn.client.error() << "\n";
    return 1;
  }
  respan::RespanClient client = std::move(conn.client).value();

  // 2. Describe one LLM call as a span.
  respan::RequestLog span;
  span.model = "gpt-4o";
  span.prompt_messages =
      std::vector<respan::Message>{respan::Message::system("You are a helpful support agent."),
                                   respan::Message::user("Where is my order?")};
  span.completion_message = respan::Message::assistant("It ships today.");
  span.prompt_tokens = 12;
  span.completion_tokens = 6;
  span.latency = 0.84;
  span.customer_identifier = "customer-42";
  span.metadata = respan::Json{{"feature", "order-status"}};

  // 3. Log it. Errors are values: no exception unless you ask for one with .value().
  respan::Result<respan::RequestLogCreated> created = client.request_logs().create(span);
  if (!created) {
    std::cerr << "create failed: " << created.error() << "\n";
    return 1;
  }
  std::cout << "logged span " << created->unique_id << " (environment "
            << created->environment.value_or("?") << ")\n";

  // 4. Read it back. Ingestion is asynchronous on the real service: retry briefly on 404.
  const std::string id = created->unique_id;
  for (int attempt = 0; attempt < 10; ++attempt) {
    auto stored = client.request_logs().retrieve(id);
    if (stored) {
      std::cout << "read back: model=" << stored->model
                << " prompt_tokens=" << stored->prompt_tokens.value_or(0)
                << " completion_tokens=" << stored->completion_tokens.value_or(0) << "\n";
      return 0;
    }
    if (stored.error().code != respan::ErrorCode::not_found) {
      std::cerr << "retrieve failed: " << stored.error() << "\n";
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  std::cerr << "span " << id << " was not readable after 10 s\n";
  return 1;
}
