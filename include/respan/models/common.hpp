/// @file common.hpp
/// @brief Building blocks shared by every model: timestamps, open enums, pages, bulk results.
///
/// Conventions of all respan models (docs/conventions.md has the full list):
/// - write models (what you send) are plain nouns (RequestLog, Dataset, DatasetLog), stored
///   objects read back are `<Noun>Record`, create acknowledgements `<Noun>Created`, partial
///   updates `<Noun>Update`, operations `<Verb><Noun>Request` / `<Verb><Noun>Result`;
/// - `std::optional` members are omitted from the JSON sent when unset; a set optional is never
///   sent as `null` (the one way to send `null` is Clearable::clear());
/// - decoding tolerates missing and `null` fields, and unknown fields are kept in `extra`, so
///   nothing the server sends is lost (a field whose type does not match the model also lands
///   in `extra` instead of failing the call);
/// - enumerations are "open": a value the SDK does not know yet is kept verbatim.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <respan/export.hpp>
#include <respan/json.hpp>

namespace respan {

/// An ISO 8601 date-time as sent and received on the wire (e.g. "2026-01-01T00:00:00Z").
/// The text is kept verbatim; to_time_point() parses it when needed.
class RESPAN_EXPORT Timestamp {
 public:
  Timestamp() = default;
  /// Wraps ISO 8601 text as is (not validated; see valid()).
  Timestamp(std::string iso8601) : text_(std::move(iso8601)) {}      // NOLINT implicit
  Timestamp(const char* iso8601) : text_(iso8601 ? iso8601 : "") {}  // NOLINT implicit
  /// Formats a time point as UTC with microseconds, e.g. "2026-01-01T00:00:00.000000Z";
  /// implicit, so `span.timestamp = std::chrono::system_clock::now();` reads as meant.
  Timestamp(std::chrono::system_clock::time_point tp);  // NOLINT implicit
  /// The current time.
  static Timestamp now();

  /// The ISO 8601 text.
  const std::string& str() const noexcept { return text_; }
  bool empty() const noexcept { return text_.empty(); }
  /// Microseconds since 1970-01-01T00:00:00Z, for every instant of years 0000-9999; nullopt
  /// when the text does not parse (`YYYY-MM-DD[Tt ]hh:mm[:ss[.frac]][Z|±hh:mm|±hhmm|±hh]`, or
  /// a date alone; the day is checked against the month; no zone means UTC).
  std::optional<std::int64_t> unix_micros() const;
  /// The instant as a time point; nullopt when the text does not parse or the instant is
  /// outside what system_clock represents (about 1677-2262 with nanosecond ticks).
  std::optional<std::chrono::system_clock::time_point> to_time_point() const;
  /// True when the text parses (unix_micros() succeeds).
  bool valid() const { return unix_micros().has_value(); }

  /// Equality and ordering compare instants (to the microsecond): a time read back from the
  /// server equals the one sent, whatever its text ("...00Z" == "...00.000000+00:00").
  /// Texts that do not parse compare as text, after every valid time.
  friend bool operator==(const Timestamp& a, const Timestamp& b) { return compare(a, b) == 0; }
  friend bool operator!=(const Timestamp& a, const Timestamp& b) { return compare(a, b) != 0; }
  friend bool operator<(const Timestamp& a, const Timestamp& b) { return compare(a, b) < 0; }
  friend bool operator>(const Timestamp& a, const Timestamp& b) { return compare(a, b) > 0; }
  friend bool operator<=(const Timestamp& a, const Timestamp& b) { return compare(a, b) <= 0; }
  friend bool operator>=(const Timestamp& a, const Timestamp& b) { return compare(a, b) >= 0; }
  /// <0, 0 or >0 as `a` is before, at or after `b` (see operator==).
  static int compare(const Timestamp& a, const Timestamp& b);
  friend std::ostream& operator<<(std::ostream& os, const Timestamp& t) { return os << t.text_; }

