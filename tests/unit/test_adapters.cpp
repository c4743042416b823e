// The provider adapters against the fixtures of tests/fixtures/providers/<provider>/: each
// fixture holds a provider's request and answer (or raw SSE stream, or error body) as its
// published API reference shows them, and the span expected from them. The produced span is
// compared field by field (the serialized RequestLog JSON of each field); a failure names the
// fixture and the field. Then targeted cases: malformed input, spans, merging.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <respan/adapters/anthropic.hpp>
#include <respan/adapters/gemini.hpp>
#include <respan/adapters/openai.hpp>
#include <respan/adapters/stream.hpp>
#include <respan/models/request_log.hpp>

#ifndef RESPAN_TEST_PROVIDER_FIXTURES
#error "RESPAN_TEST_PROVIDER_FIXTURES must name tests/fixtures/providers"
#endif

namespace {

namespace fs = std::filesystem;
using respan::Json;
using respan::RequestLog;
using respan::Result;
namespace ad = respan::adapters;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Fixture {
  std::string provider;
  std::string name;
  fs::path path;
};

std::vector<Fixture> all_fixtures() {
  std::vector<Fixture> out;
  for (const auto& dir : fs::directory_iterator(RESPAN_TEST_PROVIDER_FIXTURES)) {
    if (!dir.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(dir.path())) {
      if (f.path().extension() != ".json") continue;
      out.push_back({dir.path().filename().string(), f.path().stem().string(), f.path()});
    }
  }
  std::sort(out.begin(), out.end(), [](const Fixture& a, const Fixture& b) {
    return a.provider + "/" + a.name < b.provider + "/" + b.name;
  });
  return out;
}

ad::ExchangeInfo info_of(const Json& spec) {
  ad::ExchangeInfo info;
  const Json i = spec.value("info", Json::object());
  info.http_status = i.value("http_status", 0);
  if (i.contains("latency_ms"))
    info.latency = std::chrono::milliseconds(i["latency_ms"].get<int>());
  info.provider = i.value("provider", "");
  info.model = i.value("model", "");
  info.attach_raw_bodies = i.value("attach_raw_bodies", false);
  return info;
}

ad::StreamFormat format_of(const std::string& adapter) {
  if (adapter == "openai_chat") return ad::StreamFormat::openai_chat;
  if (adapter == "openai_responses") return ad::StreamFormat::openai_responses;
  if (adapter == "anthropic") return ad::StreamFormat::anthropic;
  return ad::StreamFormat::gemini;
}

// Splits SSE text after each blank line (LF or CRLF line ends), separators kept.
std::vector<std::string> sse_events(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool lf = text.compare(i, 2, "\n\n") == 0;
    const bool crlf = text.compare(i, 4, "\r\n\r\n") == 0;
    if (lf || crlf) {
      const std::size_t end = i + (lf ? 2 : 4);
      out.push_back(text.substr(start, end - start));
      start = end;
      i = end - 1;
    }
  }
  if (start < text.size()) out.push_back(text.substr(start));
  return out;
}

// Runs a fixture. Streams are fed one event at a time, the clock at (k+1) x 100 ms while
// event k is fed (0 at the start).
Result<RequestLog> run(const Json& spec, const fs::path& dir) {
  const std::string adapter = spec.at("adapter").get<std::string>();
  const Json& request = spec.at("request");
  const ad::ExchangeInfo info = info_of(spec);
  if (spec.contains("stream_file")) {
    auto now = std::make_shared<std::chrono::steady_clock::time_point>();
    ad::StreamOptions opts;
    opts.clock = [now] { return *now; };
    ad::StreamAccumulator acc(format_of(adapter), opts);
    const std::vector<std::string> events =
        sse_events(read_file(dir / spec["stream_file"].get<std::string>()));
    for (std::size_t k = 0; k < events.size(); ++k) {
      *now = std::chrono::steady_clock::time_point(std::chrono::milliseconds(100 * (k + 1)));
      (void)acc.feed(events[k]);
    }
    (void)acc.finish();
    return acc.log(request, info);
  }
  const Json response = spec.contains("response_text")
                            ? ad::error_body(spec["response_text"].get<std::string>())
                            : spec.at("response");
  if (adapter == "openai_chat") return ad::openai::chat_log(request, response, info);
  if (adapter == "openai_responses") return ad::openai::responses_log(request, response, info);
  if (adapter == "anthropic") return ad::anthropic::messages_log(request, response, info);
  return ad::gemini::generate_content_log(request, response, info);
}

