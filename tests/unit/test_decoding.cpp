// Tolerant decoding: pages with bad rows, counts and integers of any shape, both forms of
// dataset-log scores, timestamps of years 0000-9999, one locale-independent ISO 8601 parser.
#include <chrono>
#include <clocale>
#include <cstdint>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include <respan/models/dataset_log.hpp>
#include <respan/models/request_log.hpp>
#include <respan/pagination.hpp>

#include "models/encode.hpp"
#include "testing/mock_filters.hpp"

using respan::Json;

namespace {

using RecordPage = respan::Page<respan::RequestLogRecord>;

TEST(PageDecoding, OneBadRowKeepsTheOthers) {
  const Json j = {{"count", 4},
                  {"next", nullptr},
                  {"results", {{{"model", "a"}}, "garbage", {{"model", "b"}}, nullptr}}};
  const auto p = j.get<RecordPage>();
  ASSERT_EQ(p.results.size(), 2u);
  EXPECT_EQ(p.results[0].model, "a");
  EXPECT_EQ(p.results[1].model, "b");
  ASSERT_EQ(p.row_errors.size(), 2u);
  EXPECT_EQ(p.row_errors[0].index, 1);
  EXPECT_FALSE(p.row_errors[0].error.empty());
  EXPECT_EQ(p.row_errors[0].extra.at("row"), "garbage");
  EXPECT_EQ(p.row_errors[1].index, 3);
  EXPECT_TRUE(p.row_errors[1].extra.at("row").is_null());
  EXPECT_EQ(p.count, 4);
}

TEST(PageDecoding, PageRangeReportsBadRowsInPlaceAndStillStops) {
  int fetches = 0;
  respan::PageRange<respan::RequestLogRecord> range(
      [&](std::int64_t) -> respan::Result<RecordPage> {
        ++fetches;
        return Json{{"count", 3},
                    {"next", "http://x/?page=2"},
                    {"results", {{{"model", "a"}}, 7, {{"model", "c"}}}}}
            .get<RecordPage>();
      });
  std::vector<std::string> seen;
  for (auto& item : range) {
    seen.push_back(item ? item->model
                        : "error:" + std::string(respan::to_string(item.error().code)));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "error:decode", "c"}));
  EXPECT_EQ(fetches, 1);  // 2 rows + 1 bad row = count: no second page
}

TEST(PageDecoding, CountsThatAreNotExactNonNegativeIntegersAreKeptRaw) {
  for (const Json& bad :
       {Json(1e300), Json(-1), Json(1.5), Json("3"), Json(-0.5), Json(9.3e18),
        Json(std::numeric_limits<std::uint64_t>::max()), Json(true), Json::object()}) {
    const auto p =
        Json{{"count", bad}, {"total_count", bad}, {"results", Json::array()}}.get<RecordPage>();
    EXPECT_EQ(p.count, 0) << bad;
    EXPECT_FALSE(p.total_count) << bad;
    EXPECT_EQ(p.extra.at("count"), bad);
    EXPECT_EQ(p.extra.at("total_count"), bad);
  }
  EXPECT_EQ((Json{{"count", 3.0}}.get<RecordPage>().count), 3);
  EXPECT_EQ((Json{{"count", std::numeric_limits<std::int64_t>::max()}}.get<RecordPage>().count),
            std::numeric_limits<std::int64_t>::max());
  const auto p = Json{{"count", 1e300}, {"total_count", 5}}.get<RecordPage>();
  EXPECT_EQ(p.count, 5);  // falls back on total_count
}

