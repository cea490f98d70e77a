/*
 * modelc C runtime kernels -- fp32 GEMM (needs prelude.c).
 *
 * mk_sgemm computes C = op(A) * op(B) (+ C) for row-major fp32 matrices.
 * General shapes use Goto-style blocking: the output is cut into tiles of at
 * most MK_GEMM_MC x MK_GEMM_NC, each tile walks K in blocks of at most
 * MK_GEMM_KC, packs its A block into MR-row panels and its B block into
 * NR-column panels (zero padded), and runs a register-blocked MR x NR
 * microkernel (AVX-512 8x32, AVX2+FMA 6x16, AArch64 NEON 8x8, scalar 4x4).
 * Shapes with m == 1 or n == 1 take a matrix-vector path instead.
 *
 * Parallelism and determinism: tiles are handed to a fixed number of tasks
 * ("slots") that depends only on m, n, k and the compile-time path. Every
 * output element is reduced by exactly one task in a fixed order, so the
 * result is bit-identical for any thread count or task execution order.
 * Each slot packs into its own slice of the caller's scratch buffer.
 *
 * Scratch: mk_sgemm_scratch_bytes(m, n, k) bytes, 64-byte aligned (the
 * value depends on the SIMD path compiled in). For every shape it is at most
 * max(MK_SGEMM_SCRATCH_BOUND, 4 * k + 60) bytes; MK_SGEMM_SCRATCH_BOUND is
 * 12,632,064 (AVX-512), 12,394,496 (AVX2), 3,170,304 (NEON) and 104,448
 * (scalar). Predefining MK_GEMM_MAX_TASKS (default 32 / 32 / 16 / 4) shrinks
 * it proportionally, e.g. to 1 on a microcontroller.
 */

#if defined(__AVX512F__)
#define MK_GEMM_MR 8
#define MK_GEMM_NR 32
#define MK_GEMM_KC 256
#define MK_GEMM_MC 128
#define MK_GEMM_NC 256
#define MK_GEMM_DEFAULT_TASKS 32
#elif defined(__AVX2__) && defined(__FMA__)
#define MK_GEMM_MR 6
#define MK_GEMM_NR 16
#define MK_GEMM_KC 256
#define MK_GEMM_MC 120
#define MK_GEMM_NC 256
#define MK_GEMM_DEFAULT_TASKS 32
#elif defined(__ARM_NEON) && defined(__aarch64__)
#define MK_GEMM_MR 8
#define MK_GEMM_NR 8
#define MK_GEMM_KC 256
#define MK_GEMM_MC 64
#define MK_GEMM_NC 128
#define MK_GEMM_DEFAULT_TASKS 16
#else
#define MK_GEMM_MR 4
#define MK_GEMM_NR 4
#define MK_GEMM_KC 64
#define MK_GEMM_MC 32
#define MK_GEMM_NC 64
#define MK_GEMM_DEFAULT_TASKS 4
#endif

#ifndef MK_GEMM_MAX_TASKS
#define MK_GEMM_MAX_TASKS MK_GEMM_DEFAULT_TASKS
#endif

/* Fewest output tiles a product is cut into when it is large enough. */
#ifndef MK_GEMM_MIN_TILES
#define MK_GEMM_MIN_TILES 8
#endif

/* Gap (floats) between packed B panels, so that the panels of one row of B
 * do not all map to the same L1 cache set while packing. */
#define MK_GEMM_PANEL_PAD 16

/* Upper bound of mk_sgemm_scratch_bytes(m, n, k) for m, n >= 2 (any k). */
#define MK_SGEMM_SCRATCH_BOUND                                                                                  \
    ((size_t)MK_GEMM_MAX_TASKS * sizeof(float) *                                                                \
     (size_t)((MK_GEMM_MC / MK_GEMM_MR) * (MK_GEMM_KC * MK_GEMM_MR + MK_GEMM_PANEL_PAD) +                      \
              (MK_GEMM_NC / MK_GEMM_NR) * (MK_GEMM_KC * MK_GEMM_NR + MK_GEMM_PANEL_PAD)))

/* Columns per task on the matrix-vector path, and columns one register
 * block of the "kn" matrix-vector kernel accumulates. */
#define MK_GEMV_TASK_COLS 128
#define MK_GEMV_BLOCK 64 /* = 4 zmm / 8 ymm registers in mk_gemv_kn_block */

