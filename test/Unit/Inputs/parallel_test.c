/* Runs a model compiled by modelc (--target=c, embedded weights) serially,
 * then through a pthread parallel-for on each thread count given on the
 * command line, and checks that every output is bit-identical to the serial
 * run. The header promises that results do not depend on the parallel-for;
 * this holds only if every kernel splits its work over disjoint outputs.
 *
 * The parallel-for gives thread t the tasks t, t + n, t + 2n, ... and runs
 * them last first, so the order differs from the serial one even on one
 * thread. It also counts the loops it was handed: a model whose kernels no
 * longer split their work would pass vacuously, so that is a failure too.
 * The arena is exactly ARENA_BYTES, followed by guard bytes that every run
 * must leave alone.
 *
 * Built next to the artifact with
 *   cc -std=c99 -DMODEL_NAME=lenet -DMODEL_UPPER=LENET
 *      '-DMODEL_HEADER="lenet.h"' -I DIR DIR/lenet.c DIR/lenet_weights.o
 *      parallel_test.c -lpthread -lm
 * usage: parallel_test THREADS...      (e.g. 1 2 3 7)
 * Prints one line per thread count and "N passed, M failed" last. */
#define _POSIX_C_SOURCE 200809L /* posix_memalign */
#include MODEL_HEADER

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define MODEL_FN(sym) CAT(MODEL_NAME, CAT(_, sym))
#define MODEL_MACRO(sym) CAT(MODEL_UPPER, CAT(_, sym))

#define MAX_THREADS 64
#define REPEATS 10 /* enough to catch a racy kernel every time so far */
#define GUARD_BYTES 4096

static int passed, failed;

/* threads: the thread count the check is about, 0 for the serial run. */
static void check(int ok, const char *what, long threads) {
  if (ok) {
    ++passed;
    return;
  }
  ++failed;
  if (threads > 0)
    fprintf(stderr, "FAIL threads %ld: %s\n", threads, what);
  else
    fprintf(stderr, "FAIL %s\n", what);
}

static void *aligned(size_t bytes) {
  void *p = NULL;
  if (posix_memalign(&p, 64, bytes ? bytes : 1) != 0) {
    fprintf(stderr, "parallel_test: out of memory\n");
    exit(2);
  }
  return p;
}

/* What the parallel-for saw over a run. */
typedef struct pool {
  int threads;
  unsigned loops;       /* calls with count > 1 */
  unsigned split_loops; /* of those, the calls whose tasks ran on >1 thread */
  size_t max_count;
  int lost_tasks; /* a call whose tasks did not all run */
} pool;

typedef struct worker {
  modelc_task_fn task;
  void *task_ctx;
  size_t count, done;
  int threads, index;
  pthread_barrier_t *start; /* all threads begin together: tasks overlap */
} worker;

static void *worker_main(void *arg) {
  worker *w = (worker *)arg;
  size_t n = w->count > (size_t)w->index
                 ? (w->count - 1 - (size_t)w->index) / (size_t)w->threads + 1
                 : 0;
  pthread_barrier_wait(w->start);
  while (n-- > 0) {
    w->task(w->task_ctx, (size_t)w->index + n * (size_t)w->threads);
    ++w->done;
  }
  return NULL;
}

static void parallel_for(void *user, size_t count, modelc_task_fn task,
                         void *task_ctx) {
  pool *p = (pool *)user;
  worker w[MAX_THREADS];
  pthread_t tid[MAX_THREADS];
  pthread_barrier_t start;
  size_t done = 0;
  int k, busy = 0;
  if (count > 1)
    ++p->loops;
  if (count > p->max_count)
    p->max_count = count;
  for (k = 0; k < p->threads; ++k) {
    w[k].task = task;
    w[k].task_ctx = task_ctx;
    w[k].count = count;
    w[k].done = 0;
    w[k].threads = p->threads;
    w[k].index = k;
    w[k].start = &start;
  }
  pthread_barrier_init(&start, NULL, (unsigned)p->threads);
  for (k = 1; k < p->threads; ++k)
    if (pthread_create(&tid[k], NULL, worker_main, &w[k]) != 0) {
      fprintf(stderr, "parallel_test: pthread_create failed\n");
      exit(2);
    }
  worker_main(&w[0]);
  for (k = 1; k < p->threads; ++k)
    pthread_join(tid[k], NULL);
  pthread_barrier_destroy(&start);
  for (k = 0; k < p->threads; ++k) {
    done += w[k].done;
    busy += w[k].done > 0;
  }
  if (done != count)
    p->lost_tasks = 1;
  if (count > 1 && busy > 1)
    ++p->split_loops;
}

/* Deterministic inputs: floats in [-1, 1) from splitmix64, other types 0. */
static void fill_input(const modelc_tensor_desc *desc, size_t k,
                       unsigned char *dst) {
  uint64_t s = 0x9e3779b97f4a7c15ull * (uint64_t)(k + 1);
  size_t i, n = desc->bytes / sizeof(float);
  memset(dst, 0, desc->bytes);
  if (desc->dtype != MODELC_DTYPE_FLOAT)
    return;
  for (i = 0; i < n; ++i) {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    float f;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    f = (float)((double)(z >> 40) / 16777216.0 * 2.0 - 1.0);
    memcpy(dst + 4 * i, &f, 4);
  }
}

/* 1 if every float output is finite and not all one value: a serial run that
 * produced nothing useful would make every comparison pass. */
