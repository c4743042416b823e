// Peak memory of a BatchLogger while the server is down: a logger pointed at a closed
// loopback port, with max_queue_bytes = 32 MiB, is given 1,000,000 typical chat spans
// (log(const RequestLog&), so the caller holds no copies). The queue fills to its cap and the
// rest is dropped as queue_full; the process's peak RSS (VmHWM) must grow by at most the cap
// plus 10 MiB. Prints one JSON object; exit status 0 only if the bound holds.
//
//   cmake --build build/release --target respan_batch_rss && ./build/release/bench/respan_batch_rss
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <respan/batch_logger.hpp>
#include <respan/respan.hpp>

#include "bench_common.hpp"

namespace {

constexpr std::uint64_t kSpans = 1000000;
constexpr std::uint64_t kCapBytes = 32u * 1024u * 1024u;
constexpr std::uint64_t kSlackBytes = 10u * 1024u * 1024u;

// A loopback port nothing listens on: bound to get a free one, then closed.
int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

// A "VmHWM:" / "VmRSS:" line of /proc/self/status, in bytes (0 if absent).
std::uint64_t proc_status_bytes(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, field.size(), field) == 0) {
      return std::stoull(line.substr(field.size())) * 1024u;  // "  12345 kB"
    }
  }
  return 0;
}

std::uint64_t ru_maxrss_bytes() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<std::uint64_t>(u.ru_maxrss) * 1024u;  // KiB on Linux
}

}  // namespace

int main() {
  respan::ClientOptions co;
  co.api_key = "rss-key";
  co.base_url = "http://127.0.0.1:" + std::to_string(closed_port());
  auto client = respan::RespanClient::create(co);
  if (!client) {
    std::cerr << "cannot create client: " << client.error() << "\n";
    return 1;
  }
  respan::BatchOptions bo;
  bo.max_queue_bytes = kCapBytes;
  bo.max_queue_spans = 10 * kSpans;  // the byte cap is the one that binds
  respan::BatchLogger logger(*client, bo);
  const respan::RequestLog span = respan_bench::sample_span();

  const std::uint64_t baseline = proc_status_bytes("VmHWM:");
  const auto t0 = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < kSpans; ++i)
    logger.log(span);
  const auto t1 = std::chrono::steady_clock::now();
  const respan::DeliveryReport before_shutdown = logger.stats();
  const std::uint64_t peak = proc_status_bytes("VmHWM:");
  const std::uint64_t rss = proc_status_bytes("VmRSS:");
  const respan::DeliveryReport report = logger.shutdown(std::chrono::milliseconds(200));
  const auto t2 = std::chrono::steady_clock::now();

  const std::uint64_t growth = peak > baseline ? peak - baseline : 0;
  const std::uint64_t limit = logger.options().max_queue_bytes + kSlackBytes;
  const bool ok = growth <= limit && report.logged == kSpans && report.pending == 0;
  respan::Json j;
  respan::Json r;
  respan::Json queued;
  respan::to_json(r, report);
  respan::to_json(queued, before_shutdown);
  j["spans"] = kSpans;
  j["cap_bytes"] = logger.options().max_queue_bytes;
  j["limit_bytes"] = limit;
  j["baseline_hwm_bytes"] = baseline;
  j["peak_hwm_bytes"] = peak;
  j["rss_after_logging_bytes"] = rss;
  j["ru_maxrss_bytes"] = ru_maxrss_bytes();
  j["growth_bytes"] = growth;
  j["growth_mib"] = static_cast<double>(growth) / (1024.0 * 1024.0);
  j["logging_ms"] = std::chrono::duration<double, std::milli>(t1 - t0).count();
  j["shutdown_ms"] = std::chrono::duration<double, std::milli>(t2 - t1).count();
  j["report_before_shutdown"] = queued;
  j["report"] = r;
  j["ok"] = ok;
  std::cout << j.dump() << "\n";
  if (!ok) {
    std::cerr << "respan_batch_rss: peak RSS grew by " << growth << " bytes, more than the cap "
              << logger.options().max_queue_bytes << " + 10 MiB, or spans are unaccounted\n";
    return 1;
  }
  return 0;
}
