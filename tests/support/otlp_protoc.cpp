#include "otlp_protoc.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef RESPAN_TEST_PROTOC
#define RESPAN_TEST_PROTOC ""
#endif
#ifndef RESPAN_TEST_OTLP_PROTO_DIR
#define RESPAN_TEST_OTLP_PROTO_DIR ""
#endif
#ifndef RESPAN_TEST_PYTHONS
#define RESPAN_TEST_PYTHONS ""
#endif
#ifndef RESPAN_TEST_DECODE_SCRIPT
#define RESPAN_TEST_DECODE_SCRIPT ""
#endif

namespace respan_test {

namespace {

bool exists(const std::string& path) {
  struct stat st {};
  return !path.empty() && ::stat(path.c_str(), &st) == 0;
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// Runs a shell command; its standard output and error, and its exit status.
std::pair<int, std::string> run(const std::string& command) {
  std::string out;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return {-1, "popen failed"};
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
    out.append(buf.data(), n);
  const int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

bool is_any_value(const respan::Json& o) {
  if (!o.is_object() || o.size() != 1) return false;
  const std::string& k = o.begin().key();
  return k == "stringValue" || k == "boolValue" || k == "intValue" || k == "doubleValue" ||
         k == "bytesValue" || k == "arrayValue" || k == "kvlistValue";
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

OtlpProtoc& OtlpProtoc::get() {
  static OtlpProtoc instance;
  return instance;
}

OtlpProtoc::OtlpProtoc() {
  const std::string protoc = RESPAN_TEST_PROTOC;
  const std::string proto_dir = RESPAN_TEST_OTLP_PROTO_DIR;
  if (!exists(proto_dir + "/opentelemetry/proto/collector/trace/v1/trace_service.proto")) {
    unavailable_ = "the OTLP schema (opentelemetry-proto) is not at '" + proto_dir +
                   "' (configure with -DRESPAN_OTLP_PROTO_DIR=<opentelemetry-proto checkout>)";
    return;
  }
  if (protoc.empty() || !exists(protoc)) {
    unavailable_ =
        "protoc was not found when the build was configured (Debian: apt-get install "
        "protobuf-compiler, then reconfigure)";
    return;
  }
  std::stringstream pythons(RESPAN_TEST_PYTHONS);
  for (std::string py; std::getline(pythons, py, ':');) {
    if (!py.empty() && exists(py) && run(quote(py) + " -c 'import google.protobuf'").first == 0) {
      python_ = py;
      break;
    }
  }
  if (python_.empty()) {
    unavailable_ = std::string("no python3 that imports google.protobuf (tried '") +
                   RESPAN_TEST_PYTHONS + "'; Debian: apt-get install python3-protobuf)";
    return;
  }
  char tmpl[] = "/tmp/respan-otlp-protoc-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    unavailable_ = "cannot create a temporary directory";
    return;
  }
  dir_ = tmpl;
  ::mkdir((dir_ + "/gen").c_str(), 0700);
  const auto r =
      run(quote(protoc) + " -I" + quote(proto_dir) + " --python_out=" + quote(dir_ + "/gen") +
          " opentelemetry/proto/common/v1/common.proto"
          " opentelemetry/proto/resource/v1/resource.proto"
          " opentelemetry/proto/trace/v1/trace.proto"
          " opentelemetry/proto/collector/trace/v1/trace_service.proto");
  if (r.first != 0) {
    unavailable_ = "protoc could not compile the OTLP schema: " + r.second;
    return;
  }
  if (!exists(RESPAN_TEST_DECODE_SCRIPT)) {
    unavailable_ = std::string("the decoder script is missing: ") + RESPAN_TEST_DECODE_SCRIPT;
  }
}

OtlpProtoc::~OtlpProtoc() {
  if (!dir_.empty()) (void)run("rm -rf " + quote(dir_));
}

std::vector<respan::Json> OtlpProtoc::decode(const std::vector<std::string>& bodies) const {
  if (!unavailable_.empty()) throw std::runtime_error(unavailable_);
  std::string files;
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    const std::string path = dir_ + "/body_" + std::to_string(i) + ".bin";
    std::ofstream(path, std::ios::binary)
        .write(bodies[i].data(), static_cast<std::streamsize>(bodies[i].size()));
    files += " " + quote(path);
  }
  const auto r = run(quote(python_) + " " + quote(RESPAN_TEST_DECODE_SCRIPT) + " " +
                     quote(dir_ + "/gen") + files);
  if (r.first != 0) throw std::runtime_error("the protobuf decoder failed: " + r.second);
  std::vector<respan::Json> out;
  std::stringstream lines(r.second);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) out.push_back(respan::Json::parse(line));
  }
  if (out.size() != bodies.size())
    throw std::runtime_error("the protobuf decoder printed: " + r.second);
  return out;
}

respan::Json proto3_normalized(const respan::Json& v) {
  if (v.is_array()) {
    respan::Json out = respan::Json::array();
    for (const auto& e : v)
      out.push_back(proto3_normalized(e));
    return out;
  }
  if (!v.is_object()) return v;
  if (is_any_value(v)) {
    const std::string& k = v.begin().key();
    if (k == "arrayValue" || k == "kvlistValue")
      return respan::Json{{k, proto3_normalized(v.begin().value())}};
    return v;  // the set member of a oneof is kept, default or not
  }
  respan::Json out = respan::Json::object();
  for (auto it = v.begin(); it != v.end(); ++it) {
    const respan::Json& x = it.value();
    const bool is_default = (x.is_number() && x == 0) ||
                            (x.is_string() && x.get<std::string>().empty()) ||
                            (x.is_boolean() && !x.get<bool>()) || (x.is_array() && x.empty()) ||
                            (x.is_string() && x == "0" && ends_with(it.key(), "UnixNano"));
    if (!is_default) out[it.key()] = proto3_normalized(x);
  }
  return out;
}

}  // namespace respan_test
