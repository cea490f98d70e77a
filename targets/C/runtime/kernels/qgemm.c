/*
 * modelc C runtime kernels -- 8-bit GEMM (needs prelude.c).
 *
 * mk_qgemm computes, for i < m and j < n,
 *     acc[i][j] = row_offset[i] + sum_{p < k} A[i][p] * u(B[p][j])
 * with A int8 (the weights: conv weights [out_channels][K], or a matmul's
 * transposed weight), B 8-bit activations and u(b) = b for uint8
 * activations, u(b) = b + 128 for int8 ones (the packer flips the sign bit).
 * A caller with activation zero point z therefore folds
 *     row_offset[i] = bias[i] - u(z) * sum_p A[i][p]
 * so that acc is bias + sum A * (x - z) exactly; A's own zero point must be
 * 0 (symmetric weights). The epilogue (mk_qgemm_epilogue) writes acc as
 * int32, requantized uint8/int8 or dequantized f32.
 *
 * Exactness: every path sums in 32-bit wrap-around arithmetic with no
 * saturating or narrower intermediate, so acc is the true value modulo 2^32:
 * exact whenever it fits int32, and the same bits on every path always.
 * Requantization is saturate(round_half_to_even((float)acc * multiplier) +
 * zero_point): the int32 -> f32 conversion rounds to nearest even, the
 * multiply is one f32 multiply, the rounding half to even (cvtps2dq /
 * FCVTNS in SIMD, the 1.5 * 2^23 trick in C on clamped values). It needs
 * the default rounding mode and no -ffast-math; results are then
 * bit-identical across paths and thread counts.
 *
 * Paths and blocking: A is packed once per call into MR-row panels (or
 * beforehand by mk_qgemm_pack_a, e.g. once per model for constant weights),
 * each task packs a tile's B block into NR-column panels, and a
 * register-blocked MR x NR microkernel runs over the whole depth:
 *  - AMX-INT8 (16x32, built with -mamx-int8 -mamx-tile on x86-64 Linux):
 *    the VNNI path's B panels, A panels of 16 rows in steps of 64 depth
 *    values, and two TDPBSUD tiles (s8 x u8 into s32, non-saturating) per
 *    step; every panel, a short last one too, takes the one kernel. The
 *    process asks Linux for the tiles once; refused, the same packing runs
 *    on vpdpbusd;
 *  - AVX-512 VNNI (8x32): vpdpbusd, u8 x s8 into s32, non-saturating. Full
 *    blocks of 8-bit output are requantized straight from the registers;
 *    a short last panel takes an 8x16 kernel and/or 8x8 ones (ymm
 *    vpdpbusd) instead of computing all 32 columns;
 *  - AVX2 (6x16): both operands widened to int16 when packing, vpmaddwd
 *    (exact: |2 * 255 * 128| fits int32), vpaddd;
 *  - AArch64 NEON with dot product (8x8): SDOT is s8 x s8, so B is packed
 *    as u(b) - 128 and the kernel adds 128 * rowsum(A), computed when A is
 *    packed;
 *  - portable C (4x4), also taken by AArch64 without dot product.
 * K is not blocked (there is no int32 partial to keep); instead a tile's
 * B block is limited to MK_QGEMM_B_BYTES so that it stays in L2 while the
 * A panels stream past it (blocking K to keep B panels in L1 measured no
 * faster on Zen 4). Shapes with n == 1 take a matrix-vector path, on raw
 * or pre-packed A.
 *
 * Parallelism and determinism: A panels are packed by one parallel phase,
 * then output tiles are handed to a fixed number of tasks ("slots") that
 * depends only on m, n, k and the path. Each output is computed by exactly
 * one task, so results never depend on thread count or task order. Without
 * a parallel_for the same tiles run in one pass, column block by column
 * block, so each B block is packed once rather than once per slot.
 *
 * Pre-packed A: mk_qgemm_pack_a writes mk_qgemm_packed_a_bytes(m, k)
 * bytes, one per element on every path (AVX2 keeps int8 in its int16
 * form's order, and mk_qgemm widens it into scratch on each call), so that
 * a model's packed weights take no more than the weights themselves.
 *
 * Scratch: mk_qgemm_scratch_bytes(m, n, k) bytes, 64-byte aligned, laid out
 * as mk_qgemm_work_bytes(m, n, k) bytes of per-slot B blocks followed by
 * mk_qgemm_work_a_bytes(m, k) bytes of packed A; a caller that passes a
 * pre-packed A needs mk_qgemm_prepacked_scratch_bytes(m, n, k): only the
 * first part, except on AVX2. For every shape
 *     mk_qgemm_work_bytes(m, n, k) <= MK_QGEMM_WORK_BOUND(k)
 *       = MK_QGEMM_MAX_TASKS * (max(MK_QGEMM_B_BYTES + 64 * NC / NR,
 *                                   NR * es * round_up(k, KG) + 64) + 64
 *                               + MK_QGEMM_B_SLACK)
 * (es: bytes per packed element, 2 on AVX2, else 1; the slack is 2048 on
 * AMX, else 0): for k <= 8192 that is 8,456,192 bytes on AVX-512 VNNI
 * (8,521,728 on AMX), 8,521,728 on AVX2, 4,326,400 on NEON and
 * 131,584 in portable C (predefining MK_QGEMM_MAX_TASKS, default 32 / 32 /
 * 16 / 4, shrinks it proportionally), and
 *     mk_qgemm_work_a_bytes(m, k) <= es * round_up(m, MR) * round_up(k, A_KG)
 *                                   (+ 4 * round_up(m, MR) on NEON) + 128
 * (A_KG: 64 on AMX, else KG).
 */

#if defined(__AVX512VNNI__) && defined(__AVX512BW__)
#define MK_QGEMM_VNNI 1
#if defined(MK_AMX) && defined(__AMX_INT8__)
/* AMX: the VNNI path's B panels and kernels, with 16-row A panels of 64
 * depth values a row for the tile kernel (see "AMX" below). */
#define MK_QGEMM_AMX 1
#define MK_QGEMM_MR 16
#define MK_QGEMM_A_KG 64
#else
#define MK_QGEMM_MR 8
#endif
#define MK_QGEMM_NR 32
#define MK_QGEMM_KG 4 /* depth values per packed group (one 32-bit lane) */
#define MK_QGEMM_DEFAULT_TASKS 32
typedef int8_t mk_qa_t;  /* packed A element */
typedef uint8_t mk_qb_t; /* packed B element: u(b) */
#elif defined(__AVX2__) && defined(__FMA__)
#define MK_QGEMM_AVX2 1
#define MK_QGEMM_MR 6
#define MK_QGEMM_NR 16
#define MK_QGEMM_KG 2
#define MK_QGEMM_DEFAULT_TASKS 32
typedef int16_t mk_qa_t;
typedef int16_t mk_qb_t; /* u(b), widened */
#elif defined(__ARM_NEON) && defined(__aarch64__) && defined(__ARM_FEATURE_DOTPROD)
#define MK_QGEMM_SDOT 1
#define MK_QGEMM_MR 8
#define MK_QGEMM_NR 8
#define MK_QGEMM_KG 4
#define MK_QGEMM_DEFAULT_TASKS 16
typedef int8_t mk_qa_t;
typedef int8_t mk_qb_t; /* u(b) - 128 */
#else
#define MK_QGEMM_MR 4
#define MK_QGEMM_NR 4
#define MK_QGEMM_KG 1
#define MK_QGEMM_DEFAULT_TASKS 4
typedef int8_t mk_qa_t;
typedef uint8_t mk_qb_t;
#endif

/* Depth values per packed A group: the B panels' group on every path but
 * AMX, whose A tile rows hold 64. */
#ifndef MK_QGEMM_A_KG
#define MK_QGEMM_A_KG MK_QGEMM_KG
#endif

/* Bytes past each packed B block that a kernel may read: the AMX kernel
 * loads 16 groups of B at a time, the last load up to 15 groups (of NR *
 * KG bytes) past the panel, against zeros of A. */
#if defined(MK_QGEMM_AMX)
#define MK_QGEMM_B_SLACK 2048
#else
#define MK_QGEMM_B_SLACK 0
#endif

/* What the packed B holds: u(b) - MK_QGEMM_B_SHIFT. */
#if defined(MK_QGEMM_SDOT)
#define MK_QGEMM_B_SHIFT 128
#else
#define MK_QGEMM_B_SHIFT 0
#endif

#ifndef MK_QGEMM_MAX_TASKS
#define MK_QGEMM_MAX_TASKS MK_QGEMM_DEFAULT_TASKS
#endif

/* Fewest output tiles a product is cut into when it is large enough. */
#ifndef MK_QGEMM_MIN_TILES
#define MK_QGEMM_MIN_TILES 8
#endif

/* Target size of one tile's packed B block, which should stay in L2, and
 * the widest tile (columns). */
#ifndef MK_QGEMM_B_BYTES
#if defined(MK_QGEMM_VNNI) || defined(MK_QGEMM_AVX2) || defined(MK_QGEMM_SDOT)
#define MK_QGEMM_B_BYTES ((size_t)256 << 10)
#else
#define MK_QGEMM_B_BYTES ((size_t)16 << 10)
#endif
#endif
#define MK_QGEMM_NC 1024

/* Gap (bytes) after each packed B panel, so that the panels written by one
 * packing sweep do not all map to the same L1 cache set. */
#define MK_QGEMM_PANEL_PAD 64

/* A panels packed per task of the packing phase. */
#define MK_QGEMM_PACK_PANELS 8

/* Rows per task on the matrix-vector path. */
#define MK_QGEMV_TASK_ROWS 64

#define MK_QGEMM_ES ((size_t)sizeof(mk_qb_t))

/* Upper bound of mk_qgemm_work_bytes(m, n, k) for every m and n. */
#define MK_QGEMM_WORK_BOUND(k)                                                                                 \
    ((size_t)MK_QGEMM_MAX_TASKS *                                                                              \
     ((MK_QGEMM_B_BYTES + (size_t)MK_QGEMM_PANEL_PAD * (MK_QGEMM_NC / MK_QGEMM_NR) >                           \
               (size_t)MK_QGEMM_NR * MK_QGEMM_ES * (size_t)mk_round_up((k), MK_QGEMM_KG) + MK_QGEMM_PANEL_PAD  \
           ? MK_QGEMM_B_BYTES + (size_t)MK_QGEMM_PANEL_PAD * (MK_QGEMM_NC / MK_QGEMM_NR)                       \
           : (size_t)MK_QGEMM_NR * MK_QGEMM_ES * (size_t)mk_round_up((k), MK_QGEMM_KG) + MK_QGEMM_PANEL_PAD) + \
      64 + MK_QGEMM_B_SLACK))

/* Output kinds of mk_qgemm_epilogue. */
enum { MK_QGEMM_OUT_INT32 = 0, MK_QGEMM_OUT_UINT8 = 1, MK_QGEMM_OUT_INT8 = 2, MK_QGEMM_OUT_FLOAT = 3 };

/* How acc becomes the output element (acc already includes row_offset):
 *  INT32: acc;
 *  UINT8 / INT8: saturate(round_half_to_even((float)acc * scale[i]) +
 *                zero_point) to [0, 255] / [-128, 127];
 *  FLOAT: (float)acc * scale[i].
 * scale[i] is scale[row] when per_row, else scale[0] (unused for INT32); it
 * must be finite. zero_point is any int32 of magnitude below 2^21 (ONNX's
 * lie in the output type). */
typedef struct mk_qgemm_epilogue {
    int kind;
    const float *scale;
    int per_row;
    int32_t zero_point;
} mk_qgemm_epilogue;

/* ------------------------------------------------------------------------ */
/* Epilogue.                                                                 */
/* ------------------------------------------------------------------------ */

/* The int32 whose two's complement bits are u (no implementation-defined
 * conversion; compiles to nothing). */
MK_UNUSED static int32_t mk_q_i32(uint32_t u)
{
    return u < 0x80000000u ? (int32_t)u : (int32_t)(u - 0x80000000u) - INT32_MAX - 1;
}

/* Bytes of one output element of an epilogue kind. */
MK_UNUSED static size_t mk_qgemm_out_bytes(int kind)
{
    return kind == MK_QGEMM_OUT_UINT8 || kind == MK_QGEMM_OUT_INT8 ? 1 : 4;
}

/* Multiplier or scale of output row i. */
MK_UNUSED static float mk_qgemm_row_scale(const mk_qgemm_epilogue *e, int64_t i)
{
    if (e == NULL || e->kind == MK_QGEMM_OUT_INT32) {
        return 1.0f;
    }
    return e->scale[e->per_row ? i : 0];
}

/* Scalar requantization. x is first clamped to the integers [lo_f, hi_f] =
 * [lo - zero, hi - zero] (a NaN goes to lo_f, as maxps does): outside them
 * the result saturates anyway, and inside rounding plus zero cannot leave
 * [lo, hi]. That also keeps |x| small enough for the rounding trick: adding
 * 1.5 * 2^23 leaves no fraction bits, so the sum is rounded half to even. */
