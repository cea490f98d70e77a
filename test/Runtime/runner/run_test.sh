#!/usr/bin/env bash
# Tests of the C runner template (the pieces in targets/C/runtime/runner) against a hand-written
# fake model (fake.h / fake.c): TensorProto reading (raw_data, onnx's packed typed fields,
# hand-encoded unpacked fields with unknown fields), writing, error messages, --weights,
# --threads, --bench.
#
# usage: test/Runtime/runner/run_test.sh      (CC=clang, PYTHON=..., KEEP=1 to keep the work dir)
# Prints one line per check and "N passed, M failed" last; exit status 1 on any failure.
set -u -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
RUNNER_DIR=$ROOT/targets/C/runtime/runner
# The runner's pieces in the order getRunnerSource() (targets/C/RuntimeSources.cpp) joins them.
RUNNER_PIECES=(prologue support dtypes tensor_io synthetic thread_pool main)
BINDING_C=$RUNNER_DIR/binding_c.c
CC=${CC:-cc}
PYTHON=${PYTHON:-/usr/bin/python3}
PB="$PYTHON $HERE/pbtool.py"
CFLAGS_STRICT="-std=c99 -O2 -Wall -Wextra -Werror"

W=$(mktemp -d "${TMPDIR:-/tmp}/runner_test.XXXXXX")
if [ "${KEEP:-0}" = 1 ]; then echo "work dir: $W"; else trap 'rm -rf "$W"' EXIT; fi

passed=0; failed=0
ok()   { passed=$((passed + 1)); echo "PASS $1"; }
bad()  { failed=$((failed + 1)); echo "FAIL $1${2:+: $2}"; }

# The compiler writes NAME_runner.c as these three lines followed by the runner's
# pieces (a blank line between two) and the C target's binding.
gen_runner() { # NAME UPPER OUT
  { printf '#include "%s.h"\n#define MODEL_FN(sym) %s_##sym\n#define MODEL_MACRO(sym) %s_##sym\n' "$1" "$1" "$2"
    local piece sep=""
    for piece in "${RUNNER_PIECES[@]}"; do
      printf '%s' "$sep"; sep=$'\n'
      cat "$RUNNER_DIR/$piece.c"
    done
    cat "$BINDING_C"; } > "$3"
}

# ---------------------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------------------
gen_runner fake FAKE "$W/fake_runner.c"
if out=$($CC $CFLAGS_STRICT -I"$HERE" "$HERE/fake.c" "$W/fake_runner.c" -lm -lpthread -o "$W/runner" 2>&1); then
  ok "build: $CC $CFLAGS_STRICT (no warnings)"
else
  bad "build: $CC $CFLAGS_STRICT" "$out"
  echo "$passed passed, $((failed + 1)) failed"   # nothing else can run
  exit 1
fi
if out=$($CC $CFLAGS_STRICT -pedantic -DFAKE_TEST_EXTERNAL_WEIGHTS -I"$HERE" "$HERE/fake.c" "$W/fake_runner.c" -lm -lpthread -o "$W/runner_ext" 2>&1); then
  ok "build: external-weights variant with -pedantic"
else
  bad "build: external-weights variant" "$out"
fi
for other in clang gcc; do
  [ "$other" = "$CC" ] && continue
  command -v "$other" >/dev/null 2>&1 || continue
  if out=$($other $CFLAGS_STRICT -pedantic -I"$HERE" "$HERE/fake.c" "$W/fake_runner.c" -lm -lpthread -o "$W/runner_$other" 2>&1); then
    ok "build: $other $CFLAGS_STRICT -pedantic (no warnings)"
  else
    bad "build: $other" "$out"
  fi
done
# The runner must not depend on what NAME.h happens to include (only stddef.h and stdint.h).
if out=$($CC $CFLAGS_STRICT -D_POSIX_C_SOURCE=200809L -I"$HERE" -c "$W/fake_runner.c" -o "$W/posix.o" 2>&1); then
  ok "build: with _POSIX_C_SOURCE already defined"
else
  bad "build: with _POSIX_C_SOURCE already defined" "$out"
fi

