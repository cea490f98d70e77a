// Planted bug: a block of 2048 threads. No GPU allows more than 1024, so the
// launch fails, the kernel never runs, and `out` keeps whatever cudaMalloc
// left in it; only cudaGetLastError says why.
// EXPECT: launch of scale<<<\(2,1,1\), \(2048,1,1\), 0>>> fails with cudaErrorInvalidConfiguration
// EXPECT: last error: invalid configuration argument
#include <cuda_runtime.h>

#include <cstdio>
#include <vector>

__global__ void scale(const float *in, float *out, float factor, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    out[i] = in[i] * factor;
}

int main() {
  const int n = 4096;
  std::vector<float> values(n, 1.5f), result(n);
  float *in, *out;
  cudaMalloc(&in, n * sizeof(float));
  cudaMalloc(&out, n * sizeof(float));
  cudaMemcpy(in, values.data(), n * sizeof(float), cudaMemcpyHostToDevice);
  scale<<<n / 2048, 2048>>>(in, out, 2.0f, n);
  cudaMemcpy(result.data(), out, n * sizeof(float), cudaMemcpyDeviceToHost);
  printf("last error: %s\n", cudaGetErrorString(cudaGetLastError()));
  for (int i = 0; i < n; ++i)
    if (result[i] != 3.0f) {
      printf("out[%d] = %g, expected 3\n", i, result[i]);
      return 1;
    }
  printf("ok\n");
  return 0;
}
