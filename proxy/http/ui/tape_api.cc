#include "proxy/http/ui/tape_api.h"

#include <algorithm>
#include <memory>
#include <utility>

#include <nlohmann/json.hpp>

#include "proxy/http/ui/tape_json.h"
#include "proxy/replay/cursor_table.h"
#include "proxy/replay/session_registry.h"
#include "proxy/replay/tape_player.h"
#include "proxy/ssm/aws_error.h"
#include "store/sha256.h"
#include "store/tape_page.h"
#include "store/tape_store.h"

namespace ssm {
namespace {

constexpr size_t kDefaultTapesPerPage = 50;

HttpResponse JsonResponse(const nlohmann::json& body) {
  HttpResponse response;
  response.headers = {{"Content-Type", "application/json"}};
  response.body = DumpJson(body);
  return response;
}

HttpResponse Error(int status, const char* type, std::string message) {
  return AwsError{status, type, std::move(message)}.ToResponse();
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

Result<size_t> ParseLimit(const std::string& text) {
  if (text.empty()) return kDefaultTapesPerPage;
  size_t limit = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || limit > kMaxTapesPerPage) {
      return Status::InvalidArgument("limit must be a number from 1 to " + std::to_string(kMaxTapesPerPage));
    }
    limit = limit * 10 + static_cast<size_t>(c - '0');
  }
  if (limit < 1 || limit > kMaxTapesPerPage) {
    return Status::InvalidArgument("limit must be a number from 1 to " + std::to_string(kMaxTapesPerPage));
  }
  return limit;
}

// The outcome of the tape's last entry; "?" with the reason when it cannot be read (a listing shows
// the other tapes all the same).
std::string FinalStatus(const TapeStore& store, const TapeKey& key) {
  Result<TapeStore::TapeEntry> last = store.ReadTapeEntry(key, [](size_t length) { return length - 1; });
  if (!last.ok()) return "? " + last.status().message();
  return ShownOutcome(last->interaction);
}

nlohmann::json CursorJson(const std::string& session, uint64_t calls, size_t length) {
  size_t next = length == 0 ? 0 : static_cast<size_t>(std::min<uint64_t>(calls, length - 1));
  return {{"session", session}, {"calls", calls}, {"next", next}};
}

// Where the replay of the tape stands: the default session's cursor, then each live named session's
// that has called the tape. `next` is the entry the next call gets in --order sequence (the last
// repeats; --polls collapse/final answer otherwise).
nlohmann::json CursorsJson(const TapeBrowserParts& parts, const TapeKey& key, size_t length) {
  nlohmann::json out = nlohmann::json::array();
  if (parts.cursors == nullptr) return out;
  out.push_back(CursorJson("default", parts.cursors->Calls(key), length));
  if (parts.sessions == nullptr) return out;
  for (const SessionInfo& info : parts.sessions->List()) {
    std::shared_ptr<Session> session = parts.sessions->Find(info.name);
    uint64_t calls = session ? session->Calls(key) : 0;
    if (calls > 0) out.push_back(CursorJson(info.name, calls, length));
  }
  return out;
}

}  // namespace

std::string TapeId(const TapeKey& key) { return HexEncode(key.encoded()); }

Result<TapeKey> ParseTapeId(const std::string& id) {
  std::string encoded;
  bool hex = !id.empty() && id.size() % 2 == 0;
  for (size_t i = 0; hex && i < id.size(); i += 2) {
    int high = HexValue(id[i]), low = HexValue(id[i + 1]);
    hex = high >= 0 && low >= 0;
    encoded.push_back(static_cast<char>(high * 16 + low));
  }
  if (!hex) return Status::InvalidArgument("a tape ID is the hex (lowercase) of a tape's key, as the listing gives it");
  Result<TapeKey> key = TapeKey::Decode(encoded);
  if (!key.ok()) return Status::InvalidArgument("tape ID names no tape key: " + key.status().message());
  return key;
}

std::optional<HttpResponse> TapeApi::NeedStore() const {
  if (parts_.store != nullptr) return std::nullopt;
  return Error(400, "BadRequestException", "This server has no tape store (passthrough mode): nothing to browse");
}

