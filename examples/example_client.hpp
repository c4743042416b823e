// The examples' shared start: a client for Respan when RESPAN_API_KEY is set (RESPAN_BASE_URL
// overrides the host), otherwise for the bundled mock Respan server, started here on
// 127.0.0.1, so that every example runs with no account and no network.
//
//   example::Connection conn = example::connect();
//   if (!conn.client) { std::cerr << conn.client.error() << "\n"; return 1; }
//   respan::RespanClient client = std::move(conn.client).value();
//
// In your own program, replace it with respan::RespanClient::from_env() (or create() with
// your ClientOptions); in your tests, use the mock server directly (respan::testing).
#pragma once

#include <cstdlib>
#include <iostream>
#include <memory>
#include <utility>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

namespace example {

/// The client, and the mock server it talks to when no API key is configured.
struct Connection {
  /// Running while the Connection lives; null when talking to Respan.
  std::unique_ptr<respan::testing::MockServer> mock;
  /// The client, or why it could not be made.
  respan::Result<respan::RespanClient> client;
};

/// Connects as the file comment says; `options` are used as given, except that the mock's
/// URL and key replace base_url and api_key when the mock is used (started with
/// `mock_options`).
inline Connection connect(respan::ClientOptions options = {},
                          respan::testing::MockServerOptions mock_options = {}) {
  std::unique_ptr<respan::testing::MockServer> mock;
  const char* key = std::getenv("RESPAN_API_KEY");
  if (key == nullptr || *key == '\0') {
    mock = std::make_unique<respan::testing::MockServer>(std::move(mock_options));
    mock->start();
    options.api_key = mock->api_key();
    options.base_url = mock->base_url();
    std::cout << "RESPAN_API_KEY is not set: using the mock server at " << mock->base_url() << "\n";
  }
  respan::Result<respan::RespanClient> client =
      mock ? respan::RespanClient::create(options) : respan::RespanClient::from_env(options);
  return Connection{std::move(mock), std::move(client)};
}

}  // namespace example
