// What the write models refuse to put on the wire: non-finite numbers anywhere and set-but-null
// optional fields (detail::encode and the to_json behind it).
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

#include <gtest/gtest.h>

#include <respan/models/dataset.hpp>
#include <respan/models/dataset_log.hpp>
#include <respan/models/request_log.hpp>

#include "models/encode.hpp"
#include "util/json_limits.hpp"
#include "util/json_write.hpp"

using respan::Json;
using respan::detail::encode;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

respan::RequestLog span() {
  respan::RequestLog s("gpt-4o");
  return s;
}

// The invalid_argument message of encoding `body`, or "" when it encoded. A span is encoded
// both ways (the Json of to_json and the text of the DOM-free writer): both must agree.
template <class T>
std::string refusal(const T& body, const char* type_name) {
  auto r = encode(body, type_name);
  if constexpr (std::is_same_v<T, respan::RequestLog>) {
    std::string text = "prefix";
    auto t = respan::detail::encode_text(body, type_name, text);
    EXPECT_EQ(static_cast<bool>(r), static_cast<bool>(t));
    if (r && t) {
      EXPECT_EQ(Json::parse(text.substr(6)), Json::parse(respan::detail::to_json_text(*r)));
    }
    if (!r && !t) {
      EXPECT_EQ(t.error().code, respan::ErrorCode::invalid_argument);
      EXPECT_EQ(t.error().message, r.error().message);
      EXPECT_EQ(text, "prefix");  // restored on a refusal
    }
  }
  if (r) return "";
  EXPECT_EQ(r.error().code, respan::ErrorCode::invalid_argument);
  return r.error().message;
}

TEST(Encode, NonFiniteNumbersAreRefusedNamingTheField) {
  auto s = span();
  s.latency = kNaN;
  EXPECT_EQ(refusal(s, "RequestLog"), "RequestLog.latency: not a finite number (NaN)");
  s.latency = kInf;
  EXPECT_EQ(refusal(s, "RequestLog"), "RequestLog.latency: not a finite number (inf)");
  s.latency = -kInf;
  EXPECT_EQ(refusal(s, "RequestLog"), "RequestLog.latency: not a finite number (-inf)");
  s.latency = 0.5;
  s.cost = kNaN;
  EXPECT_EQ(refusal(s, "RequestLog"), "RequestLog.cost: not a finite number (NaN)");
  s.cost.reset();
  EXPECT_EQ(refusal(s, "RequestLog"), "");
  EXPECT_EQ(encode(s, "RequestLog").value(), (Json{{"model", "gpt-4o"}, {"latency", 0.5}}));
}

TEST(Encode, NonFiniteNumbersInsideFreeFormJsonAreRefusedAtAnyDepth) {
  auto s = span();
  s.metadata = Json{{"ok", 1}, {"score", kNaN}};
  EXPECT_EQ(refusal(s, "RequestLog"), "RequestLog.metadata.score: not a finite number (NaN)");
  s.metadata = Json{{"a", {{"b", Json::array({1.0, 2.0, -kInf})}}}};
  EXPECT_EQ(refusal(s, "RequestLog"), "RequestLog.metadata.a.b[2]: not a finite number (-inf)");
  s.metadata.reset();
  s.input = respan::SpanIO::from_json_value(Json::array({Json{{"x", kInf}}}));
  EXPECT_EQ(refusal(s, "RequestLog"), "RequestLog.input[0].x: not a finite number (inf)");
  s.input.reset();
  s.extra["custom"] = Json{{"v", kNaN}};
  EXPECT_EQ(refusal(s, "RequestLog"), "RequestLog.custom.v: not a finite number (NaN)");

  // Deep nesting does not recurse.
  Json deep = kNaN;
  for (int i = 0; i < 20000; ++i)
    deep = Json::array({std::move(deep)});
  respan::DatasetLog l;
  l.input = "q";
  l.metadata = Json{{"deep", std::move(deep)}};
  const std::string why = refusal(l, "DatasetLog");
  EXPECT_EQ(why.rfind("DatasetLog.metadata.deep[0][0]", 0), 0u) << why.substr(0, 80);
  EXPECT_NE(why.find(": not a finite number (NaN)"), std::string::npos);
}

