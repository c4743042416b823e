// Forking while other threads run, under AddressSanitizer.
//
// clang 14's ASan allocator is not fork-safe: a child can block forever inside ASan's own
// malloc when another thread of the parent was refilling its allocator cache at the moment of
// fork() (seen with gdb: __sanitizer::SizeClassAllocator64::GetFromAllocator ->
// Semaphore::Wait in the child; LLVM 15 added fork handlers that lock the allocator). That is
// the sanitizer's limitation, not the SDK's, so under ASan the test's own busy threads pause at
// a safe point around each fork() and the test may quiesce the SDK's threads (a flush); in the
// plain build nothing pauses: the children are forked while every thread runs.
#pragma once

#include <atomic>
#include <chrono>
#include <thread>

#if defined(__SANITIZE_ADDRESS__)
#define RESPAN_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RESPAN_TEST_ASAN 1
#endif
#endif

namespace respan_test {

class ForkGate {
 public:
  explicit ForkGate(int threads) : threads_(threads) {}

  /// Called by each busy thread once per iteration: waits while a fork is being made (ASan).
  void pass() {
#ifdef RESPAN_TEST_ASAN
    if (!closing_.load()) return;
    ++paused_;
    while (closing_.load())
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    --paused_;
#endif
  }

  /// Runs `fork_fn` (which calls fork()) with the busy threads paused under ASan, after
  /// `quiesce` (e.g. a flush, so that the SDK's own threads are idle too).
  template <class F, class Q>
  auto around_fork(F fork_fn, Q quiesce) {
#ifdef RESPAN_TEST_ASAN
    closing_ = true;
    while (paused_.load() < threads_)
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    quiesce();
    auto r = fork_fn();
    closing_ = false;
    return r;
#else
    (void)quiesce;
    return fork_fn();
#endif
  }
  template <class F>
  auto around_fork(F fork_fn) {
    return around_fork(fork_fn, [] {});
  }

  /// Lets threads that exit stop counting (call once per thread leaving its loop).
  void leave() {
    --threads_;
  }

 private:
  std::atomic<int> threads_;
  std::atomic<bool> closing_{false};
  std::atomic<int> paused_{0};
};

}  // namespace respan_test
