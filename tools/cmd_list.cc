// ssm-replay list: the tapes in a store, as a table or JSON.
#include <algorithm>
#include <iostream>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/iso_time.h"
#include "tools/cli_util.h"
#include "tools/command.h"
#include "tools/filter_options.h"
#include "tools/tape_hash.h"

namespace ssm {
namespace {

struct ListOptions {
  std::string store;
  FilterOptions filter;
  bool json = false;
};

// A column is as wide as its widest cell, up to kMaxCell characters; longer cells end in an ellipsis.
constexpr size_t kMaxCell = 40;
constexpr size_t kMaxRequestCell = 60;  // the last column: the request of an action tape

// Characters a terminal shows for UTF-8 `text` (one per code point: names are not East Asian wide).
size_t DisplayWidth(const std::string& text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// `text` with control characters shown as '?', cut to `max` characters with a trailing ellipsis.
std::string Cell(const std::string& text, size_t max) {
  std::string out;
  size_t width = 0;
  const size_t total = DisplayWidth(text);
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    bool starts_character = (c & 0xC0) != 0x80;
    if (starts_character && total > max && width == max - 1) return out + "\u2026";
    if (starts_character) ++width;
    out.push_back(c < 0x20 || c == 0x7F ? '?' : static_cast<char>(c));
  }
  return out;
}

std::vector<std::string> Row(const TapeInfo& t) {
  const TapeKey& k = t.key;
  std::string recorded = t.first_recorded_ms ? FormatIsoMillis(t.first_recorded_ms) : "-";
  if (k.is_invocation()) {
    return {k.action(), Cell(k.command_id(), kMaxCell), Cell(k.instance_id(), kMaxCell),
            Cell(k.plugin_name().value_or("-"), kMaxCell), "-", std::to_string(t.interactions), recorded, "-"};
  }
  return {Cell(k.action(), kMaxCell), "-", "-", "-", "sha256:" + ShortHash(k), std::to_string(t.interactions),
          recorded, Cell(k.canonical_body(), kMaxRequestCell)};
}

void PrintTable(const std::vector<TapeInfo>& tapes) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"ACTION", "COMMAND ID", "INSTANCE ID", "PLUGIN", "HASH", "ENTRIES", "RECORDED", "REQUEST"});
  for (const TapeInfo& t : tapes) rows.push_back(Row(t));
  std::vector<size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], DisplayWidth(row[c]));
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - DisplayWidth(row[c]) + 2, ' ');
    }
    std::cout << line << "\n";
  }
}

void PrintJson(const std::vector<TapeInfo>& tapes) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& t : tapes) {
    nlohmann::ordered_json row;
    row["action"] = t.key.action();
    if (t.key.is_invocation()) {
      row["CommandId"] = t.key.command_id();
      row["InstanceId"] = t.key.instance_id();
      row["PluginName"] = t.key.plugin_name() ? nlohmann::ordered_json(*t.key.plugin_name()) : nullptr;
    } else {
      row["hash"] = "sha256:" + ShortHash(t.key);
      row["request"] = nlohmann::ordered_json::parse(t.key.canonical_body(), nullptr, false);
    }
    row["interactions"] = t.interactions;
    row["storedBytes"] = t.stored_bytes;
    row["firstRecorded"] = FormatIsoMillis(t.first_recorded_ms);
    row["lastRecorded"] = FormatIsoMillis(t.last_recorded_ms);
    out.push_back(std::move(row));
  }
  std::cout << out.dump(2) << "\n";
}

void RunList(const ListOptions& o) {
  Result<TapeFilter> filter = o.filter.Filter();
  if (!filter.ok()) Fail("list", filter.status().message());
  auto store = OpenStoreOrFail("list", o.store, StoreAccess::kRead);
  auto tapes = store->ListTapes(*filter);
  if (!tapes.ok()) Fail("list", tapes.status().message());
  if (o.json) {
    PrintJson(*tapes);
  } else {
    PrintTable(*tapes);
  }
}

CommandRegistration registration(12, [](CLI::App& app) {
  auto o = std::make_shared<ListOptions>();
  auto* cmd = app.add_subcommand("list", "List tapes (filter by CommandId prefix, InstanceId, action, recorded time)");
  AddStoreOption(cmd, &o->store, StoreAccess::kRead);
  o->filter.AddTo(cmd);
  cmd->add_flag("--json", o->json, "JSON instead of a table");
  cmd->callback([o] { RunList(*o); });
});

}  // namespace
}  // namespace ssm
