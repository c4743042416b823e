// Anthropic Messages.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <respan/adapters/anthropic.hpp>

#include "adapters/adapter_util.hpp"

namespace respan::adapters::anthropic {
namespace {

using detail::Mapper;
using detail::member;

std::string type_of(const Json& block) {
  const Json* t = member(block, "type");
  return (t != nullptr && t->is_string()) ? t->get<std::string>() : std::string();
}

// A block kept as a part of its own type with its other members.
ContentPart verbatim_part(Mapper& m, const Json& b, const std::string& type,
                          const std::string& path) {
  ContentPart part;
  part.type = type.empty() ? std::string("unknown") : type;
  for (auto it = b.begin(); it != b.end(); ++it) {
    if (it.key() != "type") m.keep(part.extra, it.key(), it.value(), path + "." + it.key());
  }
  return part;
}

// text and image blocks in chat form; anything else verbatim.
ContentPart block_part(Mapper& m, const Json& b, const std::string& path) {
  const std::string t = type_of(b);
  if (t == "text" && member(b, "text") != nullptr && member(b, "text")->is_string()) {
    ContentPart part;
    part.type = "text";
    part.text = member(b, "text")->get<std::string>();
    for (auto it = b.begin(); it != b.end(); ++it) {
      if (it.key() != "type" && it.key() != "text") {
        m.keep(part.extra, it.key(), it.value(), path + "." + it.key());
      }
    }
    return part;
  }
  if (t == "image") {
    const Json* src = member(b, "source");
    const std::string st = src != nullptr ? type_of(*src) : std::string();
    const Json* data = src != nullptr ? member(*src, "data") : nullptr;
    const Json* mime = src != nullptr ? member(*src, "media_type") : nullptr;
    const Json* url = src != nullptr ? member(*src, "url") : nullptr;
    if (st == "base64" && data != nullptr && data->is_string() && mime != nullptr &&
        mime->is_string()) {
      ContentPart part;
      part.type = "image_url";
      part.image_url = Json{{"url", detail::data_url(mime->get_ref<const std::string&>(),
                                                     data->get_ref<const std::string&>())}};
      return part;
    }
    if (st == "url" && url != nullptr && url->is_string()) {
      ContentPart part;
      part.type = "image_url";
      part.image_url = Json{{"url", *url}};
      return part;
    }
  }
  return verbatim_part(m, b, t, path);
}

ToolCall tool_use_call(Mapper& m, const Json& b, const std::string& path) {
  ToolCall call;
  call.type = "function";
  call.id = m.string(member(b, "id"), path + ".id");
  FunctionCall f;
  f.name = m.string(member(b, "name"), path + ".name");
  if (const Json* in = member(b, "input")) {
    f.arguments = m.json_text(in, path + ".input");
  } else if (const Json* raw = member(b, "input_json")) {  // a stream's unparsable arguments
    f.arguments = m.string(raw, path + ".input_json");
  } else {
    f.arguments = "{}";
  }
  call.function = std::move(f);
  return call;
}

// A tool_result block as a `tool` message.
Message tool_result(Mapper& m, const Json& b, const std::string& path) {
  Message msg;
  msg.role = "tool";
  msg.tool_call_id = m.string(member(b, "tool_use_id"), path + ".tool_use_id");
  if (const Json* c = member(b, "content")) {
    if (c->is_string()) {
      msg.content = MessageContent(c->get<std::string>());
    } else if (c->is_array()) {
      std::vector<ContentPart> parts;
      for (std::size_t i = 0; i < c->size(); ++i) {
        if ((*c)[i].is_object()) {
          parts.push_back(block_part(m, (*c)[i], path + ".content[" + std::to_string(i) + "]"));
        }
      }
      msg.content = MessageContent(std::move(parts));
    } else {
      m.skip(path + ".content", "not a string or a list of blocks");
    }
  }
  for (auto it = b.begin(); it != b.end(); ++it) {
    const std::string& k = it.key();
    if (k != "type" && k != "tool_use_id" && k != "content") {
      m.keep(msg.extra, k, it.value(), path + "." + k);
    }
  }
  return msg;
}

// One Anthropic message as one or more chat messages (tool results become `tool` messages).
void read_message(Mapper& m, const Json& v, const std::string& path, std::vector<Message>& out) {
  if (!v.is_object()) {
    m.skip(path, "not a message object");
    return;
  }
  std::string role;
  if (auto r = m.string(member(v, "role"), path + ".role")) role = std::move(*r);
  const Json* content = member(v, "content");
  if (content == nullptr || content->is_string()) {
    Message msg;
    msg.role = role;
    if (content != nullptr) msg.content = MessageContent(content->get<std::string>());
    out.push_back(std::move(msg));
    return;
  }
  if (!content->is_array()) {
    m.skip(path + ".content", "not a string or a list of blocks");
    return;
  }
  Message cur;
  cur.role = role;
  std::vector<ContentPart> parts;
  std::vector<ToolCall> calls;
  const auto flush = [&]() {
    if (parts.empty() && calls.empty()) return;
    if (!parts.empty()) cur.content = MessageContent(std::move(parts));
    if (!calls.empty()) cur.tool_calls = std::move(calls);
    out.push_back(std::move(cur));
    cur = Message();
    cur.role = role;
    parts.clear();
    calls.clear();
  };
  for (std::size_t i = 0; i < content->size(); ++i) {
    const Json& b = (*content)[i];
    const std::string bp = path + ".content[" + std::to_string(i) + "]";
    if (!b.is_object()) {
      m.skip(bp, "not a block object");
      continue;
    }
    const std::string t = type_of(b);
    if (t == "tool_use") {
      calls.push_back(tool_use_call(m, b, bp));
    } else if (t == "tool_result") {
      flush();
      out.push_back(tool_result(m, b, bp));
    } else {
      parts.push_back(block_part(m, b, bp));
    }
  }
  flush();
}

void read_tools(Mapper& m, const Json& v) {
  if (!v.is_array()) {
    m.skip("request.tools", "not a list");
    return;
  }
  std::vector<ToolDefinition> tools;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const Json& t = v[i];
    const std::string path = "request.tools[" + std::to_string(i) + "]";
    if (!t.is_object() || !detail::copyable(t)) {
      m.skip(path, "not a tool object");
      continue;
    }
    const std::string type = type_of(t);
    ToolDefinition def;
    if (type.empty() || type == "custom") {
      ToolDefinition::Function f;
      if (auto n = m.string(member(t, "name"), path + ".name")) f.name = std::move(*n);
      f.description = m.string(member(t, "description"), path + ".description");
      f.parameters = m.copy(member(t, "input_schema"), path + ".input_schema");
      for (auto it = t.begin(); it != t.end(); ++it) {
        const std::string& k = it.key();
        if (k != "type" && k != "name" && k != "description" && k != "input_schema") {
          f.extra[k] = it.value();
        }
      }
      def.function = std::move(f);
    } else {
      def.type = type;
      for (auto it = t.begin(); it != t.end(); ++it) {
        if (it.key() != "type") def.extra[it.key()] = it.value();
      }
    }
    tools.push_back(std::move(def));
  }
  m.log.tools = std::move(tools);
}

void read_tool_choice(Mapper& m, const Json& v) {
  if (!v.is_object()) {
    m.skip("request.tool_choice", "not an object");
    return;
  }
  const std::string t = type_of(v);
  bool only_known = true;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (it.key() != "type" && it.key() != "name") only_known = false;
  }
  if (t == "auto") {
    m.log.tool_choice = ToolChoice("auto");
  } else if (t == "any") {
    m.log.tool_choice = ToolChoice("required");
  } else if (t == "none") {
    m.log.tool_choice = ToolChoice("none");
  } else if (t == "tool" && member(v, "name") != nullptr && member(v, "name")->is_string()) {
    m.log.tool_choice = ToolChoice::function(member(v, "name")->get<std::string>());
  } else {
    only_known = false;
  }
  if (!only_known) m.keep(m.request_params, "tool_choice", v, "request.tool_choice");
}

