/*
 * qgemm_bench: single-threaded speed of the 8-bit kernels
 * (targets/C/runtime/kernels/qgemm.c, qconv.c) next to the fp32 ones
 * (gemm.c, conv.c) on the same shapes in the same run.
 *
 * Part 1, GEMM shapes: GOPS (2*m*n*k per second, multiply and add counted
 * apart) of mk_sgemm, of mk_qgemm with a requantized uint8 output and A
 * packed per call, and of mk_qgemm with A pre-packed by mk_qgemm_pack_a.
 * Part 2, the 53 convolutions of ResNet-50 at batch 1 (224x224): total
 * milliseconds of mk_conv2d and of mk_qconv2d (uint8 in, uint8 out, weights
 * pre-packed as a compiler would do once per model); with --layers, also
 * each layer's own time, GOPS and share of the total.
 *
 * Part 3 (--depthwise, alone), the 17 depthwise 3x3 convolutions of
 * MobileNet-V2 at batch 1: total milliseconds of mk_conv2d and mk_qconv2d.
 * Build it once more with -DMK_QCONV_NO_BAND_VNNI to time mk_qconv2d's
 * portable tap loops instead of its VNNI path.
 *
 * Each figure is the median of 7 timed batches of about 0.1 s (part 1) or
 * of 5 passes (parts 2 and 3), in CPU time of the calling thread. The machine
 * should be otherwise idle; run it under `nice` on a shared one. See
 * README.md for the build command.
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
#include "../../targets/C/runtime/kernels/gemm.c"
#include "../../targets/C/runtime/kernels/conv.c"
#include "../../targets/C/runtime/kernels/qgemm.c"
#include "../../targets/C/runtime/kernels/qconv.c"

static const mk_exec g_serial = {NULL, NULL};

/* CPU time of this thread: on a shared machine a time slice lost to another
 * process does not count (its cache pollution still does). */
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
    memset(p, 0, bytes < 64 ? 64 : bytes);
    return p;
}

static int cmp_double(const void *x, const void *y)
{
    const double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(double), cmp_double);
    return v[n / 2];
}

/* ---- part 1: GEMM ---- */

typedef struct gemm_shape {
    int64_t m, n, k;
    const char *what;
} gemm_shape;

/* One of the three measured variants of a shape, all operands allocated. */
typedef struct gemm_operands {
    int64_t m, n, k;
    float *af, *bf, *cf;
    int8_t *a;
    uint8_t *b, *c;
    int32_t *offset;
    float *mult;
    void *packed, *scratch;
    mk_qgemm_epilogue epi;
} gemm_operands;

static void run_variant(gemm_operands *o, int variant)
{
    if (variant == 0) {
        mk_sgemm(&g_serial, o->m, o->n, o->k, o->af, o->k, 0, o->bf, o->n, 0, o->cf, o->n, 0, o->scratch);
    } else {
        mk_qgemm(&g_serial, o->m, o->n, o->k, o->a, o->k, variant == 2 ? o->packed : NULL, o->b, o->n, 1, 0,
                 o->offset, &o->epi, o->c, o->n, 1, o->scratch);
    }
}

/* Median GOPS of one variant over 7 batches of about 0.1 s. */
static double time_variant(gemm_operands *o, int variant)
{
    const double ops = 2.0 * (double)o->m * (double)o->n * (double)o->k;
    double rates[7];
    int64_t reps = 1, i;
    int round;
    for (;;) { /* calibrate */
        double t0 = now_s(), dt;
        for (i = 0; i < reps; ++i) {
            run_variant(o, variant);
        }
        dt = now_s() - t0;
        if (dt > 0.03) {
            reps = (int64_t)((double)reps * 0.1 / dt) + 1;
            break;
        }
        reps *= 2;
    }
    for (round = 0; round < 7; ++round) {
        const double t0 = now_s();
        for (i = 0; i < reps; ++i) {
            run_variant(o, variant);
        }
        rates[round] = ops * (double)reps / (now_s() - t0) * 1e-9;
    }
    return median(rates, 7);
}

