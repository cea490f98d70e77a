/* cuBLASLt for modelc's CPU emulation: the part of the API that
 * targets/CUDA/runtime/libraries.cuh calls, with the toolkit's enum values,
 * so the emulated artifacts run the real library layer.
 *
 * A product is computed from its descriptors alone, as cuBLASLt defines it:
 * D = alpha A B + beta C on column-major matrices (rows, cols, leading
 * dimension, batch count and strided batch offset from each layout; element
 * types from the layouts, compute and scale types from the matmul
 * descriptor), accumulated in float. Calls are validated as the library
 * validates them: a layout whose ld is below its rows, matrices whose
 * dimensions do not chain into an m x k by k x n product, batch counts that
 * differ, a type combination the library lacks, or a workspace smaller than
 * the algorithm's return an error status (with a one-line reason on stderr).
 * Every operand must lie in device memory for the whole extent its layout
 * spans (mc_emu::requireDevice); the product runs as work on the stream,
 * and those extents take part in the emulator's cross-stream race check.
 *
 * The heuristic knows two algorithms: a direct loop, and a split-k one that
 * keeps the first half of each sum in the workspace. It picks the split for
 * k >= 64 when the preference's workspace allows, so plans that need a
 * workspace, and the memory that backs it, are exercised too. Like the real
 * heuristic under the default preferences, its algorithms assume 256-byte
 * aligned A, B, C and D; the emulation rejects a run on less aligned
 * operands (on a GPU the kernel may fault). */
#ifndef MODELC_TEST_CUDA_EMULATOR_CUBLASLT_H
#define MODELC_TEST_CUDA_EMULATOR_CUBLASLT_H

#include "cuda_runtime.h"
#include "library_types.h"

typedef enum {
  CUBLAS_STATUS_SUCCESS = 0,
  CUBLAS_STATUS_NOT_INITIALIZED = 1,
  CUBLAS_STATUS_ALLOC_FAILED = 3,
  CUBLAS_STATUS_INVALID_VALUE = 7,
  CUBLAS_STATUS_NOT_SUPPORTED = 15,
} cublasStatus_t;

typedef enum {
  CUBLAS_COMPUTE_32F = 68,
  CUBLAS_COMPUTE_32F_FAST_TF32 = 77,
} cublasComputeType_t;

typedef enum {
  CUBLASLT_MATRIX_LAYOUT_TYPE = 0,
  CUBLASLT_MATRIX_LAYOUT_ROWS = 2,
  CUBLASLT_MATRIX_LAYOUT_COLS = 3,
  CUBLASLT_MATRIX_LAYOUT_LD = 4,
  CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT = 5,
  CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET = 6,
} cublasLtMatrixLayoutAttribute_t;

typedef enum {
  CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES = 1,
} cublasLtMatmulPreferenceAttributes_t;

typedef struct {
  uint64_t data[8];
} cublasLtMatmulAlgo_t;

typedef struct {
  cublasLtMatmulAlgo_t algo;
  size_t workspaceSize;
  cublasStatus_t state;
  float wavesCount;
  int reserved[4];
} cublasLtMatmulHeuristicResult_t;

/* The descriptors: opaque to callers, as in the toolkit. */
struct cublasLtContext {
  int unused;
};
struct cublasLtMatmulDescOpaque_t {
  cublasComputeType_t compute;
  cudaDataType_t scale;
};
struct cublasLtMatrixLayoutOpaque_t {
  cudaDataType_t type;
  uint64_t rows, cols;
  int64_t ld;
  int32_t batch;
  int64_t stride;
};
struct cublasLtMatmulPreferenceOpaque_t {
  uint64_t maxWorkspace;
};
typedef cublasLtContext *cublasLtHandle_t;
typedef cublasLtMatmulDescOpaque_t *cublasLtMatmulDesc_t;
typedef cublasLtMatrixLayoutOpaque_t *cublasLtMatrixLayout_t;
typedef cublasLtMatmulPreferenceOpaque_t *cublasLtMatmulPreference_t;

