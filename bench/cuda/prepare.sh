#!/usr/bin/env bash
# Prepares, on a machine with modelc (no GPU needed), everything the GPU
# script needs: CUDA and C artifacts of the benchmark models, their test
# inputs, and onnxruntime's expected outputs for the small ones. The GPU
# machine has no MLIR, so it only builds and runs what this writes.
#
# usage: bench/cuda/prepare.sh MODELS_DIR PAYLOAD_DIR
#   MODELS_DIR receives the exports (scripts/export_models.py, opset 17):
#   mobilenet_v2 and encoder2 with expected outputs, and resnet50, mobilenet_v2
#   and bert_base at batch 1 and 32, plus resnet50's QDQ model from modelc
#   quantize. PAYLOAD_DIR (under 64 MiB) travels to the GPU machine; then run
#   bench/cuda/run_on_gpu.sh PAYLOAD_DIR there.
#
# Weights: the small models keep theirs (checked against onnxruntime); the
# big ones are compiled with --weights=external and their weights stay here:
# the runners fill them with --synthetic-weights, and the CUDA outputs are
# checked against the C artifact's on the same synthetic weights.
set -eu -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MODELS=${1:?usage: prepare.sh MODELS_DIR PAYLOAD_DIR}
PAYLOAD=${2:?usage: prepare.sh MODELS_DIR PAYLOAD_DIR}
MODELC=${MODELC:-$ROOT/build/bin/modelc}
mkdir -p "$MODELS"
rm -rf "$PAYLOAD" && mkdir -p "$PAYLOAD"

export_if_missing() { # NAME BATCH
  local stem="$1-opset17"; [ "$2" = 1 ] || stem="$stem-b$2"
  [ -f "$MODELS/$stem.onnx" ] || /usr/bin/python3 "$ROOT/scripts/export_models.py" \
    --out "$MODELS" --opset 17 --models "$1" --batch "$2" --inputs 1 >/dev/null
}
for name in mobilenet_v2 encoder2 resnet50 bert_base; do export_if_missing $name 1; done
for name in mobilenet_v2 resnet50 bert_base; do export_if_missing $name 32; done
# Expected outputs of the small models (onnxruntime).
small="$MODELS/small"; mkdir -p "$small"
for name in mobilenet_v2 encoder2; do
  cp "$MODELS/$name-opset17.onnx" "$small/"; rm -rf "$small/$name-opset17"
  cp -r "$MODELS/$name-opset17" "$small/"
done
"$ROOT/scripts/make_expected.sh" "$small" >/dev/null

# One folder per variant: VARIANT = MODEL-bBATCH-PRECISION.
compile() { # STEM VARIANT PRECISION WEIGHTS
  local out="$PAYLOAD/$2"
  "$MODELC" compile "$MODELS/$1.onnx" --target=cuda --precision="$3" --weights="$4" \
    --gpu-arch=sm_90 -o "$out" >/dev/null
  rm -f "$out"/*.weights.bin
}
compile mobilenet_v2-opset17 mobilenet_v2-b1-fp32 fp32 object
compile mobilenet_v2-opset17 mobilenet_v2-b1-fp16 fp16 object
compile encoder2-opset17 encoder2-b1-fp32 fp32 object
compile encoder2-opset17 encoder2-b1-fp16 fp16 object
compile mobilenet_v2-opset17-b32 mobilenet_v2-b32-fp16 fp16 external
for name in resnet50 bert_base; do
  compile $name-opset17 $name-b1-fp32 fp32 external
  compile $name-opset17 $name-b1-fp16 fp16 external
  compile $name-opset17-b32 $name-b32-fp16 fp16 external
  # The C artifact on the same synthetic weights: the reference for the big models.
  "$MODELC" compile "$MODELS/$name-opset17.onnx" --target=c --weights=external -o "$PAYLOAD/$name-c" >/dev/null
  rm -f "$PAYLOAD/$name-c"/*.weights.bin
done
# int8: resnet50 quantized by modelc (calibrated on its test set 0) runs on
# the CUDA target's dp4a kernels. --synthetic-weights fills only float
# tensors, so its int8 weights travel in the object, and its expected
# outputs are the C target's int8 outputs of the same QDQ model, made here.
qdq="$MODELS/resnet50-opset17.qdq.onnx"
[ -f "$qdq" ] || "$MODELC" quantize "$MODELS/resnet50-opset17.onnx" \
  --calibration "$MODELS/resnet50-opset17" -o "$qdq" >/dev/null
compile resnet50-opset17.qdq resnet50-b1-int8 fp32 object
c8=$(mktemp -d)
"$MODELC" compile "$qdq" --target=c -o "$c8" >/dev/null
cc -std=c99 -O2 "$c8/model.c" "$c8/model_runner.c" "$c8/model_weights.o" -lm -lpthread \
  -o "$c8/runner"
mkdir -p "$PAYLOAD/data/resnet50-int8"
cp "$MODELS/resnet50-opset17/test_data_set_0/input_"*.pb "$PAYLOAD/data/resnet50-int8/"
"$c8/runner" --inputs "$PAYLOAD/data/resnet50-int8" --outputs "$PAYLOAD/data/resnet50-int8"
rm -rf "$c8"
# Inputs (and expected outputs where known) of each model's test set 0.
for name in mobilenet_v2 encoder2; do
  mkdir -p "$PAYLOAD/data/$name"; cp "$small/$name-opset17/test_data_set_0/"*.pb "$PAYLOAD/data/$name/"
done
for name in resnet50 bert_base; do
  mkdir -p "$PAYLOAD/data/$name"; cp "$MODELS/$name-opset17/test_data_set_0/input_"*.pb "$PAYLOAD/data/$name/"
done
cp "$ROOT/scripts/export_models.py" "$HERE/torch_bench.py" "$HERE/run_on_gpu.sh" "$PAYLOAD/"
du -sh "$PAYLOAD"
size=$(du -sm "$PAYLOAD" | cut -f1)
[ "$size" -lt 64 ] || { echo "prepare.sh: the payload is $size MiB, over the 64 MiB that travels" >&2; exit 1; }
