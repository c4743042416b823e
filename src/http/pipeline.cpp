#include "http/pipeline.hpp"

#include <algorithm>
#include <cstdio>
#include <thread>

#include <respan/retry.hpp>
#include <respan/version.hpp>

#include "http/retry_class.hpp"
#include "http/retry_detail.hpp"
#include "models/json_io.hpp"
#include "util/fork.hpp"
#include "util/json_limits.hpp"
#include "util/json_write.hpp"
#include "util/options_check.hpp"
#include "util/proto_wire.hpp"

namespace respan::detail {

namespace {

using std::chrono::milliseconds;

Error invalid(std::string message) {
  return invalid_option(std::move(message));
}

bool has_control(std::string_view s, bool allow_tab = false) {
  return std::any_of(s.begin(), s.end(),
                     [&](char c) { return is_ascii_control(c) && !(allow_tab && c == '\t'); });
}

bool is_token_char(char c) {
  return is_ascii_alnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Headers the SDK or libcurl sets itself: a second copy would be ambiguous or smuggled.
constexpr std::string_view kReservedHeaders[] = {
    "authorization",   "content-type",    "content-length", "host",   "user-agent",
    "accept",          "accept-encoding", "connection",     "expect", "transfer-encoding",
    "content-encoding"};

constexpr int kMaxRetriesLimit = 100;

// Splits "scheme://authority/path" and checks the authority; returns the host.
Result<std::string> check_base_url(const std::string& base, bool& is_http) {
  const std::size_t scheme_end = base.find("://");
  if (scheme_end == std::string::npos) {
    return invalid("base_url must start with http:// or https:// (got '" + base + "')");
  }
  const std::string scheme = ascii_lower(base.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") {
    return invalid("base_url must start with http:// or https:// (got '" + base + "')");
  }
  is_http = scheme == "http";
  const std::size_t auth_begin = scheme_end + 3;
  const std::size_t auth_end = base.find('/', auth_begin);
  const std::string authority = base.substr(
      auth_begin, auth_end == std::string::npos ? std::string::npos : auth_end - auth_begin);
  if (authority.find('@') != std::string::npos) {
    return invalid("base_url must not contain credentials (user@host)");
  }
  std::string host = authority;
  std::string port;
  if (!host.empty() && host.front() == '[') {
    const std::size_t close = host.find(']');
    if (close == std::string::npos) return invalid("base_url has an unterminated IPv6 address");
    port = host.substr(close + 1);
    host = host.substr(0, close + 1);
    if (!port.empty() && port.front() != ':') return invalid("base_url has a malformed port");
    if (!port.empty()) port.erase(0, 1);
  } else if (const std::size_t colon = host.find(':'); colon != std::string::npos) {
    port = host.substr(colon + 1);
    host.resize(colon);
  }
  if (host.empty()) return invalid("base_url has no host");
  for (char c : host) {
    if (!(is_ascii_alnum(c) || c == '-' || c == '.' || c == '_' || c == '[' || c == ']' ||
          c == ':')) {
      return invalid("base_url host contains an invalid character");
    }
  }
  if (!port.empty()) {
    const auto p = parse_int64(port);
    if (!p || *p < 1 || *p > 65535 || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), is_ascii_digit)) {
      return invalid("base_url has an invalid port '" + port + "'");
    }
  }
  // Dot segments ("/./", "/../", a trailing "/..", also percent-encoded as %2e): libcurl and
  // servers collapse them, so the requests would reach another path than the one configured.
  if (auth_end != std::string::npos) {
    const std::string_view path = std::string_view(base).substr(auth_end + 1);
    std::size_t start = 0;
    while (start <= path.size()) {
      std::size_t end = path.find('/', start);
      if (end == std::string_view::npos) end = path.size();
      const std::string seg = percent_decode(path.substr(start, end - start), false);
      if (seg == "." || seg == "..") {
        return invalid("base_url path must not contain \".\" or \"..\" segments");
      }
      start = end + 1;
    }
  }
  return host;
}

std::optional<Error> check_retry_policy(const RetryPolicy& r) {
  if (r.max_retries < 0 || r.max_retries > kMaxRetriesLimit) {
    return invalid("retry.max_retries must be between 0 and " + std::to_string(kMaxRetriesLimit));
  }
  if (auto e = check_duration("retry.min_backoff", r.min_backoff, milliseconds(1), kHour)) return e;
  if (auto e = check_duration("retry.max_backoff", r.max_backoff, r.min_backoff, kHour)) return e;
  if (auto e =
          check_duration("retry.initial_backoff", r.initial_backoff, r.min_backoff, r.max_backoff))
    return e;
  if (auto e = check_duration("retry.max_retry_after", r.max_retry_after, milliseconds(0), kHour))
    return e;
  if (!std::isfinite(r.multiplier) || r.multiplier < 1.0 || r.multiplier > 100.0) {
    return invalid("retry.multiplier must be a finite number between 1 and 100");
  }
  if (!std::isfinite(r.jitter) || r.jitter < 0.0 || r.jitter > 1.0) {
    return invalid("retry.jitter must be a finite number between 0 and 1");
  }
  return std::nullopt;
}

std::string json_text(const Json& v) {
  return v.is_string() ? v.get<std::string>() : to_json_text(v);
}

std::string summarize_text(std::string s) {
  truncate_utf8(s, 300);
  std::replace_if(
      s.begin(), s.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return s;
}

bool is_message_list(const Json& v) {
  if (v.is_string()) return true;
  if (!v.is_array() || v.empty()) return false;
  return std::all_of(v.begin(), v.end(), [](const Json& x) { return x.is_string(); });
}

void add_field_errors(const Json& obj, Error& e) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (e.field_errors.size() >= Error::kMaxFieldErrors) break;
    auto& msgs = e.field_errors[it.key()];
    if (it->is_array()) {
      for (const auto& m : *it) {
        if (msgs.size() >= Error::kMaxFieldErrors) break;
        msgs.push_back(json_text(m));
      }
    } else {
      msgs.push_back(json_text(*it));
    }
  }
}

