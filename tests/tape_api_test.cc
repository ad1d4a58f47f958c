// The tape browser's JSON API and pages (proxy/http/ui/) over a real temporary store: paging with a
// start-after cursor, CommandId prefix search, recorded text kept as text, the security headers, and
// the admin guard in front of it.
#include "proxy/http/ui/tape_api.h"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "proxy/http/admin_endpoints.h"
#include "proxy/http/metrics.h"
#include "proxy/http/ui/ui_endpoints.h"
#include "proxy/modes/replay_mode.h"
#include "proxy/replay/cursor_table.h"
#include "proxy/replay/session_registry.h"
#include "proxy/replay/tape_player.h"
#include "store/tape_store.h"
#include "test_util.h"

namespace ssm {
namespace {

constexpr char kHostile[] = "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\"> \"quoted\"\n\x01";

Interaction Poll(const std::string& status, const std::string& stdout_text, int64_t at_ms) {
  Interaction in;
  in.action = "GetCommandInvocation";
  in.request_body = "{\"CommandId\":\"c\",\"InstanceId\":\"i\"}";
  in.status = 200;
  in.headers = {{"Content-Type", "application/x-amz-json-1.1"}, {"x-amzn-RequestId", "r-1"}};
  in.response_body = nlohmann::json({{"Status", status}, {"StandardOutputContent", stdout_text},
                                     {"StandardErrorContent", ""}}).dump();
  in.recorded_at_ms = at_ms;
  in.upstream_latency_us = 42000;
  in.source = "test";
  return in;
}

httplib::Request Get(const std::string& path, std::vector<std::pair<std::string, std::string>> params = {}) {
  httplib::Request req;
  req.method = "GET";
  req.path = path;
  for (auto& [name, value] : params) req.params.emplace(name, value);
  return req;
}

std::string Header(const HttpResponse& response, const std::string& name) {
  for (const auto& [n, v] : response.headers) {
    if (n == name) return v;
  }
  return std::string();
}

// A store of 30 command tapes (c-00 ... c-29 on one instance, all Success) and one hostile tape.
struct BrowserFixture {
  BrowserFixture() {
    store = std::move(TapeStore::Open(dir.Sub("store")).value());
    WriteBatch batch;
    for (int i = 0; i < 30; ++i) {
      char id[8];
      snprintf(id, sizeof id, "c-%02d", i);
      TapeKey key = TapeKey::ForInvocation(id, "i-1", std::nullopt).value();
      batch.ReplaceTape(key, {Poll("InProgress", "", 1000), Poll("Success", "done\n", 2000)});
    }
    batch.ReplaceTape(hostile, {Poll("Failed", kHostile, 5000)});
    REQUIRE(store->Write(batch).ok());
    player = std::make_unique<StoreTapePlayer>(store.get(), 1 << 20, 0);
  }
  nlohmann::json Api(const httplib::Request& req, int want_status = 200) {
    HttpResponse response = AnswerTapeBrowser(req, {store.get(), &cursors, player.get()});
    INFO(response.body);
    REQUIRE(response.status == want_status);
    return nlohmann::json::parse(response.body);
  }

