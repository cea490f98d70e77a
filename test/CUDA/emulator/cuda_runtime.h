/* A strict CPU emulation of the part of the CUDA runtime that modelc's
 * generated code uses, so its kernels run and are checked on machines
 * without a GPU, and so that code a GPU would run wrongly fails here too.
 *
 * Kernel launches `k<<<g, b, s, stream>>>(args);` are rewritten by the test
 * driver (test/CUDA/check_emulated.py) into MC_EMU_LAUNCH((g, b, s, stream),
 * (args), k), or MC_EMU_LAUNCH_BOUNDED(n, ...) for a kernel declared with
 * __launch_bounds__(n); the kernel comes last because template arguments
 * hold commas. What the emulation enforces, and how a violation shows:
 *
 *  - Launch limits. Block x, y <= 1024, z <= 64, x*y*z <= 1024; grid x < 2^31,
 *    y, z <= 65535 (cudaErrorInvalidConfiguration); dynamic shared memory <=
 *    48 KiB unless raised with cudaFuncSetAttribute (cudaErrorInvalidValue);
 *    no more threads than __launch_bounds__ (cudaErrorLaunchOutOfResources).
 *    A bad launch does not run: it sets the last error, which
 *    cudaGetLastError returns and clears and cudaPeekAtLastError returns,
 *    invalidates a capture in progress, and prints one line on stderr.
 *  - A separate device address space. cudaMalloc allocates from one reserved
 *    region that is inaccessible (PROT_NONE) while host code runs and
 *    readable only while device work (kernels, copies, memsets, library
 *    calls) executes. Each allocation ends at a page end followed by an
 *    inaccessible page, and freed addresses are never reused, so overruns
 *    and use after free fault. Host code that touches device memory, and
 *    device work that leaves its allocations, stop the program with a
 *    one-line diagnostic (exit status 3).
 *  - Device pointers. Every pointer argument of every launch, the device
 *    sides of cudaMemcpy*, cudaMemset* (by their cudaMemcpyKind;
 *    cudaMemcpyDefault infers) and, through mc_emu::requireDevice, the
 *    library layer, must lie in a live cudaMalloc allocation; the diagnostic
 *    names the kernel or call and the argument.
 *  - __shared__ per block. __shared__ variables live in one linker section
 *    (mc_emu_shared) that is refilled with poison before every block, as are
 *    the warp-shuffle slots, so data one block wrote is not there for
 *    another. Blocks run in a shuffled order ((a*i + c) mod n; set
 *    MC_EMU_BLOCK_ORDER=forward or reverse to compare), so a block that
 *    reads what another block wrote sees it missing.
 *  - Barrier arrival counts. Threads of a block run as fibers (ucontext)
 *    that switch at __syncthreads and warp shuffles; every thread must
 *    reach each __syncthreads (and every lane a shuffle names must reach
 *    it), or the run stops: "__syncthreads in K block (x,y,z) reached by N
 *    of M threads".
 *  - Asynchronous streams. Work enqueued on a stream runs only when the host
 *    waits for it (cudaStreamSynchronize, cudaDeviceSynchronize, cudaFree,
 *    a synchronous cudaMemcpy to the host), following CUDA's ordering: one
 *    stream in order, the legacy default stream ordered with blocking
 *    streams but not with cudaStreamNonBlocking ones. Synchronous cudaMemcpy
 *    from pageable host memory and cudaMemset are asynchronous with respect
 *    to device work, as CUDA documents. Work on two streams that nothing
 *    orders and that uses the same allocation (one writing) stops the run
 *    as a race. Host memory is treated as page-locked: the destination of a
 *    pending cudaMemcpyAsync to the host holds poison until the stream is
 *    synchronized, and its whole pages are inaccessible, so reading them
 *    early stops the run naming the copy.
 *  - Captured graphs record work and replay it on cudaGraphLaunch; waiting
 *    on a capturing stream, or legacy-stream work while a blocking stream
 *    captures, is an error that invalidates the capture.
 *
 * Poison, repeated 16-bit patterns that read as NaN in float, __half and
 * __nv_bfloat16 (aligned), and as the 32-bit words shown:
 *   0xffa0ffa0  fresh cudaMalloc memory (uninitialised on a GPU),
 *   0xffb0ffb0  __shared__ memory and shuffle slots at the start of a block,
 *   0xffc0ffc0  the host destination of a cudaMemcpyAsync not yet completed.
 *
 * Limits: one host thread uses the runtime; __shared__ variables must have
 * internal linkage or sit in non-inline functions (GCC refuses to mix
 * section members of inline/template functions with others: "section type
 * conflict"); no extern (dynamic) __shared__ arrays; kernels take pointers
 * and scalars (pointers inside struct arguments are not checked); no
 * events. This is test infrastructure: it models the semantics the
 * generated code relies on, not performance. */
#ifndef MODELC_TEST_CUDA_EMULATOR_RUNTIME_H
#define MODELC_TEST_CUDA_EMULATOR_RUNTIME_H

#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static __attribute__((section("mc_emu_shared")))

extern "C" char __start_mc_emu_shared[] __attribute__((weak));
extern "C" char __stop_mc_emu_shared[] __attribute__((weak));

