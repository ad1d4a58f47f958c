// ssm-replay import: tape files (fixtures, exports) into a store.
//
// A pipeline: worker threads (one per core) read, parse and encode (serialise and compress) the files
// in order, up to kChunksAhead chunks ahead of the main thread, which writes chunk after chunk, each in
// one transaction: the store's single writer. Into a new store, the chunks go to sorted runs first
// and are written merged in key order at the end (tools/cmd_import_runs.h). Each commit is synced as
// every store write is (StoreOptions::sync: LMDB fsyncs at commit), so a batch whose commit returned
// survives a crash; a crash or a failed write mid-import keeps the batches committed before it and
// nothing of the rest.
//
// Small by default: a store without a zstd dictionary first gets one, trained on a sample of the files
// (and of the records already stored), so that every record of the import is compressed with it;
// records the store held before are re-encoded with it first. Each batch is written in key order
// (TapeStore::Write, and sorted runs into a new store), so keys past the store's last one fill whole
// pages. Into a store that held tapes, keys land among older ones (a put there splits a page in
// halves): at the end the store is rewritten in key order when that makes it much smaller
// (store/compact_in_place.h), or the summary says why not and how.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <thread>

#include "store/compact_in_place.h"
#include "store/port/mutex.h"
#include "store/port/thread_annotations.h"
#include "store/record_codec.h"
#include "store/tape_file/tape_file.h"
#include "store/tape_file/tape_file_list.h"
#include "tools/cli_util.h"
#include "tools/cmd_import_runs.h"
#include "tools/command.h"

namespace ssm {
namespace {

struct ImportOptions {
  std::string store;
  std::vector<std::string> paths;
};

// Consecutive files a worker takes at a time.
constexpr size_t kFilesPerPiece = 16;
// Tapes per transaction. Larger commits write less in all: a commit writes every page it changed, and
// most pages of the small "tapes" table change in every commit. Memory grows with it: the
// transaction's pages (~10 KB a tape) and the encoded chunks (~3 KB a tape) below.
constexpr size_t kTapesPerTransaction = 20000;
static_assert(kTapesPerTransaction % kFilesPerPiece == 0, "chunks are whole pieces");
// Chunks the workers may encode ahead of the one being written, so they go on through a slow commit.
constexpr size_t kChunksAhead = 2;

// Reads files whole. Import reads a million small files folder by folder: the reader keeps its buffer
// (no allocation, no zero-filling per file) and the folder it opened last, and opens files by name in
// it, which spares the kernel resolving the folder's path again for every file. One per thread.
class FileReader {
 public:
  FileReader() = default;
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;
  ~FileReader() {
    if (dir_fd_ >= 0) ::close(dir_fd_);
  }

  // The file's bytes, valid until the next call; IOError naming the file.
  Result<std::string_view> Read(const std::string& path) {
    int fd = Open(path);
    if (fd < 0) return Status::IOError("cannot read " + path + ": " + std::strerror(errno));
    size_t used = 0;
    for (;;) {
      if (used == capacity_) Grow(used);
      size_t want = capacity_ - used;
      ssize_t n = ::read(fd, buffer_.get() + used, want);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        Status s = Status::IOError("cannot read " + path + ": " + std::strerror(errno));
        ::close(fd);
        return s;
      }
      used += static_cast<size_t>(n);
      // A read of a regular file that does not fill the buffer has met its end: one read per file.
      if (n == 0 || static_cast<size_t>(n) < want) break;
    }
    ::close(fd);
    return std::string_view(buffer_.get(), used);
  }

