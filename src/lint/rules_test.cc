#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lint/linter.h"
#include "lint/rule.h"

namespace cinch::lint {
namespace {

namespace fs = std::filesystem;

LintOptions AllRulesOn() {
  LintOptions o;
  for (const RuleInfo& r : AllRules()) o.config.enabled.emplace(r.id);
  return o;
}

std::set<std::string> Rules(std::string_view text,
                            const LintOptions& o = AllRulesOn()) {
  std::set<std::string> out;
  for (const Finding& f : LintDockerfile("Dockerfile", text, o).findings) {
    out.insert(f.rule);
  }
  return out;
}

struct Case {
  const char* rule;
  const char* dockerfile;
  bool fires;
};

// Each rule with Dockerfiles that must and must not trigger it. The
// negative cases are the near misses: the same text made right.
const Case kCases[] = {
    {"CL1001", "FROM a\nCOPY --chmodd=1 a /b\n", true},
    {"CL1001", "FROM a\nCOPY --chmod=1 a /b\n", false},
    {"CL1002", "RUN x\nFROM a\n", true},
    {"CL1002", "ARG X\nFROM a\n", false},
    {"CL1008", "FROM a\nCMD node x.js\n", true},
    {"CL1008", "FROM a\nCMD [\"node\", \"x.js\"]\n", false},
    {"CL1009", "FROM a\nCMD [\"a\"]\nCMD [\"b\"]\n", true},
    {"CL1009", "FROM a\nCMD [\"a\"]\nFROM b\nCMD [\"b\"]\n", false},
    {"CL1015", "FROM a\nCOPY --from=biuld /x /y\n", true},
    {"CL1015", "FROM a AS build\nFROM b\nCOPY --from=build /x /y\n", false},
    {"CL1015", "FROM b\nCOPY --from=nginx:1.25 /x /y\n", false},
    {"CL1016", "FROM a AS b\nCOPY --from=b /x /y\n", true},
    {"CL1017", "FROM a\nCOPY a b /dir\n", true},
    {"CL1017", "FROM a\nCOPY a b /dir/\n", false},
    {"CL1018", "FROM a\nWORKDIR app\n", true},
    {"CL1018", "FROM a\nWORKDIR /app\nWORKDIR sub\n", false},
    {"CL1019", "FROM a\nEXPOSE 70000\n", true},
    {"CL1019", "FROM a\nEXPOSE 8000-8010/tcp\n", false},
    {"CL1022", "FROM a\nENV A=1 B=$A\n", true},
    {"CL1022", "FROM a\nENV A=1\nENV B=$A\n", false},
    {"CL1023", "FROM a\nONBUILD ONBUILD RUN x\n", true},
    {"CL1030", "FROM a\nCOPY x app/\n", true},
    {"CL1030", "FROM a\nWORKDIR /srv\nCOPY x app/\n", false},
    {"CL1032", "FROM a\nRUN --mount=type=cache,target=/c x\n", true},
    {"CL1032",
     "# syntax=docker/dockerfile:1\nFROM a\nRUN --mount=type=cache,"
     "target=/c x\n",
     false},
    {"CL2001", "FROM alpine\n", true},
    {"CL2001", "FROM alpine:3.20\n", false},
    {"CL2001", "FROM a AS b\nFROM b\n", true},
    {"CL2002", "FROM alpine:latest\n", true},
    {"CL2002", "FROM alpine:3.20\n", false},
    {"CL2003", "FROM alpine:3.20\n", true},
    {"CL2003", "FROM alpine:3.20@sha256:0123\n", false},
    {"CL2005", "FROM golang:1.22\nCOPY . /src\n", true},
    {"CL2005", "FROM golang:1.22 AS b\nFROM gcr.io/distroless/static\n", false},
    {"CL2005", "FROM node:20-slim\n", false},
    {"CL2006", "FROM golang:1.22\nRUN go build -o /app .\n", true},
    {"CL2006",
     "FROM golang:1.22 AS b\nRUN go build -o /app .\nFROM "
     "scratch\nCOPY --from=b /app /app\n",
     false},
    {"CL2007", "FROM debian:12\n", true},
    {"CL2007", "FROM debian:12-slim\n", false},
    {"CL2008", "FROM g AS b\nRUN go build -o /x .\n", true},
    {"CL2008", "FROM g AS b\nRUN go build -ldflags=\"-s -w\" -o /x .\n", false},
    {"CL2009", "FROM g AS b\nRUN go build -o /x .\nFROM scratch\n", true},
    {"CL2009",
     "FROM g AS b\nRUN CGO_ENABLED=0 go build -o /x .\nFROM scratch\n", false},
    {"CL2009", "FROM g AS b\nRUN go build -o /x .\nFROM debian:12\n", false},
    {"CL2010", "FROM n\nWORKDIR /a\nCOPY . .\nRUN npm ci\n", true},
    {"CL2010",
     "FROM n\nWORKDIR /a\nCOPY package*.json ./\nRUN npm ci\nCOPY . "
     ".\n",
     false},
    {"CL3001", "FROM d\nRUN apt-get install -y curl\n", true},
    {"CL3001", "FROM d\nRUN apt-get install -y curl=7.88.1-10\n", false},
    {"CL3002", "FROM d\nRUN apt-get update && apt-get install -y x\n", true},
    {"CL3002",
     "FROM d\nRUN apt-get update && apt-get install -y x && rm -rf "
     "/var/lib/apt/lists/*\n",
     false},
    {"CL3002",
     "FROM d\nRUN --mount=type=cache,target=/var/lib/apt apt-get "
     "update && apt-get install -y x\n",
     false},
    {"CL3002", "FROM d AS b\nRUN apt-get install -y x\nFROM scratch\n", false},
    {"CL3003", "FROM d\nRUN apt-get install x\n", true},
    {"CL3003", "FROM d\nRUN apt-get -qy install x\n", false},
    {"CL3004", "FROM d\nRUN apt-get install -y x\n", true},
    {"CL3004", "FROM d\nRUN apt-get install -y --no-install-recommends x\n",
     false},
    {"CL3005", "FROM d\nRUN apt install -y x\n", true},
    {"CL3005", "FROM d\nRUN echo apt install\n", false},
    {"CL3007", "FROM a\nRUN apk add curl\n", true},
    {"CL3007", "FROM a\nRUN apk add --no-cache curl\n", false},
    {"CL3007", "FROM a\nRUN echo 'apk add curl'\n", false},
    {"CL3008", "FROM a\nRUN apk add --no-cache curl\n", true},
    {"CL3008", "FROM a\nRUN apk add --no-cache curl=8.5.0-r0\n", false},
    {"CL3010", "FROM p\nRUN pip install -r r.txt\n", true},
    {"CL3010", "FROM p\nRUN pip install --no-cache-dir -r r.txt\n", false},
    {"CL3010", "FROM p\nENV PIP_NO_CACHE_DIR=1\nRUN pip install -r r.txt\n",
     false},
    {"CL3010", "FROM p\nRUN python3 -m pip install flask==3\n", true},
    {"CL3011", "FROM p\nRUN pip install --no-cache-dir flask\n", true},
    {"CL3011", "FROM p\nRUN pip install --no-cache-dir flask==3.0.2\n", false},
    {"CL3011", "FROM p\nRUN pip install --no-cache-dir -U pip\n", false},
    {"CL3012", "FROM n\nRUN npm install express\n", true},
    {"CL3012", "FROM n\nRUN npm install express@4.19.2 @scope/x@1.0.0\n",
     false},
    {"CL3013",
     "FROM n\nCOPY package.json package-lock.json ./\nRUN npm "
     "install\n",
     true},
    {"CL3013", "FROM n\nCOPY package.json ./\nRUN npm install\n", false},
    {"CL3014", "FROM n\nRUN npm ci\n", true},
    {"CL3014", "FROM n\nRUN npm ci --omit=dev\n", false},
    {"CL3014", "FROM n AS b\nRUN npm ci\nFROM n\n", false},
    {"CL3015", "FROM n\nRUN yarn install\n", true},
    {"CL3015", "FROM n\nRUN yarn install && yarn cache clean\n", false},
    {"CL3016", "FROM r\nRUN gem install rake\n", true},
    {"CL3016", "FROM r\nRUN gem install rake:13.1.0\n", false},
    {"CL3017", "FROM c\nRUN yum install httpd-2.4 && yum clean all\n", true},
    {"CL3019", "FROM c\nRUN yum install -y httpd-2.4\n", true},
    {"CL3019", "FROM c\nRUN yum install -y httpd-2.4 && yum clean all\n",
     false},
    {"CL3020", "FROM c\nRUN yum install -y httpd && yum clean all\n", true},
    {"CL3021", "FROM s\nRUN zypper install curl=8 && zypper clean\n", true},
    {"CL3021", "FROM s\nRUN zypper -n install curl=8 && zypper clean\n", false},
    {"CL3025", "FROM f\nRUN dnf install httpd-2.4 && dnf clean all\n", true},
    {"CL3026", "FROM f\nRUN dnf upgrade -y\n", true},
    {"CL3029", "FROM g\nRUN go install example.com/tool\n", true},
    {"CL3029", "FROM g\nRUN go install example.com/tool@v1.2.3\n", false},
    {"CL3031", "FROM d\nRUN useradd -u 123456 app\n", true},
    {"CL3031", "FROM d\nRUN useradd -l -u 123456 app\n", false},
    {"CL3032", "FROM d\nRUN wget https://x/y\n", true},
    {"CL3032", "FROM d\nRUN wget -q https://x/y\n", false},
    {"CL3033", "FROM d\nRUN wget -q x && curl -O y\n", true},
    {"CL3034", "FROM d\nADD app.py /app/\n", true},
    {"CL3034", "FROM d\nADD rootfs.tar.gz /\n", false},
    {"CL3035", "FROM d\nCOPY x.tar.gz /tmp/\nRUN tar -xzf /tmp/x.tar.gz\n",
     true},
    {"CL4001", "FROM a\nARG GITHUB_TOKEN\n", true},
    {"CL4001", "FROM a\nARG GPG_KEY=ABC\nENV PASSWORD_FILE=/run/secrets/p\n",
     false},
    {"CL4002", "FROM a\nENV K=AKIAIOSFODNN7EXAMPLE\n", true},
    {"CL4002", "FROM a\nENV K=AKIA\n", false},
    {"CL4003", "FROM a\nRUN curl -u admin:hunter2 https://x\n", true},
    {"CL4003", "FROM a\nRUN curl -u \"admin:$PASS\" https://x\n", false},
    {"CL4003", "FROM a\nRUN git clone https://u:tok@github.com/x/y\n", true},
    {"CL4004", "FROM a\nCOPY .npmrc /root/\n", true},
    {"CL4004", "FROM a\nCOPY .env.example /app/\n", false},
    {"CL4005", "FROM a:1\nCMD [\"x\"]\n", true},
    {"CL4005", "FROM a:1\nUSER 1000\n", false},
    {"CL4005", "FROM gcr.io/distroless/static:nonroot\n", false},
    {"CL4006", "FROM a\nUSER root\n", true},
    {"CL4006", "FROM a\nUSER root\nRUN x\nUSER app\n", false},
    {"CL4007", "FROM a\nRUN sudo apt-get install -y x\n", true},
    {"CL4007", "FROM a\nRUN echo sudo\n", false},
    {"CL4008", "FROM a\nRUN curl -fsSL https://x/i.sh | sh\n", true},
    {"CL4008", "FROM a\nRUN curl -fsSL https://x/a.tgz | tar -xz\n", false},
    {"CL4009", "FROM a\nEXPOSE 22\n", true},
    {"CL4009", "FROM a\nEXPOSE 2222\n", false},
    {"CL4010", "FROM a\nRUN service nginx start\n", true},
    {"CL4011", "FROM a\nRUN chmod -R 777 /app\n", true},
    {"CL4011", "FROM a\nRUN chmod -R 755 /app\n", false},
    {"CL4012", "FROM a\nADD https://x/y.tgz /y\n", true},
    {"CL4012", "FROM a\nADD --checksum=sha256:00 https://x/y.tgz /y\n", false},
    {"CL5001", "FROM a\nLABEL Com.Example=1\n", true},
    {"CL5001", "FROM a\nLABEL com.example.key=1\n", false},
    {"CL5010", "FROM a\n", true},
    {"CL5010", "FROM a\nHEALTHCHECK CMD [\"x\"]\n", false},
    {"CL6001", "FROM a\nRUN cd /x && make\n", true},
    {"CL6001", "FROM a\nWORKDIR /x\nRUN make\n", false},
    {"CL6002", "FROM a\nRUN wget -O - https://x | tar x\n", true},
    {"CL6002", "FROM a\nRUN set -o pipefail && wget -O - https://x | tar x\n",
     false},
    {"CL6002",
     "FROM a\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN "
     "wget -O - x | tar x\n",
     false},
    {"CL6003", "FROM a\nRUN a\nRUN b\n", true},
    {"CL6003", "FROM a\nRUN a\nCOPY x /x\nRUN b\n", false},
    {"CL6004", "FROM a\nRUN ln -sf /bin/bash /bin/sh\n", true},
};

TEST(Rules, EachCaseFiresOrNotAsStated) {
  for (const Case& c : kCases) {
    std::set<std::string> got = Rules(c.dockerfile);
    EXPECT_EQ(got.count(c.rule) > 0, c.fires)
        << c.rule << (c.fires ? " should fire on:\n" : " should not fire on:\n")
        << c.dockerfile;
  }
}

TEST(Rules, CommandsInsideHeredocScriptsAreChecked) {
  EXPECT_EQ(Rules("FROM a\nRUN <<EOF\napk add curl\nEOF\n").count("CL3007"),
            1u);
  // A heredoc that is data, not a script, is not read as commands.
  EXPECT_EQ(
      Rules("FROM a\nRUN cat <<EOF > /x\napk add curl\nEOF\n").count("CL3007"),
      0u);
}

TEST(Rules, EveryRuleHasTextAndAUniqueId) {
  std::set<std::string> ids;
  for (const RuleInfo& r : AllRules()) {
    EXPECT_TRUE(ids.insert(std::string(r.id)).second) << r.id;
    EXPECT_FALSE(r.title.empty()) << r.id;
    EXPECT_GT(r.explanation.size(), 20u) << r.id;
    EXPECT_EQ(FindRule(r.id), &r);
    if (!r.hadolint.empty()) {
      EXPECT_EQ(FindRule(r.hadolint), &r);
    }
  }
  EXPECT_GT(ids.size(), 90u);
}

TEST(Rules, FindingsCarryPositionsAndAliases) {
  auto r = LintDockerfile("x/Dockerfile", "FROM a:1\nRUN  apk add curl\n",
                          AllRulesOn());
  bool seen = false;
  for (const Finding& f : r.findings) {
    if (f.rule != "CL3007") continue;
    seen = true;
    EXPECT_EQ(f.location.path, "x/Dockerfile");
    EXPECT_EQ(f.location.line, 2u);
    EXPECT_EQ(f.location.column, 1u);
    EXPECT_EQ(f.aliases, std::vector<std::string>{"DL3019"});
    EXPECT_TRUE(f.fixable);
  }
  EXPECT_TRUE(seen);
}

TEST(Rules, ParseErrorIsOneFindingWithPosition) {
  auto r = LintDockerfile("D", "FROM a\nRUN cat <<EOF\n", LintOptions{});
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].rule, "CL1000");
  EXPECT_EQ(r.findings[0].location.line, 2u);
}

