// WriterFirstMutex: a reader-writer lock that stops admitting readers once a writer waits.
//
// std::shared_mutex on glibc prefers readers: a new reader gets in while a writer waits. The replay
// tables are read by every request and written rarely (a tape's first call adds its cursor), so with
// many more request threads than cores a shard almost always has a reader inside and a writer could
// wait for seconds. Meets the standard SharedMutex requirements (std::shared_lock etc. work); in this
// code, hold it through ReaderLock and WriterLock, which clang's thread-safety analysis checks.
#ifndef SSM_REPLAY_PROXY_REPLAY_WRITER_FIRST_MUTEX_H_
#define SSM_REPLAY_PROXY_REPLAY_WRITER_FIRST_MUTEX_H_

#include <pthread.h>

#include "store/port/thread_annotations.h"

namespace ssm {

class CAPABILITY("mutex") WriterFirstMutex {
 public:
  WriterFirstMutex();
  WriterFirstMutex(const WriterFirstMutex&) = delete;
  WriterFirstMutex& operator=(const WriterFirstMutex&) = delete;
  ~WriterFirstMutex();

  void lock() ACQUIRE();
  bool try_lock() TRY_ACQUIRE(true);
  void unlock() RELEASE();
  void lock_shared() ACQUIRE_SHARED();
  bool try_lock_shared() TRY_ACQUIRE_SHARED(true);
  void unlock_shared() RELEASE_SHARED();

 private:
  pthread_rwlock_t rwlock_;
};

// Holds `mu` shared for its scope.
class SCOPED_CAPABILITY ReaderLock {
 public:
  explicit ReaderLock(WriterFirstMutex* mu) ACQUIRE_SHARED(mu) : mu_(mu) { mu_->lock_shared(); }
  ~ReaderLock() RELEASE() { mu_->unlock_shared(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  WriterFirstMutex* const mu_;
};

// Holds `mu` exclusively for its scope.
class SCOPED_CAPABILITY WriterLock {
 public:
  explicit WriterLock(WriterFirstMutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->lock(); }
  ~WriterLock() RELEASE() { mu_->unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  WriterFirstMutex* const mu_;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_REPLAY_WRITER_FIRST_MUTEX_H_
