#include "advisory/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "match/match.h"

namespace cinch {
namespace {

namespace fs = std::filesystem;

std::string Fixture(const std::string& name) {
  const char* root = std::getenv("CINCH_TEST_DATA");
  std::ifstream in(std::string(root ? root : "tests") + "/fixtures/osv/" +
                   name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A fresh database path in a directory of its own, removed afterwards.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cinch-store-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string DbPath() const { return (dir_ / "advisories.db").string(); }

  std::unique_ptr<AdvisoryStore> OpenOrDie() {
    auto store = AdvisoryStore::Open(DbPath(), true);
    EXPECT_TRUE(store.has_value()) << (store ? "" : store.error().message);
    return store ? std::move(*store) : nullptr;
  }

  void Import(AdvisoryStore& store, const std::string& record) {
    auto a = ParseOsvText(record, "test record");
    ASSERT_TRUE(a.has_value()) << a.error().message;
    auto put = store.Put(*a, record);
    ASSERT_TRUE(put.has_value()) << put.error().message;
  }

  fs::path dir_;
};

// Runs `sql` on the database at `path` directly, as an older build would.
void RawExec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* message = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  EXPECT_EQ(rc, SQLITE_OK) << (message ? message : "");
  sqlite3_free(message);
  sqlite3_close(db);
}

// An advisory whose first entry is another package, whose second has a GIT
// range (never evaluated) and an ECOSYSTEM range, and a versions list.
constexpr const char* kTwoEntries = R"({
  "id": "TEST-0001", "modified": "2024-01-01T00:00:00Z",
  "summary": "two entries",
  "affected": [
    {"package": {"ecosystem": "PyPI", "name": "other"},
     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]},
    {"package": {"ecosystem": "PyPI", "name": "Demo_Pkg"},
     "ranges": [
       {"type": "GIT", "repo": "https://example.com/demo",
        "events": [{"introduced": "0"}, {"fixed": "abc123"}]},
       {"type": "ECOSYSTEM",
        "events": [{"introduced": "1.0"}, {"fixed": "1.4"}]}],
     "versions": ["1.0", "1.2"]}]})";

TEST_F(StoreTest, FindAffectedGivesRangesAndEntryIndexOnly) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  Import(*store, kTwoEntries);

  auto found = store->FindAffected("PyPI", "demo-pkg");
  ASSERT_TRUE(found.has_value()) << found.error().message;
  ASSERT_EQ(found->size(), 1u);
  const AffectedCandidate& c = (*found)[0];
  EXPECT_EQ(c.advisory_id, "TEST-0001");
  EXPECT_EQ(c.entry_index, 1u);
  ASSERT_EQ(c.entry.ranges.size(), 1u);  // the GIT range is not kept
  EXPECT_EQ(c.entry.ranges[0].type, RangeType::kEcosystem);
  ASSERT_EQ(c.entry.ranges[0].events.size(), 2u);
  EXPECT_EQ(c.entry.ranges[0].events[1].kind, RangeEvent::Kind::kFixed);
  EXPECT_EQ(c.entry.ranges[0].events[1].version, "1.4");
  EXPECT_EQ(c.entry.versions, (std::vector<std::string>{"1.0", "1.2"}));

  auto whole = store->Get("TEST-0001");
  ASSERT_TRUE(whole.has_value()) << whole.error().message;
  EXPECT_EQ(whole->summary, "two entries");
  EXPECT_EQ(whole->affected.size(), 2u);
  EXPECT_FALSE(store->Get("TEST-0002").has_value());
}

TEST_F(StoreTest, FindAffectedSkipsWithdrawnRecords) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  std::string withdrawn = kTwoEntries;
  withdrawn.insert(withdrawn.find("\"summary\""),
                   "\"withdrawn\": \"2024-02-01T00:00:00Z\", ");
  withdrawn.replace(withdrawn.find("2024-01-01"), 10, "2024-03-01");
  Import(*store, kTwoEntries);
  auto before = store->FindAffected("PyPI", "Demo-Pkg");
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(before->size(), 1u);

  Import(*store, withdrawn);
  auto after = store->FindAffected("PyPI", "Demo-Pkg");
  ASSERT_TRUE(after.has_value());
  EXPECT_TRUE(after->empty());
  // The lookup of whole records still returns it; the matcher drops it.
  auto whole = store->Find("PyPI", "Demo-Pkg");
  ASSERT_TRUE(whole.has_value());
  EXPECT_EQ(whole->size(), 1u);
}

