#include "proxy/record/known_secrets.h"

#include <algorithm>
#include <utility>

namespace ssm {

void KnownSecrets::Learn(std::vector<std::string> set) {
  set.erase(std::remove(set.begin(), set.end(), std::string()), set.end());
  if (set.empty()) return;
  MutexLock lock(&mu_);
  if (!sets_.empty() && sets_.back() == set) return;  // the same credentials again
  sets_.push_back(std::move(set));
  while (sets_.size() > kRememberedSets) sets_.pop_front();
  std::vector<std::string> all;
  for (const auto& remembered : sets_) {
    for (const auto& secret : remembered) {
      if (std::find(all.begin(), all.end(), secret) == all.end()) all.push_back(secret);
    }
  }
  std::stable_sort(all.begin(), all.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  snapshot_ = std::make_shared<const std::vector<std::string>>(std::move(all));
}

std::shared_ptr<const std::vector<std::string>> KnownSecrets::Snapshot() const {
  MutexLock lock(&mu_);
  return snapshot_;
}

}  // namespace ssm
