// Fuzzes filter JSON: bytes -> parse_json_bounded -> Filters::from_json -> to_json, and the
// builder (where / where_raw) fed with the parsed conditions. Checked properties:
// - from_json(to_json(f)) == f and serialises to the same text (from_json keeps any object
//   verbatim, so the round trip is stable by design);
// - where_raw(field, op, value) with an array value reproduces a condition of exactly the
//   documented shape {"operator": op, "value": [...]}, and always sends an array;
// - a dataset create body carrying the filters decodes and re-serialises.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <respan/filters.hpp>
#include <respan/json.hpp>
#include <respan/models/dataset.hpp>

#include "util/json_limits.hpp"

namespace {

std::string dump(const respan::Json& j) {
  return j.dump(-1, ' ', false, respan::Json::error_handler_t::replace);
}

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const respan::detail::BoundedJson parsed = respan::detail::parse_json_bounded(text);
  if (parsed.status != respan::detail::JsonParseStatus::ok) return 0;
  const respan::Json& j = parsed.value;

  const respan::Filters f = respan::Filters::from_json(j);
  check(f.to_json().is_object());
  check(f.empty() == f.to_json().empty());
  const respan::Filters again = respan::Filters::from_json(f.to_json());
  check(again == f);
  check(dump(again.to_json()) == dump(f.to_json()));
  respan::Json via_adl = f;  // to_json(Json&, const Filters&)
  check(via_adl.get<respan::Filters>() == f);

  // Rebuild with the builder; each condition must be an array-valued {operator, value}.
  respan::Filters built;
  for (auto it = f.to_json().begin(); it != f.to_json().end(); ++it) {
    const respan::Json& cond = it.value();
    std::string op;
    if (cond.is_object() && cond.contains("operator") && cond["operator"].is_string()) {
      op = cond["operator"].get<std::string>();
    }
    const respan::Json value = cond.is_object() && cond.contains("value") ? cond["value"] : cond;
    built.where_raw(it.key(), op, value);
    const respan::Json& got = built.to_json()[it.key()];
    check(got.size() == 2 && got["operator"] == op && got["value"].is_array());
    if (cond.is_object() && cond.size() == 2 && cond.contains("operator") &&
        cond["operator"].is_string() && cond.contains("value") && cond["value"].is_array()) {
      check(got == cond);
    }
    built.where(it.key(), respan::FilterOperator::in, value);
    check(built.to_json()[it.key()]["value"].is_array());
    built.remove(it.key());
  }
  check(built.empty());

  // Filters inside a dataset create body (Reader::filters), decoded and re-encoded.
  try {
    const respan::Json body = {{"name", "fuzz"}, {"initial_log_filters", j}};
    const respan::Dataset create = body.get<respan::Dataset>();
    const respan::Json out = create;
    if (j.is_object()) check(out.contains("initial_log_filters"));
    (void)dump(out);
  } catch (const respan::Json::exception&) {
  }
  return 0;
}
