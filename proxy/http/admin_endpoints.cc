#include "proxy/http/admin_endpoints.h"

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "proxy/http/ui/ui_endpoints.h"
#include "proxy/replay/cursor_table.h"
#include "proxy/replay/tape_player.h"
#include "proxy/ssm/aws_error.h"
#include "proxy/ssm/session_name.h"
#include "proxy/replay/session_registry.h"
#include "store/canonical_json.h"
#include "store/tape_store.h"

namespace ssm {
namespace {

using Answer = AdminEndpoints::Answer;

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

// The token a call carries: X-Replay-Admin-Token, or "Authorization: Bearer <token>".
std::string GivenToken(const httplib::Request& req) {
  std::string given = req.get_header_value("X-Replay-Admin-Token");
  std::string auth = req.get_header_value("Authorization");
  if (given.empty() && auth.compare(0, 7, "Bearer ") == 0) given = auth.substr(7);
  return given;
}

std::optional<std::string> Param(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::nullopt;
  return req.get_param_value(name);
}

// The query parameters of POST /__replay/reset.
struct ResetParams {
  std::optional<std::string> command_id, instance_id, plugin, action, request;

  explicit ResetParams(const httplib::Request& req)
      : command_id(Param(req, "CommandId")),
        instance_id(Param(req, "InstanceId")),
        plugin(Param(req, "PluginName")),
        action(Param(req, "Action")),
        request(Param(req, "Request")) {}

