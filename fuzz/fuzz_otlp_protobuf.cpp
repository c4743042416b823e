// Fuzzes what respan reads in OTLP protobuf and gzip: the protobuf answer front end of the one
// answer decoder (read_answer(AnswerShape::otlp, ..., AnswerFormat::protobuf)), the
// google.rpc.Status message of error answers, the bounded wire reader, and bounded gunzip.
// Byte 0 picks the number of rows the answer is for (0-15); the rest is the body.
//
// Checked: verdicts always cover exactly the rows sent and add up; an answer decodes to the
// same verdicts whether read once or twice; the reader never reads outside its input (ASan);
// gunzip never produces more than its bound.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "batch/answers.hpp"
#include "util/gzip.hpp"
#include "util/proto_wire.hpp"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

// Walks every field, descending into length-delimited ones that parse as messages.
void walk(std::string_view bytes, int depth) {
  respan::detail::proto::Reader r(bytes);
  respan::detail::proto::Field f;
  while (r.next(f)) {
    check(f.number != 0);
    if (f.type == respan::detail::proto::WireType::len) {
      check(f.bytes.data() >= bytes.data() &&
            f.bytes.data() + f.bytes.size() <= bytes.data() + bytes.size());
      if (depth < 8) walk(f.bytes, depth + 1);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t rows = data[0] & 15u;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);

  using respan::detail::AnswerFormat;
  using respan::detail::AnswerShape;
  const respan::detail::RowVerdicts v =
      respan::detail::read_answer(AnswerShape::otlp, body, rows, AnswerFormat::protobuf);
  check(v.state.size() == rows && v.message.size() == rows);
  check(v.delivered + v.rejected + v.unconfirmed == rows);
  const respan::detail::RowVerdicts again =
      respan::detail::read_answer(AnswerShape::otlp, body, rows, AnswerFormat::protobuf);
  check(again.state == v.state && again.message == v.message);

  if (auto m = respan::detail::proto::rpc_status_message(body)) {
    check(!m->empty() && respan::detail::proto::is_valid_utf8(*m));
  }
  walk(body, 0);

  std::string out;
  constexpr std::size_t kBound = 1u << 16;
  const respan::detail::GunzipStatus g = respan::detail::gunzip(body, kBound, out);
  check(out.size() <= kBound);
  check(g == respan::detail::GunzipStatus::ok || out.empty());
  if (g == respan::detail::GunzipStatus::ok) {
    std::string gz;
    check(respan::detail::gzip_compress(out, gz));
    std::string back;
    check(respan::detail::gunzip(gz, kBound, back) == respan::detail::GunzipStatus::ok &&
          back == out);
  }
  return 0;
}
