// Internal helpers shared by the resource classes (query building, bulk merging).
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <respan/export.hpp>
#include <respan/filters.hpp>
#include <respan/models/common.hpp>
#include <respan/pagination.hpp>

#include "http/pipeline.hpp"
#include "models/encode.hpp"
#include "util/json_write.hpp"

namespace respan::detail {

inline void add_param(QueryParams& p, const char* name, const std::optional<std::int64_t>& v) {
  if (v) p.emplace_back(name, std::to_string(*v));
}
inline void add_param(QueryParams& p, const char* name, const std::optional<std::string>& v) {
  if (v) p.emplace_back(name, *v);
}
inline void add_param(QueryParams& p, const char* name, const std::optional<Timestamp>& v) {
  if (v) p.emplace_back(name, v->str());
}
inline void add_param(QueryParams& p, const char* name, const std::optional<bool>& v) {
  if (v) p.emplace_back(name, *v ? "true" : "false");
}
/// Comma-joined list parameter, omitted when empty.
void add_list_param(QueryParams& p, const char* name, const std::vector<std::string>& values);

/// The endpoint family whose documented filter fields a Filters is checked against.
enum class FilterFamily { spans, traces, datasets, prompts, customers, threads, unchecked };

/// The fields of `filters` that no documented list of `family` knows (`metadata__*` and
/// `scores__*` are always known; `unchecked` knows every name).
RESPAN_EXPORT std::vector<std::string> unknown_filter_fields(const Filters& filters,
                                                             FilterFamily family);

/// Warns once per process and field about each field of `filters` unknown to `family`
/// (Pipeline::report: the log callback or stderr).
void warn_unknown_filter_fields(const Filters& filters, FilterFamily family,
                                const Pipeline& pipeline);

/// `{"filters": {...}}`, or `{}` when there are none. A field unknown to `family` is sent
/// as given and warned about once per process (Pipeline::report: the log callback or stderr).
Json filters_body(const Filters& filters, FilterFamily family, const Pipeline& pipeline);

/// An invalid_argument Error if page < 1 or page_size outside [1, max_page_size].
std::optional<Error> check_paging(const std::optional<std::int64_t>& page,
                                  const std::optional<std::int64_t>& page_size,
                                  std::int64_t max_page_size);

/// Records a row that failed on the client side (or whose chunk failed as a whole).
void add_row_error(BulkResult& total, std::size_t index, std::string message);

/// POSTs one bulk chunk of `rows` rows and decodes the BulkResult tolerantly. Rows the answer
/// does not account for (no valid `success_count`, an empty body) are `unconfirmed`, never
/// counted as stored; row errors with an index outside the chunk get index -1.
RESPAN_EXPORT Result<BulkResult> call_bulk(const Pipeline& p, const ApiRequest& r, std::size_t rows,
                                           const RequestOptions& o);

/// Adds a chunk's counts, errors (re-indexed by `to_global`) and ids to `total`.
template <class F>
void merge_bulk(BulkResult& total, BulkResult chunk, F to_global) {
  total.success_count += chunk.success_count;
  total.error_count += chunk.error_count;
  total.unconfirmed_count += chunk.unconfirmed_count;
  for (auto& e : chunk.errors) {
    e.index = to_global(e.index);
    total.errors.push_back(std::move(e));
  }
  for (auto& id : chunk.unique_ids)
    total.unique_ids.push_back(std::move(id));
}

/// Sorts errors by index and sets total_errors.
void finish_bulk(BulkResult& total);

/// call<T>() that tolerates an empty (or non-object) 2xx body by returning a default T.
template <class T>
Result<T> call_object(const Pipeline& p, const ApiRequest& r, const RequestOptions& o) {
  Result<JsonReply> j = p.execute_json_reply(r, o);
  if (!j) return std::move(j).error();
  if (!j->json.is_object()) return T{};
  try {
    return j->json.template get<T>();
  } catch (const std::exception& ex) {
    return p.decode_error(r, *j, ex.what());
  }
}

/// The answer of an update (PATCH/PUT of a stored object) decoded into T: an empty 2xx body
/// is an acknowledgement without a record (a default T); any other answer must be a JSON
/// object, else the call fails with ErrorCode::decode.
template <class T>
Result<T> call_update(const Pipeline& p, const ApiRequest& r, const RequestOptions& o) {
  Result<JsonReply> j = p.execute_json_reply(r, o);
  if (!j) return std::move(j).error();
  if (j->body_bytes == 0) return T{};
  if (!j->json.is_object()) {
    return p.decode_error(r, *j, "expected a JSON object, got " + std::string(j->json.type_name()));
  }
  try {
    return j->json.template get<T>();
  } catch (const std::exception& ex) {
    return p.decode_error(r, *j, ex.what());
  }
}

/// A lazy range over every page of a list call, starting at `query.page` (default 1):
/// `fetch(query)` is called with `query.page` set to 1, 2, ... A server that keeps announcing
/// a `next` page while answering the same rows again ends the range with a decode error
/// instead of looping forever.
template <class T, class Query, class Fetch>
PageRange<T> all_pages(Query query, Fetch fetch) {
  const std::int64_t first = query.page.value_or(1);
  return PageRange<T>(
      [q = std::move(query), f = std::move(fetch),
       last = std::optional<std::size_t>()](std::int64_t page) mutable -> Result<Page<T>> {
        q.page = page;
        Result<Page<T>> got = f(q);
        if (!got || got->results.empty()) return got;
        std::size_t h = 0;
        try {
          h = std::hash<std::string>{}(to_json_text(Json(got->results)));
        } catch (const std::exception&) {
          return got;
        }
        if (last && *last == h) {
          Error e = Error::make(ErrorCode::decode,
                                "the server answered page " + std::to_string(page) +
                                    " with the same rows as page " + std::to_string(page - 1) +
                                    " while announcing more pages; stopping");
          return e;
        }
        last = h;
        return got;
      },
      first);
}

/// all_pages() for the lists whose `count` is not a reliable total (score lists count the
/// rows of the page only): the range ends after a page whose `next` is null or on an empty
/// page, never because `count` rows were seen.
template <class T, class Query, class Fetch>
PageRange<T> all_pages_by_next(Query query, Fetch fetch) {
  return all_pages<T>(std::move(query), [f = std::move(fetch)](const Query& q) {
    Result<Page<T>> got = f(q);
    if (got) got->count = 0;  // PageRange would otherwise stop once `count` rows were seen
    return got;
  });
}

/// True for failures that would repeat on every further chunk of a bulk call (bad key,
/// forbidden, local validation, cancellation): later chunks are then not sent.
bool is_systemic_failure(ErrorCode code) noexcept;

/// POSTs `rows` to `path` as `{"logs": [...]}` in chunks of at most `max_chunk` rows.
/// `why_invalid(row)` returns "" for a row that may be sent, else the reason: such a row is
/// reported as a row error and not sent. Row errors carry indices into `rows`. A chunk that
/// fails as a whole reports each of its rows; after a systemic failure later chunks are not
/// sent. Rows that cannot be encoded (detail::encode: a non-finite number, a set-but-null
/// field) are reported with the field's name (`type_name.path`), not sent.
/// `o.call_deadline` (or the client's) covers the whole call: each chunk gets what is left.
/// Fails only if a request failed and no row was stored or left unconfirmed.
template <class Row, class WhyInvalid>
Result<BulkResult> send_bulk(const Pipeline& p, const std::string& path,
                             const std::vector<Row>& rows, std::size_t max_chunk,
                             WhyInvalid why_invalid, const RequestOptions& o,
                             Idempotency idempotency, std::string_view type_name) {
  BulkResult total;
  std::vector<std::size_t> valid;
  std::vector<Json> encoded(rows.size());
  valid.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (std::string why = why_invalid(rows[i]); !why.empty()) {
      add_row_error(total, i, why + " (row not sent)");
      continue;
    }
    Result<Json> row = encode(rows[i], type_name);
    if (!row) {
      add_row_error(total, i, row.error().message + " (row not sent)");
      continue;
    }
    encoded[i] = std::move(row).value();
    valid.push_back(i);
  }
  // One deadline for the whole call: each chunk gets what is left of it.
  std::chrono::milliseconds budget = o.call_deadline.value_or(p.options().call_deadline);
  if (budget == std::chrono::milliseconds::max()) budget = std::chrono::milliseconds(0);  // none
  const auto deadline = p.steady_now() + budget;
  std::optional<Error> first_failure;
  for (std::size_t begin = 0; begin < valid.size(); begin += max_chunk) {
    const std::size_t end = std::min(valid.size(), begin + max_chunk);
    RequestOptions chunk_options = o;
    if (budget.count() > 0) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - p.steady_now());
      if (left.count() <= 0 && !first_failure) {
        first_failure = Error::make(ErrorCode::timeout, "bulk call deadline of " +
                                                            std::to_string(budget.count()) +
                                                            " ms exceeded before this chunk");
      }
      chunk_options.call_deadline = std::max(left, std::chrono::milliseconds(1));
      if (left.count() <= 0) {
        for (std::size_t k = begin; k < end; ++k)
          add_row_error(total, valid[k], "not sent: the bulk call deadline passed");
        continue;
      }
    }
    if (first_failure && is_systemic_failure(first_failure->code)) {
      for (std::size_t k = begin; k < end; ++k) {
        add_row_error(total, valid[k], "not sent: " + first_failure->to_string());
      }
      continue;
    }
    Json chunk_rows = Json::array();
    for (std::size_t k = begin; k < end; ++k)
      chunk_rows.push_back(std::move(encoded[valid[k]]));
    Json body = {{"logs", std::move(chunk_rows)}};
    Result<BulkResult> chunk = call_bulk(
        p, {HttpMethod::post, path, {}, std::move(body), idempotency}, end - begin, chunk_options);
    if (!chunk) {
      if (!first_failure) first_failure = chunk.error();
      for (std::size_t k = begin; k < end; ++k) {
        add_row_error(total, valid[k], "not delivered: " + chunk.error().to_string());
      }
      continue;
    }
    merge_bulk(total, std::move(chunk).value(), [&](std::int64_t local) -> std::int64_t {
      const auto idx = static_cast<std::size_t>(local);
      return (local >= 0 && begin + idx < end) ? static_cast<std::int64_t>(valid[begin + idx]) : -1;
    });
  }
  if (first_failure && total.success_count == 0 && total.unconfirmed_count == 0) {
    return *first_failure;
  }
  finish_bulk(total);
  return total;
}

/// An invalid_argument Error when `id` (a path parameter named `what`) is empty.
std::optional<Error> check_path_param(const std::string& id, const char* what);

}  // namespace respan::detail
