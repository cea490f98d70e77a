#!/usr/bin/env bash
# The foundation issue's measurements in one run, per model: numbers against
# onnxruntime (every test set, bound 1e-4 x max|ref| + 1e-5), then latency
# against onnxruntime through bench/compare_ort.py: the same thread count,
# runs, warm-ups and inputs (NAME/test_data_set_0) on both sides, alternating
# which goes first.
#
# usage: bench/foundation.sh MODELS_DIR [MODEL ...]   (default: resnet50-opset13 bert_base-opset13)
#   MODELS_DIR holds NAME.onnx and NAME/test_data_set_K from scripts/export_models.py and
#   scripts/make_expected.sh. Environment: MODELC (default build/bin/modelc), THREADS (1),
#   RUNS (20), WARMUP (5), ROUNDS (5).
set -u -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
DIR=${1:?usage: bench/foundation.sh MODELS_DIR [MODEL ...]}
shift
MODELS=("$@")
[ ${#MODELS[@]} -gt 0 ] || MODELS=(resnet50-opset13 bert_base-opset13)
MODELC=${MODELC:-$ROOT/build/bin/modelc}
[ -x "$MODELC" ] || { echo "foundation.sh: no modelc at $MODELC (set MODELC)" >&2; exit 2; }
export MODELC
status=0
for name in "${MODELS[@]}"; do
  model="$DIR/$name.onnx"
  echo "=== $name"
  /usr/bin/python3 "$ROOT/test/models/check_models.py" --modelc "$MODELC" "$model" | head -1 || status=1
  "$MODELC" compile "$model" -o "$(mktemp -d)" --report "/tmp/$name.report.json" >/dev/null &&
    /usr/bin/python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print('dispatches %d for %d ONNX nodes; arena %d bytes, lower bound %d (%.3f); phases %s' % (r['dispatches'], r['onnx_nodes'], r['arena_bytes'], r['arena_lower_bound_bytes'], r['arena_bytes']/max(1,r['arena_lower_bound_bytes']), r['phase_seconds']))" "/tmp/$name.report.json"
  "$HERE/compare_ort.sh" "$model" --inputs "$DIR/$name/test_data_set_0" \
    --threads "${THREADS:-1}" --runs "${RUNS:-20}" --warmup "${WARMUP:-5}" \
    --rounds "${ROUNDS:-5}" | grep -E '^(inputs|modelc |ort |ratio)' || status=1
done
exit $status
