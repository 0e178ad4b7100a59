#include "slim/slim.h"
#include "secrets/names.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "slim/slim_test_util.h"
#include "slim/strip.h"

namespace cinch::slim {
namespace {

namespace fs = std::filesystem;
using cinch::testing::ImageBuilder;
using cinch::testing::LayerBuilder;
using cinch::testing::TempDir;
using testing::LayerContents;
using testing::WriteImage;

struct Output {
  std::unique_ptr<ImageSource> source;
  std::vector<std::map<std::string, testing::FileCopy>> layers;
  Json manifest;
  bool has(const std::string& path) const {
    return layers.back().contains(path);
  }
  std::string content(const std::string& path) const {
    auto it = layers.back().find(path);
    return it == layers.back().end() ? "<absent>" : it->second.content;
  }
};

Output ReadImage(const std::string& ref) {
  Output out;
  auto source = OpenImage(ref, OpenOptions{});
  EXPECT_TRUE(source) << (source ? "" : source.error().message);
  if (!source) return out;
  out.source = std::move(*source);
  LayerContents contents(out.source->image().layers.size());
  Analyzer* a[] = {&contents};
  auto walked = WalkLayers(*out.source, a, WalkOptions{});
  EXPECT_TRUE(walked) << (walked ? "" : walked.error().message);
  out.layers = contents.layers();
  return out;
}

// Slims `in` into `out`; returns the report or the error.
Result<SlimReport> RunSlim(const std::string& in, const std::string& out,
                           const SlimOptions& options) {
  CINCH_ASSIGN(auto source, OpenImage(in, OpenOptions{}));
  std::unique_ptr<ImageSink> sink;
  if (!options.dry_run) {
    CINCH_ASSIGN(sink, OpenSink(out, SinkOptions{}));
  }
  return Slim(*source, sink.get(), {}, options);
}

ImageBuilder FatImage() {
  ImageBuilder b;
  b.Layer(LayerBuilder()
              .Dir("etc")
              .File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")
              .File("etc/group", "root:x:0:\n")
              .Dir("usr/share/doc/pkg")
              .File("usr/share/doc/pkg/README", std::string(1000, 'r'))
              .File("var/cache/apt/pkgcache.bin", std::string(500, 'c'))
              .Dir("tmp")
              .File("tmp/junk", "junk")
              .File("app/old.txt", "old")
              .File("app/keep.txt", "v1"));
  b.Layer(LayerBuilder()
              .Whiteout("app/old.txt")
              .File("app/keep.txt", "v2")
              .Symlink("app/link", "keep.txt"));
  return b;
}

void FatConfig(Json& c) {
  c["Env"] = {"PATH=/usr/bin:/bin", "API_TOKEN=abc123",
              "DB_PASSWORD_FILE=/run/secrets/db", "EMPTY_SECRET="};
}

TEST(SlimTest, SquashesDropsHiddenDocsCachesAndTempAndAddsAUser) {
  TempDir dir;
  ASSERT_FALSE(
      WriteImage(FatImage(), FatConfig, "oci:" + (dir / "in")).empty());
  auto report = RunSlim("oci:" + (dir / "in"), "oci:" + (dir / "out"), {});
  ASSERT_TRUE(report) << report.error().message;

  Output out = ReadImage("oci:" + (dir / "out"));
  ASSERT_EQ(out.layers.size(), 1u);
  EXPECT_EQ(out.content("app/keep.txt"), "v2");
  EXPECT_EQ(out.layers[0].at("app/link").entry.link_target, "keep.txt");
  EXPECT_FALSE(out.has("app/old.txt"));
  EXPECT_FALSE(out.has("usr/share/doc/pkg/README"));
  EXPECT_FALSE(out.has("usr/share/doc"));
  EXPECT_FALSE(out.has("var/cache/apt/pkgcache.bin"));
  EXPECT_FALSE(out.has("tmp/junk"));
  EXPECT_TRUE(out.has("tmp"));  // programs write there
  EXPECT_NE(out.content("etc/passwd").find(":65532:65532:"), std::string::npos);
  EXPECT_NE(out.content("etc/group").find(":65532:"), std::string::npos);
  EXPECT_TRUE(out.content("etc/passwd").starts_with("root:x:0:0:"));

  const ImageConfig& config = out.source->image().config;
  EXPECT_EQ(config.user, "65532");
  EXPECT_EQ(config.env,
            (std::vector<std::string>{"PATH=/usr/bin:/bin",
                                      "DB_PASSWORD_FILE=/run/secrets/db",
                                      "EMPTY_SECRET="}));
  EXPECT_EQ(report->removed_env, std::vector<std::string>{"API_TOKEN"});

  std::map<std::string, uint64_t> saved;
  for (const StepSavings& s : report->steps) saved[s.step] = s.bytes;
  EXPECT_EQ(saved["squash"], 5u);  // "old" and "v1"
  EXPECT_EQ(saved["docs"], 1000u);
  EXPECT_EQ(saved["caches"], 500u);
  EXPECT_EQ(saved["tmp"], 4u);

  auto manifest = ReadFileLimited(
      dir / ("out/blobs/sha256/" + report->manifest_digest.substr(7)), 1 << 20);
  ASSERT_TRUE(manifest);
  auto m = ParseManifest(*manifest);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->annotations.at("dev.cinch.slim.removed-env"), "API_TOKEN");
  EXPECT_EQ(m->annotations.at("dev.cinch.slim.user"), "65532");
}

TEST(SlimTest, SameInputAndOptionsGiveTheSameDigests) {
  TempDir dir;
  ASSERT_FALSE(
      WriteImage(FatImage(), FatConfig, "oci:" + (dir / "in")).empty());
  for (Compression c : {Compression::kGzip, Compression::kZstd}) {
    SlimOptions o;
    o.compression = c;
    o.level = 3;
    auto a =
        RunSlim("oci:" + (dir / "in"), "oci-archive:" + (dir / "a.tar"), o);
    auto b =
        RunSlim("oci:" + (dir / "in"), "oci-archive:" + (dir / "b.tar"), o);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->manifest_digest, b->manifest_digest);
    EXPECT_EQ(cinch::testing::ReadFile(dir / "a.tar"),
              cinch::testing::ReadFile(dir / "b.tar"));
    o.level = 5;
    auto other = RunSlim("oci:" + (dir / "in"), "oci:" + (dir / "c"), o);
    ASSERT_TRUE(other);
    EXPECT_NE(other->manifest_digest, a->manifest_digest);
    fs::remove_all(dir / "c");
  }
}