std::string what_of(const ApiRequest& r) {
  return std::string(to_string(r.method)) + " " + r.path;
}

}  // namespace

bool is_loopback_host(std::string_view host_text) {
  const std::string host = ascii_lower(host_text);
  if (host == "localhost" || host == "[::1]" || host == "::1") return true;
  if (host.rfind("127.", 0) != 0) return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') {
      ++dots;
    } else if (!is_ascii_digit(c)) {
      return false;
    }
  }
  return dots == 3;
}

std::optional<Error> check_header(const std::string& name, const std::string& value,
                                  bool allow_authorization) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char)) {
    return invalid("header name '" + summarize_text(name) + "' is not a valid HTTP token");
  }
  if (has_control(value, /*allow_tab=*/true)) {
    return invalid("header '" + name + "' has a control character (CR, LF, NUL...) in its value");
  }
  for (std::string_view reserved : kReservedHeaders) {
    if (allow_authorization && iequals(reserved, "Authorization")) continue;
    if (iequals(name, reserved)) {
      return invalid("header '" + name + "' is set by the SDK and cannot be given");
    }
  }
  return std::nullopt;
}

Result<ClientOptions> validate_options(ClientOptions o) {
  o.api_key = std::string(trim(o.api_key));
  if (o.api_key.empty()) {
    return invalid(
        "no API key: set ClientOptions::api_key or the RESPAN_API_KEY environment variable");
  }
  // Only visible ASCII goes into the Authorization header unchanged; the message never
  // repeats the key.
  if (has_control(o.api_key)) {
    return invalid("the API key contains a control character (NUL, CR, LF, ...)");
  }
  if (!std::all_of(o.api_key.begin(), o.api_key.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u >= 0x21 && u <= 0x7e;
      })) {
    return invalid(
        "the API key contains a space or a non-ASCII byte (only visible ASCII characters, "
        "0x21-0x7E, are allowed)");
  }
  std::string base(trim(o.base_url));
  if (has_control(base) || base.find(' ') != std::string::npos) {
    return invalid("base_url contains a space or a control character");
  }
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  if (base.size() >= 4 && base.compare(base.size() - 4, 4, "/api") == 0)
    base.resize(base.size() - 4);
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  if (base.find_first_of("?#") != std::string::npos) {
    return invalid("base_url must not contain a query or fragment");
  }
  bool is_http = false;
  Result<std::string> host = check_base_url(base, is_http);
  if (!host) return std::move(host).error();
  if (is_http && !o.allow_insecure_http && !is_loopback_host(*host)) {
    return invalid(
        "base_url uses plain http:// to a non-loopback host, which would send the API "
        "key in clear text: use https:// or set ClientOptions::allow_insecure_http");
  }
  const std::size_t scheme_end = base.find("://");
  o.base_url = ascii_lower(std::string_view(base).substr(0, scheme_end)) + base.substr(scheme_end);
  // duration::max() means "no limit": the longest value each option takes (none for the
  // call deadline). Other values outside the ranges below are refused, negative ones too.
  saturate(o.connect_timeout, kHour);
  saturate(o.request_timeout, kDay);
  saturate(o.call_deadline, milliseconds(0));
  for (milliseconds* d : {&o.retry.initial_backoff, &o.retry.min_backoff, &o.retry.max_backoff,
                          &o.retry.max_retry_after})
    saturate(*d, kHour);
  if (auto e = check_duration("connect_timeout", o.connect_timeout, milliseconds(1), kHour))
    return *e;
  if (auto e = check_duration("request_timeout", o.request_timeout, milliseconds(1), kDay))
    return *e;
  if (auto e = check_duration("call_deadline", o.call_deadline, milliseconds(0), kWeek)) {
    e->message += "; use 0 for no deadline";
    return *e;
  }
  if (o.max_response_bytes < 1024 || o.max_response_bytes > (std::size_t{1} << 30)) {
    return invalid("max_response_bytes must be between 1 KiB and 1 GiB");
  }
  if (auto e = check_retry_policy(o.retry)) return *e;
  for (const auto& [name, value] : o.default_headers) {
    if (auto e = check_header(name, value)) {
      e->message = "default_headers: " + e->message;
      return *e;
    }
  }
  if (has_control(o.user_agent_suffix)) {
    return invalid("user_agent_suffix contains a control character");
  }
  if (has_control(o.proxy)) return invalid("proxy contains a control character");
  if (has_control(o.ca_bundle)) return invalid("ca_bundle contains a control character");
  return o;
}

