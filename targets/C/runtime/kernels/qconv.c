/*
 * modelc C runtime kernels -- NCHW 8-bit 2-D convolution (needs prelude.c
 * and qgemm.c).
 *
 * mk_qconv2d computes, for every image b, output channel o and pixel (y, x),
 *     acc = row_offset[o] + sum_{c, i, j} W[o][c][i][j] * u(X(b, c, y, x, i, j))
 * and writes epilogue(acc) (mk_qgemm_epilogue, with row i = o). X reads the
 * input at y * stride_h - pad_top + i * dilation_h (likewise across) and
 * the input zero point z outside it; u(v) = v for uint8 input, v + 128 for
 * int8 input, as in mk_qgemm. With row_offset[o] = bias[o] - u(z) *
 * sum W[o], acc is bias + sum W * (x - z), padding contributing 0. Sums wrap
 * modulo 2^32 (exact whenever they fit int32); weights are int8 with zero
 * point 0.
 *
 * Three strategies, chosen from the shape alone (as conv.c):
 *  - one input channel per group (depthwise, any channel multiplier):
 *    direct int32 loops, over a zero-point-framed copy of a band of input
 *    rows flattened so that each tap is one vectorizable loop (on AVX-512
 *    VNNI with VBMI, at stride 1 or 2 with no dilation across and kernels
 *    up to 16x16, 4 taps of a row and 16 outputs per vpdpbusd instead);
 *  - 1x1 kernel, stride 1, no padding: per image and group one mk_qgemm
 *    weight[oc][ic] x input[ic][h*w];
 *  - anything else: im2col of a tile of output pixels into scratch (uint8
 *    columns, padding as the zero point's bytes; stride-1 rows as one
 *    shifted copy of the plane), then mk_qgemm, tile by tile, so the
 *    scratch stays bounded (MK_QCONV_COL_BYTES, predefinable). On AVX-512
 *    VNNI, stride 1 with rows as wide as the input, and stride 2 on an
 *    input twice the output's size, skip the buffer: the GEMM packs its B
 *    panels with masked loads from the input, or from the input's
 *    every-other-row-and-column phases ("implicit im2col",
 *    mk_qconv2d_implicit_im2col), the same bytes in the same panels, so
 *    the same sums.
 * The GEMM strategies pack each group's weights once per call, or take them
 * pre-packed from mk_qconv2d_pack_weight (e.g. once per model).
 * Results are bit-identical for any thread count.
 *
 * Scratch: mk_qconv2d_scratch_bytes(p) bytes, 64-byte aligned: 0 for the
 * direct strategy, else with K = in_c/groups * kh * kw at most
 *     max(MK_QCONV_COL_BYTES, K * MK_QGEMM_NR) + 64   (im2col buffer only)
 *   + 4 * in_c/groups * out_h * out_w + 64           (stride-2 phases only)
 *   + MK_QGEMM_WORK_BOUND(K)
 *   + mk_qgemm_work_a_bytes(out_c / groups, K)     (one group's weights in the
 *                                                   GEMM's working form, last)
 * and mk_qconv2d_prepacked_scratch_bytes(p) bytes when the weights come
 * pre-packed: the same without the last term, except on AVX2, which widens
 * each group's int8 packing into it. ResNet-50 needs at most 3.6 MiB on
 * AVX-512 VNNI (weights packed per call).
 */

/* Target size (bytes) of one im2col tile. A tile is never narrower than
 * MK_QGEMM_NR output pixels, so with K = in_c/groups*kh*kw the tile takes at
 * most max(MK_QCONV_COL_BYTES, K * MK_QGEMM_NR) + 64 bytes. */
#ifndef MK_QCONV_COL_BYTES
#if defined(MK_QGEMM_VNNI) || defined(MK_QGEMM_AVX2) || defined(MK_QGEMM_SDOT)
#define MK_QCONV_COL_BYTES ((size_t)1 << 20)
#else
#define MK_QCONV_COL_BYTES ((size_t)16 << 10)
#endif
#endif

/* im2col rows filled per parallel task. */
#define MK_QCONV_ROWS_PER_TASK 16

/* Output columns one direct-convolution block accumulates at once. */
#define MK_QCONV_DIRECT_BLOCK 32

/* The geometry fields are those of mk_conv2d_params. */
typedef struct mk_qconv2d_params {
    int64_t batch, in_channels, in_h, in_w, out_channels, out_h, out_w, kernel_h, kernel_w, stride_h, stride_w,
        pad_top, pad_left, dilation_h, dilation_w, groups;
    int input_int8;           /* input is int8 (else uint8) */
    int32_t input_zero_point; /* what padding reads as, in the input's type */
} mk_qconv2d_params;

enum { MK_QCONV_DIRECT = 0, MK_QCONV_POINTWISE = 1, MK_QCONV_IM2COL = 2 };

/* Which strategy (MK_QCONV_*) a shape takes; depends on the shape only. */
MK_UNUSED static int mk_qconv2d_strategy(const mk_qconv2d_params *p)
{
    return MK_CONV_SHAPE_STRATEGY(p);
}

/* Largest kernel height and width that the implicit im2col takes. */
#define MK_QCONV_IMPLICIT_TAPS 16

/* Whether an im2col-strategy shape packs the GEMM's B panels straight from
 * a plane of the input ("implicit im2col", AVX-512 VNNI only) rather than
 * through an im2col buffer. Each tap must read pixel q at a fixed shift of
 * its plane, so that every panel row is one masked load of 32 bytes, the
 * mask holding the taps that land inside:
 *  - stride 1 with rows as wide as the input: tap (i, j) of pixel q reads
 *    index q + (i*dh - pad_top)*in_w + j*dw - pad_left of the input plane;
 *  - stride 2 on an input of exactly twice the output's rows and columns:
 *    tap (i, j) reads phase (i*dh - pad_top mod 2, j*dw - pad_left mod 2)
 *    of the input, the plane of every other row and column, which is as
 *    wide as the output. The phases the kernel reads are copied out first
 *    (mk_qconv2d_phase_bytes of scratch). */
MK_UNUSED static int mk_qconv2d_implicit_im2col(const mk_qconv2d_params *p)
{
#if defined(MK_QGEMM_VNNI)
    const int stride1 = p->stride_h == 1 && p->stride_w == 1 && p->out_w == p->in_w;
    const int stride2 =
        p->stride_h == 2 && p->stride_w == 2 && p->in_w == 2 * p->out_w && p->in_h == 2 * p->out_h;
    return mk_qconv2d_strategy(p) == MK_QCONV_IM2COL && (stride1 || stride2) && p->out_h * p->out_w >= 2 &&
           p->kernel_h <= MK_QCONV_IMPLICIT_TAPS && p->kernel_w <= MK_QCONV_IMPLICIT_TAPS;
#else
    (void)p;
    return 0;
#endif
}

/* Phases along one axis that a stride-2 kernel reads: 2 when its taps
 * i*dilation - pad take both parities, else 1. */
MK_UNUSED static int64_t mk_qconv_axis_phases(int64_t kernel, int64_t dilation)
{
    return kernel >= 2 && dilation % 2 != 0 ? 2 : 1;
}