TEST(Ignores, InlinePragmaSilencesTheNextInstructionOnly) {
  const char* text =
      "FROM a:1\n# cinch ignore=CL3007\nRUN apk add x=1\n"
      "# hadolint ignore=DL3019\nRUN apk add y=1\nRUN apk add z=1\n";
  auto r = LintDockerfile("D", text, LintOptions{});
  std::vector<uint32_t> lines;
  for (const Finding& f : r.findings) {
    if (f.rule == "CL3007") lines.push_back(f.location.line);
  }
  EXPECT_EQ(lines, std::vector<uint32_t>{6});
}

TEST(Ignores, GlobalPragmaSilencesTheFile) {
  auto r = LintDockerfile(
      "D", "# cinch global ignore=CL3007,DL3018\nFROM a:1\nRUN apk add x\n",
      LintOptions{});
  for (const Finding& f : r.findings) {
    EXPECT_NE(f.rule, "CL3007");
    EXPECT_NE(f.rule, "CL3008");
  }
}

TEST(Ignores, ConfigDisablesAndOverridesSeverity) {
  LintOptions o;
  o.config.disabled.insert("CL3007");
  o.config.severity["CL3008"] = Severity::kError;
  auto r = LintDockerfile("D", "FROM a:1\nRUN apk add x\n", o);
  bool pin = false;
  for (const Finding& f : r.findings) {
    EXPECT_NE(f.rule, "CL3007");
    if (f.rule == "CL3008") {
      pin = true;
      EXPECT_EQ(f.severity, Severity::kError);
    }
  }
  EXPECT_TRUE(pin);
}

