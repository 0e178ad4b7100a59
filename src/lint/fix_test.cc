#include "lint/fix.h"

#include <gtest/gtest.h>

#include "dockerfile/parser.h"

namespace cinch::lint {
namespace {

TEST(ApplyEdits, KeepsEveryByteOutsideTheEdits) {
  std::string text = "abc\ndef\n";
  std::vector<Edit> edits = {{5, 6, "X", "r"}, {1, 1, "+", "r"}};
  EXPECT_EQ(ApplyEdits(text, edits), "a+bc\ndXf\n");
  // Out-of-range and overlapping edits are dropped, not applied.
  EXPECT_EQ(ApplyEdits(text, {{2, 9, "!", "r"}}), text);
}

// The fix must touch only the lines it means to change: comments, blank
// lines, odd spacing and continuations elsewhere survive byte for byte.
TEST(Fix, LeavesUntouchedInstructionsByteForByte) {
  const std::string before =
      "# syntax=docker/dockerfile:1\n"
      "FROM alpine:3.20   AS   base\n"
      "\n"
      "# install tools\n"
      "RUN apk add \\\n"
      "      curl=8.5.0-r0 \\\n"
      "  # a comment inside a continuation\n"
      "      git=2.43.0-r0\n"
      "ENV  A=1 \\\n"
      "     B=2\r\n"
      "USER 1000\n";
  std::string after = FixDockerfile("D", before, LintOptions{});
  EXPECT_EQ(after,
            "# syntax=docker/dockerfile:1\n"
            "FROM alpine:3.20   AS   base\n"
            "\n"
            "# install tools\n"
            "RUN apk add --no-cache \\\n"
            "      curl=8.5.0-r0 \\\n"
            "  # a comment inside a continuation\n"
            "      git=2.43.0-r0\n"
            "ENV  A=1 \\\n"
            "     B=2\r\n"
            "USER 1000\n");
  EXPECT_TRUE(dockerfile::Parse(after).has_value());
}

TEST(Fix, AptGetGainsNoRecommendsAndListCleanup) {
  std::string after = FixDockerfile(
      "D",
      "FROM debian:12\nRUN apt-get update && apt-get install -y curl=1\n"
      "USER 1\n",
      LintOptions{});
  EXPECT_EQ(after,
            "FROM debian:12\nRUN apt-get update && apt-get install "
            "--no-install-recommends -y curl=1 && rm -rf "
            "/var/lib/apt/lists/*\nUSER 1\n");
}

TEST(Fix, PipAndExecForm) {
  std::string after = FixDockerfile(
      "D",
      "FROM python:3.12-slim\nRUN pip install flask==3\nCMD python app.py\n",
      LintOptions{});
  EXPECT_EQ(after,
            "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask==3\n"
            "CMD [\"python\", \"app.py\"]\n");
}

TEST(Fix, ShellSyntaxKeepsShellForm) {
  std::string text = "FROM a:1\nCMD echo $HOME && run\n";
  EXPECT_EQ(FixDockerfile("D", text, LintOptions{}), text);
}

TEST(Fix, PragmaPreventsTheFix) {
  std::string text = "FROM a:1\n# cinch ignore=CL3007\nRUN apk add x=1\n";
  EXPECT_EQ(FixDockerfile("D", text, LintOptions{}), text);
}

TEST(Diff, ShowsChangedLinesWithContext) {
  std::string d = UnifiedDiff("a\nb\nc\n", "a\nB\nc\n", "Dockerfile");
  EXPECT_EQ(d,
            "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n"
            " c\n");
  EXPECT_EQ(UnifiedDiff("same\n", "same\n", "x"), "");
}

}  // namespace
}  // namespace cinch::lint
