/*
 * modelc C runtime kernels -- prelude.
 *
 * Pasted once, before any other kernel file, into every generated model
 * source (after the model header, which already defines modelc_task_fn and
 * modelc_parallel_for_fn). Holds the includes, the portability macros, the
 * execution context handed to every kernel and the parallel-for helper.
 *
 * Rules shared by every kernel file: C99, freestanding (no allocation, no
 * stdio, no mutable globals or statics but mk_amx_state), every function static, prefixed
 * mk_ and marked MK_UNUSED. SIMD code sits behind __AVX512F__,
 * __AVX2__ && __FMA__ or __ARM_NEON (AArch64) with a scalar fallback.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#include <immintrin.h>
#endif
#if defined(__ARM_NEON) && defined(__aarch64__)
#include <arm_neon.h>
#endif

#if defined(__GNUC__) || defined(__clang__)
#define MK_UNUSED __attribute__((unused))
#define MK_NOINLINE __attribute__((noinline))
/* Per-element math that loops must inline to vectorize (mk_expf, mk_erff):
 * GCC 12 keeps a call per element otherwise once a function has a few
 * callers. */
#define MK_INLINE __inline__ __attribute__((always_inline))
#else
#define MK_UNUSED
#define MK_NOINLINE
#define MK_INLINE
#endif

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L
#define MK_RESTRICT restrict
#elif defined(__GNUC__) || defined(__clang__)
#define MK_RESTRICT __restrict__
#else
#define MK_RESTRICT
#endif

/* Execution context: how kernels fan work out. parallel_for == NULL means
 * run serially. parallel_for(user, count, task, task_ctx) must call
 * task(task_ctx, i) exactly once for every i in [0, count), in any order
 * and on any threads, and return only when all calls have finished. */
typedef struct mk_exec {
    modelc_parallel_for_fn parallel_for;
    void *user;
} mk_exec;

/* Runs task(task_ctx, i) for i in [0, count): through ex->parallel_for when
 * ex and its parallel_for are non-null and count > 1, else serially in
 * increasing order. Kernels only split work over disjoint outputs, so the
 * result never depends on the order or on the number of threads. */
MK_UNUSED static void mk_parallel(const mk_exec *ex, size_t count, modelc_task_fn task, void *task_ctx)
{
    size_t i;
    if (count == 0) {
        return;
    }
    if (ex != NULL && ex->parallel_for != NULL && count > 1) {
        ex->parallel_for(ex->user, count, task, task_ctx);
        return;
    }
    for (i = 0; i < count; ++i) {
        task(task_ctx, i);
    }
}

/* Smaller / larger of two int64_t values. */
MK_UNUSED static int64_t mk_min_i64(int64_t a, int64_t b) { return a < b ? a : b; }
MK_UNUSED static int64_t mk_max_i64(int64_t a, int64_t b) { return a > b ? a : b; }

/* ceil(a / b) for a >= 0, b > 0. */
MK_UNUSED static int64_t mk_div_up(int64_t a, int64_t b) { return (a + b - 1) / b; }

/* x rounded up to a multiple of q (x >= 0, q > 0). */
MK_UNUSED static int64_t mk_round_up(int64_t x, int64_t q) { return mk_div_up(x, q) * q; }

/* Splits [0, total) into `parts` nearly equal contiguous ranges and returns
 * the start of range `index` (index == parts gives total). */
MK_UNUSED static int64_t mk_split_point(int64_t total, int64_t parts, int64_t index)
{
    return (total / parts) * index + mk_min_i64(index, total % parts);
}

/* What conv.c and qconv.c share, over the geometry fields that
 * mk_conv2d_params and mk_qconv2d_params both have. */

/* The strategy a convolution shape takes (MK_CONV_* and MK_QCONV_* have
 * these values): 0 direct (one input channel per group), 1 pointwise (1x1,
 * stride 1, no padding: one GEMM on the input planes), 2 im2col. */
