/* runner/synthetic.c: deterministic data for benchmarks: pseudo-random inputs
 * (without --inputs) and the synthetic external weights (--synthetic-weights). */

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
