/*
 * hgemm_bench: single-threaded GFLOP/s of the half-precision-weight GEMMs
 * and convolutions (targets/C/runtime/kernels/hgemm.c, hconv.c) next to
 * mk_sgemm and mk_conv2d (gemm.c, conv.c) on the same shapes in the same
 * run: model-relevant GEMM shapes, then every convolution of ResNet-50
 * (torchvision, batch 1, 224x224) with its total time, then the time per
 * weight of packing weight matrices (and all of ResNet-50's). Each shape runs
 * ROUNDS rounds; a round times every variant for about 50 ms of this
 * thread's CPU time in turn, so a noisy neighbour hits them alike, and the
 * tables show the median round.
 * Optional argument: "gemm", "conv" or "pack" for one table. See README.md.
 */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef void (*modelc_task_fn)(void *task_ctx, size_t index);
typedef void (*modelc_parallel_for_fn)(void *user, size_t count, modelc_task_fn task, void *task_ctx);

#include "../../targets/C/runtime/kernels/prelude.c"
#include "../../targets/C/runtime/kernels/half.c"
#include "../../targets/C/runtime/kernels/gemm.c"
#include "../../targets/C/runtime/kernels/conv.c"
#include "../../targets/C/runtime/kernels/hgemm.c"
#include "../../targets/C/runtime/kernels/hconv.c"

#ifndef ROUNDS
#define ROUNDS 9
#endif
#define VARIANTS 5

/* This thread's CPU time: everything here runs on one thread, and on a
 * shared machine the time other processes hold the core does not count. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void *alloc64(size_t bytes)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, bytes < 64 ? 64 : bytes) != 0) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    return p;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* One shape: weights_right = 0 is mk_hgemm's C = W * B (W m x k), 1 is
 * mk_hmatmul's C = X * W (W k x n). The fp32 baseline runs mk_sgemm on the
 * same operands as floats. */
typedef struct shape {
    int64_t m, n, k;
    int weights_right;
    const char *what;
} shape;

typedef struct operands {
    const shape *s;
    float *wf, *act, *c;
    uint16_t *wb, *wh;      /* bf16 and fp16 weights */
    void *packed_b, *packed_h;
    unsigned char *scratch; /* large enough for every variant */
} operands;

static const char *const variant_names[VARIANTS] = {"sgemm", "bf16 packed", "bf16 unpacked", "fp16 packed",
                                                    "fp16 unpacked"};

/* Runs variant v once. */
static void run_variant(const void *ctx, int v)
{
    static const mk_exec serial = {NULL, NULL};
    const operands *o = (const operands *)ctx;
    const shape *s = o->s;
    const int kind = v <= 2 ? MK_HALF_BF16 : MK_HALF_F16;
    const void *packed = v <= 2 ? o->packed_b : o->packed_h;
    const uint16_t *raw = v <= 2 ? o->wb : o->wh;
    if (!s->weights_right) {
        if (v == 0) {
            mk_sgemm(&serial, s->m, s->n, s->k, o->wf, s->k, 0, o->act, s->n, 0, o->c, s->n, 0, o->scratch);
        } else if (v % 2 == 1) {
            mk_hgemm_packed(&serial, kind, s->m, s->n, s->k, packed, o->act, s->n, o->c, s->n, 0, o->scratch);
        } else {
            mk_hgemm(&serial, kind, s->m, s->n, s->k, raw, s->k, o->act, s->n, o->c, s->n, 0, o->scratch);
        }
    } else {
        if (v == 0) {
            mk_sgemm(&serial, s->m, s->n, s->k, o->act, s->k, 0, o->wf, s->n, 0, o->c, s->n, 0, o->scratch);
        } else if (v % 2 == 1) {
            mk_hmatmul_packed(&serial, kind, s->m, s->n, s->k, o->act, s->k, packed, o->c, s->n, 0, o->scratch);
        } else {
            mk_hmatmul(&serial, kind, s->m, s->n, s->k, o->act, s->k, raw, s->n, 0, o->c, s->n, 0, o->scratch);
        }
    }
}

/* Calls per timed batch so that a batch takes about 50 ms. */
static int64_t calibrate(void (*run)(const void *, int), const void *o, int v)
{
    int64_t reps = 1, i;
    for (;;) {
        double t0 = now_s(), dt;
        for (i = 0; i < reps; ++i) {
            run(o, v);
        }
        dt = now_s() - t0;
        if (dt > 0.02) {
            return (int64_t)((double)reps * 0.05 / dt) + 1;
        }
        reps *= 2;
    }
}

