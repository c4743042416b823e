// StreamAccumulator: a bounded server-sent-events reader and one assembler per stream format
// that rebuilds the provider's non-streaming answer, then hands it to the matching adapter.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <respan/adapters/anthropic.hpp>
#include <respan/adapters/gemini.hpp>
#include <respan/adapters/openai.hpp>
#include <respan/adapters/stream.hpp>

#include "adapters/adapter_util.hpp"
#include "util/json_limits.hpp"

namespace respan::adapters {
namespace {

using detail::member;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxEventNameBytes = 256;

// An index from the stream ("index", "output_index"): a count below `cap`, else nullopt.
std::optional<std::size_t> index_of(const Json* v, std::size_t fallback, std::size_t cap) {
  std::size_t i = fallback;
  if (v != nullptr) {
    const std::optional<std::int64_t> n = ::respan::detail::json_count(*v);
    if (!n) return std::nullopt;
    if (static_cast<std::uint64_t>(*n) >= cap) return std::nullopt;
    i = static_cast<std::size_t>(*n);
  }
  if (i >= cap) return std::nullopt;
  return i;
}

const std::string* str_of(const Json* v) {
  return (v != nullptr && v->is_string()) ? &v->get_ref<const std::string&>() : nullptr;
}

// Merges the members of `from` into `into` (an object): strings are appended to strings,
// everything else replaces.
void merge_delta_member(Json& into, const std::string& k, const Json& v) {
  if (v.is_string()) {
    Json& cur = into[k];
    if (cur.is_string()) {
      cur.get_ref<std::string&>() += v.get_ref<const std::string&>();
      return;
    }
  }
  into[k] = v;
}

struct ToolCallState {
  Json fixed = Json::object();  // id, type and any other member (last wins)
  std::string name;
  std::string arguments;
  bool has_name = false;
};

struct ChatChoice {
  std::optional<std::string> role;
  std::string content;
  bool has_content = false;
  Json delta_extra = Json::object();  // refusal, reasoning_content, audio, ...
  std::map<std::size_t, ToolCallState> tools;
  std::optional<std::string> finish_reason;
  Json extra = Json::object();  // logprobs, native_finish_reason, stop_reason, ...
};

struct AnthropicBlock {
  Json block;                // the content block being assembled
  std::string partial_json;  // tool_use input
  bool stopped = false;
};

struct GeminiCandidate {
  std::optional<std::string> role;
  Json parts = Json::array();
  Json extra = Json::object();
};

}  // namespace

struct StreamAccumulator::Impl {
  StreamFormat format;
  StreamLimits limits;
  std::function<Clock::time_point()> clock;

  Clock::time_point started{};
  std::optional<Clock::time_point> first_delta;
  std::optional<Clock::time_point> last_delta;
  std::optional<Clock::time_point> last_byte;
  std::optional<Clock::time_point> ended;

  // SSE reader state.
  std::string line;
  bool skipping_line = false;
  bool last_cr = false;
  bool first_line = true;
  std::string event_name;
  std::string data;
  bool data_seen = false;
  bool event_broken = false;
  std::size_t total = 0;
  bool truncated = false;
  std::size_t skipped = 0;
  bool done = false;

  std::string text;  // the first choice's text
  std::string out;   // text completed by the current feed()/finish()
  Json error;        // an error the stream reported (null: none)

  // openai_chat
  Json chat = Json::object();  // id, model, created, usage, unknown members
  std::map<std::size_t, ChatChoice> choices;
  // anthropic
  Json message;  // from message_start
  std::map<std::size_t, AnthropicBlock> blocks;
  // openai_responses
  Json response_base;   // from response.created
  Json final_response;  // from response.completed / .failed / .incomplete
  std::map<std::size_t, Json> items;
  std::map<std::size_t, std::string> item_text;
  std::map<std::size_t, std::string> item_args;
  // gemini
  Json gemini = Json::object();
  std::map<std::size_t, GeminiCandidate> candidates;