void messages_request(Mapper& m, const Json& req, const Json& /*response*/) {
  RequestLog& log = m.log;
  std::vector<Message> msgs;
  if (const Json* sys = member(req, "system")) {
    if (sys->is_string()) {
      msgs.push_back(Message::system(sys->get<std::string>()));
    } else if (sys->is_array()) {
      Message s;
      s.role = "system";
      std::vector<ContentPart> parts;
      for (std::size_t i = 0; i < sys->size(); ++i) {
        if ((*sys)[i].is_object()) {
          parts.push_back(block_part(m, (*sys)[i], "request.system[" + std::to_string(i) + "]"));
        }
      }
      s.content = MessageContent(std::move(parts));
      msgs.push_back(std::move(s));
    } else {
      m.skip("request.system", "not a string or a list of blocks");
    }
  }
  for (auto it = req.begin(); it != req.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (v.is_null()) continue;
    if (k == "model") {
      if (auto s = m.string(&v, "request.model")) log.model = std::move(*s);
    } else if (k == "system") {
      continue;
    } else if (k == "messages") {
      if (!v.is_array()) {
        m.skip("request.messages", "not a list");
        continue;
      }
      for (std::size_t i = 0; i < v.size(); ++i) {
        read_message(m, v[i], "request.messages[" + std::to_string(i) + "]", msgs);
      }
    } else if (k == "max_tokens") {
      log.max_tokens = m.count(&v, "request.max_tokens");
    } else if (k == "temperature") {
      log.temperature = m.number(&v, "request.temperature");
    } else if (k == "top_p") {
      log.top_p = m.number(&v, "request.top_p");
    } else if (k == "stop_sequences") {
      m.set_stop(&v, "request.stop_sequences");
    } else if (k == "stream") {
      log.stream = m.boolean(&v, "request.stream");
    } else if (k == "tools") {
      read_tools(m, v);
    } else if (k == "tool_choice") {
      read_tool_choice(m, v);
    } else {
      m.keep(m.request_params, k, v, "request." + k);
    }
  }
  log.prompt_messages = std::move(msgs);
}