/* ------------------------------------------------------------------------ */
/* Microkernels. Contract (all paths):                                       */
/*   c[r*ldc + j] = (load_c ? c[r*ldc + j] : 0) + sum_p ap[p*MR + r] *       */
/*                                                  bp[p*NR + j]             */
/* for r < MR, j < NR, p < kc, summing p in increasing order.                */
/* ------------------------------------------------------------------------ */

#if defined(__AVX512F__)

/* 8x32 AVX-512 microkernel: 16 zmm accumulators. */
MK_UNUSED static void mk_gemm_micro(int64_t kc, const float *MK_RESTRICT ap, const float *MK_RESTRICT bp,
                                    float *MK_RESTRICT c, int64_t ldc, int load_c)
{
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    __m512 c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
    int64_t p;
    for (p = 0; p < kc; ++p) {
        const __m512 b0 = _mm512_loadu_ps(bp);
        const __m512 b1 = _mm512_loadu_ps(bp + 16);
        __m512 av;
#define MK_GEMM_ROW(r)                                \
    av = _mm512_set1_ps(ap[r]);                       \
    c##r##0 = _mm512_fmadd_ps(av, b0, c##r##0);       \
    c##r##1 = _mm512_fmadd_ps(av, b1, c##r##1);
        MK_GEMM_ROW(0) MK_GEMM_ROW(1) MK_GEMM_ROW(2) MK_GEMM_ROW(3)
        MK_GEMM_ROW(4) MK_GEMM_ROW(5) MK_GEMM_ROW(6) MK_GEMM_ROW(7)
#undef MK_GEMM_ROW
        ap += 8;
        bp += 32;
    }
#define MK_GEMM_STORE(r)                                                        \
    if (load_c) {                                                               \
        c##r##0 = _mm512_add_ps(c##r##0, _mm512_loadu_ps(c + (r) * ldc));      \
        c##r##1 = _mm512_add_ps(c##r##1, _mm512_loadu_ps(c + (r) * ldc + 16)); \
    }                                                                           \
    _mm512_storeu_ps(c + (r) * ldc, c##r##0);                                   \
    _mm512_storeu_ps(c + (r) * ldc + 16, c##r##1);
    MK_GEMM_STORE(0) MK_GEMM_STORE(1) MK_GEMM_STORE(2) MK_GEMM_STORE(3)
    MK_GEMM_STORE(4) MK_GEMM_STORE(5) MK_GEMM_STORE(6) MK_GEMM_STORE(7)
#undef MK_GEMM_STORE
}

#elif defined(__AVX2__) && defined(__FMA__)

/* 6x16 AVX2+FMA microkernel: 12 ymm accumulators. */
MK_UNUSED static void mk_gemm_micro(int64_t kc, const float *MK_RESTRICT ap, const float *MK_RESTRICT bp,
                                    float *MK_RESTRICT c, int64_t ldc, int load_c)
{
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    int64_t p;
    for (p = 0; p < kc; ++p) {
        const __m256 b0 = _mm256_loadu_ps(bp);
        const __m256 b1 = _mm256_loadu_ps(bp + 8);
        __m256 av;
#define MK_GEMM_ROW(r)                                \
    av = _mm256_broadcast_ss(ap + (r));               \
    c##r##0 = _mm256_fmadd_ps(av, b0, c##r##0);       \
    c##r##1 = _mm256_fmadd_ps(av, b1, c##r##1);
        MK_GEMM_ROW(0) MK_GEMM_ROW(1) MK_GEMM_ROW(2)
        MK_GEMM_ROW(3) MK_GEMM_ROW(4) MK_GEMM_ROW(5)
#undef MK_GEMM_ROW
        ap += 6;
        bp += 16;
    }
#define MK_GEMM_STORE(r)                                                       \
    if (load_c) {                                                              \
        c##r##0 = _mm256_add_ps(c##r##0, _mm256_loadu_ps(c + (r) * ldc));     \
        c##r##1 = _mm256_add_ps(c##r##1, _mm256_loadu_ps(c + (r) * ldc + 8)); \
    }                                                                          \
    _mm256_storeu_ps(c + (r) * ldc, c##r##0);                                  \
    _mm256_storeu_ps(c + (r) * ldc + 8, c##r##1);
    MK_GEMM_STORE(0) MK_GEMM_STORE(1) MK_GEMM_STORE(2)
    MK_GEMM_STORE(3) MK_GEMM_STORE(4) MK_GEMM_STORE(5)
#undef MK_GEMM_STORE
}

#elif defined(__ARM_NEON) && defined(__aarch64__)

/* 8x8 AArch64 NEON microkernel: 16 q-register accumulators. */
MK_UNUSED static void mk_gemm_micro(int64_t kc, const float *MK_RESTRICT ap, const float *MK_RESTRICT bp,
                                    float *MK_RESTRICT c, int64_t ldc, int load_c)
{
    float32x4_t c00 = vdupq_n_f32(0.0f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    float32x4_t c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
    int64_t p;
    for (p = 0; p < kc; ++p) {
        const float32x4_t b0 = vld1q_f32(bp);
        const float32x4_t b1 = vld1q_f32(bp + 4);
        const float32x4_t a0 = vld1q_f32(ap);
        const float32x4_t a1 = vld1q_f32(ap + 4);
#define MK_GEMM_ROW(r, av, lane)                           \
    c##r##0 = vfmaq_laneq_f32(c##r##0, b0, av, lane);       \
    c##r##1 = vfmaq_laneq_f32(c##r##1, b1, av, lane);
        MK_GEMM_ROW(0, a0, 0) MK_GEMM_ROW(1, a0, 1) MK_GEMM_ROW(2, a0, 2) MK_GEMM_ROW(3, a0, 3)
        MK_GEMM_ROW(4, a1, 0) MK_GEMM_ROW(5, a1, 1) MK_GEMM_ROW(6, a1, 2) MK_GEMM_ROW(7, a1, 3)
#undef MK_GEMM_ROW
        ap += 8;
        bp += 8;
    }
#define MK_GEMM_STORE(r)                                                   \
    if (load_c) {                                                          \
        c##r##0 = vaddq_f32(c##r##0, vld1q_f32(c + (r) * ldc));            \
        c##r##1 = vaddq_f32(c##r##1, vld1q_f32(c + (r) * ldc + 4));        \
    }                                                                      \
    vst1q_f32(c + (r) * ldc, c##r##0);                                     \
    vst1q_f32(c + (r) * ldc + 4, c##r##1);
    MK_GEMM_STORE(0) MK_GEMM_STORE(1) MK_GEMM_STORE(2) MK_GEMM_STORE(3)
    MK_GEMM_STORE(4) MK_GEMM_STORE(5) MK_GEMM_STORE(6) MK_GEMM_STORE(7)
#undef MK_GEMM_STORE
}

#else

/* 4x4 portable microkernel: 16 scalar accumulators (fits the 32 single
 * precision registers of a Cortex-M FPU; auto-vectorizable elsewhere). */
MK_UNUSED static void mk_gemm_micro(int64_t kc, const float *MK_RESTRICT ap, const float *MK_RESTRICT bp,
                                    float *MK_RESTRICT c, int64_t ldc, int load_c)
{
    float acc[4][4] = {{0.0f}};
    int64_t p;
    int r, j;
    for (p = 0; p < kc; ++p) {
        for (r = 0; r < 4; ++r) {
            const float av = ap[r];
            for (j = 0; j < 4; ++j) {
                acc[r][j] += av * bp[j];
            }
        }
        ap += 4;
        bp += 4;
    }
    for (r = 0; r < 4; ++r) {
        for (j = 0; j < 4; ++j) {
            c[r * ldc + j] = load_c ? c[r * ldc + j] + acc[r][j] : acc[r][j];
        }
    }
}

#endif

/* ------------------------------------------------------------------------ */
/* Packed (blocked) path.                                                    */
/* ------------------------------------------------------------------------ */

/* Blocking decisions for one GEMM shape; a pure function of (m, n, k). */
typedef struct mk_sgemm_plan {
    int64_t tile_m, tile_n;   /* task tile size, multiples of MR / NR */
    int64_t tiles_m, tiles_n; /* tile grid */
    int64_t k_blocks;         /* K is split into k_blocks near-equal blocks */
    int64_t kc_max;           /* largest K block */
    int64_t slots;            /* parallel tasks; each owns a scratch slice */
    int64_t a_floats;         /* packed-A floats per slice (multiple of 16) */
    int64_t slot_floats;      /* floats per slice (multiple of 16) */
} mk_sgemm_plan;

/* Floats from one packed panel to the next: panels of `width` (MR or NR)
 * values per k step, plus a gap so that the panels of one packing sweep do
 * not all map to the same L1 cache set. */
MK_UNUSED static int64_t mk_sgemm_panel_stride(int64_t kc, int64_t width)
{
    return kc * width + MK_GEMM_PANEL_PAD;
}

/* Fills *plan for the packed path of an m x n x k product (m, n, k >= 1). */
MK_UNUSED static void mk_sgemm_make_plan(int64_t m, int64_t n, int64_t k, mk_sgemm_plan *plan)
{
    int64_t blocks_m = mk_div_up(m, MK_GEMM_MC);
    int64_t blocks_n = mk_div_up(n, MK_GEMM_NC);
    /* Cut finer (columns first, down to 2*NR wide, then rows, down to 2*MR
     * tall) until there are MK_GEMM_MIN_TILES tiles to spread over threads. */
    while (blocks_m * blocks_n < MK_GEMM_MIN_TILES) {
        if (mk_div_up(n, blocks_n * 2) >= 2 * MK_GEMM_NR) {
            blocks_n *= 2;
        } else if (mk_div_up(m, blocks_m * 2) >= 2 * MK_GEMM_MR) {
            blocks_m *= 2;
        } else {
            break;
        }
    }
    plan->tile_m = mk_round_up(mk_div_up(m, blocks_m), MK_GEMM_MR);
    plan->tiles_m = mk_div_up(m, plan->tile_m);
    plan->tile_n = mk_round_up(mk_div_up(n, blocks_n), MK_GEMM_NR);
    plan->tiles_n = mk_div_up(n, plan->tile_n);
    plan->k_blocks = mk_div_up(k, MK_GEMM_KC);
    plan->kc_max = mk_div_up(k, plan->k_blocks);
    plan->slots = mk_min_i64(plan->tiles_m * plan->tiles_n, MK_GEMM_MAX_TASKS);
    plan->a_floats = mk_round_up((plan->tile_m / MK_GEMM_MR) * mk_sgemm_panel_stride(plan->kc_max, MK_GEMM_MR), 16);
    plan->slot_floats =
        plan->a_floats + mk_round_up((plan->tile_n / MK_GEMM_NR) * mk_sgemm_panel_stride(plan->kc_max, MK_GEMM_NR), 16);
}

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
/* Transposes an 8 x 8 block: dst[c * ldd + r] = src[r * lds + c]. */
MK_UNUSED static void mk_transpose8x8(const float *MK_RESTRICT src, int64_t lds, float *MK_RESTRICT dst, int64_t ldd)
{
    const __m256 r0 = _mm256_loadu_ps(src), r1 = _mm256_loadu_ps(src + lds);
    const __m256 r2 = _mm256_loadu_ps(src + 2 * lds), r3 = _mm256_loadu_ps(src + 3 * lds);
    const __m256 r4 = _mm256_loadu_ps(src + 4 * lds), r5 = _mm256_loadu_ps(src + 5 * lds);
    const __m256 r6 = _mm256_loadu_ps(src + 6 * lds), r7 = _mm256_loadu_ps(src + 7 * lds);
    const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
    const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
    const __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    const __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    const __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    const __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    _mm256_storeu_ps(dst, _mm256_permute2f128_ps(s0, s4, 0x20));
    _mm256_storeu_ps(dst + ldd, _mm256_permute2f128_ps(s1, s5, 0x20));
    _mm256_storeu_ps(dst + 2 * ldd, _mm256_permute2f128_ps(s2, s6, 0x20));
    _mm256_storeu_ps(dst + 3 * ldd, _mm256_permute2f128_ps(s3, s7, 0x20));
    _mm256_storeu_ps(dst + 4 * ldd, _mm256_permute2f128_ps(s0, s4, 0x31));
    _mm256_storeu_ps(dst + 5 * ldd, _mm256_permute2f128_ps(s1, s5, 0x31));
    _mm256_storeu_ps(dst + 6 * ldd, _mm256_permute2f128_ps(s2, s6, 0x31));
    _mm256_storeu_ps(dst + 7 * ldd, _mm256_permute2f128_ps(s3, s7, 0x31));
}
#endif

/* Packs a kc x count block X(p, w) into panels of `width` columns:
 * dst[(w / width) * mk_sgemm_panel_stride(kc, width) + p * width + w % width]
 * = X(p, w), zero for w in [count, round_up(count, width)).
 * X(p, w) is src[w * ld + p] when p_contiguous, else src[p * ld + w].
 * A blocks use width MR (w = row of op(A)), B blocks width NR (w = column of
 * op(B)). */
MK_UNUSED static void mk_sgemm_pack(const float *MK_RESTRICT src, int64_t ld, int p_contiguous, int64_t count,
                                    int64_t kc, int64_t width, float *MK_RESTRICT dst)
{
    const int64_t stride = mk_sgemm_panel_stride(kc, width);
    int64_t q, p, w;
    if (!p_contiguous) {
        /* Row by row, reading the source sequentially. */
        for (p = 0; p < kc; ++p) {
            const float *row = src + p * ld;
            for (q = 0; q < count; q += width) {
                float *out = dst + (q / width) * stride + p * width;
                const int64_t valid = mk_min_i64(width, count - q);
                /* Constant-size copies of full panels compile to a few moves. */
                if (valid == MK_GEMM_NR && width == MK_GEMM_NR) {
                    memcpy(out, row + q, sizeof(float) * MK_GEMM_NR);
                } else if (valid == MK_GEMM_MR && width == MK_GEMM_MR) {
                    memcpy(out, row + q, sizeof(float) * MK_GEMM_MR);
                } else {
                    for (w = 0; w < valid; ++w) {
                        out[w] = row[q + w];
                    }
                    for (; w < width; ++w) {
                        out[w] = 0.0f;
                    }
                }
            }
        }
        return;
    }
    for (q = 0; q < count; q += width) {
        float *panel = dst + (q / width) * stride;
        const int64_t valid = mk_min_i64(width, count - q);
        p = 0;
#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
        if (valid == width && width % 8 == 0) {
            for (; p + 8 <= kc; p += 8) {
                for (w = 0; w < width; w += 8) {
                    mk_transpose8x8(src + (q + w) * ld + p, ld, panel + p * width + w, width);
                }
            }
        }
#endif
        for (w = 0; w < valid; ++w) {
            const float *line = src + (q + w) * ld;
            int64_t pp;
            for (pp = p; pp < kc; ++pp) {
                panel[pp * width + w] = line[pp];
            }
        }
        for (; w < width; ++w) {
            int64_t pp;
            for (pp = p; pp < kc; ++pp) {
                panel[pp * width + w] = 0.0f;
            }
        }
    }
}

/* Everything one call of mk_sgemm shares with its tasks. */
typedef struct mk_sgemm_job {
    mk_sgemm_plan plan;
    int64_t m, n, k;
    const float *a;
    int64_t lda;
    int trans_a;
    const float *b;
    int64_t ldb;
    int trans_b;
    float *c;
    int64_t ldc;
    int accumulate;
    float *scratch;
} mk_sgemm_job;

/* Computes output tile (row block ti, column block tj) using the packing
 * buffers ap / bp. */
MK_UNUSED static void mk_sgemm_tile(const mk_sgemm_job *job, int64_t ti, int64_t tj, float *ap, float *bp)
{
    const int64_t i0 = ti * job->plan.tile_m;
    const int64_t j0 = tj * job->plan.tile_n;
    const int64_t mt = mk_min_i64(job->plan.tile_m, job->m - i0);
    const int64_t nt = mk_min_i64(job->plan.tile_n, job->n - j0);
    int64_t kb;
    for (kb = 0; kb < job->plan.k_blocks; ++kb) {
        const int64_t p0 = mk_split_point(job->k, job->plan.k_blocks, kb);
        const int64_t kc = mk_split_point(job->k, job->plan.k_blocks, kb + 1) - p0;
        const int load_c = job->accumulate || kb > 0;
        int64_t ir, jr;
        if (job->trans_a) {
            mk_sgemm_pack(job->a + p0 * job->lda + i0, job->lda, 0, mt, kc, MK_GEMM_MR, ap);
        } else {
            mk_sgemm_pack(job->a + i0 * job->lda + p0, job->lda, 1, mt, kc, MK_GEMM_MR, ap);
        }
        if (job->trans_b) {
            mk_sgemm_pack(job->b + j0 * job->ldb + p0, job->ldb, 1, nt, kc, MK_GEMM_NR, bp);
        } else {
            mk_sgemm_pack(job->b + p0 * job->ldb + j0, job->ldb, 0, nt, kc, MK_GEMM_NR, bp);
        }
        for (ir = 0; ir < mt; ir += MK_GEMM_MR) {
            const int64_t mr = mk_min_i64(MK_GEMM_MR, mt - ir);
            const float *apanel = ap + (ir / MK_GEMM_MR) * mk_sgemm_panel_stride(kc, MK_GEMM_MR);
            for (jr = 0; jr < nt; jr += MK_GEMM_NR) {
                const int64_t nr = mk_min_i64(MK_GEMM_NR, nt - jr);
                const float *bpanel = bp + (jr / MK_GEMM_NR) * mk_sgemm_panel_stride(kc, MK_GEMM_NR);
                float *cblock = job->c + (i0 + ir) * job->ldc + j0 + jr;
                if (mr == MK_GEMM_MR && nr == MK_GEMM_NR) {
                    mk_gemm_micro(kc, apanel, bpanel, cblock, job->ldc, load_c);
                } else {
                    float edge[MK_GEMM_MR * MK_GEMM_NR];
                    int64_t r, j;
                    mk_gemm_micro(kc, apanel, bpanel, edge, MK_GEMM_NR, 0);
                    for (r = 0; r < mr; ++r) {
                        for (j = 0; j < nr; ++j) {
                            const float v = edge[r * MK_GEMM_NR + j];
                            cblock[r * job->ldc + j] = load_c ? cblock[r * job->ldc + j] + v : v;
                        }
                    }
                }
            }
        }
    }
}

/* Task body: slot `index` computes its contiguous share of the tiles. */
MK_UNUSED static void mk_sgemm_slot_task(void *ctx, size_t index)
{
    const mk_sgemm_job *job = (const mk_sgemm_job *)ctx;
    const int64_t tiles = job->plan.tiles_m * job->plan.tiles_n;
    const int64_t slot = (int64_t)index;
    const int64_t t_end = mk_split_point(tiles, job->plan.slots, slot + 1);
    float *ap = job->scratch + slot * job->plan.slot_floats;
    float *bp = ap + job->plan.a_floats;
    int64_t t;
    for (t = mk_split_point(tiles, job->plan.slots, slot); t < t_end; ++t) {
        mk_sgemm_tile(job, t / job->plan.tiles_n, t % job->plan.tiles_n, ap, bp);
    }
}

/* ------------------------------------------------------------------------ */
/* Matrix-vector path: y[j*incy] = (acc ? y : 0) + sum_p x[p] * M(p, j).     */
/* M(p, j) is mat[p*ld + j] ("kn" layout) or mat[j*ld + p] ("nk" layout).    */
/* ------------------------------------------------------------------------ */

typedef struct mk_gemv_job {
    int64_t n, k;
    const float *x; /* contiguous, k values */
    const float *mat;
    int64_t ld;
    int nk_layout;
    float *y;
    int64_t incy;
    int accumulate;
} mk_gemv_job;

/* Stores w results vals[0..w) to y[j*incy], honouring accumulate. */
MK_UNUSED static void mk_gemv_store(const mk_gemv_job *job, int64_t j0, int64_t w, const float *vals)
{
    int64_t j;
    for (j = 0; j < w; ++j) {
        float *dst = job->y + (j0 + j) * job->incy;
        *dst = job->accumulate ? *dst + vals[j] : vals[j];
    }
}

/* kn layout, columns [j0, j0+w), w <= MK_GEMV_BLOCK: one sweep over p with
 * the w sums in registers. */
MK_UNUSED static void mk_gemv_kn_block(const mk_gemv_job *job, int64_t j0, int64_t w)
{
    float vals[MK_GEMV_BLOCK];
    const float *x = job->x;
    const float *col = job->mat + j0;
    const int64_t ld = job->ld;
    int64_t p;
#if defined(__AVX512F__)
    if (w == MK_GEMV_BLOCK) {
        __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
        for (p = 0; p < job->k; ++p) {
            const float *row = col + p * ld;
            const __m512 xv = _mm512_set1_ps(x[p]);
            s0 = _mm512_fmadd_ps(xv, _mm512_loadu_ps(row), s0);
            s1 = _mm512_fmadd_ps(xv, _mm512_loadu_ps(row + 16), s1);
            s2 = _mm512_fmadd_ps(xv, _mm512_loadu_ps(row + 32), s2);
            s3 = _mm512_fmadd_ps(xv, _mm512_loadu_ps(row + 48), s3);
        }
        _mm512_storeu_ps(vals, s0);
        _mm512_storeu_ps(vals + 16, s1);
        _mm512_storeu_ps(vals + 32, s2);
        _mm512_storeu_ps(vals + 48, s3);
        mk_gemv_store(job, j0, w, vals);
        return;
    }
#elif defined(__AVX2__) && defined(__FMA__)
    if (w == MK_GEMV_BLOCK) {
        __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        for (p = 0; p < job->k; ++p) {
            const float *row = col + p * ld;
            const __m256 xv = _mm256_set1_ps(x[p]);
            s0 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(row), s0);
            s1 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(row + 8), s1);
            s2 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(row + 16), s2);
            s3 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(row + 24), s3);
            s4 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(row + 32), s4);
            s5 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(row + 40), s5);
            s6 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(row + 48), s6);
            s7 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(row + 56), s7);
        }
        _mm256_storeu_ps(vals, s0);
        _mm256_storeu_ps(vals + 8, s1);
        _mm256_storeu_ps(vals + 16, s2);
        _mm256_storeu_ps(vals + 24, s3);
        _mm256_storeu_ps(vals + 32, s4);
        _mm256_storeu_ps(vals + 40, s5);
        _mm256_storeu_ps(vals + 48, s6);
        _mm256_storeu_ps(vals + 56, s7);
        mk_gemv_store(job, j0, w, vals);
        return;
    }
