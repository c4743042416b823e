#include <respan/models/thread.hpp>

#include "models/emit.hpp"
#include "models/json_io.hpp"

namespace respan {

template <class V>
void model_fields(V& v, detail::Self<V, ThreadRecord>& t) {
  v("thread_identifier", t.thread_identifier, detail::field::id);
  v("environment", t.environment);
  v("log_count", t.log_count);
  v.extra(t.extra);
}
RESPAN_MODEL_JSON(ThreadRecord)

}  // namespace respan