TEST(SlimTest, DryRunReportsSavingsAndWritesNothing) {
  TempDir dir;
  ASSERT_FALSE(
      WriteImage(FatImage(), FatConfig, "oci:" + (dir / "in")).empty());
  SlimOptions o;
  o.dry_run = true;
  o.remove_docs = false;
  auto report = RunSlim("oci:" + (dir / "in"), "", o);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->manifest_digest.empty());
  for (const StepSavings& s : report->steps) EXPECT_NE(s.step, "docs");
  bool listed = false;
  for (const RemovedPath& p : report->removed) {
    listed |= p.path == "var/cache/apt/pkgcache.bin" && p.step == "caches";
  }
  EXPECT_TRUE(listed);
  auto json = Json::parse(ReportJson(*report));
  EXPECT_EQ(json["before"]["files"], 6);
}

ImageBuilder DocToolImage() {
  ImageBuilder b;
  b.Layer(LayerBuilder()
              .File("bin/sh", "not a real shell", 0755)
              .File("usr/share/doc/tool/run", "#!/bin/sh\necho hi\n", 0755)
              .File("usr/share/doc/tool/README", "read me"));
  return b;
}

TEST(SlimTest, RefusesARemovalThatWouldBreakTheEntrypoint) {
  TempDir dir;
  ASSERT_FALSE(
      WriteImage(
          DocToolImage(),
          [](Json& c) { c["Entrypoint"] = {"/usr/share/doc/tool/run"}; },
          "oci:" + (dir / "in"))
          .empty());
  auto refused = RunSlim("oci:" + (dir / "in"), "oci:" + (dir / "out"), {});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("would break the entrypoint"),
            std::string::npos)
      << refused.error().message;
  EXPECT_FALSE(fs::exists(dir / "out"));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()),
                          fs::directory_iterator()),
            1);  // no staging directory left either

  SlimOptions keep;
  keep.keep_paths = {"/usr/share/doc/tool"};
  auto kept = RunSlim("oci:" + (dir / "in"), "oci:" + (dir / "out"), keep);
  ASSERT_TRUE(kept) << kept.error().message;
  Output out = ReadImage("oci:" + (dir / "out"));
  EXPECT_TRUE(out.has("usr/share/doc/tool/run"));
}

