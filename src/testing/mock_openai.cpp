// The fake OpenAI Chat Completions endpoint of the mock server (see mock_openai.hpp and
// MockServerOptions::fake_openai).
//
// Answers are deterministic: the reply is "Mock answer to: " followed by the words of the last
// user message (at most kEchoWords of them), one token being one whitespace-separated word of
// text. Validation and error bodies follow OpenAI's API reference (`{"error": {"message",
// "type", "param", "code"}}`).
#include "testing/mock_openai.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "testing/mock_endpoint_util.hpp"
#include "util/json_limits.hpp"

namespace respan::testing::detail {

namespace {

constexpr std::size_t kEchoWords = 64;     // words of the user's message the reply repeats
constexpr std::int64_t kMaxChoices = 128;  // OpenAI's bound on `n`
constexpr const char* kReplyPrefix = "Mock answer to:";

// OpenAI's error body.
nlohmann::json openai_error(const std::string& message, const std::optional<std::string>& param,
                            const std::optional<std::string>& code,
                            const std::string& type = "invalid_request_error") {
  nlohmann::json error{{"message", message}, {"type", type}, {"param", nullptr}, {"code", nullptr}};
  if (param) error["param"] = *param;
  if (code) error["code"] = *code;
  return nlohmann::json{{"error", std::move(error)}};
}

// A request OpenAI refuses: status and body.
struct OpenAiRefusal {
  int status;
  nlohmann::json body;
};

OpenAiRefusal openai_invalid(const std::string& message, const std::string& param,
                             const std::string& code) {
  return {400, openai_error(message, param, code)};
}

// "a string", "an object", ... as OpenAI's messages name a JSON type.
std::string openai_type_name(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      return "an integer";
    case nlohmann::json::value_t::number_float:
      return "a decimal";
    case nlohmann::json::value_t::null:
      return "null";
    default:
      return "an unknown type";
  }
}

OpenAiRefusal openai_wrong_type(const std::string& param, const std::string& expected,
                                const nlohmann::json& got) {
  return openai_invalid("Invalid type for '" + param + "': expected " + expected + ", but got " +
                            openai_type_name(got) + " instead.",
                        param, "invalid_type");
}

// The whitespace-separated words of `text`.
std::vector<std::string> openai_words(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' ||
                               text[i] == '\r' || text[i] == '\f' || text[i] == '\v'))
      ++i;
    const std::size_t start = i;
    while (i < text.size() && !(text[i] == ' ' || text[i] == '\t' || text[i] == '\n' ||
                                text[i] == '\r' || text[i] == '\f' || text[i] == '\v'))
      ++i;
    if (i > start) out.emplace_back(text.substr(start, i - start));
  }
  return out;
}

// The text of a message's content: a string, or the `text` of its text parts joined by spaces.
std::string openai_content_text(const nlohmann::json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (content.is_array()) {
    for (const auto& part : content) {
      if (!part.is_object()) continue;
      const auto t = part.find("text");
      if (t == part.end() || !t->is_string()) continue;
      if (!out.empty()) out += ' ';
      out += t->get<std::string>();
    }
  }
  return out;
}

// Checks an integer parameter >= `min`; nullopt when absent, a refusal when invalid.
std::optional<OpenAiRefusal> openai_check_int(const nlohmann::json& body, const std::string& name,
                                              std::int64_t min, std::int64_t max,
                                              std::optional<std::int64_t>& out) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer()) return openai_wrong_type(name, "an integer", *it);
  const std::int64_t v = it->is_number_unsigned() && it->get<std::uint64_t>() > INT64_MAX
                             ? INT64_MAX
                             : it->get<std::int64_t>();
  if (v < min) {
    return openai_invalid("Invalid '" + name +
                              "': integer below minimum value. Expected a value >= " +
                              std::to_string(min) + ", but got " + std::to_string(v) + " instead.",
                          name, "integer_below_min_value");
  }
  if (v > max) {
    return openai_invalid("Invalid '" + name +
                              "': integer above maximum value. Expected a value <= " +
                              std::to_string(max) + ", but got " + std::to_string(v) + " instead.",
                          name, "integer_above_max_value");
  }
  out = v;
  return std::nullopt;
}

