/*
 * modelc C runtime kernels -- NCHW fp32 2-D convolution (needs prelude.c
 * and gemm.c).
 *
 * Three strategies, chosen from the shape alone:
 *  - one input channel per group (depthwise, any channel multiplier):
 *    a direct loop over output rows, vectorizable along the row;
 *  - 1x1 kernel, stride 1, no padding: per image and group one GEMM
 *    weight[oc][ic] x input[ic][h*w];
 *  - anything else: im2col of a tile of output pixels into scratch followed
 *    by a GEMM, tile by tile, so the scratch stays bounded
 *    (MK_CONV_COL_BYTES, predefinable).
 * Bias, when present, is written first and the GEMM accumulates onto it.
 * Results are bit-identical for any thread count.
 */

/* Target size (bytes) of one im2col tile. A tile is never narrower than
 * MK_GEMM_NR output pixels, so with K = in_c/groups*kh*kw the scratch is at
 * most max(MK_CONV_COL_BYTES, 4*K*MK_GEMM_NR) + 64 bytes for the tile plus
 * the GEMM's share (see gemm.c), about 3-4 MiB for resnet50 on AVX-512. */
#ifndef MK_CONV_COL_BYTES
#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__)) || (defined(__ARM_NEON) && defined(__aarch64__))
#define MK_CONV_COL_BYTES ((size_t)2 << 20)
#else
#define MK_CONV_COL_BYTES ((size_t)64 << 10)
#endif
#endif

/* im2col rows filled per parallel task. */
#define MK_CONV_ROWS_PER_TASK 16

typedef struct mk_conv2d_params {
    int64_t batch, in_channels, in_h, in_w, out_channels, out_h, out_w, kernel_h, kernel_w, stride_h, stride_w,
        pad_top, pad_left, dilation_h, dilation_w, groups;
} mk_conv2d_params;

enum { MK_CONV_DIRECT = 0, MK_CONV_POINTWISE = 1, MK_CONV_IM2COL = 2 };

/* Which strategy (MK_CONV_*) a shape takes; depends on the shape only. */
MK_UNUSED static int mk_conv2d_strategy(const mk_conv2d_params *p)
{
    return MK_CONV_SHAPE_STRATEGY(p);
}

/* Cuts the output pixels into near-equal tiles whose im2col buffer stays
 * within MK_CONV_COL_BYTES (but at least MK_GEMM_NR pixels wide). */
MK_UNUSED static void mk_conv_make_tiling(const mk_conv2d_params *p, mk_im2col_tiling *t)
{
    mk_im2col_make_tiling(p->in_channels / p->groups * p->kernel_h * p->kernel_w, p->out_h * p->out_w, sizeof(float),
                          MK_CONV_COL_BYTES, MK_GEMM_NR, t);
}

/* Bytes of 64-byte aligned scratch mk_conv2d needs for this shape. */
MK_UNUSED static size_t mk_conv2d_scratch_bytes(const mk_conv2d_params *p)
{
    const int64_t ocg = p->out_channels / p->groups;
    switch (mk_conv2d_strategy(p)) {
    case MK_CONV_DIRECT:
        return 0;
    case MK_CONV_POINTWISE:
        return mk_sgemm_scratch_bytes(ocg, p->in_h * p->in_w, p->in_channels / p->groups);
    default: {
        mk_im2col_tiling t;
        size_t full, last;
        mk_conv_make_tiling(p, &t);
        full = mk_sgemm_scratch_bytes(ocg, t.width, t.k);
        last = mk_sgemm_scratch_bytes(ocg, t.pixels - (t.tiles - 1) * t.width, t.k);
        return t.col_bytes + (full > last ? full : last);
    }
    }
}

/* ---- direct (one input channel per group) ---- */

typedef struct mk_conv_direct_job {
    const mk_conv2d_params *p;
    const float *input, *weight, *bias;
    float *output;
} mk_conv_direct_job;

/* Output columns one direct-convolution block accumulates at once. */
#define MK_CONV_DIRECT_BLOCK 16

/* One output of the direct convolution, every tap bounds-checked; sums
 * init, then the taps in (kh, kw) order. */
