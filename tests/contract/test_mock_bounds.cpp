// The mock's stores are bounded (MockServerOptions::max_stored_request_logs,
// max_stored_trace_spans, max_stored_datasets, max_stored_dataset_logs): filled to the limit
// over loopback HTTP, they answer 507 with a JSON body naming the option, and a request that
// does not fit stores nothing of itself. Also the per-request byte budget of the mock's
// connection loop (httplib_adapter.hpp), which httplib's own loop does not have.
#include <stdexcept>
#include <string>
#include <utility>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "contract_util.hpp"

namespace contract {
namespace {

using respan::testing::MockServerOptions;

void expect_full(const Reply& r, const std::string& option) {
  EXPECT_EQ(r.status, 507) << r.text;
  ASSERT_TRUE(r.body.is_object()) << r.text;
  const std::string detail = r.body.value("detail", std::string());
  EXPECT_NE(detail.find("store is full"), std::string::npos) << r.text;
  EXPECT_NE(detail.find("MockServerOptions::" + option), std::string::npos) << r.text;
}

Json bulk(std::initializer_list<Json> rows) {
  Json logs = Json::array();
  for (const Json& row : rows)
    logs.push_back(row);
  return Json{{"logs", std::move(logs)}};
}

// ------------------------------------------------------------------------------ request logs

class RequestLogBound : public ContractTest {
 protected:
  RequestLogBound() : ContractTest(options()) {}
  static MockServerOptions options() {
    MockServerOptions o;
    o.max_stored_request_logs = 3;
    return o;
  }
};

TEST_F(RequestLogBound, CreatesUpToTheBoundThen507) {
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(call("POST", "/api/request-logs/", span()).status, 200);
  expect_full(call("POST", "/api/request-logs/", span()), "max_stored_request_logs");
  expect_full(call("POST", "/api/request-logs/create/", span()), "max_stored_request_logs");
  EXPECT_EQ(server_.request_logs().size(), 3u);
  EXPECT_THROW(server_.add_request_log(span()), std::invalid_argument);
  // Reads still work, and reset() makes room.
  EXPECT_EQ(call("POST", "/api/request-logs/list/", Json::object()).status, 200);
  server_.reset();
  EXPECT_EQ(call("POST", "/api/request-logs/", span()).status, 200);
}

TEST_F(RequestLogBound, ABulkCreateThatDoesNotFitStoresNothing) {
  ASSERT_EQ(call("POST", "/api/request-logs/", span()).status, 200);
  // Room for 2: three valid rows are refused whole.
  expect_full(call("POST", "/api/request-logs/bulk/", bulk({span(), span(), span()})),
              "max_stored_request_logs");
  EXPECT_EQ(server_.request_logs().size(), 1u) << "nothing of the refused batch is stored";
  // Rows refused for their content do not count: two valid rows and one invalid fit.
  Reply r = call("POST", "/api/request-logs/bulk/", bulk({span(), Json{{"model", 5}}, span()}));
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["success_count"], 2);
  EXPECT_EQ(r.body["error_count"], 1);
  EXPECT_EQ(server_.request_logs().size(), 3u);
}

// ------------------------------------------------------------------------------ trace spans

class TraceSpanBound : public ContractTest {
 protected:
  TraceSpanBound() : ContractTest(options()) {}
  static MockServerOptions options() {
    MockServerOptions o;
    o.max_stored_trace_spans = 3;
    return o;
  }
  static Json ingest_span(const std::string& tid, const std::string& sid) {
    return Json{{"trace_unique_id", tid},
                {"span_unique_id", sid},
                {"span_name", "step"},
                {"start_time", "2025-01-01T00:00:00Z"},
                {"timestamp", "2025-01-01T00:00:01Z"}};
  }
  static Json otlp_span(const std::string& span_hex) {
    const Json span = {{"traceId", "0af7651916cd43dd8448eb211c80319c"},
                       {"spanId", span_hex},
                       {"name", "otlp-step"},
                       {"startTimeUnixNano", "1735689600000000000"},
                       {"endTimeUnixNano", "1735689601000000000"}};
    return Json{{"resourceSpans", {{{"scopeSpans", {{{"spans", {span}}}}}}}}};
  }
  std::size_t stored_spans() {
    std::size_t n = 0;
    for (const Json& t : server_.traces())
      n += t["span_count"].get<std::size_t>();
    return n;
  }
};

TEST_F(TraceSpanBound, IngestFillsTheStoreThenRefusesNewSpansWhole) {
  ASSERT_EQ(call("POST", "/api/v1/traces/ingest",
                 Json::array({ingest_span("t1", "s1"), ingest_span("t1", "s2")}))
                .status,
            200);
  // Two new spans do not fit in the one place left: neither is stored.
  expect_full(call("POST", "/api/v1/traces/ingest",
                   Json::array({ingest_span("t2", "s3"), ingest_span("t2", "s4")})),
              "max_stored_trace_spans");
  EXPECT_EQ(stored_spans(), 2u);
  EXPECT_FALSE(server_.trace("t2").has_value());
  // A span sent again takes no more room: one new span plus two resent ones fit.
  ASSERT_EQ(
      call("POST", "/api/v1/traces/ingest",
           Json::array({ingest_span("t1", "s1"), ingest_span("t1", "s2"), ingest_span("t1", "s3")}))
          .status,
      200);
  EXPECT_EQ(stored_spans(), 3u);
  // OTLP and request logs that would join a trace meet the same bound.
  expect_full(call("POST", "/api/v2/traces", otlp_span("00f067aa0ba902b7")),
              "max_stored_trace_spans");
  expect_full(call("POST", "/api/request-logs/",
                   span({{"trace_unique_id", "t9"}, {"span_unique_id", "s9"}})),
              "max_stored_trace_spans");
  EXPECT_TRUE(server_.request_logs().empty()) << "the refused request log is not stored either";
  // A request log without a trace id is not a trace span.
  EXPECT_EQ(call("POST", "/api/request-logs/", span()).status, 200);
  // Deleting a trace makes room.
  ASSERT_EQ(call("DELETE", "/api/traces/t1/").status, 200);
  EXPECT_EQ(call("POST", "/api/v2/traces", otlp_span("00f067aa0ba902b7")).status, 200);
  EXPECT_EQ(stored_spans(), 1u);
}

TEST_F(TraceSpanBound, IngestedSpansRemembersTheNewestOnly) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(call("POST", "/api/v1/traces/ingest", Json::array({ingest_span("t1", "s1")})).status,
              200);
  }
  EXPECT_EQ(server_.ingested_spans().size(), 3u) << "re-sent spans: the newest three arrivals";
  EXPECT_EQ(stored_spans(), 1u);
}