/* The parity of the input rows (columns) that copied phase `index` of an
 * axis holds: the index itself when the axis has 2 phases, else that of
 * every tap, -pad's. */
MK_UNUSED static int64_t mk_qconv_phase_parity(int64_t index, int64_t phases, int64_t pad)
{
    return phases > 1 ? index : (-pad) & 1;
}

/* Bytes of scratch (64-byte aligned) for the input phases of one image and
 * group of a stride-2 implicit im2col; 0 otherwise. */
MK_UNUSED static size_t mk_qconv2d_phase_bytes(const mk_qconv2d_params *p)
{
    if (!mk_qconv2d_implicit_im2col(p) || p->stride_h != 2) {
        return 0;
    }
    return (size_t)mk_round_up(mk_qconv_axis_phases(p->kernel_h, p->dilation_h) *
                                   mk_qconv_axis_phases(p->kernel_w, p->dilation_w) * (p->in_channels / p->groups) *
                                   p->out_h * p->out_w,
                               64);
}

/* Cuts the output pixels into near-equal tiles whose im2col buffer stays
 * within MK_QCONV_COL_BYTES (but at least MK_QGEMM_NR pixels wide). */
MK_UNUSED static void mk_qconv_make_tiling(const mk_qconv2d_params *p, mk_im2col_tiling *t)
{
    mk_im2col_make_tiling(p->in_channels / p->groups * p->kernel_h * p->kernel_w, p->out_h * p->out_w, 1,
                          MK_QCONV_COL_BYTES, MK_QGEMM_NR, t);
}

/* Bytes of one group's packed weights (0 for the direct strategy). */
MK_UNUSED static size_t mk_qconv2d_group_weight_bytes(const mk_qconv2d_params *p)
{
    if (mk_qconv2d_strategy(p) == MK_QCONV_DIRECT) {
        return 0;
    }
    return mk_qgemm_packed_a_bytes(p->out_channels / p->groups,
                                   p->in_channels / p->groups * p->kernel_h * p->kernel_w);
}

/* Bytes of one group's weights in the GEMM's working form, in scratch (0
 * for the direct strategy). */
MK_UNUSED static size_t mk_qconv2d_group_work_bytes(const mk_qconv2d_params *p)
{
    if (mk_qconv2d_strategy(p) == MK_QCONV_DIRECT) {
        return 0;
    }
    return mk_qgemm_work_a_bytes(p->out_channels / p->groups, p->in_channels / p->groups * p->kernel_h * p->kernel_w);
}

/* Bytes of the pre-packed weights mk_qconv2d_pack_weight writes (0 for the
 * direct strategy, which reads the weights as they are). */
MK_UNUSED static size_t mk_qconv2d_packed_weight_bytes(const mk_qconv2d_params *p)
{
    return (size_t)p->groups * mk_qconv2d_group_weight_bytes(p);
}

/* Packs weight[out_c][in_c/groups][kh][kw] for mk_qconv2d into `packed`
 * (mk_qconv2d_packed_weight_bytes(p) bytes, 64-byte aligned), in the layout
 * of the SIMD path compiled in. */
MK_UNUSED static void mk_qconv2d_pack_weight(const mk_exec *ex, const mk_qconv2d_params *p, const int8_t *weight,
                                             void *packed)
{
    const int64_t ocg = p->out_channels / p->groups;
    const int64_t k = p->in_channels / p->groups * p->kernel_h * p->kernel_w;
    const size_t bytes = mk_qconv2d_group_weight_bytes(p);
    int64_t g;
    if (bytes == 0) {
        return;
    }
    for (g = 0; g < p->groups; ++g) {
        mk_qgemm_pack_a(ex, ocg, k, weight + g * ocg * k, k, (unsigned char *)packed + (size_t)g * bytes);
    }
}

/* Bytes of 64-byte aligned scratch mk_qconv2d needs for this shape with
 * pre-packed weights: the GEMM work space and, for im2col, one tile. */
MK_UNUSED static size_t mk_qconv2d_work_bytes(const mk_qconv2d_params *p)
{
    const int64_t ocg = p->out_channels / p->groups;
    switch (mk_qconv2d_strategy(p)) {
    case MK_QCONV_DIRECT:
        return 0;
    case MK_QCONV_POINTWISE:
        return mk_qgemm_work_bytes(ocg, p->in_h * p->in_w, p->in_channels / p->groups);
    default: {
        mk_im2col_tiling t;
        size_t full, last;
        if (mk_qconv2d_implicit_im2col(p)) {
            return mk_qconv2d_phase_bytes(p) +
                   mk_qgemm_work_bytes(ocg, p->out_h * p->out_w, p->in_channels / p->groups * p->kernel_h * p->kernel_w);
        }
        mk_qconv_make_tiling(p, &t);
        full = mk_qgemm_work_bytes(ocg, t.width, t.k);
        last = mk_qgemm_work_bytes(ocg, t.pixels - (t.tiles - 1) * t.width, t.k);
        return t.col_bytes + (full > last ? full : last);
    }
    }
}

/* Bytes of 64-byte aligned scratch mk_qconv2d needs for this shape: the work
 * bytes, then room for one group's packed weights (unused, and not needed,
 * when the weights come pre-packed). */
MK_UNUSED static size_t mk_qconv2d_scratch_bytes(const mk_qconv2d_params *p)
{
    return mk_qconv2d_work_bytes(p) + mk_qconv2d_group_work_bytes(p);
}

/* Bytes of 64-byte aligned scratch mk_qconv2d needs with pre-packed
 * weights: the work bytes, and on AVX2 room to widen one group's. */
MK_UNUSED static size_t mk_qconv2d_prepacked_scratch_bytes(const mk_qconv2d_params *p)
{
#if defined(MK_QGEMM_AVX2)
    return mk_qconv2d_scratch_bytes(p);
#else
    return mk_qconv2d_work_bytes(p);
#endif
}

/* ---- direct (one input channel per group) ---- */

typedef struct mk_qconv_direct_job {
    const mk_qconv2d_params *p;
    const unsigned char *input;
    const int8_t *weight;
    const int32_t *row_offset;
    const mk_qgemm_epilogue *epi;
    unsigned char *output;
    size_t es; /* bytes per output element */
} mk_qconv_direct_job;

/* Input byte v as a number: int8 or uint8. */
#define MK_QCONV_VALUE(T, v) ((int32_t)(T)(v))

/* sum over the taps of one output, every tap bounds-checked; outside taps
 * read `pad` (the zero point's value). */
MK_UNUSED static uint32_t mk_qconv_direct_point(const mk_qconv2d_params *p, const unsigned char *in_plane,
                                                const int8_t *w, int32_t pad, int64_t oh, int64_t ow)
{
    const int8_t *in_s8 = (const int8_t *)in_plane;
    uint32_t sum = 0;
    int64_t kh, kw;
    for (kh = 0; kh < p->kernel_h; ++kh) {
        const int64_t ih = oh * p->stride_h - p->pad_top + kh * p->dilation_h;
        for (kw = 0; kw < p->kernel_w; ++kw) {
            const int64_t iw = ow * p->stride_w - p->pad_left + kw * p->dilation_w;
            int32_t v = pad;
            if (ih >= 0 && ih < p->in_h && iw >= 0 && iw < p->in_w) {
                v = p->input_int8 ? (int32_t)in_s8[ih * p->in_w + iw] : (int32_t)in_plane[ih * p->in_w + iw];
            }
            sum += (uint32_t)((int32_t)w[kh * p->kernel_w + kw] * v);
        }
    }
    return sum;
}

