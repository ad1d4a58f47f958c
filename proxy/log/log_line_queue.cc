#include "proxy/log/log_line_queue.h"

namespace ssm {
namespace {

uint64_t RoundUpToPowerOfTwo(size_t n) {
  uint64_t p = 2;
  while (p < n) p <<= 1;
  return p;
}

}  // namespace

LogLineQueue::LogLineQueue(size_t capacity)
    : mask_(RoundUpToPowerOfTwo(capacity) - 1), cells_(new Cell[mask_ + 1]) {
  // A cell is free for the push with ticket t when its sequence is t, and holds that push's line
  // for the pop with ticket t when its sequence is t + 1.
  for (uint64_t i = 0; i <= mask_; ++i) cells_[i].sequence.store(i, std::memory_order_relaxed);
}

bool LogLineQueue::TryPush(std::string_view line) {
  uint64_t pos = enqueue_pos_.load(std::memory_order_relaxed);
  Cell* cell;
  for (;;) {
    cell = &cells_[pos & mask_];
    uint64_t sequence = cell->sequence.load(std::memory_order_acquire);
    int64_t lag = static_cast<int64_t>(sequence - pos);
    if (lag == 0) {
      if (enqueue_pos_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) break;
    } else if (lag < 0) {
      return false;  // the cell still holds the line pushed one lap ago: full
    } else {
      pos = enqueue_pos_.load(std::memory_order_relaxed);  // another push took this ticket
    }
  }
  cell->line.assign(line.data(), line.size());
  cell->sequence.store(pos + 1, std::memory_order_release);
  return true;
}

bool LogLineQueue::TryPop(std::string* line) {
  uint64_t pos = dequeue_pos_.load(std::memory_order_relaxed);
  Cell* cell;
  for (;;) {
    cell = &cells_[pos & mask_];
    uint64_t sequence = cell->sequence.load(std::memory_order_acquire);
    int64_t lag = static_cast<int64_t>(sequence - (pos + 1));
    if (lag == 0) {
      if (dequeue_pos_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) break;
    } else if (lag < 0) {
      return false;  // not yet published
    } else {
      pos = dequeue_pos_.load(std::memory_order_relaxed);
    }
  }
  line->swap(cell->line);
  cell->sequence.store(pos + mask_ + 1, std::memory_order_release);
  return true;
}

size_t LogLineQueue::size() const {
  uint64_t out = dequeue_pos_.load(std::memory_order_acquire);
  uint64_t in = enqueue_pos_.load(std::memory_order_acquire);
  return in > out ? static_cast<size_t>(in - out) : 0;
}

}  // namespace ssm
