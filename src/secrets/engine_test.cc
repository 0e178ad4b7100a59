// The secret engine: every rule fires on a planted credential and stays
// quiet on placeholders; matches do not depend on how the bytes are
// chunked; lines, redaction and fingerprints; the gitleaks samples.
#include "secrets/engine.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "secrets/check.h"

namespace cinch::secrets {
namespace {

const Engine& TheEngine() {
  auto e = Engine::Default();
  EXPECT_TRUE(e.has_value()) << e.error().message;
  return **e;
}

std::vector<Match> ScanAll(std::string_view text) {
  Scanner s(TheEngine());
  return s.Scan(text);
}

std::set<std::string> RuleIds(const std::vector<Match>& matches) {
  std::set<std::string> ids;
  for (const Match& m : matches) ids.insert(std::string(m.rule->id));
  return ids;
}

// A fake credential body: varied characters, deterministic, never a
// real key. Built in code so the repository holds no token literals.
std::string Noise(size_t n, std::string_view alphabet =
                                "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrs"
                                "tuvwxyz23456789") {
  std::string out;
  uint32_t x = 2463534242u;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    out.push_back(alphabet[x % alphabet.size()]);
  }
  return out;
}

struct Planted {
  std::string rule;
  std::string text;
};

std::vector<Planted> PlantedSecrets() {
  std::string b64 =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string hex = "0123456789abcdef";
  return {
      {"CH1001", "key = " + std::string("AKIA") + Noise(16, upper)},
      {"CH1002", "aws_secret_access_key = " + Noise(40, b64)},
      {"CH1003", "{\n  \"type\": \"service_account\",\n}"},
      {"CH1004", "key: AIza" + Noise(35)},
      {"CH1005",
       "DefaultEndpointsProtocol=https;AccountKey=" + Noise(86, b64) + "==;"},
      {"CH1006", "client_secret=bP88Q~" + Noise(34)},
      {"CH1007", "token ghp_" + Noise(36)},
      {"CH1008", "github_pat_" + Noise(82)},
      {"CH1009", "GITLAB=glpat-" + Noise(20)},
      {"CH1010", "xoxb-781236542736-2364535789652-" + Noise(24)},
      {"CH1011", "xapp-1-A0123ABCD-7306152948-" + Noise(64, hex)},
      {"CH1012",
       "https://hooks.slack.com/services/T0DCUJB1Q/B0DD08H5G/" + Noise(24)},
      {"CH1013", "sk_live_" + Noise(24)},
      {"CH1014", "npm_" + Noise(36)},
      {"CH1015", "//npm.example.test/:_authToken=" + Noise(36)},
      {"CH1016", "password = pypi-AgEIcHlwaS5vcmc" + Noise(60)},
      {"CH1017", "{\"auths\":{\"r.example\":{\"auth\":\"dXNlcjpodW50ZXIy\"}}}"},
      {"CH1018", "-----BEGIN RSA PRIVATE KEY-----\n" + Noise(64, b64) +
                     "\n-----END RSA PRIVATE KEY-----\n"},
      {"CH1019",
       "Authorization: Bearer "
       "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3OD"
       "kwIiwibmFtZSI6IkpvaG4ifQ." +
           Noise(43)},
      {"CH1020", "DATABASE_URL=postgres://app:" + Noise(16) + "@db:5432/app"},
      {"CH1021", "db_password: \"Zq8vR2kLm9Tx4Wp7Ya3B\""},
      {"CH1022", "sk-proj-" + Noise(40) + "T3BlbkFJ" + Noise(40)},
      {"CH1023", "sk-ant-api03-" + Noise(95)},
      {"CH1024", "hf_" + Noise(34, "abcdefghijklmnopqrstuvwxyzABCDEFGH")},
      {"CH1025", "SG." + Noise(22) + "." + Noise(43)},
      {"CH1026", "SK" + Noise(32, hex)},
  };
}

TEST(SecretEngine, EveryRuleFindsItsPlantedSecret) {
  for (const Planted& p : PlantedSecrets()) {
    auto ids = RuleIds(ScanAll(p.text));
    EXPECT_TRUE(ids.count(p.rule)) << p.rule << " missed in: " << p.text;
  }
  EXPECT_EQ(PlantedSecrets().size(), Rules().size())
      << "every rule needs a planted sample";
}

TEST(SecretEngine, PlaceholdersAndReferencesAreNotSecrets) {
  for (std::string_view text : {
           "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
           "key = AKIAXXXXXXXXXXXXXXXX",
           "token: ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
           "//npm.example.test/:_authToken=${NPM_TOKEN}",
           // Python's urllib: code, not an .npmrc.
           "proxy_auth = base64.b64encode(proxy_passwd.encode()).decode()",
           "_auth = base64.b64encode(user_passwd.encode()).decode('ascii')",
           "DATABASE_URL=postgres://user:password@localhost/db",
           "DATABASE_URL=postgres://user:${DB_PASSWORD}@localhost/db",
           "password = getpass.getpass(prompt)",
           "password: <your-password-here>",
           "api_key = os.environ.get(\"API_KEY\")",
           "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE "
           "KEY-----",
           "secret_key_path = /run/secrets/app_secret_key",
           "xoxb-xxxxxxxxx-xxxxxxxxxx-xxxxxxxxxxxx",
       }) {
    auto matches = ScanAll(text);
    EXPECT_TRUE(matches.empty())
        << text << " matched " << (matches.empty() ? "" : matches[0].rule->id);
  }
}

TEST(SecretEngine, ChunkingDoesNotChangeMatches) {
  std::string text = "line one\n";
  for (const Planted& p : PlantedSecrets()) text += p.text + "\n\n";
  auto whole = ScanAll(text);
  ASSERT_GE(whole.size(), PlantedSecrets().size());
  for (size_t chunk : {1, 7, 64, 4096}) {
    Scanner s(TheEngine());
    s.Begin();
    for (size_t i = 0; i < text.size(); i += chunk) {
      s.Feed(std::string_view(text).substr(i, chunk));
    }
    auto parts = s.Finish();
    ASSERT_EQ(parts.size(), whole.size()) << "chunk " << chunk;
    for (size_t i = 0; i < parts.size(); ++i) {
      EXPECT_EQ(parts[i].rule, whole[i].rule);
      EXPECT_EQ(parts[i].offset, whole[i].offset);
      EXPECT_EQ(parts[i].line, whole[i].line);
      EXPECT_EQ(parts[i].fingerprint, whole[i].fingerprint);
    }
  }
}

TEST(SecretEngine, ReportsLineAndColumnFarIntoALargeFile) {
  std::string filler;
  for (int i = 0; i < 50000; ++i)
    filler += "just some text " + std::to_string(i) + "\n";
  std::string token = "ghp_" + Noise(36);
  std::string text = filler + "x = '" + token + "'\n" + filler;
  Scanner s(TheEngine());
  s.Begin();
  for (size_t i = 0; i < text.size(); i += 65536) {
    s.Feed(std::string_view(text).substr(i, 65536));
  }
  auto matches = s.Finish();
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].line, 50001u);
  EXPECT_EQ(matches[0].column, 6u);
}

