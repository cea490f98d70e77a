// Planted bug: a buffer left over from the CPU version of this program is
// still a host pointer, and the upload names it as its device destination.
// On a GPU cudaMemcpyAsync(HostToDevice) fails (invalid argument) and the
// kernel then reads host memory: an illegal address.
// EXPECT: cudaMemcpyAsync\(HostToDevice\) destination \(argument 1\): 0x[0-9a-f]+ is not device memory \(a host address
#include <cuda_runtime.h>

#include <cstdio>
#include <vector>

struct Buffers {
  float *input, *output;
};

__global__ void negate(const float *in, float *out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    out[i] = -in[i];
}

int main() {
  const int n = 2048;
  std::vector<float> values(n, 1.25f), scratch(n), result(n);
  cudaStream_t stream;
  cudaStreamCreate(&stream);
  Buffers device;
  device.input = scratch.data(); /* the bug: should be cudaMalloc(&device.input, ...) */
  cudaMalloc(&device.output, n * sizeof(float));
  cudaMemcpyAsync(device.input, values.data(), n * sizeof(float), cudaMemcpyHostToDevice, stream);
  negate<<<n / 256, 256, 0, stream>>>(device.input, device.output, n);
  cudaMemcpyAsync(result.data(), device.output, n * sizeof(float), cudaMemcpyDeviceToHost, stream);
  cudaStreamSynchronize(stream);
  for (int i = 0; i < n; ++i)
    if (result[i] != -1.25f) {
      printf("out[%d] = %g, expected -1.25\n", i, result[i]);
      return 1;
    }
  printf("ok\n");
  return 0;
}
