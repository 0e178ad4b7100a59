// The hardening checks on images built in code: planted secrets (also
// deleted and overwritten ones), an unstripped binary compiled here,
// setuid and world-writable files, tools, config checks, allowlists, and
// the Dockerfile trace, and the findings as SARIF.
#include "harden/harden.h"
#include <algorithm>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "harden/catalog.h"
#include "harden/sarif.h"
#include "harden/trace.h"
#include "tests/fixtures/image_builder.h"

namespace cinch::harden {
namespace {

namespace t = ::cinch::testing;

// A fake AWS key ID built in code (the repository holds no literal).
std::string FakeAwsKey() { return std::string("AKIA") + "Q3RT7WZ5M2KX6NBV"; }
std::string FakeGithubToken() {
  return "ghp_" + std::string("R8kq2ZtW7mXv4Lp9Nc3Bd6Hs1Jf5Gy0Ae8Ui");
}

struct Run {
  Image image;
  std::vector<ImageFinding> findings;
  SecretScanStats stats;
};

Result<Run> Harden(const t::ImageBuilder& b, Settings settings = {}) {
  t::TempDir dir;
  b.WriteOciLayout(dir / "img");
  CINCH_ASSIGN(auto source, OpenImage(dir / "img", {}));
  Options options;
  options.settings = std::move(settings);
  CINCH_ASSIGN(auto hardener,
               Hardener::Create(source->image().layers.size(), options));
  std::vector<Analyzer*> extra = {hardener.get()};
  CINCH_ASSIGN(ImageWalk walk, WalkImage(*source, extra, {}));
  Run run;
  run.image = source->image();
  run.findings = hardener->Collect(run.image, walk.tree, &run.stats);
  return run;
}

const ImageFinding* Find(const Run& r, std::string_view rule,
                         std::string_view path) {
  for (const ImageFinding& f : r.findings) {
    if (f.finding.rule == rule && f.finding.location.path == path) return &f;
  }
  return nullptr;
}

t::ImageBuilder SecretsImage() {
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder()
              .File("app/.env", "# settings\nAWS_KEY=" + FakeAwsKey() + "\n")
              .File("app/config.yml", "github: " + FakeGithubToken() + "\n")
              .File("app/readme.txt", "nothing to see\n"),
          t::Compression::kGzip, "COPY app /app # buildkit")
      .Layer(t::LayerBuilder()
                 .Whiteout("app/.env")
                 .File("app/config.yml", "github: from-env\n"),
             t::Compression::kGzip, "RUN /bin/sh -c rm app/.env # buildkit")
      .User("1000");
  return b;
}

TEST(HardenSecrets, FindsSecretsInDeletedAndOverwrittenFiles) {
  auto r = Harden(SecretsImage());
  ASSERT_TRUE(r) << r.error().message;
  const ImageFinding* aws = Find(*r, "CH1001", "/app/.env");
  ASSERT_NE(aws, nullptr);
  EXPECT_EQ(aws->state, "deleted");
  EXPECT_EQ(aws->layer, 0);
  EXPECT_EQ(aws->finding.location.line, 2u);
  EXPECT_EQ(aws->finding.location.layer, r->image.layers[0].diff_id);
  EXPECT_EQ(aws->match.find(FakeAwsKey()), std::string::npos);
  const ImageFinding* gh = Find(*r, "CH1007", "/app/config.yml");
  ASSERT_NE(gh, nullptr);
  EXPECT_EQ(gh->state, "overwritten");
  EXPECT_EQ(r->stats.files_scanned, 4u);
}

TEST(HardenSecrets, AllowlistsByPathRuleAndFingerprint) {
  auto all = Harden(SecretsImage());
  ASSERT_TRUE(all);
  const ImageFinding* gh = Find(*all, "CH1007", "/app/config.yml");
  ASSERT_NE(gh, nullptr);

  Settings s;
  s.allow_paths = {"app/.env"};
  s.allow_fingerprints = {gh->fingerprint};
  auto r = Harden(SecretsImage(), s);
  ASSERT_TRUE(r);
  EXPECT_EQ(Find(*r, "CH1001", "/app/.env"), nullptr);
  EXPECT_EQ(Find(*r, "CH1007", "/app/config.yml"), nullptr);

  auto parsed = ParseSettings(
      "inspect:\n  disable: [shell]\n  severity: {CH1001: info}\n"
      "  secrets:\n    allow-rules: [github-token]\n",
      "t.yaml");
  ASSERT_TRUE(parsed) << parsed.error().message;
  auto r2 = Harden(SecretsImage(), *parsed);
  ASSERT_TRUE(r2);
  EXPECT_EQ(Find(*r2, "CH1007", "/app/config.yml"), nullptr);
  ASSERT_NE(Find(*r2, "CH1001", "/app/.env"), nullptr);
  EXPECT_EQ(Find(*r2, "CH1001", "/app/.env")->finding.severity,
            Severity::kInfo);
  EXPECT_FALSE(ParseSettings("inspect:\n  disable: [CH9999]\n", "t.yaml"));
}

TEST(HardenSecrets, SkipsBinaryContentAndDocumentation) {
  std::string binary = std::string("\0\1\2", 3) + "AWS=" + FakeAwsKey();
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder()
              .File("app/blob.bin", binary)
              .File("usr/share/doc/x/example.txt", "k=" + FakeAwsKey()));
  auto r = Harden(b);
  ASSERT_TRUE(r);
  for (const ImageFinding& f : r->findings) {
    EXPECT_FALSE(f.finding.rule.starts_with("CH1")) << f.finding.message;
  }
  EXPECT_EQ(r->stats.files_binary, 1u);
  EXPECT_EQ(r->stats.files_allowlisted, 1u);
}

