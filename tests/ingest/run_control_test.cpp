// RunControl's interrupt: what ends a job's database work on a stop (the runner sets a
// KILL of its session). Called exactly once per stop, never after it was cleared.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "ingest/runner.h"

namespace salesflow::ingest {
namespace {

TEST(RunControl, TheFirstStopCallsTheInterruptOnce) {
  RunControl control;
  int calls = 0;
  control.SetInterrupt([&] { ++calls; });
  EXPECT_EQ(calls, 0);
  control.RequestStop(RunControl::Stop::kShutdown);
  EXPECT_EQ(calls, 1);
  control.RequestStop(RunControl::Stop::kLeaseLost);
  EXPECT_EQ(calls, 1) << "a second stop changes nothing";
  EXPECT_EQ(control.stop(), RunControl::Stop::kShutdown) << "the first reason wins";
}

TEST(RunControl, AnInterruptSetAfterTheStopIsCalledAtOnce) {
  RunControl control;
  control.RequestStop(RunControl::Stop::kLeaseLost);
  int calls = 0;
  control.SetInterrupt([&] { ++calls; });
  EXPECT_EQ(calls, 1);
  control.ClearInterrupt();
  EXPECT_EQ(calls, 1);
}

TEST(RunControl, AClearedInterruptIsNeverCalled) {
  RunControl control;
  int calls = 0;
  control.SetInterrupt([&] { ++calls; });
  control.ClearInterrupt();
  control.RequestStop(RunControl::Stop::kShutdown);
  EXPECT_EQ(calls, 0);
}

TEST(RunControl, RacingStopsAndSetsCallEachInterruptAtMostOnceAndTheLiveOneExactlyOnce) {
  for (int round = 0; round < 200; ++round) {
    RunControl control;
    std::atomic<int> calls{0};
    std::vector<std::thread> stoppers;
    for (int i = 0; i < 3; ++i) {
      stoppers.emplace_back([&] { control.RequestStop(RunControl::Stop::kShutdown); });
    }
    control.SetInterrupt([&] { calls.fetch_add(1); });
    for (std::thread& stopper : stoppers) stopper.join();
    EXPECT_EQ(calls.load(), 1) << "round " << round;
  }
}

}  // namespace
}  // namespace salesflow::ingest
