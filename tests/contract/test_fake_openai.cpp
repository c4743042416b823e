// The mock's fake OpenAI Chat Completions endpoint (MockServerOptions::fake_openai) against
// OpenAI's API reference, over raw loopback HTTP: the non-streamed `chat.completion`, the
// streamed `chat.completion.chunk` events (each its own HTTP chunk; with and without
// `stream_options.include_usage`), authentication, validation errors in OpenAI's error shape,
// and that the endpoint does not exist unless asked for.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "contract_util.hpp"

namespace contract {
namespace {

respan::testing::MockServerOptions with_fake_openai() {
  respan::testing::MockServerOptions o;
  o.fake_openai = true;
  return o;
}

const Shape kErrorShape = {
    {"message", kStr}, {"type", kStr}, {"param", kStr | kNull}, {"code", kStr | kNull}};
const Shape kCompletionShape = {
    {"id", kStr},      {"object", kStr}, {"created", kInt},           {"model", kStr},
    {"choices", kArr}, {"usage", kObj},  {"system_fingerprint", kStr}};
const Shape kChunkShape = {{"id", kStr},           {"object", kStr},  {"created", kInt},
                           {"model", kStr},        {"choices", kArr}, {"system_fingerprint", kStr},
                           {"usage", kObj | kNull}};
const Shape kUsageShape = {{"prompt_tokens", kInt},
                           {"completion_tokens", kInt},
                           {"total_tokens", kInt},
                           {"prompt_tokens_details", kObj},
                           {"completion_tokens_details", kObj}};

// An HTTP answer read off the socket, the chunks of a chunked body kept apart.
struct RawAnswer {
  int status = 0;
  std::string head;  // status line and headers
  std::vector<std::string> chunks;
  bool chunked = false;
};

class FakeOpenAi : public ContractTest {
 protected:
  FakeOpenAi() : ContractTest(with_fake_openai()) {}

  static Json request(bool stream = false, bool include_usage = false) {
    Json r = {{"model", "gpt-4o-mini"},
              {"messages",
               {{{"role", "system"}, {"content", "Be brief."}},
                {{"role", "user"}, {"content", "What is two plus two?"}}}}};
    if (stream) r["stream"] = true;
    if (include_usage) r["stream_options"] = {{"include_usage", true}};
    return r;
  }

  // The error body of `r`, checked against OpenAI's shape.
  static Json error_of(Reply& r) {
    EXPECT_TRUE(r.body.is_object() && r.body.size() == 1u) << r.text;
    expect_shape(r.body["error"], kErrorShape, true, "error");
    return r.body["error"];
  }

  // POSTs `body` on a fresh connection and reads the whole answer, keeping the chunks of a
  // chunked body apart (cpp-httplib's client would join them).
  RawAnswer post_raw(const std::string& body) const {
    RawAnswer out;
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(server_.port()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string raw;
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      const std::string req =
          "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          "Authorization: Bearer " +
          server_.api_key() +
          "\r\nContent-Type: application/json\r\nConnection: close\r\n"
          "Content-Length: " +
          std::to_string(body.size()) + "\r\n\r\n" + body;
      if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
        char buf[4096];
        for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;)
          raw.append(buf, static_cast<std::size_t>(n));
      }
    }
    close(fd);
    const auto end = raw.find("\r\n\r\n");
    if (end == std::string::npos) return out;
    out.head = raw.substr(0, end + 2);
    out.status = std::atoi(raw.c_str() + raw.find(' ') + 1);
    out.chunked = out.head.find("Transfer-Encoding: chunked") != std::string::npos;
    std::size_t pos = end + 4;
    while (out.chunked && pos < raw.size()) {
      const auto eol = raw.find("\r\n", pos);
      if (eol == std::string::npos) break;
      const std::size_t size = std::strtoul(raw.substr(pos, eol - pos).c_str(), nullptr, 16);
      if (size == 0) break;
      out.chunks.push_back(raw.substr(eol + 2, size));
      pos = eol + 2 + size + 2;
    }
    return out;
  }

