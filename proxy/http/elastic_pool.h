// ElasticPool: a worker pool for cpp-httplib that grows with demand.
//
// cpp-httplib's ThreadPool starts a fixed number of threads and each keep-alive connection holds one
// for its whole life. This pool starts a worker whenever a job would otherwise wait, up to `max`, and
// lets workers beyond `min` end after kIdleExit without work, so a burst of clients leaves no
// lasting cost.
#ifndef SSM_REPLAY_PROXY_HTTP_ELASTIC_POOL_H_
#define SSM_REPLAY_PROXY_HTTP_ELASTIC_POOL_H_

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <thread>

#include <httplib.h>

#include "store/port/mutex.h"
#include "store/port/thread_annotations.h"

namespace ssm {

class ElasticPool : public httplib::TaskQueue {
 public:
  // Starts `min` workers now; never runs more than `max`.
  ElasticPool(size_t min, size_t max);
  ElasticPool(const ElasticPool&) = delete;
  ElasticPool& operator=(const ElasticPool&) = delete;

  void enqueue(std::function<void()> fn) override;
  // Runs the queued jobs, then joins every worker.
  void shutdown() override;

 private:
  static constexpr std::chrono::seconds kIdleExit{30};

  // Starts a worker (unless shut down), first joining those that ended.
  void Spawn() REQUIRES(mu_);
  // A worker's loop; `self` is its entry in threads_.
  void Work(std::list<std::thread>::iterator self);
  // Waits up to kIdleExit for a job or the shutdown; false when neither came.
  bool WaitForWork() REQUIRES(mu_);

  const size_t min_, max_;
  Mutex mu_;
  CondVar cv_{&mu_};  // a job was queued, or shutdown
  std::deque<std::function<void()>> jobs_ GUARDED_BY(mu_);
  std::list<std::thread> threads_ GUARDED_BY(mu_);   // running workers
  std::list<std::thread> finished_ GUARDED_BY(mu_);  // workers that ended, not yet joined
  size_t live_ GUARDED_BY(mu_) = 0;
  size_t idle_ GUARDED_BY(mu_) = 0;
  bool shutdown_ GUARDED_BY(mu_) = false;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_HTTP_ELASTIC_POOL_H_
