// Prompts at run time: fetch a prompt's deployed version through a PromptCache, render its
// `{{variables}}` locally, "call" the model (faked here: no network), and log the span with the
// prompt's fields so that Respan links the call to the prompt version.
//
// With RESPAN_API_KEY set, talks to Respan (RESPAN_BASE_URL overrides the host) and uses the
// prompt RESPAN_PROMPT_ID, which must have a deployed version whose messages use
// `{{user_query}}`. Without it, starts the bundled mock Respan server on 127.0.0.1 and creates,
// commits and deploys such a prompt there first.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

#include "example_client.hpp"

namespace {

// Creates a prompt with one deployed version on the mock; returns its id.
respan::Result<std::string> create_demo_prompt(const respan::RespanClient& client) {
  respan::Prompt prompt;
  prompt.name = "order_support";
  prompt.description = "Answers order-status questions";
  auto created = client.prompts().create(prompt);
  if (!created) return std::move(created).error();
  respan::PromptVersion version;
  version.messages = {
      respan::Message::system("You are {{company}}'s support agent. Be {{ tone }}."),
      respan::Message::user("{{user_query}}")};
  version.model = "gpt-4o";
  version.temperature = 0.2;
  version.variables = respan::Json{{"company", "Acme"}, {"tone", "brief"}, {"user_query", ""}};
  version.description = "first version";
  if (auto v = client.prompts().create_version(created->id, version); !v) return v.error();
  respan::CommitPromptRequest commit;
  commit.description = "v1";
  auto committed = client.prompts().commit(created->id, commit);
  if (!committed) return std::move(committed).error();
  if (auto d = client.prompts().deploy(created->id, committed->version.value_or(1)); !d) {
    return d.error();
  }
  return created->id;
}

// Stands in for the LLM call.
std::string fake_llm(const std::vector<respan::Message>& messages) {
  return "(model answer to: " + messages.back().text() + ")";
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

  // 2. The prompt: made on the mock, or RESPAN_PROMPT_ID on the real service.
  std::string prompt_id;
  if (conn.mock) {
    auto id = create_demo_prompt(client);
    if (!id) {
      std::cerr << "cannot create the demo prompt: " << id.error() << "\n";
      return 1;
    }
    prompt_id = *id;
    std::cout << "created, committed and deployed prompt " << prompt_id << "\n";
  } else {
    const char* id = std::getenv("RESPAN_PROMPT_ID");
    if (id == nullptr || *id == '\0') {
      std::cerr << "set RESPAN_PROMPT_ID to a prompt with a deployed version\n";
      return 1;
    }
    prompt_id = id;
  }

  // 3. At run time: a cache, so that each request does not fetch the prompt again.
  respan::PromptCacheOptions cache_options;
  cache_options.ttl = std::chrono::minutes(5);
  cache_options.on_fetch_error = [](const std::string& id, const respan::Error& e) {
    std::cerr << "prompt " << id << " could not be refreshed: " << e << "\n";
  };
  respan::PromptCache prompts(client, cache_options);

  for (const char* question : {"Where is my order #A-17?", "Can I change the address?"}) {
    auto prompt = prompts.get(prompt_id);
    if (!prompt) {
      std::cerr << "no prompt: " << prompt.error() << "\n";
      return 1;
    }
    if (prompt->stale) std::cerr << "serving a stale prompt version\n";
    const respan::Json variables = {
        {"company", "Acme"}, {"tone", "brief"}, {"user_query", question}};
    auto messages = prompt->render(variables);  // a missing variable is an error, never ""
    if (!messages) {
      std::cerr << "cannot render: " << messages.error() << "\n";
      return 1;
    }
    const std::string answer = fake_llm(*messages);

    // 4. Log the call with the prompt's fields, as the request-log API takes them.
    const respan::PromptVersionRecord& version = prompt->version();
    respan::RequestLog span(version.model.value_or("gpt-4o"));
    span.prompt_messages = *messages;
    span.completion_message = respan::Message::assistant(answer);
    span.prompt_id = prompt_id;
    span.prompt_name = prompt->prompt().name;
    span.variables = variables;
    span.temperature = version.temperature;
    span.metadata = respan::Json{{"prompt_version", version.version.value_or(0)},
                                 {"prompt_version_id", version.prompt_version_id.value_or("")}};
    auto logged = client.request_logs().create(span);
    if (!logged) {
      std::cerr << "log failed: " << logged.error() << "\n";
      return 1;
    }
    std::cout << "v" << version.version.value_or(0) << " rendered \"" << messages->front().text()
              << "\" -> logged span " << logged->unique_id << "\n";
  }

  // The rule for missing variables, shown: an invalid_argument naming them.
  auto prompt = prompts.get(prompt_id);
  if (!prompt) {
    std::cerr << "no prompt: " << prompt.error() << "\n";
    return 1;
  }
  auto incomplete = prompt->render({{"company", "Acme"}});
  std::cout << "rendering with `company` only: "
            << (incomplete ? "unexpectedly succeeded" : incomplete.error().message) << "\n";

  const respan::PromptCacheStats stats = prompts.stats();
  std::cout << "cache: " << stats.hits << " hits, " << stats.fetches << " fetch(es)\n";
  return (incomplete || stats.fetches != 1) ? 1 : 0;
}