std::optional<Error> check_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return invalid("request path must start with '/'");
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const bool last = end == path.size();
    const std::string_view raw = path.substr(start, end - start);
    if (!(last && raw.empty())) {  // a trailing '/' ends the path; other empty segments do not
      const std::string seg = percent_decode(raw, false);
      if (seg.empty() || seg == "." || seg == ".." || has_control(seg)) {
        std::string shown = seg;
        for (char& c : shown)
          if (is_ascii_control(c)) c = '?';
        return invalid("invalid path parameter \"" + summarize_text(shown) +
                       "\": ids must not be empty, \".\", \"..\" or contain control characters");
      }
    }
    start = end + 1;
  }
  return std::nullopt;
}

std::optional<Error> check_body(const Json& body) {
  // One iterative pass (a caller-built value may be nested arbitrarily deep, so no
  // recursion); the path of a bad number is worked out only when there is one.
  std::vector<std::pair<const Json*, std::size_t>> stack{{&body, 0}};
  bool non_finite = false;
  while (!stack.empty() && !non_finite) {
    const auto [v, depth] = stack.back();
    stack.pop_back();
    if (v->is_number_float()) {
      non_finite = !std::isfinite(v->get<double>());
      continue;
    }
    if (!v->is_structured()) continue;
    if (depth + 1 > kMaxJsonDepth) {
      return invalid("request body nests JSON deeper than " + std::to_string(kMaxJsonDepth) +
                     " levels");
    }
    for (const Json& child : *v) {
      if (child.is_structured() || child.is_number_float()) stack.emplace_back(&child, depth + 1);
    }
  }
  if (!non_finite) return std::nullopt;
  std::string where = "(body)";
  try {
    check_finite(body);  // the models' walker names the path of the first bad number
  } catch (const EncodeError& e) {
    if (!e.path().empty()) where = e.path();
  }
  return invalid("request body field " + where +
                 " is not a finite number (NaN and infinity cannot be sent as JSON)");
}

