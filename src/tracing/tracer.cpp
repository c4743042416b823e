// respan::Tracer and respan::Span: RAII spans whose ids, parent, names and times fill
// themselves, delivered through a BatchLogger with a trace sink (src/tracing/trace_export.cpp).
//
// Open spans are kept in an intrusive list under the tracer's mutex, so that shutdown() can
// count (and name) the ones never ended; such a span is then marked abandoned and discarded
// when it ends later. Each thread's "current span" stack holds values only (ids, no
// pointers) under a small lock of its own, shared with the spans started on that thread, so
// that a span ended on another thread leaves the stack of the thread that started it.
//
// After fork(), a tracer inherited by a child re-creates its locks and forgets the parent's
// open spans (their threads do not exist there); its logger starts afresh (batch_logger.cpp).
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <new>
#include <thread>
#include <typeinfo>
#include <utility>
#include <vector>

#if __has_include(<cxxabi.h>)
#include <cxxabi.h>
#define RESPAN_HAVE_CXXABI 1
#endif

#include <respan/tracing.hpp>

#include "batch_sink.hpp"
#include "tracing/trace_export.hpp"
#include "util/fork.hpp"

namespace respan {

namespace detail {

struct CurrentStack;

struct TracerState final : ForkAware {
  TracerState() = default;
  TracerState(const TracerState&) = delete;
  TracerState& operator=(const TracerState&) = delete;
  ~TracerState() { unregister_fork_aware(this); }
  void on_fork_child() noexcept override;

  std::uint64_t id = 0;  // matches thread-local current spans to their tracer
  TracerOptions options;
  std::string endpoint;
  std::unique_ptr<BatchLogger> logger;

  std::mutex mu;  // the open-span list
  SpanState* open_head = nullptr;
  std::uint64_t open = 0;
  bool closed = false;

  std::mutex shutdown_mu;
  bool shut = false;
  DeliveryReport final_report;
};

struct SpanState {
  std::shared_ptr<TracerState> tracer;
  std::unique_ptr<TraceSpan> data;
  std::string name;  // immutable while the span is open (shutdown() may read it)
  std::uint64_t trace_hi = 0;
  std::uint64_t trace_lo = 0;
  std::uint64_t span_id = 0;
  std::uint64_t parent_id = 0;
  std::shared_ptr<const std::string> workflow;
  std::chrono::steady_clock::time_point started;
  int uncaught = 0;
  std::uint64_t token = 0;  // its entry in the starting thread's current stack
  std::shared_ptr<CurrentStack> stack;
  bool root = false;
  // Under tracer->mu:
  SpanState* prev = nullptr;
  SpanState* next = nullptr;
  bool registered = false;
  bool abandoned = false;
};

namespace {
std::atomic<std::uint64_t> g_next_tracer_id{1};
}  // namespace

// One entry of a thread's current-span stack (not in an anonymous namespace: CurrentStack,
// which has external linkage, holds them).
struct CurrentEntry {
  std::uint64_t tracer_id;
  std::uint64_t trace_hi;
  std::uint64_t trace_lo;
  std::uint64_t span_id;
  std::shared_ptr<const std::string> workflow;
  std::uint64_t token;  // increasing: the stack is sorted by it
  bool ended = false;   // a tombstone, for a span ended below the top
};

// One thread's current spans. Only that thread pushes; any thread may remove an entry (a
// span ended elsewhere), under `mu`.
struct CurrentStack {
  std::mutex mu;
  std::vector<CurrentEntry> entries;
  std::uint64_t next_token = 1;
  std::size_t ended = 0;  // tombstones in `entries`

