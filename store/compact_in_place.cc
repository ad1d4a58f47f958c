#include "store/compact_in_place.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ssm {
namespace {

constexpr uint64_t kMinSaving = 256 * 1024;
constexpr char kOtherProcess[] =
    "another process has the store open (a serve?); LMDB never shrinks its file while it is in use";

uint64_t FileBytes(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

// Removes a copy, or the leftover of one whose process died.
void RemoveCopy(const std::string& copy) {
  ::unlink((copy + "/data.mdb").c_str());
  ::unlink((copy + "/lock.mdb").c_str());
  ::rmdir(copy.c_str());
}

Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    Status s = Status::IOError("cannot sync directory " + dir + ": " + std::strerror(errno));
    if (fd >= 0) ::close(fd);
    return s;
  }
  ::close(fd);
  return Status::OK();
}

// An open lock.mdb, and this process's exclusive lock on its first byte (LMDB's "one process"
// lock). POSIX record locks belong to the process, not the descriptor: closing any descriptor of the
// file drops all of them, LMDB's included. So the store's handles in this process are closed before
// this closes its descriptor, and a handle opened while this holds the lock finds itself alone.
class ExclusiveLock {
 public:
  explicit ExclusiveLock(const std::string& dir)
      : fd_(::open((dir + "/lock.mdb").c_str(), O_RDWR | O_CLOEXEC)) {}
  ExclusiveLock(const ExclusiveLock&) = delete;
  ExclusiveLock& operator=(const ExclusiveLock&) = delete;
  ~ExclusiveLock() {
    if (fd_ >= 0) ::close(fd_);
  }

  bool opened() const { return fd_ >= 0; }
  // Takes (or turns this process's shared lock into) the exclusive lock; false when another
  // process holds a lock on that byte, i.e. has the store open.
  bool TryTake() {
    struct flock lock;
    std::memset(&lock, 0, sizeof lock);
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    lock.l_start = 0;
    lock.l_len = 1;
    int rc;
    while ((rc = ::fcntl(fd_, F_SETLK, &lock)) != 0 && errno == EINTR) {}
    return rc == 0;
  }

 private:
  int fd_;
};

// The steps after the copy is written, still under the exclusive lock taken before the copy (so no
// other process can have written in between): swaps the copy in, closes the store (which drops this
// process's locks), then sets lock.mdb up for the new file (by opening it: LMDB, finding itself alone,
// resets the lock file from data.mdb).
Status SwapIn(const std::string& dir, const std::string& copy, std::unique_ptr<TapeStore> store,
              const CompactionHook& hook, InPlaceCompaction* result) {
  if (::rename((copy + "/data.mdb").c_str(), (dir + "/data.mdb").c_str()) != 0) {
    return Status::IOError("cannot swap the key-ordered copy into " + dir + ": " + std::strerror(errno));
  }
  store.reset();  // the old file's map; it writes nothing on close
  if (Status s = SyncDirectory(dir); !s.ok()) return s;
  result->rewritten = true;
  if (hook) hook("swapped");
  StoreOptions options;
  options.create_if_missing = false;
  options.auto_dictionary_records = 0;
  auto reopened = TapeStore::Open(dir, options);
  return reopened.status();
}

}  // namespace

bool WorthCompacting(uint64_t file_bytes, uint64_t key_ordered_bytes) {
  return file_bytes > key_ordered_bytes + key_ordered_bytes / 4 && file_bytes - key_ordered_bytes > kMinSaving;
}

Result<InPlaceCompaction> CompactInPlace(std::unique_ptr<TapeStore> store, const CompactionHook& hook) {
  const std::string dir = store->dir();
  const std::string copy = dir + "/compacting";
  InPlaceCompaction result;
  result.bytes_before = result.bytes_after = FileBytes(dir + "/data.mdb");
  RemoveCopy(copy);
  ExclusiveLock lock(dir);
  if (!lock.opened()) {
    store.reset();
    return Status::IOError("cannot open " + dir + "/lock.mdb: " + std::strerror(errno));
  }
  if (!lock.TryTake()) {
    store.reset();  // before `lock` closes its descriptor
    result.not_rewritten_because = kOtherProcess;
    return result;
  }
  if (hook) hook("locked");
  Status s = store->CopyCompact(copy);
  if (s.ok() && hook) hook("copied");
  if (s.ok()) {
    s = SwapIn(dir, copy, std::move(store), hook, &result);
  } else {
    store.reset();  // before `lock` closes its descriptor
  }
  RemoveCopy(copy);
  if (!s.ok()) return s;
  result.bytes_after = FileBytes(dir + "/data.mdb");
  return result;
}

Result<InPlaceCompaction> CompactInPlaceIfWorthIt(std::unique_ptr<TapeStore> store) {
  InPlaceCompaction unchanged;
  unchanged.bytes_before = unchanged.bytes_after = FileBytes(store->dir() + "/data.mdb");
  Result<uint64_t> key_ordered = store->KeyOrderedBytes();
  if (!key_ordered.ok() || !WorthCompacting(unchanged.bytes_before, *key_ordered)) return unchanged;
  Result<InPlaceCompaction> compaction = CompactInPlace(std::move(store));
  if (compaction.ok()) compaction->key_ordered_bytes = *key_ordered;
  return compaction;
}

}  // namespace ssm
