// respan datasets ... and respan dataset-logs ...: the dataset endpoints.
#include "cli.hpp"

namespace respan::cli {

namespace {

const std::vector<FieldFlag>& dataset_fields() {
  static const auto* f = new std::vector<FieldFlag>{
      {"name", "name", FieldKind::text, "Name"},
      {"description", "description", FieldKind::text, "Description"},
      {"empty", "is_empty", FieldKind::flag, "Create an empty dataset"},
      {"sampling", "sampling", FieldKind::integer, "Percent (1-100) of the matching logs"},
      {"start", "start_time", FieldKind::text, "Start of the log window (ISO 8601)"},
      {"end", "end_time", FieldKind::text, "End of the log window (ISO 8601)"},
      {"copy-of", "source_dataset_id", FieldKind::text, "Duplicate this dataset"},
  };
  return *f;
}

const std::vector<FieldFlag>& dataset_update_fields() {
  static const auto* f = new std::vector<FieldFlag>{
      {"name", "name", FieldKind::text, "New name"},
      {"description", "description", FieldKind::text, "New description"},
  };
  return *f;
}

const std::vector<FieldFlag>& dataset_log_fields() {
  static const auto* f = new std::vector<FieldFlag>{
      {"input", "input", FieldKind::json, "Input (JSON, or text)"},
      {"output", "output", FieldKind::json, "Output (JSON, or text)"},
      {"expected-output", "expected_output", FieldKind::json, "Expected output (JSON, or text)"},
      {"metadata", "metadata", FieldKind::kv, "A metadata member"},
      {"metric", "metrics", FieldKind::kv, "A metrics member, e.g. cost=0.01"},
  };
  return *f;
}

const std::vector<FieldFlag>& run_fields() {
  static const auto* f = new std::vector<FieldFlag>{
      {"evaluator", "evaluator_ids", FieldKind::list, "Evaluator id"},
  };
  return *f;
}

const std::vector<FieldFlag>& import_fields() {
  static const auto* f = new std::vector<FieldFlag>{
      {"start", "start_time", FieldKind::text, "Start of the window (ISO 8601, required)"},
      {"end", "end_time", FieldKind::text, "End of the window (ISO 8601, required)"},
      {"sampling", "sampling_percentage", FieldKind::integer, "Percent (1-100) to import"},
  };
  return *f;
}

const std::vector<FieldFlag>& export_fields() {
  static const auto* f = new std::vector<FieldFlag>{
      {"format", "export_format", FieldKind::text, "File format: .csv or .jsonl", ".csv .jsonl"},
      {"name", "name", FieldKind::text, "Export file name"},
  };
  return *f;
}

const std::vector<FieldFlag>& remove_fields() {
  static const auto* f = new std::vector<FieldFlag>{
      {"all", "is_deleting_all_logs", FieldKind::flag, "Remove every log of the dataset"},
  };
  return *f;
}

OptionSpec dataset_option() {
  return {"dataset", "ID", "The dataset (required; _saved_logs for the saved logs)",
          false,     'd',  ""};
}

DatasetLogsResource dataset_logs(Context& c) {
  auto id = c.args.get("dataset");
  if (!id) throw UsageError{"--dataset ID is required"};
  return c.client().dataset_logs(*id);
}

std::vector<OptionSpec> with_dataset(std::vector<OptionSpec> o) {
  o.insert(o.begin(), dataset_option());
  return o;
}

}  // namespace

std::vector<CommandSpec> dataset_commands() {
  std::vector<CommandSpec> out;
  out.push_back({{"datasets", "create"},
                 "Create a dataset (POST /api/datasets/)",
                 "",
                 0,
                 0,
                 join(body_options("dataset"), field_options(dataset_fields())),
                 "From request logs (--start/--end, and initial_log_filters in the JSON), empty\n"
                 "(--empty), or a copy of another (--copy-of ID).",
                 true,
                 [](Context& c, const Args&) {
                   const Dataset d =
                       decode_body<Dataset>(gather_body(c, dataset_fields()), "Dataset");
                   return print_result(c, c.client().datasets().create(d));
                 }});
  out.push_back({{"datasets", "list"},
                 "List datasets (POST /api/datasets/list/) as JSON lines",
                 "",
                 0,
                 0,
                 query_options("fps"),
                 "",
                 true,
                 [](Context& c, const Args&) {
                   const Query q = gather_query(c, "fps");
                   DatasetListQuery dq;
                   dq.filters = q.filters;
                   dq.page = q.page;
                   dq.page_size = q.page_size;
                   dq.sort_by = q.sort_by;
                   auto ds = c.client().datasets();
                   return list_rows(
                       c, q, [&] { return ds.list(dq); }, [&] { return ds.list_all(dq); });
                 }});
  out.push_back({{"datasets", "get"},
                 "Show a dataset (GET /api/datasets/{id}/)",
                 "ID",
                 1,
                 1,
                 {},
                 "",
                 true,
                 [](Context& c, const Args& a) {
                   return print_result(c, c.client().datasets().retrieve(a.positionals[0]));
                 }});
  out.push_back({{"datasets", "update"},
                 "Rename or re-describe a dataset (PATCH /api/datasets/{id}/)",
                 "ID",
                 1,
                 1,
                 join(body_options("update"), field_options(dataset_update_fields())),
                 "",
                 true,
                 [](Context& c, const Args& a) {
                   const Json body = gather_body(c, dataset_update_fields());
                   if (body.empty()) throw UsageError{"nothing to update"};
                   return print_result(
                       c, c.client().datasets().update(
                              a.positionals[0], decode_body<DatasetUpdate>(body, "DatasetUpdate")));
                 }});
  out.push_back({{"datasets", "delete"},
                 "Delete a dataset and its logs (DELETE /api/datasets/{id}/)",
                 "ID",
                 1,
                 1,
                 {},
                 "",
                 true,
                 [](Context& c, const Args& a) {
                   return print_done(c, c.client().datasets().remove(a.positionals[0]),
                                     Json{{"deleted", true}, {"id", a.positionals[0]}});
                 }});
  out.push_back(
      {{"datasets", "run-evaluators"},
       "Run evaluators on every log of a dataset (POST /api/datasets/{id}/eval-reports/create/)",
       "ID",
       1,
       1,
       join(body_options("request"), field_options(run_fields())),
       "",
       true,
       [](Context& c, const Args& a) {
         const auto req = decode_body<RunEvaluatorsRequest>(gather_body(c, run_fields()),
                                                            "RunEvaluatorsRequest");
         return print_result(c, c.client().datasets().run_evaluators(a.positionals[0], req));
       }});
  out.push_back({{"datasets", "eval-runs"},
                 "List a dataset's evaluation runs (GET /api/datasets/{id}/eval-reports/list/)",
                 "ID",
                 1,
                 1,
                 query_options("p"),
                 "",
                 true,
                 [](Context& c, const Args& a) {
                   const Query q = gather_query(c, "p");
                   EvalRunListQuery eq;
                   eq.page = q.page;
                   eq.page_size = q.page_size;
                   auto ds = c.client().datasets();
                   const std::string id = a.positionals[0];
                   return list_rows(
                       c, q, [&] { return ds.list_eval_runs(id, eq); },
                       [&] { return ds.list_all_eval_runs(id, eq); });
                 }});

  // ------------------------------------------------------------- dataset-logs
  out.push_back({{"dataset-logs", "create"},
                 "Add a log to a dataset (POST /api/datasets/{id}/logs/)",
                 "",
                 0,
                 0,
                 with_dataset(join(body_options("log"), field_options(dataset_log_fields()))),
                 "Example:\n  respan dataset-logs create -d DATASET --input '{\"q\": \"Where is my "
                 "order?\"}' \\\n"
                 "      --expected-output 'It ships on Monday.'",
                 true,
                 [](Context& c, const Args&) {
                   const auto log =
                       decode_body<DatasetLog>(gather_body(c, dataset_log_fields()), "DatasetLog");
                   return print_result(c, dataset_logs(c).create(log));
                 }});
  out.push_back({{"dataset-logs", "list"},
                 "List a dataset's logs (POST /api/datasets/{id}/logs/list/) as JSON lines",
                 "",
                 0,
                 0,
                 with_dataset(query_options("fpsi")),
                 "",
                 true,
                 [](Context& c, const Args&) {
                   const Query q = gather_query(c, "fpsi");
                   DatasetLogListQuery lq;
                   lq.filters = q.filters;
                   lq.page = q.page;
                   lq.page_size = q.page_size;
                   lq.sort_by = q.sort_by;
                   lq.include_fields = q.include_fields;
                   auto logs = dataset_logs(c);
                   return list_rows(
                       c, q, [&] { return logs.list(lq); }, [&] { return logs.list_all(lq); });
                 }});
  out.push_back({{"dataset-logs", "get"},
                 "Show a dataset log (GET /api/datasets/{id}/logs/{log}/)",
                 "LOG_ID",
                 1,
                 1,
                 {dataset_option()},
                 "",
                 true,
                 [](Context& c, const Args& a) {
                   return print_result(c, dataset_logs(c).retrieve(a.positionals[0]));
                 }});
  for (const bool replace : {false, true}) {
    out.push_back({{"dataset-logs", replace ? "replace" : "update"},
                   replace
                       ? "Replace a dataset log; unset fields are removed (PUT "
                         "/api/datasets/{id}/logs/{log}/)"
                       : "Change fields of a dataset log (PATCH /api/datasets/{id}/logs/{log}/)",
                   "LOG_ID",
                   1,
                   1,
                   with_dataset(join(body_options("fields"), field_options(dataset_log_fields()))),
                   "",
                   true,
                   [replace](Context& c, const Args& a) {
                     const Json body = gather_body(c, dataset_log_fields());
                     if (body.empty() && !replace) throw UsageError{"nothing to update"};
                     const auto u = decode_body<DatasetLogUpdate>(body, "DatasetLogUpdate");
                     auto logs = dataset_logs(c);
                     return print_result(c, replace ? logs.replace(a.positionals[0], u)
                                                    : logs.update(a.positionals[0], u));
                   }});
  }
  out.push_back({{"dataset-logs", "delete"},
                 "Delete a dataset log (DELETE /api/datasets/{id}/logs/{log}/)",
                 "LOG_ID",
                 1,
                 1,
                 {dataset_option()},
                 "",
                 true,
                 [](Context& c, const Args& a) {
                   return print_done(c, dataset_logs(c).remove(a.positionals[0]),
                                     Json{{"deleted", true}, {"unique_id", a.positionals[0]}});
                 }});
  out.push_back(
      {{"dataset-logs", "import"},
       "Copy request logs of a time window into the dataset (POST /api/datasets/{id}/logs/import/)",
       "",
       0,
       0,
       with_dataset(
           join(join(body_options("request"), field_options(import_fields())), {filter_option()})),
       "Runs in the background on the server.\nExample:\n"
       "  respan dataset-logs import -d DATASET --start 2026-01-01T00:00:00Z \\\n"
       "      --end 2026-01-02T00:00:00Z --filter model=gpt-4o",
       true,
       [](Context& c, const Args& a) {
         Json body = gather_body(c, import_fields());
         apply_filter_flags(a, body, "filters");
         return print_result(c, dataset_logs(c).import_logs(
                                    decode_body<ImportLogsRequest>(body, "ImportLogsRequest")));
       }});
  out.push_back(
      {{"dataset-logs", "remove"},
       "Remove every log (--all) or the matching ones (DELETE /api/datasets/{id}/logs/import/)",
       "",
       0,
       0,
       with_dataset(
           join(join(body_options("request"), field_options(remove_fields())), {filter_option()})),
       "Runs in the background on the server.",
       true,
       [](Context& c, const Args& a) {
         Json body = gather_body(c, remove_fields());
         apply_filter_flags(a, body, "filters");
         return print_result(c, dataset_logs(c).remove_logs(
                                    decode_body<RemoveLogsRequest>(body, "RemoveLogsRequest")));
       }});
  out.push_back(
      {{"dataset-logs", "export"},
       "Start an export of the dataset's logs (POST /api/datasets/{id}/logs/list/, is_exporting)",
       "",
       0,
       0,
       with_dataset(
           join(join(body_options("request"), field_options(export_fields())), {filter_option()})),
       "",
       true,
       [](Context& c, const Args& a) {
         Json body = gather_body(c, export_fields());
         apply_filter_flags(a, body, "filters");
         return print_result(c, dataset_logs(c).export_logs(
                                    decode_body<ExportLogsRequest>(body, "ExportLogsRequest")));
       }});
  out.push_back({{"dataset-logs", "summary"},
                 "Aggregates over a dataset's logs (GET, or POST with filters, "
                 "/api/datasets/{id}/logs/summary/)",
                 "",
                 0,
                 0,
                 with_dataset(query_options("f")),
                 "",
                 true,
                 [](Context& c, const Args&) {
                   const Query q = gather_query(c, "f");
                   auto logs = dataset_logs(c);
                   return print_result(
                       c, q.filters.empty() ? logs.summary() : logs.summary(q.filters));
                 }});
  out.push_back(dataset_logs_upload_command());
  return out;
}

}  // namespace respan::cli
