#include "proxy/log/log_line_queue.h"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

namespace ssm {
namespace {

using std::chrono::microseconds;

std::vector<std::string> PopAll(LogLineQueue* queue, microseconds wait = microseconds(0)) {
  std::vector<std::string> lines;
  size_t n = queue->PopAll(wait, [&](std::string_view line) { lines.emplace_back(line); });
  REQUIRE(n == lines.size());
  return lines;
}

TEST_CASE("lines come out in the order they went in, until the queue is empty", "[log_queue]") {
  LogLineQueue queue(4);
  CHECK(queue.TryPush("one"));
  CHECK(queue.TryPush("two"));
  CHECK(queue.size() == 2);
  CHECK(PopAll(&queue) == std::vector<std::string>{"one", "two"});
  CHECK(PopAll(&queue).empty());
  CHECK(queue.size() == 0);
}

TEST_CASE("a full queue refuses a line and takes it once lines are popped", "[log_queue]") {
  LogLineQueue queue(3);
  REQUIRE(queue.capacity() == 3);
  for (int i = 0; i < 3; ++i) REQUIRE(queue.TryPush("line " + std::to_string(i)));
  CHECK_FALSE(queue.TryPush("one too many"));
  CHECK(queue.size() == 3);
  CHECK(PopAll(&queue) == std::vector<std::string>{"line 0", "line 1", "line 2"});
  CHECK(queue.TryPush("line 3"));
  CHECK(PopAll(&queue) == std::vector<std::string>{"line 3"});
}

TEST_CASE("lines of every length come out whole, inline or not", "[log_queue]") {
  LogLineQueue queue(8);
  for (size_t length : {size_t{0}, size_t{1}, size_t{463}, size_t{464}, size_t{465}, size_t{100000}}) {
    std::string want(length, static_cast<char>('a' + length % 26));
    REQUIRE(queue.TryPush(want));
    std::vector<std::string> got = PopAll(&queue);
    REQUIRE(got.size() == 1);
    CHECK(got[0] == want);
  }
}

TEST_CASE("a waiting pop returns the first line pushed, or nothing after a nudge", "[log_queue]") {
  LogLineQueue queue(4);
  std::thread pusher([&] { queue.Push("late"); });
  CHECK(PopAll(&queue, std::chrono::seconds(30)) == std::vector<std::string>{"late"});
  pusher.join();
  queue.Nudge();
  CHECK(PopAll(&queue, std::chrono::seconds(30)).empty());  // the nudge ended the wait, with no line
}

TEST_CASE("lines pushed one after another by different threads keep that order", "[log_queue]") {
  // Two threads take turns (each pushes only after the other's push returned): the queue's
  // sub-queues per thread alone would hand out one thread's lines before the other's.
  LogLineQueue queue(1024);
  std::mutex mu;
  std::condition_variable turn_cv;
  int turn = 0;
  constexpr int kLines = 500;
  auto take_turns = [&](int me) {
    for (int i = me; i < kLines; i += 2) {
      std::unique_lock<std::mutex> lock(mu);
      turn_cv.wait(lock, [&] { return turn == i; });
      queue.Push(std::to_string(i));
      ++turn;
      turn_cv.notify_all();
    }
  };
  std::thread even(take_turns, 0), odd(take_turns, 1);
  even.join();
  odd.join();
  std::vector<std::string> lines = PopAll(&queue);
  REQUIRE(lines.size() == static_cast<size_t>(kLines));
  for (int i = 0; i < kLines; ++i) CHECK(lines[static_cast<size_t>(i)] == std::to_string(i));
}

TEST_CASE("pushes from many threads while one pops: every line once, each thread's in order",
          "[log_queue][concurrency]") {
  constexpr int kThreads = 6, kLines = 20000;
  LogLineQueue queue(64);  // small: pushers often find it full and wait
  std::vector<std::thread> pushers;
  for (int t = 0; t < kThreads; ++t) {
    pushers.emplace_back([&queue, t] {
      for (int i = 0; i < kLines; ++i) queue.Push(std::to_string(t) + " " + std::to_string(i));
    });
  }
  std::map<int, int> next;
  int received = 0;
  auto check = [&](std::string_view line) {
    int t = -1, i = -1;
    REQUIRE(std::sscanf(std::string(line).c_str(), "%d %d", &t, &i) == 2);
    REQUIRE(i == next[t]);
    next[t] = i + 1;
    ++received;
  };
  while (received < kThreads * kLines) {
    REQUIRE(queue.PopAll(std::chrono::seconds(30), check) > 0);  // a line within 30 s, or fail
  }
  for (auto& p : pushers) p.join();
  CHECK(PopAll(&queue).empty());
  for (int t = 0; t < kThreads; ++t) CHECK(next[t] == kLines);
}

}  // namespace
}  // namespace ssm
