#include "args.hpp"

#include <algorithm>
#include <set>
#include <sstream>

namespace respan::cli {

std::optional<std::string> Args::get(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> Args::all(const std::string& name) const {
  auto it = values.find(name);
  return it == values.end() ? std::vector<std::string>{} : it->second;
}

std::string command_name(const CommandSpec& c) {
  std::string out;
  for (const auto& w : c.words)
    out += (out.empty() ? "" : " ") + w;
  return out;
}

const std::vector<OptionSpec>& global_options() {
  static const auto* opts = new std::vector<OptionSpec>{
      {"base-url", "URL", "API root (default: $RESPAN_BASE_URL, else https://api.respan.ai)", false,
       '\0', ""},
      {"api-key", "KEY",
       "API key (default: $RESPAN_API_KEY; prefer the variable: arguments are visible to "
       "other local users)",
       false, '\0', ""},
      {"ca-bundle", "FILE", "PEM file of trusted CA certificates (default: $RESPAN_CA_BUNDLE)",
       false, '\0', "file"},
      {"timeout", "SECONDS", "Timeout of one HTTP attempt (default 60)", false, '\0', ""},
      {"retries", "N", "Retries of a failed call (default 2; uploads retry on their own)", false,
       '\0', ""},
      {"pretty", "", "Indent single JSON objects (lists stay one object per line)", false, '\0',
       ""},
  };
  return *opts;
}

namespace {

const OptionSpec* find_option(const std::vector<OptionSpec>& specs, const std::string& name,
                              char short_name) {
  for (const auto& o : specs) {
    if (short_name != '\0' ? o.short_name == short_name : o.name == name) return &o;
  }
  return nullptr;
}

bool is_prefix(const std::vector<std::string>& prefix, const std::vector<std::string>& words) {
  return prefix.size() <= words.size() && std::equal(prefix.begin(), prefix.end(), words.begin());
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words)
    out += (out.empty() ? "" : " ") + w;
  return out;
}

// The words that may follow `prefix` (subcommands of a group), in table order, once each.
std::vector<std::string> next_words(const std::vector<std::string>& prefix) {
  std::vector<std::string> out;
  for (const auto& c : commands()) {
    if (c.words.size() > prefix.size() && is_prefix(prefix, c.words)) {
      const std::string& w = c.words[prefix.size()];
      if (std::find(out.begin(), out.end(), w) == out.end()) out.push_back(w);
    }
  }
  return out;
}

}  // namespace

Parsed parse(const std::vector<std::string>& argv) {
  Parsed p;
  std::vector<std::string> words;
  bool only_positionals = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& tok = argv[i];
    if (p.args.command != nullptr && p.args.command->raw_args) {
      p.args.positionals.push_back(tok);
      continue;
    }
    const bool is_option = !only_positionals && tok.size() > 1 && tok[0] == '-';
    if (!is_option) {
      if (p.args.command != nullptr || only_positionals) {
        p.args.positionals.push_back(tok);
        continue;
      }
      words.push_back(tok);
      bool prefix_of_any = false;
      for (const auto& c : commands()) {
        if (c.words == words) p.args.command = &c;
        if (is_prefix(words, c.words)) prefix_of_any = true;
      }
      if (!prefix_of_any) {
        words.pop_back();
        if (words.empty()) throw UsageError{"unknown command '" + tok + "' (see respan --help)"};
        throw UsageError{"unknown command '" + tok + "' of 'respan " + join(words) +
                         "' (see respan " + join(words) + " --help)"};
      }
      continue;
    }
    if (tok == "--") {
      only_positionals = true;
      continue;
    }
    if (tok == "--help" || tok == "-h") {
      p.help = true;
      continue;
    }
    if (tok == "--version" && p.args.command == nullptr && words.empty()) {
      p.version = true;
      continue;
    }
    std::string name;
    char short_name = '\0';
    std::optional<std::string> inline_value;
    if (tok.rfind("--", 0) == 0) {
      name = tok.substr(2);
      if (auto eq = name.find('='); eq != std::string::npos) {
        inline_value = name.substr(eq + 1);
        name.resize(eq);
      }
    } else if (tok.size() == 2) {
      short_name = tok[1];
    } else {
      throw UsageError{"unknown option '" + tok + "'"};
    }
    const OptionSpec* spec = nullptr;
    if (p.args.command != nullptr) spec = find_option(p.args.command->options, name, short_name);
    if (spec == nullptr) spec = find_option(global_options(), name, short_name);
    if (spec == nullptr) {
      std::string where = p.args.command  ? " of 'respan " + command_name(*p.args.command) + "'"
                          : words.empty() ? ""
                                          : " (options of a command come after its name)";
      throw UsageError{"unknown option '" + tok + "'" + where};
    }
    std::string value;
    if (spec->value_name.empty()) {
      if (inline_value) throw UsageError{"--" + spec->name + " takes no value"};
    } else if (inline_value) {
      value = *inline_value;
    } else if (i + 1 < argv.size()) {
      value = argv[++i];
    } else {
      throw UsageError{"--" + spec->name + " needs a value (" + spec->value_name + ")"};
    }
    auto& slot = p.args.values[spec->name];
    if (!slot.empty() && !spec->repeatable) {
      throw UsageError{"--" + spec->name + " is given more than once"};
    }
    slot.push_back(std::move(value));
  }
  if (p.help || p.version) {
    if (p.args.command == nullptr) p.group = words;
    return p;
  }
  if (p.args.command == nullptr) {
    if (words.empty()) throw UsageError{"no command given (see respan --help)"};
    p.group = words;
    throw UsageError{"'respan " + join(words) + "' needs a command: " + join(next_words(words)) +
                     " (see respan " + join(words) + " --help)"};
  }
  const CommandSpec& c = *p.args.command;
  if (c.raw_args) return p;
  if (!c.needs_client) {
    for (const auto& [name, v] : p.args.values) {
      if (find_option(c.options, name, '\0') == nullptr) {
        throw UsageError{"--" + name + " is not an option of 'respan " + command_name(c) + "'"};
      }
    }
  }
  const std::size_t n = p.args.positionals.size();
  if (n < c.min_positionals || n > c.max_positionals) {
    std::string want = c.positionals.empty() ? "no arguments" : c.positionals;
    throw UsageError{"'respan " + command_name(c) + "' takes " + want + " (got " +
                     std::to_string(n) + " argument" + (n == 1 ? "" : "s") + ")"};
  }
  return p;
}

