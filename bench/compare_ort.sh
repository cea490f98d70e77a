#!/usr/bin/env bash
# modelc (C target) vs onnxruntime latency: the same inputs, runs and warm-ups on
# both sides, alternating which goes first; see bench/compare_ort.py.
# usage: bench/compare_ort.sh MODEL.onnx [--threads 1] [--runs 20] [--warmup 5] [--rounds 5]
#                             [--inputs DIR] [--json] ...
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for c in python3 /usr/bin/python3; do command -v "$c" >/dev/null 2>&1 && { PY=$c; break; }; done
fi
[ -n "$PY" ] || { echo "compare_ort: python3 not found (set PYTHON)" >&2; exit 2; }
exec "$PY" "$(dirname "$0")/compare_ort.py" "$@"
