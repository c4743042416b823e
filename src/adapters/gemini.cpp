// Google Gemini generateContent.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <respan/adapters/gemini.hpp>

#include "adapters/adapter_util.hpp"

namespace respan::adapters::gemini {
namespace {

using detail::Mapper;
using detail::member;
using detail::member2;

// A Gemini part in chat form: appended to `parts`, `calls`, or (functionResponse) to `tools`.
void read_part(Mapper& m, const Json& p, const std::string& path, std::vector<ContentPart>& parts,
               std::vector<ToolCall>& calls, std::vector<Message>& tools) {
  if (!p.is_object()) {
    m.skip(path, "not a part object");
    return;
  }
  if (const Json* text = member(p, "text")) {
    ContentPart part;
    const Json* thought = member(p, "thought");
    part.type = (thought != nullptr && *thought == true) ? "thinking" : "text";
    part.text = m.string(text, path + ".text");
    for (auto it = p.begin(); it != p.end(); ++it) {
      if (it.key() != "text" && it.key() != "thought") {
        m.keep(part.extra, it.key(), it.value(), path + "." + it.key());
      }
    }
    parts.push_back(std::move(part));
    return;
  }
  if (const Json* fc = member2(p, "functionCall", "function_call")) {
    ToolCall call;
    call.type = "function";
    call.id = m.string(member(*fc, "id"), path + ".functionCall.id");
    FunctionCall f;
    f.name = m.string(member(*fc, "name"), path + ".functionCall.name");
    const Json* args = member(*fc, "args");
    f.arguments = args != nullptr ? m.json_text(args, path + ".functionCall.args")
                                  : std::optional<std::string>("{}");
    call.function = std::move(f);
    calls.push_back(std::move(call));
    return;
  }
  if (const Json* fr = member2(p, "functionResponse", "function_response")) {
    Message msg;
    msg.role = "tool";
    msg.name = m.string(member(*fr, "name"), path + ".functionResponse.name");
    msg.tool_call_id = m.string(member(*fr, "id"), path + ".functionResponse.id");
    if (!msg.tool_call_id) msg.tool_call_id = msg.name;
    if (auto r = m.json_text(member(*fr, "response"), path + ".functionResponse.response")) {
      msg.content = MessageContent(std::move(*r));
    }
    tools.push_back(std::move(msg));
    return;
  }
  const char* media_key = nullptr;
  const Json* media = member(p, "inlineData");
  if (media != nullptr) {
    media_key = "inlineData";
  } else if ((media = member(p, "inline_data")) != nullptr) {
    media_key = "inline_data";
  } else if ((media = member(p, "fileData")) != nullptr) {
    media_key = "fileData";
  } else if ((media = member(p, "file_data")) != nullptr) {
    media_key = "file_data";
  }
  if (media != nullptr) {
    const Json* mime = member2(*media, "mimeType", "mime_type");
    const bool image = mime != nullptr && mime->is_string() &&
                       mime->get_ref<const std::string&>().rfind("image/", 0) == 0;
    const Json* data = member(*media, "data");
    const Json* uri = member2(*media, "fileUri", "file_uri");
    if (image && data != nullptr && data->is_string()) {
      ContentPart part;
      part.type = "image_url";
      part.image_url = Json{{"url", detail::data_url(mime->get_ref<const std::string&>(),
                                                     data->get_ref<const std::string&>())}};
      parts.push_back(std::move(part));
      return;
    }
    if (image && uri != nullptr && uri->is_string()) {
      ContentPart part;
      part.type = "image_url";
      part.image_url = Json{{"url", *uri}};
      parts.push_back(std::move(part));
      return;
    }
    ContentPart part;
    part.type = media_key;
    m.keep(part.extra, media_key, *media, path + "." + media_key);
    parts.push_back(std::move(part));
    return;
  }
  // executableCode, codeExecutionResult, ...: a part of the member's name.
  ContentPart part;
  part.type = p.empty() ? std::string("unknown") : p.begin().key();
  for (auto it = p.begin(); it != p.end(); ++it) {
    m.keep(part.extra, it.key(), it.value(), path + "." + it.key());
  }
  parts.push_back(std::move(part));
}

// A Content ({role, parts}) as chat messages.
void read_content(Mapper& m, const Json& c, const std::string& path, const char* default_role,
                  std::vector<Message>& out) {
  if (!c.is_object()) {
    m.skip(path, "not a content object");
    return;
  }
  std::string role = default_role;
  if (auto r = m.string(member(c, "role"), path + ".role")) role = std::move(*r);
  if (role == "model") role = "assistant";
  const Json* ps = member(c, "parts");
  std::vector<ContentPart> parts;
  std::vector<ToolCall> calls;
  std::vector<Message> tools;
  if (ps != nullptr && ps->is_array()) {
    for (std::size_t i = 0; i < ps->size(); ++i) {
      read_part(m, (*ps)[i], path + ".parts[" + std::to_string(i) + "]", parts, calls, tools);
    }
  } else if (ps != nullptr) {
    m.skip(path + ".parts", "not a list");
  }
  for (Message& t : tools)
    out.push_back(std::move(t));
  if (parts.empty() && calls.empty() && !tools.empty()) return;
  Message msg;
  msg.role = std::move(role);
  bool plain = !parts.empty();
  std::string text;
  for (const ContentPart& part : parts) {
    if (part.type != "text" || !part.extra.is_null() || !part.text) {
      plain = false;
      break;
    }
    text += *part.text;
  }
  if (plain) {
    msg.content = MessageContent(std::move(text));
  } else if (!parts.empty()) {
    msg.content = MessageContent(std::move(parts));
  }
  if (!calls.empty()) msg.tool_calls = std::move(calls);
  out.push_back(std::move(msg));
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
    for (auto it = t.begin(); it != t.end(); ++it) {
      const std::string& k = it.key();
      if ((k == "functionDeclarations" || k == "function_declarations") && it.value().is_array()) {
        for (const Json& d : it.value()) {
          if (!d.is_object()) continue;
          ToolDefinition def;
          ToolDefinition::Function f;
          if (auto n = m.string(member(d, "name"), path + ".functionDeclarations.name")) {
            f.name = std::move(*n);
          }
          f.description = m.string(member(d, "description"), path + ".description");
          const Json* params = member(d, "parameters");
          if (params == nullptr)
            params = member2(d, "parametersJsonSchema", "parameters_json_schema");
          f.parameters = m.copy(params, path + ".parameters");
          for (auto jt = d.begin(); jt != d.end(); ++jt) {
            const std::string& dk = jt.key();
            if (dk != "name" && dk != "description" && dk != "parameters" &&
                dk != "parametersJsonSchema" && dk != "parameters_json_schema") {
              f.extra[dk] = jt.value();
            }
          }
          def.function = std::move(f);
          tools.push_back(std::move(def));
        }
      } else {
        ToolDefinition def;
        def.type = k;
        def.extra[k] = it.value();
        tools.push_back(std::move(def));
      }
    }
  }
  m.log.tools = std::move(tools);
}

void read_tool_config(Mapper& m, const Json& v) {
  const Json* fcc = member2(v, "functionCallingConfig", "function_calling_config");
  const Json* mode = fcc != nullptr ? member(*fcc, "mode") : nullptr;
  const Json* allowed =
      fcc != nullptr ? member2(*fcc, "allowedFunctionNames", "allowed_function_names") : nullptr;
  bool mapped = true;
  if (mode != nullptr && *mode == "AUTO") {
    m.log.tool_choice = ToolChoice("auto");
  } else if (mode != nullptr && *mode == "NONE") {
    m.log.tool_choice = ToolChoice("none");
  } else if (mode != nullptr && *mode == "ANY") {
    if (allowed != nullptr && allowed->is_array() && allowed->size() == 1 &&
        (*allowed)[0].is_string()) {
      m.log.tool_choice = ToolChoice::function((*allowed)[0].get<std::string>());
      allowed = nullptr;
    } else {
      m.log.tool_choice = ToolChoice("required");
    }
  } else {
    mapped = false;
  }
  // What the choice does not say (several allowed names, other members) is kept as sent.
  const bool rest = allowed != nullptr || v.size() > 1 || (fcc != nullptr && fcc->size() > 2);
  if (!mapped || rest) m.keep(m.request_params, "toolConfig", v, "request.toolConfig");
}

void read_generation_config(Mapper& m, const Json& g) {
  if (!g.is_object()) {
    m.skip("request.generationConfig", "not an object");
    return;
  }
  RequestLog& log = m.log;
  Json kept = Json::object();
  Json format = Json::object();
  for (auto it = g.begin(); it != g.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    const std::string path = "request.generationConfig." + k;
    if (v.is_null()) continue;
    if (k == "temperature") {
      log.temperature = m.number(&v, path);
    } else if (k == "topP" || k == "top_p") {
      log.top_p = m.number(&v, path);
    } else if (k == "maxOutputTokens" || k == "max_output_tokens") {
      log.max_tokens = m.count(&v, path);
    } else if (k == "stopSequences" || k == "stop_sequences") {
      m.set_stop(&v, path);
    } else if (k == "presencePenalty" || k == "presence_penalty") {
      log.presence_penalty = m.number(&v, path);
    } else if (k == "frequencyPenalty" || k == "frequency_penalty") {
      log.frequency_penalty = m.number(&v, path);
    } else if (k == "responseMimeType" || k == "response_mime_type" || k == "responseSchema" ||
               k == "response_schema" || k == "responseJsonSchema" || k == "response_json_schema") {
      m.keep(format, k, v, path);
    } else {
      m.keep(kept, k, v, path);
    }
  }
  if (!format.empty()) log.response_format = std::move(format);
  if (!kept.empty()) m.request_params["generationConfig"] = std::move(kept);
}

void generate_request(Mapper& m, const Json& req, const Json& /*response*/) {
  std::vector<Message> msgs;
  if (const Json* sys = member2(req, "systemInstruction", "system_instruction")) {
    if (sys->is_string()) {
      msgs.push_back(Message::system(sys->get<std::string>()));
    } else {
      read_content(m, *sys, "request.systemInstruction", "system", msgs);
      if (!msgs.empty()) msgs.back().role = "system";
    }
  }
  for (auto it = req.begin(); it != req.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (v.is_null()) continue;
    if (k == "model") {
      if (auto s = m.string(&v, "request.model")) m.log.model = std::move(*s);
    } else if (k == "systemInstruction" || k == "system_instruction") {
      continue;
    } else if (k == "contents") {
      if (!v.is_array()) {
        m.skip("request.contents", "not a list");
        continue;
      }
      for (std::size_t i = 0; i < v.size(); ++i) {
        read_content(m, v[i], "request.contents[" + std::to_string(i) + "]", "user", msgs);
      }
    } else if (k == "tools") {
      read_tools(m, v);
    } else if (k == "toolConfig" || k == "tool_config") {
      read_tool_config(m, v);
    } else if (k == "generationConfig" || k == "generation_config") {
      read_generation_config(m, v);
    } else {
      m.keep(m.request_params, k, v, "request." + k);
    }
  }
  m.log.prompt_messages = std::move(msgs);
}

void read_usage(Mapper& m, const Json& u) {
  if (!u.is_object()) {
    m.skip("response.usageMetadata", "not an object");
    return;
  }
  Usage usage;
  std::optional<std::int64_t> candidates;
  std::optional<std::int64_t> thoughts;
  for (auto it = u.begin(); it != u.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    const std::string path = "response.usageMetadata." + k;
    if (v.is_null()) continue;
    if (k == "promptTokenCount") {
      usage.prompt_tokens = m.count(&v, path);
    } else if (k == "candidatesTokenCount") {
      candidates = m.count(&v, path);
    } else if (k == "totalTokenCount") {
      usage.total_tokens = m.count(&v, path);
    } else if (k == "cachedContentTokenCount") {
      usage.cache_read_input_tokens = m.count(&v, path);
    } else if (k == "thoughtsTokenCount") {
      thoughts = m.count(&v, path);
      if (thoughts) usage.extra["reasoning_tokens"] = *thoughts;
    } else {
      m.keep(usage.extra, k, v, path);
    }
  }
  if (candidates || thoughts) {
    const std::int64_t a = candidates.value_or(0);
    const std::int64_t b = thoughts.value_or(0);
    usage.completion_tokens = a > INT64_MAX - b ? INT64_MAX : a + b;
  }
  if (usage.prompt_tokens) m.log.prompt_tokens = usage.prompt_tokens;
  if (usage.completion_tokens) m.log.completion_tokens = usage.completion_tokens;
  m.log.usage = std::move(usage);
}

void read_candidate(Mapper& m, const Json& c) {
  if (!c.is_object()) {
    m.skip("response.candidates[0]", "not an object");
    return;
  }
  Json rest = Json::object();
  for (auto it = c.begin(); it != c.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (v.is_null() || k == "index") continue;
    if (k == "content") {
      std::vector<Message> msgs;
      read_content(m, v, "response.candidates[0].content", "model", msgs);
      // Tool messages cannot be an answer: keep the assistant message.
      for (Message& msg : msgs) {
        if (msg.role != "assistant") continue;
        if (msg.tool_calls && !msg.tool_calls->empty()) m.log.tool_calls = msg.tool_calls;
        m.log.completion_message = std::move(msg);
        break;
      }
    } else if (k == "finishReason") {
      if (auto s = m.string(&v, "response.candidates[0].finishReason")) {
        m.meta["finish_reason"] = std::move(*s);
      }
    } else {
      m.keep(rest, k, v, "response.candidates[0]." + k);
    }
  }
  if (!rest.empty()) m.response_fields["choice"] = std::move(rest);
}

void generate_response(Mapper& m, const Json& /*request*/, const Json& resp) {
  for (auto it = resp.begin(); it != resp.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (v.is_null()) continue;
    if (k == "responseId") {
      if (auto s = m.string(&v, "response.responseId")) m.meta["response_id"] = std::move(*s);
    } else if (k == "modelVersion") {
      if (auto s = m.string(&v, "response.modelVersion")) m.log.model = std::move(*s);
    } else if (k == "candidates") {
      if (!v.is_array()) {
        m.skip("response.candidates", "not a list");
        continue;
      }
      if (v.empty()) continue;
      read_candidate(m, v[0]);
      if (v.size() > 1) {
        Json others(Json::value_t::array);
        for (std::size_t i = 1; i < v.size(); ++i)
          others.push_back(v[i]);
        m.keep(m.response_fields, "other_choices", others, "response.candidates");
      }
    } else if (k == "usageMetadata") {
      read_usage(m, v);
    } else {
      if (k == "promptFeedback" && !m.meta.contains("finish_reason")) {
        if (const Json* br = member(v, "blockReason")) {
          if (br->is_string()) m.meta["finish_reason"] = *br;
        }
      }
      m.keep(m.response_fields, k, v, "response." + k);
    }
  }
}

bool generate_is_error(const Json& resp) {
  return resp.is_object() && member(resp, "error") != nullptr &&
         member(resp, "candidates") == nullptr;
}

}  // namespace

Result<RequestLog> generate_content_log(const Json& request, const Json& response,
                                        const ExchangeInfo& info) {
  return detail::make_log(request, response, info, "gemini", generate_request, generate_response,
                          generate_is_error);
}
Result<void> apply_generate_content(RequestLog& log, const Json& request, const Json& response,
                                    const ExchangeInfo& info) {
  return detail::apply(log, request, response, info, "gemini", generate_request, generate_response,
                       generate_is_error);
}
Result<void> record_generate_content(Span& span, const Json& request, const Json& response,
                                     const ExchangeInfo& info) {
  return detail::record(span, request, response, info, "gemini", generate_request,
                        generate_response, generate_is_error);
}

}  // namespace respan::adapters::gemini