 private:
  std::string text_;
};

RESPAN_EXPORT void to_json(Json& j, const Timestamp& t);
RESPAN_EXPORT void from_json(const Json& j, Timestamp& t);

/// A duration as the API writes durations (`latency`, `time_to_first_token`, ...): a JSON
/// number of seconds. Any `std::chrono::duration` converts, and so does a plain number of
/// seconds, so both of these send `"latency":0.84`:
/// @code
/// respan::RequestLog span("gpt-4o");
/// span.latency = std::chrono::milliseconds(840);
/// span.latency = 0.84;
/// @endcode
/// A non-finite value is never sent (create() refuses it; the BatchLogger and the Tracer send
/// the span without the field and count it in DeliveryReport::fields_dropped).
class Seconds {
 public:
  constexpr Seconds() noexcept = default;
  /// `seconds` seconds.
  constexpr Seconds(double seconds) noexcept : s_(seconds) {}  // NOLINT implicit
  /// Any chrono duration, e.g. `std::chrono::milliseconds(840)` (0.84 s).
  template <class Rep, class Period>
  constexpr Seconds(std::chrono::duration<Rep, Period> d) noexcept  // NOLINT implicit
      : s_(std::chrono::duration<double>(d).count()) {}

  /// The number of seconds.
  constexpr double count() const noexcept { return s_; }
  /// As a chrono duration (use std::chrono::duration_cast for other units).
  constexpr std::chrono::duration<double> duration() const noexcept {
    return std::chrono::duration<double>(s_);
  }

  friend constexpr bool operator==(Seconds a, Seconds b) noexcept { return a.s_ == b.s_; }
  friend constexpr bool operator!=(Seconds a, Seconds b) noexcept { return a.s_ != b.s_; }
  friend constexpr bool operator<(Seconds a, Seconds b) noexcept { return a.s_ < b.s_; }
  friend constexpr bool operator<=(Seconds a, Seconds b) noexcept { return a.s_ <= b.s_; }
  friend constexpr bool operator>(Seconds a, Seconds b) noexcept { return a.s_ > b.s_; }
  friend constexpr bool operator>=(Seconds a, Seconds b) noexcept { return a.s_ >= b.s_; }
  /// Writes e.g. `0.84s`.
  friend std::ostream& operator<<(std::ostream& os, Seconds s) { return os << s.s_ << 's'; }
  friend void to_json(Json& j, Seconds s) { j = s.s_; }
  /// @throws nlohmann::json::type_error when `j` is not a number.
  friend void from_json(const Json& j, Seconds& s) {
    if (!j.is_number()) throw Json::type_error::create(302, "expected a number of seconds", &j);
    s.s_ = j.get<double>();
  }

