#include "resource_util.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <mutex>
#include <set>
#include <string_view>

#include "batch/answers.hpp"
#include "util/json_limits.hpp"

namespace respan::detail {

void add_list_param(QueryParams& p, const char* name, const std::vector<std::string>& values) {
  if (values.empty()) return;
  std::string joined;
  for (const auto& v : values) {
    if (!joined.empty()) joined += ',';
    joined += v;
  }
  p.emplace_back(name, std::move(joined));
}

namespace {

// The documented filterable fields of each family, from the public field-name structs
// (filters.hpp), so the names live in one place.
const std::set<std::string_view>& known_fields(FilterFamily family) {
  static const auto* spans = new std::set<std::string_view>{SpanField::status,
                                                            SpanField::status_code,
                                                            SpanField::unique_id,
                                                            SpanField::id,
                                                            SpanField::customer_identifier,
                                                            SpanField::customer_email,
                                                            SpanField::customer_name,
                                                            SpanField::thread_identifier,
                                                            SpanField::custom_identifier,
                                                            SpanField::group_identifier,
                                                            SpanField::prompt_id,
                                                            SpanField::prompt_name,
                                                            SpanField::trace_unique_id,
                                                            SpanField::span_parent_id,
                                                            SpanField::is_root_span,
                                                            SpanField::span_workflow_name,
                                                            SpanField::span_name,
                                                            SpanField::model,
                                                            SpanField::provider_id,
                                                            SpanField::deployment_name,
                                                            SpanField::log_type,
                                                            SpanField::environment,
                                                            SpanField::stream,
                                                            SpanField::tools,
                                                            SpanField::cache_hit,
                                                            SpanField::cache_key,
                                                            SpanField::prompt_tokens,
                                                            SpanField::completion_tokens,
                                                            SpanField::total_tokens,
                                                            SpanField::total_request_tokens,
                                                            SpanField::cost,
                                                            SpanField::latency,
                                                            SpanField::time_to_first_token,
                                                            SpanField::tokens_per_second,
                                                            SpanField::temperature,
                                                            SpanField::max_tokens,
                                                            SpanField::metadata,
                                                            SpanField::messages,
                                                            SpanField::positive_feedback,
                                                            SpanField::evaluator_id,
                                                            SpanField::error_message,
                                                            SpanField::failed,
                                                            SpanField::organization_key_id,
                                                            SpanField::organization_key_name};
  static const auto* traces = new std::set<std::string_view>{
      TraceField::trace_unique_id,     TraceField::customer_identifier,
      TraceField::environment,         TraceField::span_count,
      TraceField::llm_call_count,      TraceField::error_count,
      TraceField::total_cost,          TraceField::total_tokens,
      TraceField::total_prompt_tokens, TraceField::total_completion_tokens};
  static const auto* datasets = new std::set<std::string_view>{
      DatasetField::id,         DatasetField::name,      DatasetField::description,
      DatasetField::type,       DatasetField::status,    DatasetField::starred,
      DatasetField::created_at, DatasetField::updated_at};
  static const auto* prompts = new std::set<std::string_view>{
      PromptField::prompt_id,   PromptField::prompt_slug, PromptField::name,
      PromptField::description, PromptField::starred,     PromptField::tags,
      PromptField::created_at,  PromptField::updated_at,  PromptField::current_version_updated_at,
      PromptField::is_deleted};
  static const auto* customers = [] {
    auto* c = new std::set<std::string_view>(*spans);  // the client types them as span filters
    for (const char* f :
         {CustomerField::customer_identifier, CustomerField::name, CustomerField::email,
          CustomerField::number_of_requests, CustomerField::total_tokens, CustomerField::total_cost,
          CustomerField::active_days})
      c->insert(f);
    return c;
  }();
  static const auto* threads = new std::set<std::string_view>{ThreadField::thread_identifier,
                                                              ThreadField::customer_identifier,
                                                              ThreadField::organization_key_id};
  static const std::set<std::string_view> none;
  switch (family) {
    case FilterFamily::spans:
      return *spans;
    case FilterFamily::traces:
      return *traces;
    case FilterFamily::datasets:
      return *datasets;
    case FilterFamily::prompts:
      return *prompts;
    case FilterFamily::customers:
      return *customers;
    case FilterFamily::threads:
      return *threads;
    case FilterFamily::unchecked:
      break;
  }
  return none;
}

const char* family_name(FilterFamily family) {
  switch (family) {
    case FilterFamily::spans:
      return "spans (request logs, dataset logs)";
    case FilterFamily::traces:
      return "traces";
    case FilterFamily::datasets:
      return "datasets";
    case FilterFamily::prompts:
      return "prompts";
    case FilterFamily::customers:
      return "customers";
    case FilterFamily::threads:
      return "threads";
    case FilterFamily::unchecked:
      break;
  }
  return "this endpoint";
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() > prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

std::vector<std::string> unknown_filter_fields(const Filters& filters, FilterFamily family) {
  std::vector<std::string> out;
  if (family == FilterFamily::unchecked) return out;
  const auto& known = known_fields(family);
  for (auto it = filters.to_json().begin(); it != filters.to_json().end(); ++it) {
    const std::string& field = it.key();
    if (known.count(field) != 0 || starts_with(field, "metadata__") ||
        starts_with(field, "scores__"))
      continue;
    out.push_back(field);
  }
  return out;
}

void warn_unknown_filter_fields(const Filters& filters, FilterFamily family,
                                const Pipeline& pipeline) {
  for (const std::string& field : unknown_filter_fields(filters, family)) {
    // Once per process and field: a loop listing pages must not repeat it.
    static std::mutex mu;
    static auto* said = new std::set<std::string>();
    {
      std::lock_guard<std::mutex> lk(mu);
      if (said->size() >= 256 || !said->insert(family_name(family) + (":" + field)).second)
        continue;
    }
    pipeline.report(LogLevel::warn, "filter field '" + field +
                                        "' is not a documented filter field of " +
                                        family_name(family) +
                                        ": it is sent as given, and may match nothing "
                                        "(respan::SpanField, TraceField, ... name the known "
                                        "fields; said once per field)");
  }
}

Json filters_body(const Filters& filters, FilterFamily family, const Pipeline& pipeline) {
  if (filters.empty()) return Json::object();
  warn_unknown_filter_fields(filters, family, pipeline);
  return Json{{"filters", filters.to_json()}};
}

std::optional<Error> check_paging(const std::optional<std::int64_t>& page,
                                  const std::optional<std::int64_t>& page_size,
                                  std::int64_t max_page_size) {
  if (page && *page < 1) {
    return Error::make(ErrorCode::invalid_argument, "page must be >= 1");
  }
  if (page_size && (*page_size < 1 || *page_size > max_page_size)) {
    return Error::make(ErrorCode::invalid_argument,
                       "page_size must be between 1 and " + std::to_string(max_page_size));
  }
  return std::nullopt;
}

void add_row_error(BulkResult& total, std::size_t index, std::string message) {
  RowError e;
  e.index = static_cast<std::int64_t>(index);
  e.error = std::move(message);
  total.errors.push_back(std::move(e));
  ++total.error_count;
}

Result<BulkResult> call_bulk(const Pipeline& p, const ApiRequest& r, std::size_t rows,
                             const RequestOptions& o) {
  Result<Reply> reply = p.execute(r, o);
  if (!reply) return std::move(reply).error();
  // The one decoder of batch answers (batch/answers.hpp), as the BatchLogger reads them.
  const std::string& text = reply->http.body;
  BoundedJson parsed;
  if (!text.empty()) parsed = parse_json_bounded(text);
  const Json* body =
      (!text.empty() && parsed.status == JsonParseStatus::ok) ? &parsed.value : nullptr;
  const RowVerdicts v = read_answer(AnswerShape::bulk, body, text.empty(), rows);
  BulkResult out = to_bulk_result(v, body);
  if (out.unconfirmed_count > 0) {
    const std::size_t first = static_cast<std::size_t>(
        std::find(v.state.begin(), v.state.end(), RowVerdicts::State::unconfirmed) -
        v.state.begin());
    p.log(LogLevel::warn, std::to_string(out.unconfirmed_count) + " of " + std::to_string(rows) +
                              " rows of " + std::string(to_string(r.method)) + " " + r.path +
                              " were neither confirmed nor rejected (" + v.message[first] + ")");
  }
  return out;
}

void finish_bulk(BulkResult& total) {
  std::stable_sort(total.errors.begin(), total.errors.end(),
                   [](const RowError& a, const RowError& b) { return a.index < b.index; });
  total.total_errors = total.error_count;
}

bool is_systemic_failure(ErrorCode code) noexcept {
  return code == ErrorCode::unauthorized || code == ErrorCode::forbidden ||
         code == ErrorCode::invalid_argument || code == ErrorCode::cancelled;
}

std::optional<Error> check_path_param(const std::string& id, const char* what) {
  // The pipeline checks every path segment (check_path); this names the parameter.
  if (auto bad = check_path("/" + percent_encode(id) + "/")) {
    bad->message = std::string(what) + ": " + bad->message;
    return bad;
  }
  return std::nullopt;
}

}  // namespace respan::detail
