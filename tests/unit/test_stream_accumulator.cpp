// StreamAccumulator: the same stream split at random points (mid-line, mid-UTF-8 sequence,
// between CR and LF) assembles the same answer as fed whole; the limits hold; timing is
// measured on the injected clock.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <respan/adapters/stream.hpp>
#include <respan/models/request_log.hpp>

namespace {

namespace fs = std::filesystem;
using respan::Json;
namespace ad = respan::adapters;

std::string fixture(const char* rel) {
  std::ifstream in(fs::path(RESPAN_TEST_PROVIDER_FIXTURES) / rel, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Case {
  const char* file;
  ad::StreamFormat format;
  const char* text;  // the first choice's text
};

const Case kCases[] = {
    {"openai_chat/stream.sse", ad::StreamFormat::openai_chat, "Hello, w\xC3\xB6rld"},
    {"llama_cpp/stream.sse", ad::StreamFormat::openai_chat, "1, 2, 3"},
    {"vllm/stream.sse", ad::StreamFormat::openai_chat, "4"},
    {"ollama/stream.sse", ad::StreamFormat::openai_chat, "Hello!"},
    {"openrouter/stream.sse", ad::StreamFormat::openai_chat, "Hey there"},
    {"openai_responses/stream.sse", ad::StreamFormat::openai_responses, "Hi there!"},
    {"anthropic/stream.sse", ad::StreamFormat::anthropic,
     "Let me check \xE2\x80\x94 \xE2\x98\x80\xEF\xB8\x8F"},
    {"gemini/stream.sse", ad::StreamFormat::gemini,
     "Autumn moonlight\xE2\x80\x94\na worm digs silently"},
};

Json assemble_whole(const Case& c, const std::string& bytes) {
  ad::StreamAccumulator acc(c.format);
  std::string printed = acc.feed(bytes);
  printed += acc.finish();
  EXPECT_EQ(printed, c.text) << c.file;
  EXPECT_EQ(acc.text(), c.text) << c.file;
  EXPECT_EQ(acc.skipped_events(), 0u) << c.file;
  return acc.response();
}

TEST(StreamAccumulator, RandomSplitsAssembleTheSameAnswer) {
  std::mt19937_64 rng(20240611);
  for (const Case& c : kCases) {
    const std::string bytes = fixture(c.file);
    ASSERT_FALSE(bytes.empty()) << c.file;
    const Json whole = assemble_whole(c, bytes);
    for (int round = 0; round < 200; ++round) {
      ad::StreamAccumulator acc(c.format);
      std::string printed;
      std::size_t i = 0;
      while (i < bytes.size()) {
        // Mostly tiny pieces (1-3 bytes cut UTF-8 sequences and CRLF pairs), sometimes large.
        const std::size_t n = (rng() % 4 == 0) ? 1 + rng() % 64 : 1 + rng() % 3;
        printed += acc.feed(std::string_view(bytes).substr(i, n));
        i += n;
      }
      printed += acc.finish();
      ASSERT_EQ(printed, c.text) << c.file << " round " << round;
      ASSERT_EQ(acc.response(), whole) << c.file << " round " << round;
    }
  }
}

TEST(StreamAccumulator, EverySingleSplitPointOfCrlfStream) {
  const std::string bytes = fixture("llama_cpp/stream.sse");
  ASSERT_NE(bytes.find("\r\n"), std::string::npos);
  const Json whole = assemble_whole(kCases[1], bytes);
  for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
    ad::StreamAccumulator acc(ad::StreamFormat::openai_chat);
    (void)acc.feed(std::string_view(bytes).substr(0, cut));
    (void)acc.feed(std::string_view(bytes).substr(cut));
    (void)acc.finish();
    ASSERT_EQ(acc.response(), whole) << "cut at " << cut;
    ASSERT_TRUE(acc.done());
  }
}

TEST(StreamAccumulator, TimingOnTheInjectedClock) {
  auto now = std::make_shared<std::chrono::steady_clock::time_point>();
  ad::StreamOptions opts;
  opts.clock = [now] { return *now; };
  ad::StreamAccumulator acc(ad::StreamFormat::openai_chat, opts);  // started at 0
  using std::chrono::milliseconds;
  *now += milliseconds(250);
  EXPECT_EQ(acc.feed("data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}\n\n"),
            "");
  EXPECT_FALSE(acc.time_to_first_token());
  *now += milliseconds(250);  // 0.5 s: the first token
  EXPECT_EQ(acc.feed("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n"), "a");
  *now += milliseconds(1000);  // 1.5 s: the last token
  EXPECT_EQ(acc.feed("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"}}]}\n\n"), "b");
  *now += milliseconds(500);
  (void)acc.feed(
      "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":20,"
      "\"total_tokens\":23}}\n\ndata: [DONE]\n\n");
  *now += milliseconds(100);
  (void)acc.finish();  // 2.1 s
  ASSERT_TRUE(acc.time_to_first_token());
  EXPECT_DOUBLE_EQ(acc.time_to_first_token()->count(), 0.5);
  ASSERT_TRUE(acc.tokens_per_second());
  EXPECT_DOUBLE_EQ(*acc.tokens_per_second(), 20.0);  // 20 tokens over 1 s of deltas
  respan::Result<respan::RequestLog> log = acc.log(Json{{"model", "m"}, {"stream", true}});
  ASSERT_TRUE(log) << log.error();
  // Read through the wire form: the timing fields' C++ type is not what is tested.
  const Json wire = Json(*log);
  EXPECT_DOUBLE_EQ(wire["latency"].get<double>(), 2.1);
  EXPECT_DOUBLE_EQ(wire["time_to_first_token"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(*log->tokens_per_second, 20.0);
  EXPECT_EQ(*log->completion_tokens, 20);
  EXPECT_TRUE(*log->stream);
}

TEST(StreamAccumulator, ToolCallDeltasAssembledByIndexInAnyOrder) {
  ad::StreamAccumulator acc(ad::StreamFormat::openai_chat);
  (void)acc.feed(
      "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":["
      "{\"index\":1,\"id\":\"b\",\"type\":\"function\",\"function\":{\"name\":\"g\",\"arguments\":"
      "\"{\\\"y\\\"\"}},"
      "{\"index\":0,\"id\":\"a\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":"
      "\"\"}}]}}]}\n\n"
      "data: "
      "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{"
      "\"arguments\":\"{}\"}},"
      "{\"index\":1,\"function\":{\"arguments\":\":2}\"}}]},\"finish_reason\":\"tool_calls\"}]}\n\n"
      "data: [DONE]\n\n");
  respan::Result<respan::RequestLog> log = acc.log(Json{{"model", "m"}});
  ASSERT_TRUE(log) << log.error();
  ASSERT_TRUE(log->tool_calls);
  ASSERT_EQ(log->tool_calls->size(), 2u);
  EXPECT_EQ(*(*log->tool_calls)[0].id, "a");
  EXPECT_EQ(*(*log->tool_calls)[0].function->arguments, "{}");
  EXPECT_EQ(*(*log->tool_calls)[1].id, "b");
  EXPECT_EQ(*(*log->tool_calls)[1].function->arguments, "{\"y\":2}");
}

TEST(StreamAccumulator, HugeIndicesAreDroppedNotAllocated) {
  ad::StreamAccumulator acc(ad::StreamFormat::openai_chat);
  (void)acc.feed(
      "data: {\"choices\":[{\"index\":1e18,\"delta\":{\"content\":\"x\"}},"
      "{\"index\":0,\"delta\":{\"content\":\"ok\",\"tool_calls\":[{\"index\":9007199254740993,"
      "\"function\":{\"arguments\":\"1\"}},{\"index\":-1}]}}]}\n\n");
  (void)acc.finish();
  EXPECT_EQ(acc.text(), "ok");
  const Json r = acc.response();
  ASSERT_EQ(r["choices"].size(), 1u);
  EXPECT_FALSE(r["choices"][0]["message"].contains("tool_calls"));
}

TEST(StreamAccumulator, LinesAndEventsOverTheLimitsAreSkipped) {
  ad::StreamOptions opts;
  opts.limits.max_line_bytes = 64;
  opts.limits.max_event_bytes = 128;
  ad::StreamAccumulator acc(ad::StreamFormat::openai_chat, opts);
  const std::string ok = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n";
  (void)acc.feed("data: \"" + std::string(500, 'x') + "\"\n\n");  // one line too long
  (void)acc.feed(ok);
  std::string many;  // short lines, but the event's data too large together
  for (int i = 0; i < 10; ++i)
    many += "data: 0123456789012345678901234567890123456789\n";
  (void)acc.feed(many + "\n");
  (void)acc.feed(ok);
  (void)acc.finish();
  EXPECT_EQ(acc.text(), "aa");
  EXPECT_EQ(acc.skipped_events(), 2u);
}

TEST(StreamAccumulator, BytesPastTheTotalCapAreIgnoredAndSaidSo) {
  ad::StreamOptions opts;
  opts.limits.max_total_bytes = 80;
  ad::StreamAccumulator acc(ad::StreamFormat::openai_chat, opts);
  const std::string ev = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n";
  ASSERT_LT(ev.size(), 80u);
  (void)acc.feed(ev);
  (void)acc.feed(ev);  // crosses the cap mid-event
  (void)acc.feed(ev);
  (void)acc.finish();
  EXPECT_TRUE(acc.truncated());
  EXPECT_EQ(acc.text(), "a");
  respan::Result<respan::RequestLog> log = acc.log(Json{{"model", "m"}});
  ASSERT_TRUE(log);
  ASSERT_TRUE(log->warnings);
  EXPECT_NE(log->warnings->as_string().find("stream truncated at 80 bytes"), std::string::npos);
}

TEST(StreamAccumulator, ErrorChunkMakesAnErrorSpanKeepingThePartialText) {
  ad::StreamAccumulator acc(ad::StreamFormat::openai_chat);
  (void)acc.feed("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"par\"}}]}\n\n");
  (void)acc.feed("data: {\"error\":{\"message\":\"upstream died\",\"type\":\"server_error\"}}\n\n");
  (void)acc.finish();
  respan::Result<respan::RequestLog> log = acc.log(Json{{"model", "m"}});
  ASSERT_TRUE(log) << log.error();
  EXPECT_EQ(log->status->value(), "error");
  EXPECT_EQ(*log->error_message, "upstream died");
  EXPECT_EQ((*log->metadata)["error_type"], "server_error");
  ASSERT_TRUE(log->completion_message);  // the text received before the error
  EXPECT_EQ(log->completion_message->text(), "par");
}

TEST(StreamAccumulator, AnthropicErrorEvent) {
  ad::StreamAccumulator acc(ad::StreamFormat::anthropic);
  (void)acc.feed(
      "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
      "\"message\":\"Overloaded\"}}\n\n");
  respan::Result<respan::RequestLog> log = acc.log(Json{{"model", "claude"}});
  ASSERT_TRUE(log) << log.error();
  EXPECT_EQ(log->status->value(), "error");
  EXPECT_EQ(*log->error_message, "Overloaded");
}

TEST(StreamAccumulator, CommentsBomAndLastEventWithoutBlankLine) {
  ad::StreamAccumulator acc(ad::StreamFormat::openai_chat);
  (void)acc.feed("\xEF\xBB");
  (void)acc.feed("\xBF: keep-alive\n\nda");
  (void)acc.feed("ta:{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}");
  EXPECT_EQ(acc.text(), "");
  EXPECT_EQ(acc.finish(), "x");
  EXPECT_EQ(acc.skipped_events(), 0u);
}

TEST(StreamAccumulator, NotJsonIsSkippedNeverFatal) {
  ad::StreamAccumulator acc(ad::StreamFormat::gemini);
  (void)acc.feed("data: {not json\n\ndata: [1,2]\n\ndata: {\"candidates\":7}\n\n");
  (void)acc.finish();
  EXPECT_EQ(acc.skipped_events(), 3u);
  respan::adapters::ExchangeInfo info;
  info.model = "gemini-2.5-flash";
  respan::Result<respan::RequestLog> log = acc.log(Json::object(), info);
  ASSERT_TRUE(log) << log.error();
  ASSERT_TRUE(log->warnings);
  EXPECT_NE(log->warnings->as_string().find("3 stream events skipped"), std::string::npos);
  EXPECT_NO_THROW((void)Json(*log).dump());
}

}  // namespace
