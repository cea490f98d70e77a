/* cuDNN for modelc's CPU emulation: the part of the legacy convolution API
 * that targets/CUDA/runtime/libraries.cuh calls, with cuDNN 9's enum values,
 * so the emulated artifacts run the real library layer.
 *
 * A forward convolution is computed from its descriptors alone: 4-D tensors
 * (dims and the strides their format implies), the filter (KCRS), pads,
 * strides, dilations, mode, group count and data types; products accumulate
 * in float, and y = alpha conv(x, w) + beta y. Calls are validated as cuDNN
 * validates them: input channels that are not the filter's channels times the
 * group count, output channels the groups do not divide, an output whose
 * dims are not the convolution's, mixed data types, or a workspace smaller
 * than the algorithm's return an error status (with a one-line reason on
 * stderr). Every tensor must lie in device memory for its whole extent
 * (mc_emu::requireDevice); the convolution runs as work on the handle's
 * stream, and those extents take part in the emulator's cross-stream race
 * check.
 *
 * The heuristic ranks two algorithms: IMPLICIT_PRECOMP_GEMM, which first
 * writes the input row and column of every (output, filter) position to the
 * workspace and then reads them from there, and IMPLICIT_GEMM, which needs
 * none; the others are reported unsupported. So a plan either sizes and
 * backs a workspace or has chosen the algorithm without one. Float tensors
 * under any math type but CUDNN_FMA_MATH are multiplied as TensorFloat-32,
 * as tensor cores do. */
#ifndef MODELC_TEST_CUDA_EMULATOR_CUDNN_H
#define MODELC_TEST_CUDA_EMULATOR_CUDNN_H

#include "cuda_runtime.h"
#include "library_types.h"

typedef enum {
  CUDNN_STATUS_SUCCESS = 0,
  CUDNN_STATUS_NOT_INITIALIZED = 1001,
  CUDNN_STATUS_BAD_PARAM = 2000,
  CUDNN_STATUS_BAD_PARAM_NULL_POINTER = 2002,
  CUDNN_STATUS_BAD_PARAM_MISALIGNED_POINTER = 2003,
  CUDNN_STATUS_BAD_PARAM_NOT_FINALIZED = 2004,
  CUDNN_STATUS_BAD_PARAM_SHAPE_MISMATCH = 2008,
  CUDNN_STATUS_NOT_SUPPORTED = 3000,
} cudnnStatus_t;

typedef enum {
  CUDNN_DATA_FLOAT = 0,
  CUDNN_DATA_HALF = 2,
  CUDNN_DATA_BFLOAT16 = 9,
} cudnnDataType_t;

typedef enum {
  CUDNN_TENSOR_NCHW = 0,
} cudnnTensorFormat_t;

typedef enum {
  CUDNN_CONVOLUTION = 0,
  CUDNN_CROSS_CORRELATION = 1,
} cudnnConvolutionMode_t;

typedef enum {
  CUDNN_DEFAULT_MATH = 0,
  CUDNN_TENSOR_OP_MATH = 1,
  CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION = 2,
  CUDNN_FMA_MATH = 3,
} cudnnMathType_t;

typedef enum {
  CUDNN_NON_DETERMINISTIC = 0,
  CUDNN_DETERMINISTIC = 1,
} cudnnDeterminism_t;

typedef enum {
  CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM = 0,
  CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM = 1,
  CUDNN_CONVOLUTION_FWD_ALGO_GEMM = 2,
  CUDNN_CONVOLUTION_FWD_ALGO_DIRECT = 3,
  CUDNN_CONVOLUTION_FWD_ALGO_FFT = 4,
  CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING = 5,
  CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD = 6,
  CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED = 7,
  CUDNN_CONVOLUTION_FWD_ALGO_COUNT = 8,
} cudnnConvolutionFwdAlgo_t;

typedef struct cudnnConvolutionFwdAlgoPerfStruct {
  cudnnConvolutionFwdAlgo_t algo;
  cudnnStatus_t status;
  float time;
  size_t memory;
  cudnnDeterminism_t determinism;
  cudnnMathType_t mathType;
  int reserved[3];
} cudnnConvolutionFwdAlgoPerf_t;

/* The descriptors: opaque to callers, as in cuDNN. A created descriptor is
 * unusable until set. */