MK_UNUSED static int32_t mk_q_requantize(int32_t acc, float scale, float lo_f, float hi_f, int32_t zero)
{
    float x = (float)acc * scale;
    float r;
    x = x > lo_f ? x : lo_f;
    x = x < hi_f ? x : hi_f;
    r = (float)(x + 12582912.0f) - 12582912.0f;
    return (int32_t)r + zero;
}

/* out[j * stride] = epilogue(acc[j] + offset) for j < count, row scale
 * `scale`; out points at the row's first element. */
MK_UNUSED static void mk_qgemm_store_row(const mk_qgemm_epilogue *e, const int32_t *acc, int64_t count,
                                         uint32_t offset, float scale, void *out, int64_t stride)
{
    const int kind = e != NULL ? e->kind : MK_QGEMM_OUT_INT32;
    int64_t j = 0;
    if (kind == MK_QGEMM_OUT_INT32 || kind == MK_QGEMM_OUT_FLOAT) {
        int32_t *oi = (int32_t *)out;
        float *of = (float *)out;
        if (stride == 1) {
#if defined(MK_QGEMM_VNNI)
            const __m512i voff = _mm512_set1_epi32(mk_q_i32(offset));
            const __m512 vs = _mm512_set1_ps(scale);
            for (; j < count; j += 16) {
                const __mmask16 mask = count - j >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (count - j)) - 1u);
                const __m512i v = _mm512_add_epi32(_mm512_maskz_loadu_epi32(mask, acc + j), voff);
                if (kind == MK_QGEMM_OUT_INT32) {
                    _mm512_mask_storeu_epi32(oi + j, mask, v);
                } else {
                    _mm512_mask_storeu_ps(of + j, mask, _mm512_mul_ps(_mm512_cvtepi32_ps(v), vs));
                }
            }
#elif defined(MK_QGEMM_AVX2)
            const __m256i voff = _mm256_set1_epi32(mk_q_i32(offset));
            const __m256 vs = _mm256_set1_ps(scale);
            for (; j + 8 <= count; j += 8) {
                const __m256i v = _mm256_add_epi32(_mm256_loadu_si256((const __m256i *)(acc + j)), voff);
                if (kind == MK_QGEMM_OUT_INT32) {
                    _mm256_storeu_si256((__m256i *)(oi + j), v);
                } else {
                    _mm256_storeu_ps(of + j, _mm256_mul_ps(_mm256_cvtepi32_ps(v), vs));
                }
            }
#elif defined(MK_QGEMM_SDOT)
            const int32x4_t voff = vdupq_n_s32(mk_q_i32(offset));
            const float32x4_t vs = vdupq_n_f32(scale);
            for (; j + 4 <= count; j += 4) {
                const int32x4_t v = vaddq_s32(vld1q_s32(acc + j), voff);
                if (kind == MK_QGEMM_OUT_INT32) {
                    vst1q_s32(oi + j, v);
                } else {
                    vst1q_f32(of + j, vmulq_f32(vcvtq_f32_s32(v), vs));
                }
            }
#endif
        }
        for (; j < count; ++j) {
            const int32_t v = mk_q_i32((uint32_t)acc[j] + offset);
            if (kind == MK_QGEMM_OUT_INT32) {
                oi[j * stride] = v;
            } else {
                of[j * stride] = (float)v * scale;
            }
        }
        return;
    }
    {
        const int32_t lo = kind == MK_QGEMM_OUT_UINT8 ? 0 : -128;
        const int32_t hi = kind == MK_QGEMM_OUT_UINT8 ? 255 : 127;
        const int32_t zero = e->zero_point;
        const float lo_f = (float)(lo - zero), hi_f = (float)(hi - zero);
        uint8_t *ou = (uint8_t *)out;
        int8_t *os = (int8_t *)out;
        if (stride == 1) {
#if defined(MK_QGEMM_VNNI)
            const __m512i voff = _mm512_set1_epi32(mk_q_i32(offset)), vz = _mm512_set1_epi32(zero);
            const __m512 vs = _mm512_set1_ps(scale), vlo_f = _mm512_set1_ps(lo_f), vhi_f = _mm512_set1_ps(hi_f);
            for (; j < count; j += 16) {
                const __mmask16 mask = count - j >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (count - j)) - 1u);
                const __m512i v = _mm512_add_epi32(_mm512_maskz_loadu_epi32(mask, acc + j), voff);
                __m512 x = _mm512_mul_ps(_mm512_cvtepi32_ps(v), vs);
                __m512i q;
                x = _mm512_min_ps(_mm512_max_ps(x, vlo_f), vhi_f);
                q = _mm512_add_epi32(_mm512_cvtps_epi32(x), vz);
                _mm512_mask_cvtepi32_storeu_epi8(ou + j, mask, q);
            }
#elif defined(MK_QGEMM_AVX2)
            const __m256i voff = _mm256_set1_epi32(mk_q_i32(offset)), vz = _mm256_set1_epi32(zero);
            const __m256 vs = _mm256_set1_ps(scale), vlo_f = _mm256_set1_ps(lo_f), vhi_f = _mm256_set1_ps(hi_f);
            for (; j + 8 <= count; j += 8) {
                const __m256i v = _mm256_add_epi32(_mm256_loadu_si256((const __m256i *)(acc + j)), voff);
                __m256 x = _mm256_mul_ps(_mm256_cvtepi32_ps(v), vs);
                __m256i q;
                __m128i w;
                x = _mm256_min_ps(_mm256_max_ps(x, vlo_f), vhi_f);
                q = _mm256_add_epi32(_mm256_cvtps_epi32(x), vz);
                w = _mm_packs_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
                w = kind == MK_QGEMM_OUT_UINT8 ? _mm_packus_epi16(w, w) : _mm_packs_epi16(w, w);
                _mm_storel_epi64((__m128i *)(ou + j), w);
            }
#elif defined(MK_QGEMM_SDOT)
            const int32x4_t voff = vdupq_n_s32(mk_q_i32(offset)), vz = vdupq_n_s32(zero);
            const float32x4_t vs = vdupq_n_f32(scale), vlo_f = vdupq_n_f32(lo_f), vhi_f = vdupq_n_f32(hi_f);
            for (; j + 8 <= count; j += 8) {
                float32x4_t x0 = vmulq_f32(vcvtq_f32_s32(vaddq_s32(vld1q_s32(acc + j), voff)), vs);
                float32x4_t x1 = vmulq_f32(vcvtq_f32_s32(vaddq_s32(vld1q_s32(acc + j + 4), voff)), vs);
                int32x4_t q0, q1;
                int8x8_t b;
                /* maxnm returns the number when one operand is NaN, like the C code. */
                x0 = vminnmq_f32(vmaxnmq_f32(x0, vlo_f), vhi_f);
                x1 = vminnmq_f32(vmaxnmq_f32(x1, vlo_f), vhi_f);
                q0 = vaddq_s32(vcvtnq_s32_f32(x0), vz);
                q1 = vaddq_s32(vcvtnq_s32_f32(x1), vz);
                b = vmovn_s16(vcombine_s16(vmovn_s32(q0), vmovn_s32(q1)));
                vst1_s8(os + j, b);
            }
#endif
        }
        for (; j < count; ++j) {
            const int32_t q = mk_q_requantize(mk_q_i32((uint32_t)acc[j] + offset), scale, lo_f, hi_f, zero);
            if (kind == MK_QGEMM_OUT_UINT8) {
                ou[j * stride] = (uint8_t)q;
            } else {
                os[j * stride] = (int8_t)q;
            }
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Microkernels. Contract (all paths):                                       */
/*   c[r*NR + j] = init[r] + sum_{g < groups} sum_{t < KG}                  */
/*                 A(r, g*KG + t) * bp[(g*NR + j)*KG + t]                    */
/* for r < MR, j < NR, in 32-bit wrap-around arithmetic, where A(r, p) is    */
/* ap[(g*MR + r)*KG + t] for p = g*KG + t, and on AMX                        */
/* ap[(s*16 + r)*64 + t] for p = 64s + t.                                    */
/* ------------------------------------------------------------------------ */

/* The 32-bit lane at p (any alignment). */
MK_UNUSED static int32_t mk_q_load32(const void *p)
{
    int32_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

#if defined(MK_QGEMM_VNNI)

/* Bytes ahead of the A panel that the VNNI microkernel prefetches. A large
 * layer's weights come from DRAM once per inference, and its A panels are
 * read once per column block: with few columns (ResNet-50's 7x7 layers:
 * 49) the hardware prefetchers fall behind, and 2.4 MB of 3x3 weights took
 * 0.58 ms cold against 0.33 ms hot. 4096 bytes ahead (on into the next
 * panel; the address is formed as an integer, and a prefetch never faults)
 * brought it to 0.36 ms on Zen 5. Predefinable. */
#ifndef MK_QGEMM_A_PREFETCH
#define MK_QGEMM_A_PREFETCH 4096
#endif

/* Requantizes `rows` rows of 32 sums (UINT8 and INT8 kinds): row r goes to
 * out + r * ldo (32 contiguous bytes), multiplier scale[r], with the same
 * operations as mk_qgemm_store_row, so the same bits. */
MK_UNUSED static void mk_qgemm_requantize_block(const int32_t *block, int rows, const float *scale, float lo_f,
                                                float hi_f, int32_t zero, unsigned char *out, int64_t ldo)
{
    const __m512 vlo = _mm512_set1_ps(lo_f), vhi = _mm512_set1_ps(hi_f);
    const __m512i vz = _mm512_set1_epi32(zero);
    int r, h;
    for (r = 0; r < rows; ++r) {
        const __m512 vs = _mm512_set1_ps(scale[r]);
        for (h = 0; h < 2; ++h) {
            const __m512 x = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_loadu_si512(block + r * 32 + 16 * h)), vs);
            const __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_min_ps(_mm512_max_ps(x, vlo), vhi)), vz);
            _mm_storeu_si128((__m128i *)(out + r * ldo + 16 * h), _mm512_cvtepi32_epi8(q));
        }
    }
}

#if !defined(MK_QGEMM_AMX)

/* Declares the 16 zmm accumulators c<r><h> (row r, columns 16h..16h+15) of
 * the 8x32 AVX-512 VNNI microkernel and sums into them; each vpdpbusd adds
 * 16 lanes x 4 products u8 x s8. Shared by the two kernels below. */
#define MK_QGEMM_VNNI_SUMS                                                                               \
    __m512i c00 = _mm512_set1_epi32(init[0]), c01 = c00, c10 = _mm512_set1_epi32(init[1]), c11 = c10;    \
    __m512i c20 = _mm512_set1_epi32(init[2]), c21 = c20, c30 = _mm512_set1_epi32(init[3]), c31 = c30;    \
    __m512i c40 = _mm512_set1_epi32(init[4]), c41 = c40, c50 = _mm512_set1_epi32(init[5]), c51 = c50;    \
    __m512i c60 = _mm512_set1_epi32(init[6]), c61 = c60, c70 = _mm512_set1_epi32(init[7]), c71 = c70;    \
    int64_t g;                                                                                           \
    for (g = 0; g < groups; ++g) {                                                                       \
        _mm_prefetch((const char *)((uintptr_t)ap + MK_QGEMM_A_PREFETCH), _MM_HINT_T0);                  \
        const __m512i b0 = _mm512_loadu_si512(bp);                                                       \
        const __m512i b1 = _mm512_loadu_si512(bp + 64);                                                  \
        __m512i av;                                                                                      \
        MK_QGEMM_ROW(0) MK_QGEMM_ROW(1) MK_QGEMM_ROW(2) MK_QGEMM_ROW(3)                                  \
        MK_QGEMM_ROW(4) MK_QGEMM_ROW(5) MK_QGEMM_ROW(6) MK_QGEMM_ROW(7)                                  \
        ap += 32;                                                                                        \
        bp += 128;                                                                                       \
    }
#define MK_QGEMM_ROW(r)                                     \
    av = _mm512_set1_epi32(mk_q_load32(ap + 4 * (r)));      \
    c##r##0 = _mm512_dpbusd_epi32(c##r##0, b0, av);         \
    c##r##1 = _mm512_dpbusd_epi32(c##r##1, b1, av);

/* 8x32 AVX-512 VNNI microkernel. The VNNI kernels stay out of line: GCC 12
 * allocates the accumulators of a copy inlined into the tile loop badly. */