Error error_from_response(const HttpResponse& res, std::chrono::system_clock::time_point now) {
  Error e;
  e.http_status = res.status;
  e.code = error_code_for_status(res.status);
  e.raw_body = res.body;
  e.body_bytes = res.body.size();
  const BoundedJson parsed = parse_json_bounded(res.body);
  const Json& j = parsed.value;
  e.retry_after = server_retry_delay(res, now, &j);
  if (j.is_object()) {
    for (const char* key : {"detail", "error", "message"}) {
      auto it = j.find(key);
      if (it != j.end() && !it->is_null()) {
        e.message = json_text(*it);
        break;
      }
    }
    if (auto it = j.find("errors"); it != j.end() && it->is_object()) add_field_errors(*it, e);
    if (e.message.empty() && e.field_errors.empty()) {
      // Django REST framework style: {"field": ["message", ...], ...}
      bool all = !j.empty();
      for (const auto& v : j)
        all = all && is_message_list(v);
      if (all) add_field_errors(j, e);
    }
  } else if (auto type = res.header("content-type");
             type && proto::is_protobuf_media_type(*type) && !res.body.empty()) {
    // An OTLP/HTTP receiver answers a protobuf request's failure with a google.rpc.Status.
    if (auto m = proto::rpc_status_message(res.body)) e.message = summarize_text(*m);
  } else if (parsed.status == JsonParseStatus::too_deep) {
    e.message = "error body nests JSON deeper than " + std::to_string(kMaxJsonDepth) + " levels";
  } else if (parsed.status == JsonParseStatus::ok && !res.body.empty()) {
    e.message = summarize_text(json_text(j));
  } else if (!res.body.empty()) {
    e.message = summarize_text(res.body);
  }
  if (e.message.empty()) {
    const std::string_view phrase = reason_phrase(res.status);
    e.message = phrase.empty() ? "unexpected HTTP status" : std::string(phrase);
  }
  if (res.status >= 300 && res.status < 400) {
    if (auto loc = res.header("location")) {
      e.message += " (redirect to " + summarize_text(*loc) + " not followed)";
    }
  }
  return e;
}

Pipeline::Pipeline(ClientOptions options) : options_(std::move(options)) {
  transport_ = options_.transport;
  if (!transport_) {
    CurlTransportOptions t;
    t.proxy = options_.proxy;
    t.ca_bundle = options_.ca_bundle;
    t.verify_tls = options_.verify_tls;
    t.connect_timeout = options_.connect_timeout;
    t.max_response_bytes = options_.max_response_bytes;
    transport_ = make_curl_transport(t);
  }
  user_agent_ = std::string("respan-cpp/") + std::string(version());
  if (!options_.user_agent_suffix.empty()) user_agent_ += " " + options_.user_agent_suffix;

  const std::string& key = options_.api_key;
  auto add_form = [this](std::string form) {
    if (!form.empty() && std::find(key_forms_.begin(), key_forms_.end(), form) == key_forms_.end())
      key_forms_.push_back(std::move(form));
  };
  // The key as a server may echo it: verbatim, JSON-escaped, with '/' escaped as "\/" (as
  // some JSON encoders do) on top of either, and URL-encoded.
  const std::string json_escaped = Json(key).dump(-1, ' ', true, Json::error_handler_t::replace);
  for (const std::string& form : {key, json_escaped.substr(1, json_escaped.size() - 2)}) {
    add_form(form);
    std::string slash_escaped;
    for (char c : form) {
      if (c == '/') slash_escaped += '\\';
      slash_escaped += c;
    }
    add_form(std::move(slash_escaped));
  }
  add_form(percent_encode(key));

  if (!options_.verify_tls) {
    log(LogLevel::warn,
        "TLS certificate and host-name verification is OFF (ClientOptions::verify_tls = false): "
        "anyone on the network path can read the API key and the data; use only in tests");
  }
}

