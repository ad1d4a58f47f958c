#include "proxy/replay/session.h"

#include <utility>

namespace ssm {

Session::Session(std::string name, SessionSettings settings, MillisClock clock)
    : name_(std::move(name)),
      clock_(std::move(clock)),
      started_ms_(clock_()),
      last_use_ms_(started_ms_),
      settings_(Pack(settings)) {}

uint32_t Session::Pack(SessionSettings settings) {
  return static_cast<uint32_t>(settings.polls) << 1 | (settings.shift_times ? 1u : 0u);
}

SessionSettings Session::Unpack(uint32_t packed) {
  return SessionSettings{static_cast<PollPolicy>(packed >> 1), (packed & 1u) != 0};
}

CursorStep Session::Next(const TapeKey& key, size_t tape_size, ReplayOrder order) {
  calls_.fetch_add(1, std::memory_order_relaxed);
  uint64_t call = 0;
  int64_t first_call_ms = 0;
  bool counted = false;
  {
    ReaderLock lock(&mu_);
    auto it = cursors_.find(key.encoded());
    if (it != cursors_.end()) {
      call = it->second.calls.fetch_add(1, std::memory_order_relaxed);
      first_call_ms = it->second.first_call_ms;
      counted = true;
    }
  }
  if (!counted) {  // the key's first call since a reset
    const int64_t now_ms = clock_();
    WriterLock lock(&mu_);
    Cursor& cursor = cursors_.try_emplace(key.encoded(), now_ms).first->second;
    call = cursor.calls.fetch_add(1, std::memory_order_relaxed);
    first_call_ms = cursor.first_call_ms;
  }
  CursorStep step = StepOf(call, tape_size, order);
  step.first_call_ms = first_call_ms;
  return step;
}

uint64_t Session::Calls(const TapeKey& key) const {
  ReaderLock lock(&mu_);
  auto it = cursors_.find(key.encoded());
  return it == cursors_.end() ? 0 : it->second.calls.load(std::memory_order_relaxed);
}

size_t Session::ResetAll() {
  WriterLock lock(&mu_);
  size_t n = cursors_.size();
  cursors_.clear();
  return n;
}

bool Session::Reset(const TapeKey& key) {
  WriterLock lock(&mu_);
  return cursors_.erase(key.encoded()) > 0;
}

size_t Session::ResetPrefix(const std::string& encoded_prefix) {
  WriterLock lock(&mu_);
  size_t n = 0;
  for (auto it = cursors_.begin(); it != cursors_.end();) {
    if (it->first.compare(0, encoded_prefix.size(), encoded_prefix) == 0) {
      it = cursors_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

size_t Session::cursors() const {
  ReaderLock lock(&mu_);
  return cursors_.size();
}

void Session::NoteWritten(const TapeKey& key) {
  WriterLock lock(&mu_);
  written_.insert(key);
}

std::vector<TapeKey> Session::TakeWritten() {
  WriterLock lock(&mu_);
  std::vector<TapeKey> out(written_.begin(), written_.end());
  written_.clear();
  return out;
}

}  // namespace ssm
