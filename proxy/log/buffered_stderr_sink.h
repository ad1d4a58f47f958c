// BufferedStderrSink: log lines go to stderr in blocks, written by a thread of the sink's own. The
// access log writes a line per request; one write(2) per line, or with spdlog's asynchronous logger
// one thread wake-up per line, costs more than the rest of a replayed answer.
//
// Request threads never wait on each other here: a line is formatted by the thread that logs it
// (with its own copy of the formatter) and handed over through a lock-free queue
// (proxy/log/log_line_queue.h). The writer sleeps until a line comes and writes it at once, then
// drains the queue every `write_interval` while lines keep coming, or sooner once it is half full.
// When it is full, the logging thread waits: no line is dropped. flush() (warnings and errors:
// logger->flush_on; exit) returns once every line logged before it is written.
#ifndef SSM_REPLAY_PROXY_LOG_BUFFERED_STDERR_SINK_H_
#define SSM_REPLAY_PROXY_LOG_BUFFERED_STDERR_SINK_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include <spdlog/formatter.h>
#include <spdlog/sinks/sink.h>

#include "proxy/log/log_line_queue.h"
#include "store/port/mutex.h"
#include "store/port/thread_annotations.h"

namespace ssm {

class BufferedStderrSink : public spdlog::sinks::sink {
 public:
  // ~80 ms of access log at 50,000 requests/s; ~2 MB of queue (512 bytes a line).
  static constexpr size_t kDefaultQueueLines = 4096;
  // Short, so that each round is short too: a woken writer preempts a request thread, and long
  // rounds show in replay's p99 latency.
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

  // True while the writer, having found nothing to write, waits for the next line.
  bool writer_idle() const { return writer_idle_.load(std::memory_order_acquire); }

 private:
  // This thread's copy of the current formatter (spdlog's formatters are not thread-safe).
  spdlog::formatter& ThreadFormatter();
  // Ends the writer's rest early (the queue is half full). Only the first call of a round signals.
  void WakeWriter();
  void WriterLoop();
  // Waits `write_interval_`, or less when a flush, a stop or a half-full queue asks.
  void Rest();
  // Writes every queued line, waiting up to `wait` for one when there is none. Returns the number.
  size_t WriteQueued(std::chrono::microseconds wait, std::string* block);
  // Writes `block` to stderr, whole.
  static void Write(const std::string& block);

  const uint64_t id_;  // tells this sink's formatter copies from another sink's in a thread's cache
  const std::chrono::milliseconds write_interval_;

  Mutex formatter_mu_;
  std::unique_ptr<spdlog::formatter> formatter_ GUARDED_BY(formatter_mu_);  // the master copy
  std::atomic<uint64_t> formatter_version_{0};

  LogLineQueue queue_;  // pushed by any thread, drained by the writer alone
  std::atomic<bool> wake_requested_{false};  // a half-full wake-up is on its way this round
  std::atomic<bool> writer_idle_{false};

  Mutex mu_;
  CondVar rest_cv_{&mu_};     // the writer rests here between rounds
  CondVar flushed_cv_{&mu_};  // flush() waits here for `flushes_done_`
  uint64_t flush_requests_ GUARDED_BY(mu_) = 0;  // flush() calls so far
  uint64_t flushes_done_ GUARDED_BY(mu_) = 0;    // of those, the ones whose lines are written
  bool stopping_ GUARDED_BY(mu_) = false;

  std::thread writer_;  // last: starts once everything above is constructed
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_LOG_BUFFERED_STDERR_SINK_H_
