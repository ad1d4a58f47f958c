#include "store/tape_key.h"

#include "store/sha256.h"

namespace ssm {
namespace {

constexpr char kInvocationTag = 'I';
constexpr char kActionTag = 'A';
constexpr char kPluginAbsent = '\x00';
constexpr char kPluginPresent = '\x01';
constexpr size_t kSha256Bytes = 32;
// LMDB's default maximum key is 511 bytes; record keys add a 4-byte sequence number.
constexpr size_t kMaxEncodedKey = 507;

bool HasNul(const std::string& s) { return s.find('\0') != std::string::npos; }

// Reads bytes up to the next NUL, advancing `pos` past it. False when there is no NUL.
bool ReadField(std::string_view in, size_t& pos, std::string& out) {
  size_t end = in.find('\0', pos);
  if (end == std::string_view::npos) return false;
  out.assign(in.substr(pos, end - pos));
  pos = end + 1;
  return true;
}

}  // namespace

Result<TapeKey> TapeKey::ForInvocation(std::string command_id, std::string instance_id,
                                       std::optional<std::string> plugin_name) {
  if (HasNul(command_id) || HasNul(instance_id) || (plugin_name && HasNul(*plugin_name))) {
    return Status::InvalidArgument("CommandId, InstanceId and PluginName must not contain NUL bytes");
  }
  TapeKey key;
  key.is_invocation_ = true;
  key.action_ = kGetCommandInvocation;
  // Sized once: built piece by piece it grew three times, on every request.
  key.encoded_.reserve(1 + command_id.size() + 1 + instance_id.size() + 1 +
                       (plugin_name ? plugin_name->size() + 2 : 1));
  key.encoded_.push_back(kInvocationTag);
  key.encoded_ += command_id;
  key.encoded_.push_back('\0');
  key.encoded_ += instance_id;
  key.encoded_.push_back('\0');
  if (plugin_name) {
    key.encoded_.push_back(kPluginPresent);
    key.encoded_ += *plugin_name;
    key.encoded_.push_back('\0');
  } else {
    key.encoded_.push_back(kPluginAbsent);
  }
  if (key.encoded_.size() > kMaxEncodedKey) {
    return Status::InvalidArgument("CommandId, InstanceId and PluginName together are too long for a tape key (" +
                                   std::to_string(key.encoded_.size()) + " bytes, at most " +
                                   std::to_string(kMaxEncodedKey) + ")");
  }
  key.command_id_ = std::move(command_id);
  key.instance_id_ = std::move(instance_id);
  key.plugin_name_ = std::move(plugin_name);
  return key;
}

Result<TapeKey> TapeKey::ForAction(std::string action, std::string canonical_body) {
  if (action.empty() || HasNul(action)) {
    return Status::InvalidArgument("action must be a non-empty name without NUL bytes");
  }
  if (action.size() > 200) return Status::InvalidArgument("action name is too long: " + action.substr(0, 64));
  TapeKey key;
  key.is_invocation_ = false;
  key.has_body_ = true;
  key.encoded_.push_back(kActionTag);
  key.encoded_ += action;
  key.encoded_.push_back('\0');
  key.encoded_ += Sha256(canonical_body);
  key.action_ = std::move(action);
  key.canonical_body_ = std::move(canonical_body);
  return key;
}

Result<TapeKey> TapeKey::Decode(std::string_view in) {
  auto bad = [&](const char* why) {
    return Status::Corruption(std::string("bad tape key (") + why + "): " + HexEncode(in.substr(0, 64)));
  };
  if (in.empty()) return bad("empty");
  size_t pos = 1;
  if (in[0] == kInvocationTag) {
    std::string command_id, instance_id, plugin;
    if (!ReadField(in, pos, command_id) || !ReadField(in, pos, instance_id) || pos >= in.size()) {
      return bad("truncated");
    }
    std::optional<std::string> plugin_name;
    char tag = in[pos++];
    if (tag == kPluginPresent) {
      if (!ReadField(in, pos, plugin)) return bad("truncated plugin name");
      plugin_name = plugin;
    } else if (tag != kPluginAbsent) {
      return bad("unknown plugin tag");
    }
    if (pos != in.size()) return bad("trailing bytes");
    return ForInvocation(command_id, instance_id, plugin_name);
  }
  if (in[0] == kActionTag) {
    std::string action;
    if (!ReadField(in, pos, action) || in.size() - pos != kSha256Bytes || action.empty()) {
      return bad("malformed action key");
    }
    TapeKey key;
    key.is_invocation_ = false;
    key.has_body_ = false;
    key.action_ = action;
    key.encoded_.assign(in);
    return key;
  }
  return bad("unknown tag");
}

std::string TapeKey::ActionPrefix(std::string_view action, std::string_view hash_prefix) {
  std::string prefix(1, kActionTag);
  prefix += action;
  prefix.push_back('\0');
  prefix += hash_prefix;
  return prefix;
}

std::string TapeKey::CommandIdPrefix(std::string_view command_id) {
  std::string prefix(1, kInvocationTag);
  prefix += command_id;
  prefix.push_back('\0');
  return prefix;
}

std::string TapeKey::Describe() const {
  std::string out;
  AppendDescription(&out);
  return out;
}

void TapeKey::AppendDescription(std::string* out) const {
  if (!is_invocation_) {
    std::string hash = encoded_.substr(encoded_.size() - kSha256Bytes);
    *out += action_ + " request sha256:" + HexEncode(hash).substr(0, 16);
    return;
  }
  out->reserve(out->size() + action_.size() + command_id_.size() + instance_id_.size() +
               (plugin_name_ ? plugin_name_->size() : 0) + 48);
  *out += action_;
  *out += " CommandId=";
  *out += command_id_;
  *out += " InstanceId=";
  *out += instance_id_;
  *out += " PluginName=";
  *out += plugin_name_ ? *plugin_name_ : "(absent)";
}

}  // namespace ssm