TEST(SecretEngine, RedactsTheSecretAndFingerprintsItStably) {
  std::string token = "ghp_" + Noise(36);
  auto a = ScanAll("export GH=" + token);
  auto b = ScanAll("other context\n" + token + "\n");
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0].redacted.find(token.substr(4)), std::string::npos);
  EXPECT_NE(a[0].redacted.find("********"), std::string::npos);
  EXPECT_EQ(a[0].fingerprint, b[0].fingerprint);
  EXPECT_EQ(a[0].fingerprint.size(), 16u);
  EXPECT_NE(a[0].fingerprint, ScanAll("ghp_" + Noise(35) + "Q")[0].fingerprint);
}

TEST(SecretEngine, FindsEachOfTwoSecretsOnOneLine) {
  auto matches =
      ScanAll("ghp_" + Noise(36) + " ghp_" + Noise(36, "abcdefgh12345678"));
  EXPECT_EQ(matches.size(), 2u);
}

TEST(SecretChecks, EntropySeparatesRandomFromRegular) {
  EXPECT_LT(ShannonEntropy("aaaaaaaaaaaa"), 0.01);
  EXPECT_GT(ShannonEntropy(Noise(40)), 4.0);
  EXPECT_TRUE(IsPlaceholder("${SECRET}"));
  EXPECT_TRUE(IsPlaceholder("changeme"));
  EXPECT_FALSE(IsPlaceholder(Noise(20)));
}

// ---- the gitleaks samples ----

std::string SampleText(const nlohmann::json& sample) {
  if (sample.is_string()) return sample.get<std::string>();
  // Generated samples: a secret in a neutral assignment.
  return sample.value("identifier", "x") + "_value = \"" +
         sample.value("secret", "") + "\"";
}

struct Tally {
  int tp = 0, tp_found = 0, fp = 0, fp_found = 0;
};

