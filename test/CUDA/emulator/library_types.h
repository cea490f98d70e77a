/* The CUDA toolkit's library_types.h for modelc's CPU emulation: the data
 * types cuBLASLt's descriptors name, with the toolkit's values. Also what the
 * emulated cuBLASLt (cublasLt.h) and cuDNN (cudnn.h) share: element loads and
 * stores, TensorFloat-32 rounding, and the one-line log of a rejected call. */
#ifndef MODELC_TEST_CUDA_EMULATOR_LIBRARY_TYPES_H
#define MODELC_TEST_CUDA_EMULATOR_LIBRARY_TYPES_H

#include "cuda_runtime.h"

#include <stdarg.h>

typedef enum cudaDataType_t {
  CUDA_R_32F = 0,
  CUDA_R_16F = 2,
  CUDA_R_16BF = 14,
} cudaDataType;

namespace mc_emu {

/* The floating element types the emulated libraries read and write. */
enum class Element { F32, F16, BF16 };

inline size_t elementBytes(Element e) { return e == Element::F32 ? 4 : 2; }

/* Device-side accesses: call these only inside enqueued work. */
inline float loadElement(Element e, const void *base, long long i) {
  if (e == Element::F16)
    return __half2float(static_cast<const __half *>(base)[i]);
  if (e == Element::BF16)
    return __bfloat162float(static_cast<const __nv_bfloat16 *>(base)[i]);
  return static_cast<const float *>(base)[i];
}
inline void storeElement(Element e, void *base, long long i, float value) {
  if (e == Element::F16)
    static_cast<__half *>(base)[i] = __float2half_rn(value);
  else if (e == Element::BF16)
    static_cast<__nv_bfloat16 *>(base)[i] = __float2bfloat16_rn(value);
  else
    static_cast<float *>(base)[i] = value;
}

/* A TensorFloat-32 operand: 10 explicit mantissa bits, rounded to nearest
 * with ties away from zero as cvt.rna.tf32.f32 does; infinities and NaNs
 * pass unchanged. Tensor-core float products see their inputs so. */
inline float roundToTf32(float value) {
  uint32_t bits;
  memcpy(&bits, &value, 4);
  if ((bits & 0x7f800000u) != 0x7f800000u)
    bits = (bits + 0x1000u) & 0xffffe000u;
  memcpy(&value, &bits, 4);
  return value;
}

/* Whether `pointer` is a multiple of `alignment` bytes. */
inline bool isAligned(const void *pointer, size_t alignment) {
  return reinterpret_cast<uintptr_t>(pointer) % alignment == 0;
}

/* The real libraries return a bare status (and log only on request); the
 * emulation also says why, on one stderr line, so a failing plan or run in a
 * test names the descriptor at fault. */
inline void logRejection(const char *call, const char *format, ...) {
  va_list args;
  va_start(args, format);
  fprintf(stderr, "cuda emulator: %s: ", call);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
}

} // namespace mc_emu

#endif /* MODELC_TEST_CUDA_EMULATOR_LIBRARY_TYPES_H */
