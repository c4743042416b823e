#include "batch/answers.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include "util/json_limits.hpp"
#include "util/json_write.hpp"
#include "util/proto_wire.hpp"
#include "util/text.hpp"

namespace respan::detail {

namespace {

using State = RowVerdicts::State;

constexpr const char* kNoReason = "rejected by the server (no reason given)";

RowVerdicts all(std::size_t rows, State s, const std::string& why) {
  RowVerdicts v;
  v.state.assign(rows, s);
  v.message.assign(rows, s == State::delivered ? std::string() : why);
  (s == State::delivered ? v.delivered : s == State::rejected ? v.rejected : v.unconfirmed) = rows;
  return v;
}

void recount(RowVerdicts& v) {
  v.delivered = v.rejected = v.unconfirmed = 0;
  for (State s : v.state)
    (s == State::delivered ? v.delivered : s == State::rejected ? v.rejected : v.unconfirmed)++;
}

std::string text_of(const Json& v) {
  return v.is_string() ? v.get<std::string>() : to_json_text(v);
}

// An error entry's row: an integer (or integer text) within [0, rows), else nullopt.
std::optional<std::size_t> row_of(const Json& v, std::size_t rows) {
  std::optional<std::int64_t> i;
  if (v.is_number_integer() || v.is_number_unsigned() || v.is_number_float()) {
    i = json_count(v);
  } else if (v.is_string()) {
    i = parse_int64(v.get_ref<const std::string&>());
  }
  if (!i || *i < 0 || static_cast<std::uint64_t>(*i) >= rows) return std::nullopt;
  return static_cast<std::size_t>(*i);
}

// success_count, error_count, errors[] (the documented answer of the dataset-log bulk create;
// the request-log bulk answer is taken to be the same shape).
RowVerdicts read_bulk(const Json& body, std::size_t rows) {
  RowVerdicts v;
  v.state.assign(rows, State::unconfirmed);
  v.message.assign(rows, std::string());
  std::size_t listed = 0;        // distinct rows named by an error entry
  std::size_t unidentified = 0;  // entries naming no row, or a row named already
  std::string unidentified_reason;
  bool contradiction = false;
  std::string why;

  if (auto it = body.find("errors"); it != body.end() && !it->is_null()) {
    if (!it->is_array()) {
      contradiction = true;
      why = "its `errors` is not a list";
    } else {
      for (const Json& e : *it) {
        std::optional<std::size_t> row;
        std::string reason;
        if (e.is_object()) {
          if (auto idx = e.find("index"); idx != e.end()) row = row_of(*idx, rows);
          if (auto msg = e.find("error"); msg != e.end() && !msg->is_null()) reason = text_of(*msg);
        } else if (!e.is_null()) {
          reason = text_of(e);
        }
        if (reason.empty()) reason = kNoReason;
        if (row && v.state[*row] != State::rejected) {
          v.state[*row] = State::rejected;
          v.message[*row] = std::move(reason);
          ++listed;
        } else {
          if (unidentified++ == 0) unidentified_reason = std::move(reason);
        }
      }
    }
  }

  std::optional<std::int64_t> success;
  if (auto it = body.find("success_count"); it != body.end()) success = json_count(*it);
  std::optional<std::int64_t> errors;
  auto ec = body.find("error_count");
  if (ec == body.end()) ec = body.find("total_errors");
  if (ec != body.end()) {
    errors = json_count(*ec);
    if (!errors && !contradiction) {
      contradiction = true;
      why = "its error count is not a count";
    }
  }
  const auto n = static_cast<std::int64_t>(rows);
  const auto listed_n = static_cast<std::int64_t>(listed);
  const std::int64_t e = errors.value_or(listed_n + static_cast<std::int64_t>(unidentified));
  const std::size_t unlisted = rows - listed;

  State rest = State::unconfirmed;
  std::string rest_reason;
  if (contradiction) {
  } else if (!success) {
    why = "it has no valid success_count";
  } else if (e < listed_n) {
    why = "it lists more row errors than its error count";
  } else if (*success > n || e > n - *success || *success + e != n) {
    why = "its counts (success_count " + std::to_string(*success) + ", errors " +
          std::to_string(e) + ") do not add up to the " + std::to_string(rows) + " rows sent";
  } else if (e == listed_n) {
    rest = State::delivered;  // every error named: the others are the successes
  } else if (*success == 0) {
    rest = State::rejected;  // nothing stored: every unnamed row was refused
    rest_reason = unidentified_reason.empty() ? std::string(kNoReason) : unidentified_reason;
    if (unidentified > 0) rest_reason += " (row not identified by the server)";
  } else {
    why = "it rejects " + std::to_string(e - listed_n) + " rows without naming them";
  }
  if (rest == State::unconfirmed && unlisted > 0) {
    rest_reason = "not confirmed by the server's answer: " + why;
  }
  for (std::size_t i = 0; i < rows; ++i) {
    if (v.state[i] == State::rejected) continue;
    v.state[i] = rest;
    v.message[i] = rest_reason;
  }
  recount(v);
  return v;
}

// "Processed N spans" (the documented answer of trace ingest): N when the message says it.
std::optional<std::int64_t> processed_count(const Json& body) {
  auto m = body.find("message");
  if (m == body.end() || !m->is_string()) return std::nullopt;
  const std::string& s = m->get_ref<const std::string&>();
  const std::size_t at = ascii_lower(s).find("processed ");
  if (at == std::string::npos) return std::nullopt;
  std::size_t b = at + 10, e = b;
  while (e < s.size() && is_ascii_digit(s[e]))
    ++e;
  if (e == b) return std::nullopt;
  return parse_int64(std::string_view(s).substr(b, e - b));
}

RowVerdicts read_ingest(const Json& body, std::size_t rows) {
  if (body.contains("success_count") || body.contains("errors")) return read_bulk(body, rows);
  if (auto n = processed_count(body); n && *n != static_cast<std::int64_t>(rows)) {
    return all(rows, State::unconfirmed,
               "not confirmed by the server's answer: it says it processed " + std::to_string(*n) +
                   " of the " + std::to_string(rows) + " spans sent");
  }
  return all(rows, State::delivered, {});
}

// OTLP/HTTP (specification, "Full success" / "Partial success"): an empty
// ExportTraceServiceResponse accepts every span; partialSuccess.rejectedSpans of them were
// refused, without saying which.
RowVerdicts read_otlp(const Json& body, std::size_t rows) {
  auto ps = body.find("partialSuccess");
  if (ps == body.end() || ps->is_null()) return all(rows, State::delivered, {});
  if (!ps->is_object()) {
    return all(rows, State::unconfirmed,
               "not confirmed by the receiver's answer: partialSuccess is not an object");
  }
  std::optional<std::int64_t> rejected = 0;
  if (auto r = ps->find("rejectedSpans"); r != ps->end() && !r->is_null()) {
    // int64 in OTLP/JSON: a number or its decimal text.
    rejected = r->is_string() ? parse_int64(r->get_ref<const std::string&>()) : json_count(*r);
  }
  if (!rejected || *rejected < 0 || *rejected > static_cast<std::int64_t>(rows)) {
    return all(rows, State::unconfirmed,
               "not confirmed by the receiver's answer: rejectedSpans is not a count within "
               "the " +
                   std::to_string(rows) + " spans sent");
  }
  std::string message = "rejected by the OTLP receiver";
  if (auto m = ps->find("errorMessage"); m != ps->end() && m->is_string() && !m->empty())
    message = m->get<std::string>();
  RowVerdicts v = all(rows, State::delivered, {});
  const auto k = static_cast<std::size_t>(*rejected);
  if (k == 0) return v;
  v.identified = false;
  for (std::size_t i = rows - k; i < rows; ++i) {
    v.state[i] = State::rejected;
    v.message[i] = message + " (span not identified by the receiver)";
  }
  recount(v);
  return v;
}

}  // namespace

RowVerdicts read_answer(AnswerShape shape, const Json* body, bool empty, std::size_t rows) {
  if (empty && shape == AnswerShape::otlp) return all(rows, State::delivered, {});
  if (body == nullptr || !body->is_object()) {
    const char* what = empty             ? "the answer was empty"
                       : body == nullptr ? "the answer is not JSON"
                                         : "the answer is not a JSON object";
    return all(rows, State::unconfirmed,
               std::string("not confirmed by the server's answer: ") + what);
  }
  switch (shape) {
    case AnswerShape::bulk:
      return read_bulk(*body, rows);
    case AnswerShape::ingest:
      return read_ingest(*body, rows);
    case AnswerShape::otlp:
      return read_otlp(*body, rows);
  }
  return all(rows, State::unconfirmed, "not confirmed");
}

namespace {

// ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; } with
// ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }, as its
// OTLP JSON form; nullopt when the bytes are not that message. Unknown fields are skipped (a
// newer receiver may add some); a field of a known number with another wire type is not.
std::optional<Json> otlp_response_from_protobuf(std::string_view body) {
  Json out = Json::object();
  proto::Reader response(body);
  proto::Field f;
  while (response.next(f)) {
    if (f.number != 1) continue;
    if (f.type != proto::WireType::len) return std::nullopt;
    Json partial = out.value("partialSuccess", Json::object());  // fields merge, as protobuf
    proto::Reader ps(f.bytes);
    proto::Field g;
    while (ps.next(g)) {
      if (g.number == 1) {
        if (g.type != proto::WireType::varint) return std::nullopt;
        partial["rejectedSpans"] = std::to_string(static_cast<std::int64_t>(g.value));
      } else if (g.number == 2) {
        if (g.type != proto::WireType::len || !proto::is_valid_utf8(g.bytes)) return std::nullopt;
        partial["errorMessage"] = std::string(g.bytes);
      }
    }
    if (ps.error() != nullptr) return std::nullopt;
    out["partialSuccess"] = std::move(partial);
  }
  if (response.error() != nullptr) return std::nullopt;
  return out;
}

}  // namespace

RowVerdicts read_answer(AnswerShape shape, std::string_view body, std::size_t rows,
                        AnswerFormat format) {
  if (body.empty()) return read_answer(shape, nullptr, true, rows);
  // A protobuf answer never starts with '{' (field 15, wire type 3: a group, which OTLP does
  // not use), so a JSON object sent where protobuf was expected is read as JSON.
  const std::string_view text = trim(body);
  if (format == AnswerFormat::protobuf && shape == AnswerShape::otlp &&
      !(text.size() >= 2 && text.front() == '{' && text.back() == '}')) {
    const std::optional<Json> j = otlp_response_from_protobuf(body);
    if (!j) {
      return all(rows, State::unconfirmed,
                 "not confirmed by the receiver's answer: it is not a protobuf "
                 "ExportTraceServiceResponse");
    }
    return read_answer(shape, &*j, false, rows);
  }
  BoundedJson j = parse_json_bounded(body);
  return read_answer(shape, j.status == JsonParseStatus::ok ? &j.value : nullptr, false, rows);
}

BulkResult to_bulk_result(const RowVerdicts& v, const Json* body) {
  BulkResult out;
  out.success_count = static_cast<std::int64_t>(v.delivered);
  out.error_count = static_cast<std::int64_t>(v.rejected);
  out.unconfirmed_count = static_cast<std::int64_t>(v.unconfirmed);
  for (std::size_t i = 0; i < v.state.size(); ++i) {
    if (v.state[i] != RowVerdicts::State::rejected) continue;
    RowError e;
    e.index = v.identified ? static_cast<std::int64_t>(i) : -1;
    e.error = v.message[i];
    out.errors.push_back(std::move(e));
  }
  if (body != nullptr && body->is_object()) {
    out.extra = Json::object();
    for (auto it = body->begin(); it != body->end(); ++it) {
      const std::string& k = it.key();
      if (k == "unique_ids" && it->is_array()) {
        for (const Json& id : *it)
          if (id.is_string()) out.unique_ids.push_back(id.get<std::string>());
      } else if (k == "total_errors") {
        if (auto c = json_count(*it)) out.total_errors = *c;
      } else if (k != "success_count" && k != "error_count" && k != "errors") {
        out.extra[k] = *it;
      }
    }
  } else if (body != nullptr && !body->is_null()) {
    out.extra = *body;
  }
  return out;
}

}  // namespace respan::detail