MK_UNUSED static float mk_conv_direct_point(const mk_conv2d_params *p, const float *in_plane, const float *w,
                                            float init, int64_t oh, int64_t ow)
{
    float sum = init;
    int64_t kh, kw;
    for (kh = 0; kh < p->kernel_h; ++kh) {
        const int64_t ih = oh * p->stride_h - p->pad_top + kh * p->dilation_h;
        if (ih < 0 || ih >= p->in_h) {
            continue;
        }
        for (kw = 0; kw < p->kernel_w; ++kw) {
            const int64_t iw = ow * p->stride_w - p->pad_left + kw * p->dilation_w;
            if (iw >= 0 && iw < p->in_w) {
                sum += w[kh * p->kernel_w + kw] * in_plane[ih * p->in_w + iw];
            }
        }
    }
    return sum;
}

/* Outputs [ow, ow + count) of row oh (count <= MK_CONV_DIRECT_BLOCK), all of
 * whose horizontal taps lie inside the input; same summation order as
 * mk_conv_direct_point. */
MK_UNUSED static void mk_conv_direct_block(const mk_conv2d_params *p, const float *in_plane, const float *w,
                                           float init, int64_t oh, int64_t ow, int64_t count, float *out)
{
    const int64_t sw = p->stride_w;
    float acc[MK_CONV_DIRECT_BLOCK];
    int64_t kh, kw, l;
    for (l = 0; l < count; ++l) {
        acc[l] = init;
    }
    for (kh = 0; kh < p->kernel_h; ++kh) {
        const int64_t ih = oh * p->stride_h - p->pad_top + kh * p->dilation_h;
        if (ih < 0 || ih >= p->in_h) {
            continue;
        }
        for (kw = 0; kw < p->kernel_w; ++kw) {
            const float wv = w[kh * p->kernel_w + kw];
            const float *src = in_plane + ih * p->in_w + ow * sw + kw * p->dilation_w - p->pad_left;
            for (l = 0; l < count; ++l) {
                acc[l] += wv * src[l * sw];
            }
        }
    }
    for (l = 0; l < count; ++l) {
        out[l] = acc[l];
    }
}

/* mk_conv_direct_block for a full block with stride_w == 1 (SW == 1) or
 * stride_w == 2 (SW == 2): a fixed-length inner loop with a constant stride,
 * which compilers vectorize keeping acc in registers. */
#define MK_CONV_DIRECT_BLOCK_FIXED(name, SW)                                                                     \
    MK_UNUSED static void name(const mk_conv2d_params *p, const float *in_plane, const float *w, float init,     \
                               int64_t oh, int64_t ow, float *out)                                              \
    {                                                                                                            \
        float acc[MK_CONV_DIRECT_BLOCK];                                                                         \
        int64_t kh, kw;                                                                                          \
        int l;                                                                                                   \
        for (l = 0; l < MK_CONV_DIRECT_BLOCK; ++l) {                                                             \
            acc[l] = init;                                                                                       \
        }                                                                                                        \
        for (kh = 0; kh < p->kernel_h; ++kh) {                                                                   \
            const int64_t ih = oh * p->stride_h - p->pad_top + kh * p->dilation_h;                               \
            if (ih < 0 || ih >= p->in_h) {                                                                       \
                continue;                                                                                        \
            }                                                                                                    \
            for (kw = 0; kw < p->kernel_w; ++kw) {                                                               \
                const float wv = w[kh * p->kernel_w + kw];                                                       \
                const float *src = in_plane + ih * p->in_w + ow * (SW) + kw * p->dilation_w - p->pad_left;       \
                for (l = 0; l < MK_CONV_DIRECT_BLOCK; ++l) {                                                     \
                    acc[l] += wv * src[(SW) * l];                                                                \
                }                                                                                                \
            }                                                                                                    \
        }                                                                                                        \
        for (l = 0; l < MK_CONV_DIRECT_BLOCK; ++l) {                                                             \
            out[l] = acc[l];                                                                                     \
        }                                                                                                        \
    }
