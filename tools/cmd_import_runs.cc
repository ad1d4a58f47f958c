#include "tools/cmd_import_runs.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <queue>

namespace ssm {
namespace {

// A run is its entries one after another:
//   u8 op, u32 key length, key, u64 raw_bytes, i64 first_recorded_ms, i64 last_recorded_ms,
//   u32 summary length, summary, u32 values, then per value u32 length and bytes
// in the machine's byte order: the file lives only as long as the import.
template <typename T>
void Put(T v, std::string* out) {
  out->append(reinterpret_cast<const char*>(&v), sizeof v);
}
void PutBytes(const std::string& s, std::string* out) {
  Put(static_cast<uint32_t>(s.size()), out);
  out->append(s);
}

void Serialize(const EncodedBatch::Entry& e, std::string* out) {
  Put(static_cast<uint8_t>(e.op), out);
  PutBytes(e.key.encoded(), out);
  Put(e.raw_bytes, out);
  Put(e.first_recorded_ms, out);
  Put(e.last_recorded_ms, out);
  PutBytes(e.summary, out);
  Put(static_cast<uint32_t>(e.values.size()), out);
  for (const auto& v : e.values) PutBytes(v, out);
}

Status WriteAll(int fd, const std::string& bytes) {
  for (size_t done = 0; done < bytes.size();) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IOError(std::string("cannot write the import's sort file: ") + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

// An unnamed file in `dir` (O_TMPFILE; else a named one unlinked at once).
Result<int> OpenUnnamed(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  std::string path = dir + "/import-sort-XXXXXX";
  fd = ::mkstemp(path.data());
  if (fd < 0) return Status::IOError("cannot make the import's sort file in " + dir + ": " + std::strerror(errno));
  ::unlink(path.c_str());
  return fd;
}

}  // namespace

// Reads one run's entries in order, a buffer at a time.
class SortedRuns::Reader {
 public:
  explicit Reader(Run run) : run_(run) {}

  // The next entry into `*e`; false at the end. Corruption when the file reads back short.
  Result<bool> Next(EncodedBatch::Entry* e) {
    if (pos_ == buffer_.size() && offset_ == run_.bytes) return false;
    uint8_t op = 0;
    uint32_t values = 0;
    std::string key;
    if (!Get(&op) || !GetBytes(&key)) return Short();
    auto decoded = TapeKey::Decode(key);
    if (!decoded.ok()) return decoded.status();
    e->op = static_cast<WriteBatch::Op>(op);
    e->key = std::move(decoded).value();
    if (!Get(&e->raw_bytes) || !Get(&e->first_recorded_ms) || !Get(&e->last_recorded_ms) || !GetBytes(&e->summary) ||
        !Get(&values)) {
      return Short();
    }
    e->values.resize(values);
    for (auto& v : e->values) {
      if (!GetBytes(&v)) return Short();
    }
    return true;
  }

 private:
  static Status Short() { return Status::IOError("the import's sort file reads back short"); }

  // Makes `n` bytes available at pos_, reading on from the file.
  bool Fill(size_t n) {
    if (buffer_.size() - pos_ >= n) return true;
    buffer_.erase(0, pos_);
    pos_ = 0;
    size_t want = std::max(n, kBufferBytes);
    size_t have = buffer_.size();
    buffer_.resize(have + want);
    while (buffer_.size() - have > 0 && offset_ < run_.bytes) {
      ssize_t r = ::pread(run_.fd, buffer_.data() + have, buffer_.size() - have, static_cast<off_t>(offset_));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      have += static_cast<size_t>(r);
      offset_ += static_cast<uint64_t>(r);
    }
    buffer_.resize(have);
    return buffer_.size() >= n;
  }
  template <typename T>
  bool Get(T* v) {
    if (!Fill(sizeof *v)) return false;
    std::memcpy(v, buffer_.data() + pos_, sizeof *v);
    pos_ += sizeof *v;
    return true;
  }
  bool GetBytes(std::string* s) {
    uint32_t n = 0;
    if (!Get(&n) || !Fill(n)) return false;
    s->assign(buffer_.data() + pos_, n);
    pos_ += n;
    return true;
  }

  static constexpr size_t kBufferBytes = 1 << 20;
  Run run_;
  std::string buffer_;
  size_t pos_ = 0;       // next byte of buffer_ to read
  uint64_t offset_ = 0;  // file offset of buffer_'s end
};

SortedRuns::SortedRuns(std::string dir) : dir_(std::move(dir)) {}

SortedRuns::~SortedRuns() {
  for (const Run& run : runs_) ::close(run.fd);
}

Status SortedRuns::Add(const EncodedBatch& batch) {
  std::vector<const EncodedBatch::Entry*> order;
  for (const auto& e : batch.entries()) order.push_back(&e);
  std::stable_sort(order.begin(), order.end(),
                   [](const auto* a, const auto* b) { return a->key.encoded() < b->key.encoded(); });
  auto fd = OpenUnnamed(dir_);
  if (!fd.ok()) return fd.status();
  runs_.push_back({*fd, 0});
  std::string out;
  for (const auto* e : order) {
    Serialize(*e, &out);
    if (out.size() >= (4u << 20) || e == order.back()) {
      if (Status s = WriteAll(*fd, out); !s.ok()) return s;
      runs_.back().bytes += out.size();
      out.clear();
    }
  }
  return Status::OK();
}

Status SortedRuns::Merge(size_t tapes_per_batch, const std::function<Status(const EncodedBatch&)>& write) {
  std::vector<std::unique_ptr<Reader>> readers;
  std::vector<EncodedBatch::Entry> heads(runs_.size());
  // The run whose head comes first: the smallest key, the earliest run among equal keys.
  auto later = [&](size_t a, size_t b) {
    int c = heads[a].key.encoded().compare(heads[b].key.encoded());
    return c != 0 ? c > 0 : a > b;
  };
  std::priority_queue<size_t, std::vector<size_t>, decltype(later)> next(later);
  for (size_t r = 0; r < runs_.size(); ++r) {
    readers.push_back(std::make_unique<Reader>(runs_[r]));
    auto more = readers[r]->Next(&heads[r]);
    if (!more.ok()) return more.status();
    if (*more) next.push(r);
  }
  EncodedBatch batch;
  while (!next.empty()) {
    size_t r = next.top();
    next.pop();
    batch.Add(std::move(heads[r]));
    heads[r] = EncodedBatch::Entry{};
    auto more = readers[r]->Next(&heads[r]);
    if (!more.ok()) return more.status();
    if (*more) next.push(r);
    if (batch.size() >= tapes_per_batch || next.empty()) {
      if (Status s = write(batch); !s.ok()) return s;
      batch = EncodedBatch();
    }
  }
  return Status::OK();
}

}  // namespace ssm
