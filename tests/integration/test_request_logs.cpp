// The request-log API end to end: the real client and libcurl transport against the mock
// server over loopback.
#include <atomic>
#include <cctype>
#include <chrono>
#include <limits>
#include <mutex>
#include <set>
#include <thread>

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

#include "mock_api_test.hpp"

using namespace std::chrono_literals;
using respan::ErrorCode;
using respan::Json;
using respan::testing::Fault;
using respan::testing::MockServer;

namespace {

class RequestLogsApi : public MockApiTest {
 protected:
  // The base URL is accepted with /api and a trailing slash.
  respan::ClientOptions options() const { return MockApiTest::options("/api/"); }
  respan::RespanClient client() const { return respan::RespanClient::create(options()).value(); }

  static respan::RequestLog chat_span(const std::string& customer = "customer-42") {
    respan::RequestLog s;
    s.model = "gpt-4o";
    s.prompt_messages = std::vector<respan::Message>{respan::Message::system("Be brief."),
                                                     respan::Message::user("Where is my order?")};
    s.completion_message = respan::Message::assistant("It ships today.");
    s.prompt_tokens = 12;
    s.completion_tokens = 6;
    s.latency = 0.84;
    s.customer_identifier = customer;
    s.metadata = Json{{"feature", "orders"}};
    return s;
  }
};

TEST_F(RequestLogsApi, CreateSendsExactlyTheSpanAndReturnsTheCreatedFields) {
  auto c = client();
  respan::RequestLog span = chat_span();
  span.usage = respan::Usage{};
  span.usage->cache_creation_input_tokens = 5;
  span.usage->cache_read_input_tokens = 7;
  auto created = c.request_logs().create(span);
  ASSERT_TRUE(created) << created.error();
  EXPECT_EQ(created->unique_id.size(), 32u);
  EXPECT_EQ(created->id, created->unique_id);
  EXPECT_EQ(created->environment, "test");
  EXPECT_EQ(created->customer_identifier, "customer-42");
  EXPECT_EQ(created->status, respan::SpanStatus::success());
  EXPECT_EQ(created->prompt_cache_creation_tokens, 5);
  EXPECT_EQ(created->prompt_cache_hit_tokens, 7);
  EXPECT_DOUBLE_EQ(created->latency.value_or(0).count(), 0.84);

  auto sent = requests_to("/api/request-logs/");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].method, "POST");
  EXPECT_EQ(sent[0].header("authorization"), "Bearer " + server_.api_key());
  EXPECT_EQ(sent[0].header("content-type"), "application/json");
  EXPECT_EQ(sent[0].json(), Json(span));
  EXPECT_FALSE(sent[0].json().contains("temperature"));  // unset fields are not sent
}

