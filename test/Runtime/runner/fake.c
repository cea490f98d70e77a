/* Hand-written fake model "fake" (see fake.h): exercises the runner template the way
 * generated code would, and checks what the runner hands it (sizes, alignment, arena,
 * weights, parallel_for semantics).  Contract violations by the runner abort(). */
#include "fake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int64_t dims_x[] = {2, 3};
static const int64_t dims_y[] = {4};
static const int64_t dims_z[] = {5};
static const int64_t dims_h[] = {3};
static const int64_t dims_b[] = {2, 2};
static const int64_t dims_d[] = {2};
static const int64_t dims_u[] = {3};
static const int64_t dims_q[] = {2};

const modelc_tensor_desc fake_inputs[FAKE_NUM_INPUTS] = {
    {"x", MODELC_DTYPE_FLOAT, 2, dims_x, 24, 0.0f, 0},
    {"y", MODELC_DTYPE_INT64, 1, dims_y, 32, 0.0f, 0},
    {"z", MODELC_DTYPE_INT8, 1, dims_z, 5, 0.0f, 0},
    {"h", MODELC_DTYPE_FLOAT16, 1, dims_h, 6, 0.0f, 0},
    {"b", MODELC_DTYPE_BOOL, 2, dims_b, 4, 0.0f, 0},
    {"d", MODELC_DTYPE_DOUBLE, 1, dims_d, 16, 0.0f, 0},
    {"u", MODELC_DTYPE_UINT16, 1, dims_u, 6, 0.0f, 0},
    {"q", MODELC_DTYPE_UINT64, 1, dims_q, 16, 0.0f, 0},
    {"s", MODELC_DTYPE_INT32, 0, NULL, 4, 0.0f, 0},
};

const modelc_tensor_desc fake_outputs[FAKE_NUM_OUTPUTS] = {
    {"x2", MODELC_DTYPE_FLOAT, 2, dims_x, 24, 0.0f, 0},
    {"y1", MODELC_DTYPE_INT64, 1, dims_y, 32, 0.0f, 0},
    {"z_out", MODELC_DTYPE_INT8, 1, dims_z, 5, 0.0f, 0},
    {"h_out", MODELC_DTYPE_FLOAT16, 1, dims_h, 6, 0.0f, 0},
    {"b_out", MODELC_DTYPE_BOOL, 2, dims_b, 4, 0.0f, 0},
    {"d_out", MODELC_DTYPE_DOUBLE, 1, dims_d, 16, 0.0f, 0},
    {"u_out", MODELC_DTYPE_UINT16, 1, dims_u, 6, 0.0f, 0},
    {"q_out", MODELC_DTYPE_UINT64, 1, dims_q, 16, 0.0f, 0},
    {"s_out", MODELC_DTYPE_INT32, 0, NULL, 4, 0.5f, 3}, /* quantisation fields set, for --info */
};

/* Weights layout (16 bytes): float 2.0 | "FAKW" | int64 1 */
#if !FAKE_WEIGHTS_EXTERNAL
static const union {
    unsigned char bytes[FAKE_WEIGHTS_BYTES];
    double align;
} fake_embedded_weights = {{0, 0, 0, 0x40, 'F', 'A', 'K', 'W', 1, 0, 0, 0, 0, 0, 0, 0}};
#endif

#define ALIGNED(p, a) (((size_t)(const void *)(p) % (a)) == 0)

static void fail(const char *msg, size_t a, size_t b)
{
    fprintf(stderr, "fake: %s (%lu, %lu)\n", msg, (unsigned long)a, (unsigned long)b);
    abort();
}

modelc_status fake_init(fake_context *ctx, void *arena, size_t arena_bytes, const void *weights, size_t weights_bytes)
{
    const unsigned char *w;
    if (!ctx)
        return MODELC_ERROR_NULL_ARGUMENT;
    memset(ctx, 0, sizeof *ctx);
    if (FAKE_ARENA_BYTES > 0 && !arena)
        return MODELC_ERROR_NULL_ARGUMENT;
    if (arena_bytes < FAKE_ARENA_BYTES)
        return MODELC_ERROR_SIZE_MISMATCH;
    if (!ALIGNED(arena, FAKE_ARENA_ALIGN))
        return MODELC_ERROR_MISALIGNED;
#if FAKE_WEIGHTS_EXTERNAL
    if (!weights)
        return MODELC_ERROR_NULL_ARGUMENT;
    if (weights_bytes != FAKE_WEIGHTS_BYTES)
        return MODELC_ERROR_SIZE_MISMATCH;
    if (!ALIGNED(weights, 64))
        return MODELC_ERROR_MISALIGNED;
    w = (const unsigned char *)weights;
#else
    if (weights || weights_bytes)
        return MODELC_ERROR_BAD_WEIGHTS;
    w = fake_embedded_weights.bytes;
#endif
    if (memcmp(w + 4, "FAKW", 4) != 0)
        return MODELC_ERROR_BAD_WEIGHTS;
    ctx->arena = arena;
    ctx->weights = w;
    return MODELC_OK;
}

void fake_set_parallel_for(fake_context *ctx, modelc_parallel_for_fn fn, void *user)
{
    if (!ctx)
        return;
    ctx->parallel_for = fn;
    ctx->parallel_user = user;
}

