#include "proxy/log/buffered_stderr_sink.h"

#include <unistd.h>

#include <cerrno>
#include <string_view>
#include <utility>

#include <spdlog/pattern_formatter.h>

namespace ssm {
namespace {

std::atomic<uint64_t> next_sink_id{1};

struct ThreadFormatterCache {
  uint64_t sink_id = 0;
  uint64_t version = 0;
  std::unique_ptr<spdlog::formatter> formatter;
};

constexpr size_t kWriteBytes = 64 * 1024;  // the writer's block size while draining a backlog
// How long an idle writer waits at most. A line ends the wait; this only bounds a missed one.
constexpr std::chrono::seconds kIdleWait{1};

}  // namespace

BufferedStderrSink::BufferedStderrSink(size_t queue_lines, std::chrono::milliseconds write_interval)
    : id_(next_sink_id.fetch_add(1)),
      write_interval_(write_interval),
      formatter_(std::make_unique<spdlog::pattern_formatter>()),
      queue_(queue_lines),
      writer_([this] { WriterLoop(); }) {}

BufferedStderrSink::~BufferedStderrSink() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    rest_cv_.Signal();
  }
  queue_.Nudge();
  writer_.join();
}

spdlog::formatter& BufferedStderrSink::ThreadFormatter() {
  thread_local ThreadFormatterCache cache;
  uint64_t version = formatter_version_.load(std::memory_order_acquire);
  if (cache.sink_id != id_ || cache.version != version || !cache.formatter) {
    MutexLock lock(&formatter_mu_);
    cache.formatter = formatter_->clone();
    cache.sink_id = id_;
    cache.version = formatter_version_.load(std::memory_order_relaxed);
  }
  return *cache.formatter;
}

void BufferedStderrSink::log(const spdlog::details::log_msg& msg) {
  if (!should_log(msg.level)) return;
  spdlog::memory_buf_t formatted;
  ThreadFormatter().format(msg, formatted);
  std::string_view line(formatted.data(), formatted.size());
  if (!queue_.TryPush(line)) {  // full: the writer is behind (or stderr blocks); wait, drop nothing
    WakeWriter();
    queue_.Push(line);
  } else if (queue_.size() >= queue_.capacity() / 2) {
    WakeWriter();
  }
}

void BufferedStderrSink::WakeWriter() {
  if (wake_requested_.exchange(true, std::memory_order_acq_rel)) return;
  MutexLock lock(&mu_);
  rest_cv_.Signal();
}

void BufferedStderrSink::flush() {
  uint64_t mine;
  {
    MutexLock lock(&mu_);
    mine = ++flush_requests_;
    rest_cv_.Signal();
  }
  queue_.Nudge();  // the writer may be waiting for a line rather than resting
  MutexLock lock(&mu_);
  while (flushes_done_ < mine) flushed_cv_.Wait();
}

void BufferedStderrSink::WriterLoop() {
  std::string block;
  bool idle = false;  // the last round wrote nothing: wait for a line rather than rest
  for (;;) {
    uint64_t flush_goal;
    bool stop, owed;
    {
      MutexLock lock(&mu_);
      flush_goal = flush_requests_;
      stop = stopping_;
      owed = stop || flush_goal != flushes_done_;
    }
    wake_requested_.store(false, std::memory_order_release);
    bool wait_for_line = idle && !owed;
    writer_idle_.store(wait_for_line, std::memory_order_release);
    size_t written = WriteQueued(wait_for_line ? kIdleWait : std::chrono::seconds(0), &block);
    writer_idle_.store(false, std::memory_order_release);
    {
      MutexLock lock(&mu_);
      flushes_done_ = flush_goal;
      flushed_cv_.SignalAll();
      if (stop) return;
    }
    idle = written == 0;
    if (!idle) Rest();
  }
}

void BufferedStderrSink::Rest() {
  MutexLock lock(&mu_);
  auto deadline = std::chrono::steady_clock::now() + write_interval_;
  while (!stopping_ && flush_requests_ == flushes_done_ && !wake_requested_.load(std::memory_order_acquire)) {
    if (!rest_cv_.WaitUntil(deadline)) return;
  }
}

size_t BufferedStderrSink::WriteQueued(std::chrono::microseconds wait, std::string* block) {
  size_t lines = queue_.PopAll(wait, [block](std::string_view line) {
    block->append(line);
    if (block->size() >= kWriteBytes) {
      Write(*block);
      block->clear();
    }
  });
  Write(*block);
  block->clear();
  return lines;
}

void BufferedStderrSink::set_pattern(const std::string& pattern) {
  set_formatter(std::make_unique<spdlog::pattern_formatter>(pattern));
}

void BufferedStderrSink::set_formatter(std::unique_ptr<spdlog::formatter> formatter) {
  MutexLock lock(&formatter_mu_);
  formatter_ = std::move(formatter);
  formatter_version_.fetch_add(1, std::memory_order_release);
}

void BufferedStderrSink::Write(const std::string& block) {
  size_t done = 0;
  while (done < block.size()) {
    ssize_t n = ::write(STDERR_FILENO, block.data() + done, block.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // stderr closed: the lines are dropped, the server goes on
    done += static_cast<size_t>(n);
  }
}

}  // namespace ssm
