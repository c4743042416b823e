// Internal: the one decoder of the answers to batch requests. The synchronous bulk creates
// (RequestLogsResource::create_bulk, DatasetLogsResource::create_bulk), the BatchLogger and
// the Tracer's exporters (trace ingest, OTLP) all read a 2xx answer here, so a row counts as
// delivered on exactly the same evidence everywhere. The rules are the README's "What the
// server's answer proves" table; in short, a row is delivered only when the answer confirms
// it, rejected when the answer says so, and unconfirmed otherwise (an answer that is not of
// the documented shape, contradicts itself, or confirms fewer rows than the request carried).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <respan/export.hpp>
#include <respan/json.hpp>
#include <respan/models/common.hpp>

namespace respan::detail {

/// What one 2xx answer says of each row of the request it answers.
struct RowVerdicts {
  enum class State : std::uint8_t { delivered, rejected, unconfirmed };
  std::vector<State> state;          ///< One per row, in request order.
  std::vector<std::string> message;  ///< Per row: the server's reason (rejected), or why the
                                     ///< row is unconfirmed; empty for delivered rows.
  std::size_t delivered = 0;
  std::size_t rejected = 0;
  std::size_t unconfirmed = 0;
  /// False when the counts are exact but the answer did not say which rows they are (an
  /// OTLP partialSuccess): the rejected rows are then the last ones, by convention.
  bool identified = true;
};

/// Which endpoint family answered (each has its documented answer shape).
enum class AnswerShape {
  bulk,    ///< `{success_count, error_count, errors: [{index, error}], total_errors}`
  ingest,  ///< trace ingest: `{message}` (or a bulk-shaped object)
  otlp,    ///< OTLP/HTTP: `{}` or `{partialSuccess: {rejectedSpans, errorMessage}}`
};

/// How an answer's body is encoded.
enum class AnswerFormat {
  json,      ///< Every endpoint family.
  protobuf,  ///< OTLP only (`application/x-protobuf`): an ExportTraceServiceResponse.
};

/// Reads the body of a 2xx answer to a request of `rows` rows. Any text is accepted (empty,
/// HTML, invalid JSON, too deep): what it does not confirm is unconfirmed. Never throws for
/// the body's sake (only std::bad_alloc).
///
/// A protobuf OTLP answer (ExportTraceServiceResponse) is decoded into its OTLP JSON form
/// (`{}` or `{"partialSuccess": {"rejectedSpans": "<n>", "errorMessage": ...}}`) and read
/// with the same rules as a JSON one; bytes that are not such a message confirm nothing (a
/// JSON object, which no protobuf answer can be, is read as JSON).
RESPAN_EXPORT RowVerdicts read_answer(AnswerShape shape, std::string_view body, std::size_t rows,
                                      AnswerFormat format = AnswerFormat::json);

/// The same for a body already parsed (`body` null when the text was not JSON; `empty` when
/// there was no body at all).
RESPAN_EXPORT RowVerdicts read_answer(AnswerShape shape, const Json* body, bool empty,
                                      std::size_t rows);

/// The verdicts as the public BulkResult of a synchronous bulk call: counts, one RowError per
/// rejected row (index -1 where the rows were not identified); unique_ids and any other
/// member of the answer are kept.
RESPAN_EXPORT BulkResult to_bulk_result(const RowVerdicts& v, const Json* body);

}  // namespace respan::detail