static void bench_gemm(const gemm_shape *s)
{
    gemm_operands o;
    size_t sbytes, qbytes;
    int64_t i;
    double g[3];
    o.m = s->m;
    o.n = s->n;
    o.k = s->k;
    o.af = (float *)alloc64(sizeof(float) * (size_t)(o.m * o.k));
    o.bf = (float *)alloc64(sizeof(float) * (size_t)(o.k * o.n));
    o.cf = (float *)alloc64(sizeof(float) * (size_t)(o.m * o.n));
    o.a = (int8_t *)alloc64((size_t)(o.m * o.k));
    o.b = (uint8_t *)alloc64((size_t)(o.k * o.n));
    o.c = (uint8_t *)alloc64((size_t)(o.m * o.n));
    o.offset = (int32_t *)alloc64(sizeof(int32_t) * (size_t)o.m);
    o.mult = (float *)alloc64(sizeof(float) * (size_t)o.m);
    for (i = 0; i < o.m * o.k; ++i) {
        o.a[i] = (int8_t)((i * 7) % 255 - 127);
        o.af[i] = (float)o.a[i] * 0.01f;
    }
    for (i = 0; i < o.k * o.n; ++i) {
        o.b[i] = (uint8_t)((i * 5) % 251);
        o.bf[i] = (float)o.b[i] * 0.01f;
    }
    for (i = 0; i < o.m; ++i) {
        o.offset[i] = (int32_t)(i * 1000) - 500000;
        o.mult[i] = 1e-4f * (float)(1 + i % 7);
    }
    o.epi.kind = MK_QGEMM_OUT_UINT8;
    o.epi.scale = o.mult;
    o.epi.per_row = 1;
    o.epi.zero_point = 128;
    sbytes = mk_sgemm_scratch_bytes(o.m, o.n, o.k);
    qbytes = mk_qgemm_scratch_bytes(o.m, o.n, o.k);
    o.scratch = alloc64(sbytes > qbytes ? sbytes : qbytes);
    o.packed = alloc64(mk_qgemm_packed_a_bytes(o.m, o.k));
    mk_qgemm_pack_a(&g_serial, o.m, o.k, o.a, o.k, o.packed);
    for (i = 0; i < 3; ++i) {
        g[i] = time_variant(&o, (int)i);
    }
    printf("%5lld %5lld %5lld  %-22s %8.1f %8.1f %8.1f %6.2fx %6.2fx\n", (long long)o.m, (long long)o.n,
           (long long)o.k, s->what, g[0], g[1], g[2], g[1] / g[0], g[2] / g[0]);
    fflush(stdout);
    free(o.af);
    free(o.bf);
    free(o.cf);
    free(o.a);
    free(o.b);
    free(o.c);
    free(o.offset);
    free(o.mult);
    free(o.scratch);
    free(o.packed);
}

/* ---- part 2: ResNet-50 convolutions ---- */

typedef struct resnet_conv {
    int64_t ic, hw, oc, k, stride, count;
} resnet_conv;

/* The convolutions of torchvision's ResNet-50 (v1.5: stride on the 3x3),
 * batch 1, as (in_c, in_hw, out_c, kernel, stride, how many). */