  // Removes the entry of `token` (under mu): popped at the top, else marked ended and swept
  // once tombstones are half the stack, so ending n spans in any order costs O(n log n).
  void remove(std::uint64_t token) {
    auto it = std::lower_bound(entries.begin(), entries.end(), token,
                               [](const CurrentEntry& e, std::uint64_t t) { return e.token < t; });
    if (it == entries.end() || it->token != token || it->ended) return;
    it->ended = true;
    ++ended;
    while (!entries.empty() && entries.back().ended) {
      entries.pop_back();
      --ended;
    }
    if (ended * 2 > entries.size()) {
      entries.erase(std::remove_if(entries.begin(), entries.end(),
                                   [](const CurrentEntry& e) { return e.ended; }),
                    entries.end());
      ended = 0;
    }
  }
};

namespace {

const std::shared_ptr<CurrentStack>& current_stack() {
  thread_local const std::shared_ptr<CurrentStack> stack = std::make_shared<CurrentStack>();
  return stack;
}

std::int64_t unix_nanos_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const std::string& empty_string() {
  static const auto* s = new std::string();  // never destroyed (usable at exit)
  return *s;
}

// Pushes a context on this thread's stack; returns its token.
std::uint64_t push_current(CurrentStack& stack, std::uint64_t tracer_id, std::uint64_t trace_hi,
                           std::uint64_t trace_lo, std::uint64_t span_id,
                           std::shared_ptr<const std::string> workflow) {
  std::lock_guard<std::mutex> lk(stack.mu);
  const std::uint64_t token = stack.next_token++;
  stack.entries.push_back(
      CurrentEntry{tracer_id, trace_hi, trace_lo, span_id, std::move(workflow), token, false});
  return token;
}

}  // namespace

std::string exception_type_name(const std::exception& e) {
  const char* raw = typeid(e).name();
#ifdef RESPAN_HAVE_CXXABI
  int status = 0;
  char* demangled = abi::__cxa_demangle(raw, nullptr, nullptr, &status);
  if (status == 0 && demangled != nullptr) {
    std::string name(demangled);
    std::free(demangled);
    return name;
  }
  std::free(demangled);
#endif
  return raw;
}

void TracerState::on_fork_child() noexcept {
  // Locks that a vanished thread may have held are made anew; the open spans of the parent's
  // other threads will never end here, so the list forgets them (a span of the forking thread
  // that ends later is simply sent).
  new (&mu) std::mutex();
  new (&shutdown_mu) std::mutex();
  for (SpanState* p = open_head; p != nullptr;) {
    SpanState* next = p->next;
    p->registered = false;
    p->prev = p->next = nullptr;
    p = next;
  }
  open_head = nullptr;
  open = 0;
  // This thread's current-span stack: another thread may have held its lock.
  new (&current_stack()->mu) std::mutex();
}

}  // namespace detail

// ---------------------------------------------------------------- SpanContext

std::optional<SpanContext> SpanContext::from_ids(const std::string& trace_unique_id,
                                                 const std::string& span_unique_id,
                                                 std::string workflow_name) {
  std::uint64_t t[2] = {0, 0};
  std::uint64_t s = 0;
  if (!detail::parse_hex_id(trace_unique_id, t, 2) || (t[0] == 0 && t[1] == 0)) return std::nullopt;
  if (!detail::parse_hex_id(span_unique_id, &s, 1) || s == 0) return std::nullopt;
  SpanContext c;
  c.trace_hi_ = t[0];
  c.trace_lo_ = t[1];
  c.span_id_ = s;
  if (!workflow_name.empty())
    c.workflow_ = std::make_shared<const std::string>(std::move(workflow_name));
  return c;
}

std::string SpanContext::trace_unique_id() const {
  return valid() ? detail::hex_id(trace_hi_, trace_lo_) : std::string();
}

std::string SpanContext::span_unique_id() const {
  return valid() ? detail::hex_id(span_id_) : std::string();
}

const std::string& SpanContext::workflow_name() const noexcept {
  return workflow_ ? *workflow_ : detail::empty_string();
}

ContextScope SpanContext::make_current() const {
  ContextScope scope;
  if (!valid()) return scope;
  scope.stack_ = detail::current_stack();
  scope.token_ =
      detail::push_current(*scope.stack_, tracer_id_, trace_hi_, trace_lo_, span_id_, workflow_);
  return scope;
}

// ---------------------------------------------------------------- ContextScope

ContextScope::ContextScope(ContextScope&& other) noexcept
    : stack_(std::move(other.stack_)), token_(std::exchange(other.token_, 0)) {}

ContextScope& ContextScope::operator=(ContextScope&& other) noexcept {
  if (this != &other) {
    reset();
    stack_ = std::move(other.stack_);
    token_ = std::exchange(other.token_, 0);
  }
  return *this;
}

ContextScope::~ContextScope() {
  reset();
}

void ContextScope::reset() noexcept {
  if (token_ == 0 || !stack_) return;
  {
    std::lock_guard<std::mutex> lk(stack_->mu);
    stack_->remove(token_);
  }
  token_ = 0;
  stack_.reset();
}

// ---------------------------------------------------------------- Span

Span::Span() noexcept = default;
Span::Span(std::unique_ptr<detail::SpanState> state) noexcept : state_(std::move(state)) {}
Span::Span(Span&& other) noexcept = default;

Span& Span::operator=(Span&& other) noexcept {
  if (this != &other) {
    end();
    state_ = std::move(other.state_);
  }
  return *this;
}

Span::~Span() {
  if (state_ && std::uncaught_exceptions() > state_->uncaught && !state_->data->error) {
    state_->data->error = true;
    if (!state_->data->log.error_message) {
      try {
        state_->data->log.error_message =
            "span ended during stack unwinding (an exception was thrown)";
      } catch (...) {  // out of memory: the error flag alone marks it
      }
    }
  }
  end();
}

bool Span::recording() const noexcept {
  return state_ != nullptr;
}

SpanContext Span::context() const {
  SpanContext c;
  if (!state_) return c;
  c.tracer_id_ = state_->tracer->id;
  c.trace_hi_ = state_->trace_hi;
  c.trace_lo_ = state_->trace_lo;
  c.span_id_ = state_->span_id;
  c.workflow_ = state_->workflow;
  return c;
}

std::string Span::trace_unique_id() const {
  return state_ ? detail::hex_id(state_->trace_hi, state_->trace_lo) : std::string();
}

std::string Span::span_unique_id() const {
  return state_ ? detail::hex_id(state_->span_id) : std::string();
}

Span Span::child(std::string name) const {
  if (!state_) return Span();
  return Tracer::start(state_->tracer, std::move(name), context());
}

ContextScope Span::make_current() const {
  return context().make_current();
}

Span& Span::set_model(std::string model) {
  if (state_) state_->data->log.model = std::move(model);
  return *this;
}
Span& Span::set_log_type(LogType type) {
  if (state_) state_->data->log.log_type = std::move(type);
  return *this;
}
Span& Span::set_input(SpanIO input) {
  if (state_) state_->data->log.input = std::move(input);
  return *this;
}
Span& Span::set_output(SpanIO output) {
  if (state_) state_->data->log.output = std::move(output);
  return *this;
}
Span& Span::set_prompt_messages(std::vector<Message> messages) {
  if (state_) state_->data->log.prompt_messages = std::move(messages);
  return *this;
}
Span& Span::set_completion_message(Message message) {
  if (state_) state_->data->log.completion_message = std::move(message);
  return *this;
}
Span& Span::set_usage(std::int64_t prompt_tokens, std::int64_t completion_tokens) {
  if (state_) {
    state_->data->log.prompt_tokens = prompt_tokens;
    state_->data->log.completion_tokens = completion_tokens;
  }
  return *this;
}
Span& Span::set_usage(Usage usage) {
  if (!state_) return *this;
  RequestLog& log = state_->data->log;
  if (auto p = usage.prompt_tokens ? usage.prompt_tokens : usage.input_tokens)
    log.prompt_tokens = p;
  if (auto c = usage.completion_tokens ? usage.completion_tokens : usage.output_tokens)
    log.completion_tokens = c;
  log.usage = std::move(usage);
  return *this;
}
Span& Span::set_cost(double usd) {
  if (state_) state_->data->log.cost = usd;
  return *this;
}
Span& Span::set_metadata(const std::string& key, Json value) {
  if (!state_) return *this;
  std::optional<Json>& m = state_->data->log.metadata;
  if (!m || !m->is_object()) m = Json::object();
  (*m)[key] = std::move(value);
  return *this;
}
Span& Span::set_metadata(Json object) {
  if (state_) state_->data->log.metadata = std::move(object);
  return *this;
}
Span& Span::set_customer(std::string customer_identifier) {
  if (state_) state_->data->log.customer_identifier = std::move(customer_identifier);
  return *this;
}
Span& Span::set_customer(CustomerParams customer) {
  if (!state_) return *this;
  if (customer.customer_identifier)
    state_->data->log.customer_identifier = customer.customer_identifier;
  state_->data->log.customer_params = std::move(customer);
  return *this;
}
Span& Span::set_provider(std::string provider_id) {
  if (state_) state_->data->provider_id = std::move(provider_id);
  return *this;
}
Span& Span::set_error(std::string message) {
  if (!state_) return *this;
  state_->data->error = true;
  state_->data->log.status = SpanStatus::error();
  state_->data->log.error_message = std::move(message);
  return *this;
}

Span& Span::record_exception(const std::exception& e) {
  if (!state_) return *this;
  set_error(e.what());
  state_->data->exception_type = detail::exception_type_name(e);
  return *this;
}

Span& Span::record_exception(const std::exception_ptr& e) {
  if (!state_ || !e) return *this;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    return record_exception(ex);
  } catch (...) {
    set_error("an exception not derived from std::exception");
  }
  return *this;
}