  bool all() const { return !command_id && !instance_id && !plugin && !action; }
  bool one_command() const { return command_id && !instance_id && !plugin && !action; }
  bool one_invocation() const { return command_id && instance_id && !action; }
  bool one_action() const { return action && request && !command_id && !instance_id && !plugin; }
};

}  // namespace

bool IsAdminPath(const std::string& path) {
  return path.compare(0, sizeof kAdminPathPrefix - 1, kAdminPathPrefix) == 0;
}

AdminEndpoints::AdminEndpoints(const ServerParts& parts, const ServerOptions& options)
    : parts_(parts), options_(options), sessions_(parts) {}

Answer AdminEndpoints::Handle(const httplib::Request& req) const {
  if (std::optional<Answer> refused = CheckAccess(req)) return std::move(*refused);
  if (req.path == "/__replay/health") return Health(req);
  if (req.path == "/__replay/metrics") return Metrics(req);
  if (req.path == "/__replay/reset") return Reset(req);
  if (IsSessionsPath(req.path)) return sessions_.Handle(req);
  if (IsTapeBrowserPath(req.path)) {
    HttpResponse browser = AnswerTapeBrowser(req, {parts_.store, parts_.cursors, parts_.player, parts_.sessions});
    return {browser, browser.status < 400 ? Outcome::kHit : Outcome::kError};
  }
  return ErrorAnswer(404, "NotFoundException",
                     "No admin endpoint '" + req.path.substr(0, 80) +
                         "': use /__replay/health, /__replay/metrics, /__replay/reset or /__replay/sessions");
}

std::optional<Answer> AdminEndpoints::CheckAccess(const httplib::Request& req) const {
  if (!options_.admin_token.empty()) {
    if (ConstantTimeEquals(GivenToken(req), options_.admin_token)) return std::nullopt;
    return ErrorAnswer(403, "AccessDeniedException",
                       "Admin endpoints need the header X-Replay-Admin-Token with the serve --admin-token value");
  }
  if (IsLoopbackHost(options_.listen.host)) return std::nullopt;
  return ErrorAnswer(403, "AccessDeniedException",
                     "Admin endpoints are disabled on a non-loopback listen address unless serve is started "
                     "with --admin-token");
}

Answer AdminEndpoints::Health(const httplib::Request& req) const {
  if (req.method != "GET") return WrongMethod("GET", "/__replay/health");
  nlohmann::json health = {
      {"status", "ok"}, {"mode", parts_.mode->name()}, {"store", options_.store_dir}, {"port", port_}};
  sessions_.AddHealth(&health);
  parts_.mode->AddHealth(&health);  // e.g. credentials, and "degraded" after a failed recording
  return JsonAnswer(health);
}

Answer AdminEndpoints::Metrics(const httplib::Request& req) const {
  if (req.method != "GET") return WrongMethod("GET", "/__replay/metrics");
  MetricsGauges gauges;
  if (parts_.player) {
    gauges.tapes_cached = parts_.player->tapes_cached();
    gauges.records_cached = parts_.player->records_cached();
    gauges.tape_loads = parts_.player->tape_loads();
    gauges.decoded_cache_bypassed = parts_.player->decoded_cache_bypassed();
  }
  if (parts_.cursors) gauges.cursors = parts_.cursors->size();
  if (parts_.sessions) {
    gauges.sessions_live = parts_.sessions->live();
    gauges.sessions_started = parts_.sessions->started();
    gauges.sessions_expired = parts_.sessions->expired();
  }
  Answer answer;
  answer.response.headers = {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"}};
  answer.response.body = parts_.metrics->Render(gauges);
  parts_.mode->AddMetrics(&answer.response.body);
  return answer;
}

Answer AdminEndpoints::Reset(const httplib::Request& req) const {
  if (req.method != "POST") return WrongMethod("POST", "/__replay/reset");
  SessionCursors cursors;
  const std::string session = Param(req, "Session").value_or(kDefaultSessionName);
  if (std::optional<Answer> refused = sessions_.CursorsOf(session, &cursors)) return std::move(*refused);
  ResetParams params(req);
  if (params.all()) {
    size_t rewound = cursors.ResetAll();
    if (cursors.session) return JsonAnswer({{"reset", "all"}, {"session", cursors.name}, {"cursors", rewound}});
    if (parts_.player) parts_.player->InvalidateAll();
    return JsonAnswer({{"reset", "all"}});
  }
  if (params.one_command()) return ResetCommand(cursors, *params.command_id);
  Result<TapeKey> key = Status::InvalidArgument(
      "give CommandId (and InstanceId, optional PluginName), or Action and Request (the JSON body)");
  if (params.one_invocation()) {
    key = TapeKey::ForInvocation(*params.command_id, *params.instance_id, params.plugin);
  } else if (params.one_action()) {
    Result<std::string> canonical = CanonicalJson(*params.request);
    if (!canonical.ok()) {
      return ErrorAnswer(400, "SerializationException", "Request: " + canonical.status().message());
    }
    key = TapeKey::ForAction(*params.action, canonical.value());
  }
  if (!key.ok()) return ErrorAnswer(400, "ValidationException", "Bad reset: " + key.status().message());
  return ResetTape(cursors, key.value());
}

Answer AdminEndpoints::ResetCommand(const SessionCursors& cursors, const std::string& command_id) const {
  Result<size_t> rewound = RewindCommand(cursors, command_id);
  if (!rewound.ok()) {
    return ErrorAnswer(500, "InternalServerError", "Reset by CommandId: " + rewound.status().message());
  }
  // The player can drop one tape or all; a command's tapes are not known without a walk of the store,
  // so all go (they are read again as calls ask for them). A named session's reset leaves the cache
  // alone: parallel tests reset their sessions all the time.
  if (parts_.player && !cursors.session) parts_.player->InvalidateAll();
  return JsonAnswer({{"reset", "CommandId " + command_id}, {"cursors", rewound.value()}});
}

Result<size_t> AdminEndpoints::RewindCommand(const SessionCursors& cursors, const std::string& command_id) const {
  if (cursors.session) return cursors.session->ResetPrefix(TapeKey::CommandIdPrefix(command_id));
  if (parts_.store == nullptr) return size_t{0};
  TapeFilter filter;
  filter.command_id = command_id;
  Result<std::vector<TapeInfo>> tapes = parts_.store->ListTapes(filter);
  if (!tapes.ok()) return tapes.status();
  size_t rewound = 0;
  for (const TapeInfo& tape : tapes.value()) rewound += cursors.Reset(tape.key);
  return rewound;
}

Answer AdminEndpoints::ResetTape(const SessionCursors& cursors, const TapeKey& key) const {
  bool had = cursors.Reset(key);
  if (parts_.player) parts_.player->Invalidate(key);
  return JsonAnswer({{"reset", key.Describe()}, {"had_cursor", had}});
}

}  // namespace ssm
