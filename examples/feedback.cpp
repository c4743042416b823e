// Feedback: log an LLM call as a span, then score it from a second call, as an application's
// thumbs-up / thumbs-down button would (possibly minutes later, from another process: all it
// needs is the span's unique_id).
//
// With RESPAN_API_KEY set, talks to Respan (RESPAN_BASE_URL overrides the host) and scores with
// the evaluator named by RESPAN_FEEDBACK_EVALUATOR (default "user_feedback"; create it in
// Respan first). Without it, starts the bundled mock Respan server on 127.0.0.1.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

#include "example_client.hpp"

namespace {

// What the button handler does: score the span by its id. The log-scoped route keeps one
// score per (span, evaluator, scorer), so a second click replaces the first.
respan::Result<respan::ScoreRecord> on_feedback(const respan::RespanClient& client,
                                                const std::string& span_id,
                                                const std::string& evaluator, bool thumbs_up) {
  respan::Score score = respan::Score::boolean(evaluator, thumbs_up);
  // Ingestion is asynchronous on the real service: retry briefly while the span is not found.
  for (int attempt = 0;; ++attempt) {
    auto r = client.scores().for_log(span_id).create(score);
    if (r || r.error().code != respan::ErrorCode::not_found || attempt == 9) return r;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
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
  const respan::RespanClient client = std::move(conn.client).value();
  const char* evaluator_env = std::getenv("RESPAN_FEEDBACK_EVALUATOR");
  const std::string evaluator =
      evaluator_env != nullptr && *evaluator_env != '\0' ? evaluator_env : "user_feedback";

  // 2. The application answers a question and logs the call.
  respan::RequestLog span("gpt-4o");
  span.prompt_messages = std::vector<respan::Message>{respan::Message::user("Where is my order?")};
  span.completion_message = respan::Message::assistant("It ships today.");
  span.customer_identifier = "customer-42";
  auto created = client.request_logs().create(span);
  if (!created) {
    std::cerr << "create failed: " << created.error() << "\n";
    return 1;
  }
  // The id travels with the answer to the UI (e.g. in the HTTP response).
  const std::string span_id = created->unique_id;
  std::cout << "logged span " << span_id << "\n";

  // 3. Later, the user clicks thumbs-up...
  auto up = on_feedback(client, span_id, evaluator, true);
  if (!up) {
    std::cerr << "scoring failed: " << up.error() << "\n";
    return 1;
  }
  std::cout << "scored " << span_id << ": " << evaluator << " = true (score " << up->id << ")\n";

  // 4. ...then changes their mind: the same score is overwritten, not duplicated.
  auto down = on_feedback(client, span_id, evaluator, false);
  if (!down) {
    std::cerr << "scoring failed: " << down.error() << "\n";
    return 1;
  }
  std::cout << "re-scored: " << evaluator << " = false (score " << down->id
            << (down->id == up->id ? ", the same score" : ", a new score") << ")\n";

  // 5. Every score of the span.
  int count = 0;
  for (auto& s : client.scores().for_log(span_id).list_all()) {
    if (!s) {
      std::cerr << "list failed: " << s.error() << "\n";
      return 1;
    }
    ++count;
    std::cout << "  " << s->evaluator_slug.value_or(s->evaluator_id.value_or("?")) << ": "
              << (s->boolean_value ? (*s->boolean_value ? "true" : "false") : "-") << " by "
              << s->scorer.value_or("?") << "\n";
  }
  if (count != 1 || down->id != up->id) {
    std::cerr << "expected one score per span, evaluator and scorer, found " << count << "\n";
    return 1;
  }
  return 0;
}