void record_exception(RequestLog& log, const std::exception& e) {
  log.status = SpanStatus::error();
  log.error_message = detail::exception_type_name(e) + ": " + e.what();
}

RequestLog& Span::fields() {
  if (!state_) {
    // A non-recording span: writes go to a per-thread scratch span that is never sent.
    thread_local RequestLog scratch;
    scratch = RequestLog();
    return scratch;
  }
  return state_->data->log;
}

void Span::end() noexcept {
  if (!state_) return;
  std::unique_ptr<detail::SpanState> st = std::move(state_);
  const auto steady_end = std::chrono::steady_clock::now();
  // Leave the current stack of the thread that started it, whichever thread ends it.
  if (st->stack) {
    std::lock_guard<std::mutex> lk(st->stack->mu);
    st->stack->remove(st->token);
  }
  detail::TracerState& tracer = *st->tracer;
  {
    std::lock_guard<std::mutex> lk(tracer.mu);
    if (st->abandoned) return;  // counted as unended by shutdown(); not sent
    if (st->registered) {
      if (st->prev != nullptr) st->prev->next = st->next;
      if (st->next != nullptr) st->next->prev = st->prev;
      if (tracer.open_head == st.get()) tracer.open_head = st->next;
      st->registered = false;
      --tracer.open;
    }
  }
  try {
    TraceSpan& d = *st->data;
    RequestLog& log = d.log;
    d.end_unix_nanos =
        d.start_unix_nanos +
        std::chrono::duration_cast<std::chrono::nanoseconds>(steady_end - st->started).count();
    d.span_unique_id = detail::hex_id(st->span_id);
    log.trace_unique_id = detail::hex_id(st->trace_hi, st->trace_lo);
    if (st->parent_id != 0) {
      log.span_parent_id = detail::hex_id(st->parent_id);
    } else {
      log.span_parent_id.reset();
    }
    log.span_name = std::move(st->name);
    if (st->workflow) {
      log.span_workflow_name = *st->workflow;
    } else {
      log.span_workflow_name.reset();
    }
    if (!log.log_type) {
      log.log_type = !log.model.empty() ? LogType::chat()
                     : st->root         ? LogType::workflow()
                                        : LogType::task();
    }
  } catch (...) {
    // Out of memory while filling the ids: the logger counts the span as it is (its
    // encoder refuses a span without ids: dropped, reason invalid).
  }
  detail::BatchLoggerAccess::log(*tracer.logger, std::move(st->data));
}

