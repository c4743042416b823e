# Install rules: headers, libraries, CMake package (find_package(respan) -> respan::respan,
# respan::testing) and pkg-config files (respan.pc, respan-testing.pc).
include_guard(GLOBAL)
include(CMakePackageConfigHelpers)

set(RESPAN_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/respan" CACHE STRING
  "Where respanConfig.cmake is installed")

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/respan"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
  COMPONENT respan_development
  FILES_MATCHING PATTERN "*.hpp"
  PATTERN "testing" EXCLUDE)

install(TARGETS respan
  EXPORT respanTargets
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT respan_runtime
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT respan_runtime NAMELINK_COMPONENT respan_development
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT respan_development
  INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")

set(RESPAN_CONFIG_HAS_TESTING OFF)
if(TARGET respan_testing)
  set(RESPAN_CONFIG_HAS_TESTING ON)
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/respan/testing"
    DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/respan"
    COMPONENT respan_development
    FILES_MATCHING PATTERN "*.hpp")
  install(TARGETS respan_testing respan_httplib
    EXPORT respanTargets
    RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT respan_runtime
    LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT respan_runtime NAMELINK_COMPONENT respan_development
    ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT respan_development)
  install(TARGETS respan-mock-server RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT respan_runtime)
endif()

install(EXPORT respanTargets
  NAMESPACE respan::
  DESTINATION "${RESPAN_INSTALL_CMAKEDIR}"
  COMPONENT respan_development)

configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/respanConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/respanConfig.cmake"
  INSTALL_DESTINATION "${RESPAN_INSTALL_CMAKEDIR}")
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/respanConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
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
if(BUILD_SHARED_LIBS)
  set(RESPAN_PC_REQUIRES "nlohmann_json >= 3.10")
  set(RESPAN_PC_REQUIRES_PRIVATE "libcurl")
  set(RESPAN_TESTING_PC_REQUIRES "respan, nlohmann_json >= 3.10")
  set(RESPAN_TESTING_PC_REQUIRES_PRIVATE "cpp-httplib")
else()
  set(RESPAN_PC_REQUIRES "nlohmann_json >= 3.10, libcurl")
  set(RESPAN_PC_REQUIRES_PRIVATE "")
  set(RESPAN_TESTING_PC_REQUIRES "respan, nlohmann_json >= 3.10, cpp-httplib")
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
