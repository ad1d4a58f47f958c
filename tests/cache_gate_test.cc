#include "proxy/replay/cache_gate.h"

#include <atomic>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

namespace ssm {
namespace {

// Calls Next() until a probe comes, checking what the calls before it were told.
void NextProbe(CacheGate& gate, bool open) {
  for (int i = 0; i < 100; ++i) {
    CacheGate::Ticket t = gate.Next();
    if (t.probe) {
      CHECK(t.consult);
      return;
    }
    CHECK(t.consult == open);
  }
  FAIL("no probe in 100 calls");
}

TEST_CASE("cache gate: one call in probe_every is a probe, on each thread", "[cache_gate]") {
  CacheGate gate(CacheGate::Options{.probe_every = 4, .window = 1000});
  int probes = 0;
  for (int i = 0; i < 400; ++i) probes += gate.Next().probe;
  CHECK(probes == 100);
  std::atomic<int> other{0};
  std::thread([&] {
    for (int i = 0; i < 400; ++i) other += gate.Next().probe;
  }).join();
  CHECK(other == 100);
}

// Runs one window of `window` probes, the first `hits` of them hits, checking the calls between them
// consult the cache only if the gate is `open`.
void ProbeWindow(CacheGate& gate, int window, int hits, bool open) {
  for (int i = 0; i < window; ++i) {
    NextProbe(gate, open);
    gate.Probed(i < hits);
  }
}

TEST_CASE("cache gate: closes when a window's probes hit under the ratio, opens when they reach it",
          "[cache_gate]") {
  // 8 probes a window, at least 2 hits (a quarter) to stay open.
  CacheGate gate(CacheGate::Options{.probe_every = 3, .window = 8, .min_hit_ratio = 0.25});
  CHECK_FALSE(gate.bypassing());
  ProbeWindow(gate, 8, /*hits=*/2, /*open=*/true);
  CHECK_FALSE(gate.bypassing());
  ProbeWindow(gate, 8, 1, true);
  CHECK(gate.bypassing());
  // Bypassing: only probes consult the cache, and they keep measuring it.
  ProbeWindow(gate, 8, 1, /*open=*/false);
  CHECK(gate.bypassing());
  ProbeWindow(gate, 8, 2, false);
  CHECK_FALSE(gate.bypassing());
  ProbeWindow(gate, 8, 8, true);
  CHECK_FALSE(gate.bypassing());
}

TEST_CASE("cache gate: probes from many threads close and open it as one count", "[cache_gate][concurrency]") {
  CacheGate gate(CacheGate::Options{.probe_every = 1, .window = 64, .min_hit_ratio = 0.5});
  auto run = [&](bool hit) {
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 64 * 50; ++i) {
          if (gate.Next().probe) gate.Probed(hit);
        }
      });
    }
    for (auto& t : threads) t.join();
  };
  run(false);
  CHECK(gate.bypassing());
  run(true);
  CHECK_FALSE(gate.bypassing());
  run(false);
  CHECK(gate.bypassing());
}

}  // namespace
}  // namespace ssm
