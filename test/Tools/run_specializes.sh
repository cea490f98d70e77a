#!/usr/bin/env bash
# `modelc run --inputs DIR` compiles for the inputs it is given, with no
# other flag:
#  - symbolic and unnamed dimensions take their files' sizes;
#  - an input that only shape operands read (Reshape's shape) is frozen to its
#    file, with one note on stderr naming it; no other input is frozen;
#  - files that contradict each other, the declared sizes or --dim give one
#    line `modelc: error:` naming the input and both sizes, and exit 1.
# `compile` still asks for --dim and --bind (symbolic-dim.onnxtext).
# usage: run_specializes.sh MODELC      (prints "N passed, M failed")
set -u
MODELC=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") # the test cds
PY=/usr/bin/python3
W=$(mktemp -d "${TMPDIR:-/tmp}/modelc_run_spec.XXXXXX")
trap 'rm -rf "$W"' EXIT
passed=0; failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

# add.onnx:     y = x + s, x float[N, 3], s float[N, ?].
# reshape.onnx: y = Reshape(x, shape) * 2, x float[B, 6], shape int64[2].
# shared.onnx:  r = Reshape(x, shape), and shape is an output too.
"$PY" - "$W" <<'PY' || { echo "FAIL python3-onnx missing"; exit 1; }
import os, sys, numpy as np, onnx
from onnx import TensorProto, helper, numpy_helper
w = sys.argv[1]
def save_model(name, nodes, inputs, outputs, inits=()):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, f"{w}/{name}")
def save(path, array):
    os.makedirs(os.path.dirname(f"{w}/{path}"), exist_ok=True)
    open(f"{w}/{path}", "wb").write(numpy_helper.from_array(array, "t").SerializeToString())
f = TensorProto.FLOAT
save_model("add.onnx", [helper.make_node("Add", ["x", "s"], ["y"], name="add")],
           [helper.make_tensor_value_info("x", f, ["N", 3]),
            helper.make_tensor_value_info("s", f, ["N", None])],
           [helper.make_tensor_value_info("y", f, ["N", 3])])
two = numpy_helper.from_array(np.array(2, np.float32), "two")
save_model("reshape.onnx",
           [helper.make_node("Reshape", ["x", "shape"], ["r"], name="reshape"),
            helper.make_node("Mul", ["r", "two"], ["y"], name="mul")],
           [helper.make_tensor_value_info("x", f, ["B", 6]),
            helper.make_tensor_value_info("shape", TensorProto.INT64, [2])],
           [helper.make_tensor_value_info("y", f, ["R", "C"])], [two])
save_model("shared.onnx",
           [helper.make_node("Reshape", ["x", "shape"], ["r"], name="reshape")],
           [helper.make_tensor_value_info("x", f, [2, 6]),
            helper.make_tensor_value_info("shape", TensorProto.INT64, [2])],
           [helper.make_tensor_value_info("r", f, ["R", "C"]),
            helper.make_tensor_value_info("shape", TensorProto.INT64, [2])])
x5 = np.arange(15, dtype=np.float32).reshape(5, 3)
save("add/input_0.pb", x5); save("add/input_1.pb", x5 * 10)
save("add_bad/input_0.pb", x5); save("add_bad/input_1.pb", np.ones((4, 3), np.float32))
save("add_wide/input_0.pb", x5); save("add_wide/input_1.pb", np.ones((5, 4), np.float32))
save("add_rank/input_0.pb", np.ones(15, np.float32)); save("add_rank/input_1.pb", x5)
x = np.arange(24, dtype=np.float32).reshape(4, 6)
save("reshape/input_0.pb", x); save("reshape/input_1.pb", np.array([3, 8], np.int64))
save("shared/input_0.pb", x[:2]); save("shared/input_1.pb", np.array([3, 4], np.int64))
PY
cd "$W" || exit 1

