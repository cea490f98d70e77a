#!/usr/bin/env bash
# Runs modelc's whole test suite: lit/FileCheck, Catch2 unit tests, the C
# runtime kernels, the CLI's error handling, the ONNX backend node tests and
# the end-to-end models (exported with Debian's python3-torch, checked against
# onnxruntime). Installs what the tests need and builds modelc first (through
# scripts/setup.sh), and checks the CUDA target without a GPU. Two long runs
# are not part of it: the six-architecture comparison and the ONNX node tests
# through the emulated CUDA target:
#   ctest --test-dir build -L models-full
#   ctest --test-dir build -L cuda-full
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${MODELC_BUILD_DIR:-$ROOT/build}
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

bash "$ROOT/scripts/setup.sh"

TEST_PACKAGES=(
  libonnx-testdata python3-onnx python3-numpy python3-torch python3-torchvision
)
# Node.js runs the onnxruntime oracle. Machines of this kind ship it (with
# npm); Debian's own packages are the fallback where it is missing.
command -v npm >/dev/null || TEST_PACKAGES+=(nodejs npm)
echo "== modelc: installing test dependencies"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
  --no-install-recommends "${TEST_PACKAGES[@]}" >/dev/null
# onnxruntime, the numbers oracle (see ../shared/tools/ort/README.md).
export ORT_NODE_MODULES=${ORT_NODE_MODULES:-$HOME/.cache/ort/node_modules}
if [ ! -d "$ORT_NODE_MODULES/onnxruntime-node" ]; then
  echo "== modelc: installing onnxruntime-node (npm)"
  ONNXRUNTIME_NODE_INSTALL=skip npm install --silent --no-audit --no-fund \
    --prefix "$(dirname "$ORT_NODE_MODULES")" onnxruntime-node@1.30.0 >/dev/null
fi

echo "== modelc: running the tests"
ctest --test-dir "$BUILD" --output-on-failure -j "$(nproc)" -LE 'models-full|cuda-full'