  Impl(StreamFormat f, StreamOptions o) : format(f), limits(o.limits), clock(std::move(o.clock)) {
    if (!clock) clock = [] { return Clock::now(); };
    started = clock();
  }

  void output_delta(const std::string& piece, bool first_choice, Clock::time_point now) {
    mark_delta(now);
    if (first_choice) {
      text += piece;
      out += piece;
    }
  }
  void mark_delta(Clock::time_point now) {
    if (!first_delta) first_delta = now;
    last_delta = now;
  }

  // ------------------------------------------------------------ SSE
  void feed(std::string_view bytes) {
    if (truncated || ended) return;
    const std::size_t room = limits.max_total_bytes - std::min(total, limits.max_total_bytes);
    if (bytes.size() > room) {
      bytes = bytes.substr(0, room);
      truncated = true;
    }
    total += bytes.size();
    if (!bytes.empty()) last_byte = clock();
    std::size_t i = 0;
    if (last_cr && !bytes.empty()) {
      if (bytes[0] == '\n') i = 1;  // the LF of a CRLF split between two feeds
      last_cr = false;
    }
    while (i < bytes.size()) {
      const std::size_t pos = bytes.find_first_of("\r\n", i);
      const std::string_view seg =
          bytes.substr(i, pos == std::string_view::npos ? std::string_view::npos : pos - i);
      if (!skipping_line) {
        if (line.size() + seg.size() > limits.max_line_bytes) {
          skipping_line = true;
          event_broken = true;
          line.clear();
          line.shrink_to_fit();
        } else {
          line.append(seg);
        }
      }
      if (pos == std::string_view::npos) break;
      end_of_line();
      if (bytes[pos] == '\r') {
        if (pos + 1 < bytes.size()) {
          i = bytes[pos + 1] == '\n' ? pos + 2 : pos + 1;
        } else {
          last_cr = true;
          i = pos + 1;
        }
      } else {
        i = pos + 1;
      }
    }
  }

  void end_of_line() {
    if (skipping_line) {
      skipping_line = false;
      first_line = false;
      return;
    }
    std::string_view l = line;
    if (first_line) {
      first_line = false;
      if (l.substr(0, 3) == "\xEF\xBB\xBF") l.remove_prefix(3);
    }
    process_line(l);
    line.clear();
  }

  void process_line(std::string_view l) {
    if (l.empty()) {
      dispatch();
      return;
    }
    if (l[0] == ':') return;  // a comment (": OPENROUTER PROCESSING", keep-alives)
    const std::size_t colon = l.find(':');
    const std::string_view field = l.substr(0, colon);
    std::string_view value;
    if (colon != std::string_view::npos) {
      value = l.substr(colon + 1);
      if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
    }
    if (field == "data") {
      if (event_broken) return;
      if (data.size() + value.size() + 1 > limits.max_event_bytes) {
        event_broken = true;
        data.clear();
        data.shrink_to_fit();
        return;
      }
      if (data_seen) data += '\n';
      data.append(value);
      data_seen = true;
    } else if (field == "event") {
      event_name.assign(value.substr(0, kMaxEventNameBytes));
    }
    // id, retry and unknown fields: nothing to do.
  }

  void dispatch() {
    if (event_broken) {
      ++skipped;
    } else if (data_seen) {
      handle_event();
    }
    event_name.clear();
    data.clear();
    data_seen = false;
    event_broken = false;
  }

  void finish() {
    if (ended) return;
    if (!truncated || !line.empty()) {
      if (!skipping_line && !line.empty()) {
        std::string_view l = line;
        if (first_line && l.substr(0, 3) == "\xEF\xBB\xBF") l.remove_prefix(3);
        process_line(l);
      }
    }
    line.clear();
    skipping_line = false;
    dispatch();
    ended = clock();
  }

