#!/usr/bin/env bash
# Installs the dev build into a scratch prefix, then builds and runs a downstream program
# against it twice: through find_package(respan) and through pkg-config.
# Usage: scripts/package_check.sh [build-dir]   (default build/dev, as left by scripts/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/dev}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" >/dev/null

echo "== find_package(respan)"
cmake -S tests/package -B "$work/cmake" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/cmake" >/dev/null
"$work/cmake/consumer"

echo "== pkg-config respan respan-testing"
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig:$work/prefix/lib/$(gcc -print-multiarch 2>/dev/null)/pkgconfig"
# shellcheck disable=SC2046
g++ -std=c++17 tests/package/main.cpp -o "$work/pc-consumer" \
  $(pkg-config --cflags --libs respan-testing)
"$work/pc-consumer"