#define MK_CONV_SHAPE_STRATEGY(p)                                                                              \
    ((p)->in_channels / (p)->groups == 1 ? 0                                                                   \
     : (p)->kernel_h == 1 && (p)->kernel_w == 1 && (p)->stride_h == 1 && (p)->stride_w == 1 &&                \
             (p)->pad_top == 0 && (p)->pad_left == 0 && (p)->out_h == (p)->in_h && (p)->out_w == (p)->in_w     \
         ? 1                                                                                                   \
         : 2)

/* im2col tiling of the output pixels: tiles of at most `width` pixels. */
typedef struct mk_im2col_tiling {
    int64_t k;        /* GEMM depth: in_c/groups * kh * kw */
    int64_t pixels;   /* out_h * out_w */
    int64_t tiles;
    int64_t width;    /* pixels per tile (last may be shorter) */
    size_t col_bytes; /* bytes for one tile, rounded up to 64 */
} mk_im2col_tiling;

/* Cuts `pixels` output pixels into near-equal tiles, a multiple of nr wide
 * (but at least nr), whose im2col columns of k elements of elem_bytes each
 * stay within tile_bytes. */
MK_UNUSED static void mk_im2col_make_tiling(int64_t k, int64_t pixels, size_t elem_bytes, size_t tile_bytes, int64_t nr,
                                            mk_im2col_tiling *t)
{
    int64_t cap = (int64_t)(tile_bytes / elem_bytes) / k;
    t->k = k;
    t->pixels = pixels;
    cap = mk_max_i64(nr, cap / nr * nr);
    t->tiles = mk_div_up(pixels, cap);
    t->width = mk_min_i64(pixels, mk_round_up(mk_div_up(pixels, t->tiles), nr));
    t->tiles = mk_div_up(pixels, t->width);
    t->col_bytes = (size_t)mk_round_up(k * t->width * (int64_t)elem_bytes, 64);
}

/* Range [*lo, *hi) of output positions o in [0, out_len) whose input
 * position o * stride + offset lies in [0, in_len); *lo == *hi when empty.
 * stride >= 1. Shared by the convolution and pooling kernels. */
MK_UNUSED static void mk_valid_range(int64_t offset, int64_t stride, int64_t in_len, int64_t out_len, int64_t *lo,
                                     int64_t *hi)
{
    int64_t first = offset >= 0 ? 0 : mk_div_up(-offset, stride);
    int64_t last = in_len - 1 - offset >= 0 ? (in_len - 1 - offset) / stride + 1 : 0;
    first = mk_min_i64(first, out_len);
    last = mk_min_i64(last, out_len);
    *lo = first;
    *hi = mk_max_i64(first, last);
}

/* Bits [lo, hi) of a 32-bit lane mask (none when hi <= lo); 0 <= lo, and
 * hi <= 32. */
MK_UNUSED static uint32_t mk_lane_range(int64_t lo, int64_t hi)
{
    return hi <= lo ? 0u : (hi - lo >= 32 ? 0xFFFFFFFFu : (1u << (hi - lo)) - 1u) << lo;
}

/* The lane masks of an implicit im2col (qconv.c, hconv.c): for `valid` <=
 * 32 consecutive output pixels from pixel `first` (rows out_w wide), ORs
 * lane l into row_mask[t * stride] when its output row plus row_shift[t]
 * lies in [0, plane_h), and into col_mask[t * stride] when its column plus
 * col_shift[t] lies in [0, plane_w). The pixels go output row by output
 * row, one lane range per tap and row. */
