// BufferedStderrSink: log lines go to stderr in blocks. The access log writes a line per request;
// one write(2) per line, or with an asynchronous logger one thread wake-up per line, costs more
// than the rest of a replayed answer. Lines are flushed when the buffer fills, every second
// (spdlog::flush_every), at once for warnings and errors (logger->flush_on), and at exit.
#ifndef SSM_REPLAY_TOOLS_BUFFERED_STDERR_SINK_H_
#define SSM_REPLAY_TOOLS_BUFFERED_STDERR_SINK_H_

#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <string>

#include <spdlog/sinks/base_sink.h>

namespace ssm {

class BufferedStderrSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  BufferedStderrSink() = default;
  BufferedStderrSink(const BufferedStderrSink&) = delete;
  BufferedStderrSink& operator=(const BufferedStderrSink&) = delete;
  ~BufferedStderrSink() override { flush_(); }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    buffer_.append(formatted.data(), formatted.size());
    if (buffer_.size() >= kFlushBytes) flush_();
  }

  void flush_() override {
    size_t done = 0;
    while (done < buffer_.size()) {
      ssize_t n = ::write(STDERR_FILENO, buffer_.data() + done, buffer_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // stderr closed: the lines are dropped, the server goes on
      done += static_cast<size_t>(n);
    }
    buffer_.clear();
  }

 private:
  static constexpr size_t kFlushBytes = 32 * 1024;
  std::string buffer_;
};

}  // namespace ssm

#endif  // SSM_REPLAY_TOOLS_BUFFERED_STDERR_SINK_H_
