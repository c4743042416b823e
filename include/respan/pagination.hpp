/// @file pagination.hpp
/// @brief PageRange<T>: a lazy, single-pass range over every item of a paged list endpoint.
#pragma once

#include <cstddef>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <respan/models/common.hpp>
#include <respan/result.hpp>

namespace respan {

/// Fetches pages on demand (page 1, 2, ...) and yields each item once as a `Result<T>`.
/// Iteration ends after the page whose `next` is null, on an empty page, or once `count`
/// items were seen. A failed fetch yields exactly one error Result and then ends, so
///
/// @code
/// for (auto& item : client.request_logs().list_all(query)) {
///   if (!item) { std::cerr << item.error() << '\n'; break; }
///   use(*item);                      // or item.value(), which throws ApiError on error
/// }
/// @endcode
///
/// A row that cannot be decoded (Page::row_errors) is yielded in its place as one
/// ErrorCode::decode Result naming the page and row, and iteration goes on with the next row;
/// a failed fetch yields one error Result and ends the range (check `item.error().code` to
/// tell them apart). Single pass: begin() may be called once. Not thread-safe; copies share
/// state.
template <class T>
class PageRange {
 public:
  /// Fetches page number `page` (1-based).
  using Fetch = std::function<Result<Page<T>>(std::int64_t page)>;

  explicit PageRange(Fetch fetch, std::int64_t first_page = 1) : state_(std::make_shared<State>()) {
    state_->fetch = std::move(fetch);
    state_->next_page = first_page;
  }

 private:
  struct State {
    Fetch fetch;
    std::int64_t next_page = 1;
    std::int64_t pages_fetched = 0;
    std::int64_t seen = 0;
    std::optional<std::int64_t> total;
    std::vector<Result<T>> buffer;
    std::size_t index = 0;
    bool more = true;  // the server may have another page
    bool started = false;
    bool finished = false;
    std::optional<Result<T>> current;

    void advance() {
      while (index >= buffer.size()) {
        if (!more || (total && seen >= *total)) {
          finish();
          return;
        }
        Result<Page<T>> page = fetch(next_page);
        ++pages_fetched;
        ++next_page;
        if (!page) {
          more = false;
          buffer.clear();
          index = 0;
          current.emplace(std::move(page).error());
          return;
        }
        more = page->has_next();
        if (page->count > 0) total = page->count;
        const std::size_t rows = page->results.size() + page->row_errors.size();
        buffer.clear();
        buffer.reserve(rows);
        auto good = page->results.begin();
        auto bad = page->row_errors.begin();
        for (std::size_t i = 0; i < rows; ++i) {
          // Rows in the server's order: a bad row sits at its own index.
          if (bad != page->row_errors.end() &&
              (good == page->results.end() || bad->index == static_cast<std::int64_t>(i))) {
            Error e;
            e.code = ErrorCode::decode;
            e.message = "page " + std::to_string(next_page - 1) + " row " +
                        std::to_string(bad->index) + " could not be decoded: " + bad->error;
            buffer.emplace_back(std::move(e));
            ++bad;
          } else {
            buffer.emplace_back(std::move(*good));
            ++good;
          }
        }
        index = 0;
        if (buffer.empty()) more = false;
      }
      current.emplace(std::move(buffer[index++]));
      ++seen;
    }
    void finish() {
      finished = true;
      current.reset();
    }
  };

 public:
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Result<T>;
    using difference_type = std::ptrdiff_t;
    using pointer = Result<T>*;
    using reference = Result<T>&;

    iterator() = default;
    reference operator*() const { return *state_->current; }
    pointer operator->() const { return &*state_->current; }
    iterator& operator++() {
      state_->advance();
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& a, const iterator& b) { return a.done() == b.done(); }
    friend bool operator!=(const iterator& a, const iterator& b) { return !(a == b); }

   private:
    friend class PageRange;
    explicit iterator(std::shared_ptr<State> s) : state_(std::move(s)) {}
    bool done() const { return !state_ || state_->finished; }
    std::shared_ptr<State> state_;
  };

  iterator begin() {
    if (!state_->started) {
      state_->started = true;
      state_->advance();
    }
    return iterator(state_);
  }
  iterator end() { return iterator(); }

  /// Number of pages fetched so far.
  std::int64_t pages_fetched() const noexcept { return state_->pages_fetched; }

 private:
  std::shared_ptr<State> state_;
};

}  // namespace respan
