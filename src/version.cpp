#include <respan/version.hpp>

namespace respan {

// RESPAN_VERSION_STRING is expanded here, when the library is compiled: a program built
// against other headers still gets the library's own version.
std::string_view library_version() noexcept {
  return RESPAN_VERSION_STRING;
}

}  // namespace respan
