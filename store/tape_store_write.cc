// TapeStore's writes: encoding a batch (on any thread) and applying it in one transaction.
#include <algorithm>
#include <cerrno>
#include <thread>

#include "store/auto_dictionary.h"
#include "store/tape_info_codec.h"
#include "store/tape_store_impl.h"

namespace ssm {

using namespace tape_store_internal;

namespace {

// Serialises and compresses the interactions of `in`; for a replaced tape also makes its summary.
EncodedBatch::Entry EncodeEntry(const WriteBatch::Entry& in, uint32_t dict_id, const std::string* dict) {
  EncodedBatch::Entry out;
  out.op = in.op;
  out.key = in.key;
  out.values.reserve(in.interactions.size());
  for (const auto& interaction : in.interactions) {
    size_t raw_size = 0;
    out.values.push_back(EncodeInteraction(interaction, dict_id, dict, &raw_size));
    out.raw_bytes += raw_size;
    if (out.values.size() == 1) out.first_recorded_ms = interaction.recorded_at_ms;
    out.last_recorded_ms = interaction.recorded_at_ms;
  }
  if (in.op == WriteBatch::Op::kReplace) {
    TapeInfo info{in.key, static_cast<uint32_t>(out.values.size()), out.raw_bytes, 0, out.first_recorded_ms,
                  out.last_recorded_ms};
    for (const auto& value : out.values) info.stored_bytes += value.size();
    out.summary = EncodeTapeInfo(info);
  }
  return out;
}

}  // namespace

EncodedBatch TapeStore::Impl::Encode(const WriteBatch& batch, size_t workers) const {
  uint32_t dict_id = CurrentDictionaryId();
  const std::string* dict = dict_id ? Dictionary(dict_id) : nullptr;
  std::vector<EncodedBatch::Entry> encoded(batch.size());
  auto encode_every = [&](size_t first, size_t step) {
    for (size_t i = first; i < batch.size(); i += step) encoded[i] = EncodeEntry(batch.entries()[i], dict_id, dict);
  };
  workers = std::max<size_t>(1, std::min(workers, batch.size()));
  std::vector<std::thread> threads;
  for (size_t w = 1; w < workers; ++w) threads.emplace_back(encode_every, w, workers);
  encode_every(0, workers);
  for (auto& t : threads) t.join();
  EncodedBatch out;
  for (auto& e : encoded) out.Add(std::move(e));
  return out;
}

namespace {

// The batch's entries in key order; entries of one key keep their order (a replace, then appends).
std::vector<const EncodedBatch::Entry*> InKeyOrder(const EncodedBatch& batch) {
  std::vector<const EncodedBatch::Entry*> order;
  order.reserve(batch.size());
  for (const auto& entry : batch.entries()) order.push_back(&entry);
  std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    return a->key.encoded() < b->key.encoded();
  });
  return order;
}

// The last key of table `dbi` in `txn` (empty for an empty table).
Result<std::string> LastKey(const LmdbEnv& env, MDB_txn* txn, MDB_dbi dbi) {
  MDB_cursor* cursor = nullptr;
  if (int rc = mdb_cursor_open(txn, dbi, &cursor); rc != 0) return env.Check(rc);
  MDB_val k, v;
  int rc = mdb_cursor_get(cursor, &k, &v, MDB_LAST);
  std::string last = rc == 0 ? std::string(ToView(k)) : std::string();
  mdb_cursor_close(cursor);
  if (rc != 0 && rc != MDB_NOTFOUND) return env.Check(rc);
  return last;
}

}  // namespace

Status TapeStore::Impl::PutInOrder::Put(MDB_txn* txn, std::string_view key, std::string_view value) {
  MDB_val k = ToVal(key), v = ToVal(value);
  // Past the table's last key, MDB_APPEND fills each page before starting the next; a put anywhere
  // else splits a full page in halves.
  bool append = key > last_;
  if (int rc = mdb_put(txn, dbi_, &k, &v, append ? MDB_APPEND : 0); rc != 0) return env_.Check(rc);
  if (append) last_.assign(key);
  return Status::OK();
}

