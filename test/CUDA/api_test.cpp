// The CUDA artifact's C API on bad arguments: every misuse returns a status
// instead of crashing, a good run still works afterwards, and the device
// memory it holds is what its header states. Built against
// the emulated runtime (test/CUDA/emulator) with a compiled lenet as `model`.
#include "model.h"

#include <cuda_runtime.h> // the emulator's: mc_emu_device_bytes_live

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <vector>

static int failures = 0;

static void expect(modelc_status got, modelc_status want, const char *what) {
  if (got != want) {
    std::printf("FAIL %s: %s, expected %s\n", what, model_status_string(got),
                model_status_string(want));
    ++failures;
  } else {
    std::printf("ok   %s\n", what);
  }
}

int main() {
  expect(model_create(nullptr, nullptr, 0), MODELC_ERROR_NULL_ARGUMENT,
         "create without a context pointer");
  model_context *ctx = nullptr;
  expect(model_create(&ctx, nullptr, 0), MODELC_OK, "create");

  std::vector<float> in(model_inputs[0].bytes / 4, 0.5f);
  std::vector<float> out(model_outputs[0].bytes / 4);
  const void *inputs[] = {in.data()};
  void *outputs[] = {out.data()};
  size_t inBytes[] = {model_inputs[0].bytes};
  size_t outBytes[] = {model_outputs[0].bytes};
  size_t wrong[] = {model_inputs[0].bytes - 4};
  const void *nullInputs[] = {nullptr};
  const void *misaligned[] = {reinterpret_cast<const char *>(in.data()) + 1};

  expect(model_run(nullptr, inputs, inBytes, outputs, outBytes),
         MODELC_ERROR_NULL_ARGUMENT, "run without a context");
  expect(model_run(ctx, nullptr, inBytes, outputs, outBytes),
         MODELC_ERROR_NULL_ARGUMENT, "run without inputs");
  expect(model_run(ctx, nullInputs, inBytes, outputs, outBytes),
         MODELC_ERROR_NULL_ARGUMENT, "run with a null input");
  expect(model_run(ctx, inputs, wrong, outputs, outBytes),
         MODELC_ERROR_SIZE_MISMATCH, "run with a short input");
  expect(model_run(ctx, misaligned, inBytes, outputs, outBytes),
         MODELC_ERROR_MISALIGNED, "run with a misaligned input");
  expect(model_run_device(ctx, nullptr, inputs, wrong, outputs, outBytes),
         MODELC_ERROR_SIZE_MISMATCH, "run_device with a short input");
  expect(model_run(ctx, inputs, inBytes, outputs, outBytes), MODELC_OK,
         "run after the errors");
  std::vector<float> first = out;

  // run_shaped refuses a wrong rank or dims before touching the device, and
  // gives the same outputs with their dims.
  {
    const modelc_tensor_desc &desc = model_inputs[0];
    std::vector<int64_t> dims(desc.dims, desc.dims + desc.rank);
    std::vector<int64_t> gotDims(model_outputs[0].rank, -1);
    const int64_t *inDims[] = {dims.data()};
    int64_t *outDims[] = {gotDims.data()};
    int32_t ranks[] = {desc.rank}, wrongRank[] = {desc.rank + 1};
    std::vector<float> shaped(out.size(), -7.0f);
    void *shapedOutputs[] = {shaped.data()};
    expect(model_run_shaped(ctx, inputs, wrongRank, inDims, shapedOutputs,
                            outBytes, outDims),
           MODELC_ERROR_RANK_MISMATCH, "run_shaped with the wrong rank");
    dims.back() += 1;
    expect(model_run_shaped(ctx, inputs, ranks, inDims, shapedOutputs, outBytes,
                            outDims),
           MODELC_ERROR_DIMS_OUT_OF_RANGE, "run_shaped with a larger input");
    dims.back() -= 1;
    expect(model_run_shaped(ctx, inputs, ranks, inDims, shapedOutputs, outBytes,
                            outDims),
           MODELC_OK, "run_shaped");
    bool sameDims =
        std::equal(gotDims.begin(), gotDims.end(), model_outputs[0].dims);
    if (!sameDims ||
        std::memcmp(first.data(), shaped.data(), out.size() * 4) != 0) {
      std::printf("FAIL run_shaped's outputs or dims differ from run's\n");
      ++failures;
    }
  }

  // Graph replay, eager launches and a second context agree exactly.
  expect(model_run(ctx, inputs, inBytes, outputs, outBytes), MODELC_OK,
         "graph replay");
  if (std::memcmp(first.data(), out.data(), out.size() * 4) != 0) {
    std::printf("FAIL graph replay changed the outputs\n");
    ++failures;
  }
  model_set_cuda_graphs(ctx, 0);
  expect(model_run(ctx, inputs, inBytes, outputs, outBytes), MODELC_OK,
         "eager run");
  if (std::memcmp(first.data(), out.data(), out.size() * 4) != 0) {
    std::printf("FAIL eager launches differ from the graph\n");
    ++failures;
  }
  // The memory contract: the one allocation is the header's fixed bytes
  // (arena, weights, run copies) plus a workspace within its stated cap,
  // and it is all the device memory the artifact holds.
  size_t device = model_device_bytes(ctx);
  if (device < MODEL_DEVICE_FIXED_BYTES ||
      device - MODEL_DEVICE_FIXED_BYTES > MODEL_MAX_WORKSPACE_BYTES ||
      MODEL_DEVICE_FIXED_BYTES < MODEL_ARENA_BYTES + MODEL_WEIGHTS_BYTES) {
    std::printf("FAIL device bytes %zu: fixed %zu, workspace cap %zu, arena "
                "%zu, weights %zu\n",
                device, (size_t)MODEL_DEVICE_FIXED_BYTES,
                (size_t)MODEL_MAX_WORKSPACE_BYTES, (size_t)MODEL_ARENA_BYTES,
                (size_t)MODEL_WEIGHTS_BYTES);
    ++failures;
  } else if (mc_emu_device_bytes_live() != device) {
    std::printf("FAIL the artifact holds %zu device bytes, device_bytes says "
                "%zu\n",
                mc_emu_device_bytes_live(), device);
    ++failures;
  } else {
    std::printf("ok   one device allocation of %zu bytes: %zu fixed (arena "
                "%zu) + %zu workspace\n",
                device, (size_t)MODEL_DEVICE_FIXED_BYTES,
                (size_t)MODEL_ARENA_BYTES, device - MODEL_DEVICE_FIXED_BYTES);
  }
  model_destroy(ctx);
  model_destroy(nullptr);
  std::printf("%s\n", failures ? "FAILED" : "all API checks passed");
  return failures ? 1 : 0;
}
