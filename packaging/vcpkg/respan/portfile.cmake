# Overlay port building respan-cpp from this source tree:
#   vcpkg install respan --overlay-ports=<repo>/packaging/vcpkg
# For a registry, replace SOURCE_PATH with vcpkg_from_github(OUT_SOURCE_PATH SOURCE_PATH
# REPO <org>/respan-cpp REF v${VERSION} SHA512 <sha>).
get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

vcpkg_check_features(OUT_FEATURE_OPTIONS FEATURE_OPTIONS
  FEATURES testing RESPAN_BUILD_TESTING_LIB)

vcpkg_cmake_configure(
  SOURCE_PATH "${SOURCE_PATH}"
  OPTIONS
    ${FEATURE_OPTIONS}
    -DRESPAN_BUILD_TESTS=OFF
    -DRESPAN_BUILD_EXAMPLES=OFF
    -DRESPAN_BUILD_BENCHMARKS=OFF
    -DRESPAN_INSTALL=ON)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(CONFIG_PATH lib/cmake/respan)
vcpkg_fixup_pkgconfig()
vcpkg_copy_tools(TOOL_NAMES respan-mock-server AUTO_CLEAN)

file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/debug/include" "${CURRENT_PACKAGES_DIR}/debug/share")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
