#include "proxy/http/elastic_pool.h"

#include <algorithm>
#include <iterator>

namespace ssm {

ElasticPool::ElasticPool(size_t min, size_t max) : min_(min), max_(std::max(max, min)) {
  MutexLock lock(&mu_);
  for (size_t i = 0; i < min; ++i) Spawn();
}

void ElasticPool::enqueue(std::function<void()> fn) {
  {
    MutexLock lock(&mu_);
    jobs_.push_back(std::move(fn));
    if (jobs_.size() > idle_ && live_ < max_) Spawn();
  }
  cv_.Signal();
}

void ElasticPool::shutdown() {
  std::list<std::thread> all;
  {
    MutexLock lock(&mu_);
    shutdown_ = true;
    all.splice(all.end(), threads_);
    all.splice(all.end(), finished_);
  }
  cv_.SignalAll();
  // Workers still running only touch mu_/jobs_ (they never touch their std::thread once moved).
  for (auto& t : all) t.join();
}

void ElasticPool::Spawn() {
  if (shutdown_) return;
  for (auto& t : finished_) t.join();  // ended workers: join returns at once
  finished_.clear();
  threads_.emplace_back();
  auto self = std::prev(threads_.end());
  ++live_;
  *self = std::thread([this, self] { Work(self); });
}

bool ElasticPool::WaitForWork() {
  auto deadline = std::chrono::steady_clock::now() + kIdleExit;
  while (jobs_.empty() && !shutdown_) {
    if (!cv_.WaitUntil(deadline)) return !jobs_.empty() || shutdown_;
  }
  return true;
}

void ElasticPool::Work(std::list<std::thread>::iterator self) {
  for (;;) {
    std::function<void()> fn;
    {
      MutexLock lock(&mu_);
      ++idle_;
      bool woken = WaitForWork();
      --idle_;
      if (shutdown_ && jobs_.empty()) return;
      if (!woken) {
        if (live_ > min_) {
          --live_;
          finished_.splice(finished_.end(), threads_, self);  // joined by a later Spawn or shutdown
          return;
        }
        continue;
      }
      fn = std::move(jobs_.front());
      jobs_.pop_front();
    }
    fn();
  }
}

}  // namespace ssm
