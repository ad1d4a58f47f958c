#include "proxy/log/buffered_stderr_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <spdlog/logger.h>

namespace ssm {
namespace {

// Sends stderr to a temporary file for the test's lifetime and reads back what was written.
class CapturedStderr {
 public:
  CapturedStderr() {
    std::fflush(stderr);
    char path[] = "/tmp/ssm-sink-test-XXXXXX";
    fd_ = mkstemp(path);
    REQUIRE(fd_ >= 0);
    unlink(path);
    saved_ = dup(STDERR_FILENO);
    dup2(fd_, STDERR_FILENO);
  }
  ~CapturedStderr() {
    dup2(saved_, STDERR_FILENO);
    close(saved_);
    close(fd_);
  }
  CapturedStderr(const CapturedStderr&) = delete;
  CapturedStderr& operator=(const CapturedStderr&) = delete;

  std::string Text() const {
    std::string out;
    char buf[65536];
    for (off_t at = 0;;) {
      ssize_t n = pread(fd_, buf, sizeof(buf), at);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
      at += n;
    }
    return out;
  }

 private:
  int fd_ = -1;
  int saved_ = -1;
};

// Polls `done` until it holds or `timeout` passes; false on timeout.
template <typename Pred>
bool WaitUntil(Pred done, std::chrono::seconds timeout = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST_CASE("lines from many threads reach stderr whole, once, and in each thread's order", "[log_sink]") {
  CapturedStderr captured;
  auto sink = std::make_shared<BufferedStderrSink>();
  spdlog::logger logger("sink-test", sink);
  logger.set_pattern("%v");
  constexpr int kThreads = 8, kLines = 3000;  // ~1 MB: many rounds of the writer
  const std::string padding(300, 'x');
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kLines; ++i) logger.info("t{} n{} {}", t, i, padding);
    });
  }
  for (auto& th : threads) th.join();
  logger.flush();

  std::map<int, int> next;  // thread -> the line number expected next
  std::vector<std::string> lines = Lines(captured.Text());
  REQUIRE(lines.size() == static_cast<size_t>(kThreads * kLines));
  for (const std::string& line : lines) {
    int t = -1, n = -1;
    REQUIRE(std::sscanf(line.c_str(), "t%d n%d", &t, &n) == 2);
    REQUIRE(line.size() == line.find(' ', line.find(' ') + 1) + 1 + padding.size());  // not torn
    CHECK(n == next[t]);
    next[t] = n + 1;
  }
  CHECK(next.size() == static_cast<size_t>(kThreads));
}

TEST_CASE("a new pattern applies to threads that already logged", "[log_sink]") {
  CapturedStderr captured;
  auto sink = std::make_shared<BufferedStderrSink>();
  spdlog::logger logger("sink-test", sink);
  logger.set_pattern("A %v");
  std::thread([&] { logger.info("one"); }).join();
  logger.info("two");
  logger.set_pattern("B %v");
  logger.info("three");
  std::thread([&] { logger.info("four"); }).join();
  logger.flush();
  CHECK(captured.Text() == "A one\nA two\nB three\nB four\n");
}

TEST_CASE("lines below the sink's level are dropped; destruction writes what is queued", "[log_sink]") {
  CapturedStderr captured;
  {
    // The writer writes the first line at once, then rests an hour: only the destructor gets the
    // rest out.
    auto sink = std::make_shared<BufferedStderrSink>(1024, std::chrono::hours(1));
    sink->set_level(spdlog::level::warn);
    spdlog::logger logger("sink-test", sink);
    logger.set_pattern("%l %v");
    for (int i = 0; i < 50; ++i) {
      logger.info("quiet {}", i);
      logger.warn("loud {}", i);
    }
  }
  std::vector<std::string> lines = Lines(captured.Text());
  REQUIRE(lines.size() == 50);
  for (int i = 0; i < 50; ++i) CHECK(lines[static_cast<size_t>(i)] == "warning loud " + std::to_string(i));
}

TEST_CASE("flush returns once every line logged before it is on stderr", "[log_sink]") {
  CapturedStderr captured;
  // The writer would otherwise wait an hour between rounds: only flush() gets these lines out.
  auto sink = std::make_shared<BufferedStderrSink>(1024, std::chrono::hours(1));
  spdlog::logger logger("sink-test", sink);
  logger.set_pattern("%v");
  for (int i = 0; i < 100; ++i) logger.info("line {}", i);
  logger.flush();
  std::vector<std::string> lines = Lines(captured.Text());
  REQUIRE(lines.size() == 100);
  for (int i = 0; i < 100; ++i) CHECK(lines[static_cast<size_t>(i)] == "line " + std::to_string(i));
}

TEST_CASE("a full queue makes loggers wait for the writer: no line is lost", "[log_sink][concurrency]") {
  CapturedStderr captured;
  auto sink = std::make_shared<BufferedStderrSink>(4, std::chrono::hours(1));
  spdlog::logger logger("sink-test", sink);
  logger.set_pattern("%v");
  constexpr int kThreads = 4, kLines = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kLines; ++i) logger.info("t{} n{}", t, i);
    });
  }
  for (auto& th : threads) th.join();
  logger.flush();
  std::map<int, int> next;
  for (const std::string& line : Lines(captured.Text())) {
    int t = -1, n = -1;
    REQUIRE(std::sscanf(line.c_str(), "t%d n%d", &t, &n) == 2);
    REQUIRE(n == next[t]);
    next[t] = n + 1;
  }
  for (int t = 0; t < kThreads; ++t) CHECK(next[t] == kLines);
}

TEST_CASE("lines reach stderr without a flush, also after the writer went idle", "[log_sink]") {
  CapturedStderr captured;
  auto sink = std::make_shared<BufferedStderrSink>();
  spdlog::logger logger("sink-test", sink);
  logger.set_pattern("%v");
  logger.info("first");
  REQUIRE(WaitUntil([&] { return captured.Text() == "first\n"; }));
  // Nothing more to write: the writer goes back to waiting for a line, which must wake it.
  REQUIRE(WaitUntil([&] { return sink->writer_idle(); }));
  logger.info("second");
  REQUIRE(WaitUntil([&] { return captured.Text() == "first\nsecond\n"; }));
}

}  // namespace
}  // namespace ssm
