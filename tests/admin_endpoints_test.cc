#include "proxy/http/admin_endpoints.h"

#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "proxy/http/metrics.h"
#include "proxy/modes/replay_mode.h"
#include "proxy/replay/cursor_table.h"
#include "proxy/replay/tape_player.h"
#include "proxy/ssm/request_parser.h"
#include "store/tape_store.h"
#include "test_util.h"

namespace ssm {
namespace {

constexpr char kCommand[] = "16ea0bfb-5cdb-4254-873d-021a57c8ab3a";
constexpr char kInstance[] = "i-08b0130f3ddd5f444";

Interaction Entry(const std::string& status) {
  Interaction in;
  in.action = "GetCommandInvocation";
  in.status = 200;
  in.headers = {{"Content-Type", "application/x-amz-json-1.1"}};
  in.response_body = "{\"Status\":\"" + status + "\"}";
  in.source = "test";
  return in;
}

httplib::Request AdminRequest(const std::string& method, const std::string& path,
                              std::vector<std::pair<std::string, std::string>> params = {}) {
  httplib::Request req;
  req.method = method;
  req.path = path;
  for (auto& [name, value] : params) req.params.emplace(name, value);
  return req;
}

// A replay server's parts over a real store, without the HTTP around them.
struct ReplayParts {
  ReplayParts() {
    store = std::move(TapeStore::Open(dir.Sub("store"), StoreOptions{}).value());
    player = std::make_unique<StoreTapePlayer>(store.get(), 1 << 20, 0);
    mode = std::make_unique<ReplayMode>(player.get(), &cursors, ReplayOptions{});
    admin = std::make_unique<AdminEndpoints>(ServerParts{mode.get(), &metrics, &cursors, player.get()},
                                             ServerOptions{});
  }
  void PutTape(const std::string& status) {
    WriteBatch batch;
    batch.ReplaceTape(key, {Entry(status)});
    REQUIRE(store->Write(batch).ok());
  }
  // The Status the tape's next answer carries.
  std::string Call() {
    std::string body = std::string("{\"CommandId\":\"") + kCommand + "\",\"InstanceId\":\"" + kInstance + "\"}";
    ParsedRequest parsed =
        ParseSsmRequest("POST", "/", {{"X-Amz-Target", "AmazonSSM.GetCommandInvocation"}}, body);
    REQUIRE(parsed.ok());
    ModeAnswer answer = mode->Handle(*parsed.request);
    REQUIRE(answer.outcome == Outcome::kHit);
    return nlohmann::json::parse(answer.response.body)["Status"];
  }

  test::TempDir dir;
  std::unique_ptr<TapeStore> store;
  Metrics metrics;
  CursorTable cursors;
  std::unique_ptr<StoreTapePlayer> player;
  std::unique_ptr<ReplayMode> mode;
  std::unique_ptr<AdminEndpoints> admin;
  TapeKey key = TapeKey::ForInvocation(kCommand, kInstance, std::nullopt).value();
};

TEST_CASE("every kind of reset makes the next call read a tape changed in the store", "[admin]") {
  using Params = std::vector<std::pair<std::string, std::string>>;
  const std::vector<std::pair<const char*, Params>> resets = {
      {"all", {}},
      {"one command", {{"CommandId", kCommand}}},
      {"one tape", {{"CommandId", kCommand}, {"InstanceId", kInstance}}},
  };
  for (const auto& [name, params] : resets) {
    SECTION(name) {
      ReplayParts parts;
      parts.PutTape("Pending");
      CHECK(parts.Call() == "Pending");
      parts.PutTape("Success");  // same length: the player cannot tell the cached copy is stale
      REQUIRE(parts.Call() == "Pending");  // the cached copy answered: what the reset must drop
      AdminEndpoints::Answer reset = parts.admin->Handle(AdminRequest("POST", "/__replay/reset", params));
      REQUIRE(reset.response.status == 200);
      CHECK(parts.Call() == "Success");
    }
  }
}

TEST_CASE("a reset by CommandId says how many cursors it rewound", "[admin]") {
  ReplayParts parts;
  parts.PutTape("Pending");
  parts.Call();
  AdminEndpoints::Answer reset =
      parts.admin->Handle(AdminRequest("POST", "/__replay/reset", {{"CommandId", kCommand}}));
  nlohmann::json body = nlohmann::json::parse(reset.response.body);
  CHECK(body["reset"] == std::string("CommandId ") + kCommand);
  CHECK(body["cursors"] == 1);
  CHECK(parts.cursors.Calls(parts.key) == 0);
}

TEST_CASE("admin endpoints answer errors AWS-shaped and check the method", "[admin]") {
  ReplayParts parts;
  AdminEndpoints::Answer health = parts.admin->Handle(AdminRequest("GET", "/__replay/health"));
  CHECK(health.response.status == 200);
  CHECK(nlohmann::json::parse(health.response.body)["mode"] == "replay");

  AdminEndpoints::Answer wrong = parts.admin->Handle(AdminRequest("GET", "/__replay/reset"));
  CHECK(wrong.response.status == 405);
  CHECK(wrong.outcome == Outcome::kError);
  AdminEndpoints::Answer unknown = parts.admin->Handle(AdminRequest("GET", "/__replay/nope"));
  CHECK(unknown.response.status == 404);
  AdminEndpoints::Answer bad =
      parts.admin->Handle(AdminRequest("POST", "/__replay/reset", {{"InstanceId", kInstance}}));
  CHECK(bad.response.status == 400);
}

TEST_CASE("with an admin token, a call without it is refused", "[admin]") {
  ReplayParts parts;
  ServerOptions options;
  options.admin_token = "s3cret";
  AdminEndpoints guarded(ServerParts{parts.mode.get(), &parts.metrics, &parts.cursors, parts.player.get()}, options);
  CHECK(guarded.Handle(AdminRequest("GET", "/__replay/health")).response.status == 403);
  httplib::Request with_token = AdminRequest("GET", "/__replay/health");
  with_token.headers.emplace("X-Replay-Admin-Token", "s3cret");
  CHECK(guarded.Handle(with_token).response.status == 200);
  httplib::Request bearer = AdminRequest("GET", "/__replay/health");
  bearer.headers.emplace("Authorization", "Bearer s3cret");
  CHECK(guarded.Handle(bearer).response.status == 200);
}

}  // namespace
}  // namespace ssm