namespace {

void print_options(std::ostream& os, const std::vector<OptionSpec>& opts) {
  for (const auto& o : opts) {
    std::string left = "  ";
    left += o.short_name != '\0' ? std::string("-") + o.short_name + ", " : "    ";
    left += "--" + o.name;
    if (!o.value_name.empty()) left += " " + o.value_name;
    if (left.size() < 28) {
      left.resize(28, ' ');
    } else {
      left += "\n" + std::string(28, ' ');
    }
    os << left << o.help << (o.repeatable ? " (repeatable)" : "") << '\n';
  }
}

}  // namespace

void print_command_help(std::ostream& os, const CommandSpec& c) {
  os << "usage: respan " << command_name(c);
  if (!c.options.empty()) os << " [options]";
  if (!c.positionals.empty()) os << ' ' << c.positionals;
  os << "\n\n" << c.summary << "\n";
  if (!c.options.empty()) {
    os << "\nOptions:\n";
    print_options(os, c.options);
  }
  if (c.needs_client) {
    os << "\nGlobal options:\n";
    print_options(os, global_options());
  }
  os << "  -h, --help                Show this help\n";
  if (!c.details.empty()) os << '\n' << c.details << (c.details.back() == '\n' ? "" : "\n");
}

void print_overview(std::ostream& os, const std::vector<std::string>& group) {
  if (group.empty()) {
    os << "usage: respan [global options] COMMAND [options] [arguments]\n\n"
          "The command-line client of the Respan API (request logs, datasets, traces, scores,\n"
          "prompts, customers, threads), with JSON in and out.\n\nCommands:\n";
  } else {
    os << "usage: respan " << join(group) << " COMMAND [options] [arguments]\n\nCommands:\n";
  }
  for (const auto& c : commands()) {
    if (!is_prefix(group, c.words)) continue;
    std::string left = "  " + command_name(c);
    if (left.size() < 30) {
      left.resize(30, ' ');
    } else {
      left += "\n" + std::string(30, ' ');
    }
    os << left << c.summary << '\n';
  }
  if (group.empty()) {
    os << "\nGlobal options:\n";
    print_options(os, global_options());
    os << "  -h, --help                Show help (also after any command)\n"
          "      --version             Print the version\n"
          "\nEnvironment: RESPAN_API_KEY, RESPAN_BASE_URL, RESPAN_CA_BUNDLE. The API key is "
          "never\nprinted, not even in error messages.\n"
          "\nJSON in: -f FILE (- for stdin), --data JSON, or the flags of the common fields.\n"
          "JSON out: one object, or one object per line (JSONL) for lists, streamed page by "
          "page.\n"
          "\nExit status: 0 success, 1 API error (the API refused the call or could not be\n"
          "reached), 2 usage error (command line, unreadable or invalid input), 3 partial\n"
          "delivery (an upload delivered some of its lines but not all), 130 interrupted.\n"
          "\n'respan COMMAND --help' describes a command; 'respan completion bash' prints the\n"
          "bash completion script.\n";
  }
}

