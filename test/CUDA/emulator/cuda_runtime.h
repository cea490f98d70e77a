/* A CPU emulation of the part of the CUDA runtime that modelc's generated
 * code uses, so its kernels run and are checked on machines without a GPU.
 *
 * Blocks run one after another; the threads of a block run as fibers
 * (ucontext) that switch only at __syncthreads and at warp shuffles, so
 * block-wide reductions behave as on a GPU. __shared__ variables become
 * function statics: shared by the threads of the one block that runs.
 * Streams are queues that run at once, or record while a graph is captured;
 * graphs replay their records. Kernel launches `k<<<g, b, s, stream>>>(args);`
 * are rewritten by the test driver into MC_EMU_LAUNCH((g, b, s, stream),
 * (args), k); the kernel comes last because template arguments hold commas.
 *
 * This is test infrastructure: it models the semantics the generated code
 * relies on, not performance, and not the whole CUDA API. */
#ifndef MODELC_TEST_CUDA_EMULATOR_RUNTIME_H
#define MODELC_TEST_CUDA_EMULATOR_RUNTIME_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static

struct dim3 {
  unsigned x = 1, y = 1, z = 1;
  dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
typedef dim3 uint3;

inline dim3 threadIdx, blockIdx, blockDim, gridDim;

/* ---- errors ---- */
typedef enum cudaError {
  cudaSuccess = 0,
  cudaErrorInvalidValue = 1,
  cudaErrorMemoryAllocation = 2,
  cudaErrorStreamCaptureUnsupported = 900,
} cudaError_t;

inline const char *cudaGetErrorString(cudaError_t error) {
  return error == cudaSuccess ? "no error" : "emulated CUDA error";
}
inline cudaError_t cudaGetLastError() { return cudaSuccess; }
inline cudaError_t cudaDeviceSynchronize() { return cudaSuccess; }

/* ---- 16-bit floats: storage types with round-to-nearest-even ---- */
struct __half {
  uint16_t bits;
};
struct __nv_bfloat16 {
  uint16_t bits;
};

inline float __half2float(__half h) {
  uint32_t sign = (uint32_t)(h.bits & 0x8000u) << 16;
  uint32_t exponent = (h.bits >> 10) & 0x1fu, mantissa = h.bits & 0x3ffu;
  uint32_t bits;
  if (exponent == 0) {
    float value = ldexpf((float)mantissa, -24);
    return sign ? -value : value;
  }
  if (exponent == 31)
    bits = sign | 0x7f800000u | (mantissa << 13);
  else
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  float value;
  memcpy(&value, &bits, 4);
  return value;
}

inline __half __float2half_rn(float value) {
  uint32_t bits;
  memcpy(&bits, &value, 4);
  uint32_t sign = (bits >> 16) & 0x8000u, magnitude = bits & 0x7fffffffu;
  __half h;
  if (magnitude >= 0x7f800000u) {
    h.bits = (uint16_t)(sign | 0x7c00u | (magnitude > 0x7f800000u ? 0x200u : 0));
    return h;
  }
  if (magnitude >= 0x477ff000u) {
    h.bits = (uint16_t)(sign | 0x7c00u);
    return h;
  }
  if (magnitude < 0x38800000u) {
    float scaled = fabsf(value) * 16777216.0f;
    float units = nearbyintf(scaled); /* ties to even in the default mode */
    h.bits = (uint16_t)(sign | (uint32_t)units);
    return h;
  }
  uint32_t half = (((magnitude >> 23) - 112) << 10) | ((magnitude >> 13) & 0x3ffu);
  uint32_t rest = magnitude & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u)))
    ++half;
  h.bits = (uint16_t)(sign | half);
  return h;
}

inline float __bfloat162float(__nv_bfloat16 b) {
  uint32_t bits = (uint32_t)b.bits << 16;
  float value;
  memcpy(&value, &bits, 4);
  return value;
}

inline __nv_bfloat16 __float2bfloat16_rn(float value) {
  uint32_t bits;
  memcpy(&bits, &value, 4);
  __nv_bfloat16 b;
  if ((bits & 0x7fffffffu) > 0x7f800000u) {
    b.bits = (uint16_t)((bits >> 16) | 0x40u);
    return b;
  }
  bits += 0x7fffu + ((bits >> 16) & 1u);
  b.bits = (uint16_t)(bits >> 16);
  return b;
}

/* ---- device math not in libm ---- */
inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
using std::max;
using std::min;

