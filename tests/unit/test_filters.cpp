// The filter builder's wire format.
#include <gtest/gtest.h>

#include <respan/filters.hpp>

using respan::FilterOperator;
using respan::Filters;
using respan::Json;

namespace {

TEST(Filters, EveryOperatorHasItsDocumentedSpelling) {
  const std::pair<FilterOperator, const char*> cases[] = {
      {FilterOperator::equals, ""},
      {FilterOperator::not_equal, "not"},
      {FilterOperator::iexact, "iexact"},
      {FilterOperator::lt, "lt"},
      {FilterOperator::lte, "lte"},
      {FilterOperator::gt, "gt"},
      {FilterOperator::gte, "gte"},
      {FilterOperator::contains, "contains"},
      {FilterOperator::icontains, "icontains"},
      {FilterOperator::startswith, "startswith"},
      {FilterOperator::endswith, "endswith"},
      {FilterOperator::in, "in"},
      {FilterOperator::isnull, "isnull"}};
  for (const auto& [op, wire] : cases) {
    Filters f;
    f.where("field", op, 1);
    EXPECT_EQ(f.to_json()["field"]["operator"], wire);
  }
}

TEST(Filters, ValuesAreAlwaysArrays) {
  Filters f;
  f.equals("model", "gpt-4o")
      .gte("cost", 0.01)
      .in("status_code", {400, 429})
      .isnull("error_message", false)
      .icontains(Filters::metadata("feature"), "check")
      .lt(Filters::score("ev1"), 3);
  EXPECT_EQ(f.size(), 6u);
  EXPECT_EQ(f.to_json(),
            (Json{{"model", {{"operator", ""}, {"value", {"gpt-4o"}}}},
                  {"cost", {{"operator", "gte"}, {"value", {0.01}}}},
                  {"status_code", {{"operator", "in"}, {"value", {400, 429}}}},
                  {"error_message", {{"operator", "isnull"}, {"value", {false}}}},
                  {"metadata__feature", {{"operator", "icontains"}, {"value", {"check"}}}},
                  {"scores__ev1", {{"operator", "lt"}, {"value", {3}}}}}));
}

TEST(Filters, SameFieldReplacesAndRawOperatorsPassThrough) {
  Filters f;
  f.equals("model", "a").not_equal("model", "b");
  EXPECT_EQ(f.to_json()["model"], (Json{{"operator", "not"}, {"value", {"b"}}}));
  f.where_raw("span_name", "regex", "^a.*");
  EXPECT_EQ(f.to_json()["span_name"], (Json{{"operator", "regex"}, {"value", {"^a.*"}}}));
  f.remove("model");
  EXPECT_EQ(f.size(), 1u);
  EXPECT_FALSE(f.empty());
  EXPECT_TRUE(Filters().empty());
  EXPECT_EQ(Json(Filters()), Json::object());
}

TEST(Filters, RoundTripsThroughJson) {
  Filters f;
  f.startswith("customer_identifier", "acme-").endswith("model", "-mini");
  EXPECT_EQ(Json(f).get<Filters>(), f);
}

}  // namespace
