// Planted bug: the host reads a kernel's output through the device pointer
// instead of copying it back. On a GPU that address is not host memory: the
// read faults, or returns garbage.
// EXPECT: host code read device memory at 0x[0-9a-f]+ \(byte 0 of the 1024-byte cudaMalloc allocation at 0x[0-9a-f]+\)
#include <cuda_runtime.h>

#include <cstdio>

__global__ void iota(int *out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    out[i] = i;
}

int main() {
  const int n = 256;
  int *out;
  cudaMalloc(&out, n * sizeof(int));
  iota<<<1, n>>>(out, n);
  cudaDeviceSynchronize();
  int first = out[0]; /* the bug: out is device memory */
  printf("first %d\n", first);
  return first == 0 ? 0 : 1;
}
