#!/usr/bin/env bash
# Runs modelc's whole test suite: lit/FileCheck, Catch2 unit tests, the C
# runtime kernels, the CLI's error handling, the ONNX backend node tests, the
# end-to-end models (exported with Debian's python3-torch, checked against
# onnxruntime) and the CUDA target without a GPU.
#
# It installs what the tests need FIRST, then builds modelc (scripts/setup.sh),
# so CMake's configure sees every test dependency: a missing test data set or
# toolchain is a failing test, never a skipped one. The CUDA toolkit is not a
# Debian package: nvcc must be on PATH, in $CUDA_HOME/bin or /usr/local/cuda/bin.
#
# ctest prints each label's time at the end. Long runs are on demand, by label:
#   ctest --test-dir build -L models-full    the six architectures, both opsets
#   ctest --test-dir build -L cuda-full      the node tests through emulated CUDA
#   ctest --test-dir build -L sanitize       ASan + UBSan build of the suite
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${MODELC_BUILD_DIR:-$ROOT/build}
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

TEST_PACKAGES=(
  libonnx-testdata python3-onnx python3-numpy python3-torch python3-torchvision
  # The artifacts' own CMakeLists.txt are built as a user builds them, with
  # CMake's default generator.
  make
  # runtime-kernels-aarch64 cross-compiles the C kernels (static, so the libc
  # headers are needed too) and runs them under user-mode QEMU.
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
)
# Node.js runs the onnxruntime oracle (scripts/ort). Machines of this kind
# ship it (with npm); Debian's own packages are the fallback where it is missing.
command -v npm >/dev/null || TEST_PACKAGES+=(nodejs npm)
echo "== modelc: installing test dependencies"
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
  --no-install-recommends "${TEST_PACKAGES[@]}" >/dev/null
export ORT_NODE_MODULES=${ORT_NODE_MODULES:-$HOME/.cache/ort/node_modules}
if [ ! -d "$ORT_NODE_MODULES/onnxruntime-node" ]; then
  echo "== modelc: installing onnxruntime-node (npm)"
  # The package's install step would fetch GPU files from outside the npm
  # registry; the CPU binary it needs ships inside the package.
  ONNXRUNTIME_NODE_INSTALL=skip npm install --loglevel=error --no-audit --no-fund \
    --prefix "$(dirname "$ORT_NODE_MODULES")" onnxruntime-node@1.30.0 >/dev/null
fi

MODELC_APT_UPDATED=1 bash "$ROOT/scripts/setup.sh"

echo "== modelc: running the tests"
ctest --test-dir "$BUILD" --output-on-failure -j "$(nproc)" \
  -LE 'models-full|cuda-full|sanitize'