TEST(HardenSecrets, ScansOnlyTheHeadOfHugeFiles) {
  Settings s;
  s.max_file_bytes = 1000;
  std::string early = "k=" + FakeAwsKey() + "\n" + std::string(2000, 'x');
  std::string late = std::string(2000, 'x') + "\nk=" + FakeAwsKey() + "\n";
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder().File("a/early", early).File("a/late", late));
  auto r = Harden(b, s);
  ASSERT_TRUE(r);
  EXPECT_NE(Find(*r, "CH1001", "/a/early"), nullptr);
  EXPECT_EQ(Find(*r, "CH1001", "/a/late"), nullptr);
  EXPECT_EQ(r->stats.files_truncated, 2u);
}

TEST(HardenTree, ReportsPermissionsAndTools) {
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder()
              .Dir("usr/bin")
              .File("usr/bin/dash", std::string(1200, 'd'), 0755)
              .Symlink("usr/bin/sh", "dash")
              .File("usr/bin/gcc-12", std::string(900, 'g'), 0755)
              .File("usr/bin/sudo", std::string(100, 's'), 04755)
              .File("usr/bin/wall", std::string(100, 'w'), 02755)
              .File("srv/open.txt", "x", 0666)
              .Dir("srv/drop", 0777)
              .Dir("tmp", 01777)
              .File("usr/bin/ping", "p", 0755)
              .Xattr("security.capability", std::string("\1\0\0\2", 4)));
  auto r = Harden(b);
  ASSERT_TRUE(r);
  EXPECT_NE(Find(*r, std::string(kSetuid), "/usr/bin/sudo"), nullptr);
  EXPECT_NE(Find(*r, std::string(kSetgid), "/usr/bin/wall"), nullptr);
  EXPECT_NE(Find(*r, std::string(kWorldWritableFile), "/srv/open.txt"),
            nullptr);
  EXPECT_NE(Find(*r, std::string(kWorldWritableDir), "/srv/drop"), nullptr);
  EXPECT_EQ(Find(*r, std::string(kWorldWritableDir), "/tmp"), nullptr);
  EXPECT_NE(Find(*r, std::string(kFileCapability), "/usr/bin/ping"), nullptr);
  const ImageFinding* shell = Find(*r, std::string(kShell), "/usr/bin/dash");
  ASSERT_NE(shell, nullptr);
  EXPECT_EQ(shell->bytes, 1200u);
  EXPECT_NE(shell->finding.message.find("/usr/bin/sh"), std::string::npos);
  EXPECT_NE(Find(*r, std::string(kBuildTool), "/usr/bin/gcc-12"), nullptr);
  EXPECT_NE(Find(*r, std::string(kPrivilegeTool), "/usr/bin/sudo"), nullptr);
}

