//===- ArenaPlanner.h - Static offsets for tensors in one arena -*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// The memory planner's algorithm, free of IR so unit tests can hold it against
// a brute-force check: given buffers with sizes and lifetimes over a linear
// schedule, give each an offset so that no two buffers that are live at the
// same step overlap.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_SUPPORT_ARENAPLANNER_H
#define MODELC_SUPPORT_ARENAPLANNER_H

#include <cstdint>
#include <vector>

namespace modelc {

/// A buffer that must hold its contents from step `firstUse` through step
/// `lastUse`, both inclusive.
struct BufferRequest {
  int64_t bytes = 0;
  int64_t firstUse = 0;
  int64_t lastUse = 0;
};

struct ArenaPlan {
  /// Byte offset of each request, in request order; aligned.
  std::vector<int64_t> offsets;
  /// Bytes the arena needs (a multiple of the alignment).
  int64_t arenaBytes = 0;
};

/// Rounds `bytes` up to a multiple of `alignment` (a power of two).
int64_t alignTo(int64_t bytes, int64_t alignment);

/// Places every request at the best-fitting aligned offset that does not
/// overlap a placed request whose lifetime intersects its own, trying several
/// placement orders (largest first, as TFLite's arena planner does, among
/// them) and keeping the smallest arena.
ArenaPlan planArena(const std::vector<BufferRequest> &requests,
                    int64_t alignment);

/// The most bytes live at any one step (each size aligned): no plan for this
/// schedule can use a smaller arena.
int64_t arenaLowerBound(const std::vector<BufferRequest> &requests,
                        int64_t alignment);

} // namespace modelc

#endif // MODELC_SUPPORT_ARENAPLANNER_H
