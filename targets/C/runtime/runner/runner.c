/*
 * modelc C target: model-generic command-line runner (template).
 *
 * The compiler writes NAME_runner.c as
 *     #include "NAME.h"
 *     #define MODEL_FN(sym) NAME_##sym
 *     #define MODEL_MACRO(sym) UPPERNAME_##sym
 * followed by the verbatim text of this file, and it is built with
 *     cc -std=c99 -O2 -Wall -Wextra NAME.c NAME_runner.c [weights.o] -lm -lpthread
 *
 * usage: runner --inputs DIR --outputs DIR [--weights FILE] [--threads N]
 *               [--bench] [--iterations N] [--warmup N] [--info]
 * See README.md next to this file.
 *
 * MODEL_MACRO(X) is only used in ordinary expressions (never in #if).
 * Tensors are exchanged as ONNX TensorProto files (input_K.pb / output_K.pb), read and
 * written by the small protobuf wire-format code below.
 */

/* ---- POSIX feature selection ------------------------------------------------------ *
 * NAME.h is included before this text and pulls in <stdint.h>, which on glibc already
 * evaluated <features.h> in strict -std=c99 mode (no POSIX).  Define _POSIX_C_SOURCE
 * now and let glibc recompute its feature set so that clock_gettime, mkdir, ... are
 * declared.  (Other C libraries test _POSIX_C_SOURCE in each header.)  A generator
 * that puts "#define _POSIX_C_SOURCE 200809L" before the #include skips all of this. */
#if !defined(_POSIX_C_SOURCE) || (_POSIX_C_SOURCE + 0) < 200809L
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#if defined(__GLIBC__) && defined(_FEATURES_H)
#undef _FEATURES_H
#include <features.h>
#endif
#endif

#include <errno.h>
#include <math.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* The model binding: how this runner opens, runs and times the model. The
 * target appends its definitions after this text (C: init and run on host
 * memory; CUDA: a context, and device buffers for timing). Each dies with a
 * message on failure. */
typedef struct runner_model runner_model;
static runner_model *runner_open(const unsigned char *weights, size_t weights_len, const char *weights_path,
                                 long threads);
static void runner_run(runner_model *m, const void **in, const size_t *in_bytes, void **out,
                       const size_t *out_bytes);
/* Timed runs use the buffers given here; runner_bench_end leaves the last
 * outputs in `out`. */
static void runner_bench_begin(runner_model *m, const void **in, const size_t *in_bytes, void **out,
                               const size_t *out_bytes);
static void runner_bench_step(runner_model *m);
static void runner_bench_end(runner_model *m, void **out);
static void runner_close(runner_model *m);

/* The runner was written for ABI version 1 of the generated header. */
typedef char runner_abi_version_check[(MODEL_MACRO(ABI_VERSION) == 1) ? 1 : -1];

#define RUNNER_ALIGN 64
#define RUNNER_MAX_RANK 64

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

/* ==================================================================================== */
/* Data types                                                                           */
/* ==================================================================================== */

static size_t dtype_size(int dt)
{
    switch (dt) {
    case MODELC_DTYPE_FLOAT: return 4;
    case MODELC_DTYPE_UINT8: return 1;
    case MODELC_DTYPE_INT8: return 1;
    case MODELC_DTYPE_UINT16: return 2;
    case MODELC_DTYPE_INT16: return 2;
    case MODELC_DTYPE_INT32: return 4;
    case MODELC_DTYPE_INT64: return 8;
    case MODELC_DTYPE_BOOL: return 1;
    case MODELC_DTYPE_FLOAT16: return 2;
    case MODELC_DTYPE_DOUBLE: return 8;
    case MODELC_DTYPE_UINT32: return 4;
    case MODELC_DTYPE_UINT64: return 8;
    case MODELC_DTYPE_BFLOAT16: return 2;
    default: return 0;
    }
}