fs::path TestData() {
  const char* d = std::getenv("CINCH_TEST_DATA");
  return d ? fs::path(d) : fs::path("tests");
}

// A build context with a .dockerignore excluding tmp/, made once.
std::string IgnoringContext() {
  static const std::string dir = [] {
    fs::path d = fs::temp_directory_path() /
                 ("cinch-ignore-" + std::to_string(::getpid()));
    fs::create_directories(d);
    std::ofstream(d / ".dockerignore") << "# build output\ntmp\n";
    return d.string();
  }();
  return dir;
}

TEST(Rules, CopyOfAnIgnoredPathFires) {
  LintOptions o = AllRulesOn();
  o.context_dir = IgnoringContext();
  EXPECT_TRUE(
      Rules("FROM scratch\nCOPY ./tmp/a.txt /a.txt\n", o).contains("CL1031"));
  EXPECT_TRUE(
      Rules("FROM scratch\nCOPY [\"tmp\", \"/t\"]\n", o).contains("CL1031"));
  EXPECT_FALSE(
      Rules("FROM scratch\nCOPY ./src/a.txt /a.txt\n", o).contains("CL1031"));
  // Copies from another stage do not read the context.
  EXPECT_FALSE(Rules("FROM scratch AS b\nFROM scratch\n"
                     "COPY --from=b tmp/a /a\n",
                     o)
                   .contains("CL1031"));
  // Without a context nothing is known.
  EXPECT_FALSE(Rules("FROM scratch\nCOPY tmp/a /a\n").contains("CL1031"));
}

