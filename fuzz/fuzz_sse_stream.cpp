// Fuzzes the StreamAccumulator (and through log(), the provider adapters) with arbitrary
// bytes fed in arbitrary splits. Input: byte 0 picks the stream format (low 2 bits) and
// small limits (bit 2); bytes 1-2 seed the split points; the rest is the stream.
// Checked properties:
// - the same bytes fed whole and fed in pieces give the same printed text, the same text(),
//   the same skipped count and the same response() (splitting never changes the answer);
// - log() and the span it makes never throw: the span encodes (no null, no non-finite
//   number), whatever the stream held.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <respan/adapters/stream.hpp>
#include <respan/json.hpp>
#include <respan/models/request_log.hpp>

namespace {

respan::adapters::StreamOptions options(bool small) {
  respan::adapters::StreamOptions o;
  if (small) {
    o.limits.max_line_bytes = 96;
    o.limits.max_event_bytes = 160;
    o.limits.max_total_bytes = 2048;
    o.limits.max_choices = 3;
    o.limits.max_tool_calls = 3;
  }
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  using respan::adapters::StreamAccumulator;
  using respan::adapters::StreamFormat;
  const auto format = static_cast<StreamFormat>(data[0] & 3);
  const bool small = (data[0] & 4) != 0;
  std::uint32_t seed = static_cast<std::uint32_t>(data[1]) << 8 | data[2];
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 3, size - 3);

  StreamAccumulator whole(format, options(small));
  std::string printed_whole = whole.feed(bytes);
  printed_whole += whole.finish();

  StreamAccumulator split(format, options(small));
  std::string printed_split;
  std::size_t i = 0;
  while (i < bytes.size()) {
    seed = seed * 1103515245u + 12345u;
    const std::size_t n = 1 + (seed >> 16) % 17;
    printed_split += split.feed(bytes.substr(i, n));
    i += n;
  }
  printed_split += split.finish();

  if (printed_whole != printed_split || whole.text() != split.text() ||
      whole.skipped_events() != split.skipped_events() || whole.truncated() != split.truncated() ||
      whole.response() != split.response()) {
    std::abort();
  }

  const respan::Json request = {{"model", "m"}, {"stream", true}};
  respan::Result<respan::RequestLog> log = split.log(request);
  if (log) {
    const std::string out =
        respan::Json(*log).dump(-1, ' ', false, respan::Json::error_handler_t::replace);
    (void)out;
  }
  return 0;
}
