// TapeKey: what identifies a tape, and its byte encoding as an LMDB key prefix.
//
// GetCommandInvocation tapes are keyed by (CommandId, InstanceId, PluginName); PluginName is optional
// and "absent" differs from every string, the empty one included. Every other action is keyed by
// (action, canonical request body); the body enters the encoded key as its SHA-256, because LMDB keys
// are at most 511 bytes and SendCommand bodies are not.
//
// Encodings are built so that byte order groups what users ask for together (see store/FORMAT.md):
//   invocation: 'I' CommandId 0x00 InstanceId 0x00 (0x00 | 0x01 PluginName 0x00)
//   action:     'A' Action 0x00 sha256(canonical body)[32]
// so all tapes of one CommandId are a prefix scan on 'I' CommandId 0x00.
#ifndef SSM_REPLAY_STORE_TAPE_KEY_H_
#define SSM_REPLAY_STORE_TAPE_KEY_H_

#include <optional>
#include <string>
#include <string_view>

#include "store/status.h"

namespace ssm {

inline constexpr char kGetCommandInvocation[] = "GetCommandInvocation";

class TapeKey {
 public:
  // An empty key that names no tape (encoded() is empty); real keys come from the factories.
  TapeKey() = default;

  // Key fields must not contain NUL bytes; InvalidArgument otherwise, or when the encoded key would
  // not fit an LMDB key.
  static Result<TapeKey> ForInvocation(std::string command_id, std::string instance_id,
                                       std::optional<std::string> plugin_name);
  // `canonical_body` must already be canonical (see canonical_json.h).
  static Result<TapeKey> ForAction(std::string action, std::string canonical_body);

  // Parses an encoded key. Action keys decode without their body (only its hash is encoded):
  // canonical_body() is then empty and has_body() false.
  static Result<TapeKey> Decode(std::string_view encoded);

  // Prefix of every encoded invocation key for `command_id`.
  static std::string CommandIdPrefix(std::string_view command_id);
  // Prefix of every encoded key of `action` (not GetCommandInvocation) whose request hash starts with
  // the bytes `hash_prefix` (may be empty): the hash follows the action in the key.
  static std::string ActionPrefix(std::string_view action, std::string_view hash_prefix = {});

  bool is_invocation() const { return is_invocation_; }
  const std::string& action() const { return action_; }
  const std::string& command_id() const { return command_id_; }
  const std::string& instance_id() const { return instance_id_; }
  const std::optional<std::string>& plugin_name() const { return plugin_name_; }
  const std::string& canonical_body() const { return canonical_body_; }
  bool has_body() const { return !is_invocation_ && has_body_; }

  const std::string& encoded() const { return encoded_; }

  // For people and logs, in SSM terms: 'GetCommandInvocation CommandId=... InstanceId=...
  // PluginName=(absent)' or 'SendCommand request sha256:0123abcd...'.
  std::string Describe() const;
  // The same, appended to `out` (every logged request describes its key).
  void AppendDescription(std::string* out) const;

  bool operator==(const TapeKey& o) const { return encoded_ == o.encoded_; }
  bool operator!=(const TapeKey& o) const { return encoded_ != o.encoded_; }
  bool operator<(const TapeKey& o) const { return encoded_ < o.encoded_; }

 private:
  bool is_invocation_ = false;
  bool has_body_ = false;
  std::string action_;
  std::string command_id_;
  std::string instance_id_;
  std::optional<std::string> plugin_name_;
  std::string canonical_body_;
  std::string encoded_;
};

struct TapeKeyHash {
  size_t operator()(const TapeKey& k) const { return std::hash<std::string>()(k.encoded()); }
};

}  // namespace ssm

#endif  // SSM_REPLAY_STORE_TAPE_KEY_H_
