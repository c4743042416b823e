// The provider adapters against the fixtures of tests/fixtures/providers/<provider>/: each
// fixture holds a provider's request and answer (or raw SSE stream, or error body) as its
// published API reference shows them, and the span expected from them. The produced span is
// compared field by field (the serialized RequestLog JSON of each field); a failure names the
// fixture and the field. Then targeted cases: malformed input, spans, merging.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <respan/adapters/anthropic.hpp>
#include <respan/adapters/gemini.hpp>
#include <respan/adapters/openai.hpp>
#include <respan/adapters/stream.hpp>
#include <respan/models/request_log.hpp>

#ifndef RESPAN_TEST_PROVIDER_FIXTURES
#error "RESPAN_TEST_PROVIDER_FIXTURES must name tests/fixtures/providers"
#endif

namespace {

namespace fs = std::filesystem;
using respan::Json;
using respan::RequestLog;
using respan::Result;
namespace ad = respan::adapters;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Fixture {
  std::string provider;
  std::string name;
  fs::path path;
};

std::vector<Fixture> all_fixtures() {
  std::vector<Fixture> out;
  for (const auto& dir : fs::directory_iterator(RESPAN_TEST_PROVIDER_FIXTURES)) {
    if (!dir.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(dir.path())) {
      if (f.path().extension() != ".json") continue;
      out.push_back({dir.path().filename().string(), f.path().stem().string(), f.path()});
    }
  }
  std::sort(out.begin(), out.end(), [](const Fixture& a, const Fixture& b) {
    return a.provider + "/" + a.name < b.provider + "/" + b.name;
  });
  return out;
}

ad::ExchangeInfo info_of(const Json& spec) {
  ad::ExchangeInfo info;
  const Json i = spec.value("info", Json::object());
  info.http_status = i.value("http_status", 0);
  if (i.contains("latency_ms")) info.latency = std::chrono::milliseconds(i["latency_ms"].get<int>());
  info.provider = i.value("provider", "");
  info.model = i.value("model", "");
  info.attach_raw_bodies = i.value("attach_raw_bodies", false);
  return info;
}

ad::StreamFormat format_of(const std::string& adapter) {
  if (adapter == "openai_chat") return ad::StreamFormat::openai_chat;
  if (adapter == "openai_responses") return ad::StreamFormat::openai_responses;
  if (adapter == "anthropic") return ad::StreamFormat::anthropic;
  return ad::StreamFormat::gemini;
}

// Splits SSE text after each blank line (LF or CRLF line ends), separators kept.
std::vector<std::string> sse_events(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool lf = text.compare(i, 2, "\n\n") == 0;
    const bool crlf = text.compare(i, 4, "\r\n\r\n") == 0;
    if (lf || crlf) {
      const std::size_t end = i + (lf ? 2 : 4);
      out.push_back(text.substr(start, end - start));
      start = end;
      i = end - 1;
    }
  }
  if (start < text.size()) out.push_back(text.substr(start));
  return out;
}

// Runs a fixture. Streams are fed one event at a time, the clock at (k+1) x 100 ms while
// event k is fed (0 at the start).
Result<RequestLog> run(const Json& spec, const fs::path& dir) {
  const std::string adapter = spec.at("adapter").get<std::string>();
  const Json& request = spec.at("request");
  const ad::ExchangeInfo info = info_of(spec);
  if (spec.contains("stream_file")) {
    auto now = std::make_shared<std::chrono::steady_clock::time_point>();
    ad::StreamOptions opts;
    opts.clock = [now] { return *now; };
    ad::StreamAccumulator acc(format_of(adapter), opts);
    const std::vector<std::string> events =
        sse_events(read_file(dir / spec["stream_file"].get<std::string>()));
    for (std::size_t k = 0; k < events.size(); ++k) {
      *now = std::chrono::steady_clock::time_point(std::chrono::milliseconds(100 * (k + 1)));
      (void)acc.feed(events[k]);
    }
    (void)acc.finish();
    return acc.log(request, info);
  }
  const Json response = spec.contains("response_text")
                            ? ad::error_body(spec["response_text"].get<std::string>())
                            : spec.at("response");
  if (adapter == "openai_chat") return ad::openai::chat_log(request, response, info);
  if (adapter == "openai_responses") return ad::openai::responses_log(request, response, info);
  if (adapter == "anthropic") return ad::anthropic::messages_log(request, response, info);
  return ad::gemini::generate_content_log(request, response, info);
}

// Deep equality, numbers compared to 1e-9 relative (times are computed in seconds).
bool same(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) {
    const double x = a.get<double>();
    const double y = b.get<double>();
    return std::fabs(x - y) <= 1e-9 * std::max(1.0, std::max(std::fabs(x), std::fabs(y)));
  }
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      if (!b.contains(it.key()) || !same(it.value(), b[it.key()])) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!same(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

// The fields of the serialized span that differ from the expected ones.
std::vector<std::string> field_diffs(const Json& expected, const Json& got) {
  std::set<std::string> keys;
  for (auto it = expected.begin(); it != expected.end(); ++it) keys.insert(it.key());
  for (auto it = got.begin(); it != got.end(); ++it) keys.insert(it.key());
  std::vector<std::string> out;
  for (const std::string& k : keys) {
    const bool in_e = expected.contains(k);
    const bool in_g = got.contains(k);
    if (in_e && !in_g) {
      out.push_back(k + ": missing (expected " + expected[k].dump() + ")");
    } else if (!in_e && in_g) {
      out.push_back(k + ": not expected (got " + got[k].dump() + ")");
    } else if (!same(expected[k], got[k])) {
      out.push_back(k + ": expected " + expected[k].dump() + "\n      got      " + got[k].dump());
    }
  }
  return out;
}

class ProviderFixture : public ::testing::TestWithParam<Fixture> {};

TEST_P(ProviderFixture, SpanMatchesFieldByField) {
  const Fixture& f = GetParam();
  const Json spec = Json::parse(read_file(f.path));
  Result<RequestLog> log = run(spec, f.path.parent_path());
  ASSERT_TRUE(log) << f.path << ": " << log.error();
  const Json got = Json(*log);
  // The span goes on the wire as it is: encoding must not refuse it.
  EXPECT_NO_THROW((void)got.dump());
  const std::vector<std::string> diffs = field_diffs(spec.at("expected"), got);
  for (const std::string& d : diffs) ADD_FAILURE() << f.provider << "/" << f.name << " " << d;
}

INSTANTIATE_TEST_SUITE_P(Providers, ProviderFixture, ::testing::ValuesIn(all_fixtures()),
                         [](const ::testing::TestParamInfo<Fixture>& i) {
                           std::string n = i.param.provider + "_" + i.param.name;
                           for (char& c : n) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

TEST(AdapterFixtures, EveryProviderCoversTheFiveKinds) {
  std::map<std::string, std::set<std::string>> kinds;
  for (const Fixture& f : all_fixtures()) kinds[f.provider].insert(f.name);
  for (const char* p : {"openai_chat", "openai_responses", "llama_cpp", "vllm", "ollama",
                        "openrouter", "anthropic", "gemini"}) {
    ASSERT_TRUE(kinds.count(p)) << p;
    for (const char* k : {"text", "tool_calls", "multimodal", "stream", "error"}) {
      EXPECT_TRUE(kinds[p].count(k)) << p << " has no '" << k << "' fixture";
    }
  }
}

}  // namespace
