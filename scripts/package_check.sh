#!/usr/bin/env bash
# Checks respan-cpp the way downstream projects use it. Installs a build into a scratch prefix,
# checks the installed tree (no sanitizer or warning flags in it; for a shared build the soname
# and the exported symbols), then builds and runs consumers (tests/package/):
#   1. find_package(respan)                      cpp-httplib hidden
#   2. find_package(respan COMPONENTS testing)   cpp-httplib visible (hidden when not needed:
#                                                shared, or compiled into respan_testing)
#   3. pkg-config respan                         cpp-httplib hidden
#   4. pkg-config respan-testing                 cpp-httplib visible
#   5. add_subdirectory(<this tree>)             cpp-httplib hidden (builds librespan itself)
# Consumers 2 and 4 link only respan::testing / respan-testing and call RespanClient::create:
# the testing component must bring the client library along.
# "Hidden" means invisible to CMake's find_* and to pkg-config; each hidden consumer first
# proves it cannot find cpp-httplib, and, for a build whose testing component needs it,
# find_package(respan COMPONENTS testing) is shown to fail under the same hiding.
#
# Usage: scripts/package_check.sh [--quick] [build-dir]   (default build/dev, from scripts/test.sh)
#   --quick   installed-tree checks and consumer 1 only (e.g. for a sanitizer build)
# Environment: CONSUMER_CXX (default: the build's compiler), CONSUMER_FLAGS (compile and link
# flags the consumers add themselves, e.g. -fsanitize=address,undefined for an ASan build).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
quick=0
if [[ ${1:-} == --quick ]]; then
  quick=1
  shift
fi
build=${1:-build/dev}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"

