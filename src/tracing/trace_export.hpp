// Internal: the Tracer's wire formats and sinks (trace ingest and OTLP/HTTP, JSON or
// protobuf, plain or gzip), the OpenTelemetry environment variables, and the ids. Exported
// for the unit tests only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <respan/export.hpp>
#include <respan/json.hpp>
#include <respan/result.hpp>
#include <respan/tracing.hpp>

#include "batch_sink.hpp"

namespace respan::detail {

/// Lowercase hex of a 64-bit id (16 digits) and of a 128-bit id (32 digits).
RESPAN_EXPORT std::string hex_id(std::uint64_t id);
RESPAN_EXPORT std::string hex_id(std::uint64_t hi, std::uint64_t lo);
/// Parses exactly `2 * words * 8` hex digits (either case) into `out` (1 or 2 words).
RESPAN_EXPORT bool parse_hex_id(std::string_view text, std::uint64_t* out, int words);

/// A random id from this thread's generator (seeded from std::random_device): never 0.
RESPAN_EXPORT std::uint64_t random_id();

/// The trace ingest row of a span (`POST /api/v1/traces/ingest`): the RequestLog fields plus
/// `span_unique_id` and `span_path`; `start_time`, `timestamp` (RFC 3339 UTC, microseconds)
/// and `latency` (seconds) from the span's times when unset; `status` from TraceSpan::error
/// when unset; `model` left out when empty. Refused (invalid_argument): ids that are not 32/16
/// hex digits, and what detail::encode refuses.
RESPAN_EXPORT Result<Json> ingest_span_json(const TraceSpan& span);

/// One OTLP/HTTP JSON span (ExportTraceServiceRequest `...spans[]`): hex ids, decimal-string
/// nanosecond times, and the span fields as the attributes of the OpenTelemetry GenAI
/// conventions and those Respan reads (gen_ai.*, traceloop.*, respan.*; the README's table);
/// integers as strings (`intValue`); metadata values typed (`kvlistValue`, `arrayValue`).
/// Span fields without an attribute of their own are sent as `respan.span.<field>` (JSON
/// text for objects). Status UNSET (code 0) unless the span failed: then ERROR (2) with the
/// message, `error.type` and an `exception` event. The protobuf encoding
/// (tracing/otlp_proto.hpp) is made from this one.
RESPAN_EXPORT Result<Json> otlp_span_json(const TraceSpan& span);

/// The ExportTraceServiceRequest around the spans: its text before and after the
/// comma-separated span objects (resource attributes `service.name` and the others, scope
/// `respan-cpp` and the library version).
struct OtlpEnvelope {
  std::string prefix;
  std::string suffix;
};
RESPAN_EXPORT OtlpEnvelope otlp_envelope(const std::string& service_name,
                                         const std::map<std::string, std::string>& attributes);

/// The sink of a Tracer with validated options (see check_tracer_options()).
RESPAN_EXPORT std::shared_ptr<const BatchSink> make_trace_sink(const TracerOptions& options);

/// The bytes an OTLP sink sends for `body` as the BatchLogger assembles it (body_prefix(),
/// rows joined by commas, body_suffix()): the protobuf ExportTraceServiceRequest framing
/// and/or gzip, per the sink's options; `body` itself for plain JSON. For tests and
/// benchmarks; invalid_argument for a sink that is not an OTLP one.
RESPAN_EXPORT Result<std::string> otlp_request_bytes(const BatchSink& sink, std::string_view body);

/// The URL a Tracer with these options posts to, for a client whose normalised base URL is
/// `base_url`.
RESPAN_EXPORT std::string trace_endpoint(const TracerOptions& options, const std::string& base_url);

/// Checks the options (collector URL, headers) before the tracer starts: an invalid_argument
/// Error naming the first unusable one. Header values are never quoted (they may be secrets).
/// Secret-looking headers (is_secret_header_name()) towards a plain-http collector on a
/// non-loopback host are refused unless TracerOptions::allow_insecure_collector.
RESPAN_EXPORT std::optional<Error> check_tracer_options(const TracerOptions& options);

/// True for a header whose value must not cross the network in clear text: `Authorization`,
/// `Proxy-Authorization`, and names containing `key`, `token`, `secret`, `auth`, `password` or
/// `signature` (any case).
RESPAN_EXPORT bool is_secret_header_name(std::string_view name);

/// `OTEL_EXPORTER_OTLP_HEADERS` / `OTEL_RESOURCE_ATTRIBUTES` syntax: comma-separated
/// `key=value` pairs, blanks around keys and values ignored, values percent-decoded, empty
/// entries skipped. An entry without `=` or with an empty key is an invalid_argument Error
/// naming `variable` and the entry's position (not its text, which may be a secret).
RESPAN_EXPORT Result<std::map<std::string, std::string>> parse_otel_key_values(
    std::string_view text, const char* variable);

/// `OTEL_EXPORTER_OTLP_ENDPOINT` + `v1/traces` per the OpenTelemetry specification (a
/// slash is added unless the base ends with one).
RESPAN_EXPORT std::string otlp_traces_url(std::string_view base_endpoint);

/// TracerOptions from the environment over `defaults` (see Tracer::from_env()); `getenv`
/// returns a variable's value or nullptr (tests pass their own).
RESPAN_EXPORT Result<TracerOptions> tracer_options_from_env(
    TracerOptions defaults, const std::function<const char*(const char*)>& getenv);

}  // namespace respan::detail