MK_UNUSED static void mk_tap_lane_masks(int64_t first, int64_t valid, int64_t out_w, int64_t kernel_h,
                                        const int64_t *row_shift, int64_t plane_h, int64_t kernel_w,
                                        const int64_t *col_shift, int64_t plane_w, uint32_t *row_mask,
                                        uint32_t *col_mask, int64_t stride)
{
    int64_t oh = first / out_w, ow = first % out_w, lane = 0, t;
    while (lane < valid) {
        /* Lanes [lane, lane + len) are row oh, columns ow .. ow + len - 1. */
        const int64_t len = mk_min_i64(valid - lane, out_w - ow);
        for (t = 0; t < kernel_h; ++t) {
            const int64_t y = oh + row_shift[t];
            if (y >= 0 && y < plane_h) {
                row_mask[t * stride] |= mk_lane_range(lane, lane + len);
            }
        }
        for (t = 0; t < kernel_w; ++t) {
            const int64_t lo = mk_max_i64(ow, -col_shift[t]), hi = mk_min_i64(ow + len, plane_w - col_shift[t]);
            col_mask[t * stride] |= mk_lane_range(lane + lo - ow, lane + hi - ow);
        }
        lane += len;
        ow = 0;
        ++oh;
    }
}

#if defined(__AVX512BW__)
/* src[0], src[2], ..., src[2 * (count - 1)] in the low `count` bytes (1 <=
 * count <= 32), zeros above: the low byte of each 16-bit lane of 64 loaded
 * bytes (vpmovwb). The load reads only the 2 * count - 1 bytes it uses. */
MK_UNUSED static MK_INLINE __m256i mk_even_bytes(const void *src, int64_t count)
{
    const __mmask64 bytes = count >= 32 ? ~(__mmask64)0 >> 1 : ((__mmask64)1 << (2 * count - 1)) - 1u;
    return _mm512_cvtepi16_epi8(_mm512_maskz_loadu_epi8(bytes, src));
}
#endif

#if defined(__AMX_TILE__) && defined(__AVX512F__) && defined(__linux__) && defined(__x86_64__)
/* AMX (Advanced Matrix Extensions): the tile kernels of qgemm.c (AMX-INT8)
 * and hgemm.c (AMX-BF16) share the permission and the configuration. */
#define MK_AMX 1

/* Linux hands out AMX's tile state only on request (arch_prctl
 * ARCH_REQ_XCOMP_PERM for XFEATURE_XTILEDATA, since 5.16); a tile
 * instruction before it is SIGILL. The request is a raw syscall: in strict
 * C99 <unistd.h> declares no syscall(). */
MK_UNUSED static long mk_amx_request(void)
{
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "0"(158L /* SYS_arch_prctl */), "D"(0x1023L /* ARCH_REQ_XCOMP_PERM */),
                       "S"(18L /* XFEATURE_XTILEDATA */)
                     : "rcx", "r11", "memory");
    return ret;
}

/* 0: not asked yet; 1: the tiles may be used; -1: refused (an older kernel,
 * or a CPU without AMX), and the kernels run their AVX-512 fallbacks on the
 * same packing. The one mutable static of the kernels: the permission
 * belongs to the process, asking twice is harmless, and racing threads store
 * the same answer. */
MK_UNUSED static int mk_amx_state;

MK_UNUSED static int mk_amx_usable(void)
{
    int state = __atomic_load_n(&mk_amx_state, __ATOMIC_RELAXED);
    if (state == 0) {
        state = mk_amx_request() == 0 ? 1 : -1;
        __atomic_store_n(&mk_amx_state, state, __ATOMIC_RELAXED);
    }
    return state > 0;
}

/* Palette 1 with all 8 tiles 16 rows of 64 bytes: an int32 or f32 C tile
 * of 16 x 16, an A tile of 16 rows of 64 int8 values or 32 bf16 values, a
 * B tile of 16 rows of 16 columns of 4 int8 values or 2 bf16 values. The
 * configuration is per thread: loaded by every tile task before its
 * kernels, released (_tile_release) after. */
MK_UNUSED static void mk_amx_configure(void)
{
    struct {
        uint8_t palette, start_row, reserved[14];
        uint16_t colsb[16];
        uint8_t rows[16];
    } config;
    int t;
    memset(&config, 0, sizeof(config));
    config.palette = 1;
    for (t = 0; t < 8; ++t) {
        config.colsb[t] = 64;
        config.rows[t] = 16;
    }
    _tile_loadconfig(&config);
}
#endif

