// Customers (the API's users) and conversation threads through the SDK against the mock
// server: both come from the spans logged with a customer_identifier / thread_identifier.
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>

#include "mock_api_test.hpp"

using respan::ErrorCode;
using respan::Json;

namespace {

class CustomersApi : public MockApiTest {
 protected:
  respan::RespanClient client() const { return respan::RespanClient::create(options()).value(); }

  void log(const std::string& customer, const std::string& thread, double cost) const {
    respan::RequestLog span("gpt-4o");
    span.customer_identifier = customer;
    span.thread_identifier = thread;
    span.cost = cost;
    span.prompt_tokens = 10;
    span.completion_tokens = 5;
    ASSERT_TRUE(client().request_logs().create(span));
  }
};

TEST_F(CustomersApi, CustomersComeFromLoggedSpansAndTakeProfilesAndBudgets) {
  const std::string alice = "alice/ops@example.com";  // free text: percent-encoded in paths
  log(alice, "t1", 0.5);
  log(alice, "t1", 0.25);
  log("bob", "t2", 2.0);
  log("carol", "t3", 0.1);
  auto c = client();

  respan::CustomerListQuery q;
  q.page_size = 1;
  q.sort_by = "-total_cost";
  std::vector<std::string> order;
  for (auto& row : c.customers().list_all(q)) {
    ASSERT_TRUE(row) << row.error();
    order.push_back(row->customer_identifier);
    EXPECT_TRUE(row->id.has_value());
    EXPECT_NE(*row->id, row->customer_identifier);  // list rows carry a synthetic id
  }
  EXPECT_EQ(order, (std::vector<std::string>{"bob", alice, "carol"}));

  respan::CustomerListQuery filtered;
  filtered.filters.gte("number_of_requests", 2);
  auto page = c.customers().list(filtered).value();
  ASSERT_EQ(page.results.size(), 1u);
  EXPECT_EQ(page.results[0].number_of_requests, 2);
  EXPECT_EQ(page.results[0].total_tokens, 30);
  EXPECT_DOUBLE_EQ(page.results[0].total_cost.value_or(0), 0.75);

  auto got = c.customers().retrieve(alice);
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(got->customer_identifier, alice);
  EXPECT_DOUBLE_EQ(got->total_period_usage.value_or(0), 0.75);
  EXPECT_EQ(requests_to("/api/users/alice%2Fops%40example.com/", "GET").size(), 1u);

  respan::CustomerUpdate u;
  u.name = "Alice";
  u.period_budget = 200.0;
  u.budget_duration = respan::BudgetDuration::monthly();
  u.metadata = Json{{"plan", "pro"}};
  auto updated = c.customers().update(alice, u);
  ASSERT_TRUE(updated) << updated.error();
  EXPECT_EQ(updated->name, "Alice");
  EXPECT_EQ(updated->period_budget, 200.0);
  EXPECT_EQ(updated->budget_duration, respan::BudgetDuration::monthly());
  EXPECT_EQ(c.customers().retrieve(alice).value().name, "Alice");

  // Environments: the key's is "test"; "prod" holds nobody here.
  auto prod = c.customers().retrieve(alice, respan::Environment::prod());
  ASSERT_FALSE(prod);
  EXPECT_EQ(prod.error().code, ErrorCode::not_found);

  ASSERT_TRUE(c.customers().remove("carol"));
  EXPECT_EQ(c.customers().retrieve("carol").error().code, ErrorCode::not_found);
  // A retried DELETE whose first answer was lost succeeds.
  respan::testing::Fault lost;
  lost.drop_connection = true;
  lost.method = "DELETE";
  server_.inject_fault(lost);
  // (the first attempt is dropped before the delete runs; the retry deletes)
  ASSERT_TRUE(c.customers().remove("bob"));

  respan::CustomerUpdate bad;
  bad.total_budget = -5;
  EXPECT_EQ(c.customers().update(alice, bad).error().code, ErrorCode::invalid_argument);
  respan::CustomerUpdate odd;
  odd.budget_duration = respan::BudgetDuration("fortnightly");
  auto refused = c.customers().update(alice, odd);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::bad_request);
}

TEST_F(CustomersApi, ThreadsAndTheirSpans) {
  log("alice", "support-42", 0.1);
  log("alice", "support-42", 0.1);
  log("alice", "support-42", 0.1);
  log("bob", "support-43", 0.1);
  auto c = client();
  std::set<std::string> threads;
  respan::ThreadListQuery q;
  q.page_size = 1;
  for (auto& t : c.threads().list_all(q)) {
    ASSERT_TRUE(t) << t.error();
    threads.insert(t->thread_identifier);
    if (t->thread_identifier == "support-42") {
      EXPECT_EQ(t->log_count, 3);
    }
  }
  EXPECT_EQ(threads, (std::set<std::string>{"support-42", "support-43"}));

  respan::ThreadListQuery bob;
  bob.filters.equals("customer_identifier", "bob");
  auto page = c.threads().list(bob).value();
  ASSERT_EQ(page.results.size(), 1u);
  EXPECT_EQ(page.results[0].thread_identifier, "support-43");

  int spans = 0;
  for (auto& s : c.threads().spans("support-42")) {
    ASSERT_TRUE(s) << s.error();
    EXPECT_EQ(s->thread_identifier, "support-42");
    ++spans;
  }
  EXPECT_EQ(spans, 3);
}

}  // namespace
