// SHA-256 via OpenSSL, for content-addressed key parts.
#ifndef SSM_REPLAY_STORE_SHA256_H_
#define SSM_REPLAY_STORE_SHA256_H_

#include <string>
#include <string_view>

namespace ssm {

// The 32-byte binary digest.
std::string Sha256(std::string_view data);

// Lower-case hex of `bytes`.
std::string HexEncode(std::string_view bytes);

}  // namespace ssm

#endif  // SSM_REPLAY_STORE_SHA256_H_
