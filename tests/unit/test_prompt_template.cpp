// The `{{variable}}` rule of prompt_template.hpp: whitespace inside braces, literal braces and
// escapes, repeated variables, value kinds, and missing variables as a typed error.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <respan/prompt_template.hpp>

namespace {

using respan::ErrorCode;
using respan::Json;
using respan::render_template;

std::string render_ok(const std::string& text, const Json& vars) {
  auto r = render_template(text, vars);
  EXPECT_TRUE(r) << text << ": " << (r ? "" : r.error().to_string());
  return r ? *r : std::string("<error>");
}

TEST(PromptTemplate, SubstitutesWithOrWithoutBlanksInsideTheBraces) {
  const Json v = {{"name", "Ada"}};
  EXPECT_EQ(render_ok("Hi {{name}}!", v), "Hi Ada!");
  EXPECT_EQ(render_ok("Hi {{ name }}!", v), "Hi Ada!");
  EXPECT_EQ(render_ok("Hi {{\tname  }}!", v), "Hi Ada!");
  EXPECT_EQ(render_ok("{{name}}", v), "Ada");
  EXPECT_EQ(render_ok("no placeholders", v), "no placeholders");
  EXPECT_EQ(render_ok("", v), "");
}

TEST(PromptTemplate, NamesMayHoldDigitsUnderscoresDashesAndDots) {
  const Json v = {{"user_query", "q"}, {"_x1", "a"}, {"a-b", "b"}, {"doc.title", "c"}};
  EXPECT_EQ(render_ok("{{user_query}} {{_x1}} {{a-b}} {{doc.title}}", v), "q a b c");
}

TEST(PromptTemplate, RepeatedVariablesAreAllReplaced) {
  EXPECT_EQ(render_ok("{{x}}+{{ x }}={{y}}, {{x}}", {{"x", "1"}, {"y", "2"}}), "1+1=2, 1");
}

TEST(PromptTemplate, OtherBracesAreLiteralText) {
  const Json v = {{"x", "X"}};
  EXPECT_EQ(render_ok(R"({"a": {"b": 1}} {{x}})", v), R"({"a": {"b": 1}} X)");
  EXPECT_EQ(render_ok("{{}} {{ }} {{two words}} {{1st}} {x}", v),
            "{{}} {{ }} {{two words}} {{1st}} {x}");
  EXPECT_EQ(render_ok("{{x}", v), "{{x}");
  EXPECT_EQ(render_ok("{{x", v), "{{x");
  EXPECT_EQ(render_ok("{{\nx}}", v), "{{\nx}}");  // no placeholder across lines
  EXPECT_EQ(render_ok("{{{x}}}", v), "{X}");
  EXPECT_EQ(render_ok("}}{{x}}{{", v), "}}X{{");
}

TEST(PromptTemplate, BackslashEscapesADoubleBrace) {
  const Json v = {{"x", "X"}};
  EXPECT_EQ(render_ok(R"(\{{x}} is written as {{x}})", v), "{{x}} is written as X");
  EXPECT_EQ(render_ok(R"(a \ b \{ c)", v), R"(a \ b \{ c)");
  // An escaped brace needs no variable: nothing is missing.
  EXPECT_EQ(render_ok(R"(\{{missing}})", Json::object()), "{{missing}}");
}

TEST(PromptTemplate, ValuesOtherThanStringsAreInsertedAsJsonText) {
  const Json v = {{"n", 42}, {"f", 1.5}, {"b", true}, {"o", {{"k", "v"}}}, {"a", {1, 2}}};
  EXPECT_EQ(render_ok("{{n}} {{f}} {{b}} {{o}} {{a}}", v), R"(42 1.5 true {"k":"v"} [1,2])");
  EXPECT_EQ(render_ok("[{{s}}]", {{"s", ""}}), "[]");  // an explicit empty string is fine
}

TEST(PromptTemplate, InsertedValuesAreNotScannedAgain) {
  EXPECT_EQ(render_ok("{{a}}", {{"a", "{{b}}"}, {"b", "no"}}), "{{b}}");
}

TEST(PromptTemplate, MissingOrNullVariablesAreAnInvalidArgumentNamingThemAll) {
  auto r = render_template("{{a}} {{b}} {{ a }} {{c}}", {{"b", "ok"}, {"c", nullptr}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(r.error().message.find("a, c"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().field_errors.size(), 2u);
  EXPECT_EQ(r.error().field_errors.count("a"), 1u);
  EXPECT_EQ(r.error().field_errors.count("c"), 1u);
  EXPECT_EQ(r.error().attempts, 0);

  auto none = render_template("{{a}}", nullptr);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(render_ok("plain", nullptr), "plain");

  auto not_object = render_template("{{a}}", Json::array({1}));
  ASSERT_FALSE(not_object);
  EXPECT_EQ(not_object.error().code, ErrorCode::invalid_argument);
}

TEST(PromptTemplate, UnusedVariablesAreIgnored) {
  EXPECT_EQ(render_ok("{{a}}", {{"a", "1"}, {"unused", "2"}}), "1");
}

TEST(PromptTemplate, TemplateVariablesListsEachNameOnceInOrder) {
  EXPECT_EQ(respan::template_variables("{{b}} {{ a }} {{b}} \\{{c}} {{not one}}"),
            (std::vector<std::string>{"b", "a"}));
  std::vector<respan::Message> msgs = {
      respan::Message::system("Use {{context}}."),
      respan::Message::user(std::vector<respan::ContentPart>{
          respan::ContentPart::make_text("{{q}} and {{context}}"),
          respan::ContentPart::make_image_url("https://x/{{not_text}}.png")})};
  EXPECT_EQ(respan::template_variables(msgs), (std::vector<std::string>{"context", "q"}));
}

TEST(PromptTemplate, MessagesRenderTextContentAndTextPartsOnly) {
  respan::Message tool = respan::Message::assistant(std::vector<respan::ToolCall>{
      respan::ToolCall::make_function("c1", "f", "{\"a\":\"{{q}}\"}")});
  std::vector<respan::Message> msgs = {
      respan::Message::system("Context: {{context}}"),
      respan::Message::user(std::vector<respan::ContentPart>{
          respan::ContentPart::make_text("Q: {{q}}"),
          respan::ContentPart::make_image_url("https://img/{{q}}.png")}),
      tool};
  auto out = respan::render_messages(msgs, {{"context", "docs"}, {"q", "why"}});
  ASSERT_TRUE(out) << out.error();
  ASSERT_EQ(out->size(), 3u);
  EXPECT_EQ((*out)[0].role, "system");
  EXPECT_EQ((*out)[0].text(), "Context: docs");
  const auto& parts = std::get<std::vector<respan::ContentPart>>(*(*out)[1].content);
  EXPECT_EQ(parts[0].text, "Q: why");
  EXPECT_EQ(parts[1].image_url->at("url"), "https://img/{{q}}.png");
  EXPECT_EQ(Json((*out)[2]), Json(tool));

  auto missing = respan::render_messages(msgs, {{"q", "why"}});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(missing.error().field_errors.count("context"), 1u);
}

TEST(PromptTemplate, RenderUsesDeclaredDefaultsOnlyWhenAsked) {
  respan::PromptVersionRecord v;
  v.messages = std::vector<respan::Message>{respan::Message::user("{{q}} / {{tone}}")};
  v.variables = Json{{"q", ""}, {"tone", "friendly"}};
  auto strict = respan::render(v, {{"q", "hi"}});
  ASSERT_FALSE(strict);
  EXPECT_EQ(strict.error().field_errors.count("tone"), 1u);
  respan::RenderOptions o;
  o.use_declared_defaults = true;
  auto with_defaults = respan::render(v, {{"q", "hi"}}, o);
  ASSERT_TRUE(with_defaults) << with_defaults.error();
  EXPECT_EQ((*with_defaults)[0].text(), "hi / friendly");
  // A given value wins over the default.
  EXPECT_EQ(respan::render(v, {{"q", "hi"}, {"tone", "dry"}}, o).value()[0].text(), "hi / dry");

  respan::PromptVersionRecord empty;
  auto none = respan::render(empty, Json::object());
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::invalid_argument);
}

}  // namespace
