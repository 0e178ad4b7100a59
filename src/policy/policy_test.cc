// Each built-in rule on a fixture image that breaks it and one that keeps
// it; exceptions before and after expiry; custom jq rules; the parser.
#include "policy/policy.h"

#include <gtest/gtest.h>

#include <random>

#include "advisory/osv.h"
#include "policy/export.h"
#include "policy/report.h"
#include "policy/starter.h"
#include "tests/fixtures/image_builder.h"

namespace cinch::policy {
namespace {

namespace t = cinch::testing;

constexpr char kOsRelease[] =
    "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian "
    "GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n";

// 2026-01-01T00:00:00Z.
constexpr int64_t kNow = 1767225600;

std::string Stanza(std::string name, std::string version) {
  return "Package: " + name + "\nStatus: install ok installed\n" +
         "Architecture: amd64\nVersion: " + version + "\n\n";
}

// Bytes that do not compress.
std::string Noise(size_t n, unsigned seed = 1) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = char(rng());
  return out;
}

std::string GithubToken() {
  return "ghp_" + std::string("R8kq2ZtW7mXv4Lp9Nc3Bd6Hs1Jf5Gy0Ae8Ui");
}

// A small, well-behaved image: non-root, labelled, one layer.
t::ImageBuilder GoodImage() {
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder()
              .File("app/server", "binary")
              .File("etc/os-release", kOsRelease)
              .File("var/lib/dpkg/status", Stanza("libc6", "2.36-9")),
          t::Compression::kGzip, "COPY . /")
      .User("10001")
      .Label("org.opencontainers.image.source", "https://example.com/app");
  return b;
}

struct Run {
  Facts facts;
  nlohmann::json json;
  Verdict verdict;
};

struct Env {
  std::string tag = "1.0";
  std::string dockerfile;
  AdvisoryLookup advisories;
  int64_t now = kNow;
};

Env Tag(std::string tag) {
  Env e;
  e.tag = std::move(tag);
  return e;
}
Env Docker(std::string text) {
  Env e;
  e.dockerfile = std::move(text);
  return e;
}
Env At(int64_t now) {
  Env e;
  e.now = now;
  return e;
}
Result<std::vector<Advisory>> Lookup(std::string_view eco,
                                     std::string_view name);
Env Db() {
  Env e;
  e.advisories = Lookup;
  return e;
}

Result<Run> Check(const t::ImageBuilder& b, std::string_view policy_yaml,
                  const Env& setup = {}) {
  t::TempDir dir;
  b.WriteOciLayout(dir / "img", setup.tag);
  std::string ref = "oci:" + (dir / "img");
  if (!setup.tag.empty()) ref += ":" + setup.tag;
  CINCH_ASSIGN(auto source, OpenImage(ref, {}));
  GatherOptions options;
  options.advisories = setup.advisories;
  if (!setup.dockerfile.empty()) {
    options.dockerfile_path = "Dockerfile";
    options.dockerfile_text = setup.dockerfile;
  }
  CINCH_ASSIGN(Policy policy, ParsePolicy(policy_yaml, "test-policy.yaml"));
  Run run;
  CINCH_ASSIGN(run.facts, GatherFacts(*source, options));
  run.json = FactsToJson(run.facts, "test");
  CINCH_ASSIGN(run.verdict, Evaluate(policy, run.facts, run.json, setup.now));
  return run;
}

// Violations of `rule` that count (not excepted).
size_t Count(const Run& r, std::string_view rule) {
  size_t n = 0;
  for (const Violation& v : r.verdict.violations) {
    n += v.rule == rule && v.excepted_by.empty();
  }
  return n;
}

std::string Policy1(std::string_view rules) {
  return "version: 1\nrules:\n" + std::string(rules);
}

// Runs `policy` over the image that breaks the rule and the one that keeps
// it, expecting `rule` to fire only on the first.
void ExpectRule(std::string_view rule, std::string_view policy,
                const t::ImageBuilder& bad, const t::ImageBuilder& good,
                const Env& bad_setup = {}, const Env& good_setup = {}) {
  auto broken = Check(bad, policy, bad_setup);
  ASSERT_TRUE(broken) << broken.error().message;
  EXPECT_GE(Count(*broken, rule), 1u) << rule << " did not fire";
  EXPECT_FALSE(broken->verdict.pass);
  auto kept = Check(good, policy, good_setup);
  ASSERT_TRUE(kept) << kept.error().message;
  EXPECT_EQ(Count(*kept, rule), 0u) << rule << " fired on a good image";
  EXPECT_TRUE(kept->verdict.pass) << rule;
}