#endif
    {
        int64_t j;
        for (j = 0; j < w; ++j) {
            vals[j] = 0.0f;
        }
        for (p = 0; p < job->k; ++p) {
            const float *row = col + p * ld;
            const float xv = x[p];
            for (j = 0; j < w; ++j) {
                vals[j] += xv * row[j];
            }
        }
    }
    mk_gemv_store(job, j0, w, vals);
}

/* Dot product of two contiguous vectors of length k (fixed summation order). */
MK_UNUSED static float mk_dot(const float *MK_RESTRICT x, const float *MK_RESTRICT v, int64_t k)
{
    int64_t p = 0;
#if defined(__AVX512F__)
    __m512 s0 = _mm512_setzero_ps(), s1 = s0;
    for (; p + 32 <= k; p += 32) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + p), _mm512_loadu_ps(v + p), s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(x + p + 16), _mm512_loadu_ps(v + p + 16), s1);
    }
    if (p + 16 <= k) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + p), _mm512_loadu_ps(v + p), s0);
        p += 16;
    }
    if (p < k) {
        const __mmask16 mask = (__mmask16)((1u << (unsigned)(k - p)) - 1u);
        s1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, x + p), _mm512_maskz_loadu_ps(mask, v + p), s1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
#else
    float lanes[16];
    float total = 0.0f;
    int l;
