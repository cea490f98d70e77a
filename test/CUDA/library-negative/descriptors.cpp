// modelc's library layer (targets/CUDA/runtime/libraries.cuh) on one case,
// named on the command line: real plans and runs through the emulated
// cuBLASLt and cuDNN (test/CUDA/emulator), on device buffers, checked
// against naive loops here; then the same plans with one descriptor
// corrupted. check_descriptors.py runs every case and asserts its outcome.
//
// Each case prints what it saw, one line per check:
//   match REFERENCE: ...      the output agrees with that reference loop
//   mismatch REFERENCE: ...   it does not
//   error: CALL returned N    a plan or run was rejected
// and the emulation's own diagnostics go to stderr; a pointer outside device
// memory ends the process there (exit 3), as a fault would.
//
// The runtime sources are included in the order the artifact pastes them,
// after the CUDA headers; prelude.cuh is not needed by the library layer.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MC_MAX_WORKSPACE ((size_t)64 << 20)
#include "library_shapes.cuh"

#include "libraries.cuh"

#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace {

cudaStream_t stream;
mc_libraries libraries;

size_t elementBytes(int dtype) { return dtype == MC_F32 ? 4 : 2; }

float roundTo(int dtype, float v) {
  if (dtype == MC_F16)
    return __half2float(__float2half_rn(v));
  if (dtype == MC_BF16)
    return __bfloat162float(__float2bfloat16_rn(v));
  return v;
}

/// Values in [-1, 1) that the element type holds exactly, so a reference
/// loop in float reads what the device reads.
std::vector<float> randomValues(size_t count, int dtype, unsigned seed) {
  std::vector<float> values(count);
  unsigned state = seed * 2654435761u + 1;
  for (float &v : values) {
    state = state * 1664525u + 1013904223u;
    v = roundTo(dtype, (float)(state >> 8) / (float)(1u << 23) - 1.0f);
  }
  return values;
}

/// A device buffer holding `values` in the element type, then `slack` more
/// zeroed elements. A cudaMemcpy from pageable memory returns before the copy
/// lands and runs on the legacy stream, which the non-blocking stream the
/// cases use does not wait for: so the device synchronizes here.
void *upload(const std::vector<float> &values, int dtype, size_t slack = 0) {
  size_t bytes = (values.size() + slack) * elementBytes(dtype);
  std::vector<unsigned char> host(bytes, 0);
  for (size_t i = 0; i < values.size(); ++i) {
    if (dtype == MC_F16) {
      __half h = __float2half_rn(values[i]);
      memcpy(&host[2 * i], &h, 2);
    } else if (dtype == MC_BF16) {
      __nv_bfloat16 b = __float2bfloat16_rn(values[i]);
      memcpy(&host[2 * i], &b, 2);
    } else {
      memcpy(&host[4 * i], &values[i], 4);
    }
  }
  void *device = nullptr;
  if (cudaMalloc(&device, bytes) != cudaSuccess ||
      cudaMemcpy(device, host.data(), bytes, cudaMemcpyHostToDevice) != cudaSuccess ||
      cudaDeviceSynchronize() != cudaSuccess) {
    std::printf("error: cudaMalloc/cudaMemcpy of %zu bytes\n", bytes);
    exit(1);
  }
  return device;
}

std::vector<float> download(const void *device, size_t count, int dtype) {
  std::vector<unsigned char> host(count * elementBytes(dtype));
  cudaStreamSynchronize(stream);
  cudaMemcpy(host.data(), device, host.size(), cudaMemcpyDeviceToHost);
  std::vector<float> values(count);
  for (size_t i = 0; i < count; ++i) {
    if (dtype == MC_F16) {
      __half h;
      memcpy(&h, &host[2 * i], 2);
      values[i] = __half2float(h);
    } else if (dtype == MC_BF16) {
      __nv_bfloat16 b;
      memcpy(&b, &host[2 * i], 2);
      values[i] = __bfloat162float(b);
    } else {
      memcpy(&values[i], &host[4 * i], 4);
    }
  }
  return values;
}

/// Within 1e-5 of the output's scale in float; 16-bit outputs are rounded
/// once more, so within half (fp16) or a quarter (bf16) of their precision.
float tolerance(int dtype) { return dtype == MC_F32 ? 1e-5f : dtype == MC_F16 ? 2e-3f : 1e-2f; }

