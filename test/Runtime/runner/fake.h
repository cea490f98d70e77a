/* A hand-written stand-in for a model compiled by modelc with --target=c --name
 * fake. It follows the generated-header contract (ABI version 2) so that the
 * runner template (the pieces in targets/C/runtime/runner) can be built and
 * tested without the compiler.
 *
 * inputs                       outputs
 *   0 x  float   [2,3]           0 x2  float   [2,3]  = x * 2
 *   1 y  int64   [4]             1 y1  int64   [4]    = y + 1
 *   2 z  int8    [5]             2..8  copies of inputs 2..8
 *   3 h  float16 [3]
 *   4 b  bool    [2,2]
 *   5 d  double  [2]
 *   6 u  uint16  [3]
 *   7 q  uint64  [2]
 *   8 s  int32   []   (a scalar)
 *
 * Built with -DFAKE_TEST_EXTERNAL_WEIGHTS, the model takes its two constants
 * (2.0f and int64 1) from a 16-byte weights file instead of embedding them.
 */
#ifndef FAKE_H
#define FAKE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef MODELC_ABI_TYPES_2
#define MODELC_ABI_TYPES_2
typedef enum modelc_status {
  MODELC_OK = 0,
  MODELC_ERROR_NULL_ARGUMENT = 1,
  MODELC_ERROR_MISALIGNED = 2,
  MODELC_ERROR_SIZE_MISMATCH = 3,
  MODELC_ERROR_BAD_WEIGHTS = 4,
  MODELC_ERROR_BUILD_MISMATCH = 5,
  MODELC_ERROR_DEVICE = 6,
  MODELC_ERROR_OUT_OF_MEMORY = 7,
  MODELC_ERROR_RANK_MISMATCH = 8,
  MODELC_ERROR_DIMS_OUT_OF_RANGE = 9
} modelc_status;
typedef enum modelc_dtype { MODELC_DTYPE_FLOAT = 1, MODELC_DTYPE_UINT8 = 2, MODELC_DTYPE_INT8 = 3, MODELC_DTYPE_UINT16 = 4, MODELC_DTYPE_INT16 = 5, MODELC_DTYPE_INT32 = 6, MODELC_DTYPE_INT64 = 7, MODELC_DTYPE_BOOL = 9, MODELC_DTYPE_FLOAT16 = 10, MODELC_DTYPE_DOUBLE = 11, MODELC_DTYPE_UINT32 = 12, MODELC_DTYPE_UINT64 = 13, MODELC_DTYPE_BFLOAT16 = 16 } modelc_dtype;
typedef struct modelc_tensor_desc { const char *name; modelc_dtype dtype; int32_t rank; const int64_t *dims; size_t bytes; float scale; int32_t zero_point; } modelc_tensor_desc;
typedef void (*modelc_task_fn)(void *task_ctx, size_t index);
typedef void (*modelc_parallel_for_fn)(void *user, size_t count, modelc_task_fn task, void *task_ctx);
#endif

#define FAKE_ABI_VERSION 2
#define FAKE_MODEL_HASH UINT64_C(0x0123456789abcdef)
#define FAKE_ARENA_BYTES ((size_t)256)
#define FAKE_ARENA_ALIGN 64
#ifdef FAKE_TEST_EXTERNAL_WEIGHTS
#define FAKE_WEIGHTS_BYTES ((size_t)16)
#define FAKE_WEIGHTS_EXTERNAL 1   /* 1: the caller passes the weights file contents to fake_init */
#else
#define FAKE_WEIGHTS_BYTES ((size_t)16)
#define FAKE_WEIGHTS_EXTERNAL 0   /* 1: the caller passes the weights file contents to fake_init */
#endif
#define FAKE_NUM_INPUTS 9
#define FAKE_NUM_OUTPUTS 9

typedef struct fake_context { void *arena; const unsigned char *weights; modelc_parallel_for_fn parallel_for; void *parallel_user; } fake_context;

extern const modelc_tensor_desc fake_inputs[FAKE_NUM_INPUTS];
extern const modelc_tensor_desc fake_outputs[FAKE_NUM_OUTPUTS];

/* arena: FAKE_ARENA_BYTES bytes aligned to FAKE_ARENA_ALIGN (may be NULL when FAKE_ARENA_BYTES == 0); weights/weights_bytes: NULL/0 unless FAKE_WEIGHTS_EXTERNAL. */
modelc_status fake_init(fake_context *ctx, void *arena, size_t arena_bytes, const void *weights, size_t weights_bytes);
/* parallel_for may be NULL (serial). */
void fake_set_parallel_for(fake_context *ctx, modelc_parallel_for_fn fn, void *user);
modelc_status fake_run(fake_context *ctx, const void *const inputs[], const size_t input_bytes[], void *const outputs[], const size_t output_bytes[]);
const char *fake_status_string(modelc_status status);

#ifdef __cplusplus
}
#endif

#endif /* FAKE_H */