  // The JSON events of a streamed answer, checking the framing: one event per HTTP chunk, the
  // last one `[DONE]`.
  static std::vector<Json> events_of(const RawAnswer& a) {
    std::vector<Json> events;
    EXPECT_EQ(a.status, 200) << a.head;
    EXPECT_TRUE(a.chunked) << a.head;
    EXPECT_NE(a.head.find("Content-Type: text/event-stream"), std::string::npos) << a.head;
    EXPECT_GE(a.chunks.size(), 3u);
    for (std::size_t i = 0; i < a.chunks.size(); ++i) {
      const std::string& c = a.chunks[i];
      EXPECT_EQ(c.rfind("data: ", 0), 0u) << c;
      EXPECT_EQ(c.size() >= 2 ? c.substr(c.size() - 2) : c, "\n\n") << c;
      EXPECT_EQ(c.find("\n\n"), c.size() - 2) << "one event per chunk: " << c;
      const std::string data = c.substr(6, c.size() - 8);
      if (i + 1 == a.chunks.size()) {
        EXPECT_EQ(data, "[DONE]");
        break;
      }
      events.push_back(Json::parse(data, nullptr, false));
      EXPECT_FALSE(events.back().is_discarded()) << data;
    }
    return events;
  }
};

TEST_F(FakeOpenAi, NonStreamedAnswerIsAChatCompletion) {
  Reply r = call("POST", "/v1/chat/completions", request());
  ASSERT_EQ(r.status, 200) << r.text;
  expect_shape(r.body, kCompletionShape, true, "chat.completion");
  EXPECT_EQ(r.body["id"], "chatcmpl-mock-1");
  EXPECT_EQ(r.body["object"], "chat.completion");
  EXPECT_EQ(r.body["model"], "gpt-4o-mini");
  ASSERT_EQ(r.body["choices"].size(), 1u);
  Json& choice = r.body["choices"][0];
  EXPECT_EQ(choice["index"], 0);
  EXPECT_EQ(choice["finish_reason"], "stop");
  EXPECT_EQ(choice["message"],
            (Json{{"role", "assistant"}, {"content", "Mock answer to: What is two plus two?"}}));
  expect_shape(r.body["usage"], kUsageShape, true, "usage");
  // Tokens are words: "Be brief." (2) + "What is two plus two?" (5); the answer has 8.
  EXPECT_EQ(r.body["usage"]["prompt_tokens"], 7);
  EXPECT_EQ(r.body["usage"]["completion_tokens"], 8);
  EXPECT_EQ(r.body["usage"]["total_tokens"], 15);

  // Recorded like any request; the next answer has the next id.
  const auto recorded = server_.requests();
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].path, "/v1/chat/completions");
  EXPECT_EQ(recorded[0].status, 200);
  EXPECT_EQ(recorded[0].json(), request());
  EXPECT_EQ(call("POST", "/v1/chat/completions", request()).body["id"], "chatcmpl-mock-2");
}

TEST_F(FakeOpenAi, StreamWithoutUsageSendsOneChunkPerEvent) {
  const RawAnswer a = post_raw(request(true).dump());
  const std::vector<Json> events = events_of(a);
  ASSERT_EQ(events.size(), 10u);  // role, 8 words, finish reason
  std::string text;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Json& e = events[i];
    expect_shape(e, {kChunkShape.begin(), kChunkShape.end() - 1}, true, "chunk");
    EXPECT_EQ(e["object"], "chat.completion.chunk");
    EXPECT_EQ(e["id"], "chatcmpl-mock-1");
    EXPECT_EQ(e["model"], "gpt-4o-mini");
    EXPECT_FALSE(e.contains("usage")) << "no usage unless asked for";
    ASSERT_EQ(e["choices"].size(), 1u);
    const Json& c = e["choices"][0];
    EXPECT_EQ(c["index"], 0);
    if (i == 0) {
      EXPECT_EQ(c["delta"], (Json{{"role", "assistant"}, {"content", ""}}));
    }
    if (i + 1 < events.size()) {
      EXPECT_TRUE(c["finish_reason"].is_null());
      if (i > 0) {
        EXPECT_EQ(c["delta"].size(), 1u) << c.dump();  // content only
      }
      text += c["delta"].value("content", "");
    } else {
      EXPECT_EQ(c["delta"], Json::object());
      EXPECT_EQ(c["finish_reason"], "stop");
    }
  }
  EXPECT_EQ(text, "Mock answer to: What is two plus two?");
}

TEST_F(FakeOpenAi, StreamWithIncludeUsageEndsWithAUsageChunk) {
  const std::vector<Json> events = events_of(post_raw(request(true, true).dump()));
  ASSERT_EQ(events.size(), 11u);  // role, 8 words, finish reason, usage
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    expect_shape(events[i], kChunkShape, true, "chunk");
    EXPECT_TRUE(events[i]["usage"].is_null()) << "documented: usage null but in the last chunk";
    EXPECT_EQ(events[i]["choices"].size(), 1u);
  }
  Json last = events.back();
  expect_shape(last, kChunkShape, true, "usage chunk");
  EXPECT_EQ(last["choices"], Json::array());
  expect_shape(last["usage"], kUsageShape, true, "usage");
  // The same usage as the non-streamed answer to the same request.
  Reply plain = call("POST", "/v1/chat/completions", request());
  EXPECT_EQ(last["usage"], plain.body["usage"]);
}

