// Planted bug: threads past the end of the data return before the block's
// __syncthreads. CUDA requires every thread of a block to reach it; on a GPU
// the last block may hang or read its tile before it is written.
// EXPECT: __syncthreads in blur block \(3,0,0\) reached by 232 of 256 threads \(thread \(232,0,0\) exited without reaching it\)
#include <cuda_runtime.h>

#include <cstdio>
#include <vector>

__global__ void blur(const float *in, float *out, int n) {
  __shared__ float tile[256];
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n)
    return; /* the bug: before the barrier */
  tile[threadIdx.x] = in[i];
  __syncthreads();
  float left = threadIdx.x > 0 ? tile[threadIdx.x - 1] : tile[threadIdx.x];
  out[i] = (left + tile[threadIdx.x]) / 2;
}

int main() {
  const int n = 1000;
  std::vector<float> values(n, 2.0f), result(n);
  float *in, *out;
  cudaMalloc(&in, n * sizeof(float));
  cudaMalloc(&out, n * sizeof(float));
  cudaMemcpy(in, values.data(), n * sizeof(float), cudaMemcpyHostToDevice);
  blur<<<(n + 255) / 256, 256>>>(in, out, n);
  cudaMemcpy(result.data(), out, n * sizeof(float), cudaMemcpyDeviceToHost);
  for (int i = 0; i < n; ++i)
    if (result[i] != 2.0f) {
      printf("out[%d] = %g, expected 2\n", i, result[i]);
      return 1;
    }
  printf("ok\n");
  return 0;
}