TEST(PolicyRulesTest, MaxCompressedAndUncompressedSize) {
  t::ImageBuilder big = GoodImage();
  big.Layer(t::LayerBuilder().File("data/blob", Noise(200000)));
  ExpectRule(kMaxCompressed, Policy1("  max-size: {compressed: 100KB}\n"), big,
             GoodImage());
  ExpectRule(kMaxUncompressed, Policy1("  max-size: {uncompressed: 0.1MB}\n"),
             big, GoodImage());
}

TEST(PolicyRulesTest, WasteAndEfficiency) {
  t::ImageBuilder wasteful = GoodImage();
  wasteful.Layer(t::LayerBuilder().File("tmp/cache.tar", Noise(50000)))
      .Layer(t::LayerBuilder().Whiteout("tmp/cache.tar"));
  ExpectRule(kMaxWaste, Policy1("  max-waste: {bytes: 10KB}\n"), wasteful,
             GoodImage());
  ExpectRule(kMinEfficiency, Policy1("  max-waste: {min-efficiency: 0.9}\n"),
             wasteful, GoodImage());
}

TEST(PolicyRulesTest, MaxLayers) {
  t::ImageBuilder tall = GoodImage();
  tall.Layer(t::LayerBuilder().File("a", "1"))
      .Layer(t::LayerBuilder().File("b", "2"));
  ExpectRule(kMaxLayers, Policy1("  max-layers: 2\n"), tall, GoodImage());
}

