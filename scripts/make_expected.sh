#!/usr/bin/env bash
# Writes the expected outputs for the models of scripts/export_models.py, with
# onnxruntime (CPU, 1 thread, default graph optimisations) as the oracle
# (scripts/ort/ort.py).
#
# usage: scripts/make_expected.sh DIR [MODEL_GLOB]
#   For every DIR/NAME-opsetN.onnx that has a folder DIR/NAME-opsetN/, runs the
#   oracle on each test_data_set_K and writes output_J.pb next to the inputs.
#   MODEL_GLOB (default '*') restricts which NAME-opsetN are processed, e.g.
#   'lenet-*' or '*-opset17'.
# Environment: ORT_NODE_MODULES (the node_modules folder holding
#   onnxruntime-node, default $HOME/.cache/ort/node_modules), NODE.
set -u -o pipefail

if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=$1
GLOB=${2:-*}
if [ ! -d "$DIR" ]; then echo "make_expected: no such directory: $DIR" >&2; exit 2; fi

ok=0; bad=0; models=0
shopt -s nullglob
for model in "$DIR"/$GLOB.onnx; do
  base=${model%.onnx}
  [ -d "$base" ] || continue
  models=$((models + 1))
  for set in "$base"/test_data_set_*; do
    [ -d "$set" ] || continue
    t0=$(date +%s.%N)
    if out=$(/usr/bin/python3 "$ROOT/scripts/ort/ort.py" run "$model" "$set" --threads 1 2>&1); then
      t1=$(date +%s.%N)
      printf '%-40s %-16s %6.2f s  %s\n' "$(basename "$base")" "$(basename "$set")" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" "$(echo "$out" | tr '\n' ' ')"
      ok=$((ok + 1))
    else
      echo "FAILED $(basename "$base")/$(basename "$set"): $out" >&2
      bad=$((bad + 1))
    fi
  done
done
if [ $models -eq 0 ]; then echo "make_expected: no NAME-opsetN.onnx with a NAME-opsetN/ folder in $DIR" >&2; exit 1; fi
echo "$ok test sets written, $bad failed"
[ $bad -eq 0 ]
