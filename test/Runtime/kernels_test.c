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
#include <math.h>
#include <string.h>

typedef void (*modelc_task_fn)(void *task_ctx, size_t index);
typedef void (*modelc_parallel_for_fn)(void *user, size_t count, modelc_task_fn task, void *task_ctx);

#include "../../targets/C/runtime/kernels/prelude.c"
#include "../../targets/C/runtime/kernels/half.c"
#include "../../targets/C/runtime/kernels/gemm.c"
#include "../../targets/C/runtime/kernels/conv.c"
#include "../../targets/C/runtime/kernels/hgemm.c"
#include "../../targets/C/runtime/kernels/hconv.c"
#include "../../targets/C/runtime/kernels/pool.c"
#include "../../targets/C/runtime/kernels/norm.c"
#include "../../targets/C/runtime/kernels/qgemm.c"
#include "../../targets/C/runtime/kernels/qconv.c"

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
    /* 0xFF bytes: every 16- and 32-bit float in scratch a NaN, so a kernel
     * that multiplies bytes it never wrote (even by zero) shows. */
    memset(s, 0xFF, bytes + 256);
    return s;
}

static int scratch_intact(const unsigned char *s, size_t bytes)
{
    size_t i;
    for (i = 0; i < 256; ++i) {
        if (s[bytes + i] != 0xFF) {
            return 0;
        }
    }
    return 1;
}

static int g_verbose; /* KERNELS_TEST_VERBOSE set: print passing checks too */

