#!/usr/bin/env bash
# Re-derives ort-1.30-node-passing.txt: runs every node case through the
# onnxruntime oracle (scripts/ort/ort.py) and keeps the ones whose every data
# set matches the expected outputs: floats within rtol 1e-3, atol 1e-7, and
# non-finite values exactly; everything else exactly.
# usage: test/conformance/derive_ort_passing.sh [DATA_DIR] > ort-1.30-node-passing.txt
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DATA=${1:-/usr/share/libonnx-testdata/data/node}
export ORT_NODE_MODULES=${ORT_NODE_MODULES:-$HOME/.cache/ort/node_modules}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
matches() { # EXPECTED_DIR ACTUAL_DIR
  /usr/bin/python3 - "$1" "$2" <<'PY'
import os, sys
import numpy as np, onnx
from onnx import numpy_helper
expected_dir, actual_dir = sys.argv[1:]
for name in sorted(f for f in os.listdir(expected_dir) if f.startswith("output_")):
    e = numpy_helper.to_array(onnx.load_tensor(os.path.join(expected_dir, name)))
    path = os.path.join(actual_dir, name)
    if not os.path.exists(path):
        sys.exit(1)
    a = numpy_helper.to_array(onnx.load_tensor(path))
    if e.shape != a.shape or e.dtype != a.dtype:
        sys.exit(1)
    if np.issubdtype(e.dtype, np.floating):
        e, a = e.astype(np.float64), a.astype(np.float64)
        finite = np.isfinite(e)
        same = np.array_equal(e[~finite], a[~finite], equal_nan=True)
        if not same or not np.all(np.abs(a[finite] - e[finite]) <= 1e-7 + 1e-3 * np.abs(e[finite])):
            sys.exit(1)
    elif not np.array_equal(e, a):
        sys.exit(1)
PY
}
echo "# Node cases that onnxruntime 1.30 (CPU, scripts/ort) passes; derive again with"
echo "# test/conformance/derive_ort_passing.sh."
for case in $(ls "$DATA"); do
  ok=1
  for set in "$DATA/$case"/test_data_set_*; do
    rm -rf "$WORK/out"
    timeout 60 /usr/bin/python3 "$ROOT/scripts/ort/ort.py" run "$DATA/$case/model.onnx" "$set" \
      "$WORK/out" >/dev/null 2>&1 && matches "$set" "$WORK/out" || ok=0
  done
  [ $ok = 1 ] && echo "$case"
done
