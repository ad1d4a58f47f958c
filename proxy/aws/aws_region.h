// Which AWS region the record path signs for and forwards to.
#ifndef SSM_REPLAY_PROXY_AWS_AWS_REGION_H_
#define SSM_REPLAY_PROXY_AWS_AWS_REGION_H_

#include <string>

#include "proxy/aws/aws_credentials.h"
#include "store/status.h"

namespace ssm {

// `flag_value` (the --region option; empty when not given), else AWS_REGION, else AWS_DEFAULT_REGION,
// else `profile_region` (the profile's region in the config file; empty values count as unset). None: InvalidArgument saying how to set one. A value that is not
// region-shaped (letters, digits and '-') is rejected too, since it ends up in a host name.
Result<std::string> ResolveRegion(const std::string& flag_value, const EnvLookup& env,
                                  const std::string& profile_region = "");

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_AWS_AWS_REGION_H_
