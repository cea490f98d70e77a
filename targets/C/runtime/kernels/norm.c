/*
 * modelc C runtime kernels -- normalisations (needs prelude.c).
 *
 * mk_softmax: numerically stable softmax along the middle axis of an
 * [outer, axis_len, inner] view (inner == 1 is the usual last-axis case).
 * mk_layernorm: per-row (x - mean) / sqrt(var + eps) * scale + bias with the
 * population variance, computed in two passes.
 * Work is split over whole rows / column groups, never inside a reduction:
 * results are bit-identical for any thread count. in and out must not
 * overlap.
 */

/* Rough number of elements per parallel task (whole rows), and the inner
 * positions one middle-axis softmax task handles. */
#define MK_NORM_TASK_ELEMS 16384
#define MK_SOFTMAX_COLS 64

typedef struct mk_softmax_job {
    int64_t outer, axis_len, inner, rows_per_task;
    const float *in;
    float *out;
} mk_softmax_job;

/* Softmax of one contiguous row of n values. */
MK_UNUSED static void mk_softmax_row(const float *MK_RESTRICT x, int64_t n, float *MK_RESTRICT y)
{
    float lanes[16];
    float max_v, inv;
    int64_t i = 0;
    int l;
    for (l = 0; l < 16; ++l) {
        lanes[l] = x[0];
    }
    for (; i + 16 <= n; i += 16) {
        for (l = 0; l < 16; ++l) {
            lanes[l] = x[i + l] > lanes[l] ? x[i + l] : lanes[l];
        }
    }
    max_v = lanes[0];
    for (l = 1; l < 16; ++l) {
        max_v = lanes[l] > max_v ? lanes[l] : max_v;
    }
    for (; i < n; ++i) {
        max_v = x[i] > max_v ? x[i] : max_v;
    }
    for (i = 0; i < n; ++i) {
        y[i] = mk_expf(x[i] - max_v);
    }
    inv = 1.0f / mk_sum_f32(y, n);
    for (i = 0; i < n; ++i) {
        y[i] *= inv;
    }
}

/* Task body, inner == 1: rows [index * rows_per_task, ...). */
MK_UNUSED static void mk_softmax_rows_task(void *ctx, size_t index)
{
    const mk_softmax_job *job = (const mk_softmax_job *)ctx;
    const int64_t first = (int64_t)index * job->rows_per_task;
    const int64_t last = mk_min_i64(job->outer, first + job->rows_per_task);
    int64_t r;
    for (r = first; r < last; ++r) {
        mk_softmax_row(job->in + r * job->axis_len, job->axis_len, job->out + r * job->axis_len);
    }
}

/* Task body, inner > 1: one block of up to MK_SOFTMAX_COLS inner positions
 * of one outer index; reduces down the (strided) axis for each column. */
MK_UNUSED static void mk_softmax_cols_task(void *ctx, size_t index)
{
    const mk_softmax_job *job = (const mk_softmax_job *)ctx;
    const int64_t blocks = mk_div_up(job->inner, MK_SOFTMAX_COLS);
    const int64_t o = (int64_t)index / blocks;
    const int64_t c0 = (int64_t)index % blocks * MK_SOFTMAX_COLS;
    const int64_t w = mk_min_i64(MK_SOFTMAX_COLS, job->inner - c0);
    const int64_t stride = job->inner;
    const float *MK_RESTRICT x = job->in + o * job->axis_len * stride + c0;
    float *MK_RESTRICT y = job->out + o * job->axis_len * stride + c0;
    float max_v[MK_SOFTMAX_COLS], sum[MK_SOFTMAX_COLS];
    int64_t a, c;
    for (c = 0; c < w; ++c) {
        max_v[c] = x[c];
        sum[c] = 0.0f;
    }
    for (a = 1; a < job->axis_len; ++a) {
        for (c = 0; c < w; ++c) {
            const float v = x[a * stride + c];
            max_v[c] = v > max_v[c] ? v : max_v[c];
        }
    }
    for (a = 0; a < job->axis_len; ++a) {
        for (c = 0; c < w; ++c) {
            const float e = mk_expf(x[a * stride + c] - max_v[c]);
            y[a * stride + c] = e;
            sum[c] += e;
        }
    }
    for (c = 0; c < w; ++c) {
        sum[c] = 1.0f / sum[c];
    }
    for (a = 0; a < job->axis_len; ++a) {
        for (c = 0; c < w; ++c) {
            y[a * stride + c] *= sum[c];
        }
    }
}

