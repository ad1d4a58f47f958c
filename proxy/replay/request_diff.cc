#include "proxy/replay/request_diff.h"

namespace ssm {
namespace {

using nlohmann::json;

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

json ParseRequestBody(std::string_view text) {
  if (text.empty()) return json::object();
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return parsed.is_discarded() ? json(std::string(text)) : parsed;
}

std::vector<FieldDifference> DiffRequests(const json& requested, const json& recorded) {
  std::vector<FieldDifference> out;
  Diff("", &requested, &recorded, &out);
  return out;
}

std::vector<FieldDifference> DiffRequestBodies(std::string_view requested, std::string_view recorded) {
  return DiffRequests(ParseRequestBody(requested), ParseRequestBody(recorded));
}

}  // namespace ssm
