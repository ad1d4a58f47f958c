// TapeStore's writes: encoding a batch (on any thread) and applying it in one transaction.
#include <algorithm>
#include <cerrno>
#include <thread>

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

Status TapeStore::Impl::Write(const EncodedBatch& batch) {
  return env_->Write([&](MDB_txn* txn) {
    for (const auto& entry : batch.entries()) {
      Status s = WriteEntry(txn, entry);
      if (!s.ok()) return s;
    }
    return Status::OK();
  });
}

Status TapeStore::Impl::WriteEntry(MDB_txn* txn, const EncodedBatch::Entry& entry) {
  auto started = StartTape(txn, entry);
  if (!started.ok() || entry.op == WriteBatch::Op::kDelete) return started.status();
  TapeInfo& info = *started;
  const auto& t = env_->tables();
  for (const auto& value : entry.values) {
    std::string record_key = RecordKey(entry.key, info.interactions++);
    MDB_val rk = ToVal(record_key), rv = ToVal(value);
    // Keys ascend within a tape, so appending is cheap; MDB_APPEND would need global order.
    if (int rc = mdb_put(txn, t.records, &rk, &rv, 0); rc != 0) return env_->Check(rc);
    info.stored_bytes += value.size();
  }
  info.raw_bytes += entry.raw_bytes;
  if (info.first_recorded_ms == 0) info.first_recorded_ms = entry.first_recorded_ms;
  if (!entry.values.empty()) info.last_recorded_ms = entry.last_recorded_ms;
  // For a replaced tape, Encode made this summary already: it starts from nothing.
  std::string appended_summary;
  const std::string& summary =
      entry.op == WriteBatch::Op::kReplace ? entry.summary : (appended_summary = EncodeTapeInfo(info));
  MDB_val k = ToVal(entry.key.encoded()), v = ToVal(summary);
  return env_->Check(mdb_put(txn, t.tapes, &k, &v, 0));
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
  return impl_->Write(impl_->Encode(batch, workers));
}

EncodedBatch TapeStore::Encode(const WriteBatch& batch) const { return impl_->Encode(batch, 1); }

Status TapeStore::Write(const EncodedBatch& batch) { return impl_->Write(batch); }

}  // namespace ssm
