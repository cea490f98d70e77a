/*
 * modelc C runtime kernels -- NCHW 2-D convolution with half-precision
 * weights (needs prelude.c, half.c, gemm.c, conv.c and hgemm.c).
 *
 * mk_hconv2d computes what mk_conv2d computes, with the weights
 * weight[out_c][in_c/groups][kernel_h][kernel_w] stored as bf16 or fp16
 * (kind as in hgemm.c) and the input, bias and output in f32. The strategy
 * comes from the shape alone, as mk_conv2d_strategy decides:
 *  - one input channel per group (depthwise): conv.c's direct loops on the
 *    weights widened to f32, so the result is mk_conv2d's on the widened
 *    weights, bit for bit (input in f32, summed as conv.c does);
 *  - 1x1 kernel, stride 1, no padding: per image and group one product
 *    of the weights and the input planes;
 *  - anything else: one product (mk_hgemm_packed_columns) per image and
 *    group whose column operand is the im2col matrix, built by conv.c's
 *    mk_im2col_tap a few rows at a time straight into the product's
 *    packed panels (bf16 pairs on the dot path): no im2col matrix is
 *    stored, and the activations are read and rounded once. On the dot
 *    path, stride 1 with rows as wide as the input skips the row buffer
 *    too: each chunk of a pair row is one masked load from the input
 *    (mk_hconv_implicit_pairs), the same values.
 * Bias, when present, is added to each finished sum, as if written first and
 * accumulated onto (so without a pass over the output of its own).
 * Precision of the last two: hgemm.c's contract with k = in_c/groups *
 * kernel_h * kernel_w, the input as the activations (on the bf16 dot path
 * rounded to bf16; im2col's zero padding stays exact) and the bias as C0.
 * Results are bit-identical for any thread count.
 *
 * Weights: mk_hconv2d_pack_weights reorders them once (at model init) into
 * mk_hconv2d_pack_bytes(p) bytes for mk_hconv2d_packed: widened to f32 for
 * the depthwise strategy, else mk_hgemm_pack_a's panels group after group.
 * mk_hconv2d takes them as they are and packs them into scratch every call.
 *
 * Scratch: mk_hconv2d_scratch_bytes(kind, p) bytes for mk_hconv2d_packed,
 * 64-byte aligned: 0 for depthwise, else the product's,
 * mk_hgemm_scratch_bytes(kind, out_c/groups, out_h*out_w, K) (see hgemm.c
 * for its bound). mk_hconv2d needs mk_hconv2d_pack_bytes(p) bytes on top.
 */

/* Bytes of mk_hconv2d_pack_weights' output for this shape (either kind). */
MK_UNUSED static size_t mk_hconv2d_pack_bytes(const mk_conv2d_params *p)
{
    const int64_t ocg = p->out_channels / p->groups;
    const int64_t k = p->in_channels / p->groups * p->kernel_h * p->kernel_w;
    if (mk_conv2d_strategy(p) == MK_CONV_DIRECT) {
        return (size_t)mk_round_up(p->out_channels * k, 16) * sizeof(float);
    }
    return (size_t)p->groups * mk_hgemm_pack_a_bytes(ocg, k);
}

/* Packs weight (kind, layout above) for mk_hconv2d_packed into `packed`
 * (mk_hconv2d_pack_bytes(p) bytes, 64-byte aligned). */
MK_UNUSED static void mk_hconv2d_pack_weights(const mk_exec *ex, int kind, const mk_conv2d_params *p,
                                              const uint16_t *weight, void *packed)
{
    const int64_t ocg = p->out_channels / p->groups;
    const int64_t k = p->in_channels / p->groups * p->kernel_h * p->kernel_w;
    int64_t g;
    if (mk_conv2d_strategy(p) == MK_CONV_DIRECT) {
        mk_half_widen(kind, weight, p->out_channels * k, (float *)packed);
        return;
    }
    for (g = 0; g < p->groups; ++g) {
        mk_hgemm_pack_a(ex, kind, ocg, k, weight + g * ocg * k, k,
                        (unsigned char *)packed + (size_t)g * mk_hgemm_pack_a_bytes(ocg, k));
    }
}

/* Bytes of 64-byte aligned scratch mk_hconv2d_packed needs for this shape. */
MK_UNUSED static size_t mk_hconv2d_scratch_bytes(int kind, const mk_conv2d_params *p)
{
    if (mk_conv2d_strategy(p) == MK_CONV_DIRECT) {
        return 0;
    }
    return mk_hgemm_scratch_bytes(kind, p->out_channels / p->groups, p->out_h * p->out_w,
                                  p->in_channels / p->groups * p->kernel_h * p->kernel_w);
}

/* The im2col matrix of one image and group as the column operand of
 * mk_hgemm_packed_columns: rows built two at a time by conv.c's
 * mk_im2col_tap, straight into the product's panels. */
