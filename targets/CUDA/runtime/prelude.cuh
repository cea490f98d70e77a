/* modelc CUDA runtime: device helpers every generated kernel uses
 * (targets/CUDA/runtime/prelude.cuh, pasted into each artifact).
 *
 * Tensors are stored in their storage type (float, __half, __nv_bfloat16 or
 * an integer type); kernels compute in registers: float for every floating
 * type, the integer type otherwise. mc_load/mc_store convert at the edges. */

/* A model uses only some of these helpers. */
#ifdef __NVCC__
#pragma nv_diag_suppress 177
#endif

static __device__ __forceinline__ float mc_load(const float *p, long long i) { return p[i]; }
static __device__ __forceinline__ float mc_load(const __half *p, long long i) { return __half2float(p[i]); }
static __device__ __forceinline__ float mc_load(const __nv_bfloat16 *p, long long i)
{
  return __bfloat162float(p[i]);
}
template <typename T>
static __device__ __forceinline__ T mc_load(const T *p, long long i) { return p[i]; }

static __device__ __forceinline__ void mc_store(float *p, long long i, float v) { p[i] = v; }
static __device__ __forceinline__ void mc_store(__half *p, long long i, float v) { p[i] = __float2half_rn(v); }
static __device__ __forceinline__ void mc_store(__nv_bfloat16 *p, long long i, float v)
{
  p[i] = __float2bfloat16_rn(v);
}
template <typename T, typename V>
static __device__ __forceinline__ void mc_store(T *p, long long i, V v) { p[i] = (T)v; }

/* Block-wide reductions for kernels that give one block to one row.
 * blockDim.x is a multiple of 32 and at most 1024; every thread of the block
 * calls them (they synchronize) and every thread gets the result. */
struct mc_sum_op {
  static __device__ __forceinline__ float apply(float a, float b) { return a + b; }
};
struct mc_max_op {
  static __device__ __forceinline__ float apply(float a, float b) { return fmaxf(a, b); }
};

template <typename Op>
static __device__ __forceinline__ float mc_block_reduce(float v, float identity)
{
  __shared__ float partial[32];
  for (int offset = 16; offset > 0; offset /= 2)
    v = Op::apply(v, __shfl_xor_sync(0xffffffffu, v, offset));
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  __syncthreads(); /* the previous call may still read partial */
  if (lane == 0)
    partial[warp] = v;
  __syncthreads();
  v = lane < (int)(blockDim.x / 32) ? partial[lane] : identity;
  for (int offset = 16; offset > 0; offset /= 2)
    v = Op::apply(v, __shfl_xor_sync(0xffffffffu, v, offset));
  return v;
}

static __device__ __forceinline__ float mc_block_sum(float v) { return mc_block_reduce<mc_sum_op>(v, 0.0f); }
static __device__ __forceinline__ float mc_block_max(float v) { return mc_block_reduce<mc_max_op>(v, -INFINITY); }

