// WriterFirstMutex: a reader-writer lock that stops admitting readers once a writer waits.
//
// std::shared_mutex on glibc prefers readers: a new reader gets in while a writer waits. The server's
// tables are read by every request and written rarely (a tape's first call adds its cursor), so with
// 16+ request threads on 2 cores a shard almost always has a reader inside, some of them descheduled,
// and a writer could wait for seconds: replay over a 1M-tape store showed calls of 2 s. Meets the
// standard SharedMutex requirements, so std::shared_lock, std::unique_lock and std::lock_guard work.
#ifndef SSM_REPLAY_PROXY_REPLAY_WRITER_FIRST_MUTEX_H_
#define SSM_REPLAY_PROXY_REPLAY_WRITER_FIRST_MUTEX_H_

#include <pthread.h>

namespace ssm {

class WriterFirstMutex {
 public:
  WriterFirstMutex();
  WriterFirstMutex(const WriterFirstMutex&) = delete;
  WriterFirstMutex& operator=(const WriterFirstMutex&) = delete;
  ~WriterFirstMutex();

  void lock();
  bool try_lock();
  void unlock();
  void lock_shared();
  bool try_lock_shared();
  void unlock_shared();

 private:
  pthread_rwlock_t rwlock_;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_REPLAY_WRITER_FIRST_MUTEX_H_
