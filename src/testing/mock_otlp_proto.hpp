// The mock server's OTLP protobuf support: a minimal, bounded decoder of
// ExportTraceServiceRequest into its OTLP JSON form (so protobuf requests get exactly the
// validation JSON ones get, mock_traces.cpp), and the encoders of the answers. Field numbers
// from opentelemetry-proto v1 (collector/trace/v1/trace_service.proto, trace/v1/trace.proto,
// common/v1/common.proto, resource/v1/resource.proto).
#pragma once

#include <string>
#include <string_view>

#include "testing/mock_filters.hpp"

namespace respan::testing::detail {

/// AnyValues nest at most this deep (arrayValue / kvlistValue levels) in a decoded request.
constexpr int kMaxOtlpValueDepth = 64;

/// Decodes a protobuf ExportTraceServiceRequest into the OTLP JSON mapping, for the fields
/// the mock reads: `resourceSpans[].resource.attributes`, `.scopeSpans[].scope` (name,
/// version) and `.spans[]` with `traceId`, `spanId`, `parentSpanId` (lowercase hex; an empty
/// parent left out), `name`, `kind`, `startTimeUnixNano`, `endTimeUnixNano` (decimal
/// strings; proto3 defaults when absent), `attributes`, `events` and `status`. Unknown fields
/// are skipped, as protobuf does.
/// @throws HttpError 400 on malformed wire data (a varint longer than 10 bytes, a length or a
/// fixed field past the end, a group, a known field with the wrong wire type, a string that
/// is not UTF-8) and on values nested deeper than kMaxOtlpValueDepth.
Json otlp_request_from_protobuf(std::string_view body);

/// The protobuf ExportTraceServiceResponse of an OTLP JSON answer: `partial_success` only
/// when it rejects spans or carries a message (an empty message is a full success).
std::string otlp_response_to_protobuf(const Json& answer);

/// A protobuf google.rpc.Status (`code`, `message`): OTLP/HTTP's error body for protobuf.
std::string rpc_status_protobuf(int code, const std::string& message);

}  // namespace respan::testing::detail
