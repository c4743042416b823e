#!/usr/bin/env bash
# Builds respan-cpp with warnings as errors and runs the whole test suite (unit tests and
# integration tests against the mock server over loopback), then the examples.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
cmake --workflow --preset dev
for example in quickstart datasets batch_logging tracing; do
  echo "== running examples/$example.cpp against the bundled mock server"
  status=0
  out=$(env -u RESPAN_API_KEY "./build/dev/examples/$example") || status=$?
  if [[ $status -ne 0 ]]; then
    printf '%s\n' "$out" >&2
    echo "examples/$example failed with exit status $status" >&2
    exit 1
  fi
  if [[ $example == batch_logging ]]; then
    # Last line: the DeliveryReport; the default 1000 spans must all be delivered.
    report=$(printf '%s\n' "$out" | tail -n 1)
    echo "$report"
    if ! grep -Eq '"delivered":1000[,}]' <<<"$report" || ! grep -Eq '"pending":0[,}]' <<<"$report"; then
      echo "examples/batch_logging: not every span was delivered" >&2
      exit 1
    fi
  fi
  if [[ $example == tracing ]]; then
    # Last line: the DeliveryReport; the workflow's 6 spans must all be delivered.
    report=$(printf '%s\n' "$out" | tail -n 1)
    echo "$report"
    if ! grep -Eq '"delivered":6[,}]' <<<"$report" || ! grep -Eq '"pending":0[,}]' <<<"$report"; then
      echo "examples/tracing: not every span was delivered" >&2
      exit 1
    fi
  fi
done