cache_value() { sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt"; }
cxx=${CONSUMER_CXX:-$(cache_value CMAKE_CXX_COMPILER)}
flags=${CONSUMER_FLAGS:-}
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake_consumer() {  # dir, extra cmake args...
  local dir=$1
  shift
  cmake -S tests/package -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" \
    -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" "${launcher[@]}" "$@"
}
fail() {
  echo "package_check: $*" >&2
  exit 1
}
build_consumer() {  # dir, extra build args...: the build's output only when it fails
  cmake --build "$@" >"$1.build.log" 2>&1 || { tail -n 40 "$1.build.log"; fail "building $1 failed"; }
}

cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(dirname "$(find "$prefix" -name 'respanConfig.cmake' -path '*/cmake/respan/*')")
libdir=${libdir%/cmake/respan}
version=$(sed -n 's/^#define RESPAN_VERSION_STRING "\(.*\)"$/\1/p' "$prefix/include/respan/version.hpp")
shared=$(sed -n 's/^set(respan_SHARED_LIBRARY \(.\))$/\1/p' "$libdir/cmake/respan/respanConfig.cmake")
has_testing=$(sed -n 's/^set(respan_HAS_TESTING \(.*\))$/\1/p' "$libdir/cmake/respan/respanConfig.cmake")
variant=$(sed -n 's/^set(respan_HTTPLIB_VARIANT "\(.*\)")$/\1/p' "$libdir/cmake/respan/respanConfig.cmake")
echo "== installed respan $version (shared=$shared, testing=$has_testing, cpp-httplib: ${variant:-none})"

echo "== installed tree: no build-only flags"
if grep -rlE -- '-fsanitize|-Werror|-fno-sanitize' "$libdir/cmake/respan" "$libdir/pkgconfig"; then
  fail "the files above pass build-only flags to consumers"
fi

if [[ $shared == 1 ]]; then
  echo "== shared library: soname and exported symbols"
  IFS=. read -r major minor _ <<<"$version"
  want="librespan.so.$major"
  [[ $major == 0 ]] && want="librespan.so.0.$minor"
  soname=$(objdump -p "$libdir/librespan.so" | awk '$1 == "SONAME" {print $2}')
  [[ $soname == "$want" ]] || fail "soname $soname, expected $want"
  [[ -e $libdir/$want ]] || fail "$want is not installed"
  # Hidden visibility: nothing of nlohmann/json, libcurl or cpp-httplib is exported (the
  # standard library's template instantiations are, as from any C++ library).
  nm -DC --defined-only "$libdir"/librespan*.so >"$work/exports.txt"
  stray=$(cut -d' ' -f3- "$work/exports.txt" \
    | grep -E '^((typeinfo|typeinfo name|vtable) for )?(nlohmann::|httplib::|curl_|Curl_)' \
    | head -5 || true)
  [[ -z $stray ]] || fail "the shared libraries export implementation symbols:"$'\n'"$stray"
  grep -q ' respan::library_version()' "$work/exports.txt" || fail "respan::library_version() is not exported"
  echo "   $soname, $(nm -D --defined-only "$libdir/librespan.so" | wc -l) exported symbols"
  if [[ $has_testing == ON ]]; then
    soname=$(objdump -p "$libdir/librespan_testing.so" | awk '$1 == "SONAME" {print $2}')
    [[ $soname == "${want/librespan/librespan_testing}" ]] || fail "testing soname $soname"
  fi
fi

# Hiding cpp-httplib: a pkg-config directory with every .pc file but cpp-httplib.pc, every
# directory holding httplib.h ignored by find_*, and find_package(httplib) disabled.
mkdir -p "$work/pc-hidden"
IFS=: read -r -a pc_dirs <<<"$(pkg-config --variable pc_path pkg-config)"
for dir in "${pc_dirs[@]}"; do
  for pc in "$dir"/*.pc; do
    [[ -e $pc && $(basename "$pc") != cpp-httplib.pc && ! -e $work/pc-hidden/$(basename "$pc") ]] \
      && ln -s "$pc" "$work/pc-hidden/"
  done
done
ignore=""
for dir in /usr/include /usr/local/include "$(pkg-config --variable=includedir cpp-httplib 2>/dev/null || true)"; do
  [[ -n $dir && -f $dir/httplib.h ]] && ignore="$ignore;$dir"
done
ignore=${ignore#;}
hidden() {  # runs a command with cpp-httplib hidden from pkg-config
  PKG_CONFIG_LIBDIR="$work/pc-hidden:$libdir/pkgconfig" PKG_CONFIG_PATH="" "$@"
}
hide_args=(-DCMAKE_IGNORE_PATH="$ignore" -DCMAKE_DISABLE_FIND_PACKAGE_httplib=ON
  -DRESPAN_EXPECT_NO_HTTPLIB=ON)

echo "== 1. find_package(respan), cpp-httplib hidden"
hidden cmake_consumer "$work/c1" -DCMAKE_PREFIX_PATH="$prefix" -DRESPAN_CONSUMER=installed \
  "${hide_args[@]}" >"$work/c1.log" || { cat "$work/c1.log"; fail "consumer 1 configure"; }
build_consumer "$work/c1"
"$work/c1/consumer"
[[ $quick == 1 ]] && exit 0

if [[ $has_testing == ON ]]; then
  if [[ $shared == 0 && $variant != header-only ]]; then
    echo "== control: find_package(respan COMPONENTS testing) must fail with cpp-httplib hidden"
    if hidden cmake_consumer "$work/c0" -DCMAKE_PREFIX_PATH="$prefix" \
      -DRESPAN_CONSUMER=installed-testing "${hide_args[@]}" >"$work/c0.log" 2>&1; then
      fail "it did not: the hiding proves nothing"
    fi
    grep -q 'respan::testing needs cpp-httplib' "$work/c0.log" || { cat "$work/c0.log"; fail "wrong failure"; }
    echo "   failed as expected:"
    grep -A2 "respan::testing needs cpp-httplib" "$work/c0.log" | sed "s/^/   /"
  fi

  if [[ $shared == 0 && $variant != header-only ]]; then
    echo "== 2. find_package(respan COMPONENTS testing)"
    cmake_consumer "$work/c2" -DCMAKE_PREFIX_PATH="$prefix" -DRESPAN_CONSUMER=installed-testing \
      >/dev/null
  else
    # A shared respan_testing (or one with cpp-httplib compiled in) needs no cpp-httplib.
    echo "== 2. find_package(respan COMPONENTS testing), cpp-httplib hidden (not needed here)"
    hidden cmake_consumer "$work/c2" -DCMAKE_PREFIX_PATH="$prefix" \
      -DRESPAN_CONSUMER=installed-testing "${hide_args[@]}" >"$work/c2.log" \
      || { cat "$work/c2.log"; fail "consumer 2 configure"; }
  fi
  build_consumer "$work/c2"
  "$work/c2/consumer"
fi

rpath=""
[[ $shared == 1 ]] && rpath="-Wl,-rpath,$libdir"
echo "== 3. pkg-config respan, cpp-httplib hidden"
hidden pkg-config --exists cpp-httplib && fail "pkg-config still finds cpp-httplib"
# shellcheck disable=SC2046,SC2086
"$cxx" -std=c++17 $flags tests/package/core.cpp -o "$work/pc-core" $rpath \
  $(hidden pkg-config --cflags --libs respan)
"$work/pc-core"

if [[ $has_testing == ON ]]; then
  echo "== 4. pkg-config respan-testing"
  # shellcheck disable=SC2046,SC2086
  "$cxx" -std=c++17 $flags tests/package/main.cpp -o "$work/pc-testing" $rpath \
    $(PKG_CONFIG_PATH="$libdir/pkgconfig:${PKG_CONFIG_PATH:-}" pkg-config --cflags --libs respan-testing)
  "$work/pc-testing"
fi

echo "== 5. add_subdirectory(respan), cpp-httplib hidden"
hidden cmake_consumer "$work/c5" -DRESPAN_CONSUMER=subdirectory -DRESPAN_SOURCE_DIR="$root" \
  "${hide_args[@]}" >"$work/c5.log" || { cat "$work/c5.log"; fail "consumer 5 configure"; }
build_consumer "$work/c5" -j2
"$work/c5/consumer"
echo "== package check passed"
