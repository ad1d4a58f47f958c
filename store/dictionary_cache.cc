#include "store/dictionary_cache.h"

#include <utility>

namespace ssm {

DictionaryCache::~DictionaryCache() {
  for (const Node* n = head_.load(); n != nullptr;) delete std::exchange(n, n->next);
}

const std::string* DictionaryCache::FindFrom(const Node* head, uint32_t id) {
  for (const Node* n = head; n != nullptr; n = n->next) {
    if (n->id == id) return &n->bytes;
  }
  return nullptr;
}

const std::string* DictionaryCache::Find(uint32_t id) const {
  return FindFrom(head_.load(std::memory_order_acquire), id);
}

const std::string* DictionaryCache::Add(uint32_t id, std::string bytes) {
  MutexLock lock(&add_mu_);
  const Node* head = head_.load(std::memory_order_relaxed);
  if (const std::string* added = FindFrom(head, id)) return added;
  auto* node = new Node{id, std::move(bytes), head};
  head_.store(node, std::memory_order_release);
  return &node->bytes;
}

}  // namespace ssm