Tally ScoreSamples(const std::string& path) {
  Tally t;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto record = nlohmann::json::parse(line);
    for (const char* group : {"literal", "generated"}) {
      for (const auto& s : record["tps"][group]) {
        ++t.tp;
        t.tp_found += ScanAll(SampleText(s)).empty() ? 0 : 1;
      }
      for (const auto& s : record["fps"][group]) {
        ++t.fp;
        bool hit = !ScanAll(SampleText(s)).empty();
        t.fp_found += hit ? 1 : 0;
      }
    }
  }
  return t;
}

TEST(SecretSamples, FindsTheCoveredGitleaksSamples) {
  std::string path = std::string(std::getenv("CINCH_TEST_DATA")
                                     ? std::getenv("CINCH_TEST_DATA")
                                     : "tests") +
                     "/fixtures/secrets/gitleaks-samples.jsonl";
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  Tally t = ScoreSamples(path);
  ASSERT_GT(t.tp, 100);
  double recall = double(t.tp_found) / t.tp;
  double fp_rate = double(t.fp_found) / t.fp;
  std::printf(
      "covered gitleaks samples: recall %d/%d (%.1f%%), false "
      "positives %d/%d (%.1f%%)\n",
      t.tp_found, t.tp, 100 * recall, t.fp_found, t.fp, 100 * fp_rate);
  EXPECT_GE(recall, 0.85);
  // Most remaining false positives are well-formed Google API keys that
  // gitleaks allowlists by value (published sample keys).
  EXPECT_LE(fp_rate, 0.20);
}

// The compiled databases are cached in the user's cache directory: the
// first Compile writes them, the next one loads them and finds the same
// matches, and a damaged cache file is compiled again and replaced.
TEST(EngineCache, RoundTripsAndRecoversFromDamage) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() /
                 ("cinch-hscache-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const char* old = std::getenv("XDG_CACHE_HOME");
  std::string saved = old ? old : "";
  ::setenv("XDG_CACHE_HOME", dir.c_str(), 1);
  std::string text = PlantedSecrets().front().text;

  auto scan = [&](const Engine& e) {
    Scanner s(e);
    return RuleIds(s.Scan(text));
  };
  auto cached_files = [&] {
    std::vector<fs::path> files;
    if (fs::exists(dir / "cinch")) {
      for (const auto& f : fs::directory_iterator(dir / "cinch")) {
        files.push_back(f.path());
      }
    }
    return files;
  };
  auto fresh = Engine::Compile(Rules());
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_TRUE(cached_files().empty()) << "compile without cache wrote one";
  std::set<std::string> want = scan(**fresh);
  ASSERT_FALSE(want.empty());

  auto first = Engine::Compile(Rules(), /*use_cache=*/true);
  ASSERT_TRUE(first) << first.error().message;
  std::vector<fs::path> files = cached_files();
  ASSERT_EQ(files.size(), 2u) << "stream and block databases";
  EXPECT_EQ(scan(**first), want);

  auto second = Engine::Compile(Rules(), /*use_cache=*/true);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(scan(**second), want);

  for (const fs::path& f : files) {
    std::ofstream(f, std::ios::trunc) << "not a database";
  }
  auto third = Engine::Compile(Rules(), /*use_cache=*/true);
  ASSERT_TRUE(third) << third.error().message;
  EXPECT_EQ(scan(**third), want);
  for (const fs::path& f : files) EXPECT_GT(fs::file_size(f), 100u);

  if (old) {
    ::setenv("XDG_CACHE_HOME", saved.c_str(), 1);
  } else {
    ::unsetenv("XDG_CACHE_HOME");
  }
  fs::remove_all(dir);
}

TEST(SecretSamples, FullSharedSetWhenPresent) {
  std::string root;
  if (const char* d = std::getenv("CINCH_SHARED_DATA")) {
    root = d;
  } else if (const char* t = std::getenv("CINCH_TEST_DATA")) {
    root = std::string(t) + "/../../shared/data";
  }
  std::string path = root + "/secrets/gitleaks-rule-samples.jsonl";
  if (root.empty() || !std::filesystem::exists(path)) {
    GTEST_SKIP() << "shared data not present";
  }
  Tally t = ScoreSamples(path);
  std::printf(
      "all %d gitleaks rules' samples: recall %d/%d (%.1f%%), false "
      "positives %d/%d (%.1f%%)\n",
      225, t.tp_found, t.tp, 100.0 * t.tp_found / t.tp, t.fp_found, t.fp,
      100.0 * t.fp_found / t.fp);
  EXPECT_GT(t.tp_found, 0);
}

}  // namespace
}  // namespace cinch::secrets
