/* runner/main.c: the command line (usage, option parsing), --info and --print
 * output, and main: weights, inputs, run or --bench timing, outputs. */

/* ==================================================================================== */
/* Command line                                                                         */
/* ==================================================================================== */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: runner --inputs DIR --outputs DIR [--weights FILE] [--threads N]\n"
            "              [--bench] [--iterations N] [--warmup N] [--info]\n"
            "  --inputs DIR      read DIR/input_K.pb (ONNX TensorProto), K = 0..inputs-1\n"
            "  --outputs DIR     write DIR/output_K.pb (created if missing)\n"
            "  --weights FILE    weights file, for models compiled with external weights\n"
            "  --synthetic-weights SEED\n"
            "                    instead of --weights: fill the external weights with the\n"
            "                    documented deterministic generator (for benchmarks and for\n"
            "                    comparing targets without shipping the weights)\n"
            "  --threads N       threads for the model's parallel loops (default 1)\n"
            "  --bench           time the model; prints one JSON line on stdout. Without\n"
            "                    --inputs, inputs are pseudo-random (floats in [-1,1), ints 0);\n"
            "                    without --outputs, nothing is written\n"
            "  --iterations N    timed runs in --bench mode (default 50)\n"
            "  --warmup N        untimed runs before them (default 10)\n"
            "  --info            print the model's inputs and outputs and exit\n"
            "  --print           print each output (first values, and the index of the\n"
            "                    largest value of a float output)\n");
}

static long parse_count(const char *opt, const char *v, long lo, long hi)
{
    char *end;
    long n;
    errno = 0;
    n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < lo || n > hi)
        die("%s: expected an integer in [%ld, %ld], got '%s'", opt, lo, hi, v);
    return n;
}

static void ensure_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            die("--outputs %s is not a directory", dir);
        return;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        die("cannot create output directory %s: %s", dir, strerror(errno));
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y ? 1 : 0;
}

static void print_desc(const char *kind, size_t k, const modelc_tensor_desc *d)
{
    char buf[512];
    printf("%s %lu %s %s %lu bytes", kind, (unsigned long)k, d->name ? d->name : "",
           format_type(buf, sizeof buf, (int)d->dtype, d->rank, d->dims), (unsigned long)d->bytes);
    if (d->scale != 0.0f || d->zero_point != 0)
        printf(" scale=%g zero_point=%ld", (double)d->scale, (long)d->zero_point);
    printf("\n");
}

/* Prints an output tensor's first values; for float tensors also the index
 * of the largest value (a classifier's answer). */
static void print_output(size_t k, const modelc_tensor_desc *d, const void *data)
{
    char buf[512];
    size_t count = 1, shown, j, best = 0;
    int32_t r;
    for (r = 0; r < d->rank; r++)
        count *= (size_t)d->dims[r];
    printf("output %lu %s %s:", (unsigned long)k, d->name ? d->name : "",
           format_type(buf, sizeof buf, (int)d->dtype, d->rank, d->dims));
    shown = count < 16 ? count : 16;
    for (j = 0; j < shown; j++) {
        if (d->dtype == MODELC_DTYPE_FLOAT)
            printf(" %.6g", (double)((const float *)data)[j]);
        else if (d->dtype == MODELC_DTYPE_INT64)
            printf(" %lld", (long long)((const int64_t *)data)[j]);
        else if (d->dtype == MODELC_DTYPE_INT32)
            printf(" %ld", (long)((const int32_t *)data)[j]);
        else
            printf(" %u", (unsigned)((const unsigned char *)data)[j]);
    }
    printf("%s\n", count > shown ? " ..." : "");
    if (d->dtype == MODELC_DTYPE_FLOAT && count > 0) {
        const float *v = (const float *)data;
        for (j = 1; j < count; j++)
            if (v[j] > v[best])
                best = j;
        printf("output %lu argmax %lu (value %.6g)\n", (unsigned long)k, (unsigned long)best, (double)v[best]);
    }
}

