#include "util/fork.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <new>
#include <random>
#include <thread>
#include <vector>

#ifdef _WIN32
#include <process.h>  // _getpid
#else
#include <pthread.h>
#include <unistd.h>
#endif

namespace respan::detail {

namespace {

std::atomic<std::uint64_t> g_generation{0};

// Never destroyed (see fork.hpp): a logger destroyed during static destruction at exit can
// still unregister itself.
struct Registry {
  std::mutex mu;
  std::vector<ForkAware*> objects;
};

Registry& registry() {
  static Registry* r = new Registry();
  return *r;
}

#ifndef _WIN32  // Windows has no fork(): there is nothing to register handlers with.
void before_fork() noexcept {
  registry().mu.lock();  // the list is whole in the child
}

void in_parent() noexcept {
  registry().mu.unlock();
}

void in_child() noexcept {
  g_generation.fetch_add(1, std::memory_order_relaxed);
  Registry& r = registry();
  // The forking thread holds the mutex (before_fork): re-create it rather than unlock it,
  // which is valid for the owner but not for every mutex implementation after fork().
  new (&r.mu) std::mutex();
  for (ForkAware* o : r.objects)
    o->on_fork_child();
}

void install_handlers() noexcept {
  static std::once_flag once;
  try {
    std::call_once(once, [] { pthread_atfork(&before_fork, &in_parent, &in_child); });
  } catch (...) {  // call_once reports a system error: handlers not installed
  }
}
#else
void install_handlers() noexcept {}
#endif

std::uint32_t process_id() noexcept {
#ifdef _WIN32
  return static_cast<std::uint32_t>(::_getpid());
#else
  return static_cast<std::uint32_t>(::getpid());
#endif
}

}  // namespace

bool register_fork_aware(ForkAware* object) noexcept {
  install_handlers();
  Registry& r = registry();
  std::lock_guard<std::mutex> lk(r.mu);
  try {
    r.objects.push_back(object);
  } catch (...) {
    return false;
  }
  return true;
}

void unregister_fork_aware(ForkAware* object) noexcept {
  Registry& r = registry();
  std::lock_guard<std::mutex> lk(r.mu);
  auto it = std::find(r.objects.begin(), r.objects.end(), object);
  if (it != r.objects.end()) r.objects.erase(it);
}

std::uint64_t fork_generation() noexcept {
  return g_generation.load(std::memory_order_relaxed);
}

std::uint64_t random_u64(bool nonzero) noexcept {
  struct Source {
    std::mt19937_64 rng;
    std::uint64_t generation = ~std::uint64_t{0};
  };
  thread_local Source src;
  const std::uint64_t gen = fork_generation();
  if (src.generation != gen) {
    // 256 bits from random_device when it works, plus what differs between threads and
    // processes even when it does not.
    std::uint32_t words[12] = {};
    try {
      std::random_device rd;
      for (int i = 0; i < 8; ++i)
        words[i] = rd();
    } catch (...) {  // no entropy source: the mixed-in values below still differ
    }
    const auto now = static_cast<std::uint64_t>(
        std::chrono::high_resolution_clock::now().time_since_epoch().count());
    const auto tid =
        static_cast<std::uint64_t>(std::hash<std::thread::id>{}(std::this_thread::get_id()));
    words[8] = static_cast<std::uint32_t>(now);
    words[9] = static_cast<std::uint32_t>(now >> 32);
    words[10] = static_cast<std::uint32_t>(tid ^ (tid >> 32));
    words[11] = process_id() ^ static_cast<std::uint32_t>(gen << 16);
    std::seed_seq seq(std::begin(words), std::end(words));
    src.rng.seed(seq);
    src.generation = gen;
  }
  for (;;) {
    const std::uint64_t v = src.rng();
    if (v != 0 || !nonzero) return v;
  }
}

}  // namespace respan::detail
