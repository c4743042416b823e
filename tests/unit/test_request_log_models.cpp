// JSON encoding and decoding of the request-log (span) models.
#include <chrono>
#include <type_traits>

#include <gtest/gtest.h>

#include <respan/models/request_log.hpp>

using respan::Json;

namespace {

// A span with every field of the create-span document set.
respan::RequestLog full_span() {
  respan::RequestLog s;
  s.model = "gpt-4o";
  s.prompt_messages = std::vector<respan::Message>{
      respan::Message::system("Be brief."),
      respan::Message::user({respan::ContentPart::make_text("What is this?"),
                             respan::ContentPart::make_image_url("https://example.invalid/a.png",
                                                                 std::string("low"))})};
  s.completion_message =
      respan::Message::assistant({respan::ToolCall::make_function("call_1", "lookup", "{}")});
  s.input = respan::SpanIO(std::vector<respan::Message>{respan::Message::user("hi")});
  s.output = respan::SpanIO(respan::Message::assistant("hello"));
  s.log_type = respan::LogType::chat();
  s.prompt_tokens = 12;
  s.completion_tokens = 6;
  s.usage = respan::Usage{};
  s.usage->prompt_tokens = 12;
  s.usage->completion_tokens = 6;
  s.usage->total_tokens = 18;
  s.usage->input_tokens = 12;
  s.usage->output_tokens = 6;
  s.usage->cache_creation_input_tokens = 3;
  s.usage->cache_read_input_tokens = 4;
  s.cost = 0.0123;
  s.latency = 0.84;
  s.time_to_first_token = 0.2;
  s.tokens_per_second = 42.5;
  s.prompt_unit_price = 2.5;
  s.completion_unit_price = 10;
  s.timestamp = respan::Timestamp("2026-11-23T10:00:01Z");
  s.start_time = respan::Timestamp("2026-11-23T10:00:00Z");
  s.temperature = 0.7;
  s.top_p = 0.9;
  s.max_tokens = 256;
  s.frequency_penalty = 0.1;
  s.presence_penalty = -0.1;
  s.stop = respan::Stop(std::vector<std::string>{"END"});
  s.stream = true;
  s.tools = std::vector<respan::ToolDefinition>{respan::ToolDefinition::make_function(
      "lookup", "Look an order up", Json{{"type", "object"}})};
  s.tool_calls = std::vector<respan::ToolCall>{
      respan::ToolCall::make_function("call_1", "lookup", R"({"id":1})")};
  s.tool_choice = respan::ToolChoice::function("lookup");
  s.response_format = Json{{"type", "json_object"}};
  s.status_code = 200;
  s.status = respan::SpanStatus::success();
  s.error_message = "none";
  s.warnings = respan::Warnings::from_json_value(Json{{"w", 1}});
  s.trace_unique_id = "trace-1";
  s.span_name = "answer";
  s.span_parent_id = "span-0";
  s.span_workflow_name = "support";
  s.custom_identifier = "ticket-9";
  s.thread_identifier = "thread-3";
  s.group_identifier = "group-2";
  s.customer_identifier = "customer-42";
  s.customer_params = respan::CustomerParams{};
  s.customer_params->customer_identifier = "customer-42";
  s.customer_params->email = "a@example.invalid";
  s.customer_params->name = "Ann";
  s.metadata = Json{{"feature", "orders"}};
  s.properties = Json{{"n", 1}};
  s.variables = Json{{"name", "Ann"}};
  s.prompt_id = "p1";
  s.prompt_name = "support";
  s.is_custom_prompt = true;
  s.full_request = Json{{"model", "gpt-4o"}};
  s.full_response = Json{{"id", "chatcmpl-1"}};
  s.respan_params = Json{{"cache_enabled", false}};
  s.positive_feedback = false;
  return s;
}

TEST(RequestLogModel, EveryFieldIsEncodedWithItsWireName) {
  const Json j = full_span();
  for (const char* key : {"model",
                          "prompt_messages",
                          "completion_message",
                          "input",
                          "output",
                          "log_type",
                          "prompt_tokens",
                          "completion_tokens",
                          "usage",
                          "cost",
                          "latency",
                          "time_to_first_token",
                          "tokens_per_second",
                          "prompt_unit_price",
                          "completion_unit_price",
                          "timestamp",
                          "start_time",
                          "temperature",
                          "top_p",
                          "max_tokens",
                          "frequency_penalty",
                          "presence_penalty",
                          "stop",
                          "stream",
                          "tools",
                          "tool_calls",
                          "tool_choice",
                          "response_format",
                          "status_code",
                          "status",
                          "error_message",
                          "warnings",
                          "trace_unique_id",
                          "span_name",
                          "span_parent_id",
                          "span_workflow_name",
                          "custom_identifier",
                          "thread_identifier",
                          "group_identifier",
                          "customer_identifier",
                          "customer_params",
                          "metadata",
                          "properties",
                          "variables",
                          "prompt_id",
                          "prompt_name",
                          "is_custom_prompt",
                          "full_request",
                          "full_response",
                          "respan_params",
                          "positive_feedback"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j.size(), 51u);
  EXPECT_EQ(j["prompt_messages"][1]["content"][1],
            (Json{{"type", "image_url"},
                  {"image_url", {{"url", "https://example.invalid/a.png"}, {"detail", "low"}}}}));
  EXPECT_EQ(j["completion_message"],
            (Json{{"role", "assistant"},
                  {"tool_calls",
                   {{{"id", "call_1"},
                     {"type", "function"},
                     {"function", {{"name", "lookup"}, {"arguments", "{}"}}}}}}}));
  EXPECT_EQ(j["tool_choice"], (Json{{"type", "function"}, {"function", {{"name", "lookup"}}}}));
  EXPECT_EQ(j["tools"][0]["function"]["parameters"], (Json{{"type", "object"}}));
  EXPECT_EQ(j["usage"]["cache_read_input_tokens"], 4);
  EXPECT_EQ(j["stop"], (Json{"END"}));
  EXPECT_EQ(j["log_type"], "chat");
  EXPECT_EQ(j["status"], "success");
}

TEST(RequestLogModel, EveryFieldRoundTrips) {
  const respan::RequestLog original = full_span();
  const Json wire = original;
  const auto decoded = wire.get<respan::RequestLog>();
  EXPECT_EQ(Json(decoded), wire);
  EXPECT_TRUE(decoded.extra.empty());
  ASSERT_TRUE(decoded.prompt_messages);
  EXPECT_EQ((*decoded.prompt_messages)[1].text(), "What is this?");
  ASSERT_TRUE(decoded.completion_message);
  ASSERT_TRUE(decoded.completion_message->tool_calls);
  EXPECT_EQ((*decoded.completion_message->tool_calls)[0].function->name, "lookup");
  EXPECT_EQ(decoded.stop->sequences(), std::vector<std::string>{"END"});
  EXPECT_EQ(decoded.customer_params->email, "a@example.invalid");
  EXPECT_EQ(decoded.usage->cache_creation_input_tokens, 3);
  EXPECT_EQ(decoded.timestamp->str(), "2026-11-23T10:00:01Z");
}

TEST(RequestLogModel, UnsetFieldsAreOmitted) {
  respan::RequestLog s;
  s.model = "m";
  EXPECT_EQ(Json(s), (Json{{"model", "m"}}));
  respan::Message m;
  m.role = "assistant";
  EXPECT_EQ(Json(m), (Json{{"role", "assistant"}}));
}

TEST(RequestLogModel, UnionsKeepTheirShape) {
  EXPECT_EQ(Json(respan::SpanIO("text")), "text");
  EXPECT_EQ(Json(respan::SpanIO::from_json_value(Json{{"q", 1}})), (Json{{"q", 1}}));
  EXPECT_EQ(Json(respan::Stop("\n")), "\n");
  EXPECT_EQ(Json(respan::ToolChoice("auto")), "auto");
  EXPECT_EQ(Json(respan::Warnings("careful")), "careful");

  // List endpoints send input/output as JSON strings; parsed() decodes them.
  respan::SpanIO io = Json(R"([{"role":"user","content":"hi"}])").get<respan::SpanIO>();
  EXPECT_TRUE(io.is_string());
  EXPECT_EQ(io.parsed(), (Json::array({{{"role", "user"}, {"content", "hi"}}})));
  EXPECT_EQ(respan::SpanIO("not json").parsed(), "not json");
}

TEST(RequestLogModel, DecodingToleratesNullsUnknownFieldsAndWrongTypes) {
  const Json j = {{"model", "gpt-4o"},
                  {"prompt_tokens", nullptr},
                  {"cost", "cheap"},  // wrong type: kept in extra, not an exception
                  {"brand_new_field", {{"x", 1}}},
                  {"log_type", "quantum"},
                  {"status", "partially_ok"},
                  {"completion_message", {{"role", "assistant"}, {"content", nullptr}}},
                  {"temperature", 1}};
  auto s = j.get<respan::RequestLog>();
  EXPECT_EQ(s.model, "gpt-4o");
  EXPECT_FALSE(s.prompt_tokens);
  EXPECT_FALSE(s.cost);
  EXPECT_EQ(s.extra.at("cost"), "cheap");
  EXPECT_EQ(s.extra.at("brand_new_field"), (Json{{"x", 1}}));
  ASSERT_TRUE(s.log_type);
  EXPECT_EQ(s.log_type->value(), "quantum");
  EXPECT_FALSE(s.log_type->is_known());
  EXPECT_TRUE(respan::LogType::agent().is_known());
  EXPECT_EQ(s.status->value(), "partially_ok");
  ASSERT_TRUE(s.completion_message);
  EXPECT_FALSE(s.completion_message->content);
  EXPECT_DOUBLE_EQ(s.temperature.value_or(0), 1.0);  // integer accepted for a double
  // Unknown fields go back out unchanged.
  EXPECT_EQ(Json(s).at("brand_new_field"), (Json{{"x", 1}}));
}

TEST(RequestLogModel, IntegersAreNotSilentlyTruncated) {
  auto s =
      Json{{"model", "m"}, {"prompt_tokens", 1.5}, {"max_tokens", 7.0}}.get<respan::RequestLog>();
  EXPECT_FALSE(s.prompt_tokens);
  EXPECT_EQ(s.extra.at("prompt_tokens"), 1.5);
  EXPECT_EQ(s.max_tokens, 7);
}

TEST(RequestLogModel, RecordAcceptsGenerationTimeAndTtftAliases) {
  auto r = Json{{"unique_id", "u1"}, {"model", "m"}, {"generation_time", 1.25}, {"ttft", 0.5}}
               .get<respan::RequestLogRecord>();
  EXPECT_DOUBLE_EQ(r.latency.value_or(0).count(), 1.25);
  EXPECT_DOUBLE_EQ(r.time_to_first_token.value_or(0).count(), 0.5);
  EXPECT_TRUE(r.extra.empty()) << r.extra.dump();
  auto c = Json{{"id", "u2"}, {"generation_time", 2.0}}.get<respan::RequestLogCreated>();
  EXPECT_DOUBLE_EQ(c.latency.value_or(0).count(), 2.0);
  EXPECT_EQ(c.unique_id, "u2");  // id is an alias of unique_id
}

TEST(RequestLogModel, RecordDecodesServiceFields) {
  const Json j = {
      {"id", 17},
      {"unique_id", "abc"},
      {"organization_id", "org"},
      {"environment", "prod"},
      {"model", "gpt-4o"},
      {"total_request_tokens", 18},
      {"is_pinned", true},
      {"note", "n"},
      {"scores", {{"ev1", {{"score_value", 0.5}}}}},
      {"limit_info",
       {{"is_allowed", true}, {"limits", {{{"name", "org_credits"}, {"is_within_limit", true}}}}}}};
  auto r = j.get<respan::RequestLogRecord>();
  EXPECT_EQ(r.id, "17");  // integer ids accepted
  EXPECT_EQ(r.unique_id, "abc");
  EXPECT_EQ(r.environment, "prod");
  EXPECT_EQ(r.total_request_tokens, 18);
  EXPECT_EQ(r.is_pinned, true);
  ASSERT_TRUE(r.limit_info);
  ASSERT_EQ(r.limit_info->limits.size(), 1u);
  EXPECT_EQ(r.limit_info->limits[0].name, "org_credits");
  EXPECT_EQ((*r.scores)["ev1"]["score_value"], 0.5);
  EXPECT_TRUE(r.extra.empty());
}

TEST(RequestLogModel, CreatedSpanHasEveryDocumentedField) {
  const Json j = {{"id", "u"},
                  {"unique_id", "u"},
                  {"organization_id", "o"},
                  {"customer_identifier", "c"},
                  {"status", "success"},
                  {"cost", 0.1},
                  {"timestamp", "2026-01-01T00:00:00Z"},
                  {"environment", "test"},
                  {"latency", 1.0},
                  {"time_to_first_token", 0.1},
                  {"prompt_cache_creation_tokens", 5},
                  {"prompt_cache_hit_tokens", 7}};
  auto c = j.get<respan::RequestLogCreated>();
  EXPECT_EQ(Json(c), j);
  EXPECT_TRUE(c.extra.empty());
}

TEST(RequestLogModel, UpdateSendsOnlySetFieldsAndExplicitNull) {
  respan::RequestLogUpdate u;
  EXPECT_EQ(Json(u), Json::object());
  u.note = "x";
  EXPECT_EQ(Json(u), (Json{{"note", "x"}}));
  u.positive_feedback.clear();
  EXPECT_EQ(Json(u), (Json{{"note", "x"}, {"positive_feedback", nullptr}}));
  u.positive_feedback = true;  // setting a value wins over the earlier clear
  EXPECT_EQ(Json(u)["positive_feedback"], true);
  u.positive_feedback.reset();  // back to unset: omitted
  EXPECT_EQ(Json(u), (Json{{"note", "x"}}));
}

TEST(Clearable, ThreeStates) {
  respan::Clearable<bool> c;
  EXPECT_FALSE(c.has_value());
  EXPECT_FALSE(c.is_cleared());
  EXPECT_THROW((void)c.value(), std::bad_optional_access);
  c = false;
  EXPECT_TRUE(c.has_value());
  EXPECT_FALSE(c.value());
  c.clear();
  EXPECT_FALSE(c.has_value());
  EXPECT_TRUE(c.is_cleared());
  c = true;
  EXPECT_TRUE(c.has_value());
  EXPECT_FALSE(c.is_cleared());
  c.reset();
  EXPECT_EQ(c, respan::Clearable<bool>{});
  EXPECT_NE(c, respan::Clearable<bool>(true));
}

// A span read back is not a span to send: create(const RequestLog&) must not accept a record.
static_assert(!std::is_convertible_v<const respan::RequestLogRecord&, const respan::RequestLog&>);
static_assert(!std::is_constructible_v<respan::RequestLog, const respan::RequestLogRecord&>);
static_assert(!std::is_convertible_v<const respan::RequestLog&, const respan::RequestLogRecord&>);

TEST(RequestLogModel, RecordIsNotARequestLogButCanBeCopiedExplicitly) {
  EXPECT_FALSE((std::is_convertible_v<const respan::RequestLogRecord&, const respan::RequestLog&>));
  EXPECT_FALSE((std::is_base_of_v<respan::RequestLog, respan::RequestLogRecord>));
  const auto rec = Json{{"unique_id", "u1"},  {"id", "u1"},     {"environment", "prod"},
                        {"model", "gpt-4o"},  {"latency", 0.5}, {"metadata", {{"k", 1}}},
                        {"server_only", true}}
                       .get<respan::RequestLogRecord>();
  const respan::RequestLog again = respan::RequestLog::from_record(rec);
  EXPECT_EQ(Json(again), (Json{{"model", "gpt-4o"}, {"latency", 0.5}, {"metadata", {{"k", 1}}}}));
  EXPECT_EQ(Json(respan::RequestLog("m")), (Json{{"model", "m"}}));
}

TEST(RequestLogModel, OwnIdsAreStringsOtherIdsOptional) {
  EXPECT_TRUE((std::is_same_v<decltype(respan::RequestLogRecord::unique_id), std::string>));
  EXPECT_TRUE((std::is_same_v<decltype(respan::RequestLogCreated::unique_id), std::string>));
  EXPECT_TRUE((std::is_same_v<decltype(respan::RequestLogRecord::id), std::optional<std::string>>));
  const auto rec = Json{{"id", 17}, {"trace_unique_id", 5}}.get<respan::RequestLogRecord>();
  EXPECT_EQ(rec.unique_id, "17");  // the alias fills the identity
  EXPECT_EQ(rec.trace_unique_id, "5");
  EXPECT_EQ(Json::object().get<respan::RequestLogCreated>().unique_id, "");
}

TEST(RequestLogModel, SummaryDecodesScores) {
  const Json j = {
      {"number_of_requests", 3},
      {"total_cost", 1.5},
      {"total_tokens", 54},
      {"total_prompt_tokens", 36},
      {"total_completion_tokens", 18},
      {"avg_latency", 0.8},
      {"avg_tps", 10.0},
      {"avg_ttft", 0.1},
      {"scores",
       {{"ev1",
         {{"evaluator_id", "ev1"}, {"score_value_type", "numerical"}, {"avg_score", 4.5}}}}}};
  auto s = j.get<respan::RequestLogSummary>();
  EXPECT_EQ(s.number_of_requests, 3);
  EXPECT_DOUBLE_EQ(s.avg_tps, 10.0);
  ASSERT_EQ(s.scores.count("ev1"), 1u);
  EXPECT_DOUBLE_EQ(s.scores["ev1"].avg_score.value_or(0), 4.5);
  EXPECT_EQ(Json(s), j);
}

TEST(Timestamp, FormatsAndParses) {
  using namespace std::chrono;
  const system_clock::time_point tp = system_clock::time_point(seconds(1767225600)) +
                                      microseconds(123456);  // 2026-01-01T00:00:00.123456Z
  respan::Timestamp t(tp);
  EXPECT_EQ(t.str(), "2026-01-01T00:00:00.123456Z");
  ASSERT_TRUE(t.to_time_point());
  EXPECT_EQ(duration_cast<microseconds>(*t.to_time_point() - tp).count(), 0);
  EXPECT_EQ(respan::Timestamp("2026-01-01T01:00:00+01:00").to_time_point(),
            system_clock::time_point(seconds(1767225600)));
  EXPECT_EQ(respan::Timestamp("2026-01-01").to_time_point(),
            system_clock::time_point(seconds(1767225600)));
  EXPECT_FALSE(respan::Timestamp("yesterday").valid());
  EXPECT_FALSE(respan::Timestamp("2026-13-01T00:00:00Z").valid());
  EXPECT_TRUE(respan::Timestamp::now().valid());
}

TEST(BulkResultModel, DecodesCountsAndRowErrorsTolerantly) {
  auto b = Json{
      {"success_count", 2},
      {"error_count", 1},
      {"errors", {{{"index", "3"}, {"error", {{"model", "required"}}}}}},
      {"total_errors",
       1}}.get<respan::BulkResult>();
  EXPECT_EQ(b.success_count, 2);
  ASSERT_EQ(b.errors.size(), 1u);
  EXPECT_EQ(b.errors[0].index, 3);
  EXPECT_EQ(b.errors[0].error, R"({"model":"required"})");
  auto only_errors = Json{{"errors", {"row 0 broken"}}}.get<respan::BulkResult>();
  EXPECT_EQ(only_errors.error_count, 1);
  EXPECT_EQ(only_errors.errors[0].index, -1);
}

TEST(PageModel, DecodesEnvelopeAndKeepsExtras) {
  auto p = Json{{"count", 3},          {"next", "http://x/?page=2"},
                {"previous", nullptr}, {"results", {{{"model", "a"}}, {{"model", "b"}}}},
                {"total_count", 3},    {"filters_data", {{"x", 1}}},
                {"unexpected", true}}
               .get<respan::Page<respan::RequestLogRecord>>();
  EXPECT_EQ(p.count, 3);
  EXPECT_TRUE(p.has_next());
  EXPECT_FALSE(p.previous);
  ASSERT_EQ(p.results.size(), 2u);
  EXPECT_EQ(p.results[1].model, "b");
  EXPECT_EQ(p.filters_data, (Json{{"x", 1}}));
  EXPECT_EQ(p.extra.at("unexpected"), true);
}

}  // namespace