  // ------------------------------------------------------------ events
  void handle_event() {
    const Clock::time_point now = clock();
    if (data == "[DONE]") {
      done = true;
      return;
    }
    ::respan::detail::BoundedJson parsed = ::respan::detail::parse_json_bounded(data);
    if (parsed.status != ::respan::detail::JsonParseStatus::ok || !parsed.value.is_object()) {
      ++skipped;
      return;
    }
    bool used = false;
    switch (format) {
      case StreamFormat::openai_chat:
        used = chat_event(parsed.value, now);
        break;
      case StreamFormat::openai_responses:
        used = responses_event(parsed.value, now);
        break;
      case StreamFormat::anthropic:
        used = anthropic_event(parsed.value, now);
        break;
      case StreamFormat::gemini:
        used = gemini_event(parsed.value, now);
        break;
    }
    if (!used) ++skipped;
  }

  // OpenAI chat chunks.
  bool chat_event(Json& obj, Clock::time_point now) {
    if (member(obj, "error") != nullptr && member(obj, "choices") == nullptr) {
      error = std::move(obj);
      return true;
    }
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      const std::string& k = it.key();
      Json& v = it.value();
      if (k == "choices") {
        if (!v.is_array()) return false;
        for (std::size_t pos = 0; pos < v.size(); ++pos)
          chat_choice(v[pos], pos, now);
      } else if (k == "object") {
        continue;
      } else if (v.is_null() && k == "usage") {
        continue;  // every chunk but the last with include_usage
      } else {
        chat[k] = std::move(v);
      }
    }
    return true;
  }

  void chat_choice(Json& c, std::size_t pos, Clock::time_point now) {
    if (!c.is_object()) return;
    const auto idx = index_of(member(c, "index"), pos, limits.max_choices);
    if (!idx) return;
    ChatChoice& ch = choices[*idx];
    const bool first = *idx == 0;
    for (auto it = c.begin(); it != c.end(); ++it) {
      const std::string& k = it.key();
      Json& v = it.value();
      if (k == "index") continue;
      if (k == "delta" || k == "message") {
        if (!v.is_object()) continue;
        for (auto dt = v.begin(); dt != v.end(); ++dt) {
          const std::string& dk = dt.key();
          Json& dv = dt.value();
          if (dv.is_null()) continue;
          if (dk == "role") {
            if (dv.is_string()) ch.role = dv.get<std::string>();
          } else if (dk == "content") {
            if (!dv.is_string()) continue;
            const std::string& piece = dv.get_ref<const std::string&>();
            ch.has_content = true;
            ch.content += piece;
            if (!piece.empty()) output_delta(piece, first, now);
          } else if (dk == "tool_calls") {
            if (!dv.is_array()) continue;
            for (std::size_t t = 0; t < dv.size(); ++t)
              chat_tool_delta(ch, dv[t], t, now);
          } else {
            if (dv.is_string() && !dv.get_ref<const std::string&>().empty()) mark_delta(now);
            merge_delta_member(ch.delta_extra, dk, dv);
          }
        }
      } else if (k == "finish_reason") {
        if (v.is_string()) ch.finish_reason = v.get<std::string>();
      } else if (!v.is_null()) {
        ch.extra[k] = std::move(v);
      }
    }
  }

  void chat_tool_delta(ChatChoice& ch, const Json& d, std::size_t pos, Clock::time_point now) {
    if (!d.is_object()) return;
    const auto idx = index_of(member(d, "index"), pos, limits.max_tool_calls);
    if (!idx) return;
    ToolCallState& tc = ch.tools[*idx];
    mark_delta(now);
    for (auto it = d.begin(); it != d.end(); ++it) {
      const std::string& k = it.key();
      const Json& v = it.value();
      if (k == "index" || v.is_null()) continue;
      if (k == "function" && v.is_object()) {
        if (const std::string* n = str_of(member(v, "name"))) {
          tc.name += *n;
          tc.has_name = true;
        }
        if (const std::string* a = str_of(member(v, "arguments"))) tc.arguments += *a;
      } else {
        tc.fixed[k] = v;
      }
    }
  }