TEST(IntegerDecoding, OutOfRangeAndFractionalNumbersAreNotTruncated) {
  const Json j = {{"model", "m"},
                  {"prompt_tokens", 1e300},
                  {"completion_tokens", std::numeric_limits<std::uint64_t>::max()},
                  {"max_tokens", -9223372036854775808.0},
                  {"status_code", 9223372036854775807LL},
                  {"usage", {{"total_tokens", 9.3e18}, {"prompt_tokens", -3.0}}}};
  const auto s = j.get<respan::RequestLog>();
  EXPECT_FALSE(s.prompt_tokens);
  EXPECT_EQ(s.extra.at("prompt_tokens"), 1e300);
  EXPECT_FALSE(s.completion_tokens);
  EXPECT_EQ(s.extra.at("completion_tokens"), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(s.max_tokens, std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(s.status_code, std::numeric_limits<std::int64_t>::max());
  ASSERT_TRUE(s.usage);
  EXPECT_FALSE(s.usage->total_tokens);
  EXPECT_EQ(s.usage->prompt_tokens, -3);

  const auto b = Json{{"success_count", 1e300}, {"errors", {{{"index", 2.5}}, {{"index", "7"}}}}}
                     .get<respan::BulkResult>();
  EXPECT_EQ(b.success_count, 0);
  EXPECT_EQ(b.extra.at("success_count"), 1e300);
  EXPECT_EQ(b.errors[0].index, -1);
  EXPECT_EQ(b.errors[1].index, 7);
  EXPECT_EQ((Json{{"index", "x7"}}.get<respan::RowError>().extra.at("index")), "x7");
}

TEST(ScoresDecoding, ObjectAndListFormsBothDecode) {
  // List rows: an object keyed by evaluator id.
  const auto row =
      Json{{"unique_id", "u"},
           {"scores", {{"ev-1", {{"score_value", 4}}}, {"ev-2", {{"score_value", 1}}}}}}
          .get<respan::DatasetLogRecord>();
  ASSERT_EQ(row.scores.size(), 2u);
  EXPECT_EQ(row.scores.at("ev-1").at("score_value"), 4);
  EXPECT_TRUE(row.raw_scores && row.raw_scores->is_object());
  EXPECT_TRUE(row.extra.empty());

  // Single-log answers: a list of score objects.
  const Json list =
      Json::array({Json{{"evaluator_id", "ev-1"}, {"score_value", 4}},
                   Json{{"evaluator_slug", "tone"}, {"score_value", true}},
                   Json{{"id", 12}, {"score_value", 0.5}}, Json{{"score_value", 9}}, "odd"});
  const auto one = Json{{"unique_id", "u"}, {"scores", list}}.get<respan::DatasetLogRecord>();
  ASSERT_EQ(one.scores.size(), 3u);
  EXPECT_EQ(one.scores.at("ev-1").at("score_value"), 4);
  EXPECT_EQ(one.scores.at("tone").at("score_value"), true);
  EXPECT_EQ(one.scores.at("12").at("score_value"), 0.5);
  EXPECT_EQ(one.raw_scores, list);  // nothing lost
  EXPECT_TRUE(one.extra.empty());
  EXPECT_EQ(Json(one).at("scores"), list);

  const auto none = Json{{"unique_id", "u"}, {"scores", nullptr}}.get<respan::DatasetLogRecord>();
  EXPECT_TRUE(none.scores.empty());
  EXPECT_FALSE(none.raw_scores);
}

TEST(TimestampDecoding, YearsBeyond2262DoNotOverflow) {
  const respan::Timestamp far("9999-12-31T23:59:59Z");
  EXPECT_TRUE(far.valid());
  EXPECT_EQ(far.unix_micros(), 253402300799LL * 1000000LL);
  EXPECT_FALSE(far.to_time_point());  // system_clock cannot represent it
  const respan::Timestamp first("0001-01-01T00:00:00Z");
  EXPECT_EQ(first.unix_micros(), -62135596800LL * 1000000LL);
  EXPECT_FALSE(first.to_time_point());
  EXPECT_TRUE(respan::Timestamp("0000-01-01").valid());

  // The last representable microsecond and the next one.
  const respan::Timestamp last("2262-04-11T23:47:16.854775Z");
  ASSERT_TRUE(last.to_time_point());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::microseconds>(
                last.to_time_point()->time_since_epoch())
                .count(),
            *last.unix_micros());
  EXPECT_FALSE(respan::Timestamp("2262-04-11T23:47:16.854776Z").to_time_point());
  EXPECT_TRUE(respan::Timestamp("1677-09-21T00:12:43.145225Z").to_time_point());
  EXPECT_FALSE(respan::Timestamp("1677-09-21T00:12:43.145224Z").to_time_point());
  EXPECT_FALSE(respan::Timestamp("9999-12-31T23:59:59-23:59").to_time_point());
}

TEST(TimestampDecoding, StrictAndTotalOnOddInput) {
  for (const char* bad : {"", "2025-02-30", "2025-02-29", "2025-07-01T00:00:00.1234567890Z",
                          "2025-07-01T24:00:00Z", "2025-07-01T00:00:00+24:00", "\xff\xfe",
                          "2025-07-01T00:00:00Z ", "+2025-07-01", "2025-7-1"}) {
    EXPECT_FALSE(respan::Timestamp(bad).valid()) << bad;
    EXPECT_FALSE(respan::Timestamp(bad).to_time_point()) << bad;
  }
  EXPECT_EQ(respan::Timestamp("2016-12-31T23:59:60Z").unix_micros(),
            respan::Timestamp("2016-12-31T23:59:59Z").unix_micros());  // leap second
  EXPECT_EQ(respan::Timestamp("2025-07-01T02:00+02").unix_micros(),
            respan::Timestamp("2025-07-01").unix_micros());
}

TEST(TimestampDecoding, TheMockAndTheClientShareOneParser) {
  for (const char* s :
       {"2025-07-01", "2025-07-01T00:00", "2025-07-01 10:00:00.5", "2025-07-01T02:00:00+02:00",
        "2025-06-30T19:00:00-0500", "9999-12-31T23:59:59.999999Z", "0000-01-01T00:00:00Z",
        "2024-02-29T00:00:00Z", "2025-02-29", "yesterday", "2025-07-01T00:00:00.Z"}) {
    EXPECT_EQ(respan::Timestamp(s).unix_micros(), respan::testing::detail::parse_iso8601(s)) << s;
  }
  const std::int64_t t = 1700000000123456LL;
  EXPECT_EQ(
      respan::testing::detail::format_iso8601(t),
      respan::Timestamp(std::chrono::system_clock::time_point(std::chrono::microseconds(t))).str());
}

// Numbers in the mock's filters ignore the process locale (strtod/stod do not).
TEST(Locale, MockNumberParsingIgnoresTheDecimalComma) {
  const std::string before = std::setlocale(LC_ALL, nullptr);
  if (!std::setlocale(LC_ALL, "de_DE.utf8") && !std::setlocale(LC_ALL, "de_DE.UTF-8")) {
    GTEST_SKIP() << "no German locale installed";
  }
  const auto n = respan::testing::detail::as_number(Json("1.5"));
  const auto comma = respan::testing::detail::as_number(Json("1,5"));
  const auto when = respan::Timestamp("2025-07-01T00:00:00,5Z").unix_micros();
  std::setlocale(LC_ALL, before.c_str());
  ASSERT_TRUE(n);
  EXPECT_DOUBLE_EQ(*n, 1.5);
  EXPECT_FALSE(comma);
  EXPECT_EQ(when, 1751328000LL * 1000000LL + 500000);
}

}  // namespace

