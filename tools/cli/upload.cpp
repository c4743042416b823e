// respan logs upload / respan dataset-logs upload: JSON lines through the BatchLogger.
//
// One line is one span (the body of POST /api/request-logs/) or one dataset log (a row of
// POST /api/datasets/{id}/logs/bulk/). Lines are read, parsed and handed to a BatchLogger,
// which batches, sends, retries and accounts for every one of them (DeliveryReport). The
// logger is made through detail::BatchLoggerAccess with a sink (src/batch_sink.hpp): the
// library's request-log bulk sink, or the dataset-log bulk sink below, so that each queued
// item carries its line number (in TraceSpan::span_unique_id, which neither sink sends) and
// every rejection or drop is reported with the line it came from.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iomanip>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#ifdef _WIN32
#include <io.h>
#else
#include <signal.h>  // sigaction
#include <unistd.h>
#endif

#include <respan/batch_logger.hpp>
#include <respan/tracing.hpp>

#include "batch/answers.hpp"
#include "batch_sink.hpp"
#include "cli.hpp"
#include "http/pipeline.hpp"
#include "models/encode.hpp"
#include "util/json_limits.hpp"
#include "util/text.hpp"

namespace respan::cli {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Longest line read; a longer one is reported as invalid (no span can be that large: the
// BatchLogger sends at most 16 MiB per request).
constexpr std::size_t kMaxLineBytes = 16u * 1024u * 1024u;
// Most spans read ahead of the server's confirmations (bounded memory while it is slow).
constexpr std::uint64_t kReadAhead = 20000;

std::atomic<bool> g_interrupted{false};

extern "C" void on_interrupt(int) {
  g_interrupted.store(true);
}

// Ctrl-C stops reading (also a read blocked on a pipe: no SA_RESTART), delivery stops, and the
// report is printed. Restores the previous handler when destroyed.
class InterruptHandler {
 public:
  InterruptHandler() {
    g_interrupted.store(false);
#ifdef _WIN32
    previous_ = std::signal(SIGINT, on_interrupt);
#else
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: a blocked read returns
    sigaction(SIGINT, &sa, &previous_);
#endif
  }
  ~InterruptHandler() {
#ifdef _WIN32
    std::signal(SIGINT, previous_ == SIG_ERR ? SIG_DFL : previous_);
#else
    sigaction(SIGINT, &previous_, nullptr);
#endif
  }
  InterruptHandler(const InterruptHandler&) = delete;
  InterruptHandler& operator=(const InterruptHandler&) = delete;

 private:
#ifdef _WIN32
  void (*previous_)(int) = SIG_DFL;
#else
  struct sigaction previous_ {};
#endif
};

bool stderr_is_terminal() {
#ifdef _WIN32
  return _isatty(_fileno(stderr)) != 0;
#else
  return isatty(STDERR_FILENO) != 0;
#endif
}

// ------------------------------------------------------------------ dataset-log bulk sink
// {"logs": [...]} to POST /api/datasets/{id}/logs/bulk/, read with the one decoder of batch
// answers (the answer is bulk-shaped). The row is the log's JSON, kept in the queued span's
// `log.extra` (its memory is accounted there); there is no single-create fallback.
class DatasetLogBulkSink final : public detail::BatchSink {
 public:
  explicit DatasetLogBulkSink(const std::string& dataset_id)
      : path_("/api/datasets/" + detail::percent_encode(dataset_id) + "/logs/bulk/") {}

  std::optional<std::string> encode(const TraceSpan& span, std::string& out,
                                    detail::FieldDrops* = nullptr) const override {
    const Json& row = span.log.extra;
    // As DatasetLogsResource::create_bulk checks its rows.
    for (const char* key : {"metadata", "metrics"}) {
      if (auto it = row.find(key); it != row.end() && !it->is_object()) {
        return std::string("DatasetLog.") + key + ": must be a JSON object";
      }
    }
    try {
      out += row.dump();
    } catch (const std::exception& e) {
      return std::string("DatasetLog: ") + e.what();
    }
    return std::nullopt;
  }
  std::string_view body_prefix() const noexcept override { return "{\"logs\":["; }
  std::string_view body_suffix() const noexcept override { return "]}"; }
  Result<detail::RowVerdicts> send(const detail::Pipeline& pipeline, std::string& body,
                                   std::size_t rows, const RequestOptions& options) const override {
    detail::ApiRequest req{
        HttpMethod::post, path_, {}, std::nullopt, detail::Idempotency::non_idempotent,
        std::move(body)};
    Result<detail::Reply> r = pipeline.execute_lending(req, options);
    body = std::move(*req.body_text);  // kept for a retry
    if (!r) return std::move(r).error();
    return detail::read_answer(detail::AnswerShape::bulk, r->http.body, rows);
  }
  std::string describe() const override { return path_; }

 private:
  std::string path_;
};

// ------------------------------------------------------------------ input lines
// Reads lines of at most kMaxLineBytes from a stream, without trusting its size.
class LineReader {
 public:
  /// Reads up to `size` bytes into `buf`: the count, 0 at the end, < 0 on an error. It may
  /// return fewer bytes than asked (a pipe: whatever has arrived).
  using Source = std::function<long long(char* buf, std::size_t size)>;
  explicit LineReader(Source source) : source_(std::move(source)), buf_(1u << 20) {}

  enum class Status { line, too_long, end };
  // The next line (without its '\n' and a trailing '\r').
  Status next(std::string& line) {
    line.clear();
    bool too_long = false;
    for (;;) {
      if (pos_ == len_) {
        if (eof_) break;
        const long long got = source_(buf_.data(), buf_.size());
        if (got < 0) failed_ = true;
        len_ = got > 0 ? static_cast<std::size_t>(got) : 0;
        pos_ = 0;
        bytes_ += len_;
        if (len_ == 0) {
          eof_ = true;
          break;
        }
      }
      const char* start = buf_.data() + pos_;
      const auto* nl = static_cast<const char*>(std::memchr(start, '\n', len_ - pos_));
      const std::size_t take = nl ? static_cast<std::size_t>(nl - start) : len_ - pos_;
      if (!too_long) {
        if (line.size() + take > kMaxLineBytes) {
          too_long = true;
          line.clear();
        } else {
          line.append(start, take);
        }
      }
      pos_ += take;
      if (nl) {
        ++pos_;
        return finish(line, too_long);
      }
    }
    if (line.empty() && !too_long) return Status::end;
    return finish(line, too_long);
  }
  std::uint64_t bytes_read() const noexcept { return bytes_ - (len_ - pos_); }
  bool failed() const { return failed_; }

 private:
  Status finish(std::string& line, bool too_long) {
    if (too_long) return Status::too_long;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return Status::line;
  }
  Source source_;
  std::vector<char> buf_;
  bool failed_ = false;
  std::size_t pos_ = 0;
  std::size_t len_ = 0;
  std::uint64_t bytes_ = 0;
  bool eof_ = false;
};

// ------------------------------------------------------------------ progress
std::string group(std::uint64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3)
    s.insert(static_cast<std::size_t>(i), ",");
  return s;
}

struct Snapshot {
  std::uint64_t lines = 0;
  std::uint64_t invalid = 0;
  std::uint64_t bytes = 0;
  DeliveryReport report;
};

class Progress {
 public:
  enum class Mode { none, bar, lines };
  Progress(std::ostream& err, Mode mode, std::uint64_t total_bytes, milliseconds interval)
      : err_(err), mode_(mode), total_(total_bytes), interval_(interval) {}

