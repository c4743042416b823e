/// @file prompt_template.hpp
/// @brief Local rendering of prompt templates: `{{variable}}` substitution in the messages of a
/// prompt version, with no network call.
///
/// The rule (one pass, left to right):
/// - A placeholder is `{{`, optional spaces or tabs, a name, optional spaces or tabs, `}}`.
///   A name starts with an ASCII letter or `_` and goes on with letters, digits, `_`, `-` or
///   `.`: `{{user_query}}`, `{{ user_query }}` and `{{\tuser_query }}` are the same variable.
/// - Anything else between braces is plain text and stays as written: single braces (JSON in
///   a prompt is safe), `{{}}`, `{{ two words }}`, `{{1st}}`, a placeholder split over lines.
///   In `{{{name}}}` the inner `{{name}}` is the placeholder and the outer braces stay.
/// - `\{{` writes a literal `{{` (the backslash is dropped and what follows is not a
///   placeholder): `\{{name}}` renders as `{{name}}`. Any other backslash is plain text.
/// - Every occurrence of a variable is replaced (a variable may repeat). A value is inserted
///   as is when it is a string, as its JSON text otherwise (numbers, booleans, objects,
///   arrays); the inserted text is not scanned again.
/// - A variable that is not given, or given as JSON `null`, is an error: the call fails with
///   ErrorCode::invalid_argument naming every missing variable (also one `field_errors` entry
///   per name). Nothing is ever replaced by an empty string silently: pass `""` for that.
/// - Variables that no placeholder uses are ignored.
/// - In messages only the text is rendered: a string `content` and the `text` of content parts
///   of type "text". Roles, names, tool calls and other parts are copied unchanged.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <respan/export.hpp>
#include <respan/json.hpp>
#include <respan/models/prompt.hpp>
#include <respan/models/request_log.hpp>
#include <respan/result.hpp>

namespace respan {

/// Renders one template text with `variables` (a JSON object name -> value, or null for none).
/// @code
/// auto text = respan::render_template("Hi {{ name }}!", {{"name", "Ada"}}).value();  // "Hi Ada!"
/// @endcode
RESPAN_EXPORT Result<std::string> render_template(std::string_view text, const Json& variables);

/// Renders the text of every message (see the file documentation); fails on the first message
/// with missing variables, naming all of the missing ones across the messages.
RESPAN_EXPORT Result<std::vector<Message>> render_messages(const std::vector<Message>& messages,
                                                           const Json& variables);

/// How render() treats the defaults a version declares (PromptVersionFields::variables).
struct RESPAN_EXPORT RenderOptions {
  /// When true, a variable the caller does not give takes the version's declared default
  /// (when that default is not null). Off by default: a missing variable is an error even
  /// when the version declares an (often empty) default.
  bool use_declared_defaults = false;
};

/// Renders a version's messages: render_messages() of `version.messages` (none:
/// ErrorCode::invalid_argument) with `variables`, plus the declared defaults if asked.
RESPAN_EXPORT Result<std::vector<Message>> render(const PromptVersionRecord& version,
                                                  const Json& variables,
                                                  const RenderOptions& options = {});

/// The distinct variable names a template uses, in order of first use.
RESPAN_EXPORT std::vector<std::string> template_variables(std::string_view text);

/// The distinct variable names the messages use, in order of first use.
RESPAN_EXPORT std::vector<std::string> template_variables(const std::vector<Message>& messages);

}  // namespace respan
