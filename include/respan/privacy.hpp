/// @file
/// Privacy and volume controls of the BatchLogger and the Tracer (BatchOptions::privacy,
/// TracerOptions::batch.privacy): a masking hook with built-in redactors, content capture off,
/// head sampling by trace id, a per-span filter, and size limits.
///
/// Everything but sampling runs on the logger's exporter thread, just before a span is
/// serialized, never on the thread that logs or ends the span. Per span, in this order:
/// the filter, content capture off, the masking hook, the size limits.
///
/// @code
/// respan::BatchOptions options;
/// options.privacy.mask = respan::redact::all();  // e-mails, phones, cards, API keys
/// options.privacy.sample_ratio = 0.25;           // a quarter of the traces
/// options.privacy.max_field_bytes = 16 * 1024;   // longer strings are cut, marked
/// @endcode
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <respan/export.hpp>

namespace respan {

struct TraceSpan;

/// What a string handed to PrivacyOptions::mask is.
enum class MaskFieldKind {
  content,     ///< Prompt or completion text: input, output, message content and parts,
               ///< tool call arguments, full_request, full_response, variables.
  metadata,    ///< A string value in metadata or properties (at any depth).
  outcome,     ///< error_message, warnings.
  identifier,  ///< A caller-chosen name or identifier: customer identifier, e-mail and name,
               ///< thread, group and custom identifiers, span and workflow names, span path,
               ///< prompt name, a message's `name`.
  other,       ///< A string value in `extra` (fields the SDK does not model).
};

/// Where a masked string sits in the span.
struct MaskField {
  /// Its path in the span, as the encoder's errors name fields: `input`,
  /// `prompt_messages[0].content[1].text`, `metadata.user.email`,
  /// `tool_calls[0].function.arguments`. Valid during the call only.
  std::string_view path;
  MaskFieldKind kind = MaskFieldKind::content;
};

/// A masking hook: rewrites `text` in place (leave it alone to keep it). Called on the
/// logger's exporter thread, one call at a time per logger, for each string the span holds
/// except its model, ids (trace, span, parent, prompt, tool call), times, enumerations (log
/// type, status), roles, content part types, tool names, tool definitions, tool choice,
/// response format, stop sequences, usage, provider and exception type. When it
/// throws (anything, std::bad_alloc included), the string becomes kMaskFailedMarker, the span
/// is counted in DeliveryReport::mask_failures and goes on.
using MaskHook = std::function<void(std::string& text, const MaskField& field)>;

/// A per-span filter: returns false to drop the span (counted DropReason::filtered). Called on
/// the exporter thread before masking. When it throws, the span is dropped (fail closed) and
/// counted in DeliveryReport::filter_failures too.
using SpanFilter = std::function<bool(const TraceSpan& span)>;

/// What replaces a string whose masking hook threw.
inline constexpr std::string_view kMaskFailedMarker = "[respan: mask failed]";
/// Appended to a string cut by a size limit (the result, marker included, fits the limit).
inline constexpr std::string_view kTruncatedMarker = "...[respan: truncated]";
/// The metadata key set to `true` in a span that was cut by a size limit.
inline constexpr std::string_view kTruncatedMetadataKey = "respan_truncated";

/// Privacy and volume settings (BatchOptions::privacy). The defaults change nothing.
struct RESPAN_EXPORT PrivacyOptions {
  /// Rewrites every string of the span (see MaskHook); empty: none. respan::redact has
  /// ready-made ones.
  MaskHook mask;

  /// False: spans are sent without their prompt and completion text (input, output,
  /// prompt_messages, completion_message, the arguments of tool calls, full_request,
  /// full_response, variables); model, usage, timing, ids, status, errors and metadata stay.
  /// The environment variable `RESPAN_TRACE_CONTENT` (read when the logger or tracer is made)
  /// can only turn capture off: `false`, `0`, `no`, `off` (any case) or any value but `true`,
  /// `1`, `yes`, `on` turns it off; the option set to false is never turned back on.
  /// options() shows the effective value.
  bool capture_content = true;

  /// Head sampling: the share of traces kept, 0..1 (1: all). The decision is OpenTelemetry's
  /// TraceIdRatioBased rule (see trace_id_sampled()), so every span of a trace, in every
  /// process and language that follows it, gets the same decision. Made in log() / Span::end()
  /// on the caller's thread (no allocation): a span sampled out never enters the queue and is
  /// counted in DeliveryReport::sampled_out, not in `logged`. A request log without
  /// `trace_unique_id` is its own trace: kept with probability sample_ratio by a random draw.
  double sample_ratio = 1.0;

  /// Drops spans (see SpanFilter); empty: none.
  SpanFilter filter;