TEST_F(FakeOpenAi, NChoicesAndMaxTokens) {
  Json req = request();
  req["n"] = 2;
  req["max_completion_tokens"] = 3;
  Reply r = call("POST", "/v1/chat/completions", req);
  ASSERT_EQ(r.status, 200) << r.text;
  ASSERT_EQ(r.body["choices"].size(), 2u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(r.body["choices"][i]["index"], i);
    EXPECT_EQ(r.body["choices"][i]["message"]["content"], "Mock answer to:");
    EXPECT_EQ(r.body["choices"][i]["finish_reason"], "length");
  }
  EXPECT_EQ(r.body["usage"]["completion_tokens"], 6);  // 3 per choice

  // Streamed: each choice's deltas carry its index; max_tokens (the older name) also cuts.
  req.erase("max_completion_tokens");
  req["max_tokens"] = 1;
  req["stream"] = true;
  const std::vector<Json> events = events_of(post_raw(req.dump()));
  ASSERT_EQ(events.size(), 6u);  // per choice: role, one word, finish reason
  EXPECT_EQ(events[1]["choices"][0]["delta"]["content"], "Mock");
  EXPECT_EQ(events[4]["choices"][0]["index"], 1);
  EXPECT_EQ(events[5]["choices"][0]["finish_reason"], "length");
}

TEST_F(FakeOpenAi, ContentPartsCountTheirText) {
  Json req = {{"model", "m"},
              {"messages",
               {{{"role", "user"},
                 {"content",
                  {{{"type", "text"}, {"text", "describe"}},
                   {{"type", "image_url"}, {"image_url", {{"url", "data:image/png;base64,AA"}}}},
                   {{"type", "text"}, {"text", "this image"}}}}}}}};
  Reply r = call("POST", "/v1/chat/completions", req);
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["usage"]["prompt_tokens"], 3);
  EXPECT_EQ(r.body["choices"][0]["message"]["content"], "Mock answer to: describe this image");
}

TEST_F(FakeOpenAi, AuthenticationIsRequired) {
  httplib::Client c("127.0.0.1", server_.port());
  Reply none = reply_of(c.Post("/v1/chat/completions", request().dump(), "application/json"));
  EXPECT_EQ(none.status, 401);
  Json e = error_of(none);
  EXPECT_TRUE(e["code"].is_null());
  EXPECT_EQ(e["type"], "invalid_request_error");
  EXPECT_NE(e["message"].get<std::string>().find("didn't provide an API key"), std::string::npos);

  c.set_default_headers({{"Authorization", "Bearer sk-wrong-secret-123"}});
  Reply wrong = reply_of(c.Post("/v1/chat/completions", request().dump(), "application/json"));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(error_of(wrong)["code"], "invalid_api_key");
  EXPECT_EQ(wrong.text.find("sk-wrong-secret-123"), std::string::npos) << "never echo the key";

  // Authentication comes before everything else, even an unknown path or a bad body.
  EXPECT_EQ(reply_of(c.Post("/v1/chat/completions", "{", "application/json")).status, 401);
  EXPECT_EQ(reply_of(c.Get("/v1/models")).status, 401);
}

TEST(FakeOpenAiOptions, ExtraKeysAndNoAuth) {
  respan::testing::MockServerOptions o = with_fake_openai();
  o.extra_keys = {{"sk-other", "prod"}};
  respan::testing::MockServer s(o);
  s.start();
  httplib::Client c("127.0.0.1", s.port());
  const std::string body = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";
  c.set_default_headers({{"Authorization", "Bearer sk-other"}});
  EXPECT_EQ(c.Post("/v1/chat/completions", body, "application/json")->status, 200);

  o.require_auth = false;
  respan::testing::MockServer open(o);
  open.start();
  httplib::Client anyone("127.0.0.1", open.port());
  EXPECT_EQ(anyone.Post("/v1/chat/completions", body, "application/json")->status, 200);
}