/* Median seconds per call of each of `variants` variants over ROUNDS
 * interleaved rounds. */
static void time_variants(void (*run)(const void *, int), const void *o, int variants, double *seconds)
{
    double t[VARIANTS][ROUNDS];
    int64_t reps[VARIANTS];
    int v, r;
    for (v = 0; v < variants; ++v) {
        reps[v] = calibrate(run, o, v);
    }
    for (r = 0; r < ROUNDS; ++r) {
        for (v = 0; v < variants; ++v) {
            const double t0 = now_s();
            int64_t j;
            for (j = 0; j < reps[v]; ++j) {
                run(o, v);
            }
            t[v][r] = (now_s() - t0) / (double)reps[v];
        }
    }
    for (v = 0; v < variants; ++v) {
        qsort(t[v], ROUNDS, sizeof(double), cmp_double);
        seconds[v] = t[v][ROUNDS / 2];
    }
}

static void bench_shape(const shape *s)
{
    const size_t wn = (size_t)(s->m * s->k), an = (size_t)(s->k * s->n), cn = (size_t)(s->m * s->n);
    const size_t w_elems = s->weights_right ? (size_t)(s->k * s->n) : wn;
    const size_t act_elems = s->weights_right ? wn : an;
    const double flops = 2.0 * (double)s->m * (double)s->n * (double)s->k;
    size_t packed_bytes, scratch_bytes, i;
    double seconds[VARIANTS];
    operands o;
    int v;
    o.s = s;
    o.wf = (float *)alloc64(sizeof(float) * w_elems);
    o.wb = (uint16_t *)alloc64(sizeof(uint16_t) * w_elems);
    o.wh = (uint16_t *)alloc64(sizeof(uint16_t) * w_elems);
    o.act = (float *)alloc64(sizeof(float) * act_elems);
    o.c = (float *)alloc64(sizeof(float) * cn);
    for (i = 0; i < w_elems; ++i) {
        o.wb[i] = mk_f32_to_bf16((float)((i * 7) % 13) * 0.1f - 0.6f);
        o.wh[i] = mk_f32_to_f16((float)((i * 7) % 13) * 0.1f - 0.6f);
        o.wf[i] = mk_bf16_to_f32(o.wb[i]);
    }
    for (i = 0; i < act_elems; ++i) {
        o.act[i] = (float)((i * 5) % 11) * 0.1f - 0.5f;
    }
    if (!s->weights_right) {
        packed_bytes = mk_hgemm_pack_a_bytes(s->m, s->k);
        scratch_bytes = packed_bytes + mk_hgemm_scratch_bytes(MK_HALF_F16, s->m, s->n, s->k);
    } else {
        packed_bytes = mk_hmatmul_pack_w_bytes(s->k, s->n);
        scratch_bytes = packed_bytes + mk_hmatmul_scratch_bytes(MK_HALF_F16, s->m, s->n, s->k);
    }
    if (mk_sgemm_scratch_bytes(s->m, s->n, s->k) > scratch_bytes) {
        scratch_bytes = mk_sgemm_scratch_bytes(s->m, s->n, s->k);
    }
    o.packed_b = alloc64(packed_bytes);
    o.packed_h = alloc64(packed_bytes);
    o.scratch = (unsigned char *)alloc64(scratch_bytes);
    if (!s->weights_right) {
        mk_hgemm_pack_a(NULL, MK_HALF_BF16, s->m, s->k, o.wb, s->k, o.packed_b);
        mk_hgemm_pack_a(NULL, MK_HALF_F16, s->m, s->k, o.wh, s->k, o.packed_h);
    } else {
        mk_hmatmul_pack_w(NULL, MK_HALF_BF16, s->k, s->n, o.wb, s->n, 0, o.packed_b);
        mk_hmatmul_pack_w(NULL, MK_HALF_F16, s->k, s->n, o.wh, s->n, 0, o.packed_h);
    }
    time_variants(run_variant, &o, VARIANTS, seconds);
    printf("%-5s %5lld x %5lld x %5lld  %-18s", s->weights_right ? "xw" : "wb", (long long)s->m, (long long)s->n,
           (long long)s->k, s->what);
    for (v = 0; v < VARIANTS; ++v) {
        printf(" %8.1f", flops / seconds[v] * 1e-9);
    }
    printf("   x%.2f\n", seconds[0] / seconds[1]);
    free(o.wf);
    free(o.wb);
    free(o.wh);
    free(o.act);
    free(o.c);
    free(o.packed_b);
    free(o.packed_h);
    free(o.scratch);
}