struct cudnnContext {
  cudaStream_t stream;
};
struct cudnnTensorStruct {
  bool set;
  cudnnDataType_t type;
  int n, c, h, w;
  long long nStride, cStride, hStride, wStride;
};
struct cudnnFilterStruct {
  bool set;
  cudnnDataType_t type;
  int k, c, h, w;
};
struct cudnnConvolutionStruct {
  bool set;
  int padH, padW, strideH, strideW, dilationH, dilationW;
  cudnnConvolutionMode_t mode;
  cudnnDataType_t computeType;
  int groups;
  cudnnMathType_t math;
};
typedef cudnnContext *cudnnHandle_t;
typedef cudnnTensorStruct *cudnnTensorDescriptor_t;
typedef cudnnFilterStruct *cudnnFilterDescriptor_t;
typedef cudnnConvolutionStruct *cudnnConvolutionDescriptor_t;

namespace mc_emu {
namespace dnn {

inline bool elementOf(cudnnDataType_t type, Element *e) {
  switch (type) {
  case CUDNN_DATA_FLOAT:
    *e = Element::F32;
    return true;
  case CUDNN_DATA_HALF:
    *e = Element::F16;
    return true;
  case CUDNN_DATA_BFLOAT16:
    *e = Element::BF16;
    return true;
  }
  return false;
}

/* One convolution, checked: what the run needs from its descriptors. */
struct Problem {
  cudnnTensorStruct x, y;
  cudnnFilterStruct w;
  cudnnConvolutionStruct conv;
  Element e;
  bool tf32;
};

/* One int per (output row, filter row) and per (output column, filter
 * column): the input row or column it reads, -1 in the padding. */
inline size_t precompWorkspaceBytes(const Problem &p) {
  size_t bytes = ((size_t)p.y.h * p.w.h + (size_t)p.y.w * p.w.w) * sizeof(int);
  return (bytes + 255) / 256 * 256;
}

inline size_t algorithmWorkspace(const Problem &p, cudnnConvolutionFwdAlgo_t algo) {
  return algo == CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM ? precompWorkspaceBytes(p) : 0;
}

inline size_t extentBytes(const cudnnTensorStruct &t, Element e) {
  long long last = (t.n - 1) * t.nStride + (t.c - 1) * t.cStride + (t.h - 1) * t.hStride + (t.w - 1) * t.wStride;
  return (size_t)(last + 1) * elementBytes(e);
}

/* The output size of one spatial dimension (cudnnGetConvolution2dForwardOutputDim). */
inline int outputDim(int in, int pad, int stride, int dilation, int kernel) {
  return (in + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1;
}

inline cudnnStatus_t checkConvolution(const char *call, cudnnHandle_t handle, cudnnTensorDescriptor_t x,
                                      cudnnFilterDescriptor_t w, cudnnConvolutionDescriptor_t conv,
                                      cudnnTensorDescriptor_t y, Problem *p) {
  if (!handle)
    return CUDNN_STATUS_NOT_INITIALIZED;
  if (!x || !w || !conv || !y) {
    logRejection(call, "a descriptor is missing");
    return CUDNN_STATUS_BAD_PARAM_NULL_POINTER;
  }
  if (!x->set || !w->set || !conv->set || !y->set) {
    logRejection(call, "a descriptor was created but never set");
    return CUDNN_STATUS_BAD_PARAM_NOT_FINALIZED;
  }
  Element e;
  if (x->type != w->type || x->type != y->type || !elementOf(x->type, &e)) {
    logRejection(call, "data types x %d, w %d, y %d: they must be one type", (int)x->type, (int)w->type,
                 (int)y->type);
    return CUDNN_STATUS_BAD_PARAM;
  }
  if (conv->computeType != CUDNN_DATA_FLOAT) {
    logRejection(call, "compute type %d; the emulation computes only in float", (int)conv->computeType);
    return CUDNN_STATUS_NOT_SUPPORTED;
  }
  if (w->c * conv->groups != x->c) {
    logRejection(call, "the filter has %d input channels per group and there are %d groups, but x has %d channels",
                 w->c, conv->groups, x->c);
    return CUDNN_STATUS_BAD_PARAM;
  }
  if (w->k % conv->groups != 0) {
    logRejection(call, "%d output channels are not a multiple of the %d groups", w->k, conv->groups);
    return CUDNN_STATUS_BAD_PARAM;
  }
  if (y->n != x->n || y->c != w->k) {
    logRejection(call, "y is %dx%d (n x c) but the convolution gives %dx%d", y->n, y->c, x->n, w->k);
    return CUDNN_STATUS_BAD_PARAM;
  }
  int spanH = conv->dilationH * (w->h - 1) + 1, spanW = conv->dilationW * (w->w - 1) + 1;
  if (spanH > x->h + 2 * conv->padH || spanW > x->w + 2 * conv->padW) {
    logRejection(call, "the dilated filter (%dx%d) is larger than the padded input (%dx%d)", spanH, spanW,
                 x->h + 2 * conv->padH, x->w + 2 * conv->padW);
    return CUDNN_STATUS_BAD_PARAM;
  }
  int outH = outputDim(x->h, conv->padH, conv->strideH, conv->dilationH, w->h);
  int outW = outputDim(x->w, conv->padW, conv->strideW, conv->dilationW, w->w);
  if (y->h != outH || y->w != outW) {
    logRejection(call, "y is %dx%d (h x w) but the convolution gives %dx%d (pad %d,%d stride %d,%d dilation %d,%d)",
                 y->h, y->w, outH, outW, conv->padH, conv->padW, conv->strideH, conv->strideW, conv->dilationH,
                 conv->dilationW);
    return CUDNN_STATUS_BAD_PARAM;
  }
  *p = Problem{*x, *y, *w, *conv, e, e == Element::F32 && conv->math != CUDNN_FMA_MATH};
  return CUDNN_STATUS_SUCCESS;
}

} // namespace dnn
} // namespace mc_emu

inline cudnnStatus_t cudnnCreate(cudnnHandle_t *handle) {
  if (!handle)
    return CUDNN_STATUS_BAD_PARAM_NULL_POINTER;
  *handle = new cudnnContext{nullptr};
  return CUDNN_STATUS_SUCCESS;
}
inline cudnnStatus_t cudnnDestroy(cudnnHandle_t handle) {
  delete handle;
  return CUDNN_STATUS_SUCCESS;
}
inline cudnnStatus_t cudnnSetStream(cudnnHandle_t handle, cudaStream_t stream) {
  if (!handle)
    return CUDNN_STATUS_NOT_INITIALIZED;
  handle->stream = stream;
  return CUDNN_STATUS_SUCCESS;
}

inline cudnnStatus_t cudnnCreateTensorDescriptor(cudnnTensorDescriptor_t *desc) {
  if (!desc)
    return CUDNN_STATUS_BAD_PARAM_NULL_POINTER;
  *desc = new cudnnTensorStruct{};
  return CUDNN_STATUS_SUCCESS;
}
inline cudnnStatus_t cudnnDestroyTensorDescriptor(cudnnTensorDescriptor_t desc) {
  delete desc;
  return CUDNN_STATUS_SUCCESS;
}
/* NCHW: w is contiguous, then h, c and n. */
inline cudnnStatus_t cudnnSetTensor4dDescriptor(cudnnTensorDescriptor_t desc, cudnnTensorFormat_t format,
                                                cudnnDataType_t type, int n, int c, int h, int w) {
  const char *call = "cudnnSetTensor4dDescriptor";
  mc_emu::Element e;
  if (!desc)
    return CUDNN_STATUS_BAD_PARAM_NULL_POINTER;
  if (n <= 0 || c <= 0 || h <= 0 || w <= 0) {
    mc_emu::logRejection(call, "dims %dx%dx%dx%d must be positive", n, c, h, w);
    return CUDNN_STATUS_BAD_PARAM;
  }
  if (format != CUDNN_TENSOR_NCHW || !mc_emu::dnn::elementOf(type, &e)) {
    mc_emu::logRejection(call, "format %d, data type %d: the emulation has NCHW float, half and bfloat16",
                         (int)format, (int)type);
    return CUDNN_STATUS_NOT_SUPPORTED;
  }
  *desc = cudnnTensorStruct{true, type, n, c, h, w, (long long)c * h * w, (long long)h * w, w, 1};
  return CUDNN_STATUS_SUCCESS;
}

inline cudnnStatus_t cudnnCreateFilterDescriptor(cudnnFilterDescriptor_t *desc) {
  if (!desc)
    return CUDNN_STATUS_BAD_PARAM_NULL_POINTER;
  *desc = new cudnnFilterStruct{};
  return CUDNN_STATUS_SUCCESS;
}
inline cudnnStatus_t cudnnDestroyFilterDescriptor(cudnnFilterDescriptor_t desc) {
  delete desc;
  return CUDNN_STATUS_SUCCESS;
}
/* k output channels of c input channels (per group) of h x w; NCHW is KCRS. */
inline cudnnStatus_t cudnnSetFilter4dDescriptor(cudnnFilterDescriptor_t desc, cudnnDataType_t type,
                                                cudnnTensorFormat_t format, int k, int c, int h, int w) {
  const char *call = "cudnnSetFilter4dDescriptor";
  mc_emu::Element e;
  if (!desc)
    return CUDNN_STATUS_BAD_PARAM_NULL_POINTER;
  if (k <= 0 || c <= 0 || h <= 0 || w <= 0) {
    mc_emu::logRejection(call, "dims %dx%dx%dx%d must be positive", k, c, h, w);
    return CUDNN_STATUS_BAD_PARAM;
  }
  if (format != CUDNN_TENSOR_NCHW || !mc_emu::dnn::elementOf(type, &e)) {
    mc_emu::logRejection(call, "format %d, data type %d: the emulation has NCHW float, half and bfloat16",
                         (int)format, (int)type);
    return CUDNN_STATUS_NOT_SUPPORTED;
  }
  *desc = cudnnFilterStruct{true, type, k, c, h, w};
  return CUDNN_STATUS_SUCCESS;
}

inline cudnnStatus_t cudnnCreateConvolutionDescriptor(cudnnConvolutionDescriptor_t *desc) {
  if (!desc)
    return CUDNN_STATUS_BAD_PARAM_NULL_POINTER;
  *desc = new cudnnConvolutionStruct{};
  (*desc)->groups = 1;
  (*desc)->math = CUDNN_DEFAULT_MATH;
  return CUDNN_STATUS_SUCCESS;
}
inline cudnnStatus_t cudnnDestroyConvolutionDescriptor(cudnnConvolutionDescriptor_t desc) {
  delete desc;
  return CUDNN_STATUS_SUCCESS;
}
inline cudnnStatus_t cudnnSetConvolution2dDescriptor(cudnnConvolutionDescriptor_t desc, int padH, int padW,
                                                     int strideH, int strideW, int dilationH, int dilationW,
                                                     cudnnConvolutionMode_t mode, cudnnDataType_t computeType) {
  if (!desc)
    return CUDNN_STATUS_BAD_PARAM_NULL_POINTER;
  if (padH < 0 || padW < 0 || strideH <= 0 || strideW <= 0 || dilationH <= 0 || dilationW <= 0 ||
      (mode != CUDNN_CONVOLUTION && mode != CUDNN_CROSS_CORRELATION)) {
    mc_emu::logRejection("cudnnSetConvolution2dDescriptor", "pad %d,%d stride %d,%d dilation %d,%d mode %d", padH,
                         padW, strideH, strideW, dilationH, dilationW, (int)mode);
    return CUDNN_STATUS_BAD_PARAM;
  }
  desc->set = true;
  desc->padH = padH, desc->padW = padW;
  desc->strideH = strideH, desc->strideW = strideW;
  desc->dilationH = dilationH, desc->dilationW = dilationW;
  desc->mode = mode;
  desc->computeType = computeType;
  return CUDNN_STATUS_SUCCESS;
}
inline cudnnStatus_t cudnnSetConvolutionGroupCount(cudnnConvolutionDescriptor_t desc, int groups) {
  if (!desc)
    return CUDNN_STATUS_BAD_PARAM_NULL_POINTER;
  if (groups < 1) {
    mc_emu::logRejection("cudnnSetConvolutionGroupCount", "group count %d", groups);
    return CUDNN_STATUS_BAD_PARAM;
  }
  desc->groups = groups;
  return CUDNN_STATUS_SUCCESS;
}
inline cudnnStatus_t cudnnSetConvolutionMathType(cudnnConvolutionDescriptor_t desc, cudnnMathType_t math) {
  if (!desc)
    return CUDNN_STATUS_BAD_PARAM_NULL_POINTER;
  if (math < CUDNN_DEFAULT_MATH || math > CUDNN_FMA_MATH) {
    mc_emu::logRejection("cudnnSetConvolutionMathType", "math type %d", (int)math);
    return CUDNN_STATUS_BAD_PARAM;
  }
  desc->math = math;
  return CUDNN_STATUS_SUCCESS;
}

/* Every algorithm, best first: the two the emulation has, then the others as
 * unsupported. */
inline cudnnStatus_t cudnnGetConvolutionForwardAlgorithm_v7(cudnnHandle_t handle, const cudnnTensorDescriptor_t x,
                                                            const cudnnFilterDescriptor_t w,
                                                            const cudnnConvolutionDescriptor_t conv,
                                                            const cudnnTensorDescriptor_t y, const int requested,
                                                            int *returned, cudnnConvolutionFwdAlgoPerf_t *results) {
  const char *call = "cudnnGetConvolutionForwardAlgorithm_v7";
  if (!returned || !results || requested <= 0) {
    mc_emu::logRejection(call, "no result array, or requested %d algorithms", requested);
    return CUDNN_STATUS_BAD_PARAM;
  }
  mc_emu::dnn::Problem p;
  cudnnStatus_t status = mc_emu::dnn::checkConvolution(call, handle, x, w, conv, y, &p);
  if (status != CUDNN_STATUS_SUCCESS)
    return status;
  const cudnnConvolutionFwdAlgo_t order[] = {
      CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM,
      CUDNN_CONVOLUTION_FWD_ALGO_GEMM,                  CUDNN_CONVOLUTION_FWD_ALGO_DIRECT,
      CUDNN_CONVOLUTION_FWD_ALGO_FFT,                   CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING,
      CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD,              CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED};
  *returned = 0;
  for (int i = 0; i < CUDNN_CONVOLUTION_FWD_ALGO_COUNT && *returned < requested; ++i) {
    cudnnConvolutionFwdAlgoPerf_t &r = results[(*returned)++];
    memset(&r, 0, sizeof r);
    r.algo = order[i];
    r.status = i < 2 ? CUDNN_STATUS_SUCCESS : CUDNN_STATUS_NOT_SUPPORTED;
    r.time = i < 2 ? (float)(i + 1) : -1.0f;
    r.memory = i < 2 ? mc_emu::dnn::algorithmWorkspace(p, order[i]) : 0;
    r.determinism = CUDNN_DETERMINISTIC;
    r.mathType = conv->math;
  }
  return CUDNN_STATUS_SUCCESS;
}

/* alpha and beta are host floats (the scaling type of float, half and
 * bfloat16 data), read now. When beta is 0, y is not read. */
inline cudnnStatus_t cudnnConvolutionForward(cudnnHandle_t handle, const void *alpha,
                                             const cudnnTensorDescriptor_t xDesc, const void *x,
                                             const cudnnFilterDescriptor_t wDesc, const void *w,
                                             const cudnnConvolutionDescriptor_t convDesc,
                                             cudnnConvolutionFwdAlgo_t algo, void *workspace, size_t workspaceBytes,
                                             const void *beta, const cudnnTensorDescriptor_t yDesc, void *y) {
  using namespace mc_emu;
  using namespace mc_emu::dnn;
  const char *call = "cudnnConvolutionForward";
  if (!alpha || !beta) {
    logRejection(call, "no alpha or beta");
    return CUDNN_STATUS_BAD_PARAM_NULL_POINTER;
  }
  Problem p;
  cudnnStatus_t status = checkConvolution(call, handle, xDesc, wDesc, convDesc, yDesc, &p);
  if (status != CUDNN_STATUS_SUCCESS)
    return status;
  if (algo != CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM && algo != CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM) {
    logRejection(call, "algorithm %d, which the heuristic reported unsupported", (int)algo);
    return CUDNN_STATUS_NOT_SUPPORTED;
  }
  const size_t needed = algorithmWorkspace(p, algo);
  if (workspaceBytes < needed) {
    logRejection(call, "a workspace of %zu bytes, algorithm %d needs %zu", workspaceBytes, (int)algo, needed);
    return CUDNN_STATUS_BAD_PARAM;
  }
  const size_t bytes = elementBytes(p.e);
  const void *operands[] = {x, w, y};
  for (int i = 0; i < 3; ++i) {
    if (!isAligned(operands[i], bytes)) {
      logRejection(call, "%s at %p is not aligned to its %zu-byte elements", i == 0 ? "x" : i == 1 ? "w" : "y",
                   operands[i], bytes);
      return CUDNN_STATUS_BAD_PARAM_MISALIGNED_POINTER;
    }
  }
  const float alphaValue = *static_cast<const float *>(alpha);
  const float betaValue = *static_cast<const float *>(beta);
  const size_t filterBytes = (size_t)p.w.k * p.w.c * p.w.h * p.w.w * bytes;
  requireDevice(x, extentBytes(p.x, p.e), "cudnnConvolutionForward x");
  requireDevice(w, filterBytes, "cudnnConvolutionForward w");
  requireDevice(y, extentBytes(p.y, p.e), "cudnnConvolutionForward y");
  if (needed)
    requireDevice(workspace, needed, "cudnnConvolutionForward workspace");
  int *table = static_cast<int *>(needed ? workspace : nullptr);
  std::vector<Use> uses = {{x, extentBytes(p.x, p.e), false}, {w, filterBytes, false},
                           {y, extentBytes(p.y, p.e), true}};
  if (betaValue != 0.0f)
    uses.emplace_back(y, extentBytes(p.y, p.e), false);
  if (needed)
    uses.emplace_back(workspace, needed, true);
  enqueue(handle->stream, [=] {
    const cudnnTensorStruct &xs = p.x, &ys = p.y;
    const cudnnFilterStruct &ws = p.w;
    const cudnnConvolutionStruct &cs = p.conv;
    auto inputRow = [&](int oy, int r) {
      int iy = oy * cs.strideH - cs.padH + r * cs.dilationH;
      return iy >= 0 && iy < xs.h ? iy : -1;
    };
    auto inputCol = [&](int ox, int q) {
      int ix = ox * cs.strideW - cs.padW + q * cs.dilationW;
      return ix >= 0 && ix < xs.w ? ix : -1;
    };
    int *rows = table, *cols = table ? table + (size_t)ys.h * ws.h : nullptr;
    if (table) {
      for (int oy = 0; oy < ys.h; ++oy)
        for (int r = 0; r < ws.h; ++r)
          rows[oy * ws.h + r] = inputRow(oy, r);
      for (int ox = 0; ox < ys.w; ++ox)
        for (int q = 0; q < ws.w; ++q)
          cols[ox * ws.w + q] = inputCol(ox, q);
    }
    auto load = [&](const void *base, long long i) {
      float v = loadElement(p.e, base, i);
      return p.tf32 ? roundToTf32(v) : v;
    };
    const int inPerGroup = ws.c, outPerGroup = ws.k / cs.groups;
    for (int n = 0; n < ys.n; ++n)
      for (int k = 0; k < ys.c; ++k)
        for (int oy = 0; oy < ys.h; ++oy)
          for (int ox = 0; ox < ys.w; ++ox) {
            const int group = k / outPerGroup;
            float acc = 0.0f;
            for (int c = 0; c < inPerGroup; ++c)
              for (int r = 0; r < ws.h; ++r)
                for (int q = 0; q < ws.w; ++q) {
                  int iy = table ? rows[oy * ws.h + r] : inputRow(oy, r);
                  int ix = table ? cols[ox * ws.w + q] : inputCol(ox, q);
                  if (iy < 0 || ix < 0)
                    continue;
                  /* A convolution proper flips the filter; ONNX's is a cross-correlation. */
                  int fr = cs.mode == CUDNN_CONVOLUTION ? ws.h - 1 - r : r;
                  int fq = cs.mode == CUDNN_CONVOLUTION ? ws.w - 1 - q : q;
                  long long xi = n * xs.nStride + (long long)(group * inPerGroup + c) * xs.cStride +
                                 iy * xs.hStride + ix * xs.wStride;
                  long long wi = (((long long)k * ws.c + c) * ws.h + fr) * ws.w + fq;
                  acc += load(x, xi) * load(w, wi);
                }
            long long yi = n * ys.nStride + k * ys.cStride + oy * ys.hStride + ox * ys.wStride;
            float v = alphaValue * acc;
            if (betaValue != 0.0f)
              v += betaValue * loadElement(p.e, y, yi);
            storeElement(p.e, y, yi, v);
          }
  }, call, std::move(uses));
  return CUDNN_STATUS_SUCCESS;
}

#endif /* MODELC_TEST_CUDA_EMULATOR_CUDNN_H */
