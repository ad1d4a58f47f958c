#include "proxy/replay/session.h"

#include <utility>

namespace ssm {

Session::Session(std::string name, SessionSettings settings, MillisClock clock)
    : name_(std::move(name)),
      clock_(std::move(clock)),
      started_ms_(clock_()),
      last_use_ms_(started_ms_),
      settings_(std::move(settings)) {}

CursorStep Session::Next(const TapeKey& key, size_t tape_size, ReplayOrder order) {
  calls_.fetch_add(1, std::memory_order_relaxed);
  MutexLock lock(&mu_);
  auto [it, added] = cursors_.try_emplace(key.encoded());
  if (added) it->second.first_call_ms = clock_();
  CursorStep step = StepOf(it->second.calls++, tape_size, order);
  step.first_call_ms = it->second.first_call_ms;
  return step;
}

uint64_t Session::Calls(const TapeKey& key) const {
  MutexLock lock(&mu_);
  auto it = cursors_.find(key.encoded());
  return it == cursors_.end() ? 0 : it->second.calls;
}

size_t Session::ResetAll() {
  MutexLock lock(&mu_);
  size_t n = cursors_.size();
  cursors_.clear();
  return n;
}

bool Session::Reset(const TapeKey& key) {
  MutexLock lock(&mu_);
  return cursors_.erase(key.encoded()) > 0;
}

size_t Session::ResetPrefix(const std::string& encoded_prefix) {
  MutexLock lock(&mu_);
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
  MutexLock lock(&mu_);
  return cursors_.size();
}

SessionSettings Session::settings() const {
  MutexLock lock(&mu_);
  return settings_;
}

void Session::set_settings(SessionSettings settings) {
  MutexLock lock(&mu_);
  settings_ = std::move(settings);
}

void Session::NoteWritten(const TapeKey& key) {
  MutexLock lock(&mu_);
  written_.insert(key);
}

std::vector<TapeKey> Session::TakeWritten() {
  MutexLock lock(&mu_);
  std::vector<TapeKey> out(written_.begin(), written_.end());
  written_.clear();
  return out;
}

}  // namespace ssm
