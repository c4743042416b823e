#include <respan/models/thread.hpp>

#include "models/emit.hpp"
#include "models/json_io.hpp"

namespace respan {

template <class Out>
void emit_fields(Out& o, const ThreadRecord& t) {
  if (!t.thread_identifier.empty()) o.required("thread_identifier", t.thread_identifier);
  o.opt("environment", t.environment);
  o.opt("log_count", t.log_count);
  o.extra(t.extra);
}

void to_json(Json& j_out, const ThreadRecord& t) {
  Json j = Json::object();  // built aside: a refused field leaves j_out untouched
  detail::DomOut o{j};
  emit_fields(o, t);
  j_out = std::move(j);
}

void from_json(const Json& j, ThreadRecord& t) {
  t = ThreadRecord{};
  detail::Reader r(j);
  r.id("thread_identifier", t.thread_identifier);
  r.get("environment", t.environment);
  r.get("log_count", t.log_count);
  t.extra = r.extra();
}

}  // namespace respan
