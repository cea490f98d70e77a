#!/usr/bin/env bash
# Exports the end-to-end test models with Debian's python3-torch and writes
# their expected outputs with onnxruntime (scripts/ort), into DIR.
# usage: test/models/prepare_models.sh DIR SET
#   SET: ci   lenet, squeezenet1_1, mobilenet_v2, encoder2 at opsets 13 and 17,
#             resnet50 at opset 13 (the smoke test)
#        full all six benchmark architectures and encoder2 at opsets 13 and 17
#
# Exports are cached in $MODELC_CACHE (default ~/.cache/modelc), keyed by the
# content of everything that decides them: the export script, this script, the
# oracle's scripts, the set, and the versions of torch and onnxruntime. A
# change to any of them exports anew; otherwise the cached set is copied.
set -eu -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DIR=$1
SET=${2:-ci}
case "$SET" in ci|full) ;; *) echo "prepare_models: unknown set '$SET'" >&2; exit 2 ;; esac
export ORT_NODE_MODULES=${ORT_NODE_MODULES:-$HOME/.cache/ort/node_modules}

versions=$(/usr/bin/python3 -c 'import torch, onnx; print(torch.__version__, onnx.__version__)')
ort_version=$(cat "$ORT_NODE_MODULES/onnxruntime-node/package.json" 2>/dev/null | grep '"version"' || true)
key=$( { cat "$ROOT/scripts/export_models.py" "$HERE/prepare_models.sh" \
             "$ROOT/scripts/make_expected.sh" "$ROOT/scripts/ort/ort.py" \
             "$ROOT/scripts/ort/ort_worker.js"
         echo "$SET $versions $ort_version"; } | sha256sum | cut -c1-16)
CACHE=${MODELC_CACHE:-$HOME/.cache/modelc}/models/$SET-$key

if [ ! -f "$CACHE/complete" ]; then
  echo "exporting the '$SET' models (cache key $key)"
  staging="$CACHE.tmp.$$"
  rm -rf "$staging"
  mkdir -p "$staging"
  export_set() { # OPSET MODELS
    /usr/bin/python3 "$ROOT/scripts/export_models.py" --out "$staging" --opset "$1" \
      --models "$2" >/dev/null
  }
  case "$SET" in
    ci)
      export_set 13 lenet,squeezenet1_1,mobilenet_v2,encoder2,resnet50
      export_set 17 lenet,squeezenet1_1,mobilenet_v2,encoder2 ;;
    full)
      for opset in 13 17; do
        export_set $opset resnet50,mobilenet_v2,squeezenet1_1,efficientnet_b0,vit_b_16,bert_base,encoder2
      done ;;
  esac
  "$ROOT/scripts/make_expected.sh" "$staging" >/dev/null
  touch "$staging/complete"
  rm -rf "$CACHE"
  mv "$staging" "$CACHE"
else
  echo "the '$SET' models come from the cache ($CACHE)"
fi
rm -rf "$DIR"
mkdir -p "$(dirname "$DIR")"
cp -a "$CACHE" "$DIR"
echo "models ready in $DIR"
