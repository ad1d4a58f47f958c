#include "store/lmdb_env.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ssm {

std::string LmdbEnv::Describe(int rc) const {
  return std::string(mdb_strerror(rc)) + " (store " + dir_ + ")";
}

Status LmdbEnv::Check(int rc) const {
  if (rc == MDB_SUCCESS) return Status::OK();
  if (rc == MDB_TXN_FULL) return Status::IOError("write too large for one transaction: " + Describe(rc));
  if (rc == MDB_MAP_FULL) return Status::MapFull(Describe(rc));
  return Status::IOError(Describe(rc));
}

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
  return s;
}

void LmdbEnv::Grow() {
  std::unique_lock<std::shared_mutex> exclusive(resize_mu_);
  MDB_envinfo info;
  mdb_env_info(env_, &info);
  mdb_env_set_mapsize(env_, info.me_mapsize * 2);
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
    if (!s.IsMapFull()) return s;
    hold.unlock();
    Grow();
  }
}

}  // namespace ssm
