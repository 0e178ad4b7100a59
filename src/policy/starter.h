// The files `cinch init` writes: a commented starter policy and
// .cinch.yaml. Their text is examples/policy/, compiled in.
#ifndef CINCH_POLICY_STARTER_H_
#define CINCH_POLICY_STARTER_H_

#include <string_view>

namespace cinch::policy {

std::string_view StarterPolicy();  // examples/policy/cinch-policy.yaml
std::string_view StarterConfig();  // examples/policy/cinch.yaml

}  // namespace cinch::policy

#endif  // CINCH_POLICY_STARTER_H_
