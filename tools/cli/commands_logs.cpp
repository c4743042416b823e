// respan logs ...: the request-log (span) endpoints.
#include "cli.hpp"

namespace respan::cli {

namespace {

const std::vector<FieldFlag>& span_fields() {
  static const auto* f = new std::vector<FieldFlag>{
      {"model", "model", FieldKind::text, "Model of the span (required)"},
      {"input", "input", FieldKind::json, "Input (JSON, or text)"},
      {"output", "output", FieldKind::json, "Output (JSON, or text)"},
      {"log-type", "log_type", FieldKind::text, "Log type: chat, completion, embedding, ...",
       "chat completion response embedding speech transcription workflow agent task tool "
       "guardrail reranker other"},
      {"customer", "customer_identifier", FieldKind::text, "Customer identifier"},
      {"thread", "thread_identifier", FieldKind::text, "Thread identifier"},
      {"trace", "trace_unique_id", FieldKind::text, "Trace id"},
      {"custom-id", "custom_identifier", FieldKind::text, "Your own identifier of the span"},
      {"metadata", "metadata", FieldKind::kv, "A metadata member"},
      {"prompt-tokens", "prompt_tokens", FieldKind::integer, "Prompt tokens"},
      {"completion-tokens", "completion_tokens", FieldKind::integer, "Completion tokens"},
      {"cost", "cost", FieldKind::number, "Cost in USD"},
      {"latency", "latency", FieldKind::number, "Latency in seconds"},
      {"status-code", "status_code", FieldKind::integer, "HTTP status of the LLM call"},
  };
  return *f;
}

const std::vector<FieldFlag>& update_fields() {
  static const auto* f = new std::vector<FieldFlag>{
      {"pinned", "is_pinned", FieldKind::boolean, "Pin (true) or unpin (false) the span"},
      {"feedback", "positive_feedback", FieldKind::json,
       "true (positive), false (negative) or null (remove the feedback)", "true false null"},
      {"note", "note", FieldKind::text, "A note"},
      {"metadata", "metadata", FieldKind::kv, "A metadata member (merged server-side)"},
  };
  return *f;
}

// RequestLogUpdate has no from_json: its members are read here, the rest goes to `extra`.
RequestLogUpdate update_from_json(const Json& body) {
  RequestLogUpdate u;
  for (auto it = body.begin(); it != body.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (k == "is_pinned" && v.is_boolean()) {
      u.is_pinned = v.get<bool>();
    } else if (k == "positive_feedback" && (v.is_boolean() || v.is_null())) {
      if (v.is_null()) {
        u.positive_feedback.clear();
      } else {
        u.positive_feedback = v.get<bool>();
      }
    } else if (k == "note" && v.is_string()) {
      u.note = v.get<std::string>();
    } else if (k == "metadata" && !v.is_null()) {
      u.metadata = v;
    } else {
      u.extra[k] = v;
    }
  }
  return u;
}

template <class Q>
void copy_window(const Query& q, Q& out) {
  out.filters = q.filters;
  out.start_time = q.start_time;
  out.end_time = q.end_time;
  out.environment = q.environment;
}

RequestLogListQuery list_query(const Query& q) {
  RequestLogListQuery out;
  copy_window(q, out);
  out.page = q.page;
  out.page_size = q.page_size;
  out.sort_by = q.sort_by;
  out.include_fields = q.include_fields;
  if (q.log_type) out.log_type = LogType(*q.log_type);
  return out;
}

}  // namespace

std::vector<CommandSpec> request_log_commands() {
  std::vector<CommandSpec> out;

  out.push_back({{"logs", "create"},
                 "Log one span (POST /api/request-logs/); prints the created span's id and fields",
                 "",
                 0,
                 0,
                 join(body_options("span"), field_options(span_fields())),
                 "The span is a JSON object in the API's format (the body of POST\n"
                 "/api/request-logs/); flags set single fields on top of -f/--data.\n"
                 "Example:\n"
                 "  respan logs create --model gpt-4o --input 'Where is my order?' \\\n"
                 "      --output 'It ships today.' --customer alice --metadata feature=orders",
                 true,
                 [](Context& c, const Args&) {
                   const RequestLog span =
                       decode_body<RequestLog>(gather_body(c, span_fields()), "RequestLog");
                   return print_result(c, c.client().request_logs().create(span));
                 }});

  out.push_back(
      {{"logs", "list"},
       "List spans (POST /api/request-logs/list/) as JSON lines, page by page",
       "",
       0,
       0,
       join(query_options("fpsteil"),
            {{"legacy", "", "Use the legacy GET /api/request-logs/ list (no filters)", false, '\0',
              ""},
             {"customer", "ID", "With --legacy: only this customer's spans", false, '\0', ""}}),
       "Without --since/--start the API lists the last hour.\n"
       "Example:\n"
       "  respan logs list --since 24h --filter model=gpt-4o --filter cost:gte=0.01",
       true,
       [](Context& c, const Args& a) {
         const Query q = gather_query(c, "fpsteil");
         auto logs = c.client().request_logs();
         if (a.has("legacy")) {
           if (!q.filters.empty() || q.environment || q.log_type) {
             throw UsageError{"--legacy takes no filters, environment or log type"};
           }
           LegacyRequestLogListQuery lq;
           lq.page = q.page;
           lq.page_size = q.page_size;
           lq.sort_by = q.sort_by;
           lq.start_time = q.start_time;
           lq.end_time = q.end_time;
           lq.customer_identifier = a.get("customer");
           lq.include_fields = q.include_fields;
           return list_rows(
               c, q, [&] { return logs.list_legacy(lq); },
               [&] {
                 return PageRange<RequestLogRecord>(
                     [logs, lq](std::int64_t page) mutable {
                       lq.page = page;
                       return logs.list_legacy(lq);
                     },
                     1);
               });
         }
         if (a.has("customer"))
           throw UsageError{"--customer goes with --legacy; use --filter customer_identifier=ID"};
         const RequestLogListQuery lq = list_query(q);
         return list_rows(
             c, q, [&] { return logs.list(lq); }, [&] { return logs.list_all(lq); });
       }});

  out.push_back({{"logs", "get"},
                 "Show one span (GET /api/request-logs/{id}/)",
                 "ID",
                 1,
                 1,
                 {},
                 "",
                 true,
                 [](Context& c, const Args& a) {
                   return print_result(c, c.client().request_logs().retrieve(a.positionals[0]));
                 }});

  out.push_back({{"logs", "update"},
                 "Pin, give feedback, annotate a span (PATCH /api/request-logs/{id}/)",
                 "ID",
                 1,
                 1,
                 join(body_options("update"), field_options(update_fields())),
                 "Example:\n  respan logs update 3f2a... --pinned true --feedback false --note "
                 "'wrong answer'",
                 true,
                 [](Context& c, const Args& a) {
                   const Json body = gather_body(c, update_fields());
                   if (body.empty())
                     throw UsageError{"nothing to update (see respan logs update --help)"};
                   return print_result(c, c.client().request_logs().update(a.positionals[0],
                                                                           update_from_json(body)));
                 }});

  out.push_back({{"logs", "summary"},
                 "Aggregates of the matching spans (POST /api/request-logs/summary/)",
                 "",
                 0,
                 0,
                 query_options("fte"),
                 "",
                 true,
                 [](Context& c, const Args&) {
                   const Query q = gather_query(c, "fte");
                   RequestLogSummaryQuery sq;
                   copy_window(q, sq);
                   return print_result(c, c.client().request_logs().summary(sq));
                 }});

  out.push_back(logs_upload_command());
  return out;
}

}  // namespace respan::cli