// BuildKit's documented examples for its build checks: each must fire (or
// not) the cinch rule that carries the check's name as an alias.
void CheckBuildKitExamples(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  int checked = 0;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    std::string rule = j["rule"];
    // BuildKit's CopyIgnoredFile examples run in a context whose
    // .dockerignore leaves out tmp/; the data states only the Dockerfile.
    LintOptions options = AllRulesOn();
    if (rule == "CopyIgnoredFile") options.context_dir = IgnoringContext();
    bool fired = false;
    for (const Finding& f :
         LintDockerfile("Dockerfile", j["dockerfile"].get<std::string>(),
                        options)
             .findings) {
      for (const std::string& a : f.aliases) fired |= a == rule;
    }
    EXPECT_EQ(fired, j["expect"] == "fire")
        << rule << " (" << j["caption"] << "):\n"
        << j["dockerfile"].get<std::string>();
    ++checked;
  }
  EXPECT_GT(checked, 40);
}

TEST(BuildKitChecks, CopiedExamplesBehaveAsDocumented) {
  CheckBuildKitExamples(TestData() / "lint" / "fixtures" / "buildkit-lint" /
                        "examples.jsonl");
}

TEST(BuildKitChecks, SharedExamplesBehaveAsDocumented) {
  const char* d = std::getenv("CINCH_SHARED_DATA");
  fs::path root =
      d ? fs::path(d) : TestData() / ".." / ".." / "shared" / "data";
  fs::path file = root / "dockerfile" / "linter_rule_examples.jsonl";
  if (!fs::exists(file)) GTEST_SKIP() << "no shared data at " << file;
  CheckBuildKitExamples(file);
}

}  // namespace
}  // namespace cinch::lint
