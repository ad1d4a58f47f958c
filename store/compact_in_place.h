// CompactInPlace: a store rewritten in key order into a file beside its data.mdb, then swapped in,
// for when writes among its existing keys (an import into a store that holds tapes, re-encoded
// records) left pages half full and free pages behind: LMDB never shrinks its file, and a put among
// existing keys splits a full page in halves. The result is the size of a new store's import.
//
// Only when no other process has the store open (a `serve` may be reading it): LMDB holds a shared
// lock on the first byte of lock.mdb in every process that has the store open, so this process
// taking it exclusively proves it alone, and keeps others from opening the store until the swap is
// done (they wait in mdb_env_open). Otherwise nothing is written and the result says why.
//
// Nothing is lost if the process dies at any point: the copy is written and synced in
// <store>/compacting/ while data.mdb stays as it was; one rename(2) swaps it in (the store is then
// either wholly the old file or wholly the copy); a leftover copy is removed by the next run. The
// copy's last two commits both hold every tape (TapeStore::CopyCompact), so even a process that
// opened the store while the swapping one died, and so kept the old lock file's state, reads it whole.
#ifndef SSM_REPLAY_STORE_COMPACT_IN_PLACE_H_
#define SSM_REPLAY_STORE_COMPACT_IN_PLACE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "store/status.h"
#include "store/tape_store.h"

namespace ssm {

struct InPlaceCompaction {
  bool rewritten = false;
  uint64_t bytes_before = 0;  // data.mdb's size
  uint64_t bytes_after = 0;   // the same as bytes_before when not rewritten
  uint64_t key_ordered_bytes = 0;  // the estimate CompactInPlaceIfWorthIt went by; 0 from CompactInPlace
  std::string not_rewritten_because;  // empty when rewritten, or not worth it
};

// Whether a data file of `file_bytes` is worth rewriting, given the size of its key-ordered copy
// (TapeStore::KeyOrderedBytes): a quarter larger, and by more than a few pages.
bool WorthCompacting(uint64_t file_bytes, uint64_t key_ordered_bytes);

// Called after each step with its name ("locked", "copied", "swapped"): a test's fault point.
using CompactionHook = std::function<void(std::string_view step)>;

// Rewrites the store `store` has open, in key order, in place. Takes the store: it is closed on
// return (open it again to go on). The store must have no transaction open elsewhere in this process
// (LMDB allows one handle per store and process).
Result<InPlaceCompaction> CompactInPlace(std::unique_ptr<TapeStore> store, const CompactionHook& hook = {});
// The same, only when WorthCompacting(data.mdb's size, store->KeyOrderedBytes()); otherwise (also
// when the estimate cannot be made) the store is closed untouched, not rewritten, with no reason.
Result<InPlaceCompaction> CompactInPlaceIfWorthIt(std::unique_ptr<TapeStore> store);

}  // namespace ssm

#endif  // SSM_REPLAY_STORE_COMPACT_IN_PLACE_H_
