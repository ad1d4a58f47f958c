// BufferedStderrSink: log lines go to stderr in blocks. The access log writes a line per request;
// one write(2) per line, or with an asynchronous logger one thread wake-up per line, costs more
// than the rest of a replayed answer. Lines are flushed when the buffer fills, every second
// (spdlog::flush_every), at once for warnings and errors (logger->flush_on), and at exit.
//
// Every request thread logs here, and the server runs many more threads than cores: a thread
// descheduled while holding the sink's lock would stall every other request behind it. So lines are
// formatted before the lock (each thread with its own copy of the formatter), the lock covers only
// appending them, and full blocks are written after it.
#ifndef SSM_REPLAY_TOOLS_BUFFERED_STDERR_SINK_H_
#define SSM_REPLAY_TOOLS_BUFFERED_STDERR_SINK_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include <spdlog/formatter.h>
#include <spdlog/sinks/sink.h>

namespace ssm {

class BufferedStderrSink : public spdlog::sinks::sink {
 public:
  BufferedStderrSink();
  BufferedStderrSink(const BufferedStderrSink&) = delete;
  BufferedStderrSink& operator=(const BufferedStderrSink&) = delete;
  ~BufferedStderrSink() override;

  void log(const spdlog::details::log_msg& msg) override;
  void flush() override;
  void set_pattern(const std::string& pattern) override;
  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override;

 private:
  // This thread's copy of the current formatter (spdlog's formatters are not thread-safe).
  spdlog::formatter& ThreadFormatter();
  // Takes what is buffered (`buffer_lock` holds buffer_mu_) and writes it after releasing the lock.
  void WriteBuffered(std::unique_lock<std::mutex> buffer_lock);
  // Writes `block` to stderr, whole; blocks are written one at a time, in the order taken.
  void Write(const std::string& block);

  static constexpr size_t kFlushBytes = 32 * 1024;
  const uint64_t id_;  // tells this sink's formatter copies from another sink's in a thread's cache

  std::mutex formatter_mu_;
  std::unique_ptr<spdlog::formatter> formatter_;  // the master copy; guarded by formatter_mu_
  std::atomic<uint64_t> formatter_version_{0};

  std::mutex buffer_mu_;
  std::string buffer_;  // guarded by buffer_mu_
  std::mutex write_mu_;  // taken before buffer_mu_ is released when a block is taken, so blocks keep order
};

}  // namespace ssm

#endif  // SSM_REPLAY_TOOLS_BUFFERED_STDERR_SINK_H_