  Json chat_response() const {
    if (!error.is_null()) return error;  // the text before it: keep_partial_text()
    Json r = chat;
    r["object"] = "chat.completion";
    Json cs = Json::array();
    for (const auto& [idx, ch] : choices) {
      Json msg = Json::object();
      msg["role"] = ch.role.value_or("assistant");
      if (ch.has_content) msg["content"] = ch.content;
      for (auto it = ch.delta_extra.begin(); it != ch.delta_extra.end(); ++it) {
        msg[it.key()] = it.value();
      }
      if (!ch.tools.empty()) {
        Json calls = Json::array();
        for (const auto& [tidx, tc] : ch.tools) {
          Json call = tc.fixed;
          if (!call.contains("type")) call["type"] = "function";
          Json fn = Json::object();
          if (tc.has_name) fn["name"] = tc.name;
          fn["arguments"] = tc.arguments;
          call["function"] = std::move(fn);
          calls.push_back(std::move(call));
        }
        msg["tool_calls"] = std::move(calls);
      }
      Json c = ch.extra;
      c["index"] = idx;
      c["message"] = std::move(msg);
      if (ch.finish_reason) c["finish_reason"] = *ch.finish_reason;
      cs.push_back(std::move(c));
    }
    r["choices"] = std::move(cs);
    return r;
  }

  // Anthropic events.
  bool anthropic_event(Json& obj, Clock::time_point now) {
    const std::string* type = str_of(member(obj, "type"));
    if (type == nullptr) return false;
    const std::string& t = *type;
    if (t == "message_start") {
      Json* m = obj.contains("message") ? &obj["message"] : nullptr;
      if (m == nullptr || !m->is_object()) return false;
      message = std::move(*m);
      message["content"] = Json::array();
      return true;
    }
    if (t == "content_block_start") {
      const auto idx = index_of(member(obj, "index"), 0, limits.max_choices);
      const Json* b = member(obj, "content_block");
      if (!idx || b == nullptr || !b->is_object()) return false;
      AnthropicBlock& blk = blocks[*idx];
      blk.block = *b;
      if (const std::string* t0 = str_of(member(*b, "text")); t0 != nullptr && !t0->empty()) {
        output_delta(*t0, true, now);
      }
      return true;
    }
    if (t == "content_block_delta") {
      const auto idx = index_of(member(obj, "index"), 0, limits.max_choices);
      const Json* d = member(obj, "delta");
      if (!idx || d == nullptr || !d->is_object()) return false;
      AnthropicBlock& blk = blocks[*idx];
      if (!blk.block.is_object()) blk.block = Json::object();
      const std::string* dt = str_of(member(*d, "type"));
      if (dt == nullptr) return false;
      if (*dt == "text_delta") {
        const std::string* piece = str_of(member(*d, "text"));
        if (piece == nullptr) return false;
        merge_delta_member(blk.block, "text", *member(*d, "text"));
        if (!blk.block.contains("type")) blk.block["type"] = "text";
        output_delta(*piece, true, now);
      } else if (*dt == "input_json_delta") {
        const std::string* piece = str_of(member(*d, "partial_json"));
        if (piece == nullptr) return false;
        blk.partial_json += *piece;
        mark_delta(now);
      } else if (*dt == "thinking_delta") {
        const Json* piece = member(*d, "thinking");
        if (piece == nullptr || !piece->is_string()) return false;
        merge_delta_member(blk.block, "thinking", *piece);
        mark_delta(now);
      } else if (*dt == "signature_delta") {
        if (const Json* s = member(*d, "signature")) blk.block["signature"] = *s;
      } else if (*dt == "citations_delta") {
        if (const Json* c = member(*d, "citation")) blk.block["citations"].push_back(*c);
      } else {
        for (auto it = d->begin(); it != d->end(); ++it) {
          if (it.key() != "type") merge_delta_member(blk.block, it.key(), it.value());
        }
      }
      return true;
    }
    if (t == "content_block_stop") {
      const auto idx = index_of(member(obj, "index"), 0, limits.max_choices);
      if (!idx) return false;
      auto it = blocks.find(*idx);
      if (it != blocks.end()) it->second.stopped = true;
      return true;
    }
    if (t == "message_delta") {
      if (!message.is_object()) message = Json::object();
      if (const Json* d = member(obj, "delta")) {
        if (d->is_object()) {
          for (auto it = d->begin(); it != d->end(); ++it)
            message[it.key()] = it.value();
        }
      }
      if (const Json* u = member(obj, "usage")) {
        if (u->is_object()) {
          Json& mu = message["usage"];
          if (!mu.is_object()) mu = Json::object();
          for (auto it = u->begin(); it != u->end(); ++it) {
            if (!it.value().is_null()) mu[it.key()] = it.value();
          }
        }
      }
      return true;
    }
    if (t == "message_stop") {
      done = true;
      return true;
    }
    if (t == "ping") return true;
    if (t == "error") {
      error = std::move(obj);
      return true;
    }
    return false;
  }

