# Warning and sanitizer settings, applied to respan's own targets only.
include_guard(GLOBAL)

set(RESPAN_SANITIZER_FLAGS "")
if(RESPAN_SANITIZE)
  set(RESPAN_SANITIZER_FLAGS -fsanitize=${RESPAN_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
endif()
# libFuzzer's coverage instrumentation for the library the fuzz targets link (fuzz/).
set(RESPAN_FUZZER_COMPILE_FLAGS "")
if(RESPAN_BUILD_FUZZERS)
  set(RESPAN_FUZZER_COMPILE_FLAGS -fsanitize=fuzzer-no-link)
endif()

function(respan_target_settings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)
    if(RESPAN_WARNINGS_AS_ERRORS)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  elseif(MSVC)
    target_compile_options(${target} PRIVATE /W4 /permissive-)
  endif()
  if(RESPAN_SANITIZER_FLAGS)
    target_compile_options(${target} PRIVATE ${RESPAN_SANITIZER_FLAGS})
    # Build tree only: an installed respan never asks its users to link sanitizer runtimes.
    target_link_options(${target} PUBLIC "$<BUILD_INTERFACE:${RESPAN_SANITIZER_FLAGS}>")
  endif()
  if(RESPAN_FUZZER_COMPILE_FLAGS)
    target_compile_options(${target} PRIVATE ${RESPAN_FUZZER_COMPILE_FLAGS})
  endif()
endfunction()

# Precompiled headers: nlohmann/json (which every public model header includes) and the
# standard headers most files use are parsed once per target instead of once per file; the
# test programs add GoogleTest. Off by default when respan is a subproject, so that a parent
# build compiles every file on its own includes (scripts/package_check.sh proves that).
option(RESPAN_PRECOMPILE_HEADERS "Precompile nlohmann/json and common headers for respan's targets"
  ${RESPAN_IS_TOP_LEVEL})
set(RESPAN_PCH_HEADERS
  <nlohmann/json.hpp> <algorithm> <atomic> <chrono> <cstdint> <functional> <map> <memory>
  <mutex> <optional> <string> <string_view> <thread> <utility> <variant> <vector>)

# respan_precompile(target [GTEST]): the precompiled header for one multi-file target.
function(respan_precompile target)
  if(NOT RESPAN_PRECOMPILE_HEADERS)
    return()
  endif()
  set(headers ${RESPAN_PCH_HEADERS})
  if("GTEST" IN_LIST ARGN)
    list(APPEND headers <gtest/gtest.h>)
  endif()
  target_precompile_headers(${target} PRIVATE ${headers})
endfunction()

# Unity builds of respan's libraries and the CLI (their files compiled in batches of 8), for
# the sanitizer presets, where each file's instrumented compile costs most. The test programs
# stay one object per file: their helpers (in anonymous namespaces) repeat names across files.
option(RESPAN_UNITY_BUILD "Unity-build respan's libraries and the CLI" OFF)

# respan_unity(target): the unity build of one library or program target.
function(respan_unity target)
  if(RESPAN_UNITY_BUILD)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
  endif()
endfunction()