static const resnet_conv k_resnet50[] = {
    {3, 224, 64, 7, 2, 1},                                                             /* stem */
    {64, 56, 64, 1, 1, 1},    {64, 56, 64, 3, 1, 3},    {64, 56, 256, 1, 1, 3},       /* layer1 */
    {64, 56, 256, 1, 1, 1},   {256, 56, 64, 1, 1, 2},                                 /* downsample, in */
    {256, 56, 128, 1, 1, 1},  {128, 56, 128, 3, 2, 1},  {128, 28, 128, 3, 1, 3},      /* layer2 */
    {128, 28, 512, 1, 1, 4},  {256, 56, 512, 1, 2, 1},  {512, 28, 128, 1, 1, 3},
    {512, 28, 256, 1, 1, 1},  {256, 28, 256, 3, 2, 1},  {256, 14, 256, 3, 1, 5},      /* layer3 */
    {256, 14, 1024, 1, 1, 6}, {512, 28, 1024, 1, 2, 1}, {1024, 14, 256, 1, 1, 5},
    {1024, 14, 512, 1, 1, 1}, {512, 14, 512, 3, 2, 1},  {512, 7, 512, 3, 1, 2},       /* layer4 */
    {512, 7, 2048, 1, 1, 3},  {1024, 14, 2048, 1, 2, 1}, {2048, 7, 512, 1, 1, 2},
};

static void resnet_params(const resnet_conv *r, mk_conv2d_params *p)
{
    const int64_t pad = r->k / 2;
    p->batch = 1;
    p->in_channels = r->ic;
    p->in_h = p->in_w = r->hw;
    p->out_channels = r->oc;
    p->kernel_h = p->kernel_w = r->k;
    p->stride_h = p->stride_w = r->stride;
    p->pad_top = p->pad_left = pad;
    p->dilation_h = p->dilation_w = 1;
    p->groups = 1;
    p->out_h = p->out_w = (r->hw + 2 * pad - r->k) / r->stride + 1;
}