R=$W/runner
expect_ok() { # NAME IN_DIR OUT_DIR runner args...
  local name=$1 in=$2 outd=$3; shift 3
  local err
  if ! err=$("$@" 2>&1 >/dev/null); then bad "$name" "runner failed: $err"; return; fi
  if err=$($PB check "$in" "$outd" 2>&1); then ok "$name"; else bad "$name" "$err"; fi
}
expect_err() { # NAME SUBSTRING runner args...
  local name=$1 want=$2; shift 2
  local err rc
  err=$("$@" 2>&1 >/dev/null); rc=$?
  local first=${err%%$'\n'*}
  if [ $rc -ne 1 ]; then bad "$name" "exit status $rc (expected 1): $err"
  elif [[ "$first" != "runner: "* ]]; then bad "$name" "message not prefixed 'runner: ': $err"
  elif [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ]; then bad "$name" "message is not one line: $err"
  elif [[ "$err" != *"$want"* ]]; then bad "$name" "message lacks '$want': $err"
  else ok "$name ($err)"; fi
}

# ---------------------------------------------------------------------------------------
# Reading and writing tensors
# ---------------------------------------------------------------------------------------
for set in 0 1 2; do
  for enc in raw typed unpacked; do
    $PB gen "$W/in_${set}_$enc" $set $enc
    expect_ok "set $set, $enc encoding" "$W/in_${set}_$enc" "$W/out_${set}_$enc" \
      "$R" --inputs "$W/in_${set}_$enc" --outputs "$W/out_${set}_$enc"
  done
done
expect_ok "--threads 4" "$W/in_1_raw" "$W/out_t4" "$R" --inputs "$W/in_1_raw" --outputs "$W/out_t4" --threads 4
expect_ok "--threads 3, typed" "$W/in_2_typed" "$W/out_t3" "$R" --inputs "$W/in_2_typed" --outputs "$W/out_t3" --threads 3
expect_ok "--opt=VALUE form, --threads=2" "$W/in_0_raw" "$W/out_eq" "$R" --inputs="$W/in_0_raw" --outputs="$W/out_eq" --threads=2
expect_ok "--outputs DIR created when missing" "$W/in_0_raw" "$W/new/" "$R" --inputs "$W/in_0_raw" --outputs "$W/new/"

# ---------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------
for case in $($PB badcases); do
  msg=$($PB bad "$W/bad_$case" "$case")
  expect_err "bad input: $case" "$msg" "$R" --inputs "$W/bad_$case" --outputs "$W/bad_out"
done
expect_err "missing --outputs" "--outputs DIR is required" "$R" --inputs "$W/in_0_raw"
expect_err "missing --inputs" "--inputs DIR is required" "$R" --outputs "$W/x"
expect_err "unknown option" "unknown option '--frobnicate'" "$R" --frobnicate
expect_err "bad --threads" "--threads: expected an integer" "$R" --bench --threads 0
expect_err "option without value" "--iterations needs a value" "$R" --bench --iterations
expect_err "--weights for an embedded-weights model" "embeds its weights" "$R" --bench --weights /dev/null
expect_err "--outputs is a file" "is not a directory" "$R" --inputs "$W/in_0_raw" --outputs "$HERE/fake.c"

# ---------------------------------------------------------------------------------------
# External weights
# ---------------------------------------------------------------------------------------
if [ -x "$W/runner_ext" ]; then
  $PB weights "$W/w_good.bin" good
  $PB weights "$W/w_magic.bin" magic
  $PB weights "$W/w_short.bin" short
  expect_ok "external weights: --weights FILE" "$W/in_0_raw" "$W/out_ext" "$W/runner_ext" --inputs "$W/in_0_raw" --outputs "$W/out_ext" --weights "$W/w_good.bin"
  expect_ok "external weights: --threads 4" "$W/in_1_unpacked" "$W/out_ext4" "$W/runner_ext" --inputs "$W/in_1_unpacked" --outputs "$W/out_ext4" --weights "$W/w_good.bin" --threads 4
  expect_err "external weights: none given" "pass --weights FILE" "$W/runner_ext" --inputs "$W/in_0_raw" --outputs "$W/o"
  expect_err "external weights: bad contents" "init failed: bad weights" "$W/runner_ext" --bench --weights "$W/w_magic.bin"
  expect_err "external weights: wrong size" "init failed: buffer size mismatch (weights file" "$W/runner_ext" --bench --weights "$W/w_short.bin"
  expect_err "external weights: missing file" "cannot open weights file" "$W/runner_ext" --bench --weights "$W/nope.bin"
fi

