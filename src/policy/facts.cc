#include "policy/facts.h"

#include <algorithm>
#include <array>
#include <set>

#include <fmt/format.h>

#include "catalog/catalog.h"
#include "dockerfile/parser.h"
#include "dockerfile/stages.h"
#include "harden/trace.h"
#include "lint/linter.h"
#include "match/severity.h"

namespace cinch::policy {
namespace {

constexpr std::array<std::string_view, 6> kBinDirs = {
    "bin/",      "sbin/",          "usr/bin/",
    "usr/sbin/", "usr/local/bin/", "usr/local/sbin/"};

// Program names that make an image "have a shell" or "have a package
// manager" for the distroless rules.
const std::set<std::string_view> kShells = {"sh",  "bash", "dash", "ash",
                                            "zsh", "ksh",  "mksh", "busybox"};
const std::set<std::string_view> kPackageManagers = {
    "apt", "apt-get", "dpkg", "apk", "yum", "dnf", "microdnf", "rpm", "zypper"};

void FindPrograms(const FileTree& tree, Facts& facts) {
  for (const auto& [path, node] : tree.nodes()) {
    if (!node.visible() || node.type == EntryType::kDirectory) continue;
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) continue;
    std::string_view dir(path.data(), slash + 1);
    std::string_view file(path.data() + slash + 1, path.size() - slash - 1);
    if (std::find(kBinDirs.begin(), kBinDirs.end(), dir) == kBinDirs.end()) {
      continue;
    }
    if (kShells.contains(file)) facts.shells.push_back("/" + path);
    if (kPackageManagers.contains(file)) {
      facts.package_managers.push_back("/" + path);
    }
  }
}

// The tag or full reference inside an archive or layout reference.
ImageName NameFromImage(const Image& image) {
  if (image.transport == Transport::kRegistry) {
    std::string_view ref = image.reference;
    if (ref.starts_with("docker://")) ref.remove_prefix(9);
    return ParseImageName(ref);
  }
  auto parsed = cinch::ParseImageRef(image.reference);
  std::string selector = parsed ? parsed->selector : "";
  if (selector.empty() && !image.repo_tags.empty()) {
    selector = image.repo_tags.front();
  }
  if (selector.empty()) return {};
  // oci:DIR:TAG names only a tag; docker-archive names a full reference.
  if (selector.find_first_of(":/@") == std::string::npos) {
    return ImageName{"", "", selector, ""};
  }
  return ParseImageName(selector);
}

std::optional<BaseImage> BaseFromDockerfile(std::string_view text) {
  auto df = dockerfile::Parse(text);
  if (!df) return std::nullopt;
  dockerfile::Build build = dockerfile::AnalyzeStages(*df);
  if (build.stages.empty()) return std::nullopt;
  const dockerfile::Stage* stage = &build.stages.back();
  while (stage->parent) stage = &build.stages[*stage->parent];
  std::string ref =
      stage->base_expanded.empty() ? stage->base : stage->base_expanded;
  if (ref.empty() || ref == "scratch") return std::nullopt;
  return BaseImage{ref, ParseImageName(ref), "dockerfile"};
}

std::optional<BaseImage> FindBase(const Image& image,
                                  const GatherOptions& options) {
  if (!options.dockerfile_text.empty()) {
    if (auto base = BaseFromDockerfile(options.dockerfile_text)) return base;
  }
  auto it = image.config.labels.find("org.opencontainers.image.base.name");
  if (it == image.config.labels.end() || it->second.empty()) {
    return std::nullopt;
  }
  return BaseImage{it->second, ParseImageName(it->second), "label"};
}

Status MatchVulnerabilities(const GatherOptions& options, Facts& facts) {
  const Catalog& catalog = facts.catalog;
  Result<MatchResult> result;
  if (options.advisory_source.affected) {
    result = MatchPackages(catalog.distro, catalog.packages,
                           options.advisory_source);
  } else {
    std::map<std::string, std::vector<Advisory>, std::less<>> cache;
    auto lookup = [&](std::string_view eco,
                      std::string_view name) -> Result<std::vector<Advisory>> {
      std::string key = fmt::format("{}\n{}", eco, name);
      if (auto it = cache.find(key); it != cache.end()) return it->second;
      CINCH_ASSIGN(std::vector<Advisory> found, options.advisories(eco, name));
      return cache.emplace(key, std::move(found)).first->second;
    };
    result = MatchPackages(catalog.distro, catalog.packages, lookup);
  }
  CINCH_ASSIGN(MatchResult matched, std::move(result));
  for (VulnFinding& f : matched.findings) {
    if (options.only_fixed && f.fixed_version.empty()) continue;
    facts.vulnerabilities.push_back(std::move(f));
  }
  facts.vulnerabilities_checked = true;
  facts.advisory_db = options.advisory_db;
  return {};
}

void Lint(const GatherOptions& options, Facts& facts) {
  lint::LintOptions lint_options{options.lint_config, ""};
  size_t slash = options.dockerfile_path.rfind('/');
  lint_options.context_dir = slash == std::string::npos
                                 ? "."
                                 : options.dockerfile_path.substr(0, slash);
  lint::LintResult r = lint::LintDockerfile(
      options.dockerfile_path, options.dockerfile_text, lint_options);
  facts.lint_checked = true;
  facts.dockerfile = options.dockerfile_path;
  facts.lint_findings = std::move(r.findings);
}

}  // namespace