// The host's /usr/bin/true and its loader and C library, placed in an
// image under non-default directories found through ld.so.conf.
struct HostElf {
  std::string program, libc, loader;
  bool ok = false;
};

HostElf ReadHostElf() {
  HostElf h;
  std::error_code ec;
  for (const char* p : {"/usr/bin/true", "/lib/x86_64-linux-gnu/libc.so.6",
                        "/lib64/ld-linux-x86-64.so.2"}) {
    if (!fs::exists(p, ec)) return h;
  }
  h.program = cinch::testing::ReadFile("/usr/bin/true");
  h.libc = cinch::testing::ReadFile("/lib/x86_64-linux-gnu/libc.so.6");
  h.loader = cinch::testing::ReadFile("/lib64/ld-linux-x86-64.so.2");
  h.ok = true;
  return h;
}

ImageBuilder ElfImage(const HostElf& h, const std::string& lib_dir) {
  ImageBuilder b;
  b.Layer(LayerBuilder()
              .Dir("etc")
              .File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")
              .File("etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n")
              .File("etc/ld.so.conf.d/libs.conf", "# ours\n/" + lib_dir + "\n")
              .Dir("usr/lib")
              .Symlink("lib", "usr/lib")
              .File("usr/lib/ld-linux-x86-64.so.2", h.loader, 0755)
              .Symlink("lib64", "usr/lib")
              .File(lib_dir + "/libc.so.6", h.libc, 0755)
              .File("usr/bin/true", h.program, 0755)
              .File("usr/bin/sh", "a shell", 0755)
              .File("usr/bin/apt", "a package manager", 0755)
              .File("usr/lib/python3.11/os.py", "# stdlib")
              .File("app/data.txt", "data"));
  return b;
}

void TrueEntrypoint(Json& c) {
  c["Entrypoint"] = {"true"};
  c["Cmd"] = {"/app/data.txt"};
  c["Env"] = {"PATH=/usr/bin"};
}