/* ---- convolutions ---- */

/* One ResNet-50 convolution: in_c, in_hw, out_c, kernel, stride, pad, and
 * how many times the network runs it. */
typedef struct conv_shape {
    int64_t ic, hw, oc, kernel, stride, pad, count;
    const char *what;
} conv_shape;

typedef struct conv_operands {
    mk_conv2d_params p;
    float *in, *wf, *bias, *out;
    void *packed_b, *packed_h;
    unsigned char *scratch;
} conv_operands;

#define CONV_VARIANTS 3
static const char *const conv_variant_names[CONV_VARIANTS] = {"conv2d", "hconv bf16", "hconv fp16"};

static void run_conv_variant(const void *ctx, int v)
{
    static const mk_exec serial = {NULL, NULL};
    const conv_operands *o = (const conv_operands *)ctx;
    if (v == 0) {
        mk_conv2d(&serial, &o->p, o->in, o->wf, o->bias, o->out, o->scratch);
    } else {
        mk_hconv2d_packed(&serial, v == 1 ? MK_HALF_BF16 : MK_HALF_F16, &o->p, o->in,
                          v == 1 ? o->packed_b : o->packed_h, o->bias, o->out, o->scratch);
    }
}

/* Times one convolution; adds count * seconds per variant to total. */
static void bench_conv(const conv_shape *cs, double *total)
{
    conv_operands o;
    const int64_t k = cs->ic * cs->kernel * cs->kernel;
    size_t in_n, w_n, out_n, scratch_bytes, i;
    uint16_t *wb, *wh;
    double seconds[CONV_VARIANTS], flops;
    int v;
    memset(&o.p, 0, sizeof(o.p));
    o.p.batch = 1;
    o.p.in_channels = cs->ic;
    o.p.in_h = o.p.in_w = cs->hw;
    o.p.out_channels = cs->oc;
    o.p.kernel_h = o.p.kernel_w = cs->kernel;
    o.p.stride_h = o.p.stride_w = cs->stride;
    o.p.pad_top = o.p.pad_left = cs->pad;
    o.p.dilation_h = o.p.dilation_w = 1;
    o.p.groups = 1;
    o.p.out_h = o.p.out_w = (cs->hw + 2 * cs->pad - cs->kernel) / cs->stride + 1;
    in_n = (size_t)(cs->ic * cs->hw * cs->hw);
    w_n = (size_t)(cs->oc * k);
    out_n = (size_t)(cs->oc * o.p.out_h * o.p.out_w);
    flops = 2.0 * (double)w_n * (double)(o.p.out_h * o.p.out_w);
    o.in = (float *)alloc64(sizeof(float) * in_n);
    o.wf = (float *)alloc64(sizeof(float) * w_n);
    o.bias = (float *)alloc64(sizeof(float) * (size_t)cs->oc);
    o.out = (float *)alloc64(sizeof(float) * out_n);
    wb = (uint16_t *)alloc64(sizeof(uint16_t) * w_n);
    wh = (uint16_t *)alloc64(sizeof(uint16_t) * w_n);
    for (i = 0; i < in_n; ++i) {
        o.in[i] = (float)((i * 5) % 11) * 0.1f - 0.5f;
    }
    for (i = 0; i < w_n; ++i) {
        wb[i] = mk_f32_to_bf16((float)((i * 7) % 13) * 0.01f - 0.06f);
        wh[i] = mk_f32_to_f16((float)((i * 7) % 13) * 0.01f - 0.06f);
        o.wf[i] = mk_bf16_to_f32(wb[i]);
    }
    for (i = 0; i < (size_t)cs->oc; ++i) {
        o.bias[i] = 0.25f;
    }
    o.packed_b = alloc64(mk_hconv2d_pack_bytes(&o.p));
    o.packed_h = alloc64(mk_hconv2d_pack_bytes(&o.p));
    mk_hconv2d_pack_weights(NULL, MK_HALF_BF16, &o.p, wb, o.packed_b);
    mk_hconv2d_pack_weights(NULL, MK_HALF_F16, &o.p, wh, o.packed_h);
    scratch_bytes = mk_conv2d_scratch_bytes(&o.p);
    if (mk_hconv2d_scratch_bytes(MK_HALF_F16, &o.p) > scratch_bytes) {
        scratch_bytes = mk_hconv2d_scratch_bytes(MK_HALF_F16, &o.p);
    }
    o.scratch = (unsigned char *)alloc64(scratch_bytes);
    time_variants(run_conv_variant, &o, CONV_VARIANTS, seconds);
    printf("%4lld -> %4lld %2lldx%-2lld /%lld @%3lld x%lld  %-16s", (long long)cs->ic, (long long)cs->oc,
           (long long)cs->kernel, (long long)cs->kernel, (long long)cs->stride, (long long)cs->hw,
           (long long)cs->count, cs->what);
    for (v = 0; v < CONV_VARIANTS; ++v) {
        printf(" %10.1f", flops / seconds[v] * 1e-9);
        total[v] += (double)cs->count * seconds[v];
    }
    printf("   x%.2f  %6.2f ms\n", seconds[0] / seconds[1], (double)cs->count * seconds[1] * 1e3);
    free(o.in);
    free(o.wf);
    free(o.bias);
    free(o.out);
    free(wb);
    free(wh);
    free(o.packed_b);
    free(o.packed_h);
    free(o.scratch);
}

