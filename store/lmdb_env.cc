#include "store/lmdb_env.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ssm {

std::string LmdbEnv::Describe(int rc) const {
  return std::string(mdb_strerror(rc)) + " (store " + dir_ + ")";
}

Status LmdbEnv::Check(int rc) const {
  if (rc == MDB_SUCCESS) return Status::OK();
  if (rc == MDB_TXN_FULL) return Status::IOError("write too large for one transaction: " + Describe(rc));
  return Status::IOError(Describe(rc));
}

bool LmdbEnv::IsMapFull(const Status& s) const { return !s.ok() && s.message() == Describe(MDB_MAP_FULL); }

namespace {

// Checks that `dir` can hold a store, creating it (0700) when missing and `create` is set.
Status PrepareDirectory(const std::string& dir, bool create, bool read_only) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) {
    if (!create || read_only) {
      return Status::NotFound("no store at " + dir + ": create one with `ssm-replay import --store " + dir +
                              " FILES` or a record run");
    }
    if (::mkdir(dir.c_str(), 0700) != 0) {
      return Status::IOError("cannot create store directory " + dir + ": " + std::strerror(errno));
    }
  } else if (!S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument(dir + " is not a directory: --store names a directory");
  }
  std::string data = dir + "/data.mdb";
  if (!create && ::stat(data.c_str(), &st) != 0) return Status::NotFound("no store at " + dir + " (no data.mdb)");
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<LmdbEnv>> LmdbEnv::Open(const std::string& dir, bool create, bool read_only, bool sync,
                                               uint64_t initial_map_bytes) {
  if (Status s = PrepareDirectory(dir, create, read_only); !s.ok()) return s;
  MDB_env* env = nullptr;
  int rc = mdb_env_create(&env);
  if (rc != 0) return Status::IOError(std::string("cannot create LMDB environment: ") + mdb_strerror(rc));
  std::unique_ptr<LmdbEnv> self(new LmdbEnv(dir, env, read_only));
  mdb_env_set_maxdbs(env, 4);
  mdb_env_set_maxreaders(env, 1024);
  // The larger of the asked-for size and the file's current size (another process may have grown it).
  mdb_env_set_mapsize(env, initial_map_bytes);
  // MDB_NOTLS: read transactions are not tied to threads (server threads share them freely).
  // MDB_NORDAHEAD: lookups are random; read-ahead would only fill memory (and RSS) with pages of
  // tapes nobody asked for.
  unsigned flags = MDB_NOTLS | MDB_NORDAHEAD | (read_only ? MDB_RDONLY : 0) | (sync ? 0 : MDB_NOSYNC);
  rc = mdb_env_open(env, dir.c_str(), flags, 0600);
  if (rc != 0) {
    if (rc == EACCES) return Status::IOError("no permission to open store " + dir + ": " + mdb_strerror(rc));
    return Status::IOError("cannot open store " + dir + ": " + mdb_strerror(rc) +
                           (rc == MDB_INVALID ? " (not an ssm-replay store, or damaged)" : ""));
  }
  if (Status s = self->OpenTables(); !s.ok()) {
    return Status::IOError("cannot open the tables of store " + dir + ": " + s.message() +
                           (read_only ? " (an empty or foreign store?)" : ""));
  }
  return self;
}

Status LmdbEnv::OpenTables() {
  auto open_tables = [this](MDB_txn* txn, unsigned create) {
    int rc = mdb_dbi_open(txn, "meta", create, &tables_.meta);
    if (rc == 0) rc = mdb_dbi_open(txn, "tapes", create, &tables_.tapes);
    if (rc == 0) rc = mdb_dbi_open(txn, "records", create, &tables_.records);
    return Check(rc);
  };
  if (!read_only_) return Write([&](MDB_txn* txn) { return open_tables(txn, MDB_CREATE); });
  // Not Read(): its transactions are reset, not committed, which would close the handles opened.
  std::shared_lock<std::shared_mutex> hold;
  MDB_txn* txn = nullptr;
  Status s = Check(BeginTxn(MDB_RDONLY, &txn, hold));
  if (!s.ok()) return s;
  s = open_tables(txn, 0);
  if (!s.ok()) {
    mdb_txn_abort(txn);
    return s;
  }
  return Check(mdb_txn_commit(txn));
}

LmdbEnv::~LmdbEnv() {
  MutexLock lock(&idle_mu_);
  for (MDB_txn* txn : idle_readers_) mdb_txn_abort(txn);
  mdb_env_close(env_);
  if (statm_fd_ >= 0) ::close(statm_fd_);
}

int LmdbEnv::BeginTxn(unsigned flags, MDB_txn** txn, std::shared_lock<std::shared_mutex>& hold) const {
  for (;;) {
    hold = std::shared_lock<std::shared_mutex>(resize_mu_);
    int rc = mdb_txn_begin(env_, nullptr, flags, txn);
    if (rc != MDB_MAP_RESIZED) return rc;
    // Another process grew the map: adopt its size, with no transaction of ours open.
    hold.unlock();
    std::unique_lock<std::shared_mutex> exclusive(resize_mu_);
    mdb_env_set_mapsize(env_, 0);
    map_generation_.fetch_add(1, std::memory_order_relaxed);
  }
}

MDB_txn* LmdbEnv::RenewIdleReader() const {
  MDB_txn* txn = nullptr;
  {
    MutexLock lock(&idle_mu_);
    if (idle_readers_.empty()) return nullptr;
    txn = idle_readers_.back();
    idle_readers_.pop_back();
  }
  if (mdb_txn_renew(txn) == 0) return txn;
  // MDB_MAP_RESIZED (another process grew the map) or a failure: BeginTxn deals with it.
  mdb_txn_abort(txn);
  return nullptr;
}

