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

std::string Le(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[i] = char((v >> (8 * i)) & 0xff);
  return s;
}

// An ndb Packages.db laid out as rpm's lib/backend/ndb/rpmpkg.c writes
// it: a 32-byte file header and 16-byte slots filling one 4096-byte slot
// page, then each blob (head, header blob, tail) padded to 16-byte blocks.
// Slot 1 is left free to check that free slots are skipped.
std::string NdbDb(const std::vector<std::string>& blobs) {
  constexpr size_t kPage = 4096;
  std::string file = "RpmP" + Le(0) + Le(7) + Le(1) + std::string(16, '\0');
  std::string data;
  std::vector<std::string> slots;
  for (size_t i = 0; i < blobs.size(); ++i) {
    uint32_t index = uint32_t(i + 1);
    std::string blob =
        "BlbS" + Le(index) + Le(7) + Le(uint32_t(blobs[i].size())) + blobs[i];
    blob += Le(0) + Le(uint32_t(blobs[i].size())) + "BlbE";
    while (blob.size() % 16) blob += '\0';
    uint32_t offset = uint32_t((kPage + data.size()) / 16);
    slots.push_back("Slot" + Le(index) + Le(offset) +
                    Le(uint32_t(blob.size() / 16)));
    if (i == 0) slots.push_back("Slot" + Le(0) + Le(0) + Le(0));
    data += blob;
  }
  for (const std::string& slot : slots) file += slot;
  while (file.size() < kPage) file += "Slot" + std::string(12, '\0');
  return file + data;
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

TEST(RpmTest, ReadsNdbDatabaseAndSkipsDamagedBlobs) {
  auto db = ParseRpmNdb(NdbDb({GlibcHeader(), OpensslHeader()}));
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_TRUE(db->problems.empty());
  ASSERT_EQ(db->packages.size(), 2u);
  EXPECT_EQ(db->packages[0].package.name, "glibc");
  EXPECT_EQ(db->packages[1].package.version, "1:3.0.7-24.el9");
  EXPECT_EQ(db->packages[1].files.size(), 2u);

  // A blob head with the wrong magic is skipped and reported; the other
  // package is still read.
  std::string file = NdbDb({GlibcHeader(), OpensslHeader()});
  file[4096] = 'X';
  db = ParseRpmNdb(file);
  ASSERT_TRUE(db) << db.error().message;
  ASSERT_EQ(db->packages.size(), 1u);
  EXPECT_EQ(db->packages[0].package.name, "openssl-libs");
  ASSERT_EQ(db->problems.size(), 1u);
  EXPECT_NE(db->problems[0].find("offset 4096"), std::string::npos)
      << db->problems[0];

  // A blob that runs past the end of the file.
  file = NdbDb({GlibcHeader()});
  db = ParseRpmNdb(file.substr(0, file.size() - 20));
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_TRUE(db->packages.empty());
  EXPECT_EQ(db->problems.size(), 1u);

  // A blob whose declared length is larger than its blocks.
  file = NdbDb({GlibcHeader()});
  file.replace(4096 + 12, 4, Le(1 << 20));
  db = ParseRpmNdb(file);
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_EQ(db->problems.size(), 1u);
}

TEST(RpmTest, RefusesDamagedNdbFiles) {
  std::string good = NdbDb({GlibcHeader()});
  EXPECT_FALSE(ParseRpmNdb(""));
  EXPECT_FALSE(ParseRpmNdb("RpmP"));
  EXPECT_FALSE(ParseRpmNdb("XpmP" + good.substr(4)));
  std::string version = good;
  version.replace(4, 4, Le(3));
  EXPECT_FALSE(ParseRpmNdb(version));
  // More slot pages than the file holds.
  std::string pages = good;
  pages.replace(12, 4, Le(1000));
  EXPECT_FALSE(ParseRpmNdb(pages));
  std::string slot = good;
  slot[32 + 16] = 'x';  // second slot's magic
  EXPECT_FALSE(ParseRpmNdb(slot));
  EXPECT_FALSE(ParseRpmNdb(good.substr(0, 1000)));
}

TEST(RpmTest, CatalogsSuseNdbDatabase) {
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder()
              .File("etc/os-release",
                    "NAME=\"openSUSE Leap\"\nID=\"opensuse-leap\"\n"
                    "VERSION_ID=\"15.5\"\n")
              .File("usr/lib/sysimage/rpm/Packages.db", NdbDb({GlibcHeader()})))
      .Layer(t::LayerBuilder()
                 .File("usr/lib/sysimage/rpm/Packages.db",
                       NdbDb({GlibcHeader(), OpensslHeader()}))
                 .File("usr/lib64/libssl.so.3", "ELF"));
  t::TempDir dir;
  b.WriteOciArchive(dir / "img.tar");
  auto source = OpenImage("oci-archive:" + (dir / "img.tar"), {});
  ASSERT_TRUE(source) << source.error().message;
  auto c = CatalogImage(**source, {});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(c->problems.empty());
  ASSERT_EQ(c->packages.size(), 2u);
  EXPECT_EQ(c->packages[0].name, "glibc");
  EXPECT_EQ(c->packages[0].layer, 0);
  EXPECT_EQ(c->packages[1].layer, 1);
  EXPECT_EQ(c->packages[1].found_by, "rpm");
  EXPECT_EQ(c->packages[1].locations,
            std::vector<std::string>{"/usr/lib/sysimage/rpm/Packages.db"});
  EXPECT_EQ(c->packages[1].purl,
            "pkg:rpm/opensuse-leap/openssl-libs@3.0.7-24.el9?arch=x86_64&"
            "distro=opensuse-leap-15.5&epoch=1&"
            "upstream=openssl-3.0.7-24.el9.src.rpm");
}

}  // namespace
}  // namespace cinch