static void bench_resnet50(int per_layer)
{
    enum { LAYERS = sizeof(k_resnet50) / sizeof(k_resnet50[0]), PASSES = 5 };
    float *in_f[LAYERS], *w_f[LAYERS], *bias[LAYERS], *out_f[LAYERS];
    uint8_t *in_q[LAYERS], *out_q[LAYERS];
    int8_t *w_q[LAYERS];
    void *packed[LAYERS];
    int32_t *offset[LAYERS];
    float *mult[LAYERS];
    mk_conv2d_params pf[LAYERS];
    mk_qconv2d_params pq[LAYERS];
    mk_qgemm_epilogue epi[LAYERS];
    size_t scratch_bytes = 0;
    void *scratch;
    double tf[PASSES], tq[PASSES], macs = 0.0;
    int l, pass;
    for (l = 0; l < LAYERS; ++l) {
        const resnet_conv *r = &k_resnet50[l];
        size_t in_n, w_n, out_n, s, i;
        resnet_params(r, &pf[l]);
        memcpy(&pq[l], &pf[l], sizeof(pf[l]));
        pq[l].input_int8 = 0;
        pq[l].input_zero_point = 0;
        in_n = (size_t)(r->ic * r->hw * r->hw);
        w_n = (size_t)(r->oc * r->ic * r->k * r->k);
        out_n = (size_t)(r->oc * pf[l].out_h * pf[l].out_w);
        macs += (double)r->count * (double)out_n * (double)(r->ic * r->k * r->k);
        in_f[l] = (float *)alloc64(sizeof(float) * in_n);
        w_f[l] = (float *)alloc64(sizeof(float) * w_n);
        bias[l] = (float *)alloc64(sizeof(float) * (size_t)r->oc);
        out_f[l] = (float *)alloc64(sizeof(float) * out_n);
        in_q[l] = (uint8_t *)alloc64(in_n);
        w_q[l] = (int8_t *)alloc64(w_n);
        out_q[l] = (uint8_t *)alloc64(out_n);
        offset[l] = (int32_t *)alloc64(sizeof(int32_t) * (size_t)r->oc);
        mult[l] = (float *)alloc64(sizeof(float) * (size_t)r->oc);
        for (i = 0; i < in_n; ++i) {
            in_q[l][i] = (uint8_t)((i * 13) % 251);
            in_f[l][i] = (float)in_q[l][i] * 0.02f;
        }
        for (i = 0; i < w_n; ++i) {
            w_q[l][i] = (int8_t)((int)((i * 7) % 255) - 127);
            w_f[l][i] = (float)w_q[l][i] * 0.001f;
        }
        for (i = 0; i < (size_t)r->oc; ++i) {
            offset[l][i] = (int32_t)(i * 100);
            mult[l][i] = 1e-4f;
        }
        epi[l].kind = MK_QGEMM_OUT_UINT8;
        epi[l].scale = mult[l];
        epi[l].per_row = 1;
        epi[l].zero_point = 0;
        packed[l] = alloc64(mk_qconv2d_packed_weight_bytes(&pq[l]));
        mk_qconv2d_pack_weight(&g_serial, &pq[l], w_q[l], packed[l]);
        s = mk_conv2d_scratch_bytes(&pf[l]);
        scratch_bytes = s > scratch_bytes ? s : scratch_bytes;
        s = mk_qconv2d_scratch_bytes(&pq[l]);
        scratch_bytes = s > scratch_bytes ? s : scratch_bytes;
    }
    scratch = alloc64(scratch_bytes);
    for (pass = 0; pass < PASSES; ++pass) {
        double t0 = now_s();
        int64_t rep;
        for (l = 0; l < LAYERS; ++l) {
            for (rep = 0; rep < k_resnet50[l].count; ++rep) {
                mk_conv2d(&g_serial, &pf[l], in_f[l], w_f[l], bias[l], out_f[l], scratch);
            }
        }
        tf[pass] = now_s() - t0;
        t0 = now_s();
        for (l = 0; l < LAYERS; ++l) {
            for (rep = 0; rep < k_resnet50[l].count; ++rep) {
                mk_qconv2d(&g_serial, &pq[l], in_q[l], w_q[l], packed[l], offset[l], &epi[l], out_q[l], scratch);
            }
        }
        tq[pass] = now_s() - t0;
    }
    if (per_layer) {
        /* Each layer alone, median of PASSES runs of its `count` copies. */
        printf("%5s %4s %5s %2s %2s %3s  %8s %8s %6s\n", "in_c", "hw", "out_c", "k", "s", "n", "int8 ms", "GOPS",
               "share");
        for (l = 0; l < LAYERS; ++l) {
            const resnet_conv *r = &k_resnet50[l];
            const double layer_macs = (double)r->count * (double)(r->oc * pf[l].out_h * pf[l].out_w) *
                                      (double)(r->ic * r->k * r->k);
            double tl[PASSES], t;
            for (pass = 0; pass < PASSES; ++pass) {
                const double t0 = now_s();
                int64_t rep;
                for (rep = 0; rep < r->count; ++rep) {
                    mk_qconv2d(&g_serial, &pq[l], in_q[l], w_q[l], packed[l], offset[l], &epi[l], out_q[l], scratch);
                }
                tl[pass] = now_s() - t0;
            }
            t = median(tl, PASSES);
            printf("%5lld %4lld %5lld %2lld %2lld %3lld  %8.3f %8.1f %5.1f%%\n", (long long)r->ic, (long long)r->hw,
                   (long long)r->oc, (long long)r->k, (long long)r->stride, (long long)r->count, t * 1e3,
                   2.0 * layer_macs / t * 1e-9, 100.0 * t / median(tq, PASSES));
        }
    }
    {
        const double f = median(tf, PASSES), q = median(tq, PASSES);
        printf("ResNet-50 convolutions, batch 1 (%.2f GMAC): fp32 %.1f ms (%.1f GOPS), int8 %.1f ms (%.1f GOPS), "
               "%.2fx\n",
               macs * 1e-9, f * 1e3, 2.0 * macs / f * 1e-9, q * 1e3, 2.0 * macs / q * 1e-9, f / q);
    }
    for (l = 0; l < LAYERS; ++l) {
        free(in_f[l]);
        free(w_f[l]);
        free(bias[l]);
        free(out_f[l]);
        free(in_q[l]);
        free(w_q[l]);
        free(out_q[l]);
        free(offset[l]);
        free(mult[l]);
        free(packed[l]);
    }
    free(scratch);
}

