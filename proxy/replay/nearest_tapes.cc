#include "proxy/replay/nearest_tapes.h"

#include <algorithm>
#include <numeric>
#include <set>
#include <tuple>
#include <utility>

#include "proxy/replay/request_diff.h"

namespace ssm {
namespace {

// Tapes read per bounded scan: of one CommandId, or of one action.
constexpr size_t kTapesPerCommand = 200;
constexpr size_t kTapesPerAction = 256;
// Tapes read per CommandId one edit away: a few instances are enough to name it.
constexpr size_t kTapesPerVariant = 4;
// The shared-prefix scan drops this many trailing characters (edits near the end that are not single).
constexpr size_t kPrefixSlack = 4;
constexpr size_t kTapesPerPrefix = 64;

size_t PluginDistance(const TapeKey& a, const TapeKey& b) {
  if (a.plugin_name().has_value() != b.plugin_name().has_value()) return 1 + b.plugin_name().value_or("").size();
  return EditDistance(a.plugin_name().value_or(""), b.plugin_name().value_or(""));
}

size_t MaxCommandIdDistance(const TapeKey& key) { return std::max<size_t>(3, key.command_id().size() / 4); }

void AppendKeys(const TapeStore& store, const TapeFilter& filter, std::vector<TapeKey>* out) {
  Result<std::vector<TapeInfo>> listed = store.ListTapes(filter);
  if (!listed.ok()) return;  // a miss message is best effort: a failing scan names fewer tapes
  for (TapeInfo& info : listed.value()) out->push_back(std::move(info.key));
}

std::vector<TapeKey> InvocationCandidates(const TapeStore& store, const TapeKey& key) {
  std::vector<TapeKey> out;
  TapeFilter same;
  same.command_id = key.command_id();
  same.limit = kTapesPerCommand;
  AppendKeys(store, same, &out);
  for (std::string& variant : OneEditVariants(key.command_id())) {
    TapeFilter near;
    near.command_id = std::move(variant);
    near.limit = kTapesPerVariant;
    AppendKeys(store, near, &out);
  }
  const std::string& id = key.command_id();
  if (id.size() >= 2 * kPrefixSlack) {
    TapeFilter prefix;
    prefix.command_id = id.substr(0, id.size() - kPrefixSlack);
    prefix.command_id_is_prefix = true;
    prefix.limit = kTapesPerPrefix;
    AppendKeys(store, prefix, &out);
  }
  return out;
}

}  // namespace

size_t EditDistance(std::string_view a, std::string_view b) {
  if (a.size() < b.size()) std::swap(a, b);
  std::vector<size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), size_t{0});
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::vector<std::string> OneEditVariants(std::string_view s) {
  std::string alphabet = "0123456789abcdef-";
  for (char c : s) {
    if (c != '\0' && alphabet.find(c) == std::string::npos) alphabet.push_back(c);
  }
  std::set<std::string> out;
  std::string base(s);
  for (size_t i = 0; i <= base.size(); ++i) {
    for (char c : alphabet) {
      out.insert(base.substr(0, i) + c + base.substr(i));                           // insertion
      if (i < base.size()) out.insert(base.substr(0, i) + c + base.substr(i + 1));  // substitution
    }
    if (i < base.size()) out.insert(base.substr(0, i) + base.substr(i + 1));  // deletion
    if (i + 1 < base.size()) {
      std::string swapped = base;
      std::swap(swapped[i], swapped[i + 1]);
      out.insert(std::move(swapped));
    }
  }
  out.erase(base);
  out.erase(std::string());
  return std::vector<std::string>(out.begin(), out.end());
}

std::vector<TapeKey> RankNearest(const TapeKey& key, std::vector<TapeKey> candidates, size_t limit) {
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  using Rank = std::tuple<size_t, size_t, size_t>;
  std::vector<std::pair<Rank, TapeKey>> ranked;
  const nlohmann::json wanted = key.is_invocation() ? nlohmann::json() : ParseRequestBody(key.canonical_body());
  for (TapeKey& k : candidates) {
    if (k == key || k.is_invocation() != key.is_invocation() || k.action() != key.action()) continue;
    Rank rank;
    if (key.is_invocation()) {
      size_t command = EditDistance(key.command_id(), k.command_id());
      if (command > MaxCommandIdDistance(key)) continue;
      rank = {command, EditDistance(key.instance_id(), k.instance_id()), PluginDistance(key, k)};
    } else {
      rank = {DiffRequests(wanted, ParseRequestBody(k.canonical_body())).size(), 0, 0};
    }
    ranked.emplace_back(rank, std::move(k));
  }
  // Stable: equal ranks keep key order, so the message is the same on every miss.
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<TapeKey> out;
  for (size_t i = 0; i < ranked.size() && i < limit; ++i) out.push_back(std::move(ranked[i].second));
  return out;
}

std::vector<TapeKey> FindNearestTapes(const TapeStore& store, const TapeKey& key, size_t limit) {
  std::vector<TapeKey> candidates;
  if (key.is_invocation()) {
    candidates = InvocationCandidates(store, key);
  } else {
    TapeFilter same_action;
    same_action.action = key.action();
    same_action.limit = kTapesPerAction;
    AppendKeys(store, same_action, &candidates);
  }
  return RankNearest(key, std::move(candidates), limit);
}

}  // namespace ssm