TEST(HardenConfig, ChecksUserEnvPortsAndLabels) {
  Image image;
  image.config.user = "";
  image.config.env = {"PATH=/usr/bin", "DB_PASSWORD=Zq8!vR2#kLm9",
                      "API_TOKEN_FILE=/run/secrets/token",
                      "GH=" + FakeGithubToken()};
  image.config.exposed_ports = {"22/tcp", "8080/tcp"};
  image.config.created = "2020-01-01T00:00:00Z";
  auto engine = secrets::Engine::Default();
  ASSERT_TRUE(engine);
  auto f = CheckConfig(image, **engine, /*now=*/1700000000);
  auto has = [&](std::string_view rule, std::string_view path) {
    for (const ImageFinding& x : f) {
      if (x.finding.rule == rule && x.finding.location.path == path) {
        return true;
      }
    }
    return false;
  };
  EXPECT_TRUE(has(kRootUser, "config:User"));
  // The password is reported once: by a secret rule when the engine
  // recognises it, else by the secret-looking-Env check.
  size_t db_password = std::count_if(f.begin(), f.end(), [](const auto& x) {
    return x.finding.location.path == "config:Env DB_PASSWORD";
  });
  EXPECT_EQ(db_password, 1u);
  EXPECT_FALSE(has(kSecretEnv, "config:Env API_TOKEN_FILE"));
  EXPECT_TRUE(has("CH1007", "config:Env GH"));
  EXPECT_TRUE(has(kSensitivePort, "config:ExposedPorts 22/tcp"));
  EXPECT_FALSE(has(kSensitivePort, "config:ExposedPorts 8080/tcp"));
  EXPECT_TRUE(has(kNoHealthcheck, "config:Healthcheck"));
  EXPECT_TRUE(has(kNoSourceLabels, "config:Labels"));
  EXPECT_TRUE(has(kOldImage, "config:Created"));

  image.config.user = "app";
  image.config.has_healthcheck = true;
  image.config.labels = {{"org.opencontainers.image.source", "x"},
                         {"org.opencontainers.image.revision", "y"}};
  f = CheckConfig(image, **engine, 0);
  EXPECT_FALSE(has(kRootUser, "config:User"));
  EXPECT_TRUE(has(kNamedUser, "config:User"));
  EXPECT_FALSE(has(kNoHealthcheck, "config:Healthcheck"));
  EXPECT_FALSE(has(kNoSourceLabels, "config:Labels"));
  EXPECT_FALSE(has(kOldImage, "config:Created"));
}

TEST(HardenConfig, FindsBuildArgumentsLeakedIntoHistory) {
  Image image;
  image.config.user = "1000";
  image.config.history = {
      {"",
       "RUN |1 NPM_TOKEN=npm_" +
           std::string("a8Kd2LmQ9xZr4TcV7bNw3Yp6Hs1Jf5Gu0Ae2") +
           " /bin/sh -c npm ci # buildkit",
       "", false}};
  auto engine = secrets::Engine::Default();
  auto f = CheckConfig(image, **engine, 0);
  bool found = false;
  for (const ImageFinding& x : f) {
    found |= x.finding.rule == "CH1014" &&
             x.finding.location.path == "history:1" && x.layer == 0;
  }
  EXPECT_TRUE(found);
}