 private:
  double s_ = 0;
};

/// `std::optional<std::vector<T>>` that also takes a braced list, so that
/// `span.prompt_messages = {respan::Message::user("hi")};` reads as meant. Everything else is
/// std::optional's. As for std::optional, `= {}` resets (the field is not sent); to send an
/// empty list, assign `std::vector<T>{}`.
template <class T>
class OptionalList : public std::optional<std::vector<T>> {
 public:
  /// The std::optional this is.
  using Base = std::optional<std::vector<T>>;
  using Base::Base;
  using Base::operator=;
  OptionalList() = default;
  /// The list `items` (unset when empty, as `= {}` is).
  OptionalList(std::initializer_list<T> items) {  // NOLINT implicit
    if (items.size() != 0) this->emplace(items);
  }
  OptionalList(const Base& other) : Base(other) {}                 // NOLINT implicit
  OptionalList(Base&& other) noexcept : Base(std::move(other)) {}  // NOLINT implicit
  /// Sets the list to `items`; `= {}` resets it.
  OptionalList& operator=(std::initializer_list<T> items) {
    if (items.size() == 0) {
      this->reset();
    } else {
      this->emplace(items);
    }
    return *this;
  }
  /// Equal when both are unset, or both hold equal lists. (Comparisons with a vector, a
  /// std::optional or std::nullopt are std::optional's.)
  template <
      class L, class R,
      std::enable_if_t<std::is_same_v<L, OptionalList> && std::is_same_v<R, OptionalList>, int> = 0>
  friend bool operator==(const L& a, const R& b) {
    return static_cast<const Base&>(a) == static_cast<const Base&>(b);
  }
  /// See operator==.
  template <
      class L, class R,
      std::enable_if_t<std::is_same_v<L, OptionalList> && std::is_same_v<R, OptionalList>, int> = 0>
  friend bool operator!=(const L& a, const R& b) {
    return !(a == b);
  }
};

/// An enumeration whose set of values may grow on the server: known values have named
/// constructors in the concrete types, unknown ones are kept verbatim. `Tag::known()` returns
/// an iterable of the documented values. The documented string forms convert implicitly, so
/// `span.log_type = "chat";` means `span.log_type = LogType::chat();`.
template <class Tag>
class OpenEnum {
 public:
  OpenEnum() = default;
  OpenEnum(std::string value) : value_(std::move(value)) {}    // NOLINT implicit
  OpenEnum(const char* value) : value_(value ? value : "") {}  // NOLINT implicit
  const std::string& value() const noexcept { return value_; }
  /// True when the value is one of Tag::known().
  bool is_known() const {
    for (std::string_view k : Tag::known()) {
      if (value_ == k) return true;
    }
    return false;
  }
  friend bool operator==(const OpenEnum& a, const OpenEnum& b) { return a.value_ == b.value_; }
  friend bool operator!=(const OpenEnum& a, const OpenEnum& b) { return !(a == b); }
  friend bool operator<(const OpenEnum& a, const OpenEnum& b) { return a.value_ < b.value_; }
  friend std::ostream& operator<<(std::ostream& os, const OpenEnum& e) { return os << e.value_; }
  friend void to_json(Json& j, const OpenEnum& e) { j = e.value_; }
  friend void from_json(const Json& j, OpenEnum& e) { e.value_ = j.get<std::string>(); }

 private:
  std::string value_;
};

/// Documented values of LogType.
struct RESPAN_EXPORT LogTypeValues {
  static const std::vector<std::string_view>& known();
};

/// Span type (`log_type`); decides how input and output are parsed. Server default: chat.
class RESPAN_EXPORT LogType : public OpenEnum<LogTypeValues> {
 public:
  using OpenEnum::OpenEnum;
  static LogType chat() { return LogType("chat"); }
  static LogType completion() { return LogType("completion"); }
  static LogType response() { return LogType("response"); }
  static LogType embedding() { return LogType("embedding"); }
  static LogType speech() { return LogType("speech"); }
  static LogType transcription() { return LogType("transcription"); }
  static LogType workflow() { return LogType("workflow"); }
  static LogType agent() { return LogType("agent"); }
  static LogType task() { return LogType("task"); }
  static LogType tool() { return LogType("tool"); }
  static LogType guardrail() { return LogType("guardrail"); }
  static LogType reranker() { return LogType("reranker"); }
  static LogType other() { return LogType("other"); }
};

/// Documented values of SpanStatus.
struct RESPAN_EXPORT SpanStatusValues {
  static const std::vector<std::string_view>& known();
};

/// Outcome of a logged call (`status` of spans and dataset logs).
class RESPAN_EXPORT SpanStatus : public OpenEnum<SpanStatusValues> {
 public:
  using OpenEnum::OpenEnum;
  static SpanStatus success() { return SpanStatus("success"); }
  static SpanStatus error() { return SpanStatus("error"); }
};

/// A field of an update body that can be left alone, set, or cleared. Unset (the default) is
/// omitted from the JSON sent; a value is sent as is; clear() sends `null`, which the API
/// documents as "remove the stored value". Only fields the API documents as clearable use it.
template <class T>
class Clearable {
 public:
  /// Unset: the field is not sent.
  Clearable() = default;
  /// Set to `value`.
  Clearable(T value) : value_(std::move(value)) {}  // NOLINT implicit
  /// Sets the value (undoes clear()).
  Clearable& operator=(T value) {
    value_ = std::move(value);
    cleared_ = false;
    return *this;
  }
  /// Sends `null`: the server removes the stored value.
  void clear() noexcept {
    value_.reset();
    cleared_ = true;
  }
  /// Back to unset: the field is not sent.
  void reset() noexcept {
    value_.reset();
    cleared_ = false;
  }
  /// True when a value is set.
  bool has_value() const noexcept { return value_.has_value(); }
  /// True after clear() (and no value set since).
  bool is_cleared() const noexcept { return cleared_; }
  /// The value. @throws std::bad_optional_access when there is none.
  const T& value() const { return value_.value(); }

