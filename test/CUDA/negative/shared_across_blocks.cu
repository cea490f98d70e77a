// Planted bug: block 0 fills a lookup table in shared memory and every block
// uses it. Each block has its own shared memory, so on a GPU the other
// blocks read uninitialised values. The emulation fills shared memory with
// the poison 0xffb0ffb0 (a NaN) before every block.
// EXPECT: \(bits 0xffb0ffb0\), expected
#include <cuda_runtime.h>

#include <cstdio>
#include <cstring>
#include <vector>

__global__ void lookup(const int *codes, float *out, int n) {
  __shared__ float table[16];
  if (blockIdx.x == 0 && threadIdx.x < 16)
    table[threadIdx.x] = threadIdx.x * 0.5f;
  __syncthreads();
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    out[i] = table[codes[i] % 16];
}

int main() {
  const int n = 1024;
  std::vector<int> codes(n);
  std::vector<float> result(n);
  for (int i = 0; i < n; ++i)
    codes[i] = i * 7;
  int *in;
  float *out;
  cudaMalloc(&in, n * sizeof(int));
  cudaMalloc(&out, n * sizeof(float));
  cudaMemcpy(in, codes.data(), n * sizeof(int), cudaMemcpyHostToDevice);
  lookup<<<n / 256, 256>>>(in, out, n);
  cudaMemcpy(result.data(), out, n * sizeof(float), cudaMemcpyDeviceToHost);
  for (int i = 0; i < n; ++i)
    if (result[i] != (codes[i] % 16) * 0.5f) {
      unsigned bits;
      memcpy(&bits, &result[i], 4);
      printf("out[%d] = %g (bits 0x%08x), expected %g\n", i, result[i], bits, (codes[i] % 16) * 0.5f);
      return 1;
    }
  printf("ok\n");
  return 0;
}
