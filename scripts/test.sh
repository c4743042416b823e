#!/usr/bin/env bash
# Builds respan-cpp with warnings as errors and runs the whole test suite (unit tests and
# integration tests against the mock server over loopback), then the examples.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
cmake --workflow --preset dev
for example in quickstart configuration errors_and_retries testing_with_mock datasets batch_logging \
  tracing feedback prompts openai_chat; do
  echo "== running examples/$example.cpp against the bundled mock server"
  status=0
  out=$(env -u RESPAN_API_KEY -u OPENAI_API_KEY "./build/dev/examples/$example") || status=$?
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
  if [[ $example == openai_chat ]]; then
    # The fake OpenAI endpoint's streamed answer was printed, and both spans (the program's
    # root and the LLM call) were delivered.
    report=$(printf '%s\n' "$out" | tail -n 1)
    echo "$report"
    if ! grep -q '^Mock answer to: In one sentence, why does a C++ service trace its LLM calls?$' \
      <<<"$out"; then
      printf '%s\n' "$out" >&2
      echo "examples/openai_chat: the streamed answer was not printed" >&2
      exit 1
    fi
    if ! grep -Eq '"delivered":2[,}]' <<<"$report" || ! grep -Eq '"pending":0[,}]' <<<"$report"; then
      echo "examples/openai_chat: not every span was delivered" >&2
      exit 1
    fi
  fi
done

# The CLI guide's walk-through: `respan mock-server`, then spans made by
# examples/spans_to_jsonl.cpp uploaded with `respan logs upload -` and listed back.
echo "== docs/guides/cli.md: examples/spans_to_jsonl | respan logs upload - (respan mock-server)"
cli_dir=$(mktemp -d)
./build/dev/respan mock-server --port 0 >"$cli_dir/mock.out" 2>&1 &
cli_mock_pid=$!
cli_url=""
for _ in $(seq 100); do
  cli_url=$(sed -n 's/^listening on \(http:.*\)$/\1/p' "$cli_dir/mock.out")
  [[ -n $cli_url ]] && break
  sleep 0.1
done
status=0
if [[ -n $cli_url ]]; then
  ./build/dev/examples/spans_to_jsonl 2000 |
    RESPAN_API_KEY=test-key RESPAN_BASE_URL="$cli_url" ./build/dev/respan logs upload - \
      --progress none >"$cli_dir/report.json" || status=$?
  listed=$(RESPAN_API_KEY=test-key RESPAN_BASE_URL="$cli_url" ./build/dev/respan logs list \
    --filter customer_identifier=customer-1 --page-size 1000 | wc -l) || status=$?
fi
kill "$cli_mock_pid" 2>/dev/null
wait "$cli_mock_pid" 2>/dev/null || true
report=$(cat "$cli_dir/report.json" 2>/dev/null || true)
rm -rf "$cli_dir"
echo "$report"
if [[ -z $cli_url || $status -ne 0 ]] || ! grep -Eq '"delivered":2000[,}]' <<<"$report" ||
  [[ ${listed:-0} -ne 667 ]]; then
  echo "respan logs upload / list failed (status $status, listed ${listed:-0} of 667)" >&2
  exit 1
fi
echo "   uploaded 2000 spans, listed 667 of customer-1"

# The quickstart once more, as a user of the real service runs it (RESPAN_API_KEY,
# RESPAN_BASE_URL), against respan-mock-server over HTTPS: a throwaway CA and a certificate
# for 127.0.0.1 made here with the openssl command, trusted through RESPAN_CA_BUNDLE.
echo "== running examples/quickstart.cpp against respan-mock-server over HTTPS"
tls_dir=$(mktemp -d)
mock_pid=""
cleanup_tls() {
  [[ -n $mock_pid ]] && kill "$mock_pid" 2>/dev/null && wait "$mock_pid" 2>/dev/null
  rm -rf "$tls_dir"
}
trap cleanup_tls EXIT
(
  cd "$tls_dir"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -keyout ca-key.pem -out ca.pem -subj "/CN=respan-cpp test CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout server-key.pem -out server.csr -subj "/CN=127.0.0.1"
  printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >server.ext
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 \
    -extfile server.ext -out server.pem
) >"$tls_dir/openssl.log" 2>&1 || { cat "$tls_dir/openssl.log" >&2; exit 1; }
./build/dev/respan-mock-server --tls-cert "$tls_dir/server.pem" --tls-key "$tls_dir/server-key.pem" \
  >"$tls_dir/mock.out" 2>&1 &
mock_pid=$!
base_url=""
for _ in $(seq 100); do
  base_url=$(sed -n 's/^listening on \(https:.*\)$/\1/p' "$tls_dir/mock.out")
  [[ -n $base_url ]] && break
  kill -0 "$mock_pid" 2>/dev/null || break
  sleep 0.1
done
[[ -n $base_url ]] || { cat "$tls_dir/mock.out" >&2; echo "respan-mock-server did not start" >&2; exit 1; }
status=0
out=$(RESPAN_API_KEY=test-key RESPAN_BASE_URL="$base_url" RESPAN_CA_BUNDLE="$tls_dir/ca.pem" \
  ./build/dev/examples/quickstart) || status=$?
if [[ $status -ne 0 ]]; then
  printf '%s\n' "$out" >&2
  echo "examples/quickstart over HTTPS ($base_url) failed with exit status $status" >&2
  exit 1
fi
echo "   quickstart OK over $base_url"