// ------------------------------------------------------------------------------ datasets

class DatasetBound : public ContractTest {
 protected:
  DatasetBound() : ContractTest(options()) {}
  static MockServerOptions options() {
    MockServerOptions o;
    o.max_stored_datasets = 2;
    return o;
  }
};

TEST_F(DatasetBound, CreatesUpToTheBoundThen507) {
  const std::string first = make_dataset("a");
  make_dataset("b");
  expect_full(call("POST", "/api/datasets/", Json{{"name", "c"}, {"is_empty", true}}),
              "max_stored_datasets");
  EXPECT_EQ(server_.datasets().size(), 2u);
  EXPECT_THROW(server_.add_dataset(Json{{"name", "d"}, {"is_empty", true}}), std::invalid_argument);
  // The virtual saved-logs collection is not counted.
  EXPECT_EQ(call("POST", "/api/datasets/_saved_logs/logs/", Json{{"input", "x"}}).status, 201);
  ASSERT_EQ(call("DELETE", "/api/datasets/" + first + "/").status, 204);
  EXPECT_EQ(call("POST", "/api/datasets/", Json{{"name", "c"}, {"is_empty", true}}).status, 201);
}

// ------------------------------------------------------------------------------ dataset logs

class DatasetLogBound : public ContractTest {
 protected:
  explicit DatasetLogBound(bool immediate = true) : ContractTest(options(immediate)) {}
  static MockServerOptions options(bool immediate) {
    MockServerOptions o;
    o.max_stored_dataset_logs = 3;
    o.immediate_background_jobs = immediate;
    return o;
  }
  Reply add_log(const std::string& id) {
    return call("POST", "/api/datasets/" + id + "/logs/", Json{{"input", "q"}});
  }
  // Import window and body covering the spans created now.
  static Json window() {
    return Json{{"start_time", "2000-01-01T00:00:00Z"}, {"end_time", "2100-01-01T00:00:00Z"}};
  }
};