void read_usage(Mapper& m, const Json& u) {
  if (!u.is_object()) {
    m.skip("response.usage", "not an object");
    return;
  }
  Usage usage;
  std::optional<std::int64_t> input;
  for (auto it = u.begin(); it != u.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (v.is_null()) continue;
    if (k == "input_tokens") {
      input = m.count(&v, "response.usage.input_tokens");
    } else if (k == "output_tokens") {
      usage.completion_tokens = m.count(&v, "response.usage.output_tokens");
    } else if (k == "cache_creation_input_tokens") {
      usage.cache_creation_input_tokens = m.count(&v, "response.usage." + k);
    } else if (k == "cache_read_input_tokens") {
      usage.cache_read_input_tokens = m.count(&v, "response.usage." + k);
    } else {
      m.keep(usage.extra, k, v, "response.usage." + k);
    }
  }
  // Every input token, cached or not (saturating: each term is at most INT64_MAX).
  const auto add = [](std::int64_t a, std::int64_t b) {
    return a > INT64_MAX - b ? INT64_MAX : a + b;
  };
  if (input) {
    std::int64_t prompt = *input;
    prompt = add(prompt, usage.cache_creation_input_tokens.value_or(0));
    prompt = add(prompt, usage.cache_read_input_tokens.value_or(0));
    usage.prompt_tokens = prompt;
  }
  if (usage.prompt_tokens && usage.completion_tokens) {
    usage.total_tokens = add(*usage.prompt_tokens, *usage.completion_tokens);
  }
  if (usage.prompt_tokens) m.log.prompt_tokens = usage.prompt_tokens;
  if (usage.completion_tokens) m.log.completion_tokens = usage.completion_tokens;
  m.log.usage = std::move(usage);
}

void messages_response(Mapper& m, const Json& /*request*/, const Json& resp) {
  for (auto it = resp.begin(); it != resp.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (v.is_null()) continue;
    if (k == "id") {
      if (auto s = m.string(&v, "response.id")) m.meta["response_id"] = std::move(*s);
    } else if (k == "model") {
      if (auto s = m.string(&v, "response.model")) m.log.model = std::move(*s);
    } else if ((k == "type" && v == "message") || k == "role") {
      continue;
    } else if (k == "content") {
      if (!v.is_array()) {
        m.skip("response.content", "not a list of blocks");
        continue;
      }
      Message completion;
      completion.role = "assistant";
      std::vector<ContentPart> parts;
      std::vector<ToolCall> calls;
      bool plain_text = true;
      std::string text;
      for (std::size_t i = 0; i < v.size(); ++i) {
        const Json& b = v[i];
        const std::string bp = "response.content[" + std::to_string(i) + "]";
        if (!b.is_object()) {
          m.skip(bp, "not a block object");
          continue;
        }
        if (type_of(b) == "tool_use") {
          calls.push_back(tool_use_call(m, b, bp));
          continue;
        }
        ContentPart part = block_part(m, b, bp);
        if (part.type == "text" && part.extra.is_null() && part.text) {
          text += *part.text;
        } else {
          plain_text = false;
        }
        parts.push_back(std::move(part));
      }
      if (!parts.empty()) {
        completion.content =
            plain_text ? MessageContent(std::move(text)) : MessageContent(std::move(parts));
      }
      if (!calls.empty()) {
        m.log.tool_calls = calls;
        completion.tool_calls = std::move(calls);
      }
      m.log.completion_message = std::move(completion);
    } else if (k == "stop_reason") {
      if (auto s = m.string(&v, "response.stop_reason")) m.meta["finish_reason"] = std::move(*s);
    } else if (k == "usage") {
      read_usage(m, v);
    } else {
      m.keep(m.response_fields, k, v, "response." + k);
    }
  }
}

bool messages_is_error(const Json& resp) {
  if (!resp.is_object()) return false;
  const Json* t = member(resp, "type");
  if (t != nullptr && *t == "error") return true;
  return member(resp, "error") != nullptr && member(resp, "content") == nullptr;
}

}  // namespace

Result<RequestLog> messages_log(const Json& request, const Json& response,
                                const ExchangeInfo& info) {
  return detail::make_log(request, response, info, "anthropic", messages_request, messages_response,
                          messages_is_error);
}
Result<void> apply_messages(RequestLog& log, const Json& request, const Json& response,
                            const ExchangeInfo& info) {
  return detail::apply(log, request, response, info, "anthropic", messages_request,
                       messages_response, messages_is_error);
}
Result<void> record_messages(Span& span, const Json& request, const Json& response,
                             const ExchangeInfo& info) {
  return detail::record(span, request, response, info, "anthropic", messages_request,
                        messages_response, messages_is_error);
}

}  // namespace respan::adapters::anthropic
