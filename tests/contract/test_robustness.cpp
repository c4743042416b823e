// The mock survives what it is sent (issue #7 item 7): users point their own code at it.
// Each test fails on the mock before the fix.
#include <chrono>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "contract_util.hpp"

namespace contract {
namespace {

respan::testing::MockServerOptions small_limits() {
  respan::testing::MockServerOptions o;
  o.max_payload_bytes = 256 * 1024;
  o.max_recorded_bytes = 1024 * 1024;
  // Idle connections used to hold workers until this timeout: make it long, so that a stall
  // stands out from the slowness of a loaded sanitizer build.
  o.keep_alive_timeout_seconds = 10;
  return o;
}

class Robustness : public ContractTest {
 protected:
  Robustness() : ContractTest(small_limits()) {}
};

TEST_F(Robustness, DeeplyNestedMetadataIsRefusedNotStored) {
  // ~200 KB of nesting used to be stored, and the GET that dumped it overflowed the stack.
  const std::size_t depth = 100000;
  std::string nested = std::string(depth, '[') + std::string(depth, ']');
  const std::string body = R"({"model": "m", "metadata": {"x": )" + nested + "}}";
  Reply r = send("POST", "/api/request-logs/", body);
  EXPECT_EQ(r.status, 400) << r.text.substr(0, 200);
  expect_shape(r.body, {{"detail", kStr}}, true, "too deep");
  EXPECT_TRUE(server_.request_logs().empty());
  // 128 levels are fine (the shared bound, util/json_limits.hpp), and the span reads back.
  const std::string ok_nested = std::string(120, '[') + std::string(120, ']');
  Reply ok =
      send("POST", "/api/request-logs/", R"({"model": "m", "metadata": {"x": )" + ok_nested + "}}");
  ASSERT_EQ(ok.status, 200) << ok.text;
  Reply got = call("GET", "/api/request-logs/" + ok.body["unique_id"].get<std::string>() + "/");
  EXPECT_EQ(got.status, 200);
  EXPECT_TRUE(server_.running());
}

TEST_F(Robustness, ChunkedUploadOverTheCapIs413) {
  auto c = client();
  const std::size_t total = 2 * 1024 * 1024;  // 8x the cap
  const std::string piece(64 * 1024, ' ');
  // No length: httplib sends the body with Transfer-Encoding: chunked.
  auto res = c->Post(
      "/api/request-logs/",
      [&](std::size_t offset, httplib::DataSink& sink) {
        if (offset == 0) sink.write("{\"model\": \"m\", \"pad\": \"", 24);
        if (offset >= total) {
          sink.write("\"}", 2);
          sink.done();
          return true;
        }
        return sink.write(piece.data(), piece.size());
      },
      "application/json");
  if (res) {  // the server may also close before the client finished sending
    EXPECT_EQ(res->status, 413) << res->body.substr(0, 200);
  }
  EXPECT_TRUE(server_.request_logs().empty());
  // A chunked body under the cap still works.
  auto small = client()->Post(
      "/api/request-logs/",
      [](std::size_t offset, httplib::DataSink& sink) {
        if (offset == 0) sink.write("{\"model\": \"m\"}", 14);
        sink.done();
        return true;
      },
      "application/json");
  ASSERT_TRUE(small);
  EXPECT_EQ(small->status, 200) << small->body;
  EXPECT_EQ(server_.request_logs().size(), 1u);
}

TEST_F(Robustness, RecorderKeepsABoundedAmountOfBodies) {
  const std::string pad(200 * 1024, 'x');
  for (int i = 0; i < 12; ++i) {  // 2.4 MB of bodies against a 1 MiB bound
    Reply r = call("POST", "/api/request-logs/",
                   span({{"metadata", {{"pad", pad}}}, {"span_name", std::to_string(i)}}));
    ASSERT_EQ(r.status, 200);
  }
  const auto recorded = server_.requests();
  std::size_t bytes = 0;
  for (const auto& r : recorded)
    bytes += r.body.size();
  EXPECT_LE(bytes, 1024u * 1024u);
  ASSERT_FALSE(recorded.empty());
  EXPECT_LT(recorded.size(), 12u);
  EXPECT_EQ(recorded.back().json().value("span_name", std::string()), "11");  // newest kept
}

TEST_F(Robustness, HugeNumbersAreRefusedCleanly) {
  // 1e300 fits a double but no integer: a validation error, not undefined behaviour.
  Reply big = send("POST", "/api/request-logs/", R"({"model": "m", "prompt_tokens": 1e300})");
  EXPECT_EQ(big.status, 422) << big.text;
  // 1e400 overflows a double: the body is refused as invalid JSON (400), not a 500.
  Reply huge = send("POST", "/api/request-logs/", R"({"model": "m", "prompt_tokens": 1e400})");
  EXPECT_EQ(huge.status, 400) << huge.text;
  expect_shape(huge.body, {{"detail", kStr}}, true, "1e400");
  Reply nested =
      send("POST", "/api/request-logs/", R"({"model": "m", "metadata": {"a": [1e400]}})");
  EXPECT_EQ(nested.status, 400) << nested.text;
  // Near the int64 bounds: token sums saturate instead of overflowing.
  Reply edge = send(
      "POST", "/api/request-logs/",
      R"({"model": "m", "prompt_tokens": 9223372036854775807, "completion_tokens": 9223372036854775807})");
  EXPECT_EQ(edge.status, 200) << edge.text;
  EXPECT_TRUE(server_.request_logs().size() == 1u);
}

TEST_F(Robustness, IdleSocketsDoNotDelayAnotherClient) {
  std::vector<int> idle;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(server_.port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < 400; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
    idle.push_back(fd);
  }
  const auto start = std::chrono::steady_clock::now();
  Reply r = call("POST", "/api/request-logs/", span());
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.status, 200);
  EXPECT_LT(took, std::chrono::milliseconds(4000))
      << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
  for (const int fd : idle)
    ::close(fd);
}

TEST_F(Robustness, PipelinedRequestsAreAnsweredWithoutWaiting) {
  // Two requests in one write: the second is already buffered when the first is answered.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(server_.port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const std::string body = R"({"model": "m"})";
  const std::string one =
      "POST /api/request-logs/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + server_.api_key() +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + body;
  const std::string two = one + one;
  ASSERT_EQ(::send(fd, two.data(), two.size(), MSG_NOSIGNAL), static_cast<ssize_t>(two.size()));
  const auto start = std::chrono::steady_clock::now();
  std::string got;
  char buf[4096];
  std::size_t answers = 0;
  while (answers < 2) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
    answers = 0;
    for (std::size_t at = got.find("HTTP/1.1 200"); at != std::string::npos;
         at = got.find("HTTP/1.1 200", at + 1))
      ++answers;
  }
  ::close(fd);
  EXPECT_EQ(answers, 2u) << got;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(4000));
}

}  // namespace
}  // namespace contract
