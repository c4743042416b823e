#include "http/pipeline.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <thread>

#include <respan/retry.hpp>
#include <respan/version.hpp>

namespace respan::detail {

Result<ClientOptions> validate_options(ClientOptions o) {
  auto invalid = [](std::string msg) {
    return Error::make(ErrorCode::invalid_argument, std::move(msg));
  };
  auto trim = [](std::string s) {
    auto sp = [](unsigned char c) { return std::isspace(c) != 0; };
    while (!s.empty() && sp(static_cast<unsigned char>(s.back())))
      s.pop_back();
    std::size_t i = 0;
    while (i < s.size() && sp(static_cast<unsigned char>(s[i])))
      ++i;
    return s.substr(i);
  };
  o.api_key = trim(std::move(o.api_key));
  if (o.api_key.empty()) {
    return invalid(
        "no API key: set ClientOptions::api_key or the RESPAN_API_KEY environment variable");
  }
  if (o.api_key.find_first_of("\r\n") != std::string::npos) {
    return invalid("the API key contains a line break");
  }
  std::string base = trim(std::move(o.base_url));
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  if (base.size() >= 4 && base.compare(base.size() - 4, 4, "/api") == 0)
    base.resize(base.size() - 4);
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  if (base.rfind("http://", 0) != 0 && base.rfind("https://", 0) != 0) {
    return invalid("base_url must start with http:// or https:// (got '" + base + "')");
  }
  if (base.find_first_of("?#") != std::string::npos) {
    return invalid("base_url must not contain a query or fragment");
  }
  o.base_url = std::move(base);
  if (o.request_timeout.count() <= 0) return invalid("request_timeout must be positive");
  if (o.connect_timeout.count() <= 0) return invalid("connect_timeout must be positive");
  if (o.call_deadline.count() < 0) return invalid("call_deadline must not be negative");
  if (o.retry.max_retries < 0) return invalid("retry.max_retries must not be negative");
  return o;
}

namespace {

std::string json_text(const Json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string summarize_text(const std::string& body) {
  std::string s = body.substr(0, 300);
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
    auto& msgs = e.field_errors[it.key()];
    if (it->is_array()) {
      for (const auto& m : *it)
        msgs.push_back(json_text(m));
    } else {
      msgs.push_back(json_text(*it));
    }
  }
}

}  // namespace

Error error_from_response(const HttpResponse& res, std::chrono::system_clock::time_point now) {
  Error e;
  e.http_status = res.status;
  e.code = error_code_for_status(res.status);
  e.raw_body = res.body;
  e.retry_after = server_retry_delay(res, now);
  const Json j = Json::parse(res.body, nullptr, false);
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
  } else if (!res.body.empty() && !j.is_discarded()) {
    e.message = summarize_text(json_text(j));
  } else if (!res.body.empty()) {
    e.message = summarize_text(res.body);
  }
  if (e.message.empty()) {
    const std::string_view phrase = reason_phrase(res.status);
    e.message = phrase.empty() ? "unexpected HTTP status" : std::string(phrase);
  }
  if (res.status >= 300 && res.status < 400) {
    if (auto loc = res.header("location")) e.message += " (redirect to " + *loc + " not followed)";
  }
  return e;
}

Pipeline::Pipeline(ClientOptions options)
    : options_(std::move(options)), rng_(std::random_device{}()) {
  transport_ = options_.transport;
  if (!transport_) {
    CurlTransportOptions t;
    t.proxy = options_.proxy;
    t.ca_bundle = options_.ca_bundle;
    t.verify_tls = options_.verify_tls;
    t.connect_timeout = options_.connect_timeout;
    transport_ = make_curl_transport(t);
  }
  user_agent_ = std::string("respan-cpp/") + std::string(version());
  if (!options_.user_agent_suffix.empty()) user_agent_ += " " + options_.user_agent_suffix;
}

std::string Pipeline::scrub(std::string text) const {
  const std::string& key = options_.api_key;
  if (key.empty()) return text;
  for (std::size_t pos = text.find(key); pos != std::string::npos; pos = text.find(key, pos)) {
    text.replace(pos, key.size(), "[redacted]");
    pos += 10;
  }
  return text;
}

void Pipeline::log(LogLevel level, std::string_view message) const {
  if (!options_.log || level < options_.log_level) return;
  try {
    options_.log(level, scrub(std::string(message)));
  } catch (...) {
    // A throwing log sink must not break the call.
  }
}

std::string Pipeline::url_for(const ApiRequest& r) const {
  std::string url = options_.base_url + r.path;
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
  return options_.clock ? options_.clock() : std::chrono::system_clock::now();
}

double Pipeline::random01() const {
  if (options_.random) return options_.random();
  std::lock_guard<std::mutex> lock(rng_mu_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
}

void Pipeline::sleep_for(std::chrono::milliseconds d, const CancellationToken* cancel) const {
  if (options_.sleeper) {
    options_.sleeper(d);
    return;
  }
  if (cancel == nullptr) {
    std::this_thread::sleep_for(d);
    return;
  }
  const auto until = std::chrono::steady_clock::now() + d;
  while (!cancel->is_cancelled() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        std::chrono::milliseconds(20), until - std::chrono::steady_clock::now()));
  }
}