  test::TempDir dir;
  std::unique_ptr<TapeStore> store;
  CursorTable cursors;
  std::unique_ptr<StoreTapePlayer> player;
  TapeKey hostile = TapeKey::ForInvocation("x-hostile", "i-2", std::string("aws:runShellScript")).value();
};

TEST_CASE("tape list pages through the store with a start-after cursor, each tape once", "[ui]") {
  BrowserFixture f;
  std::vector<std::string> seen;
  std::string after;
  int pages = 0;
  do {
    nlohmann::json page = f.Api(Get("/__replay/api/tapes", {{"limit", "7"}, {"after", after}}));
    for (const auto& tape : page["tapes"]) seen.push_back(tape["commandId"]);
    REQUIRE(page["tapes"].size() <= 7);
    after = page["next"].is_null() ? "" : page["next"].get<std::string>();
    ++pages;
  } while (!after.empty() && pages < 20);
  CHECK(pages == 5);  // 31 tapes, 7 a page
  REQUIRE(seen.size() == 31);
  CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == 31);
  CHECK(std::is_sorted(seen.begin(), seen.end()));
}

TEST_CASE("tape list searches by CommandId prefix and filters by action", "[ui]") {
  BrowserFixture f;
  nlohmann::json page = f.Api(Get("/__replay/api/tapes", {{"prefix", "c-1"}}));
  REQUIRE(page["tapes"].size() == 10);
  CHECK(page["next"].is_null());
  const nlohmann::json& first = page["tapes"][0];
  CHECK(first["commandId"] == "c-10");
  CHECK(first["instanceId"] == "i-1");
  CHECK(first["plugin"].is_null());
  CHECK(first["action"] == "GetCommandInvocation");
  CHECK(first["interactions"] == 2);
  CHECK(first["finalStatus"] == "Success");
  CHECK(first["firstRecorded"] == "1970-01-01T00:00:01.000Z");
  CHECK(f.Api(Get("/__replay/api/tapes", {{"prefix", "c-1"}, {"limit", "3"}}))["next"] ==
        TapeId(TapeKey::ForInvocation("c-12", "i-1", std::nullopt).value()));
  CHECK(f.Api(Get("/__replay/api/tapes", {{"prefix", "nothing"}}))["tapes"].empty());
  CHECK(f.Api(Get("/__replay/api/tapes", {{"prefix", "c-1"}, {"action", "SendCommand"}}))["tapes"].empty());
  CHECK(f.Api(Get("/__replay/api/tapes", {{"action", "GetCommandInvocation"}, {"limit", "200"}}))["tapes"].size() == 31);
}

TEST_CASE("a tape's final status is its last answer's Status, Command.Status or error type", "[ui]") {
  BrowserFixture f;
  Interaction missing = Poll("", "", 1);
  missing.status = 400;
  missing.response_body = "{\"__type\":\"com.amazonaws.ssm#InvocationDoesNotExist\",\"message\":\"\\\"Status\\\":\\\"x\\\"\"}";
  Interaction sent = Poll("", "", 1);
  sent.action = "SendCommand";
  sent.response_body = "{\"Command\":{\"Comment\":\"Status\",\"Status\" : \"Pending\",\"StatusDetails\":\"Pending\"}}";
  Interaction odd = Poll("", "", 1);
  odd.status = 502;
  odd.response_body = "<html>Bad Gateway</html>";
  WriteBatch batch;
  batch.ReplaceTape(TapeKey::ForInvocation("d-1", "i-1", std::nullopt).value(), {missing});
  batch.ReplaceTape(TapeKey::ForAction("SendCommand", "{}").value(), {sent});
  batch.ReplaceTape(TapeKey::ForInvocation("d-2", "i-1", std::nullopt).value(), {odd});
  REQUIRE(f.store->Write(batch).ok());
  CHECK(f.Api(Get("/__replay/api/tapes", {{"prefix", "d-1"}}))["tapes"][0]["finalStatus"] == "InvocationDoesNotExist");
  CHECK(f.Api(Get("/__replay/api/tapes", {{"prefix", "d-2"}}))["tapes"][0]["finalStatus"] == "HTTP 502");
  nlohmann::json send = f.Api(Get("/__replay/api/tapes", {{"action", "SendCommand"}}))["tapes"];
  REQUIRE(send.size() == 1);
  CHECK(send[0]["finalStatus"] == "Pending");
  CHECK(send[0]["commandId"] == "");
}

TEST_CASE("tape list refuses bad paging parameters with AWS-shaped errors", "[ui]") {
  BrowserFixture f;
  for (const char* limit : {"0", "201", "-1", "ten", "99999999999999999999"}) {
    INFO(limit);
    CHECK(f.Api(Get("/__replay/api/tapes", {{"limit", limit}}), 400)["__type"] == "ValidationException");
  }
  for (const char* after : {"zz", "abc", "49"}) {
    INFO(after);
    CHECK(f.Api(Get("/__replay/api/tapes", {{"after", after}}), 400)["__type"] == "ValidationException");
  }
  CHECK(f.Api(Get("/__replay/api/tapes/" + TapeId(TapeKey::ForInvocation("no", "such", std::nullopt).value())), 404)
            ["__type"] == "NotFoundException");
  httplib::Request post = Get("/__replay/api/tapes");
  post.method = "POST";
  CHECK(f.Api(post, 405)["__type"] == "MethodNotAllowedException");
}

TEST_CASE("a tape shows every interaction with recorded strings kept exactly, as JSON text", "[ui]") {
  BrowserFixture f;
  HttpResponse response = AnswerTapeBrowser(Get("/__replay/api/tapes/" + TapeId(f.hostile)), {f.store.get(), &f.cursors, f.player.get()});
  REQUIRE(response.status == 200);
  CHECK(Header(response, "Content-Type") == "application/json");
  CHECK(Header(response, "X-Content-Type-Options") == "nosniff");
  CHECK(response.body.find('\x01') == std::string::npos);  // control characters are escaped
  nlohmann::json tape = nlohmann::json::parse(response.body);
  CHECK(tape["plugin"] == "aws:runShellScript");
  REQUIRE(tape["entries"].size() == 1);
  const nlohmann::json& entry = tape["entries"][0];
  CHECK(entry["stdout"] == kHostile);
  CHECK(entry["outcome"] == "Failed");
  CHECK(entry["latencyUs"] == 42000);
  CHECK(entry["recordedAt"] == "1970-01-01T00:00:05.000Z");
  CHECK(entry["response"]["headers"].size() == 2);
  CHECK(tape["cursors"][0]["session"] == "default");
}

TEST_CASE("a tape's answer leaves out credential-like headers even when a record holds them", "[ui]") {
  BrowserFixture f;
  Interaction in = Poll("Success", "", 1);
  in.headers.emplace_back("X-Amz-Security-Token", "token-value-1");
  in.headers.emplace_back("Set-Cookie", "cookie-value-2");
  // WriteBatch stores what it is given; the API must not trust that records were filtered.
  WriteBatch batch;
  TapeKey key = TapeKey::ForInvocation("c-headers", "i-1", std::nullopt).value();
  batch.ReplaceTape(key, {in});
  REQUIRE(f.store->Write(batch).ok());
  std::string body = AnswerTapeBrowser(Get("/__replay/api/tapes/" + TapeId(key)), {f.store.get(), &f.cursors, nullptr}).body;
  CHECK(body.find("token-value-1") == std::string::npos);
  CHECK(body.find("cookie-value-2") == std::string::npos);
  CHECK(body.find("x-amzn-RequestId") != std::string::npos);
}

TEST_CASE("a tape's cursor shows the calls made and resets from the API", "[ui]") {
  BrowserFixture f;
  TapeKey key = TapeKey::ForInvocation("c-03", "i-1", std::nullopt).value();
  std::string path = "/__replay/api/tapes/" + TapeId(key);
  f.cursors.Next(key, 2);
  f.cursors.Next(key, 2);
  f.cursors.Next(key, 2);
  nlohmann::json cursor = f.Api(Get(path))["cursors"][0];
  CHECK(cursor["calls"] == 3);
  CHECK(cursor["next"] == 1);  // past the end the last entry repeats
  httplib::Request reset = Get(path + "/reset");
  CHECK(f.Api(reset, 405)["__type"] == "MethodNotAllowedException");
  reset.method = "POST";
  CHECK(f.Api(reset)["had_cursor"] == true);
  CHECK(f.cursors.Calls(key) == 0);
  CHECK(f.Api(Get(path))["cursors"][0]["next"] == 0);
}

TEST_CASE("a tape shows each named session's cursor, and resets one session's alone", "[ui]") {
  BrowserFixture f;
  SessionRegistry sessions(SessionLimits{}, SessionSettings{});
  TapeBrowserParts parts{f.store.get(), &f.cursors, f.player.get(), &sessions};
  TapeKey key = TapeKey::ForInvocation("c-07", "i-1", std::nullopt).value();
  std::string path = "/__replay/api/tapes/" + TapeId(key);
  sessions.Use("ci-1").value()->Next(key, 2);
  sessions.Use("ci-2").value()->Next(key, 2);
  sessions.Use("ci-2").value()->Next(key, 2);
  sessions.Use("idle-elsewhere").value();  // no call on this tape: not listed
  nlohmann::json cursors = nlohmann::json::parse(AnswerTapeBrowser(Get(path), parts).body)["cursors"];
  REQUIRE(cursors.size() == 3);
  CHECK(cursors[0] == nlohmann::json({{"session", "default"}, {"calls", 0}, {"next", 0}}));
  std::map<std::string, uint64_t> calls;
  for (const auto& c : cursors) calls[c["session"]] = c["calls"];
  CHECK(calls == std::map<std::string, uint64_t>{{"default", 0}, {"ci-1", 1}, {"ci-2", 2}});
  httplib::Request reset = Get(path + "/reset", {{"Session", "ci-2"}});
  reset.method = "POST";
  HttpResponse answer = AnswerTapeBrowser(reset, parts);
  REQUIRE(answer.status == 200);
  CHECK(sessions.Find("ci-2")->Calls(key) == 0);
  CHECK(sessions.Find("ci-1")->Calls(key) == 1);
  reset.params = {{"Session", "no-such"}};
  CHECK(AnswerTapeBrowser(reset, parts).status == 404);
}

TEST_CASE("the page and its assets come from the binary with the security headers", "[ui]") {
  BrowserFixture f;
  for (const char* path : {"/__replay/ui", "/__replay/ui/", "/__replay/ui/index.html", "/__replay/ui/app.js",
                           "/__replay/ui/app.css"}) {
    INFO(path);
    HttpResponse response = AnswerTapeBrowser(Get(path), {f.store.get(), &f.cursors, nullptr});
    CHECK(response.status == 200);
    CHECK(!response.body.empty());
    CHECK(Header(response, "Content-Security-Policy") == kTapeBrowserCsp);
    CHECK(Header(response, "X-Content-Type-Options") == "nosniff");
  }
  HttpResponse page = AnswerTapeBrowser(Get("/__replay/ui/"), {f.store.get(), &f.cursors, nullptr});
  CHECK(Header(page, "Content-Type") == "text/html; charset=utf-8");
  CHECK(page.body.find("/__replay/ui/app.js") != std::string::npos);
  HttpResponse script = AnswerTapeBrowser(Get("/__replay/ui/app.js"), {f.store.get(), &f.cursors, nullptr});
  CHECK(Header(script, "Content-Type") == "text/javascript; charset=utf-8");
  for (const char* html_sink : {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("}) {
    INFO(html_sink);
    CHECK(script.body.find(html_sink) == std::string::npos);  // recorded text is never parsed as markup
  }
  CHECK(AnswerTapeBrowser(Get("/__replay/ui/../../etc/passwd"), {f.store.get(), &f.cursors, nullptr}).status == 404);
}

TEST_CASE("the browser is behind the admin guard", "[ui]") {
  BrowserFixture f;
  Metrics metrics;
  ReplayMode mode(f.player.get(), &f.cursors, ReplayOptions{});
  ServerParts parts;
  parts.mode = &mode;
  parts.metrics = &metrics;
  parts.cursors = &f.cursors;
  parts.player = f.player.get();
  parts.store = f.store.get();
  ServerOptions exposed;
  exposed.listen.host = "0.0.0.0";
  AdminEndpoints open_admin(parts, exposed);
  for (const char* path : {"/__replay/ui/", "/__replay/api/tapes"}) {
    INFO(path);
    CHECK(open_admin.Handle(Get(path)).response.status == 403);
  }
  ServerOptions with_token = exposed;
  with_token.admin_token = "t0ken";
  AdminEndpoints guarded(parts, with_token);
  httplib::Request req = Get("/__replay/api/tapes");
  CHECK(guarded.Handle(req).response.status == 403);
  req.headers.emplace("X-Replay-Admin-Token", "t0ken");
  AdminEndpoints::Answer answer = guarded.Handle(req);
  CHECK(answer.response.status == 200);
  CHECK(nlohmann::json::parse(answer.response.body)["tapes"].size() == 31);
  AdminEndpoints loopback(parts, ServerOptions{});
  CHECK(loopback.Handle(Get("/__replay/ui/")).response.status == 200);
}

}  // namespace
}  // namespace ssm
