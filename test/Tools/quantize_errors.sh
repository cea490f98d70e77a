#!/usr/bin/env bash
# modelc quantize: bad calibration input is exit 1 with one 'modelc: error:'
# line and nothing written; a bad command line is exit 2; good input writes a
# QDQ model that compile --quantize=int8 also accepts.
# usage: quantize_errors.sh MODELC MODEL.onnx SAMPLE_DIR   (prints "N passed, M failed")
set -u
MODELC=$1
MODEL=$2
SAMPLE=$3
PY=/usr/bin/python3
W=$(mktemp -d "${TMPDIR:-/tmp}/modelc_quantize.XXXXXX")
trap 'rm -rf "$W"' EXIT
passed=0; failed=0
pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }

expect() { # CODE DESCRIPTION ARGS...
  local code=$1 what=$2; shift 2
  "$MODELC" "$@" >"$W/out" 2>"$W/err"
  local rc=$? lines
  lines=$(wc -l <"$W/err")
  if [ "$rc" -ne "$code" ]; then
    fail "$what: exit $rc, expected $code: $(head -c 300 "$W/err")"
  elif [ "$code" -eq 1 ] && { [ "$lines" -ne 1 ] || ! grep -q '^modelc: error: ' "$W/err"; }; then
    fail "$what: expected one 'modelc: error:' line, got $lines lines: $(head -c 300 "$W/err")"
  else
    pass "$what: $(head -c 200 "$W/err")"
  fi
}
mentions() { # DESCRIPTION PATTERN: the last error names what was wrong
  grep -q -- "$2" "$W/err" && pass "$1" || fail "$1: $(cat "$W/err")"
}
nothing_written() {
  [ ! -e "$W/q.onnx" ] && [ ! -e "$W/q.onnx.partial" ] && pass "$1: nothing written" ||
    fail "$1: left $(ls "$W" | tr '\n' ' ')"
}

# Samples that break one rule each, made from the good one.
make_sample() { # NAME PYTHON-EXPRESSION-OF-x
  mkdir -p "$W/$1/test_data_set_0"
  $PY - "$SAMPLE/input_0.pb" "$W/$1/test_data_set_0/input_0.pb" "$2" <<'PYEOF'
import sys
import numpy as np
import onnx
from onnx import numpy_helper
x = numpy_helper.to_array(onnx.load_tensor(sys.argv[1]))
x = eval(sys.argv[3], {"np": np, "x": x})
onnx.save_tensor(numpy_helper.from_array(x, "input"), sys.argv[2])
PYEOF
}
mkdir -p "$W/empty"
make_sample shape 'x[:, :, :16, :16].copy()'
make_sample dtype 'x.astype(np.int64)'
make_sample nan 'np.where(np.arange(x.size).reshape(x.shape) == 5, np.float32("nan"), x).astype(np.float32)'
make_sample inf 'np.where(np.arange(x.size).reshape(x.shape) == 7, np.float32("inf"), x).astype(np.float32)'
mkdir -p "$W/missing/test_data_set_0" "$W/missing/test_data_set_1"
cp "$SAMPLE/input_0.pb" "$W/missing/test_data_set_0/"
printf 'not a tensor' >"$W/missing/test_data_set_1/input_0.pb"

expect 1 "an empty calibration folder" quantize "$MODEL" --calibration "$W/empty" -o "$W/q.onnx"
mentions "the empty folder error says what it expected" "holds no samples"
nothing_written "empty folder"
expect 1 "a calibration folder that does not exist" quantize "$MODEL" --calibration "$W/nope" -o "$W/q.onnx"
nothing_written "missing folder"
expect 1 "an input of the wrong shape" quantize "$MODEL" --calibration "$W/shape" -o "$W/q.onnx"
mentions "the shape error names both shapes" "has shape \[1, 1, 16, 16\], the model declares \[1, 1, 32, 32\]"
nothing_written "wrong shape"
expect 1 "an input of the wrong element type" quantize "$MODEL" --calibration "$W/dtype" -o "$W/q.onnx"
mentions "the dtype error names the input and both types" "input 'input' (input_0.pb) holds INT64, the model declares FLOAT"
nothing_written "wrong dtype"
expect 1 "a NaN in the data" quantize "$MODEL" --calibration "$W/nan" -o "$W/q.onnx"
mentions "the NaN error names the element" "holds NaN at element 5"
nothing_written "NaN"
expect 1 "an infinity in the data" quantize "$MODEL" --calibration "$W/inf" -o "$W/q.onnx"
mentions "the infinity error names the element" "holds an infinity at element 7"
nothing_written "infinity"
expect 1 "an unreadable sample after a good one" quantize "$MODEL" --calibration "$W/missing" -o "$W/q.onnx"
mentions "the unreadable sample is named" "test_data_set_1"
nothing_written "unreadable sample"
expect 1 "--keep-float naming no node" quantize "$MODEL" --calibration "$SAMPLE" -o "$W/q.onnx" --keep-float nosuchnode
mentions "the unknown node is named" "no node named 'nosuchnode'"
nothing_written "unknown --keep-float"
expect 1 "compile --quantize=int8 with bad calibration" compile "$MODEL" --quantize=int8 --calibration "$W/nan" -o "$W/artifact"
[ ! -e "$W/artifact" ] && pass "compile --quantize: no artifact for bad calibration" ||
  fail "compile --quantize left an artifact"

expect 2 "quantize without --calibration" quantize "$MODEL" -o "$W/q.onnx"
expect 2 "compile --quantize=int8 without --calibration" compile "$MODEL" --quantize=int8 -o "$W/artifact"
expect 2 "--calibration without --quantize" compile "$MODEL" --calibration "$SAMPLE" -o "$W/artifact"
expect 2 "an unknown calibration method" quantize "$MODEL" --calibration "$SAMPLE" -o "$W/q.onnx" --calibration-method magic

