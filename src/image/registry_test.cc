#include "image/registry.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>

#include "image/registry_client.h"
#include "tests/fixtures/image_builder.h"

namespace cinch {
namespace {

RegistryRef MustParse(std::string_view text) {
  auto ref = ParseRegistryRef(text);
  EXPECT_TRUE(ref) << text << ": " << ref.error().message;
  return ref ? *ref : RegistryRef{};
}

std::string ErrorOf(std::string_view text) {
  auto ref = ParseRegistryRef(text);
  EXPECT_FALSE(ref) << text << " parsed";
  return ref ? "" : ref.error().message;
}

const std::string kDigest = "sha256:" + std::string(64, 'a');

TEST(RegistryRefTest, BareNameIsDockerHubLibraryLatest) {
  RegistryRef r = MustParse("alpine");
  EXPECT_EQ(r.registry, "docker.io");
  EXPECT_EQ(r.repository, "library/alpine");
  EXPECT_EQ(r.tag, "latest");
  EXPECT_EQ(r.digest, "");
  EXPECT_EQ(r.Reference(), "latest");
}

TEST(RegistryRefTest, TwoComponentsStayOnDockerHubWithoutLibrary) {
  RegistryRef r = MustParse("bitnami/redis:7.2");
  EXPECT_EQ(r.registry, "docker.io");
  EXPECT_EQ(r.repository, "bitnami/redis");
  EXPECT_EQ(r.tag, "7.2");
}

TEST(RegistryRefTest, FirstComponentIsAHostOnlyWithDotColonOrLocalhost) {
  RegistryRef r = MustParse("ghcr.io/owner/app:v1");
  EXPECT_EQ(r.registry, "ghcr.io");
  EXPECT_EQ(r.repository, "owner/app");
  r = MustParse("localhost/app");
  EXPECT_EQ(r.registry, "localhost");
  EXPECT_EQ(r.repository, "app");
  EXPECT_EQ(r.tag, "latest");
  r = MustParse("127.0.0.1:5000/a/b:c");
  EXPECT_EQ(r.registry, "127.0.0.1:5000");
  EXPECT_EQ(r.repository, "a/b");
  EXPECT_EQ(r.tag, "c");
  r = MustParse("[::1]:5000/a");
  EXPECT_EQ(r.registry, "[::1]:5000");
  // Without a dot, colon or "localhost", "myhost" is a Docker Hub user.
  r = MustParse("myhost/app");
  EXPECT_EQ(r.registry, "docker.io");
  EXPECT_EQ(r.repository, "myhost/app");
}

TEST(RegistryRefTest, PortIsNotATag) {
  RegistryRef r = MustParse("registry.example:5000/app");
  EXPECT_EQ(r.registry, "registry.example:5000");
  EXPECT_EQ(r.repository, "app");
  EXPECT_EQ(r.tag, "latest");
}

TEST(RegistryRefTest, DigestPinsAndNeedsNoTag) {
  RegistryRef r = MustParse("quay.io/x/y@" + kDigest);
  EXPECT_EQ(r.tag, "");
  EXPECT_EQ(r.digest, kDigest);
  EXPECT_EQ(r.Reference(), kDigest);
  EXPECT_EQ(r.ToString(), "quay.io/x/y@" + kDigest);
  // A tag beside a digest is kept for display; the digest is fetched.
  r = MustParse("busybox:1.36@" + kDigest);
  EXPECT_EQ(r.repository, "library/busybox");
  EXPECT_EQ(r.tag, "1.36");
  EXPECT_EQ(r.Reference(), kDigest);
}

TEST(RegistryRefTest, RefusesMalformedReferences) {
  EXPECT_NE(ErrorOf("Alpine").find("lowercase"), std::string::npos);
  EXPECT_NE(ErrorOf("a//b").find("bad repository"), std::string::npos);
  EXPECT_NE(ErrorOf("-a").find("bad repository"), std::string::npos);
  EXPECT_NE(ErrorOf("a:").find("bad tag"), std::string::npos);
  EXPECT_NE(ErrorOf("a:-x").find("bad tag"), std::string::npos);
  EXPECT_NE(ErrorOf("a:" + std::string(129, 't')).find("bad tag"),
            std::string::npos);
  EXPECT_NE(ErrorOf("a@sha256:abc").find("bad digest"), std::string::npos);
  EXPECT_NE(ErrorOf("a@md5:" + std::string(32, '0')).find("bad digest"),
            std::string::npos);
  EXPECT_NE(ErrorOf("ghcr.io/").find("no repository"), std::string::npos);
}

TEST(RegistryRefTest, LoopbackRegistriesAreThoseDockerReachesOverHttp) {
  EXPECT_TRUE(IsLoopbackRegistry("localhost"));
  EXPECT_TRUE(IsLoopbackRegistry("localhost:5000"));
  EXPECT_TRUE(IsLoopbackRegistry("127.0.0.1:5000"));
  EXPECT_TRUE(IsLoopbackRegistry("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackRegistry("[::1]:5000"));
  EXPECT_FALSE(IsLoopbackRegistry("docker.io"));
  EXPECT_FALSE(IsLoopbackRegistry("localhost.evil.example"));
  EXPECT_FALSE(IsLoopbackRegistry("127example.com"));
  EXPECT_FALSE(IsLoopbackRegistry("[::2]:5000"));
}

TEST(WwwAuthenticateTest, ParsesDockerHubBearerChallenge) {
  auto c = ParseWwwAuthenticate(
      R"(Bearer realm="https://auth.docker.io/token",)"
      R"(service="registry.docker.io",scope="repository:library/x:pull")");
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0].scheme, "bearer");
  EXPECT_EQ((*c)[0].params.at("realm"), "https://auth.docker.io/token");
  EXPECT_EQ((*c)[0].params.at("service"), "registry.docker.io");
  EXPECT_EQ((*c)[0].params.at("scope"), "repository:library/x:pull");
}

TEST(WwwAuthenticateTest, SeparatesSeveralChallengesAndUnquotesValues) {
  auto c = ParseWwwAuthenticate(
      R"(Basic realm="Registry Realm", BEARER Realm=https://t/x , )"
      R"(error="a \"quoted\", value")");
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->size(), 2u);
  EXPECT_EQ((*c)[0].scheme, "basic");
  EXPECT_EQ((*c)[0].params.at("realm"), "Registry Realm");
  EXPECT_EQ((*c)[1].scheme, "bearer");
  EXPECT_EQ((*c)[1].params.at("realm"), "https://t/x");
  EXPECT_EQ((*c)[1].params.at("error"), "a \"quoted\", value");
}

TEST(WwwAuthenticateTest, RefusesBrokenHeaders) {
  EXPECT_FALSE(ParseWwwAuthenticate(""));
  EXPECT_FALSE(ParseWwwAuthenticate("realm=\"x\""));
  EXPECT_FALSE(ParseWwwAuthenticate("Bearer realm=\"unterminated"));
  EXPECT_FALSE(ParseWwwAuthenticate("Bearer realm=\"x\" junk=1"));
  EXPECT_FALSE(ParseWwwAuthenticate("Bearer @"));
}

TEST(Base64Test, RoundTripsAndRefusesJunk) {
  for (std::string s : {"", "a", "ab", "abc", "user:pa:ss", "\xff\x00\x10"}) {
    auto back = Base64Decode(Base64Encode(s));
    ASSERT_TRUE(back) << s;
    EXPECT_EQ(*back, s);
  }
  EXPECT_EQ(Base64Encode("user:pass"), "dXNlcjpwYXNz");
  EXPECT_FALSE(Base64Decode("dXN*"));
  EXPECT_FALSE(Base64Decode("d"));
}

TEST(AuthFileTest, FindsEntriesByHostOrUrlAndDecodesThem) {
  std::string json = R"({"auths": {
      "https://index.docker.io/v1/": {"auth": ")" +
                     Base64Encode("hub:secret") + R"("},
      "ghcr.io": {"auth": ")" +
                     Base64Encode("me:tok:en") + R"("},
      "http://127.0.0.1:5000": {"username": "u", "password": "p"}}})";
  auto hub = FindCredentialsInAuthFile(json, "docker.io", "auth.json");
  ASSERT_TRUE(hub && *hub);
  EXPECT_EQ((*hub)->username, "hub");
  EXPECT_EQ((*hub)->password, "secret");
  auto ghcr = FindCredentialsInAuthFile(json, "ghcr.io", "auth.json");
  ASSERT_TRUE(ghcr && *ghcr);
  EXPECT_EQ((*ghcr)->password, "tok:en");
  auto local = FindCredentialsInAuthFile(json, "127.0.0.1:5000", "auth.json");
  ASSERT_TRUE(local && *local);
  EXPECT_EQ((*local)->username, "u");
  auto none = FindCredentialsInAuthFile(json, "quay.io", "auth.json");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
}

