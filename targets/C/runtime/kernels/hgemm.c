/*
 * modelc C runtime kernels -- GEMM with half-precision weights (needs
 * prelude.c, half.c and gemm.c).
 *
 * One operand is a constant weight matrix W stored in a 16-bit float format
 * (kind MK_HALF_BF16 or MK_HALF_F16, bit patterns in uint16_t); the other
 * holds f32 activations; C is f32:
 *   mk_hgemm    C[m x n] = W[m x k] * B[k x n] (+ C)   weights on the left:
 *               a convolution's weights times its im2col columns;
 *   mk_hmatmul  C[m x n] = X[m x k] * W[k x n] (+ C)   weights on the right:
 *               ONNX MatMul and Gemm, where the activations come first (W may
 *               be given transposed, n x k, as Gemm's transB = 1).
 * Both store C row-major with unit column stride, so a transformer's
 * Y = X * W needs no transposed reads or writes: call mk_hmatmul.
 * mk_hgemm_packed_columns is mk_hgemm with a per-row bias and B produced
 * by a packing callback (hconv.c's im2col).
 *
 * Precision. W widens exactly to f32 in both formats. Then:
 *  - bf16 dot path (MK_HGEMM_BF16_DOT == 1: built with AVX512-BF16) and
 *    kind MK_HALF_BF16: the activations are rounded to bf16 as
 *    vcvtne2ps2bf16 does (round to nearest even; f32 subnormals become
 *    signed zeros, NaNs stay NaN), and vdpbf16ps adds the exact f32 products
 *    of each pair of consecutive k indices (2q, 2q+1) to an f32 sum: two
 *    additions, each rounded to nearest even (Intel's definition, odd index
 *    first; measured on Zen 4: not fused), bf16 subnormal inputs and f32
 *    subnormal results flushed to zero. k is padded with a zero pair element
 *    when odd. Each element has one accumulator, adding pairs in increasing
 *    q within a K block; blocks add in increasing order. On AMX
 *    (MK_HGEMM_AMX: built with AMX-BF16 on x86-64 Linux) mk_hgemm and
 *    mk_hmatmul run TDPBF16PS, which adds the two products of a pair the
 *    same way, even index first (Intel SDM), with the same flushes.
 *  - every other case (kind MK_HALF_F16, or a build without AVX512-BF16):
 *    the activations stay f32 and the product runs on gemm.c's fp32
 *    microkernels: sum over p in increasing order of w * b in f32 (fused
 *    multiply-add on the SIMD paths, product then sum in portable C).
 * Either way |C - exact| <= (k + 2) * 2^-24 * (|C0| + sum_p |w_p * b_p|),
 * with b_p as rounded and C0 the accumulated input (or the bias), up to
 * flushed subnormals: k + 1 rounded additions plus one rounding of each
 * product in portable C.
 *
 * Paths. bf16 dot: an 8x32 AVX-512 microkernel of vdpbf16ps, both operands
 * packed as bf16 pairs (one 32-bit lane = elements 2q and 2q+1 of k), with
 * 8x16 and (AVX512-VL) 8x8 variants for the last columns. AMX: 32x32 and
 * 16x32 blocks on the tiles, the row operand (mk_hgemm's weights,
 * mk_hmatmul's activations) packed in 16-row panels of 16-pair steps, one
 * tile each, the column operand in the dot path's pair panels; K blocks
 * start at whole steps, and the packings hold zeros to the end of the last
 * one. A process that Linux refuses the tiles runs a vdpbf16ps kernel on
 * the same packing. fp32: the weights
 * widen (AVX-512F: shift / vcvtph2ps, AVX2: shift / F16C vcvtph2ps, else
 * half.c) into gemm.c's packed f32 panels and run its microkernel (AVX-512
 * 8x32, AVX2+FMA 6x16, NEON 8x8, scalar 4x4).
 *
 * Pre-packed weights. mk_hgemm_pack_a and mk_hmatmul_pack_w reorder W into
 * the panels of the path compiled in (the layout depends on that path and
 * on the kind, so pack and multiply in the same build), into a caller buffer
 * of mk_hgemm_pack_a_bytes / mk_hmatmul_pack_w_bytes bytes; the _packed
 * entries read W from there. Pack constant weights once, at model init.
 * mk_hgemm and mk_hmatmul take W as it is and pack it into scratch on every
 * call, a full pass over W. Packing only moves 16-bit values, and every
 * path writes the bytes of the one-value-at-a-time loop
 * (mk_hgemm_pack_panels_scalar): with k contiguous (mk_hgemm_pack_a,
 * mk_hconv2d_pack_weights, mk_hmatmul_pack_w with trans_w) as 8 x 8
 * transposes on AVX2 ymm registers, of 16-bit values (plain; MR = 8 panels
 * end in vpermt2q with AVX512-VL) or of 32-bit pairs (bf16 pairs), 16 k
 * indices at a time; with lanes contiguous (mk_hmatmul_pack_w) as a copy
 * per k index (plain, any build) or rows 2q and 2q + 1 interleaved by
 * vpermt2w (AVX-512BW) or vpunpck[lh]wd; the last k indices (fewer than
 * 16) and the other builds one value at a time. Measured on Zen 4, 1
 * thread, weights in cache (test/Runtime/hgemm_bench.c): 0.05-0.07 ns per
 * weight on large matrices (AVX2-only 0.07-0.09) where the scalar loop took
 * 0.85-1.35 (bf16 pairs) or 0.55-1.05 (plain), depending on the load of the
 * machine; so mk_hgemm and mk_hmatmul reach 95-100% of the packed entries'
 * speed when each weight meets thousands of activation columns (n = 3136)
 * and 80-95% when it meets few (n = 49 or 196, 128 tokens), where they
 * reached 30-65% of it.
 *
 * Blocking and parallelism. The output is cut into tiles of at most
 * MK_HGEMM_NC columns, as tall as the matrix until there are
 * MK_GEMM_MIN_TILES tiles for threads: mk_hgemm then cuts columns before
 * rows, mk_hmatmul rows before columns, so the activations are packed once
 * where possible. One task reduces a tile over K in blocks of at most
 * MK_HGEMM_KC values (an even number): per block it packs the tile's
 * activations once (bf16 pairs or f32 panels) and visits the weights in
 * blocks of MK_HGEMM_MC rows, columns outer so a panel of the activations
 * stays in L1. When mk_hgemm has to cut rows (n < 4 * NR *
 * MK_GEMM_MIN_TILES) on the dot path, B is packed once for all row tiles.
 * The tiles go to a fixed number of tasks that depends only on the shape and
 * the path, each owning a slice of scratch, and every element's sum has the
 * order above, so the result is bit-identical for any thread count or task
 * order.
 *
 * Scratch: mk_hgemm_scratch_bytes(kind, m, n, k) bytes for mk_hgemm_packed
 * (and mk_hgemm_packed_columns), mk_hmatmul_scratch_bytes(kind, m, n, k)
 * for mk_hmatmul_packed, 64-byte aligned; for any m and n both are at most
 * mk_hgemm_scratch_bound(k) = max(MK_SGEMM_SCRATCH_BOUND (gemm.c; with
 * the default blocking), 8 * MK_GEMM_NR * MK_GEMM_MIN_TILES * round_up(k, 2))
 * bytes (round_up(k, 32) on AMX): 12,632,064 on AVX-512 up to k = 6168.
 * mk_hgemm and mk_hmatmul need the pack size (a multiple of 64) on top.
 */

enum { MK_HALF_BF16 = 0, MK_HALF_F16 = 1 };

#if defined(__AVX512BF16__) && defined(__AVX512BW__) && defined(__AVX512F__)
#define MK_HGEMM_BF16_DOT 1
#else
#define MK_HGEMM_BF16_DOT 0
#endif

#if MK_HGEMM_BF16_DOT && defined(MK_AMX) && defined(__AMX_BF16__)
/* AMX-BF16: the bf16 products on the tiles, the row operand in 16-row
 * panels of tile steps (see "AMX" below). */
#define MK_HGEMM_AMX 1
/* Pairs per tile step: K blocks of mk_hgemm start at multiples of it, and
 * its packings round k up to whole steps. */
#define MK_HGEMM_AMX_PAIRS 16
#else
#define MK_HGEMM_AMX 0
#define MK_HGEMM_AMX_PAIRS 1
#endif

/* Blocking (predefinable): K values per block (even), rows per inner block
 * (a multiple of MK_GEMM_MR) and widest tile (a multiple of MK_GEMM_NR;
 * hconv.c keeps two rows of it on the stack); the microkernels and
 * MK_GEMM_MAX_TASKS / MK_GEMM_MIN_TILES are gemm.c's. */
#ifndef MK_HGEMM_KC
#define MK_HGEMM_KC MK_GEMM_KC
#endif
#ifndef MK_HGEMM_MC
#define MK_HGEMM_MC MK_GEMM_MC
#endif
#ifndef MK_HGEMM_NC
#define MK_HGEMM_NC MK_GEMM_NC
#endif

/* ------------------------------------------------------------------------ */
/* Widening W to f32.                                                        */
/* ------------------------------------------------------------------------ */

/* One 16-bit value of the given kind -> float. */
MK_UNUSED static float mk_half_to_f32(int kind, uint16_t h)
{
    return kind == MK_HALF_BF16 ? mk_bf16_to_f32(h) : mk_f16_to_f32(h);
}

/* dst[i] = src[i] widened to float, i < count (exact for both kinds). */
MK_UNUSED static void mk_half_widen(int kind, const uint16_t *MK_RESTRICT src, int64_t count, float *MK_RESTRICT dst)
{
    int64_t i = 0;
#if defined(__AVX512F__)
    if (kind == MK_HALF_BF16) {
        for (; i + 16 <= count; i += 16) {
            const __m512i h = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(src + i)));
            _mm512_storeu_ps(dst + i, _mm512_castsi512_ps(_mm512_slli_epi32(h, 16)));
        }
    } else {
        for (; i + 16 <= count; i += 16) {
            _mm512_storeu_ps(dst + i, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(src + i))));
        }
    }
#elif defined(__AVX2__) && defined(__FMA__)
    if (kind == MK_HALF_BF16) {
        for (; i + 8 <= count; i += 8) {
            const __m256i h = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(src + i)));
            _mm256_storeu_ps(dst + i, _mm256_castsi256_ps(_mm256_slli_epi32(h, 16)));
        }
    }
#if defined(__F16C__)
    else {
        for (; i + 8 <= count; i += 8) {
            _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(src + i))));
        }
    }
#endif
#endif
    for (; i < count; ++i) {
        dst[i] = mk_half_to_f32(kind, src[i]);
    }
}