  Json anthropic_response() const {
    if (!error.is_null()) return error;
    Json r = message.is_object() ? message : Json::object();
    if (!r.contains("type")) r["type"] = "message";
    if (!r.contains("role")) r["role"] = "assistant";
    Json content = Json::array();
    for (const auto& [idx, blk] : blocks) {
      Json b = blk.block.is_object() ? blk.block : Json::object();
      const std::string* t = str_of(member(b, "type"));
      if (t != nullptr && (*t == "tool_use" || *t == "server_tool_use")) {
        if (blk.partial_json.empty()) {
          if (!b.contains("input")) b["input"] = Json::object();
        } else {
          ::respan::detail::BoundedJson in = ::respan::detail::parse_json_bounded(blk.partial_json);
          if (in.status == ::respan::detail::JsonParseStatus::ok && in.value.is_object()) {
            b["input"] = std::move(in.value);
          } else {
            b.erase("input");
            b["input_json"] = blk.partial_json;
          }
        }
      }
      content.push_back(std::move(b));
    }
    r["content"] = std::move(content);
    return r;
  }

  // OpenAI Responses events.
  bool responses_event(Json& obj, Clock::time_point now) {
    const std::string* type = str_of(member(obj, "type"));
    if (type == nullptr) return false;
    const std::string& t = *type;
    if (t == "response.created" || t == "response.in_progress" || t == "response.queued") {
      if (Json* r = obj.contains("response") ? &obj["response"] : nullptr; r && r->is_object()) {
        response_base = std::move(*r);
        return true;
      }
      return false;
    }
    if (t == "response.completed" || t == "response.failed" || t == "response.incomplete") {
      if (Json* r = obj.contains("response") ? &obj["response"] : nullptr; r && r->is_object()) {
        final_response = std::move(*r);
        done = true;
        return true;
      }
      return false;
    }
    if (t == "response.output_item.added" || t == "response.output_item.done") {
      const auto idx = index_of(member(obj, "output_index"), 0, limits.max_choices);
      const Json* item = member(obj, "item");
      if (!idx || item == nullptr || !item->is_object()) return false;
      items[*idx] = *item;
      return true;
    }
    if (t == "response.output_text.delta" || t == "response.refusal.delta") {
      const auto idx = index_of(member(obj, "output_index"), 0, limits.max_choices);
      const std::string* d = str_of(member(obj, "delta"));
      if (!idx || d == nullptr) return false;
      if (t == "response.output_text.delta") {
        item_text[*idx] += *d;
        output_delta(*d, true, now);
      } else {
        mark_delta(now);
      }
      return true;
    }
    if (t == "response.function_call_arguments.delta") {
      const auto idx = index_of(member(obj, "output_index"), 0, limits.max_choices);
      const std::string* d = str_of(member(obj, "delta"));
      if (!idx || d == nullptr) return false;
      item_args[*idx] += *d;
      mark_delta(now);
      return true;
    }
    if (t.rfind("response.reasoning", 0) == 0 && t.size() > 6 &&
        t.compare(t.size() - 6, 6, ".delta") == 0) {
      mark_delta(now);
      return true;
    }
    if (t == "error") {
      Json e = Json::object();
      for (auto it = obj.begin(); it != obj.end(); ++it) {
        if (it.key() != "type" && it.key() != "sequence_number") e[it.key()] = it.value();
      }
      error = Json{{"error", std::move(e)}};
      return true;
    }
    // Other events (content_part.added/done, output_text.done, annotations, ...): nothing
    // that response.completed does not repeat.
    return true;
  }