/* ---- streams, capture and graphs ---- */
struct CUstream_st {
  bool capturing = false;
  std::vector<std::function<void()>> *recording = nullptr;
};
typedef CUstream_st *cudaStream_t;
struct CUgraph_st {
  std::vector<std::function<void()>> work;
};
typedef CUgraph_st *cudaGraph_t;
typedef CUgraph_st *cudaGraphExec_t;

enum cudaStreamCaptureMode { cudaStreamCaptureModeGlobal, cudaStreamCaptureModeThreadLocal };
enum { cudaStreamNonBlocking = 1 };
enum cudaMemcpyKind {
  cudaMemcpyHostToDevice,
  cudaMemcpyDeviceToHost,
  cudaMemcpyDeviceToDevice,
  cudaMemcpyHostToHost
};

namespace mc_emu {

/* Runs `work` now, or records it while `stream` is being captured. */
inline cudaError_t enqueue(cudaStream_t stream, std::function<void()> work) {
  if (stream && stream->capturing) {
    stream->recording->push_back(std::move(work));
    return cudaSuccess;
  }
  work();
  return cudaSuccess;
}

/* Fibers of one block. */
struct Fiber {
  ucontext_t context;
  bool done = false;
  dim3 index;
};

inline ucontext_t scheduler;
inline Fiber *current = nullptr;
inline std::function<void()> *body = nullptr;
inline std::vector<char *> stacks;
constexpr size_t kStackBytes = 64 * 1024;

inline void fiberMain() {
  (*body)();
  current->done = true;
}

/* Every thread of the block reaches here before any continues. */
inline void barrier() { swapcontext(&current->context, &scheduler); }

/* Thread 0 runs first in a fiber. A kernel whose thread 0 never reaches a
 * barrier has none (CUDA requires every thread of a block to reach each
 * __syncthreads), so its other threads run as plain calls: the fast path of
 * every per-element kernel. Otherwise all threads run as fibers. */
inline void runBlock(const std::function<void()> &kernel) {
  unsigned count = blockDim.x * blockDim.y * blockDim.z;
  while (stacks.size() < count)
    stacks.push_back(static_cast<char *>(malloc(kStackBytes)));
  auto indexOf = [](unsigned t) {
    return dim3(t % blockDim.x, (t / blockDim.x) % blockDim.y, t / (blockDim.x * blockDim.y));
  };
  std::vector<Fiber> fibers(count);
  std::function<void()> bodyCopy = kernel;
  body = &bodyCopy;
  auto start = [&](unsigned t) {
    Fiber &f = fibers[t];
    f.index = indexOf(t);
    getcontext(&f.context);
    f.context.uc_stack.ss_sp = stacks[t];
    f.context.uc_stack.ss_size = kStackBytes;
    f.context.uc_link = &scheduler;
    makecontext(&f.context, fiberMain, 0);
  };
  auto resume = [&](Fiber &f) {
    current = &f;
    threadIdx = f.index;
    swapcontext(&scheduler, &f.context);
  };
  start(0);
  resume(fibers[0]);
  if (fibers[0].done) {
    for (unsigned t = 1; t < count; ++t) {
      threadIdx = indexOf(t);
      kernel();
    }
    current = nullptr;
    return;
  }
  for (unsigned t = 1; t < count; ++t)
    start(t);
  bool pending = true;
  bool first = true;
  while (pending) {
    pending = false;
    for (unsigned t = 0; t < count; ++t) {
      Fiber &f = fibers[t];
      if (f.done || (first && t == 0))
        continue;
      resume(f);
      pending = pending || !f.done;
    }
    first = false;
    pending = pending || !fibers[0].done;
  }
  current = nullptr;
}

inline void runGrid(dim3 grid, dim3 block, const std::function<void()> &kernel) {
  gridDim = grid;
  blockDim = block;
  for (unsigned z = 0; z < grid.z; ++z)
    for (unsigned y = 0; y < grid.y; ++y)
      for (unsigned x = 0; x < grid.x; ++x) {
        blockIdx = dim3(x, y, z);
        runBlock(kernel);
      }
}

/* The launch `kernel<<<grid, block, shared, stream>>>(args)`. */
struct Launch {
  dim3 grid, block;
  cudaStream_t stream;
  Launch(dim3 g, dim3 b, size_t = 0, cudaStream_t s = nullptr) : grid(g), block(b), stream(s) {}
  void operator()(std::function<void()> kernel) const {
    dim3 g = grid, b = block;
    enqueue(stream, [g, b, kernel] { runGrid(g, b, kernel); });
  }
};

} // namespace mc_emu

#define MC_EMU_LAUNCH(config, args, ...) mc_emu::Launch config([=] { __VA_ARGS__ args; })

