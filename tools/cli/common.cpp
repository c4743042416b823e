#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>

#include "cli.hpp"
#include "util/json_limits.hpp"

namespace respan::cli {

namespace {

// Largest JSON body read from a file or stdin (the API caps request bodies at 20 MB).
constexpr std::size_t kMaxBodyBytes = 64u * 1024u * 1024u;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

double parse_positive_seconds(const std::string& text, const std::string& what) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno != 0 || !std::isfinite(v) || v <= 0 || v > 86400) {
    throw UsageError{what + " must be a number of seconds between 0 and 86400, not '" + text + "'"};
  }
  return v;
}

std::string read_all(std::istream& in, const std::string& name) {
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxBodyBytes) {
      throw UsageError{name + " is larger than " + std::to_string(kMaxBodyBytes) + " bytes"};
    }
  }
  if (in.bad()) throw UsageError{"cannot read " + name};
  return text;
}

Json parse_input(const std::string& text, const std::string& name) {
  detail::BoundedJson parsed = detail::parse_json_bounded(text);
  if (parsed.status == detail::JsonParseStatus::too_deep) {
    throw UsageError{name + ": JSON nested deeper than " + std::to_string(detail::kMaxJsonDepth) +
                     " levels"};
  }
  if (parsed.status != detail::JsonParseStatus::ok) {
    throw UsageError{name + ": not valid JSON (" + json_syntax_error(text) + ")"};
  }
  return std::move(parsed.value);
}

// The object of -f / --data, or {} when neither is given.
Json input_object(Context& c) {
  const auto file = c.args.get("file");
  const auto data = c.args.get("data");
  if (file && data) throw UsageError{"give either --file or --data, not both"};
  Json value;
  if (data) {
    value = parse_input(*data, "--data");
  } else if (file) {
    if (*file == "-") {
      value = parse_input(read_all(c.in, "stdin"), "stdin");
    } else {
      std::ifstream f(*file, std::ios::binary);
      if (!f) throw UsageError{"cannot open " + *file};
      value = parse_input(read_all(f, *file), *file);
    }
  } else {
    return Json::object();
  }
  if (!value.is_object()) throw UsageError{"the JSON input must be an object"};
  return value;
}

Json integer_value(const std::string& text, const std::string& what) {
  return Json(parse_integer(text, what));
}

Json number_value(const std::string& text, const std::string& what) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno != 0 || !std::isfinite(v)) {
    throw UsageError{what + " must be a finite number, not '" + text + "'"};
  }
  return Json(v);
}

Json bool_value(const std::string& text, const std::string& what) {
  if (text == "true") return Json(true);
  if (text == "false") return Json(false);
  throw UsageError{what + " must be true or false, not '" + text + "'"};
}

// "24h", "30m", "90s", "7d" -> seconds.
std::int64_t parse_duration(const std::string& text) {
  if (text.size() < 2) throw UsageError{"--since needs a duration such as 30m, 24h or 7d"};
  const char unit = text.back();
  const std::int64_t n = parse_integer(text.substr(0, text.size() - 1), "--since");
  std::int64_t scale = 0;
  switch (unit) {
    case 's':
      scale = 1;
      break;
    case 'm':
      scale = 60;
      break;
    case 'h':
      scale = 3600;
      break;
    case 'd':
      scale = 86400;
      break;
    default:
      throw UsageError{"--since needs a duration such as 30m, 24h or 7d"};
  }
  if (n > 100LL * 365 * 86400 / scale) throw UsageError{"--since is too long"};
  return n * scale;
}

}  // namespace

std::int64_t parse_integer(const std::string& text, const std::string& what) {
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || v < 0) {
    throw UsageError{what + " must be a non-negative integer, not '" + text + "'"};
  }
  return static_cast<std::int64_t>(v);
}

std::string json_syntax_error(const std::string& text) {
  try {
    const Json lenient = Json::parse(text);  // accepted by nlohmann, refused by the strict
    return lenient.is_discarded() ? "invalid" : "not strict RFC 8259 JSON";  // parser
  } catch (const std::exception& e) {
    return e.what();
  }
}

Json auto_json(const std::string& text) {
  detail::BoundedJson parsed = detail::parse_json_bounded(text);
  if (parsed.status == detail::JsonParseStatus::ok) return std::move(parsed.value);
  return Json(text);
}

