#include "catalog/rpm.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "catalog/catalog.h"
#include "tests/fixtures/image_builder.h"

namespace cinch {
namespace {

namespace t = ::cinch::testing;

// Builds an rpm header blob: index entries over a data store.
class HeaderBuilder {
 public:
  HeaderBuilder& Str(uint32_t tag, const std::string& s) {
    return Add(tag, 6, 1, s + '\0');
  }
  HeaderBuilder& Strs(uint32_t tag, const std::vector<std::string>& v) {
    std::string data;
    for (const std::string& s : v) data += s + '\0';
    return Add(tag, 8, uint32_t(v.size()), data);
  }
  HeaderBuilder& Ints(uint32_t tag, const std::vector<uint32_t>& v) {
    while (data_.size() % 4) data_ += '\0';
    std::string data;
    for (uint32_t x : v) data += Be(x);
    return Add(tag, 4, uint32_t(v.size()), data);
  }
  std::string Blob() const {
    return Be(uint32_t(index_.size() / 16)) + Be(uint32_t(data_.size())) +
           index_ + data_;
  }

 private:
  static std::string Be(uint32_t v) {
    std::string s(4, '\0');
    for (int i = 0; i < 4; ++i) s[i] = char((v >> (24 - 8 * i)) & 0xff);
    return s;
  }
  HeaderBuilder& Add(uint32_t tag, uint32_t type, uint32_t count,
                     const std::string& data) {
    index_ += Be(tag) + Be(type) + Be(uint32_t(data_.size())) + Be(count);
    data_ += data;
    return *this;
  }
  std::string index_;
  std::string data_;
};

std::string OpensslHeader() {
  return HeaderBuilder()
      .Str(1000, "openssl-libs")
      .Str(1001, "3.0.7")
      .Str(1002, "24.el9")
      .Ints(1003, {1})
      .Str(1022, "x86_64")
      .Str(1014, "ASL 2.0")
      .Str(1044, "openssl-3.0.7-24.el9.src.rpm")
      .Strs(1049, {"glibc", "rpmlib(PayloadIsZstd)"})
      .Strs(1118, {"/usr/lib64/"})
      .Strs(1117, {"libssl.so.3", "libcrypto.so.3"})
      .Ints(1116, {0, 0})
      .Blob();
}

std::string GlibcHeader() {
  return HeaderBuilder()
      .Str(1000, "glibc")
      .Str(1001, "2.34")
      .Str(1002, "83.el9")
      .Str(1022, "x86_64")
      .Str(1044, "glibc-2.34-83.el9.src.rpm")
      .Strs(1047, {"glibc", "libc.so.6()(64bit)"})
      .Blob();
}

// An rpmdb.sqlite file with these header blobs.
std::string SqliteDb(const std::vector<std::string>& blobs) {
  t::TempDir dir;
  std::string path = dir / "rpmdb.sqlite";
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db,
               "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT,"
               " blob BLOB NOT NULL)",
               nullptr, nullptr, nullptr);
  for (const std::string& b : blobs) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO Packages (blob) VALUES (?)", -1, &st,
                       nullptr);
    sqlite3_bind_blob(st, 1, b.data(), int(b.size()), SQLITE_TRANSIENT);
    sqlite3_step(st);
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return t::ReadFile(path);
}

TEST(RpmTest, ParsesHeaderFields) {
  auto ip = ParseRpmHeader(OpensslHeader());
  ASSERT_TRUE(ip) << ip.error().message;
  EXPECT_EQ(ip->package.name, "openssl-libs");
  EXPECT_EQ(ip->package.version, "1:3.0.7-24.el9");
  EXPECT_EQ(ip->package.architecture, "x86_64");
  EXPECT_EQ(ip->package.source_name, "openssl-3.0.7-24.el9.src.rpm");
  EXPECT_EQ(ip->package.depends_on, std::vector<std::string>{"glibc"});
  EXPECT_EQ(ip->files, (std::vector<std::string>{"usr/lib64/libssl.so.3",
                                                 "usr/lib64/libcrypto.so.3"}));
}

TEST(RpmTest, RefusesDamagedHeaders) {
  std::string blob = OpensslHeader();
  EXPECT_FALSE(ParseRpmHeader(blob.substr(0, blob.size() - 3)));
  EXPECT_FALSE(ParseRpmHeader("\xff\xff\xff\xff\0\0\0\0"));
  EXPECT_FALSE(ParseRpmHeader(HeaderBuilder().Str(1001, "1").Blob()));
  // An offset past the data store yields no value, not a crash.
  std::string bad = OpensslHeader();
  bad[8 + 8] = '\x7f';  // first entry's offset
  auto ip = ParseRpmHeader(bad);
  EXPECT_FALSE(ip);
  EXPECT_FALSE(ParseRpmSqlite("not a database at all, just text........"));
}

TEST(RpmTest, CatalogsSqliteDatabaseWithLayers) {
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder()
              .File("etc/os-release", "ID=\"rhel\"\nVERSION_ID=\"9.3\"\n")
              .File("var/lib/rpm/rpmdb.sqlite", SqliteDb({GlibcHeader()})))
      .Layer(t::LayerBuilder()
                 .File("var/lib/rpm/rpmdb.sqlite",
                       SqliteDb({GlibcHeader(), OpensslHeader()}))
                 .File("usr/lib64/libssl.so.3", "ELF"));
  t::TempDir dir;
  b.WriteOciArchive(dir / "img.tar");
  auto source = OpenImage("oci-archive:" + (dir / "img.tar"), {});
  ASSERT_TRUE(source) << source.error().message;
  auto c = CatalogImage(**source, {});
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->packages.size(), 2u);
  const Package& glibc = c->packages[0];
  const Package& ssl = c->packages[1];
  EXPECT_EQ(glibc.name, "glibc");
  EXPECT_EQ(glibc.layer, 0);
  EXPECT_EQ(ssl.layer, 1);
  EXPECT_EQ(ssl.purl,
            "pkg:rpm/redhat/openssl-libs@3.0.7-24.el9?arch=x86_64&"
            "distro=rhel-9.3&epoch=1&upstream=openssl-3.0.7-24.el9.src.rpm");
  EXPECT_EQ(ssl.depends_on, std::vector<std::string>{glibc.purl});
}

}  // namespace
}  // namespace cinch
