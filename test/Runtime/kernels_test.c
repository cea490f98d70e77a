/*
 * kernels_test: checks the modelc C runtime kernels
 * (the files in targets/C/runtime/kernels/) against naive double-precision reference
 * implementations, plus determinism under a parallel_for that runs tasks in
 * reverse order, scratch-size honesty (canaries past the queried size) and
 * no writes outside the output (canaries around every output buffer).
 * Last line: "N passed, M failed"; exit status non-zero on any failure.
 * See README.md for the build commands.
 */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*modelc_task_fn)(void *task_ctx, size_t index);
typedef void (*modelc_parallel_for_fn)(void *user, size_t count, modelc_task_fn task, void *task_ctx);

#include "../../targets/C/runtime/kernels/prelude.c"
#include "../../targets/C/runtime/kernels/gemm.c"
#include "../../targets/C/runtime/kernels/conv.c"
#include "../../targets/C/runtime/kernels/pool.c"
#include "../../targets/C/runtime/kernels/norm.c"

/* ------------------------------------------------------------------------ */
/* Harness                                                                   */
/* ------------------------------------------------------------------------ */

static int g_passed, g_failed;
static unsigned long long g_rng = 0x9E3779B97F4A7C15ull;

/* Uniform in [-1, 1). */
static float rnd(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return (float)((double)(g_rng >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

static void fill(float *x, size_t n, float scale)
{
    size_t i;
    for (i = 0; i < n; ++i) {
        x[i] = rnd() * scale;
    }
}

/* Runs tasks in reverse index order (a legal, adversarial schedule). */
static void reverse_parallel_for(void *user, size_t count, modelc_task_fn task, void *task_ctx)
{
    size_t i;
    ++*(int *)user;
    for (i = count; i-- > 0;) {
        task(task_ctx, i);
    }
}

static int g_reverse_calls;
static const mk_exec g_serial = {NULL, NULL};
static const mk_exec g_reverse = {reverse_parallel_for, &g_reverse_calls};

/* A buffer of n floats surrounded by canaries; guarded_check verifies them. */
#define GUARD 64
#define CANARY 1234.5f
static float *guarded_alloc(size_t n)
{
    float *raw = NULL;
    size_t i;
    if (posix_memalign((void **)&raw, 64, sizeof(float) * (n + 2 * GUARD)) != 0) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    for (i = 0; i < n + 2 * GUARD; ++i) {
        raw[i] = CANARY;
    }
    return raw + GUARD;
}

static int guarded_intact(const float *x, size_t n)
{
    size_t i;
    for (i = 0; i < GUARD; ++i) {
        if (x[-(ptrdiff_t)GUARD + (ptrdiff_t)i] != CANARY || x[n + i] != CANARY) {
            return 0;
        }
    }
    return 1;
}

static void guarded_free(float *x) { free(x - GUARD); }

/* Scratch of exactly `bytes` (64-byte aligned) followed by a canary zone. */
static unsigned char *scratch_alloc(size_t bytes)
{
    unsigned char *s = NULL;
    if (posix_memalign((void **)&s, 64, bytes + 256) != 0) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    memset(s, 0xA5, bytes + 256);
    return s;
}

static int scratch_intact(const unsigned char *s, size_t bytes)
{
    size_t i;
    for (i = 0; i < 256; ++i) {
        if (s[bytes + i] != 0xA5) {
            return 0;
        }
    }
    return 1;
}

static void report(int ok, const char *what)
{
    if (ok) {
        ++g_passed;
    } else {
        ++g_failed;
        printf("FAIL: %s\n", what);
    }
}

/* Compares got[i*stride + j] (rows x cols) with ref; tolerance is relative
 * to the largest |ref|. */
static int close_enough(const float *got, const double *ref, int64_t rows, int64_t cols, int64_t stride, double tol,
                        double *worst)
{
    double max_ref = 1e-30, max_err = 0.0;
    int64_t i, j;
    for (i = 0; i < rows * cols; ++i) {
        const double r = ref[i] < 0 ? -ref[i] : ref[i];
        if (r > max_ref) {
            max_ref = r;
        }
    }
    for (i = 0; i < rows; ++i) {
        for (j = 0; j < cols; ++j) {
            const double g = got[i * stride + j];
            const double e = g - ref[i * cols + j];
            const double ae = e < 0 ? -e : e;
            if (!(ae <= max_err)) { /* also catches NaN */
                max_err = g != g ? 1e30 : ae;
            }
        }
    }
    *worst = max_err / max_ref;
    return *worst <= tol;
}

#define TOL 1e-4

/* ------------------------------------------------------------------------ */
/* GEMM                                                                      */
/* ------------------------------------------------------------------------ */

static void test_gemm_case(int64_t m, int64_t n, int64_t k, int trans_a, int trans_b, int accumulate, int64_t pad)
{
    const int64_t lda = (trans_a ? m : k) + pad, ldb = (trans_b ? k : n) + pad, ldc = n + pad;
    const int64_t a_rows = trans_a ? k : m, b_rows = trans_b ? n : k;
    float *a = guarded_alloc((size_t)(a_rows * lda));
    float *b = guarded_alloc((size_t)(b_rows * ldb));
    float *c = guarded_alloc((size_t)(m * ldc));
    float *c2 = guarded_alloc((size_t)(m * ldc));
    double *ref = (double *)malloc(sizeof(double) * (size_t)(m * n));
    const size_t sbytes = mk_sgemm_scratch_bytes(m, n, k);
    unsigned char *scratch = scratch_alloc(sbytes);
    char what[160];
    double worst;
    int64_t i, j, p;
    int ok;
    fill(a, (size_t)(a_rows * lda), 1.0f);
    fill(b, (size_t)(b_rows * ldb), 1.0f);
    fill(c, (size_t)(m * ldc), 1.0f);
    memcpy(c2, c, sizeof(float) * (size_t)(m * ldc));
    for (i = 0; i < m; ++i) {
        for (j = 0; j < n; ++j) {
            double s = accumulate ? (double)c[i * ldc + j] : 0.0;
            for (p = 0; p < k; ++p) {
                const double av = trans_a ? a[p * lda + i] : a[i * lda + p];
                const double bv = trans_b ? b[j * ldb + p] : b[p * ldb + j];
                s += av * bv;
            }
            ref[i * n + j] = s;
        }
    }
    mk_sgemm(&g_serial, m, n, k, a, lda, trans_a, b, ldb, trans_b, c, ldc, accumulate, scratch);
    mk_sgemm(&g_reverse, m, n, k, a, lda, trans_a, b, ldb, trans_b, c2, ldc, accumulate, scratch);
    ok = close_enough(c, ref, m, n, ldc, TOL, &worst);
    ok = ok && guarded_intact(c, (size_t)(m * ldc)) && scratch_intact(scratch, sbytes);
    for (i = 0; i < m && ok; ++i) { /* padding columns of C untouched */
        for (j = n; j < ldc; ++j) {
            ok = ok && c[i * ldc + j] == c2[i * ldc + j];
        }
    }
    snprintf(what, sizeof(what), "sgemm m=%lld n=%lld k=%lld ta=%d tb=%d acc=%d pad=%lld rel.err=%.3g",
             (long long)m, (long long)n, (long long)k, trans_a, trans_b, accumulate, (long long)pad, worst);
    report(ok, what);
    snprintf(what, sizeof(what), "sgemm determinism m=%lld n=%lld k=%lld ta=%d tb=%d", (long long)m, (long long)n,
             (long long)k, trans_a, trans_b);
    report(memcmp(c, c2, sizeof(float) * (size_t)(m * ldc)) == 0, what);
    guarded_free(a);
    guarded_free(b);
    guarded_free(c);
    guarded_free(c2);
    free(ref);
    free(scratch);
}

static void test_gemm(void)
{
    static const int64_t shapes[][3] = {
        {1, 1, 1},     {1, 7, 5},      {1, 100, 300},  {1, 1000, 64},  {1, 129, 17},  {5, 1, 33},
        {300, 1, 70},  {2, 2, 2},      {3, 5, 7},      {7, 31, 13},    {8, 32, 16},   {9, 33, 17},
        {6, 16, 256},  {12, 48, 257},  {13, 47, 511},  {17, 100, 600}, {33, 65, 129}, {64, 49, 512},
        {130, 70, 31}, {129, 257, 1},  {200, 300, 40}, {257, 259, 65}, {64, 300, 147}, {40, 530, 300},
        {128, 96, 2},  {3, 700, 9},    {150, 3, 100},
    };
    size_t s;
    int ta, tb;
    for (s = 0; s < sizeof(shapes) / sizeof(shapes[0]); ++s) {
        for (ta = 0; ta < 2; ++ta) {
            for (tb = 0; tb < 2; ++tb) {
                test_gemm_case(shapes[s][0], shapes[s][1], shapes[s][2], ta, tb, (int)(s % 2), (int64_t)(s % 3));
            }
        }
    }
    test_gemm_case(100, 90, 80, 0, 0, 1, 5);
    test_gemm_case(1, 90, 80, 1, 0, 1, 3);
    test_gemm_case(90, 1, 80, 0, 0, 0, 3);
}

/* ------------------------------------------------------------------------ */

int main(void)
{
    test_gemm();
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed != 0;
}
