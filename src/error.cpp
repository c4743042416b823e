#include <sstream>

#include <respan/error.hpp>

#include "util/text.hpp"

namespace respan {

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::invalid_argument:
      return "invalid_argument";
    case ErrorCode::bad_request:
      return "bad_request";
    case ErrorCode::unauthorized:
      return "unauthorized";
    case ErrorCode::forbidden:
      return "forbidden";
    case ErrorCode::not_found:
      return "not_found";
    case ErrorCode::conflict:
      return "conflict";
    case ErrorCode::payload_too_large:
      return "payload_too_large";
    case ErrorCode::validation:
      return "validation";
    case ErrorCode::rate_limited:
      return "rate_limited";
    case ErrorCode::server:
      return "server";
    case ErrorCode::http:
      return "http";
    case ErrorCode::network:
      return "network";
    case ErrorCode::timeout:
      return "timeout";
    case ErrorCode::decode:
      return "decode";
    case ErrorCode::cancelled:
      return "cancelled";
    case ErrorCode::response_too_large:
      return "response_too_large";
    case ErrorCode::tls:
      return "tls";
    case ErrorCode::internal:
      return "internal";
  }
  return "unknown";
}

ErrorCode error_code_for_status(int s) noexcept {
  switch (s) {
    case 400:
      return ErrorCode::bad_request;
    case 401:
      return ErrorCode::unauthorized;
    case 403:
      return ErrorCode::forbidden;
    case 404:
      return ErrorCode::not_found;
    case 408:
      return ErrorCode::timeout;
    case 409:
      return ErrorCode::conflict;
    case 413:
      return ErrorCode::payload_too_large;
    case 422:
      return ErrorCode::validation;
    case 429:
      return ErrorCode::rate_limited;
    default:
      break;
  }
  if (s >= 500 && s <= 599) return ErrorCode::server;
  return ErrorCode::http;
}

std::string Error::to_string() const {
  std::ostringstream os;
  os << respan::to_string(code);
  if (http_status != 0) os << " (HTTP " << http_status << ")";
  if (!request.empty()) os << ' ' << request;
  if (!message.empty()) os << ": " << message;
  for (const auto& [field, msgs] : field_errors) {
    os << "; " << field << ':';
    for (const auto& m : msgs)
      os << ' ' << m;
  }
  if (attempts > 1) os << " [" << attempts << " attempts]";
  std::string out = os.str();
  detail::truncate_utf8(out, 4096);
  return out;
}

Error Error::make(ErrorCode code, std::string message) {
  Error e;
  e.code = code;
  e.message = std::move(message);
  return e;
}

std::ostream& operator<<(std::ostream& os, const Error& e) {
  return os << e.to_string();
}

ApiError::ApiError(Error error) : std::runtime_error(error.to_string()), error_(std::move(error)) {}

}  // namespace respan
