// The facts document: everything cinch learns about an image in one pass
// over its layers (sizes, layers, waste, configuration, packages,
// vulnerabilities, hardening and secret findings, and the Dockerfile's
// lint findings), as typed values and as JSON. The JSON is the input of
// policy rules (built-in, jq, or Rego through Conftest/OPA) and follows
// docs/schemas/facts-v1.schema.json; docs/policy.md describes it.
#ifndef CINCH_POLICY_FACTS_H_
#define CINCH_POLICY_FACTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyze/inspect.h"
#include "base/error.h"
#include "catalog/catalog.h"
#include "harden/harden.h"
#include "image/source.h"
#include "lint/config.h"
#include "lint/finding.h"
#include "match/match.h"

namespace cinch::policy {

inline constexpr int kFactsSchemaVersion = 1;

// How the image was named: a tag, a digest, both or neither. Parsed from
// the reference the user gave (docker://, oci:DIR:TAG) or the archive's
// repository tags.
struct ImageName {
  std::string name;      // registry/repository, e.g. "docker.io/library/nginx"
  std::string registry;  // "docker.io" for Docker Hub; "" when unknown
  std::string tag;       // "" when untagged
  std::string digest;    // "sha256:..." when the reference pins one
};

// The image the build started from, when known: from the Dockerfile's
// final stage, else from the org.opencontainers.image.base.name label.
struct BaseImage {
  std::string reference;  // as written
  ImageName name;
  std::string source;  // "dockerfile" or "label"
};

struct Facts {
  Image image;
  ImageName name;
  std::optional<BaseImage> base;
  InspectReport inspect;  // sizes, layers, waste; findings: hardening
  Catalog catalog;        // packages and distro

  bool vulnerabilities_checked = false;
  std::string advisory_db;
  std::vector<VulnFinding> vulnerabilities;  // package_index: catalog

  bool lint_checked = false;
  std::string dockerfile;  // path as given; "" without --dockerfile
  std::vector<Finding> lint_findings;

  // Visible executables in the usual bin directories (paths in the image).
  std::vector<std::string> shells;
  std::vector<std::string> package_managers;
};

struct GatherOptions {
  // The Dockerfile the image was built from: linted, and used to trace
  // findings to instructions and to name the base image. Empty: none.
  std::string dockerfile_path;
  std::string dockerfile_text;
  lint::Config lint_config;
  harden::Settings harden_settings;
  // Where advisories come from: the two-step source (AdvisoryStore's
  // FindAffected and Get fit) when set, else whole-record lookups
  // (AdvisoryStore::Find fits); neither set skips matching.
  AdvisorySource advisory_source;
  AdvisoryLookup advisories;
  std::string advisory_db;  // named in the facts
  bool only_fixed = false;  // drop vulnerabilities without a known fix
  int64_t now = 0;          // for the image-age check; 0 skips it
  WalkOptions walk;
};

// Reads every layer once, running the inspect summary, the hardening
// analyzers and the catalogers together, then matches packages and lints
// the Dockerfile. Errors are input errors (damaged image, bad Dockerfile
// bytes, database failures).
Result<Facts> GatherFacts(const ImageSource& source,
                          const GatherOptions& options);

// Parses a reference such as "docker://ghcr.io/a/b:1@sha256:..." or a
// plain "nginx:1.25" into its parts; Docker Hub names get "docker.io".
ImageName ParseImageName(std::string_view reference);

// True for findings of the secret rules (CH1xxx).
bool IsSecretFinding(const ImageFinding& f);

// The document described by docs/schemas/facts-v1.schema.json.
nlohmann::json FactsToJson(const Facts& facts, std::string_view tool_version);

}  // namespace cinch::policy

#endif  // CINCH_POLICY_FACTS_H_
