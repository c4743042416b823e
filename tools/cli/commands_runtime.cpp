// respan scores|prompts|customers|threads ...: the runtime families.
#include "cli.hpp"

namespace respan::cli {

namespace {

// ------------------------------------------------------------------ scores
const std::vector<FieldFlag>& score_fields() {
  static const auto* f = new std::vector<FieldFlag>{
      {"evaluator", "evaluator_id", FieldKind::text, "Evaluator id"},
      {"evaluator-slug", "evaluator_slug", FieldKind::text, "Evaluator slug"},
      {"number", "numerical_value", FieldKind::number, "Numerical value"},
      {"bool", "boolean_value", FieldKind::boolean, "Boolean value"},
      {"text", "string_value", FieldKind::text, "Text value"},
      {"category", "categorical_value", FieldKind::list, "A chosen option"},
      {"json", "json_value", FieldKind::text, "JSON value (a JSON document, as text)"},
  };
  return *f;
}

const std::vector<FieldFlag>& score_value_fields() {
  static const auto* f =
      new std::vector<FieldFlag>(score_fields().begin() + 2, score_fields().end());
  return *f;
}

OptionSpec log_option(const char* help) {
  return {"log", "LOG_ID", help, false, '\0', ""};
}

// ------------------------------------------------------------------ prompts
const std::vector<FieldFlag>& prompt_fields() {
  static const auto* f = new std::vector<FieldFlag>{
      {"name", "name", FieldKind::text, "Name"},
      {"description", "description", FieldKind::text, "Description"},
  };
  return *f;
}

const std::vector<FieldFlag>& version_fields() {
  static const auto* f = new std::vector<FieldFlag>{
      {"model", "model", FieldKind::text, "Model"},
      {"description", "description", FieldKind::text, "Version note"},
      {"temperature", "temperature", FieldKind::number, "Temperature"},
      {"max-tokens", "max_tokens", FieldKind::integer, "Max tokens"},
      {"deploy", "deploy", FieldKind::flag, "Make this version live at once"},
  };
  return *f;
}

const std::vector<FieldFlag>& commit_fields() {
  static const auto* f = new std::vector<FieldFlag>{
      {"message", "description", FieldKind::text, "Commit message"},
  };
  return *f;
}

std::int64_t version_arg(const Args& a) {
  return parse_integer(a.positionals[1], "VERSION");
}

// ------------------------------------------------------------------ customers
const std::vector<FieldFlag>& customer_fields() {
  static const auto* f = new std::vector<FieldFlag>{
      {"name", "name", FieldKind::text, "Name"},
      {"email", "email", FieldKind::text, "E-mail address"},
      {"metadata", "metadata", FieldKind::kv, "A metadata member"},
      {"period-budget", "period_budget", FieldKind::number, "Budget per period (USD)"},
      {"budget-duration", "budget_duration", FieldKind::text, "Budget period",
       "daily weekly monthly"},
      {"total-budget", "total_budget", FieldKind::number, "Lifetime budget (USD)"},
  };
  return *f;
}

OptionSpec env_option() {
  return {"environment", "ENV", "prod or test (default: the API key's)", false, '\0', "prod test"};
}

std::optional<Environment> env_of(const Args& a) {
  if (auto e = a.get("environment")) return Environment(*e);
  return std::nullopt;
}

}  // namespace

std::vector<CommandSpec> runtime_commands() {
  std::vector<CommandSpec> out;
  // ---------------------------------------------------------------- scores
  out.push_back(
      {{"scores", "create"},
       "Score a log (with --log: POST /api/logs/{log}/scores/, else POST /api/scores/)",
       "",
       0,
       0,
       join(join({log_option("The scored log (span) unique_id: one score per log, evaluator and "
                             "scorer, a repeat overwrites it")},
                 body_options("score")),
            field_options(score_fields())),
       "Example:\n  respan scores create --log 3f2a... --evaluator-slug thumbs_up --bool true",
       true,
       [](Context& c, const Args& a) {
         const Score s = decode_body<Score>(gather_body(c, score_fields()), "Score");
         auto scores = c.client().scores();
         if (auto log = a.get("log")) return print_result(c, scores.for_log(*log).create(s));
         return print_result(c, scores.create(s));
       }});
  out.push_back(
      {{"scores", "list"},
       "List scores as JSON lines: of one log (--log), else POST /api/scores/list/",
       "",
       0,
       0,
       join({log_option("List the scores of this log (no filters then)")}, query_options("fps")),
       "",
       true,
       [](Context& c, const Args& a) {
         const Query q = gather_query(c, "fps");
         auto scores = c.client().scores();
         if (auto log = a.get("log")) {
           if (!q.filters.empty() || q.sort_by) {
             throw UsageError{"the scores of one log take no filters or sort order"};
           }
           LogScoreListQuery lq;
           lq.page = q.page;
           lq.page_size = q.page_size;
           auto of_log = scores.for_log(*log);
           return list_rows(
               c, q, [&] { return of_log.list(lq); }, [&] { return of_log.list_all(lq); });
         }
         ScoreListQuery sq;
         sq.filters = q.filters;
         sq.page = q.page;
         sq.page_size = q.page_size;
         sq.sort_by = q.sort_by;
         return list_rows(
             c, q, [&] { return scores.list(sq); }, [&] { return scores.list_all(sq); });
       }});
  out.push_back({{"scores", "get"},
                 "Show a score (GET /api/scores/{id}/, or of --log)",
                 "SCORE_ID",
                 1,
                 1,
                 {log_option("Read it through the log's routes")},
                 "",
                 true,
                 [](Context& c, const Args& a) {
                   auto scores = c.client().scores();
                   if (auto log = a.get("log")) {
                     return print_result(c, scores.for_log(*log).retrieve(a.positionals[0]));
                   }
                   return print_result(c, scores.retrieve(a.positionals[0]));
                 }});
  out.push_back(
      {{"scores", "replace"},
       "Replace a score (PUT /api/scores/{id}/, or of --log)",
       "SCORE_ID",
       1,
       1,
       join(join({log_option("Replace it through the log's routes")}, body_options("score")),
            field_options(score_fields())),
       "",
       true,
       [](Context& c, const Args& a) {
         const Score s = decode_body<Score>(gather_body(c, score_fields()), "Score");
         auto scores = c.client().scores();
         if (auto log = a.get("log")) {
           return print_result(c, scores.for_log(*log).replace(a.positionals[0], s));
         }
         return print_result(c, scores.replace(a.positionals[0], s));
       }});
  out.push_back(
      {{"scores", "update"},
       "Change a score's value (PATCH /api/scores/{id}/, or of --log)",
       "SCORE_ID",
       1,
       1,
       join(join({log_option("Update it through the log's routes")}, body_options("update")),
            field_options(score_value_fields())),
       "",
       true,
       [](Context& c, const Args& a) {
         const Json body = gather_body(c, score_value_fields());
         if (body.empty()) throw UsageError{"nothing to update"};
         const auto u = decode_body<ScoreUpdate>(body, "ScoreUpdate");
         auto scores = c.client().scores();
         if (auto log = a.get("log")) {
           return print_result(c, scores.for_log(*log).update(a.positionals[0], u));
         }
         return print_result(c, scores.update(a.positionals[0], u));
       }});
  out.push_back({{"scores", "delete"},
                 "Delete a score (DELETE /api/scores/{id}/, or of --log)",
                 "SCORE_ID",
                 1,
                 1,
                 {log_option("Delete it through the log's routes")},
                 "",
                 true,
                 [](Context& c, const Args& a) {
                   auto scores = c.client().scores();
                   const Json done{{"deleted", true}, {"id", a.positionals[0]}};
                   if (auto log = a.get("log")) {
                     return print_done(c, scores.for_log(*log).remove(a.positionals[0]), done);
                   }
                   return print_done(c, scores.remove(a.positionals[0]), done);
                 }});

  // ---------------------------------------------------------------- prompts
  out.push_back({{"prompts", "create"},
                 "Create a prompt (POST /api/prompts/)",
                 "",
                 0,
                 0,
                 join(body_options("prompt"), field_options(prompt_fields())),
                 "",
                 true,
                 [](Context& c, const Args&) {
                   const Prompt p = decode_body<Prompt>(gather_body(c, prompt_fields()), "Prompt");
                   return print_result(c, c.client().prompts().create(p));
                 }});
  out.push_back({{"prompts", "list"},
                 "List prompts (POST /api/prompts/list/) as JSON lines",
                 "",
                 0,
                 0,
                 query_options("fps"),
                 "",
                 true,
                 [](Context& c, const Args&) {
                   const Query q = gather_query(c, "fps");
                   PromptListQuery pq;
                   pq.filters = q.filters;
                   pq.page = q.page;
                   pq.page_size = q.page_size;
                   pq.sort_by = q.sort_by;
                   auto prompts = c.client().prompts();
                   return list_rows(
                       c, q, [&] { return prompts.list(pq); },
                       [&] { return prompts.list_all(pq); });
                 }});
  out.push_back({{"prompts", "summary"},
                 "Count the matching prompts (POST /api/prompts/summary/)",
                 "",
                 0,
                 0,
                 query_options("f"),
                 "",
                 true,
                 [](Context& c, const Args&) {
                   const Query q = gather_query(c, "f");
                   return print_result(c, c.client().prompts().summary(q.filters));
                 }});
  out.push_back({{"prompts", "get"},
                 "Show a prompt (GET /api/prompts/{id}/)",
                 "PROMPT_ID",
                 1,
                 1,
                 {},
                 "",
                 true,
                 [](Context& c, const Args& a) {
                   return print_result(c, c.client().prompts().retrieve(a.positionals[0]));
                 }});
  out.push_back({{"prompts", "update"},
                 "Rename or re-describe a prompt (PATCH /api/prompts/{id}/)",
                 "PROMPT_ID",
                 1,
                 1,
                 join(body_options("update"), field_options(prompt_fields())),
                 "",
                 true,
                 [](Context& c, const Args& a) {
                   const Json body = gather_body(c, prompt_fields());
                   if (body.empty()) throw UsageError{"nothing to update"};
                   return print_result(
                       c, c.client().prompts().update(
                              a.positionals[0], decode_body<PromptUpdate>(body, "PromptUpdate")));
                 }});
  out.push_back({{"prompts", "delete"},
                 "Delete a prompt and its versions (DELETE /api/prompts/{id}/)",
                 "PROMPT_ID",
                 1,
                 1,
                 {},
                 "",
                 true,
                 [](Context& c, const Args& a) {
                   return print_done(c, c.client().prompts().remove(a.positionals[0]),
                                     Json{{"deleted", true}, {"id", a.positionals[0]}});
                 }});
  out.push_back({{"prompts", "versions"},
                 "List a prompt's versions, newest first (GET /api/prompts/{id}/versions/)",
                 "PROMPT_ID",
                 1,
                 1,
                 query_options("p"),
                 "",
                 true,
                 [](Context& c, const Args& a) {
                   const Query q = gather_query(c, "p");
                   PromptVersionListQuery vq;
                   vq.page = q.page;
                   vq.page_size = q.page_size;
                   auto prompts = c.client().prompts();
                   const std::string id = a.positionals[0];
                   return list_rows(
                       c, q, [&] { return prompts.list_versions(id, vq); },
                       [&] { return prompts.list_all_versions(id, vq); });
                 }});
  out.push_back(
      {{"prompts", "create-version"},
       "Add a version (a draft) to a prompt (POST /api/prompts/{id}/versions/)",
       "PROMPT_ID",
       1,
       1,
       join(body_options("version"), field_options(version_fields())),
       "The version needs messages (in the JSON) and a model.\nExample:\n"
       "  respan prompts create-version PROMPT --model gpt-4o \\\n"
       "      --data '{\"messages\": [{\"role\": \"user\", \"content\": \"{{question}}\"}]}'",
       true,
       [](Context& c, const Args& a) {
         const auto v =
             decode_body<PromptVersion>(gather_body(c, version_fields()), "PromptVersion");
         return print_result(c, c.client().prompts().create_version(a.positionals[0], v));
       }});
  out.push_back({{"prompts", "get-version"},
                 "Show a version (GET /api/prompts/{id}/versions/{n}/)",
                 "PROMPT_ID VERSION",
                 2,
                 2,
                 {},
                 "",
                 true,
                 [](Context& c, const Args& a) {
                   return print_result(
                       c, c.client().prompts().retrieve_version(a.positionals[0], version_arg(a)));
                 }});
  out.push_back({{"prompts", "update-version"},
                 "Edit a draft version (PATCH /api/prompts/{id}/versions/{n}/)",
                 "PROMPT_ID VERSION",
                 2,
                 2,
                 join(body_options("update"), field_options(version_fields())),
                 "",
                 true,
                 [](Context& c, const Args& a) {
                   const Json body = gather_body(c, version_fields());
                   if (body.empty()) throw UsageError{"nothing to update"};
                   return print_result(
                       c, c.client().prompts().update_version(
                              a.positionals[0], version_arg(a),
                              decode_body<PromptVersionUpdate>(body, "PromptVersionUpdate")));
                 }});
  out.push_back(
      {{"prompts", "delete-version"},
       "Delete a version (DELETE /api/prompts/{id}/versions/{n}/)",
       "PROMPT_ID VERSION",
       2,
       2,
       {},
       "",
       true,
       [](Context& c, const Args& a) {
         return print_done(
             c, c.client().prompts().remove_version(a.positionals[0], version_arg(a)),
             Json{{"deleted", true}, {"id", a.positionals[0]}, {"version", version_arg(a)}});
       }});
  out.push_back({{"prompts", "commit"},
                 "Freeze the draft into a read-only version (POST /api/prompts/{id}/commits/)",
                 "PROMPT_ID",
                 1,
                 1,
                 join(body_options("request"), field_options(commit_fields())),
                 "",
                 true,
                 [](Context& c, const Args& a) {
                   const auto r = decode_body<CommitPromptRequest>(gather_body(c, commit_fields()),
                                                                   "CommitPromptRequest");
                   return print_result(c, c.client().prompts().commit(a.positionals[0], r));
                 }});
  out.push_back({{"prompts", "deploy"},
                 "Make a committed version live (POST /api/prompts/{id}/deployments/)",
                 "PROMPT_ID VERSION",
                 2,
                 2,
                 {},
                 "",
                 true,
                 [](Context& c, const Args& a) {
                   return print_result(
                       c, c.client().prompts().deploy(a.positionals[0], version_arg(a)));
                 }});
  out.push_back({{"prompts", "get-deployed"},
                 "Show the live version with its messages ({\"prompt\": ..., \"version\": ...})",
                 "PROMPT_ID",
                 1,
                 1,
                 {},
                 "",
                 true,
                 [](Context& c, const Args& a) {
                   auto r = c.client().prompts().retrieve_deployed(a.positionals[0]);
                   if (!r) return c.fail(r.error());
                   c.print(Json{{"prompt", Json(r->prompt)}, {"version", Json(r->version)}});
                   return static_cast<int>(kExitOk);
                 }});

  // ---------------------------------------------------------------- customers
  out.push_back({{"customers", "list"},
                 "List customers with their usage (POST /api/users/list/) as JSON lines",
                 "",
                 0,
                 0,
                 query_options("fpse"),
                 "",
                 true,
                 [](Context& c, const Args&) {
                   const Query q = gather_query(c, "fpse");
                   CustomerListQuery cq;
                   cq.filters = q.filters;
                   cq.page = q.page;
                   cq.page_size = q.page_size;
                   cq.sort_by = q.sort_by;
                   if (q.environment) cq.environment = Environment(*q.environment);
                   auto customers = c.client().customers();
                   return list_rows(
                       c, q, [&] { return customers.list(cq); },
                       [&] { return customers.list_all(cq); });
                 }});
  out.push_back({{"customers", "get"},
                 "Show a customer (GET /api/users/{id}/)",
                 "CUSTOMER_IDENTIFIER",
                 1,
                 1,
                 {env_option()},
                 "",
                 true,
                 [](Context& c, const Args& a) {
                   return print_result(
                       c, c.client().customers().retrieve(a.positionals[0], env_of(a)));
                 }});
  out.push_back(
      {{"customers", "update"},
       "Set a customer's profile and budget (PATCH /api/users/{id}/)",
       "CUSTOMER_IDENTIFIER",
       1,
       1,
       join(join({env_option()}, body_options("update")), field_options(customer_fields())),
       "",
       true,
       [](Context& c, const Args& a) {
         const Json body = gather_body(c, customer_fields());
         if (body.empty()) throw UsageError{"nothing to update"};
         return print_result(
             c,
             c.client().customers().update(
                 a.positionals[0], decode_body<CustomerUpdate>(body, "CustomerUpdate"), env_of(a)));
       }});
  out.push_back({{"customers", "delete"},
                 "Delete a customer (DELETE /api/users/{id}/)",
                 "CUSTOMER_IDENTIFIER",
                 1,
                 1,
                 {env_option()},
                 "",
                 true,
                 [](Context& c, const Args& a) {
                   return print_done(
                       c, c.client().customers().remove(a.positionals[0], env_of(a)),
                       Json{{"deleted", true}, {"customer_identifier", a.positionals[0]}});
                 }});

  // ---------------------------------------------------------------- threads
  out.push_back({{"threads", "list"},
                 "List conversation threads (POST /api/log_threads/) as JSON lines",
                 "",
                 0,
                 0,
                 query_options("fpe"),
                 "",
                 true,
                 [](Context& c, const Args&) {
                   const Query q = gather_query(c, "fpe");
                   ThreadListQuery tq;
                   tq.filters = q.filters;
                   tq.page = q.page;
                   tq.page_size = q.page_size;
                   tq.environment = q.environment;
                   auto threads = c.client().threads();
                   return list_rows(
                       c, q, [&] { return threads.list(tq); },
                       [&] { return threads.list_all(tq); });
                 }});
  out.push_back({{"threads", "spans"},
                 "List the spans of a thread (the span list filtered on thread_identifier)",
                 "THREAD_ID",
                 1,
                 1,
                 query_options("fpstel"),
                 "Without --since/--start the API lists the spans of the last hour.",
                 true,
                 [](Context& c, const Args& a) {
                   const Query q = gather_query(c, "fpstel");
                   if (q.page) throw UsageError{"threads spans streams every page; use --limit"};
                   RequestLogListQuery lq;
                   lq.filters = q.filters;
                   lq.page_size = q.page_size;
                   lq.sort_by = q.sort_by;
                   lq.start_time = q.start_time;
                   lq.end_time = q.end_time;
                   lq.environment = q.environment;
                   if (q.log_type) lq.log_type = LogType(*q.log_type);
                   return print_rows(c, c.client().threads().spans(a.positionals[0], lq), q.limit);
                 }});
  return out;
}

}  // namespace respan::cli