# ---------------------------------------------------------------------------------------
# --bench and --info
# ---------------------------------------------------------------------------------------
bench_check() { # NAME ITER THREADS runner args...
  local name=$1 it=$2 th=$3; shift 3
  local line err
  if ! line=$("$@" 2>"$W/bench_err"); then bad "$name" "runner failed: $(cat "$W/bench_err")"; return; fi
  if [ "$(printf '%s\n' "$line" | wc -l)" -ne 1 ]; then bad "$name" "stdout is not one line: $line"; return; fi
  if err=$($PB json "$line" "$it" "$th" 2>&1); then ok "$name: $line"; else bad "$name" "$err"; fi
}
bench_check "--bench, synthetic inputs" 50 1 "$R" --bench
bench_check "--bench --threads 4 --iterations 300 --warmup 3" 300 4 "$R" --bench --threads 4 --iterations 300 --warmup 3
bench_check "--bench --iterations 1 --warmup 0" 1 1 "$R" --bench --iterations 1 --warmup 0
rm -rf "$W/out_bench"
bench_check "--bench with --inputs and --outputs" 20 2 "$R" --bench --inputs "$W/in_2_unpacked" --outputs "$W/out_bench" --iterations 20 --threads 2
if err=$($PB check "$W/in_2_unpacked" "$W/out_bench" 2>&1); then ok "--bench writes correct outputs with --outputs"; else bad "--bench outputs" "$err"; fi
rm -rf "$W/out_nobench"; mkdir "$W/out_nobench"
(cd "$W/out_nobench" && "$R" --bench --inputs "$W/in_0_raw" --iterations 2 >/dev/null 2>&1)
if [ -z "$(ls -A "$W/out_nobench")" ] && [ ! -e "$W/in_0_raw/output_0.pb" ]; then ok "--bench without --outputs writes nothing"; else bad "--bench without --outputs wrote files"; fi
if [ -x "$W/runner_ext" ]; then
  bench_check "--bench, external weights" 10 1 "$W/runner_ext" --bench --weights "$W/w_good.bin" --iterations 10
fi
info=$("$R" --info 2>&1)
if [[ "$info" == *"input 8 s int32[] 4 bytes"* && "$info" == *"output 0 x2 float[2,3] 24 bytes"* && "$info" == *"scale=0.5 zero_point=3"* ]]; then
  ok "--info"
else
  bad "--info" "$info"
fi
if "$R" --help | grep -q -- "--iterations N"; then ok "--help"; else bad "--help"; fi

# Many parallel loops on more threads than CPUs, with and without spinning: no hang, no abort.
if out=$(timeout 120 "$R" --bench --threads 8 --iterations 3000 --warmup 0 2>&1) && \
   out2=$(RUNNER_SPIN=0 timeout 120 "$R" --bench --threads 5 --iterations 3000 --warmup 0 2>&1); then
  ok "thread pool stress (8 and 5 threads, 3000 runs x 5 loops)"
else
  bad "thread pool stress" "$out ${out2:-}"
fi

# The mutex-only pool (compilers without GNU atomics), and ThreadSanitizer where available.
if out=$($CC $CFLAGS_STRICT -DRUNNER_HAVE_ATOMICS=0 -I"$HERE" "$HERE/fake.c" "$W/fake_runner.c" -lm -lpthread -o "$W/runner_mutex" 2>&1); then
  expect_ok "mutex-only thread pool (-DRUNNER_HAVE_ATOMICS=0), --threads 4" "$W/in_1_typed" "$W/out_mutex" \
    "$W/runner_mutex" --inputs "$W/in_1_typed" --outputs "$W/out_mutex" --threads 4
  bench_check "mutex-only thread pool, --bench --threads 3" 500 3 "$W/runner_mutex" --bench --threads 3 --iterations 500
else
  bad "build: -DRUNNER_HAVE_ATOMICS=0" "$out"
fi
if $CC -std=c99 -O1 -g -fsanitize=thread -I"$HERE" "$HERE/fake.c" "$W/fake_runner.c" -lpthread -o "$W/runner_tsan" >/dev/null 2>&1 \
   && "$W/runner_tsan" --bench --iterations 1 --warmup 0 >/dev/null 2>&1; then
  if out=$(TSAN_OPTIONS=halt_on_error=1:exitcode=66 "$W/runner_tsan" --bench --threads 4 --iterations 200 --warmup 0 2>&1) && \
     out=$(TSAN_OPTIONS=halt_on_error=1:exitcode=66 RUNNER_SPIN=0 "$W/runner_tsan" --bench --threads 3 --iterations 200 --warmup 0 2>&1); then
    ok "ThreadSanitizer: no data races (4 threads spinning, 3 threads sleeping)"
  else
    bad "ThreadSanitizer" "$(printf '%s\n' "$out" | head -20)"
  fi
else
  echo "SKIP ThreadSanitizer (not available with $CC here)"
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
