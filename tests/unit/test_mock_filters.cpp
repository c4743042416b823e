// Pure logic of the mock server: ISO 8601 handling, the filter grammar and sort ordering.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "testing/mock_filters.hpp"

namespace {

using respan::testing::detail::compare_for_sort;
using respan::testing::detail::compile_filters;
using respan::testing::detail::FilterError;
using respan::testing::detail::format_iso8601;
using respan::testing::detail::Json;
using respan::testing::detail::lookup_field;
using respan::testing::detail::matches_filters;
using respan::testing::detail::parse_iso8601;
using respan::testing::detail::parse_sort_by;
using respan::testing::detail::values_equal;

bool match(const Json& row, const Json& filters) {
  return matches_filters(row, compile_filters(filters));
}

Json cond(const std::string& op, const Json& value) {
  return {{"operator", op}, {"value", value}};
}

const Json kRow = {
    {"model", "gpt-4o-mini"},
    {"status_code", 200},
    {"cost", 0.0125},
    {"customer_identifier", "Alice@example.com"},
    {"timestamp", "2025-07-01T12:00:00.250000Z"},
    {"metadata", {{"user_id", "u-42"}, {"tier", 3}, {"beta", true}}},
    {"scores", {{"ev1", {{"evaluator_id", "ev1"}, {"score_value", 4.0}}}}},
    {"tags", {"red", "Blue"}},
    {"error_message", nullptr},
    {"note", ""},
    {"total_request_tokens", 30},
};

TEST(MockTime, ParsesIso8601Variants) {
  const auto base = parse_iso8601("2025-07-01T00:00:00Z");
  ASSERT_TRUE(base.has_value());
  EXPECT_EQ(*base, 1751328000LL * 1000000LL);
  EXPECT_EQ(parse_iso8601("2025-07-01"), base);
  EXPECT_EQ(parse_iso8601("2025-07-01T00:00"), base);
  EXPECT_EQ(parse_iso8601("2025-07-01 00:00:00"), base);
  EXPECT_EQ(parse_iso8601("2025-07-01T02:00:00+02:00"), base);
  EXPECT_EQ(parse_iso8601("2025-06-30T19:00:00-0500"), base);
  EXPECT_EQ(*parse_iso8601("2025-07-01T00:00:00.5Z") - *base, 500000);
  EXPECT_EQ(*parse_iso8601("2025-07-01T00:00:00.123456789Z") - *base, 123456);
  EXPECT_EQ(*parse_iso8601("1969-12-31T23:59:59Z"), -1000000);
}

TEST(MockTime, RejectsMalformedTimes) {
  for (const char* bad :
       {"", "2025", "2025-13-01", "2025-02-30", "2025-07-01T25:00:00Z", "2025-07-01T00:00:00Q",
        "2025-07-01T00:00:00Zjunk", "yesterday", "2025-07-01T00:00:00.Z", "200"}) {
    EXPECT_FALSE(parse_iso8601(bad).has_value()) << bad;
  }
  EXPECT_TRUE(parse_iso8601("2024-02-29T00:00:00Z").has_value());
}

TEST(MockTime, FormatsWithMicrosecondsAndRoundTrips) {
  EXPECT_EQ(format_iso8601(1751328000LL * 1000000LL + 42), "2025-07-01T00:00:00.000042Z");
  EXPECT_EQ(format_iso8601(-1), "1969-12-31T23:59:59.999999Z");
  const std::int64_t t = 1700000000123456LL;
  EXPECT_EQ(parse_iso8601(format_iso8601(t)), t);
}

TEST(MockFilters, EqualityAliasesAndNumericStrings) {
  for (const char* op : {"", "=", "==", "eq", "equals"}) {
    EXPECT_TRUE(match(kRow, {{"status_code", cond(op, 200)}})) << op;
    EXPECT_TRUE(match(kRow, {{"status_code", cond(op, "200")}})) << op;
    EXPECT_TRUE(match(kRow, {{"status_code", cond(op, {"404", 200})}})) << op;
    EXPECT_FALSE(match(kRow, {{"status_code", cond(op, {500})}})) << op;
  }
  EXPECT_TRUE(match(kRow, {{"model", {{"value", "gpt-4o-mini"}}}}));  // operator omitted
  EXPECT_TRUE(match(kRow, {{"metadata__beta", cond("", "true")}}));
  EXPECT_FALSE(match(kRow, {{"model", cond("", "GPT-4O-MINI")}}));
  EXPECT_TRUE(match(kRow, {{"model", cond("iexact", "GPT-4O-MINI")}}));
  EXPECT_TRUE(match(kRow, {{"timestamp", cond("", "2025-07-01T14:00:00.25+02:00")}}));
}

TEST(MockFilters, OrderingOperators) {
  EXPECT_TRUE(match(kRow, {{"cost", cond("gt", 0.01)}}));
  EXPECT_TRUE(match(kRow, {{"cost", cond("lt", "0.02")}}));
  EXPECT_TRUE(match(kRow, {{"status_code", cond("gte", 200)}}));
  EXPECT_TRUE(match(kRow, {{"status_code", cond("lte", {200})}}));
  EXPECT_FALSE(match(kRow, {{"status_code", cond("lt", 200)}}));
  // Timestamps compare as instants, not as text ("...00Z" > "...00.25Z" lexicographically).
  EXPECT_TRUE(match(kRow, {{"timestamp", cond("gte", "2025-07-01T12:00:00Z")}}));
  EXPECT_TRUE(match(kRow, {{"timestamp", cond("lt", "2025-07-01T12:00:01Z")}}));
  EXPECT_FALSE(match(kRow, {{"timestamp", cond("gt", "2025-07-02")}}));
  // Plain strings compare lexicographically; a missing field never matches.
  EXPECT_TRUE(match(kRow, {{"model", cond("gt", "gpt-3")}}));
  EXPECT_FALSE(match(kRow, {{"latency", cond("gt", 0)}}));
}

TEST(MockFilters, StringOperators) {
  EXPECT_TRUE(match(kRow, {{"model", cond("contains", "4o")}}));
  EXPECT_FALSE(match(kRow, {{"model", cond("contains", "4O")}}));
  EXPECT_TRUE(match(kRow, {{"model", cond("icontains", "4O-MINI")}}));
  EXPECT_TRUE(match(kRow, {{"model", cond("startswith", "gpt-")}}));
  EXPECT_TRUE(match(kRow, {{"model", cond("endswith", {"x", "mini"})}}));
  EXPECT_FALSE(match(kRow, {{"model", cond("endswith", "gpt")}}));
  EXPECT_FALSE(match(kRow, {{"customer_identifier", cond("regex", "^[a-z]+@example\\.com$")}}));
  EXPECT_TRUE(match(kRow, {{"customer_identifier", cond("regex", "@example\\.com$")}}));
  EXPECT_TRUE(match(kRow, {{"metadata__tier", cond("contains", "3")}}));
  // List fields: contains means "has an element".
  EXPECT_TRUE(match(kRow, {{"tags", cond("contains", "red")}}));
  EXPECT_FALSE(match(kRow, {{"tags", cond("contains", "blue")}}));
  EXPECT_TRUE(match(kRow, {{"tags", cond("icontains", "blue")}}));
}

TEST(MockFilters, InNotIsNullEmpty) {
  EXPECT_TRUE(match(kRow, {{"model", cond("in", {"a", "gpt-4o-mini"})}}));
  EXPECT_FALSE(match(kRow, {{"model", cond("in", {"a", "b"})}}));
  EXPECT_TRUE(match(kRow, {{"model", cond("in", "gpt-4o-mini")}}));  // scalar accepted
  EXPECT_TRUE(match(kRow, {{"model", cond("not", "gpt-4o")}}));
  EXPECT_FALSE(match(kRow, {{"model", cond("not", {"x", "gpt-4o-mini"})}}));
  EXPECT_TRUE(match(kRow, {{"latency", cond("not", 1)}}));  // missing != 1
  EXPECT_TRUE(match(kRow, {{"latency", cond("isnull", {true})}}));
  EXPECT_TRUE(match(kRow, {{"error_message", cond("isnull", {true})}}));
  EXPECT_FALSE(match(kRow, {{"model", cond("isnull", {true})}}));
  EXPECT_TRUE(match(kRow, {{"model", cond("isnull", {false})}}));
  EXPECT_TRUE(match(kRow, {{"model", {{"operator", "isnull"}, {"value", false}}}}));
  EXPECT_TRUE(match(kRow, {{"note", {{"operator", "empty"}}}}));
  EXPECT_TRUE(match(kRow, {{"latency", {{"operator", "empty"}}}}));
  EXPECT_TRUE(match(kRow, {{"model", {{"operator", "not_empty"}}}}));
  EXPECT_TRUE(match(kRow, {{"model", {{"operator", "notEmpty"}}}}));
}

TEST(MockFilters, FieldLookupMetadataScoresAndAliases) {
  EXPECT_TRUE(match(kRow, {{"metadata__user_id", cond("", "u-42")}}));
  EXPECT_TRUE(match(kRow, {{"metadata__tier", cond("gte", 3)}}));
  EXPECT_FALSE(match(kRow, {{"metadata__missing", cond("", "x")}}));
  EXPECT_TRUE(match(kRow, {{"scores__ev1", cond("gt", 3.5)}}));
  EXPECT_TRUE(match(kRow, {{"scores__ev2", cond("isnull", {true})}}));
  EXPECT_TRUE(match(kRow, {{"total_tokens", cond("", 30)}}));
  // Dotted names are plain top-level names.
  EXPECT_EQ(lookup_field(kRow, "metadata.user_id"), nullptr);
}

TEST(MockFilters, ConditionsAreAnded) {
  EXPECT_TRUE(match(kRow, {{"model", cond("startswith", "gpt")}, {"cost", cond("lt", 1)}}));
  EXPECT_FALSE(match(kRow, {{"model", cond("startswith", "gpt")}, {"cost", cond("gt", 1)}}));
  // A field may carry a list of conditions (a range).
  EXPECT_TRUE(match(kRow, {{"cost", Json::array({cond("gt", 0.01), cond("lt", 0.02)})}}));
  EXPECT_FALSE(match(kRow, {{"cost", Json::array({cond("gt", 0.01), cond("lt", 0.012)})}}));
  EXPECT_TRUE(match(kRow, Json::object()));
  EXPECT_TRUE(match(kRow, Json()));
}

TEST(MockFilters, RejectsMalformedFilters) {
  auto error_of = [](const Json& filters) -> std::string {
    try {
      compile_filters(filters);
    } catch (const FilterError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(error_of({{"model", cond("like", "x")}}), "Unsupported filter operator: like");
  EXPECT_NE(error_of(Json::array()), "");
  EXPECT_NE(error_of({{"model", "gpt-4o"}}), "");
  EXPECT_NE(error_of({{"model", {{"operator", "eq"}}}}), "");  // value required
  EXPECT_NE(error_of({{"model", cond("regex", "(")}}), "");
  EXPECT_NE(error_of({{"model", {{"operator", "eq"}, {"value", 1}, {"connector", "OR"}}}}), "");
  EXPECT_EQ(error_of({{"model", {{"operator", "eq"}, {"value", 1}, {"connector", "AND"}}}}), "");
}

TEST(MockFilters, ValuesEqualEdgeCases) {
  EXPECT_TRUE(values_equal(Json(), Json()));
  EXPECT_FALSE(values_equal(Json(), Json("")));
  EXPECT_TRUE(values_equal(Json(1.0), Json(1)));
  EXPECT_FALSE(values_equal(Json("abc"), Json(1)));
  EXPECT_FALSE(values_equal(Json("0x10"), Json(16)));  // only plain decimals are numeric
  EXPECT_TRUE(values_equal(Json({{"a", 1}}), Json({{"a", 1}})));
}

TEST(MockSort, OrdersNumbersStringsAndNulls) {
  const Json one = 1, two = 2.5, a = "a", b = "b", null;
  EXPECT_LT(compare_for_sort(&one, &two), 0);
  EXPECT_GT(compare_for_sort(&b, &a), 0);
  EXPECT_EQ(compare_for_sort(&one, &one), 0);
  EXPECT_GT(compare_for_sort(&null, &one), 0);  // null/missing after values
  EXPECT_GT(compare_for_sort(nullptr, &a), 0);
  EXPECT_EQ(compare_for_sort(nullptr, &null), 0);
  const auto keys = parse_sort_by(" -timestamp, cost ,,+model");
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(keys[0].field, "timestamp");
  EXPECT_TRUE(keys[0].descending);
  EXPECT_EQ(keys[1].field, "cost");
  EXPECT_FALSE(keys[1].descending);
  EXPECT_EQ(keys[2].field, "model");
  EXPECT_FALSE(keys[2].descending);
}

}  // namespace