TEST_F(StoreTest, UpgradesASchemaOneDatabaseInPlace) {
  // The tables as schema 1 had them, holding one record.
  std::string record = Fixture("GHSA-29mw-wpgm-hmr9.json");
  ASSERT_FALSE(record.empty());
  std::string quoted;
  for (char ch : record)
    quoted += ch == '\'' ? std::string("''") : std::string(1, ch);
  RawExec(DbPath(),
          "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
          "INSERT INTO meta VALUES ('schema_version', '1');"
          "CREATE TABLE advisory(id TEXT PRIMARY KEY, modified TEXT NOT NULL,"
          " withdrawn INTEGER NOT NULL, digest TEXT NOT NULL,"
          " record TEXT NOT NULL);"
          "CREATE TABLE affected(advisory_id TEXT NOT NULL,"
          " ecosystem TEXT NOT NULL, name TEXT NOT NULL);"
          "INSERT INTO advisory VALUES ('GHSA-29mw-wpgm-hmr9',"
          " '2024-01-01T00:00:00Z', 0, 'x', '" +
              quoted +
              "');"
              "INSERT INTO affected VALUES ('GHSA-29mw-wpgm-hmr9', 'npm',"
              " 'lodash');");

  auto store = AdvisoryStore::Open(DbPath(), false);
  ASSERT_TRUE(store.has_value()) << store.error().message;
  auto found = (*store)->FindAffected("npm", "lodash");
  ASSERT_TRUE(found.has_value()) << found.error().message;
  ASSERT_FALSE(found->empty());
  EXPECT_EQ((*found)[0].advisory_id, "GHSA-29mw-wpgm-hmr9");
  EXPECT_FALSE((*found)[0].entry.ranges.empty());
  store->reset();

  // Opened again: already upgraded, nothing to do.
  auto again = AdvisoryStore::Open(DbPath(), false);
  ASSERT_TRUE(again.has_value()) << again.error().message;
  auto status = (*again)->GetStatus();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->advisories, 1);
}

TEST_F(StoreTest, RefusesAnUnknownSchemaWithAHint) {
  RawExec(DbPath(),
          "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
          "INSERT INTO meta VALUES ('schema_version', '9');");
  auto store = AdvisoryStore::Open(DbPath(), false);
  ASSERT_FALSE(store.has_value());
  EXPECT_NE(store.error().message.find("schema 9"), std::string::npos)
      << store.error().message;
  EXPECT_NE(store.error().message.find("import again"), std::string::npos);
}

// The two-step match over the store finds exactly what the match over whole
// records finds, on packages of several ecosystems (npm, PyPI, Go, Debian,
// Alpine; vulnerable, fixed and unrelated versions).
TEST_F(StoreTest, TwoStepMatchEqualsWholeRecordMatch) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  for (const char* name :
       {"GHSA-29mw-wpgm-hmr9.json", "PYSEC-2012-5.json", "GO-2022-0274.json",
        "DLA-3008-1.json", "ALPINE-CVE-2025-26519.json"}) {
    Import(*store, Fixture(name));
  }
  Import(*store, kTwoEntries);

  auto lang = [](PackageType type, std::string name, std::string version) {
    Package p;
    p.type = type;
    p.name = std::move(name);
    p.version = std::move(version);
    p.purl = "pkg:x/" + p.name + "@" + p.version;
    return p;
  };
  std::vector<Package> pkgs = {
      lang(PackageType::kNpm, "lodash", "4.17.20"),
      lang(PackageType::kNpm, "lodash", "4.17.21"),
      lang(PackageType::kPypi, "Tornado", "2.2"),
      lang(PackageType::kPypi, "tornado", "2.2.1"),
      lang(PackageType::kPypi, "demo.pkg", "1.2"),
      lang(PackageType::kPypi, "demo-pkg", "1.4"),
      lang(PackageType::kGolang, "github.com/opencontainers/runc", "v1.0.2"),
      lang(PackageType::kGolang, "github.com/opencontainers/runc", "v1.1.0"),
  };
  Package ssl = lang(PackageType::kDeb, "libssl1.1", "1.1.0l-1~deb9u5");
  ssl.source_name = "openssl";
  pkgs.push_back(ssl);
  Package musl = lang(PackageType::kApk, "musl-utils", "1.2.3-r5");
  musl.source_name = "musl";
  pkgs.push_back(musl);

  AdvisoryStore* db = store.get();
  AdvisorySource two_step = {[db](std::string_view eco, std::string_view name) {
                               return db->FindAffected(eco, name);
                             },
                             [db](std::string_view id) { return db->Get(id); }};
  AdvisoryLookup whole = [db](std::string_view eco, std::string_view name) {
    return db->Find(eco, name);
  };

  size_t total = 0;
  for (const Distro& distro :
       {Distro{"debian", "9", "", ""}, Distro{"alpine", "3.17.3", "", ""}}) {
    auto a = MatchPackages(distro, pkgs, two_step);
    auto b = MatchPackages(distro, pkgs, whole);
    ASSERT_TRUE(a.has_value()) << a.error().message;
    ASSERT_TRUE(b.has_value()) << b.error().message;
    ASSERT_EQ(a->findings.size(), b->findings.size()) << distro.id;
    for (size_t i = 0; i < a->findings.size(); ++i) {
      const VulnFinding& x = a->findings[i];
      const VulnFinding& y = b->findings[i];
      EXPECT_EQ(x.id, y.id);
      EXPECT_EQ(x.package_index, y.package_index);
      EXPECT_EQ(x.aliases, y.aliases);
      EXPECT_EQ(x.advisory_ids, y.advisory_ids);
      EXPECT_EQ(x.ecosystem, y.ecosystem);
      EXPECT_EQ(x.fixed_version, y.fixed_version);
      EXPECT_EQ(x.severity, y.severity);
      EXPECT_EQ(x.cvss_score, y.cvss_score);
      EXPECT_EQ(x.summary, y.summary);
      EXPECT_EQ(x.references, y.references);
    }
    EXPECT_EQ(a->notes, b->notes);
    EXPECT_EQ(a->packages_matched, b->packages_matched);
    total += a->findings.size();
  }
  // lodash, tornado, demo-pkg, runc on both; openssl on Debian 9, musl on
  // Alpine 3.17.
  EXPECT_EQ(total, 10u);
}

}  // namespace
}  // namespace cinch
