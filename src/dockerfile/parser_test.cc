#include "dockerfile/parser.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dockerfile/stages.h"

namespace cinch::dockerfile {
namespace {

namespace fs = std::filesystem;

std::string ReadText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path TestData() {
  const char* d = std::getenv("CINCH_TEST_DATA");
  return d ? fs::path(d) : fs::path("tests");
}

// The shared data set: $CINCH_SHARED_DATA, else ../shared/data beside the
// source root. Absent in users' clones.
fs::path SharedData() {
  if (const char* d = std::getenv("CINCH_SHARED_DATA")) return d;
  return TestData() / ".." / ".." / "shared" / "data";
}

Dockerfile MustParse(std::string_view text) {
  auto df = Parse(text);
  EXPECT_TRUE(df.has_value()) << (df ? "" : df.error().message);
  return df ? std::move(*df) : Dockerfile{};
}

TEST(Parser, KeepsLineAndColumnOfInstructionsAndArguments) {
  Dockerfile df =
      MustParse("FROM alpine:3.20\n\n  RUN echo hi \\\n    there\n");
  ASSERT_EQ(df.instructions.size(), 2u);
  const Instruction& run = df.instructions[1];
  EXPECT_EQ(run.keyword_span.begin.line, 3u);
  EXPECT_EQ(run.keyword_span.begin.column, 3u);
  EXPECT_EQ(run.rest, "echo hi     there");
  // "there" sits on line 4, column 5.
  size_t at = run.line.find("there");
  uint32_t offset = run.line_offsets[at];
  LineIndex index("FROM alpine:3.20\n\n  RUN echo hi \\\n    there\n");
  EXPECT_EQ(index.At(offset).line, 4u);
  EXPECT_EQ(index.At(offset).column, 5u);
  EXPECT_EQ(run.span.end.line, 4u);
}

TEST(Parser, EscapeDirectiveSwitchesContinuationCharacter) {
  Dockerfile df = MustParse("# escape=`\nFROM windows\nRUN dir `\n  c:\\\n");
  EXPECT_EQ(df.escape, '`');
  ASSERT_EQ(df.instructions.size(), 2u);
  EXPECT_EQ(df.instructions[1].rest, "dir   c:\\");
}

TEST(Parser, DirectivesStopAtFirstOtherLine) {
  Dockerfile df = MustParse("# hello\n# escape=`\nFROM a\n");
  EXPECT_EQ(df.escape, '\\');
  EXPECT_TRUE(df.directives.empty());
}

TEST(Parser, DuplicateDirectiveIsAnErrorWithPosition) {
  auto df = Parse("# syntax=a\n# syntax=b\nFROM a\n");
  ASSERT_FALSE(df.has_value());
  EXPECT_NE(df.error().message.find("line 2:1"), std::string::npos)
      << df.error().message;
}

TEST(Parser, ReadsSeveralHeredocsAndChomp) {
  Dockerfile df = MustParse(
      "FROM a\nRUN <<EOT bash && cat <<-'X' >f\necho $HOME\nEOT\n\tline\n\tX\n"
      "RUN echo after\n");
  ASSERT_EQ(df.instructions.size(), 3u);
  const Instruction& run = df.instructions[1];
  ASSERT_EQ(run.heredocs.size(), 2u);
  EXPECT_EQ(run.heredocs[0].name, "EOT");
  EXPECT_EQ(run.heredocs[0].content, "echo $HOME\n");
  EXPECT_TRUE(run.heredocs[0].expand);
  EXPECT_EQ(run.heredocs[1].name, "X");
  EXPECT_TRUE(run.heredocs[1].chomp);
  EXPECT_FALSE(run.heredocs[1].expand);
  EXPECT_EQ(run.heredocs[1].content, "\tline\n");
  EXPECT_EQ(run.span.end.line, 6u);
  EXPECT_EQ(df.instructions[2].keyword_span.begin.line, 7u);
}

TEST(Parser, HeredocInExecFormIsNotAHeredoc) {
  Dockerfile df = MustParse("FROM a\nRUN [\"cat\", \"<<EOF\"]\nRUN b\n");
  EXPECT_EQ(df.instructions.size(), 3u);
  EXPECT_TRUE(df.instructions[1].heredocs.empty());
}

TEST(Parser, UnterminatedHeredocIsAnError) {
  auto df = Parse("FROM a\nRUN cat <<EOF\nno end\n");
  ASSERT_FALSE(df.has_value());
  EXPECT_NE(df.error().message.find("line 2:1: unterminated heredoc"),
            std::string::npos)
      << df.error().message;
}

TEST(Parser, ReadsFlagsWithValuesAndPositions) {
  Dockerfile df = MustParse(
      "FROM --platform=$BUILDPLATFORM golang AS build\n"
      "RUN --mount=type=cache,target=/root/.cache --network=none go build\n"
      "COPY --from=build --chmod=755 --link /out /bin/\n");
  const Instruction& run = df.instructions[1];
  ASSERT_EQ(run.flags.size(), 2u);
  EXPECT_EQ(run.flags[0].name, "mount");
  EXPECT_EQ(run.flags[0].value, "type=cache,target=/root/.cache");
  EXPECT_EQ(run.flags[1].span.begin.column, 44u);
  EXPECT_EQ(run.rest, "go build");
  const Instruction& copy = df.instructions[2];
  ASSERT_EQ(copy.flags.size(), 3u);
  EXPECT_FALSE(copy.flags[2].has_value);
  ASSERT_EQ(copy.args.size(), 2u);
  EXPECT_EQ(copy.args[1].text, "/bin/");
  EXPECT_EQ(copy.args[1].span.begin.column, 43u);
}

TEST(Parser, NestedJsonIsAnErrorNotShellForm) {
  EXPECT_FALSE(Parse("CMD [\"a\", [\"b\"]]\n").has_value());
  Dockerfile df = MustParse("CMD ['a']\n");
  EXPECT_FALSE(df.instructions[0].json);
}

TEST(Parser, OnbuildKeepsItsTrigger) {
  Dockerfile df = MustParse("FROM a\nONBUILD COPY --chown=1 . /app\n");
  const Instruction& ob = df.instructions[1];
  ASSERT_TRUE(ob.trigger);
  EXPECT_EQ(ob.trigger->kind, Kind::kCopy);
  EXPECT_EQ(ob.trigger->flags.size(), 1u);
  EXPECT_EQ(ob.trigger->keyword_span.begin.column, 9u);
  EXPECT_EQ(Dump(df),
            "(from \"a\")\n(onbuild (copy [\"--chown=1\"] \".\" "
            "\"/app\"))\n");
}

TEST(Parser, EmptyContinuationIsRecorded) {
  Dockerfile df = MustParse("FROM a\nEXPOSE \\\n\n80\n");
  EXPECT_TRUE(df.instructions[1].empty_continuation);
  EXPECT_EQ(df.instructions[1].args[0].text, "80");
}

TEST(Parser, CrlfLineEndingsAreAccepted) {
  Dockerfile df = MustParse("FROM a\r\nRUN x \\\r\n  y\r\n");
  EXPECT_EQ(df.instructions[1].rest, "x   y");
}

TEST(Parser, GarbageNeverCrashes) {
  const std::string inputs[] = {
      "\\",    "FROM\n", "RUN <<", "RUN <<\"",        "#escape=`\n`",
      "ENV =", "A\0B",   "[",      "ONBUILD ONBUILD", "HEALTHCHECK CMD ["};
  for (const std::string& s : inputs) (void)Parse(s);
}

TEST(Stages, ResolvesNamesIndexesAndGlobalArgs) {
  Dockerfile df = MustParse(
      "ARG BASE=alpine\nARG TAG\nFROM ${BASE}:${TAG:-3.20} AS Build\n"
      "RUN x\nFROM build\nCOPY --from=0 /a /b\n");
  Build b = AnalyzeStages(df);
  ASSERT_EQ(b.stages.size(), 2u);
  EXPECT_EQ(b.stages[0].name, "build");
  EXPECT_EQ(b.stages[0].base_expanded, "alpine:3.20");
  EXPECT_EQ(b.stages[1].parent, std::optional<size_t>(0));
  EXPECT_EQ(b.FindStage("0", 5), &b.stages[0]);
  EXPECT_EQ(b.FindStage("BUILD", 5), &b.stages[0]);
  EXPECT_EQ(b.FindStage("1", 5), &b.stages[1]);
  EXPECT_EQ(b.FindStage("1", 4), nullptr);
  EXPECT_TRUE(b.problems.empty());
}

TEST(Stages, ReportsWhatBuildKitRefuses) {
  Dockerfile df = MustParse(
      "RUN x\nFROM a b\nFROM a\nCOPY --chmodd=1 a b\nFOO bar\n"
      "ONBUILD FROM x\nSHELL /bin/sh\n");
  Build b = AnalyzeStages(df);
  std::string all;
  for (const Problem& p : b.problems) all += p.message + "\n";
  EXPECT_NE(all.find("RUN before the first FROM"), std::string::npos) << all;
  EXPECT_NE(all.find("FROM requires"), std::string::npos) << all;
  EXPECT_NE(all.find("unknown flag for COPY: --chmodd"), std::string::npos);
  EXPECT_NE(all.find("unknown instruction: FOO"), std::string::npos);
  EXPECT_NE(all.find("isn't allowed as an ONBUILD trigger"), std::string::npos);
  EXPECT_NE(all.find("SHELL requires"), std::string::npos);
}

TEST(Stages, ParsesImageReferences) {
  ImageRef r =
      ParseImageRef("registry.example.com:5000/team/app:1.2@sha256:ab");
  EXPECT_EQ(r.registry, "registry.example.com:5000");
  EXPECT_EQ(r.repository, "team/app");
  EXPECT_EQ(r.tag, "1.2");
  EXPECT_EQ(r.digest, "sha256:ab");
  EXPECT_EQ(ParseImageRef("node").tag, "");
  EXPECT_EQ(ParseImageRef("localhost/x").registry, "localhost");
  EXPECT_EQ(ParseImageRef("library/node:20").Short(), "node");
}

// One BuildKit parser case: a Dockerfile and the dump it must produce, or
// no dump when the parse must fail.
struct Case {
  std::string name;
  std::string dockerfile;
  std::optional<std::string> dump;
};

void CheckCase(const Case& c) {
  auto df = Parse(c.dockerfile);
  if (!c.dump) {
    EXPECT_FALSE(df.has_value()) << c.name << " should not parse";
    return;
  }
  ASSERT_TRUE(df.has_value()) << c.name << ": " << df.error().message;
  EXPECT_EQ(Dump(*df), *c.dump) << c.name;
}

// A handful of BuildKit's cases, copied into the tree (see the LICENSE
// note there), run everywhere.
TEST(BuildKitCases, CopiedFixturesParseAsBuildKitDoes) {
  fs::path dir = TestData() / "lint" / "fixtures" / "buildkit-parser";
  ASSERT_TRUE(fs::exists(dir)) << dir;
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".dockerfile") continue;
    Case c{e.path().stem().string(), ReadText(e.path()), std::nullopt};
    fs::path dump = e.path();
    dump.replace_extension(".dump");
    if (fs::exists(dump)) c.dump = ReadText(dump);
    CheckCase(c);
    ++n;
  }
  EXPECT_GE(n, 5);
}

// Every case in the shared data set, when it is present.
TEST(BuildKitCases, AllSharedCasesParseAsBuildKitDoes) {
  fs::path file = SharedData() / "dockerfile" / "parser_testfiles.jsonl";
  if (!fs::exists(file)) GTEST_SKIP() << "no shared data at " << file;
  std::ifstream in(file);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    Case c{j["name"], j["dockerfile"], std::nullopt};
    if (j.contains("expected_ast_dump")) c.dump = j["expected_ast_dump"];
    CheckCase(c);
    ++n;
  }
  EXPECT_GT(n, 30);
}

}  // namespace
}  // namespace cinch::dockerfile
