#include "proxy/record/batching_recorder.h"

#include <utility>
#include <vector>

namespace ssm {

BatchingRecorder::BatchingRecorder(TapeStore* store, BatchingRecorderOptions options)
    : BatchingRecorder([store](const WriteBatch& batch) { return store->Write(batch); }, options) {}

BatchingRecorder::BatchingRecorder(CommitFn commit, BatchingRecorderOptions options)
    : commit_(std::move(commit)), options_(options), writer_([this] { WriterLoop(); }) {}

BatchingRecorder::~BatchingRecorder() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    work_cv_.SignalAll();
  }
  writer_.join();
}

Status BatchingRecorder::Record(const TapeKey& key, Interaction interaction) {
  Pending pending{&key, &interaction, Status::OK(), false};
  MutexLock lock(&mu_);
  if (stopping_) return Status::IOError("recorder is shutting down; interaction for " + key.Describe() +
                                        " was not recorded");
  queue_.push_back(&pending);
  work_cv_.Signal();
  while (!pending.done) done_cv_.Wait();
  return pending.status;
}

uint64_t BatchingRecorder::commits() const {
  MutexLock lock(&mu_);
  return commits_;
}

void BatchingRecorder::WriterLoop() {
  for (;;) {
    std::deque<Pending*> batch = NextBatch();
    if (batch.empty()) return;  // stopping, and everything queued is committed
    // Committed without the lock, so callers keep queueing the next batch meanwhile.
    CommitBatch(&batch);
    MutexLock lock(&mu_);
    ++commits_;
    for (Pending* p : batch) p->done = true;
    done_cv_.SignalAll();
  }
}

std::deque<BatchingRecorder::Pending*> BatchingRecorder::NextBatch() {
  MutexLock lock(&mu_);
  while (!stopping_ && queue_.empty()) work_cv_.Wait();
  std::deque<Pending*> batch;
  while (!queue_.empty() && batch.size() < options_.max_batch) {
    batch.push_back(queue_.front());
    queue_.pop_front();
  }
  return batch;
}

void BatchingRecorder::CommitBatch(std::deque<Pending*>* batch) {
  WriteBatch wb;
  std::vector<const TapeKey*> first_seen;  // to forget again if the commit fails
  for (Pending* p : *batch) {
    bool first = seen_.insert(*p->key).second;
    if (first) first_seen.push_back(p->key);
    if (first && !options_.append) {
      std::vector<Interaction> one;
      one.push_back(std::move(*p->interaction));
      wb.ReplaceTape(*p->key, std::move(one));
    } else {
      wb.Append(*p->key, std::move(*p->interaction));
    }
  }
  Status s;
  try {
    s = commit_(wb);
  } catch (const std::exception& e) {
    s = Status::IOError(std::string("recording failed: ") + e.what());
  }
  if (!s.ok()) {
    // Nothing of this batch landed: a key first seen here still has its older tape to replace.
    for (const TapeKey* k : first_seen) seen_.erase(*k);
  }
  for (Pending* p : *batch) p->status = s;
}

}  // namespace ssm
