// Fuzzes every response/record model decoder: bytes -> parse_json_bounded (the parser all
// network JSON goes through) -> from_json of each model -> to_json -> dump.
// Decoding may fail with a nlohmann exception (the pipeline turns that into a decode error);
// crashes, sanitizer reports and leaks are bugs. A value that did decode must re-serialise.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include <respan/json.hpp>
#include <respan/models/common.hpp>
#include <respan/models/dataset.hpp>
#include <respan/models/dataset_log.hpp>
#include <respan/models/request_log.hpp>

#include "known_defects.hpp"
#include "util/json_limits.hpp"

namespace {

template <class... T>
struct TypeList {};

// Every model decoded from a response body. Keep this the only list of model names in the
// file (model types are being renamed; rename them here).
using ResponseModels = TypeList<
    // request_log.hpp
    respan::CreatedRequestLog, respan::RequestLogRecord, respan::RequestLog,
    // dataset.hpp
    respan::Dataset, respan::DatasetTag, respan::EvaluationTask, respan::RunEvaluatorsResult,
    // dataset_log.hpp
    respan::DatasetLog, respan::DatasetLogCreated,
    // common.hpp
    respan::Page<respan::RequestLogRecord>, respan::Page<respan::Dataset>,
    respan::Page<respan::DatasetLog>, respan::Page<respan::EvaluationTask>, respan::BulkResult,
    respan::LogsSummary, respan::MessageResponse, respan::RowError>;

// Page<T> has no to_json (pages are only decoded); serialise its members.
template <class T>
respan::Json reencode(const T& value) {
  return respan::Json(value);
}
template <class T>
respan::Json reencode(const respan::Page<T>& p) {
  respan::Json j = {{"count", p.count},
                    {"results", p.results},
                    {"current_filters", p.current_filters},
                    {"filters_data", p.filters_data},
                    {"filter_options", p.filter_options},
                    {"extra", p.extra}};
  if (p.next) j["next"] = *p.next;
  if (p.previous) j["previous"] = *p.previous;
  if (p.total_count) j["total_count"] = *p.total_count;
  (void)p.has_next();
  return j;
}

template <class T>
struct IsPage : std::false_type {};
template <class T>
struct IsPage<respan::Page<T>> : std::true_type {};

template <class T>
void decode_and_reencode(const respan::Json& j) {
  if constexpr (IsPage<T>::value) {
    if (respan_fuzz::page_count_overflows(j)) return;
  }
  T value;
  try {
    value = j.get<T>();
  } catch (const respan::Json::exception&) {
    return;  // rejected shape: an acceptable outcome
  }
  // A decoded value must serialise again (an exception here escapes and is reported).
  const std::string text = reencode(value).dump();
  (void)text;
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