// What a valid request asks for.
struct OpenAiChat {
  std::string model;
  std::int64_t prompt_tokens = 0;
  std::string last_user_text;
  bool stream = false;
  bool include_usage = false;
  std::int64_t choices = 1;
  std::optional<std::int64_t> max_tokens;
};

// Validates the body as OpenAI does (the first problem found is reported).
std::optional<OpenAiRefusal> openai_validate(const nlohmann::json& body, OpenAiChat& chat) {
  if (!body.is_object()) {
    return openai_invalid("Invalid type for body: expected an object, but got " +
                              openai_type_name(body) + " instead.",
                          "body", "invalid_type");
  }
  const auto model = body.find("model");
  if (model == body.end() || model->is_null() ||
      (model->is_string() && model->get_ref<const std::string&>().empty())) {
    return OpenAiRefusal{
        400, openai_error("you must provide a model parameter", std::nullopt, std::nullopt)};
  }
  if (!model->is_string()) return openai_wrong_type("model", "a string", *model);
  chat.model = model->get<std::string>();

  const auto messages = body.find("messages");
  if (messages == body.end() || messages->is_null()) {
    return openai_invalid("Missing required parameter: 'messages'.", "messages",
                          "missing_required_parameter");
  }
  if (!messages->is_array()) return openai_wrong_type("messages", "an array", *messages);
  if (messages->empty()) {
    return openai_invalid(
        "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an "
        "empty array instead.",
        "messages", "empty_array");
  }
  for (std::size_t i = 0; i < messages->size(); ++i) {
    const nlohmann::json& m = (*messages)[i];
    const std::string where = "messages[" + std::to_string(i) + "]";
    if (!m.is_object()) return openai_wrong_type(where, "an object", m);
    const auto role = m.find("role");
    if (role == m.end() || role->is_null()) {
      return openai_invalid("Missing required parameter: '" + where + ".role'.", where + ".role",
                            "missing_required_parameter");
    }
    if (!role->is_string()) return openai_wrong_type(where + ".role", "a string", *role);
    const std::string& r = role->get_ref<const std::string&>();
    if (r != "system" && r != "developer" && r != "user" && r != "assistant" && r != "tool" &&
        r != "function") {
      return openai_invalid("Invalid value: '" + r.substr(0, 64) +
                                "'. Supported values are: 'system', 'assistant', 'user', "
                                "'function', 'tool', and 'developer'.",
                            where + ".role", "invalid_value");
    }
    const auto content = m.find("content");
    const bool content_optional = r == "assistant";  // an assistant turn may hold tool calls only
    if ((content == m.end() || content->is_null()) && !content_optional) {
      return openai_invalid("Missing required parameter: '" + where + ".content'.",
                            where + ".content", "missing_required_parameter");
    }
    if (content != m.end() && !content->is_null() && !content->is_string() &&
        !content->is_array()) {
      return openai_wrong_type(where + ".content", "one of a string or array of objects", *content);
    }
    if (content != m.end()) {
      const std::string text = openai_content_text(*content);
      chat.prompt_tokens += static_cast<std::int64_t>(openai_words(text).size());
      if (r == "user") chat.last_user_text = text;
    }
  }

  if (const auto s = body.find("stream"); s != body.end() && !s->is_null()) {
    if (!s->is_boolean()) return openai_wrong_type("stream", "a boolean", *s);
    chat.stream = s->get<bool>();
  }
  if (const auto so = body.find("stream_options"); so != body.end() && !so->is_null()) {
    if (!chat.stream) {
      return openai_invalid(
          "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
          "stream_options", "invalid_value");
    }
    if (!so->is_object()) return openai_wrong_type("stream_options", "an object", *so);
    if (const auto iu = so->find("include_usage"); iu != so->end() && !iu->is_null()) {
      if (!iu->is_boolean()) {
        return openai_wrong_type("stream_options.include_usage", "a boolean", *iu);
      }
      chat.include_usage = iu->get<bool>();
    }
  }
  std::optional<std::int64_t> n;
  if (auto bad = openai_check_int(body, "n", 1, kMaxChoices, n)) return bad;
  if (n) chat.choices = *n;
  if (auto bad = openai_check_int(body, "max_completion_tokens", 1, INT64_MAX, chat.max_tokens)) {
    return bad;
  }
  if (!chat.max_tokens) {
    if (auto bad = openai_check_int(body, "max_tokens", 1, INT64_MAX, chat.max_tokens)) return bad;
  }
  return std::nullopt;
}