TEST(AuthFileTest, ReportsBrokenEntriesByFileAndKey) {
  auto bad = FindCredentialsInAuthFile(R"({"auths":{"q.io":{"auth":"!!"}}})",
                                       "q.io", "auth.json");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("auth.json: auths[\"q.io\"]"),
            std::string::npos);
  auto no_colon = FindCredentialsInAuthFile(
      R"({"auths":{"q.io":{"auth":")" + Base64Encode("nocolon") + R"("}}})",
      "q.io", "auth.json");
  EXPECT_FALSE(no_colon);
  EXPECT_FALSE(FindCredentialsInAuthFile("[", "q.io", "auth.json"));
  auto empty = FindCredentialsInAuthFile("{}", "q.io", "auth.json");
  ASSERT_TRUE(empty);
  EXPECT_FALSE(*empty);
}

TEST(RetryAfterTest, SecondsOrAnHttpDate) {
  EXPECT_EQ(RetryAfterSeconds("30", 0), 30);
  EXPECT_EQ(RetryAfterSeconds(" 0 ", 0), 0);
  // 784111777 is Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example).
  EXPECT_EQ(RetryAfterSeconds("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 - 12),
            12);
  EXPECT_EQ(RetryAfterSeconds("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 + 5),
            0);
  EXPECT_FALSE(RetryAfterSeconds("", 0));
  EXPECT_FALSE(RetryAfterSeconds("-3", 0));
  EXPECT_FALSE(RetryAfterSeconds("soon", 0));
  EXPECT_FALSE(RetryAfterSeconds("99999999999999999999", 0));
}

TEST(CredentialHelpersTest, RegistryHelperAndStoreFromTheConfig) {
  std::string json = R"({"credsStore": "desktop",
      "credHelpers": {"gcr.io": "gcloud", "https://index.docker.io/v1/": "hub"}})";
  auto gcr = FindCredentialHelpers(json, "gcr.io", "config.json");
  ASSERT_TRUE(gcr) << gcr.error().message;
  EXPECT_EQ(gcr->registry_helper, "gcloud");
  EXPECT_EQ(gcr->store, "desktop");
  auto hub = FindCredentialHelpers(json, "docker.io", "config.json");
  ASSERT_TRUE(hub);
  EXPECT_EQ(hub->registry_helper, "hub");
  auto other = FindCredentialHelpers(json, "quay.io", "config.json");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->registry_helper, "");
  EXPECT_EQ(other->store, "desktop");
  auto bad = FindCredentialHelpers(R"({"credHelpers": {"q.io": 3}})", "q.io",
                                   "config.json");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("credHelpers"), std::string::npos);
  EXPECT_EQ(CredentialHelperServer("docker.io"), "https://index.docker.io/v1/");
  EXPECT_EQ(CredentialHelperServer("127.0.0.1:5000"), "127.0.0.1:5000");
}

