#!/usr/bin/env bash
# External data is read only from regular files inside the model's folder, as
# the file system resolves them. Builds tiny Add models (y = x + w) whose
# initializer `w` names its data by an absolute path, a `..` climb, a link
# leading out of the folder, a directory, a pipe, a device, a missing file or
# a byte range past the end, and checks that compile (every --weights format),
# run and inspect each refuse it: exit 1, one stderr line `modelc: error:`
# naming the initializer, the location and the problem, no output folder, and
# no byte of the secret file outside it anywhere. Models whose data lies in a
# subfolder, or behind a link that stays inside, must compile and compute
# x + w.
# usage: external_data_safety.sh MODELC      (prints "N passed, M failed")
set -u
MODELC=$1
PY=/usr/bin/python3
# A modelc that opens a pipe waits for a writer forever: a hang is a failure.
TIMEOUT=${MODELC_TEST_TIMEOUT:-120}
W=$(mktemp -d "${TMPDIR:-/tmp}/modelc_extdata.XXXXXX")
trap 'rm -rf "$W"' EXIT
W=$(cd "$W" && pwd -P) # the messages name resolved paths
M=$W/model             # the model's folder; everything above it is outside
mkdir -p "$M/sub" "$W/in"
passed=0; failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

# What an attacker would like in the weights: 16 bytes of it fill w's 4 floats.
printf 'root:x:0:0:root:/root:/bin/bash\n' >"$W/secret.bin"
mkdir -p "$W/outside"; cp "$W/secret.bin" "$W/outside/w.bin"

# model.py OUT LOCATION [OFFSET [LENGTH]]: y = x + w, w float[4] external.
cat >"$W/model.py" <<'PY'
import sys
from onnx import TensorProto, helper
out, location = sys.argv[1], sys.argv[2]
w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[4],
                data_location=TensorProto.EXTERNAL)
for key, value in zip(["location", "offset", "length"], sys.argv[2:]):
    entry = w.external_data.add()
    entry.key, entry.value = key, value
graph = helper.make_graph(
    [helper.make_node("Add", ["x", "w"], ["y"], name="add")], "g",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])], [w])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
open(out, "wb").write(model.SerializeToString())
PY
"$PY" - "$M/sub/w.bin" "$W/in/input_0.pb" <<'PY' || { echo "FAIL python3-onnx missing"; exit 1; }
import sys, numpy as np
from onnx import numpy_helper
with open(sys.argv[1], "wb") as f:  # 8 bytes of padding, then w
    f.write(b"padding!" + np.array([1, 2, 3, 4], np.float32).tobytes())
x = numpy_helper.from_array(np.array([10, 20, 30, 40], np.float32), "x")
open(sys.argv[2], "wb").write(x.SerializeToString())
PY

# The secret, as raw bytes and as the decimal bytes of --weights=c-array.
leaked() { # FILE_OR_DIR...
  grep -r -a -q -D skip -e 'root:x' -e '114, 111, 111, 116, 58, 120' "$@" 2>/dev/null
}

# refuse CASE PHRASE LOCATION [OFFSET [LENGTH]]: every command must refuse.
refuse() {
  local name=$1 phrase=$2; shift 2
  local location=$1 model=$M/$name.onnx
  "$PY" "$W/model.py" "$model" "$@" || { fail "$name: cannot build the model"; return; }
  local mode out
  for mode in object c-array external run inspect; do
    out=$W/out_${name}_$mode
    case $mode in
      run) timeout "$TIMEOUT" "$MODELC" run "$model" --inputs "$W/in" \
             --outputs "$out" --work-dir "$out.work" >"$W/stdout" 2>"$W/stderr" ;;
      inspect) timeout "$TIMEOUT" "$MODELC" inspect "$model" \
                 >"$W/stdout" 2>"$W/stderr" ;;
      *) timeout "$TIMEOUT" "$MODELC" compile "$model" --target=c \
           --weights="$mode" -o "$out" >"$W/stdout" 2>"$W/stderr" ;;
    esac
    local rc=$? lines what="$name, $mode"
    lines=$(wc -l <"$W/stderr")
    local line; line=$(head -n 1 "$W/stderr")
    if [ "$rc" -ne 1 ]; then
      fail "$what: exit $rc, expected 1: $(head -c 300 "$W/stderr")"
    elif [ "$lines" -ne 1 ] || [[ $line != "modelc: error: "* ]]; then
      fail "$what: expected one 'modelc: error:' line, got $lines: $(head -c 300 "$W/stderr")"
    elif [[ $line != *"initializer 'w'"* || $line != *"'$location'"* ||
            $line != *"$phrase"* ]]; then
      fail "$what: the error does not name w, '$location' and '$phrase': $line"
    elif [ -e "$out" ] || [ -e "$out.work" ]; then
      fail "$what: created $out or $out.work"
    elif leaked "$W/stdout" "$W/stderr" "$M" "$W"/out_*; then
      fail "$what: bytes of the secret file reached the output"
    else
      pass "$what: $line"
    fi
  done
}