TEST_F(RequestLogsApi, CreateRefusesNonFiniteNumbersAndNullsBeforeSending) {
  auto c = client();
  auto s = chat_span();
  s.latency = std::numeric_limits<double>::quiet_NaN();
  auto r = c.request_logs().create(s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(r.error().message, "RequestLog.latency: not a finite number (NaN)");
  s.latency = 1.0;
  s.output = respan::SpanIO{};
  EXPECT_EQ(c.request_logs().create(s).error().message, "RequestLog.output: set but null");
  respan::RequestLogUpdate u;
  u.metadata = Json{{"score", std::numeric_limits<double>::infinity()}};
  EXPECT_EQ(c.request_logs().update("abc", u).error().message,
            "RequestLogUpdate.metadata.score: not a finite number (inf)");
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(RequestLogsApi, CreateThenRetrieveRoundTrip) {
  auto c = client();
  respan::RequestLog span = chat_span();
  span.extra["generation_time"] = 1.5;  // the legacy names: the service normalises them
  span.latency.reset();
  span.extra["ttft"] = 0.25;
  span.customer_identifier.reset();
  span.customer_params = respan::CustomerParams{};
  span.customer_params->customer_identifier = "promoted";
  span.stop = respan::Stop(std::vector<std::string>{"\n\n", "END"});
  span.tool_choice = respan::ToolChoice(std::string("auto"));
  span.extra["future_field"] = Json{{"kept", true}};
  auto created = c.request_logs().create(span).value();

  auto got = c.request_logs().retrieve(created.unique_id);
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(got->model, "gpt-4o");
  EXPECT_EQ(got->unique_id, created.unique_id);
  EXPECT_DOUBLE_EQ(got->latency.value_or(0).count(), 1.5);
  EXPECT_DOUBLE_EQ(got->time_to_first_token.value_or(0).count(), 0.25);
  EXPECT_EQ(got->customer_identifier, "promoted");
  ASSERT_TRUE(got->prompt_messages);
  ASSERT_EQ(got->prompt_messages->size(), 2u);
  EXPECT_EQ((*got->prompt_messages)[1].role, "user");
  ASSERT_TRUE(got->completion_message);
  EXPECT_EQ(got->completion_message->role, "assistant");
  EXPECT_EQ(got->prompt_tokens, 12);
  EXPECT_EQ(got->metadata, (Json{{"feature", "orders"}}));
  EXPECT_EQ(Json(*got->stop), (Json{"\n\n", "END"}));
  EXPECT_EQ(got->extra.at("future_field"), (Json{{"kept", true}}));
}

TEST_F(RequestLogsApi, EveryFieldSurvivesCreateAndRetrieve) {
  auto c = client();
  respan::RequestLog s = chat_span();
  s.input = respan::SpanIO(std::vector<respan::Message>{respan::Message::user("hi")});
  s.output = respan::SpanIO(respan::Message::assistant("hello"));
  s.log_type = respan::LogType::chat();
  s.usage = respan::Usage{};
  s.usage->total_tokens = 18;
  s.cost = 0.0123;
  s.time_to_first_token = 0.2;
  s.tokens_per_second = 42.5;
  s.prompt_unit_price = 2.5;
  s.completion_unit_price = 10;
  s.timestamp = respan::Timestamp("2026-11-23T10:00:01Z");
  s.start_time = respan::Timestamp("2026-11-23T10:00:00Z");
  s.temperature = 0.7;
  s.top_p = 0.9;
  s.max_tokens = 256;
  s.frequency_penalty = 0.1;
  s.presence_penalty = -0.1;
  s.stop = respan::Stop("END");
  s.stream = true;
  s.tools = std::vector<respan::ToolDefinition>{respan::ToolDefinition::make_function(
      "lookup", "Look an order up", Json{{"type", "object"}})};
  s.tool_calls = std::vector<respan::ToolCall>{
      respan::ToolCall::make_function("call_1", "lookup", R"({"id":1})")};
  s.tool_choice = respan::ToolChoice::function("lookup");
  s.response_format = Json{{"type", "json_object"}};
  s.status_code = 200;
  s.status = respan::SpanStatus::success();
  s.warnings = respan::Warnings("slow provider");
  s.trace_unique_id = "trace-1";
  s.span_name = "answer";
  s.span_parent_id = "span-0";
  s.span_workflow_name = "support";
  s.custom_identifier = "ticket-9";
  s.thread_identifier = "thread-3";
  s.group_identifier = "group-2";
  s.properties = Json{{"n", 1}};
  s.variables = Json{{"name", "Ann"}};
  s.prompt_id = "p1";
  s.prompt_name = "support";
  s.is_custom_prompt = true;
  s.full_request = Json{{"model", "gpt-4o"}};
  s.full_response = Json{{"id", "chatcmpl-1"}};
  s.positive_feedback = true;
  const auto created = c.request_logs().create(s);
  ASSERT_TRUE(created) << created.error();
  const auto got = c.request_logs().retrieve(created->unique_id);
  ASSERT_TRUE(got) << got.error();
  const Json sent = s;
  const Json stored = *got;
  for (auto it = sent.begin(); it != sent.end(); ++it) {
    ASSERT_TRUE(stored.contains(it.key())) << it.key();
    if (it.key() == "timestamp" || it.key() == "start_time") continue;  // reformatted
    EXPECT_EQ(stored.at(it.key()), it.value()) << it.key();
  }
  // The service renders datetimes in its own format; the instants must match.
  EXPECT_EQ(got->timestamp->to_time_point(), s.timestamp->to_time_point());
  EXPECT_EQ(got->start_time->to_time_point(), s.start_time->to_time_point());
  EXPECT_EQ(got->environment, "test");
}

// Raw libcurl POST that does NOT decode the body: returns the Content-Encoding header.
std::string raw_content_encoding(const std::string& url, const std::string& key) {
  CURL* h = curl_easy_init();
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, ("Authorization: Bearer " + key).c_str());
  headers = curl_slist_append(headers, "Accept-Encoding: gzip");
  std::string head;
  auto on_header = +[](char* d, size_t s, size_t n, void* u) {
    static_cast<std::string*>(u)->append(d, s * n);
    return s * n;
  };
  auto discard = +[](char*, size_t s, size_t n, void*) { return s * n; };
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, "{}");
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &head);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_perform(h);
  curl_slist_free_all(headers);
  curl_easy_cleanup(h);
  for (auto& ch : head)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  const auto at = head.find("content-encoding:");
  if (at == std::string::npos) return "";
  const auto end = head.find('\r', at);
  std::string v = head.substr(at + 17, end - at - 17);
  v.erase(0, v.find_first_not_of(' '));
  return v;
}