/* Outputs [ow, ow + count) of row oh (count <= MK_QCONV_DIRECT_BLOCK), all
 * of whose horizontal taps lie inside the input, input type T, stride SW
 * (0: p->stride_w). Rows outside the input add w * pad to every output. */
#define MK_QCONV_DIRECT_BLOCK_FN(name, T, SW, COUNT)                                                            \
    MK_UNUSED static void name(const mk_qconv2d_params *p, const unsigned char *in_plane, const int8_t *w,     \
                               int32_t pad, int64_t oh, int64_t ow, int64_t count, uint32_t *MK_RESTRICT acc)  \
    {                                                                                                           \
        const T *plane = (const T *)in_plane;                                                                   \
        const int64_t sw = (SW) != 0 ? (SW) : p->stride_w;                                                      \
        const int64_t n = (COUNT) != 0 ? (COUNT) : count;                                                       \
        int64_t kh, kw, l;                                                                                      \
        for (l = 0; l < n; ++l) {                                                                               \
            acc[l] = 0;                                                                                         \
        }                                                                                                       \
        for (kh = 0; kh < p->kernel_h; ++kh) {                                                                  \
            const int64_t ih = oh * p->stride_h - p->pad_top + kh * p->dilation_h;                              \
            if (ih < 0 || ih >= p->in_h) {                                                                      \
                uint32_t row = 0;                                                                               \
                for (kw = 0; kw < p->kernel_w; ++kw) {                                                          \
                    row += (uint32_t)((int32_t)w[kh * p->kernel_w + kw] * pad);                                 \
                }                                                                                               \
                for (l = 0; l < n; ++l) {                                                                       \
                    acc[l] += row;                                                                              \
                }                                                                                               \
                continue;                                                                                       \
            }                                                                                                   \
            for (kw = 0; kw < p->kernel_w; ++kw) {                                                              \
                const int32_t wv = w[kh * p->kernel_w + kw];                                                    \
                const T *src = plane + ih * p->in_w + ow * sw + kw * p->dilation_w - p->pad_left;               \
                for (l = 0; l < n; ++l) {                                                                       \
                    acc[l] += (uint32_t)(wv * MK_QCONV_VALUE(T, src[l * sw]));                                  \
                }                                                                                               \
            }                                                                                                   \
        }                                                                                                       \
        (void)count;                                                                                            \
    }
/* Fixed-length blocks with a constant stride, which compilers vectorize
 * keeping acc in registers, and the general one. */
MK_QCONV_DIRECT_BLOCK_FN(mk_qconv_direct_u8_s1, uint8_t, 1, MK_QCONV_DIRECT_BLOCK)
MK_QCONV_DIRECT_BLOCK_FN(mk_qconv_direct_u8_s2, uint8_t, 2, MK_QCONV_DIRECT_BLOCK)
MK_QCONV_DIRECT_BLOCK_FN(mk_qconv_direct_u8_any, uint8_t, 0, 0)
MK_QCONV_DIRECT_BLOCK_FN(mk_qconv_direct_s8_s1, int8_t, 1, MK_QCONV_DIRECT_BLOCK)
MK_QCONV_DIRECT_BLOCK_FN(mk_qconv_direct_s8_s2, int8_t, 2, MK_QCONV_DIRECT_BLOCK)
MK_QCONV_DIRECT_BLOCK_FN(mk_qconv_direct_s8_any, int8_t, 0, 0)
#undef MK_QCONV_DIRECT_BLOCK_FN

/* Interior outputs [ow, ow + count) of row oh through the block matching
 * the input type and stride. */
MK_UNUSED static void mk_qconv_direct_block(const mk_qconv2d_params *p, const unsigned char *in_plane,
                                            const int8_t *w, int32_t pad, int64_t oh, int64_t ow, int64_t count,
                                            uint32_t *acc)
{
    const int full = count == MK_QCONV_DIRECT_BLOCK;
    if (p->input_int8) {
        if (full && p->stride_w == 1) {
            mk_qconv_direct_s8_s1(p, in_plane, w, pad, oh, ow, count, acc);
        } else if (full && p->stride_w == 2) {
            mk_qconv_direct_s8_s2(p, in_plane, w, pad, oh, ow, count, acc);
        } else {
            mk_qconv_direct_s8_any(p, in_plane, w, pad, oh, ow, count, acc);
        }
    } else if (full && p->stride_w == 1) {
        mk_qconv_direct_u8_s1(p, in_plane, w, pad, oh, ow, count, acc);
    } else if (full && p->stride_w == 2) {
        mk_qconv_direct_u8_s2(p, in_plane, w, pad, oh, ow, count, acc);
    } else {
        mk_qconv_direct_u8_any(p, in_plane, w, pad, oh, ow, count, acc);
    }
}

/* Planes in bands: a band of output rows is computed from a copy of the
 * input rows it reads, `padded`, framed by the zero point and of pitch wp,
 * so that with equal strides s output (oh, ow) of the band is the sum over
 * taps of w[t] * padded[s * q + shift[t]], q = (oh - first row) * wp + ow.
 * Every tap is then one loop over all q of the band at once (the q with
 * ow >= out_w are computed and dropped), which vectorizes whatever the row
 * width: on MobileNet-V2 (rows of 7 to 112) 2.4 times faster than the
 * blocks of 32 columns below. The sums are those of the tap-by-tap path,
 * added in another order: the same wrapping uint32 values. A band holds at
 * most MK_QCONV_BAND_SUMS sums and MK_QCONV_BAND_BYTES copied bytes, both
 * on the stack; shapes where not even one row fits, or with unequal
 * strides, take the blocks. */
#ifndef MK_QCONV_BAND_BYTES
#define MK_QCONV_BAND_BYTES 8192
#endif
#ifndef MK_QCONV_BAND_SUMS
#define MK_QCONV_BAND_SUMS 4096
#endif

/* Pitch of the copied rows: the left padding, the row and what the
 * rightmost output's last tap reaches beyond it. */
MK_UNUSED static int64_t mk_qconv_band_pitch(const mk_qconv2d_params *p)
{
    const int64_t reach = (p->out_w - 1) * p->stride_w + (p->kernel_w - 1) * p->dilation_w + 1;
    return mk_max_i64(reach, p->pad_left + p->in_w);
}

/* Bytes the taps of a band of `rows` output rows read. */
MK_UNUSED static int64_t mk_qconv_band_bytes(const mk_qconv2d_params *p, int64_t rows)
{
    const int64_t wp = mk_qconv_band_pitch(p);
    return p->stride_w * (rows * wp - 1) + (p->kernel_h - 1) * p->dilation_h * wp + (p->kernel_w - 1) * p->dilation_w +
           1;
}