struct dim3 {
  unsigned x = 1, y = 1, z = 1;
  dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
typedef dim3 uint3;

inline dim3 threadIdx, blockIdx, blockDim, gridDim;

/* ---- errors (CUDA 12's numbers and strings) ---- */
typedef enum cudaError {
  cudaSuccess = 0,
  cudaErrorInvalidValue = 1,
  cudaErrorMemoryAllocation = 2,
  cudaErrorInvalidConfiguration = 9,
  cudaErrorInvalidDevicePointer = 17,
  cudaErrorInvalidMemcpyDirection = 21,
  cudaErrorInvalidResourceHandle = 400,
  cudaErrorNotReady = 600,
  cudaErrorLaunchOutOfResources = 701,
  cudaErrorStreamCaptureUnsupported = 900,
  cudaErrorStreamCaptureInvalidated = 901,
  cudaErrorStreamCaptureImplicit = 906,
} cudaError_t;

inline const char *cudaGetErrorName(cudaError_t error) {
  switch (error) {
  case cudaSuccess: return "cudaSuccess";
  case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
  case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
  case cudaErrorInvalidConfiguration: return "cudaErrorInvalidConfiguration";
  case cudaErrorInvalidDevicePointer: return "cudaErrorInvalidDevicePointer";
  case cudaErrorInvalidMemcpyDirection: return "cudaErrorInvalidMemcpyDirection";
  case cudaErrorInvalidResourceHandle: return "cudaErrorInvalidResourceHandle";
  case cudaErrorNotReady: return "cudaErrorNotReady";
  case cudaErrorLaunchOutOfResources: return "cudaErrorLaunchOutOfResources";
  case cudaErrorStreamCaptureUnsupported: return "cudaErrorStreamCaptureUnsupported";
  case cudaErrorStreamCaptureInvalidated: return "cudaErrorStreamCaptureInvalidated";
  case cudaErrorStreamCaptureImplicit: return "cudaErrorStreamCaptureImplicit";
  }
  return "cudaErrorUnknown";
}

inline const char *cudaGetErrorString(cudaError_t error) {
  switch (error) {
  case cudaSuccess: return "no error";
  case cudaErrorInvalidValue: return "invalid argument";
  case cudaErrorMemoryAllocation: return "out of memory";
  case cudaErrorInvalidConfiguration: return "invalid configuration argument";
  case cudaErrorInvalidDevicePointer: return "invalid device pointer";
  case cudaErrorInvalidMemcpyDirection: return "invalid copy direction for memcpy";
  case cudaErrorInvalidResourceHandle: return "invalid resource handle";
  case cudaErrorNotReady: return "device not ready";
  case cudaErrorLaunchOutOfResources: return "too many resources requested for launch";
  case cudaErrorStreamCaptureUnsupported: return "operation not permitted when stream is capturing";
  case cudaErrorStreamCaptureInvalidated: return "operation failed due to a previous error during capture";
  case cudaErrorStreamCaptureImplicit:
    return "operation would make the legacy stream depend on a capturing blocking stream";
  }
  return "unknown error";
}

namespace mc_emu {
/* The error cudaGetLastError reports: the latest failing call's, until read. */
inline cudaError_t lastError = cudaSuccess;
inline cudaError_t fail(cudaError_t error) {
  lastError = error;
  return error;
}
} // namespace mc_emu

inline cudaError_t cudaGetLastError() {
  cudaError_t error = mc_emu::lastError;
  mc_emu::lastError = cudaSuccess;
  return error;
}
inline cudaError_t cudaPeekAtLastError() { return mc_emu::lastError; }

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
/* dp4a: c plus the dot product of the four signed bytes of a and b, wrapping
 * in 32 bits as the instruction does. */
inline int __dp4a(int a, int b, int c) {
  uint32_t sum = (uint32_t)c;
  for (int i = 0; i < 32; i += 8)
    sum += (uint32_t)((int32_t)(int8_t)(a >> i) * (int32_t)(int8_t)(b >> i));
  return (int)sum;
}
using std::max;
using std::min;

/* ---- diagnostics and poison ---- */
namespace mc_emu {

constexpr uint16_t kPoisonDevice = 0xffa0;  /* fresh cudaMalloc memory */
constexpr uint16_t kPoisonShared = 0xffb0;  /* __shared__ at block start */
constexpr uint16_t kPoisonPending = 0xffc0; /* host side of a pending copy */

/* Fills [begin, begin + bytes) with `pattern` repeated from even addresses. */
inline void poison(void *begin, size_t bytes, uint16_t pattern) {
  unsigned char *p = static_cast<unsigned char *>(begin), *end = p + bytes;
  if (p < end && (reinterpret_cast<uintptr_t>(p) & 1))
    *p++ = (unsigned char)(pattern >> 8);
  for (; p + 2 <= end; p += 2)
    memcpy(p, &pattern, 2); /* little-endian: low byte at the even address */
  if (p < end)
    *p = (unsigned char)pattern;
}

/* Prints one "cuda emulator: ..." line and stops: the emulation found code
 * that a GPU would run wrongly. Safe inside the fault handler. */
[[noreturn]] inline void die(const char *format, ...) __attribute__((format(printf, 1, 2)));
inline void die(const char *format, ...) {
  char line[1024];
  int used = snprintf(line, sizeof line, "cuda emulator: ");
  va_list args;
  va_start(args, format);
  vsnprintf(line + used, sizeof line - used - 1, format, args);
  va_end(args);
  size_t length = strlen(line);
  line[length++] = '\n';
  fflush(stdout);
  ssize_t ignored = write(2, line, length);
  (void)ignored;
  _exit(3);
}

/* What runs now, for diagnostics: a kernel (with its block and thread) or
 * another piece of device work; nullptr while host code runs. */
inline const char *runningWhat = nullptr;
inline bool runningKernel = false;
inline const char *kernelName = nullptr; /* the kernel that runs, bare */

inline const char *runningPosition() {
  static char text[768];
  if (!runningWhat)
    return "host code";
  if (!runningKernel)
    return runningWhat;
  snprintf(text, sizeof text, "%s block (%u,%u,%u) thread (%u,%u,%u)", runningWhat, blockIdx.x,
           blockIdx.y, blockIdx.z, threadIdx.x, threadIdx.y, threadIdx.z);
  return text;
}

inline size_t pageBytes() {
  static size_t page = (size_t)sysconf(_SC_PAGESIZE);
  return page;
}
inline uintptr_t pageDown(uintptr_t p) { return p & ~(uintptr_t)(pageBytes() - 1); }
inline uintptr_t pageUp(uintptr_t p) { return pageDown(p + pageBytes() - 1); }

/* ---- the device address space ---- */

/* One cudaMalloc allocation: [base, base + bytes) ends 255 bytes or less
 * before its accessible pages [pagesBegin, pagesEnd) do; the page after
 * stays inaccessible. Freed allocations are kept, for diagnostics. */
struct Allocation {
  uintptr_t base;
  size_t bytes;
  uintptr_t pagesBegin, pagesEnd;
  bool live;
};

inline uintptr_t regionBegin = 0, regionEnd = 0, regionNext = 0;
inline std::map<uintptr_t, Allocation> allocations; /* by pagesBegin */
inline std::map<uintptr_t, size_t> pinnedHost;      /* cudaMallocHost */
inline bool deviceWindow = false;                    /* device work runs */

/* The allocation whose pages or guard page hold `p`, live or freed. */
inline const Allocation *allocationNear(uintptr_t p) {
  auto it = allocations.upper_bound(p);
  if (it == allocations.begin())
    return nullptr;
  --it;
  return p < it->second.pagesEnd + pageBytes() ? &it->second : nullptr;
}

inline bool inRegion(const void *p) {
  uintptr_t a = reinterpret_cast<uintptr_t>(p);
  return a >= regionBegin && a < regionEnd;
}

inline const std::pair<const uintptr_t, size_t> *pinnedAt(uintptr_t p) {
  auto it = pinnedHost.upper_bound(p);
  if (it == pinnedHost.begin())
    return nullptr;
  --it;
  return p < it->first + it->second ? &*it : nullptr;
}

/* Why `p` is not in a live allocation, for "(...)" in a diagnostic. */
inline const char *whyNotDevice(uintptr_t p) {
  static char text[256];
  const Allocation *a = inRegion(reinterpret_cast<void *>(p)) ? allocationNear(p) : nullptr;
  if (a && !a->live)
    snprintf(text, sizeof text, "it lies in the %zu-byte cudaMalloc allocation at %p, already freed",
             a->bytes, (void *)a->base);
  else if (a && p >= a->base)
    snprintf(text, sizeof text, "%zu bytes past the end of the %zu-byte cudaMalloc allocation at %p",
             (size_t)(p - a->base - a->bytes), a->bytes, (void *)a->base);
  else if (a)
    snprintf(text, sizeof text, "%zu bytes before the %zu-byte cudaMalloc allocation at %p",
             (size_t)(a->base - p), a->bytes, (void *)a->base);
  else if (inRegion(reinterpret_cast<void *>(p)))
    snprintf(text, sizeof text, "inside the device address space but in no allocation");
  else if (pinnedAt(p))
    snprintf(text, sizeof text, "page-locked host memory from cudaMallocHost");
  else
    snprintf(text, sizeof text, "a host address; device memory comes from cudaMalloc");
  return text;
}

/* The live allocation holding [p, p + bytes) (p may be its end when bytes
 * is 0), or nullptr. */
inline const Allocation *liveAllocation(uintptr_t p, size_t bytes) {
  if (!inRegion(reinterpret_cast<void *>(p)))
    return nullptr;
  const Allocation *a = allocationNear(p);
  if (!a || !a->live || p < a->base || p - a->base > a->bytes || bytes > a->bytes - (p - a->base))
    return nullptr;
  return a;
}

/* Aborts unless [pointer, pointer + bytes) lies inside one live cudaMalloc
 * allocation (nullptr with bytes == 0 passes): the check every device-side
 * access makes, named `what` in the one-line diagnostic. */
inline void requireDevice(const void *pointer, size_t bytes, const char *what) {
  uintptr_t p = reinterpret_cast<uintptr_t>(pointer);
  if (!pointer && bytes == 0)
    return;
  if (liveAllocation(p, bytes))
    return;
  const Allocation *a = inRegion(pointer) ? allocationNear(p) : nullptr;
  if (a && a->live && p >= a->base && p <= a->base + a->bytes)
    die("%s: [%p, %p) runs %zu bytes past the end of the %zu-byte cudaMalloc allocation at %p", what,
        pointer, (void *)(p + bytes), (size_t)(p + bytes - a->base - a->bytes), a->bytes,
        (void *)a->base);
  die("%s: %p is not device memory (%s)", what, pointer, whyNotDevice(p));
}

/* Opens the device address space to device work, and closes it again. */
inline void openDeviceWindow() {
  for (auto &entry : allocations)
    if (entry.second.live)
      mprotect(reinterpret_cast<void *>(entry.second.pagesBegin),
               entry.second.pagesEnd - entry.second.pagesBegin, PROT_READ | PROT_WRITE);
  deviceWindow = true;
}
inline void closeDeviceWindow() {
  for (auto &entry : allocations)
    if (entry.second.live)
      mprotect(reinterpret_cast<void *>(entry.second.pagesBegin),
               entry.second.pagesEnd - entry.second.pagesBegin, PROT_NONE);
  deviceWindow = false;
}

/* Host pages kept inaccessible while a copy to them is pending. */
struct Guard {
  uintptr_t begin, end;
  std::string what;
};
inline std::vector<Guard> guards;

inline void guardHost(uintptr_t begin, uintptr_t end, std::string what) {
  if (begin >= end)
    return;
  mprotect(reinterpret_cast<void *>(begin), end - begin, PROT_NONE);
  guards.push_back({begin, end, std::move(what)});
}
inline void unguardHost(uintptr_t begin, uintptr_t end) {
  for (size_t i = 0; i < guards.size(); ++i)
    if (guards[i].begin == begin && guards[i].end == end) {
      guards.erase(guards.begin() + i);
      mprotect(reinterpret_cast<void *>(begin), end - begin, PROT_READ | PROT_WRITE);
      for (const Guard &other : guards) /* pages another pending copy shares */
        if (other.begin < end && begin < other.end)
          mprotect(reinterpret_cast<void *>(std::max(begin, other.begin)),
                   std::min(end, other.end) - std::max(begin, other.begin), PROT_NONE);
      return;
    }
}

/* Fiber stacks, each below an inaccessible page. */
constexpr size_t kStackBytes = 64 * 1024;
constexpr unsigned kMaxThreads = 1024;
inline char *stacks = nullptr;
inline char *stackOf(unsigned t) { return stacks + t * (kStackBytes + pageBytes()) + pageBytes(); }

inline const char *accessOf(void *context) {
#if defined(__x86_64__)
  return (static_cast<ucontext_t *>(context)->uc_mcontext.gregs[REG_ERR] & 2) ? "wrote" : "read";
#else
  (void)context;
  return "read or wrote";
#endif
}

inline struct sigaction previousFaultAction;

inline void onFault(int, siginfo_t *info, void *context) {
  uintptr_t p = reinterpret_cast<uintptr_t>(info->si_addr);
  const char *access = accessOf(context);
  if (p >= regionBegin && p < regionEnd) {
    const Allocation *a = allocationNear(p);
    if (!deviceWindow) {
      if (a && a->live && p >= a->base && p < a->base + a->bytes)
        die("host code %s device memory at %p (byte %zu of the %zu-byte cudaMalloc allocation at %p): "
            "copy it with cudaMemcpy and use the copy",
            access, info->si_addr, (size_t)(p - a->base), a->bytes, (void *)a->base);
      die("host code %s device address %p (%s)", access, info->si_addr, whyNotDevice(p));
    }
    die("%s %s %p, outside every live cudaMalloc allocation (%s)", runningPosition(), access,
        info->si_addr, whyNotDevice(p));
  }
  for (const Guard &g : guards)
    if (p >= g.begin && p < g.end)
      die("%s %s %p, the destination of %s, before that copy completed: synchronize its stream "
          "(cudaStreamSynchronize) before using the data",
          runningWhat ? runningPosition() : "host code", access, info->si_addr, g.what.c_str());
  if (stacks && p >= reinterpret_cast<uintptr_t>(stacks) &&
      p < reinterpret_cast<uintptr_t>(stacks) + kMaxThreads * (kStackBytes + pageBytes()))
    die("stack overflow (more than %zu KiB) in %s", kStackBytes / 1024, runningPosition());
  if (runningWhat) {
    char line[1024];
    int length = snprintf(line, sizeof line,
                          "cuda emulator: segmentation fault at %p in %s: a pointer that is neither "
                          "device memory nor valid host memory\n",
                          info->si_addr, runningPosition());
    ssize_t ignored = write(2, line, (size_t)std::min<int>(length, (int)sizeof line - 1));
    (void)ignored;
  }
  /* Not ours: the fault repeats under the handler that was there before. */
  sigaction(SIGSEGV, &previousFaultAction, nullptr);
}

/* Reserves the device address space and installs the fault handler, once. */
inline void ensureRuntime() {
  static bool ready = false;
  if (ready)
    return;
  ready = true;
  for (size_t bytes = (size_t)64 << 30; bytes >= ((size_t)1 << 30); bytes /= 2) {
    void *region = mmap(nullptr, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (region != MAP_FAILED) {
      regionBegin = regionNext = reinterpret_cast<uintptr_t>(region);
      regionEnd = regionBegin + bytes;
      break;
    }
  }
  size_t stackSpan = kMaxThreads * (kStackBytes + pageBytes());
  void *stackRegion = mmap(nullptr, stackSpan, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (stackRegion == MAP_FAILED || !regionBegin)
    die("cannot reserve address space for the emulation");
  stacks = static_cast<char *>(stackRegion);
  for (unsigned t = 0; t < kMaxThreads; ++t)
    mprotect(stackOf(t), kStackBytes, PROT_READ | PROT_WRITE);
  static char alternate[64 * 1024];
  stack_t altstack = {};
  altstack.ss_sp = alternate;
  altstack.ss_size = sizeof alternate;
  sigaltstack(&altstack, nullptr);
  struct sigaction action = {};
  action.sa_sigaction = onFault;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  sigaction(SIGSEGV, &action, &previousFaultAction);
}

} // namespace mc_emu

/* ---- streams, capture and graphs ---- */
namespace mc_emu {
/* A range of device memory a piece of work reads, or writes. */
struct Use {
  uintptr_t begin, end;
  bool write;
  Use(const void *pointer, size_t bytes, bool writes)
      : begin(reinterpret_cast<uintptr_t>(pointer)), end(begin + bytes), write(writes) {}
};
/* Device work: a kernel launch, a copy, a memset or a library call. */
struct Work {
  std::string what;
  std::vector<Use> uses;
  std::function<void()> run;
  std::function<void()> enqueued; /* when it joins a stream, not a capture */
};
} // namespace mc_emu

struct CUstream_st {
  enum Kind { Legacy, Blocking, NonBlocking } kind = Blocking;
  bool destroyed = false;
  bool capturing = false;
  bool captureInvalid = false;
  std::vector<mc_emu::Work> *recording = nullptr;
};
typedef CUstream_st *cudaStream_t;
struct CUgraph_st {
  std::vector<mc_emu::Work> work;
};
typedef CUgraph_st *cudaGraph_t;
typedef CUgraph_st *cudaGraphExec_t;

#define cudaStreamLegacy ((cudaStream_t)0x1)
#define cudaStreamPerThread ((cudaStream_t)0x2)

enum cudaStreamCaptureMode {
  cudaStreamCaptureModeGlobal = 0,
  cudaStreamCaptureModeThreadLocal = 1,
  cudaStreamCaptureModeRelaxed = 2
};
enum { cudaStreamDefault = 0, cudaStreamNonBlocking = 1 };
enum cudaMemcpyKind {
  cudaMemcpyHostToHost = 0,
  cudaMemcpyHostToDevice = 1,
  cudaMemcpyDeviceToHost = 2,
  cudaMemcpyDeviceToDevice = 3,
  cudaMemcpyDefault = 4
};

namespace mc_emu {

inline CUstream_st legacyStream{CUstream_st::Legacy};
inline CUstream_st perThreadStream{CUstream_st::Blocking};
inline std::vector<CUstream_st *> streams; /* created ones; never freed */

inline CUstream_st *resolve(cudaStream_t stream) {
  if (stream == nullptr || stream == cudaStreamLegacy)
    return &legacyStream;
  if (stream == cudaStreamPerThread)
    return &perThreadStream;
  return stream;
}

inline const char *describe(const CUstream_st *s) {
  static char text[2][64];
  static int next = 0;
  char *out = text[next++ & 1];
  if (s->kind == CUstream_st::Legacy)
    return "the legacy default stream";
  snprintf(out, 64, "%sstream %p", s->kind == CUstream_st::NonBlocking ? "non-blocking " : "",
           (const void *)s);
  return out;
}

/* Work enqueued and not yet run, in enqueue order. */
struct Pending {
  Work work;
  CUstream_st *stream;
};
inline std::vector<Pending> pending;

/* Which of pending[0, end) CUDA orders before work on `stream` enqueued at
 * position `end`: earlier work on the same stream, and the implicit
 * synchronization of the legacy stream with blocking streams, transitively. */
inline std::vector<bool> orderedBefore(size_t end, const CUstream_st *stream) {
  std::vector<bool> before(end, false);
  std::vector<const CUstream_st *> reached{stream};
  bool legacy = stream->kind == CUstream_st::Legacy, blocking = stream->kind == CUstream_st::Blocking;
  for (size_t i = end; i-- > 0;) {
    const CUstream_st *s = pending[i].stream;
    bool needed = std::find(reached.begin(), reached.end(), s) != reached.end() ||
                  (s->kind == CUstream_st::Blocking && legacy) ||
                  (s->kind == CUstream_st::Legacy && blocking);
    if (!needed)
      continue;
    before[i] = true;
    if (std::find(reached.begin(), reached.end(), s) == reached.end())
      reached.push_back(s);
    legacy = legacy || s->kind == CUstream_st::Legacy;
    blocking = blocking || s->kind == CUstream_st::Blocking;
  }
  return before;
}

/* Runs the pending work marked in `selected`, in order, with the device
 * address space open. */
inline void runSelected(const std::vector<bool> &selected) {
  std::vector<Pending> now, later;
  for (size_t i = 0; i < pending.size(); ++i)
    (i < selected.size() && selected[i] ? now : later).push_back(std::move(pending[i]));
  pending = std::move(later);
  if (now.empty())
    return;
  openDeviceWindow();
  for (Pending &item : now) {
    runningWhat = item.work.what.c_str();
    item.work.run();
    runningWhat = nullptr;
    runningKernel = false;
  }
  closeDeviceWindow();
}

/* Completes all work on `stream` and whatever it waits for. */
inline void complete(const CUstream_st *stream) {
  size_t last = pending.size();
  for (size_t i = pending.size(); i-- > 0;)
    if (pending[i].stream == stream) {
      last = i;
      break;
    }
  if (last == pending.size())
    return;
  std::vector<bool> selected = orderedBefore(last, stream);
  selected.push_back(true);
  runSelected(selected);
}
inline void completeAll() { runSelected(std::vector<bool>(pending.size(), true)); }

inline bool overlap(const Work &a, const Work &b, const Use **first, const Use **second) {
  for (const Use &x : a.uses)
    for (const Use &y : b.uses)
      if ((x.write || y.write) && x.begin < y.end && y.begin < x.end) {
        *first = &x;
        *second = &y;
        return true;
      }
  return false;
}

/* Work on a stream that nothing orders after pending work which uses the
 * same memory, one of them writing, is a race on a GPU. */
inline void checkRaces(const CUstream_st *stream, const Work &work) {
  if (work.uses.empty())
    return;
  std::vector<bool> before = orderedBefore(pending.size(), stream);
  for (size_t i = 0; i < pending.size(); ++i) {
    const Use *mine, *theirs;
    if (before[i] || !overlap(work, pending[i].work, &mine, &theirs))
      continue;
    const CUstream_st *other = pending[i].stream;
    bool legacyVsNonBlocking =
        (stream->kind == CUstream_st::Legacy && other->kind == CUstream_st::NonBlocking) ||
        (other->kind == CUstream_st::Legacy && stream->kind == CUstream_st::NonBlocking);
    die("race: %s on %s %s [%p, %p) while %s, enqueued earlier on %s and not yet complete, %s it, "
        "and nothing orders the two%s: synchronize, or enqueue both on one stream",
        work.what.c_str(), describe(stream), mine->write ? "writes" : "reads", (void *)mine->begin,
        (void *)mine->end, pending[i].work.what.c_str(), describe(other),
        theirs->write ? "writes" : "reads",
        legacyVsNonBlocking ? " (the legacy default stream does not wait for, nor is waited for by, "
                              "streams created with cudaStreamNonBlocking)"
                            : "");
  }
}

inline bool captureActive() {
  for (CUstream_st *s : streams)
    if (s->capturing)
      return true;
  return false;
}

/* An API call that CUDA refuses while a capture is in progress (it would
 * wait for or depend on captured work): the captures become invalid. */
inline cudaError_t refuseDuringCapture(cudaError_t error = cudaErrorStreamCaptureUnsupported) {
  for (CUstream_st *s : streams)
    if (s->capturing)
      s->captureInvalid = true;
  return fail(error);
}

/* Puts `work` on `stream`: recorded while the stream is captured, else
 * pending until the host waits for the stream. */
inline cudaError_t submit(cudaStream_t handle, Work work) {
  ensureRuntime();
  CUstream_st *stream = resolve(handle);
  if (stream->destroyed)
    return fail(cudaErrorInvalidResourceHandle);
  if (stream->capturing) {
    stream->recording->push_back(std::move(work));
    return cudaSuccess;
  }
  if (stream->kind == CUstream_st::Legacy)
    for (CUstream_st *s : streams)
      if (s->capturing && s->kind == CUstream_st::Blocking)
        return refuseDuringCapture(cudaErrorStreamCaptureImplicit);
  checkRaces(stream, work);
  if (work.enqueued)
    work.enqueued();
  pending.push_back({std::move(work), stream});
  return cudaSuccess;
}

/* Device work from the library layer (emulated cuBLASLt/cuDNN): runs when
 * the host waits for `stream`. `uses`, when given, take part in the race
 * check. */
inline cudaError_t enqueue(cudaStream_t stream, std::function<void()> work) {
  return submit(stream, Work{"library call", {}, std::move(work), nullptr});
}
inline cudaError_t enqueue(cudaStream_t stream, std::function<void()> work, std::string what,
                           std::vector<Use> uses = {}) {
  return submit(stream, Work{std::move(what), std::move(uses), std::move(work), nullptr});
}

} // namespace mc_emu

inline cudaError_t cudaStreamCreateWithFlags(cudaStream_t *stream, unsigned flags) {
  mc_emu::ensureRuntime();
  if (!stream)
    return mc_emu::fail(cudaErrorInvalidValue);
  *stream = new CUstream_st;
  (*stream)->kind = (flags & cudaStreamNonBlocking) ? CUstream_st::NonBlocking : CUstream_st::Blocking;
  mc_emu::streams.push_back(*stream);
  return cudaSuccess;
}
inline cudaError_t cudaStreamCreate(cudaStream_t *stream) {
  return cudaStreamCreateWithFlags(stream, cudaStreamDefault);
}
/* Pending work still runs when waited for, as on a GPU; the handle dies. */
inline cudaError_t cudaStreamDestroy(cudaStream_t stream) {
  CUstream_st *s = mc_emu::resolve(stream);
  if (s == &mc_emu::legacyStream || s == &mc_emu::perThreadStream || s->destroyed)
    return mc_emu::fail(cudaErrorInvalidResourceHandle);
  s->destroyed = true;
  return cudaSuccess;
}
inline cudaError_t cudaStreamSynchronize(cudaStream_t stream) {
  CUstream_st *s = mc_emu::resolve(stream);
  if (s->destroyed)
    return mc_emu::fail(cudaErrorInvalidResourceHandle);
  if (s->capturing)
    return mc_emu::refuseDuringCapture();
  if (s->kind == CUstream_st::Legacy && mc_emu::captureActive())
    return mc_emu::refuseDuringCapture(cudaErrorStreamCaptureImplicit);
  mc_emu::complete(s);
  return cudaSuccess;
}
/* Not ready once while work is pending, which then completes: a polling
 * loop ends, and code that only polls once sees the work unfinished. */
inline cudaError_t cudaStreamQuery(cudaStream_t stream) {
  CUstream_st *s = mc_emu::resolve(stream);
  if (s->destroyed)
    return mc_emu::fail(cudaErrorInvalidResourceHandle);
  for (const mc_emu::Pending &item : mc_emu::pending)
    if (item.stream == s) {
      mc_emu::complete(s);
      return cudaErrorNotReady;
    }
  return cudaSuccess;
}
inline cudaError_t cudaDeviceSynchronize() {
  if (mc_emu::captureActive())
    return mc_emu::refuseDuringCapture();
  mc_emu::completeAll();
  return cudaSuccess;
}

inline cudaError_t cudaStreamBeginCapture(cudaStream_t stream, cudaStreamCaptureMode) {
  CUstream_st *s = mc_emu::resolve(stream);
  if (s->kind == CUstream_st::Legacy || s == &mc_emu::perThreadStream || s->destroyed || s->capturing)
    return mc_emu::fail(cudaErrorStreamCaptureUnsupported);
  s->capturing = true;
  s->captureInvalid = false;
  s->recording = new std::vector<mc_emu::Work>;
  return cudaSuccess;
}
inline cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t *graph) {
  CUstream_st *s = mc_emu::resolve(stream);
  if (!s->capturing || !graph)
    return mc_emu::fail(cudaErrorInvalidValue);
  bool invalid = s->captureInvalid;
  *graph = invalid ? nullptr : new CUgraph_st{std::move(*s->recording)};
  delete s->recording;
  s->recording = nullptr;
  s->capturing = false;
  s->captureInvalid = false;
  return invalid ? mc_emu::fail(cudaErrorStreamCaptureInvalidated) : cudaSuccess;
}
enum cudaStreamCaptureStatus { cudaStreamCaptureStatusNone, cudaStreamCaptureStatusActive,
                               cudaStreamCaptureStatusInvalidated };
inline cudaError_t cudaStreamIsCapturing(cudaStream_t stream, cudaStreamCaptureStatus *status) {
  CUstream_st *s = mc_emu::resolve(stream);
  *status = !s->capturing ? cudaStreamCaptureStatusNone
            : s->captureInvalid ? cudaStreamCaptureStatusInvalidated
                                : cudaStreamCaptureStatusActive;
  return cudaSuccess;
}
inline cudaError_t cudaGraphInstantiate(cudaGraphExec_t *exec, cudaGraph_t graph, unsigned long long = 0) {
  if (!exec || !graph)
    return mc_emu::fail(cudaErrorInvalidValue);
  *exec = new CUgraph_st{graph->work};
  return cudaSuccess;
}
/* The recorded work joins `stream` again, with the checks of each piece. */
inline cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t stream) {
  if (!exec)
    return mc_emu::fail(cudaErrorInvalidValue);
  for (const mc_emu::Work &work : exec->work)
    if (cudaError_t error = mc_emu::submit(stream, work))
      return error;
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

/* ---- threads of a block: fibers, barriers and shuffles ---- */
namespace mc_emu {

enum class State : unsigned char { Runnable, AtBlockBarrier, AtWarpBarrier, Done };
struct Fiber {
  ucontext_t context;
  dim3 index;
  State state;
  unsigned mask;     /* lanes named by the shuffle it waits in */
  const char *where; /* that shuffle's name */
};

inline ucontext_t scheduler;
inline std::vector<Fiber> fibers;
inline Fiber *current = nullptr;
inline const std::function<void()> *body = nullptr;
/* Threads after a thread 0 that met no barrier run as plain calls; one that
 * meets a barrier there leaves through plainExit and is counted. */
inline bool plainMode = false;
inline jmp_buf plainExit;
inline unsigned plainArrivals = 0;
inline const char *plainWhere = nullptr;
inline volatile unsigned plainNext = 0;

inline void fiberMain() {
  (*body)();
  current->state = State::Done;
}

inline void arrive(State state, unsigned mask, const char *where) {
  if (!current) {
    if (!plainMode)
      die("%s called outside a kernel", where);
    ++plainArrivals;
    plainWhere = where;
    longjmp(plainExit, 1);
  }
  current->state = state;
  current->mask = mask;
  current->where = where;
  swapcontext(&current->context, &scheduler);
}

inline unsigned linearThread() {
  return threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
}
inline dim3 threadAt(unsigned t) {
  return dim3(t % blockDim.x, (t / blockDim.x) % blockDim.y, t / (blockDim.x * blockDim.y));
}

[[noreturn]] inline void stuck(unsigned count) {
  unsigned atBlock = 0;
  for (unsigned t = 0; t < count; ++t)
    atBlock += fibers[t].state == State::AtBlockBarrier;
  const dim3 &b = blockIdx;
  if (atBlock > 0) {
    for (unsigned t = 0; t < count; ++t)
      if (fibers[t].state != State::AtBlockBarrier) {
        dim3 i = fibers[t].index;
        die("__syncthreads in %s block (%u,%u,%u) reached by %u of %u threads (thread (%u,%u,%u) %s%s)",
            kernelName, b.x, b.y, b.z, atBlock, count, i.x, i.y, i.z,
            fibers[t].state == State::Done ? "exited without reaching it" : "waits in ",
            fibers[t].state == State::Done ? "" : fibers[t].where);
      }
  }
  for (unsigned t = 0; t < count; ++t) {
    if (fibers[t].state != State::AtWarpBarrier)
      continue;
    unsigned warp = t / 32, lanes = std::min(32u, count - warp * 32), mask = fibers[t].mask;
    unsigned named = 0, arrived = 0, missing = count;
    for (unsigned lane = 0; lane < lanes; ++lane)
      if (mask & (1u << lane)) {
        ++named;
        if (fibers[warp * 32 + lane].state == State::AtWarpBarrier)
          ++arrived;
        else if (missing == count)
          missing = warp * 32 + lane;
      }
    dim3 i = fibers[missing].index;
    die("%s in %s block (%u,%u,%u) warp %u reached by %u of the %u threads its mask 0x%08x names "
        "(thread (%u,%u,%u) exited without reaching it)",
        fibers[t].where, kernelName, b.x, b.y, b.z, warp, arrived, named, mask, i.x, i.y, i.z);
  }
  die("threads of %s block (%u,%u,%u) never finished", kernelName, b.x, b.y, b.z);
}

inline void runBlock(unsigned count) {
  if (fibers.size() < count)
    fibers.resize(count);
  auto start = [&](unsigned t) {
    Fiber &f = fibers[t];
    f.index = threadAt(t);
    f.state = State::Runnable;
    getcontext(&f.context);
    f.context.uc_stack.ss_sp = stackOf(t);
    f.context.uc_stack.ss_size = kStackBytes;
    f.context.uc_link = &scheduler;
    makecontext(&f.context, fiberMain, 0);
  };
  auto resume = [&](unsigned t) {
    current = &fibers[t];
    threadIdx = fibers[t].index;
    swapcontext(&scheduler, &fibers[t].context);
    current = nullptr;
  };
  /* Thread 0 first, as a fiber. A kernel whose thread 0 meets no barrier
   * has none in a correct program (every thread reaches each barrier), so
   * the other threads run as plain calls: the fast path of every
   * per-element kernel. */
  start(0);
  resume(0);
  if (fibers[0].state == State::Done) {
    plainMode = true;
    plainArrivals = 0;
    plainNext = 1;
    if (setjmp(plainExit))
      plainNext = plainNext + 1;
    for (; plainNext < count; plainNext = plainNext + 1) {
      threadIdx = threadAt(plainNext);
      (*body)();
    }
    plainMode = false;
    if (plainArrivals)
      die("%s in %s block (%u,%u,%u) reached by %u of %u threads (thread (0,0,0) exited without "
          "reaching it)",
          plainWhere, kernelName, blockIdx.x, blockIdx.y, blockIdx.z, plainArrivals, count);
    return;
  }
  for (unsigned t = 1; t < count; ++t)
    start(t);
  for (;;) {
    for (unsigned t = 0; t < count; ++t)
      if (fibers[t].state == State::Runnable)
        resume(t);
    /* Nobody runs: release a warp whose named lanes all wait in a shuffle,
     * else the block when every thread waits at __syncthreads. */
    bool released = false;
    for (unsigned warp = 0; warp * 32 < count; ++warp) {
      unsigned lanes = std::min(32u, count - warp * 32), need = 0, waiting = 0;
      for (unsigned lane = 0; lane < lanes; ++lane)
        if (fibers[warp * 32 + lane].state == State::AtWarpBarrier) {
          waiting |= 1u << lane;
          need |= fibers[warp * 32 + lane].mask;
        }
      need &= lanes == 32 ? ~0u : (1u << lanes) - 1;
      if (waiting && (need & ~waiting) == 0) {
        for (unsigned lane = 0; lane < lanes; ++lane)
          if (waiting & (1u << lane))
            fibers[warp * 32 + lane].state = State::Runnable;
        released = true;
      }
    }
    if (released)
      continue;
    unsigned atBlock = 0, done = 0;
    for (unsigned t = 0; t < count; ++t) {
      atBlock += fibers[t].state == State::AtBlockBarrier;
      done += fibers[t].state == State::Done;
    }
    if (done == count)
      return;
    if (atBlock != count)
      stuck(count);
    for (unsigned t = 0; t < count; ++t)
      fibers[t].state = State::Runnable;
  }
}

/* The order blocks run in: i -> (a*i + c) mod n, a coprime with n. */
struct BlockOrder {
  uint64_t n, a = 1, c = 0;
  explicit BlockOrder(uint64_t count) : n(count) {
    static const char *mode = getenv("MC_EMU_BLOCK_ORDER");
    if (mode && !strcmp(mode, "forward"))
      return;
    if (mode && !strcmp(mode, "reverse")) {
      a = n - 1;
      c = n - 1;
      return;
    }
    auto gcd = [](uint64_t x, uint64_t y) {
      while (y) {
        uint64_t r = x % y;
        x = y;
        y = r;
      }
      return x;
    };
    if (n < 2)
      return;
    a = 0x9e3779b97f4a7c15ull % n;
    while (gcd(a, n) != 1)
      ++a;
    c = (n + 1) / 2;
  }
  uint64_t operator()(uint64_t i) const {
    return n < 2 ? 0 : (uint64_t)(((unsigned __int128)a * i + c) % n);
  }
};

inline void poisonShared() {
  if (reinterpret_cast<uintptr_t>(__stop_mc_emu_shared) > reinterpret_cast<uintptr_t>(__start_mc_emu_shared))
    poison(__start_mc_emu_shared, (size_t)(__stop_mc_emu_shared - __start_mc_emu_shared), kPoisonShared);
}

inline void runGrid(const char *name, dim3 grid, dim3 block, const std::function<void()> &kernel) {
  kernelName = name;
  gridDim = grid;
  blockDim = block;
  body = &kernel;
  runningKernel = true;
  uint64_t count = (uint64_t)grid.x * grid.y * grid.z;
  unsigned threads = block.x * block.y * block.z;
  BlockOrder order(count);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t b = order(i);
    blockIdx = dim3((unsigned)(b % grid.x), (unsigned)((b / grid.x) % grid.y),
                    (unsigned)(b / ((uint64_t)grid.x * grid.y)));
    poisonShared();
    runBlock(threads);
  }
  body = nullptr;
  runningKernel = false;
}

/* ---- launches ---- */

/* The configuration `<<<grid, block, shared, stream>>>`. */
struct Config {
  dim3 grid, block;
  size_t shared;
  cudaStream_t stream;
  Config(dim3 g, dim3 b, size_t s = 0, cudaStream_t st = nullptr) : grid(g), block(b), shared(s), stream(st) {}
};

constexpr size_t kDefaultDynamicShared = 48 * 1024;
constexpr size_t kMaxDynamicShared = 227 * 1024; /* sm_90 with the opt-in */
inline std::map<const void *, size_t> dynamicSharedLimit;

/* Why a launch fails, as CUDA reports it; cudaSuccess when it may run. */
inline cudaError_t checkConfig(const Config &c, unsigned bound, const void *kernel, char *why, size_t size) {
  const dim3 &g = c.grid, &b = c.block;
  uint64_t threads = (uint64_t)b.x * b.y * b.z;
  if (b.x == 0 || b.y == 0 || b.z == 0 || b.x > 1024 || b.y > 1024 || b.z > 64 || threads > 1024) {
    snprintf(why, size, "block (%u,%u,%u) has %llu threads; at most (1024,1024,64) and 1024 in all",
             b.x, b.y, b.z, (unsigned long long)threads);
    return cudaErrorInvalidConfiguration;
  }
  if (g.x == 0 || g.y == 0 || g.z == 0 || g.x > 0x7fffffffu || g.y > 65535 || g.z > 65535) {
    snprintf(why, size, "grid (%u,%u,%u); at most (2147483647,65535,65535) blocks", g.x, g.y, g.z);
    return cudaErrorInvalidConfiguration;
  }
  auto limit = dynamicSharedLimit.find(kernel);
  size_t sharedLimit = limit == dynamicSharedLimit.end() ? kDefaultDynamicShared : limit->second;
  if (c.shared > sharedLimit) {
    snprintf(why, size, "%zu bytes of dynamic shared memory; the kernel may use %zu%s", c.shared,
             sharedLimit, limit == dynamicSharedLimit.end() ? " (raise it with cudaFuncSetAttribute)" : "");
    return cudaErrorInvalidValue;
  }
  if (bound && threads > bound) {
    snprintf(why, size, "%llu threads per block; the kernel is compiled for __launch_bounds__(%u)",
             (unsigned long long)threads, bound);
    return cudaErrorLaunchOutOfResources;
  }
  if (resolve(c.stream)->destroyed) {
    snprintf(why, size, "the stream was destroyed");
    return cudaErrorInvalidResourceHandle;
  }
  return cudaSuccess;
}

/* A kernel's pointer argument must point into a live allocation (or be
 * null); it then counts as a use of that allocation, a write unless it
 * points to const. */
template <typename T>
void checkArgument(const char *kernel, size_t index, size_t count, const T &value, std::vector<Use> *uses) {
  if constexpr (std::is_pointer_v<T>) {
    if (!value)
      return;
    uintptr_t p = reinterpret_cast<uintptr_t>(value);
    const Allocation *a = liveAllocation(p, 0);
    if (!a)
      die("kernel %s argument %zu of %zu: %p is not device memory (%s)", kernel, index + 1, count,
          (const void *)value, whyNotDevice(p));
    if (uses)
      uses->emplace_back(reinterpret_cast<const void *>(a->base), a->bytes,
                         !std::is_const_v<std::remove_pointer_t<T>>);
  }
}

template <typename Tuple, size_t... I>
void checkArguments(const char *kernel, const Tuple &args, std::vector<Use> *uses, std::index_sequence<I...>) {
  (checkArgument(kernel, I, sizeof...(I), std::get<I>(args), uses), ...);
}

template <typename... P>
struct Launcher {
  Config config;
  const char *name;
  unsigned bound;
  void (*kernel)(P...);

  void operator()(P... params) const {
    ensureRuntime();
    char why[256];
    cudaError_t error = checkConfig(config, bound, reinterpret_cast<const void *>(kernel), why, sizeof why);
    if (error != cudaSuccess) {
      const dim3 &g = config.grid, &b = config.block;
      fprintf(stderr,
              "cuda emulator: launch of %s<<<(%u,%u,%u), (%u,%u,%u), %zu>>> fails with %s: %s (the "
              "kernel does not run; cudaGetLastError reports it)\n",
              name, g.x, g.y, g.z, b.x, b.y, b.z, config.shared, cudaGetErrorName(error), why);
      CUstream_st *s = resolve(config.stream);
      if (s->capturing)
        s->captureInvalid = true;
      fail(error);
      return;
    }
    std::tuple<P...> args(params...);
    Work work;
    work.what = std::string("kernel ") + name;
    checkArguments(name, args, &work.uses, std::index_sequence_for<P...>{});
    const char *kernelName = name;
    void (*function)(P...) = kernel;
    dim3 grid = config.grid, block = config.block;
    work.run = [=] {
      /* A graph may replay after an allocation was freed. */
      checkArguments(kernelName, args, nullptr, std::index_sequence_for<P...>{});
      runGrid(kernelName, grid, block, [&] { std::apply(function, args); });
    };
    submit(config.stream, std::move(work));
  }
};

template <typename... P>
Launcher<P...> launcher(const Config &config, const char *name, unsigned bound, void (*kernel)(P...)) {
  return Launcher<P...>{config, name, bound, kernel};
}

} // namespace mc_emu

#define MC_EMU_LAUNCH(config, args, ...) \
  mc_emu::launcher(mc_emu::Config config, #__VA_ARGS__, 0, __VA_ARGS__) args
#define MC_EMU_LAUNCH_BOUNDED(bound, config, args, ...) \
  mc_emu::launcher(mc_emu::Config config, #__VA_ARGS__, bound, __VA_ARGS__) args

enum cudaFuncAttribute {
  cudaFuncAttributeMaxDynamicSharedMemorySize = 8,
  cudaFuncAttributePreferredSharedMemoryCarveout = 9
};
template <typename F>
cudaError_t cudaFuncSetAttribute(F *kernel, cudaFuncAttribute attribute, int value) {
  if (attribute == cudaFuncAttributeMaxDynamicSharedMemorySize) {
    if (value < 0 || (size_t)value > mc_emu::kMaxDynamicShared)
      return mc_emu::fail(cudaErrorInvalidValue);
    mc_emu::dynamicSharedLimit[reinterpret_cast<const void *>(kernel)] = (size_t)value;
  }
  return cudaSuccess;
}

inline void __syncthreads() { mc_emu::arrive(mc_emu::State::AtBlockBarrier, 0, "__syncthreads"); }

/* Warp shuffles exchange through per-thread slots in the poisoned shared
 * section: every lane the mask names must call the same shuffle. */
namespace mc_emu {
static __attribute__((section("mc_emu_shared"), aligned(16))) uint64_t shuffleSlots[kMaxThreads];

/* `source` is the lane to read, or -1 for the caller's own value. */
template <typename T>
T shuffle(unsigned mask, T value, int source, const char *name) {
  static_assert(sizeof(T) <= sizeof(uint64_t), "shuffled values are at most 8 bytes");
  unsigned t = linearThread(), warpBase = t / 32 * 32;
  memcpy(&shuffleSlots[t], &value, sizeof(T));
  arrive(State::AtWarpBarrier, mask, name);
  T other = value;
  if (source >= 0 && warpBase + (unsigned)source < blockDim.x * blockDim.y * blockDim.z)
    memcpy(&other, &shuffleSlots[warpBase + (unsigned)source], sizeof(T));
  arrive(State::AtWarpBarrier, mask, name); /* the slots are free again */
  return other;
}
inline unsigned laneId() { return linearThread() % 32; }
} // namespace mc_emu

template <typename T>
T __shfl_xor_sync(unsigned mask, T value, int laneMask, int width = 32) {
  int lane = (int)mc_emu::laneId(), source = lane ^ laneMask;
  return mc_emu::shuffle(mask, value, source / width > lane / width ? -1 : source, "__shfl_xor_sync");
}
template <typename T>
T __shfl_sync(unsigned mask, T value, int sourceLane, int width = 32) {
  int lane = (int)mc_emu::laneId();
  return mc_emu::shuffle(mask, value, lane / width * width + sourceLane % width, "__shfl_sync");
}
template <typename T>
T __shfl_down_sync(unsigned mask, T value, unsigned delta, int width = 32) {
  int lane = (int)mc_emu::laneId();
  bool inside = lane % width + (int)delta < width;
  return mc_emu::shuffle(mask, value, inside ? lane + (int)delta : -1, "__shfl_down_sync");
}
template <typename T>
T __shfl_up_sync(unsigned mask, T value, unsigned delta, int width = 32) {
  int lane = (int)mc_emu::laneId();
  bool inside = lane % width >= (int)delta;
  return mc_emu::shuffle(mask, value, inside ? lane - (int)delta : -1, "__shfl_up_sync");
}

/* ---- memory ---- */
namespace mc_emu {
inline cudaError_t allocate(void **pointer, size_t bytes) {
  ensureRuntime();
  if (!pointer)
    return fail(cudaErrorInvalidValue);
  if (captureActive())
    return refuseDuringCapture();
  *pointer = nullptr;
  if (bytes == 0)
    return cudaSuccess;
  size_t rounded = (bytes + 255) / 256 * 256, span = pageUp(rounded);
  if (rounded < bytes || regionEnd - regionNext < span + pageBytes())
    return fail(cudaErrorMemoryAllocation);
  Allocation a{regionNext + span - rounded, bytes, regionNext, regionNext + span, true};
  regionNext += span + pageBytes(); /* the page after stays inaccessible */
  allocations[a.pagesBegin] = a;
  mprotect(reinterpret_cast<void *>(a.pagesBegin), span, PROT_READ | PROT_WRITE);
  poison(reinterpret_cast<void *>(a.pagesBegin), span, kPoisonDevice);
  if (!deviceWindow)
    mprotect(reinterpret_cast<void *>(a.pagesBegin), span, PROT_NONE);
  *pointer = reinterpret_cast<void *>(a.base);
  return cudaSuccess;
}
/* Waits for all device work first, as CUDA does. */
inline cudaError_t release(void *pointer) {
  if (captureActive())
    return refuseDuringCapture();
  completeAll();
  if (!pointer)
    return cudaSuccess;
  uintptr_t p = reinterpret_cast<uintptr_t>(pointer);
  const Allocation *found = inRegion(pointer) ? allocationNear(p) : nullptr;
  if (!found || !found->live || found->base != p)
    die("cudaFree (argument 1): %p is not the start of a live cudaMalloc allocation (%s)", pointer,
        found && found->live ? "it points inside one" : whyNotDevice(p));
  Allocation &a = allocations[found->pagesBegin];
  a.live = false;
  mprotect(reinterpret_cast<void *>(a.pagesBegin), a.pagesEnd - a.pagesBegin, PROT_NONE);
  madvise(reinterpret_cast<void *>(a.pagesBegin), a.pagesEnd - a.pagesBegin, MADV_DONTNEED);
  return cudaSuccess;
}

} // namespace mc_emu

inline cudaError_t cudaMalloc(void **pointer, size_t bytes) { return mc_emu::allocate(pointer, bytes); }
inline cudaError_t cudaFree(void *pointer) { return mc_emu::release(pointer); }
/* Emulator only: the bytes of every live cudaMalloc allocation, so that tests
 * can hold an artifact to the device memory its header promises. */
inline size_t mc_emu_device_bytes_live() {
  size_t total = 0;
  for (const auto &entry : mc_emu::allocations)
    if (entry.second.live)
      total += entry.second.bytes;
  return total;
}
/* cuda_runtime.h's C++ overload for typed pointers. */
template <typename T>
cudaError_t cudaMalloc(T **pointer, size_t bytes) {
  return cudaMalloc(reinterpret_cast<void **>(pointer), bytes);
}

/* Page-locked host memory: ordinary host memory here, remembered so that
 * diagnostics can name it. */
inline cudaError_t cudaMallocHost(void **pointer, size_t bytes) {
  mc_emu::ensureRuntime();
  if (!pointer)
    return mc_emu::fail(cudaErrorInvalidValue);
  size_t span = mc_emu::pageUp(bytes ? bytes : 1);
  void *memory = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED)
    return mc_emu::fail(cudaErrorMemoryAllocation);
  mc_emu::pinnedHost[reinterpret_cast<uintptr_t>(memory)] = span;
  *pointer = memory;
  return cudaSuccess;
}
inline cudaError_t cudaHostAlloc(void **pointer, size_t bytes, unsigned) { return cudaMallocHost(pointer, bytes); }
template <typename T>
cudaError_t cudaMallocHost(T **pointer, size_t bytes) {
  return cudaMallocHost(reinterpret_cast<void **>(pointer), bytes);
}
inline cudaError_t cudaFreeHost(void *pointer) {
  auto it = mc_emu::pinnedHost.find(reinterpret_cast<uintptr_t>(pointer));
  if (it == mc_emu::pinnedHost.end())
    return pointer ? mc_emu::fail(cudaErrorInvalidValue) : cudaSuccess;
  mc_emu::completeAll();
  munmap(pointer, it->second);
  mc_emu::pinnedHost.erase(it);
  return cudaSuccess;
}

namespace mc_emu {

inline const char *kindName(cudaMemcpyKind kind) {
  switch (kind) {
  case cudaMemcpyHostToHost: return "HostToHost";
  case cudaMemcpyHostToDevice: return "HostToDevice";
  case cudaMemcpyDeviceToHost: return "DeviceToHost";
  case cudaMemcpyDeviceToDevice: return "DeviceToDevice";
  case cudaMemcpyDefault: return "Default";
  }
  return "?";
}

/* Checks one side of a copy against its direction; true for device. */
inline bool checkSide(const char *api, cudaMemcpyKind kind, const char *side, int argument,
                      const void *pointer, size_t bytes, int expectDevice /* -1: infer */) {
  char what[160];
  snprintf(what, sizeof what, "%s(%s) %s (argument %d)", api, kindName(kind), side, argument);
  bool device = expectDevice < 0 ? inRegion(pointer) : expectDevice == 1;
  if (device) {
    requireDevice(pointer, bytes, what);
    return true;
  }
  if (inRegion(pointer))
    die("%s: %p is device memory, but the direction says host memory", what, pointer);
  if (!pointer)
    die("%s: null host pointer", what);
  return false;
}

/* A copy of `bytes` from `from` to `to` as device work; `staged` holds the
 * source already read (synchronous copies from pageable memory). */
inline Work copyWork(const char *api, cudaMemcpyKind kind, void *to, const void *from, size_t bytes,
                     bool toDevice, bool fromDevice, cudaStream_t stream,
                     std::shared_ptr<std::vector<unsigned char>> staged) {
  Work work;
  char what[256];
  snprintf(what, sizeof what, "%s(%s) of %zu bytes from %p to %p", api, kindName(kind), bytes, from, to);
  work.what = what;
  if (fromDevice)
    work.uses.emplace_back(from, bytes, false);
  if (toDevice)
    work.uses.emplace_back(to, bytes, true);
  const void *source = staged ? static_cast<const void *>(staged->data()) : from;
  if (!toDevice && fromDevice) {
    /* The host sees the copy only once it is waited for. */
    uintptr_t begin = pageUp(reinterpret_cast<uintptr_t>(to));
    uintptr_t end = pageDown(reinterpret_cast<uintptr_t>(to) + bytes);
    std::string guardWhat = std::string(what) + " on " + describe(resolve(stream));
    work.enqueued = [to, bytes, begin, end, guardWhat] {
      poison(to, bytes, kPoisonPending);
      guardHost(begin, end, guardWhat);
    };
    work.run = [to, source, bytes, begin, end] {
      unguardHost(begin, end);
      memcpy(to, source, bytes);
    };
  } else {
    work.run = [to, source, bytes, staged] { memmove(to, source, bytes); };
  }
  return work;
}

inline cudaError_t copy(const char *api, void *to, const void *from, size_t bytes, cudaMemcpyKind kind,
                        cudaStream_t stream, bool synchronous) {
  ensureRuntime();
  if ((unsigned)kind > cudaMemcpyDefault)
    return fail(cudaErrorInvalidMemcpyDirection);
  if (bytes == 0)
    return cudaSuccess;
  int dstDevice = kind == cudaMemcpyDefault ? -1 : (kind == cudaMemcpyHostToDevice || kind == cudaMemcpyDeviceToDevice);
  int srcDevice = kind == cudaMemcpyDefault ? -1 : (kind == cudaMemcpyDeviceToHost || kind == cudaMemcpyDeviceToDevice);
  bool toDevice = checkSide(api, kind, "destination", 1, to, bytes, dstDevice);
  bool fromDevice = checkSide(api, kind, "source", 2, from, bytes, srcDevice);
  if (!toDevice && !fromDevice) {
    if (synchronous) {
      memmove(to, from, bytes);
      return cudaSuccess;
    }
    return submit(stream, copyWork(api, kind, to, from, bytes, false, false, stream, nullptr));
  }
  if (!synchronous)
    return submit(stream, copyWork(api, kind, to, from, bytes, toDevice, fromDevice, stream, nullptr));
  /* cudaMemcpy runs on the legacy stream. To the host it returns once the
   * copy is done; from pageable host memory it returns once the source is
   * staged, and device to device it does not wait at all. */
  if (captureActive())
    return refuseDuringCapture();
  bool pinnedSource = !fromDevice && pinnedAt(reinterpret_cast<uintptr_t>(from));
  std::shared_ptr<std::vector<unsigned char>> staged;
  if (toDevice && !fromDevice && !pinnedSource)
    staged = std::make_shared<std::vector<unsigned char>>(static_cast<const unsigned char *>(from),
                                                          static_cast<const unsigned char *>(from) + bytes);
  Work work = copyWork(api, kind, to, from, bytes, toDevice, fromDevice, nullptr, staged);
  work.enqueued = nullptr; /* no pending window for the host to see */
  if (cudaError_t error = submit(nullptr, std::move(work)))
    return error;
  if (!toDevice || pinnedSource)
    complete(&legacyStream);
  return cudaSuccess;
}

inline cudaError_t fill(const char *api, void *to, int value, size_t bytes, cudaStream_t stream) {
  ensureRuntime();
  if (bytes == 0)
    return cudaSuccess;
  char what[256];
  snprintf(what, sizeof what, "%s destination (argument 1)", api);
  requireDevice(to, bytes, what);
  snprintf(what, sizeof what, "%s(%p, %d, %zu)", api, to, value, bytes);
  Work work;
  work.what = what;
  work.uses.emplace_back(to, bytes, true);
  work.run = [to, value, bytes] { memset(to, value, bytes); };
  return submit(stream, std::move(work));
}

} // namespace mc_emu

inline cudaError_t cudaMemcpy(void *to, const void *from, size_t bytes, cudaMemcpyKind kind) {
  return mc_emu::copy("cudaMemcpy", to, from, bytes, kind, nullptr, true);
}
inline cudaError_t cudaMemcpyAsync(void *to, const void *from, size_t bytes, cudaMemcpyKind kind,
                                   cudaStream_t stream = nullptr) {
  return mc_emu::copy("cudaMemcpyAsync", to, from, bytes, kind, stream, false);
}
/* Asynchronous with respect to the host for device memory, as CUDA
 * documents: it runs on the legacy stream. */
inline cudaError_t cudaMemset(void *to, int value, size_t bytes) {
  if (mc_emu::captureActive())
    return mc_emu::refuseDuringCapture();
  return mc_emu::fill("cudaMemset", to, value, bytes, nullptr);
}
inline cudaError_t cudaMemsetAsync(void *to, int value, size_t bytes, cudaStream_t stream = nullptr) {
  return mc_emu::fill("cudaMemsetAsync", to, value, bytes, stream);
}

#endif /* MODELC_TEST_CUDA_EMULATOR_RUNTIME_H */