// ---- binaries ----

// Compiles a tiny program with the system compiler; empty when there is
// none.
std::string CompileProgram(const t::TempDir& dir, const std::string& flags) {
  std::string src = dir / "p.c";
  std::string out =
      dir / ("p" + std::to_string(std::hash<std::string>()(flags)));
  t::WriteFile(src, "int main(void) { return 0; }\n");
  std::string cmd = "cc " + flags + " -o " + out + " " + src + " 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) return "";
  return t::ReadFile(out);
}

ElfInfo ScanElf(const std::string& bytes, size_t chunk) {
  ElfScanner s(bytes.size());
  for (size_t i = 0; i < bytes.size() && !s.rejected(); i += chunk) {
    s.Feed(std::span(bytes.data() + i, std::min(chunk, bytes.size() - i)));
  }
  EXPECT_TRUE(s.is_elf());
  return s.Finish();
}

TEST(HardenElf, ReadsSymbolsDebugInterpreterAndRunpath) {
  t::TempDir dir;
  std::string debug =
      CompileProgram(dir, "-g -Wl,-rpath,/opt/lib:lib -Wl,--enable-new-dtags");
  std::string stripped = CompileProgram(dir, "-s");
  if (debug.empty() || stripped.empty()) GTEST_SKIP() << "no C compiler";
  for (size_t chunk : {size_t{1} << 20, size_t{4096}, size_t{17}}) {
    ElfInfo d = ScanElf(debug, chunk);
    EXPECT_TRUE(d.sections_known);
    EXPECT_TRUE(d.names_known);
    EXPECT_TRUE(d.has_symtab);
    EXPECT_TRUE(d.has_debug);
    EXPECT_GT(d.strippable_bytes, 0u);
    EXPECT_FALSE(d.interpreter.empty());
    EXPECT_FALSE(d.is_static);
    EXPECT_EQ(d.runpath, (std::vector<std::string>{"/opt/lib", "lib"}));
    ElfInfo s = ScanElf(stripped, chunk);
    EXPECT_FALSE(s.has_symtab);
    EXPECT_FALSE(s.has_debug);
    EXPECT_EQ(s.strippable_bytes, 0u);
  }
  std::string static_bin = CompileProgram(dir, "-static");
  if (!static_bin.empty()) {
    EXPECT_TRUE(ScanElf(static_bin, 4096).is_static);
  }
}

// A dynamic string table that runs past the kept head (libcrypto's
// does, past 256 KiB) leaves dynamic_known false; the names that were
// read are whole, never empty or cut short. A larger head reads them all.
TEST(HardenElf, NamesPastTheHeadAreUnknownNotEmpty) {
  t::TempDir dir;
  std::string bin = CompileProgram(dir, "-Wl,--no-as-needed -lm");
  if (bin.empty()) GTEST_SKIP() << "no C compiler";
  ElfInfo full = ScanElf(bin, 4096);
  ASSERT_TRUE(full.dynamic_known);
  ASSERT_FALSE(full.needed.empty());
  bool some_unknown = false;
  for (size_t head = 512; head < 16384; head += 8) {
    ElfScanner s(bin.size(), head);
    s.Feed(std::span(bin.data(), bin.size()));
    ElfInfo info = s.Finish();
    if (info.dynamic_known) {
      EXPECT_EQ(info.needed, full.needed) << "head " << head;
      continue;
    }
    some_unknown = true;
    for (const std::string& name : info.needed) {
      EXPECT_NE(std::find(full.needed.begin(), full.needed.end(), name),
                full.needed.end())
          << "head " << head << ": '" << name << "'";
    }
  }
  EXPECT_TRUE(some_unknown);
}