MK_CONV_DIRECT_BLOCK_FIXED(mk_conv_direct_block_s1, 1)
MK_CONV_DIRECT_BLOCK_FIXED(mk_conv_direct_block_s2, 2)
#undef MK_CONV_DIRECT_BLOCK_FIXED

/* Task body: output plane `index` = (image, output channel). Columns whose
 * horizontal taps all lie inside the input go through register blocks; the
 * few border columns are computed point by point. */
MK_UNUSED static void mk_conv_direct_task(void *ctx, size_t index)
{
    const mk_conv_direct_job *job = (const mk_conv_direct_job *)ctx;
    const mk_conv2d_params *p = job->p;
    const int64_t oc = (int64_t)index % p->out_channels;
    const int64_t b = (int64_t)index / p->out_channels;
    const int64_t ic = oc / (p->out_channels / p->groups);
    const float *in_plane = job->input + (b * p->in_channels + ic) * p->in_h * p->in_w;
    const float *w = job->weight + oc * p->kernel_h * p->kernel_w;
    const float init = job->bias != NULL ? job->bias[oc] : 0.0f;
    float *out_plane = job->output + (int64_t)index * p->out_h * p->out_w;
    int64_t inner_lo, inner_hi, first_hi, last_lo, oh, ow;
    /* Interior: the first tap (kw = 0) and the last tap are both inside. */
    mk_valid_range(-p->pad_left, p->stride_w, p->in_w, p->out_w, &inner_lo, &first_hi);
    mk_valid_range((p->kernel_w - 1) * p->dilation_w - p->pad_left, p->stride_w, p->in_w, p->out_w, &last_lo,
                   &inner_hi);
    inner_hi = mk_max_i64(inner_lo, mk_min_i64(inner_hi, first_hi));
    for (oh = 0; oh < p->out_h; ++oh) {
        float *out_row = out_plane + oh * p->out_w;
        for (ow = 0; ow < inner_lo; ++ow) {
            out_row[ow] = mk_conv_direct_point(p, in_plane, w, init, oh, ow);
        }
        for (; ow < inner_hi; ow += MK_CONV_DIRECT_BLOCK) {
            /* A short last block is shifted left to end at inner_hi when the
             * interior is wide enough; overlapped columns get recomputed with
             * the very same operations. */
            const int64_t start = inner_hi - ow >= MK_CONV_DIRECT_BLOCK || inner_hi - inner_lo < MK_CONV_DIRECT_BLOCK
                                      ? ow
                                      : inner_hi - MK_CONV_DIRECT_BLOCK;
            const int64_t count = mk_min_i64(MK_CONV_DIRECT_BLOCK, inner_hi - start);
            if (count == MK_CONV_DIRECT_BLOCK && p->stride_w == 1) {
                mk_conv_direct_block_s1(p, in_plane, w, init, oh, start, out_row + start);
            } else if (count == MK_CONV_DIRECT_BLOCK && p->stride_w == 2) {
                mk_conv_direct_block_s2(p, in_plane, w, init, oh, start, out_row + start);
            } else {
                mk_conv_direct_block(p, in_plane, w, init, oh, start, count, out_row + start);
            }
        }
        for (ow = inner_hi; ow < p->out_w; ++ow) {
            out_row[ow] = mk_conv_direct_point(p, in_plane, w, init, oh, ow);
        }
    }
}

/* ---- im2col ---- */

typedef struct mk_im2col_job {
    const mk_conv2d_params *p;
    const float *input; /* first channel of the group, this image */
    int64_t k, first_pixel, width;
    float *col;         /* k rows of `width` floats */
} mk_im2col_job;

/* Writes the im2col row of tap (kh, kw) of one input channel plane for
 * output pixels [first, first + count) to dst[0, count). */
