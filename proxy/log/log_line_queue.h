// LogLineQueue: a bounded queue of log lines that request threads push into without taking a lock,
// and one writer thread drains. Dmitry Vyukov's bounded MPMC queue (1024cores.net, "Bounded MPMC
// queue"): a push claims a ticket with one compare-and-swap, then publishes its cell. A pusher that is
// descheduled between the two holds up only the reader at that cell, never another pusher; a mutex
// holder descheduled on a 2-core machine running many request threads stalled them all.
//
// Lines come out in ticket order, so the log keeps the order in which lines were handed in. Cells keep
// their strings' capacity: in steady state neither side allocates.
#ifndef SSM_REPLAY_PROXY_LOG_LOG_LINE_QUEUE_H_
#define SSM_REPLAY_PROXY_LOG_LOG_LINE_QUEUE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace ssm {

class LogLineQueue {
 public:
  // Holds up to `capacity` lines, rounded up to a power of two (at least 2).
  explicit LogLineQueue(size_t capacity);
  LogLineQueue(const LogLineQueue&) = delete;
  LogLineQueue& operator=(const LogLineQueue&) = delete;

  // Copies `line` in; false (nothing copied) when the queue is full. Any number of threads.
  bool TryPush(std::string_view line);
  // Swaps the oldest line into `*line` (its old buffer goes back to the cell for reuse); false when the
  // queue is empty or the oldest line is still being copied in. One thread at a time.
  bool TryPop(std::string* line);

  size_t capacity() const { return mask_ + 1; }
  // Lines pushed, counting pushes still copying their line in. Every line whose push returned before
  // this is read is among them.
  uint64_t pushed() const { return enqueue_pos_.load(std::memory_order_acquire); }
  // Lines popped.
  uint64_t popped() const { return dequeue_pos_.load(std::memory_order_acquire); }
  // Lines in the queue now; exact only when no push or pop runs at the same time.
  size_t size() const;

 private:
  struct alignas(64) Cell {  // one cache line each, so neighbouring pushes don't contend
    std::atomic<uint64_t> sequence{0};
    std::string line;
  };

  const uint64_t mask_;
  std::unique_ptr<Cell[]> cells_;
  alignas(64) std::atomic<uint64_t> enqueue_pos_{0};
  alignas(64) std::atomic<uint64_t> dequeue_pos_{0};
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_LOG_LOG_LINE_QUEUE_H_