static void report(int ok, const char *what)
{
    if (ok) {
        ++g_passed;
        if (g_verbose) {
            printf("ok: %s\n", what);
        }
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
    ok = ok && (sbytes <= MK_SGEMM_SCRATCH_BOUND || sbytes <= (size_t)(4 * k + 60)); /* documented bound */
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
        {128, 96, 2},  {3, 700, 9},    {150, 3, 100},  {600, 2100, 20}, /* more tiles than tasks */
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
/* Half-precision-weight GEMM                                                */
/*                                                                           */
/* References are in double on the values as the kernel uses them: the       */
/* weights as stored (exact in f32) and, on the bf16 dot path, the           */
/* activations rounded to bf16. Two kinds of data:                           */
/*  - exact: small integers, so that every partial sum is exact in f32 in    */
/*    any order; the result must equal the reference bit for bit (catches a  */
/*    lost, doubled or misplaced term of any size);                          */
/*  - random: uniform in [-1, 1) (fp16 weights include subnormals), checked  */
/*    per element against the f32 summation bound                            */
/*      |got - ref| <= (k + 2) * 2^-24 * (|c0| + sum_p |w_p * x_p|),          */
/*    k + 1 rounded additions (one per product and the accumulated c0) plus  */
/*    one for the product rounding of the portable path; a wrong rounding of */
/*    the activations (2^-9 relative) breaks it by far.                      */
/* ------------------------------------------------------------------------ */

/* A weight of the given kind: an integer in [-7, 7] when exact, else
 * uniform in [-1, 1) rounded to the kind, for fp16 one in 16 scaled into
 * the subnormal range. */
static uint16_t half_weight(int kind, int exact)
{
    float v = exact ? (float)(int)(rnd() * 8.0f) : rnd();
    if (kind == MK_HALF_F16 && !exact && (g_rng & 15u) == 0) {
        v *= 1e-5f;
    }
    return kind == MK_HALF_BF16 ? mk_f32_to_bf16(v) : mk_f32_to_f16(v);
}

/* An activation as the kernel of this kind uses it. */
static double used_activation(int kind, float x)
{
    return mk_hgemm_uses_dot(kind) ? (double)mk_bf16_to_f32(mk_f32_to_bf16(x)) : (double)x;
}

/* Fills x with integers in [-7, 7] (exact) or uniform values in [-1, 1). */
static void fill_data(float *x, size_t n, int exact)
{
    size_t i;
    for (i = 0; i < n; ++i) {
        x[i] = exact ? (float)(int)(rnd() * 8.0f) : rnd();
    }
}

/* Checks got[i*stride + j] against ref within bound (rows x cols, bound 0
 * meaning bit-exact); *worst is the largest |error| / bound. */
static int within_bound(const float *got, int64_t stride, const double *ref, const double *bound, int64_t rows,
                        int64_t cols, double *worst)
{
    int ok = 1;
    int64_t i, j;
    *worst = 0.0;
    for (i = 0; i < rows; ++i) {
        for (j = 0; j < cols; ++j) {
            const double g = got[i * stride + j];
            const double e = fabs(g - ref[i * cols + j]);
            const double b = bound[i * cols + j];
            const double ratio = e == 0.0 ? 0.0 : b > 0.0 ? e / b : 1e30;
            if (!(e <= b)) { /* also catches NaN */
                ok = 0;
            }
            if (!(ratio <= *worst)) {
                *worst = g != g ? 1e30 : ratio;
            }
        }
    }
    return ok;
}

/* One check of mk_hgemm (weights_right = 0: C = W[m x k] * B[k x n]) or
 * mk_hmatmul (weights_right = 1: C = X[m x k] * op(W), W k x n or, with
 * trans_w, n x k): the packed entry serially and in reverse task order and
 * the unpacked entry, which must all agree bit for bit. */
static void test_hgemm_case(int kind, int weights_right, int64_t m, int64_t n, int64_t k, int trans_w, int accumulate,
                            int64_t pad, int exact)
{
    const int64_t w_rows = weights_right ? (trans_w ? n : k) : m;
    const int64_t ldw = (weights_right ? (trans_w ? k : n) : k) + pad;
    const int64_t x_rows = weights_right ? m : k;
    const int64_t ldx = (weights_right ? k : n) + pad;
    const int64_t ldc = n + pad;
    const size_t c_len = (size_t)(m * ldc);
    uint16_t *w = (uint16_t *)malloc(sizeof(uint16_t) * (size_t)(w_rows * ldw + 1));
    float *x = guarded_alloc((size_t)(x_rows * ldx));
    float *c0 = guarded_alloc(c_len), *c = guarded_alloc(c_len), *c2 = guarded_alloc(c_len);
    float *c3 = guarded_alloc(c_len);
    double *ref = (double *)malloc(sizeof(double) * (size_t)(m * n));
    double *bound = (double *)malloc(sizeof(double) * (size_t)(m * n));
    const size_t pack_bytes = weights_right ? mk_hmatmul_pack_w_bytes(k, n) : mk_hgemm_pack_a_bytes(m, k);
    const size_t run_bytes =
        weights_right ? mk_hmatmul_scratch_bytes(kind, m, n, k) : mk_hgemm_scratch_bytes(kind, m, n, k);
    unsigned char *packed = scratch_alloc(pack_bytes);
    unsigned char *scratch = scratch_alloc(run_bytes);
    unsigned char *scratch_raw = scratch_alloc(pack_bytes + run_bytes);
    char what[200];
    double worst;
    int64_t i, j, p;
    int ok;
    for (i = 0; i < w_rows * ldw; ++i) {
        w[i] = half_weight(kind, exact);
    }
    fill_data(x, (size_t)(x_rows * ldx), exact);
    fill_data(c0, c_len, exact);
    for (i = 0; i < m; ++i) {
        for (j = 0; j < n; ++j) {
            double s = accumulate ? (double)c0[i * ldc + j] : 0.0;
            double mag = fabs(s);
            for (p = 0; p < k; ++p) {
                const uint16_t wh = !weights_right ? w[i * ldw + p] : trans_w ? w[j * ldw + p] : w[p * ldw + j];
                const double wv = mk_half_to_f32(kind, wh);
                const double xv = used_activation(kind, weights_right ? x[i * ldx + p] : x[p * ldx + j]);
                s += wv * xv;
                mag += fabs(wv * xv);
            }
            ref[i * n + j] = s;
            bound[i * n + j] = exact ? 0.0 : (double)(k + 2) * ldexp(mag, -24);
        }
    }
    memcpy(c, c0, sizeof(float) * c_len);
    memcpy(c2, c0, sizeof(float) * c_len);
    memcpy(c3, c0, sizeof(float) * c_len);
    if (weights_right) {
        mk_hmatmul_pack_w(&g_reverse, kind, k, n, w, ldw, trans_w, packed);
        mk_hmatmul_packed(&g_serial, kind, m, n, k, x, ldx, packed, c, ldc, accumulate, scratch);
        mk_hmatmul_packed(&g_reverse, kind, m, n, k, x, ldx, packed, c2, ldc, accumulate, scratch);
        mk_hmatmul(&g_serial, kind, m, n, k, x, ldx, w, ldw, trans_w, c3, ldc, accumulate, scratch_raw);
    } else {
        mk_hgemm_pack_a(&g_reverse, kind, m, k, w, ldw, packed);
        mk_hgemm_packed(&g_serial, kind, m, n, k, packed, x, ldx, c, ldc, accumulate, scratch);
        mk_hgemm_packed(&g_reverse, kind, m, n, k, packed, x, ldx, c2, ldc, accumulate, scratch);
        mk_hgemm(&g_serial, kind, m, n, k, w, ldw, x, ldx, c3, ldc, accumulate, scratch_raw);
    }
    ok = within_bound(c, ldc, ref, bound, m, n, &worst);
    ok = ok && guarded_intact(c, c_len) && guarded_intact(c2, c_len) && guarded_intact(c3, c_len);
    ok = ok && scratch_intact(packed, pack_bytes) && scratch_intact(scratch, run_bytes) &&
         scratch_intact(scratch_raw, pack_bytes + run_bytes);
    ok = ok && run_bytes <= mk_hgemm_scratch_bound(k); /* documented bound */
    for (i = 0; i < m && ok; ++i) { /* padding columns of C untouched */
        for (j = n; j < ldc; ++j) {
            ok = ok && memcmp(&c[i * ldc + j], &c0[i * ldc + j], sizeof(float)) == 0;
        }
    }
    snprintf(what, sizeof(what), "%s %s m=%lld n=%lld k=%lld tw=%d acc=%d pad=%lld %s err/bound=%.3g",
             weights_right ? "hmatmul" : "hgemm", kind == MK_HALF_BF16 ? "bf16" : "fp16", (long long)m, (long long)n,
             (long long)k, trans_w, accumulate, (long long)pad, exact ? "exact" : "random", worst);
    report(ok, what);
    snprintf(what, sizeof(what), "%s %s determinism and packed == unpacked m=%lld n=%lld k=%lld",
             weights_right ? "hmatmul" : "hgemm", kind == MK_HALF_BF16 ? "bf16" : "fp16", (long long)m, (long long)n,
             (long long)k);
    report(memcmp(c, c2, sizeof(float) * c_len) == 0 && memcmp(c, c3, sizeof(float) * c_len) == 0, what);
    free(w);
    guarded_free(x);
    guarded_free(c0);
    guarded_free(c);
    guarded_free(c2);
    guarded_free(c3);
    free(ref);
    free(bound);
    free(packed);
    free(scratch);
    free(scratch_raw);
}

static void test_hgemm(void)
{
    static const int64_t shapes[][3] = {
        {1, 1, 1},     {1, 7, 5},      {5, 1, 33},     {2, 2, 2},      {3, 5, 7},      {7, 31, 13},
        {8, 32, 16},   {9, 33, 17},    {8, 32, 256},   {8, 32, 257},   {16, 64, 512},  {13, 47, 511},
        {17, 100, 600}, {33, 65, 129}, {64, 49, 512},  {130, 70, 31},  {129, 257, 1},  {200, 300, 40},
        {64, 300, 147}, {40, 530, 300}, {3, 700, 9},   {150, 3, 100},  {600, 2100, 4}, {257, 70, 1030},
        {48, 1000, 64}, {1000, 48, 64},
    };
    size_t s;
    int kind, right, exact;
    for (s = 0; s < sizeof(shapes) / sizeof(shapes[0]); ++s) {
        for (kind = 0; kind < 2; ++kind) {
            for (right = 0; right < 2; ++right) {
                for (exact = 0; exact < 2; ++exact) {
                    test_hgemm_case(kind, right, shapes[s][0], shapes[s][1], shapes[s][2], (int)((s + exact) % 2),
                                    (int)((s + kind) % 2), (int64_t)((s + right) % 3), exact);
                }
            }
        }
    }
}

/* mk_hgemm_pack_panels (copies and SIMD loops) against
 * mk_hgemm_pack_panels_scalar, byte for byte, in both layouts, with p
 * contiguous (mk_hgemm_pack_a, mk_hmatmul_pack_w with trans_w) or lanes
 * contiguous (mk_hmatmul_pack_w), on odd shapes, padded strides and
 * arbitrary bit patterns; the source buffer ends at its last value and
 * nothing past the packed panels may be written. */
static void test_hgemm_pack_bytes(void)
{
    static const int64_t shapes[][2] = {
        {1, 1},   {1, 16},  {3, 5},   {5, 17},   {6, 31},  {8, 16},   {8, 33},    {9, 47},   {13, 37}, {16, 64},
        {17, 15}, {31, 65}, {32, 32}, {33, 129}, {40, 7},  {47, 301}, {64, 147},  {70, 101}, {97, 18}, {130, 255},
    };
    const int64_t widths[] = {MK_GEMM_MR, MK_GEMM_NR, 6, 8, 16, 32};
    size_t s, wi;
    int pairs, p_contiguous, pad;
    for (pairs = 0; pairs < 2; ++pairs) {
        for (p_contiguous = 0; p_contiguous < 2; ++p_contiguous) {
            for (wi = 0; wi < sizeof(widths) / sizeof(widths[0]); ++wi) {
                const int64_t width = widths[wi];
                char what[160];
                int ok = 1;
                if ((wi >= 2 && (width == MK_GEMM_MR || width == MK_GEMM_NR)) || (wi == 1 && width == MK_GEMM_MR)) {
                    continue; /* a width already tested */
                }
                for (s = 0; s < sizeof(shapes) / sizeof(shapes[0]); ++s) {
                    for (pad = 0; pad < 4; pad += 3) {
                        const int64_t count = shapes[s][0], k = shapes[s][1];
                        /* Pairs also with the padded depth of AMX's mk_hmatmul_pack_w. */
                        const int64_t k2 = mk_round_up(k, pairs && pad != 0 ? 32 : 2);
                        const int64_t ld_l = p_contiguous ? k + pad : 1, ld_p = p_contiguous ? 1 : count + pad;
                        const size_t src_n = (size_t)((count - 1) * ld_l + (k - 1) * ld_p + 1);
                        const size_t bytes = mk_hgemm_panels_bytes(count, k2, width) + 64;
                        const int64_t panels = mk_div_up(count, width);
                        const size_t used = (size_t)(panels * width * k2) * sizeof(uint16_t);
                        uint16_t *src = (uint16_t *)malloc(sizeof(uint16_t) * src_n);
                        unsigned char *fast = scratch_alloc(bytes), *ref = scratch_alloc(bytes);
                        size_t i;
                        int64_t t;
                        for (i = 0; i < src_n; ++i) {
                            g_rng ^= g_rng << 13;
                            g_rng ^= g_rng >> 7;
                            g_rng ^= g_rng << 17;
                            src[i] = (uint16_t)(g_rng >> 40);
                        }
                        memset(fast, 0xA5, bytes);
                        memset(ref, 0x5A, bytes);
                        for (t = panels; t-- > 0;) { /* last first: a panel must not write into the next */
                            mk_hgemm_pack_panels(pairs, src, ld_l, ld_p, count, k, k2, width, t, t + 1,
                                                 (uint16_t *)fast);
                        }
                        mk_hgemm_pack_panels_scalar(pairs, src, ld_l, ld_p, count, k, k2, width, 0, panels, 0,
                                                    (uint16_t *)ref);
                        ok = ok && memcmp(fast, ref, used) == 0;
                        for (i = used; i < bytes; ++i) {
                            ok = ok && fast[i] == 0xA5 && ref[i] == 0x5A;
                        }
                        free(src);
                        free(fast);
                        free(ref);
                    }
                }
                snprintf(what, sizeof(what), "hgemm weight packing == scalar packing, %s layout, %s contiguous, width %lld",
                         pairs ? "pairs" : "plain", p_contiguous ? "k" : "lanes", (long long)width);
                report(ok, what);
            }
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Convolution                                                               */
/* ------------------------------------------------------------------------ */

typedef struct conv_case {
    int64_t batch, ic, ih, iw, oc, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, groups;
    int with_bias;
} conv_case;

static void conv_params(const conv_case *cc, mk_conv2d_params *p)
{
    p->batch = cc->batch;
    p->in_channels = cc->ic;
    p->in_h = cc->ih;
    p->in_w = cc->iw;
    p->out_channels = cc->oc;
    p->kernel_h = cc->kh;
    p->kernel_w = cc->kw;
    p->stride_h = cc->sh;
    p->stride_w = cc->sw;
    p->pad_top = cc->pt;
    p->pad_left = cc->pl;
    p->dilation_h = cc->dh;
    p->dilation_w = cc->dw;
    p->groups = cc->groups;
    p->out_h = (cc->ih + cc->pt + cc->pb - ((cc->kh - 1) * cc->dh + 1)) / cc->sh + 1;
    p->out_w = (cc->iw + cc->pl + cc->pr - ((cc->kw - 1) * cc->dw + 1)) / cc->sw + 1;
}

/* "conv2d n=... bias=%d" for case descriptions. */
static void conv_describe(const conv_case *cc, char *buf, size_t size)
{
    snprintf(buf, size,
             "n=%lld ic=%lld %lldx%lld oc=%lld k=%lldx%lld s=%lld,%lld pad=%lld,%lld,%lld,%lld d=%lld,%lld g=%lld "
             "bias=%d",
             (long long)cc->batch, (long long)cc->ic, (long long)cc->ih, (long long)cc->iw, (long long)cc->oc,
             (long long)cc->kh, (long long)cc->kw, (long long)cc->sh, (long long)cc->sw, (long long)cc->pt,
             (long long)cc->pl, (long long)cc->pb, (long long)cc->pr, (long long)cc->dh, (long long)cc->dw,
             (long long)cc->groups, cc->with_bias);
}

static void test_conv_case(const conv_case *cc)
{
    mk_conv2d_params p;
    float *in, *w, *bias, *out, *out2;
    double *ref;
    size_t in_n, w_n, out_n, sbytes;
    unsigned char *scratch;
    int64_t b, o, y, x, c, i, j, icg, ocg;
    double worst;
    char what[200], shape[160];
    int ok;
    conv_params(cc, &p);
    icg = p.in_channels / p.groups;
    ocg = p.out_channels / p.groups;
    in_n = (size_t)(p.batch * p.in_channels * p.in_h * p.in_w);
    w_n = (size_t)(p.out_channels * icg * p.kernel_h * p.kernel_w);
    out_n = (size_t)(p.batch * p.out_channels * p.out_h * p.out_w);
    in = guarded_alloc(in_n);
    w = guarded_alloc(w_n);
    bias = guarded_alloc((size_t)p.out_channels);
    out = guarded_alloc(out_n);
    out2 = guarded_alloc(out_n);
    ref = (double *)malloc(sizeof(double) * out_n);
    fill(in, in_n, 1.0f);
    fill(w, w_n, 1.0f);
    fill(bias, (size_t)p.out_channels, 1.0f);
    for (b = 0; b < p.batch; ++b) {
        for (o = 0; o < p.out_channels; ++o) {
            const int64_t g = o / ocg;
            for (y = 0; y < p.out_h; ++y) {
                for (x = 0; x < p.out_w; ++x) {
                    double s = cc->with_bias ? bias[o] : 0.0;
                    for (c = 0; c < icg; ++c) {
                        for (i = 0; i < p.kernel_h; ++i) {
                            for (j = 0; j < p.kernel_w; ++j) {
                                const int64_t yy = y * p.stride_h - p.pad_top + i * p.dilation_h;
                                const int64_t xx = x * p.stride_w - p.pad_left + j * p.dilation_w;
                                if (yy >= 0 && yy < p.in_h && xx >= 0 && xx < p.in_w) {
                                    s += (double)in[((b * p.in_channels + g * icg + c) * p.in_h + yy) * p.in_w + xx] *
                                         w[((o * icg + c) * p.kernel_h + i) * p.kernel_w + j];
                                }
                            }
                        }
                    }
                    ref[((b * p.out_channels + o) * p.out_h + y) * p.out_w + x] = s;
                }
            }
        }
    }
    sbytes = mk_conv2d_scratch_bytes(&p);
    scratch = scratch_alloc(sbytes);
    mk_conv2d(&g_serial, &p, in, w, cc->with_bias ? bias : NULL, out, scratch);
    mk_conv2d(&g_reverse, &p, in, w, cc->with_bias ? bias : NULL, out2, scratch);
    ok = close_enough(out, ref, 1, (int64_t)out_n, (int64_t)out_n, TOL, &worst);
    ok = ok && guarded_intact(out, out_n) && scratch_intact(scratch, sbytes);
    conv_describe(cc, shape, sizeof(shape));
    snprintf(what, sizeof(what), "conv2d %s rel.err=%.3g", shape, worst);
    report(ok, what);
    report(memcmp(out, out2, sizeof(float) * out_n) == 0, "conv2d determinism (reverse task order)");
    guarded_free(in);
    guarded_free(w);
    guarded_free(bias);
    guarded_free(out);
    guarded_free(out2);
    free(ref);
    free(scratch);
}

static const conv_case g_conv_cases[] = {
    /* n, ic, ih, iw, oc, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, g, bias */
    {2, 16, 7, 9, 24, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1},    /* pointwise */
    {1, 64, 56, 56, 64, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0},  /* pointwise, resnet-sized */
    {1, 8, 5, 5, 6, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 2, 1},      /* pointwise, grouped */
    {1, 6, 4, 4, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1},      /* pointwise, one output channel */
    {2, 16, 9, 9, 8, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, 1},     /* 1x1 stride 2 */
    {1, 3, 32, 32, 16, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1, 1},   /* resnet stem */
    {2, 5, 11, 13, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},    /* 3x3 same */
    {1, 8, 12, 10, 9, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 0},    /* 3x3 stride 2 */
    {1, 8, 12, 11, 9, 3, 3, 2, 2, 0, 1, 1, 0, 1, 1, 1, 1},    /* asymmetric pads */
    {1, 4, 15, 15, 5, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1, 1},    /* dilation 2 */
    {1, 4, 16, 14, 6, 3, 2, 2, 1, 2, 0, 1, 3, 2, 3, 1, 1},    /* mixed stride/dilation */
    {1, 3, 6, 6, 4, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1},      /* kernel as large as input */
    {1, 2, 3, 3, 3, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1, 0},      /* kernel larger than input */
    {1, 6, 9, 17, 8, 1, 7, 1, 1, 0, 3, 0, 3, 1, 1, 1, 1},     /* 1x7 */
    {1, 6, 17, 9, 8, 7, 1, 1, 1, 3, 0, 3, 0, 1, 1, 1, 1},     /* 7x1 */
    {2, 8, 10, 10, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1},   /* grouped 2 */
    {1, 16, 9, 9, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 4, 1},    /* grouped 4 */
    {1, 8, 7, 7, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1},      /* grouped, 1 out channel per group */
    {2, 8, 13, 12, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 8, 1},    /* depthwise */
    {1, 16, 14, 14, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 16, 0}, /* depthwise stride 2 */
    {1, 8, 15, 15, 8, 5, 5, 1, 1, 4, 4, 4, 4, 2, 2, 8, 1},    /* depthwise dilation 2 */
    {1, 4, 10, 9, 8, 3, 3, 1, 2, 1, 0, 2, 1, 1, 1, 4, 1},     /* depthwise multiplier 2 */
    {1, 1, 12, 12, 6, 5, 5, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1},    /* single input channel */
    {1, 64, 48, 48, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},  /* several im2col tiles */
    {1, 3, 20, 20, 5, 3, 3, 3, 3, 0, 0, 2, 2, 1, 1, 1, 1},    /* bottom/right pad only */
    {3, 7, 5, 6, 5, 2, 3, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1},      /* even kernel, batch 3 */
    {1, 33, 7, 7, 72, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},    /* many channels, few pixels, k > 256 */
    {2, 40, 9, 9, 96, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, 0},    /* 1x1 stride 2, many channels */
};

static void test_conv(void)
{
    size_t i;
    for (i = 0; i < sizeof(g_conv_cases) / sizeof(g_conv_cases[0]); ++i) {
        test_conv_case(&g_conv_cases[i]);
    }
}

/* mk_hconv2d against a double reference on the values as used (see the
 * half-precision GEMM section: exact data bit for bit, random data within
 * the f32 summation bound with k = in_c/groups * kh * kw), packed serially
 * and in reverse task order and unpacked, all bit-identical; depthwise must
 * also equal mk_conv2d on the widened weights bit for bit. */
static void test_hconv_case(const conv_case *cc, int kind, int exact)
{
    mk_conv2d_params p;
    uint16_t *w;
    float *in, *wf, *bias, *out, *out2, *out3, *out_f32;
    double *ref, *bound;
    size_t in_n, w_n, out_n, pack_bytes, sbytes;
    unsigned char *packed, *scratch, *scratch_raw, *scratch_f32;
    int64_t b, o, y, x, c, i, j, icg, ocg, k;
    int strategy, ok;
    double worst;
    char what[240], shape[160];
    conv_params(cc, &p);
    strategy = mk_conv2d_strategy(&p);
    icg = p.in_channels / p.groups;
    ocg = p.out_channels / p.groups;
    k = icg * p.kernel_h * p.kernel_w;
    in_n = (size_t)(p.batch * p.in_channels * p.in_h * p.in_w);
    w_n = (size_t)(p.out_channels * k);
    out_n = (size_t)(p.batch * p.out_channels * p.out_h * p.out_w);
    w = (uint16_t *)malloc(sizeof(uint16_t) * w_n);
    wf = guarded_alloc(w_n);
    in = guarded_alloc(in_n);
    bias = guarded_alloc((size_t)p.out_channels);
    out = guarded_alloc(out_n);
    out2 = guarded_alloc(out_n);
    out3 = guarded_alloc(out_n);
    out_f32 = guarded_alloc(out_n);
    ref = (double *)malloc(sizeof(double) * out_n);
    bound = (double *)malloc(sizeof(double) * out_n);
    for (i = 0; i < (int64_t)w_n; ++i) {
        w[i] = half_weight(kind, exact);
        wf[i] = mk_half_to_f32(kind, w[i]);
    }
    fill_data(in, in_n, exact);
    fill_data(bias, (size_t)p.out_channels, exact);
    for (b = 0; b < p.batch; ++b) {
        for (o = 0; o < p.out_channels; ++o) {
            const int64_t g = o / ocg;
            for (y = 0; y < p.out_h; ++y) {
                for (x = 0; x < p.out_w; ++x) {
                    double s = cc->with_bias ? bias[o] : 0.0;
                    double mag = fabs(s);
                    for (c = 0; c < icg; ++c) {
                        for (i = 0; i < p.kernel_h; ++i) {
                            for (j = 0; j < p.kernel_w; ++j) {
                                const int64_t yy = y * p.stride_h - p.pad_top + i * p.dilation_h;
                                const int64_t xx = x * p.stride_w - p.pad_left + j * p.dilation_w;
                                if (yy >= 0 && yy < p.in_h && xx >= 0 && xx < p.in_w) {
                                    const float v = in[((b * p.in_channels + g * icg + c) * p.in_h + yy) * p.in_w + xx];
                                    const double prod = (strategy == MK_CONV_DIRECT ? (double)v
                                                                                    : used_activation(kind, v)) *
                                                        wf[((o * icg + c) * p.kernel_h + i) * p.kernel_w + j];
                                    s += prod;
                                    mag += fabs(prod);
                                }
                            }
                        }
                    }
                    ref[((b * p.out_channels + o) * p.out_h + y) * p.out_w + x] = s;
                    bound[((b * p.out_channels + o) * p.out_h + y) * p.out_w + x] =
                        exact ? 0.0 : (double)(k + 2) * ldexp(mag, -24);
                }
            }
        }
    }
    pack_bytes = mk_hconv2d_pack_bytes(&p);
    sbytes = mk_hconv2d_scratch_bytes(kind, &p);
    packed = scratch_alloc(pack_bytes);
    scratch = scratch_alloc(sbytes);
    scratch_raw = scratch_alloc(pack_bytes + sbytes);
    scratch_f32 = scratch_alloc(mk_conv2d_scratch_bytes(&p));
    mk_hconv2d_pack_weights(&g_reverse, kind, &p, w, packed);
    mk_hconv2d_packed(&g_serial, kind, &p, in, packed, cc->with_bias ? bias : NULL, out, scratch);
    mk_hconv2d_packed(&g_reverse, kind, &p, in, packed, cc->with_bias ? bias : NULL, out2, scratch);
    mk_hconv2d(&g_serial, kind, &p, in, w, cc->with_bias ? bias : NULL, out3, scratch_raw);
    ok = within_bound(out, (int64_t)out_n, ref, bound, 1, (int64_t)out_n, &worst);
    ok = ok && guarded_intact(out, out_n) && guarded_intact(out2, out_n) && guarded_intact(out3, out_n);
    ok = ok && scratch_intact(packed, pack_bytes) && scratch_intact(scratch, sbytes) &&
         scratch_intact(scratch_raw, pack_bytes + sbytes);
    if (strategy == MK_CONV_DIRECT) {
        mk_conv2d(&g_serial, &p, in, wf, cc->with_bias ? bias : NULL, out_f32, scratch_f32);
        ok = ok && memcmp(out, out_f32, sizeof(float) * out_n) == 0;
    } else {
        /* The same as an explicit im2col matrix, a bias-filled output and
         * mk_hgemm_packed accumulating onto it: the fused im2col and the bias
         * added at the end change nothing. */
        const int64_t pixels = p.out_h * p.out_w;
        float *col = (float *)malloc(sizeof(float) * (size_t)(k * pixels));
        unsigned char *gemm_scratch = scratch_alloc(mk_hgemm_scratch_bytes(kind, ocg, pixels, k));
        mk_im2col_job job;
        job.p = &p;
        job.k = k;
        job.first_pixel = 0;
        job.width = pixels;
        job.col = col;
        for (b = 0; b < p.batch; ++b) {
            for (c = 0; c < p.groups; ++c) {
                float *out_g = out_f32 + (b * p.out_channels + c * ocg) * pixels;
                job.input = in + (b * p.in_channels + c * icg) * p.in_h * p.in_w;
                for (i = 0; i < k; ++i) {
                    mk_im2col_row(&job, i);
                }
                mk_conv_fill_bias(cc->with_bias ? bias + c * ocg : NULL, ocg, pixels, out_g, pixels);
                mk_hgemm_packed(&g_serial, kind, ocg, pixels, k, packed + (size_t)c * mk_hgemm_pack_a_bytes(ocg, k), col,
                                pixels, out_g, pixels, cc->with_bias, gemm_scratch);
            }
        }
        ok = ok && memcmp(out, out_f32, sizeof(float) * out_n) == 0;
        free(col);
        free(gemm_scratch);
    }
    conv_describe(cc, shape, sizeof(shape));
    snprintf(what, sizeof(what), "hconv2d %s %s %s err/bound=%.3g", kind == MK_HALF_BF16 ? "bf16" : "fp16", shape,
             exact ? "exact" : "random", worst);
    report(ok, what);
    report(memcmp(out, out2, sizeof(float) * out_n) == 0 && memcmp(out, out3, sizeof(float) * out_n) == 0,
           "hconv2d determinism and packed == unpacked");
    free(w);
    guarded_free(wf);
    guarded_free(in);
    guarded_free(bias);
    guarded_free(out);
    guarded_free(out2);
    guarded_free(out3);
    guarded_free(out_f32);
    free(ref);
    free(bound);
    free(packed);
    free(scratch);
    free(scratch_raw);
    free(scratch_f32);
}

static void test_hconv(void)
{
    size_t i;
    int kind, exact;
    for (i = 0; i < sizeof(g_conv_cases) / sizeof(g_conv_cases[0]); ++i) {
        for (kind = 0; kind < 2; ++kind) {
            for (exact = 0; exact < 2; ++exact) {
                test_hconv_case(&g_conv_cases[i], kind, exact);
            }
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Pooling                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct pool_case {
    int64_t batch, ch, ih, iw, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw;
    int ceil_mode;
} pool_case;

/* ONNX/PyTorch output length, including the "last window must start inside
 * the input or the begin padding" rule for ceil_mode. */
static int64_t pool_out_len(int64_t in, int64_t k, int64_t s, int64_t pb, int64_t pe, int64_t d, int ceil_mode)
{
    const int64_t span = in + pb + pe - ((k - 1) * d + 1);
    int64_t out = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
    if (ceil_mode && (out - 1) * s >= in + pb) {
        --out;
    }
    return out;
}

/* The kernel parameters of a case, its output size included. */
static mk_pool2d_params pool_params(const pool_case *pc, int include_pad)
{
    mk_pool2d_params p;
    memset(&p, 0, sizeof(p));
    p.batch = pc->batch;
    p.channels = pc->ch;
    p.in_h = pc->ih;
    p.in_w = pc->iw;
    p.kernel_h = pc->kh;
    p.kernel_w = pc->kw;
    p.stride_h = pc->sh;
    p.stride_w = pc->sw;
    p.pad_top = pc->pt;
    p.pad_left = pc->pl;
    p.dilation_h = pc->dh;
    p.dilation_w = pc->dw;
    p.count_include_pad = include_pad;
    p.out_h = pool_out_len(pc->ih, pc->kh, pc->sh, pc->pt, pc->pb, pc->dh, pc->ceil_mode);
    p.out_w = pool_out_len(pc->iw, pc->kw, pc->sw, pc->pl, pc->pr, pc->dw, pc->ceil_mode);
    return p;
}

/* kind: 0 max, 1 avg, 2 avg with explicit pads. */
static void test_pool_case(const pool_case *pc, int kind, int include_pad)
{
    mk_pool2d_params p;
    float *in, *out, *out2;
    double *ref;
    size_t in_n, out_n;
    int64_t plane, y, x, i, j;
    double worst;
    char what[200];
    int ok;
    p = pool_params(pc, include_pad);
    in_n = (size_t)(p.batch * p.channels * p.in_h * p.in_w);
    out_n = (size_t)(p.batch * p.channels * p.out_h * p.out_w);
    in = guarded_alloc(in_n);
    out = guarded_alloc(out_n);
    out2 = guarded_alloc(out_n);
    ref = (double *)malloc(sizeof(double) * out_n);
    fill(in, in_n, 3.0f);
    for (plane = 0; plane < p.batch * p.channels; ++plane) {
        for (y = 0; y < p.out_h; ++y) {
            for (x = 0; x < p.out_w; ++x) {
                double best = -1e300, sum = 0.0;
                int64_t valid = 0, padded = 0;
                for (i = 0; i < p.kernel_h; ++i) {
                    for (j = 0; j < p.kernel_w; ++j) {
                        const int64_t yy = y * p.stride_h - p.pad_top + i * p.dilation_h;
                        const int64_t xx = x * p.stride_w - p.pad_left + j * p.dilation_w;
                        if (yy >= -pc->pt && yy < p.in_h + pc->pb && xx >= -pc->pl && xx < p.in_w + pc->pr) {
                            ++padded; /* inside input + pads (not ceil overhang) */
                        }
                        if (yy >= 0 && yy < p.in_h && xx >= 0 && xx < p.in_w) {
                            const double v = in[(plane * p.in_h + yy) * p.in_w + xx];
                            ++valid;
                            sum += v;
                            best = v > best ? v : best;
                        }
                    }
                }
                ref[(plane * p.out_h + y) * p.out_w + x] =
                    kind == 0 ? best : sum / (double)(include_pad ? padded : valid);
            }
        }
    }
    if (kind == 0) {
        mk_maxpool2d(&g_serial, &p, in, out);
        mk_maxpool2d(&g_reverse, &p, in, out2);
    } else if (kind == 1) {
        mk_avgpool2d(&g_serial, &p, in, out);
        mk_avgpool2d(&g_reverse, &p, in, out2);
    } else {
        mk_avgpool2d_pads(&g_serial, &p, pc->pb, pc->pr, in, out);
        mk_avgpool2d_pads(&g_reverse, &p, pc->pb, pc->pr, in, out2);
    }
    ok = close_enough(out, ref, 1, (int64_t)out_n, (int64_t)out_n, 1e-5, &worst) && guarded_intact(out, out_n);
    snprintf(what, sizeof(what),
             "%s n=%lld c=%lld %lldx%lld k=%lldx%lld s=%lld,%lld pad=%lld,%lld,%lld,%lld d=%lld,%lld ceil=%d "
             "include_pad=%d out=%lldx%lld rel.err=%.3g",
             kind == 0 ? "maxpool2d" : kind == 1 ? "avgpool2d" : "avgpool2d_pads", (long long)pc->batch,
             (long long)pc->ch, (long long)pc->ih, (long long)pc->iw, (long long)pc->kh, (long long)pc->kw,
             (long long)pc->sh, (long long)pc->sw, (long long)pc->pt, (long long)pc->pl, (long long)pc->pb,
             (long long)pc->pr, (long long)pc->dh, (long long)pc->dw, pc->ceil_mode, include_pad,
             (long long)p.out_h, (long long)p.out_w, worst);
    report(ok, what);
    report(memcmp(out, out2, sizeof(float) * out_n) == 0, "pool determinism (reverse task order)");
    guarded_free(in);
    guarded_free(out);
    guarded_free(out2);
    free(ref);
}

/* mk_maxpool2d_u8 / _s8 against a naive max over the window cells inside
 * the input (the type's lowest value for a window with none), exactly. */
static void test_maxpool8_case(const pool_case *pc, int is_signed)
{
    mk_pool2d_params p;
    unsigned char *in, *out, *out2;
    int *ref;
    size_t in_n, out_n, n;
    int64_t plane, y, x, i, j;
    unsigned seed = 12345u;
    char what[200];
    int ok = 1;
    p = pool_params(pc, 0);
    in_n = (size_t)(p.batch * p.channels * p.in_h * p.in_w);
    out_n = (size_t)(p.batch * p.channels * p.out_h * p.out_w);
    in = (unsigned char *)malloc(in_n);
    out = (unsigned char *)malloc(out_n);
    out2 = (unsigned char *)malloc(out_n);
    ref = (int *)malloc(sizeof(int) * out_n);
    for (n = 0; n < in_n; ++n) {
        seed = seed * 1103515245u + 12345u;
        in[n] = (unsigned char)(seed >> 16);
    }
    for (plane = 0; plane < p.batch * p.channels; ++plane) {
        for (y = 0; y < p.out_h; ++y) {
            for (x = 0; x < p.out_w; ++x) {
                int best = is_signed ? -128 : 0;
                for (i = 0; i < p.kernel_h; ++i) {
                    for (j = 0; j < p.kernel_w; ++j) {
                        const int64_t yy = y * p.stride_h - p.pad_top + i * p.dilation_h;
                        const int64_t xx = x * p.stride_w - p.pad_left + j * p.dilation_w;
                        if (yy >= 0 && yy < p.in_h && xx >= 0 && xx < p.in_w) {
                            const unsigned char b = in[(plane * p.in_h + yy) * p.in_w + xx];
                            const int v = is_signed ? (int)(signed char)b : (int)b;
                            best = v > best ? v : best;
                        }
                    }
                }
                ref[(plane * p.out_h + y) * p.out_w + x] = best;
            }
        }
    }
    if (is_signed) {
        mk_maxpool2d_s8(&g_serial, &p, (const int8_t *)in, (int8_t *)out);
        mk_maxpool2d_s8(&g_reverse, &p, (const int8_t *)in, (int8_t *)out2);
    } else {
        mk_maxpool2d_u8(&g_serial, &p, in, out);
        mk_maxpool2d_u8(&g_reverse, &p, in, out2);
    }
    for (n = 0; n < out_n && ok; ++n) {
        ok = (is_signed ? (int)(signed char)out[n] : (int)out[n]) == ref[n];
    }
    snprintf(what, sizeof(what), "maxpool2d_%s c=%lld %lldx%lld k=%lldx%lld s=%lld,%lld d=%lld,%lld exact",
             is_signed ? "s8" : "u8", (long long)pc->ch, (long long)pc->ih, (long long)pc->iw, (long long)pc->kh,
             (long long)pc->kw, (long long)pc->sh, (long long)pc->sw, (long long)pc->dh, (long long)pc->dw);
    report(ok, what);
    report(memcmp(out, out2, out_n) == 0, "8-bit pool determinism (reverse task order)");
    free(in);
    free(out);
    free(out2);
    free(ref);
}

static void test_pool(void)
{
    static const pool_case cases[] = {
        /* n, c, ih, iw, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, ceil */
        {1, 4, 112, 112, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0}, /* resnet max pool */
        {2, 3, 8, 8, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 0},
        {1, 2, 5, 5, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1},     /* ceil: last window overhangs */
        {1, 2, 7, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1},     /* ceil with pads */
        {1, 2, 10, 9, 3, 2, 3, 2, 1, 0, 0, 1, 1, 1, 1},    /* ceil, asymmetric */
        {1, 3, 9, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0},     /* 3x3 s1 p1 */
        {1, 2, 11, 12, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 0},   /* dilation 2 */
        {1, 2, 11, 10, 2, 3, 2, 1, 1, 2, 1, 0, 2, 1, 1},   /* dilation + ceil */
        {2, 2, 4, 4, 4, 4, 1, 1, 0, 0, 0, 0, 1, 1, 0},     /* global window */
        {1, 1, 6, 6, 3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 0},     /* windows mostly padding */
        {1, 2, 13, 1, 5, 1, 2, 1, 2, 0, 2, 0, 1, 1, 1},    /* one column */
        {1, 1, 4, 4100, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0},  /* rows past MK_POOL8_ROW */
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
        test_pool_case(&cases[i], 0, 0);
        test_maxpool8_case(&cases[i], 0);
        test_maxpool8_case(&cases[i], 1);
        test_pool_case(&cases[i], 2, 0);
        test_pool_case(&cases[i], 2, 1);
        test_pool_case(&cases[i], 1, 0);
        if (!cases[i].ceil_mode) { /* implied pads are exact without ceil overhang */
            test_pool_case(&cases[i], 1, 1);
        }
    }
}

static void test_mean_rows_case(int64_t rows, int64_t cols, float offset)
{
    float *in = guarded_alloc((size_t)(rows * cols));
    float *out = guarded_alloc((size_t)rows);
    float *out2 = guarded_alloc((size_t)rows);
    double *ref = (double *)malloc(sizeof(double) * (size_t)rows);
    int64_t r, j;
    double worst;
    char what[120];
    int ok;
    fill(in, (size_t)(rows * cols), 1.0f);
    for (r = 0; r < rows * cols; ++r) {
        in[r] += offset;
    }
    for (r = 0; r < rows; ++r) {
        double s = 0.0;
        for (j = 0; j < cols; ++j) {
            s += in[r * cols + j];
        }
        ref[r] = s / (double)cols;
    }
    mk_mean_rows(&g_serial, rows, cols, in, out);
    mk_mean_rows(&g_reverse, rows, cols, in, out2);
    ok = close_enough(out, ref, 1, rows, rows, 1e-5, &worst) && guarded_intact(out, (size_t)rows);
    snprintf(what, sizeof(what), "mean_rows rows=%lld cols=%lld rel.err=%.3g", (long long)rows, (long long)cols,
             worst);
    report(ok, what);
    report(memcmp(out, out2, sizeof(float) * (size_t)rows) == 0, "mean_rows determinism (reverse task order)");
    guarded_free(in);
    guarded_free(out);
    guarded_free(out2);
    free(ref);
}

static void test_mean_rows(void)
{
    test_mean_rows_case(1, 1, 0.0f);
    test_mean_rows_case(5, 7, 0.5f);
    test_mean_rows_case(64, 49, 0.0f);
    test_mean_rows_case(2048, 49, 0.0f);
    test_mean_rows_case(3, 3136, 2.0f);
    test_mean_rows_case(9, 1000, 0.0f);
    test_mean_rows_case(100, 17, 0.0f);
}

/* ------------------------------------------------------------------------ */
/* Softmax / LayerNorm                                                       */
/* ------------------------------------------------------------------------ */

static void test_softmax_case(int64_t outer, int64_t axis, int64_t inner, float scale)
{
    const size_t n = (size_t)(outer * axis * inner);
    float *in = guarded_alloc(n);
    float *out = guarded_alloc(n);
    float *out2 = guarded_alloc(n);
    double *ref = (double *)malloc(sizeof(double) * n);
    int64_t o, a, i;
    double worst;
    char what[120];
    int ok;
    fill(in, n, scale);
    for (o = 0; o < outer; ++o) {
        for (i = 0; i < inner; ++i) {
            double mx = -1e300, sum = 0.0;
            for (a = 0; a < axis; ++a) {
                const double v = in[(o * axis + a) * inner + i];
                mx = v > mx ? v : mx;
            }
            for (a = 0; a < axis; ++a) {
                sum += exp((double)in[(o * axis + a) * inner + i] - mx);
            }
            for (a = 0; a < axis; ++a) {
                ref[(o * axis + a) * inner + i] = exp((double)in[(o * axis + a) * inner + i] - mx) / sum;
            }
        }
    }
    mk_softmax(&g_serial, outer, axis, inner, in, out);
    mk_softmax(&g_reverse, outer, axis, inner, in, out2);
    ok = close_enough(out, ref, 1, (int64_t)n, (int64_t)n, 1e-5, &worst) && guarded_intact(out, n);
    snprintf(what, sizeof(what), "softmax outer=%lld axis=%lld inner=%lld scale=%g rel.err=%.3g", (long long)outer,
             (long long)axis, (long long)inner, (double)scale, worst);
    report(ok, what);
    report(memcmp(out, out2, sizeof(float) * n) == 0, "softmax determinism (reverse task order)");
    guarded_free(in);
    guarded_free(out);
    guarded_free(out2);
    free(ref);
}

static void test_softmax(void)
{
    test_softmax_case(1, 1, 1, 1.0f);
    test_softmax_case(3, 10, 1, 1.0f);
    test_softmax_case(5, 1000, 1, 5.0f);
    test_softmax_case(384, 128, 1, 4.0f);
    test_softmax_case(7, 33, 1, 200.0f); /* overflows without max subtraction */
    test_softmax_case(2, 5, 3, 1.0f);
    test_softmax_case(4, 7, 65, 2.0f);
    test_softmax_case(1, 300, 130, 1.0f);
    test_softmax_case(2, 1, 7, 1.0f);
    test_softmax_case(3, 19, 64, 150.0f);
}

static void test_layernorm_case(int64_t rows, int64_t cols, int with_bias, float offset, float epsilon)
{
    const size_t n = (size_t)(rows * cols);
    float *in = guarded_alloc(n);
    float *scale = guarded_alloc((size_t)cols);
    float *bias = guarded_alloc((size_t)cols);
    float *out = guarded_alloc(n);
    float *out2 = guarded_alloc(n);
    double *ref = (double *)malloc(sizeof(double) * n);
    int64_t r, j;
    double worst;
    char what[140];
    int ok;
    fill(in, n, 1.0f);
    for (j = 0; j < (int64_t)n; ++j) {
        in[j] += offset;
    }
    fill(scale, (size_t)cols, 2.0f);
    fill(bias, (size_t)cols, 1.0f);
    for (r = 0; r < rows; ++r) {
        double mean = 0.0, var = 0.0;
        for (j = 0; j < cols; ++j) {
            mean += in[r * cols + j];
        }
        mean /= (double)cols;
        for (j = 0; j < cols; ++j) {
            const double d = in[r * cols + j] - mean;
            var += d * d;
        }
        var /= (double)cols;
        for (j = 0; j < cols; ++j) {
            ref[r * cols + j] = (in[r * cols + j] - mean) / sqrt(var + (double)epsilon) * scale[j] +
                                (with_bias ? bias[j] : 0.0);
        }
    }
    mk_layernorm(&g_serial, rows, cols, in, scale, with_bias ? bias : NULL, epsilon, out);
    mk_layernorm(&g_reverse, rows, cols, in, scale, with_bias ? bias : NULL, epsilon, out2);
    ok = close_enough(out, ref, 1, (int64_t)n, (int64_t)n, 1e-5, &worst) && guarded_intact(out, n);
    snprintf(what, sizeof(what), "layernorm rows=%lld cols=%lld bias=%d offset=%g eps=%g rel.err=%.3g",
             (long long)rows, (long long)cols, with_bias, (double)offset, (double)epsilon, worst);
    report(ok, what);
    report(memcmp(out, out2, sizeof(float) * n) == 0, "layernorm determinism (reverse task order)");
    guarded_free(in);
    guarded_free(scale);
    guarded_free(bias);
    guarded_free(out);
    guarded_free(out2);
    free(ref);
}

static void test_layernorm(void)
{
    test_layernorm_case(1, 1, 1, 0.0f, 1e-5f);
    test_layernorm_case(3, 5, 0, 0.0f, 1e-5f);
    test_layernorm_case(7, 768, 1, 0.0f, 1e-12f);
    test_layernorm_case(128, 768, 0, 0.0f, 1e-5f);
    test_layernorm_case(128, 768, 1, 0.0f, 1e-5f);
    test_layernorm_case(9, 1000, 1, 100.0f, 1e-5f); /* large mean: needs two passes */
    test_layernorm_case(40, 33, 1, 0.0f, 1e-3f);
}

/* ------------------------------------------------------------------------ */
/* 8-bit GEMM                                                                */
/* ------------------------------------------------------------------------ */

/* Uniform 32-bit random value. */
static uint32_t rnd_u32(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return (uint32_t)(g_rng >> 32);
}

/* A byte buffer of n bytes surrounded by GUARD_BYTES canaries, filled with a
 * pattern; the expected output is built in a copy, so one memcmp of
 * everything (canaries included) checks the outputs, the untouched gaps of
 * strided outputs and the absence of stray writes. */
#define GUARD_BYTES 256
static unsigned char *bytes_alloc(size_t n)
{
    unsigned char *raw = NULL;
    size_t i;
    if (posix_memalign((void **)&raw, 64, n + 2 * GUARD_BYTES) != 0) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    for (i = 0; i < n + 2 * GUARD_BYTES; ++i) {
        raw[i] = (unsigned char)(0x5A ^ (i * 31));
    }
    return raw + GUARD_BYTES;
}

static void bytes_copy(unsigned char *dst, const unsigned char *src, size_t n)
{
    memcpy(dst - GUARD_BYTES, src - GUARD_BYTES, n + 2 * GUARD_BYTES);
}

static int bytes_equal(const unsigned char *x, const unsigned char *y, size_t n)
{
    return memcmp(x - GUARD_BYTES, y - GUARD_BYTES, n + 2 * GUARD_BYTES) == 0;
}

static void bytes_free(unsigned char *x) { free(x - GUARD_BYTES); }

/* The int32 with the low 32 bits of v. */
static int32_t wrap32(int64_t v)
{
    const uint32_t u = (uint32_t)(uint64_t)v;
    return u < 0x80000000u ? (int32_t)u : (int32_t)(u - 0x80000000u) - 2147483647 - 1;
}

/* Reference epilogue, written independently of the kernels: the f32
 * product rounded by nearbyint in double (half to even), then zero point
 * and saturation. */
static void ref_store(int kind, int32_t acc, float scale, int32_t zero, unsigned char *dst)
{
    if (kind == MK_QGEMM_OUT_INT32) {
        memcpy(dst, &acc, 4);
    } else if (kind == MK_QGEMM_OUT_FLOAT) {
        const float v = (float)acc * scale;
        memcpy(dst, &v, 4);
    } else {
        const float x = (float)acc * scale;
        const double lo = kind == MK_QGEMM_OUT_UINT8 ? 0.0 : -128.0, hi = kind == MK_QGEMM_OUT_UINT8 ? 255.0 : 127.0;
        double r = nearbyint((double)x) + zero;
        r = r < lo ? lo : r > hi ? hi : r;
        if (kind == MK_QGEMM_OUT_UINT8) {
            *dst = (unsigned char)r;
        } else {
            const signed char s = (signed char)r;
            memcpy(dst, &s, 1);
        }
    }
}

static const char *kind_name(int kind)
{
    return kind == MK_QGEMM_OUT_INT32 ? "i32" : kind == MK_QGEMM_OUT_UINT8 ? "u8" : kind == MK_QGEMM_OUT_INT8 ? "s8"
                                                                                                            : "f32";
}

/* How a qgemm case fills its operands. */
enum {
    QV_RANDOM = 0,  /* random bytes, random row offsets */
    QV_MIN = 1,     /* A = -128, u(B) = 255, offset so the sum is INT32_MIN */
    QV_MAX = 2,     /* A = 127, u(B) = 255, offset so the sum is INT32_MAX */
    QV_WRAP = 3,    /* random, offsets near +-2^31 so that sums wrap */
    QV_TIES = 4,    /* k = 1, A = 1: acc = offset + u(B) covers a range; power-of-two scales give .5 ties */
    QV_BIGACC = 5   /* random, offsets near 2^25 so that (float)acc rounds */
};

typedef struct qgemm_case {
    int64_t m, n, k;
    int kind, b_int8, per_row;
    int b_layout; /* 0: row-major, 1: transposed (rs == 1), 2: both strides > 1 */
    int c_layout; /* 0: row-major, 1: transposed (rs == 1), 2: column stride 3 */
    int prepacked;
    int values;
    int with_offset;
} qgemm_case;

static void test_qgemm_case(const qgemm_case *qc)
{
    const int64_t m = qc->m, n = qc->n, k = qc->k;
    const size_t es = mk_qgemm_out_bytes(qc->kind);
    const int64_t pad = (m + n + k) % 3 + 1;
    int64_t b_rs, b_cs, c_rs, c_cs;
    size_t b_bytes, c_elems, sbytes, wbytes, abytes;
    int8_t *a;
    unsigned char *b, *c, *c2, *expect, *scratch, *packed = NULL;
    int32_t *offset;
    float *scale;
    int32_t zero;
    mk_qgemm_epilogue epi;
    int64_t i, j, p;
    char what[240];
    int ok;
    switch (qc->b_layout) {
    case 0: b_rs = n + pad; b_cs = 1; break;
    case 1: b_rs = 1; b_cs = k + pad; break;
    default: b_rs = 2 * n + pad; b_cs = 2; break;
    }
    switch (qc->c_layout) {
    case 0: c_rs = n + pad; c_cs = 1; break;
    case 1: c_rs = 1; c_cs = m + pad; break;
    default: c_rs = 3 * n + pad; c_cs = 3; break;
    }
    b_bytes = (size_t)((k - 1) * b_rs + (n - 1) * b_cs + 1);
    c_elems = (size_t)((m - 1) * c_rs + (n - 1) * c_cs + 1);
    a = (int8_t *)malloc((size_t)(m * k));
    b = bytes_alloc(b_bytes);
    c = bytes_alloc(c_elems * es);
    c2 = bytes_alloc(c_elems * es);
    expect = bytes_alloc(c_elems * es);
    offset = (int32_t *)malloc(sizeof(int32_t) * (size_t)m);
    scale = (float *)malloc(sizeof(float) * (size_t)m);
    bytes_copy(c2, c, c_elems * es);
    bytes_copy(expect, c, c_elems * es);
    zero = qc->kind == MK_QGEMM_OUT_UINT8 ? (int32_t)(rnd_u32() % 256) : (int32_t)(rnd_u32() % 256) - 128;
    /* Operands. u(B) = B ^ 0x80 for int8 activations. */
    for (i = 0; i < m * k; ++i) {
        const int32_t v = qc->values == QV_MIN ? -128 : qc->values == QV_MAX ? 127 : qc->values == QV_TIES ? 1
                                                                                   : (int32_t)(rnd_u32() % 256) - 128;
        a[i] = (int8_t)v;
    }
    for (p = 0; p < k; ++p) {
        for (j = 0; j < n; ++j) {
            unsigned u = qc->values == QV_MIN || qc->values == QV_MAX ? 255u
                         : qc->values == QV_TIES                       ? (unsigned)(j * 7 + p) % 256u
                                                                       : rnd_u32() % 256u;
            b[p * b_rs + j * b_cs] = (unsigned char)(qc->b_int8 ? u ^ 0x80u : u);
        }
    }
    for (i = 0; i < m; ++i) {
        int64_t o;
        switch (qc->values) {
        case QV_MIN: o = -2147483647 - 1 + 32640 * k; break;  /* sum = -32640 k */
        case QV_MAX: o = 2147483647 - 32385 * k; break;       /* sum = 32385 k */
        case QV_WRAP: o = (int64_t)(rnd_u32() % 2000001) + (i % 2 ? 2147000000 : -2147483647 - 1); break;
        case QV_TIES: o = (int64_t)(rnd_u32() % 601) - 300 - 128 * (i % 3); break;
        case QV_BIGACC: o = (int64_t)(rnd_u32() % 1000) + (i % 2 ? 33554432 : -33554432); break;
        default: o = (int64_t)(rnd_u32() % 4000001) - 2000000; break;
        }
        offset[i] = qc->with_offset ? (int32_t)o : 0;
    }
    /* Scales: powers of two (exact ties), or random, spreading the outputs
     * over the output range and past both ends. */
    for (i = 0; i < m; ++i) {
        const double spread = qc->values == QV_TIES ? 300.0 : 11000.0 * sqrt((double)k) + 1.0;
        const int pow2 = qc->values == QV_TIES || qc->values == QV_BIGACC || (i % 3 == 0);
        double s = 150.0 / spread * (0.5 + (double)(rnd_u32() % 1000) / 1000.0);
        if (pow2) {
            s = ldexp(1.0, (int)floor(log2(s) + 0.5));
        }
        if (qc->values == QV_BIGACC) {
            s = ldexp(1.0, -18 + (int)(i % 3));
        }
        scale[i] = (float)(i % 5 == 4 ? -s : s);
        if (!qc->per_row) {
            break;
        }
    }
    epi.kind = qc->kind;
    epi.scale = scale;
    epi.per_row = qc->per_row;
    epi.zero_point = zero;
    /* Reference: int64 sums, wrapped, then the epilogue. */
    for (i = 0; i < m; ++i) {
        for (j = 0; j < n; ++j) {
            int64_t s = qc->with_offset ? offset[i] : 0;
            for (p = 0; p < k; ++p) {
                const unsigned raw = b[p * b_rs + j * b_cs];
                s += (int64_t)a[i * k + p] * (int64_t)(qc->b_int8 ? raw ^ 0x80u : raw);
            }
            ref_store(qc->kind, wrap32(s), scale[qc->per_row ? i : 0], zero,
                      expect + (size_t)(i * c_rs + j * c_cs) * es);
        }
    }
    sbytes = mk_qgemm_scratch_bytes(m, n, k);
    wbytes = mk_qgemm_prepacked_scratch_bytes(m, n, k);
    abytes = mk_qgemm_packed_a_bytes(m, k);
    if (qc->prepacked) {
        /* Pre-packed A needs only the work part of the scratch (on AVX2 also
         * room to widen it). */
        packed = scratch_alloc(abytes);
        mk_qgemm_pack_a(&g_reverse, m, k, a, k, packed);
        scratch = scratch_alloc(wbytes);
        mk_qgemm(&g_serial, m, n, k, NULL, k, packed, b, b_rs, b_cs, qc->b_int8, qc->with_offset ? offset : NULL, &epi,
                 c, c_rs, c_cs, scratch);
        mk_qgemm(&g_reverse, m, n, k, NULL, k, packed, b, b_rs, b_cs, qc->b_int8, qc->with_offset ? offset : NULL,
                 &epi, c2, c_rs, c_cs, scratch);
        ok = scratch_intact(scratch, wbytes) && scratch_intact(packed, abytes);
    } else {
        scratch = scratch_alloc(sbytes);
        mk_qgemm(&g_serial, m, n, k, a, k, NULL, b, b_rs, b_cs, qc->b_int8, qc->with_offset ? offset : NULL, &epi, c,
                 c_rs, c_cs, scratch);
        mk_qgemm(&g_reverse, m, n, k, a, k, NULL, b, b_rs, b_cs, qc->b_int8, qc->with_offset ? offset : NULL, &epi, c2,
                 c_rs, c_cs, scratch);
        ok = scratch_intact(scratch, sbytes);
    }
    /* Documented bounds: the scratch is the work part and one working form
     * of A, and a packing takes one byte per element on every path. */
    ok = ok && sbytes == mk_qgemm_work_bytes(m, n, k) + mk_qgemm_work_a_bytes(m, k) &&
         mk_qgemm_work_bytes(m, n, k) <= MK_QGEMM_WORK_BOUND(k);
    ok = ok && mk_qgemm_work_a_bytes(m, k) <=
                   sizeof(mk_qa_t) * (size_t)(mk_round_up(m, MK_QGEMM_MR) * mk_round_up(k, MK_QGEMM_A_KG)) +
                       (MK_QGEMM_B_SHIFT ? 4 * (size_t)mk_round_up(m, MK_QGEMM_MR) : 0) + 128;
    ok = ok && abytes <= (size_t)(mk_round_up(m, MK_QGEMM_MR) * mk_round_up(k, MK_QGEMM_A_KG)) +
                             (MK_QGEMM_B_SHIFT ? 4 * (size_t)mk_round_up(m, MK_QGEMM_MR) : 0) + 128;
    ok = ok && bytes_equal(c, expect, c_elems * es);
    snprintf(what, sizeof(what),
             "qgemm m=%lld n=%lld k=%lld out=%s b=%s per_row=%d b_layout=%d c_layout=%d prepacked=%d values=%d "
             "offset=%d",
             (long long)m, (long long)n, (long long)k, kind_name(qc->kind), qc->b_int8 ? "s8" : "u8", qc->per_row,
             qc->b_layout, qc->c_layout, qc->prepacked, qc->values, qc->with_offset);
    report(ok, what);
    if (!ok && g_verbose) {
        size_t e;
        for (e = 0; e < c_elems * es; ++e) {
            if (c[e] != expect[e]) {
                printf("  first difference at byte %lu: got %u, expected %u\n", (unsigned long)e, c[e], expect[e]);
                break;
            }
        }
    }
    snprintf(what, sizeof(what), "qgemm determinism m=%lld n=%lld k=%lld out=%s", (long long)m, (long long)n,
             (long long)k, kind_name(qc->kind));
    report(bytes_equal(c, c2, c_elems * es), what);
    free(a);
    bytes_free(b);
    bytes_free(c);
    bytes_free(c2);
    bytes_free(expect);
    free(offset);
    free(scale);
    free(scratch);
    free(packed);
}

static void test_qgemm(void)
{
    static const int64_t shapes[][3] = {
        {1, 1, 1},     {1, 7, 5},      {5, 1, 33},     {300, 1, 70},   {2, 2, 2},      {3, 5, 7},
        {7, 31, 13},   {8, 32, 16},    {9, 33, 17},    {6, 16, 256},   {12, 48, 257},  {13, 47, 511},
        {17, 100, 600}, {33, 65, 129}, {64, 49, 576},  {130, 70, 31},  {129, 257, 1},  {1, 1000, 64},
        {40, 530, 300}, {3, 700, 9},   {150, 3, 100},  {2, 300, 3},    {64, 3136, 3},  {256, 196, 1152},
        {600, 2100, 4}, /* more tiles than tasks */
    };
    size_t s;
    int kind;
    for (s = 0; s < sizeof(shapes) / sizeof(shapes[0]); ++s) {
        for (kind = 0; kind < 4; ++kind) {
            qgemm_case qc;
            const int v = (int)s + kind;
            qc.m = shapes[s][0];
            qc.n = shapes[s][1];
            qc.k = shapes[s][2];
            qc.kind = kind;
            qc.b_int8 = v % 2;
            qc.per_row = (v / 2) % 2;
            qc.b_layout = v % 3;
            qc.c_layout = (int)(s * 7 + (size_t)kind) % 3;
            qc.prepacked = (v / 3) % 2;
            qc.values = kind == 1 && s % 2 ? QV_BIGACC : kind == 2 && s % 3 == 0 ? QV_WRAP : QV_RANDOM;
            qc.with_offset = s % 5 != 3;
            test_qgemm_case(&qc);
        }
    }
    {
        /* Extremes: 255 x -128 (or x 127) over deep products, sums reaching
         * INT32_MIN and INT32_MAX exactly; ties of the rounding; a batch of
         * every layout at one awkward shape. */
        static const int64_t deep[][3] = {{5, 37, 4099}, {9, 33, 65793}, {1, 1, 65793}, {2, 40, 70001}};
        int values, b_int8, layout, prepacked;
        for (s = 0; s < sizeof(deep) / sizeof(deep[0]); ++s) {
            for (values = QV_MIN; values <= QV_MAX; ++values) {
                for (kind = 0; kind < 4; ++kind) {
                    qgemm_case qc;
                    qc.m = deep[s][0];
                    qc.n = deep[s][1];
                    qc.k = deep[s][2];
                    qc.kind = kind;
                    qc.b_int8 = (kind + values) % 2;
                    qc.per_row = kind % 2;
                    qc.b_layout = kind % 3;
                    qc.c_layout = (kind + 1) % 3;
                    qc.prepacked = values == QV_MAX;
                    qc.values = values;
                    /* At k = 70001 the extreme sums leave int32: they must wrap. */
                    qc.with_offset = deep[s][2] != 70001 && (deep[s][2] != 4099 || values == QV_MAX);
                    test_qgemm_case(&qc);
                }
            }
        }
        for (b_int8 = 0; b_int8 < 2; ++b_int8) {
            for (kind = 1; kind <= 2; ++kind) {
                for (layout = 0; layout < 3; ++layout) {
                    qgemm_case qc;
                    qc.m = 11;
                    qc.n = 300;
                    qc.k = 1;
                    qc.kind = kind;
                    qc.b_int8 = b_int8;
                    qc.per_row = layout != 1;
                    qc.b_layout = layout;
                    qc.c_layout = layout;
                    qc.prepacked = layout == 2;
                    qc.values = QV_TIES;
                    qc.with_offset = 1;
                    test_qgemm_case(&qc);
                }
            }
        }
        for (prepacked = 0; prepacked < 2; ++prepacked) {
            for (b_int8 = 0; b_int8 < 2; ++b_int8) {
                for (layout = 0; layout < 9; ++layout) {
                    qgemm_case qc;
                    qc.m = 19;
                    qc.n = 77;
                    qc.k = 45;
                    qc.kind = layout % 4;
                    qc.b_int8 = b_int8;
                    qc.per_row = layout % 2;
                    qc.b_layout = layout % 3;
                    qc.c_layout = layout / 3;
                    qc.prepacked = prepacked;
                    qc.values = QV_RANDOM;
                    qc.with_offset = 1;
                    test_qgemm_case(&qc);
                }
            }
        }
    }
}

/* Exhaustive check of the requantization rounding on every path's store
 * routine against the reference: ties at both signs, values near the
 * clamps, and int32 values that do not convert to float exactly. */
static void test_requantize(void)
{
    static const float scales[] = {0.5f, 0.25f, 1.0f, 0.0078125f, 3.0517578125e-05f, 0.3f, 1.7f, -0.5f, 1e-9f, 1e9f};
    enum { COUNT = 1000 };
    int32_t acc[COUNT];
    unsigned char got[COUNT * 4], want[COUNT * 4];
    size_t si;
    int kind, ok = 1, zi;
    for (si = 0; si < sizeof(scales) / sizeof(scales[0]); ++si) {
        for (kind = 0; kind < 4; ++kind) {
            for (zi = 0; zi < 3; ++zi) {
                const int32_t zero = kind == MK_QGEMM_OUT_UINT8 ? (zi == 0 ? 0 : zi == 1 ? 128 : 255)
                                                                : (zi == 0 ? -128 : zi == 1 ? 0 : 127);
                mk_qgemm_epilogue e;
                const uint32_t offset = rnd_u32();
                const size_t es = mk_qgemm_out_bytes(kind);
                int j;
                e.kind = kind;
                e.scale = &scales[si];
                e.per_row = 0;
                e.zero_point = zero;
                for (j = 0; j < COUNT; ++j) {
                    const uint32_t base = j < 300   ? (uint32_t)(j - 150)
                                          : j < 600 ? (uint32_t)(16777216 + j - 450)
                                          : j < 700 ? (uint32_t)(-16777216 - j)
                                          : j < 710 ? (uint32_t)(j % 2 ? 2147483647 : 0x80000000u)
                                                    : rnd_u32();
                    acc[j] = wrap32((int64_t)(base - offset));
                }
                mk_qgemm_store_row(&e, acc, COUNT, offset, scales[si], got, 1);
                for (j = 0; j < COUNT; ++j) {
                    ref_store(kind, wrap32((int64_t)((uint32_t)acc[j] + offset)), scales[si], zero, want + j * es);
                }
                ok = ok && memcmp(got, want, COUNT * es) == 0;
            }
        }
    }
    report(ok, "requantize: ties, clamps and inexact int32 -> f32 on the SIMD store path");
}

/* ------------------------------------------------------------------------ */
/* 8-bit convolution                                                         */
/* ------------------------------------------------------------------------ */

static void test_qconv_case(const conv_case *cc, int kind, int input_int8, int prepacked)
{
    mk_qconv2d_params p;
    const size_t es = mk_qgemm_out_bytes(kind);
    size_t in_n, w_n, out_n, sbytes, pbytes;
    unsigned char *in, *out, *out2, *expect, *scratch, *packed = NULL;
    int8_t *w;
    int32_t *offset;
    float *scale;
    mk_qgemm_epilogue epi;
    int64_t b, o, y, x, c, i, j, icg, ocg;
    int32_t zp_u;
    char what[240];
    int ok;
    p.batch = cc->batch;
    p.in_channels = cc->ic;
    p.in_h = cc->ih;
    p.in_w = cc->iw;
    p.out_channels = cc->oc;
    p.kernel_h = cc->kh;
    p.kernel_w = cc->kw;
    p.stride_h = cc->sh;
    p.stride_w = cc->sw;
    p.pad_top = cc->pt;
    p.pad_left = cc->pl;
    p.dilation_h = cc->dh;
    p.dilation_w = cc->dw;
    p.groups = cc->groups;
    p.out_h = (cc->ih + cc->pt + cc->pb - ((cc->kh - 1) * cc->dh + 1)) / cc->sh + 1;
    p.out_w = (cc->iw + cc->pl + cc->pr - ((cc->kw - 1) * cc->dw + 1)) / cc->sw + 1;
    p.input_int8 = input_int8;
    zp_u = (int32_t)(rnd_u32() % 256);
    p.input_zero_point = input_int8 ? zp_u - 128 : zp_u;
    icg = p.in_channels / p.groups;
    ocg = p.out_channels / p.groups;
    in_n = (size_t)(p.batch * p.in_channels * p.in_h * p.in_w);
    w_n = (size_t)(p.out_channels * icg * p.kernel_h * p.kernel_w);
    out_n = (size_t)(p.batch * p.out_channels * p.out_h * p.out_w);
    in = bytes_alloc(in_n);
    w = (int8_t *)malloc(w_n);
    out = bytes_alloc(out_n * es);
    out2 = bytes_alloc(out_n * es);
    expect = bytes_alloc(out_n * es);
    bytes_copy(out2, out, out_n * es);
    bytes_copy(expect, out, out_n * es);
    offset = (int32_t *)malloc(sizeof(int32_t) * (size_t)p.out_channels);
    scale = (float *)malloc(sizeof(float) * (size_t)p.out_channels);
    for (i = 0; i < (int64_t)in_n; ++i) {
        in[i] = (unsigned char)(rnd_u32() % 256);
    }
    for (i = 0; i < (int64_t)w_n; ++i) {
        w[i] = (int8_t)((int32_t)(rnd_u32() % 256) - 128);
    }
    for (o = 0; o < p.out_channels; ++o) {
        const double spread = 11000.0 * sqrt((double)(icg * p.kernel_h * p.kernel_w)) + 1.0;
        double s = 150.0 / spread * (0.5 + (double)(rnd_u32() % 1000) / 1000.0);
        if (o % 2) {
            s = ldexp(1.0, (int)floor(log2(s) + 0.5)); /* ties */
        }
        scale[o] = (float)s;
        offset[o] = (int32_t)(rnd_u32() % 2000001) - 1000000;
    }
    epi.kind = kind;
    epi.scale = scale;
    epi.per_row = (cc->ih + kind) % 2 == 0;
    epi.zero_point = kind == MK_QGEMM_OUT_UINT8 ? (int32_t)(rnd_u32() % 256) : (int32_t)(rnd_u32() % 256) - 128;
    for (b = 0; b < p.batch; ++b) {
        for (o = 0; o < p.out_channels; ++o) {
            const int64_t g = o / ocg;
            for (y = 0; y < p.out_h; ++y) {
                for (x = 0; x < p.out_w; ++x) {
                    int64_t s = cc->with_bias ? offset[o] : 0;
                    for (c = 0; c < icg; ++c) {
                        for (i = 0; i < p.kernel_h; ++i) {
                            for (j = 0; j < p.kernel_w; ++j) {
                                const int64_t yy = y * p.stride_h - p.pad_top + i * p.dilation_h;
                                const int64_t xx = x * p.stride_w - p.pad_left + j * p.dilation_w;
                                int64_t u = zp_u;
                                if (yy >= 0 && yy < p.in_h && xx >= 0 && xx < p.in_w) {
                                    const unsigned raw =
                                        in[((b * p.in_channels + g * icg + c) * p.in_h + yy) * p.in_w + xx];
                                    u = input_int8 ? (int64_t)(raw ^ 0x80u) : (int64_t)raw;
                                }
                                s += (int64_t)w[((o * icg + c) * p.kernel_h + i) * p.kernel_w + j] * u;
                            }
                        }
                    }
                    ref_store(kind, wrap32(s), scale[epi.per_row ? o : 0], epi.zero_point,
                              expect + (size_t)(((b * p.out_channels + o) * p.out_h + y) * p.out_w + x) * es);
                }
            }
        }
    }
    sbytes = prepacked ? mk_qconv2d_prepacked_scratch_bytes(&p) : mk_qconv2d_scratch_bytes(&p);
    pbytes = mk_qconv2d_packed_weight_bytes(&p);
    scratch = scratch_alloc(sbytes);
    if (prepacked) {
        packed = scratch_alloc(pbytes);
        mk_qconv2d_pack_weight(&g_reverse, &p, w, packed);
    }
    mk_qconv2d(&g_serial, &p, in, w, packed, cc->with_bias ? offset : NULL, &epi, out, scratch);
    mk_qconv2d(&g_reverse, &p, in, w, packed, cc->with_bias ? offset : NULL, &epi, out2, scratch);
    ok = bytes_equal(out, expect, out_n * es) && scratch_intact(scratch, sbytes) &&
         (packed == NULL || scratch_intact(packed, pbytes));
    snprintf(what, sizeof(what),
             "qconv2d n=%lld ic=%lld %lldx%lld oc=%lld k=%lldx%lld s=%lld,%lld pad=%lld,%lld,%lld,%lld d=%lld,%lld "
             "g=%lld offset=%d out=%s in=%s prepacked=%d strategy=%d",
             (long long)cc->batch, (long long)cc->ic, (long long)cc->ih, (long long)cc->iw, (long long)cc->oc,
             (long long)cc->kh, (long long)cc->kw, (long long)cc->sh, (long long)cc->sw, (long long)cc->pt,
             (long long)cc->pl, (long long)cc->pb, (long long)cc->pr, (long long)cc->dh, (long long)cc->dw,
             (long long)cc->groups, cc->with_bias, kind_name(kind), input_int8 ? "s8" : "u8", prepacked,
             mk_qconv2d_strategy(&p));
    report(ok, what);
    report(bytes_equal(out, out2, out_n * es), "qconv2d determinism (reverse task order)");
    bytes_free(in);
    free(w);
    bytes_free(out);
    bytes_free(out2);
    bytes_free(expect);
    free(offset);
    free(scale);
    free(scratch);
    free(packed);
}

static void test_qconv(void)
{
    static const conv_case cases[] = {
        /* n, ic, ih, iw, oc, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, g, offset */
        {2, 16, 7, 9, 24, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1},    /* pointwise */
        {1, 64, 56, 56, 64, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0},  /* pointwise, resnet-sized */
        {1, 8, 5, 5, 6, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 2, 1},      /* pointwise, grouped */
        {1, 6, 4, 4, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1},      /* pointwise, one output channel */
        {1, 40, 1, 1, 10, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1},    /* pointwise, one pixel */
        {2, 16, 9, 9, 8, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, 1},     /* 1x1 stride 2 */
        {1, 3, 32, 32, 16, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1, 1},   /* resnet stem */
        {2, 5, 11, 13, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},    /* 3x3 same */
        {1, 8, 12, 10, 9, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 0},    /* 3x3 stride 2 */
        {1, 8, 12, 11, 9, 3, 3, 2, 2, 0, 1, 1, 0, 1, 1, 1, 1},    /* asymmetric pads */
        {1, 4, 15, 15, 5, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1, 1},    /* dilation 2 */
        {1, 4, 16, 14, 6, 3, 2, 2, 1, 2, 0, 1, 3, 2, 3, 1, 1},    /* mixed stride/dilation */
        {1, 3, 6, 6, 4, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1},      /* kernel as large as input */
        {1, 2, 3, 3, 3, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1, 0},      /* kernel larger than input */
        {1, 6, 9, 17, 8, 1, 7, 1, 1, 0, 3, 0, 3, 1, 1, 1, 1},     /* 1x7 */
        {1, 6, 17, 9, 8, 7, 1, 1, 1, 3, 0, 3, 0, 1, 1, 1, 1},     /* 7x1 */
        {2, 8, 10, 10, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1},   /* grouped 2 */
        {1, 16, 9, 9, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 4, 1},    /* grouped 4 */
        {1, 8, 7, 7, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1},      /* grouped, 1 out channel per group */
        {2, 8, 13, 12, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 8, 1},    /* depthwise */
        {1, 16, 14, 14, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 16, 0}, /* depthwise stride 2 */
        {1, 8, 15, 15, 8, 5, 5, 1, 1, 4, 4, 4, 4, 2, 2, 8, 1},    /* depthwise dilation 2 */
        {1, 4, 10, 9, 8, 3, 3, 1, 2, 1, 0, 2, 1, 1, 1, 4, 1},     /* depthwise multiplier 2 */
        {1, 6, 9, 80, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 6, 1},     /* depthwise, full blocks stride 1 */
        {1, 6, 9, 150, 6, 3, 5, 2, 2, 1, 2, 1, 2, 1, 1, 6, 1},    /* depthwise, full blocks stride 2 */
        {1, 3, 7, 100, 3, 1, 3, 1, 3, 0, 1, 0, 1, 1, 1, 3, 1},    /* depthwise stride 3 */
        {1, 32, 7, 7, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 32, 1},   /* depthwise, one band */
        {1, 6, 17, 19, 6, 5, 5, 2, 2, 2, 2, 2, 2, 1, 1, 6, 1},    /* depthwise band 5x5 stride 2 */
        {1, 4, 9, 40, 4, 3, 7, 1, 1, 1, 3, 1, 3, 1, 1, 4, 0},     /* depthwise band 3x7: two groups of 4 taps */
        {1, 3, 5, 40, 3, 1, 13, 2, 2, 0, 6, 0, 6, 1, 1, 3, 1},    /* depthwise band 1x13 stride 2 */
        {1, 4, 15, 15, 4, 3, 3, 1, 1, 2, 1, 2, 1, 2, 1, 4, 1},    /* depthwise band, dilation 2 down only */
        {1, 8, 28, 28, 8, 3, 3, 2, 2, 0, 0, 1, 1, 1, 1, 8, 0},    /* depthwise band, stride 2, pad after */
        {1, 4, 9, 11, 4, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 4, 1},     /* depthwise band, stride 3 */
        {1, 2, 200, 20, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1},   /* depthwise, many bands */
        {1, 2, 5, 5000, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1},   /* depthwise, rows too wide for a band */
        {1, 2, 6, 200, 2, 3, 3, 1, 2, 1, 1, 1, 1, 1, 1, 2, 1},   /* depthwise, unequal strides: blocks */
        {1, 1, 12, 12, 6, 5, 5, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1},    /* single input channel */
        {1, 64, 48, 48, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},  /* resnet-like 3x3 */
        {1, 64, 75, 75, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},   /* several im2col tiles */
        {1, 4, 5, 150, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1},    /* stride 2, rows of 75 outputs */
        {1, 3, 7, 97, 5, 1, 3, 1, 2, 0, 2, 0, 1, 1, 2, 1, 1},     /* stride 2 across only, dilation 2 */
        {1, 5, 8, 70, 4, 3, 3, 1, 1, 0, 2, 2, 0, 1, 1, 1, 1},     /* stride 1, rows wider than the input */
        {1, 3, 20, 20, 5, 3, 3, 3, 3, 0, 0, 2, 2, 1, 1, 1, 1},    /* bottom/right pad only */
        {3, 7, 5, 6, 5, 2, 3, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1},      /* even kernel, batch 3 */
        /* Stride 2 on twice the output's size: the implicit im2col's phases. */
        {1, 32, 14, 14, 40, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, 1},  /* 1x1 stride 2, one phase */
        {1, 16, 56, 56, 24, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 0},  /* 3x3 stride 2, resnet-sized */
        {2, 6, 8, 10, 7, 2, 2, 2, 2, 1, 1, 1, 1, 2, 2, 1, 1},     /* even dilation: one odd phase */
        {1, 16, 10, 10, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 2, 1},   /* grouped stride 2 */
        {1, 5, 12, 8, 6, 5, 3, 2, 2, 2, 0, 1, 2, 1, 1, 1, 1},     /* unequal kernel, asymmetric pads */
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
        int kind;
        for (kind = 0; kind < 4; ++kind) {
            test_qconv_case(&cases[i], kind, (int)(i + (size_t)kind) % 2, (int)(i / 2 + (size_t)kind) % 2 == 0);
        }
    }
}

/* ------------------------------------------------------------------------ */

/* mk_erff against libm's double erf on 2^21 points of [-6, 6] and on
 * powers of two down to the subnormals, within the documented 4.2e-7 (an
 * exhaustive sweep of the f32 values, run once, agrees); NaN stays NaN. */
static void test_erf(void)
{
    double worst = 0.0;
    int64_t i;
    for (i = 0; i <= ((int64_t)1 << 21); ++i) {
        const float x = (float)(-6.0 + 12.0 * (double)i / (double)((int64_t)1 << 21));
        const double e = fabs((double)mk_erff(x) - erf((double)x));
        worst = e > worst ? e : worst;
    }
    for (i = 0; i < 150; ++i) {
        const float x = ldexpf(1.0f, -(int)i);
        const double e = fabs((double)mk_erff(x) - erf((double)x));
        worst = e > worst ? e : worst;
    }
    report(worst <= 4.2e-7, "mk_erff within 4.2e-7 of erf on [-6, 6]");
    report(mk_erff(1e30f) == 1.0f && mk_erff(-1e30f) == -1.0f && isnan(mk_erff(NAN)),
           "mk_erff saturates at +-1 and keeps NaN");
}

/* mk_expf against exp in double: within 3 ulp wherever the result is a
 * normal float, and its edges. */
static void test_exp(void)
{
    const int64_t steps = (int64_t)1 << 22;
    double worst = 0.0;
    int64_t i;
    for (i = 0; i <= steps; ++i) {
        const float x = (float)(-87.33 + (88.7 + 87.33) * (double)i / (double)steps);
        const double ref = exp((double)x);
        const float rounded = (float)ref;
        const double ulp = (double)nextafterf(rounded, INFINITY) - (double)rounded;
        const double e = fabs((double)mk_expf(x) - ref) / ulp;
        worst = e > worst ? e : worst;
    }
    report(worst <= 3.0, "mk_expf within 3 ulp of exp on [-87.33, 88.7]");
    report(mk_expf(0.0f) == 1.0f && mk_expf(-INFINITY) == 0.0f && mk_expf(-88.0f) == 0.0f &&
               isinf(mk_expf(89.0f)) && isinf(mk_expf(INFINITY)) && isnan(mk_expf(NAN)),
           "mk_expf: exp(0) = 1, 0 below ln(FLT_MIN), +inf above ln(FLT_MAX), NaN stays NaN");
}

int main(void)
{
    g_verbose = getenv("KERNELS_TEST_VERBOSE") != NULL;
    test_gemm();
    test_hgemm_pack_bytes();
    test_hgemm();
    test_conv();
    test_hconv();
    test_pool();
    test_mean_rows();
    test_softmax();
    test_layernorm();
    test_requantize();
    test_qgemm();
    test_qconv();
#if defined(MK_QGEMM_AMX) || MK_HGEMM_AMX
    /* The tiles when this process may use them, then the AVX-512 kernels
     * that run on the same packings when it may not (an older kernel). */
    report(mk_amx_state != 0, "the AMX paths asked for the tile permission");
    printf("AMX tiles %s; again with the AVX-512 kernels on the AMX packings\n",
           mk_amx_state > 0 ? "used" : "refused by the kernel");
    mk_amx_state = -1;
    test_hgemm();
    test_hconv();
    test_qgemm();
    test_qconv();
#endif
    test_erf();
    test_exp();
    if (g_reverse_calls == 0) {
        report(0, "the reverse-order parallel_for was never used");
    }
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed != 0;
}
