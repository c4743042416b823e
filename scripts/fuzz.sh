#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang into build/fuzz and runs each one for
# SECONDS_PER_TARGET seconds (default 30) on a scratch copy of its seed corpus
# (fuzz/corpus/<target>/ is not modified). First replays fuzz/regressions/<target>/.
# Exits non-zero when a target crashes; the crashing input is kept in $FUZZ_BUILD_DIR/artifacts/.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Environment: CXX (default clang++), FUZZ_BUILD_DIR (default build/fuzz), FUZZ_JOBS (build
# jobs, default 2), FUZZ_RSS_MB (default 2048), FUZZ_KEEP_CORPUS=1 to keep the grown scratch
# corpora in $FUZZ_BUILD_DIR/work/.
# Installs nothing: needs clang++ with libFuzzer and the sanitizer runtimes (Debian/Ubuntu:
# apt-get install clang libclang-rt-14-dev), cmake and ninja.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
[[ $# -gt 0 ]] && shift
if ! [[ $seconds =~ ^[0-9]+$ ]] || [[ $seconds -lt 1 ]]; then
  echo "usage: $0 [SECONDS_PER_TARGET] [TARGET...]" >&2
  exit 2
fi
targets=(fuzz_response_models fuzz_error_body fuzz_retry_after fuzz_filters fuzz_url fuzz_json
  fuzz_otlp_protobuf fuzz_sse_stream)
[[ $# -gt 0 ]] && targets=("$@")

cxx=${CXX:-clang++}
build=${FUZZ_BUILD_DIR:-build/fuzz}
rss_mb=${FUZZ_RSS_MB:-2048}

# ---------------------------------------------------------------- toolchain check
if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "fuzz.sh: $cxx not found; install clang (Debian/Ubuntu: apt-get install clang libclang-rt-14-dev)" >&2
  exit 1
fi
if ! "$cxx" --version 2>/dev/null | grep -q clang; then
  echo "fuzz.sh: $cxx is not clang; set CXX to a clang++ with libFuzzer" >&2
  exit 1
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '%s\n' '#include <cstddef>' '#include <cstdint>' \
  'extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }' \
  >"$probe/probe.cpp"
if ! "$cxx" -fsanitize=fuzzer,address,undefined "$probe/probe.cpp" -o "$probe/probe" \
  >"$probe/log" 2>&1; then
  echo "fuzz.sh: $cxx cannot link -fsanitize=fuzzer,address,undefined: libFuzzer or the" \
    "sanitizer runtimes are missing (Debian/Ubuntu: apt-get install libclang-rt-14-dev)" >&2
  sed 's/^/  /' "$probe/log" >&2
  exit 1
fi

# ---------------------------------------------------------------- build
launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
generator=()
if command -v ninja >/dev/null 2>&1; then
  generator=(-G Ninja)
fi
t0=$(date +%s)
# -O1 -g without NDEBUG: library and nlohmann/json assertions stay on while fuzzing.
cmake -S . -B "$build" "${generator[@]}" "${launcher[@]}" \
  -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
  -DRESPAN_BUILD_FUZZERS=ON -DRESPAN_SANITIZE=address,undefined \
  -DRESPAN_BUILD_TESTS=OFF -DRESPAN_BUILD_EXAMPLES=OFF -DRESPAN_BUILD_TESTING_LIB=OFF \
  -DRESPAN_BUILD_BENCHMARKS=OFF -DRESPAN_INSTALL=OFF >/dev/null
cmake --build "$build" -j "${FUZZ_JOBS:-2}" --target "${targets[@]}"
echo "== fuzz targets built in $(($(date +%s) - t0)) s"

# ---------------------------------------------------------------- run
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

dict_for() {
  case $1 in
    fuzz_response_models | fuzz_filters | fuzz_json) echo fuzz/dict/json.dict ;;
    fuzz_sse_stream) echo fuzz/dict/sse.dict ;;
    fuzz_retry_after | fuzz_url) echo fuzz/dict/http.dict ;;
    fuzz_otlp_protobuf) echo fuzz/dict/otlp.dict ;;
    fuzz_error_body)
      cat fuzz/dict/json.dict fuzz/dict/http.dict >"$build/work/error_body.dict"
      echo "$build/work/error_body.dict"
      ;;
  esac
}
max_len_for() {
  case $1 in
    fuzz_response_models | fuzz_error_body) echo 16384 ;;
    fuzz_filters) echo 4096 ;;
    fuzz_url) echo 1024 ;;
    fuzz_retry_after) echo 256 ;;
    fuzz_otlp_protobuf) echo 4096 ;;
    fuzz_sse_stream) echo 8192 ;;
  esac
}

mkdir -p "$build/work" "$build/artifacts"
failed=()
summary=()
for t in "${targets[@]}"; do
  bin="$build/fuzz/$t"
  # Regressions: every saved reproducer must run clean.
  if compgen -G "fuzz/regressions/$t/*" >/dev/null; then
    if ! "$bin" -rss_limit_mb="$rss_mb" -timeout=30 fuzz/regressions/"$t"/* \
      >"$build/work/$t.regressions.log" 2>&1; then
      echo "== $t: a regression input crashes (fuzz/regressions/$t/):"
      grep -E 'ERROR|runtime error|Running:' "$build/work/$t.regressions.log" | tail -5
      failed+=("$t (regression)")
      continue
    fi
  fi
  corpus="$build/work/$t.corpus"
  rm -rf "$corpus"
  mkdir -p "$corpus" "$build/artifacts/$t"
  cp fuzz/corpus/"$t"/* "$corpus"/
  log="$build/work/$t.log"
  echo "== $t: fuzzing for ${seconds} s"
  status=0
  "$bin" "$corpus" \
    -max_total_time="$seconds" -max_len="$(max_len_for "$t")" -timeout=10 \
    -rss_limit_mb="$rss_mb" -dict="$(dict_for "$t")" -use_value_profile=1 \
    -print_final_stats=1 -artifact_prefix="$build/artifacts/$t/" >"$log" 2>&1 || status=$?
  stats=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' || true)
  echo "   $stats"
  summary+=("$t: ${execs:-?} execs; last: ${stats}")
  if [[ $status -ne 0 ]]; then
    echo "== $t CRASHED (exit $status); artifacts in $build/artifacts/$t/, log $log:"
    grep -E 'ERROR|runtime error|SUMMARY|Test unit written|^    #[0-9] ' "$log" | head -20
    failed+=("$t")
  fi
  [[ ${FUZZ_KEEP_CORPUS:-0} == 1 ]] || rm -rf "$corpus"
done

echo "== fuzz summary (${seconds} s per target)"
printf '   %s\n' "${summary[@]}"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "== fuzzing FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "== fuzzing passed: ${targets[*]}"