MK_UNUSED MK_NOINLINE static void mk_qgemm_micro(int64_t groups, const mk_qa_t *MK_RESTRICT ap, const mk_qb_t *MK_RESTRICT bp,
                                     const int32_t *init, int32_t *MK_RESTRICT c)
{
    MK_QGEMM_VNNI_SUMS
#define MK_QGEMM_STORE(r)                                  \
    _mm512_storeu_si512(c + (r) * 32, c##r##0);            \
    _mm512_storeu_si512(c + (r) * 32 + 16, c##r##1);
    MK_QGEMM_STORE(0) MK_QGEMM_STORE(1) MK_QGEMM_STORE(2) MK_QGEMM_STORE(3)
    MK_QGEMM_STORE(4) MK_QGEMM_STORE(5) MK_QGEMM_STORE(6) MK_QGEMM_STORE(7)
#undef MK_QGEMM_STORE
}

/* The same 8x32 sums requantized at once (UINT8 and INT8 kinds): row r of
 * the block goes to out + r * ldo (32 contiguous bytes), multiplier
 * scale[r], with the same operations as mk_qgemm_store_row, so the same
 * bits. Small-K products were bound by the per-row calls of the store.
 * The sums pass through a local block: when they feed arithmetic straight
 * from the loop, GCC 12 keeps each accumulator in two registers. */
MK_UNUSED MK_NOINLINE static void mk_qgemm_micro_requantize(int64_t groups, const mk_qa_t *MK_RESTRICT ap,
                                                            const mk_qb_t *MK_RESTRICT bp, const int32_t *init,
                                                            const float *scale, float lo_f, float hi_f,
                                                            int32_t zero, unsigned char *out, int64_t ldo)
{
    int32_t block[8 * 32];
    mk_qgemm_micro(groups, ap, bp, init, block);
    mk_qgemm_requantize_block(block, 8, scale, lo_f, hi_f, zero, out, ldo);
}
#undef MK_QGEMM_ROW
#undef MK_QGEMM_VNNI_SUMS

/* The microkernel contract for columns 0..15 of the panel only (8 zmm
 * accumulators): half the work for a last panel of at most 24 columns. */
MK_UNUSED MK_NOINLINE static void mk_qgemm_micro_half(int64_t groups, const mk_qa_t *MK_RESTRICT ap,
                                                      const mk_qb_t *MK_RESTRICT bp, const int32_t *init,
                                                      int32_t *MK_RESTRICT c)
{
    __m512i c0 = _mm512_set1_epi32(init[0]), c1 = _mm512_set1_epi32(init[1]), c2 = _mm512_set1_epi32(init[2]);
    __m512i c3 = _mm512_set1_epi32(init[3]), c4 = _mm512_set1_epi32(init[4]), c5 = _mm512_set1_epi32(init[5]);
    __m512i c6 = _mm512_set1_epi32(init[6]), c7 = _mm512_set1_epi32(init[7]);
    int64_t g;
    for (g = 0; g < groups; ++g) {
        const __m512i b0 = _mm512_loadu_si512(bp);
#define MK_QGEMM_ROW(r) c##r = _mm512_dpbusd_epi32(c##r, b0, _mm512_set1_epi32(mk_q_load32(ap + 4 * (r))));
        MK_QGEMM_ROW(0) MK_QGEMM_ROW(1) MK_QGEMM_ROW(2) MK_QGEMM_ROW(3)
        MK_QGEMM_ROW(4) MK_QGEMM_ROW(5) MK_QGEMM_ROW(6) MK_QGEMM_ROW(7)
#undef MK_QGEMM_ROW
        ap += 32;
        bp += 128;
    }
#define MK_QGEMM_STORE(r) _mm512_storeu_si512(c + (r) * 32, c##r);
    MK_QGEMM_STORE(0) MK_QGEMM_STORE(1) MK_QGEMM_STORE(2) MK_QGEMM_STORE(3)
    MK_QGEMM_STORE(4) MK_QGEMM_STORE(5) MK_QGEMM_STORE(6) MK_QGEMM_STORE(7)
#undef MK_QGEMM_STORE
}

/* The microkernel contract for the 8 panel columns that start at bp (bp +
 * 4 * j for columns j..j+7) only, with 8 ymm accumulators: row r of them
 * goes to c + r * NR (c = block + j). A short last panel takes these for
 * its columns past the last 16, rounded up to 8: one pass over the panel
 * for 8 columns, where single columns would make one pass each, every
 * group on another 128-byte row of the panel. */
MK_UNUSED MK_NOINLINE static void mk_qgemm_micro_quarter(int64_t groups, const mk_qa_t *MK_RESTRICT ap,
                                                         const mk_qb_t *MK_RESTRICT bp, const int32_t *init,
                                                         int32_t *MK_RESTRICT c)
{
    __m256i c0 = _mm256_set1_epi32(init[0]), c1 = _mm256_set1_epi32(init[1]), c2 = _mm256_set1_epi32(init[2]);
    __m256i c3 = _mm256_set1_epi32(init[3]), c4 = _mm256_set1_epi32(init[4]), c5 = _mm256_set1_epi32(init[5]);
    __m256i c6 = _mm256_set1_epi32(init[6]), c7 = _mm256_set1_epi32(init[7]);
    int64_t g;
    for (g = 0; g < groups; ++g) {
        const __m256i b0 = _mm256_loadu_si256((const __m256i *)bp);
#define MK_QGEMM_ROW(r) c##r = _mm256_dpbusd_epi32(c##r, b0, _mm256_set1_epi32(mk_q_load32(ap + 4 * (r))));
        MK_QGEMM_ROW(0) MK_QGEMM_ROW(1) MK_QGEMM_ROW(2) MK_QGEMM_ROW(3)
        MK_QGEMM_ROW(4) MK_QGEMM_ROW(5) MK_QGEMM_ROW(6) MK_QGEMM_ROW(7)
#undef MK_QGEMM_ROW
        ap += 32;
        bp += 128;
    }
#define MK_QGEMM_STORE(r) _mm256_storeu_si256((__m256i *)(c + (r) * 32), c##r);
    MK_QGEMM_STORE(0) MK_QGEMM_STORE(1) MK_QGEMM_STORE(2) MK_QGEMM_STORE(3)
    MK_QGEMM_STORE(4) MK_QGEMM_STORE(5) MK_QGEMM_STORE(6) MK_QGEMM_STORE(7)
#undef MK_QGEMM_STORE
}

/* A vector of B against one A panel (the matrix-vector path): sums[r] =
 * init[r] + sum_g sum_t ap[(g*8 + r)*4 + t] * x[g*4 + t], 8 rows in one
 * ymm, four sums over alternating groups so that vpdpbusd's latency is
 * hidden (integer sums are exact in any order). */
MK_UNUSED MK_NOINLINE static void mk_qgemm_micro_column(int64_t groups, const mk_qa_t *MK_RESTRICT ap,
                                                        const mk_qb_t *MK_RESTRICT x, const int32_t *init,
                                                        int32_t *MK_RESTRICT sums)
{
    __m256i s0 = _mm256_loadu_si256((const __m256i *)init), s1 = _mm256_setzero_si256(), s2 = s1, s3 = s1;
    int64_t g = 0;
    for (; g + 4 <= groups; g += 4) {
        s0 = _mm256_dpbusd_epi32(s0, _mm256_set1_epi32(mk_q_load32(x)), _mm256_loadu_si256((const __m256i *)ap));
        s1 = _mm256_dpbusd_epi32(s1, _mm256_set1_epi32(mk_q_load32(x + 4)),
                                 _mm256_loadu_si256((const __m256i *)(ap + 32)));
        s2 = _mm256_dpbusd_epi32(s2, _mm256_set1_epi32(mk_q_load32(x + 8)),
                                 _mm256_loadu_si256((const __m256i *)(ap + 64)));
        s3 = _mm256_dpbusd_epi32(s3, _mm256_set1_epi32(mk_q_load32(x + 12)),
                                 _mm256_loadu_si256((const __m256i *)(ap + 96)));
        ap += 128;
        x += 16;
    }
    for (; g < groups; ++g) {
        s0 = _mm256_dpbusd_epi32(s0, _mm256_set1_epi32(mk_q_load32(x)), _mm256_loadu_si256((const __m256i *)ap));
        ap += 32;
        x += 4;
    }
    _mm256_storeu_si256((__m256i *)sums, _mm256_add_epi32(_mm256_add_epi32(s0, s1), _mm256_add_epi32(s2, s3)));
}

/* Columns of a short last panel past its first 16 that run one by one
 * (mk_qgemm_micro_column on a copy); more take 8x8 kernels. A column costs
 * an eighth of such a kernel's work, so one or two are cheaper. */
#define MK_QGEMM_TAIL_COLUMNS 2
/* The deepest column copied (round_up(k, KG) bytes), on the stack. */
#define MK_QGEMM_COLUMN_BYTES 8192

/* How many columns of a short last panel of nr <= 24 columns run one by
 * one, from column *first on (0: none). */
MK_UNUSED static int64_t mk_qgemm_copied_columns(int64_t groups, int64_t nr, int64_t *first)
{
    *first = nr >= 16 ? 16 : 0;
    return nr - *first <= MK_QGEMM_TAIL_COLUMNS && groups * 4 <= MK_QGEMM_COLUMN_BYTES ? nr - *first : 0;
}

/* Copies `count` columns of a packed B panel, from column `first` on, into
 * vectors MK_QGEMM_COLUMN_BYTES apart: a column's groups lie 128 bytes
 * apart in the panel. Done once per tile, for all its row panels. */
MK_UNUSED static void mk_qgemm_copy_columns(int64_t groups, const mk_qb_t *MK_RESTRICT bp, int64_t first,
                                            int64_t count, mk_qb_t *MK_RESTRICT columns)
{
    int64_t c, g;
    for (c = 0; c < count; ++c) {
        for (g = 0; g < groups; ++g) {
            memcpy(columns + c * MK_QGEMM_COLUMN_BYTES + 4 * g, bp + g * 128 + 4 * (first + c), 4);
        }
    }
}

/* The microkernel contract for a short last panel (nr <= 24 columns) into
 * block: 16 columns at half the cost, then the columns that
 * mk_qgemm_copy_columns copied, one by one, or else 8 at a quarter until
 * the panel is covered. */
MK_UNUSED static void mk_qgemm_short_panel(int64_t groups, const mk_qa_t *MK_RESTRICT ap,
                                           const mk_qb_t *MK_RESTRICT bp, int64_t nr, const mk_qb_t *columns,
                                           const int32_t *init, int32_t *MK_RESTRICT block)
{
    int64_t first, j;
    const int64_t copied = mk_qgemm_copied_columns(groups, nr, &first);
    int r;
    if (first > 0) {
        mk_qgemm_micro_half(groups, ap, bp, init, block);
    }
    for (j = 0; j < copied; ++j) {
        int32_t sums[MK_QGEMM_MR];
        mk_qgemm_micro_column(groups, ap, columns + j * MK_QGEMM_COLUMN_BYTES, init, sums);
        for (r = 0; r < MK_QGEMM_MR; ++r) {
            block[r * MK_QGEMM_NR + first + j] = sums[r];
        }
    }
    for (j = first + copied; j < nr; j += 8) {
        mk_qgemm_micro_quarter(groups, ap, bp + 4 * j, init, block + j);
    }
}

#else /* MK_QGEMM_AMX */

/* AMX (Advanced Matrix Extensions, AMX-INT8). A packed A panel holds 16
 * rows in steps of 64 depth values: (s, r, t) at (s*16 + r)*64 + t is
 * A[r][64s + t], zero past k, so a step is one 16 x 64-byte tile. The B
 * panel is the VNNI one: group g holds 32 columns of 4 bytes, so 16 groups
 * of its columns 0-15 (16-31) are a 16 x 64-byte tile of row stride 128.
 * TDPBSUD adds, to each int32 of a 16 x 16 tile, the products of 4 signed
 * bytes of A by 4 unsigned bytes of B, in wrap-around arithmetic with no
 * saturation, as vpdpbusd does: the same sums, so the same bits. The last
 * step reads up to 15 groups past a B panel (MK_QGEMM_B_SLACK), multiplied
 * by A's zeros: integer products of zero are zero whatever the bytes. */

/* The microkernel contract for a 16-row A panel and a 32-column B panel
 * (c row stride NR) on the tiles; needs mk_amx_configure. */
MK_UNUSED MK_NOINLINE static void mk_qgemm_micro_amx(int64_t groups, const mk_qa_t *MK_RESTRICT ap,
                                                     const mk_qb_t *MK_RESTRICT bp, const int32_t *init,
                                                     int32_t *MK_RESTRICT c)
{
    const int64_t steps = mk_div_up(groups, 16);
    int64_t s;
    int r;
    _tile_zero(0);
    _tile_zero(1);
    for (s = 0; s < steps; ++s) {
        _tile_loadd(2, ap + s * 1024, 64);
        _tile_loadd(3, bp + s * 2048, 128);
        _tile_loadd(4, bp + s * 2048 + 64, 128);
        _tile_dpbsud(0, 2, 3);
        _tile_dpbsud(1, 2, 4);
    }
    _tile_stored(0, c, 128);
    _tile_stored(1, c + 16, 128);
    for (r = 0; r < 16; ++r) {
        const __m512i v = _mm512_set1_epi32(init[r]);
        _mm512_storeu_si512(c + r * 32, _mm512_add_epi32(_mm512_loadu_si512(c + r * 32), v));
        _mm512_storeu_si512(c + r * 32 + 16, _mm512_add_epi32(_mm512_loadu_si512(c + r * 32 + 16), v));
    }
}

/* The same contract with vpdpbusd, for a process refused the tiles: rows
 * 8h..8h+7 of the panel per pass, 16 zmm accumulators. */
MK_UNUSED MK_NOINLINE static void mk_qgemm_micro_vnni(int64_t groups, const mk_qa_t *MK_RESTRICT ap,
                                                      const mk_qb_t *MK_RESTRICT bp, const int32_t *init,
                                                      int32_t *MK_RESTRICT c)
{
    int h, r;
    for (h = 0; h < 2; ++h) {
        __m512i acc[16];
        int64_t g;
        for (r = 0; r < 8; ++r) {
            acc[2 * r] = acc[2 * r + 1] = _mm512_set1_epi32(init[8 * h + r]);
        }
        for (g = 0; g < groups; ++g) {
            const mk_qa_t *a = ap + (g / 16) * 1024 + (8 * h) * 64 + (g % 16) * 4;
            const __m512i b0 = _mm512_loadu_si512(bp + g * 128), b1 = _mm512_loadu_si512(bp + g * 128 + 64);
            for (r = 0; r < 8; ++r) {
                const __m512i av = _mm512_set1_epi32(mk_q_load32(a + r * 64));
                acc[2 * r] = _mm512_dpbusd_epi32(acc[2 * r], b0, av);
                acc[2 * r + 1] = _mm512_dpbusd_epi32(acc[2 * r + 1], b1, av);
            }
        }
        for (r = 0; r < 8; ++r) {
            _mm512_storeu_si512(c + (8 * h + r) * 32, acc[2 * r]);
            _mm512_storeu_si512(c + (8 * h + r) * 32 + 16, acc[2 * r + 1]);
        }
    }
}

/* A vector of B against one A panel (the matrix-vector path): sums[r] =
 * init[r] + sum_p A[r][p] * x[p], x padded with zeros to a whole step.
 * Each row's step is 64 contiguous bytes, so one vpdpbusd per row and
 * step. */
MK_UNUSED MK_NOINLINE static void mk_qgemm_micro_column(int64_t groups, const mk_qa_t *MK_RESTRICT ap,
                                                        const mk_qb_t *MK_RESTRICT x, const int32_t *init,
                                                        int32_t *MK_RESTRICT sums)
{
    const int64_t steps = mk_div_up(groups, 16);
    __m512i acc[16];
    int64_t s;
    int r;
    for (r = 0; r < 16; ++r) {
        acc[r] = _mm512_setzero_si512();
    }
    for (s = 0; s < steps; ++s) {
        const __m512i xv = _mm512_loadu_si512(x + s * 64);
        for (r = 0; r < 16; ++r) {
            acc[r] = _mm512_dpbusd_epi32(acc[r], xv, _mm512_loadu_si512(ap + (s * 16 + r) * 64));
        }
    }
    for (r = 0; r < 16; ++r) {
        sums[r] = mk_q_i32((uint32_t)init[r] + (uint32_t)_mm512_reduce_add_epi32(acc[r]));
    }
}

#endif /* MK_QGEMM_AMX */

#elif defined(MK_QGEMM_AVX2)

/* 6x16 AVX2 microkernel on int16 pairs: 12 ymm accumulators; vpmaddwd adds
 * two products per lane exactly, vpaddd wraps. */
MK_UNUSED static void mk_qgemm_micro(int64_t groups, const mk_qa_t *MK_RESTRICT ap, const mk_qb_t *MK_RESTRICT bp,
                                     const int32_t *init, int32_t *MK_RESTRICT c)
{
    __m256i c00 = _mm256_set1_epi32(init[0]), c01 = c00, c10 = _mm256_set1_epi32(init[1]), c11 = c10;
    __m256i c20 = _mm256_set1_epi32(init[2]), c21 = c20, c30 = _mm256_set1_epi32(init[3]), c31 = c30;
    __m256i c40 = _mm256_set1_epi32(init[4]), c41 = c40, c50 = _mm256_set1_epi32(init[5]), c51 = c50;
    int64_t g;
    for (g = 0; g < groups; ++g) {
        const __m256i b0 = _mm256_loadu_si256((const __m256i *)bp);
        const __m256i b1 = _mm256_loadu_si256((const __m256i *)(bp + 16));
        __m256i av;
#define MK_QGEMM_ROW(r)                                                      \
    av = _mm256_set1_epi32(mk_q_load32(ap + 2 * (r)));                       \
    c##r##0 = _mm256_add_epi32(c##r##0, _mm256_madd_epi16(b0, av));          \
    c##r##1 = _mm256_add_epi32(c##r##1, _mm256_madd_epi16(b1, av));
        MK_QGEMM_ROW(0) MK_QGEMM_ROW(1) MK_QGEMM_ROW(2)
        MK_QGEMM_ROW(3) MK_QGEMM_ROW(4) MK_QGEMM_ROW(5)
#undef MK_QGEMM_ROW
        ap += 12;
        bp += 32;
    }
#define MK_QGEMM_STORE(r)                                                \
    _mm256_storeu_si256((__m256i *)(c + (r) * 16), c##r##0);             \
    _mm256_storeu_si256((__m256i *)(c + (r) * 16 + 8), c##r##1);
    MK_QGEMM_STORE(0) MK_QGEMM_STORE(1) MK_QGEMM_STORE(2)
    MK_QGEMM_STORE(3) MK_QGEMM_STORE(4) MK_QGEMM_STORE(5)
#undef MK_QGEMM_STORE
}

#elif defined(MK_QGEMM_SDOT)

/* 8x8 AArch64 SDOT microkernel: 16 q-register accumulators, each SDOT adds
 * 4 lanes x 4 products s8 x s8. */
MK_UNUSED static void mk_qgemm_micro(int64_t groups, const mk_qa_t *MK_RESTRICT ap, const mk_qb_t *MK_RESTRICT bp,
                                     const int32_t *init, int32_t *MK_RESTRICT c)
{
    int32x4_t c00 = vdupq_n_s32(init[0]), c01 = c00, c10 = vdupq_n_s32(init[1]), c11 = c10;
    int32x4_t c20 = vdupq_n_s32(init[2]), c21 = c20, c30 = vdupq_n_s32(init[3]), c31 = c30;
    int32x4_t c40 = vdupq_n_s32(init[4]), c41 = c40, c50 = vdupq_n_s32(init[5]), c51 = c50;
    int32x4_t c60 = vdupq_n_s32(init[6]), c61 = c60, c70 = vdupq_n_s32(init[7]), c71 = c70;
    int64_t g;
    for (g = 0; g < groups; ++g) {
        const int8x16_t b0 = vld1q_s8(bp);
        const int8x16_t b1 = vld1q_s8(bp + 16);
        const int8x16_t a0 = vld1q_s8(ap);
        const int8x16_t a1 = vld1q_s8(ap + 16);
#define MK_QGEMM_ROW(r, av, lane)                              \
    c##r##0 = vdotq_laneq_s32(c##r##0, b0, av, lane);          \
    c##r##1 = vdotq_laneq_s32(c##r##1, b1, av, lane);
        MK_QGEMM_ROW(0, a0, 0) MK_QGEMM_ROW(1, a0, 1) MK_QGEMM_ROW(2, a0, 2) MK_QGEMM_ROW(3, a0, 3)
        MK_QGEMM_ROW(4, a1, 0) MK_QGEMM_ROW(5, a1, 1) MK_QGEMM_ROW(6, a1, 2) MK_QGEMM_ROW(7, a1, 3)
#undef MK_QGEMM_ROW
        ap += 32;
        bp += 32;
    }
#define MK_QGEMM_STORE(r)                          \
    vst1q_s32(c + (r) * 8, c##r##0);               \
    vst1q_s32(c + (r) * 8 + 4, c##r##1);
    MK_QGEMM_STORE(0) MK_QGEMM_STORE(1) MK_QGEMM_STORE(2) MK_QGEMM_STORE(3)
    MK_QGEMM_STORE(4) MK_QGEMM_STORE(5) MK_QGEMM_STORE(6) MK_QGEMM_STORE(7)
#undef MK_QGEMM_STORE
}

#else

/* 4x4 portable microkernel: 16 named scalar accumulators (an array stays
 * in memory at -O2), unsigned so that the sums wrap instead of
 * overflowing. */
MK_UNUSED static void mk_qgemm_micro(int64_t groups, const mk_qa_t *MK_RESTRICT ap, const mk_qb_t *MK_RESTRICT bp,
                                     const int32_t *init, int32_t *MK_RESTRICT c)
{
    uint32_t c00 = (uint32_t)init[0], c01 = c00, c02 = c00, c03 = c00;
    uint32_t c10 = (uint32_t)init[1], c11 = c10, c12 = c10, c13 = c10;
    uint32_t c20 = (uint32_t)init[2], c21 = c20, c22 = c20, c23 = c20;
    uint32_t c30 = (uint32_t)init[3], c31 = c30, c32 = c30, c33 = c30;
    int64_t g;
    for (g = 0; g < groups; ++g) {
        const int32_t b0 = bp[0], b1 = bp[1], b2 = bp[2], b3 = bp[3];
        int32_t av;
#define MK_QGEMM_ROW(r)                    \
    av = ap[r];                            \
    c##r##0 += (uint32_t)(av * b0);        \
    c##r##1 += (uint32_t)(av * b1);        \
    c##r##2 += (uint32_t)(av * b2);        \
    c##r##3 += (uint32_t)(av * b3);
        MK_QGEMM_ROW(0) MK_QGEMM_ROW(1) MK_QGEMM_ROW(2) MK_QGEMM_ROW(3)
#undef MK_QGEMM_ROW
        ap += 4;
        bp += 4;
    }
#define MK_QGEMM_STORE(r)                  \
    c[(r) * 4] = mk_q_i32(c##r##0);        \
    c[(r) * 4 + 1] = mk_q_i32(c##r##1);    \
    c[(r) * 4 + 2] = mk_q_i32(c##r##2);    \
    c[(r) * 4 + 3] = mk_q_i32(c##r##3);
    MK_QGEMM_STORE(0) MK_QGEMM_STORE(1) MK_QGEMM_STORE(2) MK_QGEMM_STORE(3)
#undef MK_QGEMM_STORE
}

#endif

/* ------------------------------------------------------------------------ */
/* Plan and packing.                                                         */
/* ------------------------------------------------------------------------ */

/* Blocking decisions for one product; a pure function of (m, n, k). */
typedef struct mk_qgemm_plan {
    int64_t groups;           /* round_up(k, KG) / KG */
    int64_t tile_m, tile_n;   /* task tile size, multiples of MR / NR */
    int64_t tiles_m, tiles_n; /* tile grid */
    int64_t slots;            /* parallel tasks; each owns a B block */
    int64_t a_panel_elems;    /* one packed A panel */
    int64_t b_panel_elems;    /* one packed B panel plus the gap */
    size_t slot_bytes;        /* one packed B block, multiple of 64 */
} mk_qgemm_plan;

/* Fills *plan for an m x n x k product (m, n, k >= 1). */
MK_UNUSED static void mk_qgemm_make_plan(int64_t m, int64_t n, int64_t k, mk_qgemm_plan *plan)
{
    const int64_t kp = mk_round_up(k, MK_QGEMM_KG);
    const int64_t panel_bytes = kp * MK_QGEMM_NR * (int64_t)MK_QGEMM_ES;
    /* Widest tile whose B block fits MK_QGEMM_B_BYTES (at least one panel). */
    const int64_t cap = mk_max_i64(MK_QGEMM_NR, mk_min_i64(MK_QGEMM_NC, (int64_t)MK_QGEMM_B_BYTES / panel_bytes *
                                                                           MK_QGEMM_NR));
    int64_t blocks_m = 1, blocks_n = mk_div_up(n, cap);
    /* Cut finer (columns first, down to 2*NR wide, then rows, down to 2*MR
     * tall) until there are MK_QGEMM_MIN_TILES tiles to spread over threads.
     * The rows of A stream through every tile, so tiles are never cut by
     * height for the cache. */
    while (blocks_m * blocks_n < MK_QGEMM_MIN_TILES) {
        if (mk_div_up(n, blocks_n * 2) >= 2 * MK_QGEMM_NR) {
            blocks_n *= 2;
        } else if (mk_div_up(m, blocks_m * 2) >= 2 * MK_QGEMM_MR) {
            blocks_m *= 2;
        } else {
            break;
        }
    }
    plan->groups = kp / MK_QGEMM_KG;
    plan->tile_m = mk_round_up(mk_div_up(m, blocks_m), MK_QGEMM_MR);
    plan->tiles_m = mk_div_up(m, plan->tile_m);
    plan->tile_n = mk_round_up(mk_div_up(n, blocks_n), MK_QGEMM_NR);
    plan->tiles_n = mk_div_up(n, plan->tile_n);
    plan->slots = mk_min_i64(plan->tiles_m * plan->tiles_n, MK_QGEMM_MAX_TASKS);
    plan->a_panel_elems = mk_round_up(k, MK_QGEMM_A_KG) * MK_QGEMM_MR;
    plan->b_panel_elems = kp * MK_QGEMM_NR + MK_QGEMM_PANEL_PAD / (int64_t)MK_QGEMM_ES;
    plan->slot_bytes =
        (size_t)mk_round_up(plan->tile_n / MK_QGEMM_NR * plan->b_panel_elems * (int64_t)MK_QGEMM_ES, 64) +
        MK_QGEMM_B_SLACK;
}

/* Bytes of one packed-A buffer for an m x k weight (see mk_qgemm_pack_a):
 * the MR-row panels, then (NEON dot product only) 128 * rowsum(A) per row. */
MK_UNUSED static size_t mk_qgemm_packed_a_bytes(int64_t m, int64_t k)
{
    const int64_t rows = mk_round_up(m, MK_QGEMM_MR);
    size_t bytes;
    if (m <= 0 || k <= 0) {
        return 0;
    }
    bytes = (size_t)mk_round_up(rows * mk_round_up(k, MK_QGEMM_A_KG), 64);
#if defined(MK_QGEMM_SDOT)
    bytes += (size_t)mk_round_up(rows * 4, 64);
#endif
    return bytes;
}

/* Bytes of the working form of packed A, the one the microkernels read: the
 * packing itself, except on AVX2, whose int16 elements take twice the
 * bytes (mk_qgemm widens a packing into it on every call). */
MK_UNUSED static size_t mk_qgemm_work_a_bytes(int64_t m, int64_t k)
{
#if defined(MK_QGEMM_AVX2)
    if (m <= 0 || k <= 0) {
        return 0;
    }
    return (size_t)mk_round_up(mk_round_up(m, MK_QGEMM_MR) * mk_round_up(k, MK_QGEMM_KG) * (int64_t)sizeof(mk_qa_t),
                               64);
#else
    return mk_qgemm_packed_a_bytes(m, k);
#endif
}

#if defined(MK_QGEMM_VNNI) || defined(MK_QGEMM_AVX2)
/* Transposes 8 x 8 32-bit lanes in place: lane j of r[i] <-> lane i of r[j]. */
MK_UNUSED static void mk_q_transpose8x8(__m256i *r)
{
    const __m256 r0 = _mm256_castsi256_ps(r[0]), r1 = _mm256_castsi256_ps(r[1]);
    const __m256 r2 = _mm256_castsi256_ps(r[2]), r3 = _mm256_castsi256_ps(r[3]);
    const __m256 r4 = _mm256_castsi256_ps(r[4]), r5 = _mm256_castsi256_ps(r[5]);
    const __m256 r6 = _mm256_castsi256_ps(r[6]), r7 = _mm256_castsi256_ps(r[7]);
    const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
    const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
    const __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    const __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    const __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    const __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    r[0] = _mm256_castps_si256(_mm256_permute2f128_ps(s0, s4, 0x20));
    r[1] = _mm256_castps_si256(_mm256_permute2f128_ps(s1, s5, 0x20));
    r[2] = _mm256_castps_si256(_mm256_permute2f128_ps(s2, s6, 0x20));
    r[3] = _mm256_castps_si256(_mm256_permute2f128_ps(s3, s7, 0x20));
    r[4] = _mm256_castps_si256(_mm256_permute2f128_ps(s0, s4, 0x31));
    r[5] = _mm256_castps_si256(_mm256_permute2f128_ps(s1, s5, 0x31));
    r[6] = _mm256_castps_si256(_mm256_permute2f128_ps(s2, s6, 0x31));
    r[7] = _mm256_castps_si256(_mm256_permute2f128_ps(s3, s7, 0x31));
}
#endif

#if defined(MK_QGEMM_AMX)
/* Packs rows [0, rows) (rows <= 16) of A (row stride lda, depth k) into one
 * panel of steps of 16 rows x 64 depth values: dst[(s*16 + r)*64 + t] =
 * A[r][64s + t], zero past k and rows. There are no row sums (corr). */
MK_UNUSED static void mk_qgemm_pack_a_panel(const int8_t *a, int64_t lda, int64_t rows, int64_t k, mk_qa_t *dst,
                                            uint32_t *corr)
{
    int64_t s, r;
    (void)corr;
    for (s = 0; s < mk_div_up(k, 64); ++s) {
        const int64_t depth = mk_min_i64(64, k - s * 64);
        for (r = 0; r < 16; ++r) {
            mk_qa_t *row = dst + (s * 16 + r) * 64;
            const int64_t copied = r < rows ? depth : 0;
            memcpy(row, a + r * lda + s * 64, (size_t)copied);
            memset(row + copied, 0, (size_t)(64 - copied));
        }
    }
}
#else
/* Packs rows [0, rows) (rows <= MR) of A (row stride lda, depth k) into one
 * panel: dst[(g*MR + r)*KG + t] = A[r][g*KG + t], zero past k and rows.
 * corr, when non-null, receives 128 * sum_p A[r][p] (mod 2^32) per row. */
MK_UNUSED static void mk_qgemm_pack_a_panel(const int8_t *a, int64_t lda, int64_t rows, int64_t k, mk_qa_t *dst,
                                            uint32_t *corr)
{
    const int64_t groups = mk_div_up(k, MK_QGEMM_KG);
    int64_t g = 0, r, t;
#if defined(MK_QGEMM_VNNI)
    /* 8 rows x 8 groups of 4 bytes: an 8x8 transpose of 32-bit lanes. */
    if (rows == 8) {
        for (; (g + 8) * 4 <= k; g += 8) {
            __m256i v[8];
            for (r = 0; r < 8; ++r) {
                v[r] = _mm256_loadu_si256((const __m256i *)(a + r * lda + g * 4));
            }
            mk_q_transpose8x8(v);
            for (r = 0; r < 8; ++r) {
                _mm256_storeu_si256((__m256i *)(dst + (g + r) * 32), v[r]);
            }
        }
    }
#elif defined(MK_QGEMM_AVX2)
    /* 6 rows (plus 2 of zeros) x 8 pairs widened to int16: the same
     * transpose, keeping 6 lanes of each result. */
    if (rows == 6) {
        const __m256i keep6 = _mm256_setr_epi32(-1, -1, -1, -1, -1, -1, 0, 0);
        for (; (g + 8) * 2 <= k; g += 8) {
            __m256i v[8];
            for (r = 0; r < 6; ++r) {
                v[r] = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(a + r * lda + g * 2)));
            }
            v[6] = v[7] = _mm256_setzero_si256();
            mk_q_transpose8x8(v);
            for (r = 0; r < 8; ++r) {
                _mm256_maskstore_epi32((int *)(dst + (g + r) * 12), keep6, v[r]);
            }
        }
    }
#endif
    for (; g < groups; ++g) {
        for (r = 0; r < MK_QGEMM_MR; ++r) {
            for (t = 0; t < MK_QGEMM_KG; ++t) {
                const int64_t p = g * MK_QGEMM_KG + t;
                dst[(g * MK_QGEMM_MR + r) * MK_QGEMM_KG + t] = (mk_qa_t)(r < rows && p < k ? a[r * lda + p] : 0);
            }
        }
    }
    if (corr != NULL) {
        for (r = 0; r < MK_QGEMM_MR; ++r) {
            uint32_t sum = 0;
            int64_t p;
            for (p = 0; r < rows && p < k; ++p) {
                sum += (uint32_t)(int32_t)a[r * lda + p];
            }
            corr[r] = 128u * sum;
        }
    }
}
#endif

/* Everything the A-packing tasks share. */
typedef struct mk_qgemm_pack_job {
    int64_t m, k;
    const int8_t *a;
    int64_t lda;
    mk_qa_t *dst;
    uint32_t *corr; /* NEON dot product only */
} mk_qgemm_pack_job;

/* Task body: packs A panels [index * P, index * P + P). */
MK_UNUSED static void mk_qgemm_pack_a_task(void *ctx, size_t index)
{
    const mk_qgemm_pack_job *job = (const mk_qgemm_pack_job *)ctx;
    const int64_t panels = mk_div_up(job->m, MK_QGEMM_MR);
    const int64_t first = (int64_t)index * MK_QGEMM_PACK_PANELS;
    const int64_t last = mk_min_i64(panels, first + MK_QGEMM_PACK_PANELS);
    const int64_t panel_elems = mk_round_up(job->k, MK_QGEMM_A_KG) * MK_QGEMM_MR;
    int64_t q;
    for (q = first; q < last; ++q) {
        mk_qgemm_pack_a_panel(job->a + q * MK_QGEMM_MR * job->lda, job->lda,
                              mk_min_i64(MK_QGEMM_MR, job->m - q * MK_QGEMM_MR), job->k, job->dst + q * panel_elems,
                              job->corr != NULL ? job->corr + q * MK_QGEMM_MR : NULL);
    }
}

/* Packs the m x k int8 matrix A (row stride lda) into `packed`, which must
 * hold mk_qgemm_packed_a_bytes(m, k) bytes, 64-byte aligned. The layout
 * belongs to the SIMD path compiled in: pack with the same build that
 * calls mk_qgemm. */
MK_UNUSED static void mk_qgemm_pack_a_work(const mk_exec *ex, int64_t m, int64_t k, const int8_t *a, int64_t lda,
                                           void *packed)
{
    mk_qgemm_pack_job job;
    if (m <= 0 || k <= 0) {
        return;
    }
    job.m = m;
    job.k = k;
    job.a = a;
    job.lda = lda;
    job.dst = (mk_qa_t *)packed;
#if defined(MK_QGEMM_SDOT)
    job.corr = (uint32_t *)((unsigned char *)packed + mk_qgemm_packed_a_bytes(m, k) -
                            (size_t)mk_round_up(mk_round_up(m, MK_QGEMM_MR) * 4, 64));
#else
    job.corr = NULL;
#endif
    mk_parallel(ex, (size_t)mk_div_up(mk_div_up(m, MK_QGEMM_MR), MK_QGEMM_PACK_PANELS), mk_qgemm_pack_a_task, &job);
}

/* Packs A[m x k] (row stride lda) for mk_qgemm's a_packed into `packed`
 * (mk_qgemm_packed_a_bytes(m, k) bytes, 64-byte aligned): the working form,
 * but on AVX2 with int8 elements in the int16 form's order, so that what is
 * kept across calls (a model's constant weights) takes one byte per weight
 * on every path. Meant to run once, as a model's init does. */
MK_UNUSED static void mk_qgemm_pack_a(const mk_exec *ex, int64_t m, int64_t k, const int8_t *a, int64_t lda,
                                      void *packed)
{
#if defined(MK_QGEMM_AVX2)
    const int64_t groups = mk_div_up(k, MK_QGEMM_KG);
    int8_t *dst = (int8_t *)packed;
    int64_t q, g, r, t;
    (void)ex;
    for (q = 0; q < mk_div_up(m, MK_QGEMM_MR); ++q) {
        for (g = 0; g < groups; ++g) {
            for (r = 0; r < MK_QGEMM_MR; ++r) {
                for (t = 0; t < MK_QGEMM_KG; ++t) {
                    const int64_t i = q * MK_QGEMM_MR + r, p = g * MK_QGEMM_KG + t;
                    *dst++ = i < m && p < k ? a[i * lda + p] : (int8_t)0;
                }
            }
        }
    }
#else
    mk_qgemm_pack_a_work(ex, m, k, a, lda, packed);
#endif
}

/* The working form of A at `at` (mk_qgemm_work_a_bytes(m, k) bytes): packed
 * from a when a_packed is NULL, else a_packed itself, widened on AVX2. */
MK_UNUSED static const mk_qa_t *mk_qgemm_working_a(const mk_exec *ex, int64_t m, int64_t k, const int8_t *a,
                                                   int64_t lda, const void *a_packed, void *at)
{
    if (a_packed == NULL) {
        mk_qgemm_pack_a_work(ex, m, k, a, lda, at);
        return (const mk_qa_t *)at;
    }
#if defined(MK_QGEMM_AVX2)
    {
        const int8_t *src = (const int8_t *)a_packed;
        mk_qa_t *dst = (mk_qa_t *)at;
        const int64_t count = mk_round_up(m, MK_QGEMM_MR) * mk_round_up(k, MK_QGEMM_KG);
        int64_t i;
        for (i = 0; i < count; ++i) {
            dst[i] = (mk_qa_t)src[i];
        }
        return dst;
    }
#else
    (void)ex;
    (void)a;
    (void)lda;
    (void)at;
    return (const mk_qa_t *)a_packed;
#endif
}

/* Packs columns [j0, j0 + cols) of a B that is not a strided matrix into
 * ceil(cols / NR) panels of `groups` depth groups each, panel q at
 * dst + q * panel_elems, in mk_qgemm_pack_b's layout: (g, c, t) at
 * (g*NR + c)*KG + t holds the packed value (MK_QGEMM_B_VALUE) of
 * B(g*KG + t, j0 + q*NR + c). Rows past k and columns past cols may hold
 * anything. ctx is the caller's. */
typedef void (*mk_qgemm_b_packer)(const void *ctx, int64_t j0, int64_t cols, int64_t groups, int64_t panel_elems,
                                  mk_qb_t *dst);

/* Everything one call of mk_qgemm shares with its tasks. */
typedef struct mk_qgemm_job {
    mk_qgemm_plan plan;
    int64_t m, n, k;
    const mk_qa_t *ap;    /* packed A */
    const uint32_t *corr; /* 128 * rowsum(A) per row (NEON dot product), else NULL */
    const uint8_t *b;
    int64_t b_rs, b_cs;
    unsigned flip; /* 0x80 for int8 activations, else 0 */
    const int32_t *row_offset;
    const mk_qgemm_epilogue *epi;
    unsigned char *c;
    int64_t c_rs, c_cs;
    size_t c_es; /* bytes per output element */
    unsigned char *scratch;
    /* When set, packs the B blocks instead of mk_qgemm_pack_b (b is then
     * not read): see mk_qgemm_run_b_packer. */
    mk_qgemm_b_packer pack_b;
    const void *pack_b_ctx;
} mk_qgemm_job;

/* The packed B value of activation byte v. */
#define MK_QGEMM_B_VALUE(job, v) ((mk_qb_t)((int32_t)((v) ^ (job)->flip) - MK_QGEMM_B_SHIFT))

/* Packs one group (depth p .. p+KG-1) of one panel (columns j .. j+vc-1 of
 * B, vc <= NR) element by element: out[c*KG + t] = value of B(p+t, j+c),
 * zero past k and vc. */
MK_UNUSED static void mk_qgemm_pack_b_group(const mk_qgemm_job *job, int64_t p, int64_t j, int64_t vc,
                                            mk_qb_t *MK_RESTRICT out)
{
    int64_t c, t;
    for (c = 0; c < MK_QGEMM_NR; ++c) {
        for (t = 0; t < MK_QGEMM_KG; ++t) {
            out[c * MK_QGEMM_KG + t] =
                c < vc && p + t < job->k ? MK_QGEMM_B_VALUE(job, job->b[(p + t) * job->b_rs + (j + c) * job->b_cs])
                                         : (mk_qb_t)0;
        }
    }
}

#if defined(MK_QGEMM_VNNI)
/* One full group of one full panel from its 4 rows of 32 bytes (x_t: B(p+t,
 * j..j+31)), each byte XORed with vflip: interleaved into 32 columns of 4
 * bytes. The ymm unpacks work within 128-bit lanes, so lane 0 of (lo16,
 * hi16) holds columns 0-7 (8-15 from the high bytes) and lane 1 columns
 * 16-23 (24-31); one lane permute per output puts them in column order. */
MK_UNUSED static MK_INLINE void mk_qgemm_store_group(__m256i x0, __m256i x1, __m256i x2, __m256i x3, __m256i vflip,
                                                     mk_qb_t *MK_RESTRICT out)
{
    const __m256i a = _mm256_unpacklo_epi8(x0, x1), b = _mm256_unpackhi_epi8(x0, x1);
    const __m256i c = _mm256_unpacklo_epi8(x2, x3), d = _mm256_unpackhi_epi8(x2, x3);
    const __m256i lo_a = _mm256_xor_si256(_mm256_unpacklo_epi16(a, c), vflip);
    const __m256i hi_a = _mm256_xor_si256(_mm256_unpackhi_epi16(a, c), vflip);
    const __m256i lo_b = _mm256_xor_si256(_mm256_unpacklo_epi16(b, d), vflip);
    const __m256i hi_b = _mm256_xor_si256(_mm256_unpackhi_epi16(b, d), vflip);
    __m256i *o = (__m256i *)out;
    _mm256_storeu_si256(o, _mm256_permute2x128_si256(lo_a, hi_a, 0x20));
    _mm256_storeu_si256(o + 1, _mm256_permute2x128_si256(lo_b, hi_b, 0x20));
    _mm256_storeu_si256(o + 2, _mm256_permute2x128_si256(lo_a, hi_a, 0x31));
    _mm256_storeu_si256(o + 3, _mm256_permute2x128_si256(lo_b, hi_b, 0x31));
}
#endif

/* One full group of one full panel, B rows contiguous (b_cs == 1): src is
 * B(p, j), rows rs apart. */
MK_UNUSED static void mk_qgemm_pack_b_rows(const uint8_t *MK_RESTRICT src, int64_t rs, unsigned flip,
                                           mk_qb_t *MK_RESTRICT out)
{
#if defined(MK_QGEMM_VNNI)
    const __m256i x0 = _mm256_loadu_si256((const __m256i *)src);
    const __m256i x1 = _mm256_loadu_si256((const __m256i *)(src + rs));
    const __m256i x2 = _mm256_loadu_si256((const __m256i *)(src + 2 * rs));
    const __m256i x3 = _mm256_loadu_si256((const __m256i *)(src + 3 * rs));
    mk_qgemm_store_group(x0, x1, x2, x3, _mm256_set1_epi8((char)flip), out);
#elif defined(MK_QGEMM_AVX2)
    /* Interleave 2 rows of 16 bytes into 16 pairs, widened to int16. */
    const __m128i vflip = _mm_set1_epi8((char)flip);
    const __m128i x0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)src), vflip);
    const __m128i x1 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(src + rs)), vflip);
    _mm256_storeu_si256((__m256i *)out, _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(x0, x1)));
    _mm256_storeu_si256((__m256i *)(out + 16), _mm256_cvtepu8_epi16(_mm_unpackhi_epi8(x0, x1)));
#elif defined(MK_QGEMM_SDOT)
    /* Interleave 4 rows of 8 bytes into 8 columns of 4 bytes; XOR 0x80
     * turns u(b) into u(b) - 128. */
    const uint8x16_t vflip = vdupq_n_u8((uint8_t)(flip ^ 0x80u));
    const uint8x8_t x0 = vld1_u8(src), x1 = vld1_u8(src + rs);
    const uint8x8_t x2 = vld1_u8(src + 2 * rs), x3 = vld1_u8(src + 3 * rs);
    const uint16x8_t a = vreinterpretq_u16_u8(vcombine_u8(vzip1_u8(x0, x1), vzip2_u8(x0, x1)));
    const uint16x8_t c = vreinterpretq_u16_u8(vcombine_u8(vzip1_u8(x2, x3), vzip2_u8(x2, x3)));
    vst1q_s8(out, vreinterpretq_s8_u8(veorq_u8(vreinterpretq_u8_u16(vzip1q_u16(a, c)), vflip)));
    vst1q_s8(out + 16, vreinterpretq_s8_u8(veorq_u8(vreinterpretq_u8_u16(vzip2q_u16(a, c)), vflip)));
#else
    int64_t j;
    for (j = 0; j < MK_QGEMM_NR; ++j) {
        out[j] = (mk_qb_t)(src[j] ^ flip);
    }
    (void)rs;
#endif
}

#if defined(MK_QGEMM_VNNI) || defined(MK_QGEMM_AVX2)
/* 8 groups of 8 columns, B columns contiguous (b_rs == 1, as for a matmul's
 * activations read transposed): src is B(p, j), columns cs apart. The
 * groups of a column are contiguous, so this is an 8x8 transpose of 32-bit
 * lanes (after widening on AVX2). */
MK_UNUSED static void mk_qgemm_pack_b_cols8(const uint8_t *MK_RESTRICT src, int64_t cs, unsigned flip,
                                            mk_qb_t *MK_RESTRICT out)
{
    __m256i v[8];
    int c;
#if defined(MK_QGEMM_VNNI)
    const __m256i vflip = _mm256_set1_epi8((char)flip);
    for (c = 0; c < 8; ++c) {
        v[c] = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(src + c * cs)), vflip);
    }
#else
    const __m128i vflip = _mm_set1_epi8((char)flip);
    for (c = 0; c < 8; ++c) {
        v[c] = _mm256_cvtepu8_epi16(_mm_xor_si128(_mm_loadu_si128((const __m128i *)(src + c * cs)), vflip));
    }
#endif
    mk_q_transpose8x8(v);
    for (c = 0; c < 8; ++c) {
        _mm256_storeu_si256((__m256i *)(out + c * MK_QGEMM_NR * MK_QGEMM_KG), v[c]);
    }
}
#endif