// The reply's words and finish reason.
struct OpenAiReply {
  std::vector<std::string> pieces;  // content deltas: the words, with the space before them
  std::string text;
  std::string finish_reason = "stop";
};

OpenAiReply openai_reply(const OpenAiChat& chat) {
  std::vector<std::string> words = openai_words(kReplyPrefix);
  std::vector<std::string> echo = openai_words(chat.last_user_text);
  if (echo.size() > kEchoWords) echo.resize(kEchoWords);
  for (auto& w : echo) {
    if (w.size() > 64) {  // bounded, cut before the UTF-8 sequence the cut may have split
      w.resize(64);
      while (!w.empty() && (static_cast<unsigned char>(w.back()) & 0xC0) == 0x80)
        w.pop_back();
      if (!w.empty() && (static_cast<unsigned char>(w.back()) & 0x80) != 0) w.pop_back();
    }
    if (!w.empty()) words.push_back(std::move(w));
  }
  if (echo.empty()) words.emplace_back("(nothing)");
  OpenAiReply out;
  if (chat.max_tokens && static_cast<std::uint64_t>(*chat.max_tokens) < words.size()) {
    words.resize(static_cast<std::size_t>(*chat.max_tokens));
    out.finish_reason = "length";
  }
  for (std::size_t i = 0; i < words.size(); ++i) {
    out.pieces.push_back(i == 0 ? words[i] : " " + words[i]);
    out.text += out.pieces.back();
  }
  return out;
}

nlohmann::json openai_usage(const OpenAiChat& chat, const OpenAiReply& reply) {
  const auto completion = static_cast<std::int64_t>(reply.pieces.size()) * chat.choices;
  return nlohmann::json{{"prompt_tokens", chat.prompt_tokens},
                        {"completion_tokens", completion},
                        {"total_tokens", chat.prompt_tokens + completion},
                        {"prompt_tokens_details", {{"cached_tokens", 0}}},
                        {"completion_tokens_details", {{"reasoning_tokens", 0}}}};
}

std::int64_t openai_created() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The events of a streamed answer, `[DONE]` included.
std::vector<std::string> openai_stream_events(const OpenAiChat& chat, const OpenAiReply& reply,
                                              const std::string& id) {
  const std::int64_t created = openai_created();
  std::vector<std::string> events;
  auto chunk = [&](nlohmann::json choices) {
    nlohmann::json c{{"id", id},
                     {"object", "chat.completion.chunk"},
                     {"created", created},
                     {"model", chat.model},
                     {"system_fingerprint", "fp_mock"},
                     {"choices", std::move(choices)}};
    if (chat.include_usage) c["usage"] = nullptr;  // every chunk but the last, as documented
    return c;
  };
  auto emit = [&](const nlohmann::json& c) { events.push_back("data: " + c.dump() + "\n\n"); };
  for (std::int64_t i = 0; i < chat.choices; ++i) {
    auto choice = [&](nlohmann::json delta, const nlohmann::json& finish) {
      return nlohmann::json::array({{{"index", i},
                                     {"delta", std::move(delta)},
                                     {"logprobs", nullptr},
                                     {"finish_reason", finish}}});
    };
    emit(chunk(choice({{"role", "assistant"}, {"content", ""}}, nullptr)));
    for (const std::string& piece : reply.pieces)
      emit(chunk(choice({{"content", piece}}, nullptr)));
    emit(chunk(choice(nlohmann::json::object(), reply.finish_reason)));
  }
  if (chat.include_usage) {
    nlohmann::json last = chunk(nlohmann::json::array());
    last["usage"] = openai_usage(chat, reply);
    emit(last);
  }
  events.emplace_back("data: [DONE]\n\n");
  return events;
}

