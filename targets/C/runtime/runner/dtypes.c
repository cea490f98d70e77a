/* runner/dtypes.c: the ONNX element types (size, name, "float[1,3,224,224]"),
 * element counts, float to float16/bfloat16 rounding. */

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
