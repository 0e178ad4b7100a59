#include "match/severity.h"

#include <gtest/gtest.h>

namespace cinch {
namespace {

struct Case {
  const char* vector;
  double score;
};

// Scores published with the vectors by FIRST's calculators and NVD.
TEST(Cvss, Version3BaseScores) {
  for (const Case& c : {
           Case{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
           Case{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0},
           Case{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", 5.3},
           Case{"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8},
           Case{"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1},
           Case{"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9},
           Case{"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9},
           Case{"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5},
           Case{"CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N", 0.0},
           Case{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O", 9.8},
       }) {
    auto s = ScoreCvss(c.vector);
    ASSERT_TRUE(s.has_value()) << c.vector << ": " << s.error().message;
    EXPECT_DOUBLE_EQ(s->base, c.score) << c.vector;
    EXPECT_EQ(s->major, 3);
  }
}

TEST(Cvss, Version4BaseScores) {
  for (const Case& c : {
           Case{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/"
                "SA:N",
                9.3},
           Case{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/"
                "SA:H",
                10.0},
           Case{"CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/"
                "SA:N",
                8.5},
           Case{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/"
                "SA:N",
                8.7},
           Case{"CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/"
                "SA:N",
                8.7},
           Case{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:N/VI:N/VA:N/SC:L/SI:L/"
                "SA:N",
                5.1},
           Case{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/"
                "SA:N",
                5.3},
           Case{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/"
                "SA:N",
                6.9},
           Case{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/"
                "SA:N",
                0.0},
       }) {
    auto s = ScoreCvss(c.vector);
    ASSERT_TRUE(s.has_value()) << c.vector << ": " << s.error().message;
    EXPECT_DOUBLE_EQ(s->base, c.score) << c.vector;
    EXPECT_EQ(s->major, 4);
  }
}

TEST(Cvss, MalformedVectorsAreErrors) {
  for (const char* v : {
           "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
           "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
           "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
           "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
           "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1",
           "CVSS:2.0/AV:N",
           "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N",
           "CVSS:3.1/",
           "CVSS:3.1/AV:",
       }) {
    EXPECT_FALSE(ScoreCvss(v).has_value()) << v;
  }
}

TEST(VulnSeverity, LevelsFromScoresAndNames) {
  EXPECT_EQ(VulnSeverityFromScore(0.0), VulnSeverity::kNone);
  EXPECT_EQ(VulnSeverityFromScore(0.1), VulnSeverity::kLow);
  EXPECT_EQ(VulnSeverityFromScore(3.9), VulnSeverity::kLow);
  EXPECT_EQ(VulnSeverityFromScore(4.0), VulnSeverity::kMedium);
  EXPECT_EQ(VulnSeverityFromScore(6.9), VulnSeverity::kMedium);
  EXPECT_EQ(VulnSeverityFromScore(7.0), VulnSeverity::kHigh);
  EXPECT_EQ(VulnSeverityFromScore(8.9), VulnSeverity::kHigh);
  EXPECT_EQ(VulnSeverityFromScore(9.0), VulnSeverity::kCritical);
  EXPECT_EQ(ParseVulnSeverity("MODERATE"), VulnSeverity::kMedium);
  EXPECT_EQ(ParseVulnSeverity("unimportant"), VulnSeverity::kLow);
  EXPECT_EQ(ParseVulnSeverity("Important"), VulnSeverity::kHigh);
  EXPECT_EQ(ParseVulnSeverity("severe"), std::nullopt);
  EXPECT_LT(VulnSeverity::kLow, VulnSeverity::kCritical);
}

}  // namespace
}  // namespace cinch