// ---------------------------------------------------------------- Tracer

Tracer::Tracer(RespanClient client, TracerOptions options) {
  if (auto e = detail::check_tracer_options(options)) throw ApiError(std::move(*e));
  *this = Tracer(Validated{}, std::move(client), std::move(options));
}

Tracer::Tracer(Validated, RespanClient client, TracerOptions options)
    : state_(std::make_shared<detail::TracerState>()) {
  state_->id = detail::g_next_tracer_id.fetch_add(1);
  if (!detail::register_fork_aware(state_.get()))
    throw ApiError(Error::make(ErrorCode::internal, "Tracer: out of memory"));
  state_->endpoint = detail::trace_endpoint(options, client.options().base_url);
  auto sink = detail::make_trace_sink(options);
  state_->logger = detail::BatchLoggerAccess::make(std::move(client), options.batch, sink);
  state_->options = std::move(options);
  state_->options.batch = state_->logger->options();
}

Result<Tracer> Tracer::create(RespanClient client, TracerOptions options) {
  if (auto e = detail::check_tracer_options(options)) return *e;
  try {
    return Tracer(Validated{}, std::move(client), std::move(options));
  } catch (const ApiError& ex) {  // its threads could not be started (ErrorCode::internal)
    return ex.error();
  } catch (const std::exception& ex) {
    return Error::make(ErrorCode::internal, std::string("cannot start the tracer: ") + ex.what());
  }
}

Result<Tracer> Tracer::from_env(RespanClient client, TracerOptions defaults) {
  Result<TracerOptions> o = detail::tracer_options_from_env(
      std::move(defaults), [](const char* name) { return std::getenv(name); });
  if (!o) return std::move(o).error();
  return create(std::move(client), std::move(o).value());
}

Tracer::Tracer(Tracer&&) noexcept = default;

Tracer& Tracer::operator=(Tracer&& other) noexcept {
  if (this != &other) {
    if (state_) {
      try {
        shutdown(state_->options.batch.shutdown_timeout);
      } catch (...) {
      }
    }
    state_ = std::move(other.state_);
  }
  return *this;
}

Tracer::~Tracer() {
  if (!state_) return;
  try {
    shutdown(state_->options.batch.shutdown_timeout);
  } catch (...) {  // a destructor must not throw
  }
}