ImageName ParseImageName(std::string_view reference) {
  dockerfile::ImageRef ref = dockerfile::ParseImageRef(reference);
  ImageName out;
  bool hub = ref.registry.empty() || ref.registry == "docker.io" ||
             ref.registry == "index.docker.io";
  out.registry = hub ? "docker.io" : ref.registry;
  // Docker Hub's official images live under library/.
  std::string repository = ref.repository;
  if (hub && repository.find('/') == std::string::npos) {
    repository = "library/" + repository;
  }
  out.name = out.registry + "/" + repository;
  out.tag = ref.tag;
  out.digest = ref.digest;
  return out;
}

bool IsSecretFinding(const ImageFinding& f) {
  return f.finding.rule.starts_with("CH1");
}

Result<Facts> GatherFacts(const ImageSource& source,
                          const GatherOptions& options) {
  const Image& image = source.image();
  harden::Options harden_options;
  harden_options.settings = options.harden_settings;
  harden_options.now = options.now;
  CINCH_ASSIGN(std::unique_ptr<harden::Hardener> hardener,
               harden::Hardener::Create(image.layers.size(), harden_options));
  ImageCataloger cataloger(image);
  std::vector<Analyzer*> analyzers(cataloger.analyzers().begin(),
                                   cataloger.analyzers().end());
  analyzers.push_back(hardener.get());
  CINCH_ASSIGN(ImageWalk walk, WalkImage(source, analyzers, options.walk));

  Facts facts;
  facts.image = image;
  facts.name = NameFromImage(image);
  facts.base = FindBase(image, options);
  InspectOptions inspect_options;
  inspect_options.top = 10;
  facts.inspect = Summarize(image, walk, inspect_options);
  facts.inspect.findings_checked = true;
  facts.inspect.findings =
      hardener->Collect(image, walk.tree, &facts.inspect.secret_scan);
  facts.catalog = cataloger.Finish(walk.tree);
  FindPrograms(walk.tree, facts);

  if (!options.dockerfile_path.empty()) {
    auto trace = harden::DockerfileTrace::Build(
        image.config, options.dockerfile_text, options.dockerfile_path);
    if (trace) trace->Apply(image, facts.inspect.findings);
    Lint(options, facts);
  }
  if (options.advisory_source.affected || options.advisories) {
    CINCH_TRY(MatchVulnerabilities(options, facts));
  }
  return facts;
}

