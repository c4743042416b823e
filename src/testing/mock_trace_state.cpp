// Storage and aggregation of the mock's traces (see mock_trace_state.hpp). The endpoints are
// in mock_traces.cpp.
#include "testing/mock_trace_state.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "testing/mock_endpoint_util.hpp"
#include "testing/mock_state.hpp"
#include "testing/mock_ui.hpp"
#include "util/text.hpp"

namespace respan::testing::detail {

namespace {

// Log types that count as an LLM call in a trace's `llm_call_count` [guess: the generation
// types among span create's documented log types].
bool is_llm_log_type(const std::string& t) {
  static const auto* kLlm = new std::set<std::string>{
      // never destroyed (usable at exit)
      "chat", "completion", "response", "embedding", "speech", "transcription", "generation"};
  return kLlm->count(t) != 0;
}

std::string text_of(const Json& v) {
  if (v.is_null()) return {};
  return as_text(v);
}

std::int64_t int_field(const Json& span, const char* key) {
  const auto it = span.find(key);
  if (it == span.end() || !is_integer_like(*it)) return 0;
  return it->get<std::int64_t>();
}

}  // namespace

TraceStore::TraceStore(TraceStoreConfig config) : config_(std::move(config)) {}

void TraceStore::reset() {
  std::lock_guard<std::mutex> lock(mu_);
  arrivals_.clear();
  spans_.clear();
  trace_spans_.clear();
  meta_.clear();
  seq_ = 0;
}

void TraceStore::check_room(const std::vector<Json>& spans) const {
  std::set<std::string> fresh;  // span ids not stored yet
  for (const auto& span : spans) {
    const std::string& sid = span["span_unique_id"].get_ref<const std::string&>();
    if (spans_.count(sid) == 0) fresh.insert(sid);
  }
  if (fresh.size() > config_.max_spans - std::min(config_.max_spans, spans_.size())) {
    throw store_full("trace spans", config_.max_spans, "max_stored_trace_spans", fresh.size());
  }
}

void TraceStore::store_spans(std::vector<Json> spans, const std::string& via,
                             const std::string& environment, bool record) {
  check_room(spans);
  for (auto& span : spans) {
    const std::string tid = span["trace_unique_id"].get<std::string>();
    const std::string sid = span["span_unique_id"].get<std::string>();
    span["environment"] = environment;
    // A span sent again replaces the earlier one (also when it moved to another trace).
    if (const auto old = spans_.find(sid); old != spans_.end()) {
      const std::string old_tid = old->second["trace_unique_id"].get<std::string>();
      auto& ids = trace_spans_[old_tid];
      ids.erase(std::remove(ids.begin(), ids.end(), sid), ids.end());
      if (ids.empty()) {
        trace_spans_.erase(old_tid);
        if (old_tid != tid) meta_.erase(old_tid);
      }
    }
    trace_spans_[tid].push_back(sid);
    if (meta_.find(tid) == meta_.end()) {
      TraceMeta m;
      m.seq = ++seq_;
      m.environment = environment;
      meta_.emplace(tid, std::move(m));
    }
    if (record) {
      Json arrival = span;
      arrival["received_via"] = via;
      arrivals_.push_back(std::move(arrival));
      while (arrivals_.size() > config_.max_spans)
        arrivals_.pop_front();
    }
    spans_[sid] = std::move(span);
  }
}

std::vector<std::string> TraceStore::trace_ids() const {
  std::vector<std::pair<std::uint64_t, std::string>> order;
  order.reserve(trace_spans_.size());
  for (const auto& [tid, ids] : trace_spans_) {
    const auto m = meta_.find(tid);
    order.emplace_back(m == meta_.end() ? 0 : m->second.seq, tid);
  }
  std::sort(order.begin(), order.end());
  std::vector<std::string> out;
  out.reserve(order.size());
  for (auto& [seq, tid] : order)
    out.push_back(std::move(tid));
  return out;
}

void TraceStore::erase_trace(const std::string& tid) {
  const auto it = trace_spans_.find(tid);
  if (it != trace_spans_.end()) {
    for (const auto& sid : it->second)
      spans_.erase(sid);
    trace_spans_.erase(it);
  }
  meta_.erase(tid);
}

std::optional<Json> TraceStore::trace_row(const std::string& tid) const {
  const auto it = trace_spans_.find(tid);
  if (it == trace_spans_.end() || it->second.empty()) return std::nullopt;
  const TraceMeta& meta = meta_.at(tid);
  std::vector<const Json*> spans;
  for (const auto& sid : it->second)
    spans.push_back(&spans_.at(sid));

  std::set<std::string> ids;
  for (const Json* s : spans)
    ids.insert((*s)["span_unique_id"].get<std::string>());
  // The root: the earliest-starting span without a parent in this trace.
  const Json* root = nullptr;
  std::int64_t start = INT64_MAX;
  std::int64_t end = INT64_MIN;
  std::int64_t prompt = 0, completion = 0, total = 0, llm_calls = 0, errors = 0;
  double cost = 0;
  std::string customer, model;
  for (const Json* s : spans) {
    const std::int64_t s_start = as_time((*s)["start_time"]).value_or(0);
    const std::int64_t s_end = as_time((*s)["timestamp"]).value_or(s_start);
    start = std::min(start, s_start);
    end = std::max(end, s_end);
    const bool parented =
        has(*s, "span_parent_id") && ids.count(text_of((*s)["span_parent_id"])) != 0;
    if (!parented) {
      if (root == nullptr || s_start < as_time((*root)["start_time"]).value_or(0)) root = s;
    }
    prompt = saturating_add(prompt, int_field(*s, "prompt_tokens"));
    completion = saturating_add(completion, int_field(*s, "completion_tokens"));
    total = saturating_add(total, int_field(*s, "total_request_tokens"));
    if (const auto c = number_at(*s, "cost")) cost += *c;
    const std::string log_type = s->value("log_type", std::string());
    if (is_llm_log_type(log_type)) ++llm_calls;
    if (s->value("status", std::string()) == "error") ++errors;
    if (customer.empty() && has(*s, "customer_identifier")) {
      customer = text_of((*s)["customer_identifier"]);
    }
    if (model.empty() && has(*s, "model") && is_llm_log_type(log_type)) {
      model = text_of((*s)["model"]);
    }
  }
  if (root == nullptr) root = spans.front();  // a parent cycle: no span without a parent
  if (model.empty() && has(*root, "model")) model = text_of((*root)["model"]);

  Json row = Json::object();
  // `id` and `organization_id` are strings in the official client's trace types;
  // `organization_id` is an alias of `unique_organization_id`.
  row["id"] = std::to_string(meta.seq);
  row["trace_unique_id"] = tid;
  row["root_span_unique_id"] = (*root)["span_unique_id"];
  row["unique_organization_id"] = config_.organization_id;
  row["organization_id"] = config_.organization_id;
  row["organization_name"] = "Mock organization";
  row["organization_key_id"] = "mock_key";
  row["environment"] = meta.environment;
  row["customer_identifier"] = customer;
  row["start_time"] = format_iso8601(start);
  row["end_time"] = format_iso8601(end);
  row["duration"] = static_cast<double>(end - start) / 1e6;
  row["span_count"] = spans.size();
  row["llm_call_count"] = llm_calls;
  row["total_cost"] = cost;
  row["total_prompt_tokens"] = prompt;
  row["total_completion_tokens"] = completion;
  row["total_tokens"] = total;
  row["error_count"] = errors;
  std::string name = text_of(root->value("span_name", Json()));
  if (name.empty()) name = text_of(root->value("span_workflow_name", Json()));
  row["name"] = name;
  row["input"] = text_of(root->value("input", Json()));
  row["output"] = text_of(root->value("output", Json()));
  row["metadata"] = root->contains("metadata") && (*root)["metadata"].is_object()
                        ? (*root)["metadata"]
                        : Json::object();
  row["trace_group_identifier"] = text_of(root->value("trace_group_identifier", Json()));
  row["session_identifier"] = text_of(root->value("thread_identifier", Json()));
  row["model"] = model;
  return row;
}

Json TraceStore::trace_detail(const std::string& tid, bool with_state) const {
  Json out = *trace_row(tid);
  if (with_state) out["is_public"] = meta_.at(tid).is_public;
  // The span tree: each node is the stored span plus `children`, siblings by start time.
  const auto& sids = trace_spans_.at(tid);
  std::set<std::string> ids(sids.begin(), sids.end());
  std::map<std::string, std::vector<std::string>> children;  // parent -> child ids
  std::vector<std::string> roots;
  for (const auto& sid : sids) {
    const Json& s = spans_.at(sid);
    const std::string parent = has(s, "span_parent_id") ? text_of(s["span_parent_id"]) : "";
    if (!parent.empty() && ids.count(parent) != 0 && parent != sid) {
      children[parent].push_back(sid);
    } else {
      roots.push_back(sid);
    }
  }
  auto by_start = [&](std::vector<std::string>& v) {
    std::stable_sort(v.begin(), v.end(), [&](const std::string& a, const std::string& b) {
      return as_time(spans_.at(a)["start_time"]).value_or(0) <
             as_time(spans_.at(b)["start_time"]).value_or(0);
    });
  };
  // Spans in a parent cycle are left out of the tree. Nodes deeper than kMaxTreeDepth are
  // dropped so that the answer stays within the 128 JSON levels a client accepts.
  constexpr int kMaxTreeDepth = 60;
  std::set<std::string> placed;
  std::function<Json(const std::string&, int)> node = [&](const std::string& sid, int depth) {
    Json n = spans_.at(sid);
    n["children"] = Json::array();
    placed.insert(sid);
    if (depth >= kMaxTreeDepth) return n;
    auto it = children.find(sid);
    if (it != children.end()) {
      by_start(it->second);
      for (const auto& c : it->second) {
        if (placed.count(c) == 0) n["children"].push_back(node(c, depth + 1));
      }
    }
    return n;
  };
  by_start(roots);
  Json tree = Json::array();
  for (const auto& r : roots)
    tree.push_back(node(r, 0));
  out["span_tree"] = std::move(tree);
  return out;
}

std::vector<Json> TraceStore::ingested_spans() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {arrivals_.begin(), arrivals_.end()};
}