TEST(Encode, NullsNestedInFreeFormJsonAreTheCallersDataAndPass) {
  auto s = span();
  s.metadata = Json{{"a", nullptr}, {"list", {1, nullptr}}};
  s.extra["raw_null"] = nullptr;  // extra is sent as given
  auto j = encode(s, "RequestLog");
  ASSERT_TRUE(j) << j.error();
  EXPECT_EQ(j->at("metadata"), (Json{{"a", nullptr}, {"list", {1, nullptr}}}));
  EXPECT_TRUE(j->at("raw_null").is_null());
}

TEST(Encode, SetButNullOptionalsAreRefused) {
  auto s = span();
  s.input = respan::SpanIO{};  // default-constructed union = null
  EXPECT_EQ(refusal(s, "RequestLog"), "RequestLog.input: set but null");
  s.input.reset();
  s.stop = respan::Stop{};
  EXPECT_EQ(refusal(s, "RequestLog"), "RequestLog.stop: set but null");
  s.stop.reset();
  s.tool_choice = respan::ToolChoice{};
  EXPECT_EQ(refusal(s, "RequestLog"), "RequestLog.tool_choice: set but null");
  s.tool_choice.reset();
  s.warnings = respan::Warnings{};
  EXPECT_EQ(refusal(s, "RequestLog"), "RequestLog.warnings: set but null");
  s.warnings.reset();
  s.metadata = Json();
  EXPECT_EQ(refusal(s, "RequestLog"), "RequestLog.metadata: set but null");
  s.metadata.reset();
  s.response_format = Json(nullptr);
  EXPECT_EQ(refusal(s, "RequestLog"), "RequestLog.response_format: set but null");
}

TEST(Encode, PathsGoThroughNestedModelsAndLists) {
  auto s = span();
  respan::ContentPart part = respan::ContentPart::make_text("look");
  part.extra["weight"] = kNaN;
  s.prompt_messages =
      std::vector<respan::Message>{respan::Message::system("a"), respan::Message::user("b"),
                                   respan::Message::user(std::vector<respan::ContentPart>{part})};
  EXPECT_EQ(refusal(s, "RequestLog"),
            "RequestLog.prompt_messages[2].content[0].weight: not a finite number (NaN)");
  s.prompt_messages.reset();

  auto tool = respan::ToolDefinition::make_function("f", "d", Json::object());
  tool.function->parameters = Json();
  s.tools = std::vector<respan::ToolDefinition>{tool};
  EXPECT_EQ(refusal(s, "RequestLog"), "RequestLog.tools[0].function.parameters: set but null");
  s.tools.reset();

  s.usage = respan::Usage{};
  s.usage->extra["ratio"] = kInf;
  EXPECT_EQ(refusal(s, "RequestLog"), "RequestLog.usage.ratio: not a finite number (inf)");
}

TEST(Encode, ClearableIsTheOneWayToSendNull) {
  respan::RequestLogUpdate u;
  EXPECT_EQ(encode(u, "RequestLogUpdate").value(), Json::object());
  u.positive_feedback.clear();
  EXPECT_EQ(encode(u, "RequestLogUpdate").value(), (Json{{"positive_feedback", nullptr}}));
  u.positive_feedback = false;
  EXPECT_EQ(encode(u, "RequestLogUpdate").value(), (Json{{"positive_feedback", false}}));
  u.positive_feedback.reset();
  u.metadata = Json{{"s", kNaN}};
  EXPECT_EQ(refusal(u, "RequestLogUpdate"),
            "RequestLogUpdate.metadata.s: not a finite number (NaN)");
}