// Deep equality, numbers compared to 1e-9 relative (times are computed in seconds).
bool same(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) {
    const double x = a.get<double>();
    const double y = b.get<double>();
    return std::fabs(x - y) <= 1e-9 * std::max(1.0, std::max(std::fabs(x), std::fabs(y)));
  }
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      if (!b.contains(it.key()) || !same(it.value(), b[it.key()])) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!same(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

// The fields of the serialized span that differ from the expected ones.
std::vector<std::string> field_diffs(const Json& expected, const Json& got) {
  std::set<std::string> keys;
  for (auto it = expected.begin(); it != expected.end(); ++it)
    keys.insert(it.key());
  for (auto it = got.begin(); it != got.end(); ++it)
    keys.insert(it.key());
  std::vector<std::string> out;
  for (const std::string& k : keys) {
    const bool in_e = expected.contains(k);
    const bool in_g = got.contains(k);
    if (in_e && !in_g) {
      out.push_back(k + ": missing (expected " + expected[k].dump() + ")");
    } else if (!in_e && in_g) {
      out.push_back(k + ": not expected (got " + got[k].dump() + ")");
    } else if (!same(expected[k], got[k])) {
      out.push_back(k + ": expected " + expected[k].dump() + "\n      got      " + got[k].dump());
    }
  }
  return out;
}

class ProviderFixture : public ::testing::TestWithParam<Fixture> {};

TEST_P(ProviderFixture, SpanMatchesFieldByField) {
  const Fixture& f = GetParam();
  const Json spec = Json::parse(read_file(f.path));
  Result<RequestLog> log = run(spec, f.path.parent_path());
  ASSERT_TRUE(log) << f.path << ": " << log.error();
  const Json got = Json(*log);
  // The span goes on the wire as it is: encoding must not refuse it.
  EXPECT_NO_THROW((void)got.dump());
  const std::vector<std::string> diffs = field_diffs(spec.at("expected"), got);
  for (const std::string& d : diffs)
    ADD_FAILURE() << f.provider << "/" << f.name << " " << d;
}

INSTANTIATE_TEST_SUITE_P(Providers, ProviderFixture, ::testing::ValuesIn(all_fixtures()),
                         [](const ::testing::TestParamInfo<Fixture>& i) {
                           std::string n = i.param.provider + "_" + i.param.name;
                           for (char& c : n) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

TEST(AdapterFixtures, EveryProviderCoversTheFiveKinds) {
  std::map<std::string, std::set<std::string>> kinds;
  for (const Fixture& f : all_fixtures())
    kinds[f.provider].insert(f.name);
  for (const char* p : {"openai_chat", "openai_responses", "llama_cpp", "vllm", "ollama",
                        "openrouter", "anthropic", "gemini"}) {
    ASSERT_TRUE(kinds.count(p)) << p;
    for (const char* k : {"text", "tool_calls", "multimodal", "stream", "error"}) {
      EXPECT_TRUE(kinds[p].count(k)) << p << " has no '" << k << "' fixture";
    }
  }
}

}  // namespace

namespace {

const Json kChatRequest = {{"model", "gpt-4o"},
                           {"messages", {{{"role", "user"}, {"content", "Hi"}}}}};

TEST(Adapters, RequestOrResponseNotAnObjectIsATypedError) {
  Result<RequestLog> a = ad::openai::chat_log(Json::array(), Json::object());
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, respan::ErrorCode::invalid_argument);
  Result<RequestLog> b = ad::anthropic::messages_log(kChatRequest, Json("text"));
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, respan::ErrorCode::decode);
  Result<RequestLog> c = ad::gemini::generate_content_log(Json::object(), Json(42));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, respan::ErrorCode::decode);
  // On a failed call any body is an error body.
  ad::ExchangeInfo failed;
  failed.http_status = 500;
  Result<RequestLog> d = ad::openai::chat_log(kChatRequest, Json(42), failed);
  ASSERT_TRUE(d) << d.error();
  EXPECT_EQ(d->status->value(), "error");
  EXPECT_EQ(*d->error_message, "HTTP 500");
}

