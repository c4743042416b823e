#!/usr/bin/env bash
# Windows build check: compiles every source of the client library (src/, without the mock
# server of src/testing/) and of the respan CLI (tools/cli/) for x86_64 Windows with MinGW-w64
# (g++-mingw-w64-x86-64, its POSIX-threads compiler). libcurl for Windows is not available on
# Debian, so the check is `-fsyntax-only` against Debian's libcurl, nlohmann/json and zlib
# headers, which are platform-independent; MinGW's own C and C++ headers (the Windows CRT, no
# glibc) are used for everything else, so a POSIX-only call without a Windows branch fails.
#
# The mock server (respan::testing, src/testing/ and respan-mock-server) is a test tool built
# on POSIX sockets and is not part of this check; on Windows the CLI is built without
# `respan mock-server`, as with RESPAN_BUILD_TESTING_LIB=OFF.
#
#   scripts/windows_check.sh            # uses x86_64-w64-mingw32-g++-posix
#   MINGW_CXX=... scripts/windows_check.sh
set -euo pipefail
cd "$(dirname "$0")/.."

cxx="${MINGW_CXX:-x86_64-w64-mingw32-g++-posix}"
if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "windows_check: $cxx not found (apt-get install g++-mingw-w64-x86-64)" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The generated headers (cmake/*.in), for a shared build: the __declspec(dllexport) /
# dllimport paths of RESPAN_EXPORT are the ones compiled.
version=$(sed -n 's/^ *VERSION \([0-9][0-9.]*\)$/\1/p' CMakeLists.txt | head -n 1)
IFS=. read -r major minor patch <<<"$version"
mkdir -p "$work/generated/respan" "$work/thirdparty"
sed -e "s/@PROJECT_VERSION_MAJOR@/$major/" -e "s/@PROJECT_VERSION_MINOR@/$minor/" \
  -e "s/@PROJECT_VERSION_PATCH@/$patch/" -e "s/@PROJECT_VERSION@/$version/" \
  cmake/version.hpp.in >"$work/generated/respan/version.hpp"
sed -e "s/@RESPAN_SHARED_LIBRARY@/1/" cmake/export.hpp.in >"$work/generated/respan/export.hpp"

# Only the third-party headers are taken from Debian, through a directory of links (never
# /usr/include itself, whose glibc headers would hide what Windows lacks).
find_header_dir() {
  local name=$1 d
  for d in /usr/include /usr/include/"$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)"; do
    if [[ -e "$d/$name" ]]; then
      echo "$d/$name"
      return 0
    fi
  done
  echo "windows_check: $name not found under /usr/include (install libcurl4-openssl-dev," \
    "nlohmann-json3-dev, zlib1g-dev)" >&2
  return 1
}
for h in curl nlohmann zlib.h zconf.h; do
  ln -s "$(find_header_dir "$h")" "$work/thirdparty/$h"
done

flags=(-std=c++17 -fsyntax-only -Wall -Wextra -Wpedantic -Wshadow -Wconversion
  -Wno-sign-conversion -Werror -Iinclude -I"$work/generated" -Isrc -isystem "$work/thirdparty")

mapfile -t lib_sources < <(find src -name '*.cpp' -not -path 'src/testing/*' | sort)
mapfile -t cli_sources < <(find tools/cli -name '*.cpp' | sort)
echo "windows_check: $cxx -fsyntax-only: ${#lib_sources[@]} library sources, ${#cli_sources[@]} CLI sources"

failed=0

# MinGW-w64 emulates some of POSIX (pthread.h, unistd.h), so a compile alone does not prove
# that a POSIX-only header has a Windows branch: every such #include must sit inside a
# conditional that names _WIN32 (e.g. `#ifdef _WIN32 ... #else #include <unistd.h> #endif`).
posix_includes=$(awk '
  FNR == 1 { n = 0 }
  /^[ \t]*#[ \t]*(if|ifdef|ifndef)([ \t(]|$)/ { stack[++n] = $0; next }
  /^[ \t]*#[ \t]*(else|elif)/ { if (n > 0) stack[n] = stack[n] " " $0; next }
  /^[ \t]*#[ \t]*endif/ { if (n > 0) n--; next }
  /^[ \t]*#[ \t]*include[ \t]*<((pthread|unistd|poll|fcntl|dlfcn|termios|spawn|netdb|strings|syslog|pwd|grp)\.h|(sys|arpa|netinet)\/)/ {
    ok = 0
    for (i = 1; i <= n; i++) if (stack[i] ~ /_WIN32/) ok = 1
    if (!ok) print FILENAME ":" FNR ": " $0
  }' "${lib_sources[@]}" $(find src include tools/cli -name '*.hpp' -not -path 'src/testing/*' \
  -not -path 'include/respan/testing/*' | sort) "${cli_sources[@]}")
if [[ -n $posix_includes ]]; then
  echo "windows_check: POSIX-only headers without a _WIN32 branch:" >&2
  echo "$posix_includes" >&2
  failed=1
fi

check() {  # check DEFINE FILE...
  local define=$1
  shift
  printf '%s\n' "$@" | xargs -P 2 -I{} sh -c \
    "$cxx $(printf '%q ' "${flags[@]}") $define -D_WIN32_WINNT=0x0A00 {} || { echo 'windows_check: FAILED: {}' >&2; exit 1; }" ||
    failed=1
}
check -DRESPAN_BUILDING_RESPAN "${lib_sources[@]}"
check "-DRESPAN_CLI_HAS_MOCK=0 -Itools" "${cli_sources[@]}"
if ((failed)); then
  echo "windows_check: the Windows (MinGW-w64) compile check failed" >&2
  exit 1
fi
echo "windows_check: OK"
