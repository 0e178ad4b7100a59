#include "dockerfile/shell.h"

#include <gtest/gtest.h>

namespace cinch::dockerfile {
namespace {

std::vector<std::string> Names(std::string_view script) {
  std::vector<std::string> out;
  for (const ShellCommand& c : SplitCommands(script)) {
    out.emplace_back(c.Name());
  }
  return out;
}

TEST(Shell, SplitsOnEveryOperator) {
  EXPECT_EQ(Names("a && b || c; d | e & f\ng"),
            (std::vector<std::string>{"a", "b", "c", "d", "e", "f", "g"}));
}

TEST(Shell, QuotedOperatorsAreArguments) {
  auto cmds = SplitCommands("echo 'a && b' \"c | d\" e\\;f");
  ASSERT_EQ(cmds.size(), 1u);
  ASSERT_EQ(cmds[0].words.size(), 4u);
  EXPECT_EQ(cmds[0].words[1].value, "a && b");
  EXPECT_EQ(cmds[0].words[2].value, "c | d");
  EXPECT_EQ(cmds[0].words[3].value, "e;f");
  EXPECT_TRUE(cmds[0].words[1].quoted);
}

TEST(Shell, RecordsJoinersAndPipes) {
  auto cmds = SplitCommands("curl -sL x | sh && rm y");
  ASSERT_EQ(cmds.size(), 3u);
  EXPECT_TRUE(cmds[0].piped_out);
  EXPECT_EQ(cmds[1].joiner, Joiner::kPipe);
  EXPECT_EQ(cmds[2].joiner, Joiner::kAnd);
}

TEST(Shell, AssignmentsAndRedirectionsAreNotArguments) {
  auto cmds = SplitCommands(
      "DEBIAN_FRONTEND=noninteractive apt-get -y "
      "install x >/dev/null 2>&1");
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_EQ(cmds[0].assignments.size(), 1u);
  EXPECT_EQ(cmds[0].Name(), "apt-get");
  EXPECT_EQ(cmds[0].words.size(), 4u);
  EXPECT_EQ(cmds[0].redirects.size(), 2u);
}

TEST(Shell, SubshellsGroupsAndCompoundCommands) {
  EXPECT_EQ(Names("(cd /x && make) ; { a; b; }"),
            (std::vector<std::string>{"cd", "make", "a", "b"}));
  EXPECT_EQ(Names("if [ -f x ]; then apk add y; else exit 1; fi"),
            (std::vector<std::string>{"[", "apk", "exit"}));
  EXPECT_EQ(Names("for p in a b; do pip install $p; done"),
            (std::vector<std::string>{"pip"}));
}

TEST(Shell, SubstitutionsAreSplitToo) {
  auto cmds = SplitCommands("echo $(curl -s x | sh) `id -u`");
  std::vector<std::string> names;
  for (const auto& c : cmds) names.emplace_back(c.Name());
  EXPECT_EQ(names, (std::vector<std::string>{"echo", "curl", "sh", "id"}));
  EXPECT_TRUE(cmds[1].substitution);
}

TEST(Shell, ShDashCStringsAreSplit) {
  EXPECT_EQ(Names("sh -c 'apt-get update && apt-get install -y x'"),
            (std::vector<std::string>{"sh", "apt-get", "apt-get"}));
}

TEST(Shell, CommentsAndLineJoinsAreSkipped) {
  EXPECT_EQ(Names("a \\\n  --flag # not && a command\nb"),
            (std::vector<std::string>{"a", "b"}));
  auto cmds = SplitCommands("a \\\n  --flag");
  EXPECT_EQ(cmds[0].words.size(), 2u);
}

TEST(Shell, OffsetsPointIntoTheScript) {
  std::string s = "true && apk add  curl";
  auto cmds = SplitCommands(s);
  ASSERT_EQ(cmds.size(), 2u);
  EXPECT_EQ(s.substr(cmds[1].begin, cmds[1].end - cmds[1].begin),
            "apk add  curl");
  EXPECT_EQ(s.substr(cmds[1].words[2].begin, 4), "curl");
}

TEST(Shell, UnbalancedInputNeverHangs) {
  for (std::string_view s :
       {"'", "\"", "$(", "`", "${", "a |", "((", "\\", "2>", "<<<"}) {
    (void)SplitCommands(s);
  }
}

}  // namespace
}  // namespace cinch::dockerfile