  // Redraws (bar) or prints a line (lines) when the interval has passed, or when `force`.
  void update(const Snapshot& s, bool force = false) {
    if (mode_ == Mode::none) return;
    const auto now = Clock::now();
    if (!force && now - last_ < interval_) return;
    last_ = now;
    std::lock_guard<std::mutex> lk(mu_);
    const double secs = std::chrono::duration<double>(now - start_).count();
    const auto rate =
        static_cast<std::uint64_t>(secs > 0 ? static_cast<double>(s.report.delivered) / secs : 0);
    std::ostringstream line;
    if (mode_ == Mode::bar) {
      if (total_ > 0) {
        const double f = std::min(1.0, static_cast<double>(s.bytes) / static_cast<double>(total_));
        const int width = 24;
        const int filled = static_cast<int>(f * width);
        line << '[' << std::string(static_cast<std::size_t>(filled), '#')
             << std::string(static_cast<std::size_t>(width - filled), '-') << "] " << std::setw(3)
             << static_cast<int>(f * 100) << "%  ";
      }
      line << "read " << group(s.lines) << "  delivered " << group(s.report.delivered)
           << "  rejected " << group(s.report.rejected) << "  dropped "
           << group(s.report.dropped + s.invalid) << "  " << group(rate) << "/s";
      std::string text = line.str();
      const std::size_t shown = text.size();
      if (text.size() < drawn_) text.append(drawn_ - text.size(), ' ');
      drawn_ = shown;
      err_ << '\r' << text << std::flush;
    } else {
      line << "respan: read " << s.lines << " lines, delivered " << s.report.delivered
           << ", rejected " << s.report.rejected << ", dropped " << s.report.dropped << ", invalid "
           << s.invalid << ", pending " << s.report.pending << ", " << rate << " spans/s";
      err_ << line.str() << '\n' << std::flush;
    }
  }

