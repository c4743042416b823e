// Internal: the one way a resource turns a write model into the JSON body it sends (and the
// hot path's answer back into its model).
#pragma once

#include <exception>
#include <string>
#include <string_view>

#include <respan/error.hpp>
#include <respan/export.hpp>
#include <respan/json.hpp>
#include <respan/result.hpp>

#include "models/json_io.hpp"

namespace respan::detail {

/// Encodes `body` (a model with a to_json) for the wire. Refused, as ErrorCode::invalid_argument,
/// are a non-finite number anywhere (also inside free-form JSON such as metadata, and in
/// `extra`) and a set optional field whose value is JSON null (e.g. a default-constructed
/// SpanIO); Clearable's cleared state is the one way to send null. Nulls nested inside
/// free-form JSON are the caller's data and pass. The message names the field:
/// "RequestLog.latency: not a finite number (NaN)", "RequestLog.input: set but null",
/// "RequestLog.prompt_messages[2].content[0].image_url.x: not a finite number (inf)".
/// The invalid_argument Error of a refused body ("<type_name>.<path>: <reason>").
inline Error encode_refusal(std::string_view type_name, const EncodeError& e) {
  std::string message(type_name);
  if (!e.path().empty()) message += "." + e.path();
  message += ": " + e.reason();
  return Error::make(ErrorCode::invalid_argument, std::move(message));
}

template <class T>
Result<Json> encode(const T& body, std::string_view type_name) {
  try {
    return to_json_value(body);
  } catch (const EncodeError& e) {
    return encode_refusal(type_name, e);
  } catch (const std::exception& e) {
    return Error::make(ErrorCode::invalid_argument,
                       std::string(type_name) + ": cannot be encoded: " + e.what());
  }
}

/// Why `model` cannot be a span's `model` (span create documents it as required): "required"
/// (empty), "holds a NUL byte" or "blank (only whitespace)"; "" when it can. Both writers of a
/// RequestLog (encode(), encode_text()) refuse a non-empty model this rejects, as
/// "RequestLog.model: <why>"; an empty one is left to the caller (every request-log create
/// refuses it; a TraceSpan's log may leave it empty and it is then not sent).
RESPAN_EXPORT std::string span_model_problem(std::string_view model);

/// Appends the compact JSON text of a span, built without a Json DOM (models/emit.hpp).
/// Refuses what encode() refuses, and a value nested deeper than kMaxJsonDepth.
/// @throws EncodeError; `out` is then incomplete.
RESPAN_EXPORT void write_text(std::string& out, const RequestLog& span);

/// write_text() for the asynchronous paths: a field holding a non-finite number is left out
/// and recorded in `drops` (TextOut's lenient writer) instead of refusing the span.
/// @throws EncodeError for every other refusal; `out` is then incomplete.
RESPAN_EXPORT void write_text_dropping(std::string& out, const RequestLog& span, FieldDrops& drops);

/// A copy of `span` without the fields that hold a non-finite number (each recorded in
/// `drops`), for the paths that read the model rather than its text (the Tracer's exporters).
/// @throws EncodeError for every other refusal.
RESPAN_EXPORT RequestLog without_non_finite(const RequestLog& span, FieldDrops& drops);

/// Decodes a create-span answer straight from its text (a flat object, no map): the value
/// from_json gives. False when the text is anything else (not an object, duplicate names,
/// invalid): the caller then takes the general path, which reports it.
RESPAN_EXPORT bool decode_text(std::string_view text, RequestLogCreated& out);

/// Runs `write` (which appends to `out`): nothing on success; on a refusal `out` is restored
/// and the refusal is the invalid_argument Error.
template <class Write>
Result<void> written_or_refused(std::string_view type_name, std::string& out, Write&& write) {
  const std::size_t size = out.size();
  try {
    write();
    return {};
  } catch (const EncodeError& e) {
    out.resize(size);
    return encode_refusal(type_name, e);
  } catch (const std::exception& e) {
    out.resize(size);
    return Error::make(ErrorCode::invalid_argument,
                       std::string(type_name) + ": cannot be encoded: " + e.what());
  }
}

/// encode() straight to the JSON text sent (the same value; ready for ApiRequest::body_text,
/// as it is checked as check_body() would). Appends to `out`; on an Error `out` is restored.
template <class T>
Result<void> encode_text(const T& body, std::string_view type_name, std::string& out) {
  return written_or_refused(type_name, out, [&] { write_text(out, body); });
}

/// encode_text() for the asynchronous paths: a span with a non-finite number is sent without
/// that field (recorded in `drops`) instead of being refused. The common span, without one,
/// costs what encode_text() costs.
template <class T>
Result<void> encode_text_dropping(const T& body, std::string_view type_name, std::string& out,
                                  FieldDrops& drops) {
  const std::size_t size = out.size();
  return written_or_refused(type_name, out, [&] {
    try {
      write_text(out, body);
    } catch (const EncodeError& e) {
      if (!e.non_finite()) throw;
      out.resize(size);
      write_text_dropping(out, body, drops);
    }
  });
}

}  // namespace respan::detail
