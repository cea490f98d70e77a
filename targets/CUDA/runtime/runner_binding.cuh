
/* ==================================================================================== */
/* Model binding: the CUDA target (targets/CUDA/runtime/runner_binding.cuh)             */
/* ==================================================================================== */
/* Plain runs go through NAME_run on host buffers. Timed runs keep inputs and outputs
 * on the device and time NAME_run_device plus a stream synchronization: the latency
 * an application that keeps its tensors on the GPU sees, graph launch included. */

#include <cuda_runtime.h>

struct runner_model {
    MODEL_FN(context) *ctx;
    cudaStream_t stream;
    void *in_dev[MODEL_MACRO(NUM_INPUTS) + 1];
    void *out_dev[MODEL_MACRO(NUM_OUTPUTS) + 1];
    const size_t *in_bytes;
    const size_t *out_bytes;
};

static void runner_check_cuda(cudaError_t error, const char *what)
{
    if (error != cudaSuccess)
        die("%s failed: %s", what, cudaGetErrorString(error));
}

static runner_model *runner_open(const unsigned char *weights, size_t weights_len, const char *weights_path,
                                 long threads)
{
    const size_t weights_bytes = (size_t)MODEL_MACRO(WEIGHTS_BYTES);
    runner_model *m = (runner_model *)xmalloc(sizeof *m);
    modelc_status st;
    (void)threads;
    memset(m, 0, sizeof *m);
    st = MODEL_FN(create)(&m->ctx, weights, weights_len);
    if (st != MODELC_OK) {
        if (MODEL_MACRO(WEIGHTS_EXTERNAL) != 0 && weights_len != weights_bytes)
            die("create failed: %s (weights file %s: %lu bytes; the model expects %lu)",
                MODEL_FN(status_string)(st), weights_path, (unsigned long)weights_len,
                (unsigned long)weights_bytes);
        die("create failed: %s", MODEL_FN(status_string)(st));
    }
    runner_check_cuda(cudaStreamCreateWithFlags(&m->stream, cudaStreamNonBlocking), "cudaStreamCreate");
    return m;
}

static void runner_run(runner_model *m, const void **in, const size_t *in_bytes, void **out,
                       const size_t *out_bytes)
{
    modelc_status st = MODEL_FN(run)(m->ctx, in, in_bytes, out, out_bytes);
    if (st != MODELC_OK)
        die("run failed: %s", MODEL_FN(status_string)(st));
}

static void runner_bench_begin(runner_model *m, const void **in, const size_t *in_bytes, void **out,
                               const size_t *out_bytes)
{
    size_t k;
    (void)out;
    for (k = 0; k < (size_t)MODEL_MACRO(NUM_INPUTS); k++) {
        runner_check_cuda(cudaMalloc(&m->in_dev[k], in_bytes[k] ? in_bytes[k] : 1), "cudaMalloc");
        runner_check_cuda(cudaMemcpy(m->in_dev[k], in[k], in_bytes[k], cudaMemcpyHostToDevice), "cudaMemcpy");
    }
    for (k = 0; k < (size_t)MODEL_MACRO(NUM_OUTPUTS); k++)
        runner_check_cuda(cudaMalloc(&m->out_dev[k], out_bytes[k] ? out_bytes[k] : 1), "cudaMalloc");
    /* cudaMemcpy from pageable memory may return before the copy lands, and
     * the legacy stream it ran on does not order m->stream (non-blocking). */
    runner_check_cuda(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    m->in_bytes = in_bytes;
    m->out_bytes = out_bytes;
}

static void runner_bench_step(runner_model *m)
{
    modelc_status st = MODEL_FN(run_device)(m->ctx, m->stream, (const void *const *)m->in_dev, m->in_bytes,
                                            m->out_dev, m->out_bytes);
    if (st != MODELC_OK)
        die("run failed: %s", MODEL_FN(status_string)(st));
    runner_check_cuda(cudaStreamSynchronize(m->stream), "cudaStreamSynchronize");
}

static void runner_bench_end(runner_model *m, void **out)
{
    size_t k;
    for (k = 0; k < (size_t)MODEL_MACRO(NUM_OUTPUTS); k++) {
        runner_check_cuda(cudaMemcpy(out[k], m->out_dev[k], m->out_bytes[k], cudaMemcpyDeviceToHost), "cudaMemcpy");
        cudaFree(m->out_dev[k]);
    }
    for (k = 0; k < (size_t)MODEL_MACRO(NUM_INPUTS); k++)
        cudaFree(m->in_dev[k]);
}

static void runner_close(runner_model *m)
{
    MODEL_FN(destroy)(m->ctx);
    cudaStreamDestroy(m->stream);
    free(m);
}