ClientOptions Context::client_options() const {
  ClientOptions o;
  o.api_key = args.get("api-key").value_or(env("RESPAN_API_KEY"));
  if (o.api_key.empty()) o.api_key = env("KEYWORDSAI_API_KEY");
  std::string base = args.get("base-url").value_or(env("RESPAN_BASE_URL"));
  if (base.empty()) base = env("KEYWORDSAI_BASE_URL");
  if (!base.empty()) o.base_url = base;
  o.ca_bundle = args.get("ca-bundle").value_or(env("RESPAN_CA_BUNDLE"));
  if (auto t = args.get("timeout")) {
    const double s = parse_positive_seconds(*t, "--timeout");
    o.request_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(s * 1000)));
    if (o.connect_timeout > o.request_timeout) o.connect_timeout = o.request_timeout;
  }
  if (auto r = args.get("retries")) {
    const std::int64_t n = parse_integer(*r, "--retries");
    if (n > 100) throw UsageError{"--retries must be at most 100"};
    o.retry.max_retries = static_cast<int>(n);
  }
  o.user_agent_suffix = "respan-cli";
  return o;
}

RespanClient& Context::client() {
  if (client_) return *client_;
  ClientOptions o = client_options();
  if (o.api_key.empty()) {
    throw UsageError{"no API key: set RESPAN_API_KEY (or give --api-key)"};
  }
  Result<RespanClient> made = RespanClient::create(std::move(o));
  // The error names the unusable option without repeating the key.
  if (!made) throw UsageError{made.error().message};
  client_.emplace(std::move(made).value());
  return *client_;
}

void Context::print(const Json& value) {
  const bool pretty = args.has("pretty");
  out << value.dump(pretty ? 2 : -1, ' ', false, Json::error_handler_t::replace) << '\n';
  out.flush();
}

void Context::print_line(const Json& value) {
  out << value.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
}

int Context::fail(const Error& e) {
  err << "respan: " << e.to_string() << '\n';
  for (const auto& [field, messages] : e.field_errors) {
    for (const auto& m : messages)
      err << "  " << field << ": " << m << '\n';
  }
  err.flush();
  return e.code == ErrorCode::invalid_argument ? kExitUsage : kExitApiError;
}

int print_done(Context& c, const Result<void>& r, Json what) {
  if (!r) return c.fail(r.error());
  c.print(what);
  return kExitOk;
}

std::vector<OptionSpec> body_options(const std::string& what) {
  return {
      {"file", "FILE", "Read the " + what + " (a JSON object) from FILE; - for stdin", false, 'f',
       "file"},
      {"data", "JSON", "The " + what + " as JSON text", false, '\0', ""},
  };
}

std::vector<OptionSpec> field_options(const std::vector<FieldFlag>& fields) {
  std::vector<OptionSpec> out;
  for (const auto& f : fields) {
    OptionSpec o;
    o.name = f.flag;
    o.help = f.help;
    o.complete = f.complete;
    switch (f.kind) {
      case FieldKind::text:
        o.value_name = "TEXT";
        break;
      case FieldKind::json:
        o.value_name = "VALUE";
        break;
      case FieldKind::integer:
        o.value_name = "N";
        break;
      case FieldKind::number:
        o.value_name = "X";
        break;
      case FieldKind::boolean:
        o.value_name = "BOOL";
        o.complete = "true false";
        break;
      case FieldKind::kv:
        o.value_name = "KEY=VALUE";
        o.repeatable = true;
        break;
      case FieldKind::list:
        o.value_name = "TEXT";
        o.repeatable = true;
        break;
      case FieldKind::flag:
        break;
    }
    out.push_back(std::move(o));
  }
  return out;
}