TEST(HardenElf, SurvivesTruncatedAndCorruptHeaders) {
  t::TempDir dir;
  std::string bin = CompileProgram(dir, "-g");
  if (bin.empty()) GTEST_SKIP() << "no C compiler";
  for (size_t cut : {4, 20, 63, 64, 200, 5000}) {
    std::string part = bin.substr(0, cut);
    ElfScanner s(part.size());
    s.Feed(std::span(part.data(), part.size()));
    (void)s.Finish();
  }
  std::string bad = bin;
  for (size_t i = 0x20; i < 0x40; ++i) bad[i] = char(0xff);  // offsets
  ElfScanner s(bad.size());
  s.Feed(std::span(bad.data(), bad.size()));
  ElfInfo info = s.Finish();
  EXPECT_FALSE(info.sections_known);
}

TEST(HardenElf, ReportsUnstrippedAndInsecureRunpathInTheImage) {
  t::TempDir dir;
  std::string debug = CompileProgram(dir, "-g -Wl,-rpath,/tmp/lib");
  if (debug.empty()) GTEST_SKIP() << "no C compiler";
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder()
              .File("usr/local/bin/app", debug, 0755)
              .File("usr/local/bin/old", debug, 0755))
      .Layer(t::LayerBuilder().Whiteout("usr/local/bin/old"));
  auto r = Harden(b);
  ASSERT_TRUE(r);
  const ImageFinding* f =
      Find(*r, std::string(kUnstripped), "/usr/local/bin/app");
  ASSERT_NE(f, nullptr);
  EXPECT_GT(f->bytes, 0u);
  EXPECT_NE(Find(*r, std::string(kInsecureRunpath), "/usr/local/bin/app"),
            nullptr);
  EXPECT_EQ(Find(*r, std::string(kUnstripped), "/usr/local/bin/old"), nullptr);
}

// ---- Dockerfile trace ----

TEST(HardenTrace, MapsHistoryStepsToInstructions) {
  ImageConfig c;
  c.history = {
      {"", "/bin/sh -c #(nop) ADD file:abc in / ", "", false},
      {"", "/bin/sh -c #(nop)  CMD [\"bash\"]", "", true},
      {"", "ARG VERSION=1", "", true},
      {"", "RUN |1 VERSION=1 /bin/sh -c make # buildkit", "", false},
      {"", "COPY app /app # buildkit", "", false},
      {"", "USER 1000", "", true},
  };
  std::string df =
      "FROM debian:12 AS build\n"
      "RUN make tools\n"
      "FROM debian:12\n"
      "ARG VERSION=1\n"
      "RUN make \\\n  all\n"
      "COPY --from=build app /app\n"
      "USER 1000\n";
  auto t = DockerfileTrace::Build(c, df, "Dockerfile");
  ASSERT_TRUE(t) << t.error().message;
  const auto& s = t->steps();
  ASSERT_EQ(s.size(), 6u);
  EXPECT_EQ(s[0].line, 3u);  // base image layers: the final FROM
  EXPECT_EQ(s[1].line, 3u);
  EXPECT_EQ(s[2].line, 4u);
  EXPECT_EQ(s[3].line, 5u);
  EXPECT_EQ(s[3].end_line, 6u);
  EXPECT_EQ(s[4].line, 7u);
  EXPECT_EQ(s[5].line, 8u);
  EXPECT_EQ(StepKind("/bin/sh -c apt-get update"), "RUN");
  EXPECT_EQ(StepKind("/bin/sh -c #(nop)  EXPOSE 80"), "EXPOSE");
}

TEST(HardenTrace, MismatchedDockerfileLeavesStepsUntraced) {
  ImageConfig c;
  c.history = {{"", "COPY a /a # buildkit", "", false}};
  auto t = DockerfileTrace::Build(c, "FROM x\nRUN true\n", "Dockerfile");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->steps()[0].line, 0u);
}

// ---- SARIF ----

const nlohmann::json* SarifResult(const nlohmann::json& doc,
                                  std::string_view rule) {
  for (const nlohmann::json& r : doc["runs"][0]["results"]) {
    if (r["ruleId"] == std::string(rule)) return &r;
  }
  return nullptr;
}

