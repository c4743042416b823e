// OpenAI chat, streamed and traced: calls an OpenAI-compatible Chat Completions endpoint with
// libcurl, prints the answer as it streams in, and records the call as a span with the
// provider adapter (respan::adapters::StreamAccumulator), under a root span of the program.
//
//   openai_chat ["your question"]
//
// Environment, as the OpenAI SDKs read it:
//   OPENAI_API_KEY   the provider's key. Unset: the fake `/v1/chat/completions` of the bundled
//                    mock server answers instead (MockServerOptions::fake_openai), on 127.0.0.1.
//   OPENAI_BASE_URL  the API's base, `/v1` included (default https://api.openai.com/v1); e.g.
//                    http://127.0.0.1:8080/v1 for a llama.cpp server, http://127.0.0.1:11434/v1
//                    for Ollama (which take any key: OPENAI_API_KEY=none).
//   OPENAI_MODEL     the model (default gpt-4o-mini).
//   RESPAN_API_KEY / RESPAN_BASE_URL: where the spans go (unset key: the mock, as every
//                    example; see example_client.hpp).
//
// The request asks for usage in the stream (`stream_options.include_usage`), so the span gets
// the token counts, the time to the first token and the tokens per second. A server that
// answers with one JSON body instead of a stream is recorded as well; an HTTP error answer
// makes the LLM span an error span with the provider's message; a transport failure too. The
// DeliveryReport is printed as one JSON object on the last line of stdout. Exit status 0 only
// if the call succeeded and both spans were delivered. The API key is never printed.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

#include <curl/curl.h>

#include <respan/adapters/openai.hpp>
#include <respan/adapters/stream.hpp>
#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

#include "example_client.hpp"