Json gather_body(Context& c, const std::vector<FieldFlag>& fields) {
  Json body = input_object(c);
  for (const auto& f : fields) {
    const auto values = c.args.all(f.flag);
    if (values.empty()) continue;
    const std::string what = "--" + f.flag;
    switch (f.kind) {
      case FieldKind::text:
        body[f.key] = values.back();
        break;
      case FieldKind::json:
        body[f.key] = auto_json(values.back());
        break;
      case FieldKind::integer:
        body[f.key] = integer_value(values.back(), what);
        break;
      case FieldKind::number:
        body[f.key] = number_value(values.back(), what);
        break;
      case FieldKind::boolean:
        body[f.key] = bool_value(values.back(), what);
        break;
      case FieldKind::flag:
        body[f.key] = true;
        break;
      case FieldKind::kv: {
        Json& obj = body[f.key];
        if (!obj.is_object()) obj = Json::object();
        for (const auto& v : values) {
          const auto eq = v.find('=');
          if (eq == std::string::npos || eq == 0) {
            throw UsageError{what + " needs KEY=VALUE, not '" + v + "'"};
          }
          obj[v.substr(0, eq)] = auto_json(v.substr(eq + 1));
        }
        break;
      }
      case FieldKind::list: {
        Json& arr = body[f.key];
        if (!arr.is_array()) arr = Json::array();
        for (const auto& v : values)
          arr.push_back(v);
        break;
      }
    }
  }
  return body;
}

OptionSpec filter_option() {
  return {"filter",
          "FIELD[:OP]=VALUE",
          "A filter condition: OP is one of equals (the default), not, iexact, lt, lte, gt, gte, "
          "contains, icontains, startswith, endswith, in, isnull; VALUE is JSON when it parses "
          "as JSON, else text",
          true,
          '\0',
          ""};
}

std::vector<OptionSpec> query_options(const std::string& which) {
  std::vector<OptionSpec> o = body_options("query");
  o[0].help =
      "Read the query from FILE (- for stdin): a JSON object of filters, page, page_size, "
      "sort_by, start_time, end_time, environment, ... (flags override it)";
  o[1].help = "The query as JSON text";
  auto has = [&](char k) { return which.find(k) != std::string::npos; };
  if (has('f')) o.push_back(filter_option());
  if (has('p')) {
    o.push_back({"page", "N", "Fetch only page N (1-based)", false, '\0', ""});
    o.push_back({"page-size", "N", "Rows per page", false, '\0', ""});
    o.push_back({"limit", "N", "Stop after N rows", false, '\0', ""});
  }
  if (has('s')) o.push_back({"sort", "FIELD", "Sort order, e.g. -timestamp", false, '\0', ""});
  if (has('t')) {
    o.push_back({"start", "TIME", "Start of the time window (ISO 8601)", false, '\0', ""});
    o.push_back({"end", "TIME", "End of the time window (ISO 8601; default now)", false, '\0', ""});
    o.push_back({"since", "DURATION",
                 "Start of the window relative to now: 30m, 24h, 7d (the API's default window "
                 "is the last hour)",
                 false, '\0', ""});
  }
  if (has('e')) {
    o.push_back({"environment", "ENV", "Environment, e.g. prod or test", false, '\0', "prod test"});
  }
  if (has('i')) {
    o.push_back({"include-field", "FIELD", "Return only these fields per row", true, '\0', ""});
  }
  if (has('l')) o.push_back({"log-type", "TYPE", "Log type, e.g. chat", false, '\0', ""});
  return o;
}

namespace {

FilterOperator filter_operator(const std::string& op) {
  static const std::pair<const char*, FilterOperator> ops[] = {
      {"equals", FilterOperator::equals},
      {"", FilterOperator::equals},
      {"not", FilterOperator::not_equal},
      {"iexact", FilterOperator::iexact},
      {"lt", FilterOperator::lt},
      {"lte", FilterOperator::lte},
      {"gt", FilterOperator::gt},
      {"gte", FilterOperator::gte},
      {"contains", FilterOperator::contains},
      {"icontains", FilterOperator::icontains},
      {"startswith", FilterOperator::startswith},
      {"endswith", FilterOperator::endswith},
      {"in", FilterOperator::in},
      {"isnull", FilterOperator::isnull},
  };
  for (const auto& [name, value] : ops) {
    if (op == name) return value;
  }
  throw UsageError{"--filter: unknown operator '" + op + "'"};
}

std::optional<std::int64_t> json_integer(const Json& v, const char* key) {
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() &&
        v.get<std::uint64_t>() >
            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      throw UsageError{std::string("query: ") + key + " is out of range"};
    }
    return v.get<std::int64_t>();
  }
  throw UsageError{std::string("query: ") + key + " must be an integer"};
}

std::string json_text(const Json& v, const char* key) {
  if (!v.is_string()) throw UsageError{std::string("query: ") + key + " must be a string"};
  return v.get<std::string>();
}

}  // namespace

