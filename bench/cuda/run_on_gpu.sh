#!/usr/bin/env bash
# On the GPU machine: builds the runners bench/cuda/prepare.sh wrote, checks
# numbers, then times modelc against PyTorch eager and torch.compile (default
# and reduce-overhead) on the same inputs, alternating who goes first.
# Results (gpu.txt, build.log, numbers.md, timing.json, timing.md) go to $OUT.
#
# usage: bash run_on_gpu.sh PAYLOAD_DIR [check|time|all]   (default all)
#   Needs nvcc, cuBLASLt and cuDNN (CUDA toolkit), gcc, and python3 with torch,
#   torchvision, onnx and numpy. NVCC, ARCH (sm_90) and torch_bench.py's
#   variables (ROUNDS, ITERS, WARMUP, MODELS, VARIANTS, SIDES) tune it.
set -u -o pipefail
P=$(cd "${1:?usage: run_on_gpu.sh PAYLOAD_DIR [check|time|all]}" && pwd)
WHAT=${2:-all}
export OUT=${OUT:-/tmp/modelc_cuda_results}
mkdir -p "$OUT"
NVCC=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
ARCH=${ARCH:-sm_90}
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"

build_cuda() { # DIR
  local weights=""; [ -f "$1/model_weights.o" ] && weights="$1/model_weights.o"
  "$NVCC" -std=c++17 -O3 -arch="$ARCH" -w "$1/model.cu" "$1/model_runner.cu" $weights \
    -o "$1/runner" -lcublasLt -lcudnn >"$1/build.log" 2>&1 || { echo "BUILD FAILED: $1"; cat "$1/build.log"; }
}
export -f build_cuda
export NVCC ARCH
start=$(date +%s)
ls -d "$P"/*-b[0-9]*-* | xargs -P "$(nproc)" -I{} bash -c 'build_cuda {}' 2>&1 | tee "$OUT/build.log"
for c in "$P"/*-c; do
  gcc -std=c99 -O3 -march=native "$c/model.c" "$c/model_runner.c" -lm -lpthread -o "$c/runner" 2>>"$OUT/build.log"
done
echo "built in $(( $(date +%s) - start )) s" | tee -a "$OUT/build.log"

status=0
if [ "$WHAT" = check ] || [ "$WHAT" = all ]; then
  python3 "$P/torch_bench.py" check "$P" || status=1
fi
if [ "$WHAT" = time ] || [ "$WHAT" = all ]; then
  python3 "$P/torch_bench.py" time "$P" || status=1
fi
exit $status
