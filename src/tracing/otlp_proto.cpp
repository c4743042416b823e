#include "tracing/otlp_proto.hpp"

#include <cstdint>
#include <string_view>

#include "util/proto_wire.hpp"
#include "util/text.hpp"

namespace respan::detail {

namespace {

using proto::begin_message;
using proto::end_message;

// Field numbers (opentelemetry-proto v1).
namespace f {
// Span
constexpr std::uint32_t kTraceId = 1, kSpanId = 2, kParentSpanId = 4, kName = 5, kKind = 6,
                        kStart = 7, kEnd = 8, kAttributes = 9, kEvents = 11, kStatus = 15;
// Span.Event
constexpr std::uint32_t kEventTime = 1, kEventName = 2, kEventAttributes = 3;
// Status
constexpr std::uint32_t kStatusMessage = 2, kStatusCode = 3;
// KeyValue, AnyValue, ArrayValue / KeyValueList
constexpr std::uint32_t kKey = 1, kValue = 2;
constexpr std::uint32_t kString = 1, kBool = 2, kInt = 3, kDouble = 4, kArray = 5, kKvlist = 6;
constexpr std::uint32_t kValues = 1;
// ScopeSpans.spans, ResourceSpans.resource / ScopeSpans.scope, Resource.attributes,
// InstrumentationScope
constexpr std::uint32_t kSpans = 2, kResourceOrScope = 1, kResourceAttributes = 1, kScopeName = 1,
                        kScopeVersion = 2;
}  // namespace f

using Problem = std::optional<std::string>;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// An id field: hex text of `bytes` bytes.
Problem put_id(std::string& out, std::uint32_t field, const Json& v, std::size_t bytes,
               const char* name) {
  if (!v.is_string() || v.get_ref<const std::string&>().size() != 2 * bytes)
    return std::string(name) + " is not " + std::to_string(2 * bytes) + " hex digits";
  const std::string& hex = v.get_ref<const std::string&>();
  char raw[16];
  for (std::size_t i = 0; i < bytes; ++i) {
    const int hi = hex_digit(hex[2 * i]);
    const int lo = hex_digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::string(name) + " is not hex";
    raw[i] = static_cast<char>((hi << 4) | lo);
  }
  proto::put_bytes_field(out, field, std::string_view(raw, bytes));
  return std::nullopt;
}

// A fixed64 nanosecond time from its decimal text (omitted when 0, as proto3 does).
Problem put_nanos(std::string& out, std::uint32_t field, const Json& v, const char* name) {
  std::uint64_t ns = 0;
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s.empty() || s.size() > 20) return std::string(name) + " is not a decimal integer";
    for (char c : s) {
      if (!is_ascii_digit(c) || ns > (UINT64_MAX - static_cast<std::uint64_t>(c - '0')) / 10)
        return std::string(name) + " is not a decimal integer";
      ns = ns * 10 + static_cast<std::uint64_t>(c - '0');
    }
  } else if (v.is_number_unsigned()) {
    ns = v.get<std::uint64_t>();
  } else {
    return std::string(name) + " is not a decimal integer";
  }
  if (ns != 0) proto::put_fixed64_field(out, field, ns);
  return std::nullopt;
}

Problem put_key_values(std::string& out, std::uint32_t field, const Json& list, int depth);

Problem put_any_value_body(std::string& out, const Json& v, int depth) {
  if (depth > 64) return std::string("attribute value nested too deeply");
  if (!v.is_object()) return std::string("attribute value is not an AnyValue object");
  if (v.empty()) return std::nullopt;  // no value
  if (v.size() != 1) return std::string("AnyValue with more than one member");
  const auto it = v.begin();
  const std::string& kind = it.key();
  const Json& x = it.value();
  if (kind == "stringValue" && x.is_string()) {
    proto::put_string_field(out, f::kString, x.get_ref<const std::string&>());
  } else if (kind == "boolValue" && x.is_boolean()) {
    proto::put_varint_field(out, f::kBool, x.get<bool>() ? 1 : 0);
  } else if (kind == "intValue") {
    std::optional<std::int64_t> i;
    if (x.is_string()) {
      i = parse_int64(x.get_ref<const std::string&>());
    } else if (x.is_number_integer() && !x.is_number_unsigned()) {
      i = x.get<std::int64_t>();
    }
    if (!i) return std::string("intValue is not an int64");
    proto::put_varint_field(out, f::kInt, static_cast<std::uint64_t>(*i));
  } else if (kind == "doubleValue" && x.is_number()) {
    proto::put_double_field(out, f::kDouble, x.get<double>());
  } else if (kind == "arrayValue" && x.is_object()) {
    const std::size_t m = begin_message(out, f::kArray);
    if (auto values = x.find("values"); values != x.end()) {
      if (!values->is_array()) return std::string("arrayValue.values is not a list");
      for (const Json& e : *values) {
        const std::size_t n = begin_message(out, f::kValues);
        if (auto bad = put_any_value_body(out, e, depth + 1)) return bad;
        end_message(out, n);
      }
    }
    end_message(out, m);
  } else if (kind == "kvlistValue" && x.is_object()) {
    const std::size_t m = begin_message(out, f::kKvlist);
    if (auto values = x.find("values"); values != x.end()) {
      if (auto bad = put_key_values(out, f::kValues, *values, depth + 1)) return bad;
    }
    end_message(out, m);
  } else {
    return "unsupported AnyValue member '" + kind + "'";
  }
  return std::nullopt;
}

