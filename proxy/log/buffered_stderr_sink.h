// BufferedStderrSink: log lines go to stderr in blocks, written by a thread of the sink's own. The
// access log writes a line per request; one write(2) per line, or with spdlog's asynchronous logger
// one thread wake-up per line, costs more than the rest of a replayed answer.
//
// Request threads never wait on each other here. The server runs many more threads than cores, and a
// thread descheduled while holding a lock every request needs stalls them all: a mutex around a
// shared buffer, held only to append a line, made replay's p99 latency 1.5x the framework floor's
// (bench/README.md). So a line is formatted by the thread that logs it (with its own copy of the
// formatter) and handed over through a lock-free queue (proxy/log/log_line_queue.h); the writer drains it
// every `write_interval` while lines come, or sooner once it is half full. When it is full, the
// logging thread waits: no line is dropped. flush() (warnings and errors: logger->flush_on; exit) returns once every line
// logged before it is written.
#ifndef SSM_REPLAY_PROXY_LOG_BUFFERED_STDERR_SINK_H_
#define SSM_REPLAY_PROXY_LOG_BUFFERED_STDERR_SINK_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <spdlog/formatter.h>
#include <spdlog/sinks/sink.h>

#include "proxy/log/log_line_queue.h"

namespace ssm {

class BufferedStderrSink : public spdlog::sinks::sink {
 public:
  // ~80 ms of access log at 50,000 requests/s, drained every 2 ms. Each cell keeps its last line's
  // buffer (~300 bytes), so this is also ~1.5 MB of memory.
  static constexpr size_t kDefaultQueueLines = 4096;
  // Short, so each round is short too: a woken writer preempts a request thread, and at 25 ms its
  // rounds of ~1,300 lines showed in replay's p99 latency. Idle, the writer sleeps until a line comes.
  static constexpr std::chrono::milliseconds kDefaultWriteInterval{2};

  // Starts the writer thread; the destructor writes what is left and stops it.
  explicit BufferedStderrSink(size_t queue_lines = kDefaultQueueLines,
                              std::chrono::milliseconds write_interval = kDefaultWriteInterval);
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
  void WakeWriter();
  void WriterLoop();
  // Pops every published line into `block`, writing it whenever it grows large; keeps going until at
  // least `until` lines have been popped (lines still being pushed are waited for).
  void Drain(std::string* block, uint64_t until);
  // Writes `block` to stderr, whole.
  static void Write(const std::string& block);

  const uint64_t id_;  // tells this sink's formatter copies from another sink's in a thread's cache
  const std::chrono::milliseconds write_interval_;

  std::mutex formatter_mu_;
  std::unique_ptr<spdlog::formatter> formatter_;  // the master copy; guarded by formatter_mu_
  std::atomic<uint64_t> formatter_version_{0};

  LogLineQueue queue_;
  std::atomic<bool> wake_requested_{false};  // a wake-up is on its way; later ones need not signal
  std::atomic<bool> writer_idle_{false};     // the writer sleeps until woken: the next line wakes it

  std::mutex writer_mu_;
  std::condition_variable writer_wake_;  // the writer waits here between rounds
  std::condition_variable written_cv_;   // flush() waits here for `written_`
  uint64_t flush_until_ = 0;             // lines flush() callers wait for; guarded by writer_mu_
  uint64_t written_ = 0;                 // lines written to stderr; guarded by writer_mu_
  bool stopping_ = false;                // guarded by writer_mu_

  std::thread writer_;  // last: starts once everything above is constructed
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_LOG_BUFFERED_STDERR_SINK_H_