MK_UNUSED static void mk_im2col_tap(const mk_conv2d_params *p, const float *in_plane, int64_t kh, int64_t kw,
                                    int64_t first, int64_t count, float *dst)
{
    const int64_t offset = kw * p->dilation_w - p->pad_left;
    const int64_t end = first + count;
    int64_t q = first;
    int64_t oh, ow0, lo, hi;
    if (p->stride_h == 1 && p->stride_w == 1 && p->in_w == p->out_w) {
        /* Consecutive output rows read consecutive input rows of the same
         * width: the segment is the plane shifted by `shift`, with the taps
         * that fall outside it or outside their row zeroed. One copy where
         * rows are short, and no division but one. */
        const int64_t width = p->out_w;
        const int64_t row_shift = kh * p->dilation_h - p->pad_top;
        const int64_t shift = row_shift * width + offset;
        const int64_t plane = p->in_h * p->in_w;
        const int64_t rows_lo = mk_min_i64(end, mk_max_i64(first, -row_shift * width));
        const int64_t rows_hi = mk_min_i64(end, mk_max_i64(rows_lo, (p->in_h - row_shift) * width));
        const int64_t copy_lo = mk_min_i64(rows_hi, mk_max_i64(rows_lo, -shift));
        const int64_t copy_hi = mk_max_i64(copy_lo, mk_min_i64(rows_hi, plane - shift));
        lo = mk_min_i64(width, mk_max_i64(0, -offset)); /* mk_valid_range with stride 1 */
        hi = mk_max_i64(lo, mk_min_i64(width, p->in_w - offset));
        for (q = first; q < copy_lo; ++q) {
            dst[q - first] = 0.0f;
        }
        if (copy_hi > copy_lo) {
            memcpy(dst + (copy_lo - first), in_plane + copy_lo + shift, sizeof(float) * (size_t)(copy_hi - copy_lo));
        }
        for (q = copy_hi; q < end; ++q) {
            dst[q - first] = 0.0f;
        }
        if (lo == 0 && hi == width) {
            return;
        }
        for (oh = rows_lo / width; oh * width < rows_hi; ++oh) {
            const int64_t row_begin = mk_max_i64(rows_lo, oh * width);
            const int64_t row_end = mk_min_i64(rows_hi, oh * width + width);
            for (q = row_begin; q < mk_min_i64(row_end, oh * width + lo); ++q) {
                dst[q - first] = 0.0f;
            }
            for (q = mk_max_i64(row_begin, oh * width + hi); q < row_end; ++q) {
                dst[q - first] = 0.0f;
            }
        }
        return;
    }
    mk_valid_range(offset, p->stride_w, p->in_w, p->out_w, &lo, &hi);
    oh = first / p->out_w;
    ow0 = first % p->out_w;
    while (q < end) {
        const int64_t ow1 = mk_min_i64(p->out_w, ow0 + (end - q));
        const int64_t ih = oh * p->stride_h - p->pad_top + kh * p->dilation_h;
        const int64_t n = ow1 - ow0;
        if (ih < 0 || ih >= p->in_h) {
            memset(dst, 0, sizeof(float) * (size_t)n);
        } else {
            const float *in_row = in_plane + ih * p->in_w;
            const int64_t a = mk_max_i64(ow0, mk_min_i64(lo, ow1));
            const int64_t z = mk_max_i64(a, mk_min_i64(hi, ow1));
            int64_t ow;
            for (ow = ow0; ow < a; ++ow) {
                dst[ow - ow0] = 0.0f;
            }
            if (p->stride_w == 1) {
                if (z > a) {
                    memcpy(dst + (a - ow0), in_row + a + offset, sizeof(float) * (size_t)(z - a));
                }
            } else if (p->stride_w == 2) { /* a constant stride vectorizes */
                for (ow = a; ow < z; ++ow) {
                    dst[ow - ow0] = in_row[2 * ow + offset];
                }
            } else {
                for (ow = a; ow < z; ++ow) {
                    dst[ow - ow0] = in_row[ow * p->stride_w + offset];
                }
            }
            for (ow = z; ow < ow1; ++ow) {
                dst[ow - ow0] = 0.0f;
            }
        }
        dst += n;
        q += n;
        ++oh;
        ow0 = 0;
    }
}

/* Writes im2col row `row` = (channel, kh, kw) of `input` (the first channel
 * of the group, this image) for output pixels [first, first + count) to
 * dst[0, count). */
