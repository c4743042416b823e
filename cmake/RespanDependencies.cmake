# Locates respan's dependencies. Each is a Debian bookworm package:
#   libcurl4-openssl-dev, nlohmann-json3-dev, zlib1g-dev, libcpp-httplib-dev, libssl-dev,
#   libgtest-dev, libgmock-dev, libbenchmark-dev
include_guard(GLOBAL)

set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
find_package(CURL ${RESPAN_CURL_MIN_VERSION} REQUIRED)
find_package(nlohmann_json ${RESPAN_NLOHMANN_JSON_MIN_VERSION} REQUIRED)
# zlib (Debian: zlib1g-dev; libcurl depends on it already): gzip of OTLP request bodies
# (TracerOptions::otlp_compression), and their bounded decompression in the mock server.
find_package(ZLIB QUIET)
if(NOT TARGET ZLIB::ZLIB)
  # FindZLIB needs zlib.h through find_path; where its directory is hidden from find_* (e.g.
  # by CMAKE_IGNORE_PATH), pkg-config may still know zlib.
  find_package(PkgConfig QUIET)
  if(PKG_CONFIG_FOUND)
    pkg_check_modules(RESPAN_ZLIB QUIET IMPORTED_TARGET GLOBAL zlib)
  endif()
  if(NOT TARGET PkgConfig::RESPAN_ZLIB)
    message(FATAL_ERROR "respan: zlib not found (Debian: apt-get install zlib1g-dev)")
  endif()
  add_library(ZLIB::ZLIB INTERFACE IMPORTED GLOBAL)
  target_link_libraries(ZLIB::ZLIB INTERFACE PkgConfig::RESPAN_ZLIB)
endif()

# cpp-httplib: upstream installs a CMake package exporting httplib::httplib;
# Debian's libcpp-httplib-dev ships only a pkg-config file (cpp-httplib.pc)
# and a compiled library. Accept either, behind one internal target. Which one was used
# (RESPAN_HTTPLIB_VARIANT: cmake-package, pkg-config or header-only) is recorded in the
# installed respanConfig.cmake, which looks for the same one for COMPONENTS testing.
# OpenSSL (Debian: libssl-dev): respan::testing serves HTTPS with it (MockServerOptions::
# tls_cert_file). The client library does not use it directly (libcurl brings its own TLS).
if(RESPAN_BUILD_TESTING_LIB)
  find_package(OpenSSL 1.1.1 REQUIRED)
endif()

if(RESPAN_BUILD_TESTING_LIB AND NOT TARGET respan_httplib)
  find_package(httplib CONFIG QUIET)
  add_library(respan_httplib INTERFACE)
  set(RESPAN_HTTPLIB_VERSION "")
  if(TARGET httplib::httplib)
    target_link_libraries(respan_httplib INTERFACE httplib::httplib)
    set(RESPAN_HTTPLIB_VARIANT cmake-package)
    set(RESPAN_HTTPLIB_VERSION "${httplib_VERSION}")
    message(STATUS "respan: cpp-httplib ${httplib_VERSION} via CMake package (httplib::httplib)")
  else()
    find_package(PkgConfig QUIET)
    if(PkgConfig_FOUND)
      pkg_check_modules(RESPAN_CPPHTTPLIB QUIET IMPORTED_TARGET cpp-httplib)
    endif()
    if(RESPAN_CPPHTTPLIB_FOUND)
      target_link_libraries(respan_httplib INTERFACE PkgConfig::RESPAN_CPPHTTPLIB)
      set(RESPAN_HTTPLIB_VARIANT pkg-config)
      set(RESPAN_HTTPLIB_VERSION "${RESPAN_CPPHTTPLIB_VERSION}")
      message(STATUS "respan: cpp-httplib ${RESPAN_CPPHTTPLIB_VERSION} via pkg-config")
    else()
      find_path(RESPAN_HTTPLIB_INCLUDE_DIR httplib.h)
      if(NOT RESPAN_HTTPLIB_INCLUDE_DIR)
        message(FATAL_ERROR
          "respan: cpp-httplib not found (needed by respan::testing). "
          "Install it (Debian: apt-get install libcpp-httplib-dev) or configure "
          "with -DRESPAN_BUILD_TESTING_LIB=OFF.")
      endif()
      # Header-only: compiled into respan_testing, nothing for its users to link.
      target_include_directories(respan_httplib INTERFACE $<BUILD_INTERFACE:${RESPAN_HTTPLIB_INCLUDE_DIR}>)
      set(RESPAN_HTTPLIB_VARIANT header-only)
      message(STATUS "respan: cpp-httplib header-only from ${RESPAN_HTTPLIB_INCLUDE_DIR}")
    endif()
  endif()
endif()