/* ------------------------------------------------------------------------ */
/* Packed weight panels.                                                     */
/*                                                                           */
/* W is cut into panels of `width` lanes (MK_GEMM_MR rows of mk_hgemm's W,   */
/* MK_GEMM_NR columns of mk_hmatmul's W) spanning all of k, padded to an     */
/* even k2 and to whole panels with zeros: k2 = round_up(k, 2), or on AMX    */
/* round_up(k, 32) for mk_hmatmul's bf16 pairs, whose K blocks then read     */
/* whole tile steps (mk_hmatmul_depth). Lane l, index p of panel t is at     */
/* t * width * k2 + layout(p, l), in uint16_t units:                         */
/*   bf16 pairs (bf16 dot path, kind bf16): (p / 2) * 2 * width + 2 * l +    */
/*                                          p % 2                            */
/*   plain (every other case):              p * width + l                    */
/* so the K block starting at an even p0 begins p0 * width values into its   */
/* panel in both layouts.                                                    */
/* ------------------------------------------------------------------------ */

/* Whether the product for this kind runs on the bf16 dot path. */
MK_UNUSED static int mk_hgemm_uses_dot(int kind)
{
    return MK_HGEMM_BF16_DOT && kind == MK_HALF_BF16;
}

/* Bytes of `count` lanes of k values packed in panels of `width` lanes. */
MK_UNUSED static size_t mk_hgemm_panels_bytes(int64_t count, int64_t k, int64_t width)
{
    if (count <= 0 || k <= 0) {
        return 0;
    }
    return (size_t)mk_round_up(mk_round_up(count, width) * mk_round_up(k, 2) * 2, 64);
}

/* Packs indices [p_begin, k2) of panels [t_begin, t_end) of the count x k
 * matrix X(l, p) = src[l * ld_l + p * ld_p] into dst (layout above, with
 * k2 values a lane: even, at least k, zeros past k), one value at a time:
 * the reference layout, and the tails the faster loops below leave. */
MK_UNUSED static void mk_hgemm_pack_panels_scalar(int pairs, const uint16_t *src, int64_t ld_l, int64_t ld_p,
                                                  int64_t count, int64_t k, int64_t k2, int64_t width,
                                                  int64_t t_begin, int64_t t_end, int64_t p_begin, uint16_t *dst)
{
    int64_t t, l, p;
    for (t = t_begin; t < t_end; ++t) {
        uint16_t *panel = dst + t * width * k2;
        for (l = 0; l < width; ++l) {
            const int64_t lane = t * width + l;
            for (p = p_begin; p < k2; ++p) {
                const uint16_t v = lane < count && p < k ? src[lane * ld_l + p * ld_p] : (uint16_t)0;
                panel[pairs ? (p / 2) * 2 * width + 2 * l + p % 2 : p * width + l] = v;
            }
        }
    }
}

/* Plain layout, lanes contiguous (index p's values are row p): a copy of
 * the panel's `valid` lanes per index, zeros after them. */
MK_UNUSED static int64_t mk_hgemm_pack_cols_plain(const uint16_t *src, int64_t ld_p, int64_t valid, int64_t k,
                                                  int64_t width, uint16_t *panel)
{
    int64_t p;
    for (p = 0; p < k; ++p) {
        uint16_t *out = panel + p * width;
        if (valid == MK_GEMM_NR && width == MK_GEMM_NR) {
            memcpy(out, src + p * ld_p, sizeof(uint16_t) * MK_GEMM_NR); /* a few moves */
        } else {
            memcpy(out, src + p * ld_p, sizeof(uint16_t) * (size_t)valid);
            memset(out + valid, 0, sizeof(uint16_t) * (size_t)(width - valid));
        }
    }
    return k;
}

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
/* SIMD packing of one panel: the four cases of (layout, which stride is 1).
 * Each writes indices [0, returned p) of all `width` lanes of the panel
 * (zeros for lanes past `valid`), p even, and leaves the rest to
 * mk_hgemm_pack_panels_scalar; the values are only moved, so the bytes are
 * the scalar loop's. Rows, below, are the source's contiguous runs. */

/* x[r] = the 16 values at src + r * ld, r < 8, zero for r >= rows. */
MK_UNUSED static void mk_hgemm_load_rows(const uint16_t *src, int64_t ld, int64_t rows, __m256i *x)
{
    int r;
    if (rows >= 8) { /* one branch for whole groups (gcc keeps one per row otherwise) */
        for (r = 0; r < 8; ++r) {
            x[r] = _mm256_loadu_si256((const __m256i *)(src + r * ld));
        }
    } else {
        for (r = 0; r < 8; ++r) {
            x[r] = r < rows ? _mm256_loadu_si256((const __m256i *)(src + r * ld)) : _mm256_setzero_si256();
        }
    }
}

/* Plain layout, p contiguous (lane l's values are row l): 8 x 8 transposes
 * of 16-bit values, 16 indices at a time in the two halves of a ymm; lanes
 * in groups of 8, a group of 6 (the AVX2 MR) storing 6 of them. */
MK_UNUSED static int64_t mk_hgemm_pack_rows_plain(const uint16_t *src, int64_t ld_l, int64_t valid, int64_t k,
                                                  int64_t k2, int64_t width, uint16_t *panel)
{
    int64_t g, p;
    if (width % 8 != 0 && width != 6) {
        return 0;
    }
    for (p = 0; p + 16 <= k; p += 16) {
        /* Groups inner, so the output's cache lines fill in one pass. */
        for (g = 0; g < width; g += 8) {
            const int64_t lanes = mk_min_i64(8, width - g);
            __m256i x[8], y[8];
            uint16_t *out = panel + p * width + g;
            int r, j;
            mk_hgemm_load_rows(src + g * ld_l + p, ld_l, valid - g, x);
            /* Within each 128-bit half: pairs of rows, then quads, then all 8
             * rows of one index per 128 bits (index j low, 8 + j high). */
            for (r = 0; r < 8; r += 2) {
                y[r / 2] = _mm256_unpacklo_epi16(x[r], x[r + 1]);
                y[4 + r / 2] = _mm256_unpackhi_epi16(x[r], x[r + 1]);
            }
            x[0] = _mm256_unpacklo_epi32(y[0], y[1]); /* indices 0, 1 of rows 0-3 */
            x[1] = _mm256_unpackhi_epi32(y[0], y[1]); /* 2, 3 */
            x[2] = _mm256_unpacklo_epi32(y[4], y[5]); /* 4, 5 */
            x[3] = _mm256_unpackhi_epi32(y[4], y[5]); /* 6, 7 */
            x[4] = _mm256_unpacklo_epi32(y[2], y[3]); /* the same for rows 4-7 */
            x[5] = _mm256_unpackhi_epi32(y[2], y[3]);
            x[6] = _mm256_unpacklo_epi32(y[6], y[7]);
            x[7] = _mm256_unpackhi_epi32(y[6], y[7]);
            if (width == 8) {
                /* Indices 2j and 2j + 1 are adjacent: whole ymm stores of
                 * 64-bit pieces of x[j] (rows 0-3) and x[4 + j] (rows 4-7). */
#if defined(__AVX512VL__)
                const __m256i lo = _mm256_set_epi64x(5, 1, 4, 0), hi = _mm256_set_epi64x(7, 3, 6, 2);
                for (j = 0; j < 4; ++j) {
                    _mm256_storeu_si256((__m256i *)(out + j * 16), _mm256_permutex2var_epi64(x[j], lo, x[4 + j]));
                    _mm256_storeu_si256((__m256i *)(out + (8 + 2 * j) * 8),
                                        _mm256_permutex2var_epi64(x[j], hi, x[4 + j]));
                }
#else
                for (j = 0; j < 4; ++j) {
                    const __m256i a = _mm256_unpacklo_epi64(x[j], x[4 + j]), b = _mm256_unpackhi_epi64(x[j], x[4 + j]);
                    _mm256_storeu_si256((__m256i *)(out + j * 16), _mm256_permute2x128_si256(a, b, 0x20));
                    _mm256_storeu_si256((__m256i *)(out + (8 + 2 * j) * 8), _mm256_permute2x128_si256(a, b, 0x31));
                }
#endif
                continue;
            }
            for (j = 0; j < 4; ++j) {
                y[2 * j] = _mm256_unpacklo_epi64(x[j], x[4 + j]);
                y[2 * j + 1] = _mm256_unpackhi_epi64(x[j], x[4 + j]);
            }
            if (lanes == 8) {
                for (j = 0; j < 8; ++j) {
                    _mm_storeu_si128((__m128i *)(out + j * width), _mm256_castsi256_si128(y[j]));
                    _mm_storeu_si128((__m128i *)(out + (8 + j) * width), _mm256_extracti128_si256(y[j], 1));
                }
            } else {
                /* 6 lanes: each 16-byte store's last two lanes land on the
                 * next index, stored after it; past the panel's last index
                 * (the next panel, maybe another task's) only 6 are. */
                for (j = 0; j < 16; ++j) {
                    const __m128i v = j < 8 ? _mm256_castsi256_si128(y[j]) : _mm256_extracti128_si256(y[j - 8], 1);
                    if (j < 15 || p + 16 < k2) {
                        _mm_storeu_si128((__m128i *)(out + j * 6), v);
                    } else {
                        const uint32_t hi = (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(v, 8));
                        _mm_storel_epi64((__m128i *)(out + j * 6), v);
                        memcpy(out + j * 6 + 4, &hi, sizeof(hi));
                    }
                }
            }
        }
    }
    return p;
}

/* Pairs layout, p contiguous: row l read as 32-bit pairs (2q, 2q + 1),
 * 8 x 8 transposes of them, 8 pairs at a time; lanes in groups of 8. */
MK_UNUSED static int64_t mk_hgemm_pack_rows_pairs(const uint16_t *src, int64_t ld_l, int64_t valid, int64_t k,
                                                  int64_t width, uint16_t *panel)
{
    int64_t g, p;
    if (width % 8 != 0) {
        return 0;
    }
    for (p = 0; p + 16 <= k; p += 16) {
        for (g = 0; g < width; g += 8) {
            __m256i x[8], y[8];
            uint16_t *out = panel + p * width + 2 * g; /* pair p / 2 */
            int r, j;
            mk_hgemm_load_rows(src + g * ld_l + p, ld_l, valid - g, x);
            for (r = 0; r < 8; r += 2) {
                y[r] = _mm256_unpacklo_epi32(x[r], x[r + 1]);
                y[r + 1] = _mm256_unpackhi_epi32(x[r], x[r + 1]);
            }
            for (r = 0; r < 8; r += 4) {
                x[r] = _mm256_unpacklo_epi64(y[r], y[r + 2]);     /* pair 0 (4 low, 4 high) of rows r..r+3 */
                x[r + 1] = _mm256_unpackhi_epi64(y[r], y[r + 2]); /* 1 */
                x[r + 2] = _mm256_unpacklo_epi64(y[r + 1], y[r + 3]);
                x[r + 3] = _mm256_unpackhi_epi64(y[r + 1], y[r + 3]);
            }
            for (j = 0; j < 4; ++j) {
                _mm256_storeu_si256((__m256i *)(out + j * 2 * width), _mm256_permute2x128_si256(x[j], x[4 + j], 0x20));
                _mm256_storeu_si256((__m256i *)(out + (4 + j) * 2 * width),
                                    _mm256_permute2x128_si256(x[j], x[4 + j], 0x31));
            }
        }
    }
    return p;
}