  // Prints a message line, clearing the bar first (it is redrawn on the next update).
  void message(const std::string& text) {
    std::lock_guard<std::mutex> lk(mu_);
    if (mode_ == Mode::bar && drawn_ > 0) {
      err_ << '\r' << std::string(drawn_, ' ') << '\r';
      drawn_ = 0;
    }
    err_ << text << '\n' << std::flush;
  }

  void finish() {
    std::lock_guard<std::mutex> lk(mu_);
    if (mode_ == Mode::bar && drawn_ > 0) err_ << '\n' << std::flush;
    drawn_ = 0;
  }

 private:
  std::ostream& err_;
  Mode mode_;
  std::uint64_t total_;
  milliseconds interval_;
  std::mutex mu_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_{};
  std::size_t drawn_ = 0;
};

// Reports per-line problems, at most `max` of them (then a count of the rest).
class LineReports {
 public:
  LineReports(Progress& progress, std::uint64_t max, bool quiet)
      : progress_(progress), max_(max), quiet_(quiet) {}
  void report(const std::string& text) {
    std::uint64_t n = ++count_;
    if (quiet_ || n > max_) return;
    progress_.message("respan: " + text);
  }
  void summary() {
    const std::uint64_t n = count_.load();
    if (!quiet_ && n > max_) {
      progress_.message("respan: ... and " + std::to_string(n - max_) +
                        " more problems not shown (--max-reported)");
    }
  }

