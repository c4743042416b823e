#include <algorithm>
#include <optional>

#include <respan/prompt_template.hpp>

namespace respan {

namespace {

bool name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool name_char(char c) {
  return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}
bool blank(char c) {
  return c == ' ' || c == '\t';
}

// A placeholder starting at text[i] (which holds "{{"): its name and the index just past its
// closing "}}", or nullopt when the braces do not form one.
std::optional<std::pair<std::string_view, std::size_t>> placeholder_at(std::string_view text,
                                                                       std::size_t i) {
  std::size_t p = i + 2;
  while (p < text.size() && blank(text[p]))
    ++p;
  const std::size_t name_begin = p;
  if (p >= text.size() || !name_start(text[p])) return std::nullopt;
  while (p < text.size() && name_char(text[p]))
    ++p;
  const std::size_t name_end = p;
  while (p < text.size() && blank(text[p]))
    ++p;
  if (p + 1 >= text.size() || text[p] != '}' || text[p + 1] != '}') return std::nullopt;
  return std::make_pair(text.substr(name_begin, name_end - name_begin), p + 2);
}

// Walks `text`, calling on_text(literal) and on_var(name) in order.
template <class OnText, class OnVar>
void scan(std::string_view text, OnText on_text, OnVar on_var) {
  std::size_t i = 0;
  std::size_t literal = 0;  // start of the pending literal run
  while (i < text.size()) {
    if (text[i] == '\\' && text.compare(i + 1, 2, "{{") == 0) {
      on_text(text.substr(literal, i - literal));
      on_text("{{");
      i += 3;
      literal = i;
      continue;
    }
    if (text[i] == '{' && i + 1 < text.size() && text[i + 1] == '{') {
      if (auto ph = placeholder_at(text, i)) {
        on_text(text.substr(literal, i - literal));
        on_var(ph->first);
        i = ph->second;
        literal = i;
        continue;
      }
    }
    ++i;
  }
  on_text(text.substr(literal));
}

void add_unique(std::vector<std::string>& names, std::string_view name) {
  if (std::find(names.begin(), names.end(), name) == names.end()) names.emplace_back(name);
}

// The text a value is inserted as; nullopt when the variable counts as missing.
std::optional<std::string> value_text(const Json& variables, std::string_view name) {
  if (!variables.is_object()) return std::nullopt;
  const auto it = variables.find(std::string(name));
  if (it == variables.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  return it->dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Renders `text`; missing names are appended to `missing` (then the output is incomplete).
std::string render_into(std::string_view text, const Json& variables,
                        std::vector<std::string>& missing) {
  std::string out;
  out.reserve(text.size());
  scan(
      text, [&](std::string_view literal) { out.append(literal.data(), literal.size()); },
      [&](std::string_view name) {
        if (auto v = value_text(variables, name)) {
          out += *v;
        } else {
          add_unique(missing, name);
        }
      });
  return out;
}

std::optional<Error> check_variables(const Json& variables) {
  if (variables.is_null() || variables.is_object()) return std::nullopt;
  return Error::make(ErrorCode::invalid_argument,
                     "prompt variables must be a JSON object (name -> value)");
}

Error missing_error(const std::vector<std::string>& missing) {
  std::string names;
  for (const auto& n : missing) {
    if (!names.empty()) names += ", ";
    names += n;
  }
  Error e = Error::make(ErrorCode::invalid_argument,
                        "prompt variable" + std::string(missing.size() == 1 ? "" : "s") +
                            " not given (or null): " + names);
  for (const auto& n : missing)
    e.field_errors[n].push_back("not given");
  return e;
}

}  // namespace

Result<std::string> render_template(std::string_view text, const Json& variables) {
  if (auto bad = check_variables(variables)) return *bad;
  std::vector<std::string> missing;
  std::string out = render_into(text, variables, missing);
  if (!missing.empty()) return missing_error(missing);
  return out;
}

Result<std::vector<Message>> render_messages(const std::vector<Message>& messages,
                                             const Json& variables) {
  if (auto bad = check_variables(variables)) return *bad;
  std::vector<std::string> missing;
  std::vector<Message> out = messages;
  for (Message& m : out) {
    if (!m.content) continue;
    if (auto* text = std::get_if<std::string>(&*m.content)) {
      *text = render_into(*text, variables, missing);
    } else if (auto* parts = std::get_if<std::vector<ContentPart>>(&*m.content)) {
      for (ContentPart& part : *parts) {
        if (part.type == "text" && part.text)
          part.text = render_into(*part.text, variables, missing);
      }
    }
  }
  if (!missing.empty()) return missing_error(missing);
  return out;
}

Result<std::vector<Message>> render(const PromptVersionRecord& version, const Json& variables,
                                    const RenderOptions& options) {
  if (auto bad = check_variables(variables)) return *bad;
  if (!version.messages) {
    return Error::make(ErrorCode::invalid_argument, "the prompt version has no messages to render");
  }
  if (!options.use_declared_defaults || !version.variables || !version.variables->is_object()) {
    return render_messages(*version.messages, variables);
  }
  Json merged = variables.is_object() ? variables : Json::object();
  for (auto it = version.variables->begin(); it != version.variables->end(); ++it) {
    const auto given = merged.find(it.key());
    if ((given == merged.end() || given->is_null()) && !it.value().is_null()) {
      merged[it.key()] = it.value();
    }
  }
  return render_messages(*version.messages, merged);
}

std::vector<std::string> template_variables(std::string_view text) {
  std::vector<std::string> names;
  scan(
      text, [](std::string_view) {}, [&](std::string_view name) { add_unique(names, name); });
  return names;
}

std::vector<std::string> template_variables(const std::vector<Message>& messages) {
  std::vector<std::string> names;
  for (const Message& m : messages) {
    if (!m.content) continue;
    std::vector<std::string_view> texts;
    if (const auto* text = std::get_if<std::string>(&*m.content)) {
      texts.emplace_back(*text);
    } else if (const auto* parts = std::get_if<std::vector<ContentPart>>(&*m.content)) {
      for (const ContentPart& part : *parts) {
        if (part.type == "text" && part.text) texts.emplace_back(*part.text);
      }
    }
    for (std::string_view t : texts) {
      for (auto& n : template_variables(t))
        add_unique(names, n);
    }
  }
  return names;
}

}  // namespace respan
