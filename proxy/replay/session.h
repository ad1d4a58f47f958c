// Session: one named replay timeline (issue 13). Parallel tests each take a session, and each session
// walks every tape from its start on its own: its own cursor per key, its own calls count, its own
// settings (polls, shift-times), and the tapes it recorded (for discard). The default session is not a
// Session: it keeps the server-wide CursorTable (proxy/replay/cursor_table.h), the fast path.
//
// Thread-safe. A call takes the session's lock shared (as CursorTable's shards: a reader that the
// scheduler stops never holds up the others) and counts on its key's atomic cursor; only a key's first
// call, resets and the written tapes take it exclusive. Sessions never share a lock, so tests in
// different sessions never wait for each other here. The settings are one atomic word.
#ifndef SSM_REPLAY_PROXY_REPLAY_SESSION_H_
#define SSM_REPLAY_PROXY_REPLAY_SESSION_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "proxy/replay/cursor_table.h"
#include "proxy/replay/poll_plan.h"
#include "proxy/replay/writer_first_mutex.h"
#include "store/port/thread_annotations.h"
#include "store/tape_key.h"

namespace ssm {

// How a session replays. The server's flags give the defaults; POST /__replay/sessions changes them.
struct SessionSettings {
  PollPolicy polls = PollPolicy::kRecorded;  // serve --polls
  bool shift_times = false;                  // serve --shift-times
};

class Session {
 public:
  // `clock` stamps each key's first call and the session's uses.
  Session(std::string name, SessionSettings settings, MillisClock clock);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const std::string& name() const { return name_; }
  int64_t started_ms() const { return started_ms_; }
  int64_t last_use_ms() const { return last_use_ms_.load(std::memory_order_relaxed); }
  // Marks the session used at `now_ms`.
  void Touch(int64_t now_ms) { last_use_ms_.store(now_ms, std::memory_order_relaxed); }
  // Calls counted by Next since the session started (resets do not rewind it).
  uint64_t calls() const { return calls_.load(std::memory_order_relaxed); }

  // As CursorTable::Next, on this session's cursors.
  CursorStep Next(const TapeKey& key, size_t tape_size, ReplayOrder order = ReplayOrder::kSequence);
  // As CursorTable's: calls for `key` since its reset; rewinds.
  uint64_t Calls(const TapeKey& key) const;
  size_t ResetAll();
  bool Reset(const TapeKey& key);
  size_t ResetPrefix(const std::string& encoded_prefix);
  size_t cursors() const;  // keys with a cursor

  SessionSettings settings() const { return Unpack(settings_.load(std::memory_order_relaxed)); }
  void set_settings(SessionSettings settings) { settings_.store(Pack(settings), std::memory_order_relaxed); }

  // Record and auto modes note each tape this session recorded on; discard deletes exactly those.
  void NoteWritten(const TapeKey& key);
  // The tapes noted so far, forgotten by the session.
  std::vector<TapeKey> TakeWritten();

 private:
  static uint32_t Pack(SessionSettings settings);
  static SessionSettings Unpack(uint32_t packed);

  struct Cursor {
    explicit Cursor(int64_t first_ms) : first_call_ms(first_ms) {}
    std::atomic<uint64_t> calls{0};
    const int64_t first_call_ms;
  };

  const std::string name_;
  const MillisClock clock_;
  const int64_t started_ms_;
  std::atomic<int64_t> last_use_ms_;
  std::atomic<uint64_t> calls_{0};
  std::atomic<uint32_t> settings_;  // Pack(SessionSettings)

  mutable WriterFirstMutex mu_;  // exclusive only to add or remove cursors, and for written_
  std::unordered_map<std::string, Cursor> cursors_ GUARDED_BY(mu_);  // by encoded key
  std::unordered_set<TapeKey, TapeKeyHash> written_ GUARDED_BY(mu_);
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_REPLAY_SESSION_H_