HttpResponse TapeApi::ListTapes(const TapeListParams& params) const {
  if (std::optional<HttpResponse> refused = NeedStore()) return std::move(*refused);
  Result<size_t> limit = ParseLimit(params.limit);
  if (!limit.ok()) return Error(400, "ValidationException", limit.status().message());
  TapePageQuery query;
  query.command_id_prefix = params.prefix;
  query.action = params.action;
  query.limit = *limit;
  if (!params.after.empty()) {
    Result<TapeKey> after = ParseTapeId(params.after);
    if (!after.ok()) return Error(400, "ValidationException", "after: " + after.status().message());
    query.after = after->encoded();
  }
  Result<TapePage> page = parts_.store->ListTapePage(query);
  if (!page.ok()) return Error(500, "InternalServerError", "Listing the store failed: " + page.status().message());
  nlohmann::json tapes = nlohmann::json::array();
  for (const TapeInfo& info : page->tapes) {
    nlohmann::json tape = TapeSummaryJson(info);
    tape["finalStatus"] = FinalStatus(*parts_.store, info.key);
    tapes.push_back(std::move(tape));
  }
  nlohmann::json body = {{"tapes", std::move(tapes)}, {"next", nullptr}};
  if (page->more) body["next"] = TapeId(page->tapes.back().key);
  return JsonResponse(body);
}

HttpResponse TapeApi::ShowTape(const std::string& id) const {
  if (std::optional<HttpResponse> refused = NeedStore()) return std::move(*refused);
  Result<TapeKey> key = ParseTapeId(id);
  if (!key.ok()) return Error(400, "ValidationException", key.status().message());
  Result<Tape> tape = parts_.store->ReadTape(*key);
  if (tape.status().IsNotFound()) return Error(404, "NotFoundException", "No tape " + key->Describe());
  if (!tape.ok()) return Error(500, "InternalServerError", "Reading the tape failed: " + tape.status().message());
  nlohmann::json interactions = nlohmann::json::array();
  for (size_t i = 0; i < tape->interactions.size(); ++i) {
    interactions.push_back(InteractionJson(i, tape->interactions[i]));
  }
  size_t length = tape->interactions.size();
  TapeInfo info;
  info.key = *key;
  info.interactions = static_cast<uint32_t>(length);
  if (length > 0) {
    info.first_recorded_ms = tape->interactions.front().recorded_at_ms;
    info.last_recorded_ms = tape->interactions.back().recorded_at_ms;
  }
  nlohmann::json body = TapeSummaryJson(info);
  body["describe"] = key->Describe();
  body["finalStatus"] = length > 0 ? ShownOutcome(tape->interactions.back()) : "";
  body["entries"] = std::move(interactions);
  body["cursors"] = CursorsJson(parts_, *key, length);
  return JsonResponse(body);
}

HttpResponse TapeApi::ResetTape(const std::string& id, const std::string& session) const {
  Result<TapeKey> key = ParseTapeId(id);
  if (!key.ok()) return Error(400, "ValidationException", key.status().message());
  if (parts_.cursors == nullptr) {
    return Error(400, "BadRequestException", "This server's mode replays nothing, so it has no cursors to reset");
  }
  // What POST /__replay/reset?CommandId=..&InstanceId=..[&Session=NAME] does for one tape.
  if (session.empty() || session == "default") {
    bool had = parts_.cursors->Reset(*key);
    if (parts_.player != nullptr) parts_.player->Invalidate(*key);
    return JsonResponse({{"reset", key->Describe()}, {"session", "default"}, {"had_cursor", had}});
  }
  std::shared_ptr<Session> named = parts_.sessions ? parts_.sessions->Find(session) : nullptr;
  if (!named) return Error(404, "NotFoundException", "No live session '" + session.substr(0, 128) + "'");
  bool had = named->Reset(*key);
  return JsonResponse({{"reset", key->Describe()}, {"session", session}, {"had_cursor", had}});
}

}  // namespace ssm