const char *fake_status_string(modelc_status status)
{
    switch (status) {
    case MODELC_OK: return "ok";
    case MODELC_ERROR_NULL_ARGUMENT: return "null argument";
    case MODELC_ERROR_MISALIGNED: return "misaligned buffer";
    case MODELC_ERROR_SIZE_MISMATCH: return "buffer size mismatch";
    case MODELC_ERROR_BAD_WEIGHTS: return "bad weights";
    default: return "unknown status";
    }
}

/* ---- parallel parts ---- */
typedef struct job {
    fake_context *ctx;
    const void *const *in;
    void *const *out;
    float *scratch;             /* in the arena */
    unsigned char *hits;        /* in the arena: per-index execution counts */
    float wscale;
    int64_t woffset;
} job;

static void parallel(fake_context *ctx, size_t count, modelc_task_fn fn, void *arg)
{
    if (ctx->parallel_for)
        ctx->parallel_for(ctx->parallel_user, count, fn, arg);
    else {
        size_t i;
        for (i = 0; i < count; i++)
            fn(arg, i);
    }
}

static void check_hits(const unsigned char *hits, size_t count)
{
    size_t i;
    for (i = 0; i < count; i++)
        if (hits[i] != 1)
            fail("parallel_for ran a task index other than exactly once (index, times)", i, hits[i]);
}

static void task_never(void *arg, size_t i)
{
    (void)arg;
    fail("parallel_for with count 0 ran a task", i, 0);
}

static void task_scale(void *arg, size_t i)
{
    job *j = (job *)arg;
    const float *x = (const float *)j->in[0];
    j->hits[i]++;
    j->scratch[i] = x[i] * j->wscale;
}

static void task_offset(void *arg, size_t i)
{
    job *j = (job *)arg;
    const int64_t *y = (const int64_t *)j->in[1];
    int64_t *o = (int64_t *)j->out[1];
    j->hits[8 + i]++;
    o[i] = y[i] + j->woffset;
}

typedef struct nested_arg {
    job *j;
    size_t copy;
} nested_arg;

static void task_nested(void *arg, size_t i)
{
    nested_arg *a = (nested_arg *)arg;
    a->j->hits[32 + 2 * a->copy + i]++;
}

static void task_copy(void *arg, size_t i)
{
    job *j = (job *)arg;
    size_t k = 2 + i;
    nested_arg a;
    j->hits[16 + i]++;
    /* a nested parallel_for, as a careless model might do: must still run every index once */
    a.j = j;
    a.copy = i;
    parallel(j->ctx, 2, task_nested, &a);
    memcpy(j->out[k], j->in[k], fake_inputs[k].bytes);
}

static void task_nested_noop(void *arg, size_t i)
{
    (void)arg;
    (void)i;
}

modelc_status fake_run(fake_context *ctx, const void *const inputs[], const size_t input_bytes[], void *const outputs[], const size_t output_bytes[])
{
    job j;
    size_t k;
    if (!ctx || !inputs || !input_bytes || !outputs || !output_bytes || !ctx->weights)
        return MODELC_ERROR_NULL_ARGUMENT;
    for (k = 0; k < FAKE_NUM_INPUTS; k++) {
        if (!inputs[k])
            return MODELC_ERROR_NULL_ARGUMENT;
        if (!ALIGNED(inputs[k], 16))
            return MODELC_ERROR_MISALIGNED;
        if (input_bytes[k] != fake_inputs[k].bytes)
            return MODELC_ERROR_SIZE_MISMATCH;
    }
    for (k = 0; k < FAKE_NUM_OUTPUTS; k++) {
        if (!outputs[k])
            return MODELC_ERROR_NULL_ARGUMENT;
        if (!ALIGNED(outputs[k], 16))
            return MODELC_ERROR_MISALIGNED;
        if (output_bytes[k] != fake_outputs[k].bytes)
            return MODELC_ERROR_SIZE_MISMATCH;
    }
    j.ctx = ctx;
    j.in = inputs;
    j.out = outputs;
    j.scratch = (float *)ctx->arena;                       /* 6 floats at offset 0 */
    j.hits = (unsigned char *)ctx->arena + 64;             /* 64 counters at offset 64 */
    memcpy(&j.wscale, ctx->weights, 4);
    memcpy(&j.woffset, ctx->weights + 8, 8);
    memset(j.hits, 0, 64);
    /* the arena must really be FAKE_ARENA_BYTES long: touch its last byte */
    ((unsigned char *)ctx->arena)[FAKE_ARENA_BYTES - 1] = 0x5a;

    parallel(ctx, 0, task_never, &j);
    parallel(ctx, 6, task_scale, &j);
    check_hits(j.hits, 6);
    memcpy(outputs[0], j.scratch, 24);
    parallel(ctx, 1, task_offset, &j);       /* count 1 ... */
    j.hits[8]--;                             /* (index 0 is redone below) */
    parallel(ctx, 4, task_offset, &j);
    check_hits(j.hits + 8, 4);
    parallel(ctx, FAKE_NUM_OUTPUTS - 2, task_copy, &j);
    check_hits(j.hits + 16, FAKE_NUM_OUTPUTS - 2);
    check_hits(j.hits + 32, 2 * (FAKE_NUM_OUTPUTS - 2));   /* the nested loops */
    parallel(ctx, 1000, task_nested_noop, NULL); /* many small tasks */
    return MODELC_OK;
}
