// OpenAI Chat Completions (and the OpenAI-compatible servers) and the Responses API.
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <respan/adapters/openai.hpp>

#include "adapters/adapter_util.hpp"

namespace respan::adapters::openai {
namespace {

using detail::Mapper;
using detail::member;

std::string at(const char* path, std::size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

// ---------------------------------------------------------------- Chat Completions

void chat_request(Mapper& m, const Json& req, const Json& /*response*/) {
  RequestLog& log = m.log;
  for (auto it = req.begin(); it != req.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (v.is_null()) continue;
    if (k == "model") {
      if (auto s = m.string(&v, "request.model")) log.model = std::move(*s);
    } else if (k == "messages") {
      if (!v.is_array()) {
        m.skip("request.messages", "not a list");
        continue;
      }
      std::vector<Message> msgs;
      msgs.reserve(v.size());
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (auto msg = m.openai_message(v[i], at("request.messages", i))) {
          msgs.push_back(std::move(*msg));
        }
      }
      log.prompt_messages = std::move(msgs);
    } else if (k == "temperature") {
      log.temperature = m.number(&v, "request.temperature");
    } else if (k == "top_p") {
      log.top_p = m.number(&v, "request.top_p");
    } else if (k == "frequency_penalty") {
      log.frequency_penalty = m.number(&v, "request.frequency_penalty");
    } else if (k == "presence_penalty") {
      log.presence_penalty = m.number(&v, "request.presence_penalty");
    } else if (k == "max_tokens" || k == "max_completion_tokens") {
      if (auto n = m.count(&v, "request." + k)) log.max_tokens = *n;
    } else if (k == "stop") {
      m.set_stop(&v, "request.stop");
    } else if (k == "stream") {
      log.stream = m.boolean(&v, "request.stream");
    } else if (k == "tools") {
      m.openai_tools(&v, "request.tools");
    } else if (k == "tool_choice") {
      m.openai_tool_choice(&v, "request.tool_choice");
    } else if (k == "response_format") {
      if (v.is_object()) {
        log.response_format = m.copy(&v, "request.response_format");
      } else {
        m.skip("request.response_format", "not an object");
      }
    } else {
      m.keep(m.request_params, k, v, "request." + k);
    }
  }
}

// llama.cpp's server: `timings` (milliseconds and rates measured by the server).
void llama_timings(Mapper& m, const Json& t) {
  if (!t.is_object()) return;
  const auto prompt_ms = m.number(member(t, "prompt_ms"), "response.timings.prompt_ms");
  const auto predicted_ms = m.number(member(t, "predicted_ms"), "response.timings.predicted_ms");
  const auto per_second =
      m.number(member(t, "predicted_per_second"), "response.timings.predicted_per_second");
  if (prompt_ms && *prompt_ms >= 0) m.log.time_to_first_token = *prompt_ms / 1000.0;
  if (prompt_ms && predicted_ms && *prompt_ms >= 0 && *predicted_ms >= 0) {
    m.log.latency = (*prompt_ms + *predicted_ms) / 1000.0;
  }
  if (per_second && *per_second >= 0) m.log.tokens_per_second = *per_second;
}

void chat_choice(Mapper& m, const Json& c) {
  if (!c.is_object()) {
    m.skip("response.choices[0]", "not an object");
    return;
  }
  Json rest = Json::object();
  for (auto it = c.begin(); it != c.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (k == "message" || k == "delta") {
      if (v.is_null()) continue;
      if (auto msg = m.openai_message(v, "response.choices[0]." + k)) {
        if (msg->role.empty()) msg->role = "assistant";
        if (msg->tool_calls && !msg->tool_calls->empty()) m.log.tool_calls = msg->tool_calls;
        m.log.completion_message = std::move(*msg);
      }
    } else if (k == "finish_reason") {
      if (auto s = m.string(&v, "response.choices[0].finish_reason")) {
        m.meta["finish_reason"] = std::move(*s);
      }
    } else if (k == "index") {
      continue;
    } else {
      m.keep(rest, k, v, "response.choices[0]." + k);
    }
  }
  if (!rest.empty()) m.response_fields["choice"] = std::move(rest);
}

void chat_response(Mapper& m, const Json& /*request*/, const Json& resp) {
  for (auto it = resp.begin(); it != resp.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (v.is_null()) continue;
    if (k == "id") {
      if (auto s = m.string(&v, "response.id")) m.meta["response_id"] = std::move(*s);
    } else if (k == "model") {
      if (auto s = m.string(&v, "response.model")) m.log.model = std::move(*s);
    } else if (k == "choices") {
      if (!v.is_array()) {
        m.skip("response.choices", "not a list");
        continue;
      }
      if (v.empty()) continue;
      chat_choice(m, v[0]);
      if (v.size() > 1) {
        Json others(Json::value_t::array);
        for (std::size_t i = 1; i < v.size(); ++i)
          others.push_back(v[i]);
        m.keep(m.response_fields, "other_choices", others, "response.choices");
      }
    } else if (k == "usage") {
      m.openai_usage(&v, "response.usage");
    } else if (k == "object" && v.is_string() &&
               (v.get_ref<const std::string&>() == "chat.completion" ||
                v.get_ref<const std::string&>() == "chat.completion.chunk")) {
      continue;
    } else {
      if (k == "timings") llama_timings(m, v);
      m.keep(m.response_fields, k, v, "response." + k);
    }
  }
}

bool chat_is_error(const Json& resp) {
  return resp.is_object() && member(resp, "error") != nullptr && member(resp, "choices") == nullptr;
}

// ---------------------------------------------------------------- Responses API

// One content part of an input or output message item, in chat form.
ContentPart responses_part(Mapper& m, const Json& p, const std::string& path) {
  ContentPart part;
  const Json* type = member(p, "type");
  const std::string t = (type != nullptr && type->is_string()) ? type->get<std::string>() : "";
  if ((t == "input_text" || t == "output_text" || t == "text") && member(p, "text") != nullptr) {
    part.type = "text";
    part.text = m.string(member(p, "text"), path + ".text");
    for (auto it = p.begin(); it != p.end(); ++it) {
      if (it.key() == "type" || it.key() == "text") continue;
      if (it.key() == "annotations" && it.value().is_array() && it.value().empty()) continue;
      m.keep(part.extra, it.key(), it.value(), path + "." + it.key());
    }
    return part;
  }
  if (t == "input_image" && member(p, "image_url") != nullptr &&
      member(p, "image_url")->is_string()) {
    part.type = "image_url";
    Json url = {{"url", member(p, "image_url")->get<std::string>()}};
    if (const Json* d = member(p, "detail")) {
      if (d->is_string()) url["detail"] = *d;
    }
    part.image_url = std::move(url);
    return part;
  }
  part.type = t.empty() ? std::string("unknown") : t;
  for (auto it = p.begin(); it != p.end(); ++it) {
    if (it.key() == "type") continue;
    m.keep(part.extra, it.key(), it.value(), path + "." + it.key());
  }
  return part;
}

std::optional<MessageContent> responses_content(Mapper& m, const Json& c, const std::string& path) {
  if (c.is_string()) return MessageContent(c.get<std::string>());
  if (!c.is_array()) {
    m.skip(path, "not a string or a list of parts");
    return std::nullopt;
  }
  std::vector<ContentPart> parts;
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (!c[i].is_object()) {
      m.skip(path + "[" + std::to_string(i) + "]", "not an object");
      continue;
    }
    parts.push_back(responses_part(m, c[i], path + "[" + std::to_string(i) + "]"));
  }
  return MessageContent(std::move(parts));
}

ToolCall function_call_item(Mapper& m, const Json& item, const std::string& path) {
  ToolCall call;
  call.type = "function";
  call.id = m.string(member(item, "call_id"), path + ".call_id");
  FunctionCall f;
  f.name = m.string(member(item, "name"), path + ".name");
  f.arguments = m.json_text(member(item, "arguments"), path + ".arguments");
  call.function = std::move(f);
  if (const Json* id = member(item, "id")) m.keep(call.extra, "item_id", *id, path + ".id");
  return call;
}

void responses_input(Mapper& m, const Json& input, std::vector<Message>& msgs) {
  if (input.is_string()) {
    msgs.push_back(Message::user(input.get<std::string>()));
    return;
  }
  if (!input.is_array()) {
    m.skip("request.input", "not a string or a list");
    return;
  }
  Json unknown(Json::value_t::array);
  for (std::size_t i = 0; i < input.size(); ++i) {
    const Json& item = input[i];
    const std::string path = at("request.input", i);
    if (!item.is_object()) {
      m.skip(path, "not an object");
      continue;
    }
    const Json* type = member(item, "type");
    const std::string t = (type != nullptr && type->is_string()) ? type->get<std::string>() : "";
    if ((t.empty() || t == "message") && member(item, "role") != nullptr) {
      Message msg;
      if (auto r = m.string(member(item, "role"), path + ".role")) msg.role = std::move(*r);
      if (const Json* c = member(item, "content"))
        msg.content = responses_content(m, *c, path + ".content");
      msgs.push_back(std::move(msg));
    } else if (t == "function_call") {
      ToolCall call = function_call_item(m, item, path);
      if (!msgs.empty() && msgs.back().role == "assistant" && msgs.back().tool_calls &&
          !msgs.back().content) {
        msgs.back().tool_calls->push_back(std::move(call));
      } else {
        msgs.push_back(Message::assistant(std::vector<ToolCall>{std::move(call)}));
      }
    } else if (t == "function_call_output") {
      Message msg;
      msg.role = "tool";
      msg.tool_call_id = m.string(member(item, "call_id"), path + ".call_id");
      if (auto out = m.json_text(member(item, "output"), path + ".output")) {
        msg.content = MessageContent(std::move(*out));
      }
      msgs.push_back(std::move(msg));
    } else if (detail::copyable(item)) {
      unknown.push_back(item);
    } else {
      m.skip(path, "non-finite number or nested too deep");
    }
  }
  if (!unknown.empty()) m.request_params["input_items"] = std::move(unknown);
}

void responses_request(Mapper& m, const Json& req, const Json& /*response*/) {
  RequestLog& log = m.log;
  std::vector<Message> msgs;
  if (const Json* ins = member(req, "instructions")) {
    if (auto s = m.string(ins, "request.instructions"))
      msgs.push_back(Message::system(std::move(*s)));
  }
  for (auto it = req.begin(); it != req.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (v.is_null()) continue;
    if (k == "model") {
      if (auto s = m.string(&v, "request.model")) log.model = std::move(*s);
    } else if (k == "instructions") {
      continue;
    } else if (k == "input") {
      responses_input(m, v, msgs);
    } else if (k == "temperature") {
      log.temperature = m.number(&v, "request.temperature");
    } else if (k == "top_p") {
      log.top_p = m.number(&v, "request.top_p");
    } else if (k == "max_output_tokens") {
      log.max_tokens = m.count(&v, "request.max_output_tokens");
    } else if (k == "stream") {
      log.stream = m.boolean(&v, "request.stream");
    } else if (k == "tools") {
      if (!v.is_array()) {
        m.skip("request.tools", "not a list");
        continue;
      }
      std::vector<ToolDefinition> tools;
      for (std::size_t i = 0; i < v.size(); ++i) {
        const Json& t = v[i];
        const std::string path = at("request.tools", i);
        if (!t.is_object() || !detail::copyable(t)) {
          m.skip(path, "not a tool object");
          continue;
        }
        ToolDefinition def;
        const Json* type = member(t, "type");
        def.type = (type != nullptr && type->is_string()) ? type->get<std::string>() : "function";
        if (def.type == "function") {
          ToolDefinition::Function f;
          if (auto n = m.string(member(t, "name"), path + ".name")) f.name = std::move(*n);
          f.description = m.string(member(t, "description"), path + ".description");
          f.parameters = m.copy(member(t, "parameters"), path + ".parameters");
          f.strict = m.boolean(member(t, "strict"), path + ".strict");
          def.function = std::move(f);
        } else {
          for (auto jt = t.begin(); jt != t.end(); ++jt) {
            if (jt.key() != "type") def.extra[jt.key()] = jt.value();
          }
        }
        tools.push_back(std::move(def));
      }
      log.tools = std::move(tools);
    } else if (k == "tool_choice") {
      const Json* name = member(v, "name");
      const Json* type = member(v, "type");
      if (v.is_object() && type != nullptr && *type == "function" && name != nullptr &&
          name->is_string()) {
        log.tool_choice = ToolChoice::function(name->get<std::string>());
      } else {
        m.openai_tool_choice(&v, "request.tool_choice");
      }
    } else if (k == "text" && v.is_object()) {
      if (const Json* f = member(v, "format")) {
        if (f->is_object()) log.response_format = m.copy(f, "request.text.format");
      }
      if (v.size() > 1 || member(v, "format") == nullptr) {
        m.keep(m.request_params, k, v, "request.text");
      }
    } else {
      m.keep(m.request_params, k, v, "request." + k);
    }
  }
  log.prompt_messages = std::move(msgs);
}

void responses_usage(Mapper& m, const Json& u) {
  if (!u.is_object()) {
    m.skip("response.usage", "not an object");
    return;
  }
  Usage usage;
  for (auto it = u.begin(); it != u.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (v.is_null()) continue;
    if (k == "input_tokens") {
      usage.prompt_tokens = m.count(&v, "response.usage.input_tokens");
    } else if (k == "output_tokens") {
      usage.completion_tokens = m.count(&v, "response.usage.output_tokens");
    } else if (k == "total_tokens") {
      usage.total_tokens = m.count(&v, "response.usage.total_tokens");
    } else {
      if (k == "input_tokens_details") {
        usage.cache_read_input_tokens = m.count(
            member(v, "cached_tokens"), "response.usage.input_tokens_details.cached_tokens");
      } else if (k == "output_tokens_details") {
        if (auto n = m.count(member(v, "reasoning_tokens"),
                             "response.usage.output_tokens_details.reasoning_tokens")) {
          usage.extra["reasoning_tokens"] = *n;
        }
      }
      m.keep(usage.extra, k, v, "response.usage." + k);
    }
  }
  if (usage.prompt_tokens) m.log.prompt_tokens = usage.prompt_tokens;
  if (usage.completion_tokens) m.log.completion_tokens = usage.completion_tokens;
  m.log.usage = std::move(usage);
}

// Response members that repeat request parameters: kept only when they differ from what was sent.
bool is_echo(const std::string& k) {
  static const char* const kEcho[] = {"instructions",
                                      "tools",
                                      "tool_choice",
                                      "temperature",
                                      "top_p",
                                      "max_output_tokens",
                                      "text",
                                      "reasoning",
                                      "parallel_tool_calls",
                                      "previous_response_id",
                                      "truncation",
                                      "metadata",
                                      "user",
                                      "store",
                                      "background",
                                      "top_logprobs",
                                      "max_tool_calls",
                                      "prompt_cache_key",
                                      "safety_identifier"};
  for (const char* e : kEcho) {
    if (k == e) return true;
  }
  return false;
}

void responses_response(Mapper& m, const Json& req, const Json& resp) {
  Message completion;
  completion.role = "assistant";
  std::string text;
  bool has_text = false;
  std::vector<ToolCall> calls;
  Json reasoning(Json::value_t::array);
  Json annotations(Json::value_t::array);
  Json other(Json::value_t::array);
  std::optional<std::string> status;
  std::optional<std::string> incomplete;
  for (auto it = resp.begin(); it != resp.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (v.is_null()) continue;
    if (k == "id") {
      if (auto s = m.string(&v, "response.id")) m.meta["response_id"] = std::move(*s);
    } else if (k == "model") {
      if (auto s = m.string(&v, "response.model")) m.log.model = std::move(*s);
    } else if (k == "object" && v == "response") {
      continue;
    } else if (k == "status") {
      status = m.string(&v, "response.status");
    } else if (k == "incomplete_details") {
      incomplete = m.string(member(v, "reason"), "response.incomplete_details.reason");
    } else if (k == "error") {
      continue;  // read below when the response failed
    } else if (k == "output_text") {
      continue;  // an SDK convenience: the same text as the output items
    } else if (k == "usage") {
      responses_usage(m, v);
    } else if (k == "output") {
      if (!v.is_array()) {
        m.skip("response.output", "not a list");
        continue;
      }
      for (std::size_t i = 0; i < v.size(); ++i) {
        const Json& item = v[i];
        const std::string path = at("response.output", i);
        const Json* type = member(item, "type");
        const std::string t =
            (type != nullptr && type->is_string()) ? type->get<std::string>() : "";
        if (t == "message") {
          const Json* content = member(item, "content");
          if (content == nullptr || !content->is_array()) continue;
          for (std::size_t j = 0; j < content->size(); ++j) {
            const Json& part = (*content)[j];
            const Json* pt = member(part, "type");
            if (pt != nullptr && *pt == "output_text") {
              if (auto s = m.string(member(part, "text"), path + ".content.text")) {
                text += *s;
                has_text = true;
              }
              if (const Json* a = member(part, "annotations")) {
                if (a->is_array() && detail::copyable(*a)) {
                  for (const Json& x : *a)
                    annotations.push_back(x);
                }
              }
            } else if (pt != nullptr && *pt == "refusal") {
              if (auto s = m.string(member(part, "refusal"), path + ".content.refusal")) {
                completion.extra["refusal"] = std::move(*s);
              }
            } else if (part.is_object() && detail::copyable(part)) {
              other.push_back(part);
            }
          }
        } else if (t == "function_call") {
          calls.push_back(function_call_item(m, item, path));
        } else if (t == "reasoning" && detail::copyable(item)) {
          reasoning.push_back(item);
        } else if (detail::copyable(item)) {
          other.push_back(item);
        } else {
          m.skip(path, "non-finite number or nested too deep");
        }
      }
    } else if (is_echo(k)) {
      // Kept only when the server changed what the request sent.
      const Json* sent = member(req, k.c_str());
      if (sent != nullptr && *sent != v) m.keep(m.response_fields, k, v, "response." + k);
    } else {
      m.keep(m.response_fields, k, v, "response." + k);
    }
  }
  if (has_text) completion.content = MessageContent(std::move(text));
  if (!calls.empty()) {
    completion.tool_calls = calls;
    m.log.tool_calls = std::move(calls);
  }
  if (!reasoning.empty()) completion.extra["reasoning"] = std::move(reasoning);
  if (!annotations.empty()) completion.extra["annotations"] = std::move(annotations);
  if (!other.empty()) m.response_fields["output"] = std::move(other);
  m.log.completion_message = std::move(completion);
  if (incomplete) {
    m.meta["finish_reason"] = *incomplete;
  } else if (status) {
    m.meta["finish_reason"] = *status;
  }
  if (status && *status == "failed") {
    const Json* e = member(resp, "error");
    m.error_body(e != nullptr ? Json{{"error", *e}} : Json::object());
  }
}

bool responses_is_error(const Json& resp) {
  return resp.is_object() && member(resp, "error") != nullptr && member(resp, "output") == nullptr;
}

}  // namespace

