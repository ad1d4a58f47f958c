#include "tools/filter_options.h"

#include <catch2/catch.hpp>

#include "store/tape_store.h"
#include "test_util.h"

namespace ssm {
namespace {

TEST_CASE("filter flags: prefix, instance, action and a recorded-time window", "[filter_options]") {
  FilterOptions o;
  o.command_id = "16ea0b";
  o.instance_id = "i-08b0130f3ddd5f444";
  o.action = "GetCommandInvocation";
  o.since = "2026-10-14T09:12:03Z";
  o.until = "2026-10-14T09:12:04.500Z";
  Result<TapeFilter> f = o.Filter();
  REQUIRE(f.ok());
  CHECK(f->command_id == std::optional<std::string>("16ea0b"));
  CHECK(f->command_id_is_prefix);
  CHECK(f->instance_id == std::optional<std::string>("i-08b0130f3ddd5f444"));
  CHECK(f->action == std::optional<std::string>("GetCommandInvocation"));
  CHECK(f->recorded_since_ms == std::optional<int64_t>(1791969123000));
  CHECK(f->recorded_until_ms == std::optional<int64_t>(1791969124500));

  Result<TapeFilter> none = FilterOptions{}.Filter();
  REQUIRE(none.ok());
  CHECK_FALSE(none->command_id);
  CHECK_FALSE(none->action);
  CHECK_FALSE(none->recorded_since_ms);
}

TEST_CASE("filter flags: an unknown action names the nearest and the valid ones", "[filter_options]") {
  FilterOptions o;
  o.action = "SendComand";
  Result<TapeFilter> f = o.Filter();
  REQUIRE_FALSE(f.ok());
  const std::string& m = f.status().message();
  INFO(m);
  CHECK(m.find("--action 'SendComand' is not an SSM action") != std::string::npos);
  CHECK(m.find("Did you mean SendCommand") != std::string::npos);
  CHECK(m.find("ListCommandInvocations") != std::string::npos);
  CHECK(m.find("GetCommandInvocation") != std::string::npos);
}

TEST_CASE("filter flags: bad or reversed times are errors saying the form", "[filter_options]") {
  FilterOptions bad;
  bad.since = "yesterday";
  Result<TapeFilter> f = bad.Filter();
  REQUIRE_FALSE(f.ok());
  CHECK(f.status().message().find("--since 'yesterday'") != std::string::npos);
  CHECK(f.status().message().find("YYYY-MM-DDTHH:MM:SSZ") != std::string::npos);

  FilterOptions local;
  local.until = "2026-10-14T09:12:03+02:00";  // not UTC
  CHECK_FALSE(local.Filter().ok());

  FilterOptions reversed;
  reversed.since = "2026-10-14T10:00:00Z";
  reversed.until = "2026-10-14T09:00:00Z";
  Result<TapeFilter> r = reversed.Filter();
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("is after --until") != std::string::npos);
}

TEST_CASE("a store lists tapes by CommandId prefix and by recorded-time window", "[filter_options]") {
  test::TempDir dir;
  auto store = TapeStore::Open(dir.Sub("store")).value();
  auto put = [&](const std::string& command, int64_t first_ms, int64_t last_ms) {
    Interaction a, b;
    a.action = b.action = "GetCommandInvocation";
    a.status = b.status = 200;
    a.recorded_at_ms = first_ms;
    b.recorded_at_ms = last_ms;
    WriteBatch batch;
    batch.ReplaceTape(TapeKey::ForInvocation(command, "i-08b0130f3ddd5f444", std::nullopt).value(), {a, b});
    REQUIRE(store->Write(batch).ok());
  };
  put("aaaa-1", 1000, 2000);
  put("aaaa-2", 3000, 4000);
  put("aaab-1", 5000, 6000);
  auto commands = [&](const TapeFilter& filter) {
    Result<std::vector<TapeInfo>> tapes = store->ListTapes(filter);
    REQUIRE(tapes.ok());
    std::vector<std::string> out;
    for (const TapeInfo& t : *tapes) out.push_back(t.key.command_id());
    return out;
  };
  TapeFilter prefix;
  prefix.command_id = "aaaa";
  prefix.command_id_is_prefix = true;
  CHECK(commands(prefix) == std::vector<std::string>{"aaaa-1", "aaaa-2"});
  prefix.command_id_is_prefix = false;
  CHECK(commands(prefix).empty());  // without the flag a CommandId matches itself only

  TapeFilter window;
  window.recorded_since_ms = 2000;  // aaaa-1's last interaction: still in
  window.recorded_until_ms = 3500;  // during aaaa-2
  CHECK(commands(window) == std::vector<std::string>{"aaaa-1", "aaaa-2"});
  window.recorded_since_ms = 2001;
  CHECK(commands(window) == std::vector<std::string>{"aaaa-2"});
  TapeFilter late;
  late.recorded_since_ms = 6001;
  CHECK(commands(late).empty());
}

}  // namespace
}  // namespace ssm
