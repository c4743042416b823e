// Fuzzes URL and path building: percent_encode/percent_decode, detail::validate_options with
// the text as base_url, and Pipeline::url_for with the text as a path segment and as query
// names/values. Checked properties:
// - percent_decode(percent_encode(x)) == x (with and without plus_as_space), and the encoding
//   holds only unreserved characters and %XX escapes;
// - a base_url that validates starts with http:// or https://, has no query, fragment or
//   trailing slash;
// - url_for() yields base_url + path + "?" + encoded query, and decoding each query
//   component gives back the original name and value.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <respan/options.hpp>
#include <respan/result.hpp>
#include <respan/transport.hpp>

#include "http/pipeline.hpp"
#include "util/text.hpp"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// Never called: url_for() does no I/O. Keeps the Pipeline from creating a curl transport.
class NoTransport : public respan::Transport {
 public:
  respan::Result<respan::HttpResponse> send(const respan::HttpRequest&) override {
    return respan::Error::make(respan::ErrorCode::network, "fuzz: no transport");
  }
};

bool is_unreserved(char c) {
  return respan::detail::is_ascii_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

bool is_upper_hex(char c) {
  return respan::detail::is_ascii_digit(c) || (c >= 'A' && c <= 'F');
}

void check_encoding(std::string_view in) {
  const std::string enc = respan::detail::percent_encode(in);
  for (std::size_t i = 0; i < enc.size(); ++i) {
    if (enc[i] == '%') {
      check(i + 2 < enc.size() && is_upper_hex(enc[i + 1]) && is_upper_hex(enc[i + 2]));
      i += 2;
    } else {
      check(is_unreserved(enc[i]));
    }
  }
  check(respan::detail::percent_decode(enc, false) == in);
  check(respan::detail::percent_decode(enc, true) == in);
  // Decoding arbitrary text must not crash (and never grows it).
  check(respan::detail::percent_decode(in, true).size() <= in.size());
  check(respan::detail::percent_decode(in, false).size() <= in.size());
}

void check_base_url(const std::string& text) {
  respan::ClientOptions o;
  o.api_key = "fuzz-key";
  o.base_url = text;
  o.transport = std::make_shared<NoTransport>();
  respan::Result<respan::ClientOptions> v = respan::detail::validate_options(std::move(o));
  if (!v) {
    check(v.error().code == respan::ErrorCode::invalid_argument);
    return;
  }
  const std::string& base = v->base_url;
  check(base.rfind("http://", 0) == 0 || base.rfind("https://", 0) == 0);
  check(base.find_first_of("?#") == std::string::npos);
  check(base.back() != '/');
}

void check_url_for(const std::string& base_url, const std::string& text) {
  respan::ClientOptions o;
  o.api_key = "fuzz-key";
  o.base_url = base_url;
  o.transport = std::make_shared<NoTransport>();
  respan::Result<respan::ClientOptions> v = respan::detail::validate_options(std::move(o));
  check(static_cast<bool>(v));
  const respan::detail::Pipeline pipeline(std::move(v).value());
  const std::string& base = pipeline.options().base_url;

  // The text as a path parameter (as the resources build their paths) and as query values.
  // Split the text in two for a query name/value pair.
  const std::size_t half = text.size() / 2;
  respan::detail::ApiRequest r;
  r.method = respan::HttpMethod::post;
  r.path = "/api/datasets/" + respan::detail::percent_encode(text) + "/logs/";
  r.query = {{"page", text}, {text.substr(0, half), text.substr(half)}, {"sort_by", "-id"}};
  const std::string url = pipeline.url_for(r);

  check(url.rfind(base + r.path, 0) == 0);
  std::string_view query(url);
  query.remove_prefix(base.size() + r.path.size());
  check(!query.empty() && query.front() == '?');
  query.remove_prefix(1);
  for (const auto& [name, value] : r.query) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t eq = pair.find('=');
    check(eq != std::string_view::npos);
    check(respan::detail::percent_decode(pair.substr(0, eq), true) == name);
    check(respan::detail::percent_decode(pair.substr(eq + 1), true) == value);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  check(query.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  check_encoding(text);
  check_base_url(text);
  check_url_for("https://api.respan.ai", text);
  // The fuzzed text as base_url too, when it validates.
  respan::ClientOptions probe;
  probe.api_key = "k";
  probe.base_url = text;
  if (respan::detail::validate_options(probe)) check_url_for(text, text);
  return 0;
}