  /// Longest string, in bytes of UTF-8 (0: no limit; else at least 64). A longer one is cut at
  /// a character boundary and ends with kTruncatedMarker; the span's metadata gets
  /// `"respan_truncated": true` (when metadata is unset or an object) and the span is counted
  /// in DeliveryReport::truncated.
  std::size_t max_field_bytes = 0;
  /// Most bytes of text (the sum of the strings' sizes, before JSON escaping) in one span
  /// (0: no limit; else at least 1024). Above it, the longest strings are cut first, to a
  /// common length, as max_field_bytes cuts them.
  std::size_t max_span_bytes = 0;
};

/// The rejection threshold of OpenTelemetry's TraceIdRatioBased sampler for `ratio`: a 56-bit
/// value T such that a trace is kept when the randomness R (the 7 rightmost bytes of the trace
/// id, big-endian) satisfies R >= T. Computed as the OpenTelemetry specification's
/// "TraceState: Probability Sampling" converts a probability, with its recommended 4 digits of
/// precision (more for small ratios): 0.1 gives 0xe6660000000000, 0.01 0xfd70a000000000.
/// 1 (or more) gives 0; 0, below 2^-56 or NaN gives 2^56 (nothing is kept).
RESPAN_EXPORT std::uint64_t sampling_threshold(double ratio) noexcept;

/// Whether a trace is kept at `ratio` (see sampling_threshold()). `trace_id` is hex (either
/// case): its last 14 digits are R, as OpenTelemetry reads the 7 rightmost bytes. An id that
/// is not hex, or shorter than 14 digits, is hashed (FNV-1a, 64 bits) instead: the same
/// decision in every respan-cpp process, but not one OpenTelemetry SDKs would make.
RESPAN_EXPORT bool trace_id_sampled(std::string_view trace_id, double ratio) noexcept;

/// Ready-made masking hooks. Each is a hand-written linear scanner (no std::regex): cheap on
/// the exporter thread, no recursion, no backtracking.
namespace redact {

/// A masking step: replaces what it recognises in a string. Usable as a MaskHook (it ignores
/// the field). Immutable; calls are thread-safe.
class RESPAN_EXPORT Redactor {
 public:
  /// Internal: one built-in scanner.
  struct Step;

  /// The redactor that changes nothing.
  Redactor();
  /// Internal: a redactor of one built-in step (use emails(), secrets(), ...).
  explicit Redactor(std::shared_ptr<const Step> step);
  /// Rewrites `text` in place; true when something was replaced.
  bool apply(std::string& text) const;
  /// `text` with what this recognises replaced.
  std::string operator()(std::string_view text) const;
  /// As a MaskHook.
  void operator()(std::string& text, const MaskField& field) const;
  /// One step, then the next (the order of `steps`).
  friend RESPAN_EXPORT Redactor compose(std::vector<Redactor> steps);

 private:
  std::vector<std::shared_ptr<const Step>> steps_;
};

/// E-mail addresses (`local@domain.tld`, ASCII, the domain with a dot and a TLD of 2+ letters).
RESPAN_EXPORT Redactor emails(std::string replacement = "[REDACTED_EMAIL]");
/// Phone numbers: `+` and 8 to 15 digits (`+1 415 555 2671`, `+442079460958`), or 10 to 11
/// digits in at least two groups whose last has 3+ digits (`(415) 555-2671`, `415.555.2671`).
/// Separators are one space, `-`, `.`, or parentheses. A bare run of digits without `+` is
/// left alone (timestamps, ids), as is anything glued to a letter or another digit.
RESPAN_EXPORT Redactor phone_numbers(std::string replacement = "[REDACTED_PHONE]");
/// Payment card numbers: 13 to 19 digits, optionally grouped by single spaces or dashes, that
/// pass the Luhn check.
RESPAN_EXPORT Redactor card_numbers(std::string replacement = "[REDACTED_CARD]");
/// Credentials: the token after `Bearer ` (any case; 8+ characters), OpenAI / Anthropic style
/// keys (`sk-` and 16+ characters), Stripe (`sk_live_`, `sk_test_`, `rk_live_`), AWS access
/// key ids (`AKIA`/`ASIA` and 16 capitals or digits), GitHub tokens (`ghp_`, `gho_`, `ghu_`,
/// `ghs_`, `ghr_`, `github_pat_`), Slack tokens (`xoxb-`, `xoxp-`, ...), Google API keys
/// (`AIza` and 35 characters) and JSON Web Tokens (`eyJ...` in three dotted parts). A key
/// must start a word.
RESPAN_EXPORT Redactor secrets(std::string replacement = "[REDACTED_SECRET]");
/// secrets(), emails(), card_numbers(), phone_numbers(), in that order.
RESPAN_EXPORT Redactor all();
/// See Redactor.
RESPAN_EXPORT Redactor compose(std::vector<Redactor> steps);

/// True when `digits` (ASCII digits only) passes the Luhn check.
RESPAN_EXPORT bool luhn_valid(std::string_view digits) noexcept;

}  // namespace redact
}  // namespace respan