/// Prints the verdict line for `got` against one reference loop.
void compare(const std::vector<float> &got, const std::vector<float> &want, int dtype, const std::string &against) {
  float scale = 0.0f, worst = 0.0f;
  size_t at = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    scale = fmaxf(scale, fabsf(want[i]));
    float diff = fabsf(got[i] - want[i]);
    if (!(diff <= worst)) {
      worst = diff;
      at = i;
    }
  }
  float bound = tolerance(dtype) * scale + 1e-6f;
  if (worst <= bound)
    std::printf("match %s: max |diff| %.3g <= %.3g\n", against.c_str(), worst, bound);
  else
    std::printf("mismatch %s: element %zu is %.6g, expected %.6g (max |diff| %.3g > %.3g)\n", against.c_str(), at,
                got[at], want[at], worst, bound);
}

float toTf32(float v) {
  uint32_t bits;
  memcpy(&bits, &v, 4);
  bits = (bits + 0x1000u) & 0xffffe000u;
  memcpy(&v, &bits, 4);
  return v;
}

//===----------------------------------------------------------------------===//
// Matrix products: row-major C[b] = A[b] B[b] (mc_gemm_shape)
//===----------------------------------------------------------------------===//

/// How a reference loop reads A and B and writes C: the shape's row pitches
/// and batch strides, or the ones a corrupted descriptor implies.
struct GemmAccess {
  long long pitchA, pitchB, pitchC, strideA, strideB, strideC;
  bool tf32;
};

GemmAccess accessOf(const mc_gemm_shape &s) { return {s.k, s.n, s.n, s.stride_a, s.stride_b, s.stride_c, false}; }

std::vector<float> referenceGemm(const mc_gemm_shape &s, const std::vector<float> &a, const std::vector<float> &b,
                                 size_t cCount, const GemmAccess &g) {
  std::vector<float> c(cCount, 0.0f);
  auto in = [&](float v) { return g.tf32 ? toTf32(v) : v; };
  for (int batch = 0; batch < s.batch; ++batch)
    for (int i = 0; i < s.m; ++i)
      for (int j = 0; j < s.n; ++j) {
        double acc = 0.0;
        for (int p = 0; p < s.k; ++p)
          acc += (double)in(a[batch * g.strideA + i * g.pitchA + p]) * in(b[batch * g.strideB + p * g.pitchB + j]);
        c[batch * g.strideC + i * g.pitchC + j] = roundTo(s.dtype, (float)acc);
      }
  return c;
}

size_t extent(int batch, long long stride, long long matrix) { return (size_t)((batch - 1) * stride + matrix); }

/// One product: shape, host operands, device buffers and its plan.
struct Gemm {
  mc_gemm_shape s;
  std::vector<float> a, b;
  size_t aCount, bCount, cCount;
  void *da = nullptr, *db = nullptr, *dc = nullptr, *workspace = nullptr;
  mc_gemm_plan plan;

  Gemm(int batch, int m, int n, int k, int dtype, size_t slack = 0, long long strideB = -1, int tf32 = 0) {
    s = {batch, m, n, k, (long long)m * k, strideB < 0 ? (long long)k * n : strideB, (long long)m * n, dtype, tf32};
    aCount = extent(batch, s.stride_a, (long long)m * k);
    bCount = extent(batch, s.stride_b, (long long)k * n);
    cCount = extent(batch, s.stride_c, (long long)m * n);
    a = randomValues(aCount, dtype, 1);
    b = randomValues(bCount, dtype, 2);
    da = upload(a, dtype, slack);
    db = upload(b, dtype, slack);
    dc = upload(std::vector<float>(cCount, 0.0f), dtype, slack);
  }

  bool init(size_t maxWorkspace = MC_MAX_WORKSPACE) {
    if (mc_gemm_plan_init(&plan, &libraries, &s, maxWorkspace) != 0) {
      std::printf("error: mc_gemm_plan_init returned -1\n");
      return false;
    }
    std::printf("plan: workspace %zu bytes\n", plan.workspace);
    if (plan.workspace && cudaMalloc(&workspace, plan.workspace) != cudaSuccess)
      return false;
    return true;
  }