namespace {

int hex_value(char c) {
  if (is_ascii_digit(c)) return c - '0';
  const char l = ascii_lower(c);
  return l >= 'a' && l <= 'f' ? l - 'a' + 10 : -1;
}

// The byte `text[i...]` stands for when read as the inside of a JSON string or as a
// percent-encoded URL, and how many bytes of `text` spell it: a JSON escape (`\/`, `\"`,
// `\\`, `\n`..., `\uXXXX` in either case) or `%XX` counts as the one byte it escapes; a
// `\uXXXX` beyond ASCII stands for no byte a key holds ('\0'). Anything else is itself.
std::pair<char, std::size_t> escaped_byte_at(std::string_view text, std::size_t i) {
  const char c = text[i];
  const std::size_t left = text.size() - i;
  if (c == '\\' && left >= 2) {
    switch (text[i + 1]) {
      case '"':
      case '\\':
      case '/':
        return {text[i + 1], 2};
      case 'b':
        return {'\b', 2};
      case 'f':
        return {'\f', 2};
      case 'n':
        return {'\n', 2};
      case 'r':
        return {'\r', 2};
      case 't':
        return {'\t', 2};
      case 'u': {
        if (left < 6) break;
        int v = 0;
        for (std::size_t k = 2; k < 6; ++k) {
          const int h = hex_value(text[i + k]);
          if (h < 0) return {c, 1};
          v = v * 16 + h;
        }
        return {v < 0x80 ? static_cast<char>(v) : '\0', 6};
      }
      default:
        break;
    }
  } else if (c == '%' && left >= 3) {
    const int hi = hex_value(text[i + 1]);
    const int lo = hex_value(text[i + 2]);
    if (hi >= 0 && lo >= 0) return {static_cast<char>(hi * 16 + lo), 3};
  }
  return {c, 1};
}

// Replaces every spelling of `key` in which some bytes are escaped (see escaped_byte_at), in
// any mix, e.g. "sk\u002Dab\/c" or "sk%2dab%2Fc" for "sk-ab/c".
std::string scrub_escaped(std::string_view text, std::string_view key) {
  std::string out;
  std::size_t copied = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != key.front() && c != '\\' && c != '%') {
      ++i;
      continue;
    }
    std::size_t pos = i;
    std::size_t k = 0;
    for (; k < key.size() && pos < text.size(); ++k) {
      const auto [byte, len] = escaped_byte_at(text, pos);
      if (byte != key[k]) break;
      pos += len;
    }
    if (k == key.size()) {
      out.append(text.substr(copied, i - copied));
      out += "[redacted]";
      copied = i = pos;
    } else {
      ++i;
    }
  }
  if (copied == 0) return std::string(text);
  out.append(text.substr(copied));
  return out;
}

}  // namespace

std::string Pipeline::scrub(std::string text) const {
  for (const std::string& form : key_forms_) {
    for (std::size_t pos = text.find(form); pos != std::string::npos; pos = text.find(form, pos)) {
      text.replace(pos, form.size(), "[redacted]");
      pos += 10;
    }
  }
  // The key with some of its bytes escaped, the way JSON encoders may echo it (`\/`, `\"`,
  // `\\`, `\u002f`, `\u0041`, mixed) or URL-encoded in either case (%2f).
  if (!options_.api_key.empty()) text = scrub_escaped(text, options_.api_key);
  return text;
}

void Pipeline::sanitize(Error& e) const {
  e.message = scrub(std::move(e.message));
  truncate_utf8(e.message, Error::kMaxMessageBytes);
  e.raw_body = scrub(std::move(e.raw_body));
  truncate_utf8(e.raw_body, Error::kMaxRawBodyBytes);
  e.request = scrub(std::move(e.request));
  truncate_utf8(e.request, Error::kMaxMessageBytes);
  std::map<std::string, std::vector<std::string>> fields;
  for (auto& [field, msgs] : e.field_errors) {
    if (fields.size() >= Error::kMaxFieldErrors) break;
    std::string name = scrub(field);
    truncate_utf8(name, Error::kMaxMessageBytes);
    auto& out = fields[std::move(name)];
    for (auto& m : msgs) {
      if (out.size() >= Error::kMaxFieldErrors) break;
      std::string text = scrub(std::move(m));
      truncate_utf8(text, Error::kMaxMessageBytes);
      out.push_back(std::move(text));
    }
  }
  e.field_errors = std::move(fields);
}