static const char *dtype_name(int dt)
{
    static char buf[32];
    switch (dt) {
    case MODELC_DTYPE_FLOAT: return "float";
    case MODELC_DTYPE_UINT8: return "uint8";
    case MODELC_DTYPE_INT8: return "int8";
    case MODELC_DTYPE_UINT16: return "uint16";
    case MODELC_DTYPE_INT16: return "int16";
    case MODELC_DTYPE_INT32: return "int32";
    case MODELC_DTYPE_INT64: return "int64";
    case 8: return "string";
    case MODELC_DTYPE_BOOL: return "bool";
    case MODELC_DTYPE_FLOAT16: return "float16";
    case MODELC_DTYPE_DOUBLE: return "double";
    case MODELC_DTYPE_UINT32: return "uint32";
    case MODELC_DTYPE_UINT64: return "uint64";
    case 14: return "complex64";
    case 15: return "complex128";
    case MODELC_DTYPE_BFLOAT16: return "bfloat16";
    default:
        sprintf(buf, "dtype(%d)", dt);
        return buf;
    }
}

/* "float[1,3,224,224]" into buf (truncated if needed). */
static const char *format_type(char *buf, size_t cap, int dt, int rank, const int64_t *dims)
{
    size_t n;
    int i;
    n = (size_t)snprintf(buf, cap, "%s[", dtype_name(dt));
    for (i = 0; i < rank && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%lld", i ? "," : "", (long long)dims[i]);
    if (n < cap)
        snprintf(buf + n, cap - n, "]");
    return buf;
}

/* Number of elements; 0 with *ok = 0 on negative dims or overflow. */
static size_t element_count(int rank, const int64_t *dims, int *ok)
{
    size_t n = 1;
    int i;
    *ok = 1;
    for (i = 0; i < rank; i++) {
        if (dims[i] < 0) {
            *ok = 0;
            return 0;
        }
        if (dims[i] != 0 && n > ((size_t)-1 / 16) / (size_t)dims[i]) {
            *ok = 0;
            return 0;
        }
        n *= (size_t)dims[i];
    }
    return n;
}

/* IEEE binary32 -> binary16 / bfloat16 bits, round to nearest even. */
static uint16_t float_to_half(float f)
{
    uint32_t x, sign, mant;
    int32_t exp;
    memcpy(&x, &f, 4);
    sign = (x >> 16) & 0x8000u;
    exp = (int32_t)((x >> 23) & 0xff);
    mant = x & 0x7fffffu;
    if (exp == 0xff)
        return (uint16_t)(sign | 0x7c00u | (mant ? 0x200u : 0));
    exp = exp - 127 + 15;
    if (exp >= 31)
        return (uint16_t)(sign | 0x7c00u);
    if (exp <= 0) {
        uint32_t shift, half, rest, m;
        if (exp < -10)
            return (uint16_t)sign;
        mant |= 0x800000u;
        shift = (uint32_t)(14 - exp);
        m = mant >> shift;
        rest = mant & ((1u << shift) - 1);
        half = 1u << (shift - 1);
        if (rest > half || (rest == half && (m & 1)))
            m++;
        return (uint16_t)(sign | m);
    }
    {
        uint32_t h = sign | ((uint32_t)exp << 10) | (mant >> 13);
        uint32_t rest = mant & 0x1fffu;
        if (rest > 0x1000u || (rest == 0x1000u && (h & 1)))
            h++; /* may carry into the exponent: correct */
        return (uint16_t)h;
    }
}

static uint16_t float_to_bfloat16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    if ((x & 0x7fffffffu) > 0x7f800000u)
        return (uint16_t)((x >> 16) | 0x40u);
    x += 0x7fffu + ((x >> 16) & 1u);
    return (uint16_t)(x >> 16);
}

/* ==================================================================================== */
/* Protobuf wire format: TensorProto                                                    */
/* ==================================================================================== */