/* Output rows per band (0: the shape takes the blocks). */
MK_UNUSED static int64_t mk_qconv_band_rows(const mk_qconv2d_params *p)
{
    const int64_t wp = mk_qconv_band_pitch(p);
    int64_t rows = mk_min_i64(p->out_h, MK_QCONV_BAND_SUMS / wp);
    if (p->stride_h != p->stride_w || p->pad_top < 0 || p->pad_left < 0) {
        return 0;
    }
    while (rows > 0 && mk_qconv_band_bytes(p, rows) > MK_QCONV_BAND_BYTES) {
        --rows;
    }
    return rows;
}

/* acc[q] += w * padded[S * q + shift] for q < n, input type T (S: 0 for
 * the stride s). */
#define MK_QCONV_SMALL_TAP_FN(name, T, S)                                                                      \
    MK_UNUSED static void name(const unsigned char *padded, int64_t s, int64_t shift, int32_t w, int64_t n,    \
                               uint32_t *MK_RESTRICT acc)                                                      \
    {                                                                                                          \
        const T *src = (const T *)padded + shift;                                                              \
        const int64_t stride = (S) != 0 ? (S) : s;                                                             \
        int64_t q;                                                                                             \
        for (q = 0; q < n; ++q) {                                                                              \
            acc[q] += (uint32_t)(w * MK_QCONV_VALUE(T, src[q * stride]));                                      \
        }                                                                                                      \
    }
MK_QCONV_SMALL_TAP_FN(mk_qconv_band_tap_u8_s1, uint8_t, 1)
MK_QCONV_SMALL_TAP_FN(mk_qconv_band_tap_u8_s2, uint8_t, 2)
MK_QCONV_SMALL_TAP_FN(mk_qconv_band_tap_u8_any, uint8_t, 0)
MK_QCONV_SMALL_TAP_FN(mk_qconv_band_tap_s8_s1, int8_t, 1)
MK_QCONV_SMALL_TAP_FN(mk_qconv_band_tap_s8_s2, int8_t, 2)
MK_QCONV_SMALL_TAP_FN(mk_qconv_band_tap_s8_any, int8_t, 0)
#undef MK_QCONV_SMALL_TAP_FN

/* On AVX-512 VNNI with VBMI, bands whose taps run along a row at stride 1
 * or 2 with no dilation sum 16 outputs per instruction and per 4 taps of a
 * row: vpermb gathers for output lane l the 4 bytes it reads from a row of
 * the band (from s * l + 4 * g), and vpdpbusd multiplies them by the row's
 * 4 weights (zero past kernel_w) and adds them into the lane's int32 sum.
 * vpdpbusd takes its bytes unsigned, so int8 input is read as v ^ 0x80 =
 * v + 128, and the 128 * sum(w) that adds is taken back off: the sums are
 * those of the tap loops, in wrapping uint32. Predefining
 * MK_QCONV_NO_BAND_VNNI keeps the tap loops (to compare them). */
#if defined(MK_QGEMM_VNNI) && defined(__AVX512VBMI__) && !defined(MK_QCONV_NO_BAND_VNNI)
#define MK_QCONV_BAND_VNNI 1

/* Most taps along a row that one 64-byte load of a band row covers for 16
 * outputs at stride 2 (16 * 2 + 16 <= 64), and most rows of taps. */
#define MK_QCONV_BAND_VNNI_TAPS 16

MK_UNUSED static int mk_qconv_band_vnni(const mk_qconv2d_params *p)
{
    return (p->stride_w == 1 || p->stride_w == 2) && p->dilation_w == 1 && p->kernel_w <= MK_QCONV_BAND_VNNI_TAPS &&
           p->kernel_h <= MK_QCONV_BAND_VNNI_TAPS;
}

/* mk_qconv_band_sums on the VNNI path. It writes acc[q] for every q below
 * round_up(n, 16), which the caller's buffer holds. Bytes past the band
 * load as 0, and only the dropped sums or zero weights meet them. */
MK_UNUSED static void mk_qconv_band_sums_vnni(const mk_qconv2d_params *p, int64_t wp, const unsigned char *padded,
                                              int64_t bytes, const int8_t *w, int64_t n, uint32_t *acc)
{
    const int64_t s = p->stride_w;
    const int64_t groups = mk_div_up(p->kernel_w, 4);
    const __m512i flip = _mm512_set1_epi8(p->input_int8 ? (char)0x80 : 0);
    __m512i index[MK_QCONV_BAND_VNNI_TAPS / 4];
    int32_t packed[MK_QCONV_BAND_VNNI_TAPS][MK_QCONV_BAND_VNNI_TAPS / 4]; /* a row's 4 weights per dword */
    uint32_t correction = 0;
    int64_t g, kh, q0;
    for (g = 0; g < groups; ++g) {
        unsigned char lanes[64];
        int l, j;
        for (l = 0; l < 16; ++l) {
            for (j = 0; j < 4; ++j) {
                lanes[4 * l + j] = (unsigned char)(s * l + 4 * g + j);
            }
        }
        index[g] = _mm512_loadu_si512(lanes);
        for (kh = 0; kh < p->kernel_h; ++kh) {
            uint32_t bytes4 = 0;
            for (j = 0; j < 4 && 4 * g + j < p->kernel_w; ++j) {
                bytes4 |= (uint32_t)(uint8_t)w[kh * p->kernel_w + 4 * g + j] << (8 * j);
            }
            packed[kh][g] = mk_q_i32(bytes4);
        }
    }
    if (p->input_int8) {
        for (g = 0; g < p->kernel_h * p->kernel_w; ++g) {
            correction += 128u * (uint32_t)(int32_t)w[g];
        }
    }
    for (q0 = 0; q0 < n; q0 += 16) {
        __m512i sums = _mm512_set1_epi32(mk_q_i32(0u - correction));
        for (kh = 0; kh < p->kernel_h; ++kh) {
            const int64_t start = kh * p->dilation_h * wp + s * q0;
            const int64_t avail = mk_min_i64(64, bytes - start);
            const __mmask64 mask = avail >= 64 ? ~(__mmask64)0 : avail <= 0 ? 0 : (((__mmask64)1 << avail) - 1);
            const __m512i row = _mm512_xor_si512(_mm512_maskz_loadu_epi8(mask, padded + start), flip);
            for (g = 0; g < groups; ++g) {
                sums = _mm512_dpbusd_epi32(sums, _mm512_permutexvar_epi8(index[g], row),
                                           _mm512_set1_epi32(packed[kh][g]));
            }
        }
        _mm512_storeu_si512(acc + q0, sums);
    }
}
#endif

/* acc[q] for q < n (n rounded up to 16 on the VNNI path, the extra sums
 * dropped with the other q of ow >= out_w) of the band in padded[0, bytes)
 * with pitch wp. */
