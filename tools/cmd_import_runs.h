// SortedRuns: an import's encoded chunks, each sorted by tape key and kept in an unnamed temporary
// file, merged at the end into batches in key order across the whole import.
//
// Why: LMDB fills a page before starting the next only when each key is past the table's last one
// (TapeStore::Write appends those); a key put anywhere else splits a full page in halves. Written
// chunk by chunk, the second chunk's keys land among the first's, and a big import into a new store
// ends with pages a half to two thirds full. Merged, every key of an import into a new store is past
// the last one: every page is full, as after `compact`.
#ifndef SSM_REPLAY_TOOLS_CMD_IMPORT_RUNS_H_
#define SSM_REPLAY_TOOLS_CMD_IMPORT_RUNS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "store/encoded_batch.h"
#include "store/status.h"

namespace ssm {

class SortedRuns {
 public:
  // The runs' files are made in `dir` (the store's folder: the space the import needs anyway), and
  // vanish when closed, whatever happens to the process.
  explicit SortedRuns(std::string dir);
  SortedRuns(const SortedRuns&) = delete;
  SortedRuns& operator=(const SortedRuns&) = delete;
  ~SortedRuns();

  // Sorts `batch` by key (one key's entries keep their order) and writes it out as a run.
  Status Add(const EncodedBatch& batch);

  // Merges the runs in key order into batches of about `tapes_per_batch` entries, passing each to
  // `write` (which may fail the merge). Entries of one key keep their order: run by run, as added.
  Status Merge(size_t tapes_per_batch, const std::function<Status(const EncodedBatch&)>& write);

  size_t runs() const { return runs_.size(); }

 private:
  class Reader;
  struct Run {
    int fd;
    uint64_t bytes;
  };
  std::string dir_;
  std::vector<Run> runs_;  // fds owned
};

}  // namespace ssm

#endif  // SSM_REPLAY_TOOLS_CMD_IMPORT_RUNS_H_
