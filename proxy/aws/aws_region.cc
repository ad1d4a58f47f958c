#include "proxy/aws/aws_region.h"

#include <algorithm>
#include <cctype>

namespace ssm {

namespace {

// Region names ("us-east-1", "cn-north-1", "us-gov-west-1") end up in a host name and a signing scope.
bool LooksLikeRegion(const std::string& region) {
  return !region.empty() && region.size() <= 64 &&
         std::all_of(region.begin(), region.end(), [](char c) {
           const unsigned char u = static_cast<unsigned char>(c);
           return std::islower(u) || std::isdigit(u) || c == '-';
         });
}

}  // namespace

Result<std::string> ResolveRegion(const std::string& flag_value, const EnvLookup& env,
                                  const std::string& profile_region) {
  std::string region;
  std::string from;
  if (!flag_value.empty()) {
    region = flag_value;
    from = "--region";
  } else {
    for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
      std::optional<std::string> value = env(name);
      if (value && !value->empty()) {
        region = *value;
        from = name;
        break;
      }
    }
  }
  if (region.empty() && !profile_region.empty()) {
    region = profile_region;
    from = "the profile's region in the config file";
  }
  if (region.empty()) {
    return Status::InvalidArgument(
        "no AWS region: pass --region (e.g. --region us-east-1), set AWS_REGION or AWS_DEFAULT_REGION, or "
        "region in the profile of the config file");
  }
  if (!LooksLikeRegion(region)) {
    return Status::InvalidArgument("region \"" + region + "\" from " + from +
                                   " is not a region name (lower-case letters, digits and '-', e.g. "
                                   "us-east-1)");
  }
  return region;
}

}  // namespace ssm