Result<RequestLog> chat_log(const Json& request, const Json& response, const ExchangeInfo& info) {
  return detail::make_log(request, response, info, "openai", chat_request, chat_response,
                          chat_is_error);
}
Result<void> apply_chat(RequestLog& log, const Json& request, const Json& response,
                        const ExchangeInfo& info) {
  return detail::apply(log, request, response, info, "openai", chat_request, chat_response,
                       chat_is_error);
}
Result<void> record_chat(Span& span, const Json& request, const Json& response,
                         const ExchangeInfo& info) {
  return detail::record(span, request, response, info, "openai", chat_request, chat_response,
                        chat_is_error);
}

Result<RequestLog> responses_log(const Json& request, const Json& response,
                                 const ExchangeInfo& info) {
  return detail::make_log(request, response, info, "openai", responses_request, responses_response,
                          responses_is_error);
}
Result<void> apply_responses(RequestLog& log, const Json& request, const Json& response,
                             const ExchangeInfo& info) {
  return detail::apply(log, request, response, info, "openai", responses_request,
                       responses_response, responses_is_error);
}
Result<void> record_responses(Span& span, const Json& request, const Json& response,
                              const ExchangeInfo& info) {
  return detail::record(span, request, response, info, "openai", responses_request,
                        responses_response, responses_is_error);
}

}  // namespace respan::adapters::openai