  bool run(const mc_gemm_plan &p) { return run(p, da, workspace); }
  bool run(const mc_gemm_plan &p, const void *a, void *ws) {
    if (mc_gemm_run(&p, &libraries, stream, a, db, dc, ws) != 0) {
      std::printf("error: mc_gemm_run returned -1\n");
      return false;
    }
    return true;
  }

  std::vector<float> result() { return download(dc, cCount, s.dtype); }
  std::vector<float> reference(const GemmAccess &g) { return referenceGemm(s, a, b, cCount, g); }
  void check() { compare(result(), reference(accessOf(s)), s.dtype, "reference"); }
};

/// The correct plan and run: the positive control of every corruption.
void gemmCase(int dtype, int k = 6, size_t maxWorkspace = MC_MAX_WORKSPACE, long long strideB = -1) {
  Gemm g(3, 4, 5, k, dtype, 0, strideB);
  if (g.init(maxWorkspace) && g.run(g.plan))
    g.check();
}

/// Sets one integer attribute of a planned layout, as a corrupted plan would
/// have built it. The plan's layouts follow libraries.cuh: `a` describes the
/// row-major B (n x k column-major), `b` the row-major A, `c` the output.
template <typename T>
void patch(cublasLtMatrixLayout_t layout, cublasLtMatrixLayoutAttribute_t attribute, T value) {
  if (cublasLtMatrixLayoutSetAttribute(layout, attribute, &value, sizeof value) != CUBLAS_STATUS_SUCCESS) {
    std::printf("error: cublasLtMatrixLayoutSetAttribute(%d)\n", (int)attribute);
    exit(1);
  }
}

void gemmTf32() {
  Gemm g(2, 4, 5, 32, MC_F32, 0, -1, /*tf32=*/1);
  if (!g.init() || !g.run(g.plan))
    return;
  std::vector<float> got = g.result();
  GemmAccess tf32 = accessOf(g.s);
  tf32.tf32 = true;
  compare(got, g.reference(tf32), MC_F32, "reference on TF32 inputs");
  compare(got, g.reference(accessOf(g.s)), MC_F32, "reference");
}

/// ld one past the rows of the row-major B's layout: each column of the
/// column-major view starts one element later.
void gemmLdAboveRows(bool padded) {
  Gemm g(3, 4, 5, 6, MC_F32, padded ? 64 : 0);
  if (!g.init())
    return;
  patch<int64_t>(g.plan.a, CUBLASLT_MATRIX_LAYOUT_LD, g.s.n + 1);
  if (!g.run(g.plan))
    return;
  std::vector<float> got = g.result();
  compare(got, g.reference(accessOf(g.s)), MC_F32, "reference");
  std::vector<float> b = g.b;
  b.resize(g.bCount + 64, 0.0f);
  GemmAccess wide = accessOf(g.s);
  wide.pitchB = g.s.n + 1;
  compare(got, referenceGemm(g.s, g.a, b, g.cCount, wide), MC_F32, "reference with B's row pitch n + 1");
}

/// The row-major A's batch stride one element too long.
void gemmStrideLong(bool padded) {
  Gemm g(3, 4, 5, 6, MC_F32, padded ? 64 : 0);
  if (!g.init())
    return;
  patch<int64_t>(g.plan.b, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, g.s.stride_a + 1);
  if (!g.run(g.plan))
    return;
  std::vector<float> got = g.result();
  compare(got, g.reference(accessOf(g.s)), MC_F32, "reference");
  std::vector<float> a = g.a;
  a.resize(g.aCount + 64, 0.0f);
  GemmAccess shifted = accessOf(g.s);
  shifted.strideA = g.s.stride_a + 1;
  compare(got, referenceGemm(g.s, a, g.b, g.cCount, shifted), MC_F32, "reference with A's batch stride m k + 1");
}

void gemmStrideOverlap() {
  Gemm g(3, 4, 5, 6, MC_F32);
  if (!g.init())
    return;
  patch<int64_t>(g.plan.c, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, g.s.stride_c - 1);
  if (g.run(g.plan))
    g.check();
}

void gemmLdBelowRows() {
  Gemm g(3, 4, 5, 6, MC_F32);
  if (!g.init())
    return;
  patch<int64_t>(g.plan.a, CUBLASLT_MATRIX_LAYOUT_LD, g.s.n - 1);
  if (g.run(g.plan))
    g.check();
}