 private:
  Progress& progress_;
  std::uint64_t max_;
  bool quiet_;
  std::atomic<std::uint64_t> count_{0};
};

std::string line_of(const DeliveryEvent& e) {
  if (e.trace_span != nullptr && !e.trace_span->span_unique_id.empty()) {
    return "line " + e.trace_span->span_unique_id;
  }
  return std::to_string(e.count) + (e.count == 1 ? " line" : " lines");
}

enum class Kind { request_logs, dataset_logs };

std::vector<OptionSpec> upload_options(Kind kind) {
  std::vector<OptionSpec> o;
  if (kind == Kind::dataset_logs) {
    o.push_back({"dataset", "ID", "The dataset (required)", false, 'd', ""});
  }
  o.push_back({"on-invalid", "ACTION",
               "A line that is not valid JSON (or not an object): skip it (the default) or "
               "stop reading",
               false, '\0', "skip stop"});
  o.push_back({"progress", "MODE",
               "bar (on a terminal, the default there), lines (plain lines on stderr, the "
               "default otherwise) or none",
               false, '\0', "auto bar lines none"});
  o.push_back({"progress-interval", "SECONDS", "Between progress updates (default 1; bar 0.2)",
               false, '\0', ""});
  o.push_back({"batch-size", "N", "Rows per request, 1-500 (default 500)", false, '\0', ""});
  o.push_back({"drain-timeout", "SECONDS",
               "After the input ends, how long to keep delivering (retrying) before giving up "
               "on what is left (default 300)",
               false, '\0', ""});
  o.push_back({"at-most-once", "",
               "Never resend a batch whose answer was lost (no duplicates; its lines are then "
               "dropped as unacknowledged)",
               false, '\0', ""});
  o.push_back({"max-reported", "N", "Report at most N problem lines on stderr (default 100)", false,
               '\0', ""});
  o.push_back({"quiet", "", "Report no problem lines (the final report still counts them)", false,
               'q', ""});
  return o;
}

double seconds_option(const Args& a, const char* name, double fallback, double max) {
  auto v = a.get(name);
  if (!v) return fallback;
  char* end = nullptr;
  const double s = std::strtod(v->c_str(), &end);
  if (v->empty() || *end != '\0' || !(s >= 0) || s > max) {
    throw UsageError{std::string("--") + name + " must be a number of seconds from 0 to " +
                     std::to_string(static_cast<long long>(max))};
  }
  return s;
}

int upload(Context& c, const Args& a, Kind kind) {
  // ---------------------------------------------------------------- options
  const std::string what = kind == Kind::request_logs ? "span" : "dataset log";
  const std::string on_invalid = a.get("on-invalid").value_or("skip");
  if (on_invalid != "skip" && on_invalid != "stop") {
    throw UsageError{"--on-invalid takes skip or stop"};
  }
  const std::string mode_text = a.get("progress").value_or("auto");
  Progress::Mode mode;
  if (mode_text == "auto") {
    mode = stderr_is_terminal() ? Progress::Mode::bar : Progress::Mode::lines;
  } else if (mode_text == "bar") {
    mode = Progress::Mode::bar;
  } else if (mode_text == "lines") {
    mode = Progress::Mode::lines;
  } else if (mode_text == "none") {
    mode = Progress::Mode::none;
  } else {
    throw UsageError{"--progress takes auto, bar, lines or none"};
  }
  const double interval =
      seconds_option(a, "progress-interval", mode == Progress::Mode::bar ? 0.2 : 1.0, 3600);
  const double drain = seconds_option(a, "drain-timeout", 300, 7 * 86400);
  std::size_t batch = 500;
  if (auto v = a.get("batch-size")) {
    const std::int64_t n = parse_integer(*v, "--batch-size");
    if (n < 1 || n > 500) throw UsageError{"--batch-size must be 1-500"};
    batch = static_cast<std::size_t>(n);
  }
  std::uint64_t max_reported = 100;
  if (auto v = a.get("max-reported")) {
    max_reported = static_cast<std::uint64_t>(parse_integer(*v, "--max-reported"));
  }
  std::string dataset;
  if (kind == Kind::dataset_logs) {
    dataset = a.get("dataset").value_or("");
    if (dataset.empty()) throw UsageError{"--dataset ID is required"};
  }

  // ---------------------------------------------------------------- input
  const std::string path = a.positionals[0];
  std::ifstream file;
  std::uint64_t total_bytes = 0;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) throw UsageError{"cannot open " + path};
    file.seekg(0, std::ios::end);
    const auto size = file.tellg();
    if (size > 0) total_bytes = static_cast<std::uint64_t>(size);
    file.seekg(0, std::ios::beg);
  }
  LineReader::Source source;
  if (path == "-") {
    // The descriptor itself: a read returns what has arrived, so lines piped in slowly are
    // sent as they come (std::istream::read would wait for a full buffer).
    source = [](char* buf, std::size_t size) -> long long {
      const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(size, 1u << 20));
#ifdef _WIN32
      const int n = _read(0, buf, chunk);
#else
      const ssize_t n = ::read(STDIN_FILENO, buf, chunk);
#endif
      if (n < 0 && errno == EINTR) return 0;  // interrupted (Ctrl-C): the end
      return static_cast<long long>(n);
    };
  } else {
    source = [&file](char* buf, std::size_t size) -> long long {
      file.read(buf, static_cast<std::streamsize>(size));
      if (file.bad()) return -1;
      return static_cast<long long>(file.gcount());
    };
  }

  // ---------------------------------------------------------------- the logger
  ClientOptions copt = c.client_options();
  if (a.has("at-most-once")) copt.span_delivery = SpanDelivery::at_most_once;
  if (copt.api_key.empty()) throw UsageError{"no API key: set RESPAN_API_KEY (or give --api-key)"};
  Result<RespanClient> client = RespanClient::create(copt);
  if (!client) throw UsageError{client.error().message};

  Progress progress(c.err, mode, total_bytes,
                    milliseconds(static_cast<std::int64_t>(interval * 1000)));
  LineReports problems(progress, max_reported, a.has("quiet"));

  BatchOptions bo;
  bo.max_batch_spans = batch;
  bo.overflow = OverflowPolicy::block;  // never drop for lack of room: wait for it
  bo.block_timeout = milliseconds::max();
  bo.shutdown_timeout = milliseconds(0);
  bo.on_event = [&problems](const DeliveryEvent& e) {
    if (e.kind == DeliveryEvent::Kind::rejected) {
      problems.report(line_of(e) + ": rejected" +
                      (e.http_status ? " (HTTP " + std::to_string(e.http_status) + ")" : "") +
                      ": " + e.message);
    } else {
      problems.report(line_of(e) + ": dropped (" + std::string(to_string(e.reason)) +
                      "): " + e.message);
    }
  };
  std::shared_ptr<const detail::BatchSink> sink =
      kind == Kind::request_logs ? detail::request_log_bulk_sink()
                                 : std::static_pointer_cast<const detail::BatchSink>(
                                       std::make_shared<const DatasetLogBulkSink>(dataset));
  std::unique_ptr<BatchLogger> logger =
      detail::BatchLoggerAccess::make(std::move(client).value(), bo, sink);

  std::optional<InterruptHandler> interrupt_handler;
  interrupt_handler.emplace();

  // ---------------------------------------------------------------- read and log
  const auto started = Clock::now();
  LineReader reader(std::move(source));
  Snapshot snap;
  std::uint64_t line_no = 0;
  std::uint64_t logged = 0;
  std::optional<std::uint64_t> stopped_at;
  std::string line;
  for (;;) {
    if (g_interrupted.load()) break;
    const LineReader::Status st = reader.next(line);
    if (st == LineReader::Status::end) break;
    ++line_no;
    std::string invalid;
    auto item = std::make_unique<TraceSpan>();
    if (st == LineReader::Status::too_long) {
      invalid = "longer than " + std::to_string(kMaxLineBytes) + " bytes";
    } else if (line.find_first_not_of(" \t") == std::string::npos) {
      continue;  // blank lines are not spans
    } else {
      detail::BoundedJson parsed = detail::parse_json_bounded(line);
      if (parsed.status == detail::JsonParseStatus::too_deep) {
        invalid = "JSON nested deeper than " + std::to_string(detail::kMaxJsonDepth) + " levels";
      } else if (parsed.status != detail::JsonParseStatus::ok) {
        invalid = "not valid JSON (" + json_syntax_error(line) + ")";
      } else if (!parsed.value.is_object()) {
        invalid = "not a JSON object";
      } else {
        try {
          if (kind == Kind::request_logs) {
            parsed.value.get_to(item->log);
          } else {
            // Through the model, as DatasetLogsResource::create_bulk sends a row.
            const DatasetLog log = parsed.value.get<DatasetLog>();
            Result<Json> row = detail::encode(log, "DatasetLog");
            if (!row) {
              invalid = row.error().message;
            } else {
              item->log.extra = std::move(*row);
            }
          }
        } catch (const std::exception& e) {
          invalid = e.what();
        }
      }
    }
    if (!invalid.empty()) {
      ++snap.invalid;
      problems.report("line " + std::to_string(line_no) + ": " + invalid +
                      (on_invalid == "stop" ? "; stopping" : "; skipped"));
      if (on_invalid == "stop") {
        stopped_at = line_no;
        break;
      }
      continue;
    }
    item->span_unique_id = std::to_string(line_no);
    // Read ahead of the confirmations by a bounded amount (and stay interruptible).
    if ((logged & 255u) == 0) {
      for (;;) {
        snap.report = logger->stats();
        snap.lines = line_no;
        snap.bytes = reader.bytes_read();
        progress.update(snap);
        if (snap.report.pending < kReadAhead || g_interrupted.load()) break;
        std::this_thread::sleep_for(milliseconds(5));
      }
    }
    detail::BatchLoggerAccess::log(*logger, std::move(item));
    ++logged;
  }
  const bool read_failed = reader.failed() && !g_interrupted.load();
  snap.lines = line_no;
  snap.bytes = reader.bytes_read();

  // ---------------------------------------------------------------- deliver what is left
  const auto drain_until =
      Clock::now() + std::chrono::duration_cast<milliseconds>(std::chrono::duration<double>(drain));
  while (!g_interrupted.load() && Clock::now() < drain_until) {
    snap.report = logger->flush(milliseconds(100));
    progress.update(snap);
    if (snap.report.pending == 0) break;
  }
  snap.report = logger->shutdown(milliseconds(0));
  interrupt_handler.reset();
  progress.update(snap, true);
  progress.finish();
  problems.summary();

  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  Json out{{"file", path},
           {"lines", line_no},
           {"invalid_lines", snap.invalid},
           {"elapsed_seconds", std::round(elapsed * 1000) / 1000},
           {"interrupted", g_interrupted.load()},
           {"delivery", Json(snap.report)}};
  if (kind == Kind::dataset_logs) out["dataset_id"] = dataset;
  if (stopped_at) out["stopped_at_line"] = *stopped_at;
  c.print(out);

  if (read_failed) {
    c.err << "respan: reading " << path << " failed after line " << line_no << '\n';
    return kExitUsage;
  }
  if (g_interrupted.load()) return kExitInterrupted;
  if (stopped_at) return kExitUsage;
  const DeliveryReport& r = snap.report;
  if (r.delivered == r.logged && snap.invalid == 0) return kExitOk;
  if (r.delivered == 0 && r.logged > 0) {
    c.err << "respan: no " << what << " was delivered\n";
    return kExitApiError;
  }
  return kExitPartial;
}

