//===- ArenaPlanner.cpp - Static offsets for tensors in one arena ---------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "modelc/Support/ArenaPlanner.h"

#include <algorithm>
#include <map>
#include <numeric>

namespace modelc {

int64_t alignTo(int64_t bytes, int64_t alignment) {
  return (bytes + alignment - 1) / alignment * alignment;
}

static bool lifetimesIntersect(const BufferRequest &a, const BufferRequest &b) {
  return a.firstUse <= b.lastUse && b.firstUse <= a.lastUse;
}

ArenaPlan planArena(const std::vector<BufferRequest> &requests,
                    int64_t alignment) {
  ArenaPlan plan;
  plan.offsets.assign(requests.size(), 0);
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), 0);
  // Largest first; ties broken by schedule position, then index, so the plan
  // is deterministic.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (requests[a].bytes != requests[b].bytes)
      return requests[a].bytes > requests[b].bytes;
    return requests[a].firstUse < requests[b].firstUse;
  });

  std::vector<size_t> placed;
  for (size_t index : order) {
    const BufferRequest &request = requests[index];
    int64_t size = alignTo(request.bytes, alignment);
    if (size == 0)
      continue;
    // Occupied ranges of placed buffers whose lifetimes intersect.
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (size_t other : placed)
      if (lifetimesIntersect(request, requests[other]))
        busy.push_back({plan.offsets[other],
                        plan.offsets[other] +
                            alignTo(requests[other].bytes, alignment)});
    std::sort(busy.begin(), busy.end());
    // Best fit: the smallest gap that holds the buffer; else after the last.
    int64_t bestOffset = -1, bestGap = INT64_MAX, cursor = 0;
    for (auto [begin, end] : busy) {
      if (begin - cursor >= size && begin - cursor < bestGap) {
        bestGap = begin - cursor;
        bestOffset = cursor;
      }
      cursor = std::max(cursor, end);
    }
    if (bestOffset < 0)
      bestOffset = cursor;
    plan.offsets[index] = bestOffset;
    plan.arenaBytes = std::max(plan.arenaBytes, bestOffset + size);
    placed.push_back(index);
  }
  return plan;
}

int64_t arenaLowerBound(const std::vector<BufferRequest> &requests,
                        int64_t alignment) {
  // Sweep the schedule: +size at firstUse, -size after lastUse.
  std::map<int64_t, int64_t> delta;
  for (const BufferRequest &request : requests) {
    int64_t size = alignTo(request.bytes, alignment);
    delta[request.firstUse] += size;
    delta[request.lastUse + 1] -= size;
  }
  int64_t live = 0, peak = 0;
  for (auto [step, change] : delta) {
    live += change;
    peak = std::max(peak, live);
  }
  return peak;
}

} // namespace modelc