TEST(SlimTest, DistrolessKeepsTheElfClosureFoundThroughLdSoConf) {
  HostElf h = ReadHostElf();
  if (!h.ok) GTEST_SKIP() << "needs the host's /usr/bin/true and glibc";
  TempDir dir;
  ImageBuilder b = ElfImage(h, "opt/libs");
  b.Layer(LayerBuilder()
              .File("var/lib/dpkg/info/apt.list", "/usr\n/usr/bin/apt\n")
              .File("var/lib/dpkg/info/libc6.list", "/opt/libs/libc.so.6\n"));
  ASSERT_FALSE(WriteImage(b, TrueEntrypoint, "oci:" + (dir / "in")).empty());
  SlimOptions o;
  o.distroless = true;
  auto report = RunSlim("oci:" + (dir / "in"), "oci:" + (dir / "out"), o);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->entrypoint.program, "usr/bin/true");
  EXPECT_EQ(report->removed_packages, std::vector<std::string>{"apt"});
  EXPECT_TRUE(report->entrypoint.missing.empty())
      << report->entrypoint.missing.front();

  Output out = ReadImage("oci:" + (dir / "out"));
  EXPECT_EQ(out.content("opt/libs/libc.so.6"),
            StripElf(h.libc).value_or(h.libc));
  EXPECT_TRUE(out.has("usr/lib/ld-linux-x86-64.so.2"));
  EXPECT_TRUE(out.has("lib64"));  // the symlink the interpreter path crosses
  EXPECT_TRUE(out.has("app/data.txt"));  // named on the command line
  EXPECT_TRUE(out.has("etc/passwd"));
  EXPECT_FALSE(out.has("usr/bin/sh"));
  EXPECT_FALSE(out.has("usr/bin/apt"));
  EXPECT_FALSE(out.has("usr/lib/python3.11/os.py"));
}

TEST(SlimTest, ReportsALibraryTheSourceItselfLacks) {
  HostElf h = ReadHostElf();
  if (!h.ok) GTEST_SKIP() << "needs the host's /usr/bin/true and glibc";
  TempDir dir;
  ImageBuilder b = ElfImage(h, "opt/libs");
  b.Layer(LayerBuilder().Whiteout("opt/libs/libc.so.6"));
  ASSERT_FALSE(WriteImage(b, TrueEntrypoint, "oci:" + (dir / "in")).empty());
  auto report = RunSlim("oci:" + (dir / "in"), "oci:" + (dir / "out"), {});
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_EQ(report->entrypoint.missing.size(), 1u);
  EXPECT_NE(report->entrypoint.missing[0].find("libc.so.6"), std::string::npos);
}

TEST(SlimTest, RefusesToRemoveALibraryTheEntrypointLoads) {
  HostElf h = ReadHostElf();
  if (!h.ok) GTEST_SKIP() << "needs the host's /usr/bin/true and glibc";
  TempDir dir;
  ASSERT_FALSE(WriteImage(ElfImage(h, "usr/share/doc/libs"), TrueEntrypoint,
                          "oci:" + (dir / "in"))
                   .empty());
  auto refused = RunSlim("oci:" + (dir / "in"), "oci:" + (dir / "out"), {});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("usr/share/doc/libs/libc.so.6"),
            std::string::npos)
      << refused.error().message;
}

TEST(SlimTest, DistrolessKeepsAPythonRuntimeAndTheApp) {
  HostElf h = ReadHostElf();
  if (!h.ok) GTEST_SKIP() << "needs the host's /usr/bin/true and glibc";
  TempDir dir;
  ImageBuilder b = ElfImage(h, "opt/libs");
  b.Layer(LayerBuilder()
              .File("usr/bin/python3.11", h.program, 0755)
              .Symlink("usr/bin/python3", "python3.11")
              .File("usr/lib/python3.11/encodings/__init__.py", "# codecs")
              .File("usr/lib/python3.9/old.py", "# another version")
              .File("srv/app/main.py", "print('hi')")
              .File("srv/app/util.py", "# helper"));
  ASSERT_FALSE(WriteImage(
                   b,
                   [](Json& c) {
                     c["Cmd"] = {"python3", "main.py"};
                     c["WorkingDir"] = "/srv/app";
                   },
                   "oci:" + (dir / "in"))
                   .empty());
  SlimOptions o;
  o.distroless = true;
  o.keep_paths = {"/usr/bin/apt"};
  auto report = RunSlim("oci:" + (dir / "in"), "oci:" + (dir / "out"), o);
  ASSERT_TRUE(report) << report.error().message;
  Output out = ReadImage("oci:" + (dir / "out"));
  EXPECT_TRUE(out.has("usr/bin/python3"));
  EXPECT_TRUE(out.has("usr/bin/python3.11"));
  EXPECT_TRUE(out.has("usr/lib/python3.11/os.py"));
  EXPECT_TRUE(out.has("usr/lib/python3.11/encodings/__init__.py"));
  EXPECT_FALSE(out.has("usr/lib/python3.9/old.py"));
  EXPECT_TRUE(out.has("srv/app/util.py"));  // the working directory
  EXPECT_TRUE(out.has("usr/bin/apt"));      // --keep
  EXPECT_FALSE(out.has("usr/bin/sh"));
}

