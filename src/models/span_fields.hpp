// Internal: the field lists of a span, shared by RequestLog and RequestLogRecord
// (request_log.cpp) and TraceSpanNode (trace.cpp). See fields.hpp.
#pragma once

#include <respan/models/request_log.hpp>

#include "models/fields.hpp"

namespace respan {

// The fields every span has (the documented create-span body): all of a RequestLog's, a record's
// first.
template <class V>
void span_fields(V& v, detail::Self<V, SpanFields>& s) {
  v("model", s.model);
  v("prompt_messages", s.prompt_messages, detail::field::Alias{"messages"});
  v("completion_message", s.completion_message);
  v("input", s.input);
  v("output", s.output);
  v("log_type", s.log_type);
  v("prompt_tokens", s.prompt_tokens);
  v("completion_tokens", s.completion_tokens);
  v("usage", s.usage);
  v("cost", s.cost);
  v("latency", s.latency, detail::field::Alias{"generation_time"});
  v("time_to_first_token", s.time_to_first_token, detail::field::Alias{"ttft"});
  v("tokens_per_second", s.tokens_per_second);
  v("prompt_unit_price", s.prompt_unit_price);
  v("completion_unit_price", s.completion_unit_price);
  v("timestamp", s.timestamp);
  v("start_time", s.start_time);
  v("temperature", s.temperature);
  v("top_p", s.top_p);
  v("max_tokens", s.max_tokens);
  v("frequency_penalty", s.frequency_penalty);
  v("presence_penalty", s.presence_penalty);
  v("stop", s.stop);
  v("stream", s.stream);
  v("tools", s.tools);
  v("tool_calls", s.tool_calls);
  v("tool_choice", s.tool_choice);
  v("response_format", s.response_format);
  v("status_code", s.status_code);
  v("status", s.status);
  v("error_message", s.error_message);
  v("warnings", s.warnings);
  v("trace_unique_id", s.trace_unique_id, detail::field::id);
  v("span_name", s.span_name);
  v("span_parent_id", s.span_parent_id, detail::field::id);
  v("span_workflow_name", s.span_workflow_name);
  v("custom_identifier", s.custom_identifier);
  v("thread_identifier", s.thread_identifier);
  v("group_identifier", s.group_identifier);
  v("customer_identifier", s.customer_identifier);
  v("customer_params", s.customer_params);
  v("metadata", s.metadata);
  v("properties", s.properties);
  v("variables", s.variables);
  v("prompt_id", s.prompt_id, detail::field::id);
  v("prompt_name", s.prompt_name);
  v("is_custom_prompt", s.is_custom_prompt);
  v("full_request", s.full_request);
  v("full_response", s.full_response);
  v("respan_params", s.respan_params, detail::field::Alias{"keywordsai_params"});
  v("positive_feedback", s.positive_feedback);
}

// A record's own fields after the span's (TraceSpanNode extends the list).
template <class V>
void record_fields(V& v, detail::Self<V, RequestLogRecord>& rec) {
  span_fields(v, rec);
  v("id", rec.id, detail::field::id);
  v("unique_id", rec.unique_id, detail::field::id);
  v("organization_id", rec.organization_id, detail::field::id);
  v("environment", rec.environment);
  v("total_request_tokens", rec.total_request_tokens);
  v("prompt_cache_creation_tokens", rec.prompt_cache_creation_tokens);
  v("prompt_cache_hit_tokens", rec.prompt_cache_hit_tokens);
  v("is_pinned", rec.is_pinned);
  v("note", rec.note);
  v("scores", rec.scores);
  v("limit_info", rec.limit_info);
  v.fill(rec.unique_id, rec.id);
}

}  // namespace respan
