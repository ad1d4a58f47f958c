// RecordCodec: an Interaction to and from the bytes of one LMDB value.
//
// Value layout (store/FORMAT.md): [u8 record version][u32 LE dictionary id][zstd frame]
// where the zstd frame, with its content checksum, holds the cereal portable-binary Interaction.
#ifndef SSM_REPLAY_STORE_RECORD_CODEC_H_
#define SSM_REPLAY_STORE_RECORD_CODEC_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "store/interaction.h"
#include "store/status.h"

namespace ssm {

inline constexpr uint8_t kRecordVersion = 1;

// Looks up a zstd dictionary by id; returns nullptr when unknown. The pointer must stay valid for
// the duration of the call that received it.
using DictionaryLookup = std::function<const std::string*(uint32_t id)>;

// Serialises and compresses. `dictionary` may be null (no dictionary, id 0). When `raw_size` is not
// null it receives the serialised size before compression.
std::string EncodeInteraction(const Interaction& interaction, uint32_t dictionary_id = 0,
                              const std::string* dictionary = nullptr, size_t* raw_size = nullptr);

// Never crashes or reads out of bounds on damaged input: Corruption (checksum, truncation, damaged
// serialised contents) or NotSupported (a newer record version) instead.
Result<Interaction> DecodeInteraction(std::string_view value, const DictionaryLookup& dictionaries = {});
// The same into `*out`, whose strings keep their capacity: a caller decoding into one Interaction
// over and over allocates nothing once it has seen its biggest record. On error `*out` is left
// partly overwritten.
Status DecodeInteraction(std::string_view value, const DictionaryLookup& dictionaries, Interaction* out);

// The serialised, uncompressed form: what is compressed, and what dictionaries are trained on.
std::string SerializeInteraction(const Interaction& interaction);

}  // namespace ssm

#endif  // SSM_REPLAY_STORE_RECORD_CODEC_H_
