#!/usr/bin/env bash
# The CUDA artifact's C API on bad arguments (emulated, no GPU needed); with
# nvcc, the artifact's own CMakeLists.txt and --emit=obj; and the compiler's
# one-line error when --emit=obj finds no CUDA toolkit.
# usage: test/CUDA/api_errors.sh MODELC WORKDIR
set -u -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MODELC=$1
WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK"
fail=0

# fp32 and fp16 storage: each artifact's device memory must match its header.
for precision in fp32 fp16; do
  out="$WORK/lenet"; [ "$precision" = fp32 ] || out="$WORK/lenet-$precision"
  "$MODELC" compile "$ROOT/examples/lenet.onnx" --target=cuda --precision=$precision -o "$out" || exit 1
  /usr/bin/python3 -c "
import sys; sys.path.insert(0, '$HERE')
from check_emulated import emulated_source
emulated_source('$out/model.cu', '$out/model.emu.cpp')" || exit 1
  g++ -std=c++17 -O1 -I "$HERE/emulator" -I "$out" \
    -x c++ "$out/model.emu.cpp" "$HERE/api_test.cpp" \
    -x none "$out/model_weights.o" -o "$out/api_test" || exit 1
  echo "-- $precision"
  "$out/api_test" || fail=1
done

# With the toolkit: the artifact's own CMakeLists.txt builds the runner, and
# --emit=obj gives one object that defines the API.
NVCC=$(command -v nvcc || { [ -x "${CUDA_HOME:-/usr/local/cuda}/bin/nvcc" ] && echo "${CUDA_HOME:-/usr/local/cuda}/bin/nvcc"; })
if [ -n "$NVCC" ]; then
  if cmake -S "$WORK/lenet" -B "$WORK/lenet/build" -DCMAKE_CUDA_COMPILER="$NVCC" >"$WORK/cmake.log" 2>&1 &&
     cmake --build "$WORK/lenet/build" >>"$WORK/cmake.log" 2>&1 && [ -x "$WORK/lenet/build/model_runner" ]; then
    echo "ok   the generated CMakeLists.txt builds the runner"
  else
    echo "FAIL the generated CMakeLists.txt: $(tail -3 "$WORK/cmake.log")"; fail=1
  fi
  if CUDACXX="$NVCC" "$MODELC" compile "$ROOT/examples/lenet.onnx" --target=cuda --emit=obj \
       --gpu-arch=sm_80,sm_90 -o "$WORK/obj" >/dev/null 2>"$WORK/obj.err" &&
     [ "$(nm -g --defined-only "$WORK/obj/model.o" | grep -c ' T model_')" = 8 ]; then
    echo "ok   --emit=obj defines the 8 API functions"
  else
    echo "FAIL --emit=obj: $(cat "$WORK/obj.err")"; fail=1
  fi
else
  echo "FAIL no CUDA toolkit found (nvcc on PATH or in \${CUDA_HOME:-/usr/local/cuda}/bin): the nvcc builds cannot run"
  fail=1
fi

# No toolkit anywhere modelc looks: one line, exit 1.
err=$(env -u CUDACXX CUDA_HOME=/nonexistent PATH=/usr/bin:/bin \
  "$MODELC" compile "$ROOT/examples/lenet.onnx" --target=cuda --emit=obj \
  -o "$WORK/noobj" 2>&1)
status=$?
lines=$(printf '%s\n' "$err" | grep -c .)
if [ "$status" = 1 ] && [ "$lines" = 1 ] && printf '%s' "$err" | grep -q 'needs nvcc from the CUDA toolkit'; then
  echo "ok   missing toolkit: $err"
else
  echo "FAIL missing toolkit: exit $status, $lines line(s): $err"
  fail=1
fi
exit $fail
