#!/usr/bin/env bash
# The `sanitize` label: builds modelc with ASan and UBSan into BUILD_DIR and
# runs the lit, unit, CLI, node-case and model tests with it.
#
# A report must fail the run even inside a case that is expected to fail (a
# node case listed as unsupported, a CLI check that wants exit 1), so every
# report aborts the process: a crash is a failure to every harness here (lit's
# `not`, the conformance runner, the CLI scripts, check_models.py). ASan and
# LeakSanitizer reports are also written to BUILD_DIR/sanitizer-logs, and any
# file there fails this test. (GCC's UBSan, linked beside ASan, ignores
# log_path and reports on stderr; its abort is what fails the test.)
# usage: test/sanitize/run_sanitized.sh SOURCE_DIR BUILD_DIR
set -u -o pipefail
SRC=$1
BUILD=$2
LOGS=$BUILD/sanitizer-logs

echo "== sanitize: configuring and building $BUILD"
cmake -G Ninja -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMODELC_SANITIZE=ON \
  -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
  -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit >/dev/null || exit 1
cmake --build "$BUILD" -j "$(nproc)" >"$BUILD/build.log" 2>&1 ||
  { tail -20 "$BUILD/build.log"; exit 1; }

rm -rf "$LOGS" && mkdir -p "$LOGS"
export ASAN_OPTIONS="log_path=$LOGS/asan:detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:abort_on_error=1"
echo "== sanitize: running the suite under ASan and UBSan"
ctest --test-dir "$BUILD" --output-on-failure -j "$(nproc)" \
  -L 'lit|unit|cli|conformance|models' -LE 'models-full|cuda-full|sanitize'
suite=$?

reports=$(find "$LOGS" -type f | wc -l)
if [ "$reports" -ne 0 ]; then
  echo "FAIL $reports sanitizer report(s):"
  for report in "$LOGS"/*; do
    echo "--- $report"
    head -30 "$report"
  done
  exit 1
fi
echo "no sanitizer reports"
exit $suite
