#include "tools/buffered_stderr_sink.h"

#include <unistd.h>

#include <cerrno>
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

}  // namespace

BufferedStderrSink::BufferedStderrSink()
    : id_(next_sink_id.fetch_add(1)), formatter_(std::make_unique<spdlog::pattern_formatter>()) {}

BufferedStderrSink::~BufferedStderrSink() { flush(); }

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
  std::unique_lock<std::mutex> buffer_lock(buffer_mu_);
  buffer_.append(formatted.data(), formatted.size());
  if (buffer_.size() >= kFlushBytes) WriteBuffered(std::move(buffer_lock));
}

void BufferedStderrSink::flush() { WriteBuffered(std::unique_lock<std::mutex>(buffer_mu_)); }

void BufferedStderrSink::WriteBuffered(std::unique_lock<std::mutex> buffer_lock) {
  std::string block;
  block.swap(buffer_);
  std::lock_guard<std::mutex> write_lock(write_mu_);
  buffer_lock.unlock();
  Write(block);
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