refuse absolute "is an absolute path" "$W/secret.bin"
refuse climb "climbs out of the model's folder" "../secret.bin"
refuse climb-via-sub "climbs out of the model's folder" "sub/../../secret.bin"
refuse climb-to-root "climbs out of the model's folder" \
  "../../../../../../../../../../../..$W/secret.bin"
ln -s ../secret.bin "$M/link.bin"
refuse file-link-out "outside the model's folder" "link.bin"
ln -s "$W/outside" "$M/linked-dir"
refuse folder-link-out "outside the model's folder" "linked-dir/w.bin"
# Lexically inside, but `..` after a link climbs from the link's target.
refuse dotdot-after-link "outside the model's folder" "linked-dir/../secret.bin"
ln -s ../missing.bin "$M/dangling.bin"
refuse dangling-link "does not exist" "dangling.bin"
refuse missing "does not exist" "nope.bin"
refuse directory "is a directory" "sub"
refuse folder-itself "is the model's folder" "."
mkfifo "$M/pipe"
refuse fifo "not a regular file" "pipe"
if mknod "$M/zero" c 1 5 2>/dev/null; then
  refuse device "not a regular file" "zero"
else
  echo "SKIP device (mknod needs privileges)"
fi
refuse past-end "runs past its end" "sub/w.bin" 16
refuse length "differs from the tensor's 16 bytes" "sub/w.bin" 8 8
refuse bad-offset "is not a byte count" "sub/w.bin" "-8"

# accept CASE LOCATION OFFSET: compiles in every format and computes x + w.
accept() {
  local name=$1; shift
  local model=$M/$name.onnx mode
  "$PY" "$W/model.py" "$model" "$@" || { fail "$name: cannot build the model"; return; }
  for mode in object c-array external; do
    if "$MODELC" compile "$model" --target=c --weights="$mode" \
         -o "$W/good_${name}_$mode" 2>"$W/stderr"; then
      pass "$name, $mode compiles"
    else
      fail "$name, $mode: $(head -c 300 "$W/stderr")"
    fi
  done
  if ! "$MODELC" run "$model" --inputs "$W/in" --outputs "$W/good_${name}_run" \
       2>"$W/stderr"; then
    fail "$name, run: $(head -c 300 "$W/stderr")"; return
  fi
  if "$PY" - "$W/good_${name}_run/output_0.pb" <<'PY'; then
import sys, numpy as np, onnx
from onnx import numpy_helper
y = numpy_helper.to_array(onnx.load_tensor(sys.argv[1]))
sys.exit(0 if np.array_equal(y, np.array([11, 22, 33, 44], np.float32)) else
         print("got", y) or 1)
PY
    pass "$name, run gives x + w"
  else
    fail "$name, run: wrong numbers"
  fi
}

accept subfolder "sub/w.bin" 8
accept subfolder-dotted "./sub/../sub/w.bin" 8
ln -s sub/w.bin "$M/alias.bin"
accept link-inside "alias.bin" 8
"$MODELC" inspect "$M/subfolder.onnx" >/dev/null 2>"$W/stderr" &&
  pass "inspect of subfolder data" ||
  fail "inspect of subfolder data: $(head -c 300 "$W/stderr")"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