MK_UNUSED static void mk_qconv_band_sums(const mk_qconv2d_params *p, int64_t wp, const unsigned char *padded,
                                         int64_t bytes, const int8_t *w, int64_t n, uint32_t *MK_RESTRICT acc)
{
    const int64_t s = p->stride_w;
    int64_t kh, kw;
#if defined(MK_QCONV_BAND_VNNI)
    if (mk_qconv_band_vnni(p)) {
        mk_qconv_band_sums_vnni(p, wp, padded, bytes, w, n, acc);
        return;
    }
#endif
    (void)bytes;
    memset(acc, 0, sizeof(uint32_t) * (size_t)n);
    for (kh = 0; kh < p->kernel_h; ++kh) {
        for (kw = 0; kw < p->kernel_w; ++kw) {
            const int32_t wv = w[kh * p->kernel_w + kw];
            const int64_t shift = kh * p->dilation_h * wp + kw * p->dilation_w;
            if (p->input_int8) {
                if (s == 1) {
                    mk_qconv_band_tap_s8_s1(padded, s, shift, wv, n, acc);
                } else if (s == 2) {
                    mk_qconv_band_tap_s8_s2(padded, s, shift, wv, n, acc);
                } else {
                    mk_qconv_band_tap_s8_any(padded, s, shift, wv, n, acc);
                }
            } else if (s == 1) {
                mk_qconv_band_tap_u8_s1(padded, s, shift, wv, n, acc);
            } else if (s == 2) {
                mk_qconv_band_tap_u8_s2(padded, s, shift, wv, n, acc);
            } else {
                mk_qconv_band_tap_u8_any(padded, s, shift, wv, n, acc);
            }
        }
    }
}

/* One output plane in bands of `band` rows (mk_qconv_band_rows): offset
 * and scale as in mk_qconv_direct_task. */
MK_UNUSED static void mk_qconv_direct_bands(const mk_qconv_direct_job *job, int64_t band,
                                            const unsigned char *in_plane, const int8_t *w, uint32_t offset,
                                            float scale, unsigned char *out_plane)
{
    const mk_qconv2d_params *p = job->p;
    const int64_t wp = mk_qconv_band_pitch(p);
    const int64_t s = p->stride_w;
    unsigned char padded[MK_QCONV_BAND_BYTES];
    uint32_t acc[MK_QCONV_BAND_SUMS + 15]; /* + the VNNI path's rounding up */
    int64_t oh0;
    for (oh0 = 0; oh0 < p->out_h; oh0 += band) {
        const int64_t rows = mk_min_i64(band, p->out_h - oh0);
        const int64_t bytes = mk_qconv_band_bytes(p, rows);
        const int64_t n = rows * wp;
        int64_t y, oh;
        for (y = 0; y * wp < bytes; ++y) {
            unsigned char *row = padded + y * wp;
            const int64_t ih = oh0 * s + y - p->pad_top;
            const int64_t width = mk_min_i64(wp, bytes - y * wp);
            memset(row, (unsigned char)(uint32_t)p->input_zero_point, (size_t)width);
            if (ih >= 0 && ih < p->in_h && p->pad_left < width) {
                memcpy(row + p->pad_left, in_plane + ih * p->in_w, (size_t)mk_min_i64(p->in_w, width - p->pad_left));
            }
        }
        mk_qconv_band_sums(p, wp, padded, bytes, w, n, acc);
        for (oh = 0; oh < rows; ++oh) {
            mk_qgemm_store_row(job->epi, (const int32_t *)(acc + oh * wp), p->out_w, offset, scale,
                               out_plane + (size_t)((oh0 + oh) * p->out_w) * job->es, 1);
        }
    }
}

/* Task body: output plane `index` = (image, output channel), in bands of
 * rows where they fit (mk_qconv_direct_bands), else in chunks of
 * MK_QCONV_DIRECT_BLOCK columns: the columns whose horizontal taps all lie
 * inside the input go through the blocks, border columns tap by tap. The
 * sums use the input values as they are; for int8 input, u(v) = v + 128 is
 * accounted for by adding 128 * sum(w) once. */
MK_UNUSED static void mk_qconv_direct_task(void *ctx, size_t index)
{
    const mk_qconv_direct_job *job = (const mk_qconv_direct_job *)ctx;
    const mk_qconv2d_params *p = job->p;
    const int64_t oc = (int64_t)index % p->out_channels;
    const int64_t b = (int64_t)index / p->out_channels;
    const int64_t ic = oc / (p->out_channels / p->groups);
    const int64_t taps = p->kernel_h * p->kernel_w;
    const unsigned char *in_plane = job->input + (b * p->in_channels + ic) * p->in_h * p->in_w;
    const int8_t *w = job->weight + oc * taps;
    const float scale = mk_qgemm_row_scale(job->epi, oc);
    unsigned char *out_plane = job->output + (size_t)((int64_t)index * p->out_h * p->out_w) * job->es;
    uint32_t offset = job->row_offset != NULL ? (uint32_t)job->row_offset[oc] : 0u;
    const int64_t band = mk_qconv_band_rows(p);
    int64_t inner_lo, inner_hi, first_hi, last_lo, oh, ow0, t;
    if (p->input_int8) {
        uint32_t wsum = 0;
        for (t = 0; t < taps; ++t) {
            wsum += (uint32_t)(int32_t)w[t];
        }
        offset += 128u * wsum;
    }
    if (band > 0) {
        mk_qconv_direct_bands(job, band, in_plane, w, offset, scale, out_plane);
        return;
    }
    /* Interior: the first tap (kw = 0) and the last tap are both inside. */
    mk_valid_range(-p->pad_left, p->stride_w, p->in_w, p->out_w, &inner_lo, &first_hi);
    mk_valid_range((p->kernel_w - 1) * p->dilation_w - p->pad_left, p->stride_w, p->in_w, p->out_w, &last_lo,
                   &inner_hi);
    inner_hi = mk_max_i64(inner_lo, mk_min_i64(inner_hi, first_hi));
    for (oh = 0; oh < p->out_h; ++oh) {
        unsigned char *out_row = out_plane + (size_t)(oh * p->out_w) * job->es;
        for (ow0 = 0; ow0 < p->out_w; ow0 += MK_QCONV_DIRECT_BLOCK) {
            const int64_t ow1 = mk_min_i64(p->out_w, ow0 + MK_QCONV_DIRECT_BLOCK);
            const int64_t lo = mk_max_i64(ow0, mk_min_i64(inner_lo, ow1));
            const int64_t hi = mk_max_i64(lo, mk_min_i64(inner_hi, ow1));
            uint32_t acc[MK_QCONV_DIRECT_BLOCK];
            int64_t ow;
            for (ow = ow0; ow < lo; ++ow) {
                acc[ow - ow0] = mk_qconv_direct_point(p, in_plane, w, p->input_zero_point, oh, ow);
            }
            if (hi > lo) {
                mk_qconv_direct_block(p, in_plane, w, p->input_zero_point, oh, lo, hi - lo, acc + (lo - ow0));
            }
            for (ow = hi; ow < ow1; ++ow) {
                acc[ow - ow0] = mk_qconv_direct_point(p, in_plane, w, p->input_zero_point, oh, ow);
            }
            mk_qgemm_store_row(job->epi, (const int32_t *)acc, ow1 - ow0, offset, scale,
                               out_row + (size_t)ow0 * job->es, 1);
        }
    }
}

/* ---- im2col ---- */

typedef struct mk_qim2col_job {
    const mk_qconv2d_params *p;
    const unsigned char *input; /* first channel of the group, this image */
    int64_t k, first_pixel, width;
    unsigned char pad;          /* the zero point's byte */
    unsigned char *col;         /* k rows of `width` bytes */
} mk_qim2col_job;