/// A plan whose layout mc_layout built with ld below the rows: the heuristic
/// rejects it, so no plan is made.
void gemmLdAtPlan() {
  Gemm g(3, 4, 5, 6, MC_F32);
  if (!g.init())
    return;
  cublasLtMatrixLayout_t bad;
  if (mc_layout(&bad, g.s.dtype, g.s.n, g.s.k, g.s.n - 1, g.s.batch, g.s.stride_b) != 0) {
    std::printf("error: mc_layout returned -1\n");
    return;
  }
  cublasLtMatmulPreference_t pref;
  cublasLtMatmulHeuristicResult_t result;
  int found = 0;
  cublasLtMatmulPreferenceCreate(&pref);
  cublasStatus_t status = cublasLtMatmulAlgoGetHeuristic(libraries.lt, g.plan.desc, bad, g.plan.b, g.plan.c,
                                                         g.plan.c, pref, 1, &result, &found);
  std::printf("error: cublasLtMatmulAlgoGetHeuristic returned %d, found %d\n", (int)status, found);
  cublasLtMatmulPreferenceDestroy(pref);
  cublasLtMatrixLayoutDestroy(bad);
}

void gemmBatchCount() {
  Gemm g(3, 4, 5, 6, MC_F32);
  if (!g.init())
    return;
  patch<int32_t>(g.plan.c, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, g.s.batch - 1);
  if (g.run(g.plan))
    g.check();
}

void gemmInnerDims() {
  Gemm g(3, 4, 5, 6, MC_F32);
  if (!g.init())
    return;
  patch<uint64_t>(g.plan.a, CUBLASLT_MATRIX_LAYOUT_COLS, g.s.k + 1);
  if (g.run(g.plan))
    g.check();
}

void gemmWorkspace(bool missing) {
  Gemm g(2, 3, 4, 80, MC_F32);
  if (!g.init())
    return;
  if (g.plan.workspace == 0) {
    std::printf("error: the plan chose no workspace\n");
    return;
  }
  mc_gemm_plan shortPlan = g.plan;
  if (!missing)
    shortPlan.workspace -= 1;
  if (g.run(shortPlan, g.da, missing ? nullptr : g.workspace))
    g.check();
}

void gemmHostOperand() {
  Gemm g(3, 4, 5, 6, MC_F32);
  if (g.init() && g.run(g.plan, g.a.data(), g.workspace))
    g.check();
}

void gemmMisaligned() {
  Gemm g(3, 4, 5, 6, MC_F32, 64);
  if (!g.init())
    return;
  // The same values one float later in device memory.
  std::vector<float> shifted(g.a);
  shifted.insert(shifted.begin(), 0.0f);
  void *moved = upload(shifted, MC_F32);
  if (g.run(g.plan, static_cast<float *>(moved) + 1, g.workspace))
    g.check();
}

//===----------------------------------------------------------------------===//
// Convolutions: NCHW, filter [K, C / groups, kh, kw] (mc_conv_shape)
//===----------------------------------------------------------------------===//

std::vector<float> referenceConv(const mc_conv_shape &s, const std::vector<float> &x, const std::vector<float> &w,
                                 int padH, int padW) {
  int cg = s.in_channels / s.groups, kg = s.out_channels / s.groups;
  std::vector<float> y((size_t)s.batch * s.out_channels * s.out_h * s.out_w);
  for (int n = 0; n < s.batch; ++n)
    for (int k = 0; k < s.out_channels; ++k)
      for (int oy = 0; oy < s.out_h; ++oy)
        for (int ox = 0; ox < s.out_w; ++ox) {
          double acc = 0.0;
          for (int c = 0; c < cg; ++c)
            for (int r = 0; r < s.kernel_h; ++r)
              for (int q = 0; q < s.kernel_w; ++q) {
                int iy = oy * s.stride_h - padH + r * s.dilation_h, ix = ox * s.stride_w - padW + q * s.dilation_w;
                if (iy < 0 || iy >= s.in_h || ix < 0 || ix >= s.in_w)
                  continue;
                int channel = k / kg * cg + c;
                acc += (double)x[((size_t)(n * s.in_channels + channel) * s.in_h + iy) * s.in_w + ix] *
                       w[((size_t)(k * cg + c) * s.kernel_h + r) * s.kernel_w + q];
              }
          y[((size_t)(n * s.out_channels + k) * s.out_h + oy) * s.out_w + ox] = roundTo(s.dtype, (float)acc);
        }
  return y;
}

