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
 *    stored, and the activations are read and rounded once.
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