TEST(PolicyRulesTest, NonRoot) {
  for (std::string user : {"", "root", "0", "0:0"}) {
    t::ImageBuilder root = GoodImage();
    root.User(user);
    ExpectRule(kNonRoot, Policy1("  non-root: true\n"), root, GoodImage());
  }
  t::ImageBuilder named = GoodImage();
  named.User("app:app");
  auto r = Check(named, Policy1("  non-root: true\n"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(Count(*r, kNonRoot), 0u);
}

TEST(PolicyRulesTest, LatestAndUntaggedReferences) {
  std::string p = Policy1("  no-latest: true\n");
  ExpectRule(kLatestTag, p, GoodImage(), GoodImage(), Tag("latest"));
  ExpectRule(kUntagged, p, GoodImage(), GoodImage(), Tag(""));
}

TEST(PolicyRulesTest, AllowedBaseRegistries) {
  std::string p =
      Policy1("  allowed-registries: [docker.io/library, gcr.io/distroless]\n");
  Env evil = Docker("FROM evil.example.com/debian:12\nUSER 10001\n");
  Env hub = Docker("FROM debian:12\nUSER 10001\n");
  ExpectRule(kBaseRegistry, p, GoodImage(), GoodImage(), evil, hub);
  // From the label when there is no Dockerfile; prefixes end at a '/'.
  t::ImageBuilder labelled = GoodImage();
  labelled.Label("org.opencontainers.image.base.name",
                 "gcr.io/distroless/static-debian12:nonroot");
  t::ImageBuilder lookalike = GoodImage();
  lookalike.Label("org.opencontainers.image.base.name",
                  "gcr.io/distroless-fake/static:1");
  ExpectRule(kBaseRegistry, p, lookalike, labelled);
}

TEST(PolicyRulesTest, RequiredLabels) {
  t::ImageBuilder unlabelled = GoodImage();
  unlabelled.Label("org.opencontainers.image.source", "");
  ExpectRule(kRequiredLabel,
             Policy1("  required-labels: [org.opencontainers.image.source]\n"),
             unlabelled, GoodImage());
}

// An OSV record for openssl in Debian 12, fixed in 3.0.15-1~deb12u1.
Advisory OpensslAdvisory() {
  auto a = ParseOsvText(R"({
    "id": "DEBIAN-CVE-2099-0001", "modified": "2025-01-01T00:00:00Z",
    "aliases": ["CVE-2099-0001"],
    "severity": [{"type": "CVSS_V3",
      "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
    "affected": [{"package": {"name": "openssl", "ecosystem": "Debian:12"},
      "ranges": [{"type": "ECOSYSTEM",
        "events": [{"introduced": "0"}, {"fixed": "3.0.15-1~deb12u1"}]}]}]
  })",
                        "test");
  EXPECT_TRUE(a) << a.error().message;
  return *a;
}

Result<std::vector<Advisory>> Lookup(std::string_view eco,
                                     std::string_view name) {
  if (eco == "Debian:12" && name == "openssl") {
    return std::vector<Advisory>{OpensslAdvisory()};
  }
  return std::vector<Advisory>{};
}

t::ImageBuilder WithPackage(std::string name, std::string version) {
  t::ImageBuilder b = GoodImage();
  b.Layer(t::LayerBuilder().File(
      "var/lib/dpkg/status",
      Stanza("libc6", "2.36-9") + Stanza(name, version)));
  return b;
}

TEST(PolicyRulesTest, VulnerabilityGate) {
  std::string p = Policy1("  vulnerabilities: {severity: high}\n");
  Env db = Db();
  ExpectRule(kVulnerability, p, WithPackage("openssl", "3.0.11-1~deb12u2"),
             WithPackage("openssl", "3.0.15-1~deb12u1"), db, db);
  // Over the gate: a critical one does not fail a "critical-only" gate
  // when it is lower; and no database at all is itself a violation.
  auto r = Check(WithPackage("openssl", "3.0.11-1~deb12u2"),
                 Policy1("  vulnerabilities: {severity: critical}\n"), db);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(Count(*r, kVulnerability), 1u);
  EXPECT_NE(r->verdict.violations[0].message.find("CVE-2099-0001"),
            std::string::npos);
  auto unchecked = Check(GoodImage(), p);
  ASSERT_TRUE(unchecked);
  EXPECT_EQ(Count(*unchecked, kVulnerability), 1u);
}

TEST(PolicyRulesTest, SecretsAnywhereInTheLayers) {
  t::ImageBuilder leaky = GoodImage();
  leaky.Layer(t::LayerBuilder().File("app/.env", "TOKEN=" + GithubToken()))
      .Layer(t::LayerBuilder().Whiteout("app/.env"));
  ExpectRule(kSecret, Policy1("  no-secrets: true\n"), leaky, GoodImage());
}

TEST(PolicyRulesTest, DeniedPackagesAndLicences) {
  ExpectRule(kDeniedPackage, Policy1("  denied-packages: [\"telnet*\"]\n"),
             WithPackage("telnetd", "0.17-1"), WithPackage("curl", "7.88"));
  auto npm = [](std::string license) {
    t::ImageBuilder b = GoodImage();
    b.Layer(t::LayerBuilder().File(
        "app/node_modules/left-pad/package.json",
        R"({"name": "left-pad", "version": "1.3.0", "license": ")" + license +
            "\"}"));
    return b;
  };
  ExpectRule(kDeniedLicense, Policy1("  denied-licenses: [AGPL-3.0-only]\n"),
             npm("(MIT OR AGPL-3.0-only)"), npm("AGPL-3.0-or-later"));
}

TEST(PolicyRulesTest, LintThreshold) {
  std::string p = Policy1("  lint: {failure-threshold: error}\n");
  Env bad =
      Docker("FROM debian:12\nENTRYPOINT [\"/a\"]\nENTRYPOINT [\"/b\"]\n");
  Env good = Docker("FROM debian:12\nENTRYPOINT [\"/a\"]\n");
  ExpectRule(kLint, p, GoodImage(), GoodImage(), bad, good);
  auto r = Check(GoodImage(), p, bad);
  ASSERT_TRUE(r);
  for (const Violation& v : r->verdict.violations) {
    if (v.rule != kLint) continue;
    EXPECT_EQ(v.source.path, "Dockerfile");
    EXPECT_GE(v.source.line, 2u);  // points at an ENTRYPOINT
  }
}

TEST(PolicyRulesTest, HardeningThreshold) {
  t::ImageBuilder setuid = GoodImage();
  setuid.Layer(t::LayerBuilder().File("usr/bin/su", "x", 04755));
  ExpectRule(kHardening, Policy1("  hardening: {failure-threshold: warning}\n"),
             setuid, GoodImage());
}

TEST(PolicyRulesTest, NoShellNoPackageManager) {
  t::ImageBuilder shell = GoodImage();
  shell.Layer(
      t::LayerBuilder().File("bin/dash", "ELF").Symlink("bin/sh", "dash"));
  ExpectRule(kShell, Policy1("  no-shell: true\n"), shell, GoodImage());
  t::ImageBuilder apt = GoodImage();
  apt.Layer(t::LayerBuilder().File("usr/bin/apt-get", "ELF"));
  ExpectRule(kPackageManager, Policy1("  no-package-manager: true\n"), apt,
             GoodImage());
}

TEST(PolicyRulesTest, SeverityOverrideAndThreshold) {
  t::ImageBuilder tall = GoodImage();
  tall.Layer(t::LayerBuilder().File("a", "1"));
  auto r = Check(tall,
                 "version: 1\nrules: {max-layers: 1}\n"
                 "severity: {CP1005: warning}\n");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(Count(*r, kMaxLayers), 1u);
  EXPECT_TRUE(r->verdict.pass);  // warnings do not fail at "error"
  r = Check(tall,
            "version: 1\nfailure-threshold: warning\nrules: {max-layers: 1}\n"
            "severity: {CP1005: warning}\n");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->verdict.pass);
}

