/// @file stream.hpp
/// @brief StreamAccumulator: the raw server-sent-events bytes of a streaming LLM call in, the
/// assembled answer, its usage and its timing out.
///
/// Feed it the bytes as they arrive, split anywhere (mid-line, mid-UTF-8 sequence, between
/// the CR and the LF of a line end); feed() returns the text the bytes completed, ready to
/// print. After the stream, log() / record() make the span with the matching adapter from the
/// answer reassembled in the provider's non-streaming shape (response()), with `stream` true,
/// `time_to_first_token` (request start to the first output delta: text, reasoning or tool
/// call) and `tokens_per_second` (the output tokens the stream's usage reports, over the time
/// from the first to the last output delta; unset when the stream reports no usage) measured
/// on a steady clock, and `latency` (start to the last byte, or to finish()).
///
/// @code
/// #include <respan/adapters/stream.hpp>
///
/// respan::Json request = {{"model", "gpt-4o-mini"}, {"stream", true},
///                         {"messages", {{{"role", "user"}, {"content", "Hi"}}}}};
/// respan::Span llm = tracer.start_span("chat");
/// respan::adapters::StreamAccumulator acc(respan::adapters::StreamFormat::openai_chat);
/// for (const char* chunk : {"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi",
///                           "\"}}]}\n\ndata: [DONE]\n\n"}) {
///   std::cout << acc.feed(chunk);  // prints "Hi" once the event is complete
/// }
/// acc.finish();
/// respan::Result<void> r = acc.record(llm, request);
/// if (!r) std::cerr << r.error() << '\n';
/// @endcode
///
/// Formats: OpenAI Chat Completions chunks (`data: {...}` ... `data: [DONE]`; choices and
/// tool-call deltas assembled by their `index`; the `stream_options.include_usage` chunk;
/// the members of any chunk the format does not know, such as llama.cpp's `timings` or
/// OpenRouter's `provider`, kept as the answer's; the OpenAI-compatible servers alike),
/// OpenAI Responses events (`response.output_text.delta`, ..., `response.completed` whose
/// `response` is the answer), Anthropic Messages events (`message_start`,
/// `content_block_start` / `_delta` (`text_delta`, `input_json_delta`, `thinking_delta`) /
/// `_stop`, `message_delta`, `message_stop`, `error`) and Gemini `streamGenerateContent?alt=sse`
/// chunks (parts appended per candidate, the last usage kept).
///
/// Errors in the stream (an OpenAI `{"error": ...}` chunk, an Anthropic `error` event, a
/// Responses `response.failed` or `error` event) make the span an error. Events that are not
/// JSON or not of the expected shape are skipped and counted (skipped_events()).
///
/// Memory is bounded by StreamLimits: a line longer than `max_line_bytes` or an event whose
/// data exceeds `max_event_bytes` is dropped (counted in skipped_events()); after
/// `max_total_bytes` the rest of the stream is ignored (truncated() is true; the span says
/// so in `warnings`); at most `max_choices` choices or content blocks and `max_tool_calls`
/// tool calls per choice are assembled, later ones are dropped. Not thread-safe: one stream,
/// one thread at a time.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <respan/adapters/common.hpp>
#include <respan/export.hpp>
#include <respan/json.hpp>
#include <respan/models/request_log.hpp>
#include <respan/result.hpp>
#include <respan/tracing.hpp>

namespace respan::adapters {

/// The event format of a stream.
enum class StreamFormat {
  openai_chat,       ///< Chat Completions and the OpenAI-compatible servers.
  openai_responses,  ///< The Responses API.
  anthropic,         ///< Anthropic Messages.
  gemini,            ///< Gemini `streamGenerateContent?alt=sse`.
};

/// Bounds on what a StreamAccumulator keeps (see the file comment for what happens at each).
struct StreamLimits {
  std::size_t max_line_bytes = 1 << 20;       ///< One SSE line.
  std::size_t max_event_bytes = 4 << 20;      ///< The data of one event.
  std::size_t max_total_bytes = 64ull << 20;  ///< The whole stream.
  std::size_t max_choices = 16;               ///< Choices, candidates or content blocks.
  std::size_t max_tool_calls = 128;           ///< Tool calls per choice.
};

/// Options of a StreamAccumulator.
struct StreamOptions {
  StreamLimits limits;
  /// The clock the timing is measured on (tests inject one); steady_clock::now by default.
  std::function<std::chrono::steady_clock::time_point()> clock;
};

/// Assembles one streaming call from its server-sent events. Movable, not copyable; a
/// moved-from accumulator may only be assigned to or destroyed.
class RESPAN_EXPORT StreamAccumulator {
 public:
  /// Starts the timing now (see start()).
  explicit StreamAccumulator(StreamFormat format, StreamOptions options = {});
  ~StreamAccumulator();
  StreamAccumulator(StreamAccumulator&&) noexcept;
  StreamAccumulator& operator=(StreamAccumulator&&) noexcept;
  StreamAccumulator(const StreamAccumulator&) = delete;
  StreamAccumulator& operator=(const StreamAccumulator&) = delete;

  /// Restarts the timing: call it when the request is sent, if that is after construction.
  void start();
  /// Takes the next bytes of the stream; returns the completion text they completed (empty
  /// when none). Never throws (but std::bad_alloc).
  std::string feed(std::string_view bytes);
  /// The end of the stream: dispatches a last event not followed by a blank line and stops
  /// the latency clock. Returns the text that event completed.
  std::string finish();

  /// True once the stream's end marker was seen (`[DONE]`, `message_stop`,
  /// `response.completed` / `.failed` / `.incomplete`).
  bool done() const noexcept;
  /// True when bytes past StreamLimits::max_total_bytes were ignored.
  bool truncated() const noexcept;
  /// Events skipped: not JSON, of an unexpected shape, or over a limit.
  std::size_t skipped_events() const noexcept;
  /// The completion text assembled so far (the first choice's).
  const std::string& text() const noexcept;
  /// The answer in the provider's non-streaming shape (a `chat.completion`, a Responses
  /// `response`, an Anthropic `message`, a Gemini `GenerateContentResponse`), or the error
  /// object the stream reported.
  Json response() const;
  /// Request start to the first output delta; nullopt before one arrived.
  std::optional<std::chrono::duration<double>> time_to_first_token() const;
  /// Output tokens per second (see the file comment); nullopt when unknown.
  std::optional<double> tokens_per_second() const;

  /// The span, by the adapter of the format (openai::chat_log(), openai::responses_log(),
  /// anthropic::messages_log(), gemini::generate_content_log()). `info`'s timing and stream
  /// flag default to what the stream measured.
  Result<RequestLog> log(const Json& request, const ExchangeInfo& info = {}) const;
  /// The same into an existing span.
  Result<void> apply(RequestLog& log, const Json& request, const ExchangeInfo& info = {}) const;
  /// The same into a tracing span (provider and error as the adapters' record functions).
  Result<void> record(Span& span, const Json& request, const ExchangeInfo& info = {}) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace respan::adapters