enum {
    TP_DIMS = 1, TP_DATA_TYPE = 2, TP_SEGMENT = 3, TP_FLOAT_DATA = 4, TP_INT32_DATA = 5,
    TP_STRING_DATA = 6, TP_INT64_DATA = 7, TP_NAME = 8, TP_RAW_DATA = 9, TP_DOUBLE_DATA = 10,
    TP_UINT64_DATA = 11, TP_EXTERNAL_DATA = 13, TP_DATA_LOCATION = 14
};
enum { WT_VARINT = 0, WT_FIXED64 = 1, WT_LEN = 2, WT_FIXED32 = 5 };

typedef struct pb_reader {
    const unsigned char *p, *end;
} pb_reader;

/* All readers return 0 on success, -1 on malformed input. */
static int pb_varint(pb_reader *r, uint64_t *out)
{
    uint64_t v = 0;
    int shift;
    for (shift = 0; shift < 70; shift += 7) {
        unsigned char c;
        if (r->p >= r->end)
            return -1;
        c = *r->p++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

static int pb_bytes(pb_reader *r, const unsigned char **data, size_t *len)
{
    uint64_t n;
    if (pb_varint(r, &n) != 0 || n > (uint64_t)(r->end - r->p))
        return -1;
    *data = r->p;
    *len = (size_t)n;
    r->p += n;
    return 0;
}

static int pb_skip(pb_reader *r, int wt)
{
    uint64_t v;
    const unsigned char *d;
    size_t n;
    switch (wt) {
    case WT_VARINT: return pb_varint(r, &v);
    case WT_FIXED64:
        if (r->end - r->p < 8)
            return -1;
        r->p += 8;
        return 0;
    case WT_LEN: return pb_bytes(r, &d, &n);
    case WT_FIXED32:
        if (r->end - r->p < 4)
            return -1;
        r->p += 4;
        return 0;
    default: return -1; /* groups (3, 4) and reserved types */
    }
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

typedef struct pb_tensor {
    int data_type;
    int rank;
    int64_t dims[RUNNER_MAX_RANK];
    char name[256];
    const unsigned char *raw;
    size_t raw_len;
    int has_raw;
    size_t count[16]; /* values seen per typed field number (4, 5, 6, 7, 10, 11) */
    int external;
} pb_tensor;

/* Stores one value of typed field `field` as element `index` of dst (element type dt). */
static void store_value(unsigned char *dst, size_t index, int dt, int field, uint64_t bits)
{
    size_t es = dtype_size(dt);
    unsigned char *p = dst + index * es;
    switch (field) {
    case TP_FLOAT_DATA: {
        uint32_t u = (uint32_t)bits;
        memcpy(p, &u, 4);
        break;
    }
    case TP_DOUBLE_DATA:
        memcpy(p, &bits, 8);
        break;
    case TP_INT64_DATA: {
        int64_t v = (int64_t)bits;
        memcpy(p, &v, 8);
        break;
    }
    case TP_UINT64_DATA:
        if (dt == MODELC_DTYPE_UINT32) {
            uint32_t v = (uint32_t)bits;
            memcpy(p, &v, 4);
        } else {
            memcpy(p, &bits, 8);
        }
        break;
    case TP_INT32_DATA: {
        /* int32 fields are sign-extended varints; the low 32 bits hold the value. */
        uint32_t u = (uint32_t)bits;
        if (es == 1) {
            unsigned char c = (unsigned char)(u & 0xffu);
            if (dt == MODELC_DTYPE_BOOL)
                c = (unsigned char)(u != 0);
            *p = c;
        } else if (es == 2) {
            uint16_t h = (uint16_t)(u & 0xffffu);
            memcpy(p, &h, 2);
        } else {
            memcpy(p, &u, 4);
        }
        break;
    }
    default:
        break;
    }
}

/* The typed field that carries values of dtype dt (0: none). */
static int typed_field_for(int dt)
{
    switch (dt) {
    case MODELC_DTYPE_FLOAT: return TP_FLOAT_DATA;
    case MODELC_DTYPE_UINT8: case MODELC_DTYPE_INT8: case MODELC_DTYPE_UINT16:
    case MODELC_DTYPE_INT16: case MODELC_DTYPE_INT32: case MODELC_DTYPE_BOOL:
    case MODELC_DTYPE_FLOAT16: case MODELC_DTYPE_BFLOAT16: return TP_INT32_DATA;
    case MODELC_DTYPE_INT64: return TP_INT64_DATA;
    case MODELC_DTYPE_DOUBLE: return TP_DOUBLE_DATA;
    case MODELC_DTYPE_UINT32: case MODELC_DTYPE_UINT64: return TP_UINT64_DATA;
    default: return 0;
    }
}

/* Walks a TensorProto.  With dst == NULL, fills the header fields and value counts of t;
 * otherwise stores the values of field `want` (in order) into dst, which holds `capacity`
 * elements of t->data_type.  Returns NULL or a message. */
static const char *pb_walk_tensor(const unsigned char *buf, size_t len, pb_tensor *t,
                                  unsigned char *dst, size_t capacity, int want)
{
    pb_reader r;
    size_t written = 0;
    r.p = buf;
    r.end = buf + len;
    while (r.p < r.end) {
        uint64_t key, v;
        int field, wt;
        if (pb_varint(&r, &key) != 0)
            return "malformed protobuf (bad field key)";
        field = (int)(key >> 3);
        wt = (int)(key & 7);
        if (key >> 3 > INT_MAX || field == 0)
            return "malformed protobuf (bad field number)";
        switch (field) {
        case TP_DIMS: case TP_INT32_DATA: case TP_INT64_DATA: case TP_UINT64_DATA: {
            /* repeated varint fields, packed (wire type 2) or not (0) */
            pb_reader sub;
            if (wt == WT_LEN) {
                const unsigned char *d;
                size_t n;
                if (pb_bytes(&r, &d, &n) != 0)
                    return "malformed protobuf (truncated packed field)";
                sub.p = d;
                sub.end = d + n;
            } else if (wt == WT_VARINT) {
                sub = r;
            } else {
                return "malformed protobuf (wrong wire type for a varint field)";
            }
            do {
                if (pb_varint(&sub, &v) != 0)
                    return "malformed protobuf (bad varint)";
                if (field == TP_DIMS) {
                    if (!dst) {
                        if (t->rank >= RUNNER_MAX_RANK)
                            return "tensor rank too large";
                        t->dims[t->rank++] = (int64_t)v;
                    }
                } else if (!dst) {
                    t->count[field]++;
                } else if (field == want) {
                    if (written >= capacity)
                        return "more values than elements";
                    store_value(dst, written++, t->data_type, field, v);
                }
            } while (wt == WT_LEN && sub.p < sub.end);
            if (wt == WT_VARINT)
                r = sub;
            break;
        }
        case TP_FLOAT_DATA: case TP_DOUBLE_DATA: {
            /* repeated fixed32 / fixed64, packed (wire type 2) or not (5 / 1) */
            size_t es = field == TP_FLOAT_DATA ? 4 : 8;
            const unsigned char *d;
            size_t n, i;
            if (wt == WT_LEN) {
                if (pb_bytes(&r, &d, &n) != 0)
                    return "malformed protobuf (truncated packed field)";
                if (n % es)
                    return "malformed protobuf (packed fixed-size field of odd length)";
            } else if (wt == (es == 4 ? WT_FIXED32 : WT_FIXED64)) {
                if ((size_t)(r.end - r.p) < es)
                    return "malformed protobuf (truncated value)";
                d = r.p;
                n = es;
                r.p += es;
            } else {
                return "malformed protobuf (wrong wire type for float_data/double_data)";
            }
            for (i = 0; i < n; i += es) {
                if (!dst) {
                    t->count[field]++;
                } else if (field == want) {
                    if (written >= capacity)
                        return "more values than elements";
                    store_value(dst, written++, t->data_type, field, es == 4 ? le32(d + i) : le64(d + i));
                }
            }
            break;
        }
        case TP_DATA_TYPE: case TP_DATA_LOCATION:
            if (wt != WT_VARINT || pb_varint(&r, &v) != 0)
                return "malformed protobuf (bad data_type/data_location)";
            if (!dst) {
                if (field == TP_DATA_TYPE)
                    t->data_type = (int)v;
                else if (v == 1)
                    t->external = 1;
            }
            break;
        case TP_NAME: case TP_RAW_DATA: case TP_STRING_DATA: {
            const unsigned char *d;
            size_t n;
            if (wt != WT_LEN || pb_bytes(&r, &d, &n) != 0)
                return "malformed protobuf (bad length-delimited field)";
            if (dst)
                break;
            if (field == TP_NAME) {
                size_t m = n < sizeof t->name - 1 ? n : sizeof t->name - 1;
                memcpy(t->name, d, m);
                t->name[m] = 0;
            } else if (field == TP_RAW_DATA) {
                t->raw = d; /* last one wins, as in protobuf */
                t->raw_len = n;
                t->has_raw = 1;
            } else {
                t->count[TP_STRING_DATA]++;
            }
            break;
        }
        default: /* segment (3), doc_string (12), external_data (13), unknown fields */
            if (pb_skip(&r, wt) != 0)
                return "malformed protobuf (cannot skip field)";
            break;
        }
    }
    if (dst && written != capacity)
        return "fewer values than elements";
    return NULL;
}

/* Reads DIR/input_K.pb and checks it against desc; returns an aligned buffer of desc->bytes. */
static void *load_input(const char *dir, size_t k, const modelc_tensor_desc *desc)
{
    char fname[64], want[512], got[512];
    char *path;
    unsigned char *file, *dst;
    size_t len, nelem, es;
    pb_tensor t;
    const char *err;
    int ok, i, same;

    sprintf(fname, "input_%lu.pb", (unsigned long)k);
    path = path_join(dir, fname);
    file = read_file(path, &len, "input file");
    memset(&t, 0, sizeof t);
    err = pb_walk_tensor(file, len, &t, NULL, 0, 0);
    if (err)
        die("input %lu '%s' (%s): %s", (unsigned long)k, desc->name, path, err);
    if (t.external)
        die("input %lu '%s' (%s): tensors with external data are not supported", (unsigned long)k, desc->name, path);
    if (t.data_type == 8 || t.count[TP_STRING_DATA])
        die("input %lu '%s' (%s): string tensors are not supported", (unsigned long)k, desc->name, path);

    same = t.data_type == (int)desc->dtype && t.rank == desc->rank;
    for (i = 0; same && i < t.rank; i++)
        same = t.dims[i] == desc->dims[i];
    if (!same)
        die("input %lu '%s' (%s): expected %s, got %s", (unsigned long)k, desc->name, path,
            format_type(want, sizeof want, (int)desc->dtype, desc->rank, desc->dims),
            format_type(got, sizeof got, t.data_type, t.rank, t.dims));

    es = dtype_size(t.data_type);
    nelem = element_count(t.rank, t.dims, &ok);
    if (!ok || es == 0 || nelem * es != desc->bytes)
        die("input %lu '%s': descriptor says %lu bytes, which does not match %s", (unsigned long)k,
            desc->name, (unsigned long)desc->bytes, format_type(want, sizeof want, t.data_type, t.rank, t.dims));

    dst = (unsigned char *)xaligned_alloc(desc->bytes);
    {
        int want_field = typed_field_for(t.data_type), f;
        size_t typed = 0;
        for (f = 0; f < 16; f++) {
            if (t.count[f] && f != want_field)
                die("input %lu '%s' (%s): %s tensor carries values in TensorProto field %d", (unsigned long)k,
                    desc->name, path, dtype_name(t.data_type), f);
            typed += t.count[f];
        }
        if (t.has_raw) {
            if (typed)
                die("input %lu '%s' (%s): both raw_data and typed data present", (unsigned long)k, desc->name, path);
            if (t.raw_len != desc->bytes)
                die("input %lu '%s' (%s): raw_data has %lu bytes, expected %lu", (unsigned long)k, desc->name,
                    path, (unsigned long)t.raw_len, (unsigned long)desc->bytes);
            if (t.raw_len)
                memcpy(dst, t.raw, t.raw_len);
            if (!host_is_little_endian())
                byteswap_elements(dst, nelem, es);
        } else {
            if (typed != nelem)
                die("input %lu '%s' (%s): %lu values for %lu elements", (unsigned long)k, desc->name, path,
                    (unsigned long)typed, (unsigned long)nelem);
            if (nelem) {
                err = pb_walk_tensor(file, len, &t, dst, nelem, want_field);
                if (err)
                    die("input %lu '%s' (%s): %s", (unsigned long)k, desc->name, path, err);
            }
        }
    }
    aligned_free(file);
    free(path);
    return dst;
}

/* ---- writer ---- */
typedef struct pb_writer {
    unsigned char *buf;
    size_t len, cap;
} pb_writer;

static void pbw_reserve(pb_writer *w, size_t extra)
{
    if (w->len + extra > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        unsigned char *nb;
        while (cap < w->len + extra)
            cap *= 2;
        nb = (unsigned char *)realloc(w->buf, cap);
        if (!nb)
            die("out of memory");
        w->buf = nb;
        w->cap = cap;
    }
}

static void pbw_varint(pb_writer *w, uint64_t v)
{
    pbw_reserve(w, 10);
    while (v >= 0x80) {
        w->buf[w->len++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    w->buf[w->len++] = (unsigned char)v;
}

static void pbw_bytes(pb_writer *w, int field, const void *data, size_t n)
{
    pbw_varint(w, (uint64_t)field << 3 | WT_LEN);
    pbw_varint(w, n);
    pbw_reserve(w, n);
    if (n)
        memcpy(w->buf + w->len, data, n);
    w->len += n;
}

/* TensorProto{dims, data_type, name, raw_data}, in field order (as onnx serializes it). */
static void write_output(const char *dir, size_t k, const modelc_tensor_desc *desc, const void *data)
{
    char fname[64];
    char *path;
    pb_writer w;
    int i;
    memset(&w, 0, sizeof w);
    for (i = 0; i < desc->rank; i++) {
        pbw_varint(&w, (uint64_t)TP_DIMS << 3 | WT_VARINT);
        pbw_varint(&w, (uint64_t)desc->dims[i]);
    }
    pbw_varint(&w, (uint64_t)TP_DATA_TYPE << 3 | WT_VARINT);
    pbw_varint(&w, (uint64_t)desc->dtype);
    if (desc->name && desc->name[0])
        pbw_bytes(&w, TP_NAME, desc->name, strlen(desc->name));
    if (host_is_little_endian() || dtype_size((int)desc->dtype) < 2) {
        pbw_bytes(&w, TP_RAW_DATA, data, desc->bytes);
    } else {
        unsigned char *tmp = (unsigned char *)xmalloc(desc->bytes);
        memcpy(tmp, data, desc->bytes);
        byteswap_elements(tmp, desc->bytes / dtype_size((int)desc->dtype), dtype_size((int)desc->dtype));
        pbw_bytes(&w, TP_RAW_DATA, tmp, desc->bytes);
        free(tmp);
    }
    sprintf(fname, "output_%lu.pb", (unsigned long)k);
    path = path_join(dir, fname);
    write_file(path, w.buf, w.len);
    free(path);
    free(w.buf);
}

/* Deterministic bench inputs: floats uniform in [-1, 1), integers and bools 0. */
static void *synthetic_input(const modelc_tensor_desc *desc, size_t k)
{
    unsigned char *dst = (unsigned char *)xaligned_alloc(desc->bytes);
    size_t es = dtype_size((int)desc->dtype), n = es ? desc->bytes / es : 0, i;
    uint64_t s = 0x9e3779b97f4a7c15ull * (uint64_t)(k + 1) + 0x2545f4914f6cdd1dull;
    for (i = 0; i < n; i++) {
        uint64_t z;
        float f;
        double d;
        s += 0x9e3779b97f4a7c15ull; /* splitmix64 */
        z = s;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        d = (double)(z >> 11) * (1.0 / 9007199254740992.0) * 2.0 - 1.0;
        f = (float)d;
        if (f >= 1.0f)
            f = 0.99999994f;
        switch (desc->dtype) {
        case MODELC_DTYPE_FLOAT: memcpy(dst + 4 * i, &f, 4); break;
        case MODELC_DTYPE_DOUBLE: memcpy(dst + 8 * i, &d, 8); break;
        case MODELC_DTYPE_FLOAT16: {
            uint16_t h = float_to_half(f);
            memcpy(dst + 2 * i, &h, 2);
            break;
        }
        case MODELC_DTYPE_BFLOAT16: {
            uint16_t h = float_to_bfloat16(f);
            memcpy(dst + 2 * i, &h, 2);
            break;
        }
        default: i = n; break; /* integers and bools: already zero */
        }
    }
    return dst;
}

/* ---- synthetic weights ---- *
 * For benchmarks of models whose weights are too big to ship: every float weight
 * tensor t (in the order of the table the compiler writes before this text) gets
 * element e = (2u - 1) / sqrt(fan_in), where u = (splitmix64(seed * G + (t + 1) * H
 * + e) >> 40) / 2^24, G = 0x9e3779b97f4a7c15, H = 0xd1b54a32d192ed03, splitmix64 the
 * finalizer below, and fan_in the tensor's elements over its first dimension (1
 * for tensors of rank 0 or 1). Values are computed in float, then rounded to the
 * tensor's storage type (nearest even). Other weights (integers, booleans) are 0.
 * The C and CUDA runners implement the same generator, so their outputs for one
 * model and seed can be compared. */
typedef struct runner_weight_tensor {
    size_t offset, elements, fan_in;
    int dtype; /* ONNX numbering: 1 float, 10 float16, 16 bfloat16 */
} runner_weight_tensor;

#ifndef RUNNER_NUM_WEIGHT_TENSORS
#define RUNNER_NUM_WEIGHT_TENSORS 0
#define RUNNER_WEIGHT_TENSORS {{0, 0, 0, 0}}
#endif
static const runner_weight_tensor runner_weight_tensors[] = RUNNER_WEIGHT_TENSORS;

static uint64_t splitmix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A whole external weights file (header and payload) filled by the generator. */
static unsigned char *synthetic_weights(uint64_t seed, size_t *len)
{
    const size_t payload = (size_t)MODEL_MACRO(WEIGHTS_BYTES);
    const uint64_t hash = (uint64_t)MODEL_MACRO(MODEL_HASH);
    unsigned char *file = (unsigned char *)xaligned_alloc(64 + payload);
    size_t count = (size_t)RUNNER_NUM_WEIGHT_TENSORS, t, e;
    int b;
    memset(file, 0, 64 + payload);
    memcpy(file, "MODELCW1", 8);
    for (b = 0; b < 8; b++) {
        file[8 + b] = (unsigned char)(hash >> (8 * b));
        file[16 + b] = (unsigned char)((uint64_t)payload >> (8 * b));
    }
    for (t = 0; t < count; t++) {
        const runner_weight_tensor *w = &runner_weight_tensors[t];
        unsigned char *dst = file + 64 + w->offset;
        const float scale = 1.0f / sqrtf((float)(w->fan_in ? w->fan_in : 1));
        for (e = 0; e < w->elements; e++) {
            uint64_t z = splitmix64(seed * 0x9e3779b97f4a7c15ull + (uint64_t)(t + 1) * 0xd1b54a32d192ed03ull +
                                    (uint64_t)e);
            float u = (float)(z >> 40) * (1.0f / 16777216.0f);
            float f = (2.0f * u - 1.0f) * scale;
            if (w->dtype == 1) {
                memcpy(dst + 4 * e, &f, 4);
            } else {
                uint16_t h = w->dtype == 10 ? float_to_half(f) : float_to_bfloat16(f);
                memcpy(dst + 2 * e, &h, 2);
            }
        }
    }
    *len = 64 + payload;
    return file;
}

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