/* ---- part 3: MobileNet-V2's depthwise convolutions ---- */

typedef struct depthwise_layer {
    int64_t channels, hw, stride, count;
} depthwise_layer;

/* 3x3, padding 1, at 224x224: channels, input size, stride, repeats. */
static const depthwise_layer k_mobilenet_v2_depthwise[] = {
    {32, 112, 1, 1}, {96, 112, 2, 1}, {144, 56, 1, 1}, {144, 56, 2, 1}, {192, 28, 1, 2},
    {192, 28, 2, 1}, {384, 14, 1, 4}, {576, 14, 1, 2}, {576, 14, 2, 1}, {960, 7, 1, 3},
};

static void bench_mobilenet_v2_depthwise(void)
{
    enum { LAYERS = sizeof(k_mobilenet_v2_depthwise) / sizeof(k_mobilenet_v2_depthwise[0]), PASSES = 5 };
#if defined(MK_QCONV_BAND_VNNI)
    static const char *const path = "VNNI bands";
#else
    static const char *const path = "tap loops";
#endif
    double tf[PASSES], tq[PASSES];
    int l, pass;
    for (pass = 0; pass < PASSES; ++pass) {
        tf[pass] = tq[pass] = 0.0;
    }
    for (l = 0; l < LAYERS; ++l) {
        const depthwise_layer *d = &k_mobilenet_v2_depthwise[l];
        mk_conv2d_params pf;
        mk_qconv2d_params pq;
        mk_qgemm_epilogue epi;
        size_t in_n, out_n, i, sbytes;
        float *in_f, *w_f, *bias, *out_f, *mult;
        uint8_t *in_q, *out_q;
        int8_t *w_q;
        int32_t *offset;
        void *scratch;
        int64_t rep;
        memset(&pf, 0, sizeof(pf));
        pf.batch = 1;
        pf.in_channels = pf.out_channels = pf.groups = d->channels;
        pf.in_h = pf.in_w = d->hw;
        pf.kernel_h = pf.kernel_w = 3;
        pf.stride_h = pf.stride_w = d->stride;
        pf.pad_top = pf.pad_left = 1;
        pf.dilation_h = pf.dilation_w = 1;
        pf.out_h = pf.out_w = (d->hw - 1) / d->stride + 1;
        memcpy(&pq, &pf, sizeof(pf));
        pq.input_int8 = 0;
        pq.input_zero_point = 3;
        in_n = (size_t)(d->channels * d->hw * d->hw);
        out_n = (size_t)(d->channels * pf.out_h * pf.out_w);
        in_f = (float *)alloc64(sizeof(float) * in_n);
        w_f = (float *)alloc64(sizeof(float) * (size_t)(d->channels * 9));
        bias = (float *)alloc64(sizeof(float) * (size_t)d->channels);
        out_f = (float *)alloc64(sizeof(float) * out_n);
        mult = (float *)alloc64(sizeof(float) * (size_t)d->channels);
        in_q = (uint8_t *)alloc64(in_n);
        out_q = (uint8_t *)alloc64(out_n);
        w_q = (int8_t *)alloc64((size_t)(d->channels * 9));
        offset = (int32_t *)alloc64(sizeof(int32_t) * (size_t)d->channels);
        for (i = 0; i < in_n; ++i) {
            in_q[i] = (uint8_t)((i * 13) % 251);
            in_f[i] = (float)in_q[i] * 0.02f;
        }
        for (i = 0; i < (size_t)(d->channels * 9); ++i) {
            w_q[i] = (int8_t)((int)((i * 7) % 255) - 127);
            w_f[i] = (float)w_q[i] * 0.001f;
        }
        for (i = 0; i < (size_t)d->channels; ++i) {
            offset[i] = (int32_t)(i * 100);
            mult[i] = 1e-3f;
        }
        epi.kind = MK_QGEMM_OUT_UINT8;
        epi.scale = mult;
        epi.per_row = 1;
        epi.zero_point = 0;
        sbytes = mk_conv2d_scratch_bytes(&pf);
        if (mk_qconv2d_scratch_bytes(&pq) > sbytes) {
            sbytes = mk_qconv2d_scratch_bytes(&pq);
        }
        scratch = alloc64(sbytes);
        for (pass = 0; pass < PASSES; ++pass) {
            double t0 = now_s();
            for (rep = 0; rep < d->count; ++rep) {
                mk_conv2d(&g_serial, &pf, in_f, w_f, bias, out_f, scratch);
            }
            tf[pass] += now_s() - t0;
            t0 = now_s();
            for (rep = 0; rep < d->count; ++rep) {
                mk_qconv2d(&g_serial, &pq, in_q, w_q, NULL, offset, &epi, out_q, scratch);
            }
            tq[pass] += now_s() - t0;
        }
        free(in_f), free(w_f), free(bias), free(out_f), free(mult);
        free(in_q), free(out_q), free(w_q), free(offset), free(scratch);
    }
    printf("MobileNet-V2, 17 depthwise 3x3 convolutions, batch 1, uint8 input: mk_conv2d %.3f ms, mk_qconv2d %.3f ms "
           "(%s)\n",
           1e3 * median(tf, PASSES), 1e3 * median(tq, PASSES), path);
}

