// The respan CLI's command table and argument parser.
//
// Every command is one CommandSpec (its words, e.g. {"logs", "list"}, its options, its
// positional arguments, its handler). The parser, `--help` of every command and the bash
// completion script are all made from the table, so they cannot disagree.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace respan::cli {

/// Exit statuses of the respan command (also in `respan --help` and docs/guides/cli.md).
enum ExitCode : int {
  kExitOk = 0,
  kExitApiError = 1,  ///< The API answered with an error, or could not be reached.
  kExitUsage = 2,     ///< Bad command line, unreadable input, invalid JSON input.
  kExitPartial = 3,   ///< An upload delivered some of its lines but not all of them.
  kExitInterrupted = 130,
};

/// One option of a command: `--name VALUE` (or `--name=VALUE`) when #value_name is set, a
/// flag otherwise.
struct OptionSpec {
  std::string name;           ///< Without the leading dashes.
  std::string value_name;     ///< "" for a flag.
  std::string help;           ///< One line.
  bool repeatable = false;    ///< May be given more than once (values accumulate).
  char short_name = '\0';     ///< e.g. 'f' for -f.
  std::string complete = "";  ///< Bash completion of the value: "file", or words.
};

struct Args;
struct Context;

/// One command: `respan <words...> [options] [positionals]`.
struct CommandSpec {
  std::vector<std::string> words;  ///< e.g. {"logs", "upload"}.
  std::string summary;             ///< One line for the command lists.
  std::string positionals;         ///< Usage text of the positional arguments, e.g. "ID".
  std::size_t min_positionals = 0;
  std::size_t max_positionals = 0;
  std::vector<OptionSpec> options;
  std::string details;  ///< Paragraphs after the option list in --help.
  bool needs_client = true;
  std::function<int(Context&, const Args&)> run;
  /// Every argument after the command's words is passed on unparsed in Args::positionals
  /// (`--help` included): the command parses its own arguments (mock-server).
  bool raw_args = false;
};

/// Parsed arguments of one command.
struct Args {
  const CommandSpec* command = nullptr;
  std::map<std::string, std::vector<std::string>> values;  ///< Options given, by name.
  std::vector<std::string> positionals;

  bool has(const std::string& name) const { return values.count(name) != 0; }
  /// The last value of an option, or nullopt.
  std::optional<std::string> get(const std::string& name) const;
  /// Every value of a repeatable option, in order.
  std::vector<std::string> all(const std::string& name) const;
};

/// A command-line error (exit status kExitUsage).
struct UsageError {
  std::string message;
};

/// The options every API command takes (connection and credentials).
const std::vector<OptionSpec>& global_options();

/// Every command, in help order.
const std::vector<CommandSpec>& commands();

/// Parses `argv[1..]`. Sets `help` when `--help`/`-h` was given (with the command found so far,
/// which may be none or a group). Throws UsageError.
struct Parsed {
  Args args;
  bool help = false;
  bool version = false;
  std::vector<std::string> group;  ///< Words given when they name a group, not a command.
};
Parsed parse(const std::vector<std::string>& argv);

/// `--help` of one command.
void print_command_help(std::ostream& os, const CommandSpec& c);
/// `respan --help` (group empty) or the commands of a group (`respan logs --help`).
void print_overview(std::ostream& os, const std::vector<std::string>& group);

/// The bash completion script (`respan completion bash`).
std::string bash_completion_script();

/// The command's words joined by spaces ("logs upload").
std::string command_name(const CommandSpec& c);

}  // namespace respan::cli