#if defined(__AVX2__) && defined(__FMA__)
    __m256 s0 = _mm256_setzero_ps(), s1 = s0;
    for (; p + 16 <= k; p += 16) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + p), _mm256_loadu_ps(v + p), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + p + 8), _mm256_loadu_ps(v + p + 8), s1);
    }
    _mm256_storeu_ps(lanes, s0);
    _mm256_storeu_ps(lanes + 8, s1);
#else
    for (l = 0; l < 16; ++l) {
        lanes[l] = 0.0f;
    }
    for (; p + 16 <= k; p += 16) {
        for (l = 0; l < 16; ++l) {
            lanes[l] += x[p + l] * v[p + l];
        }
    }
#endif
    for (l = 0; l < 16; ++l) {
        total += lanes[l];
    }
    for (; p < k; ++p) {
        total += x[p] * v[p];
    }
    return total;
#endif
}

/* Task body: the matrix-vector product for columns of chunk `index`. */
MK_UNUSED static void mk_gemv_task(void *ctx, size_t index)
{
    const mk_gemv_job *job = (const mk_gemv_job *)ctx;
    const int64_t j_begin = (int64_t)index * MK_GEMV_TASK_COLS;
    const int64_t j_end = mk_min_i64(job->n, j_begin + MK_GEMV_TASK_COLS);
    int64_t j;
    if (job->nk_layout) {
        for (j = j_begin; j < j_end; ++j) {
            const float v = mk_dot(job->x, job->mat + j * job->ld, job->k);
            mk_gemv_store(job, j, 1, &v);
        }
    } else {
        for (j = j_begin; j < j_end; j += MK_GEMV_BLOCK) {
            mk_gemv_kn_block(job, j, mk_min_i64(MK_GEMV_BLOCK, j_end - j));
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Public entry points.                                                      */
/* ------------------------------------------------------------------------ */

/* Bytes of 64-byte aligned scratch that mk_sgemm needs for an m x n x k
 * product, whatever the transposes and the thread count. */
MK_UNUSED static size_t mk_sgemm_scratch_bytes(int64_t m, int64_t n, int64_t k)
{
    mk_sgemm_plan plan;
    if (m <= 0 || n <= 0 || k <= 0) {
        return 0;
    }
    if (m == 1 || n == 1) {
        return (size_t)mk_round_up(k, 16) * sizeof(float);
    }
    mk_sgemm_make_plan(m, n, k, &plan);
    return (size_t)(plan.slots * plan.slot_floats) * sizeof(float);
}

/* C[m x n] (row stride ldc) = op(A) * op(B) (+ C when accumulate != 0).
 * op(A) is m x k: A is m x k row-major (stride lda), or k x m when trans_a.
 * op(B) is k x n: B is k x n row-major (stride ldb), or n x k when trans_b.
 * scratch: at least mk_sgemm_scratch_bytes(m, n, k) bytes, 64-byte aligned.
 * C must not overlap A, B or scratch. Deterministic for any thread count. */
MK_UNUSED static void mk_sgemm(const mk_exec *ex, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
                               int trans_a, const float *b, int64_t ldb, int trans_b, float *c, int64_t ldc,
                               int accumulate, void *scratch)
{
    if (m <= 0 || n <= 0) {
        return;
    }
    if (k <= 0) {
        int64_t i;
        if (!accumulate) {
            for (i = 0; i < m; ++i) {
                memset(c + i * ldc, 0, sizeof(float) * (size_t)n);
            }
        }
        return;
    }
    if (m == 1 || n == 1) {
        /* Matrix-vector: y = x^T M with x the vector operand. */
        mk_gemv_job job;
        const float *x;
        int64_t incx, p;
        if (m == 1) {
            x = a;
            incx = trans_a ? lda : 1;
            job.mat = b;
            job.ld = ldb;
            job.nk_layout = trans_b;
            job.n = n;
            job.incy = 1;
        } else {
            x = b;
            incx = trans_b ? 1 : ldb;
            job.mat = a;
            job.ld = lda;
            job.nk_layout = !trans_a;
            job.n = m;
            job.incy = ldc;
        }
        job.k = k;
        job.y = c;
        job.accumulate = accumulate;
        if (incx == 1) {
            job.x = x;
        } else {
            float *packed = (float *)scratch;
            for (p = 0; p < k; ++p) {
                packed[p] = x[p * incx];
            }
            job.x = packed;
        }
        mk_parallel(ex, (size_t)mk_div_up(job.n, MK_GEMV_TASK_COLS), mk_gemv_task, &job);
        return;
    }
    {
        mk_sgemm_job job;
        mk_sgemm_make_plan(m, n, k, &job.plan);
        job.m = m;
        job.n = n;
        job.k = k;
        job.a = a;
        job.lda = lda;
        job.trans_a = trans_a;
        job.b = b;
        job.ldb = ldb;
        job.trans_b = trans_b;
        job.c = c;
        job.ldc = ldc;
        job.accumulate = accumulate;
        job.scratch = (float *)scratch;
        mk_parallel(ex, (size_t)job.plan.slots, mk_sgemm_slot_task, &job);
    }
}

/* C[m,n] = A[m,k] * B[k,n] on row-major int32 matrices, accumulated in
 * 32 bits with wrap-around (unsigned arithmetic, so no overflow is undefined):
 * exact whenever the true result fits int32. There is deliberately no 8- or
 * 16-bit intermediate, so no SIMD path can saturate; compilers vectorize the
 * inner loop with 32-bit lanes. */
MK_UNUSED static void mk_igemm_i32(int64_t m, int64_t n, int64_t k, const int32_t *a, const int32_t *b,
                                   int32_t *c)
{
    int64_t i, j, p;
    for (i = 0; i < m; ++i) {
        uint32_t *row = (uint32_t *)(c + i * n);
        for (j = 0; j < n; ++j) {
            row[j] = 0;
        }
        for (p = 0; p < k; ++p) {
            const uint32_t av = (uint32_t)a[i * k + p];
            const int32_t *brow = b + p * n;
            for (j = 0; j < n; ++j) {
                row[j] += av * (uint32_t)brow[j];
            }
        }
    }
}
