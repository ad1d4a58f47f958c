// Recorder: the capability to put one interaction on a tape. Modes that record see only this.
#ifndef SSM_REPLAY_PROXY_RECORD_RECORDER_H_
#define SSM_REPLAY_PROXY_RECORD_RECORDER_H_

#include "store/interaction.h"
#include "store/status.h"
#include "store/tape_key.h"

namespace ssm {

class Recorder {
 public:
  virtual ~Recorder() = default;
  // Records `interaction` on the tape for `key` and returns only once it is committed to the store
  // (so a caller may then answer its client), or with the Status saying why it was not. Called
  // concurrently from many server threads.
  virtual Status Record(const TapeKey& key, Interaction interaction) = 0;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_RECORD_RECORDER_H_