TEST(Encode, DatasetBodiesAreCheckedToo) {
  respan::DatasetLog l;
  l.input = Json{{"q", kNaN}};
  EXPECT_EQ(refusal(l, "DatasetLog"), "DatasetLog.input.q: not a finite number (NaN)");
  l.input = "q";
  l.metrics = Json{{"latency", kInf}};
  EXPECT_EQ(refusal(l, "DatasetLog"), "DatasetLog.metrics.latency: not a finite number (inf)");
  l.metrics.reset();
  l.output = Json();
  EXPECT_EQ(refusal(l, "DatasetLog"), "DatasetLog.output: set but null");

  respan::DatasetLogUpdate u;
  u.expected_output = Json(nullptr);
  EXPECT_EQ(refusal(u, "DatasetLogUpdate"), "DatasetLogUpdate.expected_output: set but null");

  respan::Dataset d;
  d.name = "n";
  d.initial_log_filters = respan::Filters{};
  d.initial_log_filters->gte("cost", kNaN);
  const std::string why = refusal(d, "Dataset");
  EXPECT_EQ(why.rfind("Dataset.initial_log_filters.cost.value", 0), 0u) << why;

  respan::ImportLogsRequest imp;
  imp.start_time = "2026-01-01T00:00:00Z";
  imp.end_time = "2026-01-02T00:00:00Z";
  imp.filters.equals("latency", kNaN);
  EXPECT_EQ(refusal(imp, "ImportLogsRequest").rfind("ImportLogsRequest.filters.latency", 0), 0u);
}

TEST(Encode, JsonConversionThrowsInvalidArgumentWithThePath) {
  auto s = span();
  s.latency = kNaN;
  try {
    Json j = s;
    FAIL() << j.dump();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "latency: not a finite number (NaN)");
  }
}

}  // namespace

namespace {

// The text writer's JSON, parsed; and the DOM's. Both must hold the same value.
void expect_same_value(const respan::RequestLog& s) {
  std::string text;
  auto t = respan::detail::encode_text(s, "RequestLog", text);
  ASSERT_TRUE(t) << t.error().message;
  auto dom = encode(s, "RequestLog");
  ASSERT_TRUE(dom) << dom.error().message;
  // What the DOM path sent: its text (invalid UTF-8 replaced by U+FFFD), parsed.
  EXPECT_EQ(Json::parse(text), Json::parse(respan::detail::to_json_text(*dom))) << text;
}

}  // namespace

