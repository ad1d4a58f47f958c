#include "proxy/replay/request_diff.h"

#include <nlohmann/json.hpp>

namespace ssm {
namespace {

using nlohmann::json;

json ParseOrString(std::string_view text) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return parsed.is_discarded() ? json(std::string(text)) : parsed;
}

std::string MemberPath(const std::string& parent, const std::string& name) {
  return parent.empty() ? name : parent + "." + name;
}

void Diff(const std::string& path, const json* requested, const json* recorded, std::vector<FieldDifference>* out) {
  if (requested && recorded && *requested == *recorded) return;
  if (requested && recorded && requested->is_object() && recorded->is_object()) {
    // nlohmann's objects iterate in name order, so the union is walked by merging the two.
    auto a = requested->begin(), b = recorded->begin();
    while (a != requested->end() || b != recorded->end()) {
      if (b == recorded->end() || (a != requested->end() && a.key() < b.key())) {
        Diff(MemberPath(path, a.key()), &a.value(), nullptr, out);
        ++a;
      } else if (a == requested->end() || b.key() < a.key()) {
        Diff(MemberPath(path, b.key()), nullptr, &b.value(), out);
        ++b;
      } else {
        Diff(MemberPath(path, a.key()), &a.value(), &b.value(), out);
        ++a;
        ++b;
      }
    }
    return;
  }
  if (requested && recorded && requested->is_array() && recorded->is_array() &&
      requested->size() == recorded->size()) {
    for (size_t i = 0; i < requested->size(); ++i) {
      Diff(path + "[" + std::to_string(i) + "]", &(*requested)[i], &(*recorded)[i], out);
    }
    return;
  }
  FieldDifference d;
  d.path = path.empty() ? "(body)" : path;
  if (requested) d.requested = requested->dump();
  if (recorded) d.recorded = recorded->dump();
  out->push_back(std::move(d));
}

}  // namespace

std::vector<FieldDifference> DiffRequestBodies(std::string_view requested, std::string_view recorded) {
  json a = ParseOrString(requested.empty() ? "{}" : requested);
  json b = ParseOrString(recorded.empty() ? "{}" : recorded);
  std::vector<FieldDifference> out;
  Diff("", &a, &b, &out);
  return out;
}

}  // namespace ssm