namespace {

nlohmann::json NameJson(const ImageName& n) {
  return {{"name", n.name},
          {"registry", n.registry},
          {"tag", n.tag},
          {"digest", n.digest}};
}

nlohmann::json LocationJson(const Location& l) {
  nlohmann::json j = {{"path", l.path}, {"line", l.line}};
  if (l.end_line > 0) j["end_line"] = l.end_line;
  return j;
}

nlohmann::json ImageFindingJson(const ImageFinding& f) {
  nlohmann::json j = {{"rule", f.finding.rule},
                      {"severity", SeverityName(f.finding.severity)},
                      {"title", f.title},
                      {"message", f.finding.message},
                      {"path", f.finding.location.path},
                      {"layer", f.layer},
                      {"state", f.state}};
  if (!f.fingerprint.empty()) j["fingerprint"] = f.fingerprint;
  if (f.source.line > 0) {
    j["source"] = LocationJson(f.source);
    j["instruction"] = f.instruction;
  }
  return j;
}

nlohmann::json ConfigJson(const ImageConfig& c) {
  nlohmann::json env = nlohmann::json::array();
  for (const std::string& e : c.env) env.push_back(e.substr(0, e.find('=')));
  nlohmann::json labels = nlohmann::json::object();
  for (const auto& [k, v] : c.labels) labels[k] = v;
  return {{"user", c.user},
          {"env", env},
          {"labels", labels},
          {"exposed_ports", c.exposed_ports},
          {"entrypoint", c.entrypoint},
          {"cmd", c.cmd},
          {"working_dir", c.working_dir},
          {"healthcheck", c.has_healthcheck},
          {"created", c.created},
          {"platform", c.platform.ToString()}};
}

nlohmann::json LayersJson(const InspectReport& r) {
  nlohmann::json layers = nlohmann::json::array();
  for (const LayerRow& row : r.steps) {
    if (row.layer < 0) continue;
    layers.push_back({{"index", row.layer},
                      {"digest", row.digest},
                      {"diff_id", row.diff_id},
                      {"compressed_bytes", row.compressed_bytes},
                      {"uncompressed_bytes", row.uncompressed_bytes},
                      {"wasted_bytes", row.wasted_bytes},
                      {"created_by", row.created_by}});
  }
  return layers;
}

nlohmann::json PackagesJson(const Catalog& c) {
  nlohmann::json out = nlohmann::json::array();
  for (const Package& p : c.packages) {
    out.push_back({{"name", p.name},
                   {"version", p.version},
                   {"type", PackageTypeName(p.type)},
                   {"purl", p.purl},
                   {"source_name", p.source_name},
                   {"licenses", p.licenses},
                   {"layer", p.layer}});
  }
  return out;
}

nlohmann::json VulnsJson(const Facts& facts) {
  nlohmann::json list = nlohmann::json::array();
  for (const VulnFinding& f : facts.vulnerabilities) {
    const Package& p = facts.catalog.packages[f.package_index];
    list.push_back({{"id", f.id},
                    {"aliases", f.aliases},
                    {"package", p.name},
                    {"version", p.version},
                    {"purl", p.purl},
                    {"fixed_version", f.fixed_version},
                    {"severity", VulnSeverityName(f.severity)},
                    {"cvss_score", f.cvss_score},
                    {"summary", f.summary}});
  }
  return {{"checked", facts.vulnerabilities_checked},
          {"database", facts.advisory_db},
          {"findings", list}};
}

nlohmann::json LintJson(const Facts& facts) {
  nlohmann::json list = nlohmann::json::array();
  for (const Finding& f : facts.lint_findings) {
    list.push_back({{"rule", f.rule},
                    {"aliases", f.aliases},
                    {"severity", SeverityName(f.severity)},
                    {"message", f.message},
                    {"line", f.location.line},
                    {"end_line", f.location.end_line}});
  }
  return {{"checked", facts.lint_checked},
          {"dockerfile", facts.dockerfile},
          {"findings", list}};
}

}  // namespace

nlohmann::json FactsToJson(const Facts& facts, std::string_view tool_version) {
  const InspectReport& r = facts.inspect;
  nlohmann::json image = NameJson(facts.name);
  image["reference"] = facts.image.reference;
  image["transport"] = TransportName(facts.image.transport);
  image["manifest_digest"] = facts.image.manifest_digest;
  image["config_digest"] = facts.image.config_digest;
  image["repo_tags"] = facts.image.repo_tags;
  nlohmann::json base = nullptr;
  if (facts.base) {
    base = NameJson(facts.base->name);
    base["reference"] = facts.base->reference;
    base["source"] = facts.base->source;
  }
  nlohmann::json secrets = nlohmann::json::array();
  nlohmann::json hardening = nlohmann::json::array();
  for (const ImageFinding& f : r.findings) {
    (IsSecretFinding(f) ? secrets : hardening).push_back(ImageFindingJson(f));
  }
  const Distro& d = facts.catalog.distro;
  return {
      {"schema_version", kFactsSchemaVersion},
      {"tool", {{"name", "cinch"}, {"version", tool_version}}},
      {"image", image},
      {"config", ConfigJson(facts.image.config)},
      {"base_image", base},
      {"size",
       {{"compressed_bytes", r.compressed_bytes},
        {"uncompressed_bytes", r.uncompressed_bytes},
        {"visible_file_bytes", r.visible_file_bytes},
        {"visible_files", r.visible_files}}},
      {"layer_count", r.layer_count},
      {"layers", LayersJson(r)},
      {"waste",
       {{"wasted_bytes", r.wasted_bytes}, {"efficiency", r.efficiency}}},
      {"os",
       {{"id", d.id},
        {"version_id", d.version_id},
        {"codename", d.codename},
        {"pretty_name", d.pretty_name}}},
      {"packages", PackagesJson(facts.catalog)},
      {"vulnerabilities", VulnsJson(facts)},
      {"secrets", secrets},
      {"hardening", hardening},
      {"lint", LintJson(facts)},
      {"has_shell", !facts.shells.empty()},
      {"shells", facts.shells},
      {"has_package_manager", !facts.package_managers.empty()},
      {"package_managers", facts.package_managers},
  };
}

}  // namespace cinch::policy