Filters filter_flags(const Args& args) {
  Filters out;
  for (const auto& f : args.all("filter")) {
    const auto eq = f.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw UsageError{"--filter needs FIELD[:OP]=VALUE, not '" + f + "'"};
    }
    std::string field = f.substr(0, eq);
    std::string op;
    if (const auto colon = field.rfind(':'); colon != std::string::npos) {
      op = field.substr(colon + 1);
      field.resize(colon);
    }
    if (field.empty()) throw UsageError{"--filter needs a field name: '" + f + "'"};
    const FilterOperator fop = filter_operator(op);
    Json value = auto_json(f.substr(eq + 1));
    if (fop == FilterOperator::isnull && !value.is_boolean()) {
      throw UsageError{"--filter " + field + ":isnull takes true or false"};
    }
    out.where(field, fop, std::move(value));
  }
  return out;
}

void merge_filters(Filters& into, const Filters& from) {
  const Json& map = from.to_json();
  for (auto it = map.begin(); it != map.end(); ++it) {
    into.where_raw(it.key(), it.value().value("operator", std::string()),
                   it.value().value("value", Json::array()));
  }
}

void apply_filter_flags(const Args& args, Json& body, const std::string& key) {
  const Filters flags = filter_flags(args);
  if (flags.empty()) return;
  Filters merged;
  if (auto it = body.find(key); it != body.end()) {
    if (!it->is_object()) throw UsageError{key + " must be an object"};
    merged = Filters::from_json(*it);
  }
  merge_filters(merged, flags);
  body[key] = merged.to_json();
}

Query gather_query(Context& c, const std::string& which) {
  Query q;
  const Json in = input_object(c);
  auto has = [&](char k) { return which.find(k) != std::string::npos; };
  for (auto it = in.begin(); it != in.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (k == "filters" && has('f')) {
      if (!v.is_object()) throw UsageError{"query: filters must be an object"};
      q.filters = Filters::from_json(v);
    } else if (k == "page" && has('p')) {
      q.page = json_integer(v, "page");
    } else if (k == "page_size" && has('p')) {
      q.page_size = json_integer(v, "page_size");
    } else if (k == "sort_by" && has('s')) {
      q.sort_by = json_text(v, "sort_by");
    } else if (k == "start_time" && has('t')) {
      q.start_time = Timestamp(json_text(v, "start_time"));
    } else if (k == "end_time" && has('t')) {
      q.end_time = Timestamp(json_text(v, "end_time"));
    } else if (k == "environment" && has('e')) {
      q.environment = json_text(v, "environment");
    } else if (k == "log_type" && has('l')) {
      q.log_type = json_text(v, "log_type");
    } else if (k == "include_fields" && has('i')) {
      if (!v.is_array()) throw UsageError{"query: include_fields must be an array of strings"};
      for (const auto& f : v)
        q.include_fields.push_back(json_text(f, "include_fields"));
    } else {
      throw UsageError{"query: '" + k + "' is not a member of this command's query"};
    }
  }
  merge_filters(q.filters, filter_flags(c.args));
  if (auto v = c.args.get("page")) q.page = parse_integer(*v, "--page");
  if (auto v = c.args.get("page-size")) q.page_size = parse_integer(*v, "--page-size");
  if (auto v = c.args.get("limit"))
    q.limit = static_cast<std::uint64_t>(parse_integer(*v, "--limit"));
  if (auto v = c.args.get("sort")) q.sort_by = *v;
  if (auto v = c.args.get("start")) q.start_time = Timestamp(*v);
  if (auto v = c.args.get("end")) q.end_time = Timestamp(*v);
  if (auto v = c.args.get("since")) {
    if (c.args.has("start")) throw UsageError{"give either --start or --since, not both"};
    q.start_time =
        Timestamp(std::chrono::system_clock::now() - std::chrono::seconds(parse_duration(*v)));
  }
  if (auto v = c.args.get("environment")) q.environment = *v;
  if (c.args.has("include-field")) q.include_fields = c.args.all("include-field");
  if (auto v = c.args.get("log-type")) q.log_type = *v;
  for (const auto* t : {&q.start_time, &q.end_time}) {
    if (*t && !(*t)->valid()) throw UsageError{"not an ISO 8601 time: '" + (*t)->str() + "'"};
  }
  return q;
}

}  // namespace respan::cli
