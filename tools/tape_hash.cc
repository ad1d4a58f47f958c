#include "tools/tape_hash.h"

#include <cctype>
#include <vector>

#include "proxy/ssm/ssm_actions.h"
#include "store/sha256.h"

namespace ssm {
namespace {

constexpr size_t kShortHashDigits = 16;
constexpr size_t kMinHashDigits = 4;
constexpr size_t kSha256Bytes = 32;
constexpr size_t kMatchesNamed = 5;  // an ambiguous hash's message names this many tapes

// The hex digits of `hash`, lowercase and without "sha256:"; empty when it is not a short hash.
std::string NormalizedHash(std::string_view hash) {
  constexpr std::string_view kPrefix = "sha256:";
  if (hash.substr(0, kPrefix.size()) == kPrefix) hash.remove_prefix(kPrefix.size());
  std::string out;
  for (char c : hash) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return "";
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out.size() >= kMinHashDigits && out.size() <= 2 * kSha256Bytes ? out : "";
}

// The bytes an even number of lowercase hex digits spell.
std::string HexBytes(std::string_view digits) {
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string out;
  for (size_t i = 0; i + 1 < digits.size(); i += 2) {
    out.push_back(static_cast<char>(nibble(digits[i]) << 4 | nibble(digits[i + 1])));
  }
  return out;
}

std::string FullHash(const TapeKey& key) {
  return HexEncode(std::string_view(key.encoded()).substr(key.encoded().size() - kSha256Bytes));
}

}  // namespace

std::string ShortHash(const TapeKey& key) {
  if (key.is_invocation() || key.encoded().size() < kSha256Bytes) return "";
  return FullHash(key).substr(0, kShortHashDigits);
}

Result<TapeKey> ResolveShortHash(const TapeStore& store, std::string_view hash) {
  std::string digits = NormalizedHash(hash);
  if (digits.empty()) {
    return Status::InvalidArgument("'" + std::string(hash) + "' is not a short hash: give at least " +
                                   std::to_string(kMinHashDigits) +
                                   " hex digits of the sha256 that `ssm-replay list` or a miss message prints");
  }
  // An action key ends with its request's hash, right after the action: one seek per SSM action to
  // the keys starting with the hash's whole bytes, then the odd digit checked. A range of at least
  // 4 digits holds 1 in 65,536 of an action's tapes; no summary is decoded.
  const std::string hash_bytes = HexBytes(digits.substr(0, digits.size() & ~size_t{1}));
  std::vector<TapeKey> matches;
  for (size_t i = 0; i < SsmActionCount(); ++i) {
    std::string action(SsmActionName(static_cast<int>(i)));
    if (action == kGetCommandInvocation) continue;
    Result<std::vector<TapeKey>> keys = store.ListTapeKeys(TapeKey::ActionPrefix(action, hash_bytes));
    if (!keys.ok()) return keys.status();
    for (TapeKey& key : *keys) {
      if (FullHash(key).compare(0, digits.size(), digits) == 0) matches.push_back(std::move(key));
    }
  }
  if (matches.empty()) {
    return Status::NotFound("no tape has a request hash starting with " + digits + " (`ssm-replay list` shows them)");
  }
  if (matches.size() > 1) {
    std::string named;
    for (size_t i = 0; i < matches.size() && i < kMatchesNamed; ++i) named += "; " + matches[i].Describe();
    return Status::InvalidArgument("short hash " + digits + " is ambiguous: " + std::to_string(matches.size()) +
                                   " tapes match (" + named.substr(2) + "): give more digits");
  }
  return matches.front();
}

}  // namespace ssm
