#include <respan/models/dataset_log.hpp>

#include "models/emit.hpp"
#include "models/json_io.hpp"

namespace respan {

using detail::Self;
namespace field = detail::field;

const std::vector<std::string_view>& ExportFormatValues::known() {
  static const auto* values =  // never destroyed: exporter threads may read it at exit
      new std::vector<std::string_view>{".csv", ".jsonl"};
  return *values;
}

namespace {

// `scores` kept as sent (raw_scores) and normalised to evaluator id -> score object (scores):
// an object is taken as is; in a list, each object is keyed by its evaluator_id,
// evaluator_slug or id (integers as text). Written back as sent, or from `scores` when only
// that is set.
template <class Map>
struct ScoresCodec : field::Codec {
  static constexpr bool kWrites = true;
  Map& scores;
  explicit ScoresCodec(Map& m) : scores(m) {}

  template <class Out>
  void write(Out& o, const char* k, const std::optional<Json>& raw) const {
    if (raw) {
      o.opt(k, raw);
    } else if (!scores.empty()) {
      o.required(k, Json(scores));
    }
  }

  template <class R>
  void read(R& r, const char* k, std::optional<Json>& raw) const {
    r.reader().raw(k, raw);
    if (!raw) return;
    if (raw->is_object()) {
      for (auto it = raw->begin(); it != raw->end(); ++it)
        scores[it.key()] = it.value();
    } else if (raw->is_array()) {
      for (const Json& item : *raw) {
        if (!item.is_object()) continue;
        for (const char* key : {"evaluator_id", "evaluator_slug", "id"}) {
          auto id = item.find(key);
          if (id == item.end()) continue;
          if (id->is_string() && !id->get_ref<const std::string&>().empty()) {
            scores[id->get<std::string>()] = item;
            break;
          }
          if (id->is_number_integer()) {
            scores[id->dump()] = item;
            break;
          }
        }
      }
    }
  }
};
template <class Map>
ScoresCodec(Map&) -> ScoresCodec<Map>;

}  // namespace

// ------------------------------------------------------------------------------ create

template <class V>
void model_fields(V& v, Self<V, DatasetLog>& c) {
  v("input", c.input, field::omit_empty);
  v("output", c.output);
  v("expected_output", c.expected_output);
  v("metadata", c.metadata);
  v("metrics", c.metrics);
  v("prompt", c.prompt);
  v("completion", c.completion);
  v.extra(c.extra);
}
RESPAN_MODEL_JSON(DatasetLog)

template <class V>
void model_fields(V& v, Self<V, DatasetLogCreated>& c) {
  v("message", c.message);
  v("unique_id", c.unique_id, field::Id{"id"});
  v.extra(c.extra);
}

void to_json(Json& j, const DatasetLogCreated& c) {
  detail::write_dom(j, c);
}

void from_json(const Json& j, DatasetLogCreated& c) {
  c = DatasetLogCreated{};
  if (j.is_object()) detail::read_fields(j, c);  // an empty acknowledgement is tolerated
}

// ------------------------------------------------------------------------------ update

template <class V>
void model_fields(V& v, Self<V, DatasetLogUpdate>& u) {
  v("input", u.input);
  v("output", u.output);
  v("expected_output", u.expected_output);
  v("prompt", u.prompt);
  v("completion", u.completion);
  v("metadata", u.metadata);
  v("metrics", u.metrics);
  v.extra(u.extra);
}
RESPAN_MODEL_JSON(DatasetLogUpdate)

// ------------------------------------------------------------------------------ DatasetLogRecord

template <class V>
void model_fields(V& v, Self<V, DatasetLogRecord>& l) {
  v("id", l.id, field::id);
  v("unique_id", l.unique_id, field::id);
  v("organization_id", l.organization_id, field::id);
  v("environment", l.environment);
  v("timestamp", l.timestamp);
  v("start_time", l.start_time);
  v("prompt_tokens", l.prompt_tokens);
  v("completion_tokens", l.completion_tokens);
  v("total_request_tokens", l.total_request_tokens);
  v("cost", l.cost);
  v("model", l.model);
  v("latency", l.latency);
  v("status_code", l.status_code);
  v("status", l.status);
  v("prompt", l.prompt);
  v("completion", l.completion);
  v("messages", l.messages);
  v("input", l.input);
  v("output", l.output);
  v("expected_output", l.expected_output);
  v("dataset_id", l.dataset_id, field::id);
  v("annotation_status", l.annotation_status);
  v("annotation_completed_by", l.annotation_completed_by);
  v("scores", l.raw_scores, ScoresCodec(l.scores));
  v("metadata", l.metadata);
  v("metrics", l.metrics);
  v("custom_identifier", l.custom_identifier);
  v("log_type", l.log_type);
  v.fill(l.unique_id, l.id);
  v.extra(l.extra);
}
RESPAN_MODEL_JSON(DatasetLogRecord)

// ------------------------------------------------------------------------------ export / import

template <class V>
void model_fields(V& v, Self<V, ExportLogsRequest>& e) {
  v("is_exporting", true, field::constant);
  v("filters", e.filters);
  v("export_format", e.export_format);
  v("name", e.name);
  v.extra(e.extra);
}
RESPAN_MODEL_JSON(ExportLogsRequest)

template <class V>
void model_fields(V& v, Self<V, ImportLogsRequest>& i) {
  v("start_time", i.start_time);
  v("end_time", i.end_time);
  v("filters", i.filters);
  v("sampling_percentage", i.sampling_percentage);
  v.extra(i.extra);
}
RESPAN_MODEL_JSON(ImportLogsRequest)

template <class V>
void model_fields(V& v, Self<V, RemoveLogsRequest>& rm) {
  v("is_deleting_all_logs", rm.is_deleting_all_logs, field::omit_empty);
  v("filters", rm.filters);
  v.extra(rm.extra);
}
RESPAN_MODEL_JSON(RemoveLogsRequest)

}  // namespace respan
