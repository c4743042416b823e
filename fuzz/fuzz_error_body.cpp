// Fuzzes the decoding of non-2xx responses: detail::error_from_response, Error::to_string,
// operator<< and ApiError. The input is a small HTTP-like text so that seeds stay readable:
//
//   429                          <- status line: a decimal status (else derived from byte 0)
//   retry-after: 5               <- header lines "name: value" until an empty line
//
//   {"detail": "Rate limit exceeded", "retry_after": 30}   <- the rest is the body
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

#include <respan/error.hpp>
#include <respan/transport.hpp>

#include "http/pipeline.hpp"
#include "util/text.hpp"

namespace {

// Splits off the next line ('\n', an optional '\r' before it is dropped).
std::string_view next_line(std::string_view& rest) {
  const std::size_t nl = rest.find('\n');
  std::string_view line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

respan::HttpResponse parse_input(std::string_view in) {
  respan::HttpResponse res;
  if (in.empty()) return res;
  const auto first = static_cast<unsigned char>(in.front());
  std::string_view rest = in;
  const std::string_view status_line = next_line(rest);
  if (auto s = respan::detail::parse_int64(status_line); s && *s >= -1000 && *s <= 100000) {
    res.status = static_cast<int>(*s);
  } else {
    res.status = 300 + first % 300;  // any 3xx-5xx
  }
  while (!rest.empty()) {
    const std::string_view line = next_line(rest);
    if (line.empty()) break;
    const std::size_t colon = line.find(':');
    const std::string_view name = line.substr(0, colon);
    const std::string_view value =
        colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    // Transports hand over lower-case names and trimmed values.
    respan::HttpResponse one;
    one.headers.emplace_back(respan::detail::ascii_lower(respan::detail::trim(name)),
                             std::string(respan::detail::trim(value)));
    res.headers.push_back(std::move(one.headers.front()));
  }
  res.body = std::string(rest);
  return res;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const respan::HttpResponse res =
      parse_input(std::string_view(reinterpret_cast<const char*>(data), size));
  // A fixed "now" (2026-01-01T00:00:00Z) keeps runs reproducible.
  const std::chrono::system_clock::time_point now{std::chrono::seconds(1767225600)};

  respan::Error e = respan::detail::error_from_response(res, now);
  e.attempts = 1 + static_cast<int>(size % 3);
  e.request = "POST /api/request-logs/";
  const std::string line = e.to_string();
  std::ostringstream os;
  os << e;
  (void)e.is_retryable();
  (void)respan::to_string(e.code);
  const respan::ApiError ex(e);
  const std::string what = ex.what();
  if (ex.http_status() != res.status) __builtin_trap();
  (void)line;
  (void)what;
  return 0;
}
