#!/usr/bin/env bash
# Re-derives ort-1.30-node-passing.txt: runs every node case through the
# onnxruntime oracle (../shared/tools/ort/ort_run.js --compare) and keeps the
# ones whose every data set matches.
# usage: test/conformance/derive_ort_passing.sh [DATA_DIR] > ort-1.30-node-passing.txt
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${1:-/usr/share/libonnx-testdata/data/node}
ORT_TOOLS=${ORT_TOOLS:-$HERE/../../../shared/tools/ort}
export ORT_NODE_MODULES=${ORT_NODE_MODULES:-$HOME/.cache/ort/node_modules}
echo "# Node cases that onnxruntime 1.30 (CPU, ../shared/tools/ort) passes; derive again with"
echo "# test/conformance/derive_ort_passing.sh."
for case in $(ls "$DATA"); do
  ok=1
  for set in "$DATA/$case"/test_data_set_*; do
    timeout 60 node "$ORT_TOOLS/ort_run.js" "$DATA/$case/model.onnx" "$set" \
      --no-write --compare "$set" >/dev/null 2>&1 || ok=0
  done
  [ $ok = 1 ] && echo "$case"
done
