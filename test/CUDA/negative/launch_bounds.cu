// Planted bug: the kernel is compiled for at most 128 threads per block
// (__launch_bounds__), and launched with 256. A GPU refuses the launch with
// "too many resources requested for launch"; the output is never written.
// EXPECT: launch of shift<<<\(4,1,1\), \(256,1,1\), 0>>> fails with cudaErrorLaunchOutOfResources: 256 threads per block; the kernel is compiled for __launch_bounds__\(128\)
#include <cuda_runtime.h>

#include <cstdio>
#include <vector>

__global__ void __launch_bounds__(128) shift(const int *in, int *out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    out[i] = in[i] + 1;
}

int main() {
  const int n = 1024;
  std::vector<int> values(n, 41), result(n);
  int *in, *out;
  cudaMalloc(&in, n * sizeof(int));
  cudaMalloc(&out, n * sizeof(int));
  cudaMemcpy(in, values.data(), n * sizeof(int), cudaMemcpyHostToDevice);
  shift<<<n / 256, 256>>>(in, out, n);
  cudaMemcpy(result.data(), out, n * sizeof(int), cudaMemcpyDeviceToHost);
  for (int i = 0; i < n; ++i)
    if (result[i] != 42) {
      printf("out[%d] = %d, expected 42\n", i, result[i]);
      return 1;
    }
  printf("ok\n");
  return 0;
}
