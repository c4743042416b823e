#include <respan/models/trace.hpp>

#include "models/emit.hpp"
#include "models/json_io.hpp"
#include "models/span_fields.hpp"

namespace respan {

using detail::Self;
namespace field = detail::field;

namespace {
// A tree's nodes decoded one by one: the nodes that decode are kept and, when one does not,
// the raw list stays in extra under the field's name.
struct NodesCodec : field::Codec {
  template <class R, class T>
  void read(R& r, const char* k, T& out) const {
    const Json* v = r.find(k);
    if (v == nullptr) return;
    if (v->is_null()) return r.understood(k);
    if (!v->is_array()) return;
    std::vector<TraceSpanNode> nodes;
    bool all = true;
    for (const Json& node : *v) {
      try {
        nodes.push_back(node.get<TraceSpanNode>());
      } catch (const std::exception&) {
        all = false;
      }
    }
    out = std::move(nodes);
    if (all) r.understood(k);
  }
};
}  // namespace

// ------------------------------------------------------------------------------ TraceSpanNode

template <class V>
void model_fields(V& v, Self<V, TraceSpanNode>& n) {
  record_fields(v, n);
  v("span_unique_id", n.span_unique_id, field::id);
  v("children", n.children, NodesCodec{});
  v.extra(n.extra);
}
RESPAN_MODEL_JSON(TraceSpanNode)

// ------------------------------------------------------------------------------ TraceRecord

template <class V>
void model_fields(V& v, Self<V, TraceRecord>& t) {
  v("trace_unique_id", t.trace_unique_id, field::id);
  v("id", t.id, field::id);
  v("root_span_unique_id", t.root_span_unique_id, field::id);
  v("unique_organization_id", t.unique_organization_id, field::id);
  v("organization_id", t.organization_id, field::id);
  v("organization_name", t.organization_name);
  v("organization_key_id", t.organization_key_id, field::id);
  v("environment", t.environment);
  v("customer_identifier", t.customer_identifier);
  v("start_time", t.start_time);
  v("end_time", t.end_time);
  v("duration", t.duration);
  v("span_count", t.span_count);
  v("llm_call_count", t.llm_call_count);
  v("total_cost", t.total_cost);
  v("total_prompt_tokens", t.total_prompt_tokens);
  v("total_completion_tokens", t.total_completion_tokens);
  v("total_tokens", t.total_tokens);
  v("error_count", t.error_count);
  v("name", t.name);
  v("input", t.input);
  v("output", t.output);
  v("metadata", t.metadata);
  v("trace_group_identifier", t.trace_group_identifier);
  v("session_identifier", t.session_identifier);
  v("model", t.model);
  v("storage_object_key", t.storage_object_key);
  v("span_tree", t.span_tree, NodesCodec{});
  v.extra(t.extra);
}
RESPAN_MODEL_JSON(TraceRecord)

// ------------------------------------------------------------------------------ results

template <class V>
void model_fields(V& v, Self<V, ShareTraceResult>& res) {
  v("trace_unique_id", res.trace_unique_id, field::id);
  v("is_public", res.is_public);
  v.extra(res.extra);
}
RESPAN_MODEL_JSON(ShareTraceResult)

template <class V>
void model_fields(V& v, Self<V, BulkDeleteTracesResult>& res) {
  v("deleted_count", res.deleted_count, field::count);  // anything else stays in extra
  v("message", res.message);
  v.extra(res.extra);
}
RESPAN_MODEL_JSON(BulkDeleteTracesResult)

}  // namespace respan
