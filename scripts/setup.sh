#!/usr/bin/env bash
# modelc set-up in one command, on Debian 12 (bookworm):
#   1. installs the build dependencies from Debian's archive,
#   2. configures and builds modelc into build/,
#   3. runs modelc's main job on the bundled model: compiles examples/lenet.onnx
#      to C, builds it with the system C compiler and runs it on a bundled
#      input, printing the result.
# Re-running is cheap: apt and ninja skip what is already done.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${MODELC_BUILD_DIR:-$ROOT/build}
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

BUILD_PACKAGES=(
  cmake ninja-build ccache g++ gcc
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22
  libonnx-dev libprotobuf-dev protobuf-compiler
  libcli11-dev libspdlog-dev catch2
)
echo "== modelc: installing build dependencies"
[ -n "${MODELC_APT_UPDATED:-}" ] || $SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
  --no-install-recommends "${BUILD_PACKAGES[@]}" >/dev/null

echo "== modelc: building into $BUILD"
cmake -G Ninja -S "$ROOT" -B "$BUILD" \
  -DCMAKE_BUILD_TYPE=Release \
  -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
  -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit >/dev/null
cmake --build "$BUILD" -j "$(nproc)"

echo "== modelc: compiling examples/lenet.onnx to C"
OUT=$BUILD/example-lenet
rm -rf "$OUT"
"$BUILD/bin/modelc" compile "$ROOT/examples/lenet.onnx" --target=c \
  --name lenet -o "$OUT" --report "$OUT.report.json"
echo "   wrote: $(cd "$OUT" && ls | tr '\n' ' ')"
echo "== modelc: building the artifact with cc and running it"
cc -std=c99 -O2 -Wall -Wextra "$OUT/lenet.c" "$OUT/lenet_runner.c" \
  "$OUT/lenet_weights.o" -o "$OUT/lenet_runner" -lm -lpthread
"$OUT/lenet_runner" --inputs "$ROOT/examples/lenet/test_data_set_0" \
  --outputs "$OUT/outputs" --print
echo "== modelc: ready. Try: $BUILD/bin/modelc --help"