static int meaningful(const modelc_tensor_desc *desc, const void *data) {
  const float *v = (const float *)data;
  size_t i, n = desc->bytes / sizeof(float);
  int varies = n < 2;
  if (desc->dtype != MODELC_DTYPE_FLOAT)
    return 1;
  for (i = 0; i < n; ++i) {
    if (!isfinite(v[i]))
      return 0;
    varies |= v[i] != v[0];
  }
  return varies;
}

int main(int argc, char **argv) {
  const size_t num_in = MODEL_MACRO(NUM_INPUTS),
               num_out = MODEL_MACRO(NUM_OUTPUTS);
  const size_t arena_bytes = MODEL_MACRO(ARENA_BYTES);
  MODEL_FN(context) ctx;
  /* Exactly ARENA_BYTES for the model, then guard bytes it must not touch. */
  unsigned char *arena = (unsigned char *)aligned(arena_bytes + GUARD_BYTES);
  const void **in = (const void **)malloc(sizeof(void *) * (num_in + 1));
  size_t *in_bytes = (size_t *)malloc(sizeof(size_t) * (num_in + 1));
  void **out = (void **)malloc(sizeof(void *) * (num_out + 1));
  void **want = (void **)malloc(sizeof(void *) * (num_out + 1));
  size_t *out_bytes = (size_t *)malloc(sizeof(size_t) * (num_out + 1));
  size_t k;
  int a, r;

  if (MODEL_MACRO(WEIGHTS_EXTERNAL)) {
    fprintf(stderr, "parallel_test: compile the model with embedded weights\n");
    return 2;
  }
  memset(arena + arena_bytes, 0xa5, GUARD_BYTES);
  if (MODEL_FN(init)(&ctx, arena, arena_bytes, NULL, 0) != MODELC_OK) {
    fprintf(stderr, "parallel_test: init failed\n");
    return 2;
  }
  for (k = 0; k < num_in; ++k) {
    void *buffer = aligned(MODEL_FN(inputs)[k].bytes);
    fill_input(&MODEL_FN(inputs)[k], k, (unsigned char *)buffer);
    in[k] = buffer;
    in_bytes[k] = MODEL_FN(inputs)[k].bytes;
  }
  for (k = 0; k < num_out; ++k) {
    out_bytes[k] = MODEL_FN(outputs)[k].bytes;
    out[k] = aligned(out_bytes[k]);
    want[k] = aligned(out_bytes[k]);
  }

  /* The reference: no parallel-for at all. */
  MODEL_FN(set_parallel_for)(&ctx, NULL, NULL);
  check(MODEL_FN(run)(&ctx, in, in_bytes, want, out_bytes) == MODELC_OK,
        "serial run failed", 0);
  for (k = 0; k < num_out; ++k)
    check(meaningful(&MODEL_FN(outputs)[k], want[k]),
          "serial outputs are not finite or do not vary", 0);

  for (a = 1; a < argc; ++a) {
    long threads = strtol(argv[a], NULL, 10);
    pool p;
    int same = 1;
    if (threads < 1 || threads > MAX_THREADS) {
      fprintf(stderr, "parallel_test: bad thread count '%s'\n", argv[a]);
      return 2;
    }
    memset(&p, 0, sizeof p);
    p.threads = (int)threads;
    MODEL_FN(set_parallel_for)(&ctx, parallel_for, &p);
    for (r = 0; r < REPEATS; ++r) {
      for (k = 0; k < num_out; ++k)
        memset(out[k], 0xff, out_bytes[k]); /* NaN: a missed write shows */
      check(MODEL_FN(run)(&ctx, in, in_bytes, out, out_bytes) == MODELC_OK,
            "run failed", threads);
      for (k = 0; k < num_out; ++k)
        if (memcmp(out[k], want[k], out_bytes[k]) != 0) {
          const unsigned char *x = (const unsigned char *)out[k];
          const unsigned char *y = (const unsigned char *)want[k];
          size_t b = 0;
          while (x[b] == y[b])
            ++b;
          fprintf(stderr,
                  "threads %ld, run %d: output %lu differs from the serial "
                  "run first at byte %lu\n",
                  threads, r, (unsigned long)k, (unsigned long)b);
          same = 0;
        }
    }
    check(same, "outputs differ from the serial run", threads);
    check(!p.lost_tasks, "a parallel loop lost tasks", threads);
    check(p.loops > 0, "the model handed no loop of 2+ tasks to parallel_for",
          threads);
    if (threads > 1)
      check(p.split_loops > 0, "no loop ran on more than one thread", threads);
    printf("threads %ld: %s over %d runs, %u parallel loops per run (largest "
           "%lu tasks), %u on several threads\n",
           threads, same ? "bit-identical to serial" : "DIFFERENT", REPEATS,
           p.loops / REPEATS, (unsigned long)p.max_count,
           p.split_loops / REPEATS);
  }

  for (k = 0; k < GUARD_BYTES && arena[arena_bytes + k] == 0xa5; ++k)
    ;
  check(k == GUARD_BYTES, "a run wrote past ARENA_BYTES of the arena", 0);

  printf("%d passed, %d failed\n", passed, failed);
  for (k = 0; k < num_in; ++k)
    free((void *)in[k]);
  for (k = 0; k < num_out; ++k) {
    free(out[k]);
    free(want[k]);
  }
  free(in);
  free(in_bytes);
  free(out);
  free(want);
  free(out_bytes);
  free(arena);
  return failed ? 1 : 0;
}