std::vector<Json> TraceStore::traces() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Json> out;
  for (const auto& tid : trace_ids())
    out.push_back(trace_detail(tid, true));
  return out;
}

std::optional<Json> TraceStore::trace(const std::string& trace_unique_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (trace_spans_.count(trace_unique_id) == 0) return std::nullopt;
  return trace_detail(trace_unique_id, true);
}

namespace {

// The fields of a trace row the viewer shows.
Json ui_trace_summary(const Json& row) {
  return ui_pick(row, {"id", "trace_unique_id", "root_span_unique_id", "name", "start_time",
                       "end_time", "duration", "span_count", "llm_call_count", "error_count",
                       "total_cost", "total_prompt_tokens", "total_completion_tokens",
                       "total_tokens", "model", "customer_identifier", "environment"});
}

}  // namespace

Json TraceStore::ui_traces(std::size_t limit) const {
  std::lock_guard<std::mutex> lock(mu_);
  const std::vector<std::string> ids = trace_ids();
  Json rows = Json::array();
  for (auto it = ids.rbegin(); it != ids.rend() && rows.size() < limit; ++it) {
    if (std::optional<Json> row = trace_row(*it)) rows.push_back(ui_trace_summary(*row));
  }
  return Json{{"count", ids.size()}, {"results", std::move(rows)}};
}

