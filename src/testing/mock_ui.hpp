// The mock server's local web viewer (MockServerOptions::ui): the page at `/ui` and the
// read-only JSON endpoints it reads under `/ui/api/`. These paths are the mock's own, not part
// of the Respan API. Independent of the HTTP library: mock_server.cpp registers them only when
// the viewer is on.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace respan::testing::detail {

class MockState;

/// The viewer's page: one self-contained HTML document (inline CSS and script, no external
/// URL). Its `<script>` carries `nonce="@NONCE@"`, replaced per answer (mock_ui_page.cpp).
std::string_view mock_ui_page();

/// A version number of the stored data, bumped by every request that may change it, that the
/// viewer's `GET /ui/api/changes?since=V&wait=MS` waits on. Thread-safe.
class UiChanges {
 public:
  /// The data may have changed: bumps the version and wakes the waiters.
  void bump();
  std::uint64_t version() const;
  /// Waits until version() > `since`, stop(), or `timeout`; returns version().
  std::uint64_t wait(std::uint64_t since, std::chrono::milliseconds timeout);
  /// Wakes every waiter now and makes later waits return at once (the server is stopping);
  /// restart() undoes it.
  void stop();
  void restart();

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::uint64_t version_ = 1;
  bool stopping_ = false;
};

/// The viewer's copy of `fields` of an object (those present), every text cut to
/// UiLimits::kMaxTextBytes and every object or array value turned into its (cut) JSON text: a
/// row stays small whatever a span holds. Not an object: an empty object.
nlohmann::json ui_pick(const nlohmann::json& obj, std::initializer_list<const char*> fields);

/// An answer of a viewer path.
struct UiAnswer {
  int status = 200;
  std::string body;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;  ///< Extra headers.
};

/// Bounds of the viewer's endpoints: defaults and the most a query may ask.
struct UiLimits {
  static constexpr std::size_t kDefaultRows = 100;    ///< logs, traces, datasets
  static constexpr std::size_t kMaxRows = 500;        ///< `?limit=` at most
  static constexpr std::size_t kDefaultSpans = 2000;  ///< spans of one trace
  static constexpr std::size_t kMaxSpans = 5000;      ///< `?max_spans=` at most
  static constexpr std::size_t kMaxTextBytes = 2000;  ///< each text field, cut beyond
  static constexpr std::int64_t kMaxWaitMs = 25000;   ///< `/ui/api/changes?wait=` at most
};

/// Answers `GET raw_path?raw_query` for a path under `/ui` (the page at `/ui` and `/ui/`, the
/// JSON endpoints under `/ui/api/`; anything else 404 `{"detail": "Not found."}`). Reads the
/// stores under their locks and never changes them. `changes` may block the caller up to
/// UiLimits::kMaxWaitMs (`/ui/api/changes`).
UiAnswer serve_ui(const MockState& state, UiChanges& changes, const std::string& raw_path,
                  const std::string& raw_query);

}  // namespace respan::testing::detail
