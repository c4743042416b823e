#include <respan/filters.hpp>

namespace respan {

const char* to_wire(FilterOperator op) noexcept {
  switch (op) {
    case FilterOperator::equals:
      return "";
    case FilterOperator::not_equal:
      return "not";
    case FilterOperator::iexact:
      return "iexact";
    case FilterOperator::lt:
      return "lt";
    case FilterOperator::lte:
      return "lte";
    case FilterOperator::gt:
      return "gt";
    case FilterOperator::gte:
      return "gte";
    case FilterOperator::contains:
      return "contains";
    case FilterOperator::icontains:
      return "icontains";
    case FilterOperator::startswith:
      return "startswith";
    case FilterOperator::endswith:
      return "endswith";
    case FilterOperator::in:
      return "in";
    case FilterOperator::isnull:
      return "isnull";
  }
  return "";
}

Filters& Filters::where(std::string field, FilterOperator op, Json value) {
  return where_raw(std::move(field), to_wire(op), std::move(value));
}

Filters& Filters::where_raw(std::string field, std::string op, Json value) {
  if (!value.is_array()) value = Json::array({std::move(value)});
  conditions_[std::move(field)] = Json{{"operator", std::move(op)}, {"value", std::move(value)}};
  return *this;
}

Filters Filters::from_json(const Json& map) {
  Filters f;
  if (map.is_object()) f.conditions_ = map;
  return f;
}

void to_json(Json& j, const Filters& f) {
  j = f.to_json();
}
void from_json(const Json& j, Filters& f) {
  f = Filters::from_json(j);
}

}  // namespace respan
