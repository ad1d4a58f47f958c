// WriteBatch: tape changes to apply together, in one transaction (see TapeStore::Write).
#ifndef SSM_REPLAY_STORE_WRITE_BATCH_H_
#define SSM_REPLAY_STORE_WRITE_BATCH_H_

#include <vector>

#include "store/interaction.h"
#include "store/tape_key.h"

namespace ssm {

class WriteBatch {
 public:
  enum class Op { kReplace, kAppend, kDelete };
  struct Entry {
    Op op;
    TapeKey key;
    std::vector<Interaction> interactions;  // empty for kDelete
  };

  // The tape for `key` becomes exactly `interactions` (older entries removed).
  void ReplaceTape(const TapeKey& key, std::vector<Interaction> interactions) {
    entries_.push_back({Op::kReplace, key, std::move(interactions)});
  }
  // `interaction` goes after the tape's existing entries (a new tape if none).
  void Append(const TapeKey& key, Interaction interaction) {
    std::vector<Interaction> one;
    one.push_back(std::move(interaction));
    entries_.push_back({Op::kAppend, key, std::move(one)});
  }
  void DeleteTape(const TapeKey& key) { entries_.push_back({Op::kDelete, key, {}}); }

  const std::vector<Entry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  void Clear() { entries_.clear(); }

 private:
  std::vector<Entry> entries_;
};

}  // namespace ssm

#endif  // SSM_REPLAY_STORE_WRITE_BATCH_H_
