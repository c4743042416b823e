#!/usr/bin/env bash
# Builds and runs examples/quickstart.cpp. Without RESPAN_API_KEY it starts the bundled
# mock Respan server on 127.0.0.1, so it needs no account and no network.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
cmake --workflow --preset quickstart
exec ./build/quickstart/examples/quickstart "$@"