namespace {

constexpr std::size_t kMaxBody = 8u << 20;  // a non-streamed answer or an error body, at most

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

// What the write callback needs: the stream accumulator, or the body when the answer is not
// a stream (an error, or a server that ignored `stream`).
struct Exchange {
  CURL* curl = nullptr;
  respan::adapters::StreamAccumulator stream{respan::adapters::StreamFormat::openai_chat};
  bool decided = false;  // whether the answer is a stream is known (once its headers arrived)
  bool streaming = false;
  std::string body;
};

std::size_t on_data(char* data, std::size_t size, std::size_t count, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  const std::size_t n = size * count;
  if (!ex->decided) {
    long status = 0;
    char* type = nullptr;
    curl_easy_getinfo(ex->curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(ex->curl, CURLINFO_CONTENT_TYPE, &type);
    ex->streaming = status >= 200 && status < 300 && type != nullptr &&
                    std::string_view(type).find("text/event-stream") != std::string_view::npos;
    ex->decided = true;
  }
  if (ex->streaming) {
    std::cout << ex->stream.feed(std::string_view(data, n)) << std::flush;  // the answer so far
  } else {
    ex->body.append(data, std::min(n, kMaxBody - ex->body.size()));
  }
  return n;
}

// `text` with every occurrence of `secret` replaced (no key in what we print).
std::string scrub(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at))
    text.replace(at, secret.size(), "[key]");
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);  // before any thread; respan's transport shares it
  const std::string prompt =
      argc > 1 ? argv[1] : "In one sentence, why does a C++ service trace its LLM calls?";
  std::string openai_key = env_or("OPENAI_API_KEY", "");
  std::string base_url = env_or("OPENAI_BASE_URL", "https://api.openai.com/v1");
  const std::string model = env_or("OPENAI_MODEL", "gpt-4o-mini");

  // 1. Respan: the real service if RESPAN_API_KEY is set, else the mock (example_client.hpp),
  //    started with its fake OpenAI endpoint too.
  respan::testing::MockServerOptions mock_options;
  mock_options.fake_openai = true;
  example::Connection conn = example::connect({}, mock_options);
  if (!conn.client) {
    std::cerr << "cannot create client: " << conn.client.error() << "\n";
    return 1;
  }
  // 2. OpenAI: without a key, the mock's fake endpoint (the Respan mock's, or one of its own).
  std::unique_ptr<respan::testing::MockServer> fake_openai;
  if (openai_key.empty()) {
    respan::testing::MockServer* mock = conn.mock.get();
    if (mock == nullptr) {
      fake_openai = std::make_unique<respan::testing::MockServer>(mock_options);
      fake_openai->start();
      mock = fake_openai.get();
    }
    openai_key = mock->api_key();
    base_url = mock->base_url() + "/v1";
    std::cout << "OPENAI_API_KEY is not set: using the mock's fake OpenAI endpoint at " << base_url
              << "\n";
  }
  while (!base_url.empty() && base_url.back() == '/')
    base_url.pop_back();
  const std::string url = base_url + "/chat/completions";

  respan::TracerOptions tracer_options;
  tracer_options.service_name = "openai-chat-example";
  auto tracer_or = respan::Tracer::from_env(std::move(conn.client).value(), tracer_options);
  if (!tracer_or) {
    std::cerr << "cannot create tracer: " << tracer_or.error() << "\n";
    return 1;
  }
  respan::Tracer tracer = std::move(tracer_or).value();

  // 3. The call, under a root span; the LLM span is its child.
  const respan::Json request = {{"model", model},
                                {"messages",
                                 {{{"role", "system"}, {"content", "You are a concise assistant."}},
                                  {{"role", "user"}, {"content", prompt}}}},
                                {"stream", true},
                                {"stream_options", {{"include_usage", true}}}};
  const std::string request_body = request.dump();
  bool ok = false;
  {
    respan::Span root = tracer.start_trace("openai_chat");
    root.set_input(prompt);
    respan::Span llm = tracer.start_span("openai.chat_completions");

    Exchange ex;
    ex.curl = curl_easy_init();
    if (ex.curl == nullptr) {
      std::cerr << "curl_easy_init failed\n";
      return 1;
    }
    const std::string auth = "Authorization: Bearer " + openai_key;
    curl_slist* headers = curl_slist_append(nullptr, auth.c_str());
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Accept: text/event-stream");
    curl_easy_setopt(ex.curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(ex.curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(ex.curl, CURLOPT_POSTFIELDS, request_body.c_str());
    curl_easy_setopt(ex.curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request_body.size()));
    curl_easy_setopt(ex.curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(ex.curl, CURLOPT_WRITEDATA, &ex);
    curl_easy_setopt(ex.curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(ex.curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(ex.curl, CURLOPT_TIMEOUT, 300L);
    curl_easy_setopt(ex.curl, CURLOPT_FOLLOWLOCATION, 0L);

    const auto started = std::chrono::steady_clock::now();
    ex.stream.start();  // time to first token counts from here
    const CURLcode rc = curl_easy_perform(ex.curl);
    const std::chrono::duration<double> latency = std::chrono::steady_clock::now() - started;
    long status = 0;
    curl_easy_getinfo(ex.curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(ex.curl);

    respan::adapters::ExchangeInfo info;
    info.http_status = static_cast<int>(status);
    info.latency = latency;
    respan::Result<void> recorded;
    std::string answer;
    if (rc != CURLE_OK) {  // no answer: an error span with what curl says
      llm.set_model(model).set_prompt_messages(
          {respan::Message::system("You are a concise assistant."), respan::Message::user(prompt)});
      llm.set_error(std::string("request failed: ") + curl_easy_strerror(rc));
      std::cerr << "\nthe call to " << url << " failed: " << curl_easy_strerror(rc) << "\n";
    } else if (ex.streaming) {
      std::cout << ex.stream.finish() << "\n";
      recorded = ex.stream.record(llm, request, info);
      answer = ex.stream.text();
      ok = ex.stream.done() && ex.stream.response().contains("choices");
      if (!ok) std::cerr << "the stream ended early or reported an error\n";
    } else if (status >= 200 && status < 300) {  // one JSON answer: a server ignoring `stream`
      info.stream = false;
      respan::Result<respan::Json> response = respan::adapters::parse_body(ex.body);
      if (response) {
        recorded = respan::adapters::openai::record_chat(llm, request, *response, info);
        const respan::Json& r = *response;
        if (r.contains("choices") && r["choices"].is_array() && !r["choices"].empty() &&
            r["choices"][0].is_object() && r["choices"][0].contains("message") &&
            r["choices"][0]["message"].is_object() &&
            r["choices"][0]["message"].contains("content") &&
            r["choices"][0]["message"]["content"].is_string()) {
          answer = r["choices"][0]["message"]["content"].get<std::string>();
          std::cout << answer << "\n";
          ok = true;
        }
      } else {
        llm.set_model(model).set_error("the answer is not JSON");
      }
    } else {  // the provider's error body: the span becomes an error span
      const std::string body = scrub(ex.body, openai_key);
      recorded = respan::adapters::openai::record_chat(llm, request,
                                                       respan::adapters::error_body(body), info);
      std::cerr << "\nthe call to " << url << " answered HTTP " << status << ": "
                << body.substr(0, 500) << "\n";
    }
    if (!recorded) std::cerr << "cannot record the call: " << recorded.error() << "\n";
    root.set_output(answer);
    if (!ok) root.set_error("the LLM call failed");
  }  // both spans end here (the LLM span first) and are queued

  // 4. Send the spans (up to 30 s) and stop.
  const respan::DeliveryReport report = tracer.shutdown(std::chrono::seconds(30));
  respan::Json line;
  respan::to_json(line, report);
  std::cout << line.dump() << std::endl;
  return ok && report.logged == 2 && report.all_delivered() ? 0 : 1;
}
