#include "proxy/http/session_endpoints.h"

#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "proxy/replay/session_registry.h"
#include "proxy/replay/tape_player.h"
#include "proxy/ssm/session_name.h"
#include "store/iso_time.h"
#include "store/tape_store.h"
#include "store/write_batch.h"

namespace ssm {
namespace {

nlohmann::json SettingsJson(const std::string& name, const SessionSettings& settings) {
  return {{"name", DisplaySessionName(name)},
          {"polls", PollPolicyName(settings.polls)},
          {"shiftTimes", settings.shift_times}};
}

nlohmann::json InfoJson(const SessionInfo& info) {
  nlohmann::json out = SettingsJson(info.name, info.settings);
  out["cursors"] = info.cursors;
  out["calls"] = info.calls;
  out["started"] = FormatIsoMillis(info.started_ms);
  out["lastUse"] = FormatIsoMillis(info.last_use_ms);
  return out;
}

SessionInfo InfoOf(const Session& session) {
  return SessionInfo{session.name(), session.settings(), session.cursors(), session.calls(), session.started_ms(),
                     session.last_use_ms()};
}

AdminAnswer NoSession(const std::string& name) {
  return ErrorAnswer(404, "ResourceNotFoundException",
                     "No live session '" + name +
                         "': it was never used, was deleted, or expired (serve --session-ttl)");
}

AdminAnswer BadBody(std::string message) {
  return ErrorAnswer(400, "ValidationException",
                     "POST /__replay/sessions takes {\"name\": NAME, \"polls\": \"recorded|collapse|final\", "
                     "\"shiftTimes\": true|false} (polls and shiftTimes optional): " + std::move(message));
}

// Reads the settings a POST /__replay/sessions body asks for over `settings`; the error answer, or nullopt.
std::optional<AdminAnswer> ReadSettings(const nlohmann::json& body, SessionSettings* settings) {
  for (const auto& [member, value] : body.items()) {
    if (member == "name") continue;
    if (member == "polls") {
      Result<PollPolicy> polls = value.is_string() ? ParsePollPolicy(value.get<std::string>())
                                                   : Status::InvalidArgument("polls must be a string");
      if (!polls.ok()) return BadBody(polls.status().message());
      settings->polls = polls.value();
    } else if (member == "shiftTimes") {
      if (!value.is_boolean()) return BadBody("shiftTimes must be true or false");
      settings->shift_times = value.get<bool>();
    } else {
      return BadBody("unknown member '" + member.substr(0, 40) + "'");
    }
  }
  return std::nullopt;
}

}  // namespace

bool IsSessionsPath(const std::string& path) {
  constexpr size_t n = sizeof kSessionsPath - 1;
  return path.compare(0, n, kSessionsPath) == 0 && (path.size() == n || path[n] == '/');
}

size_t SessionCursors::ResetAll() const {
  if (session) return session->ResetAll();
  size_t n = table->size();
  table->ResetAll();
  return n;
}

bool SessionCursors::Reset(const TapeKey& key) const { return session ? session->Reset(key) : table->Reset(key); }

SessionEndpoints::SessionEndpoints(const ServerParts& parts) : parts_(parts) {}

AdminAnswer SessionEndpoints::Handle(const httplib::Request& req) const {
  std::string rest = req.path.substr(sizeof kSessionsPath - 1);
  if (rest.empty() || rest == "/") {
    if (req.method == "GET") return List();
    if (req.method == "POST") return Configure(req);
    return WrongMethod("GET or POST", kSessionsPath);
  }
  rest = rest.substr(1);
  size_t slash = rest.find('/');
  const std::string name = rest.substr(0, slash);
  const std::string verb = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (std::optional<AwsError> bad = CheckSessionName(name)) return {bad->ToResponse(), Outcome::kError};
  if (verb.empty()) {
    if (req.method == "GET") return Show(name);
    if (req.method == "DELETE") return Delete(name);
    return WrongMethod("GET or DELETE", std::string(kSessionsPath) + "/NAME");
  }
  if (verb != "reset" && verb != "discard") {
    return ErrorAnswer(404, "NotFoundException",
                       "No admin endpoint '" + req.path.substr(0, 120) + "': use " + kSessionsPath +
                           "/NAME/reset or /NAME/discard");
  }
  if (req.method != "POST") return WrongMethod("POST", std::string(kSessionsPath) + "/NAME/" + verb);
  return verb == "reset" ? Reset(name) : Discard(name);
}

std::optional<AdminAnswer> SessionEndpoints::CursorsOf(const std::string& name, SessionCursors* cursors) const {
  if (std::optional<AwsError> bad = CheckSessionName(name)) return AdminAnswer{bad->ToResponse(), Outcome::kError};
  cursors->name = NormalizeSessionName(name);
  cursors->table = parts_.cursors;
  if (cursors->name.empty()) {
    if (parts_.cursors != nullptr) return std::nullopt;
    return ErrorAnswer(400, "BadRequestException", std::string("Mode ") + parts_.mode->name() + " has no cursors");
  }
  cursors->session = parts_.sessions ? parts_.sessions->Find(cursors->name) : nullptr;
  if (!cursors->session) return NoSession(cursors->name);
  return std::nullopt;
}

void SessionEndpoints::AddHealth(nlohmann::json* health) const {
  if (parts_.sessions) (*health)["sessions"] = parts_.sessions->live();
}

AdminAnswer SessionEndpoints::List() const {
  nlohmann::json sessions = nlohmann::json::array();
  if (parts_.sessions) {
    for (const SessionInfo& info : parts_.sessions->List()) sessions.push_back(InfoJson(info));
  }
  const size_t live = sessions.size();
  return JsonAnswer({{"sessions", std::move(sessions)}, {"live", live}});
}

AdminAnswer SessionEndpoints::Configure(const httplib::Request& req) const {
  nlohmann::json body = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return BadBody("the body is not a JSON object");
  auto name_member = body.find("name");
  if (name_member == body.end() || !name_member->is_string()) return BadBody("name (a string) is missing");
  const std::string given = name_member->get<std::string>();
  if (std::optional<AwsError> bad = CheckSessionName(given)) return {bad->ToResponse(), Outcome::kError};
  const std::string name = NormalizeSessionName(given);
  if (name.empty()) {
    return ErrorAnswer(400, "ValidationException",
                       "The default session is configured by serve's flags (--polls, --shift-times); "
                       "give your session another name");
  }
  if (parts_.sessions == nullptr) return ErrorAnswer(400, "BadRequestException", "This server has no sessions");
  std::shared_ptr<Session> current = parts_.sessions->Find(name);
  SessionSettings settings = current ? current->settings() : parts_.sessions->defaults();
  if (std::optional<AdminAnswer> bad = ReadSettings(body, &settings)) return std::move(*bad);
  Result<std::shared_ptr<Session>> configured = parts_.sessions->Configure(name, settings);
  if (!configured.ok()) return ErrorAnswer(429, "ThrottlingException", configured.status().message());
  return JsonAnswer(SettingsJson(name, settings));
}

AdminAnswer SessionEndpoints::Show(const std::string& name) const {
  std::shared_ptr<Session> session = parts_.sessions ? parts_.sessions->Find(NormalizeSessionName(name)) : nullptr;
  if (!session) return NoSession(name);
  return JsonAnswer(InfoJson(InfoOf(*session)));
}

AdminAnswer SessionEndpoints::Reset(const std::string& name) const {
  SessionCursors cursors;
  if (std::optional<AdminAnswer> refused = CursorsOf(name, &cursors)) return std::move(*refused);
  const size_t rewound = cursors.ResetAll();
  // The default session's reset is POST /__replay/reset's: cached tapes are read again too.
  if (!cursors.session && parts_.player) parts_.player->InvalidateAll();
  return JsonAnswer({{"session", DisplaySessionName(cursors.name)}, {"reset", rewound}});
}

AdminAnswer SessionEndpoints::Delete(const std::string& name) const {
  const std::string normalized = NormalizeSessionName(name);
  if (normalized.empty()) {
    return ErrorAnswer(400, "ValidationException",
                       "The default session cannot be deleted: rewind it with POST /__replay/sessions/default/reset");
  }
  if (parts_.sessions == nullptr || !parts_.sessions->Remove(normalized)) return NoSession(normalized);
  return JsonAnswer({{"session", normalized}, {"deleted", true}});
}

AdminAnswer SessionEndpoints::Discard(const std::string& name) const {
  if (parts_.recording_store == nullptr) {
    return ErrorAnswer(400, "BadRequestException",
                       std::string("Mode ") + parts_.mode->name() +
                           " records nothing: discard deletes the tapes a session recorded in record and auto modes");
  }
  SessionCursors cursors;
  if (std::optional<AdminAnswer> refused = CursorsOf(name, &cursors)) return std::move(*refused);
  if (!cursors.session) {
    return ErrorAnswer(400, "ValidationException",
                       "The default session's recordings are not tracked: record in a named session to discard");
  }
  std::vector<TapeKey> written = cursors.session->TakeWritten();
  WriteBatch batch;
  for (const TapeKey& key : written) batch.DeleteTape(key);
  if (Status deleted = batch.empty() ? Status::OK() : parts_.recording_store->Write(batch); !deleted.ok()) {
    for (const TapeKey& key : written) cursors.session->NoteWritten(key);  // still there: a retry deletes them
    return ErrorAnswer(500, "InternalServerError", "Could not delete the session's tapes: " + deleted.ToString());
  }
  for (const TapeKey& key : written) {
    if (parts_.player) parts_.player->Invalidate(key);
    cursors.session->Reset(key);
  }
  return JsonAnswer({{"session", cursors.name}, {"discarded", written.size()}});
}

}  // namespace ssm
