/*
 * modelc C runtime kernels -- NCHW fp32 pooling (needs prelude.c).
 *
 * mk_maxpool2d / mk_avgpool2d follow ONNX MaxPool / AveragePool: padded
 * cells never win a max; an average divides by the number of window cells
 * inside the input, or, with count_include_pad, inside the input plus its
 * pads. Windows reaching past the bottom/right edge (ceil_mode) are clipped.
 * mk_maxpool2d_u8 / mk_maxpool2d_s8 are MaxPool on 8-bit values (a QDQ
 * model's max pool runs on its quantized values); a window with no cell
 * inside the input gives the type's lowest value where f32 gives -inf.
 * mk_mean_rows is GlobalAveragePool / ReduceMean over the innermost axis.
 * Work is split over whole output planes / rows: results are bit-identical
 * for any thread count. in and out must not overlap.
 */

typedef struct mk_pool2d_params {
    int64_t batch, channels, in_h, in_w, out_h, out_w, kernel_h, kernel_w, stride_h, stride_w, pad_top, pad_left,
        dilation_h, dilation_w;
    int count_include_pad;
} mk_pool2d_params;

/* Element types of the pooled values. */
enum { MK_POOL_F32, MK_POOL_U8, MK_POOL_S8 };

typedef struct mk_pool_job {
    const mk_pool2d_params *p;
    const void *in;
    void *out;
    int is_max;
    int elem;                      /* MK_POOL_*; 8-bit ones only with is_max */
    int64_t pad_bottom, pad_right; /* only used for count_include_pad */
} mk_pool_job;

/* Number of taps t in [0, taps) with lo <= base + t * dilation < hi. */
MK_UNUSED static int64_t mk_pool_taps(int64_t base, int64_t dilation, int64_t taps, int64_t lo, int64_t hi)
{
    int64_t t, count = 0;
    for (t = 0; t < taps; ++t) {
        const int64_t pos = base + t * dilation;
        count += pos >= lo && pos < hi;
    }
    return count;
}

/* Kernel widths up to this have their per-column valid output ranges
 * tabulated once per task instead of recomputed (two divisions) per row. */
#define MK_POOL_RANGE_TAB 16

/* out[o] = max(out[o], v) (is_max) or out[o] += v, v = in_row[o * stride +
 * offset], for o in [lo, hi); strides 1 and 2 get constant-stride loops
 * that compilers vectorize. */
MK_UNUSED static void mk_pool_pass(float *MK_RESTRICT out, const float *MK_RESTRICT in_row, int64_t offset,
                                   int64_t stride, int64_t lo, int64_t hi, int is_max)
{
    int64_t o;
#define MK_POOL_LOOP(STRIDE)                                                                                    \
    if (is_max) {                                                                                               \
        for (o = lo; o < hi; ++o) {                                                                             \
            const float v = in_row[o * (STRIDE) + offset];                                                                  \
            out[o] = v > out[o] ? v : out[o];                                                                   \
        }                                                                                                       \
    } else {                                                                                                    \
        for (o = lo; o < hi; ++o) {                                                                             \
            out[o] += in_row[o * (STRIDE) + offset];                                                                        \
        }                                                                                                       \
    }
    if (stride == 1) {
        MK_POOL_LOOP(1)
    } else if (stride == 2) {
        MK_POOL_LOOP(2)
    } else {
        MK_POOL_LOOP(stride)
    }
#undef MK_POOL_LOOP
}

/* The 8-bit max of mk_pool_pass: out[o] = max(out[o], in_row[o * stride +
 * offset]) for o in [lo, hi), on uint8 (elem MK_POOL_U8) or int8 values. */
