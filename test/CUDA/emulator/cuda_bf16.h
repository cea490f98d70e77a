/* Emulation: the storage types and conversions live in cuda_runtime.h. */
#include "cuda_runtime.h"
