// DictionaryCache: the zstd dictionaries a store has read so far, by id. Internal to store/.
//
// Every decode asks, from every request thread, so a known dictionary is found without a lock (a
// thread preempted holding even a shared lock would hold up every decode behind it): the cache is a
// list only ever prepended to, which readers walk as it is. Adding takes a lock, once per dictionary.
#ifndef SSM_REPLAY_STORE_DICTIONARY_CACHE_H_
#define SSM_REPLAY_STORE_DICTIONARY_CACHE_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "store/port/mutex.h"
#include "store/port/thread_annotations.h"

namespace ssm {

class DictionaryCache {
 public:
  DictionaryCache() = default;
  DictionaryCache(const DictionaryCache&) = delete;
  DictionaryCache& operator=(const DictionaryCache&) = delete;
  ~DictionaryCache();

  // The dictionary `id`, or null when it was not added. The bytes stay valid for the cache's
  // lifetime: dictionaries are never removed.
  const std::string* Find(uint32_t id) const;
  // Adds `bytes` as dictionary `id`, unless another thread added it meanwhile; returns the one kept.
  const std::string* Add(uint32_t id, std::string bytes) EXCLUDES(add_mu_);

 private:
  struct Node {
    uint32_t id;
    std::string bytes;
    const Node* next;
  };
  static const std::string* FindFrom(const Node* head, uint32_t id);

  Mutex add_mu_;  // one adder at a time; readers never wait
  std::atomic<const Node*> head_{nullptr};  // owned; stored only under add_mu_
};

}  // namespace ssm

#endif  // SSM_REPLAY_STORE_DICTIONARY_CACHE_H_
