#include "lint/report.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lint/config.h"
#include "lint/linter.h"

namespace cinch::lint {
namespace {

namespace fs = std::filesystem;

std::vector<FileReport> Sample() {
  const char* text =
      "FROM node\nRUN apk add curl && echo '<&\">'\nCMD node x.js\n";
  LintResult r = LintDockerfile("app/Dockerfile", text, LintOptions{});
  return {FileReport{"app/Dockerfile", r.findings},
          FileReport{"clean/Dockerfile", {}}};
}

TEST(Report, JsonListsEveryFindingWithAliases) {
  auto files = Sample();
  auto j = nlohmann::json::parse(FormatReport(files, Format::kJson, {}));
  ASSERT_EQ(j["findings"].size(), files[0].findings.size());
  bool alias = false;
  for (const auto& f : j["findings"]) {
    EXPECT_EQ(f["file"], "app/Dockerfile");
    EXPECT_GE(f["line"].get<int>(), 1);
    if (f["rule"] == "CL3007") alias = f["aliases"][0] == "DL3019";
  }
  EXPECT_TRUE(alias);
}

TEST(Report, TtyShowsPositionSeverityIdAndAlias) {
  std::string out = FormatReport(Sample(), Format::kTty, {});
  EXPECT_NE(out.find("app/Dockerfile:2:1 info CL3007 (DL3019) "),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("\x1b["), std::string::npos);
  ReportOptions color;
  color.color = true;
  EXPECT_NE(FormatReport(Sample(), Format::kTty, color).find("\x1b["),
            std::string::npos);
}

TEST(Report, XmlFormatsEscapeText) {
  for (Format f : {Format::kJunit, Format::kCheckstyle}) {
    std::string out = FormatReport(Sample(), f, {});
    EXPECT_EQ(out.find("<&"), std::string::npos);
    EXPECT_NE(out.find("DL3019"), std::string::npos);
  }
  std::string junit = FormatReport(Sample(), Format::kJunit, {});
  EXPECT_NE(
      junit.find("<testcase name=\"lint\" classname=\"clean/Dockerfile\""),
      std::string::npos);
}

fs::path TestData() {
  const char* d = std::getenv("CINCH_TEST_DATA");
  return d ? fs::path(d) : fs::path("tests");
}

// Validates with python3-jsonschema (Debian) against the official schema
// kept in tests/fixtures/schemas. Returns the validator's exit status.
int ValidateSarif(const std::string& document) {
  fs::path schema =
      TestData() / "fixtures" / "schemas" / "sarif-2.1.0.schema.json";
  fs::path doc = fs::temp_directory_path() /
                 ("cinch-sarif-" + std::to_string(::getpid()) + ".json");
  std::ofstream(doc) << document;
  std::string cmd =
      "/usr/bin/python3 -c 'import json,sys,jsonschema; "
      "s=json.load(open(sys.argv[1])); d=json.load(open(sys.argv[2])); "
      "jsonschema.validators.validator_for(s)(s).validate(d)' '" +
      schema.string() + "' '" + doc.string() + "' 2>/dev/null";
  int rc = std::system(cmd.c_str());
  fs::remove(doc);
  return rc;
}

TEST(Report, SarifValidatesAgainstTheOfficialSchema) {
  if (std::system("/usr/bin/python3 -c 'import jsonschema' 2>/dev/null") != 0) {
    GTEST_SKIP() << "python3-jsonschema not installed";
  }
  ReportOptions o;
  o.tool_version = "0.1.0";
  std::string sarif = FormatReport(Sample(), Format::kSarif, o);
  EXPECT_EQ(ValidateSarif(sarif), 0) << sarif.substr(0, 2000);
  auto j = nlohmann::json::parse(sarif);
  const auto& result = j["runs"][0]["results"][0];
  const auto& rule = j["runs"][0]["tool"]["driver"]["rules"]
                      [result["ruleIndex"].get<size_t>()];
  EXPECT_EQ(rule["id"], result["ruleId"]);
  EXPECT_EQ(result["locations"][0]["physicalLocation"]["region"]["startLine"],
            1);
  // The check can fail: a document with a bad level is rejected.
  j["runs"][0]["results"][0]["level"] = "fatal";
  EXPECT_NE(ValidateSarif(j.dump()), 0);
}

TEST(Report, SarifWritesFurtherLocationsPropertiesAndOnlyExtraRules) {
  Finding f;
  f.rule = "CH1001";
  f.severity = Severity::kError;
  f.message = "AWS access key ID in /app/.env";
  f.location = {"Dockerfile", "", 3, 1, 3, 0};
  f.more_locations.push_back({"app/.env", "sha256:ab", 2, 9, 0, 0});
  f.more_locations.push_back({"/abs/my file", "", 0, 0, 0, 0});
  f.properties = {{"state", std::string("deleted")}, {"layer", int64_t(2)}};
  Finding config = f;
  config.location = {};
  config.more_locations.clear();
  ReportOptions o;
  o.lint_rules = false;
  o.extra_rules.push_back(RuleInfo{"CH1001", "", "", Severity::kError, true,
                                   false, "AWS access key ID", "Revoke it.",
                                   "aws-access-key-id"});
  std::string sarif =
      FormatReport({FileReport{"image", {f, config}}}, Format::kSarif, o);
  if (std::system("/usr/bin/python3 -c 'import jsonschema' 2>/dev/null") == 0) {
    EXPECT_EQ(ValidateSarif(sarif), 0) << sarif;
  }
  auto j = nlohmann::json::parse(sarif);
  const auto& rules = j["runs"][0]["tool"]["driver"]["rules"];
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0]["name"], "aws-access-key-id");
  const auto& r = j["runs"][0]["results"][0];
  EXPECT_EQ(r["ruleIndex"], 0);
  ASSERT_EQ(r["locations"].size(), 3u);
  EXPECT_EQ(r["locations"][0]["physicalLocation"]["region"]["startLine"], 3);
  EXPECT_EQ(r["locations"][1]["properties"]["diffId"], "sha256:ab");
  EXPECT_EQ(r["locations"][1]["physicalLocation"]["region"]["startColumn"], 9);
  const auto& abs = r["locations"][2]["physicalLocation"];
  EXPECT_EQ(abs["artifactLocation"]["uri"], "file:///abs/my%20file");
  EXPECT_FALSE(abs.contains("region"));
  EXPECT_EQ(r["properties"]["state"], "deleted");
  EXPECT_EQ(r["properties"]["layer"], 2);
  EXPECT_FALSE(j["runs"][0]["results"][1].contains("locations"));
}

