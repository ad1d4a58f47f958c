#include "proxy/http/admin_endpoints.h"

#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "proxy/http/metrics.h"
#include "proxy/modes/replay_mode.h"
#include "proxy/replay/cursor_table.h"
#include "proxy/replay/session_registry.h"
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
                              std::vector<std::pair<std::string, std::string>> params = {},
                              const std::string& body = "") {
  httplib::Request req;
  req.method = method;
  req.path = path;
  req.body = body;
  for (auto& [name, value] : params) req.params.emplace(name, value);
  return req;
}

// A replay server's parts over a real store, with named sessions (at most `max_sessions`), without the
// HTTP around them.
struct ReplayParts {
  explicit ReplayParts(size_t max_sessions = 100) {
    store = std::move(TapeStore::Open(dir.Sub("store"), StoreOptions{}).value());
    player = std::make_unique<StoreTapePlayer>(store.get(), 1 << 20, 0);
    SessionLimits limits;
    limits.max_sessions = max_sessions;
    sessions = std::make_unique<SessionRegistry>(limits, SessionSettings{});
    mode = std::make_unique<ReplayMode>(player.get(), &cursors, ReplayOptions{}, sessions.get());
    admin = std::make_unique<AdminEndpoints>(
        ServerParts{mode.get(), &metrics, &cursors, player.get(), sessions.get(), nullptr, store.get()},
        ServerOptions{});
  }
  void PutTape(const std::vector<std::string>& statuses) {
    std::vector<Interaction> entries;
    for (const std::string& status : statuses) entries.push_back(Entry(status));
    WriteBatch batch;
    batch.ReplaceTape(key, entries);
    REQUIRE(store->Write(batch).ok());
  }
  void PutTape(const std::string& status) { PutTape(std::vector<std::string>{status}); }
  // The Status the tape's next answer in `session` carries (or its error type).
  std::string Call(const std::string& session = "") {
    std::string body = std::string("{\"CommandId\":\"") + kCommand + "\",\"InstanceId\":\"" + kInstance + "\"}";
    HeaderList headers = {{"X-Amz-Target", "AmazonSSM.GetCommandInvocation"}};
    if (!session.empty()) headers.emplace_back("X-Ssm-Replay-Session", session);
    ParsedRequest parsed = ParseSsmRequest("POST", "/", headers, body);
    REQUIRE(parsed.ok());
    nlohmann::json answer = nlohmann::json::parse(mode->Handle(*parsed.request).response.body);
    return answer.contains("Status") ? answer["Status"] : answer["__type"];
  }
  // The JSON answer to `req`, checking its status.
  nlohmann::json Json(const httplib::Request& req, int status = 200) {
    AdminAnswer answer = admin->Handle(req);
    INFO(answer.response.body);
    CHECK(answer.response.status == status);
    return nlohmann::json::parse(answer.response.body);
  }