int main(int argc, char **argv)
{
    static const gemm_shape shapes[] = {
        {256, 3136, 2304, "conv 3x3 256ch @56"},  {64, 3136, 576, "resnet 3x3 64ch @56"},
        {64, 3136, 64, "resnet 1x1 64->64 @56"}, {256, 3136, 64, "resnet 1x1 64->256"},
        {128, 784, 1152, "resnet 3x3 128ch @28"}, {512, 49, 4608, "resnet 3x3 512ch @7"},
        {2048, 49, 512, "resnet 1x1 512->2048"},  {768, 128, 768, "bert matmul 768"},
        {3072, 128, 768, "bert ffn up"},          {1000, 1, 2048, "fc, n = 1"},
    };
    size_t s;
    if (argc >= 2 && strcmp(argv[1], "--depthwise") == 0) {
        bench_mobilenet_v2_depthwise();
        return 0;
    }
#if defined(MK_QGEMM_VNNI)
    printf("8-bit path: AVX-512 VNNI (MR=%d NR=%d)", MK_QGEMM_MR, MK_QGEMM_NR);
#elif defined(MK_QGEMM_AVX2)
    printf("8-bit path: AVX2 (MR=%d NR=%d)", MK_QGEMM_MR, MK_QGEMM_NR);
#elif defined(MK_QGEMM_SDOT)
    printf("8-bit path: NEON dot product (MR=%d NR=%d)", MK_QGEMM_MR, MK_QGEMM_NR);
#else
    printf("8-bit path: portable C (MR=%d NR=%d)", MK_QGEMM_MR, MK_QGEMM_NR);
#endif
    printf(", fp32 MR=%d NR=%d; 1 thread, medians\n", MK_GEMM_MR, MK_GEMM_NR);
    printf("%5s %5s %5s  %-22s %8s %8s %8s %7s %7s\n", "m", "n", "k", "", "sgemm", "qgemm", "prepack", "q/s",
           "pp/s");
    printf("%5s %5s %5s  %-22s %8s %8s %8s\n", "", "", "", "", "GOPS", "GOPS", "GOPS");
    for (s = 0; s < sizeof(shapes) / sizeof(shapes[0]); ++s) {
        bench_gemm(&shapes[s]);
    }
    if (argc < 2 || strcmp(argv[1], "--gemm-only") != 0) {
        bench_resnet50(argc >= 2 && strcmp(argv[1], "--layers") == 0);
    }
    return 0;
}
