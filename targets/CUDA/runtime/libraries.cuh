/* modelc CUDA runtime: the vendor-library calls of convolutions and matrix
 * products (targets/CUDA/runtime/libraries.cuh, pasted into each artifact
 * that needs them). Plans are made once, at create time: descriptors, the
 * algorithm and its workspace; a run only enqueues. Every call is legal
 * inside CUDA graph capture.
 *
 * What each call computes (mc_gemm_shape, mc_conv_shape) is described in
 * library_shapes.cuh. modelc's tests run this same code on the CPU: the
 * emulation in test/CUDA/emulator provides cublasLt.h and cudnn.h, which
 * compute each call from the descriptors built here and reject the ones the
 * libraries reject. */

#include <cublasLt.h>
#include <cudnn.h>

typedef struct mc_libraries {
  cublasLtHandle_t lt;
  cudnnHandle_t dnn;
} mc_libraries;

static int mc_libraries_create(mc_libraries *lib, int need_gemm, int need_conv)
{
  lib->lt = NULL;
  lib->dnn = NULL;
  if (need_gemm && cublasLtCreate(&lib->lt) != CUBLAS_STATUS_SUCCESS)
    return -1;
  if (need_conv && cudnnCreate(&lib->dnn) != CUDNN_STATUS_SUCCESS)
    return -1;
  return 0;
}

static void mc_libraries_destroy(mc_libraries *lib)
{
  if (lib->lt)
    cublasLtDestroy(lib->lt);
  if (lib->dnn)
    cudnnDestroy(lib->dnn);
}

/* ---- matrix products (cuBLASLt) ---- */

typedef struct mc_gemm_plan {
  cublasLtMatmulDesc_t desc;
  cublasLtMatrixLayout_t a, b, c;
  cublasLtMatmulAlgo_t algo;
  size_t workspace;
} mc_gemm_plan;

static cudaDataType_t mc_cuda_type(int dtype)
{
  return dtype == MC_F16 ? CUDA_R_16F : dtype == MC_BF16 ? CUDA_R_16BF : CUDA_R_32F;
}

static int mc_layout(cublasLtMatrixLayout_t *layout, int dtype, int rows, int cols, int ld, int batch,
                     long long stride)
{
  if (cublasLtMatrixLayoutCreate(layout, mc_cuda_type(dtype), rows, cols, ld) != CUBLAS_STATUS_SUCCESS)
    return -1;
  if (batch > 1) {
    if (cublasLtMatrixLayoutSetAttribute(*layout, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &batch, sizeof batch) !=
            CUBLAS_STATUS_SUCCESS ||
        cublasLtMatrixLayoutSetAttribute(*layout, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride,
                                         sizeof stride) != CUBLAS_STATUS_SUCCESS)
      return -1;
  }
  return 0;
}

/* cuBLASLt is column-major: the row-major product C = A B is the column-major
 * product C^T = B^T A^T, so B is passed first, and no operand is transposed. */
static int mc_gemm_plan_init(mc_gemm_plan *plan, const mc_libraries *lib, const mc_gemm_shape *s,
                             size_t max_workspace)
{
  cublasComputeType_t compute = CUBLAS_COMPUTE_32F;
  cublasLtMatmulPreference_t pref;
  cublasLtMatmulHeuristicResult_t result;
  int found = 0;
  if (s->dtype == MC_F32 && s->allow_tf32)
    compute = CUBLAS_COMPUTE_32F_FAST_TF32;
  if (cublasLtMatmulDescCreate(&plan->desc, compute, CUDA_R_32F) != CUBLAS_STATUS_SUCCESS)
    return -1;
  if (mc_layout(&plan->a, s->dtype, s->n, s->k, s->n, s->batch, s->stride_b) ||
      mc_layout(&plan->b, s->dtype, s->k, s->m, s->k, s->batch, s->stride_a) ||
      mc_layout(&plan->c, s->dtype, s->n, s->m, s->n, s->batch, s->stride_c))
    return -1;
  if (cublasLtMatmulPreferenceCreate(&pref) != CUBLAS_STATUS_SUCCESS)
    return -1;
  cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &max_workspace,
                                       sizeof max_workspace);
  if (cublasLtMatmulAlgoGetHeuristic(lib->lt, plan->desc, plan->a, plan->b, plan->c, plan->c, pref, 1, &result,
                                     &found) != CUBLAS_STATUS_SUCCESS ||
      found == 0) {
    cublasLtMatmulPreferenceDestroy(pref);
    return -1;
  }
  cublasLtMatmulPreferenceDestroy(pref);
  plan->algo = result.algo;
  plan->workspace = result.workspaceSize;
  return 0;
}

static int mc_gemm_run(const mc_gemm_plan *plan, const mc_libraries *lib, cudaStream_t stream, const void *a,
                       const void *b, void *c, void *workspace)
{
  const float one = 1.0f, zero = 0.0f;
  return cublasLtMatmul(lib->lt, plan->desc, &one, b, plan->a, a, plan->b, &zero, c, plan->c, c, plan->c,
                        &plan->algo, workspace, plan->workspace, stream) == CUBLAS_STATUS_SUCCESS
             ? 0
             : -1;
}

