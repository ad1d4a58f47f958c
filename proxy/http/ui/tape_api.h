// TapeApi: the read-only JSON the tape browser reads under /__replay/api/ (README "Tape browser"):
//   GET  /__replay/api/tapes?prefix=P&action=A&after=ID&limit=N   a page of tapes, in key order
//   GET  /__replay/api/tapes/ID                                    one tape, every interaction
//   POST /__replay/api/tapes/ID/reset[?Session=NAME]               rewinds the tape's cursor (of the
//                                                                  default session, or of NAME)
// ID is the tape's encoded store key in hex: stable, and it names action tapes too.
//
// Answers are JSON (errors AWS-shaped); recorded strings stay strings, for the page to show as text.
// Thread-safe: holds no state of its own.
#ifndef SSM_REPLAY_PROXY_HTTP_UI_TAPE_API_H_
#define SSM_REPLAY_PROXY_HTTP_UI_TAPE_API_H_

#include <cstddef>
#include <optional>
#include <string>

#include "proxy/ssm/http_response.h"
#include "store/tape_key.h"

namespace ssm {

class CursorTable;
class SessionRegistry;
class TapePlayer;
class TapeStore;

// What the browser reads and resets; any may be null (a mode without a store or cursors), and all
// must outlive the calls made with them.
struct TapeBrowserParts {
  const TapeStore* store = nullptr;
  CursorTable* cursors = nullptr;
  TapePlayer* player = nullptr;  // reset drops its cached copy of the tape, as /__replay/reset does
  SessionRegistry* sessions = nullptr;  // the named sessions, each with its own cursors
};

// The query of a tape listing, as given by the page.
struct TapeListParams {
  std::string prefix;                 // CommandId prefix
  std::optional<std::string> action;  // one action only
  std::string after;                  // ID of the last tape of the previous page
  std::string limit;                  // 1 to kMaxTapesPerPage; empty: 50
};

inline constexpr size_t kMaxTapesPerPage = 200;

// The tape ID of `key`, and back (InvalidArgument for anything not made by TapeId).
std::string TapeId(const TapeKey& key);
Result<TapeKey> ParseTapeId(const std::string& id);

class TapeApi {
 public:
  explicit TapeApi(const TapeBrowserParts& parts) : parts_(parts) {}

  HttpResponse ListTapes(const TapeListParams& params) const;
  HttpResponse ShowTape(const std::string& id) const;
  // `session` empty: the default session.
  HttpResponse ResetTape(const std::string& id, const std::string& session) const;

 private:
  // The store, or an answer saying this server has none.
  std::optional<HttpResponse> NeedStore() const;

  const TapeBrowserParts parts_;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_HTTP_UI_TAPE_API_H_
