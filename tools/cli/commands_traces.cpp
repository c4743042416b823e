// respan traces ...: the trace endpoints.
#include "cli.hpp"

namespace respan::cli {

namespace {

std::vector<OptionSpec> window_options() {
  return {{"start", "TIME", "Start of the window the trace is in (ISO 8601)", false, '\0', ""},
          {"end", "TIME", "End of the window the trace is in (ISO 8601)", false, '\0', ""}};
}

TraceTimeWindow window(const Args& a) {
  TraceTimeWindow w;
  if (auto v = a.get("start")) w.start_time = Timestamp(*v);
  if (auto v = a.get("end")) w.end_time = Timestamp(*v);
  for (const auto* t : {&w.start_time, &w.end_time}) {
    if (*t && !(*t)->valid()) throw UsageError{"not an ISO 8601 time: '" + (*t)->str() + "'"};
  }
  return w;
}

}  // namespace

std::vector<CommandSpec> trace_commands() {
  std::vector<CommandSpec> out;
  out.push_back(
      {{"traces", "list"},
       "List traces (POST /api/traces/list/) as JSON lines",
       "",
       0,
       0,
       query_options("fpste"),
       "Without --since/--start the API lists the traces of the last hour.\n"
       "Example:\n  respan traces list --since 24h --filter error_count:gte=1 --sort -total_cost",
       true,
       [](Context& c, const Args&) {
         const Query q = gather_query(c, "fpste");
         TraceListQuery tq;
         tq.filters = q.filters;
         tq.page = q.page;
         tq.page_size = q.page_size;
         tq.sort_by = q.sort_by;
         tq.start_time = q.start_time;
         tq.end_time = q.end_time;
         tq.environment = q.environment;
         auto traces = c.client().traces();
         return list_rows(
             c, q, [&] { return traces.list(tq); }, [&] { return traces.list_all(tq); });
       }});
  out.push_back({{"traces", "get"},
                 "Show a trace with its span tree (GET /api/traces/{id}/)",
                 "TRACE_ID",
                 1,
                 1,
                 window_options(),
                 "",
                 true,
                 [](Context& c, const Args& a) {
                   return print_result(c,
                                       c.client().traces().retrieve(a.positionals[0], window(a)));
                 }});
  out.push_back({{"traces", "delete"},
                 "Delete a trace (DELETE /api/traces/{id}/)",
                 "TRACE_ID",
                 1,
                 1,
                 window_options(),
                 "",
                 true,
                 [](Context& c, const Args& a) {
                   return print_done(
                       c, c.client().traces().remove(a.positionals[0], window(a)),
                       Json{{"deleted", true}, {"trace_unique_id", a.positionals[0]}});
                 }});
  out.push_back({{"traces", "share"},
                 "Make a trace readable without a key (PATCH /api/traces/{id}/ is_public=true)",
                 "TRACE_ID",
                 1,
                 1,
                 {},
                 "",
                 true,
                 [](Context& c, const Args& a) {
                   return print_result(c, c.client().traces().share(a.positionals[0]));
                 }});
  out.push_back({{"traces", "unshare"},
                 "Make a shared trace private again (PATCH /api/traces/{id}/ is_public=false)",
                 "TRACE_ID",
                 1,
                 1,
                 {},
                 "",
                 true,
                 [](Context& c, const Args& a) {
                   return print_result(c, c.client().traces().unshare(a.positionals[0]));
                 }});
  out.push_back({{"traces", "get-public"},
                 "Read a shared trace without the key (GET /api/{org}/traces/{id}/)",
                 "ORGANIZATION_ID TRACE_ID",
                 2,
                 2,
                 {},
                 "ORGANIZATION_ID is the trace's unique_organization_id. No Authorization header\n"
                 "is sent on this call.",
                 true,
                 [](Context& c, const Args& a) {
                   return print_result(
                       c, c.client().traces().retrieve_public(a.positionals[0], a.positionals[1]));
                 }});
  out.push_back(
      {{"traces", "bulk-delete"},
       "Delete every trace matching filters in a window (POST /api/traces/bulk/)",
       "",
       0,
       0,
       query_options("fte"),
       "Filters are required; the API refuses to delete more than 1000 traces at once.\n"
       "Example:\n  respan traces bulk-delete --since 7d --filter customer_identifier=alice",
       true,
       [](Context& c, const Args&) {
         const Query q = gather_query(c, "fte");
         BulkDeleteTracesRequest r;
         r.filters = q.filters;
         r.start_time = q.start_time;
         r.end_time = q.end_time;
         r.environment = q.environment;
         return print_result(c, c.client().traces().bulk_delete(r));
       }});
  return out;
}

}  // namespace respan::cli
