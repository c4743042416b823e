#include "testing/mock_otlp_proto.hpp"

#include <cstdint>
#include <cstring>

#include "testing/mock_state.hpp"
#include "util/proto_wire.hpp"

namespace respan::testing::detail {

namespace {

namespace proto = respan::detail::proto;
using proto::Field;
using proto::WireType;

const char* wire_name(WireType t) {
  switch (t) {
    case WireType::varint:
      return "varint";
    case WireType::fixed64:
      return "fixed64";
    case WireType::len:
      return "length-delimited";
    case WireType::fixed32:
      return "fixed32";
  }
  return "?";
}

HttpError malformed(const std::string& where, const std::string& why) {
  return bad_request("Invalid ExportTraceServiceRequest (protobuf): " + where + ": " + why + ".");
}

// Reads every field of a message, throwing on malformed bytes; `on_field` sees each one.
template <class F>
void each_field(std::string_view bytes, const std::string& where, F&& on_field) {
  proto::Reader r(bytes);
  Field f;
  while (r.next(f))
    on_field(f);
  if (r.error() != nullptr) throw malformed(where, r.error());
}

void expect(const Field& f, WireType t, const std::string& where) {
  if (f.type != t) {
    throw malformed(where, "field " + std::to_string(f.number) + " has wire type " +
                               wire_name(f.type) + ", expected " + wire_name(t));
  }
}

std::string text(const Field& f, const std::string& where) {
  expect(f, WireType::len, where);
  if (!proto::is_valid_utf8(f.bytes)) {
    throw malformed(where, "field " + std::to_string(f.number) + " is not valid UTF-8");
  }
  return std::string(f.bytes);
}

std::string hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string base64(std::string_view bytes) {
  static constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const auto n = (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16) |
                   (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8) |
                   static_cast<unsigned char>(bytes[i + 2]);
    for (int k = 18; k >= 0; k -= 6)
      out.push_back(kB64[(n >> k) & 63]);
  }
  if (i < bytes.size()) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (i + 1 < bytes.size())
      n |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out.push_back(kB64[(n >> 18) & 63]);
    out.push_back(kB64[(n >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kB64[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

Json key_values(std::string_view bytes, const std::string& where, int depth);

// AnyValue (common.proto): a oneof; the last member seen wins, as protobuf does.
Json any_value(std::string_view bytes, const std::string& where, int depth) {
  if (depth > kMaxOtlpValueDepth) {
    throw malformed(where,
                    "values nest deeper than " + std::to_string(kMaxOtlpValueDepth) + " levels");
  }
  Json out = Json::object();
  each_field(bytes, where, [&](const Field& f) {
    switch (f.number) {
      case 1:
        out = Json{{"stringValue", text(f, where)}};
        break;
      case 2:
        expect(f, WireType::varint, where);
        out = Json{{"boolValue", f.value != 0}};
        break;
      case 3:
        expect(f, WireType::varint, where);
        out = Json{{"intValue", std::to_string(static_cast<std::int64_t>(f.value))}};
        break;
      case 4: {
        expect(f, WireType::fixed64, where);
        double d = 0;
        std::memcpy(&d, &f.value, sizeof d);
        out = Json{{"doubleValue", d}};
        break;
      }
      case 5: {
        expect(f, WireType::len, where);
        Json values = Json::array();
        each_field(f.bytes, where, [&](const Field& v) {
          if (v.number != 1) return;
          expect(v, WireType::len, where);
          values.push_back(any_value(v.bytes, where, depth + 1));
        });
        out = Json{{"arrayValue", Json{{"values", std::move(values)}}}};
        break;
      }
      case 6: {
        expect(f, WireType::len, where);
        Json values = Json::array();
        each_field(f.bytes, where, [&](const Field& v) {
          if (v.number != 1) return;
          expect(v, WireType::len, where);
          values.push_back(key_values(v.bytes, where, depth + 1));
        });
        out = Json{{"kvlistValue", Json{{"values", std::move(values)}}}};
        break;
      }
      case 7:
        expect(f, WireType::len, where);
        out = Json{{"bytesValue", base64(f.bytes)}};
        break;
      default:
        break;  // string_value_strindex (profiles only) and unknown members
    }
  });
  return out;
}

// One KeyValue.
Json key_values(std::string_view bytes, const std::string& where, int depth) {
  Json kv{{"key", ""}, {"value", Json::object()}};
  each_field(bytes, where, [&](const Field& f) {
    if (f.number == 1) {
      kv["key"] = text(f, where);
    } else if (f.number == 2) {
      expect(f, WireType::len, where);
      kv["value"] = any_value(f.bytes, where, depth);
    }
  });
  return kv;
}

void add_attribute(Json& obj, const Field& f, const std::string& where) {
  expect(f, WireType::len, where);
  if (!obj.contains("attributes")) obj["attributes"] = Json::array();
  obj["attributes"].push_back(key_values(f.bytes, where, 0));
}

Json span_of(std::string_view bytes, const std::string& where) {
  Json s{{"name", ""}, {"startTimeUnixNano", "0"}, {"endTimeUnixNano", "0"}};
  std::string trace_id;
  std::string span_id;
  each_field(bytes, where, [&](const Field& f) {
    switch (f.number) {
      case 1:
        expect(f, WireType::len, where);
        trace_id = std::string(f.bytes);
        break;
      case 2:
        expect(f, WireType::len, where);
        span_id = std::string(f.bytes);
        break;
      case 4:
        expect(f, WireType::len, where);
        if (f.bytes.empty()) {
          s.erase("parentSpanId");
        } else {
          s["parentSpanId"] = hex(f.bytes);
        }
        break;
      case 5:
        s["name"] = text(f, where);
        break;
      case 6:
        expect(f, WireType::varint, where);
        s["kind"] = static_cast<std::int64_t>(static_cast<std::int32_t>(f.value));
        break;
      case 7:
        expect(f, WireType::fixed64, where);
        s["startTimeUnixNano"] = std::to_string(f.value);
        break;
      case 8:
        expect(f, WireType::fixed64, where);
        s["endTimeUnixNano"] = std::to_string(f.value);
        break;
      case 9:
        add_attribute(s, f, where);
        break;
      case 11: {
        expect(f, WireType::len, where);
        Json e{{"timeUnixNano", "0"}, {"name", ""}};
        each_field(f.bytes, where, [&](const Field& g) {
          if (g.number == 1) {
            expect(g, WireType::fixed64, where);
            e["timeUnixNano"] = std::to_string(g.value);
          } else if (g.number == 2) {
            e["name"] = text(g, where);
          } else if (g.number == 3) {
            add_attribute(e, g, where);
          }
        });
        if (!s.contains("events")) s["events"] = Json::array();
        s["events"].push_back(std::move(e));
        break;
      }
      case 15: {
        expect(f, WireType::len, where);
        Json st = s.value("status", Json::object());
        each_field(f.bytes, where, [&](const Field& g) {
          if (g.number == 2) {
            st["message"] = text(g, where);
          } else if (g.number == 3) {
            expect(g, WireType::varint, where);
            st["code"] = static_cast<std::int64_t>(static_cast<std::int32_t>(g.value));
          }
        });
        s["status"] = std::move(st);
        break;
      }
      default:
        break;  // trace_state, flags, dropped counts, links: not stored by the mock
    }
  });
  s["traceId"] = hex(trace_id);
  s["spanId"] = hex(span_id);
  return s;
}

}  // namespace

Json otlp_request_from_protobuf(std::string_view body) {
  Json resource_spans = Json::array();
  each_field(body, "ExportTraceServiceRequest", [&](const Field& f) {
    if (f.number != 1) return;
    const std::string rs_where = "resourceSpans[" + std::to_string(resource_spans.size()) + "]";
    expect(f, WireType::len, rs_where);
    Json rs{{"scopeSpans", Json::array()}};
    each_field(f.bytes, rs_where, [&](const Field& g) {
      if (g.number == 1) {  // Resource
        expect(g, WireType::len, rs_where + ".resource");
        Json resource = rs.value("resource", Json::object());
        each_field(g.bytes, rs_where + ".resource", [&](const Field& a) {
          if (a.number == 1) add_attribute(resource, a, rs_where + ".resource");
        });
        rs["resource"] = std::move(resource);
      } else if (g.number == 2) {  // ScopeSpans
        const std::string ss_where =
            rs_where + ".scopeSpans[" + std::to_string(rs["scopeSpans"].size()) + "]";
        expect(g, WireType::len, ss_where);
        Json ss{{"spans", Json::array()}};
        each_field(g.bytes, ss_where, [&](const Field& h) {
          if (h.number == 1) {  // InstrumentationScope
            expect(h, WireType::len, ss_where + ".scope");
            Json scope = ss.value("scope", Json::object());
            each_field(h.bytes, ss_where + ".scope", [&](const Field& k) {
              if (k.number == 1) scope["name"] = text(k, ss_where + ".scope");
              if (k.number == 2) scope["version"] = text(k, ss_where + ".scope");
              if (k.number == 3) add_attribute(scope, k, ss_where + ".scope");
            });
            ss["scope"] = std::move(scope);
          } else if (h.number == 2) {  // Span
            const std::string where =
                ss_where + ".spans[" + std::to_string(ss["spans"].size()) + "]";
            expect(h, WireType::len, where);
            ss["spans"].push_back(span_of(h.bytes, where));
          }
        });
        rs["scopeSpans"].push_back(std::move(ss));
      }
    });
    resource_spans.push_back(std::move(rs));
  });
  return Json{{"resourceSpans", std::move(resource_spans)}};
}

std::string otlp_response_to_protobuf(const Json& answer) {
  std::string out;
  const auto ps = answer.find("partialSuccess");
  if (ps == answer.end() || !ps->is_object()) return out;
  std::int64_t rejected = 0;
  if (auto r = ps->find("rejectedSpans"); r != ps->end() && r->is_number_integer())
    rejected = r->get<std::int64_t>();
  std::string message;
  if (auto m = ps->find("errorMessage"); m != ps->end() && m->is_string()) message = *m;
  if (rejected == 0 && message.empty()) return out;
  const std::size_t mark = proto::begin_message(out, 1);
  if (rejected != 0) proto::put_varint_field(out, 1, static_cast<std::uint64_t>(rejected));
  if (!message.empty()) proto::put_string_field(out, 2, message);
  proto::end_message(out, mark);
  return out;
}

std::string rpc_status_protobuf(int code, const std::string& message) {
  std::string out;
  if (code != 0) proto::put_varint_field(out, 1, static_cast<std::uint64_t>(code));
  if (!message.empty()) proto::put_string_field(out, 2, message);
  return out;
}

}  // namespace respan::testing::detail