TEST_F(RequestLogsApi, CompressedResponsesAreDecoded) {
  auto c = client();
  for (int i = 0; i < 20; ++i) {
    auto s = chat_span();
    s.metadata = Json{{"padding", std::string(200, 'x')}, {"i", i}};
    ASSERT_TRUE(c.request_logs().create(s));
  }
  // The server really compresses this page (checked without decoding)...
  EXPECT_EQ(raw_content_encoding(server_.base_url() + "/api/request-logs/list/", server_.api_key()),
            "gzip");
  // ...and the SDK, which advertises the encodings libcurl can decode, reads it.
  respan::RequestLogListQuery q;
  q.page_size = 20;
  auto page = c.request_logs().list(q);
  ASSERT_TRUE(page) << page.error();
  ASSERT_EQ(page->results.size(), 20u);
  EXPECT_EQ(page->results[0].metadata->at("padding"), std::string(200, 'x'));
  const auto sent = requests_to("/api/request-logs/list/").back();
  EXPECT_NE(sent.header("accept-encoding").find("gzip"), std::string::npos);
}

TEST_F(RequestLogsApi, ProxyOptionRoutesRequestsThroughTheProxy) {
  // A second mock plays the proxy: an HTTP proxy receives the absolute URL of the target.
  // The target host is never resolved or contacted by the client (only the proxy is).
  MockServer proxy;
  proxy.start();
  auto o = options();
  o.base_url = "http://respan.invalid";
  o.allow_insecure_http = true;  // plain http to a non-loopback host must be asked for
  o.proxy = proxy.base_url();
  o.retry = respan::RetryPolicy::none();
  auto r = respan::RespanClient::create(o).value().request_logs().create(chat_span());
  ASSERT_FALSE(r);  // the "proxy" does not forward
  ASSERT_EQ(proxy.requests().size(), 1u);
  const auto seen = proxy.requests().at(0);
  EXPECT_NE(seen.path.find("respan.invalid"), std::string::npos) << seen.path;
  EXPECT_NE(seen.path.find("/api/request-logs/"), std::string::npos) << seen.path;
  EXPECT_EQ(seen.header("host"), "respan.invalid");
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(RequestLogsApi, LegacyCreateEndpointIsSelectable) {
  auto o = options();
  o.use_legacy_create_endpoint = true;
  auto c = respan::RespanClient::create(o).value();
  ASSERT_TRUE(c.request_logs().create(chat_span()));
  EXPECT_EQ(requests_to("/api/request-logs/create/").size(), 1u);
  EXPECT_EQ(requests_to("/api/request-logs/").size(), 0u);
}

TEST_F(RequestLogsApi, MissingModelIsRejectedBeforeSending) {
  respan::RequestLog span = chat_span();
  span.model.clear();
  auto r = client().request_logs().create(span);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(r.error().attempts, 0);
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(RequestLogsApi, WrongKeyIsUnauthorizedAndNotRetried) {
  auto o = options();
  o.api_key = "sk-wrong-key-0000";
  std::vector<std::string> lines;
  std::mutex mu;
  o.log_level = respan::LogLevel::debug;
  o.log = [&](respan::LogLevel, std::string_view m) {
    std::lock_guard<std::mutex> lock(mu);
    lines.emplace_back(m);
  };
  auto c = respan::RespanClient::create(o).value();
  auto r = c.request_logs().create(chat_span());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::unauthorized);
  EXPECT_EQ(r.error().http_status, 401);
  EXPECT_EQ(r.error().attempts, 1);
  EXPECT_FALSE(r.error().message.empty());
  EXPECT_EQ(server_.requests().size(), 1u);
  std::string everything = r.error().to_string() + r.error().raw_body;
  for (auto& l : lines)
    everything += l;
  EXPECT_EQ(everything.find("sk-wrong-key-0000"), std::string::npos);
}

TEST_F(RequestLogsApi, ServerEchoingTheKeyIsScrubbed) {
  Fault f;
  f.status = 400;
  f.body = R"({"detail": "key )" + server_.api_key() + R"( is not allowed here"})";
  server_.inject_fault(f);
  auto r = client().request_logs().create(chat_span());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::bad_request);
  EXPECT_EQ(r.error().message.find(server_.api_key()), std::string::npos);
  EXPECT_EQ(r.error().raw_body.find(server_.api_key()), std::string::npos);
  EXPECT_NE(r.error().message.find("[redacted]"), std::string::npos);
}

