# Overlay port building respan-cpp from this source tree:
#   vcpkg install respan --overlay-ports=<repo>/packaging/vcpkg             # client only
#   vcpkg install respan[testing] --overlay-ports=<repo>/packaging/vcpkg    # and the mock server
# For a registry, replace SOURCE_PATH with vcpkg_from_github(OUT_SOURCE_PATH SOURCE_PATH
# REPO <org>/respan-cpp REF v${VERSION} SHA512 <sha>).
# Feature "testing" = CMake component "testing" = Conan option testing.
get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

vcpkg_check_features(OUT_FEATURE_OPTIONS FEATURE_OPTIONS
  FEATURES testing RESPAN_BUILD_TESTING_LIB)

# BUILD_SHARED_LIBS follows VCPKG_LIBRARY_LINKAGE (vcpkg_cmake_configure sets it).
vcpkg_cmake_configure(
  SOURCE_PATH "${SOURCE_PATH}"
  OPTIONS
    ${FEATURE_OPTIONS}
    -DRESPAN_BUILD_TESTS=OFF
    -DRESPAN_BUILD_EXAMPLES=OFF
    -DRESPAN_BUILD_BENCHMARKS=OFF
    -DRESPAN_BUILD_FUZZERS=OFF
    -DRESPAN_SANITIZE=
    -DRESPAN_INSTALL=ON)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(CONFIG_PATH lib/cmake/respan)
vcpkg_fixup_pkgconfig()
if("testing" IN_LIST FEATURES)
  vcpkg_copy_tools(TOOL_NAMES respan-mock-server AUTO_CLEAN)
endif()

file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/debug/include" "${CURRENT_PACKAGES_DIR}/debug/share")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