Result<HttpResponse> Pipeline::execute(const ApiRequest& r, const RequestOptions& call) const {
  using std::chrono::milliseconds;
  const std::string what = std::string(to_string(r.method)) + " " + r.path;
  const int max_retries = std::max(0, call.max_retries.value_or(options_.retry.max_retries));
  const milliseconds per_attempt = call.request_timeout.value_or(options_.request_timeout);
  const milliseconds budget = call.call_deadline.value_or(options_.call_deadline);
  const auto start = now();
  const bool has_deadline = budget.count() > 0;
  const auto deadline = start + budget;

  HttpRequest req;
  req.method = r.method;
  req.url = url_for(r);
  req.cancel = call.cancel;
  req.connect_timeout = options_.connect_timeout;
  req.headers.reserve(6 + options_.default_headers.size() + call.headers.size());
  for (const auto& h : options_.default_headers)
    req.headers.push_back(h);
  for (const auto& h : call.headers)
    req.headers.push_back(h);
  req.headers.emplace_back("Authorization", "Bearer " + options_.api_key);
  req.headers.emplace_back("User-Agent", user_agent_);
  req.headers.emplace_back("Accept", "application/json");
  if (r.body) {
    req.headers.emplace_back("Content-Type", "application/json");
    // Invalid UTF-8 in user strings is replaced (U+FFFD) rather than failing the call.
    req.body = r.body->dump(-1, ' ', false, Json::error_handler_t::replace);
  }

  Error last;
  for (int attempt = 1;; ++attempt) {
    if (call.cancel && call.cancel->is_cancelled()) {
      Error e = Error::make(ErrorCode::cancelled, "call cancelled");
      e.attempts = attempt - 1;
      e.request = what;
      return e;
    }
    milliseconds timeout = per_attempt;
    if (has_deadline) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - now());
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
    Result<HttpResponse> res = transport_->send(req);
    const auto took = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - sent_at);

    if (res && res->status >= 200 && res->status < 300) {
      if (options_.log && options_.log_level <= LogLevel::debug) {
        log(LogLevel::debug, what + " -> " + std::to_string(res->status) + " in " +
                                 std::to_string(static_cast<double>(took.count()) / 1000.0) +
                                 " ms");
      }
      return res;
    }
    last = res ? error_from_response(*res, now()) : std::move(res).error();
    last.attempts = attempt;
    last.request = what;
    last.message = scrub(std::move(last.message));
    last.raw_body = scrub(std::move(last.raw_body));
    for (auto& [field, msgs] : last.field_errors) {
      for (auto& m : msgs)
        m = scrub(std::move(m));
    }

    const bool retryable = last.is_retryable() || last.code == ErrorCode::timeout;
    if (!retryable || attempt > max_retries) {
      log(last.code == ErrorCode::cancelled ? LogLevel::info : LogLevel::warn,
          "request failed: " + last.to_string());
      return last;
    }
    milliseconds delay = last.retry_after
                             ? std::min(*last.retry_after, options_.retry.max_retry_after)
                             : backoff_delay(options_.retry, attempt - 1, random01());
    if (has_deadline && now() + delay >= deadline) {
      log(LogLevel::warn, "not retrying (the call deadline would pass first): " + last.to_string());
      return last;
    }
    log(LogLevel::info, "retrying in " + std::to_string(delay.count()) + " ms (attempt " +
                            std::to_string(attempt + 1) + " of " + std::to_string(max_retries + 1) +
                            "): " + last.to_string());
    sleep_for(delay, call.cancel.get());
  }
}

Result<Json> Pipeline::execute_json(const ApiRequest& r, const RequestOptions& call) const {
  Result<HttpResponse> res = execute(r, call);
  if (!res) return std::move(res).error();
  if (res->body.empty()) return Json(nullptr);
  Json j = Json::parse(res->body, nullptr, false);
  if (j.is_discarded()) {
    Error e = Error::make(ErrorCode::decode, "response body is not valid JSON");
    e.http_status = res->status;
    e.raw_body = scrub(std::move(res->body));
    e.request = std::string(to_string(r.method)) + " " + r.path;
    e.attempts = 1;
    return e;
  }
  return j;
}

Result<void> Pipeline::call_void(const ApiRequest& r, const RequestOptions& call) const {
  Result<HttpResponse> res = execute(r, call);
  if (!res) return std::move(res).error();
  return {};
}

Error Pipeline::decode_error(const ApiRequest& r, const Json& body, std::string_view what) const {
  Error e = Error::make(ErrorCode::decode, "unexpected response shape: " + std::string(what));
  e.raw_body = scrub(body.dump(-1, ' ', false, Json::error_handler_t::replace));
  e.request = std::string(to_string(r.method)) + " " + r.path;
  return e;
}

}  // namespace respan::detail
