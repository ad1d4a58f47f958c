#include "proxy/http/elastic_pool.h"

#include <algorithm>
#include <iterator>

namespace ssm {

ElasticPool::ElasticPool(size_t min, size_t max) : min_(min), max_(std::max(max, min)) {
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < min; ++i) Spawn();
}

void ElasticPool::enqueue(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(std::move(fn));
    if (jobs_.size() > idle_ && live_ < max_) Spawn();
  }
  cv_.notify_one();
}

void ElasticPool::shutdown() {
  std::list<std::thread> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    shutdown_ = true;
    all.splice(all.end(), threads_);
    all.splice(all.end(), finished_);
  }
  cv_.notify_all();
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

void ElasticPool::Work(std::list<std::thread>::iterator self) {
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock<std::mutex> lock(mu_);
      ++idle_;
      bool woken = cv_.wait_for(lock, kIdleExit, [&] { return !jobs_.empty() || shutdown_; });
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
