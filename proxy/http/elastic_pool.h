// ElasticPool: a worker pool for cpp-httplib that grows with demand.
//
// cpp-httplib's ThreadPool starts a fixed number of threads and each keep-alive connection holds one
// for its whole life. This pool starts a worker whenever a job would otherwise wait, up to `max`, and
// lets workers beyond `min` end after kIdleExit without work, so a burst of clients leaves no
// lasting cost.
#ifndef SSM_REPLAY_PROXY_HTTP_ELASTIC_POOL_H_
#define SSM_REPLAY_PROXY_HTTP_ELASTIC_POOL_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <thread>

#include <httplib.h>

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

  void Spawn();  // mu_ held
  void Work(std::list<std::thread>::iterator self);

  const size_t min_, max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::list<std::thread> threads_;   // running workers
  std::list<std::thread> finished_;  // workers that ended, not yet joined
  size_t live_ = 0;
  size_t idle_ = 0;
  bool shutdown_ = false;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_HTTP_ELASTIC_POOL_H_
