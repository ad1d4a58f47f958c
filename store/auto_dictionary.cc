#include "store/auto_dictionary.h"

#include <algorithm>
#include <utility>

#include "store/tape_store.h"

namespace ssm {

AutoDictionary::AutoDictionary(TapeStore* store, uint64_t min_records, std::function<uint64_t()> count_records)
    : store_(store), min_records_(min_records), count_records_(std::move(count_records)) {}

AutoDictionary::~AutoDictionary() {
  stop_ = true;
  std::thread thread;
  {
    MutexLock lock(&mu_);
    thread = std::move(thread_);
  }
  if (thread.joinable()) thread.join();
}

void AutoDictionary::AfterWrite() {
  MutexLock lock(&mu_);
  if (settled_ || running_) return;
  if (store_->DictionaryId() != 0) {
    settled_ = true;  // trained by hand (train-dict), by an import, or by another process
    return;
  }
  uint64_t records = count_records_();
  if (records < std::max(min_records_, next_attempt_records_)) return;
  next_attempt_records_ = 2 * records;
  StartLocked();
}

void AutoDictionary::ResumeReencode() {
  MutexLock lock(&mu_);
  if (!running_) StartLocked();
}

void AutoDictionary::StartLocked() {
  running_ = true;
  if (thread_.joinable()) thread_.join();  // an earlier run's, finished
  thread_ = std::thread([this] { Run(); });
}

Status AutoDictionary::Wait() {
  MutexLock lock(&mu_);
  while (running_) done_cv_.Wait();
  return status_;
}

void AutoDictionary::Run() {
  Status s = TrainAndReencode();
  MutexLock lock(&mu_);
  status_ = s;
  settled_ = s.ok();
  running_ = false;
  done_cv_.SignalAll();
}

Status AutoDictionary::TrainAndReencode() {
  if (store_->DictionaryId() == 0) {
    auto samples = store_->SampleRecords(kDictionarySamples);
    if (!samples.ok()) return samples.status();
    auto id = store_->InstallDictionary(*samples);
    if (!id.ok()) return id.status();
  }
  auto reencoded = store_->ReencodeWithoutDictionary(&stop_);
  return reencoded.status();
}

}  // namespace ssm
