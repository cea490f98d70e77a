/* runner/tensor_io.c: the protobuf wire format of ONNX TensorProto: the reader behind
 * load_input (DIR/input_K.pb) and the writer behind write_output (DIR/output_K.pb). */

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