int main(int argc, char **argv)
{
    const char *in_dir = NULL, *out_dir = NULL, *weights_path = NULL, *synthetic_seed = NULL;
    long threads = 1, iterations = 50, warmup = 10;
    int bench = 0, info = 0, print = 0, i;
    const size_t n_in = (size_t)MODEL_MACRO(NUM_INPUTS), n_out = (size_t)MODEL_MACRO(NUM_OUTPUTS);
    const size_t arena_bytes = (size_t)MODEL_MACRO(ARENA_BYTES), weights_bytes = (size_t)MODEL_MACRO(WEIGHTS_BYTES);
    const int weights_external = MODEL_MACRO(WEIGHTS_EXTERNAL) != 0;
    const modelc_tensor_desc *in_desc = MODEL_FN(inputs), *out_desc = MODEL_FN(outputs);
    const void **in_ptrs;
    void **out_ptrs;
    size_t *in_bytes, *out_bytes, k;
    unsigned char *weights = NULL;
    size_t weights_len = 0;
    runner_model *model;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL, *eq;
        char opt[32];
        size_t olen;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (strncmp(a, "--", 2) != 0)
            die("unexpected argument '%s' (see --help)", a);
        eq = strchr(a, '=');
        olen = eq ? (size_t)(eq - a) : strlen(a);
        if (olen >= sizeof opt)
            die("unknown option '%s' (see --help)", a);
        memcpy(opt, a, olen);
        opt[olen] = 0;
        if (strcmp(opt, "--bench") == 0 || strcmp(opt, "--info") == 0 || strcmp(opt, "--print") == 0) {
            if (eq)
                die("%s takes no value", opt);
            if (opt[2] == 'b')
                bench = 1;
            else if (opt[2] == 'i')
                info = 1;
            else
                print = 1;
            continue;
        }
        if (strcmp(opt, "--inputs") && strcmp(opt, "--outputs") && strcmp(opt, "--weights") &&
            strcmp(opt, "--threads") && strcmp(opt, "--iterations") && strcmp(opt, "--warmup") &&
            strcmp(opt, "--synthetic-weights"))
            die("unknown option '%s' (see --help)", a);
        if (eq)
            val = eq + 1;
        else if (i + 1 < argc)
            val = argv[++i];
        else
            die("%s needs a value", opt);
        if (strcmp(opt, "--inputs") == 0)
            in_dir = val;
        else if (strcmp(opt, "--outputs") == 0)
            out_dir = val;
        else if (strcmp(opt, "--weights") == 0)
            weights_path = val;
        else if (strcmp(opt, "--synthetic-weights") == 0)
            synthetic_seed = val;
        else if (strcmp(opt, "--threads") == 0)
            threads = parse_count(opt, val, 1, 1024);
        else if (strcmp(opt, "--iterations") == 0)
            iterations = parse_count(opt, val, 1, 100000000L);
        else
            warmup = parse_count(opt, val, 0, 100000000L);
    }

    if (info) {
        printf("inputs %lu outputs %lu arena_bytes %lu weights_bytes %lu weights_external %d\n", (unsigned long)n_in,
               (unsigned long)n_out, (unsigned long)arena_bytes, (unsigned long)weights_bytes, weights_external);
        for (k = 0; k < n_in; k++)
            print_desc("input", k, &in_desc[k]);
        for (k = 0; k < n_out; k++)
            print_desc("output", k, &out_desc[k]);
        return 0;
    }
    if (!bench && !in_dir)
        die("--inputs DIR is required (except with --bench)");
    if (!bench && !out_dir)
        die("--outputs DIR is required (except with --bench)");

    /* Weights */
    if (synthetic_seed) {
        char *end = NULL;
        unsigned long long seed;
        errno = 0;
        seed = strtoull(synthetic_seed, &end, 10);
        if (errno || !end || *end || !*synthetic_seed)
            die("--synthetic-weights expects a non-negative integer seed, got '%s'", synthetic_seed);
        if (!weights_external)
            die("--synthetic-weights needs a model compiled with --weights=external");
        if (weights_path)
            die("--synthetic-weights and --weights exclude each other");
        weights = synthetic_weights((uint64_t)seed, &weights_len);
    } else if (weights_external) {
        if (!weights_path)
            die("this model keeps its weights in a separate file (%lu bytes): pass --weights FILE",
                (unsigned long)weights_bytes);
        weights = read_file(weights_path, &weights_len, "weights file");
    } else if (weights_path) {
        die("--weights given, but this model embeds its weights");
    }

    /* Model */
    model = runner_open(weights, weights_len, weights_path, threads);

    /* Buffers */
    in_ptrs = (const void **)xmalloc(sizeof(void *) * (n_in ? n_in : 1));
    in_bytes = (size_t *)xmalloc(sizeof(size_t) * (n_in ? n_in : 1));
    out_ptrs = (void **)xmalloc(sizeof(void *) * (n_out ? n_out : 1));
    out_bytes = (size_t *)xmalloc(sizeof(size_t) * (n_out ? n_out : 1));
    for (k = 0; k < n_in; k++) {
        in_ptrs[k] = in_dir ? load_input(in_dir, k, &in_desc[k]) : synthetic_input(&in_desc[k], k);
        in_bytes[k] = in_desc[k].bytes;
    }
    for (k = 0; k < n_out; k++) {
        out_ptrs[k] = xaligned_alloc(out_desc[k].bytes);
        out_bytes[k] = out_desc[k].bytes;
    }

    if (!bench) {
        runner_run(model, in_ptrs, in_bytes, out_ptrs, out_bytes);
    } else {
        double *t = (double *)xmalloc(sizeof(double) * (size_t)iterations);
        double median, p90;
        long it;
        size_t p90_index;
        runner_bench_begin(model, in_ptrs, in_bytes, out_ptrs, out_bytes);
        for (it = 0; it < warmup; it++)
            runner_bench_step(model);
        for (it = 0; it < iterations; it++) {
            double t0 = now_ms();
            runner_bench_step(model);
            t[it] = now_ms() - t0;
        }
        runner_bench_end(model, out_ptrs);
        qsort(t, (size_t)iterations, sizeof(double), cmp_double);
        median = iterations % 2 ? t[iterations / 2] : 0.5 * (t[iterations / 2 - 1] + t[iterations / 2]);
        p90_index = (size_t)((9 * iterations + 9) / 10); /* nearest rank: ceil(0.9 n) */
        p90 = t[p90_index - 1];
        printf("{\"median_ms\":%.6f,\"p90_ms\":%.6f,\"min_ms\":%.6f,\"iterations\":%ld,\"threads\":%ld,"
               "\"arena_bytes\":%lu,\"weights_bytes\":%lu}\n",
               median, p90, t[0], iterations, threads, (unsigned long)arena_bytes, (unsigned long)weights_bytes);
        fflush(stdout);
        free(t);
    }

    if (print)
        for (k = 0; k < n_out; k++)
            print_output(k, &out_desc[k], out_ptrs[k]);
    if (out_dir) {
        ensure_dir(out_dir);
        for (k = 0; k < n_out; k++)
            write_output(out_dir, k, &out_desc[k], out_ptrs[k]);
    }

    runner_close(model);
    for (k = 0; k < n_in; k++)
        aligned_free((void *)in_ptrs[k]);
    for (k = 0; k < n_out; k++)
        aligned_free(out_ptrs[k]);
    free(in_ptrs);
    free(in_bytes);
    free(out_ptrs);
    free(out_bytes);
    aligned_free(weights);
    if (fflush(stdout) != 0)
        die("cannot write to stdout");
    return 0;
}