/* Every convolution of ResNet-50 (torchvision, batch 1, 224x224). */
static const conv_shape resnet50_convs[] = {
    /* ic, hw, oc, kernel, stride, pad, count */
    {3, 224, 64, 7, 2, 3, 1, "stem"},
    {64, 56, 64, 1, 1, 0, 1, "l1 reduce"},
    {256, 56, 64, 1, 1, 0, 2, "l1 reduce"},
    {64, 56, 64, 3, 1, 1, 3, "l1 3x3"},
    {64, 56, 256, 1, 1, 0, 4, "l1 expand, ds"},
    {256, 56, 128, 1, 1, 0, 1, "l2 reduce"},
    {512, 28, 128, 1, 1, 0, 3, "l2 reduce"},
    {128, 56, 128, 3, 2, 1, 1, "l2 3x3 /2"},
    {128, 28, 128, 3, 1, 1, 3, "l2 3x3"},
    {128, 28, 512, 1, 1, 0, 4, "l2 expand"},
    {256, 56, 512, 1, 2, 0, 1, "l2 ds /2"},
    {512, 28, 256, 1, 1, 0, 1, "l3 reduce"},
    {1024, 14, 256, 1, 1, 0, 5, "l3 reduce"},
    {256, 28, 256, 3, 2, 1, 1, "l3 3x3 /2"},
    {256, 14, 256, 3, 1, 1, 5, "l3 3x3"},
    {256, 14, 1024, 1, 1, 0, 6, "l3 expand"},
    {512, 28, 1024, 1, 2, 0, 1, "l3 ds /2"},
    {1024, 14, 512, 1, 1, 0, 1, "l4 reduce"},
    {2048, 7, 512, 1, 1, 0, 2, "l4 reduce"},
    {512, 14, 512, 3, 2, 1, 1, "l4 3x3 /2"},
    {512, 7, 512, 3, 1, 1, 2, "l4 3x3"},
    {512, 7, 2048, 1, 1, 0, 3, "l4 expand"},
    {1024, 14, 2048, 1, 2, 0, 1, "l4 ds /2"},
};

static void bench_resnet50_convs(void)
{
    double total[CONV_VARIANTS] = {0.0, 0.0, 0.0};
    size_t s;
    int v;
    printf("\nResNet-50 convolutions, GFLOP/s, 1 thread, median of %d rounds; then conv2d / hconv bf16 time and\n"
           "the layers' total hconv bf16 time (count x one call)\n",
           ROUNDS);
    printf("%-40s", "in -> out kernel /stride @size xcount");
    for (v = 0; v < CONV_VARIANTS; ++v) {
        printf(" %10s", conv_variant_names[v]);
    }
    printf("\n");
    for (s = 0; s < sizeof(resnet50_convs) / sizeof(resnet50_convs[0]); ++s) {
        bench_conv(&resnet50_convs[s], total);
        fflush(stdout);
    }
    printf("%-40s", "all 53 convolutions, ms");
    for (v = 0; v < CONV_VARIANTS; ++v) {
        printf(" %10.2f", total[v] * 1e3);
    }
    printf("   x%.2f\n", total[0] / total[1]);
}