TEST(Adapters, MalformedMembersAreSkippedAndNamed) {
  const double inf = std::numeric_limits<double>::infinity();
  Json req = kChatRequest;
  req["temperature"] = "hot";
  req["top_p"] = std::numeric_limits<double>::quiet_NaN();
  req["max_tokens"] = -5;
  req["messages"].push_back(7);
  req["stop"] = {"a", 1};
  req["seed"] = inf;  // an unknown member that cannot go on the wire
  Json resp = {
      {"id", 12},
      {"model", "gpt-4o"},
      {"choices", {{{"index", 0}, {"message", {{"role", "assistant"}, {"content", "ok"}}}}}},
      {"usage",
       {{"prompt_tokens", 1e300},
        {"completion_tokens", 2.5},
        {"total_tokens", -1},
        {"prompt_tokens_details", {{"cached_tokens", "many"}}}}}};
  Result<RequestLog> log = ad::openai::chat_log(req, resp);
  ASSERT_TRUE(log) << log.error();
  EXPECT_FALSE(log->temperature);
  EXPECT_FALSE(log->top_p);
  EXPECT_FALSE(log->max_tokens);
  EXPECT_FALSE(log->stop);
  EXPECT_FALSE(log->prompt_tokens);
  EXPECT_FALSE(log->completion_tokens);
  ASSERT_TRUE(log->prompt_messages);
  EXPECT_EQ(log->prompt_messages->size(), 1u);
  EXPECT_EQ(log->completion_message->text(), "ok");
  EXPECT_FALSE(log->metadata->contains("response_id"));
  EXPECT_FALSE((*log->metadata)["request_params"].contains("seed"));
  ASSERT_TRUE(log->warnings);
  const std::string w = log->warnings->as_string();
  for (const char* named : {"request.temperature", "request.top_p", "request.max_tokens",
                            "request.messages[1]", "request.stop", "request.seed"}) {
    EXPECT_NE(w.find(named), std::string::npos) << named << " not in: " << w;
  }
  EXPECT_NE(w.find("more"), std::string::npos) << w;  // more than eight were skipped
  // Nothing it holds is refused by the encoder: no null, no non-finite number.
  EXPECT_NO_THROW((void)Json(*log).dump());
}

TEST(Adapters, DeepValuesAreSkippedNotCopied) {
  // Built and handed over by move only: copying a value this deep recurses once per level,
  // which overflows the stack under AddressSanitizer (so the adapter must not copy it either).
  const auto make_deep = [] {
    Json deep = Json::array();
    for (int i = 0; i < 10000; ++i) {
      Json outer = Json::array();
      outer.push_back(std::move(deep));
      deep = std::move(outer);
    }
    return deep;
  };
  Json req = kChatRequest;
  req["logit_bias"] = make_deep();
  Json resp = Json::object();
  resp["choices"] = Json::array();
  resp["strange"] = make_deep();
  Result<RequestLog> log = ad::openai::chat_log(req, resp);
  ASSERT_TRUE(log) << log.error();
  EXPECT_FALSE(log->metadata->contains("request_params"));
  EXPECT_FALSE(log->metadata->contains("response_fields"));
  EXPECT_NE(log->warnings->as_string().find("request.logit_bias"), std::string::npos);
  EXPECT_NO_THROW((void)Json(*log).dump());
}

