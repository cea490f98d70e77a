#!/usr/bin/env bash
# Exports the end-to-end test models with Debian's python3-torch and writes
# their expected outputs with onnxruntime (../shared/tools/ort), into DIR.
# usage: test/models/prepare_models.sh DIR SET
#   SET: ci   lenet, squeezenet1_1, mobilenet_v2, encoder2 at opsets 13 and 17,
#             resnet50 at opset 13 (the smoke test)
#        full all six benchmark architectures and encoder2 at opsets 13 and 17
set -eu -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DIR=$1
SET=${2:-ci}
mkdir -p "$DIR"
export ORT_TOOLS=${ORT_TOOLS:-$ROOT/../shared/tools/ort}
export ORT_NODE_MODULES=${ORT_NODE_MODULES:-$HOME/.cache/ort/node_modules}
export_set() { # OPSET MODELS
  /usr/bin/python3 "$ROOT/scripts/export_models.py" --out "$DIR" --opset "$1" --models "$2" >/dev/null
}
case "$SET" in
  ci)
    export_set 13 lenet,squeezenet1_1,mobilenet_v2,encoder2,resnet50
    export_set 17 lenet,squeezenet1_1,mobilenet_v2,encoder2 ;;
  full)
    for opset in 13 17; do
      export_set $opset resnet50,mobilenet_v2,squeezenet1_1,efficientnet_b0,vit_b_16,bert_base,encoder2
    done ;;
  *) echo "prepare_models: unknown set '$SET'" >&2; exit 2 ;;
esac
"$ROOT/scripts/make_expected.sh" "$DIR" >/dev/null
echo "models ready in $DIR"