TEST(SlimTest, KeepBaseCopiesTheBaseLayerAndWhitesOutWhatIsGone) {
  TempDir dir;
  ImageBuilder b;
  b.Layer(LayerBuilder()
              .Dir("etc")
              .File("etc/a", "a")
              .File("etc/b", "b")
              .File("usr/share/doc/base/README", "base docs"));
  b.Layer(LayerBuilder()
              .Whiteout("etc/b")
              .File("etc/c", "c")
              .File("usr/share/doc/app/README", "app docs"));
  std::string in = "oci:" + (dir / "in");
  ASSERT_FALSE(WriteImage(b, nullptr, in).empty());
  SlimOptions o;
  o.keep_base_layers = 1;
  o.user.clear();
  auto report = RunSlim(in, "oci:" + (dir / "out"), o);
  ASSERT_TRUE(report) << report.error().message;

  Output src = ReadImage(in);
  Output out = ReadImage("oci:" + (dir / "out"));
  ASSERT_EQ(out.layers.size(), 2u);
  EXPECT_EQ(out.source->image().layers[0].descriptor.digest,
            src.source->image().layers[0].descriptor.digest);
  EXPECT_TRUE(out.layers[0].contains("usr/share/doc/base/README"));
  EXPECT_TRUE(out.has("etc/.wh.b"));
  EXPECT_EQ(out.content("etc/c"), "c");
  EXPECT_FALSE(out.has("usr/share/doc/app/README"));
  EXPECT_FALSE(out.has("etc/a"));  // unchanged base files are not repeated
}

TEST(SlimTest, KeepsOnlyTheLocalesAskedFor) {
  TempDir dir;
  ImageBuilder b;
  b.Layer(LayerBuilder()
              .File("usr/share/locale/de/LC_MESSAGES/x.mo", "de")
              .File("usr/share/locale/en_GB/LC_MESSAGES/x.mo", "en")
              .File("usr/share/locale/locale.alias", "alias")
              .File("usr/lib/locale/C.utf8/LC_CTYPE", "ctype"));
  ASSERT_FALSE(WriteImage(b, nullptr, "oci:" + (dir / "in")).empty());
  SlimOptions o;
  o.keep_locales = {"en"};
  auto report = RunSlim("oci:" + (dir / "in"), "oci:" + (dir / "out"), o);
  ASSERT_TRUE(report) << report.error().message;
  Output out = ReadImage("oci:" + (dir / "out"));
  EXPECT_FALSE(out.has("usr/share/locale/de/LC_MESSAGES/x.mo"));
  EXPECT_TRUE(out.has("usr/share/locale/en_GB/LC_MESSAGES/x.mo"));
  EXPECT_TRUE(out.has("usr/share/locale/locale.alias"));
  EXPECT_TRUE(out.has("usr/lib/locale/C.utf8/LC_CTYPE"));
}

// slim removes the Env entries that inspect and lint report, by the same
// judgement (secrets/names.h).
TEST(SlimTest, SecretEnvNamesAreRecognised) {
  EXPECT_TRUE(secrets::IsSecretName("GITHUB_TOKEN"));
  EXPECT_TRUE(secrets::IsSecretName("db_password"));
  EXPECT_TRUE(secrets::IsSecretName("AWS_SECRET_ACCESS_KEY"));
  EXPECT_TRUE(secrets::IsSecretName("npmAuthToken"));
  EXPECT_FALSE(secrets::IsSecretName("TOKEN_FILE"));
  EXPECT_FALSE(secrets::IsSecretName("PATH"));
  EXPECT_FALSE(secrets::IsSecretName("TOKENIZER"));
  EXPECT_FALSE(secrets::IsSecretName("GPG_KEY"));
  EXPECT_FALSE(secrets::IsSecretName("SSH_PUBLIC_KEY"));
}

