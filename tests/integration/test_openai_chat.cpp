// The flow of examples/openai_chat.cpp in-process, all over loopback: the mock's fake OpenAI
// endpoint -> a libcurl easy handle streaming the answer -> the StreamAccumulator -> the
// Tracer -> the mock's trace ingest; the span the mock ingested is checked field by field.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <respan/adapters/openai.hpp>
#include <respan/adapters/stream.hpp>
#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>
#include <respan/tracing.hpp>

namespace {

using respan::Json;
using std::chrono::milliseconds;
using std::chrono::seconds;

// One call's state for the write callback: streamed bytes go to the accumulator (and what it
// completes to `printed`, as the example prints it), any other answer to `body`.
struct Exchange {
  CURL* curl = nullptr;
  respan::adapters::StreamAccumulator stream{respan::adapters::StreamFormat::openai_chat};
  bool decided = false;
  bool streaming = false;
  std::string printed;
  std::string body;
  long status = 0;
  CURLcode rc = CURLE_OK;
  std::chrono::duration<double> latency{0};
};

std::size_t on_data(char* data, std::size_t size, std::size_t count, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  const std::size_t n = size * count;
  if (!ex->decided) {
    long status = 0;
    char* type = nullptr;
    curl_easy_getinfo(ex->curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(ex->curl, CURLINFO_CONTENT_TYPE, &type);
    ex->streaming = status == 200 && type != nullptr &&
                    std::string_view(type).find("text/event-stream") != std::string_view::npos;
    ex->decided = true;
  }
  if (ex->streaming) {
    ex->printed += ex->stream.feed(std::string_view(data, n));
  } else {
    ex->body.append(data, n);
  }
  return n;
}

class OpenAiChatFlow : public ::testing::Test {
 protected:
  static respan::testing::MockServerOptions mock_options() {
    respan::testing::MockServerOptions o;
    o.fake_openai = true;
    return o;
  }
  void SetUp() override { server_.start(); }

  respan::Tracer tracer() {
    respan::ClientOptions c;
    c.api_key = server_.api_key();
    c.base_url = server_.base_url();
    respan::TracerOptions o;
    o.batch.flush_interval = milliseconds(50);
    return respan::Tracer(respan::RespanClient(c), o);
  }

  // POSTs `request` to the fake's `/v1/chat/completions` as the example does.
  void call(Exchange& ex, const Json& request, const std::string& key) {
    ex.curl = curl_easy_init();
    ASSERT_NE(ex.curl, nullptr);
    const std::string url = server_.base_url() + "/v1/chat/completions";
    const std::string body = request.dump();
    const std::string auth = "Authorization: Bearer " + key;
    curl_slist* headers = curl_slist_append(nullptr, auth.c_str());
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(ex.curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(ex.curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(ex.curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(ex.curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(ex.curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(ex.curl, CURLOPT_WRITEDATA, &ex);
    curl_easy_setopt(ex.curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(ex.curl, CURLOPT_TIMEOUT, 30L);
    const auto started = std::chrono::steady_clock::now();
    ex.stream.start();
    ex.rc = curl_easy_perform(ex.curl);
    ex.latency = std::chrono::steady_clock::now() - started;
    curl_easy_getinfo(ex.curl, CURLINFO_RESPONSE_CODE, &ex.status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(ex.curl);
    ex.curl = nullptr;
  }

  // The span the mock ingested under `span_id`, or null.
  Json ingested(const std::string& span_id) const {
    for (const Json& s : server_.ingested_spans())
      if (s.value("span_unique_id", "") == span_id) return s;
    return Json();
  }

  // True when a trace-ingest body the mock received holds a JSON null (never sent).
  bool ingest_sent_null() const {
    for (const auto& r : server_.requests()) {
      if (r.path != "/api/v1/traces/ingest") continue;
      bool found = false;
      const Json body = r.json();
      std::vector<const Json*> todo{&body};
      while (!todo.empty()) {
        const Json* j = todo.back();
        todo.pop_back();
        found = found || j->is_null();
        if (j->is_structured())
          for (const Json& c : *j)
            todo.push_back(&c);
      }
      if (found) return true;
    }
    return false;
  }

  static Json request(bool stream) {
    Json r = {{"model", "gpt-4o-mini"},
              {"messages",
               {{{"role", "system"}, {"content", "You are a concise assistant."}},
                {{"role", "user"}, {"content", "Why trace LLM calls?"}}}}};
    if (stream) {
      r["stream"] = true;
      r["stream_options"] = {{"include_usage", true}};
    }
    return r;
  }

  respan::testing::MockServer server_{mock_options()};
};

TEST_F(OpenAiChatFlow, StreamedCallIsDeliveredAsAChildSpanFieldByField) {
  respan::Tracer t = tracer();
  const Json req = request(true);
  std::string root_id, llm_id, trace_id;
  Exchange ex;
  {
    respan::Span root = t.start_trace("openai_chat");
    root.set_input("Why trace LLM calls?");
    respan::Span llm = t.start_span("openai.chat_completions");
    root_id = root.span_unique_id();
    llm_id = llm.span_unique_id();
    trace_id = root.trace_unique_id();
    call(ex, req, server_.api_key());
    ASSERT_EQ(ex.rc, CURLE_OK);
    ASSERT_EQ(ex.status, 200);
    ASSERT_TRUE(ex.streaming);
    ex.printed += ex.stream.finish();
    respan::adapters::ExchangeInfo info;
    info.http_status = 200;
    info.latency = ex.latency;
    const respan::Result<void> recorded = ex.stream.record(llm, req, info);
    ASSERT_TRUE(recorded) << recorded.error();
    root.set_output(ex.stream.text());
  }
  const std::string answer = "Mock answer to: Why trace LLM calls?";
  EXPECT_EQ(ex.printed, answer);  // what feed() returned, piece by piece, is the whole answer
  EXPECT_TRUE(ex.stream.done());
  EXPECT_EQ(ex.stream.skipped_events(), 0u);

  const respan::DeliveryReport report = t.shutdown(seconds(10));
  EXPECT_EQ(report.logged, 2u);
  EXPECT_EQ(report.delivered, 2u);
  EXPECT_EQ(report.pending, 0u);

  Json span = ingested(llm_id);
  ASSERT_TRUE(span.is_object()) << "the LLM span was not ingested";
  EXPECT_EQ(span["trace_unique_id"], trace_id);
  EXPECT_EQ(span["span_parent_id"], root_id);
  EXPECT_EQ(span["span_name"], "openai.chat_completions");
  EXPECT_EQ(span["span_workflow_name"], "openai_chat");
  EXPECT_EQ(span["model"], "gpt-4o-mini");
  EXPECT_EQ(span["log_type"], "chat");
  EXPECT_EQ(span["prompt_messages"], req["messages"]);
  EXPECT_EQ(span["completion_message"], (Json{{"role", "assistant"}, {"content", answer}}));
  // Usage from the stream's last chunk: words, as the fake counts tokens (5 + 4 in, 7 out).
  EXPECT_EQ(span["prompt_tokens"], 9);
  EXPECT_EQ(span["completion_tokens"], 7);
  EXPECT_EQ(span["usage"]["prompt_tokens"], 9);
  EXPECT_EQ(span["usage"]["completion_tokens"], 7);
  EXPECT_EQ(span["stream"], true);
  ASSERT_TRUE(span["time_to_first_token"].is_number()) << span.dump();
  ASSERT_TRUE(span["latency"].is_number()) << span.dump();
  EXPECT_GT(span["time_to_first_token"].get<double>(), 0.0);
  EXPECT_LE(span["time_to_first_token"].get<double>(), span["latency"].get<double>());
  EXPECT_NEAR(span["latency"].get<double>(), ex.latency.count(), 1e-3);
  EXPECT_EQ(span["provider_id"], "openai");
  EXPECT_EQ(span["metadata"]["provider"], "openai");
  EXPECT_EQ(span["metadata"]["response_id"], "chatcmpl-mock-1");
  EXPECT_EQ(span["metadata"]["finish_reason"], "stop");
  EXPECT_NE(span.value("status", ""), "error");

  Json root = ingested(root_id);
  ASSERT_TRUE(root.is_object());
  EXPECT_EQ(root["trace_unique_id"], trace_id);
  EXPECT_FALSE(root.contains("span_parent_id") && !root["span_parent_id"].is_null());
  EXPECT_EQ(root["span_name"], "openai_chat");
  EXPECT_EQ(root["output"], answer);

  EXPECT_FALSE(ingest_sent_null()) << "the stream's `usage: null` chunks must not reach the wire";
  // The call itself was recorded by the mock as sent.
  bool seen = false;
  for (const auto& r : server_.requests())
    if (r.path == "/v1/chat/completions") seen = r.json() == req && r.status == 200;
  EXPECT_TRUE(seen);
}

TEST_F(OpenAiChatFlow, NonStreamedCallIsRecordedWithTheChatAdapter) {
  respan::Tracer t = tracer();
  const Json req = request(false);
  std::string llm_id;
  {
    respan::Span root = t.start_trace("openai_chat");
    respan::Span llm = t.start_span("openai.chat_completions");
    llm_id = llm.span_unique_id();
    Exchange ex;
    call(ex, req, server_.api_key());
    ASSERT_EQ(ex.rc, CURLE_OK);
    ASSERT_EQ(ex.status, 200);
    ASSERT_FALSE(ex.streaming);
    respan::Result<Json> response = respan::adapters::parse_body(ex.body);
    ASSERT_TRUE(response) << response.error();
    respan::adapters::ExchangeInfo info;
    info.http_status = 200;
    info.latency = ex.latency;
    ASSERT_TRUE(respan::adapters::openai::record_chat(llm, req, *response, info));
  }
  EXPECT_EQ(t.shutdown(seconds(10)).delivered, 2u);
  Json span = ingested(llm_id);
  ASSERT_TRUE(span.is_object());
  EXPECT_EQ(span["completion_message"]["content"], "Mock answer to: Why trace LLM calls?");
  EXPECT_EQ(span["prompt_tokens"], 9);
  EXPECT_EQ(span["completion_tokens"], 7);
  EXPECT_FALSE(span.contains("stream") && span["stream"] == true);
  EXPECT_FALSE(span.contains("time_to_first_token"));
  EXPECT_EQ(span["metadata"]["finish_reason"], "stop");
  EXPECT_FALSE(ingest_sent_null());
}

TEST_F(OpenAiChatFlow, AnErrorAnswerMakesAnErrorSpan) {
  respan::Tracer t = tracer();
  const Json req = request(true);
  std::string llm_id;
  {
    respan::Span root = t.start_trace("openai_chat");
    respan::Span llm = t.start_span("openai.chat_completions");
    llm_id = llm.span_unique_id();
    Exchange ex;
    call(ex, req, "sk-not-the-mock-key");  // the fake answers 401 in OpenAI's shape
    ASSERT_EQ(ex.rc, CURLE_OK);
    ASSERT_EQ(ex.status, 401);
    ASSERT_FALSE(ex.streaming);
    EXPECT_TRUE(ex.printed.empty());
    respan::adapters::ExchangeInfo info;
    info.http_status = static_cast<int>(ex.status);
    info.latency = ex.latency;
    ASSERT_TRUE(respan::adapters::openai::record_chat(llm, req,
                                                      respan::adapters::error_body(ex.body), info));
  }
  EXPECT_EQ(t.shutdown(seconds(10)).delivered, 2u);
  Json span = ingested(llm_id);
  ASSERT_TRUE(span.is_object());
  EXPECT_EQ(span["status"], "error");
  EXPECT_EQ(span["status_code"], 401);
  EXPECT_EQ(span["error_message"], "Incorrect API key provided.");
  EXPECT_EQ(span["metadata"]["error_type"], "invalid_request_error");  // the type wins
  EXPECT_EQ(span["model"], "gpt-4o-mini");
  EXPECT_EQ(span["prompt_messages"], req["messages"]);
  for (const auto& r : server_.requests())
    EXPECT_EQ(r.body.find("sk-not-the-mock-key"), std::string::npos) << "the key was sent on";
}

}  // namespace