const char* kExitText =
    "Exit status: 0 every line delivered; 3 partial delivery (some lines invalid, rejected or\n"
    "dropped); 1 nothing delivered (API error: refused, unreachable); 2 usage error, or a\n"
    "line stopped the run (--on-invalid stop); 130 interrupted (Ctrl-C: what was read is\n"
    "not sent further, the report counts it as dropped).";

}  // namespace

CommandSpec logs_upload_command() {
  CommandSpec c;
  c.words = {"logs", "upload"};
  c.summary = "Upload spans from a JSON-lines file through the BatchLogger";
  c.positionals = "FILE";
  c.min_positionals = c.max_positionals = 1;
  c.options = upload_options(Kind::request_logs);
  c.details = std::string(
                  "FILE (- for stdin) holds one span per line, as POST /api/request-logs/ takes "
                  "it, e.g.\n"
                  "  {\"model\": \"gpt-4o\", \"input\": \"Hi\", \"output\": \"Hello!\", "
                  "\"customer_identifier\": \"alice\"}\n"
                  "Spans are sent in batches (POST /api/request-logs/bulk/), retried until "
                  "delivered or\n"
                  "refused; problems are reported with their line number on stderr, progress "
                  "too.\n"
                  "The last output is one JSON object on stdout: the line counts and the "
                  "BatchLogger's\n"
                  "DeliveryReport (\"delivery\": delivered, rejected, dropped by reason, "
                  "retries, ...).\n\n") +
              kExitText;
  c.run = [](Context& ctx, const Args& a) { return upload(ctx, a, Kind::request_logs); };
  return c;
}

CommandSpec dataset_logs_upload_command() {
  CommandSpec c;
  c.words = {"dataset-logs", "upload"};
  c.summary = "Upload dataset logs from a JSON-lines file through the BatchLogger";
  c.positionals = "FILE";
  c.min_positionals = c.max_positionals = 1;
  c.options = upload_options(Kind::dataset_logs);
  c.details = std::string(
                  "FILE (- for stdin) holds one dataset log per line, as a row of\n"
                  "POST /api/datasets/{id}/logs/bulk/ (input, output, expected_output, "
                  "metadata, metrics), e.g.\n"
                  "  {\"input\": {\"q\": \"Where is my order?\"}, \"expected_output\": \"It "
                  "ships on Monday.\"}\n"
                  "Sent in batches of up to 500 with the BatchLogger's retries and ledger; the "
                  "last output\n"
                  "is one JSON object on stdout with the DeliveryReport (\"delivery\").\n\n") +
              kExitText;
  c.run = [](Context& ctx, const Args& a) { return upload(ctx, a, Kind::dataset_logs); };
  return c;
}

}  // namespace respan::cli
