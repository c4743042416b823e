#!/usr/bin/env bash
# Builds respan-cpp with warnings as errors and runs the whole test suite (unit tests and
# integration tests against the mock server over loopback), then the examples.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
cmake --workflow --preset dev
for example in quickstart datasets; do
  echo "== running examples/$example.cpp against the bundled mock server"
  env -u RESPAN_API_KEY "./build/dev/examples/$example" >/dev/null
done
