// The mock's fake OpenAI Chat Completions endpoint (MockServerOptions::fake_openai): a small,
// deterministic stand-in for `POST /v1/chat/completions` so that the examples and tests can
// exercise a real provider call (libcurl, server-sent events, the adapters) with no network.
// It is not part of the Respan API. Routing: mock_server.cpp; logic: mock_openai.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace respan::testing::detail {

/// One HTTP request as the fake endpoint sees it, with the server's hooks (mock_server.cpp).
struct OpenAiHttp {
  const std::string& method;    ///< Upper-case.
  const std::string& raw_path;  ///< As sent, without the query.
  const std::string& body;
  std::string authorization;  ///< The Authorization header.
  /// True when `key` (from `Authorization: Bearer <key>`, never empty) is accepted.
  std::function<bool(const std::string& key)> accepts_key;
  /// True when requests without a valid key are accepted too.
  bool require_auth = true;
  /// The next number (1, 2, ...) of an answered call: its id is `chatcmpl-mock-<n>`.
  std::function<std::uint64_t()> next_sequence;
  /// Answers JSON.
  std::function<void(int status, const nlohmann::json& body)> reply;
  /// Answers 200 `text/event-stream`, one chunk of the HTTP answer per event (each event is
  /// complete: `data: ...\n\n`).
  std::function<void(std::vector<std::string> events)> stream;
};

/// Serves the paths under `/v1/` and returns the status answered; returns 0 without answering
/// for every other path. Only `POST /v1/chat/completions` exists; other `/v1/` paths answer
/// 404 in OpenAI's error shape.
int serve_fake_openai(const OpenAiHttp& http);

}  // namespace respan::testing::detail