TEST(Explain, NamesRuleAliasAndFix) {
  std::string e = ExplainRule("dl3019");
  EXPECT_NE(e.find("CL3007"), std::string::npos);
  EXPECT_NE(e.find("Hadolint: DL3019"), std::string::npos);
  EXPECT_NE(e.find("--no-cache"), std::string::npos);
  EXPECT_EQ(ExplainRule("nope"), "");
}

TEST(Config, ReadsCinchAndHadolintFiles) {
  auto c = ParseConfig(
      "disable: [DL3008]\nseverity: {CL3007: error, CL2003: off}\n"
      "trusted-registries: [r.example]\nrequired-labels: [a]\n"
      "failure-threshold: error\n",
      false, ".cinch.yaml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_FALSE(c->Enabled("CL3001"));
  EXPECT_FALSE(c->Enabled("CL2003"));
  EXPECT_EQ(c->severity.at("CL3007"), Severity::kError);
  EXPECT_EQ(c->failure_threshold, Severity::kError);
  auto h = ParseConfig(
      "ignored: [DL3006]\noverride:\n  error: [DL3019]\n"
      "trustedRegistries: [docker.io]\nlabel-schema: {author: email}\n"
      "no-fail: true\n",
      true, ".hadolint.yaml");
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_FALSE(h->Enabled("CL2001"));
  EXPECT_EQ(h->severity.at("CL3007"), Severity::kError);
  EXPECT_EQ(h->required_labels, std::vector<std::string>{"author"});
  EXPECT_FALSE(h->failure_threshold.has_value());
}

TEST(Config, RejectsTyposAndBadYaml) {
  EXPECT_FALSE(ParseConfig("disable: [CL9999]\n", false, "c"));
  EXPECT_FALSE(ParseConfig("severity: {CL3007: loud}\n", false, "c"));
  EXPECT_FALSE(ParseConfig("disable: [\n", false, "c"));
  EXPECT_FALSE(ParseConfig("- a\n", false, "c"));
}

}  // namespace
}  // namespace cinch::lint