Span Tracer::start_trace(std::string name) {
  return start_span(std::move(name), SpanContext());
}

SpanContext Tracer::current_context() const {
  SpanContext parent;
  if (!state_) return parent;
  detail::CurrentStack& stack = *detail::current_stack();
  std::lock_guard<std::mutex> lk(stack.mu);
  for (auto it = stack.entries.rbegin(); it != stack.entries.rend(); ++it) {
    // Entry tracer id 0: a context made from ids (SpanContext::from_ids), for every tracer.
    if (!it->ended && (it->tracer_id == state_->id || it->tracer_id == 0)) {
      parent.tracer_id_ = state_->id;
      parent.trace_hi_ = it->trace_hi;
      parent.trace_lo_ = it->trace_lo;
      parent.span_id_ = it->span_id;
      parent.workflow_ = it->workflow;
      break;
    }
  }
  return parent;
}

Span Tracer::start_span(std::string name) {
  if (!state_) return Span();
  return start_span(std::move(name), current_context());
}

Span Tracer::start_span(std::string name, const SpanContext& parent) {
  if (!state_) return Span();
  return start(state_, std::move(name), parent);
}

Span Tracer::start(const std::shared_ptr<detail::TracerState>& state, std::string name,
                   const SpanContext& parent) {
  auto st = std::make_unique<detail::SpanState>();
  st->data = std::make_unique<TraceSpan>();
  st->tracer = state;
  st->uncaught = std::uncaught_exceptions();
  st->span_id = detail::random_id();
  if (parent.valid()) {
    st->trace_hi = parent.trace_hi_;
    st->trace_lo = parent.trace_lo_;
    st->parent_id = parent.span_id_;
    st->workflow = parent.workflow_;
  } else {
    st->trace_hi = detail::random_id();
    st->trace_lo = detail::random_id();
    st->root = true;
    st->workflow = std::make_shared<const std::string>(name);
  }
  st->name = std::move(name);
  st->data->start_unix_nanos = detail::unix_nanos_now();
  st->started = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lk(state->mu);
    if (!state->closed) {  // after shutdown: counted as dropped (shutdown) when it ends
      st->next = state->open_head;
      if (st->next != nullptr) st->next->prev = st.get();
      state->open_head = st.get();
      st->registered = true;
      ++state->open;
    }
  }
  st->stack = detail::current_stack();
  st->token = detail::push_current(*st->stack, state->id, st->trace_hi, st->trace_lo, st->span_id,
                                   st->workflow);
  return Span(std::move(st));
}

DeliveryReport Tracer::stats() const {
  return state_ ? state_->logger->stats() : DeliveryReport{};
}

std::uint64_t Tracer::open_spans() const {
  if (!state_) return 0;
  std::lock_guard<std::mutex> lk(state_->mu);
  return state_->open;
}

DeliveryReport Tracer::flush() {
  return flush(std::chrono::milliseconds::max());
}

DeliveryReport Tracer::shutdown() {
  return shutdown(std::chrono::milliseconds::max());
}

DeliveryReport Tracer::flush(std::chrono::milliseconds timeout) {
  return state_ ? state_->logger->flush(timeout) : DeliveryReport{};
}

DeliveryReport Tracer::shutdown(std::chrono::milliseconds timeout) {
  if (!state_) return DeliveryReport{};
  detail::TracerState& s = *state_;
  std::lock_guard<std::mutex> once(s.shutdown_mu);
  if (s.shut) return s.final_report;
  std::vector<std::string> unended;
  {
    std::lock_guard<std::mutex> lk(s.mu);
    s.closed = true;
    for (detail::SpanState* p = s.open_head; p != nullptr;) {
      detail::SpanState* next = p->next;
      p->abandoned = true;
      p->registered = false;
      p->prev = p->next = nullptr;
      unended.push_back(
          "span '" + p->name + "' (trace " + detail::hex_id(p->trace_hi, p->trace_lo) + ", span " +
          detail::hex_id(p->span_id) + ") was never ended before the tracer shut down");
      p = next;
    }
    s.open_head = nullptr;
    s.open = 0;
  }
  detail::BatchLoggerAccess::count_unended(*s.logger, unended);
  s.final_report = s.logger->shutdown(timeout);
  s.shut = true;
  return s.final_report;
}

const TracerOptions& Tracer::options() const noexcept {
  static const TracerOptions kDefaults;
  return state_ ? state_->options : kDefaults;
}

const std::string& Tracer::endpoint() const noexcept {
  return state_ ? state_->endpoint : detail::empty_string();
}

}  // namespace respan
