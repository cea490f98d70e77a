// The positive control: the same kinds of program done right, so the driver
// cannot pass by every program failing. Page-locked results on a
// non-blocking stream, a block-wide reduction through __shared__ memory,
// __syncthreads and warp shuffles, a 2-D block, a kernel whose dynamic
// shared memory limit is raised, and a captured graph replayed twice; every
// wait where CUDA needs one.
// EXPECT-PASS: ok: 4 row sums of 4096 and 2 graph replays agree
#include <cuda_runtime.h>

#include <cstdio>
#include <vector>

__global__ void __launch_bounds__(256) row_sum(const float *in, float *out, int length) {
  __shared__ float partial[8];
  float v = 0.0f;
  for (int j = threadIdx.x; j < length; j += blockDim.x)
    v += in[(long long)blockIdx.x * length + j];
  for (int offset = 16; offset > 0; offset /= 2)
    v += __shfl_xor_sync(0xffffffffu, v, offset);
  if (threadIdx.x % 32 == 0)
    partial[threadIdx.x / 32] = v;
  __syncthreads();
  if (threadIdx.x == 0) {
    float total = 0.0f;
    for (int w = 0; w < (int)blockDim.x / 32; ++w)
      total += partial[w];
    out[blockIdx.x] = total;
  }
}

__global__ void fill2d(float *out, int width) {
  int x = blockIdx.x * blockDim.x + threadIdx.x, y = threadIdx.y;
  out[y * width + x] = 1.0f;
}

int main() {
  const int rows = 4, length = 4096, width = 1024;
  cudaStream_t stream;
  cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking);
  float *matrix, *sums, *host;
  cudaMalloc(&matrix, rows * length * sizeof(float));
  cudaMalloc(&sums, rows * sizeof(float));
  cudaMallocHost(&host, rows * sizeof(float));
  cudaMemsetAsync(sums, 0, rows * sizeof(float), stream);
  cudaFuncSetAttribute(fill2d, cudaFuncAttributeMaxDynamicSharedMemorySize, 64 * 1024);
  fill2d<<<dim3(width / 32), dim3(32, 16), 64 * 1024, stream>>>(matrix, width);
  row_sum<<<rows, 256, 0, stream>>>(matrix, sums, length);
  cudaMemcpyAsync(host, sums, rows * sizeof(float), cudaMemcpyDeviceToHost, stream);
  cudaStreamSynchronize(stream);
  bool good = cudaGetLastError() == cudaSuccess;
  for (int r = 0; r < rows; ++r)
    good = good && host[r] == length;

  cudaGraph_t graph;
  cudaGraphExec_t exec;
  cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal);
  cudaMemsetAsync(sums, 0, rows * sizeof(float), stream);
  row_sum<<<rows, 256, 0, stream>>>(matrix, sums, length);
  cudaMemcpyAsync(host, sums, rows * sizeof(float), cudaMemcpyDeviceToHost, stream);
  good = good && cudaStreamEndCapture(stream, &graph) == cudaSuccess &&
         cudaGraphInstantiate(&exec, graph, 0) == cudaSuccess;
  for (int replay = 0; replay < 2 && good; ++replay) {
    host[0] = -1.0f;
    cudaGraphLaunch(exec, stream);
    cudaStreamSynchronize(stream);
    for (int r = 0; r < rows; ++r)
      good = good && host[r] == length;
  }
  if (!good)
    printf("wrong: %g %g %g %g\n", host[0], host[1], host[2], host[3]);
  cudaGraphExecDestroy(exec);
  cudaGraphDestroy(graph);
  cudaFree(matrix);
  cudaFree(sums);
  cudaFreeHost(host);
  cudaStreamDestroy(stream);
  if (!good)
    return 1;
  printf("ok: %d row sums of %d and 2 graph replays agree\n", rows, length);
  return 0;
}