typedef struct mk_hconv_columns {
    const mk_conv2d_params *p;
    const float *input; /* first channel of the group, this image */
} mk_hconv_columns;

#if MK_HGEMM_BF16_DOT
/* Largest kernel height and width that mk_hconv_implicit_pairs takes. */
#define MK_HCONV_IMPLICIT_TAPS 16

/* Whether the bf16 dot path builds a stride-1 convolution's pair rows with
 * masked loads straight from the input (mk_hconv_implicit_pairs): rows as
 * wide as the input, so that tap (i, j) of pixel q reads index q +
 * (i*dh - pad_top)*in_w + j*dw - pad_left of its channel plane. */
MK_UNUSED static int mk_hconv_takes_implicit(const mk_conv2d_params *p)
{
    return p->stride_h == 1 && p->stride_w == 1 && p->out_w == p->in_w && p->kernel_h <= MK_HCONV_IMPLICIT_TAPS &&
           p->kernel_w <= MK_HCONV_IMPLICIT_TAPS;
}

/* The pair rows p0 .. p0 + kc - 1 of the im2col matrix, columns j0 .. j0 +
 * nt - 1, packed as mk_hgemm_pack_pairs_kn packs them (zero past kc and
 * nt), for a shape mk_hconv_takes_implicit takes: each 16-column chunk of
 * a row is one masked load, the mask the AND of the chunk's kernel-row and
 * kernel-column validity (taps outside the input read 0, as im2col writes
 * them). The values and their rounding are those of the im2col path. A
 * masked-off lane is never read, so the shifted address, formed as an
 * integer, may lie outside the plane. */
MK_UNUSED static void mk_hconv_implicit_pairs(const mk_conv2d_params *p, const float *input, int64_t p0, int64_t kc,
                                              int64_t j0, int64_t nt, int64_t stride, uint32_t *dst)
{
    enum { CHUNKS = MK_HGEMM_NC / 16 };
    const int64_t taps = p->kernel_h * p->kernel_w;
    const int64_t plane = p->in_h * p->in_w;
    const int64_t chunks = mk_div_up(mk_round_up(nt, MK_GEMM_NR), 16);
    uint32_t row_mask[MK_HCONV_IMPLICIT_TAPS][CHUNKS], col_mask[MK_HCONV_IMPLICIT_TAPS][CHUNKS];
    int64_t row_shift[MK_HCONV_IMPLICIT_TAPS], col_shift[MK_HCONV_IMPLICIT_TAPS];
    int64_t c = p0 / taps, kh = p0 % taps / p->kernel_w, kw = p0 % p->kernel_w;
    int64_t w, q, t;
    memset(row_mask, 0, sizeof(row_mask));
    memset(col_mask, 0, sizeof(col_mask));
    for (t = 0; t < p->kernel_h; ++t) {
        row_shift[t] = t * p->dilation_h - p->pad_top;
    }
    for (t = 0; t < p->kernel_w; ++t) {
        col_shift[t] = t * p->dilation_w - p->pad_left;
    }
    for (w = 0; w < chunks; ++w) {
        const int64_t first = j0 + w * 16;
        mk_tap_lane_masks(first, mk_max_i64(0, mk_min_i64(16, j0 + nt - first)), p->out_w, p->kernel_h, row_shift,
                          p->in_h, p->kernel_w, col_shift, p->in_w, &row_mask[0][w], &col_mask[0][w], CHUNKS);
    }
    for (q = 0; q < kc; q += 2) {
        uintptr_t src[2];
        const uint32_t *rows[2], *cols[2];
        int r;
        for (r = 0; r < 2; ++r) {
            src[r] = (uintptr_t)input + (uintptr_t)((intptr_t)sizeof(float) *
                                                    (intptr_t)(c * plane + row_shift[kh] * p->in_w + col_shift[kw] + j0));
            rows[r] = q + r < kc ? row_mask[kh] : NULL;
            cols[r] = col_mask[kw];
            if (q + r < kc && ++kw == p->kernel_w) {
                kw = 0;
                if (++kh == p->kernel_h) {
                    kh = 0;
                    ++c;
                }
            }
        }
        for (w = 0; w < chunks; ++w) {
            const uintptr_t at = (uintptr_t)w * 16u * sizeof(float);
            const __m512 r0 = _mm512_maskz_loadu_ps((__mmask16)(rows[0][w] & cols[0][w]), (const void *)(src[0] + at));
            const __m512 r1 = rows[1] != NULL
                                  ? _mm512_maskz_loadu_ps((__mmask16)(rows[1][w] & cols[1][w]), (const void *)(src[1] + at))
                                  : _mm512_setzero_ps();
            _mm512_storeu_si512(dst + (w * 16 / MK_GEMM_NR) * stride + (q / 2) * MK_GEMM_NR + (w * 16) % MK_GEMM_NR,
                                mk_hgemm_pair16(r0, r1));
        }
    }
}
#endif

