// LmdbEnv: reused read transactions (across threads, map growth in this and other processes) and the
// bound on mapped store pages.
#include "store/lmdb_env.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/test_util.h"

namespace ssm {
namespace {

std::string Key(int n) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "k%08d", n);
  return buf;
}
std::string Value(int n, size_t size) {
  std::string v(size, static_cast<char>('a' + n % 26));
  v.replace(0, Key(n).size(), Key(n));
  return v;
}

std::unique_ptr<LmdbEnv> OpenEnv(const std::string& dir, bool read_only, uint64_t map_bytes = 1 << 20) {
  auto env = LmdbEnv::Open(dir, /*create=*/!read_only, read_only, /*sync=*/false, map_bytes);
  INFO(env.status().ToString());
  REQUIRE(env.ok());
  return std::move(env).value();
}

Status Put(LmdbEnv& env, int from, int to, size_t size) {
  return env.Write([&](MDB_txn* txn) {
    for (int n = from; n < to; ++n) {
      std::string k = Key(n), v = Value(n, size);
      MDB_val kv = ToVal(k), vv = ToVal(v);
      if (int rc = mdb_put(txn, env.tables().records, &kv, &vv, 0); rc != 0) return env.Check(rc);
    }
    return Status::OK();
  });
}

// The value stored under Key(n), "" when there is none, "(failed: ...)" when the read failed. No
// Catch2 assertion inside: reader threads call it.
std::string Get(const LmdbEnv& env, int n) {
  std::string out;
  std::string k = Key(n);
  Status s = env.Read([&](MDB_txn* txn) {
    MDB_val kv = ToVal(k), vv;
    int rc = mdb_get(txn, env.tables().records, &kv, &vv);
    if (rc == 0) out.assign(ToView(vv));
    return env.Check(rc == MDB_NOTFOUND ? 0 : rc);
  });
  return s.ok() ? out : "(failed: " + s.ToString() + ")";
}

TEST_CASE("reads reuse transactions across threads while the map grows under them", "[lmdb_env]") {
  test::TempDir dir;
  auto env = OpenEnv(dir.Sub("s"), /*read_only=*/false, /*map_bytes=*/64 * 1024);  // grows many times
  REQUIRE(Put(*env, 0, 50, 100).ok());
  std::atomic<bool> done{false};
  std::atomic<int> failures{0}, reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 6; ++t) {
    readers.emplace_back([&, t] {
      for (int n = 0; (!done && n < 1000000) || n < 200; ++n) {
        int k = (n * 7 + t) % 50;
        if (Get(*env, k) != Value(k, 100)) ++failures;
        ++reads;
      }
    });
  }
  // Each write grows the data past the map's size at times: Grow() remaps with idle (reset)
  // transactions in the pool and readers between their reads.
  for (int batch = 0; batch < 40; ++batch) REQUIRE(Put(*env, 1000 + batch * 50, 1050 + batch * 50, 2000).ok());
  done = true;
  for (auto& r : readers) r.join();
  CHECK(failures == 0);
  CHECK(reads > 0);
  for (int n = 1000; n < 3000; n += 97) CHECK(Get(*env, n) == Value(n, 2000));
}

TEST_CASE("a transaction's Status is what Read and Write return; a failed write lands nothing",
          "[lmdb_env]") {
  test::TempDir dir;
  auto env = OpenEnv(dir.Sub("s"), /*read_only=*/false, /*map_bytes=*/64 * 1024);
  REQUIRE(Put(*env, 0, 5, 100).ok());
  Status s = env->Write([&](MDB_txn* txn) {
    std::string k = Key(7), v = Value(7, 100);
    MDB_val kv = ToVal(k), vv = ToVal(v);
    REQUIRE(mdb_put(txn, env->tables().records, &kv, &vv, 0) == 0);
    return Status::Corruption("the caller's own reason");
  });
  CHECK(s.IsCorruption());
  CHECK(s.message() == "the caller's own reason");
  CHECK(Get(*env, 7).empty());  // aborted
  CHECK(Get(*env, 3) == Value(3, 100));

  Status read = env->Read([](MDB_txn*) { return Status::NotFound("nothing here"); });
  CHECK(read.IsNotFound());
  // An LMDB error code becomes an IOError naming the store.
  Status lmdb = env->Read([&](MDB_txn*) { return env->Check(MDB_CORRUPTED); });
  CHECK(lmdb.code() == Status::Code::kIOError);
  CHECK(lmdb.message().find(dir.Sub("s")) != std::string::npos);
  CHECK_FALSE(lmdb.IsMapFull());
}

TEST_CASE("a full map is its own Status code, not a message to match", "[lmdb_env]") {
  test::TempDir dir;
  auto env = OpenEnv(dir.Sub("s"), /*read_only=*/false, /*map_bytes=*/64 * 1024);
  Status full = env->Check(MDB_MAP_FULL);
  CHECK(full.IsMapFull());
  CHECK(full.code() == Status::Code::kMapFull);
  CHECK(full.message().find(dir.Sub("s")) != std::string::npos);  // still names the store
  // The same words under another code are not a full map: Write returns them instead of growing.
  int runs = 0;
  Status s = env->Write([&](MDB_txn*) {
    ++runs;
    return Status::IOError(full.message());
  });
  CHECK(runs == 1);
  CHECK(s.code() == Status::Code::kIOError);
}

TEST_CASE("a write larger than the map grows it and runs the transaction again", "[lmdb_env]") {
  test::TempDir dir;
  auto env = OpenEnv(dir.Sub("s"), /*read_only=*/false, /*map_bytes=*/64 * 1024);
  int runs = 0;
  Status s = env->Write([&](MDB_txn* txn) {
    ++runs;
    for (int n = 0; n < 200; ++n) {
      std::string k = Key(n), v = Value(n, 4000);  // ~800 KB: many times the map
      MDB_val kv = ToVal(k), vv = ToVal(v);
      if (int rc = mdb_put(txn, env->tables().records, &kv, &vv, 0); rc != 0) return env->Check(rc);
    }
    return Status::OK();
  });
  REQUIRE(s.ok());
  CHECK(runs > 1);
  for (int n = 0; n < 200; n += 13) CHECK(Get(*env, n) == Value(n, 4000));
}

TEST_CASE("a reused read transaction adopts a map grown by another process", "[lmdb_env]") {
  test::TempDir dir;
  { REQUIRE(Put(*OpenEnv(dir.Sub("s"), false, 64 * 1024), 0, 10, 100).ok()); }
  auto reader = OpenEnv(dir.Sub("s"), /*read_only=*/true, 64 * 1024);
  for (int n = 0; n < 10; ++n) REQUIRE(Get(*reader, n) == Value(n, 100));  // the pool now holds a reset txn
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto writer = LmdbEnv::Open(dir.Sub("s"), true, false, false, 64 * 1024);
    if (!writer.ok()) _exit(2);
    for (int b = 0; b < 20; ++b) {
      if (!Put(**writer, 100 + b * 100, 200 + b * 100, 4000).ok()) _exit(3);  // ~8 MB: the map grows
    }
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  // Renewing the pooled transaction sees the bigger map (MDB_MAP_RESIZED); the read still succeeds.
  CHECK(Get(*reader, 2050) == Value(2050, 4000));
  CHECK(Get(*reader, 3) == Value(3, 100));
}

}  // namespace
}  // namespace ssm