TEST_F(RequestLogsApi, ValidationErrorCarriesFieldErrors) {
  Fault f;
  f.status = 422;
  f.body = R"({"detail": "Validation error", "errors": {"model": ["This field is required."]}})";
  server_.inject_fault(f);
  auto r = client().request_logs().create(chat_span());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::validation);
  EXPECT_EQ(r.error().message, "Validation error");
  ASSERT_EQ(r.error().field_errors.count("model"), 1u);
  EXPECT_EQ(r.error().field_errors.at("model").at(0), "This field is required.");
  EXPECT_THROW(client().request_logs().retrieve("nope").value(), respan::ApiError);
}

TEST_F(RequestLogsApi, RetriesServiceUnavailableHonouringRetryAfter) {
  Fault f;
  f.status = 503;
  f.retry_after_ms = "30";
  f.times = 2;
  server_.inject_fault(f);
  std::vector<std::chrono::milliseconds> sleeps;
  auto o = options();
  o.sleeper = [&](std::chrono::milliseconds d) { sleeps.push_back(d); };
  auto c = respan::RespanClient::create(o).value();
  auto r = c.request_logs().create(chat_span());
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(requests_to("/api/request-logs/").size(), 3u);
  EXPECT_EQ(sleeps, (std::vector<std::chrono::milliseconds>{30ms, 30ms}));
  EXPECT_EQ(server_.request_logs().size(), 1u);
}

TEST_F(RequestLogsApi, RateLimitExhaustsRetriesWithTypedError) {
  Fault f;
  f.status = 429;
  f.body_retry_after = 0.01;
  f.times = 10;
  server_.inject_fault(f);
  auto r = client().request_logs().create(chat_span());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::rate_limited);
  EXPECT_EQ(r.error().attempts, 3);
  ASSERT_TRUE(r.error().retry_after);
  EXPECT_EQ(*r.error().retry_after, 10ms);
  EXPECT_TRUE(server_.request_logs().empty());
}

TEST_F(RequestLogsApi, DroppedConnectionIsANetworkErrorAndIsRetried) {
  Fault f;
  f.drop_connection = true;
  server_.inject_fault(f);
  auto ok = client().request_logs().create(chat_span());
  ASSERT_TRUE(ok) << ok.error();

  server_.inject_fault(f);
  respan::RequestOptions once;
  once.max_retries = 0;
  auto r = client().request_logs().create(chat_span(), once);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::network);
  EXPECT_EQ(r.error().http_status, 0);
}

