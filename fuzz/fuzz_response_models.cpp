// Fuzzes every response/record model decoder: bytes -> parse_json_bounded (the parser all
// network JSON goes through) -> from_json of each model -> to_json -> dump.
// Decoding may fail with a nlohmann exception (the pipeline turns that into a decode error);
// crashes, sanitizer reports and leaks are bugs. A value that did decode must re-serialise.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <type_traits>

#include <respan/json.hpp>
#include <respan/models/common.hpp>
#include <respan/models/customer.hpp>
#include <respan/models/dataset.hpp>
#include <respan/models/dataset_log.hpp>
#include <respan/models/prompt.hpp>
#include <respan/models/request_log.hpp>
#include <respan/models/score.hpp>
#include <respan/models/thread.hpp>

#include "models/encode.hpp"
#include "util/json_limits.hpp"
#include "util/json_write.hpp"

namespace {

template <class... T>
struct TypeList {};

// Every model decoded from a response body. Keep this the only list of model names in the
// file (model types are being renamed; rename them here).
using ResponseModels = TypeList<
    // request_log.hpp
    respan::RequestLogCreated, respan::RequestLogRecord, respan::RequestLog,
    // dataset.hpp
    respan::DatasetRecord, respan::DatasetTag, respan::EvaluationTask, respan::RunEvaluatorsResult,
    // dataset_log.hpp
    respan::DatasetLogRecord, respan::DatasetLogCreated,
    // score.hpp, prompt.hpp, customer.hpp, thread.hpp
    respan::ScoreRecord, respan::PromptRecord, respan::PromptVersionRecord, respan::PromptsSummary,
    respan::CustomerRecord, respan::ThreadRecord, respan::Page<respan::ScoreRecord>,
    respan::Page<respan::PromptVersionRecord>, respan::Page<respan::CustomerRecord>,
    // common.hpp
    respan::Page<respan::RequestLogRecord>, respan::Page<respan::DatasetRecord>,
    respan::Page<respan::DatasetLogRecord>, respan::Page<respan::EvaluationTask>,
    respan::BulkResult, respan::LogsSummary, respan::MessageResponse, respan::RowError>;

// Page<T> has no to_json (pages are only decoded): rebuild the wire envelope.
template <class T>
respan::Json reencode(const T& value) {
  return respan::Json(value);
}
template <class T>
respan::Json reencode(const respan::Page<T>& p) {
  respan::Json j = p.extra.is_object() ? p.extra : respan::Json::object();
  j["count"] = p.count;
  j["results"] = p.results;
  j["next"] = p.next ? respan::Json(*p.next) : respan::Json();
  j["previous"] = p.previous ? respan::Json(*p.previous) : respan::Json();
  if (p.total_count) j["total_count"] = *p.total_count;
  if (!p.current_filters.is_null()) j["current_filters"] = p.current_filters;
  if (!p.filters_data.is_null()) j["filters_data"] = p.filters_data;
  if (!p.filter_options.is_null()) j["filter_options"] = p.filter_options;
  (void)p.has_next();
  return j;
}

// RESPAN_FUZZ_STRICT_ROUNDTRIP=1: also require that a re-encoded value decodes again and that
// a second round trip is stable (encode(decode(encode(v))) == encode(v)). Off by default: the
// models do not promise it (aliases such as generation_time/latency fold on decode).
bool strict_roundtrip() {
  static const bool on = [] {
    const char* v = std::getenv("RESPAN_FUZZ_STRICT_ROUNDTRIP");
    return v != nullptr && std::string_view(v) == "1";
  }();
  return on;
}

template <class T>
struct IsPage : std::false_type {};
template <class T>
struct IsPage<respan::Page<T>> : std::true_type {};

template <class T>
void decode_and_reencode(const respan::Json& j) {
  T value;
  try {
    value = j.get<T>();
  } catch (const respan::Json::exception&) {
    return;  // rejected shape: an acceptable outcome
  }
  if constexpr (std::is_same_v<T, respan::RequestLog>) {
    // A blank or NUL-holding model is the one thing a span write model refuses to encode.
    if (!value.model.empty() && !respan::detail::span_model_problem(value.model).empty()) return;
  }
  // A decoded value must serialise again (an exception here escapes and is reported).
  const respan::Json first = reencode(value);
  const std::string text = first.dump();
  if constexpr (std::is_same_v<T, respan::RequestLog>) {
    // The DOM-free writer (request bodies) must write the value to_json builds, and refuse
    // exactly what encode() refuses, with the same message.
    std::string direct;
    const auto t = respan::detail::encode_text(value, "RequestLog", direct);
    const auto d = respan::detail::encode(value, "RequestLog");
    if (static_cast<bool>(t) != static_cast<bool>(d)) __builtin_trap();
    if (t && respan::Json::parse(direct) != respan::Json::parse(respan::detail::to_json_text(*d))) {
      __builtin_trap();
    }
    if (!t && t.error().message != d.error().message) {
      // The writer also bounds depth (check_body's rule), which encode() leaves to the pipeline.
      if (t.error().message.find("deeper than") == std::string::npos) __builtin_trap();
    }
  }
  if (!strict_roundtrip()) return;
  T again;
  try {
    again = first.get<T>();
  } catch (const respan::Json::exception&) {
    __builtin_trap();  // the SDK's own output does not decode
  }
  if (reencode(again) != first) __builtin_trap();  // not stable on a second round trip
}

template <class... T>
void decode_all(const respan::Json& j, TypeList<T...>) {
  (decode_and_reencode<T>(j), ...);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const respan::detail::BoundedJson parsed = respan::detail::parse_json_bounded(text);
  if (parsed.status != respan::detail::JsonParseStatus::ok) return 0;
  decode_all(parsed.value, ResponseModels{});
  return 0;
}
