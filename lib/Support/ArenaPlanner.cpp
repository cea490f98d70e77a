//===- ArenaPlanner.cpp - Static offsets for tensors in one arena ---------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "modelc/Support/ArenaPlanner.h"

#include <algorithm>
#include <functional>
#include <map>
#include <numeric>

namespace modelc {

int64_t alignTo(int64_t bytes, int64_t alignment) {
  return (bytes + alignment - 1) / alignment * alignment;
}

static bool lifetimesIntersect(const BufferRequest &a, const BufferRequest &b) {
  return a.firstUse <= b.lastUse && b.firstUse <= a.lastUse;
}

/// Places requests in `order`, each at the best-fitting gap among the placed
/// requests whose lifetimes intersect its own.
static ArenaPlan placeInOrder(const std::vector<BufferRequest> &requests,
                              const std::vector<size_t> &order,
                              int64_t alignment) {
  ArenaPlan plan;
  plan.offsets.assign(requests.size(), 0);
  std::vector<size_t> placed;
  for (size_t index : order) {
    const BufferRequest &request = requests[index];
    int64_t size = alignTo(request.bytes, alignment);
    if (size == 0)
      continue;
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

ArenaPlan planArena(const std::vector<BufferRequest> &requests,
                    int64_t alignment) {
  // No single order is best for every schedule: try a few classic ones
  // (largest first, as TFLite does; longest-lived first; by size times
  // lifetime; in schedule order) and keep the smallest arena. Ties keep the
  // earlier order, so plans are deterministic.
  auto lifetime = [&](size_t i) {
    return requests[i].lastUse - requests[i].firstUse + 1;
  };
  using Less = std::function<bool(size_t, size_t)>;
  std::vector<Less> orders = {
      [&](size_t a, size_t b) { return requests[a].bytes > requests[b].bytes; },
      [&](size_t a, size_t b) { return lifetime(a) > lifetime(b); },
      [&](size_t a, size_t b) {
        return requests[a].bytes * lifetime(a) > requests[b].bytes * lifetime(b);
      },
      [&](size_t a, size_t b) {
        return requests[a].firstUse < requests[b].firstUse;
      },
  };
  ArenaPlan best;
  bool first = true;
  for (const Less &less : orders) {
    std::vector<size_t> order(requests.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), less);
    ArenaPlan plan = placeInOrder(requests, order, alignment);
    if (first || plan.arenaBytes < best.arenaBytes)
      best = std::move(plan);
    first = false;
  }
  return best;
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
