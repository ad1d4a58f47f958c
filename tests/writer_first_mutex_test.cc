#include "proxy/replay/writer_first_mutex.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/test_util.h"

namespace ssm {
namespace {

TEST_CASE("shared holders exclude a writer; a writer excludes everyone", "[writer_first_mutex]") {
  WriterFirstMutex mu;
  {
    std::shared_lock<WriterFirstMutex> a(mu);
    std::shared_lock<WriterFirstMutex> b(mu);  // readers share
    CHECK_FALSE(mu.try_lock());
  }
  {
    std::unique_lock<WriterFirstMutex> w(mu);
    CHECK_FALSE(mu.try_lock_shared());
    CHECK_FALSE(mu.try_lock());
  }
  bool free_again = false;
  if (mu.try_lock()) {  // in an `if`, so that clang's lock analysis follows it
    free_again = true;
    mu.unlock();
  }
  CHECK(free_again);
}

TEST_CASE("a writer gets in while readers keep coming", "[writer_first_mutex][concurrency]") {
  // Readers overlap so that at every moment at least one holds the lock: a lock that lets new readers
  // in while a writer waits never lets this writer in until the readers stop (here after 20 s).
  WriterFirstMutex mu;
  std::atomic<bool> writer_done{false};
  std::atomic<int> holding{0};
  std::atomic<bool> overlapped{false};  // two readers have held the lock at once
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      while (!writer_done.load() && std::chrono::steady_clock::now() < deadline) {
        std::shared_lock<WriterFirstMutex> lock(mu);
        if (holding.fetch_add(1) > 0) overlapped = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));  // holds it, so that readers overlap
        holding.fetch_sub(1);
      }
    });
  }
  // The writer comes only once the readers are in full swing.
  bool in_full_swing = test::WaitUntil([&] { return overlapped.load(); });
  if (in_full_swing) {
    std::unique_lock<WriterFirstMutex> lock(mu);
    CHECK(std::chrono::steady_clock::now() < deadline);  // got in before the readers gave up
  }
  writer_done = true;
  for (auto& t : readers) t.join();
  REQUIRE(in_full_swing);  // else the writer's entry proved nothing
}

}  // namespace
}  // namespace ssm
