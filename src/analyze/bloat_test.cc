#include "analyze/bloat.h"

#include <gtest/gtest.h>

namespace cinch {
namespace {

std::string KindOf(std::string_view path) {
  auto k = ClassifyBloat(path);
  return k ? std::string(BloatKinds()[*k].id) : "";
}

TEST(GlobTest, StarStaysInOneComponent) {
  EXPECT_TRUE(GlobMatch("var/lib/dpkg/*-old", "var/lib/dpkg/status-old"));
  EXPECT_FALSE(GlobMatch("var/lib/dpkg/*-old", "var/lib/dpkg/x/status-old"));
  EXPECT_FALSE(GlobMatch("var/lib/dpkg/*-old", "var/lib/dpkg/status"));
}

TEST(GlobTest, DoubleStarSpansComponents) {
  EXPECT_TRUE(GlobMatch("usr/share/doc/**", "usr/share/doc/a/b/c"));
  EXPECT_TRUE(GlobMatch("usr/share/doc/**", "usr/share/doc"));
  EXPECT_FALSE(GlobMatch("usr/share/doc/**", "usr/share/docs/a"));
  EXPECT_TRUE(GlobMatch("**/x", "a/b/x"));
  EXPECT_TRUE(GlobMatch("**/x", "x"));
  EXPECT_FALSE(GlobMatch("**/x", "a/xy"));
}

TEST(BloatTest, ClassifiesTheUsualSuspects) {
  EXPECT_EQ(KindOf("usr/share/doc/bash/copyright"), "docs");
  EXPECT_EQ(KindOf("usr/share/man/man1/ls.1.gz"), "man");
  EXPECT_EQ(KindOf("usr/share/info/dir"), "man");
  EXPECT_EQ(KindOf("usr/share/locale/de/LC_MESSAGES/x.mo"), "locales");
  EXPECT_EQ(KindOf("var/lib/apt/lists/deb.x_Packages.lz4"), "apt");
  EXPECT_EQ(KindOf("var/cache/apt/archives/x.deb"), "apt");
  EXPECT_EQ(KindOf("var/lib/dpkg/status-old"), "dpkg-backup");
  EXPECT_EQ(KindOf("var/cache/apk/APKINDEX.tar.gz"), "apk");
  EXPECT_EQ(KindOf("root/.cache/pip/http/x"), "pip");
  EXPECT_EQ(KindOf("home/app/.cache/pip/wheels/y"), "pip");
  EXPECT_EQ(KindOf("root/.npm/_cacache/index"), "npm");
  EXPECT_EQ(KindOf("usr/local/share/.cache/yarn/v6/x"), "yarn");
  EXPECT_EQ(KindOf("root/.cache/go-build/00/x"), "go");
  EXPECT_EQ(KindOf("go/pkg/mod/cache/x"), "go");
  EXPECT_EQ(KindOf("root/.m2/repository/a.jar"), "maven");
  EXPECT_EQ(KindOf("home/u/.gradle/caches/x"), "gradle");
  EXPECT_EQ(KindOf("usr/local/cargo/registry/cache/x.crate"), "cargo");
  EXPECT_EQ(KindOf("tmp/build.log"), "tmp");
  EXPECT_EQ(KindOf("var/log/dpkg.log"), "logs");
}

TEST(BloatTest, LeavesRuntimeFilesAlone) {
  EXPECT_EQ(KindOf("usr/bin/python3.11"), "");
  EXPECT_EQ(KindOf("usr/lib/x86_64-linux-gnu/libc.so.6"), "");
  EXPECT_EQ(KindOf("var/lib/dpkg/status"), "");
  EXPECT_EQ(KindOf("etc/passwd"), "");
  EXPECT_EQ(KindOf("usr/share/zoneinfo/UTC"), "");
  EXPECT_EQ(KindOf("home/.cache/pip/x"), "");  // "home/" needs a user
  EXPECT_EQ(KindOf("srv/tmp/x"), "");
}

}  // namespace
}  // namespace cinch