TEST_F(RequestLogsApi, MalformedJsonIsADecodeError) {
  Fault f;
  f.malformed_json = true;
  server_.inject_fault(f);
  auto r = client().request_logs().create(chat_span());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::decode);
  EXPECT_FALSE(r.error().raw_body.empty());
  EXPECT_EQ(server_.requests().size(), 1u);
}

TEST_F(RequestLogsApi, SlowServerTimesOut) {
  Fault f;
  f.delay = 400ms;
  f.times = 3;
  server_.inject_fault(f);
  respan::RequestOptions call;
  call.request_timeout = 100ms;
  call.max_retries = 0;
  auto r = client().request_logs().create(chat_span(), call);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::timeout);
}

TEST_F(RequestLogsApi, CallDeadlineBoundsRetries) {
  Fault f;
  f.delay = 150ms;
  f.status = 503;
  f.times = 20;
  server_.inject_fault(f);
  respan::RequestOptions call;
  call.call_deadline = 250ms;
  call.max_retries = 10;
  const auto start = std::chrono::steady_clock::now();
  auto r = client().request_logs().create(chat_span(), call);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().code == ErrorCode::timeout || r.error().code == ErrorCode::server)
      << r.error();
  EXPECT_LE(r.error().attempts, 2);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST_F(RequestLogsApi, ConnectionRefusedIsANetworkError) {
  auto o = options();
  server_.stop();
  auto c = respan::RespanClient::create(o).value();
  auto r = c.request_logs().retrieve("x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::network);
  EXPECT_EQ(r.error().attempts, 3);
}

TEST_F(RequestLogsApi, BulkCreateChunksAndReportsRowsByOriginalIndex) {
  std::vector<respan::RequestLog> spans;
  for (int i = 0; i < 1203; ++i)
    spans.push_back(chat_span("c" + std::to_string(i % 7)));
  for (int bad : {0, 600, 1202})
    spans[static_cast<std::size_t>(bad)].model.clear();
  auto r = client().request_logs().create_bulk(spans);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->success_count, 1200);
  EXPECT_EQ(r->error_count, 3);
  ASSERT_EQ(r->errors.size(), 3u);
  EXPECT_EQ(r->errors[0].index, 0);
  EXPECT_EQ(r->errors[1].index, 600);
  EXPECT_EQ(r->errors[2].index, 1202);
  auto sent = requests_to("/api/request-logs/bulk/");
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0].json()["logs"].size(), 500u);
  EXPECT_EQ(sent[1].json()["logs"].size(), 500u);
  EXPECT_EQ(sent[2].json()["logs"].size(), 200u);
  EXPECT_EQ(server_.request_logs().size(), 1200u);
}

TEST_F(RequestLogsApi, BulkReportsUnencodableRowsWithoutThrowing) {
  std::vector<respan::RequestLog> spans{chat_span(), chat_span(), chat_span()};
  spans[1].metadata = Json{{"score", std::numeric_limits<double>::quiet_NaN()}};
  auto r = client().request_logs().create_bulk(spans);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->success_count, 2);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].index, 1);
  EXPECT_NE(r->errors[0].error.find("RequestLog.metadata.score: not a finite number (NaN)"),
            std::string::npos)
      << r->errors[0].error;
  EXPECT_EQ(server_.request_logs().size(), 2u);
}

TEST_F(RequestLogsApi, BulkServerRowErrorsAreMappedToOriginalIndices) {
  Fault f;
  f.status = 200;
  f.path_prefix = "/api/request-logs/bulk/";
  f.body =
      R"({"success_count": 1, "error_count": 1, "errors": [{"index": 1, "error": "bad row"}], "total_errors": 1})";
  server_.inject_fault(f);
  std::vector<respan::RequestLog> spans{chat_span(), chat_span(), chat_span()};
  spans[1].model.clear();  // not sent: the server sees rows 0 and 2
  auto r = client().request_logs().create_bulk(spans);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->success_count, 1);
  EXPECT_EQ(r->error_count, 2);
  ASSERT_EQ(r->errors.size(), 2u);
  EXPECT_EQ(r->errors[0].index, 1);
  EXPECT_EQ(r->errors[1].index, 2);
  EXPECT_EQ(r->errors[1].error, "bad row");
}

