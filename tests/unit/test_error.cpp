#include <gtest/gtest.h>

#include <respan/result.hpp>

namespace {

TEST(Error, StatusMapping) {
  EXPECT_EQ(respan::error_code_for_status(400), respan::ErrorCode::bad_request);
  EXPECT_EQ(respan::error_code_for_status(401), respan::ErrorCode::unauthorized);
  EXPECT_EQ(respan::error_code_for_status(403), respan::ErrorCode::forbidden);
  EXPECT_EQ(respan::error_code_for_status(404), respan::ErrorCode::not_found);
  EXPECT_EQ(respan::error_code_for_status(408), respan::ErrorCode::timeout);
  EXPECT_EQ(respan::error_code_for_status(409), respan::ErrorCode::conflict);
  EXPECT_EQ(respan::error_code_for_status(413), respan::ErrorCode::payload_too_large);
  EXPECT_EQ(respan::error_code_for_status(422), respan::ErrorCode::validation);
  EXPECT_EQ(respan::error_code_for_status(429), respan::ErrorCode::rate_limited);
  EXPECT_EQ(respan::error_code_for_status(500), respan::ErrorCode::server);
  EXPECT_EQ(respan::error_code_for_status(503), respan::ErrorCode::server);
  EXPECT_EQ(respan::error_code_for_status(302), respan::ErrorCode::http);
  EXPECT_EQ(respan::error_code_for_status(405), respan::ErrorCode::http);
}

TEST(Error, ToStringNamesEverything) {
  respan::Error e;
  e.code = respan::ErrorCode::validation;
  e.http_status = 422;
  e.message = "Validation error";
  e.field_errors["model"] = {"This field is required."};
  e.attempts = 1;
  e.request = "POST /api/request-logs/";
  EXPECT_EQ(e.to_string(),
            "validation (HTTP 422) POST /api/request-logs/: Validation error; model: This field "
            "is required.");
}

TEST(Result, ValueOrThrow) {
  respan::Result<int> ok = 7;
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok.value(), 7);
  EXPECT_EQ(*ok, 7);

  respan::Result<int> bad = respan::Error::make(respan::ErrorCode::not_found, "gone");
  EXPECT_FALSE(bad);
  EXPECT_EQ(bad.error().code, respan::ErrorCode::not_found);
  EXPECT_EQ(bad.value_or(3), 3);
  try {
    (void)bad.value();
    FAIL() << "value() should throw";
  } catch (const respan::ApiError& ex) {
    EXPECT_EQ(ex.code(), respan::ErrorCode::not_found);
    EXPECT_NE(std::string(ex.what()).find("gone"), std::string::npos);
  }

  respan::Result<void> v;
  EXPECT_TRUE(v);
  respan::Result<void> vbad = respan::Error::make(respan::ErrorCode::timeout, "late");
  EXPECT_THROW(vbad.value(), respan::ApiError);
}

}  // namespace
