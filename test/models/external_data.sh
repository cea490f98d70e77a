#!/usr/bin/env bash
# A model whose initializers live in an external data file compiles and runs
# like the original: re-saves examples/lenet.onnx with every tensor in
# lenet.data (python3-onnx), then checks it against the bundled outputs.
# usage: external_data.sh MODELC WORKDIR
set -eu -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MODELC=$1
WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK"
/usr/bin/python3 - "$ROOT/examples/lenet.onnx" "$WORK/lenet_external.onnx" <<'PY'
import sys, onnx
model = onnx.load(sys.argv[1])
onnx.save_model(model, sys.argv[2], save_as_external_data=True,
                all_tensors_to_one_file=True, location="lenet.data",
                size_threshold=0)
reloaded = onnx.load(sys.argv[2], load_external_data=False)
external = sum(t.data_location == onnx.TensorProto.EXTERNAL
               for t in reloaded.graph.initializer)
assert external == len(reloaded.graph.initializer) > 0, "no external tensors"
PY
ln -s "$ROOT/examples/lenet" "$WORK/lenet_external"
/usr/bin/python3 "$HERE/check_models.py" --modelc "$MODELC" "$WORK/lenet_external.onnx"
