// The mock server's local web viewer (see mock_ui.hpp): the answers of `/ui`, `/ui/` and
// `/ui/api/...`. The page itself is in mock_ui_page.cpp; the store views it reads
// (MockState::ui_request_logs(), ui_datasets(), TraceStore::ui_traces(), ui_trace()) sit next
// to each store's other direct accessors.
#include "testing/mock_ui.hpp"

#include <optional>
#include <random>

#include "testing/mock_endpoint_util.hpp"
#include "testing/mock_state.hpp"
#include "testing/mock_util.hpp"
#include "util/text.hpp"

namespace respan::testing::detail {

// ------------------------------------------------------------------------------ UiChanges

void UiChanges::bump() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++version_;
  }
  cv_.notify_all();
}

std::uint64_t UiChanges::version() const {
  std::lock_guard<std::mutex> lock(mu_);
  return version_;
}

std::uint64_t UiChanges::wait(std::uint64_t since, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return stopping_ || version_ > since; });
  return version_;
}

void UiChanges::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
}

void UiChanges::restart() {
  std::lock_guard<std::mutex> lock(mu_);
  stopping_ = false;
}

// ------------------------------------------------------------------------------ rows

Json ui_pick(const Json& obj, std::initializer_list<const char*> fields) {
  Json out = Json::object();
  if (!obj.is_object()) return out;
  for (const char* f : fields) {
    const auto it = obj.find(f);
    if (it == obj.end()) continue;
    if (it->is_string() || it->is_structured()) {
      std::string text = as_text(*it);  // objects and arrays as compact JSON
      respan::detail::truncate_utf8(text, UiLimits::kMaxTextBytes);
      out[f] = std::move(text);
    } else {
      out[f] = *it;
    }
  }
  return out;
}

namespace {

// ------------------------------------------------------------------------------ answers

std::string dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

UiAnswer json_answer(int status, const Json& body) {
  UiAnswer a;
  a.status = status;
  a.body = dump(body);
  a.content_type = "application/json";
  a.headers.emplace_back("Cache-Control", "no-store");
  return a;
}

UiAnswer not_found_answer() {
  return json_answer(404, Json{{"detail", "Not found."}});
}

struct BadQuery {
  std::string detail;
};

// A decimal integer query parameter in [min, max]; `fallback` when absent.
std::uint64_t query_number(const QueryPairs& query, const char* name, std::uint64_t fallback,
                           std::uint64_t min, std::uint64_t max) {
  const std::string* text = query_get(query, name);
  if (text == nullptr) return fallback;
  std::uint64_t v = 0;
  bool ok = !text->empty() && text->size() <= 19;
  for (const char c : *text) {
    if (c < '0' || c > '9') ok = false;
    if (ok) v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (!ok || v < min || v > max) {
    throw BadQuery{std::string(name) + " must be an integer from " + std::to_string(min) + " to " +
                   std::to_string(max) + "."};
  }
  return v;
}

std::size_t rows_limit(const QueryPairs& query) {
  return static_cast<std::size_t>(
      query_number(query, "limit", UiLimits::kDefaultRows, 1, UiLimits::kMaxRows));
}

// 128 random bits as hex, for the page's script nonce.
std::string make_nonce() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 2; ++i) {
    std::uint64_t v = rng();
    for (int k = 0; k < 16; ++k, v >>= 4)
      out += kHex[v & 0xF];
  }
  return out;
}

UiAnswer page_answer() {
  const std::string nonce = make_nonce();
  const std::string_view page = mock_ui_page();
  constexpr std::string_view kMarker = "@NONCE@";
  UiAnswer a;
  a.body.reserve(page.size() + 64);
  std::size_t from = 0;
  for (std::size_t at = page.find(kMarker); at != std::string_view::npos;
       at = page.find(kMarker, from)) {
    a.body.append(page.substr(from, at - from));
    a.body += nonce;
    from = at + kMarker.size();
  }
  a.body.append(page.substr(from));
  a.content_type = "text/html; charset=utf-8";
  // Nothing but the page's own script, style and same-origin fetches: an external asset, or a
  // script injected through a span's text, would not run.
  a.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; script-src 'nonce-" + nonce +
                             "'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'none'; "
                             "base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  a.headers.emplace_back("Cache-Control", "no-store");
  a.headers.emplace_back("X-Content-Type-Options", "nosniff");
  a.headers.emplace_back("Referrer-Policy", "no-referrer");
  return a;
}

}  // namespace

UiAnswer serve_ui(const MockState& state, UiChanges& changes, const std::string& raw_path,
                  const std::string& raw_query) {
  if (raw_path == "/ui" || raw_path == "/ui/") return page_answer();
  constexpr std::string_view kApi = "/ui/api/";
  if (raw_path.compare(0, kApi.size(), kApi) != 0) return not_found_answer();
  const std::string route = raw_path.substr(kApi.size());
  try {
    const QueryPairs query = parse_query(raw_query);
    if (route == "changes") {
      const std::uint64_t since = query_number(query, "since", 0, 0, UINT64_MAX / 10);
      const auto wait = static_cast<std::int64_t>(
          query_number(query, "wait", 0, 0, static_cast<std::uint64_t>(UiLimits::kMaxWaitMs)));
      return json_answer(200,
                         Json{{"version", changes.wait(since, std::chrono::milliseconds(wait))}});
    }
    // The version is read before the data: a change made meanwhile shows up in a later poll.
    const std::uint64_t version = changes.version();
    Json out;
    if (route == "logs") {
      out = state.ui_request_logs(rows_limit(query));
    } else if (route == "datasets") {
      out = state.ui_datasets(rows_limit(query));
    } else if (route == "traces") {
      out = state.traces().ui_traces(rows_limit(query));
    } else if (route.compare(0, 7, "traces/") == 0) {
      const std::string tid = percent_decode(route.substr(7), false);
      const auto max_spans = static_cast<std::size_t>(
          query_number(query, "max_spans", UiLimits::kDefaultSpans, 1, UiLimits::kMaxSpans));
      std::optional<Json> trace;
      if (!tid.empty() && route.find('/', 7) == std::string::npos) {
        trace = state.traces().ui_trace(tid, max_spans);
      }
      if (!trace) return json_answer(404, Json{{"detail", "Trace not found."}});
      out = std::move(*trace);
    } else {
      return not_found_answer();
    }
    out["version"] = version;
    return json_answer(200, out);
  } catch (const BadQuery& e) {
    return json_answer(400, Json{{"detail", e.detail}});
  }
}

}  // namespace respan::testing::detail