TEST(CustomRuleTest, JqExpressions) {
  std::string p =
      "version: 1\ncustom:\n"
      "  - id: no-healthcheck\n    message: no HEALTHCHECK\n"
      "    jq: '.config.healthcheck | not'\n"
      "  - id: big-files\n    severity: warning\n    message: over 1 byte\n"
      "    jq: '[.layers[] | select(.uncompressed_bytes > 1) | .index]'\n"
      "  - id: never\n    message: never\n    jq: 'false'\n";
  auto r = Check(GoodImage(), p);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(Count(*r, "no-healthcheck"), 1u);
  EXPECT_EQ(Count(*r, "big-files"), 1u);  // one layer
  EXPECT_EQ(Count(*r, "never"), 0u);
  EXPECT_FALSE(r->verdict.pass);

  auto bad = Check(GoodImage(),
                   "version: 1\ncustom:\n  - id: x\n    message: m\n"
                   "    jq: '.config | ][ '\n");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("custom rule x"), std::string::npos);
}

TEST(CustomRuleTest, RunJqYieldsEveryOutput) {
  auto out = RunJq(".a[]", nlohmann::json{{"a", {1, "x", true}}});
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_EQ(out->size(), 3u);
  EXPECT_EQ((*out)[1], "x");
  EXPECT_FALSE(RunJq("error(\"boom\")", nlohmann::json::object()));
  EXPECT_FALSE(RunJq("repeat(1)", nlohmann::json::object()));
}

// ---- exceptions ----

std::string SecretPolicy(std::string_view expires,
                         std::string_view path = "app/*") {
  return fmt::format(
      "version: 1\nrules: {{no-secrets: true}}\nexceptions:\n"
      "  - id: CH1007\n    path: \"{}\"\n    reason: test fixture token\n"
      "    owner: alice@example.com\n    expires: {}\n",
      path, expires);
}

t::ImageBuilder Leaky() {
  t::ImageBuilder b = GoodImage();
  b.Layer(t::LayerBuilder().File("app/config.env", "T=" + GithubToken()));
  return b;
}

TEST(ExceptionTest, CoversUntilItExpires) {
  auto before = Check(Leaky(), SecretPolicy("2026-06-30"));
  ASSERT_TRUE(before) << before.error().message;
  EXPECT_TRUE(before->verdict.pass);
  EXPECT_EQ(Count(*before, kSecret), 0u);
  ASSERT_FALSE(before->verdict.violations.empty());
  EXPECT_NE(before->verdict.violations[0].excepted_by.find("alice"),
            std::string::npos);

  auto after =
      Check(Leaky(), SecretPolicy("2026-06-30"), At(kNow + 200 * 86400));
  ASSERT_TRUE(after);
  EXPECT_FALSE(after->verdict.pass);
  EXPECT_EQ(Count(*after, kSecret), 1u);
  EXPECT_EQ(Count(*after, kExpiredException), 1u);
  bool said = false;
  for (const Violation& v : after->verdict.violations) {
    said |= v.message.find("expired on 2026-06-30") != std::string::npos;
  }
  EXPECT_TRUE(said);
}

TEST(ExceptionTest, WhereFiltersMustMatch) {
  auto r = Check(Leaky(), SecretPolicy("2026-06-30", "other/*"));
  ASSERT_TRUE(r);
  EXPECT_EQ(Count(*r, kSecret), 1u);
  EXPECT_FALSE(r->verdict.pass);
}

