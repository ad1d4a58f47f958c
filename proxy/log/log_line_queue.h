// LogLineQueue: a bounded queue of log lines that request threads push into without taking a lock,
// and one writer thread drains. A request thread descheduled while holding a lock every request
// needs would stall them all, so the queue is moodycamel's BlockingConcurrentQueue (lock-free, a
// sub-queue per pushing thread); it also wakes the writer when the first line comes while it waits.
//
// Lines come out in the order they were pushed: each push takes a ticket, and a drain sorts by
// ticket (the queue itself keeps only each thread's order). Short lines are stored inline in the
// queue's preallocated blocks, so in steady state neither side allocates.
#ifndef SSM_REPLAY_PROXY_LOG_LOG_LINE_QUEUE_H_
#define SSM_REPLAY_PROXY_LOG_LOG_LINE_QUEUE_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <concurrentqueue/blockingconcurrentqueue.h>

namespace ssm {

class LogLineQueue {
 public:
  // Holds up to `capacity` lines (at least 1).
  explicit LogLineQueue(size_t capacity);
  LogLineQueue(const LogLineQueue&) = delete;
  LogLineQueue& operator=(const LogLineQueue&) = delete;

  // Copies `line` in; false (nothing copied) when the queue is full. Any number of threads.
  bool TryPush(std::string_view line);
  // Copies `line` in, waiting while the queue is full. Any number of threads.
  void Push(std::string_view line);

  // Calls `each` with every line in the queue, oldest first, waiting up to `wait` for one when
  // there is none (or until Nudge). Returns the number of lines. One thread at a time.
  size_t PopAll(std::chrono::microseconds wait, const std::function<void(std::string_view)>& each);
  // Ends a PopAll's wait without a line (or the next one's, when none waits).
  void Nudge();

  size_t capacity() const { return capacity_; }
  // Lines in the queue, counting pushes in progress; exact only when nothing runs at the same time.
  size_t size() const;

 private:
  static constexpr size_t kInlineBytes = 464;  // with the rest of Line, 512 bytes a line
  static constexpr uint64_t kNudge = ~uint64_t{0};

  struct Line {
    uint64_t ticket = kNudge;  // push order
    uint32_t size = 0;         // of the line, inline or in `spill`
    std::string spill;         // a line longer than kInlineBytes
    char text[kInlineBytes];

    Line() {}  // user-provided: a vector's resize need not zero `text`
    Line(uint64_t ticket, std::string_view line);
    Line(Line&& other) noexcept { *this = std::move(other); }
    Line& operator=(Line&& other) noexcept;
    std::string_view view() const { return spill.empty() ? std::string_view(text, size) : std::string_view(spill); }
  };

  void Enqueue(std::string_view line);

  const size_t capacity_;
  moodycamel::LightweightSemaphore free_slots_;  // capacity_ minus the lines in the queue
  std::atomic<uint64_t> next_ticket_{0};
  moodycamel::BlockingConcurrentQueue<Line> queue_;
  std::vector<Line> popped_;  // PopAll's buffer; its Lines are reused, call after call
  std::vector<std::pair<uint64_t, size_t>> order_;  // PopAll's (ticket, index in popped_), likewise
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_LOG_LOG_LINE_QUEUE_H_