 private:
  int Open(const std::string& path) {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    std::string_view dir(path.data(), slash == 0 ? 1 : slash);
    if (dir != dir_) {
      if (dir_fd_ >= 0) ::close(dir_fd_);
      dir_.assign(dir);
      dir_fd_ = ::open(dir_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
    if (dir_fd_ < 0) return ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    return ::openat(dir_fd_, path.c_str() + slash + 1, O_RDONLY | O_CLOEXEC);
  }

  // Doubles the buffer, keeping its first `used` bytes.
  void Grow(size_t used) {
    size_t capacity = capacity_ == 0 ? size_t{1} << 20 : capacity_ * 2;
    std::unique_ptr<char[]> grown(new char[capacity]);  // not zero-filled, unlike a string's
    if (used) std::memcpy(grown.get(), buffer_.get(), used);
    buffer_ = std::move(grown);
    capacity_ = capacity;
  }

  std::unique_ptr<char[]> buffer_;
  size_t capacity_ = 0;
  std::string dir_;  // the folder dir_fd_ is open on
  int dir_fd_ = -1;
};

// kFilesPerPiece consecutive files, read, parsed and encoded by one worker.
struct Piece {
  EncodedBatch batch;
  std::vector<std::string> errors;  // one per file that could not be imported, in file order
  uint64_t tapes = 0, interactions = 0;
};

// The worker threads, and the encoded pieces they hand to the writer chunk by chunk, in file order.
class EncodePipeline {
 public:
  // `store` and `files` must outlive the pipeline.
  EncodePipeline(const TapeStore& store, const std::vector<std::string>& files)
      : store_(store),
        files_(files),
        pieces_per_chunk_(kTapesPerTransaction / kFilesPerPiece),
        piece_count_((files.size() + kFilesPerPiece - 1) / kFilesPerPiece),
        pieces_(piece_count_),
        done_(chunks(), 0),
        limit_(std::min(piece_count_, kChunksAhead * pieces_per_chunk_)) {
    size_t workers = std::max(1u, std::thread::hardware_concurrency());
    for (size_t w = 0; w < workers; ++w) threads_.emplace_back([this] { Work(); });
  }
  EncodePipeline(const EncodePipeline&) = delete;
  EncodePipeline& operator=(const EncodePipeline&) = delete;
  ~EncodePipeline() {
    {
      MutexLock l(&mu_);
      stop_ = true;
    }
    more_work_.SignalAll();
    for (auto& t : threads_) t.join();
  }

  size_t chunks() const { return (piece_count_ + pieces_per_chunk_ - 1) / pieces_per_chunk_; }
  size_t FilesBefore(size_t chunk) const { return std::min(files_.size(), chunk * kTapesPerTransaction); }

  // Waits for chunk `c` (taken in order, each once) and lets the workers go a chunk further.
  std::vector<Piece> TakeChunk(size_t c) {
    size_t begin = c * pieces_per_chunk_, end = std::min(piece_count_, begin + pieces_per_chunk_);
    std::vector<Piece> out;
    {
      MutexLock l(&mu_);
      while (done_[c] != end - begin) chunk_done_.Wait();
      out.assign(std::make_move_iterator(pieces_.begin() + begin), std::make_move_iterator(pieces_.begin() + end));
      limit_ = std::min(piece_count_, (c + 1 + kChunksAhead) * pieces_per_chunk_);
    }
    more_work_.SignalAll();
    return out;
  }

 private:
  void Work() {
    FileReader reader;
    for (;;) {
      size_t p;
      {
        MutexLock l(&mu_);
        while (!stop_ && next_ >= limit_ && next_ != piece_count_) more_work_.Wait();
        if (stop_ || next_ == piece_count_) return;
        p = next_++;
      }
      Piece piece = Encode(p, &reader);
      MutexLock l(&mu_);
      pieces_[p] = std::move(piece);
      size_t c = p / pieces_per_chunk_;
      if (++done_[c] == std::min(piece_count_, (c + 1) * pieces_per_chunk_) - c * pieces_per_chunk_) {
        chunk_done_.SignalAll();
      }
    }
  }

  Piece Encode(size_t p, FileReader* reader) const {
    Piece piece;
    WriteBatch batch;
    for (size_t f = p * kFilesPerPiece; f < std::min(files_.size(), (p + 1) * kFilesPerPiece); ++f) {
      auto text = reader->Read(files_[f]);
      auto tape = text.ok() ? ParseTapeFile(*text, files_[f]) : Result<Tape>(text.status());
      if (!tape.ok()) {
        piece.errors.push_back(tape.status().message());
        continue;
      }
      ++piece.tapes;
      piece.interactions += tape->interactions.size();
      batch.ReplaceTape(tape->key, std::move(tape->interactions));
    }
    piece.batch = store_.Encode(batch);
    return piece;
  }

  const TapeStore& store_;
  const std::vector<std::string>& files_;
  const size_t pieces_per_chunk_;
  const size_t piece_count_;
  Mutex mu_;
  CondVar more_work_{&mu_};                     // limit_ rose, or stop_
  CondVar chunk_done_{&mu_};                    // a chunk's last piece is in
  std::vector<Piece> pieces_ GUARDED_BY(mu_);   // every piece; a taken chunk's are left empty
  std::vector<size_t> done_ GUARDED_BY(mu_);    // pieces encoded, per chunk
  size_t next_ GUARDED_BY(mu_) = 0;             // the next piece to encode
  size_t limit_ GUARDED_BY(mu_);                // pieces below this may be encoded
  bool stop_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

// Tape files parsed for a dictionary's samples, at most, spread evenly over the files imported.
constexpr size_t kSampleFiles = 4000;

// The interactions of up to kSampleFiles of `files`, serialised (files that do not parse are left
// out here and reported by the import), at most `max_samples`.
std::vector<std::string> SampleFiles(const std::vector<std::string>& files, size_t max_samples) {
  std::vector<std::string> samples;
  FileReader reader;
  size_t stride = std::max<size_t>(1, files.size() / kSampleFiles);
  for (size_t f = 0; f < files.size() && samples.size() < max_samples; f += stride) {
    auto text = reader.Read(files[f]);
    auto tape = text.ok() ? ParseTapeFile(*text, files[f]) : Result<Tape>(text.status());
    if (!tape.ok()) continue;
    for (const auto& interaction : tape->interactions) samples.push_back(SerializeInteraction(interaction));
  }
  if (samples.size() > max_samples) samples.resize(max_samples);
  return samples;
}

// Gives a store without a dictionary one before the import, trained on the store's records and a
// sample of `files`, once they are enough (kAutoDictionaryRecords). Returns whether records stored
// before it are to be re-encoded with it.
bool PrepareDictionary(TapeStore* store, const std::vector<std::string>& files) {
  if (store->DictionaryId() != 0) return false;
  auto samples = store->SampleRecords(kDictionarySamples / 2);
  if (!samples.ok()) Fail("import", "cannot read the store's records: " + samples.status().message());
  bool store_had_records = !samples->empty();
  std::vector<std::string> from_files = SampleFiles(files, kDictionarySamples - samples->size());
  samples->insert(samples->end(), std::make_move_iterator(from_files.begin()),
                  std::make_move_iterator(from_files.end()));
  if (samples->size() < kAutoDictionaryRecords) return false;  // a later write trains it (TapeStore)
  auto id = store->InstallDictionary(*samples);
  if (!id.ok()) {
    std::cerr << "ssm-replay import: no zstd dictionary (" << id.status().message() << "); importing without\n";
    return false;
  }
  return store_had_records;
}

// Re-encodes the records stored before the dictionary this import trained. Before the import's own
// writes: the pages the smaller records leave part empty then take the import's records in.
void ReencodeOlderRecords(TapeStore* store) {
  auto reencoded = store->ReencodeWithoutDictionary();
  if (!reencoded.ok()) Fail("import", "re-encoding the older records failed: " + reencoded.status().message());
}

// Waits for a dictionary that the import's writes started (TapeStore's automatic dictionary).
void FinishDictionary(TapeStore* store) {
  if (Status s = store->WaitForBackgroundWork(); !s.ok()) {
    std::cerr << "ssm-replay import: no zstd dictionary yet (" << s.message() << ")\n";
  }
}

// Whether `store` holds no tape yet.
bool IsEmpty(const TapeStore& store) {
  TapeFilter one;
  one.limit = 1;
  auto tapes = store.ListTapes(one);
  return tapes.ok() && tapes->empty();
}

// After an import into a store that held tapes: rewrites it in key order when that makes it much
// smaller (the import's keys landed among the older ones, splitting pages in halves, and re-encoded
// records left free pages), or says how to once no other process has it open.
void CompactIfWorthIt(std::unique_ptr<TapeStore> store, const std::string& dir) {
  auto compaction = CompactInPlaceIfWorthIt(std::move(store));
  if (!compaction.ok()) {
    std::cerr << "ssm-replay import: the store was not rewritten in key order (" << compaction.status().message()
              << "); its tapes are all there\n";
  } else if (compaction->rewritten) {
    PrintRewritten(dir, *compaction);
  } else if (!compaction->not_rewritten_because.empty()) {
    std::cout << "left " << dir << " at " << HumanBytes(compaction->bytes_before) << " ("
              << HumanBytes(compaction->key_ordered_bytes)
              << " in key order): " << compaction->not_rewritten_because
              << ". Run `ssm-replay compact --store " << dir << " --in-place` once it is free\n";
  }
}

[[noreturn]] void FailWriting(const Status& s) {
  Fail("import", "writing to the store failed: " + s.message() + " (tapes written so far are kept)");
}

void RunImport(const ImportOptions& o) {
  auto files = ListTapeFiles(o.paths);
  if (!files.ok()) Fail("import", files.status().message());
  auto store = OpenStoreOrFail("import", o.store, StoreAccess::kCreate);

  // A re-encode an earlier process left unfinished (the store resumes it when opened) ends first.
  if (Status s = store->WaitForBackgroundWork(); !s.ok()) {
    std::cerr << "ssm-replay import: older records not re-encoded (" << s.message() << ")\n";
  }
  const bool was_empty = IsEmpty(*store);
  if (PrepareDictionary(store.get(), *files)) ReencodeOlderRecords(store.get());
  uint64_t tapes = 0, interactions = 0, bad = 0;
  Progress progress("importing");
  auto pipeline = std::make_unique<EncodePipeline>(*store, *files);
  // Into a new store, chunks are sorted into runs and merged at the end, so that every key is past the
  // last one written (full pages); into a store holding tapes, a chunk's keys land among them anyway.
  SortedRuns runs(o.store);
  const bool merge = pipeline->chunks() > 1 && was_empty;
  for (size_t c = 0; c < pipeline->chunks(); ++c) {
    std::vector<Piece> pieces = pipeline->TakeChunk(c);
    EncodedBatch batch;
    for (auto& piece : pieces) {
      if (!piece.errors.empty()) progress.Clear();
      for (const auto& error : piece.errors) std::cerr << "ssm-replay import: skipped " << error << "\n";
      bad += piece.errors.size();
      tapes += piece.tapes;
      interactions += piece.interactions;
      batch.Append(std::move(piece.batch));
    }
    Status s = merge ? runs.Add(batch) : store->Write(batch);
    if (!s.ok()) {
      pipeline.reset();  // its workers use the store
      progress.Clear();
      FailWriting(s);
    }
    progress.Update(pipeline->FilesBefore(c + 1), files->size());
  }
  pipeline.reset();
  if (merge) {
    Status s = runs.Merge(kTapesPerTransaction, [&](const EncodedBatch& batch) { return store->Write(batch); });
    if (!s.ok()) {
      progress.Clear();
      FailWriting(s);
    }
  }
  progress.Clear();
  FinishDictionary(store.get());
  std::cout << "imported " << tapes << " tapes (" << interactions << " interactions) into " << o.store << std::endl;
  if (!was_empty) CompactIfWorthIt(std::move(store), o.store);
  if (bad) {
    Fail("import", std::to_string(bad) + " of " + std::to_string(files->size()) +
                       " files could not be imported (see above); the other " + std::to_string(files->size() - bad) +
                       " were imported");
  }
}

CommandRegistration registration(10, [](CLI::App& app) {
  auto o = std::make_shared<ImportOptions>();
  auto* cmd = app.add_subcommand("import", "Import tape files (JSON, one tape each) or folders of them; "
                                           "re-importing a tape replaces it");
  AddStoreOption(cmd, &o->store, StoreAccess::kCreate);
  cmd->add_option("paths", o->paths, "Tape files or folders (searched for *.json)")->required();
  cmd->callback([o] { RunImport(*o); });
});

}  // namespace
}  // namespace ssm
