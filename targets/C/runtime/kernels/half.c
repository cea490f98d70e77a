/* half.c - conversions between float and the 16-bit float formats.
 *
 * IEEE binary16 (ONNX FLOAT16) and bfloat16 (ONNX BFLOAT16) travel through
 * the generated code as their bit patterns in uint16_t; these helpers convert
 * them to and from float with round-to-nearest-even, keeping infinities,
 * NaNs and (for binary16) subnormals. Needs prelude.c. */

/* binary16 bits -> float. */
MK_UNUSED static float mk_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exponent = (h >> 10) & 0x1fu;
    uint32_t mantissa = h & 0x3ffu;
    uint32_t bits;
    float f;
    if (exponent == 0x1fu) {
        bits = sign | 0x7f800000u | (mantissa << 13); /* inf or NaN */
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112u) << 23) | (mantissa << 13);
    } else if (mantissa == 0) {
        bits = sign; /* signed zero */
    } else {
        /* Subnormal: normalize the mantissa. */
        exponent = 113u;
        while ((mantissa & 0x400u) == 0) {
            mantissa <<= 1;
            --exponent;
        }
        bits = sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13);
    }
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* float -> binary16 bits, rounding to nearest even. */
MK_UNUSED static uint16_t mk_f32_to_f16(float f)
{
    uint32_t bits, sign, mantissa;
    int32_t exponent;
    memcpy(&bits, &f, sizeof bits);
    sign = (bits >> 16) & 0x8000u;
    exponent = (int32_t)((bits >> 23) & 0xffu) - 127 + 15;
    mantissa = bits & 0x7fffffu;
    if (((bits >> 23) & 0xffu) == 0xffu) /* inf or NaN (kept quiet) */
        return (uint16_t)(sign | 0x7c00u | (mantissa ? 0x200u | (mantissa >> 13) : 0u));
    if (exponent >= 0x1f)
        return (uint16_t)(sign | 0x7c00u); /* overflow to infinity */
    if (exponent <= 0) {
        /* Subnormal or zero: shift the implicit bit in, then round. */
        uint32_t shift, rounded, halfway;
        if (exponent < -10)
            return (uint16_t)sign;
        mantissa |= 0x800000u;
        shift = (uint32_t)(14 - exponent);
        rounded = mantissa >> shift;
        halfway = 1u << (shift - 1);
        if ((mantissa & ((halfway << 1) - 1)) > halfway ||
            ((mantissa & ((halfway << 1) - 1)) == halfway && (rounded & 1u)))
            ++rounded;
        return (uint16_t)(sign | rounded);
    }
    {
        uint32_t h = sign | ((uint32_t)exponent << 10) | (mantissa >> 13);
        uint32_t rest = mantissa & 0x1fffu;
        /* A carry out of the mantissa correctly bumps the exponent. */
        if (rest > 0x1000u || (rest == 0x1000u && (h & 1u)))
            ++h;
        return (uint16_t)h;
    }
}

/* bfloat16 bits -> float: the high half of a float. */
MK_UNUSED static float mk_bf16_to_f32(uint16_t b)
{
    uint32_t bits = (uint32_t)b << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* float -> bfloat16 bits, rounding to nearest even; NaNs stay NaN. */
MK_UNUSED static uint16_t mk_f32_to_bf16(float f)
{
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    if ((bits & 0x7fffffffu) > 0x7f800000u)
        return (uint16_t)((bits >> 16) | 0x40u);
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return (uint16_t)(bits >> 16);
}
