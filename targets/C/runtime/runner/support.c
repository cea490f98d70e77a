/* runner/support.c: die, aligned and checked allocation, whole-file read and write,
 * path_join, host byte order and byte swapping, the monotonic clock. */

/* ==================================================================================== */
/* Utilities                                                                            */
/* ==================================================================================== */

static void die(const char *fmt, ...)
{
    va_list ap;
    fputs("runner: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

/* malloc with RUNNER_ALIGN alignment (C99 has no aligned allocator); never returns NULL. */
static void *xaligned_alloc(size_t bytes)
{
    size_t total;
    unsigned char *raw, *p;
    if (bytes > (size_t)-1 - RUNNER_ALIGN - sizeof(void *))
        die("out of memory (%lu bytes requested)", (unsigned long)bytes);
    total = bytes + RUNNER_ALIGN + sizeof(void *);
    raw = (unsigned char *)malloc(total);
    if (!raw)
        die("out of memory (%lu bytes requested)", (unsigned long)bytes);
    p = raw + sizeof(void *);
    p += (RUNNER_ALIGN - ((uintptr_t)p % RUNNER_ALIGN)) % RUNNER_ALIGN;
    memcpy(p - sizeof(void *), &raw, sizeof(void *));
    memset(p, 0, bytes);
    return p;
}

static void aligned_free(void *p)
{
    void *raw;
    if (!p)
        return;
    memcpy(&raw, (unsigned char *)p - sizeof(void *), sizeof(void *));
    free(raw);
}

static void *xmalloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    if (!p)
        die("out of memory (%lu bytes requested)", (unsigned long)bytes);
    return p;
}

/* Reads a whole file into a RUNNER_ALIGN-aligned buffer (plus one spare byte). */
static unsigned char *read_file(const char *path, size_t *size_out, const char *what)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 1 << 16, len = 0;
    unsigned char *buf;
    if (!f)
        die("cannot open %s %s: %s", what, path, strerror(errno));
    if (fseek(f, 0, SEEK_END) == 0) {
        long end = ftell(f);
        if (end >= 0)
            cap = (size_t)end + 1;
        rewind(f);
    }
    buf = (unsigned char *)xaligned_alloc(cap);
    for (;;) {
        size_t n;
        if (len == cap) { /* grew while reading, or not seekable */
            unsigned char *nb = (unsigned char *)xaligned_alloc(cap * 2);
            memcpy(nb, buf, len);
            aligned_free(buf);
            buf = nb;
            cap *= 2;
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            if (ferror(f))
                die("cannot read %s %s: %s", what, path, strerror(errno));
            break;
        }
    }
    fclose(f);
    *size_out = len;
    return buf;
}

static void write_file(const char *path, const unsigned char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        die("cannot create %s: %s", path, strerror(errno));
    if ((len && fwrite(data, 1, len, f) != len) || fclose(f) != 0)
        die("cannot write %s: %s", path, strerror(errno));
}

static char *path_join(const char *dir, const char *file)
{
    size_t a = strlen(dir), b = strlen(file);
    char *p = (char *)xmalloc(a + b + 2);
    memcpy(p, dir, a);
    if (a && dir[a - 1] != '/')
        p[a++] = '/';
    memcpy(p + a, file, b + 1);
    return p;
}

static int host_is_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char c;
    memcpy(&c, &one, 1);
    return c == 1;
}

static void byteswap_elements(unsigned char *p, size_t count, size_t elem)
{
    size_t i, j;
    if (elem < 2)
        return;
    for (i = 0; i < count; i++, p += elem)
        for (j = 0; j < elem / 2; j++) {
            unsigned char t = p[j];
            p[j] = p[elem - 1 - j];
            p[elem - 1 - j] = t;
        }
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}