void Pipeline::log(LogLevel level, std::string_view message) const {
  if (!options_.log || level < options_.log_level) return;
  try {
    options_.log(level, scrub(std::string(message)));
  } catch (...) {
    // A throwing log sink must not break the call.
  }
}

void Pipeline::report(LogLevel level, std::string_view message) const noexcept {
  if (options_.log) {
    log(level, message);
    return;
  }
  try {
    const std::string line = "respan: " + scrub(std::string(message)) + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
  } catch (...) {  // out of memory: nothing to say it with
  }
}

std::string Pipeline::url_for(const ApiRequest& r) const {
  std::string url = r.absolute_url ? *r.absolute_url : options_.base_url + r.path;
  char sep = '?';
  for (const auto& [k, v] : r.query) {
    url += sep;
    url += percent_encode(k);
    url += '=';
    url += percent_encode(v);
    sep = '&';
  }
  return url;
}

std::chrono::system_clock::time_point Pipeline::now() const {
  if (options_.clock) {
    try {
      return options_.clock();
    } catch (...) {
    }
  }
  return std::chrono::system_clock::now();
}

std::chrono::steady_clock::time_point Pipeline::steady_now() const {
  if (options_.steady_clock) {
    try {
      return options_.steady_clock();
    } catch (...) {
    }
  }
  return std::chrono::steady_clock::now();
}

double Pipeline::random01() const {
  if (options_.random) {
    try {
      const double r = options_.random();
      return std::isfinite(r) ? std::clamp(r, 0.0, 1.0) : 0.5;
    } catch (...) {
      return 0.5;
    }
  }
  // 53 random bits: uniform in [0, 1). The per-thread source needs no lock and is reseeded
  // after fork(), so a child never replays its parent's jitter.
  return static_cast<double>(random_u64() >> 11) * 0x1.0p-53;
}

void Pipeline::sleep_for(milliseconds d, const CancellationToken* cancel) const {
  if (options_.sleeper) {
    try {
      options_.sleeper(d);
      return;
    } catch (...) {
      // fall through to the real sleep
    }
  }
  const auto until = std::chrono::steady_clock::now() + d;
  while ((cancel == nullptr || !cancel->is_cancelled()) &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        milliseconds(20), until - std::chrono::steady_clock::now()));
  }
}

bool Pipeline::is_idempotent(Idempotency idem) const noexcept {
  switch (idem) {
    case Idempotency::idempotent:
      return true;
    case Idempotency::non_idempotent:
      return false;
    case Idempotency::span_create:
      return options_.span_delivery == SpanDelivery::at_least_once;
  }
  return false;
}

bool Pipeline::should_retry(const Error& e, bool idempotent) noexcept {
  return may_retry(classify_failure(e), idempotent);  // the one classifier (http/retry_class.hpp)
}

Result<Reply> Pipeline::execute(const ApiRequest& r, const RequestOptions& call) const {
  return execute_with(r, nullptr, call);
}

Result<Reply> Pipeline::execute_lending(ApiRequest& r, const RequestOptions& call) const {
  return execute_with(r, r.body_text ? &*r.body_text : nullptr, call);
}

