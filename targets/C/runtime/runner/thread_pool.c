/* runner/thread_pool.c: the persistent pthread pool behind the model's parallel_for
 * (--threads N). */

/* ==================================================================================== */
/* Thread pool: parallel_for                                                            */
/* ==================================================================================== */
/*
 * threads - 1 persistent workers; the calling thread takes part in every loop.
 * A job is published under the mutex with a new generation number; task indices are
 * taken from `state` = generation << 32 | next index with a compare-and-swap, so a worker
 * that wakes up late (after the job it was woken for has finished) cannot take an index
 * of a later job.  The caller returns once `done` == count, without waiting for workers
 * that never got a task.  Idle threads spin briefly before sleeping on a condition
 * variable, unless there are more threads than online CPUs.
 */

#ifndef RUNNER_HAVE_ATOMICS /* -DRUNNER_HAVE_ATOMICS=0 forces the mutex-only pool */
#if defined(__GNUC__) || defined(__clang__)
#define RUNNER_HAVE_ATOMICS 1
#else
#define RUNNER_HAVE_ATOMICS 0 /* everything under the mutex */
#endif
#endif
#if RUNNER_HAVE_ATOMICS
#define ATOMIC_LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define ATOMIC_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define ATOMIC_FETCH_ADD(p, v) __atomic_fetch_add((p), (v), __ATOMIC_ACQ_REL)
#if defined(__x86_64__) || defined(__i386__)
#define CPU_RELAX() __builtin_ia32_pause()
#elif defined(__aarch64__) || defined(__arm__)
#define CPU_RELAX() __asm__ __volatile__("yield" ::: "memory")
#else
#define CPU_RELAX() ((void)0)
#endif
#endif

/* Spin iterations before a waiting thread sleeps. */
#define POOL_SPIN 20000
/* Loops with more tasks than this are run serially (indices are 32-bit in `state`). */
#define POOL_MAX_COUNT ((size_t)0x7fffffff)
#define POOL_NONE ((size_t)-1)

typedef struct thread_pool {
    pthread_t *threads;
    int nworkers;
    int spin;
    pthread_mutex_t mu;
    pthread_cond_t work_cv, done_cv;
    /* current job: written under mu before `generation` changes */
    modelc_task_fn task;
    void *task_ctx;
    size_t count;
    uint32_t generation;
    uint64_t state; /* generation << 32 | next task index */
    size_t done;    /* tasks of the current job that have finished */
    int busy;       /* a parallel_for is in progress: nested or concurrent calls run serially */
    int stop;
} thread_pool;