struct Conv {
  mc_conv_shape s;
  std::vector<float> x, w;
  size_t yCount;
  void *dx, *dw, *dy, *workspace = nullptr;
  mc_conv_plan plan;

  explicit Conv(const mc_conv_shape &shape) : s(shape) {
    x = randomValues((size_t)s.batch * s.in_channels * s.in_h * s.in_w, s.dtype, 3);
    w = randomValues((size_t)s.out_channels * (s.in_channels / s.groups) * s.kernel_h * s.kernel_w, s.dtype, 4);
    yCount = (size_t)s.batch * s.out_channels * s.out_h * s.out_w;
    dx = upload(x, s.dtype);
    dw = upload(w, s.dtype);
    dy = upload(std::vector<float>(yCount, 0.0f), s.dtype);
  }

  bool init(size_t maxWorkspace = MC_MAX_WORKSPACE) {
    if (mc_conv_plan_init(&plan, &libraries, &s, maxWorkspace) != 0) {
      std::printf("error: mc_conv_plan_init returned -1\n");
      return false;
    }
    std::printf("plan: algorithm %d, workspace %zu bytes\n", (int)plan.algo, plan.workspace);
    if (plan.workspace && cudaMalloc(&workspace, plan.workspace) != cudaSuccess)
      return false;
    return true;
  }

  bool run(const mc_conv_plan &p, const void *filter, void *ws) {
    if (mc_conv_run(&p, &libraries, stream, dx, filter, dy, ws) != 0) {
      std::printf("error: mc_conv_run returned -1\n");
      return false;
    }
    return true;
  }
  bool run() { return run(plan, dw, workspace); }

  std::vector<float> result() { return download(dy, yCount, s.dtype); }
  void check() { compare(result(), referenceConv(s, x, w, s.pad_h, s.pad_w), s.dtype, "reference"); }
};

/// batch 2, 4 -> 6 channels, 7 x 6, 3 x 3 filter, pad 1: output 7 x 6.
mc_conv_shape baseConv(int dtype) { return {2, 4, 7, 6, 6, 7, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, dtype, 0}; }

void convCase(const mc_conv_shape &s, size_t maxWorkspace = MC_MAX_WORKSPACE) {
  Conv c(s);
  if (c.init(maxWorkspace) && c.run())
    c.check();
}

void convPad(bool sameDims) {
  // 6 x 6 under a 3 x 3 filter at stride 3 gives 2 x 2 with pad 0 or 1.
  mc_conv_shape s = sameDims ? mc_conv_shape{1, 2, 6, 6, 3, 2, 2, 3, 3, 3, 3, 0, 0, 1, 1, 1, MC_F32, 0}
                             : baseConv(MC_F32);
  Conv c(s);
  if (!c.init())
    return;
  int pad = s.pad_h + 1;
  if (cudnnSetConvolution2dDescriptor(c.plan.conv, pad, pad, s.stride_h, s.stride_w, s.dilation_h, s.dilation_w,
                                      CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT) != CUDNN_STATUS_SUCCESS) {
    std::printf("error: cudnnSetConvolution2dDescriptor\n");
    return;
  }
  if (!c.run())
    return;
  std::vector<float> got = c.result();
  compare(got, referenceConv(s, c.x, c.w, s.pad_h, s.pad_w), s.dtype, "reference");
  compare(got, referenceConv(s, c.x, c.w, pad, pad), s.dtype, "reference with pad + 1");
}

/// 4 -> 6 channels in 2 groups, stride 2, dilation 2, pads 2 and 1, a 3 x 2
/// filter on 9 x 8: output 5 x 4.
mc_conv_shape groupedConv(int dtype) { return {2, 4, 9, 8, 6, 5, 4, 3, 2, 2, 2, 2, 1, 2, 2, 2, dtype, 0}; }

void convGroupsPatched() {
  Conv c(groupedConv(MC_F32));
  if (!c.init())
    return;
  if (cudnnSetConvolutionGroupCount(c.plan.conv, 1) != CUDNN_STATUS_SUCCESS) {
    std::printf("error: cudnnSetConvolutionGroupCount\n");
    return;
  }
  if (c.run())
    c.check();
}

