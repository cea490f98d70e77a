#!/usr/bin/env bash
# The `sanitize` label: builds modelc with ASan and UBSan into BUILD_DIR and
# runs the lit, unit, CLI, node-case and model tests with it. Every sanitizer
# report goes to a log file under BUILD_DIR/sanitizer-logs, and any such file
# fails this test, whatever the instrumented test itself decided: a report
# inside a case that is expected to fail must not hide.
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
export ASAN_OPTIONS="log_path=$LOGS/asan:detect_leaks=1:abort_on_error=0:strict_string_checks=1"
export UBSAN_OPTIONS="log_path=$LOGS/ubsan:print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="log_path=$LOGS/lsan"
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
