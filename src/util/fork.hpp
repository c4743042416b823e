// Internal: what the library does when the host process calls fork().
//
// A child process has one thread, the one that called fork(); every other thread of the
// parent is gone, with whatever mutex it held. Objects that own threads, locks or
// connections register here; in the child, right after fork() (pthread_atfork's child
// handler, single-threaded), each is told to set itself up afresh without touching what the
// parent's threads may have held: such state is abandoned (leaked), never destroyed or
// reused. The registry itself is never destroyed, so that it stays usable during static
// destruction at exit.
#pragma once

#include <cstdint>

#include <respan/export.hpp>

namespace respan::detail {

/// Something that must reset itself in a child process (see the file comment).
class ForkAware {
 public:
  /// Runs in the child right after fork(), with no other thread running: must not lock a
  /// mutex that another thread of the parent may have held, must not throw.
  virtual void on_fork_child() noexcept = 0;

 protected:
  ~ForkAware() = default;
};

/// Adds `object` to the registry (installs the pthread_atfork handlers on first use).
/// Returns false when the registry cannot grow (out of memory): the object then is not
/// fork-aware, which its owner should count as an error at construction.
RESPAN_EXPORT bool register_fork_aware(ForkAware* object) noexcept;
/// Removes `object`; a no-op when it is not registered.
RESPAN_EXPORT void unregister_fork_aware(ForkAware* object) noexcept;

/// How many fork()s separate this process from the one that loaded the library: 0 in a
/// process that never forked, incremented in each child. A relaxed atomic load.
RESPAN_EXPORT std::uint64_t fork_generation() noexcept;

/// A 64-bit random number from a per-thread generator, seeded from std::random_device, the
/// thread, the process id and the time, and reseeded after fork() (a child never repeats
/// its parent's sequence). Never 0 when `nonzero` is set.
RESPAN_EXPORT std::uint64_t random_u64(bool nonzero = false) noexcept;

}  // namespace respan::detail