static void mc_gemm_plan_destroy(mc_gemm_plan *plan)
{
  cublasLtMatrixLayoutDestroy(plan->a);
  cublasLtMatrixLayoutDestroy(plan->b);
  cublasLtMatrixLayoutDestroy(plan->c);
  cublasLtMatmulDescDestroy(plan->desc);
}

/* ---- 2-D convolutions (cuDNN), NCHW ---- */

typedef struct mc_conv_plan {
  cudnnTensorDescriptor_t x, y;
  cudnnFilterDescriptor_t w;
  cudnnConvolutionDescriptor_t conv;
  cudnnConvolutionFwdAlgo_t algo;
  size_t workspace;
} mc_conv_plan;

static cudnnDataType_t mc_cudnn_type(int dtype)
{
  return dtype == MC_F16 ? CUDNN_DATA_HALF : dtype == MC_BF16 ? CUDNN_DATA_BFLOAT16 : CUDNN_DATA_FLOAT;
}

/* The algorithm is cuDNN's best heuristic choice whose workspace fits: no
 * benchmarking at create time, so the choice is deterministic. */
static int mc_conv_plan_init(mc_conv_plan *plan, const mc_libraries *lib, const mc_conv_shape *s,
                             size_t max_workspace)
{
  cudnnDataType_t type = mc_cudnn_type(s->dtype);
  cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
  int count = 0, i;
  if (cudnnCreateTensorDescriptor(&plan->x) != CUDNN_STATUS_SUCCESS ||
      cudnnCreateTensorDescriptor(&plan->y) != CUDNN_STATUS_SUCCESS ||
      cudnnCreateFilterDescriptor(&plan->w) != CUDNN_STATUS_SUCCESS ||
      cudnnCreateConvolutionDescriptor(&plan->conv) != CUDNN_STATUS_SUCCESS)
    return -1;
  if (cudnnSetTensor4dDescriptor(plan->x, CUDNN_TENSOR_NCHW, type, s->batch, s->in_channels, s->in_h, s->in_w) !=
          CUDNN_STATUS_SUCCESS ||
      cudnnSetTensor4dDescriptor(plan->y, CUDNN_TENSOR_NCHW, type, s->batch, s->out_channels, s->out_h,
                                 s->out_w) != CUDNN_STATUS_SUCCESS ||
      cudnnSetFilter4dDescriptor(plan->w, type, CUDNN_TENSOR_NCHW, s->out_channels, s->in_channels / s->groups,
                                 s->kernel_h, s->kernel_w) != CUDNN_STATUS_SUCCESS ||
      cudnnSetConvolution2dDescriptor(plan->conv, s->pad_h, s->pad_w, s->stride_h, s->stride_w, s->dilation_h,
                                      s->dilation_w, CUDNN_CROSS_CORRELATION,
                                      CUDNN_DATA_FLOAT) != CUDNN_STATUS_SUCCESS ||
      cudnnSetConvolutionGroupCount(plan->conv, s->groups) != CUDNN_STATUS_SUCCESS)
    return -1;
  /* Tensor cores for 16-bit types; for float only with --allow-tf32. */
  cudnnSetConvolutionMathType(plan->conv, s->dtype != MC_F32 || s->allow_tf32 ? CUDNN_TENSOR_OP_MATH
                                                                               : CUDNN_FMA_MATH);
  if (cudnnGetConvolutionForwardAlgorithm_v7(lib->dnn, plan->x, plan->w, plan->conv, plan->y,
                                             CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &count,
                                             perf) != CUDNN_STATUS_SUCCESS)
    return -1;
  for (i = 0; i < count; ++i) {
    if (perf[i].status == CUDNN_STATUS_SUCCESS && perf[i].memory <= max_workspace) {
      plan->algo = perf[i].algo;
      plan->workspace = perf[i].memory;
      return 0;
    }
  }
  return -1;
}

static int mc_conv_run(const mc_conv_plan *plan, const mc_libraries *lib, cudaStream_t stream, const void *x,
                       const void *w, void *y, void *workspace)
{
  const float one = 1.0f, zero = 0.0f;
  if (cudnnSetStream(lib->dnn, stream) != CUDNN_STATUS_SUCCESS)
    return -1;
  return cudnnConvolutionForward(lib->dnn, &one, plan->x, x, plan->w, w, plan->conv, plan->algo, workspace,
                                 plan->workspace, &zero, plan->y, y) == CUDNN_STATUS_SUCCESS
             ? 0
             : -1;
}

static void mc_conv_plan_destroy(mc_conv_plan *plan)
{
  cudnnDestroyTensorDescriptor(plan->x);
  cudnnDestroyTensorDescriptor(plan->y);
  cudnnDestroyFilterDescriptor(plan->w);
  cudnnDestroyConvolutionDescriptor(plan->conv);
}
