#!/usr/bin/env bash
# Runs the Conan recipe (packaging/conan) for real: `conan create --no-remote` with a profile
# detected from the system compiler whose [platform_requires] are Debian's libcurl,
# nlohmann/json, zlib, cpp-httplib and OpenSSL (their installed versions), so nothing is
# downloaded. Four packages, each tested by packaging/conan/test_package (CMakeDeps):
#   off-static, on-static, off-shared, on-shared   (option testing off/on, option shared)
# With testing on, the consumer links respan::testing alone and round-trips a span through the
# mock server over loopback; with it off, it links respan::respan, must not see respan::testing,
# and gets the client's network error from 127.0.0.1:1. Each package's files are checked too.
# Only the libraries are built (no tests, examples, benchmarks or CLI), Release, Ninja, -j2;
# with ccache, testing on reuses the client objects compiled for testing off.
#
# Usage: scripts/conan_check.sh [config...]   (default: all four, in the order above)
# Environment: RESPAN_CONAN, the conan command (default: ../shared/tools/conan/run-conan next to
# this repository, as in CI: Conan 2.8.1 run from source, which needs Debian's python3-*
# packages listed in its header; else `conan` on the PATH). CONAN_HOME is
# build/conan-check/home, made anew on each run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
conan=${RESPAN_CONAN:-$root/../shared/tools/conan/run-conan}
if [[ -z ${RESPAN_CONAN:-} && ! -x $conan ]] && command -v conan >/dev/null; then
  conan=conan
fi
configs=("$@")
[[ ${#configs[@]} -gt 0 ]] || configs=(off-static on-static off-shared on-shared)
fail() {
  echo "conan_check: $*" >&2
  exit 1
}
command -v "$conan" >/dev/null || fail "no conan at $conan (set RESPAN_CONAN)"

work=$root/build/conan-check
rm -rf "$work"
mkdir -p "$work"
export CONAN_HOME=$work/home
# The test_package is built in a copy, so that the source tree gets no build/ folder.
cp -r packaging/conan/test_package "$work/test_package"

"$conan" profile detect >"$work/detect.log" 2>&1 || { cat "$work/detect.log"; fail "profile detect"; }
"$conan" remote remove conancenter >/dev/null
[[ -z $("$conan" remote list 2>/dev/null) ]] || fail "CONAN_HOME still has a remote"
version_of() {  # pkg-config module -> its version, or fail
  pkg-config --modversion "$1" 2>/dev/null || fail "pkg-config does not know $1 (Debian: see .ci/run)"
}
profile=$work/debian
cat >"$profile" <<EOF
include(default)
[settings]
compiler.cppstd=17
build_type=Release
[platform_requires]
libcurl/$(version_of libcurl)
nlohmann_json/$(version_of nlohmann_json)
zlib/$(version_of zlib)
cpp-httplib/$(version_of cpp-httplib)
openssl/$(version_of openssl)
[conf]
tools.cmake.cmaketoolchain:generator=Ninja
tools.build:jobs=2
EOF
echo "== profile: $(sed -n 's/^compiler=//p;s/^compiler.version=//p' "$CONAN_HOME/profiles/default" \
  | paste -sd' '), platform_requires: $(sed -n '/^\[platform_requires\]/,/^\[/{/\//p}' "$profile" \
  | paste -sd' ')"

if command -v ccache >/dev/null; then
  # Paths relative to CONAN_HOME: every package's build folder sits at the same depth, so the
  # client library compiled for one package is a cache hit for the next of the same linkage.
  # The sloppiness lets ccache cache compilations that use the precompiled header (else it
  # calls them uncacheable and every package compiles the client again).
  export CMAKE_CXX_COMPILER_LAUNCHER=ccache CCACHE_BASEDIR=$CONAN_HOME CCACHE_NOHASHDIR=true \
    CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
fi

for config in "${configs[@]}"; do
  case $config in
    off-static | off-shared | on-static | on-shared) ;;
    *) fail "unknown configuration $config (off-static, on-static, off-shared, on-shared)" ;;
  esac
  testing=False shared=False
  [[ $config == on-* ]] && testing=True
  [[ $config == *-shared ]] && shared=True
  log=$work/$config.log
  start=$(date +%s)
  if ! "$conan" create packaging/conan --no-remote -pr:a "$profile" --test-folder "$work/test_package" \
    -o "respan/*:testing=$testing" -o "respan/*:shared=$shared" >"$log" 2>&1; then
    tail -n 60 "$log"
    fail "$config: conan create failed (log: $log)"
  fi
  seconds=$(($(date +%s) - start))

  # What the package holds.
  pkg=$(sed -n 's/^respan\/[^:]*: Package folder //p' "$log" | tail -n 1)
  [[ -d $pkg ]] || fail "$config: no package folder in $log"
  want=(include/respan/respan.hpp include/respan/export.hpp licenses/LICENSE)
  unwanted=(bin/respan lib/cmake lib/pkgconfig)
  if [[ $shared == True ]]; then
    want+=(lib/librespan.so)
    unwanted+=(lib/librespan.a)
    grep -q '^#define RESPAN_SHARED_LIBRARY 1$' "$pkg/include/respan/export.hpp" \
      || fail "$config: export.hpp is not the shared one"
  else
    want+=(lib/librespan.a)
    unwanted+=(lib/librespan.so)
  fi
  if [[ $testing == True ]]; then
    want+=(include/respan/testing/mock_server.hpp bin/respan-mock-server)
    [[ $shared == True ]] && want+=(lib/librespan_testing.so) || want+=(lib/librespan_testing.a)
  else
    unwanted+=(include/respan/testing bin/respan-mock-server lib/librespan_testing.a
      lib/librespan_testing.so)
  fi
  for file in "${want[@]}"; do [[ -e $pkg/$file ]] || fail "$config: the package lacks $file"; done
  for file in "${unwanted[@]}"; do [[ ! -e $pkg/$file ]] || fail "$config: the package has $file"; done

  # What the test_package printed (it exits non-zero, and conan create fails, otherwise).
  if [[ $testing == True ]]; then
    said=$(grep -m1 'round-tripped through the mock server' "$log") \
      || fail "$config: the test_package did not round-trip a span (log: $log)"
  else
    said=$(grep -m1 'refused as expected' "$log") \
      || fail "$config: the test_package did not get the network error (log: $log)"
  fi
  echo "== $config: ${seconds}s; test_package: $said"
done
echo "== conan check passed (${configs[*]})"