inline void __syncthreads() { mc_emu::barrier(); }

/* Warp shuffles, as exchanges through a block-wide slot array: every thread
 * of the block must call them together, which modelc's kernels do. */
template <typename T>
T __shfl_xor_sync(unsigned, T value, int lane_mask) {
  static T slots[1024];
  unsigned t = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
  slots[t] = value;
  __syncthreads();
  T other = slots[t ^ (unsigned)lane_mask];
  __syncthreads();
  return other;
}

/* ---- memory ---- */
namespace mc_emu {
/* Live cudaMalloc allocations: base -> bytes. */
inline std::map<uintptr_t, size_t> allocations;

/* Aborts unless [pointer, pointer + bytes) lies inside one live cudaMalloc
 * allocation (nullptr with bytes == 0 passes): the check every device-side
 * access makes, named `what` in the one-line diagnostic. */
inline void requireDevice(const void *pointer, size_t bytes, const char *what) {
  uintptr_t p = reinterpret_cast<uintptr_t>(pointer);
  if (!pointer && bytes == 0)
    return;
  auto it = allocations.upper_bound(p);
  if (it != allocations.begin()) {
    --it;
    if (p - it->first <= it->second && bytes <= it->second - (p - it->first))
      return;
  }
  fprintf(stderr, "cuda emulator: %s: %p is not device memory (no live cudaMalloc allocation holds its %zu bytes)\n",
          what, pointer, bytes);
  fflush(stderr);
  _exit(3);
}
} // namespace mc_emu

inline cudaError_t cudaMalloc(void **pointer, size_t bytes) {
  *pointer = aligned_alloc(256, (bytes + 255) / 256 * 256 + 256);
  if (!*pointer)
    return cudaErrorMemoryAllocation;
  mc_emu::allocations[reinterpret_cast<uintptr_t>(*pointer)] = bytes;
  return cudaSuccess;
}
inline cudaError_t cudaFree(void *pointer) {
  mc_emu::allocations.erase(reinterpret_cast<uintptr_t>(pointer));
  free(pointer);
  return cudaSuccess;
}
inline cudaError_t cudaMemset(void *to, int value, size_t bytes) {
  memset(to, value, bytes);
  return cudaSuccess;
}
inline cudaError_t cudaMemcpy(void *to, const void *from, size_t bytes, cudaMemcpyKind) {
  memcpy(to, from, bytes);
  return cudaSuccess;
}
inline cudaError_t cudaMemcpyAsync(void *to, const void *from, size_t bytes, cudaMemcpyKind,
                                   cudaStream_t stream = nullptr) {
  return mc_emu::enqueue(stream, [=] { memcpy(to, from, bytes); });
}

inline cudaError_t cudaStreamCreateWithFlags(cudaStream_t *stream, unsigned) {
  *stream = new CUstream_st;
  return cudaSuccess;
}
inline cudaError_t cudaStreamCreate(cudaStream_t *stream) { return cudaStreamCreateWithFlags(stream, 0); }
inline cudaError_t cudaStreamDestroy(cudaStream_t stream) {
  delete stream;
  return cudaSuccess;
}
inline cudaError_t cudaStreamSynchronize(cudaStream_t) { return cudaSuccess; }

inline cudaError_t cudaStreamBeginCapture(cudaStream_t stream, cudaStreamCaptureMode) {
  if (!stream || stream->capturing)
    return cudaErrorStreamCaptureUnsupported;
  stream->capturing = true;
  stream->recording = new std::vector<std::function<void()>>;
  return cudaSuccess;
}
inline cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t *graph) {
  if (!stream || !stream->capturing)
    return cudaErrorInvalidValue;
  *graph = new CUgraph_st{std::move(*stream->recording)};
  delete stream->recording;
  stream->recording = nullptr;
  stream->capturing = false;
  return cudaSuccess;
}
inline cudaError_t cudaGraphInstantiate(cudaGraphExec_t *exec, cudaGraph_t graph, unsigned long long = 0) {
  *exec = new CUgraph_st{graph->work};
  return cudaSuccess;
}
inline cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t stream) {
  for (const auto &work : exec->work)
    mc_emu::enqueue(stream, work);
  return cudaSuccess;
}
inline cudaError_t cudaGraphDestroy(cudaGraph_t graph) {
  delete graph;
  return cudaSuccess;
}
inline cudaError_t cudaGraphExecDestroy(cudaGraphExec_t exec) {
  delete exec;
  return cudaSuccess;
}

#endif /* MODELC_TEST_CUDA_EMULATOR_RUNTIME_H */
