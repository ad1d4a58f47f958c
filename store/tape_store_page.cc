// TapeStore::ListTapePage: a page of the tapes table from a seek to max(prefix, after).
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "store/sha256.h"
#include "store/tape_info_codec.h"
#include "store/tape_page.h"
#include "store/tape_store.h"
#include "store/tape_store_impl.h"

namespace ssm {
namespace {

using tape_store_internal::StartsWith;

// The encoded-key prefix every tape of `query` starts with; nullopt when no tape can match.
std::optional<std::string> KeyPrefix(const TapePageQuery& query) {
  bool invocations = !query.action || *query.action == kGetCommandInvocation;
  if (!query.command_id_prefix.empty()) {
    if (!invocations) return std::nullopt;
    return "I" + query.command_id_prefix;  // 'I' CommandId 0x00 ... (store/FORMAT.md)
  }
  if (!query.action) return std::string();
  return invocations ? std::string("I") : "A" + *query.action + '\0';
}

}  // namespace

Result<TapePage> TapeStore::ListTapePage(const TapePageQuery& query) const {
  TapePage page;
  std::optional<std::string> prefix = KeyPrefix(query);
  if (!prefix) return page;
  size_t limit = std::max<size_t>(query.limit, 1);
  // Seek to the later of the prefix and the cursor; the cursor itself is skipped.
  std::string start = std::max(*prefix, query.after);
  const LmdbEnv& env = impl_->env();
  Status s = env.Read([&](MDB_txn* txn) {
    MDB_cursor* cursor = nullptr;
    int rc = mdb_cursor_open(txn, env.tables().tapes, &cursor);
    if (rc != 0) return env.Check(rc);
    MDB_val k = ToVal(start), v;
    rc = mdb_cursor_get(cursor, &k, &v, start.empty() ? MDB_FIRST : MDB_SET_RANGE);
    if (rc == 0 && !query.after.empty() && ToView(k) == query.after) rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
    Status bad;
    for (; rc == 0 && StartsWith(ToView(k), *prefix); rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
      if (page.tapes.size() == limit) {
        page.more = true;
        break;
      }
      Result<TapeKey> key = TapeKey::Decode(ToView(k));
      Result<TapeInfo> info = key.ok() ? DecodeTapeInfo(*key, ToView(v)) : key.status();
      if (!info.ok()) {
        bad = Status::Corruption("tape " + HexEncode(ToView(k).substr(0, 48)) + ": " + info.status().message());
        break;
      }
      page.tapes.push_back(std::move(info).value());
    }
    mdb_cursor_close(cursor);
    if (!bad.ok()) return bad;
    return rc == 0 || rc == MDB_NOTFOUND ? Status::OK() : env.Check(rc);
  });
  if (!s.ok()) return s;
  return page;
}

}  // namespace ssm
