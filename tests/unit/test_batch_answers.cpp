// The one decoder of batch answers (src/batch/answers.hpp): what a 2xx answer proves about
// each row, for the request-log/dataset-log bulk endpoints, trace ingest and OTLP. The rules
// are the README's "What the server's answer proves" table.
#include <string>

#include <gtest/gtest.h>

#include "batch/answers.hpp"

namespace {

using respan::detail::AnswerShape;
using respan::detail::read_answer;
using respan::detail::RowVerdicts;
using State = RowVerdicts::State;

RowVerdicts bulk(const std::string& body, std::size_t rows) {
  RowVerdicts v = read_answer(AnswerShape::bulk, body, rows);
  EXPECT_EQ(v.state.size(), rows);
  EXPECT_EQ(v.delivered + v.rejected + v.unconfirmed, rows) << body;
  return v;
}

TEST(BulkAnswer, CountsWithoutRowListRejectEverythingWhenNothingSucceeded) {
  RowVerdicts v = bulk(R"({"success_count": 0, "error_count": 50})", 50);
  EXPECT_EQ(v.delivered, 0u);
  EXPECT_EQ(v.rejected, 50u);
}

TEST(BulkAnswer, ErrorsThatAllNameOneRowNeverDeliverTheOthers) {
  std::string errors;
  for (int i = 0; i < 50; ++i)
    errors += std::string(i ? "," : "") + R"({"index": 0, "error": "bad row"})";
  RowVerdicts v =
      bulk(R"({"success_count": 0, "error_count": 50, "errors": [)" + errors + "]}", 50);
  EXPECT_EQ(v.delivered, 0u);
  EXPECT_EQ(v.rejected, 50u);
  EXPECT_EQ(v.message[0], "bad row");
  // Without a success_count, only row 0 is known: the others are unconfirmed.
  v = bulk(R"({"errors": [)" + errors + "]}", 50);
  EXPECT_EQ(v.delivered, 0u);
  EXPECT_EQ(v.rejected, 1u);
  EXPECT_EQ(v.unconfirmed, 49u);
}

TEST(BulkAnswer, AnswersThatConfirmNothingDeliverNothing) {
  for (const std::string& body :
       {std::string("<html><body>502 Bad Gateway</body></html>"), std::string(""),
        std::string("null"), std::string("[]"), std::string("\"ok\""), std::string("{}"),
        std::string(R"({"success_count": -3})"), std::string(R"({"success_count": "3"})"),
        std::string(R"({"success_count": 0})"), std::string(R"({"success_count": 1.5})"),
        std::string(R"({"success_count": 99999999999999999999999})"),
        std::string(R"({"success_count": 2})"), std::string(R"({"success_count": 4})"),
        std::string(R"({"success_count": 3, "error_count": 1})"),
        std::string(R"({"success_count": 3, "errors": {"index": 0}})"),
        std::string(R"({"success_count": 3, "error_count": "x"})")}) {
    RowVerdicts v = bulk(body, 3);
    EXPECT_EQ(v.delivered, 0u) << body;
    EXPECT_EQ(v.rejected, 0u) << body;
    EXPECT_EQ(v.unconfirmed, 3u) << body;
    EXPECT_FALSE(v.message[0].empty()) << body;
  }
}

TEST(BulkAnswer, ConsistentAnswersSettleEveryRow) {
  RowVerdicts v = bulk(R"({"success_count": 3, "error_count": 0, "errors": []})", 3);
  EXPECT_EQ(v.delivered, 3u);
  v = bulk(R"({"success_count": 2, "error_count": 1,
               "errors": [{"index": "1", "error": "model: required"}]})",
           3);
  EXPECT_EQ(v.delivered, 2u);
  EXPECT_EQ(v.state[1], State::rejected);
  EXPECT_EQ(v.message[1], "model: required");
  EXPECT_EQ(v.state[0], State::delivered);
  // An error count matching the list; total_errors when error_count is absent.
  v = bulk(R"({"success_count": 1, "total_errors": 1, "errors": [{"index": 0}]})", 2);
  EXPECT_EQ(v.delivered, 1u);
  EXPECT_EQ(v.state[0], State::rejected);
  EXPECT_EQ(v.message[0], "rejected by the server (no reason given)");
}

