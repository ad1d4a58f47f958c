// BatchingRecorder: a Recorder over a TapeStore with group commit.
//
// LMDB has a single writer and each durable commit costs a disk sync, so a commit per request would
// serialise concurrent clients behind the disk. Instead one writer thread takes every record waiting
// at that moment and commits them in one WriteBatch (one transaction, one sync); each caller blocks
// until the batch holding its record is committed. Records reach the batch in the order Record()
// calls enqueue them, so per-key order is the order of arrival and no entry is lost or interleaved.
//
// Run semantics: the first record for a key in this recorder's lifetime (one process run) replaces
// the key's older tape; later ones append. With `append`, older entries are always kept.
#ifndef SSM_REPLAY_PROXY_RECORD_BATCHING_RECORDER_H_
#define SSM_REPLAY_PROXY_RECORD_BATCHING_RECORDER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <thread>
#include <unordered_set>

#include "proxy/record/recorder.h"
#include "store/port/mutex.h"
#include "store/port/thread_annotations.h"
#include "store/tape_store.h"
#include "store/write_batch.h"

namespace ssm {

struct BatchingRecorderOptions {
  bool append = false;      // keep older entries of a tape instead of replacing them on first record
  size_t max_batch = 512;   // most records committed in one transaction
};

class BatchingRecorder : public Recorder {
 public:
  // Applies a batch atomically; TapeStore::Write in production, a fake in tests.
  using CommitFn = std::function<Status(const WriteBatch&)>;

  // `store` is not owned and must outlive the recorder.
  BatchingRecorder(TapeStore* store, BatchingRecorderOptions options);
  BatchingRecorder(CommitFn commit, BatchingRecorderOptions options);
  // Commits whatever is still queued, then stops the writer thread.
  ~BatchingRecorder() override;

  BatchingRecorder(const BatchingRecorder&) = delete;
  BatchingRecorder& operator=(const BatchingRecorder&) = delete;

  Status Record(const TapeKey& key, Interaction interaction) override;

  // Transactions committed so far (successful or not); records / commits is the batching factor.
  uint64_t commits() const;

 private:
  // A Record() call waiting for its commit; lives on the caller's stack. The writer sets `status`
  // before `done` (under mu_), and the caller reads it once it sees `done`.
  struct Pending {
    const TapeKey* key;
    Interaction* interaction;
    Status status;
    bool done = false;
  };

  void WriterLoop();
  // Waits for records (or the stop); takes up to max_batch of them. Empty when stopping with none left.
  std::deque<Pending*> NextBatch() EXCLUDES(mu_);
  void CommitBatch(std::deque<Pending*>* batch);

  CommitFn commit_;
  const BatchingRecorderOptions options_;

  mutable Mutex mu_;
  CondVar work_cv_{&mu_};                     // the writer waits for records (or stop)
  CondVar done_cv_{&mu_};                     // callers wait for their batch
  std::deque<Pending*> queue_ GUARDED_BY(mu_);  // entries live on their callers' stacks
  bool stopping_ GUARDED_BY(mu_) = false;
  uint64_t commits_ GUARDED_BY(mu_) = 0;

  // Keys recorded in this run: only the writer thread touches it.
  std::unordered_set<TapeKey, TapeKeyHash> seen_;

  std::thread writer_;  // last: starts once everything above is constructed
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_RECORD_BATCHING_RECORDER_H_