MK_UNUSED static void mk_maxpool8_pass(void *out, const void *in_row, int64_t offset, int64_t stride, int64_t lo,
                                       int64_t hi, int elem)
{
    int64_t o;
#if defined(__AVX512BW__) && defined(__AVX512VL__)
    if (stride <= 2) {
        /* 32 outputs at a time with masks, so the ragged end (56 = 32 + 24
         * columns in ResNet's pool) is vector work too. */
        unsigned char *MK_RESTRICT dst = (unsigned char *)out;
        const unsigned char *MK_RESTRICT src = (const unsigned char *)in_row;
        for (o = lo; o < hi; o += 32) {
            const int64_t count = mk_min_i64(32, hi - o);
            const __mmask32 keep = (__mmask32)(((uint64_t)1 << count) - 1u);
            const unsigned char *from = src + o * stride + offset;
            __m256i v, d;
            v = stride == 1 ? _mm256_maskz_loadu_epi8(keep, from) : mk_even_bytes(from, count);
            d = _mm256_maskz_loadu_epi8(keep, dst + o);
            d = elem == MK_POOL_U8 ? _mm256_max_epu8(d, v) : _mm256_max_epi8(d, v);
            _mm256_mask_storeu_epi8(dst + o, keep, d);
        }
        return;
    }
#endif
#define MK_MAXPOOL8_LOOP(TYPE, STRIDE)                                                    \
    {                                                                                     \
        TYPE *MK_RESTRICT dst = (TYPE *)out;                                              \
        const TYPE *MK_RESTRICT src = (const TYPE *)in_row;                               \
        for (o = lo; o < hi; ++o) {                                                       \
            const TYPE v = src[o * (STRIDE) + offset];                                    \
            dst[o] = v > dst[o] ? v : dst[o];                                             \
        }                                                                                 \
    }
#define MK_MAXPOOL8_STRIDES(TYPE)                                                         \
    if (stride == 1) {                                                                    \
        MK_MAXPOOL8_LOOP(TYPE, 1)                                                         \
    } else if (stride == 2) {                                                             \
        MK_MAXPOOL8_LOOP(TYPE, 2)                                                         \
    } else {                                                                              \
        MK_MAXPOOL8_LOOP(TYPE, stride)                                                    \
    }
    if (elem == MK_POOL_U8) {
        MK_MAXPOOL8_STRIDES(uint8_t)
    } else {
        MK_MAXPOOL8_STRIDES(int8_t)
    }
#undef MK_MAXPOOL8_STRIDES
#undef MK_MAXPOOL8_LOOP
}

/* Sets out_row[0..n) to where a pooled row starts: -inf (f32 max), 0 (sum,
 * and the lowest uint8) or -128 (the lowest int8). */
MK_UNUSED static void mk_pool_row_start(void *out_row, int64_t n, const mk_pool_job *job)
{
    int64_t o;
    if (job->elem == MK_POOL_F32) {
        float *row = (float *)out_row;
        for (o = 0; o < n; ++o) {
            row[o] = job->is_max ? -INFINITY : 0.0f;
        }
    } else {
        memset(out_row, job->elem == MK_POOL_U8 ? 0 : 0x80, (size_t)n);
    }
}

/* Input rows up to this width pool 8-bit values through a row of column
 * maxima on the stack (mk_maxpool8_plane). */
#define MK_POOL8_ROW 4096

/* One output plane of an 8-bit max pool (in_w <= MK_POOL8_ROW), separably:
 * per output row, the max of the window's valid input rows column by
 * column (contiguous loops that vectorize), then one pass per kernel
 * column over that row. A 3x3 window takes 3 + 3 passes instead of 9
 * strided ones. */
MK_UNUSED static void mk_maxpool8_plane(const mk_pool_job *job, const unsigned char *in_plane,
                                        unsigned char *out_plane)
{
    const mk_pool2d_params *p = job->p;
    const int tabulated = p->kernel_w <= MK_POOL_RANGE_TAB;
    unsigned char column_max[MK_POOL8_ROW];
    int64_t lo_tab[MK_POOL_RANGE_TAB], hi_tab[MK_POOL_RANGE_TAB];
    int64_t oh, kh, kw;
    for (kw = 0; tabulated && kw < p->kernel_w; ++kw) {
        mk_valid_range(kw * p->dilation_w - p->pad_left, p->stride_w, p->in_w, p->out_w, &lo_tab[kw], &hi_tab[kw]);
    }
    for (oh = 0; oh < p->out_h; ++oh) {
        unsigned char *out_row = out_plane + oh * p->out_w;
        const int64_t ih0 = oh * p->stride_h - p->pad_top;
        mk_pool_row_start(column_max, p->in_w, job);
        for (kh = 0; kh < p->kernel_h; ++kh) {
            const int64_t ih = ih0 + kh * p->dilation_h;
            if (ih >= 0 && ih < p->in_h) {
                mk_maxpool8_pass(column_max, in_plane + ih * p->in_w, 0, 1, 0, p->in_w, job->elem);
            }
        }
        mk_pool_row_start(out_row, p->out_w, job);
        for (kw = 0; kw < p->kernel_w; ++kw) {
            const int64_t offset = kw * p->dilation_w - p->pad_left;
            int64_t lo, hi;
            if (tabulated) {
                lo = lo_tab[kw];
                hi = hi_tab[kw];
            } else {
                mk_valid_range(offset, p->stride_w, p->in_w, p->out_w, &lo, &hi);
            }
            mk_maxpool8_pass(out_row, column_max, offset, p->stride_w, lo, hi, job->elem);
        }
    }
}

