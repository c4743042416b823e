// detail::parse_json_bounded, the parser of every response (and of the mock's requests): the
// same value as nlohmann's parser for every valid document within the depth bound, the same
// refusals for invalid ones, and the depth bound itself. fuzz/fuzz_json.cpp checks the same
// equivalence on generated inputs.
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <respan/json.hpp>

#include "util/json_limits.hpp"
#include "util/json_write.hpp"

namespace {

using respan::Json;
using respan::detail::JsonParseStatus;
using respan::detail::parse_json_bounded;

// Parses with both parsers and expects the same verdict and value.
void expect_same_as_nlohmann(const std::string& text) {
  const Json reference = Json::parse(text, nullptr, false);
  const auto ours = parse_json_bounded(text);
  if (reference.is_discarded()) {
    EXPECT_NE(ours.status, JsonParseStatus::ok) << "accepted: " << text;
    EXPECT_TRUE(ours.value.is_null());
    return;
  }
  ASSERT_EQ(ours.status, JsonParseStatus::ok) << "refused: " << text;
  EXPECT_EQ(ours.value, reference) << text;
  EXPECT_EQ(ours.value.type(), reference.type()) << text;
}

TEST(JsonRead, ValidDocumentsGiveNlohmannsValue) {
  const std::vector<std::string> docs = {
      "{}",
      "[]",
      " \t\r\n{ } ",
      "0",
      "-0",
      "1",
      "-1",
      "true",
      "false",
      "null",
      "\"\"",
      R"({"a":1,"b":[true,false,null],"c":{"d":"e"},"f":-2.5e-3,"g":1E+2,"h":0.0})",
      R"({"dup":1,"dup":2})",
      R"(["\"\\\/\b\f\n\r\t"])",
      R"(["\u0000\u001f\u00e9\u20AC"])",
      R"(["\ud83c\udf89"])",
      "[\"\xC3\xA9\xE6\x97\xA5\xF0\x9F\x8E\x89\"]",
      "18446744073709551615",
      "18446744073709551616",
      "-9223372036854775808",
      "-9223372036854775809",
      "123456789012345678901234567890",
      "1e308",
      "1e400",
      "-1e400",
      "1e-400",
      "-1e-400",
      "5e-324",
      "0.000000000000000000000000000001e-300",
      "1.7976931348623157e308",
      "[[[[[[[[[[]]]]]]]]]]",
      "\xEF\xBB\xBF{\"bom\":true}",
      R"({"cost":0.0,"customer_identifier":null,"id":"50502827d7e0175b8a7d1f89865befcb"})"};
  for (const auto& d : docs)
    expect_same_as_nlohmann(d);
}

TEST(JsonRead, InvalidDocumentsAreRefusedLikeNlohmann) {
  const std::vector<std::string> docs = {"",
                                         " ",
                                         "{",
                                         "}",
                                         "[",
                                         "]",
                                         "[1,]",
                                         "{\"a\":1,}",
                                         "{\"a\" 1}",
                                         "{a:1}",
                                         "{'a':1}",
                                         "[1 2]",
                                         "01",
                                         "-",
                                         "-01",
                                         "1.",
                                         ".5",
                                         "1e",
                                         "1e+",
                                         "+1",
                                         "0x10",
                                         "NaN",
                                         "Infinity",
                                         "nul",
                                         "tru",
                                         "falsey",
                                         "\"abc",
                                         "\"a\nb\"",
                                         "\"\\x\"",
                                         "\"\\u12\"",
                                         "\"\\uZZZZ\"",
                                         "\"\\ud800\"",
                                         "\"\\udc00\"",
                                         "\"\\ud800\\u0041\"",
                                         "\"\xC3\"",
                                         "\"\xC0\xAF\"",
                                         "\"\xED\xA0\x80\"",
                                         "\"\xF4\x90\x80\x80\"",
                                         "\"\xFF\"",
                                         "{} {}",
                                         "[] x",
                                         "/*c*/{}",
                                         std::string("[\0]", 3),
                                         "\"\\ud83c\"",
                                         "[1]]",
                                         "{\"a\":}"};
  for (const auto& d : docs)
    expect_same_as_nlohmann(d);
}

TEST(JsonRead, NulBytesAreErrorsEvenWhereNlohmannStops) {
  // nlohmann reads a NUL as the end of the input; a body with one is malformed.
  EXPECT_EQ(parse_json_bounded(std::string("5\0garbage", 9)).status, JsonParseStatus::invalid);
  EXPECT_EQ(parse_json_bounded(std::string("{}\0", 3)).status, JsonParseStatus::invalid);
}

TEST(JsonRead, DepthIsBoundedWithoutRecursion) {
  auto nested = [](std::size_t levels) {
    return std::string(levels, '[') + std::string(levels, ']');
  };
  EXPECT_EQ(parse_json_bounded(nested(respan::detail::kMaxJsonDepth)).status, JsonParseStatus::ok);
  EXPECT_EQ(parse_json_bounded(nested(respan::detail::kMaxJsonDepth + 1)).status,
            JsonParseStatus::too_deep);
  EXPECT_EQ(parse_json_bounded(std::string(1000000, '[')).status, JsonParseStatus::too_deep);
  std::string objects;
  for (int i = 0; i < 200; ++i)
    objects += "{\"k\":";
  objects += "1" + std::string(200, '}');
  EXPECT_EQ(parse_json_bounded(objects).status, JsonParseStatus::too_deep);
  EXPECT_EQ(parse_json_bounded(objects, 200).status, JsonParseStatus::ok);
  // Brackets inside strings are text, not nesting.
  EXPECT_EQ(parse_json_bounded("[\"" + std::string(500, '[') + "\"]").status, JsonParseStatus::ok);
}

TEST(JsonRead, OverflowIsRefusedUnderflowIsZero) {
  EXPECT_EQ(parse_json_bounded("[1e400]").status, JsonParseStatus::invalid);
  EXPECT_EQ(parse_json_bounded("-1e400").status, JsonParseStatus::invalid);
  EXPECT_EQ(parse_json_bounded("100000000000000000000e300").status, JsonParseStatus::invalid);
  const auto small = parse_json_bounded("[1e-400,-0.0001e-320,0.5e-400]");
  ASSERT_EQ(small.status, JsonParseStatus::ok);
  EXPECT_EQ(small.value[0].get<double>(), 0.0);
  EXPECT_TRUE(std::signbit(small.value[1].get<double>()));
  EXPECT_EQ(small.value[2].get<double>(), 0.0);
}

TEST(JsonRead, WriterOutputParsesBackToTheSameValue) {
  const Json v = Json::parse(R"({"a":[1,-2,3.5,"x\u0001y",{"b":null}],"c":"\u00e9","d":1e300})");
  const auto back = parse_json_bounded(respan::detail::to_json_text(v));
  ASSERT_EQ(back.status, JsonParseStatus::ok);
  EXPECT_EQ(back.value, v);
}

}  // namespace