void convWorkspace(bool missing) {
  Conv c(baseConv(MC_F32));
  if (!c.init())
    return;
  if (c.plan.workspace == 0) {
    std::printf("error: the plan chose no workspace\n");
    return;
  }
  mc_conv_plan shortPlan = c.plan;
  if (!missing)
    shortPlan.workspace -= 1;
  if (c.run(shortPlan, c.dw, missing ? nullptr : c.workspace))
    c.check();
}

void convHostFilter() {
  Conv c(baseConv(MC_F32));
  if (c.init() && c.run(c.plan, c.w.data(), c.workspace))
    c.check();
}

const std::map<std::string, std::function<void()>> &cases() {
  static const std::map<std::string, std::function<void()>> table = {
      {"gemm-f32", [] { gemmCase(MC_F32); }},
      {"gemm-f16", [] { gemmCase(MC_F16); }},
      {"gemm-bf16", [] { gemmCase(MC_BF16); }},
      {"gemm-tf32", gemmTf32},
      {"gemm-broadcast-b", [] { gemmCase(MC_F32, 6, MC_MAX_WORKSPACE, /*strideB=*/0); }},
      {"gemm-split-k", [] { gemmCase(MC_F16, 80); }},
      {"gemm-split-k-no-workspace", [] { gemmCase(MC_F32, 80, /*maxWorkspace=*/0); }},
      {"gemm-ld-below-rows", gemmLdBelowRows},
      {"gemm-ld-at-plan", gemmLdAtPlan},
      {"gemm-ld-above-rows", [] { gemmLdAboveRows(false); }},
      {"gemm-ld-above-rows-padded", [] { gemmLdAboveRows(true); }},
      {"gemm-stride-past-end", [] { gemmStrideLong(false); }},
      {"gemm-stride-padded", [] { gemmStrideLong(true); }},
      {"gemm-stride-overlap", gemmStrideOverlap},
      {"gemm-batch-count", gemmBatchCount},
      {"gemm-inner-dims", gemmInnerDims},
      {"gemm-workspace-short", [] { gemmWorkspace(false); }},
      {"gemm-workspace-missing", [] { gemmWorkspace(true); }},
      {"gemm-host-operand", gemmHostOperand},
      {"gemm-misaligned", gemmMisaligned},
      {"conv-f32", [] { convCase(baseConv(MC_F32)); }},
      {"conv-f16", [] { convCase(baseConv(MC_F16)); }},
      {"conv-bf16", [] { convCase(baseConv(MC_BF16)); }},
      {"conv-grouped", [] { convCase(groupedConv(MC_F32)); }},
      {"conv-depthwise", [] { convCase({1, 4, 5, 5, 4, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1, 4, MC_F16, 0}); }},
      {"conv-no-workspace", [] { convCase(baseConv(MC_F32), /*maxWorkspace=*/0); }},
      {"conv-pad-dims", [] { convPad(false); }},
      {"conv-pad-same-dims", [] { convPad(true); }},
      {"conv-groups-patched", convGroupsPatched},
      {"conv-groups-plan", [] { convCase({1, 6, 5, 5, 4, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1, 3, MC_F32, 0}); }},
      {"conv-output-dims-plan", [] { convCase({2, 4, 7, 6, 6, 8, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, MC_F32, 0}); }},
      {"conv-workspace-short", [] { convWorkspace(false); }},
      {"conv-workspace-missing", [] { convWorkspace(true); }},
      {"conv-host-filter", convHostFilter},
  };
  return table;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2 || (strcmp(argv[1], "--list") != 0 && !cases().count(argv[1]))) {
    std::fprintf(stderr, "usage: %s --list | CASE\n", argv[0]);
    return 2;
  }
  if (strcmp(argv[1], "--list") == 0) {
    for (const auto &entry : cases())
      std::printf("%s\n", entry.first.c_str());
    return 0;
  }
  if (cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking) != cudaSuccess ||
      mc_libraries_create(&libraries, 1, 1) != 0) {
    std::printf("error: stream or library handles\n");
    return 1;
  }
  cases().at(argv[1])();
  cudaStreamSynchronize(stream);
  std::fflush(stdout);
  mc_libraries_destroy(&libraries);
  cudaStreamDestroy(stream);
  return 0;
}
