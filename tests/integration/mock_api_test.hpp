// Shared fixture of the integration tests: a MockServer on loopback, a client of it over the
// real libcurl transport (with millisecond backoff), and a view of the recorded requests.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

class MockApiTest : public ::testing::Test {
 protected:
  void SetUp() override { server_.start(); }

  /// Options of a client of server_. `base_suffix` is appended to the server's base URL.
  respan::ClientOptions options(const std::string& base_suffix = "") const {
    respan::ClientOptions o;
    o.api_key = server_.api_key();
    o.base_url = server_.base_url() + base_suffix;
    o.retry.min_backoff = std::chrono::milliseconds(1);
    o.retry.initial_backoff = std::chrono::milliseconds(1);
    o.retry.max_backoff = std::chrono::milliseconds(5);
    return o;
  }

  /// The requests the server received for exactly `path` (and `method`, when given).
  std::vector<respan::testing::RecordedRequest> requests_to(const std::string& path,
                                                            const std::string& method = "") const {
    std::vector<respan::testing::RecordedRequest> out;
    for (auto& r : server_.requests())
      if (r.path == path && (method.empty() || r.method == method)) out.push_back(r);
    return out;
  }

  respan::testing::MockServer server_;
};
