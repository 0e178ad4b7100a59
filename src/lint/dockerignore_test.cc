#include "lint/dockerignore.h"

#include <gtest/gtest.h>

namespace cinch::lint {
namespace {

TEST(DockerIgnoreTest, DirectoryPatternCoversEverythingBelow) {
  auto d = DockerIgnore::Parse("node_modules\n# comment\n\n  tmp/  \n");
  EXPECT_EQ(d.Excludes("node_modules/x/y.js"), "node_modules");
  EXPECT_EQ(d.Excludes("./tmp/helloworld.txt"), "tmp/");
  EXPECT_FALSE(d.Excludes("src/node_modules/x"));  // anchored at the root
  EXPECT_FALSE(d.Excludes("tmpfile"));
  EXPECT_FALSE(d.Excludes("."));
}

TEST(DockerIgnoreTest, LastMatchingPatternWins) {
  auto d = DockerIgnore::Parse("*.md\n!README.md\ndocs/README.md\n");
  EXPECT_EQ(d.Excludes("CHANGES.md"), "*.md");
  EXPECT_FALSE(d.Excludes("README.md"));
  EXPECT_FALSE(d.Excludes("docs/x.md"));  // '*' stays in one component
  EXPECT_EQ(d.Excludes("docs/README.md"), "docs/README.md");
}

TEST(DockerIgnoreTest, DoubleStarSpansDirectories) {
  auto d = DockerIgnore::Parse("**/*.pyc\n**/.git\n");
  EXPECT_TRUE(d.Excludes("a.pyc"));
  EXPECT_TRUE(d.Excludes("pkg/sub/a.pyc"));
  EXPECT_TRUE(d.Excludes(".git/HEAD"));
  EXPECT_TRUE(d.Excludes("vendor/lib/.git/config"));
  EXPECT_FALSE(d.Excludes("a.py"));
}

TEST(DockerIgnoreTest, ClassesQuestionMarksAndEscapes) {
  auto d = DockerIgnore::Parse("log[0-9].txt\nfile?.c\n\\!important\n");
  EXPECT_TRUE(d.Excludes("log7.txt"));
  EXPECT_FALSE(d.Excludes("logx.txt"));
  EXPECT_TRUE(d.Excludes("fileA.c"));
  EXPECT_FALSE(d.Excludes("file.c"));
  EXPECT_TRUE(d.Excludes("!important"));
  EXPECT_FALSE(MatchComponent("[a-", "a"));  // malformed class
}

TEST(DockerIgnoreTest, PathsAreCleanedLikeTheBuilderCleansThem) {
  EXPECT_EQ(CleanContextPath("./a//b/../c/"), "a/c");
  EXPECT_EQ(CleanContextPath("/abs/x"), "abs/x");
  EXPECT_EQ(CleanContextPath("./"), ".");
  auto d = DockerIgnore::Parse("/secret/../keys\n");
  EXPECT_EQ(d.Excludes("keys/id_rsa"), "/secret/../keys");
}

}  // namespace
}  // namespace cinch::lint
