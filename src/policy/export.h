// The deploy-time part of a policy as cluster admission policies: a
// Kyverno ClusterPolicy, or a Kubernetes ValidatingAdmissionPolicy (CEL)
// with its binding. What carries over: allowed registries, no `latest`
// tag (and a tag or digest required), runAsNonRoot, and the policy's
// `deploy:` settings (readOnlyRootFilesystem, drop ALL capabilities, no
// privilege escalation). Image contents (size, packages, secrets) cannot
// be checked at admission and are left out.
#ifndef CINCH_POLICY_EXPORT_H_
#define CINCH_POLICY_EXPORT_H_

#include <string>

#include "policy/policy.h"

namespace cinch::policy {

struct ExportOptions {
  std::string name = "cinch-policy";  // metadata.name
  bool enforce = true;                // Enforce/Deny; false: Audit/Warn
};

// YAML documents, "---" separated. Error when the policy has no
// deploy-time rule to export.
Result<std::string> ExportKyverno(const Policy& policy,
                                  const ExportOptions& options);
Result<std::string> ExportValidatingAdmissionPolicy(
    const Policy& policy, const ExportOptions& options);

}  // namespace cinch::policy

#endif  // CINCH_POLICY_EXPORT_H_