TEST(Adapters, ApplyMergesIntoAnExistingLogAndKeepsTheCallersFields) {
  RequestLog log("placeholder");
  log.customer_identifier = "cust-1";
  log.metadata = Json{{"tenant", "acme"}, {"provider", "mine"}};
  const Json resp = {
      {"id", "chatcmpl-1"},
      {"model", "gpt-4o-2024"},
      {"choices",
       {{{"message", {{"role", "assistant"}, {"content", "Hello"}}}, {"finish_reason", "stop"}}}}};
  ASSERT_TRUE(ad::openai::apply_chat(log, kChatRequest, resp));
  EXPECT_EQ(log.model, "gpt-4o-2024");
  EXPECT_EQ(*log.customer_identifier, "cust-1");
  EXPECT_EQ((*log.metadata)["tenant"], "acme");
  EXPECT_EQ((*log.metadata)["provider"], "openai");  // the adapter's keys win
  EXPECT_EQ((*log.metadata)["finish_reason"], "stop");
  // A refused exchange leaves the log as it was.
  RequestLog before = log;
  EXPECT_FALSE(ad::openai::apply_chat(log, Json(1), resp));
  EXPECT_EQ(Json(log), Json(before));
}

TEST(Adapters, RecordFillsASpanAndMarksAFailedCall) {
  respan::Span span;  // not recording: fields() is a scratch span, nothing is sent
  ad::ExchangeInfo info;
  info.http_status = 529;
  const Json body = {{"type", "error"},
                     {"error", {{"type", "overloaded_error"}, {"message", "Overloaded"}}}};
  const Json req = {{"model", "claude"}, {"max_tokens", 10}, {"messages", Json::array()}};
  EXPECT_TRUE(ad::anthropic::record_messages(span, req, body, info));
  EXPECT_FALSE(ad::anthropic::record_messages(span, Json(), body, info));
}

TEST(Adapters, RawBodiesOnRequest) {
  ad::ExchangeInfo info;
  info.attach_raw_bodies = true;
  const Json resp = {{"choices", Json::array()}, {"model", "m"}};
  Result<RequestLog> log = ad::openai::chat_log(kChatRequest, resp, info);
  ASSERT_TRUE(log);
  EXPECT_EQ(*log->full_request, kChatRequest);
  EXPECT_EQ(*log->full_response, resp);
  Result<RequestLog> without = ad::openai::chat_log(kChatRequest, resp);
  EXPECT_FALSE(without->full_request);
}

TEST(Adapters, ErrorBodyAndParseBody) {
  EXPECT_EQ(ad::error_body("{\"error\":\"x\"}"), Json({{"error", "x"}}));
  EXPECT_EQ(ad::error_body("bad \xFF gateway"), Json("bad \xEF\xBF\xBD gateway"));
  const std::string big(10000, 'a');
  const Json cut = ad::error_body(big);
  EXPECT_EQ(cut.get<std::string>().size(), 4096u + std::string("...[truncated]").size());
  EXPECT_FALSE(ad::parse_body("{"));
  EXPECT_EQ(ad::parse_body(std::string(200, '[') + std::string(200, ']')).error().code,
            respan::ErrorCode::decode);
  EXPECT_TRUE(ad::parse_body("{\"a\":1}"));
}

TEST(Adapters, AnthropicTokensAddUpAndSaturate) {
  const Json req = {{"model", "claude"}, {"messages", Json::array()}};
  const Json resp = {{"content", Json::array()},
                     {"usage",
                      {{"input_tokens", 9223372036854775807LL},
                       {"cache_read_input_tokens", 5},
                       {"output_tokens", 1}}}};
  Result<RequestLog> log = ad::anthropic::messages_log(req, resp);
  ASSERT_TRUE(log);
  EXPECT_EQ(*log->prompt_tokens, 9223372036854775807LL);
  EXPECT_EQ(*log->usage->total_tokens, 9223372036854775807LL);
}

}  // namespace
