
/* ==================================================================================== */
/* Model binding: the C target (init and run on host memory)                           */
/* ==================================================================================== */

struct runner_model {
    MODEL_FN(context) ctx;
    void *arena;
    thread_pool *pool;
    const void **in;
    const size_t *in_bytes;
    void **out;
    const size_t *out_bytes;
};

static runner_model *runner_open(const unsigned char *weights, size_t weights_len, const char *weights_path,
                                 long threads)
{
    const size_t arena_bytes = (size_t)MODEL_MACRO(ARENA_BYTES), weights_bytes = (size_t)MODEL_MACRO(WEIGHTS_BYTES);
    runner_model *m = (runner_model *)xmalloc(sizeof *m);
    modelc_status st;
    memset(m, 0, sizeof *m);
    if (arena_bytes)
        m->arena = xaligned_alloc(arena_bytes);
    st = MODEL_FN(init)(&m->ctx, m->arena, arena_bytes, weights, weights_len);
    if (st != MODELC_OK) {
        if (MODEL_MACRO(WEIGHTS_EXTERNAL) != 0 && weights_len != weights_bytes)
            die("init failed: %s (weights file %s: %lu bytes; the model expects %lu)", MODEL_FN(status_string)(st),
                weights_path, (unsigned long)weights_len, (unsigned long)weights_bytes);
        die("init failed: %s", MODEL_FN(status_string)(st));
    }
    if (threads > 1)
        m->pool = pool_create((int)threads);
    MODEL_FN(set_parallel_for)(&m->ctx, m->pool ? pool_parallel_for : NULL, m->pool);
    return m;
}

static void runner_run(runner_model *m, const void **in, const size_t *in_bytes, void **out,
                       const size_t *out_bytes)
{
    modelc_status st = MODEL_FN(run)(&m->ctx, in, in_bytes, out, out_bytes);
    if (st != MODELC_OK)
        die("run failed: %s", MODEL_FN(status_string)(st));
}

static void runner_bench_begin(runner_model *m, const void **in, const size_t *in_bytes, void **out,
                               const size_t *out_bytes)
{
    m->in = in;
    m->in_bytes = in_bytes;
    m->out = out;
    m->out_bytes = out_bytes;
}

static void runner_bench_step(runner_model *m)
{
    runner_run(m, m->in, m->in_bytes, m->out, m->out_bytes);
}

static void runner_bench_end(runner_model *m, void **out)
{
    (void)m;
    (void)out;
}

static void runner_close(runner_model *m)
{
    pool_destroy(m->pool);
    aligned_free(m->arena);
    free(m);
}
