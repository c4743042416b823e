#!/usr/bin/env bash
# Documentation checks, run by CI after the API reference:
# 1. no document cites a file users do not have (the API notes this project was written
#    from: REFERENCE.md, EXTENDED.md, ../shared, their section numbers and source keys);
#    say the fact itself, or link the public API documentation (https://www.respan.ai/docs/);
# 2. every C++ example in README.md, docs/**/*.md (```cpp blocks) and the public headers
#    (@code blocks) compiles as C++17 with -Wall -Wextra -Wpedantic -Werror, with g++ and,
#    when installed, clang++ (scripts/doc_examples.py says how fragments are compiled).
# Usage: scripts/doc_examples.sh [build-dir]   (default build/dev: its generated headers)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/dev}

citations='REFERENCE|EXTENDED\.md|\.\./shared|§ ?[0-9]|\[(sdk|docs|seed)[] ]|docs D-[a-z]|create-request-log-span\.txt|datasets-api-and-create'
if grep -rnE "$citations" src include docs README.md examples tools CHANGELOG.md; then
  echo "doc_examples: the lines above cite files users do not have; state the fact instead" >&2
  exit 1
fi

python3 scripts/doc_examples.py --build "$build" --jobs "$(nproc 2>/dev/null || echo 2)"
