// Fuzzes the retry-hint and date parsers: parse_http_date, server_retry_delay (the text as
// Retry-After, retry-after-ms and X-RateLimit-Reset header values, and as the body's
// "retry_after", both as a JSON string and spliced in as a raw JSON value) and
// Timestamp::to_time_point. None may crash; every delay returned must be non-negative.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <respan/json.hpp>
#include <respan/models/common.hpp>
#include <respan/retry.hpp>
#include <respan/transport.hpp>

namespace {

// A fixed "now" (2026-01-01T00:00:00Z) keeps runs reproducible.
const std::chrono::system_clock::time_point kNow{std::chrono::seconds(1767225600)};

void check_delay(const respan::HttpResponse& res) {
  const std::optional<std::chrono::milliseconds> d = respan::server_retry_delay(res, kNow);
  if (d && d->count() < 0) __builtin_trap();
}

respan::HttpResponse with_header(const char* name, const std::string& value) {
  respan::HttpResponse res;
  res.status = 429;
  res.headers.emplace_back(name, value);
  return res;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);

  (void)respan::parse_http_date(text);
  check_delay(with_header("retry-after", text));
  check_delay(with_header("retry-after-ms", text));
  check_delay(with_header("x-ratelimit-reset", text));

  respan::HttpResponse body_string;
  body_string.status = 429;
  // The text as a JSON string (invalid UTF-8 replaced so the body is valid JSON).
  body_string.body = respan::Json{{"retry_after", text}}.dump(
      -1, ' ', false, respan::Json::error_handler_t::replace);
  check_delay(body_string);

  respan::HttpResponse body_raw;
  body_raw.status = 503;
  body_raw.body = "{\"detail\": \"busy\", \"retry_after\": " + text + "}";
  check_delay(body_raw);

  const respan::Timestamp ts(text);
  (void)ts.unix_micros();
  if (auto tp = ts.to_time_point()) {
    // Formatting the parsed time point back must not crash either.
    (void)respan::Timestamp(*tp).str();
  }
  return 0;
}
