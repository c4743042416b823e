# Locates respan's dependencies. Each is a Debian bookworm package:
#   libcurl4-openssl-dev, nlohmann-json3-dev, libcpp-httplib-dev,
#   libgtest-dev, libgmock-dev, libbenchmark-dev
include_guard(GLOBAL)

set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
find_package(CURL 7.68 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)

# cpp-httplib: upstream installs a CMake package exporting httplib::httplib;
# Debian's libcpp-httplib-dev ships only a pkg-config file (cpp-httplib.pc)
# and a compiled library. Accept either, behind one internal target.
if(RESPAN_BUILD_TESTING_LIB AND NOT TARGET respan_httplib)
  find_package(httplib CONFIG QUIET)
  add_library(respan_httplib INTERFACE)
  if(TARGET httplib::httplib)
    target_link_libraries(respan_httplib INTERFACE httplib::httplib)
    message(STATUS "respan: cpp-httplib via CMake package (httplib::httplib)")
  else()
    find_package(PkgConfig QUIET)
    if(PkgConfig_FOUND)
      pkg_check_modules(RESPAN_CPPHTTPLIB QUIET IMPORTED_TARGET cpp-httplib)
    endif()
    if(RESPAN_CPPHTTPLIB_FOUND)
      target_link_libraries(respan_httplib INTERFACE PkgConfig::RESPAN_CPPHTTPLIB)
      message(STATUS "respan: cpp-httplib ${RESPAN_CPPHTTPLIB_VERSION} via pkg-config")
    else()
      find_path(RESPAN_HTTPLIB_INCLUDE_DIR httplib.h)
      if(NOT RESPAN_HTTPLIB_INCLUDE_DIR)
        message(FATAL_ERROR
          "respan: cpp-httplib not found (needed by respan::testing). "
          "Install it (Debian: apt-get install libcpp-httplib-dev) or configure "
          "with -DRESPAN_BUILD_TESTING_LIB=OFF.")
      endif()
      target_include_directories(respan_httplib INTERFACE ${RESPAN_HTTPLIB_INCLUDE_DIR})
      message(STATUS "respan: cpp-httplib header-only from ${RESPAN_HTTPLIB_INCLUDE_DIR}")
    endif()
  endif()
endif()
