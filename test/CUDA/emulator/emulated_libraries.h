/* Reference implementations of modelc's library layer (the mc_* functions of
 * targets/CUDA/runtime/libraries.cuh) for the CPU emulation: the same
 * signatures, computed directly in float. The generated code includes this
 * header instead of the real section when MODELC_CUDA_EMULATION is defined,
 * after the call descriptions of library_shapes.cuh. */
#ifndef MODELC_TEST_CUDA_EMULATOR_LIBRARIES_H
#define MODELC_TEST_CUDA_EMULATOR_LIBRARIES_H

#include "cuda_runtime.h"

typedef struct mc_libraries {
  int gemm, conv;
} mc_libraries;

inline int mc_libraries_create(mc_libraries *lib, int need_gemm, int need_conv) {
  lib->gemm = need_gemm;
  lib->conv = need_conv;
  return 0;
}
inline void mc_libraries_destroy(mc_libraries *) {}

namespace mc_emu {
inline float loadAs(int dtype, const void *base, long long i) {
  if (dtype == MC_F16)
    return __half2float(static_cast<const __half *>(base)[i]);
  if (dtype == MC_BF16)
    return __bfloat162float(static_cast<const __nv_bfloat16 *>(base)[i]);
  return static_cast<const float *>(base)[i];
}
inline void storeAs(int dtype, void *base, long long i, float value) {
  if (dtype == MC_F16)
    static_cast<__half *>(base)[i] = __float2half_rn(value);
  else if (dtype == MC_BF16)
    static_cast<__nv_bfloat16 *>(base)[i] = __float2bfloat16_rn(value);
  else
    static_cast<float *>(base)[i] = value;
}
} // namespace mc_emu

typedef struct mc_gemm_plan {
  mc_gemm_shape shape;
  size_t workspace;
} mc_gemm_plan;

inline int mc_gemm_plan_init(mc_gemm_plan *plan, const mc_libraries *lib, const mc_gemm_shape *s, size_t) {
  if (!lib->gemm)
    return -1;
  plan->shape = *s;
  plan->workspace = 0;
  return 0;
}

inline int mc_gemm_run(const mc_gemm_plan *plan, const mc_libraries *, cudaStream_t stream, const void *a,
                       const void *b, void *c, void *) {
  mc_gemm_shape s = plan->shape;
  mc_emu::enqueue(stream, [=] {
    for (int batch = 0; batch < s.batch; ++batch)
      for (int i = 0; i < s.m; ++i)
        for (int j = 0; j < s.n; ++j) {
          float acc = 0.0f;
          for (int p = 0; p < s.k; ++p)
            acc += mc_emu::loadAs(s.dtype, a, batch * s.stride_a + (long long)i * s.k + p) *
                   mc_emu::loadAs(s.dtype, b, batch * s.stride_b + (long long)p * s.n + j);
          mc_emu::storeAs(s.dtype, c, batch * s.stride_c + (long long)i * s.n + j, acc);
        }
  });
  return 0;
}

inline void mc_gemm_plan_destroy(mc_gemm_plan *) {}

typedef struct mc_conv_plan {
  mc_conv_shape shape;
  size_t workspace;
} mc_conv_plan;

inline int mc_conv_plan_init(mc_conv_plan *plan, const mc_libraries *lib, const mc_conv_shape *s, size_t) {
  if (!lib->conv)
    return -1;
  plan->shape = *s;
  plan->workspace = 0;
  return 0;
}

inline int mc_conv_run(const mc_conv_plan *plan, const mc_libraries *, cudaStream_t stream, const void *x,
                       const void *w, void *y, void *) {
  mc_conv_shape s = plan->shape;
  mc_emu::enqueue(stream, [=] {
    int in_per_group = s.in_channels / s.groups, out_per_group = s.out_channels / s.groups;
    for (int n = 0; n < s.batch; ++n)
      for (int k = 0; k < s.out_channels; ++k)
        for (int oy = 0; oy < s.out_h; ++oy)
          for (int ox = 0; ox < s.out_w; ++ox) {
            int group = k / out_per_group;
            float acc = 0.0f;
            for (int c = 0; c < in_per_group; ++c)
              for (int r = 0; r < s.kernel_h; ++r)
                for (int q = 0; q < s.kernel_w; ++q) {
                  int iy = oy * s.stride_h - s.pad_h + r * s.dilation_h;
                  int ix = ox * s.stride_w - s.pad_w + q * s.dilation_w;
                  if (iy < 0 || iy >= s.in_h || ix < 0 || ix >= s.in_w)
                    continue;
                  long long xi = (((long long)n * s.in_channels + group * in_per_group + c) * s.in_h + iy) * s.in_w + ix;
                  long long wi = (((long long)k * in_per_group + c) * s.kernel_h + r) * s.kernel_w + q;
                  acc += mc_emu::loadAs(s.dtype, x, xi) * mc_emu::loadAs(s.dtype, w, wi);
                }
            long long yi = (((long long)n * s.out_channels + k) * s.out_h + oy) * s.out_w + ox;
            mc_emu::storeAs(s.dtype, y, yi, acc);
          }
  });
  return 0;
}

inline void mc_conv_plan_destroy(mc_conv_plan *) {}

#endif /* MODELC_TEST_CUDA_EMULATOR_LIBRARIES_H */
