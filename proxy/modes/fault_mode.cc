#include "proxy/modes/fault_mode.h"

#include <algorithm>
#include <iterator>
#include <memory>
#include <utility>

#include "proxy/ssm/aws_error.h"

namespace ssm {
namespace {

// SplitMix64's finalizer: a cheap, well-mixed 64-bit hash step.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// FNV-1a: stable across runs and platforms (std::hash is not guaranteed to be).
uint64_t HashString(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// A uniform double in [0, 1) from the top 53 bits.
double Unit(uint64_t x) { return static_cast<double>(x >> 11) * (1.0 / 9007199254740992.0); }

HttpResponse JsonError(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers = {{"Content-Type", "application/x-amz-json-1.1"}, {"x-amzn-RequestId", NewRequestId()}};
  r.body = std::move(body);
  return r;
}

}  // namespace

const char* FaultKindName(FaultKind kind) {
  switch (kind) {
    case FaultKind::kNone:
      return "none";
    case FaultKind::kThrottle:
      return "throttle";
    case FaultKind::kError500:
      return "error500";
    case FaultKind::kReset:
      return "reset";
    case FaultKind::kNotFound:
      return "notfound";
  }
  return "none";
}

// SSM's throttling answer: AWS JSON 1.1's ThrottlingException with the lower-case "message" SSM
// sends ("Rate exceeded", the text SDKs show), status 400; SDKs classify it by __type as retryable.
HttpResponse ThrottlingResponse() {
  return JsonError(400, "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}");
}

// SSM models InternalServerError with a capitalised Message member.
HttpResponse InternalServerErrorResponse() {
  return JsonError(500, "{\"__type\":\"InternalServerError\",\"Message\":\"An internal error occurred\"}");
}

// As the recorded InvocationDoesNotExist in fixtures/: the shape has no message member.
HttpResponse InvocationDoesNotExistResponse() {
  return JsonError(400, "{\"__type\":\"InvocationDoesNotExist\"}");
}

FaultMode::FaultMode(Mode* inner, const CursorTable* cursors, FaultCounter* faults, FaultSpec spec, uint64_t seed,
                     SessionRegistry* sessions)
    : inner_(inner), cursors_(cursors), faults_(faults), spec_(std::move(spec)), seed_(seed), sessions_(sessions) {}

uint64_t FaultMode::Position(const SsmRequest& request) const {
  if (request.session.empty()) return cursors_ ? cursors_->Calls(request.key) : 0;
  if (sessions_ == nullptr) return 0;
  std::shared_ptr<Session> session = sessions_->Find(request.session);
  return session ? session->Calls(request.key) : 0;  // a session not started yet is at its start
}

void FaultMode::PruneEndedSessions(Shard& shard) {
  if (shard.keys.size() < shard.prune_at) return;
  for (auto it = shard.keys.begin(); it != shard.keys.end();) {
    const size_t end = it->first.find('\n');
    const bool ended = end != 0 && (sessions_ == nullptr || !sessions_->Find(it->first.substr(0, end)));
    it = ended ? shard.keys.erase(it) : std::next(it);
  }
  shard.prune_at = std::max<size_t>(1024, 2 * shard.keys.size());
}

FaultMode::Decision FaultMode::Decide(const SsmRequest& request) {
  const std::string& encoded = request.key.encoded();
  // A named session's decisions hash its name too: each session sees its own faults.
  const uint64_t key_hash = HashString(encoded) ^ (request.session.empty() ? 0 : Mix(HashString(request.session)));
  Shard& shard = shards_[key_hash % kShards];
  const uint64_t position = Position(request);

  MutexLock lock(&shard.mu);
  PruneEndedSessions(shard);
  KeyState& state = shard.keys[request.session + '\n' + encoded];
  if (state.position != position) state = KeyState{position, 0, 0};  // the tape moved on, or was reset
  uint64_t n = state.calls++;

  uint64_t h = Mix(Mix(Mix(Mix(seed_) ^ key_hash) ^ position) ^ n);
  Decision d;
  double u = Unit(Mix(h ^ 1));
  if (u < spec_.throttle) {
    d.kind = FaultKind::kThrottle;
  } else if (u < spec_.throttle + spec_.error500) {
    d.kind = FaultKind::kError500;
  } else if (u < spec_.throttle + spec_.error500 + spec_.reset) {
    d.kind = FaultKind::kReset;
  } else if (request.key.is_invocation() && position == 0 && state.notfound_given < spec_.notfound_first) {
    d.kind = FaultKind::kNotFound;
    ++state.notfound_given;
  }
  if (spec_.delay_max_ms > 0) {
    uint64_t span = static_cast<uint64_t>(spec_.delay_max_ms - spec_.delay_min_ms) + 1;
    d.delay_ms = spec_.delay_min_ms + static_cast<int64_t>(Mix(h ^ 2) % span);
  }
  return d;
}

ModeAnswer FaultMode::Handle(const SsmRequest& request) {
  Decision d = Decide(request);
  ModeAnswer answer;
  switch (d.kind) {
    case FaultKind::kNone:
      answer = inner_->Handle(request);
      break;
    case FaultKind::kThrottle:
      answer.response = ThrottlingResponse();
      break;
    case FaultKind::kError500:
      answer.response = InternalServerErrorResponse();
      break;
    case FaultKind::kReset:
      answer.response = InternalServerErrorResponse();  // only if the server cannot drop the connection
      answer.drop_connection = true;
      break;
    case FaultKind::kNotFound:
      answer.response = InvocationDoesNotExistResponse();
      break;
  }
  if (d.kind != FaultKind::kNone) {
    answer.outcome = Outcome::kFault;
    if (faults_) faults_->RecordFault(FaultKindName(d.kind));
  }
  if (d.delay_ms > 0) {
    answer.delay_us += d.delay_ms * 1000;
    if (faults_) faults_->RecordFault("delay");
  }
  return answer;
}

}  // namespace ssm
