// TapeStore: the key-ordered copy of a store (`compact`), and the estimate of its size that tells
// whether one is worth making.
#include <sys/stat.h>
#include <unistd.h>

#include <utility>
#include <vector>

#include "store/tape_store_impl.h"

namespace ssm {

using namespace tape_store_internal;

namespace {

// Entries copied per write transaction of the copy.
constexpr size_t kEntriesPerTransaction = 20000;

// Copies every entry of table `src` (read in `txn`) into table `dst` of `out`, in key order.
Status CopyTable(const LmdbEnv& from, MDB_txn* txn, MDB_dbi src, LmdbEnv* out, MDB_dbi dst) {
  MDB_cursor* cursor = nullptr;
  if (int rc = mdb_cursor_open(txn, src, &cursor); rc != 0) return from.Check(rc);
  MDB_val k, v;
  int rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST);
  std::vector<std::pair<std::string, std::string>> chunk;
  Status s;
  while (rc == 0 && s.ok()) {
    chunk.clear();
    for (; rc == 0 && chunk.size() < kEntriesPerTransaction; rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
      chunk.emplace_back(ToView(k), ToView(v));
    }
    // Entries are appended in key order (MDB_APPEND), so every page comes out full: after imports
    // and recordings in random key order, pages are about half full, and LMDB's own compacting copy
    // keeps them so.
    s = out->Write([&](MDB_txn* out_txn) {
      for (const auto& [key, value] : chunk) {
        MDB_val ok = ToVal(key), ov = ToVal(value);
        if (int r = mdb_put(out_txn, dst, &ok, &ov, MDB_APPEND); r != 0) return out->Check(r);
      }
      return Status::OK();
    });
  }
  mdb_cursor_close(cursor);
  if (!s.ok()) return s;
  return from.Check(rc == MDB_NOTFOUND ? 0 : rc);
}

// LMDB's page layout (mdb.c): a 16-byte page header; a node is an 8-byte header, the key and the value
// (or, for a value too big for half a page, the number of its first overflow page), rounded up to
// an even size, plus a 2-byte slot in the page's index.
constexpr uint64_t kPageHeader = 16;
constexpr uint64_t kNodeHeader = 8;
constexpr uint64_t kSlot = 2;

uint64_t Even(uint64_t n) { return (n + 1) & ~uint64_t{1}; }

// Pages the entries of table `dbi` fill when appended in key order: leaf pages filled to the brim,
// overflow pages for big values, and one level of branch pages above the leaves.
uint64_t KeyOrderedPages(MDB_txn* txn, MDB_dbi dbi, uint64_t page_size, int* rc) {
  const uint64_t usable = page_size - kPageHeader;
  const uint64_t node_max = ((usable / 2) & ~uint64_t{1}) - kSlot;  // LMDB's me_nodemax
  uint64_t leaf_bytes = 0, overflow_pages = 0, key_bytes = 0, entries = 0;
  *rc = ScanPrefix(txn, dbi, "", [&](std::string_view k, std::string_view v) {
    uint64_t node = kNodeHeader + k.size() + v.size();
    if (node > node_max) {
      node = kNodeHeader + k.size() + sizeof(size_t);  // the overflow page number (pgno_t)
      overflow_pages += (kPageHeader - 1 + v.size()) / page_size + 1;
    }
    leaf_bytes += Even(node) + kSlot;
    key_bytes += k.size();
    ++entries;
    return true;
  });
  if (entries == 0) return 0;
  uint64_t leaves = (leaf_bytes + usable - 1) / usable;
  uint64_t branch_bytes = leaves * (Even(kNodeHeader + key_bytes / entries) + kSlot);
  return leaves + overflow_pages + (branch_bytes + usable - 1) / usable;
}

// Commits the copy's format version again, unchanged. LMDB keeps two meta pages, the last two commits';
// after this one both name the whole copy, so that a process that picks the older one (a stale
// transaction id in a lock file, store/compact_in_place.cc) still sees every tape.
Status CommitOnceMore(LmdbEnv* out) {
  std::string version = U32Bytes(kStoreFormatVersion, false);
  return out->Write([&](MDB_txn* txn) {
    MDB_val k = ToVal(kFormatVersionKey), v;
    int rc = mdb_get(txn, out->tables().meta, &k, &v);
    if (rc != 0 && rc != MDB_NOTFOUND) return out->Check(rc);
    std::string value = rc == 0 ? std::string(ToView(v)) : version;
    MDB_val nv = ToVal(value);
    return out->Check(mdb_put(txn, out->tables().meta, &k, &nv, 0));
  });
}

}  // namespace

Result<uint64_t> TapeStore::KeyOrderedBytes() const {
  const LmdbEnv& env = impl_->env();
  MDB_stat env_stat;
  if (int rc = mdb_env_stat(env.env(), &env_stat); rc != 0) return env.Check(rc);
  const uint64_t page_size = env_stat.ms_psize;
  uint64_t pages = 3;  // LMDB's two meta pages and its table of named tables
  Status s = env.Read([&](MDB_txn* txn) {
    const LmdbEnv::Tables& t = env.tables();
    for (MDB_dbi dbi : {t.meta, t.tapes, t.records}) {
      int rc = 0;
      pages += KeyOrderedPages(txn, dbi, page_size, &rc);
      if (rc != 0) return env.Check(rc);
    }
    return Status::OK();
  });
  if (!s.ok()) return s;
  return pages * page_size;
}

Status TapeStore::CopyCompact(const std::string& out_dir) const {
  struct stat st;
  if (::stat((out_dir + "/data.mdb").c_str(), &st) == 0) {
    return Status::InvalidArgument(out_dir + " already holds a store: compact writes to a new, empty directory");
  }
  auto out = LmdbEnv::Open(out_dir, /*create=*/true, /*read_only=*/false, /*sync=*/false, 64ull << 20);
  if (!out.ok()) return out.status();
  const LmdbEnv& env = impl_->env();
  const LmdbEnv::Tables& from = env.tables();
  const LmdbEnv::Tables& to = (*out)->tables();
  Status s = env.Read([&](MDB_txn* txn) {
    for (auto [src, dst] : {std::pair{from.meta, to.meta}, {from.tapes, to.tapes}, {from.records, to.records}}) {
      if (Status copied = CopyTable(env, txn, src, out->get(), dst); !copied.ok()) return copied;
    }
    return Status::OK();
  });
  if (s.ok()) s = CommitOnceMore(out->get());
  if (s.ok() && mdb_env_sync((*out)->env(), 1) != 0) s = Status::IOError("cannot sync the compacted copy in " + out_dir);
  if (!s.ok()) {
    out->reset();
    ::unlink((out_dir + "/data.mdb").c_str());
    ::unlink((out_dir + "/lock.mdb").c_str());
    return Status::IOError("compacting copy to " + out_dir + " failed: " + s.message());
  }
  return Status::OK();
}

}  // namespace ssm