Result<Reply> Pipeline::execute_with(const ApiRequest& r, std::string* lent,
                                     const RequestOptions& call) const {
  const std::string what = what_of(r);
  auto refuse = [&](Error e) {
    e.request = what;
    sanitize(e);
    log(LogLevel::warn, "request refused: " + e.to_string());
    return e;
  };
  if (!r.absolute_url) {
    if (auto bad = check_path(r.path)) return refuse(std::move(*bad));
  }
  std::optional<milliseconds> per_call_timeout = call.request_timeout;
  std::optional<milliseconds> per_call_deadline = call.call_deadline;
  if (per_call_timeout) saturate(*per_call_timeout, kDay);
  if (per_call_deadline) saturate(*per_call_deadline, milliseconds(0));
  if (call.request_timeout) {
    if (auto e = check_duration("RequestOptions::request_timeout", *per_call_timeout,
                                milliseconds(1), kDay))
      return refuse(std::move(*e));
  }
  if (call.call_deadline) {
    if (auto e = check_duration("RequestOptions::call_deadline", *per_call_deadline,
                                milliseconds(0), kWeek))
      return refuse(std::move(*e));
  }
  if (call.max_retries && (*call.max_retries < 0 || *call.max_retries > kMaxRetriesLimit)) {
    return refuse(invalid("RequestOptions::max_retries must be between 0 and " +
                          std::to_string(kMaxRetriesLimit)));
  }
  for (const auto& [name, value] : call.headers) {
    if (auto e = check_header(name, value, !r.authenticated)) return refuse(std::move(*e));
  }

  const int max_retries = call.max_retries.value_or(options_.retry.max_retries);
  const milliseconds per_attempt = per_call_timeout.value_or(options_.request_timeout);
  const milliseconds budget = per_call_deadline.value_or(options_.call_deadline);
  const bool has_deadline = budget.count() > 0;
  const auto deadline = steady_now() + budget;
  const bool idempotent = is_idempotent(r.idempotency);

  HttpRequest req;
  // A lent body goes back to its owner however this returns.
  struct GiveBack {
    HttpRequest& req;
    std::string* owner;
    ~GiveBack() {
      if (owner != nullptr && req.body) *owner = std::move(*req.body);
    }
  } give_back{req, nullptr};
  req.method = r.method;
  req.url = url_for(r);
  req.cancel = call.cancel;
  req.connect_timeout = options_.connect_timeout;
  req.headers.reserve(6 + options_.default_headers.size() + call.headers.size());
  if (!r.absolute_url) {  // a third-party endpoint gets only the call's own headers
    for (const auto& h : options_.default_headers)
      req.headers.push_back(h);
  }
  for (const auto& h : call.headers)
    req.headers.push_back(h);
  if (r.authenticated) req.headers.emplace_back("Authorization", "Bearer " + options_.api_key);
  req.headers.emplace_back("User-Agent", user_agent_);
  req.headers.emplace_back("Accept", r.content_type ? *r.content_type : "application/json");
  if (r.body) {
    if (auto bad = check_body(*r.body)) return refuse(std::move(*bad));
    req.headers.emplace_back("Content-Type", "application/json");
    // Invalid UTF-8 in user strings is replaced (U+FFFD) rather than failing the call.
    req.body = to_json_text(*r.body);
  } else if (r.body_text) {
    req.headers.emplace_back("Content-Type", r.content_type ? *r.content_type : "application/json");
    if (r.content_encoding) req.headers.emplace_back("Content-Encoding", *r.content_encoding);
    if (lent != nullptr) {
      req.body = std::move(*lent);
      give_back.owner = lent;
    } else {
      req.body = *r.body_text;
    }
  }

  Error last;
  bool maybe_processed = false;  // an earlier attempt may have reached the server
  for (int attempt = 1;; ++attempt) {
    if (call.cancel && call.cancel->is_cancelled()) {
      Error e = Error::make(ErrorCode::cancelled, "call cancelled");
      e.attempts = attempt - 1;
      e.request = what;
      return e;
    }
    milliseconds timeout = per_attempt;
    if (has_deadline) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - steady_now());
      if (left.count() <= 0) {
        Error e =
            Error::make(ErrorCode::timeout,
                        "call deadline of " + std::to_string(budget.count()) + " ms exceeded");
        e.attempts = attempt - 1;
        e.request = what;
        return e;
      }
      timeout = std::min(timeout, left);
    }
    req.timeout = timeout;
    const auto sent_at = std::chrono::steady_clock::now();
    Result<HttpResponse> res = Error::make(ErrorCode::network, "transport did not answer");
    try {
      res = transport_->send(req);
    } catch (const std::exception& ex) {
      res = Error::make(ErrorCode::network, std::string("transport threw: ") + ex.what());
    } catch (...) {
      res = Error::make(ErrorCode::network, "transport threw a non-standard exception");
    }

    if (res && res->status >= 200 && res->status < 300) {
      if (options_.log && options_.log_level <= LogLevel::debug) {
        const auto took = std::chrono::duration_cast<std::chrono::microseconds>(
            std::chrono::steady_clock::now() - sent_at);
        log(LogLevel::debug, what + " -> " + std::to_string(res->status) + " in " +
                                 std::to_string(static_cast<double>(took.count()) / 1000.0) +
                                 " ms");
      }
      return Reply{std::move(res).value(), attempt};
    }
    if (res && res->status == 404 && r.method == HttpMethod::del && maybe_processed) {
      // The earlier attempt deleted it and its answer was lost: the goal is reached.
      log(LogLevel::info, what + " -> 404 after an attempt whose answer was lost: already deleted");
      HttpResponse gone;
      gone.status = 204;
      return Reply{std::move(gone), attempt};
    }
    last = res ? error_from_response(*res, now()) : std::move(res).error();
    if (!res) last.http_status = 0;
    last.attempts = attempt;
    last.request = what;
    last.retryable = should_retry(last, idempotent);
    sanitize(last);
    if (classify_failure(last).maybe_processed) maybe_processed = true;

    if (!last.retryable || attempt > max_retries) {
      log(last.code == ErrorCode::cancelled ? LogLevel::info : LogLevel::warn,
          "request failed: " + last.to_string());
      return last;
    }
    milliseconds delay{0};
    if (last.retry_after) {
      if (*last.retry_after > options_.retry.max_retry_after) {
        log(LogLevel::warn, "not retrying: the server asked to wait " +
                                std::to_string(last.retry_after->count()) +
                                " ms, more than retry.max_retry_after: " + last.to_string());
        return last;
      }
      delay = std::max(*last.retry_after, options_.retry.min_backoff);
    } else {
      delay = backoff_delay(options_.retry, attempt - 1, random01());
    }
    if (has_deadline && steady_now() + delay >= deadline) {
      log(LogLevel::warn, "not retrying (the call deadline would pass first): " + last.to_string());
      return last;
    }
    log(LogLevel::info, "retrying in " + std::to_string(delay.count()) + " ms (attempt " +
                            std::to_string(attempt + 1) + " of " + std::to_string(max_retries + 1) +
                            "): " + last.to_string());
    sleep_for(delay, call.cancel.get());
  }
}