/* ---- weight packing ---- */

/* One weight matrix for a packer: what = 0 is mk_hgemm_pack_a (W rows x cols,
 * row stride cols), 1 mk_hmatmul_pack_w (W rows x cols = k x n), 2 the same
 * with trans_w (W cols x rows, n x k), 3 mk_hconv2d_pack_weights of conv. */
typedef struct pack_operands {
    int what;
    int64_t rows, cols;
    mk_conv2d_params p;
    uint16_t *wb, *wh;
    void *packed;
} pack_operands;

/* Variant 0 packs the bf16 weights, 1 the fp16 ones. */
static void run_pack_variant(const void *ctx, int v)
{
    static const mk_exec serial = {NULL, NULL};
    const pack_operands *o = (const pack_operands *)ctx;
    const int kind = v == 0 ? MK_HALF_BF16 : MK_HALF_F16;
    const uint16_t *w = v == 0 ? o->wb : o->wh;
    if (o->what == 0) {
        mk_hgemm_pack_a(&serial, kind, o->rows, o->cols, w, o->cols, o->packed);
    } else if (o->what == 3) {
        mk_hconv2d_pack_weights(&serial, kind, &o->p, w, o->packed);
    } else {
        mk_hmatmul_pack_w(&serial, kind, o->rows, o->cols, w, o->what == 1 ? o->cols : o->rows, o->what == 2,
                          o->packed);
    }
}

/* Median seconds per call of packing both kinds; conv is used when what == 3. */
static void time_pack(int what, int64_t rows, int64_t cols, const conv_shape *cs, double *seconds)
{
    pack_operands o;
    size_t n, bytes, i;
    memset(&o, 0, sizeof(o));
    o.what = what;
    o.rows = rows;
    o.cols = cols;
    if (what == 3) {
        o.p.batch = 1;
        o.p.in_channels = cs->ic;
        o.p.in_h = o.p.in_w = cs->hw;
        o.p.out_channels = cs->oc;
        o.p.kernel_h = o.p.kernel_w = cs->kernel;
        o.p.stride_h = o.p.stride_w = cs->stride;
        o.p.pad_top = o.p.pad_left = cs->pad;
        o.p.dilation_h = o.p.dilation_w = 1;
        o.p.groups = 1;
        o.p.out_h = o.p.out_w = (cs->hw + 2 * cs->pad - cs->kernel) / cs->stride + 1;
        n = (size_t)(cs->oc * cs->ic * cs->kernel * cs->kernel);
        bytes = mk_hconv2d_pack_bytes(&o.p);
    } else {
        n = (size_t)(rows * cols);
        bytes = what == 0 ? mk_hgemm_pack_a_bytes(rows, cols) : mk_hmatmul_pack_w_bytes(rows, cols);
    }
    o.wb = (uint16_t *)alloc64(sizeof(uint16_t) * n);
    o.wh = (uint16_t *)alloc64(sizeof(uint16_t) * n);
    o.packed = alloc64(bytes);
    for (i = 0; i < n; ++i) {
        o.wb[i] = mk_f32_to_bf16((float)((i * 7) % 13) * 0.1f - 0.6f);
        o.wh[i] = mk_f32_to_f16((float)((i * 7) % 13) * 0.1f - 0.6f);
    }
    time_variants(run_pack_variant, &o, 2, seconds);
    free(o.wb);
    free(o.wh);
    free(o.packed);
}

