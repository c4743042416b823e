// What the write models refuse to put on the wire: non-finite numbers anywhere and set-but-null
// optional fields (detail::encode and the to_json behind it).
#include <cmath>
#include <limits>
#include <stdexcept>

#include <gtest/gtest.h>

#include <respan/models/dataset.hpp>
#include <respan/models/dataset_log.hpp>
#include <respan/models/request_log.hpp>

#include "models/encode.hpp"

using respan::Json;
using respan::detail::encode;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

respan::RequestLog span() {
  respan::RequestLog s("gpt-4o");
  return s;
}

// The invalid_argument message of encoding `body`, or "" when it encoded.
template <class T>
std::string refusal(const T& body, const char* type_name) {
  auto r = encode(body, type_name);
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