/* out = softmax of in along axis 1 of the [outer, axis_len, inner] view:
 * out[o][a][i] = exp(in[o][a][i] - max_a) / sum_a exp(in[o][a][i] - max_a). */
MK_UNUSED static void mk_softmax(const mk_exec *ex, int64_t outer, int64_t axis_len, int64_t inner, const float *in,
                                 float *out)
{
    mk_softmax_job job;
    if (outer <= 0 || axis_len <= 0 || inner <= 0) {
        return;
    }
    job.outer = outer;
    job.axis_len = axis_len;
    job.inner = inner;
    job.in = in;
    job.out = out;
    if (inner == 1) {
        job.rows_per_task = mk_max_i64(1, MK_NORM_TASK_ELEMS / axis_len);
        mk_parallel(ex, (size_t)mk_div_up(outer, job.rows_per_task), mk_softmax_rows_task, &job);
    } else {
        job.rows_per_task = 0;
        mk_parallel(ex, (size_t)(outer * mk_div_up(inner, MK_SOFTMAX_COLS)), mk_softmax_cols_task, &job);
    }
}

/* Sum of y[i]^2 for i < n, in the same fixed order as mk_sum_f32. */
MK_UNUSED static float mk_sum_squares_f32(const float *y, int64_t n)
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
            lanes[l] += y[i + l] * y[i + l];
        }
    }
    for (width = 8; width > 0; width /= 2) {
        for (l = 0; l < width; ++l) {
            lanes[l] += lanes[l + width];
        }
    }
    total = lanes[0];
    for (; i < n; ++i) {
        total += y[i] * y[i];
    }
    return total;
}

typedef struct mk_layernorm_job {
    int64_t rows, cols, rows_per_task;
    const float *in, *scale, *bias;
    float epsilon;
    float *out;
} mk_layernorm_job;

/* Task body: normalises rows [index * rows_per_task, ...). */
MK_UNUSED static void mk_layernorm_task(void *ctx, size_t index)
{
    const mk_layernorm_job *job = (const mk_layernorm_job *)ctx;
    const int64_t first = (int64_t)index * job->rows_per_task;
    const int64_t last = mk_min_i64(job->rows, first + job->rows_per_task);
    const int64_t n = job->cols;
    const float *MK_RESTRICT scale = job->scale;
    const float *MK_RESTRICT bias = job->bias;
    int64_t r, j;
    for (r = first; r < last; ++r) {
        const float *MK_RESTRICT x = job->in + r * n;
        float *MK_RESTRICT y = job->out + r * n;
        const float shift = x[0];
        float mean_shifted, inv_std;
        /* Centre through a shift by x[0]: the mean is then accumulated at
         * the scale of the spread, not of the values (rows far from 0). */
        for (j = 0; j < n; ++j) {
            y[j] = x[j] - shift;
        }
        mean_shifted = mk_sum_f32(y, n) / (float)n;
        for (j = 0; j < n; ++j) {
            y[j] -= mean_shifted;
        }
        inv_std = 1.0f / sqrtf(mk_sum_squares_f32(y, n) / (float)n + job->epsilon);
        if (bias != NULL) {
            for (j = 0; j < n; ++j) {
                y[j] = y[j] * inv_std * scale[j] + bias[j];
            }
        } else {
            for (j = 0; j < n; ++j) {
                y[j] = y[j] * inv_std * scale[j];
            }
        }
    }
}

/* out[r][j] = (in[r][j] - mean_r) / sqrt(var_r + epsilon) * scale[j]
 * (+ bias[j] when bias is non-null), mean/var over the row's cols values
 * (population variance). */
MK_UNUSED static void mk_layernorm(const mk_exec *ex, int64_t rows, int64_t cols, const float *in, const float *scale,
                                   const float *bias, float epsilon, float *out)
{
    mk_layernorm_job job;
    if (rows <= 0 || cols <= 0) {
        return;
    }
    job.rows = rows;
    job.cols = cols;
    job.rows_per_task = mk_max_i64(1, MK_NORM_TASK_ELEMS / cols);
    job.in = in;
    job.scale = scale;
    job.bias = bias;
    job.epsilon = epsilon;
    job.out = out;
    mk_parallel(ex, (size_t)mk_div_up(rows, job.rows_per_task), mk_layernorm_task, &job);
}
