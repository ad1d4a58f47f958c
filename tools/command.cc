#include "tools/command.h"

#include <algorithm>
#include <utility>

namespace ssm {
namespace {

std::vector<std::pair<int, CommandSetup>>& Registry() {
  static std::vector<std::pair<int, CommandSetup>> registry;
  return registry;
}

}  // namespace

CommandRegistration::CommandRegistration(int order, CommandSetup setup) {
  Registry().emplace_back(order, std::move(setup));
}

std::vector<CommandSetup> RegisteredCommands() {
  auto sorted = Registry();
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<CommandSetup> out;
  for (auto& [order, setup] : sorted) out.push_back(setup);
  return out;
}

}  // namespace ssm