static void bench_packing(void)
{
    static const struct {
        int what;
        int64_t rows, cols;
        const char *name;
    } mats[] = {
        {0, 512, 4608, "mk_hgemm_pack_a    512 x 4608 (res5 3x3)"},
        {0, 2048, 512, "mk_hgemm_pack_a   2048 x  512 (res5 1x1)"},
        {0, 64, 147, "mk_hgemm_pack_a     64 x  147 (stem)"},
        {1, 768, 3072, "mk_hmatmul_pack_w  768 x 3072"},
        {2, 768, 3072, "mk_hmatmul_pack_w  768 x 3072 transposed"},
    };
    double seconds[2], total[2] = {0.0, 0.0}, elems = 0.0;
    size_t s;
    printf("\nWeight packing, ns per weight, 1 thread, median of %d rounds\n", ROUNDS);
    printf("%-44s %10s %10s\n", "", "bf16", "fp16");
    for (s = 0; s < sizeof(mats) / sizeof(mats[0]); ++s) {
        const double n = (double)mats[s].rows * (double)mats[s].cols;
        time_pack(mats[s].what, mats[s].rows, mats[s].cols, NULL, seconds);
        printf("%-44s %10.3f %10.3f\n", mats[s].name, seconds[0] / n * 1e9, seconds[1] / n * 1e9);
        fflush(stdout);
    }
    for (s = 0; s < sizeof(resnet50_convs) / sizeof(resnet50_convs[0]); ++s) {
        const conv_shape *cs = &resnet50_convs[s];
        const double n = (double)(cs->oc * cs->ic * cs->kernel * cs->kernel * cs->count);
        time_pack(3, 0, 0, cs, seconds);
        total[0] += (double)cs->count * seconds[0];
        total[1] += (double)cs->count * seconds[1];
        elems += n;
    }
    printf("%-44s %10.3f %10.3f\n", "mk_hconv2d_pack_weights, ResNet-50 (all 53)", total[0] / elems * 1e9,
           total[1] / elems * 1e9);
    printf("%-44s %10.3f %10.3f   (%.1fM weights)\n", "  the same, ms per inference", total[0] * 1e3,
           total[1] * 1e3, elems * 1e-6);
}

int main(int argc, char **argv)
{
    static const shape shapes[] = {
        /* mk_hgemm (weights on the left): the brief's shapes, then ResNet-50's convolutions (batch 1) */
        {256, 3136, 2304, 0, "3x3 (brief)"},
        {64, 3136, 576, 0, "res2 3x3"},
        {2048, 49, 512, 0, "res5 1x1 expand"},
        {768, 128, 3072, 0, "W*X^T (brief)"},
        {64, 12544, 147, 0, "stem 7x7"},
        {64, 3136, 64, 0, "res2 1x1 reduce"},
        {256, 3136, 64, 0, "res2 1x1 expand"},
        {64, 3136, 256, 0, "res2 1x1 reduce"},
        {128, 784, 1152, 0, "res3 3x3"},
        {512, 784, 128, 0, "res3 1x1 expand"},
        {256, 196, 2304, 0, "res4 3x3"},
        {1024, 196, 256, 0, "res4 1x1 expand"},
        {256, 196, 1024, 0, "res4 1x1 reduce"},
        {512, 49, 4608, 0, "res5 3x3"},
        {512, 49, 2048, 0, "res5 1x1 reduce"},
        /* mk_hmatmul (activations on the left): BERT-base, 128 tokens */
        {128, 768, 3072, 1, "ffn down"},
        {128, 3072, 768, 1, "ffn up"},
        {128, 768, 768, 1, "attn proj"},
    };
    const char *which = argc > 1 ? argv[1] : "all";
    size_t s;
    int v;
#if MK_HGEMM_AMX
    printf("path: bf16 on AMX tiles (%s), fp32 microkernel MR=%d NR=%d\n",
           mk_amx_usable() ? "granted" : "refused: AVX512-BF16 on the AMX packing", MK_GEMM_MR, MK_GEMM_NR);
#elif MK_HGEMM_BF16_DOT
    printf("path: bf16 dot (AVX512-BF16), fp32 microkernel MR=%d NR=%d\n", MK_GEMM_MR, MK_GEMM_NR);
#else
    printf("path: fp32 microkernel MR=%d NR=%d (no AVX512-BF16)\n", MK_GEMM_MR, MK_GEMM_NR);
#endif
    if (strcmp(which, "conv") != 0 && strcmp(which, "pack") != 0) {
        printf("GEMM, GFLOP/s, 1 thread, median of %d rounds; wb: mk_hgemm (weights left), xw: mk_hmatmul\n"
               "(weights right); last column: sgemm / bf16 packed time\n",
               ROUNDS);
        printf("%-5s %-21s  %-18s", "", "m x n x k", "");
        for (v = 0; v < VARIANTS; ++v) {
            printf(" %8.8s", variant_names[v]);
        }
        printf("\n");
        for (s = 0; s < sizeof(shapes) / sizeof(shapes[0]); ++s) {
            bench_shape(&shapes[s]);
            fflush(stdout);
        }
    }
    if (strcmp(which, "gemm") != 0 && strcmp(which, "pack") != 0) {
        bench_resnet50_convs();
    }
    if (strcmp(which, "gemm") != 0 && strcmp(which, "conv") != 0) {
        bench_packing();
    }
    return 0;
}
