#include <respan/models/dataset_log.hpp>

#include "models/json_io.hpp"

namespace respan {

using detail::put;
using detail::put_extra;
using detail::put_required;
using detail::Reader;

const std::vector<std::string_view>& ExportFormatValues::known() {
  static const auto* values =  // never destroyed: exporter threads may read it at exit
      new std::vector<std::string_view>{".csv", ".jsonl"};
  return *values;
}

namespace {

void put_filters(Json& j, const Filters& f) {
  if (!f.empty()) put_required(j, "filters", f.to_json());
}

// The two shapes of `scores` as evaluator id -> score object: an object is taken as is; in a
// list, each object is keyed by its evaluator_id, evaluator_slug or id (integers as text).
std::map<std::string, Json> normalised_scores(const Json& raw) {
  std::map<std::string, Json> out;
  if (raw.is_object()) {
    for (auto it = raw.begin(); it != raw.end(); ++it)
      out[it.key()] = it.value();
  } else if (raw.is_array()) {
    for (const Json& item : raw) {
      if (!item.is_object()) continue;
      for (const char* key : {"evaluator_id", "evaluator_slug", "id"}) {
        auto k = item.find(key);
        if (k == item.end()) continue;
        if (k->is_string() && !k->get_ref<const std::string&>().empty()) {
          out[k->get<std::string>()] = item;
          break;
        }
        if (k->is_number_integer()) {
          out[k->dump()] = item;
          break;
        }
      }
    }
  }
  return out;
}

}  // namespace

// ------------------------------------------------------------------------------ create

void to_json(Json& j_out, const DatasetLog& c) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = Json::object();
  if (!c.input.is_null()) put_required(j, "input", c.input);
  put(j, "output", c.output);
  put(j, "expected_output", c.expected_output);
  put(j, "metadata", c.metadata);
  put(j, "metrics", c.metrics);
  put(j, "prompt", c.prompt);
  put(j, "completion", c.completion);
  put_extra(j, c.extra);
  j_out = std::move(j);
}

void from_json(const Json& j, DatasetLog& c) {
  c = DatasetLog{};
  Reader r(j);
  r.raw_or("input", c.input);
  r.raw("output", c.output);
  r.raw("expected_output", c.expected_output);
  r.raw("metadata", c.metadata);
  r.raw("metrics", c.metrics);
  r.get("prompt", c.prompt);
  r.get("completion", c.completion);
  c.extra = r.extra();
}

void to_json(Json& j_out, const DatasetLogCreated& c) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = Json::object();
  put(j, "message", c.message);
  if (!c.unique_id.empty()) j["unique_id"] = c.unique_id;
  put_extra(j, c.extra);
  j_out = std::move(j);
}

void from_json(const Json& j, DatasetLogCreated& c) {
  c = DatasetLogCreated{};
  if (!j.is_object()) return;  // tolerate an empty acknowledgement
  Reader r(j);
  r.get("message", c.message);
  r.id("unique_id", c.unique_id);
  if (c.unique_id.empty()) r.id("id", c.unique_id);
  c.extra = r.extra();
}

// ------------------------------------------------------------------------------ update

void to_json(Json& j_out, const DatasetLogUpdate& u) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = Json::object();
  put(j, "input", u.input);
  put(j, "output", u.output);
  put(j, "expected_output", u.expected_output);
  put(j, "prompt", u.prompt);
  put(j, "completion", u.completion);
  put(j, "metadata", u.metadata);
  put(j, "metrics", u.metrics);
  put_extra(j, u.extra);
  j_out = std::move(j);
}

void from_json(const Json& j, DatasetLogUpdate& u) {
  u = DatasetLogUpdate{};
  Reader r(j);
  r.raw("input", u.input);
  r.raw("output", u.output);
  r.raw("expected_output", u.expected_output);
  r.get("prompt", u.prompt);
  r.get("completion", u.completion);
  r.raw("metadata", u.metadata);
  r.raw("metrics", u.metrics);
  u.extra = r.extra();
}

// ------------------------------------------------------------------------------ DatasetLogRecord