namespace mc_emu {
namespace lt {

constexpr uint64_t kAlgoTag = 0x746c2d756d65636dull; /* "mcemu-lt" */
constexpr uint64_t kDirect = 1, kSplitK = 2;
constexpr int64_t kSplitMinK = 64;
constexpr size_t kAssumedAlignment = 256;

/* One matmul, checked: what the run needs from its descriptors. */
struct Problem {
  Element ab, cd;
  int64_t m, n, k;
  int32_t batch;
  bool tf32;
};

inline bool elementOf(cudaDataType_t type, Element *e) {
  switch (type) {
  case CUDA_R_32F:
    *e = Element::F32;
    return true;
  case CUDA_R_16F:
    *e = Element::F16;
    return true;
  case CUDA_R_16BF:
    *e = Element::BF16;
    return true;
  }
  return false;
}

/* Bytes from a matrix's first element to past its last, over the batch. */
inline size_t extentBytes(const cublasLtMatrixLayoutOpaque_t &l, Element e) {
  if (l.rows == 0 || l.cols == 0)
    return 0;
  uint64_t elements = (uint64_t)(l.batch - 1) * (uint64_t)l.stride + (l.cols - 1) * (uint64_t)l.ld + l.rows;
  return elements * elementBytes(e);
}

/* The split-k partial sums: one float per element of D, over the batch. */
inline size_t splitWorkspaceBytes(const Problem &p) {
  size_t bytes = (size_t)p.batch * (size_t)p.m * (size_t)p.n * sizeof(float);
  return (bytes + 255) / 256 * 256;
}

inline cublasStatus_t checkLayout(const char *call, const char *name, cublasLtMatrixLayout_t l, Element *e) {
  if (!l) {
    logRejection(call, "%s has no layout", name);
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  if (!elementOf(l->type, e)) {
    logRejection(call, "%s has data type %d, which the emulation lacks", name, (int)l->type);
    return CUBLAS_STATUS_NOT_SUPPORTED;
  }
  if (l->rows > INT32_MAX || l->cols > INT32_MAX) {
    logRejection(call, "%s is %llu x %llu, past int32", name, (unsigned long long)l->rows,
                 (unsigned long long)l->cols);
    return CUBLAS_STATUS_NOT_SUPPORTED;
  }
  int64_t minLd = l->rows > 1 ? (int64_t)l->rows : 1;
  if (l->ld < minLd) {
    logRejection(call, "%s has ld %lld < rows %llu (column-major columns would overlap)", name, (long long)l->ld,
                 (unsigned long long)l->rows);
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  if (l->batch < 1) {
    logRejection(call, "%s has batch count %d", name, (int)l->batch);
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  if (l->stride < 0) {
    logRejection(call, "%s has strided batch offset %lld; the emulation takes only offsets >= 0", name,
                 (long long)l->stride);
    return CUBLAS_STATUS_NOT_SUPPORTED;
  }
  return CUBLAS_STATUS_SUCCESS;
}

/* The checks cuBLASLt makes on a product before choosing or running an
 * algorithm. No operand is transposed: A is m x k, B is k x n, C and D are
 * m x n. */
inline cublasStatus_t checkMatmul(const char *call, cublasLtMatmulDesc_t desc, cublasLtMatrixLayout_t a,
                                  cublasLtMatrixLayout_t b, cublasLtMatrixLayout_t c, cublasLtMatrixLayout_t d,
                                  Problem *p) {
  if (!desc) {
    logRejection(call, "no matmul descriptor");
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  if (desc->compute != CUBLAS_COMPUTE_32F && desc->compute != CUBLAS_COMPUTE_32F_FAST_TF32) {
    logRejection(call, "compute type %d, which the emulation lacks", (int)desc->compute);
    return CUBLAS_STATUS_NOT_SUPPORTED;
  }
  if (desc->scale != CUDA_R_32F) {
    logRejection(call, "scale type %d with a 32-bit float compute type (must be CUDA_R_32F)", (int)desc->scale);
    return CUBLAS_STATUS_NOT_SUPPORTED;
  }
  Element ea, eb, ec, ed;
  cublasStatus_t status;
  if ((status = checkLayout(call, "A", a, &ea)) != CUBLAS_STATUS_SUCCESS ||
      (status = checkLayout(call, "B", b, &eb)) != CUBLAS_STATUS_SUCCESS ||
      (status = checkLayout(call, "C", c, &ec)) != CUBLAS_STATUS_SUCCESS ||
      (status = checkLayout(call, "D", d, &ed)) != CUBLAS_STATUS_SUCCESS)
    return status;
  if (a->cols != b->rows) {
    logRejection(call, "A is %llu x %llu and B is %llu x %llu: A's columns and B's rows (k) differ",
                 (unsigned long long)a->rows, (unsigned long long)a->cols, (unsigned long long)b->rows,
                 (unsigned long long)b->cols);
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  if (d->rows != a->rows || d->cols != b->cols || c->rows != d->rows || c->cols != d->cols) {
    logRejection(call, "A B is %llu x %llu but C is %llu x %llu and D is %llu x %llu", (unsigned long long)a->rows,
                 (unsigned long long)b->cols, (unsigned long long)c->rows, (unsigned long long)c->cols,
                 (unsigned long long)d->rows, (unsigned long long)d->cols);
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  if (a->batch != b->batch || a->batch != c->batch || a->batch != d->batch) {
    logRejection(call, "batch counts differ: A %d, B %d, C %d, D %d", (int)a->batch, (int)b->batch, (int)c->batch,
                 (int)d->batch);
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  if (ea != eb || ec != ed || !(ec == ea || ec == Element::F32)) {
    logRejection(call, "data types A %d, B %d, C %d, D %d: not a combination cuBLASLt supports", (int)a->type,
                 (int)b->type, (int)c->type, (int)d->type);
    return CUBLAS_STATUS_NOT_SUPPORTED;
  }
  bool tf32 = desc->compute == CUBLAS_COMPUTE_32F_FAST_TF32;
  if (tf32 && ea != Element::F32) {
    logRejection(call, "CUBLAS_COMPUTE_32F_FAST_TF32 needs float operands");
    return CUBLAS_STATUS_NOT_SUPPORTED;
  }
  *p = Problem{ea, ec, (int64_t)a->rows, (int64_t)b->cols, (int64_t)a->cols, a->batch, tf32};
  return CUBLAS_STATUS_SUCCESS;
}

} // namespace lt
} // namespace mc_emu

inline cublasStatus_t cublasLtCreate(cublasLtHandle_t *handle) {
  if (!handle)
    return CUBLAS_STATUS_INVALID_VALUE;
  *handle = new cublasLtContext{0};
  return CUBLAS_STATUS_SUCCESS;
}
inline cublasStatus_t cublasLtDestroy(cublasLtHandle_t handle) {
  if (!handle)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  delete handle;
  return CUBLAS_STATUS_SUCCESS;
}

inline cublasStatus_t cublasLtMatmulDescCreate(cublasLtMatmulDesc_t *desc, cublasComputeType_t compute,
                                               cudaDataType_t scale) {
  if (!desc)
    return CUBLAS_STATUS_INVALID_VALUE;
  *desc = new cublasLtMatmulDescOpaque_t{compute, scale};
  return CUBLAS_STATUS_SUCCESS;
}
inline cublasStatus_t cublasLtMatmulDescDestroy(cublasLtMatmulDesc_t desc) {
  delete desc;
  return CUBLAS_STATUS_SUCCESS;
}

inline cublasStatus_t cublasLtMatrixLayoutCreate(cublasLtMatrixLayout_t *layout, cudaDataType type, uint64_t rows,
                                                 uint64_t cols, int64_t ld) {
  if (!layout)
    return CUBLAS_STATUS_INVALID_VALUE;
  *layout = new cublasLtMatrixLayoutOpaque_t{type, rows, cols, ld, 1, 0};
  return CUBLAS_STATUS_SUCCESS;
}
inline cublasStatus_t cublasLtMatrixLayoutDestroy(cublasLtMatrixLayout_t layout) {
  delete layout;
  return CUBLAS_STATUS_SUCCESS;
}

/* Each attribute has the width the toolkit documents; another size is an
 * invalid value, as in the library. */
inline cublasStatus_t cublasLtMatrixLayoutSetAttribute(cublasLtMatrixLayout_t layout,
                                                       cublasLtMatrixLayoutAttribute_t attribute, const void *buffer,
                                                       size_t bytes) {
  const char *call = "cublasLtMatrixLayoutSetAttribute";
  void *field = nullptr;
  size_t width = 0;
  uint32_t type;
  if (!layout || !buffer)
    return CUBLAS_STATUS_INVALID_VALUE;
  switch (attribute) {
  case CUBLASLT_MATRIX_LAYOUT_TYPE:
    field = &type, width = sizeof(uint32_t);
    break;
  case CUBLASLT_MATRIX_LAYOUT_ROWS:
    field = &layout->rows, width = sizeof(uint64_t);
    break;
  case CUBLASLT_MATRIX_LAYOUT_COLS:
    field = &layout->cols, width = sizeof(uint64_t);
    break;
  case CUBLASLT_MATRIX_LAYOUT_LD:
    field = &layout->ld, width = sizeof(int64_t);
    break;
  case CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT:
    field = &layout->batch, width = sizeof(int32_t);
    break;
  case CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET:
    field = &layout->stride, width = sizeof(int64_t);
    break;
  }
  if (!field) {
    mc_emu::logRejection(call, "attribute %d, which the emulation lacks", (int)attribute);
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  if (bytes != width) {
    mc_emu::logRejection(call, "attribute %d takes %zu bytes, got %zu", (int)attribute, width, bytes);
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  memcpy(field, buffer, width);
  if (attribute == CUBLASLT_MATRIX_LAYOUT_TYPE)
    layout->type = (cudaDataType_t)type;
  return CUBLAS_STATUS_SUCCESS;
}

inline cublasStatus_t cublasLtMatmulPreferenceCreate(cublasLtMatmulPreference_t *pref) {
  if (!pref)
    return CUBLAS_STATUS_INVALID_VALUE;
  *pref = new cublasLtMatmulPreferenceOpaque_t{0};
  return CUBLAS_STATUS_SUCCESS;
}
inline cublasStatus_t cublasLtMatmulPreferenceDestroy(cublasLtMatmulPreference_t pref) {
  delete pref;
  return CUBLAS_STATUS_SUCCESS;
}
inline cublasStatus_t cublasLtMatmulPreferenceSetAttribute(cublasLtMatmulPreference_t pref,
                                                           cublasLtMatmulPreferenceAttributes_t attribute,
                                                           const void *buffer, size_t bytes) {
  if (!pref || !buffer || attribute != CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES || bytes != sizeof(uint64_t)) {
    mc_emu::logRejection("cublasLtMatmulPreferenceSetAttribute", "attribute %d with %zu bytes", (int)attribute,
                         bytes);
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  memcpy(&pref->maxWorkspace, buffer, sizeof(uint64_t));
  return CUBLAS_STATUS_SUCCESS;
}

/* The best algorithm first: the split-k one when it applies and its
 * workspace fits the preference, then the direct one. */
inline cublasStatus_t cublasLtMatmulAlgoGetHeuristic(cublasLtHandle_t handle, cublasLtMatmulDesc_t desc,
                                                     cublasLtMatrixLayout_t a, cublasLtMatrixLayout_t b,
                                                     cublasLtMatrixLayout_t c, cublasLtMatrixLayout_t d,
                                                     cublasLtMatmulPreference_t pref, int requested,
                                                     cublasLtMatmulHeuristicResult_t results[], int *returned) {
  using namespace mc_emu::lt;
  const char *call = "cublasLtMatmulAlgoGetHeuristic";
  if (!handle)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  if (requested <= 0 || !results || !returned || !pref) {
    mc_emu::logRejection(call, "no preference or result array, or requested %d algorithms", requested);
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  *returned = 0;
  Problem p;
  cublasStatus_t status = checkMatmul(call, desc, a, b, c, d, &p);
  if (status != CUBLAS_STATUS_SUCCESS)
    return status;
  size_t split = splitWorkspaceBytes(p);
  auto add = [&](uint64_t kind, size_t workspace) {
    if (*returned == requested)
      return;
    cublasLtMatmulHeuristicResult_t &r = results[(*returned)++];
    memset(&r, 0, sizeof r);
    r.algo.data[0] = kAlgoTag;
    r.algo.data[1] = kind;
    r.algo.data[2] = workspace;
    r.workspaceSize = workspace;
    r.state = CUBLAS_STATUS_SUCCESS;
    r.wavesCount = 1.0f;
  };
  if (p.k >= kSplitMinK && split <= pref->maxWorkspace)
    add(kSplitK, split);
  add(kDirect, 0);
  return CUBLAS_STATUS_SUCCESS;
}

/* alpha and beta are host floats (the default pointer mode), read now. When
 * beta is 0, C is not read. */
inline cublasStatus_t cublasLtMatmul(cublasLtHandle_t handle, cublasLtMatmulDesc_t desc, const void *alpha,
                                     const void *a, cublasLtMatrixLayout_t aDesc, const void *b,
                                     cublasLtMatrixLayout_t bDesc, const void *beta, const void *c,
                                     cublasLtMatrixLayout_t cDesc, void *d, cublasLtMatrixLayout_t dDesc,
                                     const cublasLtMatmulAlgo_t *algo, void *workspace, size_t workspaceBytes,
                                     cudaStream_t stream) {
  using namespace mc_emu;
  using namespace mc_emu::lt;
  const char *call = "cublasLtMatmul";
  if (!handle)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  if (!alpha || !beta) {
    logRejection(call, "no alpha or beta");
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  Problem p;
  cublasStatus_t status = checkMatmul(call, desc, aDesc, bDesc, cDesc, dDesc, &p);
  if (status != CUBLAS_STATUS_SUCCESS)
    return status;
  uint64_t kind = kDirect;
  if (algo) {
    if (algo->data[0] != kAlgoTag || (algo->data[1] != kDirect && algo->data[1] != kSplitK)) {
      logRejection(call, "the algorithm did not come from cublasLtMatmulAlgoGetHeuristic");
      return CUBLAS_STATUS_INVALID_VALUE;
    }
    kind = algo->data[1];
  }
  size_t needed = kind == kSplitK ? std::max<size_t>(algo->data[2], splitWorkspaceBytes(p)) : 0;
  if (workspaceBytes < needed) {
    logRejection(call, "a workspace of %zu bytes, the algorithm needs %zu", workspaceBytes, needed);
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  const float alphaValue = *static_cast<const float *>(alpha);
  const float betaValue = *static_cast<const float *>(beta);
  const bool readC = betaValue != 0.0f;
  if (c == d && (cDesc->ld != dDesc->ld || cDesc->stride != dDesc->stride)) {
    logRejection(call, "C and D are the same memory but their layouts differ (ld %lld/%lld, batch offset %lld/%lld)",
                 (long long)cDesc->ld, (long long)dDesc->ld, (long long)cDesc->stride, (long long)dDesc->stride);
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  requireDevice(a, extentBytes(*aDesc, p.ab), "cublasLtMatmul A");
  requireDevice(b, extentBytes(*bDesc, p.ab), "cublasLtMatmul B");
  if (readC)
    requireDevice(c, extentBytes(*cDesc, p.cd), "cublasLtMatmul C");
  requireDevice(d, extentBytes(*dDesc, p.cd), "cublasLtMatmul D");
  if (needed)
    requireDevice(workspace, needed, "cublasLtMatmul workspace");
  const void *operands[] = {a, b, readC ? c : nullptr, d};
  for (int i = 0; i < 4; ++i) {
    if (operands[i] && !isAligned(operands[i], kAssumedAlignment)) {
      logRejection(call, "%c at %p is not %zu-byte aligned, the alignment the algorithm assumed (the preference "
                   "leaves CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_%c_BYTES at its default)",
                   "ABCD"[i], operands[i], kAssumedAlignment, "ABCD"[i]);
      return CUBLAS_STATUS_INVALID_VALUE;
    }
  }
  const cublasLtMatrixLayoutOpaque_t la = *aDesc, lb = *bDesc, lc = *cDesc, ld = *dDesc;
  float *partial = static_cast<float *>(needed ? workspace : nullptr);
  std::vector<Use> uses = {{a, extentBytes(la, p.ab), false}, {b, extentBytes(lb, p.ab), false},
                           {d, extentBytes(ld, p.cd), true}};
  if (readC)
    uses.emplace_back(c, extentBytes(lc, p.cd), false);
  if (needed)
    uses.emplace_back(workspace, needed, true);
  enqueue(stream, [=] {
    auto load = [&](Element e, const void *base, const cublasLtMatrixLayoutOpaque_t &l, int32_t batch,
                    int64_t row, int64_t col) {
      float v = loadElement(e, base, batch * l.stride + col * l.ld + row);
      return p.tf32 ? roundToTf32(v) : v;
    };
    auto dot = [&](int32_t batch, int64_t i, int64_t j, int64_t from, int64_t to) {
      float acc = 0.0f;
      for (int64_t q = from; q < to; ++q)
        acc += load(p.ab, a, la, batch, i, q) * load(p.ab, b, lb, batch, q, j);
      return acc;
    };
    const int64_t half = kind == kSplitK ? p.k / 2 : 0;
    if (kind == kSplitK)
      for (int32_t batch = 0; batch < p.batch; ++batch)
        for (int64_t j = 0; j < p.n; ++j)
          for (int64_t i = 0; i < p.m; ++i)
            partial[(batch * p.n + j) * p.m + i] = dot(batch, i, j, 0, half);
    for (int32_t batch = 0; batch < p.batch; ++batch)
      for (int64_t j = 0; j < p.n; ++j)
        for (int64_t i = 0; i < p.m; ++i) {
          float acc = dot(batch, i, j, half, p.k);
          if (kind == kSplitK)
            acc += partial[(batch * p.n + j) * p.m + i];
          float v = alphaValue * acc;
          if (readC)
            v += betaValue * loadElement(p.cd, c, batch * lc.stride + j * lc.ld + i);
          storeElement(p.cd, d, batch * ld.stride + j * ld.ld + i, v);
        }
  }, call, std::move(uses));
  return CUBLAS_STATUS_SUCCESS;
}

#endif /* MODELC_TEST_CUDA_EMULATOR_CUBLASLT_H */