/* Writes pad at column ow of output rows [oh_lo, oh_hi) of a col row that
 * holds pixels [q, end). */
MK_UNUSED static void mk_qim2col_patch_column(unsigned char *dst, int64_t q, int64_t end, int64_t out_w, int64_t ow,
                                              int64_t oh_lo, int64_t oh_hi, unsigned char pad)
{
    int64_t oh;
    for (oh = oh_lo; oh < oh_hi; ++oh) {
        const int64_t idx = oh * out_w + ow;
        if (idx >= q && idx < end) {
            dst[idx - q] = pad;
        }
    }
}

/* Fills col row `row` = (channel, kh, kw) for pixels [first, first+width). */
MK_UNUSED static void mk_qim2col_row(const mk_qim2col_job *job, int64_t row)
{
    const mk_qconv2d_params *p = job->p;
    const int64_t kw = row % p->kernel_w;
    const int64_t kh = row / p->kernel_w % p->kernel_h;
    const int64_t c = row / (p->kernel_w * p->kernel_h);
    const unsigned char *in_plane = job->input + c * p->in_h * p->in_w;
    const int64_t offset = kw * p->dilation_w - p->pad_left;
    const int64_t end = job->first_pixel + job->width;
    unsigned char *dst = job->col + row * job->width;
    int64_t q = job->first_pixel;
    int64_t lo, hi;
    mk_valid_range(offset, p->stride_w, p->in_w, p->out_w, &lo, &hi);
    if (p->stride_h == 1 && p->stride_w == 1 && p->out_w == p->in_w) {
        /* Stride 1, rows as wide as the input: pixel q reads input index
         * q + shift. The output rows whose input row is outside lie at both
         * ends, so the row is pads, one copy of the plane, pads; then the
         * few columns whose taps fall off the sides are patched. */
        const int64_t shift = (kh * p->dilation_h - p->pad_top) * p->in_w + offset;
        const int64_t plane = p->in_h * p->in_w;
        int64_t oh_lo, oh_hi, a, z, ow;
        mk_valid_range(kh * p->dilation_h - p->pad_top, 1, p->in_h, p->out_h, &oh_lo, &oh_hi);
        a = mk_max_i64(mk_max_i64(q, oh_lo * p->out_w), -shift);
        z = mk_min_i64(mk_min_i64(end, oh_hi * p->out_w), plane - shift);
        a = mk_min_i64(a, end);
        z = mk_max_i64(z, a);
        memset(dst, job->pad, (size_t)(a - q));
        memcpy(dst + (a - q), in_plane + a + shift, (size_t)(z - a));
        memset(dst + (z - q), job->pad, (size_t)(end - z));
        oh_lo = mk_max_i64(oh_lo, q / p->out_w);
        oh_hi = mk_min_i64(oh_hi, mk_div_up(end, p->out_w));
        for (ow = 0; ow < lo; ++ow) {
            mk_qim2col_patch_column(dst, q, end, p->out_w, ow, oh_lo, oh_hi, job->pad);
        }
        for (ow = hi; ow < p->out_w; ++ow) {
            mk_qim2col_patch_column(dst, q, end, p->out_w, ow, oh_lo, oh_hi, job->pad);
        }
        return;
    }
    {
        /* Output row by output row: a run of pads, the gathered taps, pads. */
        int64_t oh = q / p->out_w, ow0 = q % p->out_w;
        for (; q < end; ++oh, ow0 = 0) {
            const int64_t ow1 = mk_min_i64(p->out_w, ow0 + (end - q));
            const int64_t ih = oh * p->stride_h - p->pad_top + kh * p->dilation_h;
            const int64_t n = ow1 - ow0;
            if (ih < 0 || ih >= p->in_h) {
                memset(dst, job->pad, (size_t)n);
            } else {
                const unsigned char *in_row = in_plane + ih * p->in_w;
                const int64_t a = mk_max_i64(ow0, mk_min_i64(lo, ow1));
                const int64_t z = mk_max_i64(a, mk_min_i64(hi, ow1));
                unsigned char *run = dst + (a - ow0);
                int64_t ow, i;
                for (ow = ow0; ow < a; ++ow) {
                    dst[ow - ow0] = job->pad;
                }
                if (p->stride_w == 1) {
                    memcpy(run, in_row + a + offset, (size_t)(z - a));
                } else if (p->stride_w == 2) {
                    const unsigned char *src = in_row + a * 2 + offset;
                    i = 0;
#if defined(MK_QGEMM_VNNI)
                    for (; i < z - a; i += 32) {
                        const int64_t count = mk_min_i64(32, z - a - i);
                        _mm256_mask_storeu_epi8(run + i, (__mmask32)(((uint64_t)1 << count) - 1),
                                                mk_even_bytes(src + 2 * i, count));
                    }
#endif
                    for (; i < z - a; ++i) { /* a constant stride vectorizes */
                        run[i] = src[2 * i];
                    }
                } else {
                    for (ow = a; ow < z; ++ow) {
                        dst[ow - ow0] = in_row[ow * p->stride_w + offset];
                    }
                }
                for (ow = z; ow < ow1; ++ow) {
                    dst[ow - ow0] = job->pad;
                }
            }
            dst += n;
            q += n;
        }
    }
}

/* Task body: im2col rows [index*R, index*R + R). */
MK_UNUSED static void mk_qim2col_task(void *ctx, size_t index)
{
    const mk_qim2col_job *job = (const mk_qim2col_job *)ctx;
    const int64_t first = (int64_t)index * MK_QCONV_ROWS_PER_TASK;
    const int64_t last = mk_min_i64(job->k, first + MK_QCONV_ROWS_PER_TASK);
    int64_t row;
    for (row = first; row < last; ++row) {
        mk_qim2col_row(job, row);
    }
}

/* ---- implicit im2col (AVX-512 VNNI) ---- */

#if defined(MK_QGEMM_VNNI)
/* The im2col matrix of one image and group, read from planes of out_w-wide
 * rows (the input, or its phases): row (c, i, j), pixel q = (oh, ow) reads
 * plane[c * channel_stride + row_offset[i] + col_offset[j] + q] where
 * 0 <= oh + row_shift[i] < plane_h and 0 <= ow + col_shift[j] < plane_w, the
 * zero point's byte elsewhere (as mk_qim2col_row writes them). */
typedef struct mk_qconv_implicit_b {
    const mk_qconv2d_params *p;
    const unsigned char *plane;
    int64_t channel_stride, plane_h, plane_w, k;
    intptr_t row_offset[MK_QCONV_IMPLICIT_TAPS], col_offset[MK_QCONV_IMPLICIT_TAPS];
    int64_t row_shift[MK_QCONV_IMPLICIT_TAPS], col_shift[MK_QCONV_IMPLICIT_TAPS];
    unsigned char pad; /* the zero point's byte */
    unsigned flip;     /* 0x80 for int8 input */
} mk_qconv_implicit_b;

