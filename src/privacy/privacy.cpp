// The privacy and volume controls shared by the BatchLogger and the Tracer (privacy/apply.hpp):
// OpenTelemetry's TraceIdRatioBased decision, and one walk over every string of a span that
// content capture off, the masking hook and the size limits use.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <utility>

#include <respan/tracing.hpp>

#include "privacy/apply.hpp"
#include "util/fork.hpp"

namespace respan {

namespace {

constexpr std::uint64_t kMaxAdjustedCount = std::uint64_t{1} << 56;  // 2^56
constexpr std::uint64_t kRandomnessMask = kMaxAdjustedCount - 1;

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// R: the 7 rightmost bytes of a hex trace id, or a hash of any other id.
std::uint64_t randomness_of(std::string_view id) noexcept {
  bool hex = id.size() >= 14;
  for (char c : id) {
    if (hex_value(c) < 0) {
      hex = false;
      break;
    }
  }
  if (hex) {
    std::uint64_t r = 0;
    for (std::size_t i = id.size() - 14; i < id.size(); ++i)
      r = (r << 4) | static_cast<std::uint64_t>(hex_value(id[i]));
    return r;
  }
  std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a, 64 bits
  for (char c : id) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return h & kRandomnessMask;
}

}  // namespace

// The specification's reference conversion ("Converting floating-point probability to
// threshold value"), with 4 digits of precision, more by the probability's base-2 exponent:
// the digits of the hexadecimal significand of 2 - p (plus half a unit of the last digit
// kept), first `precision` of them, as the threshold's leading hex digits.
std::uint64_t sampling_threshold(double ratio) noexcept {
  if (std::isnan(ratio) || ratio < std::ldexp(1.0, -56)) return kMaxAdjustedCount;
  if (ratio >= 1.0) return 0;
  int exp = 0;
  std::frexp(ratio, &exp);  // ratio = m * 2^exp, m in [0.5, 1)
  // Python's exp // -4 (floor division; exp <= 0 here, so the quotient is >= 0).
  const int extra = exp <= 0 ? (-exp) / 4 : -((exp + 3) / 4);
  const int precision = std::max(1, std::min(12, 4 + extra));
  double rejection = 2.0 - ratio;
  rejection += std::ldexp(0.5, -4 * precision);
  std::uint64_t digits = 0;  // the 13 hex digits (52 bits) of the significand
  if (rejection >= 2.0) {
    digits = 0xfffffffffffffull;
  } else {
    digits = static_cast<std::uint64_t>(std::ldexp(rejection - 1.0, 52));  // exact
  }
  const std::uint64_t kept = digits >> (4 * (13 - precision));
  return kept << (4 * (14 - precision));
}

bool trace_id_sampled(std::string_view trace_id, double ratio) noexcept {
  return randomness_of(trace_id) >= sampling_threshold(ratio);
}

namespace detail {

// ------------------------------------------------------------------ touched fields
void TouchedFields::add(std::string_view path) {
  ++count;
  if (paths.size() < kNamed) paths.emplace_back(path);
}

std::string TouchedFields::describe(const char* what) const {
  std::string s =
      std::string(what) + " " + std::to_string(count) + (count == 1 ? " field: " : " fields: ");
  for (std::size_t i = 0; i < paths.size(); ++i) {
    if (i != 0) s += ", ";
    s += paths[i];
  }
  if (count > paths.size()) s += " and " + std::to_string(count - paths.size()) + " more";
  return s;
}

// ------------------------------------------------------------------ options
namespace {

std::string trimmed_lower(const char* v) {
  std::string s(v);
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

PrivacyOptions effective_privacy(PrivacyOptions o) {
  if (const char* v = std::getenv("RESPAN_TRACE_CONTENT")) {
    const std::string s = trimmed_lower(v);
    const bool on = s == "true" || s == "1" || s == "yes" || s == "on";
    if (!s.empty() && !on) o.capture_content = false;  // fails closed on anything else
  }
  return o;
}

std::string check_privacy(const PrivacyOptions& o) {
  if (!(o.sample_ratio >= 0.0 && o.sample_ratio <= 1.0)) {
    return "BatchOptions::privacy.sample_ratio must be between 0 and 1 (got " +
           std::to_string(o.sample_ratio) + ")";
  }
  if (o.max_field_bytes != 0 && o.max_field_bytes < 64) {
    return "BatchOptions::privacy.max_field_bytes must be 0 (no limit) or at least 64 (got " +
           std::to_string(o.max_field_bytes) + ")";
  }
  if (o.max_span_bytes != 0 && o.max_span_bytes < 1024) {
    return "BatchOptions::privacy.max_span_bytes must be 0 (no limit) or at least 1024 (got " +
           std::to_string(o.max_span_bytes) + ")";
  }
  return {};
}

bool privacy_active(const PrivacyOptions& o) noexcept {
  return static_cast<bool>(o.mask) || static_cast<bool>(o.filter) || !o.capture_content ||
         o.max_field_bytes != 0 || o.max_span_bytes != 0;
}

bool sampled_in(const std::optional<std::string>& id, std::uint64_t threshold) noexcept {
  if (threshold == 0) return true;
  if (threshold >= kMaxAdjustedCount) return false;
  if (id && !id->empty()) return randomness_of(*id) >= threshold;
  return (random_u64() & kRandomnessMask) >= threshold;  // its own trace
}

// ------------------------------------------------------------------ the walk
namespace {

// The JSON of a union field (SpanIO, Warnings), which has no mutable accessor.
struct UnionAccess : JsonUnion {
  static Json& get(JsonUnion& u) { return u.*(&UnionAccess::value_); }
};

constexpr int kMaxDepth = 128;  // deeper JSON is refused by the encoder anyway

// Visits every string the masking hook and the size limits apply to, with its path.
template <class F>
class Walker {
 public:
  explicit Walker(F& f) : f_(f) { path_.reserve(128); }

  void span(TraceSpan& t) {
    RequestLog& l = t.log;
    const auto C = MaskFieldKind::content;
    if (l.input) json("input", UnionAccess::get(*l.input), C);
    if (l.output) json("output", UnionAccess::get(*l.output), C);
    if (l.prompt_messages) {
      Scope s(*this, "prompt_messages");
      std::size_t i = 0;
      for (Message& m : *l.prompt_messages)
        message(i++, m);
    }
    if (l.completion_message) {
      Scope s(*this, "completion_message");
      message_fields(*l.completion_message);
    }
    if (l.tool_calls) tool_calls("tool_calls", *l.tool_calls);
    if (l.full_request) json("full_request", *l.full_request, C);
    if (l.full_response) json("full_response", *l.full_response, C);
    if (l.variables) json("variables", *l.variables, C);
    if (l.metadata) json("metadata", *l.metadata, MaskFieldKind::metadata);
    if (l.properties) json("properties", *l.properties, MaskFieldKind::metadata);
    if (l.error_message) text("error_message", *l.error_message, MaskFieldKind::outcome);
    if (l.warnings) json("warnings", UnionAccess::get(*l.warnings), MaskFieldKind::outcome);
    const auto I = MaskFieldKind::identifier;
    if (l.customer_identifier) text("customer_identifier", *l.customer_identifier, I);
    if (l.customer_params) {
      Scope s(*this, "customer_params");
      CustomerParams& c = *l.customer_params;
      if (c.customer_identifier) text(".customer_identifier", *c.customer_identifier, I);
      if (c.email) text(".email", *c.email, I);
      if (c.name) text(".name", *c.name, I);
      json(".extra", c.extra, MaskFieldKind::other);
    }
    if (l.thread_identifier) text("thread_identifier", *l.thread_identifier, I);
    if (l.group_identifier) text("group_identifier", *l.group_identifier, I);
    if (l.custom_identifier) text("custom_identifier", *l.custom_identifier, I);
    if (l.span_name) text("span_name", *l.span_name, I);
    if (l.span_workflow_name) text("span_workflow_name", *l.span_workflow_name, I);
    if (l.prompt_name) text("prompt_name", *l.prompt_name, I);
    if (t.span_path) text("span_path", *t.span_path, I);
    if (l.respan_params) json("respan_params", *l.respan_params, MaskFieldKind::other);
    json("extra", l.extra, MaskFieldKind::other);
  }

 private:
  // Appends to the path for a scope.
  struct Scope {
    Scope(Walker& w, std::string_view part) : w_(w), len_(w.path_.size()) { w.path_ += part; }
    Scope(Walker& w, std::size_t index) : w_(w), len_(w.path_.size()) {
      w.path_ += '[';
      w.path_ += std::to_string(index);
      w.path_ += ']';
    }
    ~Scope() { w_.path_.resize(len_); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    Walker& w_;
    std::size_t len_;
  };

  void text(std::string_view name, std::string& s, MaskFieldKind kind) {
    Scope sc(*this, name);
    f_(s, path_, kind);
  }

  void json(std::string_view name, Json& j, MaskFieldKind kind) {
    Scope sc(*this, name);
    value(j, kind, 0);
  }

  void value(Json& j, MaskFieldKind kind, int depth) {
    if (j.is_string()) {
      f_(j.get_ref<std::string&>(), path_, kind);
    } else if (j.is_object()) {
      if (depth >= kMaxDepth) return;
      for (auto it = j.begin(); it != j.end(); ++it) {
        Scope sc(*this, ".");
        path_ += it.key();
        value(it.value(), kind, depth + 1);
      }
    } else if (j.is_array()) {
      if (depth >= kMaxDepth) return;
      std::size_t i = 0;
      for (Json& e : j) {
        Scope sc(*this, i++);
        value(e, kind, depth + 1);
      }
    }
  }

  void message(std::size_t index, Message& m) {
    Scope s(*this, index);
    message_fields(m);
  }

  void message_fields(Message& m) {
    const auto C = MaskFieldKind::content;
    if (m.content) {
      Scope s(*this, ".content");
      if (auto* str = std::get_if<std::string>(&*m.content)) {
        f_(*str, path_, C);
      } else if (auto* parts = std::get_if<std::vector<ContentPart>>(&*m.content)) {
        std::size_t i = 0;
        for (ContentPart& p : *parts) {
          Scope ps(*this, i++);
          if (p.text) text(".text", *p.text, C);
          if (p.image_url) json(".image_url", *p.image_url, C);
          json(".extra", p.extra, C);
        }
      }
    }
    if (m.name) text(".name", *m.name, MaskFieldKind::identifier);
    if (m.tool_calls) tool_calls(".tool_calls", *m.tool_calls);
    json(".extra", m.extra, MaskFieldKind::other);
  }

  void tool_calls(std::string_view name, std::vector<ToolCall>& calls) {
    Scope s(*this, name);
    std::size_t i = 0;
    for (ToolCall& c : calls) {
      Scope cs(*this, i++);
      if (c.function && c.function->arguments)
        text(".function.arguments", *c.function->arguments, MaskFieldKind::content);
      if (c.function) json(".function.extra", c.function->extra, MaskFieldKind::other);
      json(".extra", c.extra, MaskFieldKind::other);
    }
  }

  F& f_;
  std::string path_;
};

template <class F>
void for_each_string(TraceSpan& span, F&& f) {
  Walker<std::remove_reference_t<F>> w(f);
  w.span(span);
}

// Content capture off: no prompt or completion text.
void drop_content(RequestLog& l) {
  l.input.reset();
  l.output.reset();
  l.prompt_messages.reset();
  l.completion_message.reset();
  l.full_request.reset();
  l.full_response.reset();
  l.variables.reset();
  if (l.tool_calls) {
    for (ToolCall& c : *l.tool_calls) {
      if (c.function) c.function->arguments.reset();
    }
  }
}

void replace_with_marker(std::string& s) noexcept {
  if (s.capacity() >= kMaskFailedMarker.size()) {
    s.assign(kMaskFailedMarker.data(), kMaskFailedMarker.size());  // no allocation
    return;
  }
  try {
    s.assign(kMaskFailedMarker.data(), kMaskFailedMarker.size());
  } catch (...) {
    s.clear();  // out of memory: nothing of the original is left either way
  }
}

// The longest prefix of at most `limit` bytes that does not end inside a UTF-8 sequence.
std::size_t utf8_cut(const std::string& s, std::size_t limit) {
  if (limit >= s.size()) return s.size();
  std::size_t p = limit;
  // s[p] is the first byte left out: back up while it continues a sequence.
  while (p > 0 && (static_cast<unsigned char>(s[p]) & 0xC0) == 0x80)
    --p;
  return p;
}

// Cuts `s` to at most `limit` bytes, ending with the marker when it fits.
void cut(std::string& s, std::size_t limit) {
  if (s.size() <= limit) return;
  if (limit < kTruncatedMarker.size()) {
    s.resize(utf8_cut(s, limit));
    return;
  }
  s.resize(utf8_cut(s, limit - kTruncatedMarker.size()));
  s.append(kTruncatedMarker.data(), kTruncatedMarker.size());
}

}  // namespace

void apply_privacy(const PrivacyOptions& o, TraceSpan& span, PrivacyOutcome& out) {
  if (o.filter) {
    bool keep = false;
    try {
      keep = o.filter(static_cast<const TraceSpan&>(span));
    } catch (const std::exception& e) {
      out.filter_failed = true;
      try {
        out.filter_error = e.what();
      } catch (...) {
      }
    } catch (...) {
      out.filter_failed = true;
    }
    if (!keep) {
      out.keep = false;
      return;
    }
  }
  if (!o.capture_content) drop_content(span.log);
  if (o.mask) {
    for_each_string(span, [&](std::string& s, const std::string& path, MaskFieldKind kind) {
      try {
        o.mask(s, MaskField{path, kind});
      } catch (...) {  // anything, std::bad_alloc and non-std exceptions included
        replace_with_marker(s);
        out.mask_failed.add(path);
      }
    });
  }
  if (o.max_field_bytes != 0 || o.max_span_bytes != 0) {
    struct Str {
      std::string* s;
      std::size_t size;
      bool cut;  // already cut by max_field_bytes
    };
    std::vector<Str> all;
    std::vector<std::string> paths;
    for_each_string(span, [&](std::string& s, const std::string& path, MaskFieldKind) {
      bool was_cut = false;
      if (o.max_field_bytes != 0 && s.size() > o.max_field_bytes) {
        cut(s, o.max_field_bytes);
        out.truncated.add(path);
        was_cut = true;
      }
      if (o.max_span_bytes != 0) {
        all.push_back(Str{&s, s.size(), was_cut});
        paths.push_back(path);
      }
    });
    std::size_t total = 0;
    for (const Str& x : all)
      total += x.size;
    if (o.max_span_bytes != 0 && total > o.max_span_bytes) {
      // The largest common length c with sum(min(size, c)) <= the budget: the longest
      // strings are cut first, to the same length.
      std::size_t lo = 0;
      std::size_t hi = 0;
      for (const Str& x : all)
        hi = std::max(hi, x.size);
      while (lo < hi) {
        const std::size_t mid = lo + (hi - lo + 1) / 2;
        std::size_t sum = 0;
        for (const Str& x : all)
          sum += std::min(x.size, mid);
        if (sum <= o.max_span_bytes) {
          lo = mid;
        } else {
          hi = mid - 1;
        }
      }
      for (std::size_t i = 0; i < all.size(); ++i) {
        if (all[i].size <= lo) continue;
        cut(*all[i].s, lo);
        if (!all[i].cut) out.truncated.add(paths[i]);  // each field is counted once
      }
    }
    if (out.truncated.count != 0) {
      RequestLog& l = span.log;
      if (!l.metadata) l.metadata = Json::object();
      if (l.metadata->is_object()) (*l.metadata)[std::string(kTruncatedMetadataKey)] = true;
    }
  }
}

}  // namespace detail
}  // namespace respan
