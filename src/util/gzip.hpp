// Internal: gzip (RFC 1952) with zlib, for OTLP request bodies (`Content-Encoding: gzip`):
// compression in respan, bounded decompression in the mock server and the tests. Header-only
// so both libraries use it without a link dependency on each other (each links zlib).
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

#include <zlib.h>

namespace respan::detail {

/// Appends the gzip encoding of `in` to `out` (level 1-9; 6 is zlib's default). False when
/// zlib fails (out of memory); `out` is then left as it was.
inline bool gzip_compress(std::string_view in, std::string& out, int level = 6) {
  z_stream z{};
  // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return false;
  const std::size_t start = out.size();
  const auto bound = static_cast<std::size_t>(deflateBound(&z, static_cast<uLong>(in.size())));
  out.resize(start + bound);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(&out[start]);
  z.avail_out = static_cast<uInt>(bound);
  const int rc = deflate(&z, Z_FINISH);
  const std::size_t written = bound - z.avail_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END || in.size() > 0xFFFFFFFFu) {
    out.resize(start);
    return false;
  }
  out.resize(start + written);
  return true;
}

enum class GunzipStatus { ok, too_large, malformed };

/// Decompresses one or more concatenated gzip members from `in` into `out` (replaced), never
/// producing more than `max_out` bytes (GunzipStatus::too_large beyond: a small body cannot
/// inflate into unbounded memory). Anything that is not complete gzip is `malformed`.
inline GunzipStatus gunzip(std::string_view in, std::size_t max_out, std::string& out) {
  out.clear();
  if (in.empty()) return GunzipStatus::malformed;
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return GunzipStatus::malformed;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(std::min<std::size_t>(in.size(), 0xFFFFFFFFu));
  char buf[16384];
  GunzipStatus status = GunzipStatus::malformed;
  while (true) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    const int rc = inflate(&z, Z_NO_FLUSH);
    const std::size_t got = sizeof buf - z.avail_out;
    if (out.size() + got > max_out) {
      status = GunzipStatus::too_large;
      break;
    }
    out.append(buf, got);
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0) {
        status = GunzipStatus::ok;
        break;
      }
      if (inflateReset(&z) != Z_OK) break;  // another gzip member follows
      continue;
    }
    if (rc != Z_OK) break;  // corrupt, or truncated (Z_BUF_ERROR: no input left)
  }
  inflateEnd(&z);
  if (status != GunzipStatus::ok) out.clear();
  return status;
}

}  // namespace respan::detail