TEST(ExceptionTest, VulnerabilityByAliasAndPackage) {
  std::string p =
      "version: 1\nrules: {vulnerabilities: {severity: high}}\n"
      "exceptions:\n  - id: CVE-2099-0001\n    package: openssl\n"
      "    reason: no TLS server\n    owner: bob\n"
      "    expires: 2026-02-01T00:00:00Z\n";
  Env db = Db();
  auto r = Check(WithPackage("openssl", "3.0.11-1~deb12u2"), p, db);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->verdict.pass);
  db.now = kNow + 40 * 86400;
  r = Check(WithPackage("openssl", "3.0.11-1~deb12u2"), p, db);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->verdict.pass);
}

TEST(ExceptionTest, LintAndPolicyRulesByIdOrAlias) {
  std::string p =
      "version: 1\nrules: {lint: {failure-threshold: error}, max-layers: 0}\n"
      "exceptions:\n"
      "  - {id: DL4004, path: Dockerfile, reason: r, owner: o, "
      "expires: 2027-01-01}\n"
      "  - {id: CP1005, reason: r, owner: o, expires: 2027-01-01}\n";
  Env bad =
      Docker("FROM debian:12\nENTRYPOINT [\"/a\"]\nENTRYPOINT [\"/b\"]\n");
  auto r = Check(GoodImage(), p, bad);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(Count(*r, kLint), 0u);
  EXPECT_EQ(Count(*r, kMaxLayers), 0u);
  EXPECT_TRUE(r->verdict.pass);
}

// ---- the policy file ----

TEST(PolicyParseTest, StarterPolicyParses) {
  auto p = ParsePolicy(StarterPolicy(), "starter");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->max_compressed, 200000000u);
  EXPECT_TRUE(p->non_root);
  EXPECT_EQ(p->custom.size(), 1u);
  EXPECT_TRUE(p->drop_all_capabilities);
}

TEST(PolicyParseTest, ErrorsNameTheKey) {
  struct Case {
    std::string yaml;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {"rules: {}\n", "version"},
           {"version: 2\n", "version"},
           {"version: 1\nrulez: {}\n", "rulez"},
           {"version: 1\nrules: {max-layer: 3}\n", "max-layer"},
           {"version: 1\nrules: {max-size: {compressed: lots}}\n",
            "max-size.compressed"},
           {"version: 1\nseverity: {CP9999: error}\n", "CP9999"},
           {"version: 1\nexceptions: [{id: X, reason: r, owner: o, "
            "expires: someday}]\n",
            "expires"},
           {"version: 1\nexceptions: [{id: X, owner: o, expires: "
            "2026-01-01}]\n",
            "reason"},
           {"version: 1\nrules: [\n", "YAML"},
       }) {
    auto p = ParsePolicy(c.yaml, "p.yaml");
    ASSERT_FALSE(p) << c.yaml;
    EXPECT_NE(p.error().message.find(c.says), std::string::npos)
        << p.error().message;
  }
}

TEST(PolicyParseTest, ByteSizes) {
  EXPECT_EQ(ParseByteSize("2048"), 2048u);
  EXPECT_EQ(ParseByteSize("1.5KB"), 1500u);
  EXPECT_EQ(ParseByteSize("2 MiB"), 2u * 1024 * 1024);
  EXPECT_EQ(ParseByteSize("1gb"), 1000000000u);
  EXPECT_FALSE(ParseByteSize("MB"));
  EXPECT_FALSE(ParseByteSize("-1MB"));
  EXPECT_FALSE(ParseByteSize("3 parsecs"));
}

TEST(PolicyParseTest, ClockFromEnvironment) {
  ::setenv("CINCH_NOW", "2026-01-01T00:00:00Z", 1);
  EXPECT_EQ(NowFromEnvironment(), kNow);
  ::setenv("CINCH_NOW", "1767225600", 1);
  EXPECT_EQ(NowFromEnvironment(), kNow);
  ::setenv("CINCH_NOW", "yesterday", 1);
  EXPECT_FALSE(NowFromEnvironment());
  ::unsetenv("CINCH_NOW");
  EXPECT_GT(*NowFromEnvironment(), kNow - 86400 * 365 * 10);
}

// ---- facts and reports ----