/* Next task index of job `gen`, or POOL_NONE when that job has no more (or was replaced). */
static size_t pool_take(thread_pool *p, uint32_t gen, size_t count)
{
#if RUNNER_HAVE_ATOMICS
    uint64_t s = ATOMIC_LOAD(&p->state);
    for (;;) {
        if ((uint32_t)(s >> 32) != gen || (size_t)(s & 0xffffffffu) >= count)
            return POOL_NONE;
        if (__atomic_compare_exchange_n(&p->state, &s, s + 1, 1, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            return (size_t)(s & 0xffffffffu);
    }
#else
    size_t i = POOL_NONE;
    pthread_mutex_lock(&p->mu);
    if ((uint32_t)(p->state >> 32) == gen && (size_t)(p->state & 0xffffffffu) < count)
        i = (size_t)(p->state++ & 0xffffffffu);
    pthread_mutex_unlock(&p->mu);
    return i;
#endif
}

static void pool_run_tasks(thread_pool *p, uint32_t gen, modelc_task_fn task, void *ctx, size_t count)
{
    size_t i, d;
    while ((i = pool_take(p, gen, count)) != POOL_NONE) {
        task(ctx, i);
#if RUNNER_HAVE_ATOMICS
        d = ATOMIC_FETCH_ADD(&p->done, (size_t)1) + 1;
        if (d == count) {
            pthread_mutex_lock(&p->mu);
            pthread_cond_signal(&p->done_cv);
            pthread_mutex_unlock(&p->mu);
        }
#else
        pthread_mutex_lock(&p->mu);
        d = ++p->done;
        if (d == count)
            pthread_cond_signal(&p->done_cv);
        pthread_mutex_unlock(&p->mu);
#endif
    }
}

static void *pool_worker(void *arg)
{
    thread_pool *p = (thread_pool *)arg;
    uint32_t seen = 0;
    for (;;) {
        modelc_task_fn task;
        void *ctx;
        size_t count;
#if RUNNER_HAVE_ATOMICS
        {
            int spin;
            for (spin = 0; spin < p->spin; spin++) {
                if (ATOMIC_LOAD(&p->generation) != seen || ATOMIC_LOAD(&p->stop))
                    break;
                CPU_RELAX();
            }
        }
#endif
        pthread_mutex_lock(&p->mu);
        while (p->generation == seen && !p->stop)
            pthread_cond_wait(&p->work_cv, &p->mu);
        if (p->stop) {
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
        seen = p->generation;
        task = p->task;
        ctx = p->task_ctx;
        count = p->count;
        pthread_mutex_unlock(&p->mu);
        pool_run_tasks(p, seen, task, ctx, count);
    }
}

static int pool_enter(thread_pool *p)
{
#if RUNNER_HAVE_ATOMICS
    return __atomic_exchange_n(&p->busy, 1, __ATOMIC_ACQ_REL) == 0;
#else
    int ok;
    pthread_mutex_lock(&p->mu);
    ok = !p->busy;
    p->busy = 1;
    pthread_mutex_unlock(&p->mu);
    return ok;
#endif
}

static void pool_leave(thread_pool *p)
{
#if RUNNER_HAVE_ATOMICS
    ATOMIC_STORE(&p->busy, 0);
#else
    pthread_mutex_lock(&p->mu);
    p->busy = 0;
    pthread_mutex_unlock(&p->mu);
#endif
}

/* modelc_parallel_for_fn: runs task(task_ctx, i) for every i in [0, count) once; returns
 * when all have finished.  Tasks may run on any of the pool's threads, in any order. */
static void pool_parallel_for(void *user, size_t count, modelc_task_fn task, void *task_ctx)
{
    thread_pool *p = (thread_pool *)user;
    uint32_t gen;
    size_t i;
    if (count == 0)
        return;
    if (count == 1 || p->nworkers == 0 || count > POOL_MAX_COUNT || !pool_enter(p)) {
        /* serial: trivial loop, no workers, or called from inside a task (nested) */
        for (i = 0; i < count; i++)
            task(task_ctx, i);
        return;
    }

    pthread_mutex_lock(&p->mu);
    p->task = task;
    p->task_ctx = task_ctx;
    p->count = count;
    gen = p->generation + 1;
    if (gen == 0)
        gen = 1; /* 0 is the workers' initial "seen" */
#if RUNNER_HAVE_ATOMICS
    ATOMIC_STORE(&p->done, (size_t)0);
    ATOMIC_STORE(&p->state, (uint64_t)gen << 32);
    ATOMIC_STORE(&p->generation, gen);
#else
    p->done = 0;
    p->state = (uint64_t)gen << 32;
    p->generation = gen;
#endif
    pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->mu);

    pool_run_tasks(p, gen, task, task_ctx, count);

#if RUNNER_HAVE_ATOMICS
    {
        int spin;
        for (spin = 0; spin < p->spin && ATOMIC_LOAD(&p->done) < count; spin++)
            CPU_RELAX();
    }
    pthread_mutex_lock(&p->mu);
    while (ATOMIC_LOAD(&p->done) < count)
        pthread_cond_wait(&p->done_cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
#else
    pthread_mutex_lock(&p->mu);
    while (p->done < count)
        pthread_cond_wait(&p->done_cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
#endif
    pool_leave(p);
}

static thread_pool *pool_create(int threads)
{
    thread_pool *p = (thread_pool *)xmalloc(sizeof *p);
    long cpus = 0;
    int i, rc;
    memset(p, 0, sizeof *p);
    p->nworkers = threads - 1;
#ifdef _SC_NPROCESSORS_ONLN
    cpus = sysconf(_SC_NPROCESSORS_ONLN);
#endif
    /* spinning only pays when every thread has a CPU of its own */
    p->spin = (cpus <= 0 || threads <= cpus) ? POOL_SPIN : 0;
    if (getenv("RUNNER_SPIN"))
        p->spin = atoi(getenv("RUNNER_SPIN"));
    if (pthread_mutex_init(&p->mu, NULL) || pthread_cond_init(&p->work_cv, NULL) ||
        pthread_cond_init(&p->done_cv, NULL))
        die("cannot initialise the thread pool");
    p->threads = (pthread_t *)xmalloc(sizeof(pthread_t) * (size_t)(p->nworkers ? p->nworkers : 1));
    for (i = 0; i < p->nworkers; i++) {
        rc = pthread_create(&p->threads[i], NULL, pool_worker, p);
        if (rc != 0)
            die("cannot create thread %d of %d: %s", i + 2, threads, strerror(rc));
    }
    return p;
}

static void pool_destroy(thread_pool *p)
{
    int i;
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
#if RUNNER_HAVE_ATOMICS
    ATOMIC_STORE(&p->stop, 1);
#else
    p->stop = 1;
#endif
    pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->mu);
    for (i = 0; i < p->nworkers; i++)
        pthread_join(p->threads[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->work_cv);
    pthread_cond_destroy(&p->done_cv);
    free(p->threads);
    free(p);
}