TEST(EncodeText, WritesTheSameValueAsToJsonForEveryField) {
  respan::RequestLog s("gpt-4o");
  expect_same_value(s);  // only the required field

  s.prompt_messages = std::vector<respan::Message>{
      respan::Message::system("Be \"brief\".\n\u00e9\xff"),  // escapes, UTF-8, invalid byte
      respan::Message::user({respan::ContentPart::make_text("look"),
                             respan::ContentPart::make_image_url("https://x/y.png", "low")}),
      respan::Message::assistant(
          {respan::ToolCall::make_function("call_1", "lookup", "{\"q\":1}")}),
      respan::Message::tool("call_1", "42")};
  s.prompt_messages->at(1).name = "ann";
  s.prompt_messages->at(1).extra = Json{{"role", "ignored: typed field wins"}, {"x", nullptr}};
  s.completion_message = respan::Message::assistant("ok");
  s.input = respan::SpanIO::from_json_value(Json{{"q", "where?"}, {"n", {1, 2.5, -3}}});
  s.output = "plain text";
  s.log_type = respan::LogType::chat();
  s.prompt_tokens = 42;
  s.completion_tokens = -1;
  respan::Usage u;
  u.prompt_tokens = 1;
  u.cache_read_input_tokens = 9007199254740993LL;
  u.extra = Json{{"reasoning_tokens", 3}};
  s.usage = u;
  s.cost = 0.1 + 0.2;
  s.latency = 1e-300;
  s.time_to_first_token = 0.0;
  s.tokens_per_second = 1e300;
  s.prompt_unit_price = 2.5;
  s.completion_unit_price = 10;
  s.timestamp = respan::Timestamp("2026-01-01T00:00:00Z");
  s.start_time = respan::Timestamp("2026-01-01T00:00:00.5+01:00");
  s.temperature = 0.7;
  s.top_p = 1;
  s.max_tokens = 256;
  s.frequency_penalty = -2;
  s.presence_penalty = 2;
  s.stop = respan::Stop(std::vector<std::string>{"\n\n", "END"});
  s.stream = false;
  respan::ToolDefinition tool = respan::ToolDefinition::make_function(
      "lookup", "Looks up", Json{{"type", "object"}, {"properties", Json::object()}});
  tool.function->strict = true;
  s.tools = std::vector<respan::ToolDefinition>{tool};
  s.tool_calls = std::vector<respan::ToolCall>{respan::ToolCall::make_function("c", "f", "{}")};
  s.tool_choice = respan::ToolChoice::function("lookup");
  s.response_format = Json{{"type", "json_object"}};
  s.status_code = 200;
  s.status = respan::SpanStatus("partial");  // an unknown value goes out verbatim
  s.error_message = "";
  s.warnings = respan::Warnings::from_json_value(Json{{"w", true}});
  s.trace_unique_id = "0123456789abcdef0123456789abcdef";
  s.span_name = "llm";
  s.span_parent_id = "0123456789abcdef";
  s.span_workflow_name = "wf";
  s.custom_identifier = "c";
  s.thread_identifier = "t";
  s.group_identifier = "g";
  s.customer_identifier = "cust";
  respan::CustomerParams cp;
  cp.customer_identifier = "cust";
  cp.email = "a@b.c";
  s.customer_params = cp;
  s.metadata = Json{{"k", "v"}, {"nested", {{"a", {nullptr, true}}}}};
  s.properties = Json{{"p", 1}};
  s.variables = Json{{"v", "x"}};
  s.prompt_id = "p1";
  s.prompt_name = "pn";
  s.is_custom_prompt = true;
  s.full_request = Json::array();
  s.full_response = Json::object();
  s.respan_params = Json{{"environment", "test"}};
  s.positive_feedback = true;
  s.extra = Json{{"model", "extra loses to the typed field"},
                 {"custom_field", {{"deep", {1, {2, {3}}}}}},
                 {"null_extra", nullptr}};
  expect_same_value(s);

  // extra fills a typed field's name when that field is unset.
  s.cost.reset();
  s.extra["cost"] = 1.5;
  expect_same_value(s);
}

TEST(EncodeText, RefusesDeepNestingLikeTheRequestBodyCheck) {
  respan::RequestLog s("gpt-4o");
  Json deep = 1;
  for (std::size_t i = 0; i + 1 < respan::detail::kMaxJsonDepth; ++i)
    deep = Json::array({std::move(deep)});
  s.metadata = deep;  // the span object is level 1: exactly at the limit
  std::string text;
  EXPECT_TRUE(respan::detail::encode_text(s, "RequestLog", text));

  s.metadata = Json::array({deep});
  text.clear();
  auto r = respan::detail::encode_text(s, "RequestLog", text);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, respan::ErrorCode::invalid_argument);
  EXPECT_EQ(r.error().message.rfind("RequestLog.metadata", 0), 0u) << r.error().message;
  EXPECT_NE(r.error().message.find("deeper than 128 levels"), std::string::npos);
  EXPECT_TRUE(text.empty());
}