std::string bash_completion_script() {
  std::ostringstream s;
  std::set<std::string> valued;
  for (const auto& o : global_options()) {
    if (!o.value_name.empty()) valued.insert("--" + o.name);
  }
  for (const auto& c : commands()) {
    for (const auto& o : c.options) {
      if (!o.value_name.empty()) {
        valued.insert("--" + o.name);
        if (o.short_name != '\0') valued.insert(std::string("-") + o.short_name);
      }
    }
  }
  s << "# bash completion of respan (generated by 'respan completion bash').\n"
       "# Load it with:  source <(respan completion bash)\n"
       "# or install it as /usr/share/bash-completion/completions/respan.\n"
       "_respan() {\n"
       "  local cur prev cmd w i skip=0\n"
       "  COMPREPLY=()\n"
       "  cur=\"${COMP_WORDS[COMP_CWORD]}\"\n"
       "  prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
       "  cmd=\"\"\n"
       "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
       "    w=\"${COMP_WORDS[i]}\"\n"
       "    if ((skip)); then skip=0; continue; fi\n"
       "    case \"$w\" in\n"
       "      --*=*) ;;\n";
  s << "      ";
  bool first = true;
  for (const auto& v : valued) {
    s << (first ? "" : "|") << v;
    first = false;
  }
  s << ") skip=1 ;;\n"
       "      -*) ;;\n"
       "      *) cmd=\"${cmd:+$cmd }$w\" ;;\n"
       "    esac\n"
       "  done\n";
  // Values of options: files, or a fixed set of words.
  s << "  case \"$prev\" in\n";
  std::map<std::string, std::string> value_completion;
  auto add_value = [&](const OptionSpec& o) {
    if (o.value_name.empty()) return;
    std::string flags = "--" + o.name;
    if (o.short_name != '\0') flags += std::string("|-") + o.short_name;
    value_completion[flags] = o.complete;
  };
  for (const auto& o : global_options())
    add_value(o);
  for (const auto& c : commands()) {
    for (const auto& o : c.options)
      add_value(o);
  }
  for (const auto& [flags, how] : value_completion) {
    if (how == "file") {
      s << "    " << flags << ") COMPREPLY=($(compgen -f -- \"$cur\")); return 0 ;;\n";
    } else if (!how.empty()) {
      s << "    " << flags << ") COMPREPLY=($(compgen -W \"" << how
        << "\" -- \"$cur\")); return 0 ;;\n";
    } else {
      s << "    " << flags << ") return 0 ;;\n";
    }
  }
  s << "  esac\n";
  // Command words, then the options of the command reached.
  std::string globals;
  for (const auto& o : global_options())
    globals += " --" + o.name;
  s << "  case \"$cmd\" in\n";
  std::vector<std::vector<std::string>> prefixes{{}};
  for (const auto& c : commands()) {
    for (std::size_t n = 1; n < c.words.size(); ++n) {
      std::vector<std::string> pre(c.words.begin(), c.words.begin() + static_cast<long>(n));
      if (std::find(prefixes.begin(), prefixes.end(), pre) == prefixes.end()) {
        prefixes.push_back(pre);
      }
    }
  }
  for (const auto& pre : prefixes) {
    s << "    \"" << join(pre) << "\") COMPREPLY=($(compgen -W \"" << join(next_words(pre))
      << (pre.empty() ? " --help --version" + globals : std::string(" --help"))
      << "\" -- \"$cur\")) ;;\n";
  }
  for (const auto& c : commands()) {
    std::string opts = " --help";
    for (const auto& o : c.options)
      opts += " --" + o.name;
    if (c.needs_client) opts += globals;
    const bool files = c.positionals.find("FILE") != std::string::npos;
    s << "    \"" << command_name(c) << "\")\n"
      << "      if [[ \"$cur\" == -* ]]; then COMPREPLY=($(compgen -W \"" << opts.substr(1)
      << "\" -- \"$cur\"))";
    if (files) s << "; else COMPREPLY=($(compgen -f -- \"$cur\"))";
    s << "; fi ;;\n";
  }
  s << "  esac\n"
       "  return 0\n"
       "}\n"
       "complete -F _respan respan\n";
  return s.str();
}

}  // namespace respan::cli