TEST_F(RequestLogsApi, BulkFailureOfEveryChunkIsAnError) {
  Fault f;
  f.status = 401;
  f.times = 5;
  server_.inject_fault(f);
  auto r = client().request_logs().create_bulk({chat_span(), chat_span()});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::unauthorized);
}

TEST_F(RequestLogsApi, ListFiltersPagesAndLazyRange) {
  auto c = client();
  for (int i = 0; i < 7; ++i)
    ASSERT_TRUE(c.request_logs().create(chat_span("alice")));
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(c.request_logs().create(chat_span("bob")));

  respan::RequestLogListQuery q;
  q.filters.equals("customer_identifier", "alice");
  q.page_size = 3;
  q.sort_by = "-timestamp";
  auto page = c.request_logs().list(q);
  ASSERT_TRUE(page) << page.error();
  EXPECT_EQ(page->count, 7);
  EXPECT_EQ(page->results.size(), 3u);
  EXPECT_TRUE(page->next);
  EXPECT_FALSE(page->previous);

  auto sent = requests_to("/api/request-logs/list/");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].query_params.at("page_size"), "3");
  EXPECT_EQ(sent[0].query_params.at("sort_by"), "-timestamp");
  EXPECT_EQ(
      sent[0].json(),
      (Json{{"filters", {{"customer_identifier", {{"operator", ""}, {"value", {"alice"}}}}}}}));

  server_.clear_requests();
  std::set<std::string> seen;
  auto range = c.request_logs().list_all(q);
  for (auto& row : range) {
    ASSERT_TRUE(row) << row.error();
    EXPECT_EQ(row->customer_identifier, "alice");
    EXPECT_TRUE(seen.insert(row->unique_id).second) << "yielded twice";
  }
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(range.pages_fetched(), 3);
  auto pages = requests_to("/api/request-logs/list/");
  ASSERT_EQ(pages.size(), 3u);
  EXPECT_EQ(pages[2].query_params.at("page"), "3");
}

TEST_F(RequestLogsApi, ListAllStopsOnAnErrorWithOneErrorItem) {
  auto c = client();
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(c.request_logs().create(chat_span()));
  respan::RequestLogListQuery q;
  q.page_size = 2;
  Fault f;
  f.status = 404;
  f.path_prefix = "/api/request-logs/list/";
  int items = 0, errors = 0;
  for (auto& row : c.request_logs().list_all(q)) {
    if (!row) {
      ++errors;
      EXPECT_EQ(row.error().code, ErrorCode::not_found);
      continue;
    }
    if (++items == 2) server_.inject_fault(f);  // page 2 will fail
  }
  EXPECT_EQ(items, 2);
  EXPECT_EQ(errors, 1);
}

TEST_F(RequestLogsApi, ListQueryParametersAreSentInTheUrl) {
  auto c = client();
  respan::RequestLogListQuery q;
  q.page = 2;
  q.start_time = respan::Timestamp("2026-01-01T00:00:00Z");
  q.end_time = respan::Timestamp("2026-01-02T00:00:00+01:00");
  q.environment = "prod";
  q.log_type = respan::LogType::chat();
  q.include_fields = {"unique_id", "model", "cost"};
  ASSERT_TRUE(c.request_logs().list(q));
  auto sent = requests_to("/api/request-logs/list/").at(0);
  EXPECT_EQ(sent.query_params.at("page"), "2");
  EXPECT_EQ(sent.query_params.at("start_time"), "2026-01-01T00:00:00Z");
  EXPECT_EQ(sent.query_params.at("end_time"), "2026-01-02T00:00:00+01:00");
  EXPECT_EQ(sent.query_params.at("environment"), "prod");
  EXPECT_EQ(sent.query_params.at("log_type"), "chat");
  EXPECT_EQ(sent.query_params.at("include_fields"), "unique_id,model,cost");
  EXPECT_EQ(sent.json(), Json::object());
}

