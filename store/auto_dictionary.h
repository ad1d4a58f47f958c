// AutoDictionary: gives a writable store its zstd dictionary once it holds enough records, without
// anyone asking for it and without holding up a writer. Internal to store/ (TapeStore owns one).
//
// After each write, TapeStore calls AfterWrite. When the store then holds at least `min_records`
// records and has no dictionary, a background thread samples the store, trains a dictionary, makes it
// current, and re-encodes the records written before it, a slice per transaction: a recorder's
// commits go on meanwhile (each waits for at most one slice), and records they write once the
// dictionary is current use it. So a store filled by a recorder converges to an imported one's size.
// A re-encode cut short (the process stopped) is resumed by the next writer to open the store.
#ifndef SSM_REPLAY_STORE_AUTO_DICTIONARY_H_
#define SSM_REPLAY_STORE_AUTO_DICTIONARY_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>

#include "store/port/mutex.h"
#include "store/port/thread_annotations.h"
#include "store/status.h"

namespace ssm {

class TapeStore;

class AutoDictionary {
 public:
  // `store` must outlive this; `count_records` says how many records it holds (cheap: a table header).
  AutoDictionary(TapeStore* store, uint64_t min_records, std::function<uint64_t()> count_records);
  AutoDictionary(const AutoDictionary&) = delete;
  AutoDictionary& operator=(const AutoDictionary&) = delete;
  // Stops the work between two slices (records re-encoded so far stay so) and joins the thread.
  ~AutoDictionary();

  // Called after each successful write, with no transaction open. Never waits for the training.
  void AfterWrite() EXCLUDES(mu_);
  // Starts, in the background, the re-encode of the records written before the current dictionary
  // that a process stopped midway; nothing when work is under way.
  void ResumeReencode() EXCLUDES(mu_);
  // Waits until no work is under way; the Status of the last one (OK when there was none).
  Status Wait() EXCLUDES(mu_);

 private:
  // Starts the thread that trains (when the store has no dictionary) and re-encodes; none is running.
  void StartLocked() REQUIRES(mu_);
  void Run() EXCLUDES(mu_);
  Status TrainAndReencode();

  TapeStore* const store_;
  const uint64_t min_records_;
  const std::function<uint64_t()> count_records_;
  std::atomic<bool> stop_{false};

  Mutex mu_;
  CondVar done_cv_{&mu_};
  bool settled_ GUARDED_BY(mu_) = false;   // the store has a dictionary: nothing more to do
  bool running_ GUARDED_BY(mu_) = false;   // the thread is training or re-encoding
  // After a failed attempt, the next waits for the store to reach this many records (not every write).
  uint64_t next_attempt_records_ GUARDED_BY(mu_) = 0;
  Status status_ GUARDED_BY(mu_);          // of the last attempt
  std::thread thread_ GUARDED_BY(mu_);     // the last attempt's; joined before the next starts
};

}  // namespace ssm

#endif  // SSM_REPLAY_STORE_AUTO_DICTIONARY_H_
