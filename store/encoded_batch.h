// EncodedBatch: a WriteBatch whose records are already serialised and compressed, made by
// TapeStore::Encode and applied by TapeStore::Write. Encoding is most of the cost of a big write and
// needs no transaction, so it can run on other threads while the single writer writes.
#ifndef SSM_REPLAY_STORE_ENCODED_BATCH_H_
#define SSM_REPLAY_STORE_ENCODED_BATCH_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "store/tape_key.h"
#include "store/write_batch.h"

namespace ssm {

class EncodedBatch {
 public:
  struct Entry {
    WriteBatch::Op op;
    TapeKey key;
    std::vector<std::string> values;  // record values (store/record_codec.h), in order; empty for kDelete
    uint64_t raw_bytes = 0;           // their serialised size before compression
    int64_t first_recorded_ms = 0;    // of the first and last interaction
    int64_t last_recorded_ms = 0;
    // kReplace: the tape's summary (the "tapes" value, store/FORMAT.md), which depends on nothing in
    // the store; made with the records so that the writer need not.
    std::string summary;
  };

  EncodedBatch() = default;
  EncodedBatch(EncodedBatch&&) = default;
  EncodedBatch& operator=(EncodedBatch&&) = default;
  // Copies would copy every compressed record: move instead.
  EncodedBatch(const EncodedBatch&) = delete;
  EncodedBatch& operator=(const EncodedBatch&) = delete;

  void Add(Entry entry) { entries_.push_back(std::move(entry)); }
  // Moves `other`'s entries after this batch's: Write applies them in this order.
  void Append(EncodedBatch&& other) {
    if (entries_.empty()) {
      entries_ = std::move(other.entries_);
    } else {
      for (auto& e : other.entries_) entries_.push_back(std::move(e));
    }
    other.entries_.clear();
  }

  const std::vector<Entry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }

 private:
  std::vector<Entry> entries_;
};

}  // namespace ssm

#endif  // SSM_REPLAY_STORE_ENCODED_BATCH_H_
