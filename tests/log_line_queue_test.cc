#include "proxy/log/log_line_queue.h"

#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

namespace ssm {
namespace {

TEST_CASE("lines come out in the order they went in, until the queue is empty", "[log_queue]") {
  LogLineQueue queue(4);
  CHECK(queue.TryPush("one"));
  CHECK(queue.TryPush("two"));
  CHECK(queue.size() == 2);
  std::string line;
  REQUIRE(queue.TryPop(&line));
  CHECK(line == "one");
  REQUIRE(queue.TryPop(&line));
  CHECK(line == "two");
  CHECK_FALSE(queue.TryPop(&line));
  CHECK(line == "two");  // untouched by a failed pop
  CHECK(queue.pushed() == 2);
  CHECK(queue.popped() == 2);
  CHECK(queue.size() == 0);
}

TEST_CASE("a full queue refuses a line and takes it once one is popped", "[log_queue]") {
  LogLineQueue queue(3);  // rounded up to 4
  REQUIRE(queue.capacity() == 4);
  for (int i = 0; i < 4; ++i) REQUIRE(queue.TryPush("line " + std::to_string(i)));
  CHECK_FALSE(queue.TryPush("one too many"));
  CHECK(queue.pushed() == 4);  // the refused push took no place
  std::string line;
  REQUIRE(queue.TryPop(&line));
  CHECK(line == "line 0");
  CHECK(queue.TryPush("line 4"));
  for (int i = 1; i <= 4; ++i) {
    REQUIRE(queue.TryPop(&line));
    CHECK(line == "line " + std::to_string(i));
  }
  CHECK_FALSE(queue.TryPop(&line));
}

TEST_CASE("the queue wraps round many times with lines of every length", "[log_queue]") {
  LogLineQueue queue(2);
  std::string line;
  for (int i = 0; i < 1000; ++i) {
    std::string want(static_cast<size_t>(i % 300), static_cast<char>('a' + i % 26));
    REQUIRE(queue.TryPush(want));
    REQUIRE(queue.TryPop(&line));
    REQUIRE(line == want);
  }
}

TEST_CASE("pushes from many threads while one pops: every line once, each thread's in order",
          "[log_queue][concurrency]") {
  constexpr int kThreads = 6, kLines = 20000;
  LogLineQueue queue(64);  // small: pushers often find it full
  std::vector<std::thread> pushers;
  for (int t = 0; t < kThreads; ++t) {
    pushers.emplace_back([&queue, t] {
      for (int i = 0; i < kLines; ++i) {
        std::string line = std::to_string(t) + " " + std::to_string(i);
        while (!queue.TryPush(line)) std::this_thread::yield();
      }
    });
  }
  std::map<int, int> next;
  std::string line;
  for (int received = 0; received < kThreads * kLines;) {
    if (!queue.TryPop(&line)) {
      std::this_thread::yield();
      continue;
    }
    int t = -1, i = -1;
    REQUIRE(std::sscanf(line.c_str(), "%d %d", &t, &i) == 2);
    REQUIRE(i == next[t]);
    next[t] = i + 1;
    ++received;
  }
  for (auto& p : pushers) p.join();
  CHECK_FALSE(queue.TryPop(&line));
  for (int t = 0; t < kThreads; ++t) CHECK(next[t] == kLines);
}

}  // namespace
}  // namespace ssm