/* Packs columns [j0, j0 + cols) of B into cols/NR panels of b_panel_elems,
 * panel q holding (g, c, t) at (g*NR + c)*KG + t = value of
 * B(g*KG + t, j0 + q*NR + c), zero past k and cols. */
MK_UNUSED static void mk_qgemm_pack_b(const mk_qgemm_job *job, int64_t j0, int64_t cols, mk_qb_t *dst)
{
    const int64_t stride = job->plan.b_panel_elems;
    const int64_t kp = job->plan.groups * MK_QGEMM_KG;
    const int64_t group_elems = MK_QGEMM_NR * MK_QGEMM_KG;
    int64_t p, q;
    if (job->b_cs == 1) {
        /* Row-major B (im2col columns, conv input planes): sweep the rows in
         * order, KG at a time, writing into every panel. */
        for (p = 0; p < kp; p += MK_QGEMM_KG) {
            mk_qb_t *out = dst + (p / MK_QGEMM_KG) * group_elems;
            for (q = 0; q < cols; q += MK_QGEMM_NR) {
                if (p + MK_QGEMM_KG <= job->k && q + MK_QGEMM_NR <= cols) {
                    mk_qgemm_pack_b_rows(job->b + p * job->b_rs + j0 + q, job->b_rs, job->flip,
                                         out + (q / MK_QGEMM_NR) * stride);
                } else {
                    /* A partial panel or the last group: stage the valid
                     * bytes in zero-padded rows (what padding holds does not
                     * matter: A is zero past k, columns past n are dropped). */
                    uint8_t rows[MK_QGEMM_KG * MK_QGEMM_NR];
                    int64_t t;
                    memset(rows, 0, sizeof(rows));
                    for (t = 0; t < MK_QGEMM_KG && p + t < job->k; ++t) {
                        memcpy(rows + t * MK_QGEMM_NR, job->b + (p + t) * job->b_rs + j0 + q,
                               (size_t)mk_min_i64(MK_QGEMM_NR, cols - q));
                    }
                    mk_qgemm_pack_b_rows(rows, MK_QGEMM_NR, job->flip, out + (q / MK_QGEMM_NR) * stride);
                }
            }
        }
        return;
    }
    for (q = 0; q < cols; q += MK_QGEMM_NR) {
        const int64_t vc = mk_min_i64(MK_QGEMM_NR, cols - q);
        mk_qb_t *panel = dst + (q / MK_QGEMM_NR) * stride;
        p = 0;
#if defined(MK_QGEMM_VNNI) || defined(MK_QGEMM_AVX2)
        if (job->b_rs == 1 && vc == MK_QGEMM_NR) {
            for (; p + 8 * MK_QGEMM_KG <= job->k; p += 8 * MK_QGEMM_KG) {
                int64_t c;
                for (c = 0; c < MK_QGEMM_NR; c += 8) {
                    mk_qgemm_pack_b_cols8(job->b + p + (j0 + q + c) * job->b_cs, job->b_cs, job->flip,
                                          panel + (p / MK_QGEMM_KG) * group_elems + c * MK_QGEMM_KG);
                }
            }
        }
#endif
        for (; p < kp; p += MK_QGEMM_KG) {
            mk_qgemm_pack_b_group(job, p, j0 + q, vc, panel + (p / MK_QGEMM_KG) * group_elems);
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Blocked path.                                                             */
/* ------------------------------------------------------------------------ */

/* Writes the epilogue of the mr x nr valid part of a microkernel block
 * (acc, row length NR, row offsets included) to output rows i0.., columns
 * j0... */
MK_UNUSED static void mk_qgemm_store_block(const mk_qgemm_job *job, const int32_t *acc, int64_t i0, int64_t j0,
                                           int64_t mr, int64_t nr)
{
    int64_t r;
    for (r = 0; r < mr; ++r) {
        const int64_t i = i0 + r;
        mk_qgemm_store_row(job->epi, acc + r * MK_QGEMM_NR, nr, 0u, mk_qgemm_row_scale(job->epi, i),
                           job->c + (size_t)(i * job->c_rs + j0 * job->c_cs) * job->c_es, job->c_cs);
    }
}

/* Computes output tile (row block ti, column block tj); packs its B block
 * into bp first unless bp already holds it. */
MK_UNUSED static void mk_qgemm_tile(const mk_qgemm_job *job, int64_t ti, int64_t tj, mk_qb_t *bp, int pack_b)
{
    const int64_t i0 = ti * job->plan.tile_m;
    const int64_t j0 = tj * job->plan.tile_n;
    const int64_t mt = mk_min_i64(job->plan.tile_m, job->m - i0);
    const int64_t nt = mk_min_i64(job->plan.tile_n, job->n - j0);
    int64_t ir, jr;
#if defined(MK_QGEMM_AMX)
    /* Every panel takes the 16 x 32 kernel, a short last one included: the
     * columns past it are computed and never stored. */
    const int amx = mk_amx_usable();
#elif defined(MK_QGEMM_VNNI)
    /* The columns of a short last panel that run one by one, copied once
     * for every row panel. */
    const int64_t last = (nt - 1) / MK_QGEMM_NR;
    const int64_t last_nr = nt - last * MK_QGEMM_NR;
    mk_qb_t columns[MK_QGEMM_TAIL_COLUMNS * MK_QGEMM_COLUMN_BYTES];
#endif
    if (pack_b) {
        if (job->pack_b != NULL) {
            job->pack_b(job->pack_b_ctx, j0, nt, job->plan.groups, job->plan.b_panel_elems, bp);
        } else {
            mk_qgemm_pack_b(job, j0, nt, bp);
        }
    }
#if defined(MK_QGEMM_AMX)
    if (amx) {
        mk_amx_configure();
    }
#elif defined(MK_QGEMM_VNNI)
    if (last_nr <= 24) {
        int64_t first;
        const int64_t count = mk_qgemm_copied_columns(job->plan.groups, last_nr, &first);
        mk_qgemm_copy_columns(job->plan.groups, bp + last * job->plan.b_panel_elems, first, count, columns);
    }
#endif
    for (ir = 0; ir < mt; ir += MK_QGEMM_MR) {
        const mk_qa_t *apanel = job->ap + ((i0 + ir) / MK_QGEMM_MR) * job->plan.a_panel_elems;
        int32_t init[MK_QGEMM_MR];
#if defined(MK_QGEMM_VNNI)
        float scale[MK_QGEMM_MR];
#endif
        int r;
        /* The accumulators start at the row offsets (plus the SDOT
         * correction), so the epilogue has nothing to add. */
        for (r = 0; r < MK_QGEMM_MR; ++r) {
            const int64_t i = i0 + ir + r;
            uint32_t offset = i < job->m && job->row_offset != NULL ? (uint32_t)job->row_offset[i] : 0u;
            if (job->corr != NULL) {
                offset += job->corr[i]; /* zero past m */
            }
            init[r] = mk_q_i32(offset);
#if defined(MK_QGEMM_VNNI)
            scale[r] = i < job->m ? mk_qgemm_row_scale(job->epi, i) : 1.0f;
#endif
        }
        for (jr = 0; jr < nt; jr += MK_QGEMM_NR) {
            const mk_qb_t *bpanel = bp + (jr / MK_QGEMM_NR) * job->plan.b_panel_elems;
            const int64_t nr = mk_min_i64(MK_QGEMM_NR, nt - jr);
            int32_t block[MK_QGEMM_MR * MK_QGEMM_NR];
#if defined(MK_QGEMM_AMX)
            if (amx) {
                mk_qgemm_micro_amx(job->plan.groups, apanel, bpanel, init, block);
            } else {
                mk_qgemm_micro_vnni(job->plan.groups, apanel, bpanel, init, block);
            }
            if (nr == MK_QGEMM_NR && ir + MK_QGEMM_MR <= mt && job->c_cs == 1 && job->epi != NULL &&
                (job->epi->kind == MK_QGEMM_OUT_UINT8 || job->epi->kind == MK_QGEMM_OUT_INT8)) {
                /* A full block of contiguous 8-bit rows. */
                const int32_t lo = job->epi->kind == MK_QGEMM_OUT_UINT8 ? 0 : -128;
                const int32_t zero = job->epi->zero_point;
                mk_qgemm_requantize_block(block, MK_QGEMM_MR, scale, (float)(lo - zero), (float)(lo + 255 - zero),
                                          zero, job->c + (size_t)((i0 + ir) * job->c_rs + j0 + jr), job->c_rs);
            } else {
                mk_qgemm_store_block(job, block, i0 + ir, j0 + jr, mk_min_i64(MK_QGEMM_MR, mt - ir), nr);
            }
#else
#if defined(MK_QGEMM_VNNI)
            if (nr == MK_QGEMM_NR && ir + MK_QGEMM_MR <= mt && job->c_cs == 1 && job->epi != NULL &&
                (job->epi->kind == MK_QGEMM_OUT_UINT8 || job->epi->kind == MK_QGEMM_OUT_INT8)) {
                /* A full block of contiguous 8-bit rows: requantize from registers. */
                const int32_t lo = job->epi->kind == MK_QGEMM_OUT_UINT8 ? 0 : -128;
                const int32_t zero = job->epi->zero_point;
                mk_qgemm_micro_requantize(job->plan.groups, apanel, bpanel, init, scale, (float)(lo - zero),
                                          (float)(lo + 255 - zero), zero,
                                          job->c + (size_t)((i0 + ir) * job->c_rs + j0 + jr), job->c_rs);
                continue;
            }
            if (nr <= 24) {
                mk_qgemm_short_panel(job->plan.groups, apanel, bpanel, nr, columns, init, block);
            } else
#endif
            {
                mk_qgemm_micro(job->plan.groups, apanel, bpanel, init, block);
            }
            mk_qgemm_store_block(job, block, i0 + ir, j0 + jr, mk_min_i64(MK_QGEMM_MR, mt - ir), nr);
#endif
        }
    }
#if defined(MK_QGEMM_AMX)
    if (amx) {
        _tile_release();
    }
#endif
}

/* Task body: slot `index` computes its contiguous share of the tiles, which
 * run down each column of tiles so that consecutive tiles share a B block. */
MK_UNUSED static void mk_qgemm_slot_task(void *ctx, size_t index)
{
    const mk_qgemm_job *job = (const mk_qgemm_job *)ctx;
    const int64_t tiles = job->plan.tiles_m * job->plan.tiles_n;
    const int64_t slot = (int64_t)index;
    const int64_t t_end = mk_split_point(tiles, job->plan.slots, slot + 1);
    mk_qb_t *bp = (mk_qb_t *)(job->scratch + (size_t)slot * job->plan.slot_bytes);
    int64_t t, packed = -1;
    for (t = mk_split_point(tiles, job->plan.slots, slot); t < t_end; ++t) {
        const int64_t tj = t / job->plan.tiles_m;
        mk_qgemm_tile(job, t % job->plan.tiles_m, tj, bp, tj != packed);
        packed = tj;
    }
}

/* Serial body (no parallel_for): every tile in the slots' order, down each
 * column of tiles, so each B block is packed once for all its row tiles
 * rather than once per slot; slot 0's block holds it. The tiles, and so
 * every output's sums, are those of the parallel path. */
MK_UNUSED static void mk_qgemm_serial_tiles(const mk_qgemm_job *job)
{
    mk_qb_t *bp = (mk_qb_t *)job->scratch;
    int64_t ti, tj;
    for (tj = 0; tj < job->plan.tiles_n; ++tj) {
        for (ti = 0; ti < job->plan.tiles_m; ++ti) {
            mk_qgemm_tile(job, ti, tj, bp, ti == 0);
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Matrix-vector path (n == 1, A not pre-packed).                            */
/* ------------------------------------------------------------------------ */

typedef struct mk_qgemv_job {
    int64_t m, k;
    const int8_t *a;
    int64_t lda;
    const uint8_t *x; /* u(B(p, 0)), contiguous */
    const int32_t *row_offset;
    const mk_qgemm_epilogue *epi;
    unsigned char *c;
    int64_t c_rs;
    size_t c_es;
} mk_qgemv_job;

/* sum_p a[p] * x[p] mod 2^32. Chunks of 65536 products cannot overflow an
 * int32 (65536 * 128 * 255 < 2^31), so the inner loop is the plain signed
 * dot product compilers vectorize. */
MK_UNUSED static uint32_t mk_qdot(const int8_t *MK_RESTRICT a, const uint8_t *MK_RESTRICT x, int64_t k)
{
    uint32_t total = 0;
    int64_t p0;
    for (p0 = 0; p0 < k; p0 += 65536) {
        const int64_t p1 = mk_min_i64(k, p0 + 65536);
        int32_t sum = 0;
        int64_t p;
        for (p = p0; p < p1; ++p) {
            sum += (int32_t)a[p] * (int32_t)x[p];
        }
        total += (uint32_t)sum;
    }
    return total;
}

/* Task body: rows [index * R, index * R + R). */
MK_UNUSED static void mk_qgemv_task(void *ctx, size_t index)
{
    const mk_qgemv_job *job = (const mk_qgemv_job *)ctx;
    const int64_t first = (int64_t)index * MK_QGEMV_TASK_ROWS;
    const int64_t last = mk_min_i64(job->m, first + MK_QGEMV_TASK_ROWS);
    int64_t i;
    for (i = first; i < last; ++i) {
        const uint32_t offset = job->row_offset != NULL ? (uint32_t)job->row_offset[i] : 0u;
        const int32_t acc = mk_q_i32(mk_qdot(job->a + i * job->lda, job->x, job->k));
        mk_qgemm_store_row(job->epi, &acc, 1, offset, mk_qgemm_row_scale(job->epi, i),
                           job->c + (size_t)(i * job->c_rs) * job->c_es, 1);
    }
}

/* The same on pre-packed A: one task per MK_QGEMV_TASK_ROWS rows, walking
 * each panel's groups against x (u(b) as uint8, k rounded up to KG, zero
 * padded). */
typedef struct mk_qgemv_packed_job {
    int64_t m, groups;
    const mk_qa_t *ap;
    const uint32_t *corr; /* NEON dot product: 128 * rowsum(A), else NULL */
    const uint8_t *x;
    const int32_t *row_offset;
    const mk_qgemm_epilogue *epi;
    unsigned char *c;
    int64_t c_rs;
    size_t c_es;
} mk_qgemv_packed_job;

/* Task body: panels [index * R / MR, (index + 1) * R / MR). */
MK_UNUSED static void mk_qgemv_packed_task(void *ctx, size_t index)
{
    const mk_qgemv_packed_job *job = (const mk_qgemv_packed_job *)ctx;
    const int64_t panel_elems = mk_round_up(job->groups * MK_QGEMM_KG, MK_QGEMM_A_KG) * MK_QGEMM_MR;
    const int64_t first = (int64_t)index * (MK_QGEMV_TASK_ROWS / MK_QGEMM_MR * MK_QGEMM_MR);
    const int64_t last = mk_min_i64(job->m, first + MK_QGEMV_TASK_ROWS / MK_QGEMM_MR * MK_QGEMM_MR);
    int64_t i0;
    for (i0 = first; i0 < last; i0 += MK_QGEMM_MR) {
        const mk_qa_t *ap = job->ap + (i0 / MK_QGEMM_MR) * panel_elems;
        int32_t init[MK_QGEMM_MR], sums[MK_QGEMM_MR];
        int64_t r;
        for (r = 0; r < MK_QGEMM_MR; ++r) {
            init[r] = i0 + r < job->m && job->row_offset != NULL ? job->row_offset[i0 + r] : 0;
        }
#if defined(MK_QGEMM_VNNI)
        mk_qgemm_micro_column(job->groups, ap, job->x, init, sums);
#elif defined(MK_QGEMM_AVX2)
        {
            /* Per pair of depths: 6 rows x 2 int16 against the pair of x,
             * vpmaddwd into 6 lanes; two sums over alternating groups. */
            const __m256i keep6 = _mm256_setr_epi32(-1, -1, -1, -1, -1, -1, 0, 0);
            __m256i s0 = _mm256_maskload_epi32((const int *)init, keep6), s1 = _mm256_setzero_si256();
            int64_t g;
            for (g = 0; g + 2 <= job->groups; g += 2) {
                const uint8_t *x = job->x + 2 * g;
                const __m256i a0 = _mm256_maskload_epi32((const int *)(ap + 12 * g), keep6);
                const __m256i a1 = _mm256_maskload_epi32((const int *)(ap + 12 * g + 12), keep6);
                s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(a0, _mm256_set1_epi32(x[0] | x[1] << 16)));
                s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(a1, _mm256_set1_epi32(x[2] | x[3] << 16)));
            }
            if (g < job->groups) {
                const uint8_t *x = job->x + 2 * g;
                const __m256i a0 = _mm256_maskload_epi32((const int *)(ap + 12 * g), keep6);
                s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(a0, _mm256_set1_epi32(x[0] | x[1] << 16)));
            }
            _mm256_maskstore_epi32((int *)sums, keep6, _mm256_add_epi32(s0, s1));
        }
#elif defined(MK_QGEMM_SDOT)
        {
            /* SDOT against x - 128 (each lane: one row's 4 depths), plus
             * the packed 128 * rowsum(A) correction. */
            const uint8x16_t flip = vdupq_n_u8(0x80);
            int32x4_t s0 = vld1q_s32(init), s1 = vld1q_s32(init + 4);
            int64_t g;
            for (g = 0; g < job->groups; ++g) {
                const int8x16_t xv = vreinterpretq_s8_u8(
                    veorq_u8(vreinterpretq_u8_u32(vdupq_n_u32((uint32_t)mk_q_load32(job->x + 4 * g))), flip));
                s0 = vdotq_s32(s0, vld1q_s8(ap + 32 * g), xv);
                s1 = vdotq_s32(s1, vld1q_s8(ap + 32 * g + 16), xv);
            }
            s0 = vaddq_s32(s0, vreinterpretq_s32_u32(vld1q_u32(job->corr + i0)));
            s1 = vaddq_s32(s1, vreinterpretq_s32_u32(vld1q_u32(job->corr + i0 + 4)));
            vst1q_s32(sums, s0);
            vst1q_s32(sums + 4, s1);
        }
#else
        {
            /* Portable C (MR = 4, KG = 1): named sums, as in its microkernel. */
            uint32_t s0 = (uint32_t)init[0], s1 = (uint32_t)init[1], s2 = (uint32_t)init[2], s3 = (uint32_t)init[3];
            int64_t g;
            for (g = 0; g < job->groups; ++g) {
                const int32_t xv = job->x[g];
                s0 += (uint32_t)(ap[4 * g] * xv);
                s1 += (uint32_t)(ap[4 * g + 1] * xv);
                s2 += (uint32_t)(ap[4 * g + 2] * xv);
                s3 += (uint32_t)(ap[4 * g + 3] * xv);
            }
            sums[0] = mk_q_i32(s0);
            sums[1] = mk_q_i32(s1);
            sums[2] = mk_q_i32(s2);
            sums[3] = mk_q_i32(s3);
        }
#endif
        for (r = 0; r < MK_QGEMM_MR && i0 + r < job->m; ++r) {
            mk_qgemm_store_row(job->epi, sums + r, 1, 0u, mk_qgemm_row_scale(job->epi, i0 + r),
                               job->c + (size_t)((i0 + r) * job->c_rs) * job->c_es, 1);
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Public entry points.                                                      */
/* ------------------------------------------------------------------------ */

/* Bytes of 64-byte aligned scratch that mk_qgemm needs besides the packed
 * A: the per-slot B blocks (or the packed vector of the n == 1 path). */
MK_UNUSED static size_t mk_qgemm_work_bytes(int64_t m, int64_t n, int64_t k)
{
    mk_qgemm_plan plan;
    if (m <= 0 || n <= 0 || k <= 0) {
        return 0;
    }
    mk_qgemm_make_plan(m, n, k, &plan);
    /* A slot holds at least one panel of >= k bytes: the n == 1 vector fits. */
    return (size_t)plan.slots * plan.slot_bytes;
}

/* Bytes of 64-byte aligned scratch that mk_qgemm needs for an m x n x k
 * product, whatever the strides, flags, epilogue and thread count: the
 * work bytes followed by room for packed A. */
MK_UNUSED static size_t mk_qgemm_scratch_bytes(int64_t m, int64_t n, int64_t k)
{
    return mk_qgemm_work_bytes(m, n, k) + mk_qgemm_work_a_bytes(m, k);
}

/* Bytes of 64-byte aligned scratch that mk_qgemm needs when given
 * a_packed: the work bytes, and on AVX2 room to widen the packing. */
MK_UNUSED static size_t mk_qgemm_prepacked_scratch_bytes(int64_t m, int64_t n, int64_t k)
{
#if defined(MK_QGEMM_AVX2)
    return mk_qgemm_scratch_bytes(m, n, k);
#else
    return mk_qgemm_work_bytes(m, n, k);
#endif
}

/* Fills everything of *job but B for the blocked path (n >= 2, k >= 1):
 * the plan, A in its working form (a_work, else packed from a or a_packed
 * into scratch after the B blocks), the epilogue and C. */
MK_UNUSED static void mk_qgemm_init_job(const mk_exec *ex, int64_t m, int64_t n, int64_t k, const int8_t *a,
                                        int64_t lda, const void *a_packed, const mk_qa_t *a_work,
                                        const int32_t *row_offset, const mk_qgemm_epilogue *epilogue, void *c,
                                        int64_t c_row_stride, int64_t c_col_stride, void *scratch, mk_qgemm_job *job)
{
    mk_qgemm_make_plan(m, n, k, &job->plan);
    job->m = m;
    job->n = n;
    job->k = k;
    job->ap = a_work != NULL ? a_work
                             : mk_qgemm_working_a(ex, m, k, a, lda, a_packed,
                                                  (unsigned char *)scratch + (size_t)job->plan.slots * job->plan.slot_bytes);
#if defined(MK_QGEMM_SDOT)
    job->corr = (const uint32_t *)((const unsigned char *)job->ap + mk_qgemm_packed_a_bytes(m, k) -
                                   (size_t)mk_round_up(mk_round_up(m, MK_QGEMM_MR) * 4, 64));
#else
    job->corr = NULL;
#endif
    job->b = NULL;
    job->b_rs = 0;
    job->b_cs = 0;
    job->flip = 0u;
    job->row_offset = row_offset;
    job->epi = epilogue;
    job->c = (unsigned char *)c;
    job->c_rs = c_row_stride;
    job->c_cs = c_col_stride;
    job->c_es = mk_qgemm_out_bytes(epilogue != NULL ? epilogue->kind : MK_QGEMM_OUT_INT32);
    job->scratch = (unsigned char *)scratch;
    job->pack_b = NULL;
    job->pack_b_ctx = NULL;
}

/* Runs the tiles of a filled job: serially, or over the fixed slots. */
MK_UNUSED static void mk_qgemm_run_job(const mk_exec *ex, const mk_qgemm_job *job)
{
    if (ex == NULL || ex->parallel_for == NULL) {
        mk_qgemm_serial_tiles(job);
    } else {
        mk_parallel(ex, (size_t)job->plan.slots, mk_qgemm_slot_task, (void *)job);
    }
}

/* C(i, j) = epilogue(row_offset[i] + sum_p A[i][p] * u(B(p, j))) for i < m,
 * j < n; see the top of this file. mk_qconv2d calls it directly with A in
 * its working form already (a_work, mk_qgemm_working_a), else NULL.
 *  A: int8, m x k, row stride lda; or a_packed != NULL: the output of
 *     mk_qgemm_pack_a(m, k) of this build (then a is not read).
 *  B: 8-bit, B(p, j) = b[p * b_row_stride + j * b_col_stride]; read as
 *     uint8, or as int8 when b_int8 (then u(b) = b + 128).
 *  row_offset: m int32 values, or NULL for zeros.
 *  epilogue: output kind and scales (NULL: int32 output).
 *  C: element C(i, j) at index i * c_row_stride + j * c_col_stride of c,
 *     whose type the epilogue kind gives.
 *  scratch: mk_qgemm_scratch_bytes(m, n, k) bytes, 64-byte aligned
 *     (mk_qgemm_prepacked_scratch_bytes(m, n, k) with a_packed).
 * C must not overlap A, B, row_offset or scratch. Deterministic for any
 * thread count. */
MK_UNUSED static void mk_qgemm_run(const mk_exec *ex, int64_t m, int64_t n, int64_t k, const int8_t *a, int64_t lda,
                                   const void *a_packed, const mk_qa_t *a_work, const void *b, int64_t b_row_stride,
                                   int64_t b_col_stride, int b_int8, const int32_t *row_offset,
                                   const mk_qgemm_epilogue *epilogue, void *c, int64_t c_row_stride,
                                   int64_t c_col_stride, void *scratch)
{
    const size_t es = mk_qgemm_out_bytes(epilogue != NULL ? epilogue->kind : MK_QGEMM_OUT_INT32);
    unsigned char *out = (unsigned char *)c;
    if (m <= 0 || n <= 0) {
        return;
    }
    if (k <= 0) {
        int32_t zeros[64];
        int64_t i, j;
        memset(zeros, 0, sizeof(zeros));
        for (i = 0; i < m; ++i) {
            const uint32_t offset = row_offset != NULL ? (uint32_t)row_offset[i] : 0u;
            for (j = 0; j < n; j += 64) {
                mk_qgemm_store_row(epilogue, zeros, mk_min_i64(64, n - j), offset, mk_qgemm_row_scale(epilogue, i),
                                   out + (size_t)(i * c_row_stride + j * c_col_stride) * es, c_col_stride);
            }
        }
        return;
    }
    if (n == 1) {
        /* Matrix-vector: x = u(B(., 0)) contiguous, in the scratch unless B
         * already is (uint8, row stride 1, and A not pre-packed: the packed
         * path reads x up to a whole group, whose padding A zeroes). */
        const uint8_t *bv = (const uint8_t *)b;
        const unsigned flip = b_int8 ? 0x80u : 0u;
        const uint8_t *x = bv;
        int64_t p;
        if (b_row_stride != 1 || b_int8 || a_packed != NULL || a_work != NULL) {
            uint8_t *packed_x = (uint8_t *)scratch;
            for (p = 0; p < k; ++p) {
                packed_x[p] = (uint8_t)(bv[p * b_row_stride] ^ flip);
            }
            for (; p < mk_round_up(k, MK_QGEMM_A_KG); ++p) {
                packed_x[p] = 0;
            }
            x = packed_x;
        }
        if (a_packed == NULL && a_work == NULL) {
            mk_qgemv_job job;
            job.x = x;
            job.m = m;
            job.k = k;
            job.a = a;
            job.lda = lda;
            job.row_offset = row_offset;
            job.epi = epilogue;
            job.c = out;
            job.c_rs = c_row_stride;
            job.c_es = es;
            mk_parallel(ex, (size_t)mk_div_up(m, MK_QGEMV_TASK_ROWS), mk_qgemv_task, &job);
        } else {
            mk_qgemv_packed_job job;
            job.x = x;
            job.m = m;
            job.groups = mk_div_up(k, MK_QGEMM_KG);
            job.ap = a_work != NULL ? a_work
                                    : mk_qgemm_working_a(ex, m, k, a, lda, a_packed,
                                                         (unsigned char *)scratch + mk_qgemm_work_bytes(m, n, k));
#if defined(MK_QGEMM_SDOT)
            job.corr = (const uint32_t *)((const unsigned char *)job.ap + mk_qgemm_packed_a_bytes(m, k) -
                                          (size_t)mk_round_up(mk_round_up(m, MK_QGEMM_MR) * 4, 64));
#else
            job.corr = NULL;
#endif
            job.row_offset = row_offset;
            job.epi = epilogue;
            job.c = out;
            job.c_rs = c_row_stride;
            job.c_es = es;
            mk_parallel(ex, (size_t)mk_div_up(m, MK_QGEMV_TASK_ROWS / MK_QGEMM_MR * MK_QGEMM_MR),
                        mk_qgemv_packed_task, &job);
        }
        return;
    }
    {
        mk_qgemm_job job;
        mk_qgemm_init_job(ex, m, n, k, a, lda, a_packed, a_work, row_offset, epilogue, c, c_row_stride, c_col_stride,
                          scratch, &job);
        job.b = (const uint8_t *)b;
        job.b_rs = b_row_stride;
        job.b_cs = b_col_stride;
        job.flip = b_int8 ? 0x80u : 0u;
        mk_qgemm_run_job(ex, &job);
    }
}

/* mk_qgemm_run for a B that `pack` packs (mk_qgemm_b_packer, with ctx),
 * such as a convolution's implicit im2col, and A in its working form
 * (mk_qgemm_working_a); n >= 2 and k >= 1. The tiles, and so every
 * output's sums, are those of mk_qgemm_run on the same B. scratch:
 * mk_qgemm_work_bytes(m, n, k) bytes, 64-byte aligned. */
MK_UNUSED static void mk_qgemm_run_b_packer(const mk_exec *ex, int64_t m, int64_t n, int64_t k, const mk_qa_t *a_work,
                                            mk_qgemm_b_packer pack, const void *ctx, const int32_t *row_offset,
                                            const mk_qgemm_epilogue *epilogue, void *c, int64_t c_row_stride,
                                            int64_t c_col_stride, void *scratch)
{
    mk_qgemm_job job;
    if (m <= 0) {
        return;
    }
    mk_qgemm_init_job(ex, m, n, k, NULL, k, NULL, a_work, row_offset, epilogue, c, c_row_stride, c_col_stride, scratch,
                      &job);
    job.pack_b = pack;
    job.pack_b_ctx = ctx;
    mk_qgemm_run_job(ex, &job);
}

/* C(i, j) = epilogue(row_offset[i] + sum_p A[i][p] * u(B(p, j))); see
 * mk_qgemm_run above, with A as it is (a) or packed by mk_qgemm_pack_a
 * (a_packed). */
MK_UNUSED static void mk_qgemm(const mk_exec *ex, int64_t m, int64_t n, int64_t k, const int8_t *a, int64_t lda,
                               const void *a_packed, const void *b, int64_t b_row_stride, int64_t b_col_stride,
                               int b_int8, const int32_t *row_offset, const mk_qgemm_epilogue *epilogue, void *c,
                               int64_t c_row_stride, int64_t c_col_stride, void *scratch)
{
    mk_qgemm_run(ex, m, n, k, a, lda, a_packed, NULL, b, b_row_stride, b_col_stride, b_int8, row_offset, epilogue, c,
                 c_row_stride, c_col_stride, scratch);
}