/* erf in straight-line f32 code that compilers vectorize inside a loop
 * (libm's erff is one call per element, a fifth of BERT's time in its
 * GELUs): x * P(x^2) / Q(x^2), a (5, 5) rational fitted by reweighted least
 * squares for relative error on [0, 4], with x clamped to [-4, 4] (erf(4)
 * is 1 - 1.5e-8, 1.0f in f32). Evaluated in f32 it is within 4.2e-7 of erf
 * everywhere (libm: 1 ulp); a NaN stays NaN. */
MK_UNUSED static MK_INLINE float mk_erff(float x)
{
    const float c = x > 4.0f ? 4.0f : (x < -4.0f ? -4.0f : x);
    const float t = c * c;
    const float p = ((((1.987436764e-06f * t + 2.845079916e-04f) * t + 3.880296492e-03f) * t + 5.309215023e-02f) * t +
                     1.934726395e-01f) * t + 1.128379139e+00f;
    const float q = ((((3.742402060e-05f * t + 1.184857176e-03f) * t + 1.520105471e-02f) * t + 1.153200725e-01f) * t +
                     5.047932225e-01f) * t + 1.0f;
    const float r = c * p / q;
    return r > 1.0f ? 1.0f : (r < -1.0f ? -1.0f : r);
}

/* exp(x) in f32 as straight-line code that compilers vectorize (glibc's
 * expf is a call per element; softmax, sigmoid and the generated loops
 * compute it per element). x = n ln2 + r with n = round(x / ln2), ln2 in
 * two parts so that n * ln2 is exact, |r| <= ln2 / 2; e^r by its degree-6
 * Taylor polynomial; 2^n in the exponent bits, in two halves so that
 * n = 128 does not overflow them. Within 3 ulp of exp where the result is
 * a normal float; +inf above ln(FLT_MAX), 0 below ln(FLT_MIN) (no
 * subnormal results), NaN stays NaN. Needs the default rounding mode. */
MK_UNUSED static MK_INLINE float mk_expf(float x)
{
    const float lo = -87.3365479f, hi = 88.7228394f; /* ln(FLT_MIN), ln(FLT_MAX) */
    const float c = x > hi ? hi : (x < lo ? lo : x);
    const float n = (c * 1.44269504f + 12582912.0f) - 12582912.0f; /* 1.5 * 2^23 rounds to even */
    const float r = (c - n * 0.693145752f) - n * 1.42860677e-06f;
    const float p = (((((1.0f / 720.0f * r + 1.0f / 120.0f) * r + 1.0f / 24.0f) * r + 1.0f / 6.0f) * r + 0.5f) * r +
                     1.0f) * r + 1.0f;
    const int32_t k = (int32_t)n;
    const int32_t bits_a = (k / 2 + 127) << 23, bits_b = (k - k / 2 + 127) << 23;
    float scale_a, scale_b, y;
    memcpy(&scale_a, &bits_a, sizeof(scale_a));
    memcpy(&scale_b, &bits_b, sizeof(scale_b));
    y = p * scale_a * scale_b;
    y = x > hi ? INFINITY : y;
    y = x < lo ? 0.0f : y;
    return x != x ? x : y;
}

/* Sum of x[0..n) in float with a fixed order (16 interleaved partial sums
 * combined pairwise, then the tail): vectorizable, accurate, deterministic. */
MK_UNUSED static float mk_sum_f32(const float *x, int64_t n)
{
    float lanes[16];
    float total;
    int64_t i = 0;
    int l, width;
    for (l = 0; l < 16; ++l) {
        lanes[l] = 0.0f;
    }
    for (; i + 16 <= n; i += 16) {
        for (l = 0; l < 16; ++l) {
            lanes[l] += x[i + l];
        }
    }
    for (width = 8; width > 0; width /= 2) {
        for (l = 0; l < width; ++l) {
            lanes[l] += lanes[l + width];
        }
    }
    total = lanes[0];
    for (; i < n; ++i) {
        total += x[i];
    }
    return total;
}
