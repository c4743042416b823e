# Install rules: headers, libraries, CMake package and pkg-config files.
#   find_package(respan)                      -> respan::respan (needs libcurl, nlohmann/json, zlib)
#   find_package(respan COMPONENTS testing)   -> and respan::testing (the mock server)
#   pkg-config respan / respan-testing
include_guard(GLOBAL)
include(CMakePackageConfigHelpers)

set(RESPAN_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/respan" CACHE STRING
  "Where respanConfig.cmake is installed")

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/respan"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
  COMPONENT respan_development
  FILES_MATCHING PATTERN "*.hpp"
  PATTERN "testing" EXCLUDE)
install(FILES
  "${RESPAN_GENERATED_INCLUDE_DIR}/respan/version.hpp"
  "${RESPAN_GENERATED_INCLUDE_DIR}/respan/export.hpp"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/respan"
  COMPONENT respan_development)

install(TARGETS respan
  EXPORT respanTargets
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT respan_runtime
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT respan_runtime NAMELINK_COMPONENT respan_development
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT respan_development
  INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")

install(EXPORT respanTargets
  NAMESPACE respan::
  DESTINATION "${RESPAN_INSTALL_CMAKEDIR}"
  COMPONENT respan_development)

# The testing component has its own export set, loaded only for COMPONENTS testing, so a
# plain find_package(respan) never looks for cpp-httplib.
set(RESPAN_CONFIG_HAS_TESTING OFF)
set(RESPAN_CONFIG_HTTPLIB_VARIANT "")
set(RESPAN_CONFIG_HTTPLIB_VERSION "")
if(TARGET respan_testing)
  set(RESPAN_CONFIG_HAS_TESTING ON)
  set(RESPAN_CONFIG_HTTPLIB_VARIANT "${RESPAN_HTTPLIB_VARIANT}")
  set(RESPAN_CONFIG_HTTPLIB_VERSION "${RESPAN_HTTPLIB_VERSION}")
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/respan/testing"
    DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/respan"
    COMPONENT respan_development
    FILES_MATCHING PATTERN "*.hpp")
  set(_respan_testing_targets respan_testing)
  if(NOT BUILD_SHARED_LIBS)
    # A static respan_testing carries its cpp-httplib link requirement (none when header-only).
    set_target_properties(respan_httplib PROPERTIES EXPORT_NAME testing_httplib)
    list(APPEND _respan_testing_targets respan_httplib)
  endif()
  install(TARGETS ${_respan_testing_targets}
    EXPORT respanTestingTargets
    RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT respan_runtime
    LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT respan_runtime NAMELINK_COMPONENT respan_development
    ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT respan_development)
  install(EXPORT respanTestingTargets
    NAMESPACE respan::
    DESTINATION "${RESPAN_INSTALL_CMAKEDIR}"
    COMPONENT respan_development)
  install(TARGETS respan-mock-server RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT respan_runtime)
endif()

# The respan CLI and its bash completion (made by running the built binary, so not when
# cross-compiling).
if(TARGET respan_cli)
  install(TARGETS respan_cli RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT respan_runtime)
  if(NOT CMAKE_CROSSCOMPILING AND NOT WIN32)
    set(_respan_completion "${PROJECT_BINARY_DIR}/respan.bash-completion")
    add_custom_command(OUTPUT "${_respan_completion}"
      COMMAND sh -c "\"$<TARGET_FILE:respan_cli>\" completion bash > \"${_respan_completion}\""
      DEPENDS respan_cli
      COMMENT "bash completion of respan"
      VERBATIM)
    add_custom_target(respan_cli_completion ALL DEPENDS "${_respan_completion}")
    install(FILES "${_respan_completion}"
      DESTINATION "${CMAKE_INSTALL_DATADIR}/bash-completion/completions"
      RENAME respan
      COMPONENT respan_runtime)
  endif()
endif()

configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/respanConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/respanConfig.cmake"
  INSTALL_DESTINATION "${RESPAN_INSTALL_CMAKEDIR}")
# 0.x: every minor release may break the API (find_package(respan 0.1) accepts 0.1.*);
# from 1.0 on, the major version.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(_respan_compat SameMinorVersion)
else()
  set(_respan_compat SameMajorVersion)
endif()
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/respanConfigVersion.cmake"
  COMPATIBILITY ${_respan_compat})
install(FILES
  "${PROJECT_BINARY_DIR}/respanConfig.cmake"
  "${PROJECT_BINARY_DIR}/respanConfigVersion.cmake"
  DESTINATION "${RESPAN_INSTALL_CMAKEDIR}"
  COMPONENT respan_development)

# pkg-config. The prefix is found relative to the .pc file (${pcfiledir}), so the installed
# tree can be moved or installed with `cmake --install --prefix ...`.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(RESPAN_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _pc_up "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
  string(REGEX REPLACE "/$" "" _pc_up "${_pc_up}")
  set(RESPAN_PC_PREFIX "\${pcfiledir}/${_pc_up}")
endif()
# A static librespan needs its consumers to link libcurl (and cpp-httplib for the testing
# library) themselves, so those are public requirements then; a shared one hides them.
# A header-only cpp-httplib is compiled into respan_testing: nothing to require then.
set(_pc_json "nlohmann_json >= ${RESPAN_NLOHMANN_JSON_MIN_VERSION}")
set(_pc_curl "libcurl >= ${RESPAN_CURL_MIN_VERSION}, zlib")  # zlib: OTLP gzip
set(_pc_httplib "openssl")  # respan_testing serves HTTPS with OpenSSL
if(RESPAN_HTTPLIB_VARIANT AND NOT RESPAN_HTTPLIB_VARIANT STREQUAL "header-only")
  set(_pc_httplib "cpp-httplib, openssl")
endif()
if(BUILD_SHARED_LIBS)
  set(RESPAN_PC_REQUIRES "${_pc_json}")
  set(RESPAN_PC_REQUIRES_PRIVATE "${_pc_curl}")
  set(RESPAN_TESTING_PC_REQUIRES "respan = ${PROJECT_VERSION}, ${_pc_json}")
  set(RESPAN_TESTING_PC_REQUIRES_PRIVATE "${_pc_httplib}, zlib")
else()
  set(RESPAN_PC_REQUIRES "${_pc_json}, ${_pc_curl}")
  set(RESPAN_PC_REQUIRES_PRIVATE "")
  set(RESPAN_TESTING_PC_REQUIRES "respan = ${PROJECT_VERSION}, ${_pc_json}, zlib")
  if(_pc_httplib)
    string(APPEND RESPAN_TESTING_PC_REQUIRES ", ${_pc_httplib}")
  endif()
  set(RESPAN_TESTING_PC_REQUIRES_PRIVATE "")
endif()
foreach(_dir INCLUDEDIR LIBDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_dir}}")
    set(RESPAN_PC_${_dir} "${CMAKE_INSTALL_${_dir}}")
  else()
    set(RESPAN_PC_${_dir} "\${prefix}/${CMAKE_INSTALL_${_dir}}")
  endif()
endforeach()
configure_file("${PROJECT_SOURCE_DIR}/cmake/respan.pc.in" "${PROJECT_BINARY_DIR}/respan.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/respan.pc"
  DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig" COMPONENT respan_development)
if(TARGET respan_testing)
  configure_file("${PROJECT_SOURCE_DIR}/cmake/respan-testing.pc.in" "${PROJECT_BINARY_DIR}/respan-testing.pc" @ONLY)
  install(FILES "${PROJECT_BINARY_DIR}/respan-testing.pc"
    DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig" COMPONENT respan_development)
endif()