/* Task body: pools output plane `index` = (image, channel). Each output row
 * starts at -inf (max) or 0 (sum) and takes one vectorizable pass per
 * window tap, over the columns where that tap lies inside the input. */
MK_UNUSED static void mk_pool_task(void *ctx, size_t index)
{
    const mk_pool_job *job = (const mk_pool_job *)ctx;
    const mk_pool2d_params *p = job->p;
    const size_t es = job->elem == MK_POOL_F32 ? sizeof(float) : 1;
    const unsigned char *in_plane = (const unsigned char *)job->in + (size_t)index * p->in_h * p->in_w * es;
    unsigned char *out_plane = (unsigned char *)job->out + (size_t)index * p->out_h * p->out_w * es;
    const int64_t sw = p->stride_w;
    const int tabulated = p->kernel_w <= MK_POOL_RANGE_TAB;
    int64_t lo_tab[MK_POOL_RANGE_TAB], hi_tab[MK_POOL_RANGE_TAB];
    int64_t oh, ow, kh, kw;
    if (job->elem != MK_POOL_F32 && p->in_w <= MK_POOL8_ROW) {
        mk_maxpool8_plane(job, in_plane, out_plane);
        return;
    }
    for (kw = 0; tabulated && kw < p->kernel_w; ++kw) {
        mk_valid_range(kw * p->dilation_w - p->pad_left, sw, p->in_w, p->out_w, &lo_tab[kw], &hi_tab[kw]);
    }
    for (oh = 0; oh < p->out_h; ++oh) {
        unsigned char *out_row = out_plane + (size_t)(oh * p->out_w) * es;
        const int64_t ih0 = oh * p->stride_h - p->pad_top;
        mk_pool_row_start(out_row, p->out_w, job);
        for (kh = 0; kh < p->kernel_h; ++kh) {
            const int64_t ih = ih0 + kh * p->dilation_h;
            const unsigned char *in_row;
            if (ih < 0 || ih >= p->in_h) {
                continue;
            }
            in_row = in_plane + (size_t)(ih * p->in_w) * es;
            for (kw = 0; kw < p->kernel_w; ++kw) {
                const int64_t offset = kw * p->dilation_w - p->pad_left;
                int64_t lo, hi;
                if (tabulated) {
                    lo = lo_tab[kw];
                    hi = hi_tab[kw];
                } else {
                    mk_valid_range(offset, sw, p->in_w, p->out_w, &lo, &hi);
                }
                if (job->elem == MK_POOL_F32) {
                    mk_pool_pass((float *)out_row, (const float *)in_row, offset, sw, lo, hi, job->is_max);
                } else {
                    mk_maxpool8_pass(out_row, in_row, offset, sw, lo, hi, job->elem);
                }
            }
        }
        if (!job->is_max) {
            float *MK_RESTRICT sums = (float *)out_row;
            const int64_t h_lo = p->count_include_pad ? -p->pad_top : 0;
            const int64_t h_hi = p->count_include_pad ? p->in_h + job->pad_bottom : p->in_h;
            const int64_t w_lo = p->count_include_pad ? -p->pad_left : 0;
            const int64_t w_hi = p->count_include_pad ? p->in_w + job->pad_right : p->in_w;
            const int64_t rows = mk_pool_taps(ih0, p->dilation_h, p->kernel_h, h_lo, h_hi);
            const int64_t span = (p->kernel_w - 1) * p->dilation_w;
            for (ow = 0; ow < p->out_w; ++ow) {
                const int64_t base = ow * sw - p->pad_left;
                const int64_t cols = base >= w_lo && base + span < w_hi
                                         ? p->kernel_w
                                         : mk_pool_taps(base, p->dilation_w, p->kernel_w, w_lo, w_hi);
                sums[ow] = rows * cols > 0 ? sums[ow] / (float)(rows * cols) : 0.0f;
            }
        }
    }
}

/* Extra rows (columns) below (right of) the input that the last window of a
 * floor-mode pooling with these parameters reaches: the implied pad. */
MK_UNUSED static int64_t mk_pool_implied_pad(int64_t in_len, int64_t out_len, int64_t kernel, int64_t stride,
                                             int64_t dilation, int64_t pad_begin)
{
    return mk_max_i64(0, (out_len - 1) * stride + (kernel - 1) * dilation + 1 - pad_begin - in_len);
}

