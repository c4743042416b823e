// Shared helpers of the contract tests: a MockServer on loopback, raw HTTP calls to it (the
// cpp-httplib client: no SDK code on the path), and shape checks against field tables written
// from the seeds and /work/shared/api/REFERENCE.md.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <respan/testing/mock_server.hpp>

namespace contract {

using Json = nlohmann::json;

/// JSON types a documented field may take (a bit set).
enum Type : unsigned {
  kStr = 1u << 0,
  kInt = 1u << 1,  ///< a JSON integer
  kNum = 1u << 2,  ///< any JSON number
  kBool = 1u << 3,
  kObj = 1u << 4,
  kArr = 1u << 5,
  kNull = 1u << 6,
  kAny = 0xFFu,
};

struct Field {
  const char* name;
  unsigned types;
};
using Shape = std::vector<Field>;

inline bool has_type(const Json& v, unsigned types) {
  if (types == kAny) return true;
  if ((types & kStr) && v.is_string()) return true;
  if ((types & kInt) && v.is_number_integer()) return true;
  if ((types & kNum) && v.is_number()) return true;
  if ((types & kBool) && v.is_boolean()) return true;
  if ((types & kObj) && v.is_object()) return true;
  if ((types & kArr) && v.is_array()) return true;
  if ((types & kNull) && v.is_null()) return true;
  return false;
}

/// Checks that `obj` has every field of `shape` with one of its types; with `exact`, also that
/// it has no other field (the mock must not answer fields the contract does not document).
inline void expect_shape(const Json& obj, const Shape& shape, bool exact, const std::string& what) {
  ASSERT_TRUE(obj.is_object()) << what << ": not an object: " << obj.dump();
  for (const Field& f : shape) {
    const auto it = obj.find(f.name);
    if (it == obj.end()) {
      ADD_FAILURE() << what << ": missing field `" << f.name << "` in " << obj.dump();
      continue;
    }
    EXPECT_TRUE(has_type(*it, f.types))
        << what << ": field `" << f.name << "` has the wrong type: " << it->dump();
  }
  if (!exact) return;
  for (const auto& [key, value] : obj.items()) {
    bool documented = false;
    for (const Field& f : shape)
      documented = documented || key == f.name;
    EXPECT_TRUE(documented) << what << ": undocumented field `" << key << "`";
  }
}

/// Every element of `list` is of `types`.
inline void expect_all(const Json& list, unsigned types, const std::string& what) {
  ASSERT_TRUE(list.is_array()) << what << ": not a list: " << list.dump();
  for (const auto& e : list)
    EXPECT_TRUE(has_type(e, types)) << what << ": bad element " << e.dump();
}

/// An answer. Tests keep replies non-const so that `body["missing"]` yields null and the
/// expectation fails, instead of tripping nlohmann's assertion on a const lookup.
struct Reply {
  int status = 0;
  Json body;  ///< null when empty or not JSON
  std::string text;
};

/// A started MockServer and a raw HTTP client of it.
class ContractTest : public ::testing::Test {
 protected:
  explicit ContractTest(respan::testing::MockServerOptions o = {}) : server_(std::move(o)) {}
  void SetUp() override { server_.start(); }

  std::unique_ptr<httplib::Client> client() const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", server_.port());
    c->set_connection_timeout(5, 0);
    c->set_read_timeout(10, 0);
    c->set_write_timeout(10, 0);
    c->set_default_headers({{"Authorization", "Bearer " + server_.api_key()}});
    return c;
  }

  static Reply reply_of(const httplib::Result& r) {
    Reply out;
    if (!r) return out;
    out.status = r->status;
    out.text = r->body;
    out.body = Json::parse(r->body, nullptr, false);
    if (out.body.is_discarded()) out.body = Json();
    return out;
  }

  /// Sends `body` as is (raw JSON text).
  Reply send(const std::string& method, const std::string& path, const std::string& body = "") {
    auto c = client();
    if (method == "GET") return reply_of(c->Get(path.c_str()));
    if (method == "DELETE") return reply_of(c->Delete(path.c_str(), body, "application/json"));
    if (method == "POST") return reply_of(c->Post(path.c_str(), body, "application/json"));
    if (method == "PUT") return reply_of(c->Put(path.c_str(), body, "application/json"));
    return reply_of(c->Patch(path.c_str(), body, "application/json"));
  }
  Reply call(const std::string& method, const std::string& path, const Json& body) {
    return send(method, path, body.dump());
  }
  Reply call(const std::string& method, const std::string& path) { return send(method, path); }

  /// A span body with the one required field.
  static Json span(Json extra = Json::object()) {
    Json s = {{"model", "gpt-4o"}};
    for (const auto& [k, v] : extra.items())
      s[k] = v;
    return s;
  }

  /// Creates an empty dataset over HTTP; returns its id.
  std::string make_dataset(const std::string& name = "contract") {
    const Reply r = call("POST", "/api/datasets/", Json{{"name", name}, {"is_empty", true}});
    EXPECT_EQ(r.status, 201) << r.text;
    return r.body.value("id", std::string());
  }

  respan::testing::MockServer server_;
};

}  // namespace contract