void LmdbEnv::ReleaseReader(MDB_txn* txn) const {
  mdb_txn_reset(txn);
  {
    MutexLock lock(&idle_mu_);
    if (idle_readers_.size() < kMaxIdleReaders) {
      idle_readers_.push_back(txn);
      return;
    }
  }
  mdb_txn_abort(txn);
}

Status LmdbEnv::Read(const TxnFn& fn) const {
  std::shared_lock<std::shared_mutex> hold(resize_mu_);
  MDB_txn* txn = RenewIdleReader();
  if (txn == nullptr) {
    hold.unlock();
    int rc = BeginTxn(MDB_RDONLY, &txn, hold);
    if (rc != 0) return Status::IOError("cannot begin a read: " + Describe(rc));
  }
  Status s = fn(txn);
  ReleaseReader(txn);
  if (mapped_budget_ != 0) EnforceMappedBudget();
  return s;
}

uint64_t LmdbEnv::ResidentSharedBytes(int statm_fd) {
  // statm: size resident shared text lib data dt, in pages. "shared" is RssFile + RssShmem. Cheap:
  // the kernel reads counters, it does not walk the page tables (unlike smaps).
  int fd = statm_fd >= 0 ? statm_fd : ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[128];
  ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
  if (statm_fd < 0) ::close(fd);
  if (n <= 0) return 0;
  buf[n] = '\0';
  unsigned long long size = 0, resident = 0, shared = 0;
  if (std::sscanf(buf, "%llu %llu %llu", &size, &resident, &shared) != 3) return 0;
  return shared * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

void LmdbEnv::SetMappedBudget(uint64_t bytes) {
  mapped_budget_ = bytes;
  if (bytes != 0 && statm_fd_ < 0) statm_fd_ = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  mapped_baseline_ = bytes ? ResidentSharedBytes(statm_fd_) : 0;
  char resolved[PATH_MAX];
  std::string data = dir_ + "/data.mdb";
  data_path_ = ::realpath(data.c_str(), resolved) ? std::string(resolved) : data;
}

void LmdbEnv::EnforceMappedBudget() const {
  if (reads_.fetch_add(1, std::memory_order_relaxed) % kBudgetCheckEvery != 0) return;
  if (ResidentSharedBytes(statm_fd_) <= mapped_baseline_ + mapped_budget_) return;
  // One thread drops; the others that find the budget exceeded meanwhile wait rather than map more
  // (a dropping thread preempted on a loaded machine must not let the others run far past the
  // budget), then see it met.
  MutexLock one_drop(&drop_mu_);
  if (ResidentSharedBytes(statm_fd_) <= mapped_baseline_ + mapped_budget_) return;
  // LMDB does not say where its map is (mdb_env_info's address is MDB_FIXEDMAP's only): the kernel
  // does. It moves only when the map is resized, under resize_mu_ held exclusively; the caller holds
  // it shared, so the ranges cannot move meanwhile (an madvise on a range remapped to anonymous
  // memory would zero it).
  uint64_t generation = map_generation_.load(std::memory_order_relaxed);
  if (generation != mapped_ranges_generation_ || mapped_ranges_.empty()) {
    mapped_ranges_.clear();
    if (FILE* maps = std::fopen("/proc/self/maps", "re")) {
      char line[PATH_MAX + 128];
      while (std::fgets(line, sizeof(line), maps)) {
        unsigned long long start = 0, end = 0;
        int path_at = 0;
        if (std::sscanf(line, "%llx-%llx %*s %*s %*s %*s %n", &start, &end, &path_at) < 2 || path_at == 0) continue;
        std::string_view path(line + path_at);
        while (!path.empty() && (path.back() == '\n' || path.back() == ' ')) path.remove_suffix(1);
        if (path == data_path_) mapped_ranges_.emplace_back(start, end);
      }
      std::fclose(maps);
    }
    mapped_ranges_generation_ = generation;
  }
  bool dropped = false;
  for (const auto& [start, end] : mapped_ranges_) {
    if (::madvise(reinterpret_cast<void*>(start), end - start, MADV_DONTNEED) == 0) dropped = true;
  }
  if (dropped) map_drops_.fetch_add(1, std::memory_order_relaxed);
}

void LmdbEnv::Grow() {
  std::unique_lock<std::shared_mutex> exclusive(resize_mu_);
  MDB_envinfo info;
  mdb_env_info(env_, &info);
  mdb_env_set_mapsize(env_, info.me_mapsize * 2);
  map_generation_.fetch_add(1, std::memory_order_relaxed);
}

Status LmdbEnv::Write(const TxnFn& fn) {
  if (read_only_) return Status::InvalidArgument("store " + dir_ + " is open read-only");
  MutexLock one_writer(&write_mu_);
  for (;;) {
    std::shared_lock<std::shared_mutex> hold;
    MDB_txn* txn = nullptr;
    int rc = BeginTxn(0, &txn, hold);
    if (rc != 0) return Status::IOError("cannot begin a write: " + Describe(rc));
    Status s = fn(txn);
    if (s.ok()) {
      s = Check(mdb_txn_commit(txn));
    } else {
      mdb_txn_abort(txn);
    }
    if (!IsMapFull(s)) return s;
    hold.unlock();
    Grow();
  }
}

}  // namespace ssm
