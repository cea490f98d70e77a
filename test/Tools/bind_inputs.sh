#!/usr/bin/env bash
# `--bind INPUT=FILE.pb` freezes a graph input to the tensor in a file.
#  - The tensor must have the declared type and shape: anything else is one
#    line `modelc: error:` naming the input, the declared and the given type.
#  - A symbolic dimension takes the file's size, and other inputs that share
#    it get it too (unless --dim or another --bind says otherwise).
#  - The model hash (generated header; --weights=external files) covers the
#    bound tensor, not the file's path: other contents at the same path give
#    another hash, the same contents at another path a byte-identical
#    artifact.
# usage: bind_inputs.sh MODELC      (prints "N passed, M failed")
set -u
MODELC=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") # the test cds
PY=/usr/bin/python3
W=$(mktemp -d "${TMPDIR:-/tmp}/modelc_bind.XXXXXX")
trap 'rm -rf "$W"' EXIT
passed=0; failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

# y = x + s, both float[N, 3]; tensors named by shape and type.
"$PY" - "$W" <<'PY' || { echo "FAIL python3-onnx missing"; exit 1; }
import sys, numpy as np, onnx
from onnx import TensorProto, helper, numpy_helper
w = sys.argv[1]
graph = helper.make_graph(
    [helper.make_node("Add", ["x", "s"], ["y"], name="add")], "g",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3]),
     helper.make_tensor_value_info("s", TensorProto.FLOAT, ["N", 3])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3])])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
onnx.save(model, f"{w}/add.onnx")
def save(path, array):
    open(f"{w}/{path}", "wb").write(numpy_helper.from_array(array, "t").SerializeToString())
save("f2x3.pb", np.arange(6, dtype=np.float32).reshape(2, 3) + 0.5)
save("f3x3.pb", np.arange(9, dtype=np.float32).reshape(3, 3))
save("i2x3.pb", np.arange(6, dtype=np.int64).reshape(2, 3))
save("f2x4.pb", np.arange(8, dtype=np.float32).reshape(2, 4))
save("f6.pb", np.arange(6, dtype=np.float32))
save("other2x3.pb", np.arange(6, dtype=np.float32).reshape(2, 3) * 3 - 1)
import os
os.makedirs(f"{w}/in", exist_ok=True)
save("in/input_1.pb", np.full((2, 3), 100, np.float32))
PY

# mismatch DESCRIPTION EXPECTED_TEXT ARGS...: exit 1, one line naming it all.
mismatch() {
  local what=$1 text=$2; shift 2
  "$MODELC" compile "$W/add.onnx" --target=c -o "$W/out_bad" "$@" \
    >/dev/null 2>"$W/err"
  local rc=$? lines line
  lines=$(wc -l <"$W/err"); line=$(head -n 1 "$W/err")
  if [ "$rc" -ne 1 ] || [ "$lines" -ne 1 ]; then
    fail "$what: exit $rc with $lines lines: $(head -c 300 "$W/err")"
  elif [[ $line != "modelc: error: "*"$text"* ]]; then
    fail "$what: expected '$text' in: $line"
  elif [ -e "$W/out_bad" ]; then
    fail "$what: created the output folder"
  else
    pass "$what: $line"
  fi
}
cd "$W" || exit 1
mismatch "another element type" \
  "--bind x: 'i2x3.pb' holds INT64[2, 3], but input 'x' is declared FLOAT[N, 3]" \
  --bind x=i2x3.pb
mismatch "another fixed dimension" \
  "--bind x: 'f2x4.pb' holds FLOAT[2, 4], but input 'x' is declared FLOAT[N, 3]" \
  --bind x=f2x4.pb
mismatch "another rank" \
  "--bind x: 'f6.pb' holds FLOAT[6], but input 'x' is declared FLOAT[N, 3]" \
  --bind x=f6.pb
mismatch "a symbolic dimension pinned otherwise by --dim" \
  "declared FLOAT[N, 3] (N = 5 from --dim N=5)" --bind x=f2x3.pb --dim N=5
mismatch "a symbolic dimension set otherwise by another --bind" \
  "(N = 3 from --bind s)" --bind x=f2x3.pb --bind s=f3x3.pb

# The file settles N = 2 for x, and so for s: no --dim needed; y = x + s.
if "$MODELC" run add.onnx --bind x=f2x3.pb --inputs in --outputs out_run \
     2>"$W/err" &&
   "$PY" - out_run/output_0.pb <<'PY'; then
import sys, numpy as np, onnx
from onnx import numpy_helper
y = numpy_helper.to_array(onnx.load_tensor(sys.argv[1]))
want = np.arange(6, dtype=np.float32).reshape(2, 3) + 100.5
sys.exit(0 if y.shape == (2, 3) and np.array_equal(y, want) else print("got", y) or 1)
PY
  pass "a bound file settles N for the other input; run gives x + s"
else
  fail "bound symbolic dimension: $(head -c 300 "$W/err")"
fi

hash_of() { sed -n 's/^#define MODEL_MODEL_HASH UINT64_C(\(0x[0-9a-f]*\))$/\1/p' "$1/model.h"; }
compile() { # OUT BIND_FILE (N pinned too, so only the hash is on trial)
  "$MODELC" compile add.onnx --target=c --weights=external -o "$1" \
    --bind x="$2" --dim N=2 2>"$W/err" ||
    fail "compile $1: $(head -c 300 "$W/err")"
}
mkdir -p a b
cp f2x3.pb a/x.pb
compile h_first a/x.pb
compile h_again a/x.pb
diff -r h_first h_again >/dev/null && pass "same inputs, byte-identical artifacts" ||
  fail "same inputs gave different artifacts"
cp f2x3.pb b/elsewhere.pb
compile h_moved b/elsewhere.pb
diff -r h_first h_moved >/dev/null &&
  pass "same tensor at another path: byte-identical artifact" ||
  fail "the bind file's path changed the artifact: $(diff -rq h_first h_moved)"
cp other2x3.pb a/x.pb
compile h_changed a/x.pb
first=$(hash_of h_first); changed=$(hash_of h_changed)
if [ -z "$first" ]; then
  fail "no MODEL_MODEL_HASH in the header"
elif [ "$first" = "$changed" ]; then
  fail "other contents at the same path kept hash $first"
else
  pass "other contents at the same path: hash $first -> $changed"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