  friend bool operator==(const Clearable& a, const Clearable& b) {
    return a.value_ == b.value_ && a.cleared_ == b.cleared_;
  }
  friend bool operator!=(const Clearable& a, const Clearable& b) { return !(a == b); }

 private:
  std::optional<T> value_;
  bool cleared_ = false;
};

/// One failed row: of a bulk call (`index` = position in the caller's input), or of a page
/// (Page::row_errors, `index` = position in the server's `results`).
struct RESPAN_EXPORT RowError {
  std::int64_t index = -1;  ///< Position of the row (-1 when the server gave none).
  std::string error;        ///< The reason.
  Json extra;               ///< Any other field of the server's error entry.
};
RESPAN_EXPORT void to_json(Json& j, const RowError& e);
RESPAN_EXPORT void from_json(const Json& j, RowError& e);

namespace detail {
/// A count of a list envelope: a JSON number that is exactly a non-negative integer in int64
/// range (an integral float such as 3.0 included); nullopt for anything else.
RESPAN_EXPORT std::optional<std::int64_t> json_count(const Json& v) noexcept;
}  // namespace detail

/// A page of a list endpoint (Django-REST envelope). Decoding keeps what it can: a row that
/// cannot be decoded is reported in `row_errors` and the other rows are kept; a `count` or
/// `total_count` that is not a non-negative integer in int64 range stays 0 / unset and the
/// raw value is kept in `extra`.
template <class T>
struct Page {
  std::int64_t count = 0;                   ///< Total matching items across all pages.
  std::optional<std::string> next;          ///< Absolute URL of the next page, or unset.
  std::optional<std::string> previous;      ///< Absolute URL of the previous page, or unset.
  std::vector<T> results;                   ///< Items of this page that decoded.
  std::vector<RowError> row_errors;         ///< Rows that did not decode (`index` in `results`
                                            ///< as sent; `extra["row"]` holds the raw row).
  std::optional<std::int64_t> total_count;  ///< Sent by some list endpoints.
  Json current_filters;                     ///< Echo of the filters (some endpoints).
  Json filters_data;                        ///< Facet data for UIs (some endpoints).
  Json filter_options;                      ///< Facet data for UIs (some endpoints).
  Json extra;                               ///< Any other envelope field.

  /// True when the server announced another page.
  bool has_next() const { return next.has_value() && !next->empty(); }
};

template <class T>
void from_json(const Json& j, Page<T>& p) {
  p = Page<T>{};
  if (!j.is_object()) throw Json::type_error::create(302, "page is not an object", &j);
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (k == "count" && detail::json_count(v)) {
      p.count = *detail::json_count(v);
    } else if (k == "next" && (v.is_string() || v.is_null())) {
      if (v.is_string()) p.next = v.get<std::string>();
    } else if (k == "previous" && (v.is_string() || v.is_null())) {
      if (v.is_string()) p.previous = v.get<std::string>();
    } else if (k == "results" && (v.is_array() || v.is_null())) {
      if (!v.is_array()) continue;
      p.results.reserve(v.size());
      for (std::size_t i = 0; i < v.size(); ++i) {
        try {
          p.results.push_back(v[i].template get<T>());
        } catch (const std::exception& e) {
          RowError bad;
          bad.index = static_cast<std::int64_t>(i);
          bad.error = e.what();
          bad.extra = Json{{"row", v[i]}};
          p.row_errors.push_back(std::move(bad));
        }
      }
    } else if (k == "total_count" && detail::json_count(v)) {
      p.total_count = *detail::json_count(v);
    } else if (k == "current_filters") {
      p.current_filters = v;
    } else if (k == "filters_data") {
      p.filters_data = v;
    } else if (k == "filter_options") {
      p.filter_options = v;
    } else {
      p.extra[k] = v;
    }
  }
  if (p.count == 0 && p.total_count) p.count = *p.total_count;
}

