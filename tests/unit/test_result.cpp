// Result<T> and Result<void> as a C++ user expects (the shape of C++23 std::expected), and
// Timestamp comparing instants.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <respan/models/common.hpp>
#include <respan/result.hpp>

namespace {

using respan::BadResultAccess;
using respan::Error;
using respan::ErrorCode;
using respan::Result;

Error failure(const char* why) {
  return Error::make(ErrorCode::not_found, why);
}

TEST(Result, ErrorOnASuccessThrowsTheSameForValueAndVoid) {
  Result<int> i = 7;
  Result<void> v;
  EXPECT_THROW((void)i.error(), BadResultAccess);
  EXPECT_THROW((void)v.error(), BadResultAccess);
  EXPECT_THROW((void)std::move(i).error(), BadResultAccess);
  EXPECT_THROW((void)std::move(v).error(), BadResultAccess);

  Result<int> ei = failure("gone");
  Result<void> ev = failure("gone");
  EXPECT_EQ(ei.error().code, ErrorCode::not_found);
  EXPECT_EQ(ev.error().message, "gone");
  EXPECT_FALSE(ev.has_value());
  EXPECT_TRUE(Result<void>().has_value());
}

TEST(Result, ValueOrMovesOutOfAnRvalue) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
  std::unique_ptr<int> p = std::move(r).value_or(nullptr);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, 5);
  Result<std::unique_ptr<int>> e = failure("x");
  EXPECT_EQ(std::move(e).value_or(nullptr), nullptr);

  const Result<std::string> s = std::string("kept");
  EXPECT_EQ(s.value_or("other"), "kept");
  EXPECT_EQ(s.value(), "kept");  // the const& overload copies
}

TEST(Result, AndThenChainsAndStopsAtTheFirstError) {
  int calls = 0;
  auto half = [&calls](int x) -> Result<int> {
    ++calls;
    if (x % 2 != 0) return failure("odd");
    return x / 2;
  };
  Result<int> r = Result<int>(8).and_then(half).and_then(half).and_then(half);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 1);
  EXPECT_EQ(calls, 3);

  calls = 0;
  r = Result<int>(6).and_then(half).and_then(half).and_then(half);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "odd");
  EXPECT_EQ(calls, 2);  // the third step never ran

  // To another type, from void, and with a move-only value.
  Result<std::string> text = Result<int>(3).and_then(
      [](int x) -> Result<std::string> { return std::string(static_cast<std::size_t>(x), 'a'); });
  EXPECT_EQ(*text, "aaa");
  Result<int> after_void = Result<void>().and_then([]() -> Result<int> { return 4; });
  EXPECT_EQ(*after_void, 4);
  Result<int> void_error = Result<void>(failure("v")).and_then([]() -> Result<int> { return 4; });
  EXPECT_EQ(void_error.error().message, "v");
  Result<std::unique_ptr<int>> owned = std::make_unique<int>(9);
  Result<int> moved =
      std::move(owned).and_then([](std::unique_ptr<int> p) -> Result<int> { return *p + 1; });
  EXPECT_EQ(*moved, 10);
}

TEST(Result, TransformMapsTheValueAndKeepsTheError) {
  Result<int> r = 20;
  Result<std::string> s = r.transform([](int x) { return std::to_string(x * 2); });
  EXPECT_EQ(*s, "40");
  Result<int> e = failure("no");
  Result<std::string> se = e.transform([](int x) { return std::to_string(x); });
  ASSERT_FALSE(se);
  EXPECT_EQ(se.error().message, "no");

  int seen = 0;
  Result<void> done = r.transform([&seen](int x) { seen = x; });
  EXPECT_TRUE(done);
  EXPECT_EQ(seen, 20);
  Result<int> from_void = Result<void>().transform([] { return 1; });
  EXPECT_EQ(*from_void, 1);
  Result<std::vector<int>> big = std::vector<int>{1, 2, 3};
  Result<std::size_t> n = std::move(big).transform([](std::vector<int> v) { return v.size(); });
  EXPECT_EQ(*n, 3u);
}

TEST(Result, OrElseRecoversOrReplacesTheError) {
  Result<int> e = failure("missing");
  Result<int> recovered = e.or_else([](const Error& err) -> Result<int> {
    return err.code == ErrorCode::not_found ? Result<int>(0) : Result<int>(err);
  });
  EXPECT_EQ(*recovered, 0);
  bool called = false;
  Result<int> kept = Result<int>(5).or_else([&called](const Error&) -> Result<int> {
    called = true;
    return 0;
  });
  EXPECT_EQ(*kept, 5);
  EXPECT_FALSE(called);
  Result<void> replaced =
      Result<void>(failure("a")).or_else([](const Error&) -> Result<void> { return failure("b"); });
  EXPECT_EQ(replaced.error().message, "b");
  Result<void> fine = Result<void>().or_else([](const Error&) -> Result<void> {
    ADD_FAILURE() << "or_else ran on a success";
    return {};
  });
  EXPECT_TRUE(fine);
}

TEST(Timestamp, EqualityAndOrderingCompareInstants) {
  using respan::Timestamp;
  // The same instant in the forms a server may answer with.
  const Timestamp sent("2026-01-01T10:00:00.000000Z");
  EXPECT_EQ(sent, Timestamp("2026-01-01T10:00:00Z"));
  EXPECT_EQ(sent, Timestamp("2026-01-01T11:00:00+01:00"));
  EXPECT_EQ(sent, Timestamp("2026-01-01 10:00:00.000"));
  EXPECT_NE(sent, Timestamp("2026-01-01T10:00:00.000001Z"));
  EXPECT_LT(Timestamp("2026-01-01T10:00:00Z"), Timestamp("2026-01-01T09:30:00-01:00"));
  EXPECT_GT(Timestamp("2027-01-01"), sent);
  EXPECT_LE(sent, Timestamp("2026-01-01T10:00:00Z"));
  EXPECT_GE(sent, Timestamp("2026-01-01T10:00:00Z"));
  // A time point round-trips to an equal Timestamp.
  const auto now = std::chrono::system_clock::now();
  EXPECT_EQ(Timestamp(now), Timestamp(Timestamp(now).str()));
  // Text that does not parse compares as text, after every valid time: a strict weak order.
  EXPECT_EQ(Timestamp("soon"), Timestamp("soon"));
  EXPECT_NE(Timestamp("soon"), Timestamp("later"));
  EXPECT_LT(sent, Timestamp("soon"));
  EXPECT_LT(Timestamp("later"), Timestamp("soon"));
  EXPECT_FALSE(Timestamp("soon") < Timestamp("soon"));
}

}  // namespace
