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
constexpr size_t kKeptLineCapacity = 4096;  // a longer line's buffer is freed, not kept for reuse
// How long an idle writer sleeps at most. A line wakes it; this only bounds a wake-up that was missed.
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
    std::lock_guard<std::mutex> lock(writer_mu_);
    stopping_ = true;
  }
  writer_wake_.notify_one();
  writer_.join();
}

spdlog::formatter& BufferedStderrSink::ThreadFormatter() {
  thread_local ThreadFormatterCache cache;
  uint64_t version = formatter_version_.load(std::memory_order_acquire);
  if (cache.sink_id != id_ || cache.version != version || !cache.formatter) {
    std::lock_guard<std::mutex> lock(formatter_mu_);
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
  while (!queue_.TryPush(line)) {  // full: the writer is behind (or stderr blocks); wait, drop nothing
    WakeWriter();
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  // Pairs with the fence in WriterLoop: either the writer sees this line before it sleeps, or this
  // sees that it sleeps.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (writer_idle_.load(std::memory_order_relaxed) || queue_.size() >= queue_.capacity() / 2) WakeWriter();
}

// Only the first request of a round takes the lock and signals; the rest are one atomic exchange. A
// signal that finds the writer busy is not lost: it drains again before it waits.
void BufferedStderrSink::WakeWriter() {
  if (wake_requested_.exchange(true, std::memory_order_acq_rel)) return;
  std::lock_guard<std::mutex> lock(writer_mu_);
  writer_wake_.notify_one();
}

void BufferedStderrSink::flush() {
  uint64_t until = queue_.pushed();
  std::unique_lock<std::mutex> lock(writer_mu_);
  if (until > flush_until_) flush_until_ = until;
  writer_wake_.notify_one();
  written_cv_.wait(lock, [&] { return written_ >= until; });
}

void BufferedStderrSink::WriterLoop() {
  std::string block;
  std::unique_lock<std::mutex> lock(writer_mu_);
  for (;;) {
    bool stop = stopping_;
    uint64_t until = stop ? queue_.pushed() : flush_until_;
    wake_requested_.store(false, std::memory_order_release);
    lock.unlock();
    uint64_t before = queue_.popped();
    Drain(&block, until);
    Write(block);
    block.clear();
    bool drained_some = queue_.popped() != before;
    lock.lock();
    written_ = queue_.popped();
    written_cv_.notify_all();
    if (stop) return;
    auto woken = [&] {
      return stopping_ || flush_until_ > written_ || wake_requested_.load(std::memory_order_acquire);
    };
    if (drained_some) {
      writer_wake_.wait_for(lock, write_interval_, woken);
      continue;
    }
    // Nothing came in a whole interval: sleep until a line does, instead of waking for nothing.
    writer_idle_.store(true, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (queue_.size() == 0) writer_wake_.wait_for(lock, kIdleWait, woken);
    writer_idle_.store(false, std::memory_order_relaxed);
  }
}

void BufferedStderrSink::Drain(std::string* block, uint64_t until) {
  std::string line;
  for (;;) {
    while (queue_.TryPop(&line)) {
      block->append(line);
      if (line.capacity() > kKeptLineCapacity) std::string().swap(line);
      if (block->size() >= kWriteBytes) {
        Write(*block);
        block->clear();
      }
    }
    if (queue_.popped() >= until) return;
    std::this_thread::yield();  // a line flush() waits for is still being copied in
  }
}

void BufferedStderrSink::set_pattern(const std::string& pattern) {
  set_formatter(std::make_unique<spdlog::pattern_formatter>(pattern));
}

void BufferedStderrSink::set_formatter(std::unique_ptr<spdlog::formatter> formatter) {
  std::lock_guard<std::mutex> lock(formatter_mu_);
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
