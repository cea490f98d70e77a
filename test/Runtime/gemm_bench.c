/*
 * gemm_bench: GFLOP/s of mk_sgemm (targets/C/runtime/kernels/gemm.c) on a
 * few model-relevant shapes, single-threaded and with a small pthread
 * parallel_for. See README.md for the build command.
 */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef void (*modelc_task_fn)(void *task_ctx, size_t index);
typedef void (*modelc_parallel_for_fn)(void *user, size_t count, modelc_task_fn task, void *task_ctx);

#include "../../targets/C/runtime/kernels/prelude.c"
#include "../../targets/C/runtime/kernels/gemm.c"

/* ---- a minimal thread pool: workers pull task indices from a counter ---- */
typedef struct bench_pool {
    int threads;
    pthread_t tid[64];
    pthread_mutex_t lock;
    pthread_cond_t start, done;
    unsigned generation;
    int quit, busy;
    size_t count, next;
    modelc_task_fn task;
    void *task_ctx;
} bench_pool;

static void pool_drain(bench_pool *pool)
{
    for (;;) {
        size_t i = __sync_fetch_and_add(&pool->next, 1);
        if (i >= pool->count) {
            return;
        }
        pool->task(pool->task_ctx, i);
    }
}

static void *pool_worker(void *arg)
{
    bench_pool *pool = (bench_pool *)arg;
    unsigned seen = 0;
    for (;;) {
        pthread_mutex_lock(&pool->lock);
        while (pool->generation == seen && !pool->quit) {
            pthread_cond_wait(&pool->start, &pool->lock);
        }
        if (pool->quit) {
            pthread_mutex_unlock(&pool->lock);
            return NULL;
        }
        seen = pool->generation;
        pthread_mutex_unlock(&pool->lock);
        pool_drain(pool);
        pthread_mutex_lock(&pool->lock);
        if (--pool->busy == 0) {
            pthread_cond_signal(&pool->done);
        }
        pthread_mutex_unlock(&pool->lock);
    }
}

static void pool_parallel_for(void *user, size_t count, modelc_task_fn task, void *task_ctx)
{
    bench_pool *pool = (bench_pool *)user;
    pthread_mutex_lock(&pool->lock);
    pool->count = count;
    pool->next = 0;
    pool->task = task;
    pool->task_ctx = task_ctx;
    pool->busy = pool->threads - 1;
    pool->generation++;
    pthread_cond_broadcast(&pool->start);
    pthread_mutex_unlock(&pool->lock);
    pool_drain(pool);
    pthread_mutex_lock(&pool->lock);
    while (pool->busy > 0) {
        pthread_cond_wait(&pool->done, &pool->lock);
    }
    pthread_mutex_unlock(&pool->lock);
}

static void pool_init(bench_pool *pool, int threads)
{
    int t;
    memset(pool, 0, sizeof(*pool));
    pool->threads = threads;
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->start, NULL);
    pthread_cond_init(&pool->done, NULL);
    for (t = 1; t < threads; ++t) {
        pthread_create(&pool->tid[t], NULL, pool_worker, pool);
    }
}

static void pool_stop(bench_pool *pool)
{
    int t;
    pthread_mutex_lock(&pool->lock);
    pool->quit = 1;
    pthread_cond_broadcast(&pool->start);
    pthread_mutex_unlock(&pool->lock);
    for (t = 1; t < pool->threads; ++t) {
        pthread_join(pool->tid[t], NULL);
    }
}

/* ---- benchmark ---- */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
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

/* Best GFLOP/s over several timed batches of calls of about 0.1 s each. */
static double bench(const mk_exec *ex, int64_t m, int64_t n, int64_t k, int trans_b)
{
    float *a = (float *)alloc64(sizeof(float) * (size_t)(m * k));
    float *b = (float *)alloc64(sizeof(float) * (size_t)(k * n));
    float *c = (float *)alloc64(sizeof(float) * (size_t)(m * n));
    void *scratch = alloc64(mk_sgemm_scratch_bytes(m, n, k));
    const double flops = 2.0 * (double)m * (double)n * (double)k;
    double best = 0.0;
    int64_t i, reps = 1;
    int round;
    for (i = 0; i < m * k; ++i) {
        a[i] = (float)((i * 7) % 13) * 0.1f - 0.6f;
    }
    for (i = 0; i < k * n; ++i) {
        b[i] = (float)((i * 5) % 11) * 0.1f - 0.5f;
    }
    for (;;) { /* calibrate */
        double t0 = now_s(), dt;
        for (i = 0; i < reps; ++i) {
            mk_sgemm(ex, m, n, k, a, k, 0, b, trans_b ? k : n, trans_b, c, n, 0, scratch);
        }
        dt = now_s() - t0;
        if (dt > 0.05) {
            reps = (int64_t)((double)reps * 0.1 / dt) + 1;
            break;
        }
        reps *= 2;
    }
    for (round = 0; round < 7; ++round) {
        double t0 = now_s(), dt, gflops;
        for (i = 0; i < reps; ++i) {
            mk_sgemm(ex, m, n, k, a, k, 0, b, trans_b ? k : n, trans_b, c, n, 0, scratch);
        }
        dt = now_s() - t0;
        gflops = flops * (double)reps / dt * 1e-9;
        if (gflops > best) {
            best = gflops;
        }
    }
    free(a);
    free(b);
    free(c);
    free(scratch);
    return best;
}

int main(int argc, char **argv)
{
    static const int64_t shapes[][4] = {
        /* m, n, k, trans_b */
        {512, 512, 512, 0},   {64, 3136, 576, 0},  {128, 768, 768, 0},
        {128, 3072, 768, 0},  {1, 1000, 2048, 0},  {1, 1000, 2048, 1},
    };
    const int threads = argc > 1 ? atoi(argv[1]) : 2;
    bench_pool pool;
    mk_exec serial, parallel;
    size_t s;
    serial.parallel_for = NULL;
    serial.user = NULL;
    pool_init(&pool, threads < 1 ? 1 : threads > 64 ? 64 : threads);
    parallel.parallel_for = pool_parallel_for;
    parallel.user = &pool;
#if defined(__AVX512F__)
    printf("path: AVX-512 (MR=%d NR=%d)\n", MK_GEMM_MR, MK_GEMM_NR);
#elif defined(__AVX2__) && defined(__FMA__)
    printf("path: AVX2+FMA (MR=%d NR=%d)\n", MK_GEMM_MR, MK_GEMM_NR);
#elif defined(__ARM_NEON) && defined(__aarch64__)
    printf("path: NEON (MR=%d NR=%d)\n", MK_GEMM_MR, MK_GEMM_NR);
#else
    printf("path: scalar (MR=%d NR=%d)\n", MK_GEMM_MR, MK_GEMM_NR);
#endif
    printf("%-22s %12s %14s\n", "m x n x k", "1 thread", "threads");
    for (s = 0; s < sizeof(shapes) / sizeof(shapes[0]); ++s) {
        char name[64];
        const int64_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
        const int trans_b = (int)shapes[s][3];
        double g1, gt;
        snprintf(name, sizeof(name), "%lldx%lldx%lld%s", (long long)m, (long long)n, (long long)k,
                 trans_b ? " (B^T)" : "");
        g1 = bench(&serial, m, n, k, trans_b);
        gt = bench(&parallel, m, n, k, trans_b);
        printf("%-22s %7.1f GF/s %7.1f GF/s (%d thr)\n", name, g1, gt, pool.threads);
    }
    pool_stop(&pool);
    return 0;
}