/* Pairs layout, lanes contiguous: rows 2q and 2q + 1 interleaved, 32
 * lanes at a time by vpermt2w (AVX-512BW, masked for the last lanes), else
 * 16 by vpunpck[lh]wd and the rest in C. */
MK_UNUSED static int64_t mk_hgemm_pack_cols_pairs(const uint16_t *src, int64_t ld_p, int64_t valid, int64_t k,
                                                  int64_t width, uint16_t *panel)
{
    int64_t q, l;
#if defined(__AVX512BW__)
    /* 16-bit element 2i + e of the result is element i (+ 16 for hi) of
     * a (e = 0) or b (e = 1, index 32 + i). */
    const __m512i i32 = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    const __m512i lo = _mm512_or_si512(i32, _mm512_slli_epi32(_mm512_add_epi32(i32, _mm512_set1_epi32(32)), 16));
    const __m512i hi = _mm512_add_epi32(lo, _mm512_set1_epi32(0x00100010));
    if (width % 32 != 0) {
        return 0;
    }
    for (q = 0; q < k / 2; ++q) {
        const uint16_t *a = src + 2 * q * ld_p, *b = a + ld_p;
        uint16_t *out = panel + q * 2 * width;
        for (l = 0; l < width; l += 32) {
            const int64_t n = mk_max_i64(0, mk_min_i64(32, valid - l));
            const __mmask32 mask = (__mmask32)(n == 32 ? 0xFFFFFFFFu : (1u << n) - 1u);
            const __m512i va = _mm512_maskz_loadu_epi16(mask, a + l), vb = _mm512_maskz_loadu_epi16(mask, b + l);
            _mm512_storeu_si512(out + 2 * l, _mm512_permutex2var_epi16(va, lo, vb));
            _mm512_storeu_si512(out + 2 * l + 32, _mm512_permutex2var_epi16(va, hi, vb));
        }
    }
#else
    if (width % 16 != 0) {
        return 0;
    }
    for (q = 0; q < k / 2; ++q) {
        const uint16_t *a = src + 2 * q * ld_p, *b = a + ld_p;
        uint16_t *out = panel + q * 2 * width;
        for (l = 0; l + 16 <= valid; l += 16) {
            const __m256i va = _mm256_loadu_si256((const __m256i *)(a + l));
            const __m256i vb = _mm256_loadu_si256((const __m256i *)(b + l));
            const __m256i x0 = _mm256_unpacklo_epi16(va, vb), x1 = _mm256_unpackhi_epi16(va, vb);
            _mm256_storeu_si256((__m256i *)(out + 2 * l), _mm256_permute2x128_si256(x0, x1, 0x20));
            _mm256_storeu_si256((__m256i *)(out + 2 * l + 16), _mm256_permute2x128_si256(x0, x1, 0x31));
        }
        for (; l < width; ++l) {
            out[2 * l] = l < valid ? a[l] : (uint16_t)0;
            out[2 * l + 1] = l < valid ? b[l] : (uint16_t)0;
        }
    }
#endif
    return 2 * (k / 2);
}
#endif

/* Packs panels [t_begin, t_end) of the count x k matrix X(l, p) =
 * src[l * ld_l + p * ld_p] into dst (layout above, k2 values a lane):
 * copies or SIMD loops where one stride is 1, mk_hgemm_pack_panels_scalar
 * for the rest; the bytes are the same. */
MK_UNUSED static void mk_hgemm_pack_panels(int pairs, const uint16_t *src, int64_t ld_l, int64_t ld_p, int64_t count,
                                           int64_t k, int64_t k2, int64_t width, int64_t t_begin, int64_t t_end,
                                           uint16_t *dst)
{
    int64_t t;
    for (t = t_begin; t < t_end; ++t) {
        const uint16_t *base = src + t * width * ld_l;
        const int64_t valid = mk_min_i64(width, count - t * width);
        uint16_t *panel = dst + t * width * k2;
        int64_t done = 0;
#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
        if (ld_p == 1) {
            done = pairs ? mk_hgemm_pack_rows_pairs(base, ld_l, valid, k, width, panel)
                         : mk_hgemm_pack_rows_plain(base, ld_l, valid, k, k2, width, panel);
        } else if (ld_l == 1 && pairs) {
            done = mk_hgemm_pack_cols_pairs(base, ld_p, valid, k, width, panel);
        }
#endif
        if (done == 0 && ld_l == 1 && !pairs) {
            done = mk_hgemm_pack_cols_plain(base, ld_p, valid, k, width, panel);
        }
        mk_hgemm_pack_panels_scalar(pairs, src, ld_l, ld_p, count, k, k2, width, t, t + 1, done, dst);
    }
}

#if MK_HGEMM_AMX
/* Packs panels [t_begin, t_end) of the count x k matrix X(l, p) =
 * src[l * ld + p] in the AMX layout: panel t holds lanes 16t .. 16t + 15
 * in steps of MK_HGEMM_AMX_PAIRS pairs, lane l's pairs of step s as 64
 * contiguous bytes at (s * 16 + l) * 32 values into the panel (values 32s ..
 * 32s + 31 of its row), zero past k and count: a step is one A tile. */
MK_UNUSED static void mk_hgemm_pack_tile_panels(const uint16_t *src, int64_t ld, int64_t count, int64_t k,
                                                int64_t t_begin, int64_t t_end, uint16_t *dst)
{
    const int64_t steps = mk_div_up(k, 2 * MK_HGEMM_AMX_PAIRS);
    int64_t t, s, l;
    for (t = t_begin; t < t_end; ++t) {
        for (s = 0; s < steps; ++s) {
            const int64_t p = 32 * s, n = mk_min_i64(32, k - p);
            for (l = 0; l < 16; ++l) {
                uint16_t *out = dst + ((t * steps + s) * 16 + l) * 32;
                const int64_t lane = 16 * t + l;
                const int64_t valid = lane < count ? n : 0;
                if (valid > 0) {
                    memcpy(out, src + lane * ld + p, sizeof(uint16_t) * (size_t)valid);
                }
                memset(out + valid, 0, sizeof(uint16_t) * (size_t)(32 - valid));
            }
        }
    }
}
#endif

/* Everything the parallel weight packing shares with its tasks. */
typedef struct mk_hgemm_pack_job {
    int pairs, tiles; /* tiles: the AMX layout (mk_hgemm_pack_tile_panels) */
    const uint16_t *src;
    int64_t ld_l, ld_p, count, k, k2, width; /* k2: values a lane of the panel layout holds */
    uint16_t *dst;
} mk_hgemm_pack_job;

/* Panels packed per task. */
#define MK_HGEMM_PACK_PANELS 8

/* Task body: panels [index * MK_HGEMM_PACK_PANELS, ... + MK_HGEMM_PACK_PANELS). */
MK_UNUSED static void mk_hgemm_pack_task(void *ctx, size_t index)
{
    const mk_hgemm_pack_job *job = (const mk_hgemm_pack_job *)ctx;
    const int64_t panels = mk_div_up(job->count, job->width);
    const int64_t t0 = (int64_t)index * MK_HGEMM_PACK_PANELS;
    const int64_t t1 = mk_min_i64(panels, t0 + MK_HGEMM_PACK_PANELS);
#if MK_HGEMM_AMX
    if (job->tiles) {
        mk_hgemm_pack_tile_panels(job->src, job->ld_l, job->count, job->k, t0, t1, job->dst);
        return;
    }
#endif
    mk_hgemm_pack_panels(job->pairs, job->src, job->ld_l, job->ld_p, job->count, job->k, job->k2, job->width, t0,
                         t1, job->dst);
}

/* Packs all panels of X(l, p) = src[l * ld_l + p * ld_p], in parallel; in
 * the AMX layout when tiles (then width is 16 and ld_p 1), else in panels
 * of k2 values a lane. */
MK_UNUSED static void mk_hgemm_pack_weights(const mk_exec *ex, int kind, int tiles, const uint16_t *src,
                                            int64_t ld_l, int64_t ld_p, int64_t count, int64_t k, int64_t k2,
                                            int64_t width, void *dst)
{
    mk_hgemm_pack_job job;
    if (count <= 0 || k <= 0) {
        return;
    }
    job.pairs = mk_hgemm_uses_dot(kind);
    job.tiles = tiles;
    job.src = src;
    job.ld_l = ld_l;
    job.ld_p = ld_p;
    job.count = count;
    job.k = k;
    job.k2 = k2;
    job.width = width;
    job.dst = (uint16_t *)dst;
    mk_parallel(ex, (size_t)mk_div_up(mk_div_up(count, width), MK_HGEMM_PACK_PANELS), mk_hgemm_pack_task, &job);
}

/* ------------------------------------------------------------------------ */
/* bf16 dot path: microkernel and activation packing.                        */
/* Packed pairs are uint32_t: bf16 of index 2q in the low half, 2q + 1 in    */
/* the high half (the order vdpbf16ps pairs them in).                        */
/* ------------------------------------------------------------------------ */

#if MK_HGEMM_BF16_DOT

/* 8x32 microkernel: c[r*ldc + j] = sum_q dot(ap[q*8 + r], bp[q*32 + j]) +
 * (load_c ? c[r*ldc + j] : row_add ? row_add[r] : 0) for r < 8, j < 32,
 * q < kq in increasing order; 16 zmm accumulators. It prefetches the
 * same pairs at address next_ap (the row panel the caller runs next),
 * which the hardware prefetchers do not foresee: a layer's weights come
 * from DRAM once per inference, and with few columns (ResNet-50's 7x7
 * layers) there is little arithmetic to hide them behind. next_ap is an
 * address only: it is never read, and a prefetch never faults. */
