#!/usr/bin/env bash
# Installs the Debian packages respan-cpp needs, if any are missing.
#   scripts/deps.sh build   # compiler, CMake, libcurl, nlohmann/json, zlib, cpp-httplib, OpenSSL
#   scripts/deps.sh test    # the above plus GoogleTest/GoogleMock, Google Benchmark, the
#                           # openssl command (test certificates), protoc and python3-protobuf
#                           # (the OTLP protobuf cross-check)
# Runs apt-get as root, or through passwordless sudo; otherwise prints the exact command.
set -euo pipefail

profile="${1:-test}"
packages=(g++ cmake ninja-build pkg-config libcurl4-openssl-dev nlohmann-json3-dev zlib1g-dev
  libcpp-httplib-dev libssl-dev)
if [[ "$profile" == "test" ]]; then
  packages+=(libgtest-dev libgmock-dev libbenchmark-dev openssl protobuf-compiler python3-protobuf)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -eq 0 ]]; then
  echo "respan: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  echo "respan: installing ${missing[*]} with sudo" >&2
  sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "respan: missing packages: ${missing[*]}" >&2
  echo "respan: install them with:  sudo sh -c '$cmd'" >&2
  exit 1
fi
