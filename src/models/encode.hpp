// Internal: the one way a resource turns a write model into the JSON body it sends.
#pragma once

#include <exception>
#include <string>
#include <string_view>

#include <respan/error.hpp>
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
template <class T>
Result<Json> encode(const T& body, std::string_view type_name) {
  try {
    return to_json_value(body);
  } catch (const EncodeError& e) {
    std::string message(type_name);
    if (!e.path().empty()) message += "." + e.path();
    message += ": " + e.reason();
    return Error::make(ErrorCode::invalid_argument, std::move(message));
  } catch (const std::exception& e) {
    return Error::make(ErrorCode::invalid_argument,
                       std::string(type_name) + ": cannot be encoded: " + e.what());
  }
}

}  // namespace respan::detail
