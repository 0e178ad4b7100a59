#include "dockerfile/expand.h"

#include <gtest/gtest.h>

namespace cinch::dockerfile {
namespace {

std::string Ex(std::string_view w, const Variables& v = {}) {
  auto r = Expand(w, v);
  EXPECT_TRUE(r.has_value()) << w;
  return r ? r->value : "<error>";
}

TEST(Expand, ReplacesVariablesAndDefaults) {
  Variables v{{"A", "x"}, {"E", ""}, {"N", std::nullopt}};
  EXPECT_EQ(Ex("$A-${A}", v), "x-x");
  EXPECT_EQ(Ex("${B:-d}${E:-d}${E-d}", v), "dd");
  EXPECT_EQ(Ex("${A:+y}${B:+y}${E+y}", v), "yy");
  EXPECT_EQ(Ex("${N:-n}", v), "n");
}

TEST(Expand, RemovesQuotesAndHonoursEscapes) {
  Variables v{{"A", "x"}};
  EXPECT_EQ(Ex("\"$A y\"'$A'\\$A", v), "x y$A$A");
  auto r = Expand("`$A", v, '`');
  ASSERT_TRUE(r);
  EXPECT_EQ(r->value, "$A");
}

TEST(Expand, PrefixAndSuffixRemoval) {
  Variables v{{"P", "linux/arm64/v8"}};
  EXPECT_EQ(Ex("${P#*/}", v), "arm64/v8");
  EXPECT_EQ(Ex("${P##*/}", v), "v8");
  EXPECT_EQ(Ex("${P%/*}", v), "linux/arm64");
  EXPECT_EQ(Ex("${P%%/*}", v), "linux");
}

TEST(Expand, ReportsUndefinedButNotDefaulted) {
  auto r = Expand("$X ${Y:-1} ${Z}", {});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->undefined, (std::set<std::string>{"X", "Z"}));
  EXPECT_EQ(r->used.size(), 3u);
}

TEST(Expand, MalformedIsAnError) {
  EXPECT_FALSE(Expand("${A", {}).has_value());
  EXPECT_FALSE(Expand("${}", {}).has_value());
  EXPECT_FALSE(Expand("${A:?needed}", {}).has_value());
  EXPECT_FALSE(Expand("${A/x/y}", {}).has_value());
}

}  // namespace
}  // namespace cinch::dockerfile
