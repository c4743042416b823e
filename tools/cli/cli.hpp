// Shared pieces of the respan CLI's commands: the context a command runs in (streams, the
// client), JSON input (files, stdin, --data, field flags) and output (one object, or JSON lines
// streamed page by page), and the exit statuses.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <respan/respan.hpp>

#include "args.hpp"

namespace respan::cli {

/// Where a command runs: its streams and, built on first use, the API client.
struct Context {
  Context(std::istream& in_, std::ostream& out_, std::ostream& err_, const Args& args_)
      : in(in_), out(out_), err(err_), args(args_) {}

  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  const Args& args;

  /// The client, made from --base-url / --api-key / --ca-bundle / --timeout / --retries and
  /// the RESPAN_* variables. Throws UsageError when no key is configured or an option is
  /// unusable.
  RespanClient& client();
  /// The ClientOptions client() uses (the same validation, without building the client).
  ClientOptions client_options() const;

  /// Writes one JSON value (indented with --pretty) and a newline.
  void print(const Json& value);
  /// Writes one JSON value on one line (JSON lines).
  void print_line(const Json& value);

  /// Reports a failed call on stderr ("respan: <error>") and returns kExitApiError, or
  /// kExitUsage for an error the SDK raised before sending (ErrorCode::invalid_argument).
  int fail(const Error& e);