/* Fills *b for image/group input `in` (its first channel) of a shape that
 * mk_qconv2d_implicit_im2col takes; a stride-2 shape reads `phases`, which
 * mk_qconv_phase_task fills from `in`. */
MK_UNUSED static void mk_qconv_implicit_view(const mk_qconv2d_params *p, const unsigned char *in,
                                             const unsigned char *phases, mk_qconv_implicit_b *b)
{
    const int64_t out_plane = p->out_h * p->out_w;
    const int64_t icg = p->in_channels / p->groups;
    const int64_t na = mk_qconv_axis_phases(p->kernel_h, p->dilation_h);
    const int64_t nb = mk_qconv_axis_phases(p->kernel_w, p->dilation_w);
    int64_t t;
    b->p = p;
    b->k = icg * p->kernel_h * p->kernel_w;
    b->pad = (unsigned char)(uint32_t)p->input_zero_point;
    b->flip = p->input_int8 ? 0x80u : 0u;
    if (p->stride_h == 1) {
        b->plane = in;
        b->channel_stride = p->in_h * p->in_w;
        b->plane_h = p->in_h;
        b->plane_w = p->in_w;
        for (t = 0; t < p->kernel_h; ++t) {
            b->row_shift[t] = t * p->dilation_h - p->pad_top;
            b->row_offset[t] = (intptr_t)(b->row_shift[t] * p->in_w);
        }
        for (t = 0; t < p->kernel_w; ++t) {
            b->col_shift[t] = t * p->dilation_w - p->pad_left;
            b->col_offset[t] = (intptr_t)b->col_shift[t];
        }
        return;
    }
    /* Phase (a, b) channel c is at ((a * nb + b) * icg + c) * out_plane; a
     * tap of parity r reads phase r of an axis with 2, phase 0 of one. */
    b->plane = phases;
    b->channel_stride = out_plane;
    b->plane_h = p->out_h;
    b->plane_w = p->out_w;
    for (t = 0; t < p->kernel_h; ++t) {
        const int64_t tap = t * p->dilation_h - p->pad_top;
        const int64_t phase = na > 1 ? tap & 1 : 0;
        b->row_shift[t] = (tap - (tap & 1)) / 2;
        b->row_offset[t] = (intptr_t)(phase * nb * icg * out_plane + b->row_shift[t] * p->out_w);
    }
    for (t = 0; t < p->kernel_w; ++t) {
        const int64_t tap = t * p->dilation_w - p->pad_left;
        const int64_t phase = nb > 1 ? tap & 1 : 0;
        b->col_shift[t] = (tap - (tap & 1)) / 2;
        b->col_offset[t] = (intptr_t)(phase * icg * out_plane + b->col_shift[t]);
    }
}

typedef struct mk_qconv_phase_job {
    const mk_qconv2d_params *p;
    const unsigned char *input; /* first channel of the group, this image */
    unsigned char *phases;
} mk_qconv_phase_job;

/* Task body: the phases of input channel `index`: phase (a, b) row y holds
 * input row 2y + parity(a), columns parity(b), parity(b) + 2, ...
 * (mk_qconv_phase_parity). */
MK_UNUSED static void mk_qconv_phase_task(void *ctx, size_t index)
{
    const mk_qconv_phase_job *job = (const mk_qconv_phase_job *)ctx;
    const mk_qconv2d_params *p = job->p;
    const int64_t c = (int64_t)index;
    const int64_t icg = p->in_channels / p->groups;
    const int64_t out_plane = p->out_h * p->out_w;
    const int64_t na = mk_qconv_axis_phases(p->kernel_h, p->dilation_h);
    const int64_t nb = mk_qconv_axis_phases(p->kernel_w, p->dilation_w);
    const unsigned char *src = job->input + c * p->in_h * p->in_w;
    int64_t a, b, y, x;
    for (a = 0; a < na; ++a) {
        const int64_t row_parity = mk_qconv_phase_parity(a, na, p->pad_top);
        for (b = 0; b < nb; ++b) {
            const int64_t col_parity = mk_qconv_phase_parity(b, nb, p->pad_left);
            unsigned char *dst = job->phases + ((a * nb + b) * icg + c) * out_plane;
            for (y = 0; y < p->out_h; ++y) {
                const unsigned char *row = src + (2 * y + row_parity) * p->in_w + col_parity;
                unsigned char *out = dst + y * p->out_w;
                for (x = 0; x < p->out_w; x += 32) {
                    const int64_t count = mk_min_i64(32, p->out_w - x);
                    _mm256_mask_storeu_epi8(out + x, (__mmask32)(((uint64_t)1 << count) - 1),
                                            mk_even_bytes(row + 2 * x, count));
                }
            }
        }
    }
}

/* mk_qgemm_b_packer of a mk_qconv_implicit_b. The 32 pixels of each panel
 * get their masks per kernel row i and per kernel column j first; each
 * depth group then ANDs those of its 4 rows' taps for every panel (a row
 * past k gets mask 0, so its load yields pad bytes, which A's zeros
 * ignore), and the panel loop is 4 masked loads and an interleave.
 * Masked-off bytes are never read, so the shifted address may point
 * outside the plane. */
MK_UNUSED static void mk_qconv_pack_implicit(const void *ctx, int64_t j0, int64_t cols, int64_t groups,
                                             int64_t panel_elems, mk_qb_t *dst)
{
    enum { PANELS = MK_QGEMM_NC / MK_QGEMM_NR }; /* a multiple of 16 */
    const mk_qconv_implicit_b *b = (const mk_qconv_implicit_b *)ctx;
    const mk_qconv2d_params *p = b->p;
    const int64_t panels = mk_div_up(cols, MK_QGEMM_NR);
    const __m256i vpad = _mm256_set1_epi8((char)b->pad), vflip = _mm256_set1_epi8((char)b->flip);
    uint32_t row_mask[MK_QCONV_IMPLICIT_TAPS][PANELS];
    uint32_t col_mask[MK_QCONV_IMPLICIT_TAPS][PANELS];
    uint32_t mask[MK_QGEMM_KG][PANELS];
    int64_t q, g, c = 0, ki = 0, kj = 0;
    memset(row_mask, 0, sizeof(row_mask));
    memset(col_mask, 0, sizeof(col_mask));
    for (q = 0; q < panels; ++q) {
        const int64_t first = j0 + q * MK_QGEMM_NR;
        mk_tap_lane_masks(first, mk_min_i64(MK_QGEMM_NR, j0 + cols - first), p->out_w, p->kernel_h, b->row_shift,
                          b->plane_h, p->kernel_w, b->col_shift, b->plane_w, &row_mask[0][q], &col_mask[0][q], PANELS);
    }
    for (g = 0; g < groups; ++g) {
        uintptr_t src[MK_QGEMM_KG];
        mk_qb_t *out = dst + g * MK_QGEMM_NR * MK_QGEMM_KG;
        int t;
        for (t = 0; t < MK_QGEMM_KG; ++t) {
            const int present = g * MK_QGEMM_KG + t < b->k;
            /* Addresses are formed as integers: for masked-off lanes they
             * may lie outside the plane. */
            src[t] = (uintptr_t)b->plane + (uintptr_t)((intptr_t)(c * b->channel_stride) + b->row_offset[ki] +
                                                       b->col_offset[kj] + (intptr_t)j0);
            for (q = 0; q < panels; q += 16) {
                const __m512i both = _mm512_and_si512(_mm512_loadu_si512(row_mask[ki] + q),
                                                      _mm512_loadu_si512(col_mask[kj] + q));
                _mm512_storeu_si512(mask[t] + q, present ? both : _mm512_setzero_si512());
            }
            if (++kj == p->kernel_w) {
                kj = 0;
                if (++ki == p->kernel_h) {
                    ki = 0;
                    ++c;
                }
            }
        }
        for (q = 0; q < panels; ++q) {
            const uintptr_t at = (uintptr_t)(q * MK_QGEMM_NR);
            mk_qgemm_store_group(_mm256_mask_loadu_epi8(vpad, (__mmask32)mask[0][q], (const void *)(src[0] + at)),
                                 _mm256_mask_loadu_epi8(vpad, (__mmask32)mask[1][q], (const void *)(src[1] + at)),
                                 _mm256_mask_loadu_epi8(vpad, (__mmask32)mask[2][q], (const void *)(src[2] + at)),
                                 _mm256_mask_loadu_epi8(vpad, (__mmask32)mask[3][q], (const void *)(src[3] + at)),
                                 vflip, out + q * panel_elems);
        }
    }
}
#endif