  test::TempDir dir;
  std::unique_ptr<TapeStore> store;
  Metrics metrics;
  CursorTable cursors;
  std::unique_ptr<SessionRegistry> sessions;
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

TEST_CASE("a reset by CommandId rewinds every tape of that command in the store, and no other", "[admin]") {
  ReplayParts parts;
  const TapeKey plugin = TapeKey::ForInvocation(kCommand, kInstance, std::string("aws:runShellScript")).value();
  const TapeKey other_instance = TapeKey::ForInvocation(kCommand, "i-0e854fd6a57f2b03b", std::nullopt).value();
  const TapeKey other_command =
      TapeKey::ForInvocation("469a0bdb-7bff-40fd-8698-2e22e4f0e7e8", kInstance, std::nullopt).value();
  WriteBatch batch;
  for (const TapeKey* k : std::initializer_list<const TapeKey*>{&parts.key, &plugin, &other_instance, &other_command}) {
    batch.ReplaceTape(*k, {Entry("Pending"), Entry("Success")});
    parts.cursors.Next(*k, 2);
  }
  REQUIRE(parts.store->Write(batch).ok());
  CHECK(parts.Json(AdminRequest("POST", "/__replay/reset", {{"CommandId", kCommand}}))["cursors"] == 3);
  CHECK(parts.cursors.Calls(parts.key) == 0);
  CHECK(parts.cursors.Calls(plugin) == 0);
  CHECK(parts.cursors.Calls(other_instance) == 0);
  CHECK(parts.cursors.Calls(other_command) == 1);
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

TEST_CASE("sessions are listed with their cursors, calls and settings", "[admin][session]") {
  ReplayParts parts;
  parts.PutTape({"Pending", "InProgress", "Success"});
  CHECK(parts.Json(AdminRequest("GET", "/__replay/sessions")) == nlohmann::json::parse(R"({"sessions":[],"live":0})"));
  parts.Call("t1");
  parts.Call("t1");
  parts.Call("t2");
  nlohmann::json listed = parts.Json(AdminRequest("GET", "/__replay/sessions"));
  CHECK(listed["live"] == 2);
  REQUIRE(listed["sessions"].size() == 2);
  const nlohmann::json& t1 = listed["sessions"][0];
  CHECK(t1["name"] == "t1");
  CHECK(t1["calls"] == 2);
  CHECK(t1["cursors"] == 1);
  CHECK(t1["polls"] == "recorded");
  CHECK(t1["shiftTimes"] == false);
  CHECK(t1["lastUse"].get<std::string>().back() == 'Z');
  CHECK(t1["started"].get<std::string>().size() == 24);
  CHECK(parts.Json(AdminRequest("GET", "/__replay/sessions/t2"))["calls"] == 1);
  CHECK(parts.Json(AdminRequest("GET", "/__replay/health"))["sessions"] == 2);
}

TEST_CASE("reset and delete of one session leave the others and the default where they were", "[admin][session]") {
  ReplayParts parts;
  parts.PutTape({"Pending", "InProgress", "Success"});
  CHECK(parts.Call("a") == "Pending");
  CHECK(parts.Call("a") == "InProgress");
  CHECK(parts.Call("b") == "Pending");
  CHECK(parts.Call() == "Pending");
  CHECK(parts.Json(AdminRequest("POST", "/__replay/sessions/a/reset")) ==
        nlohmann::json::parse(R"({"session":"a","reset":1})"));
  CHECK(parts.Call("a") == "Pending");
  CHECK(parts.Call("b") == "InProgress");
  CHECK(parts.Call() == "InProgress");

  CHECK(parts.Json(AdminRequest("POST", "/__replay/reset", {{"Session", "b"}}))["cursors"] == 1);
  CHECK(parts.Call("b") == "Pending");
  CHECK(parts.Call("a") == "InProgress");
  CHECK(parts.Call() == "Success");

  CHECK(parts.Json(AdminRequest("DELETE", "/__replay/sessions/a")) ==
        nlohmann::json::parse(R"({"session":"a","deleted":true})"));
  CHECK(parts.Json(AdminRequest("DELETE", "/__replay/sessions/a"), 404)["__type"] == "ResourceNotFoundException");
  CHECK(parts.Json(AdminRequest("POST", "/__replay/sessions/a/reset"), 404)["__type"] == "ResourceNotFoundException");
  CHECK(parts.Call("b") == "InProgress");
  CHECK(parts.Call("a") == "Pending");  // started again

  CHECK(parts.Json(AdminRequest("POST", "/__replay/sessions/default/reset"))["session"] == "default");
  CHECK(parts.Call() == "Pending");
  CHECK(parts.Call("b") == "Success");
}

TEST_CASE("POST /__replay/sessions creates or configures a session", "[admin][session]") {
  ReplayParts parts;
  parts.PutTape({"Pending", "InProgress", "Success"});
  CHECK(parts.Json(AdminRequest("POST", "/__replay/sessions", {}, R"({"name":"t1","polls":"final"})")) ==
        nlohmann::json::parse(R"({"name":"t1","polls":"final","shiftTimes":false})"));
  CHECK(parts.Json(AdminRequest("POST", "/__replay/sessions", {}, R"({"name":"t1","shiftTimes":true})")) ==
        nlohmann::json::parse(R"({"name":"t1","polls":"final","shiftTimes":true})"));
  CHECK(parts.sessions->Find("t1")->settings().polls == PollPolicy::kFinal);
  for (const char* bad : {R"({"polls":"final"})", R"({"name":"a b"})", R"({"name":"t","polls":"fast"})",
                          R"({"name":"t","shiftTimes":"yes"})", R"({"name":"t","speed":1})", "[1]", "{",
                          R"({"name":"default","polls":"final"})"}) {
    INFO(bad);
    CHECK(parts.Json(AdminRequest("POST", "/__replay/sessions", {}, bad), 400)["__type"] == "ValidationException");
  }
  CHECK(parts.Json(AdminRequest("GET", "/__replay/sessions"))["live"] == 1);
}

TEST_CASE("session endpoints refuse bad names, methods and verbs AWS-shaped", "[admin][session]") {
  ReplayParts parts;
  parts.PutTape({"Pending", "InProgress", "Success"});
  parts.Call("a");
  CHECK(parts.Json(AdminRequest("POST", "/__replay/sessions/a%20b/reset"), 400)["__type"] == "ValidationException");
  CHECK(parts.Json(AdminRequest("POST", "/__replay/reset", {{"Session", "a b"}}), 400)["__type"] ==
        "ValidationException");
  CHECK(parts.Json(AdminRequest("POST", "/__replay/reset", {{"Session", "nope"}}), 404)["__type"] ==
        "ResourceNotFoundException");
  CHECK(parts.Json(AdminRequest("GET", "/__replay/sessions/a/reset"), 405)["__type"] == "MethodNotAllowedException");
  CHECK(parts.Json(AdminRequest("PUT", "/__replay/sessions"), 405)["__type"] == "MethodNotAllowedException");
  CHECK(parts.Json(AdminRequest("POST", "/__replay/sessions/a/rewind"), 404)["__type"] == "NotFoundException");
  CHECK(parts.Json(AdminRequest("DELETE", "/__replay/sessions/default"), 400)["__type"] == "ValidationException");
  // Replay mode records nothing: discard is refused.
  CHECK(parts.Json(AdminRequest("POST", "/__replay/sessions/a/discard"), 400)["__type"] == "BadRequestException");
}

TEST_CASE("beyond max-sessions a new session gets 429 ThrottlingException; the others go on", "[admin][session]") {
  ReplayParts parts(2);
  parts.PutTape({"Pending", "InProgress", "Success"});
  CHECK(parts.Call("a") == "Pending");
  CHECK(parts.Call("b") == "Pending");
  CHECK(parts.Call("c") == "ThrottlingException");
  CHECK(parts.Call("a") == "InProgress");
  CHECK(parts.Call() == "Pending");
  CHECK(parts.Json(AdminRequest("POST", "/__replay/sessions", {}, R"({"name":"c"})"), 429)["__type"] ==
        "ThrottlingException");
  std::string metrics = parts.admin->Handle(AdminRequest("GET", "/__replay/metrics")).response.body;
  CHECK(metrics.find("ssm_replay_sessions_live 2\n") != std::string::npos);
  CHECK(metrics.find("ssm_replay_sessions_started_total 2\n") != std::string::npos);
  CHECK(metrics.find("ssm_replay_sessions_expired_total 0\n") != std::string::npos);
}

TEST_CASE("discard deletes exactly the tapes the session recorded on", "[admin][session]") {
  ReplayParts parts;
  parts.PutTape({"Pending", "InProgress", "Success"});
  TapeKey other = TapeKey::ForInvocation(kCommand, "i-0000000000000000a", std::nullopt).value();
  WriteBatch batch;
  batch.ReplaceTape(other, {Entry("Success")});
  REQUIRE(parts.store->Write(batch).ok());
  ServerParts recording{parts.mode.get(), &parts.metrics, &parts.cursors, parts.player.get(), parts.sessions.get(),
                        parts.store.get()};
  AdminEndpoints admin(recording, ServerOptions{});
  parts.sessions->Use("rec").value()->NoteWritten(parts.key);
  parts.sessions->Use("keep").value()->NoteWritten(other);

  AdminAnswer answer = admin.Handle(AdminRequest("POST", "/__replay/sessions/rec/discard"));
  CHECK(nlohmann::json::parse(answer.response.body) == nlohmann::json::parse(R"({"session":"rec","discarded":1})"));
  CHECK(parts.store->ReadTape(parts.key).status().IsNotFound());
  CHECK(parts.store->ReadTape(other).ok());
  CHECK(parts.Call("rec") == "ReplayMissException");  // the cache forgot it too
  answer = admin.Handle(AdminRequest("POST", "/__replay/sessions/rec/discard"));
  CHECK(nlohmann::json::parse(answer.response.body)["discarded"] == 0);
  CHECK(admin.Handle(AdminRequest("POST", "/__replay/sessions/default/discard")).response.status == 400);
  CHECK(admin.Handle(AdminRequest("POST", "/__replay/sessions/gone/discard")).response.status == 404);
}

}  // namespace
}  // namespace ssm
