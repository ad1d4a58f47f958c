#include "proxy/replay/writer_first_mutex.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace ssm {
namespace {

// Locking a valid, properly used lock cannot fail short of a bug (e.g. EDEADLK); say so loudly.
void Check(int rc, const char* what) {
  if (rc != 0) throw std::runtime_error(std::string(what) + " failed: " + std::strerror(rc));
}

}  // namespace

WriterFirstMutex::WriterFirstMutex() {
  pthread_rwlockattr_t attr;
  Check(pthread_rwlockattr_init(&attr), "pthread_rwlockattr_init");
  // Writers first, in the only kind glibc implements it for: locks not taken recursively for reading.
  Check(pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP),
        "pthread_rwlockattr_setkind_np");
  Check(pthread_rwlock_init(&rwlock_, &attr), "pthread_rwlock_init");
  pthread_rwlockattr_destroy(&attr);
}

WriterFirstMutex::~WriterFirstMutex() { pthread_rwlock_destroy(&rwlock_); }

void WriterFirstMutex::lock() { Check(pthread_rwlock_wrlock(&rwlock_), "pthread_rwlock_wrlock"); }
bool WriterFirstMutex::try_lock() { return pthread_rwlock_trywrlock(&rwlock_) == 0; }
void WriterFirstMutex::unlock() { pthread_rwlock_unlock(&rwlock_); }
void WriterFirstMutex::lock_shared() { Check(pthread_rwlock_rdlock(&rwlock_), "pthread_rwlock_rdlock"); }
bool WriterFirstMutex::try_lock_shared() { return pthread_rwlock_tryrdlock(&rwlock_) == 0; }
void WriterFirstMutex::unlock_shared() { pthread_rwlock_unlock(&rwlock_); }

}  // namespace ssm
