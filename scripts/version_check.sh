#!/usr/bin/env bash
# One version number, one libcurl minimum, one nlohmann/json minimum: all set in CMakeLists.txt.
# version.hpp and the installed CMake/pkg-config files are generated from it by CMake; this
# script checks (or, with --write, rewrites) the copies that cannot be generated at build
# time: the vcpkg manifest and the Conan recipe. With a build directory, it also checks that
# build's generated version.hpp.
# Usage: scripts/version_check.sh [--write] [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
write=0
if [[ ${1:-} == --write ]]; then
  write=1
  shift
fi
build=${1:-}

version=$(sed -n '/^project(respan/,/)/s/^ *VERSION \([0-9.]*\)$/\1/p' CMakeLists.txt)
curl_min=$(sed -n 's/^set(RESPAN_CURL_MIN_VERSION \([0-9.]*\))$/\1/p' CMakeLists.txt)
json_min=$(sed -n 's/^set(RESPAN_NLOHMANN_JSON_MIN_VERSION \([0-9.]*\))$/\1/p' CMakeLists.txt)
[[ -n $version && -n $curl_min && -n $json_min ]] || { echo "cannot read CMakeLists.txt" >&2; exit 1; }

vcpkg=packaging/vcpkg/respan/vcpkg.json
conan=packaging/conan/conanfile.py
# file, what, extended sed regex with one group around the value, expected value
checks=(
  "$vcpkg|version|^(  \"version\": \")[^\"]*(\",)$|$version"
  "$vcpkg|libcurl minimum|^(.*\"name\": \"curl\".*\"version>=\": \")[^\"]*(\".*)$|$curl_min"
  "$vcpkg|nlohmann/json minimum|^(.*\"name\": \"nlohmann-json\".*\"version>=\": \")[^\"]*(\".*)$|$json_min"
  "$conan|version|^(    version = \")[^\"]*(\")$|$version"
  "$conan|libcurl minimum|^(.*\"libcurl/\[>=)[^ ]*( <.*)$|$curl_min"
  "$conan|nlohmann/json minimum|^(.*\"nlohmann_json/\[>=)[^ ]*( <.*)$|$json_min"
)
status=0
for check in "${checks[@]}"; do
  IFS='|' read -r file what regex want <<<"$check"
  current=$(grep -E "$regex" "$file" | head -1 || true)
  if [[ -z $current ]]; then
    echo "$file: no $what found" >&2
    status=1
    continue
  fi
  expected=$(echo "$current" | sed -E "s#$regex#\\1$want\\2#")
  if [[ $current != "$expected" ]]; then
    if [[ $write == 1 ]]; then
      sed -i -E "s#$regex#\\1$want\\2#" "$file"
      echo "$file: $what set to $want"
    else
      echo "$file: $what differs from CMakeLists.txt ($want):" >&2
      echo "  $current" >&2
      status=1
    fi
  fi
done

if [[ -n $build ]]; then
  header="$build/generated/include/respan/version.hpp"
  grep -q "^#define RESPAN_VERSION_STRING \"$version\"$" "$header" || {
    echo "$header is not version $version (reconfigure $build)" >&2
    status=1
  }
fi
[[ $status == 0 ]] && echo "version $version, libcurl >= $curl_min, nlohmann/json >= $json_min: consistent"
exit $status
