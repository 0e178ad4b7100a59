// End-to-end tests of `cinch inspect`: the real binary on images built in
// code, compared with golden outputs, plus exit codes and error messages.
// Set CINCH_UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate
// change of output, and review the diff.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "tests/fixtures/image_builder.h"

namespace cinch {
namespace {

namespace t = ::cinch::testing;

struct CommandRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

CommandRun RunCinch(const std::string& args, const t::TempDir& dir) {
  std::string err_file = dir / "stderr.txt";
  // "Now" is pinned so that the image's age, a finding, never drifts.
  std::string command = "CINCH_NOW=1735689600 " + std::string(CINCH_BINARY) +
                        " " + args + " 2>" + err_file;
  CommandRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0)
    run.out.append(buf, n);
  int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.err = t::ReadFile(err_file);
  return run;
}

std::string Replace(std::string s, const std::string& from,
                    const std::string& to) {
  for (size_t i = s.find(from); i != std::string::npos;
       i = s.find(from, i + to.size())) {
    s.replace(i, from.size(), to);
  }
  return s;
}

void ExpectGolden(const std::string& name, const std::string& actual) {
  std::string path = std::string(CINCH_SOURCE_DIR) + "/tests/golden/" + name;
  if (std::getenv("CINCH_UPDATE_GOLDEN") != nullptr) {
    t::WriteFile(path, actual);
    return;
  }
  ASSERT_TRUE(std::filesystem::exists(path)) << "missing golden " << path;
  EXPECT_EQ(actual, t::ReadFile(path)) << "golden " << name
                                       << " differs; rerun with "
                                          "CINCH_UPDATE_GOLDEN=1 if intended";
}

// A small image with every kind of finding inspect reports.
t::ImageBuilder GoldenImage() {
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder()
              .Dir("usr")
              .File("usr/bin/app", std::string(120000, 'a'), 0755)
              .File("usr/share/doc/app/changelog.gz", std::string(30000, 'c'))
              .File("usr/share/man/man1/app.1.gz", std::string(4000, 'm'))
              .File("var/lib/apt/lists/deb_Packages", std::string(90000, 'p'))
              .File("var/cache/apt/archives/app.deb", std::string(50000, 'd'))
              .File("root/.cache/pip/http/a", std::string(7000, 'h')),
          t::Compression::kGzip, "/bin/sh -c #(nop) ADD file:0123 in / ")
      .EmptyStep("/bin/sh -c #(nop)  ENV APP_HOME=/srv")
      .Layer(t::LayerBuilder()
                 .File("usr/bin/app", std::string(60000, 'b'), 0755)
                 .Whiteout("var/cache/apt/archives/app.deb"),
             t::Compression::kZstd,
             "/bin/sh -c make install && rm /var/cache/apt/archives/app.deb")
      .User("1000");
  return b;
}

TEST(InspectCliTest, TableMatchesGolden) {
  t::TempDir dir;
  GoldenImage().WriteOciLayout(dir / "img", "v1");
  CommandRun run =
      RunCinch("--color never inspect oci:" + (dir / "img") + ":v1", dir);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  ExpectGolden("inspect-table.txt", Replace(run.out, dir.path(), "<dir>"));
}

TEST(InspectCliTest, JsonMatchesGoldenAndSchema) {
  t::TempDir dir;
  GoldenImage().WriteDockerArchive(dir / "img.tar", "golden:1");
  CommandRun run =
      RunCinch("inspect --format json --files " + (dir / "img.tar"), dir);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ExpectGolden("inspect.json", Replace(run.out, dir.path(), "<dir>"));
}

// A fake AWS key ID built in code (the repository holds no literal).
std::string FakeAwsKey() { return std::string("AKIA") + "Q3RT7WZ5M2KX6NBV"; }

// A base layer with a setuid file, an application layer with a secret
// that the next layer deletes, a named user: findings of every location
// kind (file, deleted file, config), and the Dockerfile that built it.
t::ImageBuilder FindingsImage() {
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder()
              .File("bin/su", std::string(3000, 's'), 04755)
              .File("etc/motd", "hello\n"),
          t::Compression::kGzip, "/bin/sh -c #(nop) ADD file:0123 in / ")
      .Layer(t::LayerBuilder()
                 .File("app/.env", "# settings\nAWS_KEY=" + FakeAwsKey() + "\n")
                 .File("app/main.py", "print('hi')\n"),
             t::Compression::kGzip, "COPY app /app # buildkit")
      .Layer(t::LayerBuilder().Whiteout("app/.env"), t::Compression::kGzip,
             "RUN /bin/sh -c rm /app/.env # buildkit")
      .EmptyStep("USER app")
      .User("app");
  return b;
}