// Puts a docker-credential-fake on $PATH that speaks the helper protocol:
// the server name on stdin, a JSON answer on stdout. It records what it
// was asked in asked.log.
class FakeHelperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    old_path_ = std::getenv("PATH") ? std::getenv("PATH") : "";
    std::string script = dir_ / "docker-credential-fake";
    cinch::testing::WriteFile(script, R"(#!/bin/sh
[ "$1" = get ] || exit 3
read -r server
echo "$server" >>")" + (dir_ / "asked.log") +
                                          R"("
case "$server" in
  registry.test:5000)
    printf '{"ServerURL":"%s","Username":"robot","Secret":"pa ss"}' "$server";;
  https://index.docker.io/v1/)
    printf '{"ServerURL":"%s","Username":"hub","Secret":"hubpass"}' "$server";;
  broken.test) echo 'not json';;
  fail.test) echo 'printed secret'; exit 2;;
  *) echo 'credentials not found in native keychain'; exit 1;;
esac
)");
    chmod(script.c_str(), 0755);
    setenv("PATH", (dir_.path() + ":" + old_path_).c_str(), 1);
  }
  void TearDown() override { setenv("PATH", old_path_.c_str(), 1); }

  std::string Asked() { return cinch::testing::ReadFile(dir_ / "asked.log"); }

  cinch::testing::TempDir dir_;
  std::string old_path_;
};

