#include "policy/export.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace cinch::policy {
namespace {

// Every container of a Pod: regular, init and ephemeral.
constexpr std::string_view kContainers =
    "object.spec.containers + "
    "(has(object.spec.initContainers) ? object.spec.initContainers : []) + "
    "(has(object.spec.ephemeralContainers) ? "
    "object.spec.ephemeralContainers : [])";

struct Check {
  std::string name;
  std::string expression;  // CEL over `variables.containers` and `object`
  std::string message;
};

std::string CelString(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

// A container's securityContext field is set to `value`.
std::string Field(std::string_view field, std::string_view value) {
  return fmt::format(
      "variables.containers.all(c, has(c.securityContext) && "
      "has(c.securityContext.{0}) && c.securityContext.{0} == {1})",
      field, value);
}

std::vector<Check> DeployChecks(const Policy& p) {
  std::vector<Check> out;
  if (!p.allowed_registries.empty()) {
    std::string any;
    std::string names;
    for (const std::string& r : p.allowed_registries) {
      any += fmt::format("{}c.image.startsWith({})", any.empty() ? "" : " || ",
                         CelString(r + "/"));
      names += (names.empty() ? "" : ", ") + r;
    }
    out.push_back({"allowed-registries",
                   fmt::format("variables.containers.all(c, {})", any),
                   fmt::format("images must come from: {} (write image "
                               "names in full, registry included)",
                               names)});
  }
  if (p.no_latest) {
    out.push_back(
        {"no-latest-tag",
         "variables.containers.all(c, c.image.contains('@') || "
         "(c.image.split('/')[c.image.split('/').size() - 1].contains(':') "
         "&& !c.image.endsWith(':latest')))",
         "images must be pinned by a digest or a version tag, not latest or "
         "no tag"});
  }
  if (p.non_root) {
    out.push_back(
        {"run-as-non-root",
         "variables.containers.all(c, (has(c.securityContext) && "
         "has(c.securityContext.runAsNonRoot)) ? "
         "c.securityContext.runAsNonRoot == true : "
         "(has(object.spec.securityContext) && "
         "has(object.spec.securityContext.runAsNonRoot) && "
         "object.spec.securityContext.runAsNonRoot == true))",
         "containers must set securityContext.runAsNonRoot: true (on the "
         "container or the Pod)"});
  }
  if (p.read_only_root_filesystem) {
    out.push_back({"read-only-root-filesystem",
                   Field("readOnlyRootFilesystem", "true"),
                   "containers must set securityContext."
                   "readOnlyRootFilesystem: true"});
  }
  if (p.drop_all_capabilities) {
    out.push_back({"drop-all-capabilities",
                   "variables.containers.all(c, has(c.securityContext) && "
                   "has(c.securityContext.capabilities) && "
                   "has(c.securityContext.capabilities.drop) && "
                   "c.securityContext.capabilities.drop.exists(d, d == "
                   "'ALL'))",
                   "containers must drop ALL capabilities "
                   "(securityContext.capabilities.drop: [ALL])"});
  }
  if (p.no_privilege_escalation) {
    out.push_back({"no-privilege-escalation",
                   Field("allowPrivilegeEscalation", "false"),
                   "containers must set securityContext."
                   "allowPrivilegeEscalation: false"});
  }
  return out;
}

YAML::Node PodResourceRules() {
  YAML::Node rule;
  rule["apiGroups"].push_back("");
  rule["apiVersions"].push_back("v1");
  rule["operations"].push_back("CREATE");
  rule["operations"].push_back("UPDATE");
  rule["resources"].push_back("pods");
  YAML::Node rules;
  rules.push_back(rule);
  return rules;
}

YAML::Node ContainersVariable() {
  YAML::Node v;
  v["name"] = "containers";
  v["expression"] = std::string(kContainers);
  YAML::Node list;
  list.push_back(v);
  return list;
}

YAML::Node Metadata(const Policy& p, const std::string& name) {
  YAML::Node m;
  m["name"] = name;
  m["labels"]["app.kubernetes.io/managed-by"] = "cinch";
  if (!p.source.empty()) {
    m["annotations"]["cinch.dev/policy-source"] = p.source;
  }
  return m;
}

std::string Emit(const std::vector<YAML::Node>& docs) {
  std::string out;
  for (const YAML::Node& d : docs) {
    YAML::Emitter e;
    e << d;
    out += "---\n" + std::string(e.c_str()) + "\n";
  }
  return out;
}

}  // namespace

Result<std::string> ExportKyverno(const Policy& policy,
                                  const ExportOptions& options) {
  std::vector<Check> checks = DeployChecks(policy);
  if (checks.empty()) return Fail("the policy has no deploy-time rule");
  YAML::Node doc;
  doc["apiVersion"] = "kyverno.io/v1";
  doc["kind"] = "ClusterPolicy";
  doc["metadata"] = Metadata(policy, options.name);
  doc["metadata"]["annotations"]["policies.kyverno.io/title"] =
      "cinch deploy-time policy";
  doc["spec"]["background"] = true;
  for (const Check& c : checks) {
    YAML::Node rule;
    rule["name"] = c.name;
    YAML::Node resources;
    resources["resources"]["kinds"].push_back("Pod");
    rule["match"]["any"].push_back(resources);
    rule["validate"]["failureAction"] = options.enforce ? "Enforce" : "Audit";
    rule["validate"]["cel"]["variables"] = ContainersVariable();
    YAML::Node expr;
    expr["expression"] = c.expression;
    expr["message"] = c.message;
    rule["validate"]["cel"]["expressions"].push_back(expr);
    doc["spec"]["rules"].push_back(rule);
  }
  return Emit({doc});
}

Result<std::string> ExportValidatingAdmissionPolicy(
    const Policy& policy, const ExportOptions& options) {
  std::vector<Check> checks = DeployChecks(policy);
  if (checks.empty()) return Fail("the policy has no deploy-time rule");
  YAML::Node vap;
  vap["apiVersion"] = "admissionregistration.k8s.io/v1";
  vap["kind"] = "ValidatingAdmissionPolicy";
  vap["metadata"] = Metadata(policy, options.name);
  vap["spec"]["failurePolicy"] = "Fail";
  vap["spec"]["matchConstraints"]["resourceRules"] = PodResourceRules();
  vap["spec"]["variables"] = ContainersVariable();
  for (const Check& c : checks) {
    YAML::Node v;
    v["expression"] = c.expression;
    v["message"] = c.message;
    v["reason"] = "Forbidden";
    vap["spec"]["validations"].push_back(v);
  }
  YAML::Node binding;
  binding["apiVersion"] = "admissionregistration.k8s.io/v1";
  binding["kind"] = "ValidatingAdmissionPolicyBinding";
  binding["metadata"] = Metadata(policy, options.name + "-binding");
  binding["spec"]["policyName"] = options.name;
  binding["spec"]["validationActions"].push_back(options.enforce ? "Deny"
                                                                 : "Warn");
  return Emit({vap, binding});
}

}  // namespace cinch::policy