constexpr std::string_view kFindingsDockerfile =
    "FROM debian:12-slim\n"
    "COPY app /app\n"
    "RUN rm /app/.env\n"
    "USER app\n";

TEST(InspectCliTest, SarifMatchesGoldenAndHidesTheSecret) {
  t::TempDir dir;
  FindingsImage().WriteDockerArchive(dir / "img.tar", "findings:1");
  t::WriteFile(dir / "Dockerfile", std::string(kFindingsDockerfile));
  CommandRun run =
      RunCinch("inspect --format sarif --dockerfile " + (dir / "Dockerfile") +
                   " -o " + (dir / "out.sarif") + " " + (dir / "img.tar"),
               dir);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "");
  std::string sarif = t::ReadFile(dir / "out.sarif");
  EXPECT_EQ(sarif.find(FakeAwsKey()), std::string::npos);

  // The version changes with every release; the golden file keeps a
  // placeholder.
  auto doc = nlohmann::json::parse(sarif);
  doc["runs"][0]["tool"]["driver"]["version"] = "<version>";
  ExpectGolden("inspect.sarif",
               Replace(doc.dump(2) + "\n", dir.path(), "<dir>"));
}

TEST(InspectCliTest, SarifWithoutFindingsIsAUsageError) {
  t::TempDir dir;
  FindingsImage().WriteDockerArchive(dir / "img.tar", "findings:1");
  CommandRun run = RunCinch(
      "inspect --format sarif --no-findings " + (dir / "img.tar"), dir);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--no-findings"), std::string::npos) << run.err;
}

TEST(InspectCliTest, OutputFileIsWrittenWhole) {
  t::TempDir dir;
  GoldenImage().WriteOciArchive(dir / "img.tar");
  CommandRun run = RunCinch(
      "inspect -f json -o " + (dir / "report.json") + " " + (dir / "img.tar"),
      dir);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "");
  std::string report = t::ReadFile(dir / "report.json");
  EXPECT_NE(report.find("\"schema_version\": 1"), std::string::npos);
}

TEST(InspectCliTest, DamagedInputExitsThreeNamingTheBlob) {
  t::TempDir dir;
  auto written = GoldenImage().WriteOciLayout(dir / "img");
  std::string blob =
      dir / ("img/blobs/sha256/" + written.layer_digests[0].substr(7));
  std::string bytes = t::ReadFile(blob);
  t::WriteFile(blob, bytes.substr(0, bytes.size() / 2));
  CommandRun run = RunCinch("inspect -q " + (dir / "img"), dir);
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.out, "");
  EXPECT_TRUE(run.err.starts_with("cinch: error: layer 1 (blob " +
                                  written.layer_digests[0] + ")"))
      << run.err;
}

TEST(InspectCliTest, HostileLayerExitsThree) {
  t::TempDir dir;
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder().File("ok", "1").File("../../etc/cron.d/x", "2"));
  b.WriteOciLayout(dir / "img");
  CommandRun run = RunCinch("inspect " + (dir / "img"), dir);
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_NE(run.err.find("climbs out of the root"), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("offset 1024"), std::string::npos) << run.err;
}

TEST(InspectCliTest, UsageErrorsExitTwo) {
  t::TempDir dir;
  EXPECT_EQ(RunCinch("inspect", dir).exit_code, 2);
  EXPECT_EQ(RunCinch("inspect --format xml x", dir).exit_code, 2);
  EXPECT_EQ(RunCinch("no-such-command", dir).exit_code, 2);
  CommandRun run = RunCinch("inspect --platform linux x", dir);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("os/arch"), std::string::npos);
}

TEST(InspectCliTest, MissingImageExitsThree) {
  t::TempDir dir;
  CommandRun run = RunCinch("inspect " + (dir / "absent.tar"), dir);
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_NE(run.err.find("no such file or directory"), std::string::npos);
}

}  // namespace
}  // namespace cinch