  Json responses_response() const {
    if (final_response.is_object()) return final_response;
    if (!error.is_null()) return error;
    Json r = response_base.is_object() ? response_base : Json::object();
    r["object"] = "response";
    Json output = Json::array();
    for (const auto& [idx, item] : items) {
      Json it = item;
      const std::string* type = str_of(member(it, "type"));
      if (type != nullptr && *type == "message") {
        const Json* content = member(it, "content");
        const auto txt = item_text.find(idx);
        if ((content == nullptr || !content->is_array() || content->empty()) &&
            txt != item_text.end()) {
          it["content"] = Json::array({Json{{"type", "output_text"}, {"text", txt->second}}});
        }
      } else if (type != nullptr && *type == "function_call") {
        const auto args = item_args.find(idx);
        if (!it.contains("arguments") && args != item_args.end()) it["arguments"] = args->second;
      }
      output.push_back(std::move(it));
    }
    // Text deltas of items never announced.
    for (const auto& [idx, txt] : item_text) {
      if (items.count(idx) != 0) continue;
      output.push_back(
          Json{{"type", "message"},
               {"role", "assistant"},
               {"content", Json::array({Json{{"type", "output_text"}, {"text", txt}}})}});
    }
    r["output"] = std::move(output);
    return r;
  }

  // Gemini streamGenerateContent chunks.
  bool gemini_event(Json& obj, Clock::time_point now) {
    if (member(obj, "error") != nullptr && member(obj, "candidates") == nullptr) {
      error = std::move(obj);
      return true;
    }
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      const std::string& k = it.key();
      Json& v = it.value();
      if (k == "candidates") {
        if (!v.is_array()) return false;
        for (std::size_t pos = 0; pos < v.size(); ++pos)
          gemini_candidate(v[pos], pos, now);
      } else if (!v.is_null()) {
        gemini[k] = std::move(v);
      }
    }
    return true;
  }

  void gemini_candidate(Json& c, std::size_t pos, Clock::time_point now) {
    if (!c.is_object()) return;
    const auto idx = index_of(member(c, "index"), pos, limits.max_choices);
    if (!idx) return;
    GeminiCandidate& cand = candidates[*idx];
    for (auto it = c.begin(); it != c.end(); ++it) {
      const std::string& k = it.key();
      Json& v = it.value();
      if (k == "index" || v.is_null()) continue;
      if (k == "content" && v.is_object()) {
        if (const std::string* role = str_of(member(v, "role"))) cand.role = *role;
        const Json* parts = member(v, "parts");
        if (parts == nullptr || !parts->is_array()) continue;
        for (const Json& p : *parts) {
          if (!p.is_object()) continue;
          const Json* ptext = member(p, "text");
          const bool thought = member(p, "thought") != nullptr && *member(p, "thought") == true;
          if (ptext != nullptr && ptext->is_string() && p.size() == (thought ? 2u : 1u)) {
            // Consecutive text parts of the same kind are one part.
            Json& last = cand.parts.empty() ? cand.parts : cand.parts.back();
            const bool last_thought = last.is_object() && member(last, "thought") != nullptr &&
                                      *member(last, "thought") == true;
            if (!cand.parts.empty() && last.is_object() && member(last, "text") != nullptr &&
                last.size() == (last_thought ? 2u : 1u) && last_thought == thought) {
              last["text"].get_ref<std::string&>() += ptext->get_ref<const std::string&>();
            } else {
              cand.parts.push_back(p);
            }
            if (!thought) {
              output_delta(ptext->get_ref<const std::string&>(), *idx == 0, now);
            } else {
              mark_delta(now);
            }
          } else {
            if (member(p, "functionCall") != nullptr || ptext != nullptr) mark_delta(now);
            cand.parts.push_back(p);
          }
        }
      } else {
        if (k == "finishReason") done = true;
        cand.extra[k] = std::move(v);
      }
    }
  }

  Json gemini_response() const {
    if (!error.is_null()) return error;
    Json r = gemini;
    Json cs = Json::array();
    for (const auto& [idx, cand] : candidates) {
      Json c = cand.extra;
      c["index"] = idx;
      c["content"] = Json{{"role", cand.role.value_or("model")}, {"parts", cand.parts}};
      cs.push_back(std::move(c));
    }
    r["candidates"] = std::move(cs);
    return r;
  }

  Json response() const {
    switch (format) {
      case StreamFormat::openai_chat:
        return chat_response();
      case StreamFormat::openai_responses:
        return responses_response();
      case StreamFormat::anthropic:
        return anthropic_response();
      case StreamFormat::gemini:
        return gemini_response();
    }
    return Json::object();
  }

  // Output tokens the stream reported.
  std::optional<std::int64_t> output_tokens() const {
    const auto count_at = [](const Json& obj, const char* k) -> std::optional<std::int64_t> {
      const Json* v = member(obj, k);
      return v != nullptr ? ::respan::detail::json_count(*v) : std::nullopt;
    };
    switch (format) {
      case StreamFormat::openai_chat: {
        const Json* u = member(chat, "usage");
        return u != nullptr ? count_at(*u, "completion_tokens") : std::nullopt;
      }
      case StreamFormat::openai_responses: {
        const Json* u = member(final_response, "usage");
        return u != nullptr ? count_at(*u, "output_tokens") : std::nullopt;
      }
      case StreamFormat::anthropic: {
        const Json* u = member(message, "usage");
        return u != nullptr ? count_at(*u, "output_tokens") : std::nullopt;
      }
      case StreamFormat::gemini: {
        const Json* u = member(gemini, "usageMetadata");
        if (u == nullptr) return std::nullopt;
        const auto a = count_at(*u, "candidatesTokenCount");
        const auto b = count_at(*u, "thoughtsTokenCount");
        if (!a && !b) return std::nullopt;
        const std::int64_t x = a.value_or(0);
        const std::int64_t y = b.value_or(0);
        return x > INT64_MAX - y ? INT64_MAX : x + y;
      }
    }
    return std::nullopt;
  }

  std::optional<double> tokens_per_second() const {
    const auto n = output_tokens();
    if (!n || !first_delta || !last_delta) return std::nullopt;
    const double secs = std::chrono::duration<double>(*last_delta - *first_delta).count();
    if (!(secs > 0)) return std::nullopt;
    return static_cast<double>(*n) / secs;
  }

  ExchangeInfo complete(const ExchangeInfo& given) const {
    ExchangeInfo info = given;
    if (!info.stream) info.stream = true;
    if (!info.time_to_first_token && first_delta) info.time_to_first_token = *first_delta - started;
    if (!info.tokens_per_second) info.tokens_per_second = tokens_per_second();
    if (!info.latency) {
      const std::optional<Clock::time_point> end = ended ? ended : last_byte;
      if (end) info.latency = *end - started;
    }
    return info;
  }

  void note_limits(RequestLog& log) const {
    std::string note;
    if (truncated) {
      note = "stream truncated at " + std::to_string(limits.max_total_bytes) + " bytes";
    }
    if (skipped > 0) {
      if (!note.empty()) note += "; ";
      note += std::to_string(skipped) + " stream events skipped";
    }
    if (note.empty()) return;
    if (log.warnings && log.warnings->is_string()) {
      log.warnings = Warnings(log.warnings->as_string() + "; " + note);
    } else if (!log.warnings) {
      log.warnings = Warnings(std::move(note));
    }
  }

  Result<void> apply_to(RequestLog& log, const Json& request, const ExchangeInfo& given) const {
    const ExchangeInfo info = complete(given);
    const Json r = response();
    Result<void> res;
    switch (format) {
      case StreamFormat::openai_chat:
        res = openai::apply_chat(log, request, r, info);
        break;
      case StreamFormat::openai_responses:
        res = openai::apply_responses(log, request, r, info);
        break;
      case StreamFormat::anthropic:
        res = anthropic::apply_messages(log, request, r, info);
        break;
      case StreamFormat::gemini:
        res = gemini::apply_generate_content(log, request, r, info);
        break;
    }
    if (res) {
      keep_partial_text(log);
      note_limits(log);
    }
    return res;
  }

  // A stream that failed half-way: the text received before the error is the completion.
  void keep_partial_text(RequestLog& log) const {
    if (!error.is_null() && !text.empty() && !log.completion_message) {
      log.completion_message = Message::assistant(text);
    }
  }
};

