// The privacy controls without a server: the built-in redactors (positives, negatives, Luhn),
// OpenTelemetry's TraceIdRatioBased threshold against the specification's table, and the
// exporter-side steps (content off, the masking hook and its failures, size limits in UTF-8).
#include <cstdint>
#include <new>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <respan/privacy.hpp>
#include <respan/tracing.hpp>

#include "privacy/apply.hpp"

namespace {

using respan::Json;
namespace redact = respan::redact;

TEST(Luhn, KnownNumbers) {
  EXPECT_TRUE(redact::luhn_valid("4111111111111111"));
  EXPECT_TRUE(redact::luhn_valid("79927398713"));
  EXPECT_TRUE(redact::luhn_valid("378282246310005"));  // Amex test number
  EXPECT_TRUE(redact::luhn_valid("5555555555554444"));
  EXPECT_FALSE(redact::luhn_valid("4111111111111112"));
  EXPECT_FALSE(redact::luhn_valid("79927398710"));
  EXPECT_FALSE(redact::luhn_valid(""));
  EXPECT_FALSE(redact::luhn_valid("4111 1111"));
}

TEST(Redact, CardNumbers) {
  const auto r = redact::card_numbers();
  EXPECT_EQ(r("pay with 4111 1111 1111 1111 today"), "pay with [REDACTED_CARD] today");
  EXPECT_EQ(r("4111-1111-1111-1111"), "[REDACTED_CARD]");
  EXPECT_EQ(r("amex 378282246310005."), "amex [REDACTED_CARD].");
  EXPECT_EQ(r("card 4111 1111 1111 1111 2025"), "card [REDACTED_CARD] 2025");
  EXPECT_EQ(r("a=5555555555554444&b=1"), "a=[REDACTED_CARD]&b=1");
  // Negatives: a failing Luhn check, too short, glued to a word, a longer bare number.
  for (const char* keep : {"4111 1111 1111 1112", "order 123456789012", "ID4111111111111111",
                           "41111111111111111111111", "phone 415-555-2671"}) {
    EXPECT_EQ(r(keep), keep);
  }
}

TEST(Redact, Emails) {
  const auto r = redact::emails();
  EXPECT_EQ(r("contact john.doe+x@example.co.uk."), "contact [REDACTED_EMAIL].");
  EXPECT_EQ(r("a@b.io, c_d@e-f.com"), "[REDACTED_EMAIL], [REDACTED_EMAIL]");
  EXPECT_EQ(r("<mail:jane@corp.example>"), "<mail:[REDACTED_EMAIL]>");
  for (const char* keep : {"a@b", "user@localhost", "@handle", "x@y.c", "a@b..com", "2 @ 3.5"}) {
    EXPECT_EQ(r(keep), keep);
  }
}

TEST(Redact, PhoneNumbers) {
  const auto r = redact::phone_numbers();
  EXPECT_EQ(r("call +1 415 555 2671 now"), "call [REDACTED_PHONE] now");
  EXPECT_EQ(r("(415) 555-2671"), "[REDACTED_PHONE]");
  EXPECT_EQ(r("at 415.555.2671."), "at [REDACTED_PHONE].");
  EXPECT_EQ(r("uk +442079460958"), "uk [REDACTED_PHONE]");
  EXPECT_EQ(r("+1 (415) 555-2671"), "[REDACTED_PHONE]");
  EXPECT_EQ(r("on 2024-01-15 call 415-555-2671"), "on 2024-01-15 call [REDACTED_PHONE]");
  // Negatives: dates, times, unix timestamps, versions, short numbers, decimals.
  for (const char* keep : {"2024-01-15 10:30", "ts 1700000000", "version 1.2.3", "12345",
                           "1.5 2.5 3.5 4.5 5.5", "x+4155552671", "id 415-555-2671abc"}) {
    EXPECT_EQ(r(keep), keep);
  }
}

TEST(Redact, Secrets) {
  const auto r = redact::secrets();
  EXPECT_EQ(r("Authorization: Bearer abcDEF123456._-~+/="),
            "Authorization: Bearer [REDACTED_SECRET]");
  EXPECT_EQ(r("bearer   eyJhbGciOi"), "bearer   [REDACTED_SECRET]");
  EXPECT_EQ(r("key=sk-proj-AbCdEfGhIjKlMnOpQrStUv"), "key=[REDACTED_SECRET]");
  EXPECT_EQ(r("sk-ant-api03-abcdefghijklmnop"), "[REDACTED_SECRET]");
  EXPECT_EQ(r("aws AKIAIOSFODNN7EXAMPLE."), "aws [REDACTED_SECRET].");
  EXPECT_EQ(r("ghp_0123456789abcdefghijABCDEFGHIJ012345"), "[REDACTED_SECRET]");
  EXPECT_EQ(r("github_pat_11ABCDEFG0123456789_abcdefghij"), "[REDACTED_SECRET]");
  EXPECT_EQ(r("xoxb-123456789012-abcdefghij"), "[REDACTED_SECRET]");
  EXPECT_EQ(r("stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc"), "stripe [REDACTED_SECRET]");
  EXPECT_EQ(r("AIzaSyA-1234567890abcdefghijklmnopqrstu"), "[REDACTED_SECRET]");
  EXPECT_EQ(r("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"), "jwt [REDACTED_SECRET]");
  // Negatives: too short, inside a word, not a key shape.
  for (const char* keep :
       {"Bearer short", "ask-me-anything-about-everything", "sk-short", "AKIA123", "task_sk-x",
        "the bearer of news", "AKIAIOSFODNN7EXAMPLEX", "eyJ only", "ghp_short"}) {
    EXPECT_EQ(r(keep), keep);
  }
}

TEST(Redact, AllComposesEveryStepAndWorksAsAMaskHook) {
  const respan::MaskHook hook = redact::all();
  std::string s =
      "mail bob@example.com, key sk-abcdefghijklmnopqrstuvwx, card 4111111111111111, "
      "phone +33 1 23 45 67 89";
  hook(s, respan::MaskField{"input", respan::MaskFieldKind::content});
  EXPECT_EQ(s,
            "mail [REDACTED_EMAIL], key [REDACTED_SECRET], card [REDACTED_CARD], "
            "phone [REDACTED_PHONE]");
  // Replacement text of one's own; compose keeps the order given.
  const auto custom = redact::compose({redact::emails("<e>"), redact::secrets("<k>")});
  EXPECT_EQ(custom("a@b.co sk-abcdefghijklmnopqrstuvwx"), "<e> <k>");
  EXPECT_EQ(redact::Redactor()("a@b.co"), "a@b.co");
  std::string nothing = "nothing to see";
  EXPECT_FALSE(redact::all().apply(nothing));
}

TEST(Redact, FindsShapesAtEveryOffsetAmongMultiByteText) {
  // The scanners skip 8 bytes at a time: a shape at each offset, after ASCII or UTF-8 bytes.
  const auto r = redact::all();
  for (const std::string filler : {"x", "\xC3\xA9", "\xE2\x82\xAC", " "}) {
    for (int k = 0; k < 17; ++k) {
      std::string pad;
      for (int i = 0; i < k; ++i)
        pad += filler;
      const std::string text = pad + " 4111 1111 1111 1111 " + pad +
                               " sk-abcdefghijklmnopqrstuvwx " + pad + " (415) 555-2671 " + pad +
                               " AKIAIOSFODNN7EXAMPLE " + pad;
      const std::string out = r(text);
      EXPECT_EQ(out, pad + " [REDACTED_CARD] " + pad + " [REDACTED_SECRET] " + pad +
                         " [REDACTED_PHONE] " + pad + " [REDACTED_SECRET] " + pad)
          << k;
    }
  }
}

TEST(Redact, LongAndHostileInputsAreLinear) {
  // Long runs that a backtracking matcher would struggle with: each is scanned in one pass.
  std::string digits(1 << 20, '1');
  std::string ats(1 << 20, '@');
  std::string mixed;
  for (int i = 0; i < 100000; ++i)
    mixed += "1 ";
  const auto r = redact::all();
  EXPECT_EQ(r(digits), digits);
  EXPECT_EQ(r(ats), ats);
  EXPECT_EQ(r(mixed), mixed);
}

// ------------------------------------------------------------------ sampling
// The OpenTelemetry specification's table ("TraceState: Probability Sampling", converting a
// floating-point probability to a threshold, precision 4): th-values padded to 14 digits.
TEST(Sampling, ThresholdsMatchTheSpecificationTable) {
  struct Vector {
    double ratio;
    std::uint64_t threshold;
  };
  const Vector vectors[] = {
      {1.0, 0},
      {0.5, 0x80000000000000ull},
      {1.0 / 3, 0xaaab0000000000ull},
      {0.25, 0xc0000000000000ull},
      {0.2, 0xcccd0000000000ull},
      {0.125, 0xe0000000000000ull},
      {0.1, 0xe6660000000000ull},
      {0.0625, 0xf0000000000000ull},
      {0.01, 0xfd70a000000000ull},
      {0.001, 0xffbe7700000000ull},
      {0.0001, 0xfff97240000000ull},
      {0.00001, 0xffff583a000000ull},
      {0.000001, 0xffffef39000000ull},
  };
  for (const Vector& v : vectors)
    EXPECT_EQ(respan::sampling_threshold(v.ratio), v.threshold) << v.ratio;
  EXPECT_EQ(respan::sampling_threshold(0.0), std::uint64_t{1} << 56);
  EXPECT_EQ(respan::sampling_threshold(1e-30), std::uint64_t{1} << 56);
}

TEST(Sampling, DecisionUsesTheSevenRightmostBytes) {
  // At 0.1, R >= 0xe6660000000000 keeps the trace; the first 9 bytes do not matter.
  EXPECT_TRUE(respan::trace_id_sampled("000000000000000000e6660000000000", 0.1));
  EXPECT_FALSE(respan::trace_id_sampled("ffffffffffffffffffe665ffffffffff", 0.1));
  EXPECT_TRUE(respan::trace_id_sampled("4bf92f3577b34da6a3ffffffffffffff", 0.1));
  EXPECT_TRUE(respan::trace_id_sampled("4BF92F3577B34DA6A3FFFFFFFFFFFFFF", 0.1));  // any case
  EXPECT_FALSE(respan::trace_id_sampled("4bf92f3577b34da6a300000000000000", 0.5));
  EXPECT_TRUE(respan::trace_id_sampled("4bf92f3577b34da6a380000000000000", 0.5));
  EXPECT_FALSE(respan::trace_id_sampled("4bf92f3577b34da6a37fffffffffffff", 0.5));
  EXPECT_TRUE(respan::trace_id_sampled("4bf92f3577b34da6a300000000000000", 1.0));
  EXPECT_FALSE(respan::trace_id_sampled("4bf92f3577b34da6a3ffffffffffffff", 0.0));
  // A non-hex id is hashed: the same decision every time.
  const bool first = respan::trace_id_sampled("order-42", 0.5);
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(respan::trace_id_sampled("order-42", 0.5), first);
}

TEST(Sampling, RatioHoldsAndHigherRatiosKeepASuperset) {
  std::mt19937_64 rng(12345);
  const char* hex = "0123456789abcdef";
  int kept10 = 0;
  int kept25 = 0;
  for (int i = 0; i < 10000; ++i) {
    std::string id(32, '0');
    for (char& c : id)
      c = hex[rng() & 15];
    const bool a = respan::trace_id_sampled(id, 0.10);
    const bool b = respan::trace_id_sampled(id, 0.25);
    EXPECT_TRUE(!a || b) << id;  // consistency: kept at 10% implies kept at 25%
    kept10 += a ? 1 : 0;
    kept25 += b ? 1 : 0;
  }
  // Binomial: mean 1000 and 2500, sd 30 and 43; 5 sd either side.
  EXPECT_NEAR(kept10, 1000, 150);
  EXPECT_NEAR(kept25, 2500, 217);
}

// ------------------------------------------------------------------ the exporter's steps
respan::TraceSpan chat_span() {
  respan::TraceSpan t;
  respan::RequestLog& l = t.log;
  l.model = "gpt-4o";
  l.input = "in: a@b.co";
  l.output = respan::SpanIO::from_json_value(Json{{"answer", "out: a@b.co"}});
  l.prompt_messages = std::vector<respan::Message>{
      respan::Message::system("sys a@b.co"),
      respan::Message::user({respan::ContentPart::make_text("part a@b.co")})};
  l.completion_message = respan::Message::assistant(
      {respan::ToolCall::make_function("c1", "f", "{\"e\":\"a@b.co\"}")});
  l.tool_calls = std::vector<respan::ToolCall>{
      respan::ToolCall::make_function("c2", "lookup", "{\"q\":\"a@b.co\"}")};
  l.metadata = Json{{"user", {{"email", "a@b.co"}, {"tags", {"x", "a@b.co"}}}}, {"n", 3}};
  l.full_request = Json{{"messages", {{{"content", "a@b.co"}}}}};
  l.prompt_tokens = 5;
  l.trace_unique_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  return t;
}

TEST(PrivacyApply, MaskReachesEveryContentAndMetadataString) {
  respan::PrivacyOptions o;
  std::vector<std::string> paths;
  o.mask = [&](std::string& s, const respan::MaskField& f) {
    paths.emplace_back(f.path);
    redact::emails()(s, f);
  };
  respan::TraceSpan t = chat_span();
  respan::detail::PrivacyOutcome out;
  respan::detail::apply_privacy(o, t, out);
  EXPECT_EQ(out.mask_failed.count, 0u);
  EXPECT_EQ(Json(t.log).dump().find("a@b.co"), std::string::npos) << Json(t.log).dump();
  for (const char* p :
       {"input", "output.answer", "prompt_messages[0].content",
        "prompt_messages[1].content[0].text", "completion_message.tool_calls[0].function.arguments",
        "tool_calls[0].function.arguments", "metadata.user.email", "metadata.user.tags[1]",
        "full_request.messages[0].content"}) {
    EXPECT_NE(std::find(paths.begin(), paths.end(), p), paths.end()) << p;
  }
  EXPECT_EQ(std::find(paths.begin(), paths.end(), "model"), paths.end());
  EXPECT_EQ(*t.log.prompt_tokens, 5);
}

TEST(PrivacyApply, AThrowingHookLeavesTheMarkerAndIsCounted) {
  struct NotAnException {};
  int calls = 0;
  respan::PrivacyOptions o;
  o.mask = [&](std::string& s, const respan::MaskField& f) {
    ++calls;
    if (f.path == "input") throw std::runtime_error("boom");
    if (f.path == "metadata.user.email") throw NotAnException{};
    if (f.path == "tool_calls[0].function.arguments") throw std::bad_alloc();
    s = "ok";
  };
  respan::TraceSpan t = chat_span();
  respan::detail::PrivacyOutcome out;
  respan::detail::apply_privacy(o, t, out);
  EXPECT_EQ(out.mask_failed.count, 3u);
  EXPECT_EQ(t.log.input->as_string(), std::string(respan::kMaskFailedMarker));
  EXPECT_EQ((*t.log.metadata)["user"]["email"], std::string(respan::kMaskFailedMarker));
  EXPECT_EQ(*(*t.log.tool_calls)[0].function->arguments, std::string(respan::kMaskFailedMarker));
  EXPECT_EQ(t.log.output->json()["answer"], "ok");  // the walk went on after each failure
  EXPECT_GT(calls, 8);
  EXPECT_NE(out.mask_failed.describe("x").find("metadata.user.email"), std::string::npos);
}

TEST(PrivacyApply, ContentOffKeepsEverythingButTheText) {
  respan::PrivacyOptions o;
  o.capture_content = false;
  respan::TraceSpan t = chat_span();
  respan::detail::PrivacyOutcome out;
  respan::detail::apply_privacy(o, t, out);
  const respan::RequestLog& l = t.log;
  EXPECT_FALSE(l.input || l.output || l.prompt_messages || l.completion_message || l.full_request);
  ASSERT_TRUE(l.tool_calls);
  EXPECT_FALSE((*l.tool_calls)[0].function->arguments);
  EXPECT_EQ(*(*l.tool_calls)[0].function->name, "lookup");
  EXPECT_EQ(l.model, "gpt-4o");
  EXPECT_EQ(*l.prompt_tokens, 5);
  EXPECT_TRUE(l.metadata);
  EXPECT_TRUE(l.trace_unique_id);
}

TEST(PrivacyApply, FieldLimitCutsAtACharacterBoundaryAndFlagsTheSpan) {
  respan::PrivacyOptions o;
  o.max_field_bytes = 64;
  respan::TraceSpan t;
  t.log.model = "m";
  std::string text;
  for (int i = 0; i < 40; ++i)
    text += "\xC3\xA9";  // é: two bytes each, 80 bytes
  t.log.input = text;
  t.log.error_message = std::string(64, 'x');  // exactly at the limit: kept
  respan::detail::PrivacyOutcome out;
  respan::detail::apply_privacy(o, t, out);
  const std::string cut = t.log.input->as_string();
  EXPECT_LE(cut.size(), 64u);
  ASSERT_GE(cut.size(), respan::kTruncatedMarker.size());
  const std::string head = cut.substr(0, cut.size() - respan::kTruncatedMarker.size());
  EXPECT_EQ(cut.substr(head.size()), std::string(respan::kTruncatedMarker));
  EXPECT_EQ(head.size() % 2, 0u);  // never inside a sequence
  EXPECT_EQ(head, text.substr(0, head.size()));
  EXPECT_EQ(*t.log.error_message, std::string(64, 'x'));
  EXPECT_EQ(out.truncated.count, 1u);
  EXPECT_EQ((*t.log.metadata)[std::string(respan::kTruncatedMetadataKey)], true);
  EXPECT_NO_THROW((void)Json(t.log).dump());  // valid UTF-8
}

TEST(PrivacyApply, SpanLimitCutsTheLongestStringsFirst) {
  respan::PrivacyOptions o;
  o.max_span_bytes = 1024;
  respan::TraceSpan t;
  t.log.model = "m";
  t.log.input = std::string(3000, 'a');
  t.log.output = std::string(600, 'b');
  t.log.error_message = std::string(100, 'c');
  t.log.metadata = Json{{"k", "short"}};
  respan::detail::PrivacyOutcome out;
  respan::detail::apply_privacy(o, t, out);
  const std::size_t total = t.log.input->as_string().size() + t.log.output->as_string().size() +
                            t.log.error_message->size() + 5;
  EXPECT_LE(total, 1024u);
  EXPECT_GT(total, 1000u);  // the budget is used, not wasted
  EXPECT_EQ(t.log.error_message->size(), 100u);
  EXPECT_EQ(t.log.input->as_string().size(), t.log.output->as_string().size());
  EXPECT_EQ(out.truncated.count, 2u);
  EXPECT_EQ((*t.log.metadata)["respan_truncated"], true);
  EXPECT_EQ((*t.log.metadata)["k"], "short");
}

TEST(PrivacyApply, FilterDropsAndAThrowingFilterFailsClosed) {
  respan::PrivacyOptions o;
  o.filter = [](const respan::TraceSpan& s) {
    if (s.log.model == "throw") throw 42;
    return s.log.model != "health";
  };
  respan::detail::PrivacyOutcome out;
  respan::TraceSpan t;
  t.log.model = "health";
  respan::detail::apply_privacy(o, t, out);
  EXPECT_FALSE(out.keep);
  EXPECT_FALSE(out.filter_failed);
  out.clear();
  t.log.model = "throw";
  respan::detail::apply_privacy(o, t, out);
  EXPECT_FALSE(out.keep);
  EXPECT_TRUE(out.filter_failed);
  out.clear();
  t.log.model = "gpt-4o";
  respan::detail::apply_privacy(o, t, out);
  EXPECT_TRUE(out.keep);
}

TEST(PrivacyOptions, EnvironmentCanOnlyTurnContentOff) {
  respan::PrivacyOptions o;
  for (const char* off : {"false", "FALSE", " 0 ", "no", "off", "disabled"}) {
    ::setenv("RESPAN_TRACE_CONTENT", off, 1);
    EXPECT_FALSE(respan::detail::effective_privacy(o).capture_content) << off;
  }
  for (const char* on : {"true", "1", "yes", "On", ""}) {
    ::setenv("RESPAN_TRACE_CONTENT", on, 1);
    EXPECT_TRUE(respan::detail::effective_privacy(o).capture_content) << on;
    o.capture_content = false;
    EXPECT_FALSE(respan::detail::effective_privacy(o).capture_content) << on;
    o.capture_content = true;
  }
  ::unsetenv("RESPAN_TRACE_CONTENT");
  EXPECT_TRUE(respan::detail::effective_privacy(o).capture_content);
}

}  // namespace