void to_json(Json& j_out, const DatasetLogRecord& l) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = Json::object();
  put(j, "id", l.id);
  if (!l.unique_id.empty()) j["unique_id"] = l.unique_id;
  put(j, "organization_id", l.organization_id);
  put(j, "environment", l.environment);
  put(j, "timestamp", l.timestamp);
  put(j, "start_time", l.start_time);
  put(j, "prompt_tokens", l.prompt_tokens);
  put(j, "completion_tokens", l.completion_tokens);
  put(j, "total_request_tokens", l.total_request_tokens);
  put(j, "cost", l.cost);
  put(j, "model", l.model);
  put(j, "latency", l.latency);
  put(j, "status_code", l.status_code);
  put(j, "status", l.status);
  put(j, "prompt", l.prompt);
  put(j, "completion", l.completion);
  put(j, "messages", l.messages);
  put(j, "input", l.input);
  put(j, "output", l.output);
  put(j, "expected_output", l.expected_output);
  put(j, "dataset_id", l.dataset_id);
  put(j, "annotation_status", l.annotation_status);
  put(j, "annotation_completed_by", l.annotation_completed_by);
  if (l.raw_scores) {
    put(j, "scores", l.raw_scores);
  } else if (!l.scores.empty()) {
    put_required(j, "scores", Json(l.scores));
  }
  put(j, "metadata", l.metadata);
  put(j, "metrics", l.metrics);
  put(j, "custom_identifier", l.custom_identifier);
  put(j, "log_type", l.log_type);
  put_extra(j, l.extra);
  j_out = std::move(j);
}

void from_json(const Json& j, DatasetLogRecord& l) {
  l = DatasetLogRecord{};
  Reader r(j);
  r.id("id", l.id);
  r.id("unique_id", l.unique_id);
  if (l.unique_id.empty() && l.id) l.unique_id = *l.id;
  r.id("organization_id", l.organization_id);
  r.get("environment", l.environment);
  r.get("timestamp", l.timestamp);
  r.get("start_time", l.start_time);
  r.get("prompt_tokens", l.prompt_tokens);
  r.get("completion_tokens", l.completion_tokens);
  r.get("total_request_tokens", l.total_request_tokens);
  r.get("cost", l.cost);
  r.get("model", l.model);
  r.get("latency", l.latency);
  r.get("status_code", l.status_code);
  r.get("status", l.status);
  r.raw("prompt", l.prompt);
  r.raw("completion", l.completion);
  r.raw("messages", l.messages);
  r.raw("input", l.input);
  r.raw("output", l.output);
  r.raw("expected_output", l.expected_output);
  r.id("dataset_id", l.dataset_id);
  r.get("annotation_status", l.annotation_status);
  r.get("annotation_completed_by", l.annotation_completed_by);
  r.raw("scores", l.raw_scores);
  if (l.raw_scores) l.scores = normalised_scores(*l.raw_scores);
  r.raw("metadata", l.metadata);
  r.raw("metrics", l.metrics);
  r.get("custom_identifier", l.custom_identifier);
  r.get("log_type", l.log_type);
  l.extra = r.extra();
}

// ------------------------------------------------------------------------------ export / import

void to_json(Json& j_out, const ExportLogsRequest& e) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = Json::object();
  j["is_exporting"] = true;
  put_filters(j, e.filters);
  put(j, "export_format", e.export_format);
  put(j, "name", e.name);
  put_extra(j, e.extra);
  j_out = std::move(j);
}

void from_json(const Json& j, ExportLogsRequest& e) {
  e = ExportLogsRequest{};
  Reader r(j);
  r.skip("is_exporting");
  r.filters("filters", e.filters);
  r.get("export_format", e.export_format);
  r.get("name", e.name);
  e.extra = r.extra();
}

void to_json(Json& j_out, const ImportLogsRequest& i) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = Json::object();
  j["start_time"] = i.start_time;
  j["end_time"] = i.end_time;
  put_filters(j, i.filters);
  put(j, "sampling_percentage", i.sampling_percentage);
  put_extra(j, i.extra);
  j_out = std::move(j);
}

void from_json(const Json& j, ImportLogsRequest& i) {
  i = ImportLogsRequest{};
  Reader r(j);
  r.get_or("start_time", i.start_time);
  r.get_or("end_time", i.end_time);
  r.filters("filters", i.filters);
  r.get("sampling_percentage", i.sampling_percentage);
  i.extra = r.extra();
}

void to_json(Json& j_out, const RemoveLogsRequest& rm) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = Json::object();
  if (rm.is_deleting_all_logs) j["is_deleting_all_logs"] = true;
  put_filters(j, rm.filters);
  put_extra(j, rm.extra);
  j_out = std::move(j);
}

void from_json(const Json& j, RemoveLogsRequest& rm) {
  rm = RemoveLogsRequest{};
  Reader r(j);
  r.get_or("is_deleting_all_logs", rm.is_deleting_all_logs);
  r.filters("filters", rm.filters);
  rm.extra = r.extra();
}

}  // namespace respan
