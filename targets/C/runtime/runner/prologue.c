/*
 * modelc C target: model-generic command-line runner (template).
 *
 * runner/prologue.c, the first piece: POSIX feature selection, the includes, the
 * model binding's declarations, the ABI check and the runner's constants.
 *
 * The compiler writes NAME_runner.c as
 *     #include "NAME.h"
 *     #define MODEL_FN(sym) NAME_##sym
 *     #define MODEL_MACRO(sym) UPPERNAME_##sym
 * followed by the verbatim text of the runner's pieces (prologue.c, support.c,
 * dtypes.c, tensor_io.c, synthetic.c, thread_pool.c, main.c, in this order) and
 * the target's binding, and it is built with
 *     cc -std=c99 -O2 -Wall -Wextra NAME.c NAME_runner.c [weights.o] -lm -lpthread
 *
 * usage: runner --inputs DIR --outputs DIR [--weights FILE] [--threads N]
 *               [--bench] [--iterations N] [--warmup N] [--info]
 * See README.md next to this file.
 *
 * MODEL_MACRO(X) is only used in ordinary expressions (never in #if).
 * Tensors are exchanged as ONNX TensorProto files (input_K.pb / output_K.pb), read and
 * written by the small protobuf wire-format code below.
 */

/* ---- POSIX feature selection ------------------------------------------------------ *
 * NAME.h is included before this text and pulls in <stdint.h>, which on glibc already
 * evaluated <features.h> in strict -std=c99 mode (no POSIX).  Define _POSIX_C_SOURCE
 * now and let glibc recompute its feature set so that clock_gettime, mkdir, ... are
 * declared.  (Other C libraries test _POSIX_C_SOURCE in each header.)  A generator
 * that puts "#define _POSIX_C_SOURCE 200809L" before the #include skips all of this. */
#if !defined(_POSIX_C_SOURCE) || (_POSIX_C_SOURCE + 0) < 200809L
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#if defined(__GLIBC__) && defined(_FEATURES_H)
#undef _FEATURES_H
#include <features.h>
#endif
#endif

#include <errno.h>
#include <math.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* The model binding: how this runner opens, runs and times the model. The
 * target appends its definitions after this text (C: init and run on host
 * memory; CUDA: a context, and device buffers for timing). Each dies with a
 * message on failure. */
typedef struct runner_model runner_model;
static runner_model *runner_open(const unsigned char *weights, size_t weights_len, const char *weights_path,
                                 long threads);
static void runner_run(runner_model *m, const void **in, const size_t *in_bytes, void **out,
                       const size_t *out_bytes);
/* Timed runs use the buffers given here; runner_bench_end leaves the last
 * outputs in `out`. */
static void runner_bench_begin(runner_model *m, const void **in, const size_t *in_bytes, void **out,
                               const size_t *out_bytes);
static void runner_bench_step(runner_model *m);
static void runner_bench_end(runner_model *m, void **out);
static void runner_close(runner_model *m);

/* The runner was written for ABI version 2 of the generated header. */
typedef char runner_abi_version_check[(MODEL_MACRO(ABI_VERSION) == 2) ? 1 : -1];

#define RUNNER_ALIGN 64
#define RUNNER_MAX_RANK 64