TEST_F(FakeHelperTest, AnswersAreCredentialsOrNothing) {
  auto found = RunCredentialHelper("fake", "registry.test:5000");
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_TRUE(*found);
  EXPECT_EQ((*found)->username, "robot");
  EXPECT_EQ((*found)->password, "pa ss");
  auto hub = RunCredentialHelper("fake", "docker.io");
  ASSERT_TRUE(hub && *hub);
  EXPECT_EQ((*hub)->username, "hub");
  auto none = RunCredentialHelper("fake", "nothing.test");
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_FALSE(*none);
  EXPECT_EQ(Asked(),
            "registry.test:5000\nhttps://index.docker.io/v1/\nnothing.test\n");
}

TEST_F(FakeHelperTest, FailuresAreErrorsThatDoNotQuoteTheHelper) {
  auto failed = RunCredentialHelper("fake", "fail.test");
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find("exit 2"), std::string::npos);
  EXPECT_EQ(failed.error().message.find("printed secret"), std::string::npos);
  auto broken = RunCredentialHelper("fake", "broken.test");
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("JSON"), std::string::npos);
  auto missing = RunCredentialHelper("absent", "registry.test:5000");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("docker-credential-absent"),
            std::string::npos);
  EXPECT_FALSE(RunCredentialHelper("../x", "registry.test:5000"));
}

TEST_F(FakeHelperTest, LookupPrefersFlagThenRegistryHelperThenFileThenStore) {
  std::string config = dir_ / "config.json";
  cinch::testing::WriteFile(config, R"({"credsStore": "fake",
      "credHelpers": {"registry.test:5000": "fake"},
      "auths": {"listed.test": {"auth": ")" +
                                        Base64Encode("file:pw") +
                                        R"("},
                "registry.test:5000": {"auth": ")" +
                                        Base64Encode("shadowed:pw") +
                                        R"("}}})");
  auto lookup = [&](std::string_view registry, std::string_view flag = "") {
    RegistryRef ref;
    ref.registry = std::string(registry);
    ref.repository = "a/b";
    return LookupCredentials(ref, flag, config);
  };
  auto helper = lookup("registry.test:5000");
  ASSERT_TRUE(helper && *helper);
  EXPECT_EQ((*helper)->username, "robot");
  auto file = lookup("listed.test");
  ASSERT_TRUE(file && *file);
  EXPECT_EQ((*file)->username, "file");
  auto store = lookup("docker.io");
  ASSERT_TRUE(store && *store);
  EXPECT_EQ((*store)->username, "hub");
  auto none = lookup("unknown.test");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  auto flag = lookup("registry.test:5000", "cli:pw");
  ASSERT_TRUE(flag && *flag);
  EXPECT_EQ((*flag)->username, "cli");
  // The file's own entry was never consulted through the helper for it.
  EXPECT_EQ(Asked().find("listed.test"), std::string::npos);
}

}  // namespace
}  // namespace cinch