// The asynchronous paths' writer: each field holding a non-finite number is left out (the
// innermost object member that holds it, or a whole array), named with its full path, and
// the rest of the model is written as encode_text() writes it.
TEST(EncodeTextDropping, LeavesOutOnlyTheFieldsThatHoldANonFiniteNumber) {
  auto s = span();
  s.cost = kNaN;
  respan::ContentPart part = respan::ContentPart::make_text("look");
  part.extra["weight"] = kNaN;
  s.prompt_messages =
      std::vector<respan::Message>{respan::Message::system("a"), respan::Message::user("b"),
                                   respan::Message::user(std::vector<respan::ContentPart>{part})};
  s.usage = respan::Usage{};
  s.usage->prompt_tokens = 3;
  s.usage->extra["ratio"] = kInf;
  s.metadata = Json{{"a", {{"b", {{"c", kNaN}, {"d", 1}}}}}, {"list", {{{"x", kNaN}}, 2}}};
  s.extra = Json{{"bad", Json::array({Json::array({kInf})})}, {"good", true}};

  std::string strict;
  ASSERT_FALSE(respan::detail::encode_text(s, "RequestLog", strict));

  std::string text = "prefix";
  respan::detail::FieldDrops drops;
  ASSERT_TRUE(respan::detail::encode_text_dropping(s, "RequestLog", text, drops));
  ASSERT_EQ(text.rfind("prefix", 0), 0u);
  const Json j = Json::parse(text.substr(6));
  EXPECT_EQ(drops.count, 6u);
  EXPECT_EQ(drops.describe(),
            "left out 6 non-finite numbers: prompt_messages[2].content[0].weight, "
            "usage.ratio, cost, metadata.a.b.c, metadata.list[0].x, bad");

  // The value is what encode() gives for the span with those fields removed.
  auto clean = s;
  clean.cost.reset();
  (*clean.prompt_messages)[2] = respan::Message::user(
      std::vector<respan::ContentPart>{respan::ContentPart::make_text("look")});
  clean.usage->extra = Json::object();
  clean.metadata = Json{{"a", {{"b", {{"d", 1}}}}}, {"list", {Json::object(), 2}}};
  clean.extra = Json{{"good", true}};
  auto expected = encode(clean, "RequestLog");
  ASSERT_TRUE(expected) << expected.error().message;
  EXPECT_EQ(j, *expected);

  // A span without a non-finite number is written exactly as encode_text() writes it.
  std::string a;
  std::string b;
  respan::detail::FieldDrops none;
  ASSERT_TRUE(respan::detail::encode_text(clean, "RequestLog", a));
  ASSERT_TRUE(respan::detail::encode_text_dropping(clean, "RequestLog", b, none));
  EXPECT_EQ(a, b);
  EXPECT_EQ(none.count, 0u);
}

TEST(EncodeTextDropping, OtherRefusalsStillRefuseTheWholeSpan) {
  auto s = span();
  s.cost = kNaN;
  s.input = respan::SpanIO();  // set but null
  std::string text;
  respan::detail::FieldDrops drops;
  auto r = respan::detail::encode_text_dropping(s, "RequestLog", text, drops);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "RequestLog.input: set but null");
  EXPECT_TRUE(text.empty());

  s = span();
  Json deep = kNaN;
  for (std::size_t i = 0; i < respan::detail::kMaxJsonDepth; ++i)
    deep = Json{{"k", std::move(deep)}};
  s.metadata = deep;
  r = respan::detail::encode_text_dropping(s, "RequestLog", text, drops);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("deeper than 128 levels"), std::string::npos);
}

TEST(EncodeTextDropping, ManyFieldsAreCountedAndTheFirstNamed) {
  auto s = span();
  Json m = Json::object();
  for (int i = 0; i < 20; ++i)
    m["k" + std::to_string(100 + i)] = kNaN;
  s.metadata = m;
  std::string text;
  respan::detail::FieldDrops drops;
  ASSERT_TRUE(respan::detail::encode_text_dropping(s, "RequestLog", text, drops));
  EXPECT_EQ(drops.count, 20u);
  EXPECT_EQ(drops.paths.size(), respan::detail::FieldDrops::kNamed);
  EXPECT_NE(drops.describe().find("and 12 more"), std::string::npos);
  EXPECT_EQ(Json::parse(text)["metadata"], Json::object());
}
