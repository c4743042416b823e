#include <respan/models/trace.hpp>

#include "models/json_io.hpp"

namespace respan {

using detail::put;
using detail::put_extra;
using detail::Reader;

// ------------------------------------------------------------------------------ TraceSpanNode

void to_json(Json& j_out, const TraceSpanNode& n) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  to_json(j, static_cast<const RequestLogRecord&>(n));
  put(j, "span_unique_id", n.span_unique_id);
  Json children = Json::array();
  for (std::size_t i = 0; i < n.children.size(); ++i) {
    try {
      children.push_back(detail::to_json_value(n.children[i]));
    } catch (detail::EncodeError& e) {
      e.prepend_index(i);
      e.prepend_field("children");
      throw;
    }
  }
  j["children"] = std::move(children);
  j_out = std::move(j);
}

void from_json(const Json& j, TraceSpanNode& n) {
  n = TraceSpanNode{};
  from_json(j, static_cast<RequestLogRecord&>(n));
  // The record decoder put the members it does not know into extra: take ours back.
  if (auto it = n.extra.find("span_unique_id"); it != n.extra.end()) {
    if (it->is_string()) {
      n.span_unique_id = it->get<std::string>();
      n.extra.erase(it);
    } else if (it->is_number_integer()) {
      n.span_unique_id = it->dump();
      n.extra.erase(it);
    }
  }
  if (auto it = n.extra.find("children"); it != n.extra.end()) {
    if (it->is_array()) {
      bool all = true;
      for (const Json& child : *it) {
        try {
          n.children.push_back(child.get<TraceSpanNode>());
        } catch (const std::exception&) {
          all = false;
        }
      }
      if (all) n.extra.erase(it);
    }
  }
  // A `children: null` is no children (the record decoder kept the null in extra).
  if (auto it = n.extra.find("children"); it != n.extra.end() && it->is_null()) n.extra.erase(it);
}

// ------------------------------------------------------------------------------ TraceRecord

void to_json(Json& j_out, const TraceRecord& t) {
  Json j;  // built aside: a refused field leaves j_out untouched (see to_json_value)
  j = Json::object();
  if (!t.trace_unique_id.empty()) j["trace_unique_id"] = t.trace_unique_id;
  put(j, "id", t.id);
  put(j, "root_span_unique_id", t.root_span_unique_id);
  put(j, "unique_organization_id", t.unique_organization_id);
  put(j, "organization_id", t.organization_id);
  put(j, "organization_name", t.organization_name);
  put(j, "organization_key_id", t.organization_key_id);
  put(j, "environment", t.environment);
  put(j, "customer_identifier", t.customer_identifier);
  put(j, "start_time", t.start_time);
  put(j, "end_time", t.end_time);
  put(j, "duration", t.duration);
  put(j, "span_count", t.span_count);
  put(j, "llm_call_count", t.llm_call_count);
  put(j, "total_cost", t.total_cost);
  put(j, "total_prompt_tokens", t.total_prompt_tokens);
  put(j, "total_completion_tokens", t.total_completion_tokens);
  put(j, "total_tokens", t.total_tokens);
  put(j, "error_count", t.error_count);
  put(j, "name", t.name);
  put(j, "input", t.input);
  put(j, "output", t.output);
  put(j, "metadata", t.metadata);
  put(j, "trace_group_identifier", t.trace_group_identifier);
  put(j, "session_identifier", t.session_identifier);
  put(j, "model", t.model);
  put(j, "storage_object_key", t.storage_object_key);
  put(j, "span_tree", t.span_tree);
  put_extra(j, t.extra);
  j_out = std::move(j);
}

void from_json(const Json& j, TraceRecord& t) {
  t = TraceRecord{};
  Reader r(j);
  r.id("trace_unique_id", t.trace_unique_id);
  r.id("id", t.id);
  r.id("root_span_unique_id", t.root_span_unique_id);
  r.id("unique_organization_id", t.unique_organization_id);
  r.id("organization_id", t.organization_id);
  r.get("organization_name", t.organization_name);
  r.id("organization_key_id", t.organization_key_id);
  r.get("environment", t.environment);
  r.get("customer_identifier", t.customer_identifier);
  r.get("start_time", t.start_time);
  r.get("end_time", t.end_time);
  r.get("duration", t.duration);
  r.get("span_count", t.span_count);
  r.get("llm_call_count", t.llm_call_count);
  r.get("total_cost", t.total_cost);
  r.get("total_prompt_tokens", t.total_prompt_tokens);
  r.get("total_completion_tokens", t.total_completion_tokens);
  r.get("total_tokens", t.total_tokens);
  r.get("error_count", t.error_count);
  r.get("name", t.name);
  r.get("input", t.input);
  r.get("output", t.output);
  r.raw("metadata", t.metadata);
  r.get("trace_group_identifier", t.trace_group_identifier);
  r.get("session_identifier", t.session_identifier);
  r.get("model", t.model);
  r.get("storage_object_key", t.storage_object_key);
  // The tree node by node: a node that does not decode leaves the raw tree in extra.
  if (auto it = j.find("span_tree"); it != j.end()) {
    if (it->is_null()) {
      r.skip("span_tree");
    } else if (it->is_array()) {
      std::vector<TraceSpanNode> tree;
      bool all = true;
      for (const Json& node : *it) {
        try {
          tree.push_back(node.get<TraceSpanNode>());
        } catch (const std::exception&) {
          all = false;
        }
      }
      t.span_tree = std::move(tree);
      if (all) r.skip("span_tree");
    }
  }
  t.extra = r.extra();
}

// ------------------------------------------------------------------------------ results

void to_json(Json& j_out, const ShareTraceResult& res) {
  Json j;
  j = Json::object();
  if (!res.trace_unique_id.empty()) j["trace_unique_id"] = res.trace_unique_id;
  put(j, "is_public", res.is_public);
  put_extra(j, res.extra);
  j_out = std::move(j);
}

void from_json(const Json& j, ShareTraceResult& res) {
  res = ShareTraceResult{};
  Reader r(j);
  r.id("trace_unique_id", res.trace_unique_id);
  r.get("is_public", res.is_public);
  res.extra = r.extra();
}

void to_json(Json& j_out, const BulkDeleteTracesResult& res) {
  Json j;
  j = Json::object();
  put(j, "deleted_count", res.deleted_count);
  put(j, "message", res.message);
  put_extra(j, res.extra);
  j_out = std::move(j);
}

void from_json(const Json& j, BulkDeleteTracesResult& res) {
  res = BulkDeleteTracesResult{};
  Reader r(j);
  r.get("deleted_count", res.deleted_count);
  r.get("message", res.message);
  // A count that is not a non-negative integer stays in extra.
  if (res.deleted_count && *res.deleted_count < 0) {
    res.deleted_count.reset();
    Json e = r.extra();
    e["deleted_count"] = j["deleted_count"];
    res.extra = std::move(e);
    return;
  }
  res.extra = r.extra();
}

}  // namespace respan
