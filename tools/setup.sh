#!/usr/bin/env bash
# Installs what this machine lacks to build ssm-replay (`tools/setup.sh`: what `make run` needs) or to
# build, test and benchmark it (`tools/setup.sh --tests`: `make test`, the sanitizer, thread-safety and
# fuzz builds, `make bench`). Idempotent, and quiet when everything is already there. Debian 12
# packages; Python test clients from pip when missing.
set -euo pipefail

case "${1:-}" in
  "") tests=0 ;;
  --tests) tests=1 ;;
  *)
    echo "usage: tools/setup.sh [--tests]" >&2
    exit 2
    ;;
esac

# Configuring and building the binary (configuring also declares the tests: Catch2, Python 3).
packages=(
  build-essential cmake pkg-config ccache python3
  libcpp-httplib-dev liblmdb-dev libcereal-dev libzstd-dev libssl-dev
  nlohmann-json3-dev libcli11-dev libspdlog-dev libre2-dev libconcurrentqueue-dev libxxhash-dev catch2
)
# Running the tests and benchmarks, and the clang builds.
if ((tests)); then
  packages+=(
    python3-pip wrk clang libclang-rt-14-dev
    chromium chromium-driver python3-selenium
    python3-pytest
  )
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js (>= 20) and npm for the JS SDK v3 client of the end-to-end tests; a Node.js package that
# bundles npm (e.g. NodeSource's) counts.
if ((tests)); then
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
fi

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ((!tests)); then exit 0; fi

# Real clients for the end-to-end tests: AWS CLI v1, boto3/botocore, moto 5 (SSM emulator as upstream).
python_missing=()
python3 -c 'import boto3, botocore' 2>/dev/null || python_missing+=(boto3)
python3 -c 'import moto.server, flask' 2>/dev/null || python_missing+=('moto[server]>=5')
command -v aws >/dev/null 2>&1 || python_missing+=(awscli)
if ((${#python_missing[@]})); then
  echo "setup: pip installing ${python_missing[*]}"
  python3 -m pip install --quiet --disable-pip-version-check "${python_missing[@]}" 2>/dev/null ||
    python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "${python_missing[@]}"
fi

# The JS SDK v3 (@aws-sdk/client-ssm) for the end-to-end tests, at the version tests/e2e/js's lock names.
js_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/e2e/js"
if [ ! -d "$js_dir/node_modules/@aws-sdk/client-ssm" ]; then
  echo "setup: npm installing the JS SDK v3 into tests/e2e/js"
  npm ci --prefix "$js_dir" --no-audit --no-fund --silent
fi