# expect_output FILE EXPR: FILE's tensor equals the numpy expression.
expect_output() {
  "$PY" - "$1" "$2" <<'PY'
import sys, numpy as np, onnx
from onnx import numpy_helper
got = numpy_helper.to_array(onnx.load_tensor(sys.argv[1]))
want = eval(sys.argv[2], {"np": np})
sys.exit(0 if got.shape == want.shape and np.array_equal(got, want)
         else print("got", got.shape, got, "want", want.shape) or 1)
PY
}

# N and the unnamed dimension come from the files: no --dim.
if "$MODELC" run add.onnx --inputs add --outputs out_add 2>err &&
   [ ! -s err ] &&
   expect_output out_add/output_0.pb \
     "np.arange(15, dtype=np.float32).reshape(5, 3) * 11"; then
  pass "symbolic and unnamed dimensions from the files, no note"
else
  fail "sizes from the files: $(head -c 300 err)"
fi

# The shape is frozen, named on stderr; x keeps its symbolic batch.
if "$MODELC" run reshape.onnx --inputs reshape --outputs out_reshape 2>err &&
   [ "$(wc -l <err)" -eq 1 ] &&
   grep -q "^modelc: froze input 'shape' (Reshape's shape) to reshape/input_1.pb$" err &&
   expect_output out_reshape/output_0.pb \
     "np.arange(24, dtype=np.float32).reshape(3, 8) * 2"; then
  pass "Reshape's shape frozen from its file: $(cat err)"
else
  fail "shape operand: $(head -c 300 err)"
fi

# `bench --inputs` compiles for its files the same way.
if "$MODELC" bench reshape.onnx --inputs reshape --iterations 2 --warmup 0 \
     >bench_out 2>err && grep -q "froze input 'shape'" err; then
  pass "bench --inputs specializes too: $(cat bench_out)"
else
  fail "bench --inputs: $(head -c 300 err)"
fi

# An input that a graph output also reads is data: it stays an input, so
# the Reshape needs what compile needs, and says so.
"$MODELC" run shared.onnx --inputs shared --outputs out_shared 2>err
rc=$?
if [ "$rc" -eq 1 ] && [ "$(wc -l <err)" -eq 1 ] &&
   grep -q "^modelc: error: .*reshape" err && ! grep -q froze err; then
  pass "an input with a data use is not frozen: $(cat err)"
else
  fail "shared input: exit $rc: $(head -c 300 err)"
fi

# error DESCRIPTION TEXT ARGS...: exit 1, one line with TEXT, no outputs.
error() {
  local what=$1 text=$2; shift 2
  rm -rf out_bad
  "$MODELC" run add.onnx --outputs out_bad "$@" >/dev/null 2>err
  local rc=$? line
  line=$(head -n 1 err)
  if [ "$rc" -ne 1 ] || [ "$(wc -l <err)" -ne 1 ]; then
    fail "$what: exit $rc: $(head -c 300 err)"
  elif [[ $line != "modelc: error: "*"$text"* ]]; then
    fail "$what: expected '$text' in: $line"
  elif [ -e out_bad ]; then
    fail "$what: wrote outputs"
  else
    pass "$what: $line"
  fi
}
error "files that disagree on N" \
  "input 's' is declared FLOAT[N, ?], but is given as [4, 3] (N = 5 from input 'x')" \
  --inputs add_bad
error "a file against a fixed dimension" \
  "input 'x' is declared FLOAT[N, 3], but is given as [15]" --inputs add_rank
error "a file against --dim" \
  "input 'x' is declared FLOAT[N, 3], but is given as [5, 3] (N = 2 from --dim N=2)" \
  --inputs add --dim N=2
error "a missing file" "missing input file 'nowhere/input_0.pb' for input 'x'" \
  --inputs nowhere
# The unnamed dimension of s takes 4 and the Add no longer broadcasts:
# the importer's own error, still one line.
error "an unnamed dimension the graph cannot take" "add" --inputs add_wide

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
