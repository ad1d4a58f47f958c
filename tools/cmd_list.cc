// ssm-replay list: the tapes in a store, as a table or JSON.
#include <iomanip>
#include <iostream>

#include <nlohmann/json.hpp>

#include "tools/cli_util.h"
#include "tools/command.h"

namespace ssm {
namespace {

struct ListOptions {
  std::string store, command_id, instance_id, action;
  bool json = false;
};

void RunList(const ListOptions& o) {
  auto store = OpenStoreOrFail("list", o.store, StoreAccess::kRead);
  TapeFilter filter;
  if (!o.command_id.empty()) filter.command_id = o.command_id;
  if (!o.instance_id.empty()) filter.instance_id = o.instance_id;
  if (!o.action.empty()) filter.action = o.action;
  auto tapes = store->ListTapes(filter);
  if (!tapes.ok()) Fail("list", tapes.status().message());
  if (o.json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& t : *tapes) {
      nlohmann::ordered_json row;
      row["action"] = t.key.action();
      if (t.key.is_invocation()) {
        row["CommandId"] = t.key.command_id();
        row["InstanceId"] = t.key.instance_id();
        row["PluginName"] = t.key.plugin_name() ? nlohmann::ordered_json(*t.key.plugin_name()) : nullptr;
      } else {
        row["request"] = nlohmann::ordered_json::parse(t.key.canonical_body(), nullptr, false);
      }
      row["interactions"] = t.interactions;
      row["storedBytes"] = t.stored_bytes;
      out.push_back(std::move(row));
    }
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::cout << std::left << std::setw(22) << "ACTION" << std::setw(38) << "COMMAND ID" << std::setw(21)
            << "INSTANCE ID" << std::setw(24) << "PLUGIN" << "ENTRIES\n";
  for (const auto& t : *tapes) {
    std::cout << std::setw(22) << t.key.action();
    if (t.key.is_invocation()) {
      std::cout << std::setw(38) << t.key.command_id() << std::setw(21) << t.key.instance_id() << std::setw(24)
                << (t.key.plugin_name() ? *t.key.plugin_name() : "-");
    } else {
      std::string body = t.key.canonical_body();
      if (body.size() > 80) body = body.substr(0, 77) + "...";
      std::cout << std::setw(83) << body;
    }
    std::cout << t.interactions << "\n";
  }
}

CommandRegistration registration(12, [](CLI::App& app) {
  auto o = std::make_shared<ListOptions>();
  auto* cmd = app.add_subcommand("list", "List tapes (filter by CommandId, InstanceId or action)");
  AddStoreOption(cmd, &o->store, StoreAccess::kRead);
  cmd->add_option("--command-id", o->command_id, "Only tapes of this CommandId (a prefix scan: fast)");
  cmd->add_option("--instance-id", o->instance_id, "Only GetCommandInvocation tapes of this InstanceId");
  cmd->add_option("--action", o->action, "Only tapes of this action, e.g. SendCommand");
  cmd->add_flag("--json", o->json, "JSON instead of a table");
  cmd->callback([o] { RunList(*o); });
});

}  // namespace
}  // namespace ssm