TEST(BulkAnswer, UnnamedRejectionsAmongSuccessesLeaveTheUnnamedRowsUnconfirmed) {
  // 1 of the 3 unnamed rows was rejected, but which one? None of them counts delivered.
  RowVerdicts v = bulk(R"({"success_count": 2, "error_count": 2, "errors": [{"index": 3}]})", 4);
  EXPECT_EQ(v.state[3], State::rejected);
  EXPECT_EQ(v.unconfirmed, 3u);
  EXPECT_EQ(v.delivered, 0u);
  // Indices outside the rows, or not integers, name no row.
  v = bulk(R"({"success_count": 1, "errors": [{"index": 7}, {"index": -1}, {"index": 0.5}]})", 2);
  EXPECT_EQ(v.delivered, 0u);
}

TEST(IngestAnswer, TheDocumentedMessageConfirmsTheBatch) {
  RowVerdicts v = read_answer(AnswerShape::ingest, R"({"message": "Processed 3 spans"})", 3);
  EXPECT_EQ(v.delivered, 3u);
  v = read_answer(AnswerShape::ingest, R"({"message": "ok"})", 3);
  EXPECT_EQ(v.delivered, 3u);
  // Fewer processed than sent, HTML, empty, not an object: nothing confirmed.
  for (const char* body :
       {R"({"message": "Processed 2 spans"})", "<html>proxy</html>", "", "[1]"}) {
    v = read_answer(AnswerShape::ingest, body, 3);
    EXPECT_EQ(v.unconfirmed, 3u) << body;
  }
  // A bulk-shaped answer is read by the bulk rules.
  v = read_answer(AnswerShape::ingest, R"({"success_count": 0, "error_count": 3})", 3);
  EXPECT_EQ(v.rejected, 3u);
}

TEST(OtlpAnswer, PartialSuccessCountsRejectedSpansAndRefusesImpossibleCounts) {
  RowVerdicts v = read_answer(
      AnswerShape::otlp, R"({"partialSuccess":{"rejectedSpans":"2","errorMessage":"bad"}})", 5);
  EXPECT_EQ(v.delivered, 3u);
  EXPECT_EQ(v.rejected, 2u);
  EXPECT_FALSE(v.identified);
  EXPECT_NE(v.message[4].find("bad"), std::string::npos);
  v = read_answer(AnswerShape::otlp, R"({"partialSuccess":{}})", 3);
  EXPECT_EQ(v.delivered, 3u);
  v = read_answer(AnswerShape::otlp, "{}", 3);
  EXPECT_EQ(v.delivered, 3u);
  v = read_answer(AnswerShape::otlp, "", 3);  // an empty ExportTraceServiceResponse
  EXPECT_EQ(v.delivered, 3u);
  for (const char* body :
       {R"({"partialSuccess":{"rejectedSpans":9}})",
        R"({"partialSuccess":{"rejectedSpans":"99999999999999999999"}})",
        R"({"partialSuccess":{"rejectedSpans":99999999999999999999}})",
        R"({"partialSuccess":{"rejectedSpans":-1}})", R"({"partialSuccess":{"rejectedSpans":"x"}})",
        R"({"partialSuccess":7})", "<html></html>", "null"}) {
    v = read_answer(AnswerShape::otlp, body, 3);
    EXPECT_EQ(v.unconfirmed, 3u) << body;
    EXPECT_EQ(v.delivered, 0u) << body;
  }
}

TEST(BulkAnswer, SynchronousResultCarriesTheSameVerdicts) {
  const std::string body =
      R"({"success_count": 1, "error_count": 1, "errors": [{"index": 1, "error": "no"}],
          "unique_ids": ["a"], "took_ms": 3})";
  const respan::Json j = respan::Json::parse(body);
  const RowVerdicts v = read_answer(AnswerShape::bulk, &j, false, 2);
  const respan::BulkResult r = respan::detail::to_bulk_result(v, &j);
  EXPECT_EQ(r.success_count, 1);
  EXPECT_EQ(r.error_count, 1);
  EXPECT_EQ(r.unconfirmed_count, 0);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].index, 1);
  EXPECT_EQ(r.unique_ids, std::vector<std::string>{"a"});
  EXPECT_EQ(r.extra.at("took_ms"), 3);
}

}  // namespace
