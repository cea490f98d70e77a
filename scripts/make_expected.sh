#!/usr/bin/env bash
# Produce the expected outputs for the models written by scripts/export_models.py, with
# onnxruntime (CPU, 1 thread, default graph optimisations) as the oracle.
#
# usage: scripts/make_expected.sh DIR [MODEL_GLOB]
#   For every DIR/NAME-opsetN.onnx that has a folder DIR/NAME-opsetN/, runs
#   /work/shared/tools/ort/ort_run.js on each test_data_set_K and writes output_J.pb next to
#   the inputs.  MODEL_GLOB (default '*') restricts which NAME-opsetN are processed,
#   e.g. 'lenet-*' or '*-opset17'.
# Environment:
#   ORT_NODE_MODULES  node_modules folder holding onnxruntime-node (default $HOME/.cache/ort/node_modules)
#   ORT_TOOLS         folder holding ort_run.js (default /work/shared/tools/ort)
#   NODE              node binary (default node)
set -u -o pipefail

if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
DIR=$1
GLOB=${2:-*}
export ORT_NODE_MODULES=${ORT_NODE_MODULES:-$HOME/.cache/ort/node_modules}
ORT_TOOLS=${ORT_TOOLS:-/work/shared/tools/ort}
NODE=${NODE:-node}

if [ ! -d "$DIR" ]; then echo "make_expected: no such directory: $DIR" >&2; exit 2; fi
if [ ! -f "$ORT_TOOLS/ort_run.js" ]; then echo "make_expected: $ORT_TOOLS/ort_run.js not found (set ORT_TOOLS)" >&2; exit 2; fi
if [ ! -d "$ORT_NODE_MODULES/onnxruntime-node" ]; then
  echo "make_expected: onnxruntime-node not found in $ORT_NODE_MODULES; install it with:" >&2
  echo "  ONNXRUNTIME_NODE_INSTALL=skip npm install --prefix \"\$HOME/.cache/ort\" onnxruntime-node@1.30.0" >&2
  exit 2
fi

ok=0; bad=0; models=0
shopt -s nullglob
for model in "$DIR"/$GLOB.onnx; do
  base=${model%.onnx}
  [ -d "$base" ] || continue
  models=$((models + 1))
  for set in "$base"/test_data_set_*; do
    [ -d "$set" ] || continue
    t0=$(date +%s.%N)
    if out=$("$NODE" "$ORT_TOOLS/ort_run.js" "$model" "$set" "$set" --threads 1 2>&1); then
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