TEST_F(DatasetLogBound, EveryWayOfAddingLogsMeetsTheBound) {
  const std::string id = make_dataset();
  ASSERT_EQ(add_log(id).status, 201);
  ASSERT_EQ(add_log(id).status, 201);
  // One place left: a bulk of two stores nothing.
  expect_full(call("POST", "/api/datasets/" + id + "/logs/bulk/",
                   bulk({{{"input", "a"}}, {{"input", "b"}}})),
              "max_stored_dataset_logs");
  EXPECT_EQ(server_.dataset_logs(id).size(), 2u);
  // Imports, datasets made from logs and copies: counted before anything is queued.
  for (int i = 0; i < 2; ++i)
    ASSERT_EQ(call("POST", "/api/request-logs/", span()).status, 200);
  expect_full(call("POST", "/api/datasets/" + id + "/logs/import/", window()),
              "max_stored_dataset_logs");
  Json from_logs = window();
  from_logs["name"] = "from logs";
  expect_full(call("POST", "/api/datasets/", from_logs), "max_stored_dataset_logs");
  expect_full(call("POST", "/api/datasets/", Json{{"name", "copy"}, {"source_dataset_id", id}}),
              "max_stored_dataset_logs");
  EXPECT_EQ(server_.datasets().size(), 1u) << "the refused datasets are not created";
  EXPECT_EQ(server_.dataset_logs(id).size(), 2u);
  // The last place: one log; then evaluation tasks (stored objects too) do not fit.
  ASSERT_EQ(add_log(id).status, 201);
  expect_full(add_log(id), "max_stored_dataset_logs");
  expect_full(call("POST", "/api/datasets/" + id + "/eval-reports/create/",
                   Json{{"evaluator_ids", {"relevance"}}}),
              "max_stored_dataset_logs");
  EXPECT_TRUE(server_.evaluation_runs(id).empty());
  EXPECT_THROW(server_.add_dataset_log(id, Json{{"input", "x"}}), std::invalid_argument);
  // Deleting a log makes room.
  const std::string uid = server_.dataset_logs(id).front()["unique_id"].get<std::string>();
  ASSERT_EQ(call("DELETE", "/api/datasets/" + id + "/logs/" + uid + "/").status, 204);
  EXPECT_EQ(add_log(id).status, 201);
  EXPECT_EQ(server_.dataset_logs(id).size(), 3u);
}

class DatasetLogBoundQueued : public DatasetLogBound {
 protected:
  DatasetLogBoundQueued() : DatasetLogBound(false) {}
};

TEST_F(DatasetLogBoundQueued, QueuedWorkThatNoLongerFitsAddsNothing) {
  const std::string id = make_dataset();
  for (int i = 0; i < 2; ++i)
    ASSERT_EQ(call("POST", "/api/request-logs/", span()).status, 200);
  // Two spans to import and three places: accepted and queued.
  ASSERT_EQ(call("POST", "/api/datasets/" + id + "/logs/import/", window()).status, 200);
  ASSERT_EQ(server_.pending_job_count(), 1u);
  // Meanwhile two logs take two of the places: the import no longer fits when it runs.
  ASSERT_EQ(add_log(id).status, 201);
  ASSERT_EQ(add_log(id).status, 201);
  server_.complete_pending_jobs();
  EXPECT_EQ(server_.dataset_logs(id).size(), 2u) << "the import adds nothing, not one of two";
}

// ------------------------------------------------------------------------------ byte budget

class RequestBudget : public ContractTest {
 protected:
  RequestBudget() : ContractTest(options()) {}
  static MockServerOptions options() {
    MockServerOptions o;
    o.max_payload_bytes = 64 * 1024;  // a request may read 64 KiB + 1 MiB of framing
    return o;
  }
};

TEST_F(RequestBudget, AnEndlessHeaderBlockEndsTheConnection) {
  const int sock = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(sock, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(server_.port()));
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ASSERT_EQ(::connect(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  timeval tv{};
  tv.tv_sec = 10;
  ::setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  std::string head = "GET /api/request-logs/ HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  ASSERT_GT(::send(sock, head.data(), head.size(), MSG_NOSIGNAL), 0);
  std::string lines;
  for (int i = 0; i < 1024; ++i)
    lines += "X-Filler-" + std::to_string(i % 100) + ": " + std::string(48, 'v') + "\r\n";
  // 256 MiB of header lines: the server stops reading and closes long before (httplib's own
  // loop takes them all into memory).
  std::size_t sent = 0;
  bool refused = false;
  while (sent < 256u * 1024u * 1024u) {
    const ssize_t n = ::send(sock, lines.data(), lines.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      refused = true;
      break;
    }
    sent += static_cast<std::size_t>(n);
  }
  ::close(sock);
  EXPECT_TRUE(refused) << "the server read " << sent << " bytes of headers";
  EXPECT_LT(sent, 64u * 1024u * 1024u);
  // The server still answers.
  EXPECT_EQ(call("POST", "/api/request-logs/list/", Json::object()).status, 200);
}

}  // namespace
}  // namespace contract
