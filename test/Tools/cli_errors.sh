#!/usr/bin/env bash
# Bad input must give exit code 1 and exactly one line on stderr that starts
# with "modelc: error:"; a bad command line exit code 2. Never a crash.
# usage: cli_errors.sh MODELC MODEL.onnx     (prints "N passed, M failed")
set -u
MODELC=$1
MODEL=$2
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/modelc_cli.XXXXXX")
trap 'rm -rf "$W"' EXIT
passed=0; failed=0

expect() { # CODE DESCRIPTION ARGS...
  local code=$1 what=$2; shift 2
  "$MODELC" "$@" >"$W/out" 2>"$W/err"
  local rc=$? lines
  lines=$(wc -l <"$W/err")
  if [ "$rc" -ne "$code" ]; then
    failed=$((failed + 1)); echo "FAIL $what: exit $rc, expected $code: $(head -c 300 "$W/err")"
  elif [ "$code" -eq 1 ] && { [ "$lines" -ne 1 ] || ! grep -q '^modelc: error: ' "$W/err"; }; then
    failed=$((failed + 1)); echo "FAIL $what: expected one 'modelc: error:' line, got $lines lines: $(head -c 300 "$W/err")"
  else
    passed=$((passed + 1)); echo "PASS $what: $(head -c 160 "$W/err")"
  fi
}

size=$(stat -c %s "$MODEL")
for offset in 0 1 7 64 1000 $((size / 3)) $((size / 2)) $((size - 100)) $((size - 1)); do
  head -c "$offset" "$MODEL" >"$W/truncated_$offset.onnx"
  expect 1 "model truncated at byte $offset of $size" compile "$W/truncated_$offset.onnx" -o "$W/out_t"
done
expect 1 "missing file" compile "$W/does-not-exist.onnx" -o "$W/out_m"
printf 'this is not an ONNX model\n' >"$W/text.onnx"
expect 1 "a text file" compile "$W/text.onnx" -o "$W/out_x"
head -c 4096 /dev/urandom >"$W/random.onnx"
expect 1 "random bytes" compile "$W/random.onnx" -o "$W/out_r"
expect 1 "a directory" compile "$W" -o "$W/out_d"
expect 1 "unsupported ops (all named at once)" compile "$HERE/Inputs/unsupported.onnxtext" -o "$W/out_u"
grep -q "LpNormalization.*Frobnicate" "$W/err" &&
  { passed=$((passed + 1)); echo "PASS every unsupported op named"; } ||
  { failed=$((failed + 1)); echo "FAIL unsupported ops not all named: $(cat "$W/err")"; }
expect 1 "a Conv whose kernel_shape contradicts its weight" compile \
  "$HERE/Inputs/conv-kernel-shape.onnxtext" -o "$W/out_ks"
grep -q "node 'Conv_0' (Conv): kernel_shape \[5, 5\] contradicts the weight's spatial dims \[3, 3\]" "$W/err" &&
  { passed=$((passed + 1)); echo "PASS the kernel_shape error names the node and both shapes"; } ||
  { failed=$((failed + 1)); echo "FAIL kernel_shape message: $(cat "$W/err")"; }
[ ! -e "$W/out_ks" ] && { passed=$((passed + 1)); echo "PASS no output folder for a rejected Conv"; } ||
  { failed=$((failed + 1)); echo "FAIL a rejected Conv left $W/out_ks"; }
expect 1 "unknown target" compile "$MODEL" --target=tpu -o "$W/out_k"
expect 1 "GPU target not built yet" compile "$MODEL" --target=rocm -o "$W/out_c"
expect 1 "--bind of a missing file" compile "$MODEL" --bind input=/nonexistent.pb -o "$W/out_b"
# tensor_pb FILE DATA_TYPE DIMS...: a TensorProto of zero bytes, by hand.
tensor_pb() {
  local file=$1 type=$2 bytes; shift 2
  bytes=$(( $(onnx_width "$type") * $(IFS='*'; echo "$*") ))
  { for dim in "$@"; do varint 8; varint "$dim"; done
    varint 16; varint "$type"; varint 74; varint "$bytes"
    head -c "$bytes" /dev/zero; } >"$file"
}
onnx_width() { case $1 in 1) echo 4 ;; 3) echo 1 ;; 7) echo 8 ;; esac; }
varint() { # N: protobuf base-128, low group first
  local n=$1
  while [ "$n" -ge 128 ]; do printf "\\$(printf %o $(( (n & 127) | 128 )))"; n=$((n >> 7)); done
  printf "\\$(printf %o "$n")"
}
tensor_pb "$W/float_1x10.pb" 1 1 10
tensor_pb "$W/int8_input.pb" 3 1 1 32 32
tensor_pb "$W/float_input.pb" 1 1 1 32 32
expect 1 "--bind of a tensor of another shape" compile "$MODEL" \
  --bind input="$W/float_1x10.pb" -o "$W/out_bs"
grep -q "bind input: .* holds FLOAT\[1, 10\], but input 'input' is declared FLOAT\[1, 1, 32, 32\]" "$W/err" &&
  { passed=$((passed + 1)); echo "PASS the shape mismatch names input, given and declared shapes"; } ||
  { failed=$((failed + 1)); echo "FAIL shape mismatch message: $(cat "$W/err")"; }
expect 1 "--bind of a tensor of another type" compile "$MODEL" \
  --bind input="$W/int8_input.pb" -o "$W/out_bt"
grep -q "holds INT8\[1, 1, 32, 32\], but input 'input' is declared FLOAT\[1, 1, 32, 32\]" "$W/err" &&
  { passed=$((passed + 1)); echo "PASS the type mismatch names both types"; } ||
  { failed=$((failed + 1)); echo "FAIL type mismatch message: $(cat "$W/err")"; }
expect 0 "--bind of a tensor of the declared type" compile "$MODEL" \
  --bind input="$W/float_input.pb" -o "$W/out_bg" --emit=mlir-graph
expect 1 "missing run inputs" run "$MODEL" --inputs "$W/none" --outputs "$W/o"
expect 1 "inspect of a truncated model" inspect "$W/truncated_1000.onnx"
expect 2 "no command" 
expect 2 "unknown command" frobnicate
expect 2 "compile without -o" compile "$MODEL"
expect 2 "--io-precision on the c target" compile "$MODEL" --io-precision=fp16 -o "$W/out_p"
expect 2 "a malformed --gpu-arch" compile "$MODEL" --target=cuda --gpu-arch=90 -o "$W/out_g"
expect 2 "an unknown --precision" compile "$MODEL" --target=cuda --precision=fp8 -o "$W/out_q"
expect 2 "bad --emit" compile "$MODEL" -o "$W/o" --emit exe
expect 0 "inspect a good model" inspect "$MODEL"
grep -q "unsupported: none" "$W/out" && { passed=$((passed + 1)); echo "PASS inspect lists no unsupported op"; } ||
  { failed=$((failed + 1)); echo "FAIL inspect output: $(cat "$W/out")"; }
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
