// Tape: the ordered interactions recorded for one key. TapeInfo: what is known of a tape without
// decoding its interactions.
#ifndef SSM_REPLAY_STORE_TAPE_H_
#define SSM_REPLAY_STORE_TAPE_H_

#include <cstdint>
#include <vector>

#include "store/interaction.h"
#include "store/tape_key.h"

namespace ssm {

struct Tape {
  TapeKey key;
  std::vector<Interaction> interactions;  // in recorded order
};

struct TapeInfo {
  TapeKey key;                  // with its canonical body, for action tapes
  uint32_t interactions = 0;
  uint64_t raw_bytes = 0;       // serialised size before compression, all interactions
  uint64_t stored_bytes = 0;    // bytes the interactions take in the store
  int64_t first_recorded_ms = 0;
  int64_t last_recorded_ms = 0;
};

}  // namespace ssm

#endif  // SSM_REPLAY_STORE_TAPE_H_