/* The max pool of `elem` values, for the typed entry points below. */
MK_UNUSED static void mk_maxpool2d_of(const mk_exec *ex, const mk_pool2d_params *p, int elem, const void *in,
                                      void *out)
{
    mk_pool_job job;
    job.p = p;
    job.in = in;
    job.out = out;
    job.is_max = 1;
    job.elem = elem;
    job.pad_bottom = 0;
    job.pad_right = 0;
    mk_parallel(ex, (size_t)(p->batch * p->channels), mk_pool_task, &job);
}

/* out[b][c][oh][ow] = max over the window cells inside the input (-inf for
 * a window with none). */
MK_UNUSED static void mk_maxpool2d(const mk_exec *ex, const mk_pool2d_params *p, const float *in, float *out)
{
    mk_maxpool2d_of(ex, p, MK_POOL_F32, in, out);
}

/* The same windows on uint8 values (0 for a window with no cell inside). */
MK_UNUSED static void mk_maxpool2d_u8(const mk_exec *ex, const mk_pool2d_params *p, const uint8_t *in, uint8_t *out)
{
    mk_maxpool2d_of(ex, p, MK_POOL_U8, in, out);
}

/* The same windows on int8 values (-128 for a window with no cell inside). */
MK_UNUSED static void mk_maxpool2d_s8(const mk_exec *ex, const mk_pool2d_params *p, const int8_t *in, int8_t *out)
{
    mk_maxpool2d_of(ex, p, MK_POOL_S8, in, out);
}

/* Average pooling with explicit bottom/right pads: with count_include_pad
 * the divisor counts window cells inside [-pad_top, in_h + pad_bottom) x
 * [-pad_left, in_w + pad_right), so cells that only a ceil_mode window
 * reaches are never counted; without it, cells inside the input. */
MK_UNUSED static void mk_avgpool2d_pads(const mk_exec *ex, const mk_pool2d_params *p, int64_t pad_bottom,
                                        int64_t pad_right, const float *in, float *out)
{
    mk_pool_job job;
    job.p = p;
    job.in = in;
    job.out = out;
    job.is_max = 0;
    job.elem = MK_POOL_F32;
    job.pad_bottom = pad_bottom;
    job.pad_right = pad_right;
    mk_parallel(ex, (size_t)(p->batch * p->channels), mk_pool_task, &job);
}

/* Average pooling whose bottom/right pads are implied by out_h/out_w (as
 * for mk_conv2d): exact ONNX semantics except for count_include_pad with a
 * ceil_mode window that overhangs the real pads; use mk_avgpool2d_pads
 * then. */
MK_UNUSED static void mk_avgpool2d(const mk_exec *ex, const mk_pool2d_params *p, const float *in, float *out)
{
    mk_avgpool2d_pads(ex, p, mk_pool_implied_pad(p->in_h, p->out_h, p->kernel_h, p->stride_h, p->dilation_h, p->pad_top),
                      mk_pool_implied_pad(p->in_w, p->out_w, p->kernel_w, p->stride_w, p->dilation_w, p->pad_left), in,
                      out);
}

typedef struct mk_mean_rows_job {
    int64_t rows, cols, rows_per_task;
    const float *in;
    float *out;
} mk_mean_rows_job;

/* Task body: means of rows [index * rows_per_task, ...). */
MK_UNUSED static void mk_mean_rows_task(void *ctx, size_t index)
{
    const mk_mean_rows_job *job = (const mk_mean_rows_job *)ctx;
    const int64_t first = (int64_t)index * job->rows_per_task;
    const int64_t last = mk_min_i64(job->rows, first + job->rows_per_task);
    int64_t r;
    for (r = first; r < last; ++r) {
        job->out[r] = mk_sum_f32(job->in + r * job->cols, job->cols) / (float)job->cols;
    }
}

/* out[r] = mean(in[r][0..cols)) for r < rows (cols >= 1). */
MK_UNUSED static void mk_mean_rows(const mk_exec *ex, int64_t rows, int64_t cols, const float *in, float *out)
{
    mk_mean_rows_job job;
    if (rows <= 0) {
        return;
    }
    job.rows = rows;
    job.cols = cols;
    job.rows_per_task = mk_max_i64(1, 16384 / mk_max_i64(cols, 1));
    job.in = in;
    job.out = out;
    mk_parallel(ex, (size_t)mk_div_up(rows, job.rows_per_task), mk_mean_rows_task, &job);
}