// Repeated KeyValue fields `field` from an OTLP JSON attribute list.
Problem put_key_values(std::string& out, std::uint32_t field, const Json& list, int depth) {
  if (!list.is_array()) return std::string("attributes is not a list");
  for (const Json& kv : list) {
    const auto key = kv.find("key");
    const auto value = kv.find("value");
    if (!kv.is_object() || key == kv.end() || !key->is_string())
      return std::string("attribute without a key");
    const std::size_t m = begin_message(out, field);
    proto::put_string_field(out, f::kKey, key->get_ref<const std::string&>());
    const std::size_t v = begin_message(out, f::kValue);
    if (value != kv.end()) {
      if (auto bad = put_any_value_body(out, *value, depth)) return bad;
    }
    end_message(out, v);
    end_message(out, m);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> otlp_span_proto(const Json& s, std::string& out) {
  if (!s.is_object()) return std::string("OTLP span is not an object");
  const std::size_t m = begin_message(out, f::kSpans);
  auto member = [&](const char* name) -> const Json* {
    const auto it = s.find(name);
    return it == s.end() ? nullptr : &*it;
  };
  const Json* trace_id = member("traceId");
  const Json* span_id = member("spanId");
  if (trace_id == nullptr || span_id == nullptr) return std::string("OTLP span without ids");
  if (auto bad = put_id(out, f::kTraceId, *trace_id, 16, "traceId")) return bad;
  if (auto bad = put_id(out, f::kSpanId, *span_id, 8, "spanId")) return bad;
  if (const Json* p = member("parentSpanId"); p != nullptr && !(p->is_string() && p->empty())) {
    if (auto bad = put_id(out, f::kParentSpanId, *p, 8, "parentSpanId")) return bad;
  }
  if (const Json* n = member("name")) {
    if (!n->is_string()) return std::string("name is not a string");
    if (!n->empty()) proto::put_string_field(out, f::kName, n->get_ref<const std::string&>());
  }
  if (const Json* k = member("kind")) {
    if (!k->is_number_integer() || k->get<std::int64_t>() < 0 || k->get<std::int64_t>() > 5)
      return std::string("kind is not a SpanKind");
    if (k->get<std::int64_t>() != 0)
      proto::put_varint_field(out, f::kKind, static_cast<std::uint64_t>(k->get<std::int64_t>()));
  }
  if (const Json* t = member("startTimeUnixNano")) {
    if (auto bad = put_nanos(out, f::kStart, *t, "startTimeUnixNano")) return bad;
  }
  if (const Json* t = member("endTimeUnixNano")) {
    if (auto bad = put_nanos(out, f::kEnd, *t, "endTimeUnixNano")) return bad;
  }
  if (const Json* a = member("attributes")) {
    if (auto bad = put_key_values(out, f::kAttributes, *a, 0)) return bad;
  }
  if (const Json* events = member("events")) {
    if (!events->is_array()) return std::string("events is not a list");
    for (const Json& e : *events) {
      if (!e.is_object()) return std::string("event is not an object");
      const std::size_t em = begin_message(out, f::kEvents);
      if (auto t = e.find("timeUnixNano"); t != e.end()) {
        if (auto bad = put_nanos(out, f::kEventTime, *t, "timeUnixNano")) return bad;
      }
      if (auto n = e.find("name"); n != e.end()) {
        if (!n->is_string()) return std::string("event name is not a string");
        if (!n->empty())
          proto::put_string_field(out, f::kEventName, n->get_ref<const std::string&>());
      }
      if (auto a = e.find("attributes"); a != e.end()) {
        if (auto bad = put_key_values(out, f::kEventAttributes, *a, 0)) return bad;
      }
      end_message(out, em);
    }
  }
  if (const Json* st = member("status")) {
    if (!st->is_object()) return std::string("status is not an object");
    const std::size_t sm = begin_message(out, f::kStatus);
    if (auto msg = st->find("message"); msg != st->end()) {
      if (!msg->is_string()) return std::string("status message is not a string");
      if (!msg->empty())
        proto::put_string_field(out, f::kStatusMessage, msg->get_ref<const std::string&>());
    }
    if (auto code = st->find("code"); code != st->end()) {
      if (!code->is_number_integer() || code->get<std::int64_t>() < 0 ||
          code->get<std::int64_t>() > 2)
        return std::string("status code is not a StatusCode");
      if (code->get<std::int64_t>() != 0)
        proto::put_varint_field(out, f::kStatusCode,
                                static_cast<std::uint64_t>(code->get<std::int64_t>()));
    }
    end_message(out, sm);
  }
  end_message(out, m);
  return std::nullopt;
}

void otlp_resource_proto(const Json& resource, std::string& out) {
  const std::size_t m = begin_message(out, f::kResourceOrScope);
  if (auto a = resource.find("attributes"); a != resource.end())
    (void)put_key_values(out, f::kResourceAttributes, *a, 0);  // string attributes only
  end_message(out, m);
}

void otlp_scope_proto(const Json& scope, std::string& out) {
  const std::size_t m = begin_message(out, f::kResourceOrScope);
  if (auto n = scope.find("name"); n != scope.end() && n->is_string())
    proto::put_string_field(out, f::kScopeName, n->get_ref<const std::string&>());
  if (auto v = scope.find("version"); v != scope.end() && v->is_string())
    proto::put_string_field(out, f::kScopeVersion, v->get_ref<const std::string&>());
  end_message(out, m);
}

}  // namespace respan::detail