expect 0 "good calibration data" quantize "$MODEL" --calibration "$SAMPLE" -o "$W/q.onnx"
[ -s "$W/q.onnx" ] && [ ! -e "$W/q.onnx.partial" ] && pass "the QDQ model is written" ||
  fail "no QDQ model written"
$PY -c "import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]))" "$W/q.onnx" &&
  pass "the QDQ model passes onnx's checker" || fail "the QDQ model fails onnx's checker"
expect 0 "compile --quantize=int8" compile "$MODEL" --quantize=int8 --calibration "$SAMPLE" -o "$W/artifact"
[ -s "$W/artifact/model.c" ] && pass "compile --quantize=int8 writes the artifact" ||
  fail "compile --quantize=int8 wrote no model.c"
mkdir -p "$W/two/test_data_set_0" "$W/two/test_data_set_1"
cp "$SAMPLE/input_0.pb" "$W/two/test_data_set_0/"
make_sample scaled 'x * np.float32(0.5)'
cp "$W/scaled/test_data_set_0/input_0.pb" "$W/two/test_data_set_1/"
expect 0 "--report with a held-out sample" quantize "$MODEL" --calibration "$W/two" -o "$W/r.onnx" --report "$W/report.json"
$PY - "$W/report.json" <<'PYEOF' && pass "the report holds SQNR, top-1 and bytes for the held-out sample" || fail "report: $(cat "$W/report.json")"
import json, sys
r = json.load(open(sys.argv[1]))
out = r["outputs"][0]
assert r["calibration_samples"] == 1 and r["held_out_samples"] == 1, r
assert out["held_out_samples"] == 1 and out["sqnr_db"] > 10 and "top1_agreement" in out, out
assert 0 < r["artifact_weight_bytes"]["int8"] < r["artifact_weight_bytes"]["fp32"] * 0.3, r
PYEOF
expect 1 "--held-out that leaves nothing to calibrate on" quantize "$MODEL" --calibration "$W/two" -o "$W/h.onnx" --held-out 2
[ ! -e "$W/h.onnx" ] && pass "--held-out 2 of 2: nothing written" || fail "--held-out 2 of 2 wrote a model"
for method in percentile entropy; do
  expect 0 "the $method method" quantize "$MODEL" --calibration "$SAMPLE" -o "$W/q_$method.onnx" --calibration-method $method
done

# A Paddle2ONNX-style model: opset 9, weights in Constant nodes, a Softmax
# whose opset-13 form needs shapes. quantize hoists the constants, converts
# the opset and writes int8 weights.
PADDLE="$(dirname "$0")/Inputs/paddle-style-opset9.onnxtext"
mkdir -p "$W/p9/test_data_set_0"
$PY -c "import numpy as np, onnx, sys; from onnx import numpy_helper as nh; onnx.save_tensor(nh.from_array(np.linspace(-1, 1, 16, dtype=np.float32).reshape(1, 1, 4, 4), 'x'), sys.argv[1])" "$W/p9/test_data_set_0/input_0.pb"
expect 0 "an opset-9 model with Constant-node weights" quantize "$PADDLE" --calibration "$W/p9" -o "$W/p9.onnx"
$PY - "$W/p9.onnx" <<'PYEOF' && pass "it became opset 13 with int8 conv and matmul weights" || fail "paddle-style QDQ: $($PY -c "import onnx,sys; m=onnx.load(sys.argv[1]); print(m.opset_import, [n.op_type for n in m.graph.node])" "$W/p9.onnx")"
import sys
import onnx
m = onnx.load(sys.argv[1])
onnx.checker.check_model(m)
assert [o.version for o in m.opset_import if o.domain in ("", "ai.onnx")] == [13]
int8 = [i.name for i in m.graph.initializer if i.data_type == onnx.TensorProto.INT8]
assert len(int8) == 2, int8
assert not any(n.op_type == "Constant" for n in m.graph.node)
PYEOF

# A Conv whose only reader is a ReLU6 (Clip to [0, 6]) is quantized after
# the clip, as onnxruntime's quantizer does; the quantize's saturation then
# makes the clip, and the compiled model keeps no float clip.
RELU6="$(dirname "$0")/Inputs/conv-relu6.onnxtext"
expect 0 "a Conv followed by a ReLU6" quantize "$RELU6" --calibration "$W/p9" -o "$W/relu6.onnx"
$PY - "$W/relu6.onnx" <<'PYEOF' && pass "the ReLU6 reads the Conv directly and is quantized after" || fail "relu6 QDQ: $($PY -c "import onnx,sys; m=onnx.load(sys.argv[1]); print([(n.op_type, list(n.input)) for n in m.graph.node])" "$W/relu6.onnx")"
import sys
import onnx
m = onnx.load(sys.argv[1])
producers = {o: n for n in m.graph.node for o in n.output}
clip = next(n for n in m.graph.node if n.op_type == "Clip")
assert producers[clip.input[0]].op_type == "Conv"
assert any(n.op_type == "QuantizeLinear" and n.input[0] == clip.output[0] for n in m.graph.node)
PYEOF
"$MODELC" compile "$W/relu6.onnx" -o "$W/relu6-kernel" --emit=mlir-lowered >/dev/null 2>&1 &&
  ! grep -q "graph.clip.*max = 6.0" "$W"/relu6-kernel/*.mlir && grep -q "kernel.quantized_conv" "$W"/relu6-kernel/*.mlir &&
  pass "the compiled ReLU6 folds into the conv's requantize" || fail "a float ReLU6 is left: $(grep "graph.clip" "$W"/relu6-kernel/*.mlir)"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