MK_UNUSED static void mk_hconv_im2col_columns(const void *ctx, int dot, int64_t p0, int64_t kc, int64_t j0,
                                              int64_t nt, int64_t stride, void *dst)
{
    const mk_hconv_columns *cols = (const mk_hconv_columns *)ctx;
    const mk_conv2d_params *p = cols->p;
    const int64_t taps = p->kernel_h * p->kernel_w;
    float rows[2 * MK_HGEMM_NC];
    /* im2col row p0 + q is tap (kh, kw) of channel c; step them along. */
    int64_t c = p0 / taps, kh = p0 % taps / p->kernel_w, kw = p0 % p->kernel_w;
    int64_t q, r;
#if MK_HGEMM_BF16_DOT
    if (dot && mk_hconv_takes_implicit(p)) {
        mk_hconv_implicit_pairs(p, cols->input, p0, kc, j0, nt, stride, (uint32_t *)dst);
        return;
    }
#endif
    for (q = 0; q < kc; q += 2) {
        const int64_t count = mk_min_i64(2, kc - q);
        for (r = 0; r < count; ++r) {
            mk_im2col_tap(p, cols->input + c * p->in_h * p->in_w, kh, kw, j0, nt, rows + r * MK_HGEMM_NC);
            if (++kw == p->kernel_w) {
                kw = 0;
                if (++kh == p->kernel_h) {
                    kh = 0;
                    ++c;
                }
            }
        }
        mk_hgemm_pack_columns(dot, rows, MK_HGEMM_NC, q, count, nt, stride, dst);
    }
}

/* output = conv(input, weight) + bias (bias may be NULL), as mk_conv2d, with
 * the weights packed by mk_hconv2d_pack_weights. scratch:
 * mk_hconv2d_scratch_bytes(kind, p) bytes, 64-byte aligned. output must not
 * overlap input, the packed weights, bias or scratch. */
MK_UNUSED static void mk_hconv2d_packed(const mk_exec *ex, int kind, const mk_conv2d_params *p, const float *input,
                                        const void *packed_weight, const float *bias, float *output, void *scratch)
{
    const int64_t icg = p->in_channels / p->groups;
    const int64_t ocg = p->out_channels / p->groups;
    const int64_t in_plane = p->in_h * p->in_w;
    const int64_t out_plane = p->out_h * p->out_w;
    const int64_t k = icg * p->kernel_h * p->kernel_w;
    const size_t group_bytes = mk_hgemm_pack_a_bytes(ocg, k);
    const int strategy = mk_conv2d_strategy(p);
    int64_t b, g;
    if (strategy == MK_CONV_DIRECT) {
        mk_conv_direct_job job;
        job.p = p;
        job.input = input;
        job.weight = (const float *)packed_weight;
        job.bias = bias;
        job.output = output;
        mk_parallel(ex, (size_t)(p->batch * p->out_channels), mk_conv_direct_task, &job);
        return;
    }
    for (b = 0; b < p->batch; ++b) {
        for (g = 0; g < p->groups; ++g) {
            const float *in_g = input + (b * p->in_channels + g * icg) * in_plane;
            const void *w_g = (const unsigned char *)packed_weight + (size_t)g * group_bytes;
            const float *bias_g = bias != NULL ? bias + g * ocg : NULL;
            float *out_g = output + (b * p->out_channels + g * ocg) * out_plane;
            if (strategy == MK_CONV_POINTWISE) {
                mk_hgemm_matrix mat;
                mat.b = in_g;
                mat.ldb = in_plane;
                mk_hgemm_packed_columns(ex, kind, ocg, out_plane, icg, w_g, mk_hgemm_matrix_columns, &mat, bias_g,
                                        out_g, out_plane, scratch);
            } else {
                mk_hconv_columns cols;
                cols.p = p;
                cols.input = in_g;
                mk_hgemm_packed_columns(ex, kind, ocg, out_plane, k, w_g, mk_hconv_im2col_columns, &cols, bias_g,
                                        out_g, out_plane, scratch);
            }
        }
    }
}

/* As mk_hconv2d_packed with the weights as they are, packed into the first
 * mk_hconv2d_pack_bytes(p) bytes of scratch on every call; scratch: that
 * plus mk_hconv2d_scratch_bytes(kind, p) bytes. */
MK_UNUSED static void mk_hconv2d(const mk_exec *ex, int kind, const mk_conv2d_params *p, const float *input,
                                 const uint16_t *weight, const float *bias, float *output, void *scratch)
{
    const size_t packed_bytes = mk_hconv2d_pack_bytes(p);
    mk_hconv2d_pack_weights(ex, kind, p, weight, scratch);
    mk_hconv2d_packed(ex, kind, p, input, scratch, bias, output, (unsigned char *)scratch + packed_bytes);
}