// This test binary is built with -g: strip it, then run the result.
TEST(StripTest, AStrippedBinaryIsSmallerAndStillRuns) {
  std::string self = cinch::testing::ReadFile("/proc/self/exe");
  auto stripped = StripElf(self);
  ASSERT_TRUE(stripped) << "the test binary has no symbols to strip";
  EXPECT_LT(stripped->size(), self.size());
  EXPECT_FALSE(StripElf(*stripped));  // nothing left to strip

  TempDir dir;
  std::string path = dir / "stripped";
  cinch::testing::WriteFile(path, *stripped);
  fs::permissions(path, fs::perms::owner_all);
  std::string command =
      path + " --gtest_filter=SlimTest.SecretEnvNamesAreRecognised >/dev/null";
  EXPECT_EQ(std::system(command.c_str()), 0);
}

TEST(StripTest, LeavesNonElfAndDamagedFilesAlone) {
  EXPECT_FALSE(StripElf("#!/bin/sh\necho hi\n"));
  EXPECT_FALSE(StripElf(""));
  std::string self = cinch::testing::ReadFile("/proc/self/exe");
  // Cut inside the section header table: refused, not misread.
  EXPECT_FALSE(StripElf(std::string_view(self).substr(0, self.size() - 100)));
  std::string bad_shstrndx = self;
  bad_shstrndx[0x3e] = char(0xff);
  bad_shstrndx[0x3f] = char(0xff);
  EXPECT_FALSE(StripElf(bad_shstrndx));
}

// The test binary itself is the ELF file to strip. A sanitizer build's is
// over slim's 64 MiB strip limit: then it must come out unchanged.
// Contents are compared with ==, not EXPECT_EQ: a failure must not make
// gtest diff two binaries line by line.
TEST(SlimTest, StripsElfFilesItWritesAndReportsTheSavings) {
  std::string self = cinch::testing::ReadFile("/proc/self/exe");
  bool over_limit = self.size() > (uint64_t(64) << 20);
  std::string want = over_limit ? self : *StripElf(self);
  TempDir dir;
  ImageBuilder b;
  b.Layer(LayerBuilder()
              .File("usr/bin/tool", self, 0755)
              .File("usr/share/data.bin", self, 0644));  // not executable
  ASSERT_FALSE(WriteImage(b, nullptr, "oci:" + (dir / "in")).empty());
  auto report = RunSlim("oci:" + (dir / "in"), "oci:" + (dir / "out"), {});
  ASSERT_TRUE(report) << report.error().message;
  Output out = ReadImage("oci:" + (dir / "out"));
  EXPECT_TRUE(out.content("usr/bin/tool") == want)
      << "tool: " << out.content("usr/bin/tool").size() << " bytes, want "
      << want.size() << (over_limit ? " (over the limit: unchanged)" : "");
  EXPECT_TRUE(out.content("usr/share/data.bin") == self);
  uint64_t saved = 0;
  for (const StepSavings& s : report->steps) {
    if (s.step == "strip") saved = s.bytes;
  }
  EXPECT_EQ(saved, self.size() - want.size());

  SlimOptions keep;
  keep.strip = false;
  auto kept = RunSlim("oci:" + (dir / "in"), "oci:" + (dir / "out2"), keep);
  ASSERT_TRUE(kept);
  EXPECT_TRUE(ReadImage("oci:" + (dir / "out2")).content("usr/bin/tool") ==
              self);
}

}  // namespace
}  // namespace cinch::slim
