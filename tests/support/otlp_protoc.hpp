// The protoc cross-check of the OTLP protobuf encoder: request bodies the tests capture are
// decoded with the official opentelemetry-proto schema, compiled at test time with Debian's
// protoc (`protoc --python_out`) and read by python3-protobuf (otlp_protoc_decode.py), into
// the OTLP JSON mapping, to be compared with the JSON encoding of the same spans.
//
// Where the schema (an opentelemetry-proto checkout, RESPAN_OTLP_PROTO_DIR at configure time),
// protoc or a python3 with google.protobuf is missing, unavailable() says which, and the tests
// that need them skip with that message (RESPAN_REQUIRE_PROTOC()).
#pragma once

#include <string>
#include <vector>

#include <respan/json.hpp>

namespace respan_test {

class OtlpProtoc {
 public:
  /// The process-wide instance: the schema is compiled on first use, into a temporary
  /// directory removed at exit.
  static OtlpProtoc& get();

  /// Why the cross-check cannot run here, or "" when it can.
  const std::string& unavailable() const noexcept { return unavailable_; }

  /// Decodes each body (one ExportTraceServiceRequest in protobuf) into the OTLP JSON
  /// mapping. Throws std::runtime_error with the decoder's output when one does not decode.
  std::vector<respan::Json> decode(const std::vector<std::string>& bodies) const;

  OtlpProtoc(const OtlpProtoc&) = delete;
  OtlpProtoc& operator=(const OtlpProtoc&) = delete;
  ~OtlpProtoc();

 private:
  OtlpProtoc();
  std::string unavailable_;
  std::string dir_;     // temporary directory
  std::string python_;  // a python3 that imports google.protobuf
};

/// `otlp_json` without the members protobuf's JSON mapping leaves out because they hold their
/// default value (0, "", false, empty lists, "0" nanoseconds), outside AnyValues (whose set
/// member is always kept): a JSON request compares equal to the decoding of its protobuf twin.
respan::Json proto3_normalized(const respan::Json& otlp_json);

}  // namespace respan_test

/// Skips the current test, with the reason, when the protoc cross-check cannot run here.
#define RESPAN_REQUIRE_PROTOC()                                       \
  do {                                                                \
    if (!::respan_test::OtlpProtoc::get().unavailable().empty())      \
      GTEST_SKIP() << "protoc cross-check skipped: "                  \
                   << ::respan_test::OtlpProtoc::get().unavailable(); \
  } while (false)