// The create answer's direct decoder (no Json map; the span-create hot path) gives exactly
// what from_json gives, and declines what it cannot take so the general path reports it.
TEST(DecodeText, CreateAnswerMatchesFromJson) {
  const char* bodies[] = {
      R"({"cost":0.0,"customer_identifier":null,"environment":"test",)"
      R"("id":"cd2210f8d850c0a16b3857d3770326f8","latency":null,"organization_id":"org_mock",)"
      R"("prompt_cache_creation_tokens":null,"prompt_cache_hit_tokens":null,"status":"success",)"
      R"("time_to_first_token":null,"timestamp":"2026-11-26T06:00:56.446600Z",)"
      R"("unique_id":"cd2210f8d850c0a16b3857d3770326f8"})",
      R"({})",
      R"({"id": 12345, "organization_id": 7})",  // integer ids kept as text
      R"({"unique_id": "u", "id": "i"})",
      R"({"unique_id": true, "cost": "free", "status": 3, "latency": [1]})",  // wrong types
      R"({"generation_time": 1.5, "ttft": 0.25})",                            // aliases
      R"({"latency": 2, "generation_time": 1.5})",  // alias not used: stays in extra
      R"({"prompt_cache_hit_tokens": 1e3, "prompt_cache_creation_tokens": 1.5})",
      R"({"prompt_cache_hit_tokens": 18446744073709551615})",
      R"({"new_field": {"nested": [1, {"x": null}]}, "status": "queued"})",
      "\xEF\xBB\xBF {\"id\" : \"bom and spaces\" } \n",
      R"({"id": "esc\u00e9\n\"q\""})",
  };
  for (const char* body : bodies) {
    SCOPED_TRACE(body);
    respan::RequestLogCreated direct;
    ASSERT_TRUE(respan::detail::decode_text(body, direct));
    const auto general = respan::detail::parse_json_bounded(body);
    ASSERT_EQ(general.status, respan::detail::JsonParseStatus::ok);
    const auto expected = general.value.get<respan::RequestLogCreated>();
    EXPECT_EQ(Json(direct), Json(expected));
    EXPECT_EQ(direct.unique_id, expected.unique_id);
    EXPECT_EQ(direct.extra, expected.extra);
  }
}

TEST(DecodeText, DeclinesWhatTheGeneralPathMustReport) {
  std::string deep = R"({"x":)";
  for (int i = 0; i < 200; ++i)
    deep += "[";
  const char* bodies[] = {
      "",
      "[]",
      "null",
      "\"text\"",
      "{",
      R"({"id": "a",})",
      R"({"id": "a"} trailing)",
      R"({"id": "a", "id": "b"})",  // duplicate names: the general parser keeps the last
  };
  for (const char* body : bodies) {
    respan::RequestLogCreated out;
    EXPECT_FALSE(respan::detail::decode_text(body, out)) << body;
  }
  respan::RequestLogCreated out;
  EXPECT_FALSE(respan::detail::decode_text(deep, out));
}