 private:
  std::optional<RespanClient> client_;
};

/// How the value of a field flag becomes JSON.
enum class FieldKind {
  text,     ///< The text as a JSON string.
  json,     ///< JSON when the text parses as JSON, else the text as a string.
  integer,  ///< A decimal integer.
  number,   ///< A finite number.
  boolean,  ///< true / false.
  kv,       ///< KEY=VALUE (repeatable): member KEY of an object, VALUE as for json.
  list,     ///< Repeatable: each value appended to an array of strings.
  flag,     ///< No value: sets the member to `true`.
};

/// A flag that sets one member of a command's JSON body (`--model gpt-4o` -> "model").
struct FieldFlag {
  std::string flag;
  std::string key;
  FieldKind kind;
  std::string help;
  std::string complete = "";
};

/// The options of field flags, to put in a CommandSpec.
std::vector<OptionSpec> field_options(const std::vector<FieldFlag>& fields);

/// `a` followed by `b` (option lists of a command).
inline std::vector<OptionSpec> join(std::vector<OptionSpec> a, const std::vector<OptionSpec>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

/// `-f/--file` and `--data`, the JSON-input options of a body.
std::vector<OptionSpec> body_options(const std::string& what);

/// The JSON body of a command: the object read from -f FILE (- = stdin) or --data, or `{}`,
/// with the field flags applied on top. Throws UsageError (unreadable file, invalid JSON,
/// not an object, a bad flag value).
Json gather_body(Context& c, const std::vector<FieldFlag>& fields);

/// nlohmann's description of why `text` is not valid JSON (where it fails), for messages.
std::string json_syntax_error(const std::string& text);

/// Parses flag text as JSON if it is JSON, else keeps it as a string.
Json auto_json(const std::string& text);

/// Decodes a body into a write model (its from_json); a value of the wrong type for a field
/// is kept in the model's `extra` and sent as given, for the API to judge.
template <class T>
T decode_body(const Json& body, const char* type_name) {
  try {
    return body.get<T>();
  } catch (const std::exception& e) {
    throw UsageError{std::string(type_name) + ": " + e.what()};
  }
}

/// Options of list queries. `which` selects the flags a command has (a string of letters:
/// f filters, p paging, s sort, t time window, e environment, i include fields, l log type).
std::vector<OptionSpec> query_options(const std::string& which);

/// The common members of a list query, from -f/--data (a JSON object with the keys
/// `filters`, `page`, `page_size`, `sort_by`, `start_time`, `end_time`, `environment`,
/// `include_fields`, `log_type`) and the query flags on top.
struct Query {
  Filters filters;
  std::optional<std::int64_t> page;
  std::optional<std::int64_t> page_size;
  std::optional<std::string> sort_by;
  std::optional<Timestamp> start_time;
  std::optional<Timestamp> end_time;
  std::optional<std::string> environment;
  std::vector<std::string> include_fields;
  std::optional<std::string> log_type;
  std::optional<std::uint64_t> limit;  ///< --limit: stop after this many rows.
};
/// The conditions of the --filter flags (FIELD[:OP]=VALUE).
Filters filter_flags(const Args& args);
/// Adds every condition of `from` to `into` (replacing a condition on the same field).
void merge_filters(Filters& into, const Filters& from);
/// Adds the --filter conditions to the filter map `body[key]` (created when absent).
void apply_filter_flags(const Args& args, Json& body, const std::string& key);
/// The --filter option, for commands whose body holds filters.
OptionSpec filter_option();

/// Reads a Query; keys outside `which` (as in query_options) are refused.
Query gather_query(Context& c, const std::string& which);

/// Prints the value of a call, or reports its error.
template <class T>
int print_result(Context& c, const Result<T>& r) {
  if (!r) return c.fail(r.error());
  c.print(Json(*r));
  return kExitOk;
}

/// Prints `{"deleted": true, ...what}` for a call that returns nothing, or reports its error.
int print_done(Context& c, const Result<void>& r, Json what);

/// Streams every row of a range as JSON lines (flushed after each page), at most `limit`.
/// A row that does not decode is reported on stderr and skipped; a failed page fetch ends the
/// range with its error (the rows printed before it stay printed).
template <class T>
int print_rows(Context& c, PageRange<T> range, std::optional<std::uint64_t> limit) {
  std::uint64_t printed = 0;
  std::int64_t page = range.pages_fetched();
  if (limit && *limit == 0) return kExitOk;
  for (auto& row : range) {
    if (range.pages_fetched() != page) {
      page = range.pages_fetched();
      c.out.flush();
    }
    if (!row) {
      if (row.error().code == ErrorCode::decode && row.error().http_status == 0) {
        c.err << "respan: skipped a row: " << row.error().message << '\n';
        continue;
      }
      return c.fail(row.error());
    }
    c.print_line(Json(*row));
    if (limit && ++printed >= *limit) break;
  }
  c.out.flush();
  return kExitOk;
}

/// Prints the rows of one page (--page) as JSON lines; undecodable rows are reported on stderr.
template <class T>
int print_page(Context& c, const Result<Page<T>>& page, std::optional<std::uint64_t> limit) {
  if (!page) return c.fail(page.error());
  for (const auto& bad : page->row_errors) {
    c.err << "respan: skipped row " << bad.index << ": " << bad.error << '\n';
  }
  std::uint64_t printed = 0;
  for (const auto& row : page->results) {
    if (limit && printed++ >= *limit) break;
    c.print_line(Json(row));
  }
  c.out.flush();
  return kExitOk;
}

/// A list command: one page when --page is given, else every page, streamed.
template <class OnePage, class AllPages>
int list_rows(Context& c, const Query& q, OnePage one_page, AllPages all_pages) {
  if (q.page) return print_page(c, one_page(), q.limit);
  return print_rows(c, all_pages(), q.limit);
}

/// A positive integer argument (a prompt version number, ...); throws UsageError.
std::int64_t parse_integer(const std::string& text, const std::string& what);

/// The command tables of each family (commands.cpp joins them).
std::vector<CommandSpec> request_log_commands();
std::vector<CommandSpec> dataset_commands();
std::vector<CommandSpec> trace_commands();
std::vector<CommandSpec> runtime_commands();  // scores, prompts, customers, threads
CommandSpec logs_upload_command();            // upload.cpp
CommandSpec dataset_logs_upload_command();    // upload.cpp
std::vector<CommandSpec> tool_commands();     // mock-server, completion

}  // namespace respan::cli
