// The adapters' shared reader (adapter_util.hpp) and parse_body() / error_body().
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <iterator>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <respan/adapters/common.hpp>
#include <respan/error.hpp>
#include <respan/models/common.hpp>

#include "adapters/adapter_util.hpp"
#include "util/json_limits.hpp"
#include "util/text.hpp"

namespace respan::adapters {

Result<Json> parse_body(std::string_view body) {
  ::respan::detail::BoundedJson parsed = ::respan::detail::parse_json_bounded(body);
  switch (parsed.status) {
    case ::respan::detail::JsonParseStatus::ok:
      return std::move(parsed.value);
    case ::respan::detail::JsonParseStatus::too_deep:
      return Error::make(ErrorCode::decode, "provider body nests JSON deeper than " +
                                                std::to_string(::respan::detail::kMaxJsonDepth) +
                                                " levels");
    case ::respan::detail::JsonParseStatus::invalid:
      break;
  }
  return Error::make(ErrorCode::decode,
                     "provider body is not valid JSON (" + std::to_string(body.size()) + " bytes)");
}

Json error_body(std::string_view body) {
  ::respan::detail::BoundedJson parsed = ::respan::detail::parse_json_bounded(body);
  if (parsed.status == ::respan::detail::JsonParseStatus::ok) return std::move(parsed.value);
  // Not JSON: the text, valid UTF-8 (invalid bytes become U+FFFD), capped.
  std::string text;
  const std::string_view cut = body.substr(0, detail::kMaxErrorMessageBytes);
  text.reserve(cut.size());
  for (std::size_t i = 0; i < cut.size();) {
    const auto c = static_cast<unsigned char>(cut[i]);
    if (c < 0x80) {
      text.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    const std::size_t n = ::respan::detail::utf8_sequence_length(cut, i);
    if (n == 0) {
      if (cut.size() - i < 4 && cut.size() < body.size()) break;  // a sequence cut by the cap
      text += "\xEF\xBF\xBD";
      ++i;
    } else {
      text.append(cut.substr(i, n));
      i += n;
    }
  }
  if (body.size() > cut.size()) text += "...[truncated]";
  return Json(std::move(text));
}

namespace detail {

bool copyable(const Json& v, std::size_t max_depth) noexcept {
  // Iterative: a value built by the caller may nest arbitrarily deep.
  struct Frame {
    const Json* node;
    std::size_t depth;
  };
  std::vector<Frame> stack;
  try {
    stack.push_back({&v, 0});
    while (!stack.empty()) {
      const Frame f = stack.back();
      stack.pop_back();
      const Json& n = *f.node;
      if (n.is_number_float()) {
        if (!std::isfinite(n.get<double>())) return false;
      } else if (n.is_structured()) {
        if (f.depth + 1 > max_depth) return false;
        for (const Json& child : n)
          stack.push_back({&child, f.depth + 1});
      }
    }
  } catch (...) {
    return false;
  }
  return true;
}

std::string data_url(std::string_view mime, std::string_view base64) {
  std::string out = "data:";
  out.append(mime);
  out += ";base64,";
  out.append(base64);
  return out;
}

Mapper::Mapper(RequestLog& l, const ExchangeInfo& i, std::string default_provider)
    : log(l), info(i), provider(i.provider.empty() ? std::move(default_provider) : i.provider) {}

void Mapper::skip(std::string_view path, std::string_view reason) {
  ++skipped_;
  if (notes_.size() < kMaxWarnings) {
    std::string note(path);
    note += " (";
    note.append(reason);
    note += ')';
    notes_.push_back(std::move(note));
  }
}

std::optional<std::string> Mapper::string(const Json* v, std::string_view path) {
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    skip(path, "not a string");
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<double> Mapper::number(const Json* v, std::string_view path) {
  if (v == nullptr) return std::nullopt;
  if (!v->is_number()) {
    skip(path, "not a number");
    return std::nullopt;
  }
  const double d = v->get<double>();
  if (!std::isfinite(d)) {
    skip(path, "not a finite number");
    return std::nullopt;
  }
  return d;
}

std::optional<std::int64_t> Mapper::count(const Json* v, std::string_view path) {
  if (v == nullptr) return std::nullopt;
  const std::optional<std::int64_t> n = ::respan::detail::json_count(*v);
  if (!n) skip(path, "not a non-negative integer");
  return n;
}

std::optional<bool> Mapper::boolean(const Json* v, std::string_view path) {
  if (v == nullptr) return std::nullopt;
  if (!v->is_boolean()) {
    skip(path, "not a boolean");
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<Json> Mapper::copy(const Json* v, std::string_view path) {
  if (v == nullptr) return std::nullopt;
  if (!copyable(*v)) {
    skip(path,
         "non-finite number or nested deeper than " + std::to_string(kMaxCopyDepth) + " levels");
    return std::nullopt;
  }
  return *v;
}

std::optional<std::string> Mapper::json_text(const Json* v, std::string_view path) {
  if (v == nullptr) return std::nullopt;
  if (v->is_string()) return v->get<std::string>();
  if (!copyable(*v)) {
    skip(path, "non-finite number or nested too deep");
    return std::nullopt;
  }
  try {
    return v->dump(-1, ' ', false, Json::error_handler_t::replace);
  } catch (const std::exception&) {
    skip(path, "not serializable");
    return std::nullopt;
  }
}

void Mapper::keep(Json& into, const std::string& key, const Json& v, std::string_view path) {
  if (v.is_null()) return;
  if (!copyable(v)) {
    skip(path, "non-finite number or nested too deep");
    return;
  }
  into[key] = v;
}

void Mapper::set_stop(const Json* v, std::string_view path) {
  if (v == nullptr) return;
  if (v->is_string()) {
    log.stop = Stop(v->get<std::string>());
    return;
  }
  if (v->is_array()) {
    std::vector<std::string> seqs;
    for (const Json& s : *v) {
      if (!s.is_string()) {
        skip(path, "not a string or a list of strings");
        return;
      }
      seqs.push_back(s.get<std::string>());
    }
    log.stop = Stop(std::move(seqs));
    return;
  }
  skip(path, "not a string or a list of strings");
}

void Mapper::openai_tools(const Json* v, std::string_view path) {
  if (v == nullptr) return;
  if (!v->is_array()) {
    skip(path, "not a list");
    return;
  }
  std::vector<ToolDefinition> tools;
  tools.reserve(v->size());
  for (std::size_t i = 0; i < v->size(); ++i) {
    const Json& t = (*v)[i];
    if (!t.is_object() || !copyable(t)) {
      skip(std::string(path) + "[" + std::to_string(i) + "]", "not a tool object");
      continue;
    }
    try {
      tools.push_back(t.get<ToolDefinition>());
    } catch (const std::exception&) {
      skip(std::string(path) + "[" + std::to_string(i) + "]", "not a tool object");
    }
  }
  log.tools = std::move(tools);
}

void Mapper::openai_tool_choice(const Json* v, std::string_view path) {
  if (v == nullptr) return;
  if (v->is_string() || (v->is_object() && copyable(*v))) {
    log.tool_choice = ToolChoice::from_json_value(*v);
  } else {
    skip(path, "not a string or an object");
  }
}

std::optional<Message> Mapper::openai_message(const Json& v, std::string_view path) {
  if (!v.is_object() || !copyable(v)) {
    skip(path, "not a message object");
    return std::nullopt;
  }
  try {
    Message msg = v.get<Message>();
    // Members sent as null ("refusal": null, "reasoning_content": null) say nothing: they
    // are not kept (a null never goes on the wire from here).
    const auto drop_nulls = [](Json& extra) {
      if (!extra.is_object()) return;
      for (auto it = extra.begin(); it != extra.end();) {
        it = it->is_null() ? extra.erase(it) : std::next(it);
      }
      if (extra.empty()) extra = Json();
    };
    drop_nulls(msg.extra);
    if (msg.tool_calls) {
      for (ToolCall& t : *msg.tool_calls)
        drop_nulls(t.extra);
    }
    if (msg.content && std::holds_alternative<std::vector<ContentPart>>(*msg.content)) {
      for (ContentPart& p : std::get<std::vector<ContentPart>>(*msg.content))
        drop_nulls(p.extra);
    }
    return msg;
  } catch (const std::exception&) {
    skip(path, "not a message object");
    return std::nullopt;
  }
}

void Mapper::openai_usage(const Json* v, std::string_view path) {
  if (v == nullptr) return;
  if (!v->is_object()) {
    skip(path, "not an object");
    return;
  }
  const std::string p(path);
  Usage u;
  for (auto it = v->begin(); it != v->end(); ++it) {
    const std::string& k = it.key();
    const Json& x = it.value();
    if (x.is_null()) continue;
    if (k == "prompt_tokens") {
      u.prompt_tokens = count(&x, p + ".prompt_tokens");
    } else if (k == "completion_tokens") {
      u.completion_tokens = count(&x, p + ".completion_tokens");
    } else if (k == "total_tokens") {
      u.total_tokens = count(&x, p + ".total_tokens");
    } else if (k == "cost" && x.is_number()) {  // OpenRouter: USD credits
      if (const auto c = number(&x, p + ".cost"); c && *c >= 0) log.cost = *c;
    } else {
      if (k == "prompt_tokens_details" && x.is_object()) {
        if (const Json* c = member(x, "cached_tokens")) {
          u.cache_read_input_tokens = count(c, p + ".prompt_tokens_details.cached_tokens");
        }
      } else if (k == "completion_tokens_details" && x.is_object()) {
        if (const Json* r = member(x, "reasoning_tokens")) {
          if (const auto n = count(r, p + ".completion_tokens_details.reasoning_tokens")) {
            u.extra["reasoning_tokens"] = *n;
          }
        }
      }
      keep(u.extra, k, x, p + "." + k);
    }
  }
  if (u.prompt_tokens) log.prompt_tokens = u.prompt_tokens;
  if (u.completion_tokens) log.completion_tokens = u.completion_tokens;
  log.usage = std::move(u);
}

void Mapper::error_body(const Json& body) {
  failed = true;
  std::optional<std::string> message;
  std::optional<std::string> type;
  const auto text_of = [](const Json& x) -> std::optional<std::string> {
    if (x.is_string()) return x.get<std::string>();
    if (x.is_number_integer()) return x.dump();
    return std::nullopt;
  };
  if (body.is_string()) {
    message = body.get<std::string>();
  } else if (body.is_object()) {
    const Json* e = member(body, "error");
    const Json& holder = (e != nullptr && e->is_object()) ? *e : body;
    if (e != nullptr && e->is_string()) message = e->get<std::string>();
    if (!message) {
      if (const Json* m = member(holder, "message")) message = text_of(*m);
    }
    if (!message) {
      if (const Json* m = member(holder, "detail")) message = text_of(*m);
    }
    for (const char* k : {"type", "status", "code"}) {
      if (const Json* t = member(holder, k)) {
        type = text_of(*t);
        if (type) break;
      }
    }
    if (e != nullptr) {
      // The error and the body's other members (Anthropic's request_id, ...).
      for (auto it = body.begin(); it != body.end(); ++it) {
        if (it.key() == "type" && it.value() == "error") continue;
        keep(response_fields, it.key(), it.value(), "response." + it.key());
      }
    } else {
      keep(response_fields, "error", body, "response");  // the body is the error (vLLM)
    }
  } else if (!body.is_null()) {
    keep(response_fields, "error", body, "response");
  }
  if (!message || message->empty()) {
    message = info.http_status > 0 ? "HTTP " + std::to_string(info.http_status)
                                   : std::string("provider error");
  }
  ::respan::detail::truncate_utf8(*message, kMaxErrorMessageBytes);
  log.error_message = std::move(*message);
  if (type) meta["error_type"] = std::move(*type);
}

void Mapper::finish(const Json& request, const Json& response) {
  if (!info.model.empty()) log.model = info.model;
  if (!log.log_type) log.log_type = LogType::chat();
  if (info.stream) log.stream = *info.stream;
  if (info.latency && std::isfinite(info.latency->count()) && info.latency->count() >= 0) {
    log.latency = info.latency->count();
  }
  if (info.time_to_first_token && std::isfinite(info.time_to_first_token->count()) &&
      info.time_to_first_token->count() >= 0) {
    log.time_to_first_token = info.time_to_first_token->count();
  }
  if (info.tokens_per_second && std::isfinite(*info.tokens_per_second) &&
      *info.tokens_per_second >= 0) {
    log.tokens_per_second = *info.tokens_per_second;
  }
  if (info.http_status > 0) log.status_code = info.http_status;
  log.status = failed ? SpanStatus::error() : SpanStatus::success();
  if (!failed) log.error_message.reset();

  meta["provider"] = provider;
  if (!request_params.empty()) meta["request_params"] = std::move(request_params);
  if (!response_fields.empty()) meta["response_fields"] = std::move(response_fields);
  if (!log.metadata || !log.metadata->is_object()) {
    log.metadata = std::move(meta);
  } else {
    for (auto it = meta.begin(); it != meta.end(); ++it)
      (*log.metadata)[it.key()] = it.value();
  }

  if (info.attach_raw_bodies) {
    if (copyable(request)) log.full_request = request;
    if (!response.is_null() && copyable(response)) log.full_response = response;
  }
  if (skipped_ > 0) {
    std::string w = "respan adapter skipped: ";
    for (std::size_t i = 0; i < notes_.size(); ++i) {
      if (i > 0) w += "; ";
      w += notes_[i];
    }
    if (skipped_ > notes_.size()) {
      w += "; and " + std::to_string(skipped_ - notes_.size()) + " more";
    }
    log.warnings = Warnings(std::move(w));
  }
}

namespace {

Result<void> check_shapes(const Json& request, const Json& response, const ExchangeInfo& info,
                          IsErrorFn is_error, bool& error_path) {
  if (!request.is_object()) {
    return Error::make(ErrorCode::invalid_argument, "adapter: the request is not a JSON object");
  }
  error_path = info.http_status >= 400 || is_error(response);
  if (!error_path && !response.is_object()) {
    return Error::make(ErrorCode::decode, "adapter: the response is not a JSON object");
  }
  return {};
}

// Moves the fields an adapter sets from `src` into `dst` (set fields only; metadata merged
// key by key).
void merge(RequestLog& dst, RequestLog&& src) {
  if (!src.model.empty()) dst.model = std::move(src.model);
#define RESPAN_ADAPTER_MOVE(f) \
  if (src.f) dst.f = std::move(src.f)
  RESPAN_ADAPTER_MOVE(prompt_messages);
  RESPAN_ADAPTER_MOVE(completion_message);
  RESPAN_ADAPTER_MOVE(log_type);
  RESPAN_ADAPTER_MOVE(prompt_tokens);
  RESPAN_ADAPTER_MOVE(completion_tokens);
  RESPAN_ADAPTER_MOVE(usage);
  RESPAN_ADAPTER_MOVE(cost);
  RESPAN_ADAPTER_MOVE(latency);
  RESPAN_ADAPTER_MOVE(time_to_first_token);
  RESPAN_ADAPTER_MOVE(tokens_per_second);
  RESPAN_ADAPTER_MOVE(temperature);
  RESPAN_ADAPTER_MOVE(top_p);
  RESPAN_ADAPTER_MOVE(max_tokens);
  RESPAN_ADAPTER_MOVE(frequency_penalty);
  RESPAN_ADAPTER_MOVE(presence_penalty);
  RESPAN_ADAPTER_MOVE(stop);
  RESPAN_ADAPTER_MOVE(stream);
  RESPAN_ADAPTER_MOVE(tools);
  RESPAN_ADAPTER_MOVE(tool_calls);
  RESPAN_ADAPTER_MOVE(tool_choice);
  RESPAN_ADAPTER_MOVE(response_format);
  RESPAN_ADAPTER_MOVE(status_code);
  RESPAN_ADAPTER_MOVE(status);
  RESPAN_ADAPTER_MOVE(error_message);
  RESPAN_ADAPTER_MOVE(warnings);
  RESPAN_ADAPTER_MOVE(full_request);
  RESPAN_ADAPTER_MOVE(full_response);
#undef RESPAN_ADAPTER_MOVE
  if (src.status && *src.status == SpanStatus::success()) dst.error_message.reset();
  if (src.metadata) {
    if (!dst.metadata || !dst.metadata->is_object()) {
      dst.metadata = std::move(src.metadata);
    } else {
      for (auto it = src.metadata->begin(); it != src.metadata->end(); ++it) {
        (*dst.metadata)[it.key()] = std::move(it.value());
      }
    }
  }
}

// Maps into `out` (a fresh log); returns the provider and whether the call failed.
Result<void> map_into(RequestLog& out, std::string& provider, bool& failed, const Json& request,
                      const Json& response, const ExchangeInfo& info, const char* default_provider,
                      MapFn map_request, MapFn map_response, IsErrorFn is_error) {
  bool error_path = false;
  Result<void> ok = check_shapes(request, response, info, is_error, error_path);
  if (!ok) return ok;
  try {
    Mapper m(out, info, default_provider);
    map_request(m, request, response);
    if (error_path) {
      m.error_body(response);
    } else {
      map_response(m, request, response);
    }
    m.finish(request, response);
    provider = m.provider;
    failed = m.failed;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    return Error::make(ErrorCode::decode, std::string("adapter: ") + e.what());
  }
  return {};
}

}  // namespace

Result<RequestLog> make_log(const Json& request, const Json& response, const ExchangeInfo& info,
                            const char* default_provider, MapFn map_request, MapFn map_response,
                            IsErrorFn is_error) {
  RequestLog out;
  std::string provider;
  bool failed = false;
  Result<void> r = map_into(out, provider, failed, request, response, info, default_provider,
                            map_request, map_response, is_error);
  if (!r) return std::move(r).error();
  return out;
}

Result<void> apply(RequestLog& log, const Json& request, const Json& response,
                   const ExchangeInfo& info, const char* default_provider, MapFn map_request,
                   MapFn map_response, IsErrorFn is_error) {
  RequestLog out;
  std::string provider;
  bool failed = false;
  Result<void> r = map_into(out, provider, failed, request, response, info, default_provider,
                            map_request, map_response, is_error);
  if (!r) return r;
  merge(log, std::move(out));
  return {};
}

Result<void> record(Span& span, const Json& request, const Json& response, const ExchangeInfo& info,
                    const char* default_provider, MapFn map_request, MapFn map_response,
                    IsErrorFn is_error) {
  RequestLog out;
  std::string provider;
  bool failed = false;
  Result<void> r = map_into(out, provider, failed, request, response, info, default_provider,
                            map_request, map_response, is_error);
  if (!r) return r;
  std::string message = failed && out.error_message ? *out.error_message : std::string();
  merge(span.fields(), std::move(out));
  span.set_provider(std::move(provider));
  if (failed) span.set_error(std::move(message));
  return {};
}

}  // namespace detail
}  // namespace respan::adapters
