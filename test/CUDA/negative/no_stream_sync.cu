// Planted bug: the result is copied back asynchronously into page-locked
// memory and read before the stream is synchronized. On a GPU the host reads
// the buffer before the copy has landed. The emulation keeps the pending
// destination's pages inaccessible and stops at the first read.
// EXPECT: host code read 0x[0-9a-f]+, the destination of cudaMemcpyAsync\(DeviceToHost\) of 16384 bytes from 0x[0-9a-f]+ to 0x[0-9a-f]+ on non-blocking stream 0x[0-9a-f]+, before that copy completed
#include <cuda_runtime.h>

#include <cstdio>
#include <vector>

__global__ void square(const float *in, float *out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    out[i] = in[i] * in[i];
}

int main() {
  const int n = 4096;
  std::vector<float> values(n, 3.0f);
  cudaStream_t stream;
  cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking);
  float *in, *out, *result;
  cudaMalloc(&in, n * sizeof(float));
  cudaMalloc(&out, n * sizeof(float));
  cudaMallocHost(&result, n * sizeof(float));
  cudaMemcpyAsync(in, values.data(), n * sizeof(float), cudaMemcpyHostToDevice, stream);
  square<<<n / 256, 256, 0, stream>>>(in, out, n);
  cudaMemcpyAsync(result, out, n * sizeof(float), cudaMemcpyDeviceToHost, stream);
  double sum = 0; /* the bug: no cudaStreamSynchronize(stream) before this loop */
  for (int i = 0; i < n; ++i)
    sum += result[i];
  cudaStreamSynchronize(stream);
  printf("sum %g, expected %g\n", sum, 9.0 * n);
  return sum == 9.0 * n ? 0 : 1;
}