nlohmann::json openai_completion(const OpenAiChat& chat, const OpenAiReply& reply,
                                 const std::string& id) {
  nlohmann::json choices = nlohmann::json::array();
  for (std::int64_t i = 0; i < chat.choices; ++i) {
    choices.push_back({{"index", i},
                       {"message", {{"role", "assistant"}, {"content", reply.text}}},
                       {"finish_reason", reply.finish_reason}});
  }
  return nlohmann::json{{"id", id},
                        {"object", "chat.completion"},
                        {"created", openai_created()},
                        {"model", chat.model},
                        {"system_fingerprint", "fp_mock"},
                        {"choices", std::move(choices)},
                        {"usage", openai_usage(chat, reply)}};
}

}  // namespace

int serve_fake_openai(const OpenAiHttp& http) {
  if (http.raw_path.rfind("/v1/", 0) != 0) return 0;
  auto answer = [&](int status, const nlohmann::json& body) {
    http.reply(status, body);
    return status;
  };

  // Authentication first, as OpenAI does.
  const std::string& header = http.authorization;
  std::string key;
  if (header.size() > 7 && lower(header.substr(0, 7)) == "bearer ") {
    key = header.substr(7);
    key.erase(0, key.find_first_not_of(' '));
    const auto last = key.find_last_not_of(' ');
    key.erase(last == std::string::npos ? 0 : last + 1);
  }
  if (http.require_auth && (key.empty() || !http.accepts_key(key))) {
    // The key is never repeated (OpenAI shows a masked copy; the mock shows none).
    return answer(401, key.empty()
                           ? openai_error("You didn't provide an API key. You need to provide "
                                          "your API key in an Authorization header using Bearer "
                                          "auth (i.e. Authorization: Bearer YOUR_KEY).",
                                          std::nullopt, std::nullopt)
                           : openai_error("Incorrect API key provided.", std::nullopt,
                                          std::string("invalid_api_key")));
  }
  if (http.method != "POST" || http.raw_path != "/v1/chat/completions") {
    return answer(
        404, openai_error("Invalid URL (" + http.method + " " + http.raw_path.substr(0, 256) + ")",
                          std::nullopt, std::nullopt));
  }

  const respan::detail::BoundedJson parsed = respan::detail::parse_json_bounded(http.body);
  if (parsed.status != respan::detail::JsonParseStatus::ok || has_non_finite_number(parsed.value)) {
    return answer(400, openai_error("We could not parse the JSON body of your request. (HINT: "
                                    "This likely means you aren't using your HTTP library "
                                    "correctly. The OpenAI API expects a JSON payload, but what "
                                    "was sent was not valid JSON.)",
                                    std::nullopt, std::nullopt));
  }
  OpenAiChat chat;
  if (std::optional<OpenAiRefusal> bad = openai_validate(parsed.value, chat)) {
    return answer(bad->status, bad->body);
  }
  const OpenAiReply reply = openai_reply(chat);
  const std::string id = "chatcmpl-mock-" + std::to_string(http.next_sequence());
  if (chat.stream) {
    http.stream(openai_stream_events(chat, reply, id));
    return 200;
  }
  return answer(200, openai_completion(chat, reply, id));
}

}  // namespace respan::testing::detail
