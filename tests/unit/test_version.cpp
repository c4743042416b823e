#include <string>

#include <gtest/gtest.h>

#include <respan/version.hpp>

TEST(Version, LibraryMatchesHeaders) {
  EXPECT_EQ(respan::library_version(), respan::version());
  EXPECT_TRUE(respan::library_matches_headers());
}

TEST(Version, MacrosMatchTheString) {
  const std::string parts = std::to_string(RESPAN_VERSION_MAJOR) + "." +
                            std::to_string(RESPAN_VERSION_MINOR) + "." +
                            std::to_string(RESPAN_VERSION_PATCH);
  EXPECT_EQ(parts, RESPAN_VERSION_STRING);
  EXPECT_EQ(respan::version(), RESPAN_VERSION_STRING);
}