Status TapeStore::Impl::Write(const EncodedBatch& batch) {
  std::vector<const EncodedBatch::Entry*> order = InKeyOrder(batch);
  return env_->Write([&](MDB_txn* txn) {
    auto last_record = LastKey(*env_, txn, env_->tables().records);
    auto last_tape = LastKey(*env_, txn, env_->tables().tapes);
    if (!last_record.ok()) return last_record.status();
    if (!last_tape.ok()) return last_tape.status();
    PutInOrder records(*env_, env_->tables().records, std::move(last_record).value());
    PutInOrder tapes(*env_, env_->tables().tapes, std::move(last_tape).value());
    for (const auto* entry : order) {
      Status s = WriteEntry(txn, *entry, &records, &tapes);
      if (!s.ok()) return s;
    }
    return Status::OK();
  });
}

Status TapeStore::Impl::WriteEntry(MDB_txn* txn, const EncodedBatch::Entry& entry, PutInOrder* records,
                                   PutInOrder* tapes) {
  auto started = StartTape(txn, entry);
  if (!started.ok() || entry.op == WriteBatch::Op::kDelete) return started.status();
  TapeInfo& info = *started;
  for (const auto& value : entry.values) {
    if (Status s = records->Put(txn, RecordKey(entry.key, info.interactions++), value); !s.ok()) return s;
    info.stored_bytes += value.size();
  }
  info.raw_bytes += entry.raw_bytes;
  if (info.first_recorded_ms == 0) info.first_recorded_ms = entry.first_recorded_ms;
  if (!entry.values.empty()) info.last_recorded_ms = entry.last_recorded_ms;
  // For a replaced tape, Encode made this summary already: it starts from nothing.
  std::string appended_summary;
  const std::string& summary =
      entry.op == WriteBatch::Op::kReplace ? entry.summary : (appended_summary = EncodeTapeInfo(info));
  return tapes->Put(txn, entry.key.encoded(), summary);
}

Result<TapeInfo> TapeStore::Impl::StartTape(MDB_txn* txn, const EncodedBatch::Entry& entry) {
  const TapeKey& key = entry.key;
  MDB_val k = ToVal(key.encoded()), v;
  int rc = mdb_get(txn, env_->tables().tapes, &k, &v);
  if (rc == MDB_NOTFOUND) return TapeInfo{key, 0, 0, 0, 0, 0};
  if (rc != 0) return env_->Check(rc);
  if (entry.op == WriteBatch::Op::kAppend) {
    auto old = DecodeTapeInfo(key, ToView(v));
    if (!old.ok()) {
      return Status::Corruption("cannot append to tape " + key.Describe() + ": " + old.status().message() +
                                " (delete the tape and record it again)");
    }
    old->key = key;
    return old;
  }
  if (Status s = DeleteRecords(txn, key); !s.ok()) return s;
  if (rc = mdb_del(txn, env_->tables().tapes, &k, nullptr); rc != 0) return env_->Check(rc);
  return TapeInfo{key, 0, 0, 0, 0, 0};
}

Status TapeStore::Impl::DeleteRecords(MDB_txn* txn, const TapeKey& key) {
  MDB_cursor* cursor = nullptr;
  int rc = mdb_cursor_open(txn, env_->tables().records, &cursor);
  if (rc != 0) return env_->Check(rc);
  MDB_val k = ToVal(key.encoded()), v;
  rc = mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
  while (rc == 0 && IsRecordKeyOf(ToView(k), key.encoded())) {
    if ((rc = mdb_cursor_del(cursor, 0)) != 0) break;
    rc = mdb_cursor_get(cursor, &k, &v, MDB_GET_CURRENT);
  }
  mdb_cursor_close(cursor);
  return env_->Check(rc == MDB_NOTFOUND || rc == EINVAL ? 0 : rc);
}

Status TapeStore::Write(const WriteBatch& batch) {
  // Compression dominates large writes: spread it over the cores.
  size_t workers = batch.size() >= 64 ? std::max(1u, std::thread::hardware_concurrency()) : 1;
  return Write(impl_->Encode(batch, workers));
}

EncodedBatch TapeStore::Encode(const WriteBatch& batch) const { return impl_->Encode(batch, 1); }

Status TapeStore::Write(const EncodedBatch& batch) {
  Status s = impl_->Write(batch);
  if (s.ok() && auto_dictionary_) auto_dictionary_->AfterWrite();
  return s;
}

}  // namespace ssm