std::optional<Json> TraceStore::ui_trace(const std::string& tid, std::size_t max_spans) const {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = trace_spans_.find(tid);
  if (it == trace_spans_.end() || it->second.empty()) return std::nullopt;
  struct Timed {
    const Json* span;
    std::int64_t start;
    std::int64_t end;
  };
  std::vector<Timed> timed;
  timed.reserve(it->second.size());
  std::int64_t trace_start = INT64_MAX;
  for (const auto& sid : it->second) {
    const Json& s = spans_.at(sid);
    const std::int64_t start = as_time(s["start_time"]).value_or(0);
    const std::int64_t end = std::max(start, as_time(s["timestamp"]).value_or(start));
    trace_start = std::min(trace_start, start);
    timed.push_back({&s, start, end});
  }
  std::stable_sort(timed.begin(), timed.end(),
                   [](const Timed& a, const Timed& b) { return a.start < b.start; });
  Json spans = Json::array();
  for (std::size_t i = 0; i < timed.size() && i < max_spans; ++i) {
    const Json& s = *timed[i].span;
    Json v = ui_pick(s, {"span_unique_id", "trace_unique_id", "span_name", "span_workflow_name",
                         "log_type", "status", "status_code", "error_message", "model",
                         "start_time", "timestamp", "latency", "prompt_tokens", "completion_tokens",
                         "total_request_tokens", "cost", "customer_identifier", "input", "output"});
    // The parent as text ("" for a root), whatever type it was stored with.
    std::string parent = has(s, "span_parent_id") ? text_of(s["span_parent_id"]) : "";
    respan::detail::truncate_utf8(parent, UiLimits::kMaxTextBytes);
    v["span_parent_id"] = std::move(parent);
    v["offset_us"] = timed[i].start - trace_start;
    v["duration_us"] = timed[i].end - timed[i].start;
    v["is_error"] = s.value("status", Json()) == "error";
    spans.push_back(std::move(v));
  }
  Json out = Json::object();
  out["trace"] = ui_trace_summary(*trace_row(tid));
  out["span_count"] = timed.size();
  out["truncated"] = timed.size() > max_spans;
  out["spans"] = std::move(spans);
  return out;
}

bool TraceStore::has_span(const std::string& span_unique_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return spans_.count(span_unique_id) != 0;
}

}  // namespace respan::testing::detail
