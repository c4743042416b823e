/// @file trace.hpp
/// @brief Models of the traces API: the stored trace (TraceRecord) with its span tree
/// (TraceSpanNode), and the answers of share and bulk delete. See common.hpp for the
/// conventions every model follows. The API: https://www.respan.ai/docs/apis/traces/list-traces
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <respan/export.hpp>
#include <respan/json.hpp>
#include <respan/models/common.hpp>
#include <respan/models/request_log.hpp>

namespace respan {

/// One node of a trace's `span_tree`: the stored span (every field of RequestLogRecord) plus
/// its id within the trace and its child spans.
struct RESPAN_EXPORT TraceSpanNode : RequestLogRecord {
  /// The span's id in its trace (what a child's `span_parent_id` refers to).
  std::optional<std::string> span_unique_id;
  /// Child spans, as the server orders them. A child that cannot be decoded is left out and
  /// the raw `children` array is kept in `extra["children"]`.
  std::vector<TraceSpanNode> children;
};
RESPAN_EXPORT void to_json(Json& j, const TraceSpanNode& n);
RESPAN_EXPORT void from_json(const Json& j, TraceSpanNode& n);

/// A trace as `POST /api/traces/list/` (a row) and `GET /api/traces/{trace_unique_id}/` (with
/// #span_tree) return it: aggregates over its spans.
struct RESPAN_EXPORT TraceRecord {
  std::string trace_unique_id;    ///< The trace's identity ("" if the server sent none).
  std::optional<std::string> id;  ///< The server's row id (a string; an integer is kept as text).
  std::optional<std::string> root_span_unique_id;  ///< Span id of the root span.
  /// Organization id of the public-read path (TracesResource::retrieve_public()).
  std::optional<std::string> unique_organization_id;
  /// A string, an alias of #unique_organization_id (an integer is kept as its text).
  std::optional<std::string> organization_id;
  std::optional<std::string> organization_name;
  std::optional<std::string> organization_key_id;
  std::optional<std::string> environment;
  std::optional<std::string> customer_identifier;
  std::optional<Timestamp> start_time;  ///< Start of the earliest span.
  std::optional<Timestamp> end_time;    ///< End of the latest span.
  std::optional<Seconds> duration;
  std::optional<std::int64_t> span_count;
  std::optional<std::int64_t> llm_call_count;
  std::optional<double> total_cost;  ///< USD.
  std::optional<std::int64_t> total_prompt_tokens;
  std::optional<std::int64_t> total_completion_tokens;
  std::optional<std::int64_t> total_tokens;
  std::optional<std::int64_t> error_count;
  std::optional<std::string> name;    ///< Usually the root span's name.
  std::optional<std::string> input;   ///< The trace input, as a string (often JSON text).
  std::optional<std::string> output;  ///< The trace output, as a string (often JSON text).
  std::optional<Json> metadata;
  std::optional<std::string> trace_group_identifier;
  std::optional<std::string> session_identifier;
  std::optional<std::string> model;
  std::optional<std::string> storage_object_key;
  /// The root spans with their descendants: retrieve answers only (unset on list rows).
  OptionalList<TraceSpanNode> span_tree;
  Json extra;  ///< Any other field (e.g. `is_public` if a deployment sends it).
};
RESPAN_EXPORT void to_json(Json& j, const TraceRecord& t);
RESPAN_EXPORT void from_json(const Json& j, TraceRecord& t);

/// Answer of `PATCH /api/traces/{trace_unique_id}/` (TracesResource::share() / unshare()).
struct RESPAN_EXPORT ShareTraceResult {
  std::string trace_unique_id;    ///< "" if the server sent none.
  std::optional<bool> is_public;  ///< The trace's new state.
  Json extra;
};
RESPAN_EXPORT void to_json(Json& j, const ShareTraceResult& r);
RESPAN_EXPORT void from_json(const Json& j, ShareTraceResult& r);

/// Answer of `POST /api/traces/bulk/` (TracesResource::bulk_delete()).
struct RESPAN_EXPORT BulkDeleteTracesResult {
  std::optional<std::int64_t> deleted_count;  ///< Traces deleted by this request.
  std::optional<std::string> message;
  Json extra;
};
RESPAN_EXPORT void to_json(Json& j, const BulkDeleteTracesResult& r);
RESPAN_EXPORT void from_json(const Json& j, BulkDeleteTracesResult& r);

}  // namespace respan
