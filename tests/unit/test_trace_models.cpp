// JSON decoding and encoding of the trace models (REFERENCE §7.8).
#include <gtest/gtest.h>

#include <respan/models/trace.hpp>

using respan::Json;

namespace {

Json node(const std::string& id, Json children = Json::array()) {
  return {{"span_unique_id", id},
          {"trace_unique_id", "t1"},
          {"span_name", "n-" + id},
          {"model", "gpt-4o"},
          {"children", std::move(children)}};
}

TEST(TraceModels, DecodesATraceWithItsSpanTree) {
  const Json j = {
      {"id", 42},
      {"trace_unique_id", "t1"},
      {"root_span_unique_id", "r"},
      {"unique_organization_id", "org_x"},
      {"organization_id", 7},
      {"start_time", "2026-01-01T00:00:00Z"},
      {"end_time", "2026-01-01T00:00:03Z"},
      {"duration", 3},
      {"span_count", 3},
      {"llm_call_count", 1},
      {"total_cost", 0.25},
      {"total_tokens", 20},
      {"error_count", 0},
      {"name", "root"},
      {"input", "{\"q\": 1}"},
      {"output", "done"},
      {"metadata", {{"k", "v"}}},
      {"future_field", true},
      {"span_tree",
       Json::array({node("r", Json::array({node("c1", Json::array({node("g")})), node("c2")}))})}};
  const auto t = j.get<respan::TraceRecord>();
  EXPECT_EQ(t.trace_unique_id, "t1");
  EXPECT_EQ(t.id, "42");  // integer ids are kept as text
  EXPECT_EQ(t.organization_id, "7");
  EXPECT_EQ(t.unique_organization_id, "org_x");
  EXPECT_EQ(t.duration, 3.0);
  EXPECT_EQ(t.span_count, 3);
  EXPECT_EQ(t.total_cost, 0.25);
  EXPECT_EQ(t.input, "{\"q\": 1}");
  EXPECT_EQ(t.metadata, Json({{"k", "v"}}));
  EXPECT_EQ(t.extra, Json({{"future_field", true}}));
  ASSERT_TRUE(t.span_tree.has_value());
  ASSERT_EQ(t.span_tree->size(), 1u);
  const auto& root = t.span_tree->front();
  EXPECT_EQ(root.span_unique_id, "r");
  EXPECT_EQ(root.model, "gpt-4o");
  ASSERT_EQ(root.children.size(), 2u);
  EXPECT_EQ(root.children[0].children.at(0).span_unique_id, "g");
  EXPECT_TRUE(root.extra.empty()) << root.extra.dump();
  // Round trip: what was understood is sent back as it came.
  EXPECT_EQ(Json(t)["span_tree"][0]["children"][0]["children"][0]["span_unique_id"], "g");
  EXPECT_EQ(Json(t).get<respan::TraceRecord>().span_tree->front().children.size(), 2u);
}

TEST(TraceModels, ListRowsHaveNoTreeAndMismatchedTypesLandInExtra) {
  const Json j = {{"trace_unique_id", "t1"},
                  {"span_count", "three"},
                  {"total_tokens", 1.5},
                  {"input", Json{{"q", 1}}},
                  {"span_tree", nullptr}};
  const auto t = j.get<respan::TraceRecord>();
  EXPECT_FALSE(t.span_tree.has_value());
  EXPECT_FALSE(t.span_count.has_value());
  EXPECT_FALSE(t.total_tokens.has_value());
  EXPECT_FALSE(t.input.has_value());
  EXPECT_EQ(t.extra, Json({{"span_count", "three"}, {"total_tokens", 1.5}, {"input", {{"q", 1}}}}));
}

TEST(TraceModels, AnUndecodableNodeKeepsTheRawTree) {
  const Json tree = Json::array({node("r", Json::array({node("ok"), 5})), "not a node"});
  const auto t = Json{{"trace_unique_id", "t1"}, {"span_tree", tree}}.get<respan::TraceRecord>();
  ASSERT_TRUE(t.span_tree.has_value());
  ASSERT_EQ(t.span_tree->size(), 1u);  // the string is not a node
  EXPECT_EQ(t.extra["span_tree"], tree);
  const auto& root = t.span_tree->front();
  ASSERT_EQ(root.children.size(), 1u);
  EXPECT_EQ(root.extra["children"], Json::array({node("ok"), 5}));
}

TEST(TraceModels, ShareAndBulkDeleteResults) {
  const auto s =
      Json{{"trace_unique_id", "t1"}, {"is_public", true}}.get<respan::ShareTraceResult>();
  EXPECT_EQ(s.trace_unique_id, "t1");
  EXPECT_EQ(s.is_public, true);
  EXPECT_TRUE(s.extra.empty());

  const auto b =
      Json{{"deleted_count", 3}, {"message", "ok"}}.get<respan::BulkDeleteTracesResult>();
  EXPECT_EQ(b.deleted_count, 3);
  EXPECT_EQ(b.message, "ok");
  const auto neg = Json{{"deleted_count", -1}}.get<respan::BulkDeleteTracesResult>();
  EXPECT_FALSE(neg.deleted_count.has_value());
  EXPECT_EQ(neg.extra, Json({{"deleted_count", -1}}));
}

}  // namespace
