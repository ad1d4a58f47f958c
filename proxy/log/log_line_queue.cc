#include "proxy/log/log_line_queue.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace ssm {

LogLineQueue::Line::Line(uint64_t ticket, std::string_view line)
    : ticket(ticket), size(static_cast<uint32_t>(line.size())) {
  if (line.size() > kInlineBytes) {
    spill.assign(line);
  } else if (!line.empty()) {  // an empty view's data() may be null
    std::memcpy(text, line.data(), line.size());
  }
}

LogLineQueue::Line& LogLineQueue::Line::operator=(Line&& other) noexcept {
  ticket = other.ticket;
  size = other.size;
  spill = std::move(other.spill);
  other.spill.clear();
  if (spill.empty()) std::memcpy(text, other.text, size);  // only the bytes in use
  return *this;
}

LogLineQueue::LogLineQueue(size_t capacity)
    : capacity_(std::max<size_t>(1, capacity)),
      free_slots_(static_cast<moodycamel::LightweightSemaphore::ssize_t>(capacity_)),
      queue_(capacity_ + 1) {}  // + 1: room for a nudge

bool LogLineQueue::TryPush(std::string_view line) {
  if (!free_slots_.tryWait()) return false;
  Enqueue(line);
  return true;
}

void LogLineQueue::Push(std::string_view line) {
  free_slots_.wait();
  Enqueue(line);
}

void LogLineQueue::Enqueue(std::string_view line) {
  uint64_t ticket = next_ticket_.fetch_add(1, std::memory_order_relaxed);
  queue_.enqueue(Line(ticket, line));
}

void LogLineQueue::Nudge() { queue_.enqueue(Line()); }

size_t LogLineQueue::PopAll(std::chrono::microseconds wait,
                            const std::function<void(std::string_view)>& each) {
  constexpr size_t kBulk = 256;
  size_t got = 0;
  for (;;) {
    // Grown, never shrunk: the queue moves lines into existing Lines, and constructing and destroying
    // a bulk's worth of 512-byte Lines each round cost more than the lines themselves.
    if (popped_.size() < got + kBulk) popped_.resize(got + kBulk);
    auto at = popped_.begin() + static_cast<std::ptrdiff_t>(got);
    size_t n = got == 0 && wait.count() > 0 ? queue_.wait_dequeue_bulk_timed(at, kBulk, wait)
                                            : queue_.try_dequeue_bulk(at, kBulk);
    got += n;
    if (n < kBulk) break;
  }
  // popped_[0, got) are this call's; sorted by ticket through (ticket, index) pairs, for the same reason.
  order_.clear();
  for (size_t i = 0; i < got; ++i) {
    if (popped_[i].ticket != kNudge) order_.emplace_back(popped_[i].ticket, i);
  }
  if (order_.empty()) return 0;
  free_slots_.signal(static_cast<moodycamel::LightweightSemaphore::ssize_t>(order_.size()));
  std::sort(order_.begin(), order_.end());
  for (const auto& [ticket, index] : order_) each(popped_[index].view());
  return order_.size();
}

size_t LogLineQueue::size() const { return capacity_ - std::min(capacity_, free_slots_.availableApprox()); }

}  // namespace ssm