TEST(FactsTest, DocumentHoldsWhatRulesNeed) {
  t::ImageBuilder b = Leaky();
  b.Layer(t::LayerBuilder().File("bin/sh", "ELF"));
  auto r = Check(b, "version: 1\n", Docker("FROM debian:12\nUSER 10001\n"));
  ASSERT_TRUE(r) << r.error().message;
  const nlohmann::json& j = r->json;
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_EQ(j["image"]["tag"], "1.0");
  EXPECT_EQ(j["config"]["user"], "10001");
  EXPECT_EQ(j["config"]["labels"]["org.opencontainers.image.source"],
            "https://example.com/app");
  EXPECT_EQ(j["config"]["env"][0], "PATH");  // names only, never values
  EXPECT_EQ(j["base_image"]["name"], "docker.io/library/debian");
  EXPECT_EQ(ParseImageName("docker.io/nginx:1").name,
            "docker.io/library/nginx");
  EXPECT_EQ(ParseImageName("ghcr.io/a/b@sha256:00").registry, "ghcr.io");
  EXPECT_EQ(ParseImageName("localhost:5000/app:2").tag, "2");
  EXPECT_EQ(j["layer_count"], 3);
  EXPECT_EQ(j["os"]["id"], "debian");
  EXPECT_EQ(j["packages"][0]["name"], "libc6");
  EXPECT_EQ(j["secrets"][0]["rule"], "CH1007");
  EXPECT_EQ(j["secrets"][0]["path"], "/app/config.env");
  EXPECT_EQ(j["has_shell"], true);
  EXPECT_EQ(j["has_package_manager"], false);
  EXPECT_EQ(j["lint"]["checked"], true);
  EXPECT_EQ(j["vulnerabilities"]["checked"], false);
  EXPECT_EQ(j.dump().find(GithubToken()), std::string::npos);
}

TEST(ReportTest, SarifKeepsDockerfileRegions) {
  Env bad =
      Docker("FROM debian:12\nENTRYPOINT [\"/a\"]\nENTRYPOINT [\"/b\"]\n");
  auto r = Check(Leaky(),
                 "version: 1\nrules: {lint: {failure-threshold: error}, "
                 "no-secrets: true}\n",
                 bad);
  ASSERT_TRUE(r) << r.error().message;
  auto sarif = nlohmann::json::parse(VerdictToLintFormat(
      r->verdict, r->facts, lint::Format::kSarif, "1", kNow));
  bool lint_region = false, image_path = false;
  for (const auto& res : sarif["runs"][0]["results"]) {
    const auto& loc = res["locations"][0]["physicalLocation"];
    if (res["ruleId"] == "CP4001") {
      lint_region = loc["artifactLocation"]["uri"] == "Dockerfile" &&
                    loc["region"]["startLine"].get<int>() >= 2;
    }
    if (res["ruleId"] == "CP3002") {
      image_path = loc["artifactLocation"]["uri"] == "app/config.env";
    }
  }
  EXPECT_TRUE(lint_region);
  EXPECT_TRUE(image_path);
  std::string text = VerdictToText(r->verdict, r->facts, Policy{}, false);
  EXPECT_TRUE(text.starts_with("FAIL "));
  EXPECT_NE(text.find("fix: "), std::string::npos);
  std::string md = VerdictToMarkdown(r->verdict, r->facts, Policy{});
  EXPECT_NE(md.find("| `CP3002` |"), std::string::npos);
}

// ---- export ----

TEST(ExportTest, OnlyDeployTimeRules) {
  auto p = ParsePolicy(
      "version: 1\nrules: {non-root: true, no-latest: true, "
      "allowed-registries: [registry.example.com], max-layers: 3}\n"
      "deploy: {drop-all-capabilities: true}\n",
      "p");
  ASSERT_TRUE(p) << p.error().message;
  auto vap = ExportValidatingAdmissionPolicy(*p, {});
  ASSERT_TRUE(vap) << vap.error().message;
  EXPECT_NE(vap->find("kind: ValidatingAdmissionPolicyBinding"),
            std::string::npos);
  EXPECT_NE(vap->find("startsWith('registry.example.com/')"),
            std::string::npos);
  EXPECT_NE(vap->find("runAsNonRoot"), std::string::npos);
  EXPECT_NE(vap->find("d == 'ALL'"), std::string::npos);
  EXPECT_EQ(vap->find("readOnlyRootFilesystem"), std::string::npos);
  auto kyverno = ExportKyverno(*p, {});
  ASSERT_TRUE(kyverno);
  EXPECT_NE(kyverno->find("kind: ClusterPolicy"), std::string::npos);
  auto none = ExportKyverno(*ParsePolicy("version: 1\n", "p"), {});
  EXPECT_FALSE(none);
}

}  // namespace
}  // namespace cinch::policy