StreamAccumulator::StreamAccumulator(StreamFormat format, StreamOptions options)
    : impl_(std::make_unique<Impl>(format, std::move(options))) {}
StreamAccumulator::~StreamAccumulator() = default;
StreamAccumulator::StreamAccumulator(StreamAccumulator&&) noexcept = default;
StreamAccumulator& StreamAccumulator::operator=(StreamAccumulator&&) noexcept = default;

void StreamAccumulator::start() {
  impl_->started = impl_->clock();
}

std::string StreamAccumulator::feed(std::string_view bytes) {
  impl_->out.clear();
  impl_->feed(bytes);
  return std::move(impl_->out);
}

std::string StreamAccumulator::finish() {
  impl_->out.clear();
  impl_->finish();
  return std::move(impl_->out);
}

bool StreamAccumulator::done() const noexcept {
  return impl_->done;
}
bool StreamAccumulator::truncated() const noexcept {
  return impl_->truncated;
}
std::size_t StreamAccumulator::skipped_events() const noexcept {
  return impl_->skipped;
}
const std::string& StreamAccumulator::text() const noexcept {
  return impl_->text;
}
Json StreamAccumulator::response() const {
  return impl_->response();
}

std::optional<std::chrono::duration<double>> StreamAccumulator::time_to_first_token() const {
  if (!impl_->first_delta) return std::nullopt;
  return *impl_->first_delta - impl_->started;
}

