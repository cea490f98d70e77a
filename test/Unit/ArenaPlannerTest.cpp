//===- ArenaPlannerTest.cpp - The arena planner against brute force -------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "modelc/Support/ArenaPlanner.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

using namespace modelc;

namespace {
/// Checks a plan independently of the planner: every pair of buffers whose
/// lifetimes intersect must occupy disjoint byte ranges inside the arena.
bool planIsValid(const std::vector<BufferRequest> &requests,
                 const ArenaPlan &plan, int64_t alignment) {
  for (size_t i = 0; i < requests.size(); ++i) {
    int64_t a0 = plan.offsets[i], a1 = a0 + requests[i].bytes;
    if (a0 % alignment != 0 || a1 > plan.arenaBytes)
      return false;
    for (size_t j = i + 1; j < requests.size(); ++j) {
      bool liveTogether = requests[i].firstUse <= requests[j].lastUse &&
                          requests[j].firstUse <= requests[i].lastUse;
      int64_t b0 = plan.offsets[j], b1 = b0 + requests[j].bytes;
      if (liveTogether && a0 < b1 && b0 < a1 && requests[i].bytes &&
          requests[j].bytes)
        return false;
    }
  }
  return true;
}

/// The liveness lower bound by brute force: walk every step and add up
/// the aligned sizes of the buffers live there.
int64_t bruteForceLowerBound(const std::vector<BufferRequest> &requests,
                             int64_t alignment) {
  int64_t last = 0, peak = 0;
  for (const BufferRequest &r : requests)
    last = std::max(last, r.lastUse);
  for (int64_t step = 0; step <= last; ++step) {
    int64_t live = 0;
    for (const BufferRequest &r : requests)
      if (r.firstUse <= step && step <= r.lastUse)
        live += alignTo(r.bytes, alignment);
    peak = std::max(peak, live);
  }
  return peak;
}
} // namespace

TEST_CASE("alignTo rounds up to the alignment", "[planner]") {
  CHECK(alignTo(0, 64) == 0);
  CHECK(alignTo(1, 64) == 64);
  CHECK(alignTo(64, 64) == 64);
  CHECK(alignTo(65, 64) == 128);
}

TEST_CASE("A chain reuses memory once values die", "[planner]") {
  // a -> b -> c: a and c never live together.
  std::vector<BufferRequest> requests = {
      {1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}};
  ArenaPlan plan = planArena(requests, 64);
  CHECK(planIsValid(requests, plan, 64));
  CHECK(plan.arenaBytes == 2 * 1024);
  CHECK(arenaLowerBound(requests, 64) == 2 * 1024);
}

TEST_CASE("Buffers live at once never overlap", "[planner]") {
  std::vector<BufferRequest> requests = {{100, 0, 5}, {200, 0, 5}, {300, 0, 5}};
  ArenaPlan plan = planArena(requests, 16);
  CHECK(planIsValid(requests, plan, 16));
  CHECK(plan.arenaBytes == 112 + 208 + 304);
}

TEST_CASE("Empty buffers take no space", "[planner]") {
  std::vector<BufferRequest> requests = {{0, 0, 3}, {64, 1, 2}};
  ArenaPlan plan = planArena(requests, 64);
  CHECK(plan.arenaBytes == 64);
}

TEST_CASE("Random schedules: valid plans within 25% of the lower bound",
          "[planner]") {
  std::mt19937 random(1234);
  double worst = 1.0;
  for (int trial = 0; trial < 300; ++trial) {
    int count = 2 + random() % 40;
    int steps = 2 + random() % 30;
    std::vector<BufferRequest> requests;
    for (int i = 0; i < count; ++i) {
      int64_t first = random() % steps;
      int64_t last = first + random() % 4;
      int64_t bytes = 1 + random() % 100000;
      requests.push_back({bytes, first, last});
    }
    ArenaPlan plan = planArena(requests, 64);
    REQUIRE(planIsValid(requests, plan, 64));
    int64_t bound = arenaLowerBound(requests, 64);
    REQUIRE(bound == bruteForceLowerBound(requests, 64));
    REQUIRE(plan.arenaBytes >= bound);
    worst = std::max(worst, double(plan.arenaBytes) / double(bound));
  }
  // Greedy-by-size is not optimal, but on short-lived buffers (the shape of
  // inference graphs) it stays close.
  CHECK(worst < 1.25);
}

TEST_CASE("Plans are deterministic", "[planner]") {
  std::vector<BufferRequest> requests = {
      {500, 0, 2}, {500, 1, 3}, {500, 2, 4}, {700, 0, 4}};
  ArenaPlan first = planArena(requests, 64);
  ArenaPlan second = planArena(requests, 64);
  CHECK(first.offsets == second.offsets);
}