/// Outcome of a bulk create. Partial success is success: check `errors`.
struct RESPAN_EXPORT BulkResult {
  std::int64_t success_count = 0;  ///< Rows stored.
  std::int64_t error_count = 0;    ///< Rows rejected (by the server or locally).
  /// Rows the server neither confirmed nor rejected: the answer was empty or its
  /// `success_count` missing, null or not a count. They may or may not be stored.
  std::int64_t unconfirmed_count = 0;
  std::vector<RowError> errors;              ///< Per-row errors, sorted by index.
  std::optional<std::int64_t> total_errors;  ///< As reported by the server.
  std::vector<std::string> unique_ids;       ///< Ids of stored rows, when the server lists them.
  Json extra;                                ///< Any other response field.

  /// True when every row was confirmed stored.
  bool all_succeeded() const noexcept {
    return error_count == 0 && unconfirmed_count == 0 && errors.empty();
  }
};
RESPAN_EXPORT void to_json(Json& j, const BulkResult& r);
RESPAN_EXPORT void from_json(const Json& j, BulkResult& r);

/// Per-evaluator aggregate in a summary (`scores` map value).
struct RESPAN_EXPORT EvaluatorScoreSummary {
  std::optional<std::string> evaluator_id;
  std::optional<std::string> evaluator_slug;
  std::optional<std::string> evaluator_name;
  std::optional<std::string> score_value_type;  ///< e.g. "numerical", "boolean".
  std::optional<double> avg_score;
  std::optional<std::int64_t> true_count;
  std::optional<std::int64_t> false_count;
  Json extra;
};
RESPAN_EXPORT void to_json(Json& j, const EvaluatorScoreSummary& s);
RESPAN_EXPORT void from_json(const Json& j, EvaluatorScoreSummary& s);

/// Aggregates over a set of logs: the answer of the span summary and of the dataset-log
/// summaries (RequestLogSummary and DatasetLogsSummary name this type).
struct RESPAN_EXPORT LogsSummary {
  std::int64_t number_of_requests = 0;       ///< Logs summarised.
  double total_cost = 0;                     ///< USD.
  std::int64_t total_tokens = 0;             ///< All tokens.
  std::int64_t total_prompt_tokens = 0;      ///< Prompt tokens.
  std::int64_t total_completion_tokens = 0;  ///< Completion tokens.
  Seconds avg_latency;
  double avg_tps = 0;                                   ///< Tokens per second.
  Seconds avg_ttft;                                     ///< Average time to first token.
  std::map<std::string, EvaluatorScoreSummary> scores;  ///< By evaluator id.
  Json extra;  ///< Any other field (and `scores` entries that are not objects).
};
RESPAN_EXPORT void to_json(Json& j, const LogsSummary& s);
RESPAN_EXPORT void from_json(const Json& j, LogsSummary& s);

/// A `{first_name, last_name, email}` user reference.
struct RESPAN_EXPORT UserRef {
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
  std::optional<std::string> email;
  Json extra;
};
RESPAN_EXPORT void to_json(Json& j, const UserRef& u);
RESPAN_EXPORT void from_json(const Json& j, UserRef& u);

/// A `{"message": "..."}` acknowledgement (async operations, exports).
struct RESPAN_EXPORT MessageResponse {
  std::optional<std::string> message;
  Json extra;
};
RESPAN_EXPORT void to_json(Json& j, const MessageResponse& m);
RESPAN_EXPORT void from_json(const Json& j, MessageResponse& m);

}  // namespace respan