std::optional<double> StreamAccumulator::tokens_per_second() const {
  return impl_->tokens_per_second();
}

Result<RequestLog> StreamAccumulator::log(const Json& request, const ExchangeInfo& info) const {
  RequestLog out;
  Result<void> r = impl_->apply_to(out, request, info);
  if (!r) return std::move(r).error();
  return out;
}

Result<void> StreamAccumulator::apply(RequestLog& log, const Json& request,
                                      const ExchangeInfo& info) const {
  return impl_->apply_to(log, request, info);
}

Result<void> StreamAccumulator::record(Span& span, const Json& request,
                                       const ExchangeInfo& info) const {
  const ExchangeInfo full = impl_->complete(info);
  const Json r = impl_->response();
  Result<void> res;
  switch (impl_->format) {
    case StreamFormat::openai_chat:
      res = openai::record_chat(span, request, r, full);
      break;
    case StreamFormat::openai_responses:
      res = openai::record_responses(span, request, r, full);
      break;
    case StreamFormat::anthropic:
      res = anthropic::record_messages(span, request, r, full);
      break;
    case StreamFormat::gemini:
      res = gemini::record_generate_content(span, request, r, full);
      break;
  }
  if (res) {
    impl_->keep_partial_text(span.fields());
    impl_->note_limits(span.fields());
  }
  return res;
}

}  // namespace respan::adapters
