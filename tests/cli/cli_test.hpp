// Shared pieces of the CLI tests: the binary's path, a fixture with a mock server, temporary
// files and JSON-lines helpers.
#pragma once

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <respan/testing/mock_server.hpp>

#include "process.hpp"

namespace respan::cli_test {

using Json = nlohmann::json;

inline const std::string kCli = RESPAN_CLI_PATH;

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (!l.empty()) out.push_back(l);
  }
  return out;
}

inline std::vector<Json> json_lines(const std::string& text) {
  std::vector<Json> out;
  for (const auto& l : lines_of(text))
    out.push_back(Json::parse(l));
  return out;
}

// A temporary file removed at the end of the test.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    char name[] = "/tmp/respan-cli-test-XXXXXX";
    const int fd = mkstemp(name);
    if (fd < 0) throw std::runtime_error("mkstemp");
    close(fd);
    path_ = name;
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class Cli : public ::testing::Test {
 protected:
  void SetUp() override { server.start(); }

  std::map<std::string, std::string> env() const {
    return {{"RESPAN_API_KEY", server.api_key()}, {"RESPAN_BASE_URL", server.base_url()}};
  }
  ProcessResult run(const std::vector<std::string>& args, const std::string& input = "") {
    return run_process(kCli, args, env(), input);
  }
  // Runs a command that must succeed and print one JSON object.
  Json run_json(const std::vector<std::string>& args, const std::string& input = "") {
    ProcessResult r = run(args, input);
    EXPECT_EQ(r.status, 0) << r.err;
    auto lines = lines_of(r.out);
    EXPECT_EQ(lines.size(), 1u) << r.out;
    return lines.empty() ? Json() : Json::parse(lines.back());
  }

  respan::testing::MockServer server;
};

}  // namespace respan::cli_test