TEST_F(RequestLogsApi, InvalidPagingIsRejectedLocally) {
  respan::RequestLogListQuery q;
  q.page_size = 5000;
  auto r = client().request_logs().list(q);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(RequestLogsApi, UpdateSetsAndClearsFeedback) {
  auto c = client();
  auto id = c.request_logs().create(chat_span()).value().unique_id;

  respan::RequestLogUpdate up;
  up.positive_feedback = true;
  up.is_pinned = true;
  up.note = "checked";
  up.metadata = Json{{"reviewed", true}};
  auto r = c.request_logs().update(id, up);
  ASSERT_TRUE(r) << r.error();
  auto got = c.request_logs().retrieve(id).value();
  EXPECT_EQ(got.positive_feedback, true);
  EXPECT_EQ(got.is_pinned, true);
  EXPECT_EQ(got.note, "checked");
  EXPECT_EQ(got.metadata, (Json{{"feature", "orders"}, {"reviewed", true}}));  // merged

  respan::RequestLogUpdate clear;
  clear.positive_feedback.clear();
  ASSERT_TRUE(c.request_logs().update(id, clear));
  auto patches = requests_to("/api/request-logs/" + id + "/");
  ASSERT_FALSE(patches.empty());
  EXPECT_EQ(patches.back().method, "PATCH");
  EXPECT_EQ(patches.back().json(), (Json{{"positive_feedback", nullptr}}));
  EXPECT_FALSE(c.request_logs().retrieve(id).value().positive_feedback.has_value());
}

TEST_F(RequestLogsApi, RetrieveUnknownIsNotFoundAndIdsAreEncoded) {
  auto r = client().request_logs().retrieve("no such/id");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
  EXPECT_EQ(r.error().http_status, 404);
  // The recorder keeps the path as it went over the wire: space and '/' are escaped.
  EXPECT_EQ(server_.requests().at(0).path, "/api/request-logs/no%20such%2Fid/");
}

TEST_F(RequestLogsApi, SummaryAggregatesMatchingSpans) {
  auto c = client();
  for (int i = 0; i < 4; ++i) {
    auto s = chat_span(i < 3 ? "alice" : "bob");
    s.cost = 0.5;
    ASSERT_TRUE(c.request_logs().create(s));
  }
  respan::RequestLogSummaryQuery q;
  q.filters.equals("customer_identifier", "alice");
  auto sum = c.request_logs().summary(q);
  ASSERT_TRUE(sum) << sum.error();
  EXPECT_EQ(sum->number_of_requests, 3);
  EXPECT_DOUBLE_EQ(sum->total_cost, 1.5);
  EXPECT_EQ(sum->total_prompt_tokens, 36);
  EXPECT_EQ(sum->total_completion_tokens, 18);
  EXPECT_EQ(sum->total_tokens, 54);
  EXPECT_DOUBLE_EQ(sum->avg_latency.count(), 0.84);
}

TEST_F(RequestLogsApi, ManyThreadsShareOneClient) {
  auto c = client();
  constexpr int kThreads = 8, kEach = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto r = c.request_logs().create(chat_span("t" + std::to_string(t)));
        if (!r) ++failures;
      }
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(server_.request_logs().size(), static_cast<std::size_t>(kThreads * kEach));
}

TEST_F(RequestLogsApi, LegacyListUsesQueryParameters) {
  auto c = client();
  ASSERT_TRUE(c.request_logs().create(chat_span("alice")));
  respan::LegacyRequestLogListQuery q;
  q.customer_identifier = "alice";
  q.page_size = 10;
  auto page = c.request_logs().list_legacy(q);
  ASSERT_TRUE(page) << page.error();
  EXPECT_EQ(page->count, 1);
  auto sent = requests_to("/api/request-logs/").back();
  EXPECT_EQ(sent.method, "GET");
  EXPECT_EQ(sent.query_params.at("customer_identifier"), "alice");
}

}  // namespace