/* output[batch][out_c][out_h][out_w] = epilogue(row_offset[oc] +
 * conv(input[batch][in_c][in_h][in_w], weight[out_c][in_c/groups][kh][kw]));
 * see the top of this file. input is uint8, or int8 when p->input_int8;
 * row_offset has out_c values (NULL: zeros); the epilogue's rows are the
 * output channels, and its kind gives output's type. packed_weight: NULL,
 * or mk_qconv2d_pack_weight's output for this p (then weight is read only
 * by the direct strategy). Padding is pad_top/pad_left; bottom/right padding
 * is whatever out_h/out_w imply. scratch: mk_qconv2d_scratch_bytes(p)
 * bytes, 64-byte aligned. output must not overlap input, weight, row_offset
 * or scratch. */
MK_UNUSED static void mk_qconv2d(const mk_exec *ex, const mk_qconv2d_params *p, const void *input,
                                 const int8_t *weight, const void *packed_weight, const int32_t *row_offset,
                                 const mk_qgemm_epilogue *epilogue, void *output, void *scratch)
{
    const int64_t icg = p->in_channels / p->groups;
    const int64_t ocg = p->out_channels / p->groups;
    const int64_t in_plane = p->in_h * p->in_w;
    const int64_t out_plane = p->out_h * p->out_w;
    const int64_t k = icg * p->kernel_h * p->kernel_w;
    const size_t es = mk_qgemm_out_bytes(epilogue != NULL ? epilogue->kind : MK_QGEMM_OUT_INT32);
    const size_t wbytes = mk_qconv2d_group_weight_bytes(p);
    const int strategy = mk_qconv2d_strategy(p);
    const int implicit = mk_qconv2d_implicit_im2col(p);
    const unsigned char *in = (const unsigned char *)input;
    unsigned char *out = (unsigned char *)output;
    unsigned char *work = (unsigned char *)scratch;
    mk_im2col_tiling t;
    size_t work_bytes;
    int64_t b, g;
    if (strategy == MK_QCONV_DIRECT) {
        mk_qconv_direct_job job;
        job.p = p;
        job.input = in;
        job.weight = weight;
        job.row_offset = row_offset;
        job.epi = epilogue;
        job.output = out;
        job.es = es;
        mk_parallel(ex, (size_t)(p->batch * p->out_channels), mk_qconv_direct_task, &job);
        return;
    }
    memset(&t, 0, sizeof(t));
    if (strategy == MK_QCONV_IM2COL && !implicit) {
        mk_qconv_make_tiling(p, &t);
    }
    work_bytes = mk_qconv2d_work_bytes(p);
    for (g = 0; g < p->groups; ++g) {
        /* The group's weights in the GEMM's working form, once for every
         * image and tile: packed here, or widened (AVX2) from the packing. */
        const mk_qa_t *w_g =
            packed_weight != NULL
                ? mk_qgemm_working_a(ex, ocg, k, NULL, k, (const unsigned char *)packed_weight + (size_t)g * wbytes,
                                     work + work_bytes)
                : mk_qgemm_working_a(ex, ocg, k, weight + g * ocg * k, k, NULL, work + work_bytes);
        mk_qgemm_epilogue epi_g;
        const int32_t *offset_g = row_offset != NULL ? row_offset + g * ocg : NULL;
        if (epilogue != NULL) {
            epi_g = *epilogue;
            if (epi_g.per_row && epi_g.kind != MK_QGEMM_OUT_INT32) {
                epi_g.scale += g * ocg;
            }
        } else {
            epi_g.kind = MK_QGEMM_OUT_INT32;
            epi_g.scale = NULL;
            epi_g.per_row = 0;
            epi_g.zero_point = 0;
        }
        for (b = 0; b < p->batch; ++b) {
            const unsigned char *in_g = in + (b * p->in_channels + g * icg) * in_plane;
            unsigned char *out_g = out + (size_t)((b * p->out_channels + g * ocg) * out_plane) * es;
            if (strategy == MK_QCONV_POINTWISE) {
                mk_qgemm_run(ex, ocg, in_plane, icg, NULL, icg, NULL, w_g, in_g, in_plane, 1, p->input_int8, offset_g,
                             &epi_g, out_g, out_plane, 1, work);
            } else if (implicit) {
#if defined(MK_QGEMM_VNNI)
                const size_t phase_bytes = mk_qconv2d_phase_bytes(p);
                mk_qconv_implicit_b view;
                if (phase_bytes != 0) {
                    mk_qconv_phase_job phase;
                    phase.p = p;
                    phase.input = in_g;
                    phase.phases = work;
                    mk_parallel(ex, (size_t)icg, mk_qconv_phase_task, &phase);
                }
                mk_qconv_implicit_view(p, in_g, work, &view);
                mk_qgemm_run_b_packer(ex, ocg, out_plane, k, w_g, mk_qconv_pack_implicit, &view, offset_g, &epi_g,
                                      out_g, out_plane, 1, work + phase_bytes);
#endif
            } else {
                mk_qim2col_job job;
                int64_t tile;
                job.p = p;
                job.input = in_g;
                job.k = t.k;
                job.pad = (unsigned char)(uint32_t)p->input_zero_point;
                job.col = work;
                for (tile = 0; tile < t.tiles; ++tile) {
                    job.first_pixel = tile * t.width;
                    job.width = mk_min_i64(t.width, t.pixels - job.first_pixel);
                    mk_parallel(ex, (size_t)mk_div_up(t.k, MK_QCONV_ROWS_PER_TASK), mk_qim2col_task, &job);
                    mk_qgemm_run(ex, ocg, job.width, t.k, NULL, t.k, NULL, w_g, job.col, job.width, 1, p->input_int8,
                                 offset_g, &epi_g, out_g + (size_t)job.first_pixel * es, out_plane, 1,
                                 work + t.col_bytes);
                }
            }
        }
    }
}
