// Internal: helpers that keep the model (de)serializers short and uniformly tolerant.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <respan/filters.hpp>
#include <respan/json.hpp>
#include <respan/models/common.hpp>

namespace respan::detail {

/// Sets j[k] when `v` holds a value (unset optionals are omitted from the wire).
template <class T>
void put(Json& j, const char* k, const std::optional<T>& v) {
  if (v) j[k] = *v;
}

/// Sets j[k] to the value, or to null when cleared; omits an unset field.
template <class T>
void put(Json& j, const char* k, const Clearable<T>& v) {
  if (v.has_value()) {
    j[k] = v.value();
  } else if (v.is_cleared()) {
    j[k] = nullptr;
  }
}

/// Copies `extra`'s members into `j` without overwriting typed fields.
inline void put_extra(Json& j, const Json& extra) {
  if (!extra.is_object()) return;
  for (auto it = extra.begin(); it != extra.end(); ++it) {
    if (!j.contains(it.key())) j[it.key()] = it.value();
  }
}

/// True when `v` can be decoded as T without silent conversion.
template <class T>
bool json_type_fits(const Json& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v.is_boolean();
  } else if constexpr (std::is_integral_v<T>) {
    if (v.is_number_integer()) return true;
    if (v.is_number_float()) {
      const double d = v.get<double>();
      return std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.0e18;
    }
    return false;
  } else if constexpr (std::is_floating_point_v<T>) {
    return v.is_number();
  } else if constexpr (std::is_same_v<T, std::string>) {
    return v.is_string();
  } else {
    return true;  // class types validate in their own from_json
  }
}

/// Reads fields of a JSON object one by one and remembers which were understood; the rest
/// (unknown keys and values of an unexpected type) become `extra()`.
class Reader {
 public:
  /// @throws nlohmann::json::type_error when `j` is not an object.
  explicit Reader(const Json& j) : j_(j) {
    if (!j.is_object()) throw Json::type_error::create(302, "expected a JSON object", &j);
  }

  /// Optional field: missing or null -> unset; a value of the wrong type -> unset, kept in extra.
  template <class T>
  void get(const char* k, std::optional<T>& out) {
    out.reset();
    T value{};
    if (read(k, value)) out = std::move(value);
  }

  /// Field with a default: left untouched when missing, null or of the wrong type.
  template <class T>
  void get_or(const char* k, T& out) {
    read(k, out);
  }

  /// Any JSON value; null counts as unset.
  void raw(const char* k, std::optional<Json>& out) {
    out.reset();
    auto it = j_.find(k);
    if (it == j_.end()) return;
    seen(k);
    if (!it->is_null()) out = *it;
  }

  /// Any JSON value kept as is (null stays null).
  void raw_or(const char* k, Json& out) {
    auto it = j_.find(k);
    if (it == j_.end()) return;
    seen(k);
    out = *it;
  }

  /// An id: a string, or an integer kept as its decimal text (some deployments send those).
  void id(const char* k, std::optional<std::string>& out) {
    get(k, out);
    if (out) return;
    auto it = j_.find(k);
    if (it != j_.end() && it->is_number_integer()) {
      out = it->dump();
      seen(k);
    }
  }
  /// As above; "" when missing.
  void id(const char* k, std::string& out) {
    std::optional<std::string> v;
    id(k, v);
    out = v.value_or(std::string());
  }

  /// A filter map: an object becomes Filters; anything else stays unread (lands in extra).
  void filters(const char* k, std::optional<Filters>& out) {
    out.reset();
    auto it = j_.find(k);
    if (it == j_.end()) return;
    if (it->is_null()) {
      seen(k);
    } else if (it->is_object()) {
      out = Filters::from_json(*it);
      seen(k);
    }
  }
  /// As above; empty Filters when missing.
  void filters(const char* k, Filters& out) {
    std::optional<Filters> v;
    filters(k, v);
    out = v.value_or(Filters{});
  }

  /// Marks `k` as understood without reading it.
  void skip(const char* k) {
    if (j_.contains(k)) seen(k);
  }

  /// Members that were not understood.
  Json extra() const {
    Json out = Json::object();
    for (auto it = j_.begin(); it != j_.end(); ++it) {
      bool known = false;
      for (const auto& s : seen_) {
        if (s == it.key()) {
          known = true;
          break;
        }
      }
      if (!known) out[it.key()] = it.value();
    }
    return out;
  }

 private:
  // Decodes member `k` into `out` when present, non-null and of a fitting type; marks a null
  // or decoded member as understood. Returns true when `out` was assigned.
  template <class T>
  bool read(const char* k, T& out) {
    auto it = j_.find(k);
    if (it == j_.end()) return false;
    if (it->is_null()) {
      seen(k);
      return false;
    }
    if (!json_type_fits<T>(*it)) return false;
    try {
      out = it->template get<T>();
      seen(k);
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }

  void seen(const char* k) { seen_.emplace_back(k); }
  const Json& j_;
  std::vector<std::string_view> seen_;
};

}  // namespace respan::detail
