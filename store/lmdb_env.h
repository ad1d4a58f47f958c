// LmdbEnv: an LMDB environment with the three tables of a store, and transactions that survive the
// map filling up (it grows) or being grown by another process. Internal to store/.
//
// Reads reuse transactions (reset after use, renewed by the next read), for a server answering many
// small reads over a big store.
#ifndef SSM_REPLAY_STORE_LMDB_ENV_H_
#define SSM_REPLAY_STORE_LMDB_ENV_H_

#include <lmdb.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/port/mutex.h"
#include "store/port/thread_annotations.h"
#include "store/status.h"

namespace ssm {

inline std::string_view ToView(const MDB_val& v) {
  return std::string_view(static_cast<const char*>(v.mv_data), v.mv_size);
}
inline MDB_val ToVal(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }

class LmdbEnv {
 public:
  struct Tables {
    MDB_dbi meta = 0;     // format version, dictionaries
    MDB_dbi tapes = 0;    // tape key -> TapeInfo
    MDB_dbi records = 0;  // tape key + u32 BE sequence -> encoded Interaction
  };

  // Opens `dir` (creating it 0700 and the files 0600 when `create`).
  static Result<std::unique_ptr<LmdbEnv>> Open(const std::string& dir, bool create, bool read_only, bool sync,
                                               uint64_t initial_map_bytes);
  LmdbEnv(const LmdbEnv&) = delete;
  LmdbEnv& operator=(const LmdbEnv&) = delete;
  ~LmdbEnv();

  const std::string& dir() const { return dir_; }
  const Tables& tables() const { return tables_; }
  MDB_env* env() const { return env_; }
  bool read_only() const { return read_only_; }

  // What a transaction runs: OK, or the error the Read or Write then returns (Check turns an LMDB
  // return code into one).
  using TxnFn = std::function<Status(MDB_txn*)>;

  // Runs `fn` in a read transaction and returns its Status. The transaction always ends (it is reset
  // and kept for a later Read: `fn` must not open tables in it).
  Status Read(const TxnFn& fn) const;

  // Runs `fn` in a write transaction and commits it when `fn` returns OK (aborts it otherwise). When
  // the map is full (`fn` returned Check(MDB_MAP_FULL), or the commit found it so), the transaction
  // is aborted, the map doubled, and `fn` run again from the start: it must not have side effects
  // outside the transaction. Writers are serialised.
  Status Write(const TxnFn& fn);

  // OK for MDB_SUCCESS, else an IOError naming the store and the error (MapFull for MDB_MAP_FULL,
  // which Write answers by growing the map).
  Status Check(int rc) const;
  // Human message for an LMDB return code, naming the store.
  std::string Describe(int rc) const;

 private:
  LmdbEnv(std::string dir, MDB_env* env, bool read_only) : dir_(std::move(dir)), env_(env), read_only_(read_only) {}
  // Opens the three tables (creating them unless read-only).
  Status OpenTables();
  int BeginTxn(unsigned flags, MDB_txn** txn, std::shared_lock<std::shared_mutex>& hold) const;
  // A reset read transaction from the pool, renewed; null when none is idle or renewing failed.
  MDB_txn* RenewIdleReader() const;
  // Resets `txn` and keeps it for a later Read (or aborts it when enough are idle).
  void ReleaseReader(MDB_txn* txn) const;
  void Grow();

  std::string dir_;
  MDB_env* env_;  // owned
  bool read_only_;
  Tables tables_;
  // mdb_env_set_mapsize needs no transaction open in this process: transactions hold this shared,
  // resizing holds it exclusively. It guards LMDB's map, not a member, so it carries no annotation.
  mutable std::shared_mutex resize_mu_;
  Mutex write_mu_;  // one Write at a time
  // Reset read transactions. Beginning one mallocs and searches LMDB's reader table under its
  // inter-process lock; renewing one only reads the meta page. Each holds a reader slot (of the
  // 1,024 all processes share; an idle one pins no pages), so at most kMaxIdleReaders are kept.
  static constexpr size_t kMaxIdleReaders = 64;
  mutable Mutex idle_mu_;
  mutable std::vector<MDB_txn*> idle_readers_ GUARDED_BY(idle_mu_);
};

}  // namespace ssm

#endif  // SSM_REPLAY_STORE_LMDB_ENV_H_
