// store/compact_in_place.h: a store rewritten in key order in its own directory only when no other
// process has it open, and whole (old or new) whichever step the process dies at; and
// TapeStore::KeyOrderedBytes, the estimate that decides it.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "store/compact_in_place.h"
#include "store/tape_store.h"
#include "tests/test_util.h"

namespace ssm {
namespace {

constexpr int kTapes = 3000;

TapeKey Key(int n) {
  return *TapeKey::ForInvocation("cmd-" + std::to_string(n % 101), "i-" + std::to_string(n), std::nullopt);
}

Interaction Answer(int n) {
  Interaction i;
  i.action = kGetCommandInvocation;
  i.request_body = "{\"n\":" + std::to_string(n) + "}";
  i.status = 200;
  i.response_body = "{\"Status\":\"Success\",\"StandardOutputContent\":\"" + std::string(100 + n % 300, 'x') + "\"}";
  i.recorded_at_ms = 1700000000000 + n;
  i.source = "test";
  return i;
}

std::unique_ptr<TapeStore> Open(const std::string& dir, bool read_only = false) {
  StoreOptions options;
  options.sync = false;
  options.read_only = read_only;
  options.auto_dictionary_records = 0;
  auto store = TapeStore::Open(dir, options);
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return std::move(store).value();
}

uint64_t FileBytes(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

// A store whose tapes were written one a transaction in scattered key order: pages split in halves.
void WriteScattered(const std::string& dir) {
  auto store = Open(dir);
  for (int i = 0; i < kTapes; ++i) {
    int n = (i * 7919) % kTapes;
    WriteBatch batch;
    batch.ReplaceTape(Key(n), {Answer(n)});
    REQUIRE(store->Write(batch).ok());
  }
}

void CheckWhole(const std::string& dir) {
  auto store = Open(dir);
  for (int n = 0; n < kTapes; ++n) {
    auto tape = store->ReadTape(Key(n));
    REQUIRE(tape.ok());
    REQUIRE(tape->interactions.size() == 1);
    REQUIRE(tape->interactions[0] == Answer(n));
  }
  auto bad = store->Verify([](const std::string&, const Status&) {});
  REQUIRE(bad.ok());
  CHECK(*bad == 0);
}

// Runs CompactInPlace in a child process that dies (_exit) right after step `step`; the child's exit
// code is 0 only when it got there.
void CompactAndDieAfter(const std::string& dir, const std::string& step) {
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    StoreOptions options;
    options.auto_dictionary_records = 0;
    auto store = TapeStore::Open(dir, options);
    if (!store.ok()) _exit(2);
    (void)CompactInPlace(std::move(store).value(), [&](std::string_view s) {
      if (s == step) _exit(0);
    });
    _exit(3);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
}

TEST_CASE("KeyOrderedBytes estimates the size of the key-ordered copy", "[compact_in_place]") {
  test::TempDir dir;
  WriteScattered(dir.Sub("s"));
  auto store = Open(dir.Sub("s"));
  auto estimate = store->KeyOrderedBytes();
  REQUIRE(estimate.ok());
  REQUIRE(store->CopyCompact(dir.Sub("copy")).ok());
  uint64_t copy = FileBytes(dir.Sub("copy") + "/data.mdb");
  INFO("estimate " << *estimate << ", copy " << copy << ", scattered " << FileBytes(dir.Sub("s") + "/data.mdb"));
  CHECK(*estimate > copy * 9 / 10);
  CHECK(*estimate < copy * 11 / 10);
  CHECK(WorthCompacting(FileBytes(dir.Sub("s") + "/data.mdb"), *estimate));
  CHECK_FALSE(WorthCompacting(copy, *estimate));
}

TEST_CASE("a store written in scattered order is rewritten in place, smaller and whole", "[compact_in_place]") {
  test::TempDir dir;
  WriteScattered(dir.Sub("s"));
  auto result = CompactInPlace(Open(dir.Sub("s")));
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  CHECK(result->rewritten);
  CHECK(result->bytes_after < result->bytes_before * 3 / 4);
  CHECK(result->bytes_after == FileBytes(dir.Sub("s") + "/data.mdb"));
  CHECK(FileBytes(dir.Sub("s") + "/compacting/data.mdb") == 0);
  CheckWhole(dir.Sub("s"));
  // Written to after the swap, by this process and then another.
  {
    auto store = Open(dir.Sub("s"));
    WriteBatch batch;
    batch.Append(Key(0), Answer(1));
    REQUIRE(store->Write(batch).ok());
    REQUIRE(store->ReadTape(Key(0))->interactions.size() == 2);
  }
}

TEST_CASE("a store another process has open is left as it is, and says why", "[compact_in_place]") {
  test::TempDir dir;
  WriteScattered(dir.Sub("s"));
  uint64_t before = FileBytes(dir.Sub("s") + "/data.mdb");
  int opened[2], release[2];
  REQUIRE(pipe(opened) == 0);
  REQUIRE(pipe(release) == 0);
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    StoreOptions options;
    options.read_only = true;
    auto reader = TapeStore::Open(dir.Sub("s"), options);
    char c = reader.ok() ? 'y' : 'n';
    if (write(opened[1], &c, 1) != 1) _exit(2);
    if (read(release[0], &c, 1) != 1) _exit(3);
    _exit(0);
  }
  char c = 0;
  REQUIRE(read(opened[0], &c, 1) == 1);  // the child has the store open
  REQUIRE(c == 'y');
  auto result = CompactInPlace(Open(dir.Sub("s")));
  REQUIRE(write(release[1], &c, 1) == 1);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(result.ok());
  CHECK_FALSE(result->rewritten);
  CHECK_THAT(result->not_rewritten_because, Catch::Contains("another process has the store open"));
  CHECK(FileBytes(dir.Sub("s") + "/data.mdb") == before);
  CheckWhole(dir.Sub("s"));
  for (int fd : {opened[0], opened[1], release[0], release[1]}) close(fd);
}

// Appends Answer(kTapes) to Key(0) from a child process; its exit code is 0 once written.
pid_t AppendFromChild(const std::string& dir) {
  pid_t child = fork();
  if (child == 0) {
    StoreOptions options;
    options.auto_dictionary_records = 0;
    auto store = TapeStore::Open(dir, options);
    if (!store.ok()) _exit(2);
    WriteBatch batch;
    batch.Append(Key(0), Answer(kTapes));
    _exit((*store)->Write(batch).ok() ? 0 : 3);
  }
  return child;
}

TEST_CASE("a write from another process while the copy is swapped in is kept", "[compact_in_place]") {
  test::TempDir dir;
  WriteScattered(dir.Sub("s"));
  pid_t writer = -1;
  auto result = CompactInPlace(Open(dir.Sub("s")), [&](std::string_view step) {
    if (step != "copied") return;
    // Between the copy and the swap: another process opens the store and writes. It may not get in
    // before the swap (the rewrite holds the store), so it is given a bounded time, not waited for.
    writer = AppendFromChild(dir.Sub("s"));
    int status = 0;
    for (int i = 0; i < 50 && waitpid(writer, &status, WNOHANG) == 0; ++i) usleep(10000);
  });
  REQUIRE(writer > 0);
  int status = 0;
  waitpid(writer, &status, 0);  // already reaped (-1) when it finished within the hook
  REQUIRE(result.ok());
  auto store = Open(dir.Sub("s"));
  auto tape = store->ReadTape(Key(0));
  REQUIRE(tape.ok());
  REQUIRE(tape->interactions.size() == 2);  // the other process's write survived the swap
  CHECK(tape->interactions[1] == Answer(kTapes));
}

TEST_CASE("a process that dies at any step of the rewrite leaves the store whole", "[compact_in_place]") {
  const std::string step = GENERATE(as<std::string>{}, "locked", "copied", "swapped");
  test::TempDir dir;
  WriteScattered(dir.Sub("s"));
  uint64_t before = FileBytes(dir.Sub("s") + "/data.mdb");
  CompactAndDieAfter(dir.Sub("s"), step);
  INFO("died after " << step);
  CheckWhole(dir.Sub("s"));
  uint64_t after = FileBytes(dir.Sub("s") + "/data.mdb");
  if (step == "swapped") {
    CHECK(after < before * 3 / 4);
  } else {
    CHECK(after == before);
    // The next rewrite removes what the dead one left and completes.
    auto result = CompactInPlace(Open(dir.Sub("s")));
    REQUIRE(result.ok());
    CHECK(result->rewritten);
    CHECK(FileBytes(dir.Sub("s") + "/compacting/data.mdb") == 0);
    CheckWhole(dir.Sub("s"));
  }
}

}  // namespace
}  // namespace ssm