TEST_F(FakeOpenAi, ValidationErrorsInOpenAisShape) {
  struct Case {
    std::string body;
    const char* message_part;
    Json param;
    Json code;
  };
  const std::vector<Case> cases = {
      {"{\"model\": ", "could not parse the JSON body", nullptr, nullptr},
      {"[1, 2]", "expected an object", "body", "invalid_type"},
      {R"({"messages":[{"role":"user","content":"hi"}]})", "you must provide a model parameter",
       nullptr, nullptr},
      {R"({"model":"","messages":[{"role":"user","content":"hi"}]})",
       "you must provide a model parameter", nullptr, nullptr},
      {R"({"model":7,"messages":[{"role":"user","content":"hi"}]})",
       "Invalid type for 'model': expected a string, but got an integer instead.", "model",
       "invalid_type"},
      {R"({"model":"m"})", "Missing required parameter: 'messages'.", "messages",
       "missing_required_parameter"},
      {R"({"model":"m","messages":[]})", "Invalid 'messages': empty array.", "messages",
       "empty_array"},
      {R"({"model":"m","messages":"hi"})", "Invalid type for 'messages'", "messages",
       "invalid_type"},
      {R"({"model":"m","messages":[{"content":"hi"}]})",
       "Missing required parameter: 'messages[0].role'.", "messages[0].role",
       "missing_required_parameter"},
      {R"({"model":"m","messages":[{"role":"user","content":"a"},{"role":"robot","content":"b"}]})",
       "Invalid value: 'robot'.", "messages[1].role", "invalid_value"},
      {R"({"model":"m","messages":[{"role":"user"}]})",
       "Missing required parameter: 'messages[0].content'.", "messages[0].content",
       "missing_required_parameter"},
      {R"({"model":"m","messages":[{"role":"user","content":"hi"}],"stream":"yes"})",
       "Invalid type for 'stream': expected a boolean, but got a string instead.", "stream",
       "invalid_type"},
      {R"({"model":"m","messages":[{"role":"user","content":"hi"}],"stream_options":{}})",
       "only allowed when 'stream' is enabled", "stream_options", "invalid_value"},
      {R"({"model":"m","messages":[{"role":"user","content":"hi"}],"n":0})",
       "integer below minimum value", "n", "integer_below_min_value"},
      {R"({"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":1.5})",
       "Invalid type for 'max_tokens'", "max_tokens", "invalid_type"},
  };
  for (const Case& c : cases) {
    Reply r = send("POST", "/v1/chat/completions", c.body);
    EXPECT_EQ(r.status, 400) << c.body << " -> " << r.text;
    Json e = error_of(r);
    EXPECT_NE(e["message"].get<std::string>().find(c.message_part), std::string::npos)
        << c.body << " -> " << r.text;
    EXPECT_EQ(e["type"], "invalid_request_error") << c.body;
    EXPECT_EQ(e["param"], c.param) << c.body;
    EXPECT_EQ(e["code"], c.code) << c.body;
  }
  // An assistant turn may hold tool calls only (no content).
  EXPECT_EQ(send("POST", "/v1/chat/completions",
                 R"({"model":"m","messages":[{"role":"user","content":"hi"},)"
                 R"({"role":"assistant","tool_calls":[]},{"role":"user","content":"go"}]})")
                .status,
            200);
}

TEST_F(FakeOpenAi, OtherV1PathsAreNotFound) {
  Reply r = call("GET", "/v1/models");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(error_of(r)["message"], "Invalid URL (GET /v1/models)");
  Reply get = call("GET", "/v1/chat/completions");
  EXPECT_EQ(get.status, 404);
  EXPECT_EQ(error_of(get)["message"], "Invalid URL (GET /v1/chat/completions)");
}

TEST_F(FakeOpenAi, TakesInjectedFaults) {
  respan::testing::Fault f;
  f.status = 429;
  f.path_prefix = "/v1/chat/completions";
  f.body = R"({"error":{"message":"Rate limit reached","type":"requests","param":null,)"
           R"("code":"rate_limit_exceeded"}})";
  server_.inject_fault(f);
  Reply r = call("POST", "/v1/chat/completions", request());
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.body["error"]["code"], "rate_limit_exceeded");
  EXPECT_EQ(call("POST", "/v1/chat/completions", request()).status, 200);
}

TEST(FakeOpenAiOff, TheEndpointExistsOnlyWhenAskedFor) {
  respan::testing::MockServer s;  // fake_openai defaults to false
  s.start();
  httplib::Client c("127.0.0.1", s.port());
  c.set_default_headers({{"Authorization", "Bearer " + s.api_key()}});
  const auto r =
      c.Post("/v1/chat/completions", R"({"model":"m","messages":[{"role":"user","content":"hi"}]})",
             "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(Json::parse(r->body), (Json{{"detail", "Not found."}}));  // Respan's shape
}

}  // namespace
}  // namespace contract