MK_UNUSED static void mk_im2col_segment(const mk_conv2d_params *p, const float *input, int64_t row, int64_t first,
                                        int64_t count, float *dst)
{
    const int64_t kw = row % p->kernel_w;
    const int64_t kh = row / p->kernel_w % p->kernel_h;
    const int64_t c = row / (p->kernel_w * p->kernel_h);
    mk_im2col_tap(p, input + c * p->in_h * p->in_w, kh, kw, first, count, dst);
}

/* Fills col row `row` = (channel, kh, kw) for pixels [first, first+width). */
MK_UNUSED static void mk_im2col_row(const mk_im2col_job *job, int64_t row)
{
    mk_im2col_segment(job->p, job->input, row, job->first_pixel, job->width, job->col + row * job->width);
}

/* Task body: im2col rows [index*R, index*R + R). */
MK_UNUSED static void mk_im2col_task(void *ctx, size_t index)
{
    const mk_im2col_job *job = (const mk_im2col_job *)ctx;
    const int64_t first = (int64_t)index * MK_CONV_ROWS_PER_TASK;
    const int64_t last = mk_min_i64(job->k, first + MK_CONV_ROWS_PER_TASK);
    int64_t row;
    for (row = first; row < last; ++row) {
        mk_im2col_row(job, row);
    }
}

/* Writes bias[r] (or nothing when bias is NULL) into rows x cols of out. */
MK_UNUSED static void mk_conv_fill_bias(const float *bias, int64_t rows, int64_t cols, float *out, int64_t ld)
{
    int64_t r, j;
    if (bias == NULL) {
        return;
    }
    for (r = 0; r < rows; ++r) {
        for (j = 0; j < cols; ++j) {
            out[r * ld + j] = bias[r];
        }
    }
}

/* output[batch][out_c][out_h][out_w] = conv(input[batch][in_c][in_h][in_w],
 * weight[out_c][in_c/groups][kernel_h][kernel_w]) + bias[out_c] (bias may be
 * NULL). Padding is pad_top/pad_left; bottom/right padding is whatever
 * out_h/out_w imply. scratch: mk_conv2d_scratch_bytes(p) bytes, 64-byte
 * aligned. output must not overlap input, weight, bias or scratch. */
MK_UNUSED static void mk_conv2d(const mk_exec *ex, const mk_conv2d_params *p, const float *input, const float *weight,
                                const float *bias, float *output, void *scratch)
{
    const int64_t icg = p->in_channels / p->groups;
    const int64_t ocg = p->out_channels / p->groups;
    const int64_t in_plane = p->in_h * p->in_w;
    const int64_t out_plane = p->out_h * p->out_w;
    const int strategy = mk_conv2d_strategy(p);
    int64_t b, g;
    if (strategy == MK_CONV_DIRECT) {
        mk_conv_direct_job job;
        job.p = p;
        job.input = input;
        job.weight = weight;
        job.bias = bias;
        job.output = output;
        mk_parallel(ex, (size_t)(p->batch * p->out_channels), mk_conv_direct_task, &job);
        return;
    }
    for (b = 0; b < p->batch; ++b) {
        for (g = 0; g < p->groups; ++g) {
            const float *in_g = input + (b * p->in_channels + g * icg) * in_plane;
            const float *w_g = weight + g * ocg * icg * p->kernel_h * p->kernel_w;
            const float *bias_g = bias != NULL ? bias + g * ocg : NULL;
            float *out_g = output + (b * p->out_channels + g * ocg) * out_plane;
            if (strategy == MK_CONV_POINTWISE) {
                mk_conv_fill_bias(bias_g, ocg, out_plane, out_g, out_plane);
                mk_sgemm(ex, ocg, out_plane, icg, w_g, icg, 0, in_g, in_plane, 0, out_g, out_plane, bias_g != NULL,
                         scratch);
            } else {
                mk_im2col_tiling t;
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
                    mk_sgemm(ex, ocg, job.width, t.k, w_g, t.k, 0, job.col, job.width, 0, out_g + job.first_pixel,
                             out_plane, bias_g != NULL, (unsigned char *)scratch + t.col_bytes);
                }
            }
        }
    }
}
