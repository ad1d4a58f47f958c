#include "proxy/replay/cache_gate.h"

#include <algorithm>

namespace ssm {

CacheGate::CacheGate(Options options) : options_(options) {}

CacheGate::Ticket CacheGate::Next() {
  // A per-thread count: a shared one would be a write every core makes on every call.
  thread_local uint32_t calls = 0;
  Ticket ticket;
  ticket.probe = ++calls % std::max<uint32_t>(options_.probe_every, 1) == 0;
  ticket.consult = ticket.probe || !bypassing();
  return ticket;
}

void CacheGate::Probed(bool hit) {
  if (hit) hits_.fetch_add(1, std::memory_order_relaxed);
  const uint64_t window = std::max<uint32_t>(options_.window, 1);
  // Exactly one probe closes each window. Probes of the next one that count before the reset below
  // lose their hits to this window or keep them: either way, one in a thousand.
  if (probes_.fetch_add(1, std::memory_order_relaxed) + 1 != window) return;
  uint64_t hits = hits_.exchange(0, std::memory_order_relaxed);
  probes_.fetch_sub(window, std::memory_order_relaxed);
  bypass_.store(static_cast<double>(hits) < options_.min_hit_ratio * static_cast<double>(window),
                std::memory_order_relaxed);
}

}  // namespace ssm
