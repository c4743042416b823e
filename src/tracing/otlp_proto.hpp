// Internal: OTLP protobuf encoding of the Tracer's spans, by hand (no libprotobuf), following
// the field numbers of opentelemetry-proto's trace.proto, common.proto and resource.proto.
// The input is a span in the OTLP JSON mapping (as otlp_span_json() makes it), so the JSON
// and protobuf encodings of a span are the same message by construction: hex ids become
// bytes, decimal nanoseconds fixed64, `intValue` strings int64 varints.
#pragma once

#include <optional>
#include <string>

#include <respan/export.hpp>
#include <respan/json.hpp>

namespace respan::detail {

/// Appends `span` as ScopeSpans field 2 (`spans`) holding its Span message. Returns why it
/// cannot be encoded (a member of a form otlp_span_json() never makes; `out` may then hold
/// part of it), or nullopt.
RESPAN_EXPORT std::optional<std::string> otlp_span_proto(const Json& span, std::string& out);

/// Appends `resource` (`{"attributes": [...]}`) as ResourceSpans field 1 (`resource`).
RESPAN_EXPORT void otlp_resource_proto(const Json& resource, std::string& out);

/// Appends `scope` (`{"name": ..., "version": ...}`) as ScopeSpans field 1 (`scope`).
RESPAN_EXPORT void otlp_scope_proto(const Json& scope, std::string& out);

}  // namespace respan::detail