TEST(HardenSarif, PutsTheDockerfileFirstThenTheFileWithItsLayer) {
  auto r = Harden(SecretsImage());
  ASSERT_TRUE(r) << r.error().message;
  std::string df = "FROM scratch\n  COPY app /app\nRUN rm app/.env\n";
  auto trace = DockerfileTrace::Build(r->image.config, df, "ci/Dockerfile");
  ASSERT_TRUE(trace) << trace.error().message;
  trace->Apply(r->image, r->findings);

  auto doc = nlohmann::json::parse(FindingsToSarif(r->findings, "1.2"));
  ASSERT_EQ(doc["version"], "2.1.0");
  const nlohmann::json* aws = SarifResult(doc, "CH1001");
  ASSERT_NE(aws, nullptr);
  const nlohmann::json& locations = (*aws)["locations"];
  ASSERT_EQ(locations.size(), 2u);
  const nlohmann::json& source = locations[0]["physicalLocation"];
  EXPECT_EQ(source["artifactLocation"]["uri"], "ci/Dockerfile");
  EXPECT_EQ(source["region"]["startLine"], 2);
  EXPECT_EQ(source["region"]["startColumn"], 3);
  const nlohmann::json& file = locations[1]["physicalLocation"];
  EXPECT_EQ(file["artifactLocation"]["uri"], "app/.env");
  EXPECT_EQ(file["region"]["startLine"], 2);
  EXPECT_EQ(locations[1]["properties"]["diffId"], r->image.layers[0].diff_id);
  EXPECT_EQ((*aws)["properties"]["state"], "deleted");
  EXPECT_EQ((*aws)["properties"]["layer"], 1);
  EXPECT_EQ((*aws)["level"], "error");

  // The rule it points at carries the fix; the secret is nowhere.
  const nlohmann::json& rule =
      doc["runs"][0]["tool"]["driver"]["rules"][(*aws)["ruleIndex"].get<int>()];
  EXPECT_EQ(rule["id"], "CH1001");
  EXPECT_EQ(rule["name"], "aws-access-key-id");
  EXPECT_NE(rule["help"]["text"].get<std::string>().find("revoke"),
            std::string::npos);
  EXPECT_EQ(doc.dump().find(FakeAwsKey()), std::string::npos);
  EXPECT_EQ(doc.dump().find(FakeGithubToken()), std::string::npos);
}

TEST(HardenSarif, ConfigFindingsWithoutADockerfileHaveNoFileLocation) {
  auto r = Harden(SecretsImage());
  ASSERT_TRUE(r) << r.error().message;
  auto doc = nlohmann::json::parse(FindingsToSarif(r->findings, ""));
  const nlohmann::json* health = SarifResult(doc, kNoHealthcheck);
  ASSERT_NE(health, nullptr);
  EXPECT_FALSE(health->contains("locations"));
  EXPECT_EQ((*health)["properties"]["path"], "config:Healthcheck");
  const nlohmann::json* gh = SarifResult(doc, "CH1007");
  ASSERT_NE(gh, nullptr);
  ASSERT_EQ((*gh)["locations"].size(), 1u);
  EXPECT_EQ(
      (*gh)["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
      "app/config.yml");
  EXPECT_EQ((*gh)["properties"]["state"], "overwritten");
}

TEST(HardenSarif, EscapesPathsThatAreNotUriReferences) {
  ImageFinding f;
  f.finding.rule = std::string(kWorldWritableFile);
  f.finding.location.path = "/srv/a b/c#d%e:f";
  Finding out = ToSarifFinding(f);
  EXPECT_EQ(out.location.path, "srv/a b/c#d%e:f");
  auto doc = nlohmann::json::parse(FindingsToSarif({f}, ""));
  EXPECT_EQ(doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
               ["artifactLocation"]["uri"],
            "srv/a%20b/c%23d%25e:f");
}

}  // namespace
}  // namespace cinch::harden
