// detail::write_json, the request-body serializer: byte-identical to nlohmann's compact dump
// (with invalid UTF-8 replaced) for everything but the spelling of doubles, whose value it
// keeps exactly.
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include <respan/json.hpp>

#include "util/json_write.hpp"

namespace {

using respan::Json;
using respan::detail::to_json_text;

std::string nlohmann_text(const Json& v) {
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

TEST(JsonWrite, MatchesNlohmannForStructuresStringsAndIntegers) {
  const Json v = Json::parse(R"({
    "model": "gpt-4o", "n": -42, "u": 18446744073709551615, "i": -9223372036854775808,
    "t": true, "f": false, "z": null, "e": {}, "a": [], "nested": [[[{"k": [1, {"x": ""}]}]]],
    "esc": "quote \" backslash \\ slash / nl \n cr \r tab \t bs \b ff \f nul \u0000 us \u001f del \u007f",
    "utf8": "é ünïcödé 日本語 🎉", "keys": {"b": 1, "a": 2, "é": 3, "": 4}
  })");
  EXPECT_EQ(to_json_text(v), nlohmann_text(v));
  EXPECT_EQ(to_json_text(Json("plain")), "\"plain\"");
  EXPECT_EQ(to_json_text(Json(nullptr)), "null");
  EXPECT_EQ(to_json_text(Json::array()), "[]");
}

TEST(JsonWrite, DoublesKeepTheirValueAndStayFloats) {
  const double samples[] = {0.0,
                            -0.0,
                            0.84,
                            1.0,
                            100.0,
                            -2.5,
                            1e300,
                            1e-300,
                            5e-324,
                            1e21,
                            1e-7,
                            123456789012345680000.0,
                            0.1 + 0.2,
                            std::numeric_limits<double>::max(),
                            std::numeric_limits<double>::min(),
                            3.141592653589793};
  for (const double d : samples) {
    const std::string text = to_json_text(Json(d));
    const Json back = Json::parse(text);
    ASSERT_TRUE(back.is_number_float()) << text;  // "1.0", never "1": a float stays a float
    EXPECT_EQ(back.get<double>(), d) << text;
    EXPECT_EQ(std::signbit(back.get<double>()), std::signbit(d)) << text;
  }
  EXPECT_EQ(to_json_text(Json(0.84)), "0.84");
  EXPECT_EQ(to_json_text(Json(1.0)), "1.0");
}

TEST(JsonWrite, NonFiniteIsNullLikeNlohmann) {
  EXPECT_EQ(to_json_text(Json(std::nan(""))), "null");
  EXPECT_EQ(to_json_text(Json(-std::numeric_limits<double>::infinity())), "null");
}

TEST(JsonWrite, InvalidUtf8IsReplacedAndTheRestKept) {
  // Truncated, overlong, surrogate, out of range, stray continuation, invalid lead bytes.
  const std::string cases[] = {"a\xC3",        "\xC0\xAF",         "\xE0\x80\xAF",
                               "\xED\xA0\x80", "\xF4\x90\x80\x80", "x\x80y",
                               "\xFF\xFEz",    "\xF0\x9F\x8E"};
  for (const std::string& s : cases) {
    const std::string text = to_json_text(Json(s));
    const Json back = Json::parse(text);  // valid JSON whatever the input
    ASSERT_TRUE(back.is_string());
    EXPECT_NE(text.find("\xEF\xBF\xBD"), std::string::npos) << text;
  }
  EXPECT_EQ(to_json_text(Json(std::string("x\x80y"))), "\"x\xEF\xBF\xBDy\"");
  EXPECT_EQ(to_json_text(Json(std::string("ok \xE2\x82\xAC ok"))), "\"ok \xE2\x82\xAC ok\"");
}

TEST(JsonWrite, RandomValuesRoundTripAndMatchNlohmannWithoutDoubles) {
  std::mt19937_64 rng(20261126);
  auto random_string = [&rng] {
    std::string s;
    const std::size_t n = rng() % 12;
    for (std::size_t i = 0; i < n; ++i) {
      const auto kind = rng() % 4;
      if (kind == 0) {
        s.push_back(static_cast<char>(rng() % 0x20));  // control
      } else if (kind == 1) {
        s.append("\xC3\xA9");  // é
      } else {
        s.push_back(static_cast<char>(0x20 + rng() % 0x5F));
      }
    }
    return s;
  };
  for (int round = 0; round < 300; ++round) {
    Json v = Json::object();
    for (int k = 0; k < 8; ++k) {
      Json child;
      switch (rng() % 5) {
        case 0:
          child = random_string();
          break;
        case 1:
          child = static_cast<std::int64_t>(rng());
          break;
        case 2:
          child = Json::array({random_string(), static_cast<std::uint64_t>(rng()), nullptr});
          break;
        case 3:
          child = Json{{random_string(), Json{{random_string(), true}}}};
          break;
        default:
          child = static_cast<double>(static_cast<std::int64_t>(rng() % 2000000) - 1000000) / 7.0;
      }
      v[random_string()] = std::move(child);
    }
    const std::string text = to_json_text(v);
    EXPECT_EQ(Json::parse(text), v) << text;
    Json no_doubles = v;
    for (auto it = no_doubles.begin(); it != no_doubles.end();) {
      it = it->is_number_float() ? no_doubles.erase(it) : std::next(it);
    }
    EXPECT_EQ(to_json_text(no_doubles), nlohmann_text(no_doubles));
  }
}

TEST(JsonWrite, DeepNestingNeedsNoRecursion) {
  Json v = Json::array();
  for (int i = 0; i < 100000; ++i)
    v = Json::array({std::move(v)});
  const std::string text = to_json_text(v);
  EXPECT_EQ(text.size(), 2u * 100001u);
  // nlohmann's own destructor is iterative too, so tearing `v` down is safe.
}

}  // namespace
