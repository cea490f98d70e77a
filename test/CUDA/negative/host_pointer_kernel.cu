// Planted bug: the kernel is given the host vector instead of its device
// copy. On a GPU the kernel's first load is an illegal address: the launch
// dies with cudaErrorIllegalAddress and nothing is computed.
// EXPECT: kernel scale argument 1 of 3: 0x[0-9a-f]+ is not device memory \(a host address
#include <cuda_runtime.h>

#include <cstdio>
#include <vector>

__global__ void scale(const float *in, float *out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    out[i] = in[i] * 0.5f;
}

int main() {
  const int n = 1024;
  std::vector<float> input(n, 8.0f), result(n);
  float *in, *out;
  cudaMalloc(&in, n * sizeof(float));
  cudaMalloc(&out, n * sizeof(float));
  cudaMemcpy(in, input.data(), n * sizeof(float), cudaMemcpyHostToDevice);
  scale<<<n / 256, 256>>>(input.data(), out, n);
  cudaMemcpy(result.data(), out, n * sizeof(float), cudaMemcpyDeviceToHost);
  for (int i = 0; i < n; ++i)
    if (result[i] != 4.0f) {
      printf("out[%d] = %g, expected 4\n", i, result[i]);
      return 1;
    }
  printf("ok\n");
  return 0;
}