MK_UNUSED static void mk_hgemm_micro_bf16(int64_t kq, const uint32_t *MK_RESTRICT ap, const uint32_t *MK_RESTRICT bp,
                                          float *MK_RESTRICT c, int64_t ldc, int load_c, const float *row_add,
                                          uintptr_t next_ap)
{
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    __m512 c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
    const int32_t *a = (const int32_t *)ap; /* same object, signed view for _mm512_set1_epi32 */
    int64_t q;
    for (q = 0; q < kq; ++q) {
        const __m512bh b0 = (__m512bh)_mm512_loadu_si512(bp);
        const __m512bh b1 = (__m512bh)_mm512_loadu_si512(bp + 16);
        __m512bh av;
        _mm_prefetch((const char *)(next_ap + (uintptr_t)q * 8u * sizeof(uint32_t)), _MM_HINT_T0);
#define MK_HGEMM_ROW(r)                                   \
    av = (__m512bh)_mm512_set1_epi32(a[r]);               \
    c##r##0 = _mm512_dpbf16_ps(c##r##0, av, b0);          \
    c##r##1 = _mm512_dpbf16_ps(c##r##1, av, b1);
        MK_HGEMM_ROW(0) MK_HGEMM_ROW(1) MK_HGEMM_ROW(2) MK_HGEMM_ROW(3)
        MK_HGEMM_ROW(4) MK_HGEMM_ROW(5) MK_HGEMM_ROW(6) MK_HGEMM_ROW(7)
#undef MK_HGEMM_ROW
        a += 8;
        bp += 32;
    }
#define MK_HGEMM_STORE(r)                                                       \
    if (load_c) {                                                               \
        c##r##0 = _mm512_add_ps(c##r##0, _mm512_loadu_ps(c + (r) * ldc));      \
        c##r##1 = _mm512_add_ps(c##r##1, _mm512_loadu_ps(c + (r) * ldc + 16)); \
    } else if (row_add != NULL) {                                               \
        c##r##0 = _mm512_add_ps(c##r##0, _mm512_set1_ps(row_add[r]));           \
        c##r##1 = _mm512_add_ps(c##r##1, _mm512_set1_ps(row_add[r]));           \
    }                                                                           \
    _mm512_storeu_ps(c + (r) * ldc, c##r##0);                                   \
    _mm512_storeu_ps(c + (r) * ldc + 16, c##r##1);
    MK_HGEMM_STORE(0) MK_HGEMM_STORE(1) MK_HGEMM_STORE(2) MK_HGEMM_STORE(3)
    MK_HGEMM_STORE(4) MK_HGEMM_STORE(5) MK_HGEMM_STORE(6) MK_HGEMM_STORE(7)
#undef MK_HGEMM_STORE
}

/* The same for columns 0..15 of bp only (bp still advances by 32 per
 * pair), storing without adding: the 16-column pieces of a panel's last
 * columns, which the caller finishes. */
MK_UNUSED static void mk_hgemm_micro_bf16_n16(int64_t kq, const uint32_t *MK_RESTRICT ap,
                                              const uint32_t *MK_RESTRICT bp, float *MK_RESTRICT c, int64_t ldc)
{
    __m512 c0 = _mm512_setzero_ps(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
    const int32_t *a = (const int32_t *)ap;
    int64_t q;
    for (q = 0; q < kq; ++q) {
        const __m512bh b0 = (__m512bh)_mm512_loadu_si512(bp);
#define MK_HGEMM_ROW(r) c##r = _mm512_dpbf16_ps(c##r, (__m512bh)_mm512_set1_epi32(a[r]), b0);
        MK_HGEMM_ROW(0) MK_HGEMM_ROW(1) MK_HGEMM_ROW(2) MK_HGEMM_ROW(3)
        MK_HGEMM_ROW(4) MK_HGEMM_ROW(5) MK_HGEMM_ROW(6) MK_HGEMM_ROW(7)
#undef MK_HGEMM_ROW
        a += 8;
        bp += 32;
    }
    _mm512_storeu_ps(c, c0);
    _mm512_storeu_ps(c + ldc, c1);
    _mm512_storeu_ps(c + 2 * ldc, c2);
    _mm512_storeu_ps(c + 3 * ldc, c3);
    _mm512_storeu_ps(c + 4 * ldc, c4);
    _mm512_storeu_ps(c + 5 * ldc, c5);
    _mm512_storeu_ps(c + 6 * ldc, c6);
    _mm512_storeu_ps(c + 7 * ldc, c7);
}

#if defined(__AVX512VL__)
/* The same for columns 0..7 of bp only, on ymm registers: the 8-column
 * pieces, for the last few columns. */
MK_UNUSED static void mk_hgemm_micro_bf16_n8(int64_t kq, const uint32_t *MK_RESTRICT ap,
                                             const uint32_t *MK_RESTRICT bp, float *MK_RESTRICT c, int64_t ldc)
{
    __m256 c0 = _mm256_setzero_ps(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
    const int32_t *a = (const int32_t *)ap;
    int64_t q;
    for (q = 0; q < kq; ++q) {
        const __m256bh b0 = (__m256bh)_mm256_loadu_si256((const __m256i *)bp);
#define MK_HGEMM_ROW(r) c##r = _mm256_dpbf16_ps(c##r, (__m256bh)_mm256_set1_epi32(a[r]), b0);
        MK_HGEMM_ROW(0) MK_HGEMM_ROW(1) MK_HGEMM_ROW(2) MK_HGEMM_ROW(3)
        MK_HGEMM_ROW(4) MK_HGEMM_ROW(5) MK_HGEMM_ROW(6) MK_HGEMM_ROW(7)
#undef MK_HGEMM_ROW
        a += 8;
        bp += 32;
    }
    _mm256_storeu_ps(c, c0);
    _mm256_storeu_ps(c + ldc, c1);
    _mm256_storeu_ps(c + 2 * ldc, c2);
    _mm256_storeu_ps(c + 3 * ldc, c3);
    _mm256_storeu_ps(c + 4 * ldc, c4);
    _mm256_storeu_ps(c + 5 * ldc, c5);
    _mm256_storeu_ps(c + 6 * ldc, c6);
    _mm256_storeu_ps(c + 7 * ldc, c7);
}
#endif

/* Mask of the first `valid` of 16 lanes (valid clamped to [0, 16]). */
MK_UNUSED static __mmask16 mk_hgemm_lanes(int64_t valid)
{
    return valid >= 16 ? (__mmask16)0xffff : valid <= 0 ? (__mmask16)0 : (__mmask16)((1u << (unsigned)valid) - 1u);
}

/* Rounds a[0..16) and b[0..16) to bf16 and interleaves them: lane l of the
 * result holds the pair (a[l], b[l]). */
MK_UNUSED static __m512i mk_hgemm_pair16(__m512 a, __m512 b)
{
    const __m512i interleave = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8, 23, 7,
                                                22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    return _mm512_permutexvar_epi16(interleave, (__m512i)_mm512_cvtne2ps_pbh(b, a));
}

/* Packs the kc x count block X(p, w) = src[p * ld + w] (activations B of
 * mk_hgemm) into bf16-pair panels of MK_GEMM_NR columns, `stride` words
 * apart: pair q of column w at (w / NR) * stride + q * NR + w % NR; zero
 * past kc and count. */
MK_UNUSED static void mk_hgemm_pack_pairs_kn(const float *src, int64_t ld, int64_t kc, int64_t count, int64_t stride,
                                             uint32_t *dst)
{
    const int64_t kq = mk_div_up(kc, 2);
    const int64_t width = mk_round_up(count, MK_GEMM_NR);
    int64_t q, w;
    for (q = 0; q < kq; ++q) {
        const float *row0 = src + 2 * q * ld;
        const float *row1 = 2 * q + 1 < kc ? row0 + ld : NULL;
        for (w = 0; w < width; w += 16) {
            const __mmask16 mask = mk_hgemm_lanes(count - w);
            const __m512 r0 = _mm512_maskz_loadu_ps(mask, row0 + w);
            const __m512 r1 = row1 != NULL ? _mm512_maskz_loadu_ps(mask, row1 + w) : _mm512_setzero_ps();
            if (2 * q + 5 < kc && w < count) { /* rows far apart: many short streams */
                _mm_prefetch((const char *)(row0 + 4 * ld + w), _MM_HINT_T0);
                _mm_prefetch((const char *)(row0 + 5 * ld + w), _MM_HINT_T0);
            }
            _mm512_storeu_si512(dst + (w / MK_GEMM_NR) * stride + q * MK_GEMM_NR + w % MK_GEMM_NR,
                                mk_hgemm_pair16(r0, r1));
        }
    }
}

/* Packs the count x kc block X(w, p) = src[w * ld + p] (activations X of
 * mk_hmatmul) into bf16-pair panels of MK_GEMM_MR rows, `stride` words
 * apart: pair q of row w at (w / MR) * stride + q * MR + w % MR; zero past
 * kc and count. */
MK_UNUSED static void mk_hgemm_pack_pairs_mk(const float *src, int64_t ld, int64_t count, int64_t kc, int64_t stride,
                                             uint32_t *dst)
{
    const int64_t kq = mk_div_up(kc, 2);
    int64_t w0, q0, r, q;
    for (w0 = 0; w0 < count; w0 += MK_GEMM_MR) {
        uint32_t *panel = dst + (w0 / MK_GEMM_MR) * stride;
        for (q0 = 0; q0 < kq; q0 += 16) {
            /* 8 rows x 16 pairs, rounded, then transposed into the panel. */
            uint32_t block[MK_GEMM_MR * 16];
            for (r = 0; r < MK_GEMM_MR; ++r) {
                __m512 lo = _mm512_setzero_ps(), hi = lo;
                if (w0 + r < count) {
                    const float *row = src + (w0 + r) * ld + 2 * q0;
                    lo = _mm512_maskz_loadu_ps(mk_hgemm_lanes(kc - 2 * q0), row);
                    hi = _mm512_maskz_loadu_ps(mk_hgemm_lanes(kc - 2 * q0 - 16), row + 16);
                }
                /* cvtne2ps_pbh(hi, lo) keeps p order: word l = pair q0 + l. */
                _mm512_storeu_si512(block + r * 16, (__m512i)_mm512_cvtne2ps_pbh(hi, lo));
            }
            if (q0 + 16 <= kq) {
                mk_transpose8x8((const float *)block, 16, (float *)(panel + q0 * MK_GEMM_MR), MK_GEMM_MR);
                mk_transpose8x8((const float *)(block + 8), 16, (float *)(panel + (q0 + 8) * MK_GEMM_MR),
                                MK_GEMM_MR);
            } else {
                for (q = q0; q < kq; ++q) {
                    for (r = 0; r < MK_GEMM_MR; ++r) {
                        panel[q * MK_GEMM_MR + r] = block[r * 16 + (q - q0)];
                    }
                }
            }
        }
    }
}

#if MK_HGEMM_AMX

/* AMX (AMX-BF16). A row panel (mk_hgemm's weights, mk_hmatmul's
 * activations) holds 16 rows in steps of 16 pairs (see
 * mk_hgemm_pack_tile_panels, mk_hgemm_pack_tile_rows), so step s of rows
 * 0-15 is one 16 x 64-byte tile at ap + 256s words. A column panel
 * (mk_hgemm's activations, mk_hmatmul's weights) is the dot path's: pair q
 * of its 32 columns at bp + 32q, so 16 pairs of columns 0-15 (16-31) are a
 * 16 x 64-byte tile of row stride 128 bytes at bp + 512s (+ 16). The K
 * blocks start at whole steps and the packings hold zeros up to the next
 * one (mk_hgemm_zero_pairs, mk_hmatmul_depth), so a last short step
 * multiplies zeros by zeros: no garbage, which could be an infinity or a
 * NaN, meets a zero.
 * TDPBF16PS adds to each f32 element of a 16 x 16 tile, for each pair in
 * increasing order, the two products (exact in f32) one at a time, each
 * addition rounded to nearest even (Intel SDM; even index first),
 * subnormal inputs and outputs flushed to zero: the dot path's contract. */

/* Packs the count x kc block X(w, p) = src[w * ld + p] (activations X of
 * mk_hmatmul) into 16-row panels of tile steps, `stride` words apart: the
 * 16 pairs of step s of row w at (w / 16) * stride + (s * 16 + w % 16) *
 * 16, mk_hgemm_pack_tile_panels's layout, each value rounded to bf16 as
 * mk_hgemm_pack_pairs_mk rounds it; zero past kc (to the end of its step)
 * and past count (to a whole panel). A row's step is one 64-byte store. */
MK_UNUSED static void mk_hgemm_pack_tile_rows(const float *src, int64_t ld, int64_t count, int64_t kc, int64_t stride,
                                              uint32_t *dst)
{
    const int64_t steps = mk_div_up(kc, 2 * MK_HGEMM_AMX_PAIRS);
    int64_t w, s;
    for (w = 0; w < mk_round_up(count, 16); ++w) {
        uint32_t *out = dst + (w / 16) * stride + (w % 16) * 16;
        const float *row = w < count ? src + w * ld : NULL;
        for (s = 0; s < steps; ++s) {
            __m512 lo = _mm512_setzero_ps(), hi = lo;
            if (row != NULL) {
                lo = _mm512_maskz_loadu_ps(mk_hgemm_lanes(kc - 32 * s), row + 32 * s);
                hi = _mm512_maskz_loadu_ps(mk_hgemm_lanes(kc - 32 * s - 16), row + 32 * s + 16);
            }
            /* cvtne2ps_pbh(hi, lo) keeps p order: word l = pair 16s + l. */
            _mm512_storeu_si512(out + s * 256, (__m512i)_mm512_cvtne2ps_pbh(hi, lo));
        }
    }
}

/* acc[r * 32 + j] = sum over `steps` steps of rows r < 16 of a row panel
 * (ap) by columns j < 32 of a column panel (bp), on tiles 0-1 (C), 2 (A)
 * and 3-4 (B); needs mk_amx_configure. */
MK_UNUSED MK_NOINLINE static void mk_hgemm_micro_amx(int64_t steps, const uint32_t *MK_RESTRICT ap,
                                                     const uint32_t *MK_RESTRICT bp, float *MK_RESTRICT acc)
{
    int64_t s;
    _tile_zero(0);
    _tile_zero(1);
    for (s = 0; s < steps; ++s) {
        _tile_loadd(2, ap + s * 256, 64);
        _tile_loadd(3, bp + s * 16 * MK_GEMM_NR, 4 * MK_GEMM_NR);
        _tile_loadd(4, bp + s * 16 * MK_GEMM_NR + 16, 4 * MK_GEMM_NR);
        _tile_dpbf16ps(0, 2, 3);
        _tile_dpbf16ps(1, 2, 4);
    }
    _tile_stored(0, acc, 4 * MK_GEMM_NR);
    _tile_stored(1, acc + 16, 4 * MK_GEMM_NR);
}

/* The same for two row panels (ap0: rows 0-15, ap1: rows 16-31 of acc)
 * against one column panel, on tiles 0-3 (C), 4-5 (A) and 6-7 (B): each B
 * tile loaded serves two products. */
MK_UNUSED MK_NOINLINE static void mk_hgemm_micro_amx2(int64_t steps, const uint32_t *MK_RESTRICT ap0,
                                                      const uint32_t *MK_RESTRICT ap1, const uint32_t *MK_RESTRICT bp,
                                                      float *MK_RESTRICT acc)
{
    int64_t s;
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
    for (s = 0; s < steps; ++s) {
        _tile_loadd(6, bp + s * 16 * MK_GEMM_NR, 4 * MK_GEMM_NR);
        _tile_loadd(7, bp + s * 16 * MK_GEMM_NR + 16, 4 * MK_GEMM_NR);
        _tile_loadd(4, ap0 + s * 256, 64);
        _tile_dpbf16ps(0, 4, 6);
        _tile_dpbf16ps(1, 4, 7);
        _tile_loadd(5, ap1 + s * 256, 64);
        _tile_dpbf16ps(2, 5, 6);
        _tile_dpbf16ps(3, 5, 7);
    }
    _tile_stored(0, acc, 4 * MK_GEMM_NR);
    _tile_stored(1, acc + 16, 4 * MK_GEMM_NR);
    _tile_stored(2, acc + 16 * MK_GEMM_NR, 4 * MK_GEMM_NR);
    _tile_stored(3, acc + 16 * MK_GEMM_NR + 16, 4 * MK_GEMM_NR);
}

/* mk_hgemm_micro_amx's result with vdpbf16ps, for a process refused the
 * tiles: rows 8h .. 8h + 7 per pass, 16 zmm accumulators, pairs in
 * increasing order. */
MK_UNUSED MK_NOINLINE static void mk_hgemm_micro_amx_fallback(int64_t steps, const uint32_t *MK_RESTRICT ap,
                                                              const uint32_t *MK_RESTRICT bp, float *MK_RESTRICT acc)
{
    int h, r;
    for (h = 0; h < 2; ++h) {
        __m512 c[16];
        int64_t q;
        for (r = 0; r < 16; ++r) {
            c[r] = _mm512_setzero_ps();
        }
        for (q = 0; q < steps * 16; ++q) {
            const int32_t *a = (const int32_t *)ap + (q / 16) * 256 + 8 * h * 16 + q % 16;
            const __m512bh b0 = (__m512bh)_mm512_loadu_si512(bp + q * MK_GEMM_NR);
            const __m512bh b1 = (__m512bh)_mm512_loadu_si512(bp + q * MK_GEMM_NR + 16);
            for (r = 0; r < 8; ++r) {
                const __m512bh av = (__m512bh)_mm512_set1_epi32(a[16 * r]);
                c[2 * r] = _mm512_dpbf16_ps(c[2 * r], av, b0);
                c[2 * r + 1] = _mm512_dpbf16_ps(c[2 * r + 1], av, b1);
            }
        }
        for (r = 0; r < 8; ++r) {
            _mm512_storeu_ps(acc + (8 * h + r) * MK_GEMM_NR, c[2 * r]);
            _mm512_storeu_ps(acc + (8 * h + r) * MK_GEMM_NR + 16, c[2 * r + 1]);
        }
    }
}

/* c[r * ldc + j] = acc[r * 32 + j] + (load_c ? c[r * ldc + j] : bias != NULL
 * ? bias[r] : 0) for r < mr, j < nr: the block sum plus C (or the bias)
 * once, as mk_hgemm_block adds them. */
MK_UNUSED static void mk_hgemm_amx_store(const float *acc, int64_t mr, int64_t nr, float *c, int64_t ldc, int load_c,
                                         const float *bias)
{
    const __mmask16 m0 = mk_hgemm_lanes(nr), m1 = mk_hgemm_lanes(nr - 16);
    int64_t r;
    for (r = 0; r < mr; ++r) {
        float *row = c + r * ldc;
        __m512 v0 = _mm512_loadu_ps(acc + r * MK_GEMM_NR), v1 = _mm512_loadu_ps(acc + r * MK_GEMM_NR + 16);
        if (load_c) {
            v0 = _mm512_add_ps(v0, _mm512_maskz_loadu_ps(m0, row));
            v1 = _mm512_add_ps(v1, _mm512_maskz_loadu_ps(m1, row + 16));
        } else if (bias != NULL) {
            v0 = _mm512_add_ps(v0, _mm512_set1_ps(bias[r]));
            v1 = _mm512_add_ps(v1, _mm512_set1_ps(bias[r]));
        }
        _mm512_mask_storeu_ps(row, m0, v0);
        _mm512_mask_storeu_ps(row + 16, m1, v1);
    }
}

/* mk_hgemm_block on the AMX layout: row panel i at l + i * l_stride,
 * column panel j at r + j * r_stride (words); two row panels at a time
 * where there are two. tiles: the tiles are configured, else the fallback
 * kernel runs. */
MK_UNUSED static void mk_hgemm_block_amx(int tiles, int64_t kc, const uint32_t *l, int64_t l_stride,
                                         const uint32_t *r, int64_t r_stride, int64_t mc, int64_t nt, float *c,
                                         int64_t ldc, int load_c, const float *bias)
{
    const int64_t steps = mk_div_up(kc, 2 * MK_HGEMM_AMX_PAIRS);
    float acc[32 * MK_GEMM_NR];
    int64_t ir, jr;
    for (jr = 0; jr < nt; jr += MK_GEMM_NR) {
        const int64_t nr = mk_min_i64(MK_GEMM_NR, nt - jr);
        const uint32_t *bp = r + (jr / MK_GEMM_NR) * r_stride;
        for (ir = 0; ir < mc; ir += 16) {
            const uint32_t *ap = l + (ir / 16) * l_stride;
            const float *row_bias = bias != NULL ? bias + ir : NULL;
            if (tiles && mc - ir > 16) {
                mk_hgemm_micro_amx2(steps, ap, ap + l_stride, bp, acc);
                mk_hgemm_amx_store(acc, mk_min_i64(32, mc - ir), nr, c + ir * ldc + jr, ldc, load_c, row_bias);
                ir += 16;
                continue;
            }
            if (tiles) {
                mk_hgemm_micro_amx(steps, ap, bp, acc);
            } else {
                mk_hgemm_micro_amx_fallback(steps, ap, bp, acc);
            }
            mk_hgemm_amx_store(acc, mk_min_i64(16, mc - ir), nr, c + ir * ldc + jr, ldc, load_c, row_bias);
        }
    }
}

#endif /* MK_HGEMM_AMX */

#endif /* MK_HGEMM_BF16_DOT */

/* ------------------------------------------------------------------------ */
/* Column operand sources.                                                   */
/* ------------------------------------------------------------------------ */

/* Packs K indices [p0, p0 + kc) (p0 even) of columns [j0, j0 + nt)
 * (nt <= MK_HGEMM_NC) of the column operand into column panels of
 * MK_GEMM_NR columns, `stride` words apart, zero past kc and nt: bf16 pairs
 * (mk_hgemm_pack_pairs_kn's layout) when dot, else f32 (mk_sgemm_pack's).
 * mk_hgemm_packed's source reads a row-major matrix; hconv.c's builds
 * im2col rows on the fly. */
typedef void (*mk_hgemm_columns_fn)(const void *ctx, int dot, int64_t p0, int64_t kc, int64_t j0, int64_t nt,
                                    int64_t stride, void *dst);

/* Packs `rows` K rows X(r, w) = src[r * ld + w], w < count, of the column
 * operand, the first being index p (even) of the block at dst, into the
 * panels of mk_hgemm_columns_fn. */
MK_UNUSED static void mk_hgemm_pack_columns(int dot, const float *src, int64_t ld, int64_t p, int64_t rows,
                                            int64_t count, int64_t stride, void *dst)
{
    int64_t r, w;
#if MK_HGEMM_BF16_DOT
    if (dot) {
        mk_hgemm_pack_pairs_kn(src, ld, rows, count, stride, (uint32_t *)dst + (p / 2) * MK_GEMM_NR);
        return;
    }
#endif
    (void)dot;
    for (r = 0; r < rows; ++r) {
        for (w = 0; w < count; w += MK_GEMM_NR) {
            float *out = (float *)dst + (w / MK_GEMM_NR) * stride + (p + r) * MK_GEMM_NR;
            const int64_t valid = mk_min_i64(MK_GEMM_NR, count - w);
            int64_t l;
            if (valid == MK_GEMM_NR) {
                memcpy(out, src + r * ld + w, sizeof(float) * MK_GEMM_NR);
            } else {
                for (l = 0; l < valid; ++l) {
                    out[l] = src[r * ld + w + l];
                }
                for (; l < MK_GEMM_NR; ++l) {
                    out[l] = 0.0f;
                }
            }
        }
    }
}

/* The column operand of mk_hgemm_packed: B[k x n] with row stride ldb. */
typedef struct mk_hgemm_matrix {
    const float *b;
    int64_t ldb;
} mk_hgemm_matrix;

MK_UNUSED static void mk_hgemm_matrix_columns(const void *ctx, int dot, int64_t p0, int64_t kc, int64_t j0,
                                              int64_t nt, int64_t stride, void *dst)
{
    const mk_hgemm_matrix *mat = (const mk_hgemm_matrix *)ctx;
    mk_hgemm_pack_columns(dot, mat->b + p0 * mat->ldb + j0, mat->ldb, 0, kc, nt, stride, dst);
}

/* ------------------------------------------------------------------------ */
/* Plan and tiles.                                                           */
/* ------------------------------------------------------------------------ */

/* Blocking decisions for one product; a pure function of the orientation,
 * the path and (m, n, k). */
typedef struct mk_hgemm_plan {
    int amx;                  /* the AMX layouts (MK_HGEMM_AMX, bf16 dot path) */
    int64_t row_mr;           /* rows of a panel of the row operand: 16 on AMX, else MK_GEMM_MR */
    int64_t pair_align;       /* K blocks start at multiples of this many pairs (MK_HGEMM_AMX_PAIRS on AMX, else 1) */
    int64_t tile_m, tile_n;   /* task tile size, multiples of row_mr / NR */
    int64_t tiles_m, tiles_n; /* tile grid */
    int64_t block_m;          /* rows per inner block of a tile (<= MK_HGEMM_MC) */
    int64_t k_pairs;          /* ceil(k / 2) */
    int64_t k_blocks;         /* K is split into k_blocks near-equal blocks of pair_align pairs */
    int64_t kc_max;           /* values in the largest K block (even) */
    int64_t slots;            /* parallel tasks; each owns a scratch slice */
    size_t shared_bytes;      /* columns packed once for all row tiles (or 0) */
    size_t l_bytes;           /* per slice: buffer for the row operand's panels */
    size_t slot_bytes;        /* per slice, multiple of 64 */
} mk_hgemm_plan;

/* Words of one packed panel of `width` lanes and kc values (bf16 pairs
 * when dot, else f32), plus the gap that keeps the panels of one packing
 * sweep off a single L1 cache set. */
MK_UNUSED static int64_t mk_hgemm_panel_words(int dot, int64_t kc, int64_t width)
{
    return (dot ? mk_div_up(kc, 2) : kc) * width + MK_GEMM_PANEL_PAD;
}

/* Fills *plan for an m x n x k product (m, n, k >= 1). row_acts: the row
 * operand is activations packed per tile and the column operand pre-packed
 * weights (mk_hmatmul); else the reverse (mk_hgemm). */
MK_UNUSED static void mk_hgemm_make_plan(int row_acts, int dot, int64_t m, int64_t n, int64_t k, mk_hgemm_plan *plan)
{
    int64_t blocks_m = 1;
    int64_t blocks_n = mk_div_up(n, MK_HGEMM_NC);
    int64_t row_words = 0, col_words = 0;
    plan->amx = MK_HGEMM_AMX && dot;
    plan->row_mr = plan->amx ? 16 : MK_GEMM_MR;
    plan->pair_align = plan->amx ? MK_HGEMM_AMX_PAIRS : 1;
    /* Tiles start as tall as the matrix. Every tile packs its own share of
     * the activations, so until there are MK_GEMM_MIN_TILES tiles to spread
     * over threads, cut the dimension that does not repeat that packing:
     * mk_hgemm's columns (down to 2*NR wide) before its rows, mk_hmatmul's
     * rows (down to 2*MR tall) before its columns. */
    while (blocks_m * blocks_n < MK_GEMM_MIN_TILES) {
        const int split_n = mk_div_up(n, blocks_n * 2) >= 2 * MK_GEMM_NR;
        const int split_m = mk_div_up(m, blocks_m * 2) >= 2 * plan->row_mr;
        if (split_n && (!row_acts || !split_m)) {
            blocks_n *= 2;
        } else if (split_m) {
            blocks_m *= 2;
        } else {
            break;
        }
    }
    plan->tile_m = mk_round_up(mk_div_up(m, blocks_m), plan->row_mr);
    plan->tiles_m = mk_div_up(m, plan->tile_m);
    plan->tile_n = mk_round_up(mk_div_up(n, blocks_n), MK_GEMM_NR);
    plan->tiles_n = mk_div_up(n, plan->tile_n);
    plan->block_m = mk_min_i64(plan->tile_m, MK_HGEMM_MC);
    plan->k_pairs = mk_div_up(k, 2);
    plan->k_blocks = mk_div_up(plan->k_pairs, MK_HGEMM_KC / 2);
    plan->kc_max =
        2 * plan->pair_align * mk_div_up(mk_div_up(plan->k_pairs, plan->pair_align), plan->k_blocks);
    plan->slots = mk_min_i64(plan->tiles_m * plan->tiles_n, MK_GEMM_MAX_TASKS);
    /* mk_hgemm on the bf16 dot path with rows cut (few columns): pack the
     * columns once, all of k, rather than once per row tile. Only then are
     * there row tiles, so n < 2 * NR * MK_GEMM_MIN_TILES. */
    plan->shared_bytes = !row_acts && dot && plan->tiles_m > 1
                             ? mk_hgemm_panels_bytes(n, mk_round_up(k, 2 * plan->pair_align), MK_GEMM_NR)
                             : 0;
    /* Per slice: activations packed per tile, and on the fp32 path pre-packed
     * weights widened to f32. */
    if (row_acts || !dot) {
        row_words = (plan->block_m / plan->row_mr) * mk_hgemm_panel_words(dot, plan->kc_max, plan->row_mr);
    }
    if ((!row_acts && plan->shared_bytes == 0) || (row_acts && !dot)) {
        col_words = (plan->tile_n / MK_GEMM_NR) * mk_hgemm_panel_words(dot, plan->kc_max, MK_GEMM_NR);
    }
    plan->l_bytes = (size_t)mk_round_up(row_words, 16) * 4;
    plan->slot_bytes = plan->l_bytes + (size_t)mk_round_up(col_words, 16) * 4;
}

/* First pair of K block kb (kb == k_blocks gives k_pairs): the blocks are
 * near-equal runs of whole pair_align-pair units, the last one cut at k. */
MK_UNUSED static int64_t mk_hgemm_block_pair(const mk_hgemm_plan *plan, int64_t kb)
{
    const int64_t units = mk_div_up(plan->k_pairs, plan->pair_align);
    return mk_min_i64(plan->k_pairs, plan->pair_align * mk_split_point(units, plan->k_blocks, kb));
}

/* Zeros pairs [q_begin, q_end) of `panels` column panels `stride` words
 * apart: the AMX kernel's last step reads them. */
MK_UNUSED static void mk_hgemm_zero_pairs(uint32_t *dst, int64_t stride, int64_t panels, int64_t q_begin,
                                          int64_t q_end)
{
    int64_t t;
    for (t = 0; t < panels && q_end > q_begin; ++t) {
        memset(dst + t * stride + q_begin * MK_GEMM_NR, 0, sizeof(uint32_t) * MK_GEMM_NR * (size_t)(q_end - q_begin));
    }
}

/* Everything one product shares with its tasks. */
typedef struct mk_hgemm_job {
    mk_hgemm_plan plan;
    int64_t m, n, k;
    int kind, dot;
    int tiles;                   /* plan.amx and the process may use the tiles */
    const uint16_t *row_w;       /* pre-packed row operand (mk_hgemm's weights), or NULL: */
    const float *x;              /*   row operand X[m x k] (row stride ldx), packed per tile */
    int64_t ldx;
    const uint16_t *col_w;       /* pre-packed column operand (mk_hmatmul's weights, or shared columns), or NULL: */
    mk_hgemm_columns_fn columns; /*   column operand source, called per tile */
    const void *columns_ctx;
    const float *bias; /* per row of C, used when !accumulate; or NULL */
    float *c;
    int64_t ldc;
    int accumulate;
    unsigned char *scratch; /* the slots' slices */
} mk_hgemm_job;

/* Runs the microkernels over an mc x nt block of C (mc, nt > 0): row panel
 * i at l + i * l_stride, column panel j at r + j * r_stride, in words
 * (uint32_t bf16 pairs when dot, else float); columns outer, so one column
 * panel stays in L1 while the row panels stream from L2. C becomes the
 * product plus C when load_c, else plus bias[i] of its row (bias may be
 * NULL), added once to the finished block sum, as adding it to C first. */
MK_UNUSED static void mk_hgemm_block(int dot, int64_t kc, const void *l, int64_t l_stride, const void *r,
                                     int64_t r_stride, int64_t mc, int64_t nt, float *c, int64_t ldc, int load_c,
                                     const float *bias)
{
    int64_t ir, jr;
    (void)dot;
    for (jr = 0; jr < nt; jr += MK_GEMM_NR) {
        const int64_t nr = mk_min_i64(MK_GEMM_NR, nt - jr);
        for (ir = 0; ir < mc; ir += MK_GEMM_MR) {
            const int64_t mr = mk_min_i64(MK_GEMM_MR, mc - ir);
            const int full = mr == MK_GEMM_MR && nr == MK_GEMM_NR;
            float edge[MK_GEMM_MR * MK_GEMM_NR];
            float *cblock = c + ir * ldc + jr;
            float *out = full ? cblock : edge;
            const int64_t ld_out = full ? ldc : MK_GEMM_NR;
            const size_t lo = (size_t)((ir / MK_GEMM_MR) * l_stride);
            const size_t ro = (size_t)((jr / MK_GEMM_NR) * r_stride);
            const float *row_add = full && !load_c && bias != NULL ? bias + ir : NULL;
            int64_t i, j;
#if MK_HGEMM_BF16_DOT
            if (dot && nr < MK_GEMM_NR) {
                /* A tail: 16- and 8-column pieces into the edge buffer. */
                int64_t done = 0;
                while (done < nr) {
                    const uint32_t *ap = (const uint32_t *)l + lo, *bp = (const uint32_t *)r + ro + done;
#if defined(__AVX512VL__)
                    if (nr - done <= 8) {
                        mk_hgemm_micro_bf16_n8(mk_div_up(kc, 2), ap, bp, edge + done, MK_GEMM_NR);
                        done += 8;
                        continue;
                    }
#endif
                    mk_hgemm_micro_bf16_n16(mk_div_up(kc, 2), ap, bp, edge + done, MK_GEMM_NR);
                    done += 16;
                }
            } else if (dot) {
                mk_hgemm_micro_bf16(mk_div_up(kc, 2), (const uint32_t *)l + lo, (const uint32_t *)r + ro, out, ld_out,
                                    full && load_c, row_add,
                                    (uintptr_t)((const uint32_t *)l + lo) + (uintptr_t)l_stride * sizeof(uint32_t));
            } else
#endif
            {
                if (row_add != NULL) { /* gemm.c's microkernel adds C only */
                    for (i = 0; i < MK_GEMM_MR; ++i) {
                        for (j = 0; j < MK_GEMM_NR; ++j) {
                            cblock[i * ldc + j] = row_add[i];
                        }
                    }
                }
                mk_gemm_micro(kc, (const float *)l + lo, (const float *)r + ro, out, ld_out,
                              full && (load_c || row_add != NULL));
            }
            if (!full) {
                for (i = 0; i < mr; ++i) {
                    const float init = bias != NULL ? bias[ir + i] : 0.0f;
                    for (j = 0; j < nr; ++j) {
                        const float v = edge[i * MK_GEMM_NR + j];
                        cblock[i * ldc + j] = load_c ? cblock[i * ldc + j] + v : bias != NULL ? v + init : v;
                    }
                }
            }
        }
    }
}

/* Widens panels [0, panels) of packed plain-layout weights (panel t at
 * w + t * width * k2, K block [p0, p0 + kc)) into f32 panels `stride`
 * floats apart. */
MK_UNUSED static void mk_hgemm_widen_panels(int kind, const uint16_t *w, int64_t k2, int64_t width, int64_t panels,
                                            int64_t p0, int64_t kc, int64_t stride, float *dst)
{
    int64_t t;
    for (t = 0; t < panels; ++t) {
        mk_half_widen(kind, w + t * width * k2 + p0 * width, kc * width, dst + t * stride);
    }
}

/* Computes output tile (ti, tj) with the slot's scratch slice. */
MK_UNUSED static void mk_hgemm_tile(const mk_hgemm_job *job, int64_t ti, int64_t tj, unsigned char *slice)
{
    const mk_hgemm_plan *plan = &job->plan;
    const int dot = job->dot;
    const int64_t i0 = ti * plan->tile_m;
    const int64_t j0 = tj * plan->tile_n;
    const int64_t mt = mk_min_i64(plan->tile_m, job->m - i0);
    const int64_t nt = mk_min_i64(plan->tile_n, job->n - j0);
    /* Values per packed row of the pre-packed operands (and shared columns):
     * mk_hmatmul_depth's for mk_hmatmul's weights. */
    const int64_t k2 = mk_round_up(job->k, 2 * plan->pair_align);
    void *lbuf = slice;
    void *rbuf = slice + plan->l_bytes;
    int64_t kb, ic;
#if MK_HGEMM_AMX
    if (job->tiles) {
        mk_amx_configure();
    }
#endif
    for (kb = 0; kb < plan->k_blocks; ++kb) {
        const int64_t p0 = 2 * mk_hgemm_block_pair(plan, kb);
        const int64_t kc = mk_min_i64(job->k, 2 * mk_hgemm_block_pair(plan, kb + 1)) - p0;
        const int64_t kc_panel = mk_round_up(kc, 2 * plan->pair_align); /* values a packed panel holds */
        const int load_c = job->accumulate || kb > 0;
        const int64_t r_stride_buf = mk_hgemm_panel_words(dot, kc_panel, MK_GEMM_NR);
        const int64_t l_stride_buf = mk_hgemm_panel_words(dot, plan->amx ? kc_panel : kc, plan->row_mr);
        const void *r = rbuf;
        int64_t r_stride = r_stride_buf;
        /* Column operand: this tile's columns of the K block. */
        if (job->col_w == NULL) {
            job->columns(job->columns_ctx, dot, p0, kc, j0, nt, r_stride_buf, rbuf);
            if (plan->amx) {
                mk_hgemm_zero_pairs((uint32_t *)rbuf, r_stride_buf, mk_div_up(nt, MK_GEMM_NR), mk_div_up(kc, 2),
                                    kc_panel / 2);
            }
        } else if (dot) {
            r = job->col_w + (j0 / MK_GEMM_NR) * MK_GEMM_NR * k2 + p0 * MK_GEMM_NR;
            r_stride = MK_GEMM_NR * k2 / 2;
        } else {
            mk_hgemm_widen_panels(job->kind, job->col_w + (j0 / MK_GEMM_NR) * MK_GEMM_NR * k2, k2, MK_GEMM_NR,
                                  mk_div_up(nt, MK_GEMM_NR), p0, kc, r_stride_buf, (float *)rbuf);
        }
        /* Row operand, block by block. */
        for (ic = 0; ic < mt; ic += plan->block_m) {
            const int64_t i = i0 + ic;
            const int64_t mc = mk_min_i64(plan->block_m, mt - ic);
            const void *l = lbuf;
            int64_t l_stride = l_stride_buf;
            if (job->row_w == NULL) {
                const float *src = job->x + i * job->ldx + p0;
#if MK_HGEMM_AMX
                if (plan->amx) {
                    mk_hgemm_pack_tile_rows(src, job->ldx, mc, kc, l_stride_buf, (uint32_t *)lbuf);
                } else
#endif
#if MK_HGEMM_BF16_DOT
                if (dot) {
                    mk_hgemm_pack_pairs_mk(src, job->ldx, mc, kc, l_stride_buf, (uint32_t *)lbuf);
                } else
#endif
                {
                    mk_sgemm_pack(src, job->ldx, 1, mc, kc, MK_GEMM_MR, (float *)lbuf);
                }
            } else if (dot) {
                l = job->row_w + (i / plan->row_mr) * plan->row_mr * k2 + p0 * plan->row_mr;
                l_stride = plan->row_mr * k2 / 2;
            } else {
                mk_hgemm_widen_panels(job->kind, job->row_w + (i / MK_GEMM_MR) * MK_GEMM_MR * k2, k2, MK_GEMM_MR,
                                      mk_div_up(mc, MK_GEMM_MR), p0, kc, l_stride_buf, (float *)lbuf);
            }
#if MK_HGEMM_AMX
            if (plan->amx) {
                mk_hgemm_block_amx(job->tiles, kc, (const uint32_t *)l, l_stride, (const uint32_t *)r, r_stride, mc,
                                   nt, job->c + i * job->ldc + j0, job->ldc, load_c,
                                   job->bias != NULL ? job->bias + i : NULL);
                continue;
            }
#endif
            mk_hgemm_block(dot, kc, l, l_stride, r, r_stride, mc, nt, job->c + i * job->ldc + j0, job->ldc, load_c,
                           job->bias != NULL ? job->bias + i : NULL);
        }
    }
#if MK_HGEMM_AMX
    if (job->tiles) {
        _tile_release();
    }
#endif
}

/* Task body: slot `index` computes its contiguous share of the tiles. */
MK_UNUSED static void mk_hgemm_slot_task(void *ctx, size_t index)
{
    const mk_hgemm_job *job = (const mk_hgemm_job *)ctx;
    const int64_t tiles = job->plan.tiles_m * job->plan.tiles_n;
    const int64_t slot = (int64_t)index;
    const int64_t t_end = mk_split_point(tiles, job->plan.slots, slot + 1);
    unsigned char *slice = job->scratch + (size_t)slot * job->plan.slot_bytes;
    int64_t t;
    for (t = mk_split_point(tiles, job->plan.slots, slot); t < t_end; ++t) {
        mk_hgemm_tile(job, t / job->plan.tiles_n, t % job->plan.tiles_n, slice);
    }
}

/* The shared column packing: task `index` packs one MK_HGEMM_KC x
 * MK_HGEMM_NC chunk of the column operand into panels spanning all of k. */
typedef struct mk_hgemm_share_job {
    const mk_hgemm_job *job;
    uint16_t *dst;
} mk_hgemm_share_job;

MK_UNUSED static void mk_hgemm_share_task(void *ctx, size_t index)
{
    const mk_hgemm_share_job *share = (const mk_hgemm_share_job *)ctx;
    const mk_hgemm_job *job = share->job;
    const int64_t k2 = mk_round_up(job->k, 2 * job->plan.pair_align);
    const int64_t chunks_k = mk_div_up(k2, MK_HGEMM_KC);
    const int64_t p0 = (int64_t)index % chunks_k * MK_HGEMM_KC;
    const int64_t j0 = (int64_t)index / chunks_k * MK_HGEMM_NC;
    const int64_t kc = mk_min_i64(MK_HGEMM_KC, job->k - p0), nc = mk_min_i64(MK_HGEMM_NC, job->n - j0);
    uint16_t *dst = share->dst + (j0 / MK_GEMM_NR) * MK_GEMM_NR * k2 + p0 * MK_GEMM_NR;
    job->columns(job->columns_ctx, job->dot, p0, kc, j0, nc, MK_GEMM_NR * k2 / 2, dst);
    /* The last chunk's pairs past k, up to k2 (AMX only: else none). */
    mk_hgemm_zero_pairs((uint32_t *)dst, MK_GEMM_NR * k2 / 2, mk_div_up(nc, MK_GEMM_NR), mk_div_up(kc, 2),
                        mk_min_i64(MK_HGEMM_KC, k2 - p0) / 2);
}

/* Shared body of the entry points: row_w or x is the row operand, col_w or
 * columns the column operand (see mk_hgemm_job). */
MK_UNUSED static void mk_hgemm_run(const mk_exec *ex, int kind, int64_t m, int64_t n, int64_t k,
                                   const uint16_t *row_w, const float *x, int64_t ldx, const uint16_t *col_w,
                                   mk_hgemm_columns_fn columns, const void *columns_ctx, const float *bias, float *c,
                                   int64_t ldc, int accumulate, void *scratch)
{
    mk_hgemm_job job;
    if (m <= 0 || n <= 0) {
        return;
    }
    if (k <= 0) {
        int64_t i, j;
        for (i = 0; i < m && !accumulate; ++i) {
            for (j = 0; j < n; ++j) {
                c[i * ldc + j] = bias != NULL ? bias[i] : 0.0f;
            }
        }
        return;
    }
    job.dot = mk_hgemm_uses_dot(kind);
    mk_hgemm_make_plan(row_w == NULL, job.dot, m, n, k, &job.plan);
    job.m = m;
    job.n = n;
    job.k = k;
    job.kind = kind;
    job.tiles = 0;
#if MK_HGEMM_AMX
    job.tiles = job.plan.amx && mk_amx_usable();
#endif
    job.row_w = row_w;
    job.x = x;
    job.ldx = ldx;
    job.col_w = col_w;
    job.columns = columns;
    job.columns_ctx = columns_ctx;
    job.bias = accumulate ? NULL : bias;
    job.c = c;
    job.ldc = ldc;
    job.accumulate = accumulate;
    job.scratch = (unsigned char *)scratch + job.plan.shared_bytes;
    if (job.plan.shared_bytes > 0) {
        mk_hgemm_share_job share;
        share.job = &job;
        share.dst = (uint16_t *)scratch;
        mk_parallel(ex, (size_t)(mk_div_up(mk_round_up(k, 2 * job.plan.pair_align), MK_HGEMM_KC) * mk_div_up(n, MK_HGEMM_NC)),
                    mk_hgemm_share_task, &share);
        job.col_w = share.dst;
    }
    mk_parallel(ex, (size_t)job.plan.slots, mk_hgemm_slot_task, &job);
}

/* Upper bound of mk_hgemm_scratch_bytes and mk_hmatmul_scratch_bytes for
 * depth k and any m, n: a product uses either shared columns (only when
 * n < 4 * NR * MK_GEMM_MIN_TILES, see mk_hgemm_make_plan; all of k in bf16)
 * or per-task slices of at most one block of each operand in f32. With the
 * default blocking the slices' bound is gemm.c's MK_SGEMM_SCRATCH_BOUND. */
MK_UNUSED static size_t mk_hgemm_scratch_bound(int64_t k)
{
    const int64_t row_words = (MK_HGEMM_MC / MK_GEMM_MR) * (MK_HGEMM_KC * MK_GEMM_MR + MK_GEMM_PANEL_PAD);
    const int64_t col_words = (MK_HGEMM_NC / MK_GEMM_NR) * (MK_HGEMM_KC * MK_GEMM_NR + MK_GEMM_PANEL_PAD);
    const size_t slices =
        (size_t)MK_GEMM_MAX_TASKS * 4 * (size_t)(mk_round_up(row_words, 16) + mk_round_up(col_words, 16));
    const size_t shared = (size_t)(8 * MK_GEMM_NR * MK_GEMM_MIN_TILES) * (size_t)mk_round_up(k, 2 * MK_HGEMM_AMX_PAIRS);
    return shared > slices ? shared : slices;
}

/* Scratch of mk_hgemm_run. */
MK_UNUSED static size_t mk_hgemm_run_scratch(int row_acts, int kind, int64_t m, int64_t n, int64_t k)
{
    mk_hgemm_plan plan;
    if (m <= 0 || n <= 0 || k <= 0) {
        return 0;
    }
    mk_hgemm_make_plan(row_acts, mk_hgemm_uses_dot(kind), m, n, k, &plan);
    return plan.shared_bytes + (size_t)plan.slots * plan.slot_bytes;
}

/* ------------------------------------------------------------------------ */
/* Public entry points.                                                      */
/* ------------------------------------------------------------------------ */

/* Bytes of mk_hgemm_pack_a's output for an m x k weight matrix (either
 * kind): round_up(m, MK_GEMM_MR) * round_up(k, 2) * 2, rounded up to 64; on
 * AMX round_up(m, 16) * round_up(k, 32) * 2, the larger of its two layouts. */
MK_UNUSED static size_t mk_hgemm_pack_a_bytes(int64_t m, int64_t k)
{
#if MK_HGEMM_AMX
    if (m <= 0 || k <= 0) {
        return 0;
    }
    return (size_t)(mk_round_up(m, 16) * mk_round_up(k, 2 * MK_HGEMM_AMX_PAIRS) * 2);
#else
    return mk_hgemm_panels_bytes(m, k, MK_GEMM_MR);
#endif
}

/* Packs W[m x k] (row stride lda) for mk_hgemm_packed into `packed`
 * (mk_hgemm_pack_a_bytes(m, k) bytes, 64-byte aligned), in parallel: on
 * AMX bf16 weights in its tile layout, else in MK_GEMM_MR-row panels. */
MK_UNUSED static void mk_hgemm_pack_a(const mk_exec *ex, int kind, int64_t m, int64_t k, const uint16_t *a,
                                      int64_t lda, void *packed)
{
    const int tiles = MK_HGEMM_AMX && mk_hgemm_uses_dot(kind);
    mk_hgemm_pack_weights(ex, kind, tiles, a, lda, 1, m, k, mk_round_up(k, 2), tiles ? 16 : MK_GEMM_MR, packed);
}

/* Bytes of 64-byte aligned scratch mk_hgemm_packed needs for an m x n x k
 * product of this kind, whatever the thread count. */
MK_UNUSED static size_t mk_hgemm_scratch_bytes(int kind, int64_t m, int64_t n, int64_t k)
{
    return mk_hgemm_run_scratch(0, kind, m, n, k);
}

/* C[m x n] (row stride ldc) = W * B (+ C when accumulate != 0), with
 * W[m x k] of the given kind packed by mk_hgemm_pack_a and B[k x n] f32
 * (row stride ldb). scratch: mk_hgemm_scratch_bytes(kind, m, n, k) bytes,
 * 64-byte aligned. C must not overlap the other buffers. */
MK_UNUSED static void mk_hgemm_packed(const mk_exec *ex, int kind, int64_t m, int64_t n, int64_t k,
                                      const void *packed_a, const float *b, int64_t ldb, float *c, int64_t ldc,
                                      int accumulate, void *scratch)
{
    mk_hgemm_matrix mat;
    mat.b = b;
    mat.ldb = ldb;
    mk_hgemm_run(ex, kind, m, n, k, (const uint16_t *)packed_a, NULL, 0, NULL, mk_hgemm_matrix_columns, &mat, NULL,
                 c, ldc, accumulate, scratch);
}

/* C[m x n] = W * B + bias, as mk_hgemm_packed with accumulate = 0 plus
 * bias[i] on row i (bias may be NULL), added to each finished sum as if C
 * had held the bias and accumulate were set, and with B's panels made by
 * `columns` (see mk_hgemm_columns_fn), called from any task with ctx; same
 * scratch. hconv.c passes im2col rows this way, so no im2col matrix is
 * stored, and its bias costs no pass over the output. */
MK_UNUSED static void mk_hgemm_packed_columns(const mk_exec *ex, int kind, int64_t m, int64_t n, int64_t k,
                                              const void *packed_a, mk_hgemm_columns_fn columns, const void *ctx,
                                              const float *bias, float *c, int64_t ldc, void *scratch)
{
    mk_hgemm_run(ex, kind, m, n, k, (const uint16_t *)packed_a, NULL, 0, NULL, columns, ctx, bias, c, ldc, 0,
                 scratch);
}

/* As mk_hgemm_packed with W[m x k] as it is (row stride lda), packed into
 * the first mk_hgemm_pack_a_bytes(m, k) bytes of scratch on every call;
 * scratch: that plus mk_hgemm_scratch_bytes(kind, m, n, k) bytes. */
MK_UNUSED static void mk_hgemm(const mk_exec *ex, int kind, int64_t m, int64_t n, int64_t k, const uint16_t *a,
                               int64_t lda, const float *b, int64_t ldb, float *c, int64_t ldc, int accumulate,
                               void *scratch)
{
    const size_t packed_bytes = mk_hgemm_pack_a_bytes(m, k);
    if (m > 0 && n > 0 && k > 0) {
        mk_hgemm_pack_a(ex, kind, m, k, a, lda, scratch);
    }
    mk_hgemm_packed(ex, kind, m, n, k, scratch, b, ldb, c, ldc, accumulate, (unsigned char *)scratch + packed_bytes);
}

/* Values a packed column of mk_hmatmul's weights holds: round_up(k, 2),
 * or on AMX, for bf16 weights, whole tile steps of k. */
MK_UNUSED static int64_t mk_hmatmul_depth(int kind, int64_t k)
{
    return mk_round_up(k, MK_HGEMM_AMX && mk_hgemm_uses_dot(kind) ? 2 * MK_HGEMM_AMX_PAIRS : 2);
}

/* Bytes of mk_hmatmul_pack_w's output for a k x n weight matrix (either
 * kind): round_up(n, MK_GEMM_NR) * round_up(k, 2) * 2, rounded up to 64;
 * on AMX round_up(k, 32) in place of round_up(k, 2), the larger of its two
 * depths. */
MK_UNUSED static size_t mk_hmatmul_pack_w_bytes(int64_t k, int64_t n)
{
    return mk_hgemm_panels_bytes(n, mk_hmatmul_depth(MK_HALF_BF16, k), MK_GEMM_NR);
}

/* Packs op(W) (k x n) for mk_hmatmul_packed into `packed`
 * (mk_hmatmul_pack_w_bytes(k, n) bytes, 64-byte aligned), in parallel.
 * op(W) is W[k x n] (row stride ldw), or W^T when trans_w (W is n x k). */
MK_UNUSED static void mk_hmatmul_pack_w(const mk_exec *ex, int kind, int64_t k, int64_t n, const uint16_t *w,
                                        int64_t ldw, int trans_w, void *packed)
{
    mk_hgemm_pack_weights(ex, kind, 0, w, trans_w ? ldw : 1, trans_w ? 1 : ldw, n, k, mk_hmatmul_depth(kind, k),
                          MK_GEMM_NR, packed);
}

/* Bytes of 64-byte aligned scratch mk_hmatmul_packed needs. */
MK_UNUSED static size_t mk_hmatmul_scratch_bytes(int kind, int64_t m, int64_t n, int64_t k)
{
    return mk_hgemm_run_scratch(1, kind, m, n, k);
}

/* C[m x n] (row stride ldc) = X * op(W) (+ C when accumulate != 0), with
 * X[m x k] f32 (row stride ldx) and op(W) (k x n) of the given kind packed
 * by mk_hmatmul_pack_w. scratch: mk_hmatmul_scratch_bytes(kind, m, n, k)
 * bytes, 64-byte aligned. C must not overlap the other buffers. */
MK_UNUSED static void mk_hmatmul_packed(const mk_exec *ex, int kind, int64_t m, int64_t n, int64_t k, const float *x,
                                        int64_t ldx, const void *packed_w, float *c, int64_t ldc, int accumulate,
                                        void *scratch)
{
    mk_hgemm_run(ex, kind, m, n, k, NULL, x, ldx, (const uint16_t *)packed_w, NULL, NULL, NULL, c, ldc, accumulate,
                 scratch);
}

/* As mk_hmatmul_packed with W as it is (see mk_hmatmul_pack_w), packed into
 * the first mk_hmatmul_pack_w_bytes(k, n) bytes of scratch on every call;
 * scratch: that plus mk_hmatmul_scratch_bytes(kind, m, n, k) bytes. */
MK_UNUSED static void mk_hmatmul(const mk_exec *ex, int kind, int64_t m, int64_t n, int64_t k, const float *x,
                                 int64_t ldx, const uint16_t *w, int64_t ldw, int trans_w, float *c, int64_t ldc,
                                 int accumulate, void *scratch)
{
    const size_t packed_bytes = mk_hmatmul_pack_w_bytes(k, n);
    if (m > 0 && n > 0 && k > 0) {
        mk_hmatmul_pack_w(ex, kind, k, n, w, ldw, trans_w, scratch);
    }
    mk_hmatmul_packed(ex, kind, m, n, k, x, ldx, scratch, c, ldc, accumulate,
                      (unsigned char *)scratch + packed_bytes);
}
