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
 *  - 1x1 kernel, stride 1, no padding: per image and group one
 *    mk_hgemm_packed of the weights and the input planes;
 *  - anything else: conv.c's im2col tiles, each multiplied by
 *    mk_hgemm_packed.
 * Bias, when present, is written first and the product accumulates onto it.
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
 * 64-byte aligned: 0 for depthwise, the product's for pointwise, otherwise
 * one im2col tile (at most max(MK_CONV_COL_BYTES, 4*K*MK_GEMM_NR) + 64 bytes,
 * see conv.c) plus the product's (at most MK_SGEMM_SCRATCH_BOUND).
 * mk_hconv2d needs mk_hconv2d_pack_bytes(p) bytes on top.
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
    const int64_t ocg = p->out_channels / p->groups;
    switch (mk_conv2d_strategy(p)) {
    case MK_CONV_DIRECT:
        return 0;
    case MK_CONV_POINTWISE:
        return mk_hgemm_scratch_bytes(kind, ocg, p->in_h * p->in_w, p->in_channels / p->groups);
    default: {
        mk_conv_tiling t;
        size_t full, last;
        mk_conv_make_tiling(p, &t);
        full = mk_hgemm_scratch_bytes(kind, ocg, t.width, t.k);
        last = mk_hgemm_scratch_bytes(kind, ocg, t.pixels - (t.tiles - 1) * t.width, t.k);
        return t.col_bytes + (full > last ? full : last);
    }
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
                mk_conv_fill_bias(bias_g, ocg, out_plane, out_g, out_plane);
                mk_hgemm_packed(ex, kind, ocg, out_plane, icg, w_g, in_g, in_plane, out_g, out_plane, bias_g != NULL,
                                scratch);
            } else {
                mk_conv_tiling t;
                mk_im2col_job job;
                int64_t tile;
                mk_conv_make_tiling(p, &t);
                job.p = p;
                job.input = in_g;
                job.k = t.k;
                job.col = (float *)scratch;
                for (tile = 0; tile < t.tiles; ++tile) {
                    job.first_pixel = tile * t.width;
                    job.width = mk_min_i64(t.width, t.pixels - job.first_pixel);
                    mk_parallel(ex, (size_t)mk_div_up(t.k, MK_CONV_ROWS_PER_TASK), mk_im2col_task, &job);
                    mk_conv_fill_bias(bias_g, ocg, job.width, out_g + job.first_pixel, out_plane);
                    mk_hgemm_packed(ex, kind, ocg, job.width, t.k, w_g, job.col, job.width, out_g + job.first_pixel,
                                    out_plane, bias_g != NULL, (unsigned char *)scratch + t.col_bytes);
                }
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