Result<JsonReply> Pipeline::execute_json_reply(const ApiRequest& r,
                                               const RequestOptions& call) const {
  Result<Reply> rep = execute(r, call);
  if (!rep) return std::move(rep).error();
  return json_reply(r, std::move(*rep));
}

Result<JsonReply> Pipeline::json_reply(const ApiRequest& r, Reply&& reply) const {
  Reply* rep = &reply;
  JsonReply out;
  out.status = rep->http.status;
  out.attempts = rep->attempts;
  out.body_bytes = rep->http.body.size();
  if (rep->http.body.empty()) return out;
  BoundedJson parsed = parse_json_bounded(rep->http.body);
  if (parsed.status != JsonParseStatus::ok) {
    Error e = Error::make(ErrorCode::decode, parsed.status == JsonParseStatus::too_deep
                                                 ? "response JSON nests deeper than " +
                                                       std::to_string(kMaxJsonDepth) + " levels"
                                                 : std::string("response body is not valid JSON"));
    e.http_status = out.status;
    e.attempts = out.attempts;
    e.body_bytes = out.body_bytes;
    e.raw_body = std::move(rep->http.body);
    e.request = what_of(r);
    sanitize(e);
    log(LogLevel::warn, "request failed: " + e.to_string());
    return e;
  }
  out.json = std::move(parsed.value);
  return out;
}

Result<Json> Pipeline::execute_json(const ApiRequest& r, const RequestOptions& call) const {
  Result<JsonReply> j = execute_json_reply(r, call);
  if (!j) return std::move(j).error();
  return std::move(j->json);
}

Result<void> Pipeline::call_void(const ApiRequest& r, const RequestOptions& call) const {
  Result<Reply> res = execute(r, call);
  if (!res) return std::move(res).error();
  return {};
}

Error Pipeline::decode_error(const ApiRequest& r, const JsonReply& reply,
                             std::string_view what) const {
  Error e = Error::make(ErrorCode::decode, "unexpected response shape: " + std::string(what));
  e.http_status = reply.status;
  e.attempts = reply.attempts;
  e.body_bytes = reply.body_bytes;
  e.raw_body = to_json_text(reply.json);
  e.request = what_of(r);
  sanitize(e);
  log(LogLevel::warn, "request failed: " + e.to_string());
  return e;
}

}  // namespace respan::detail
