#include "tree/file_tree.h"

#include <gtest/gtest.h>

#include "walk/entry_reader.h"

namespace cinch {
namespace {

Entry File(std::string path, uint64_t size) {
  Entry e;
  e.path = std::move(path);
  e.size = size;
  EXPECT_TRUE(CheckEntry(e));
  return e;
}
Entry Dir(std::string path) {
  Entry e;
  e.path = std::move(path);
  e.type = EntryType::kDirectory;
  EXPECT_TRUE(CheckEntry(e));
  return e;
}
Entry Marker(std::string path) {  // a whiteout file
  return File(std::move(path), 0);
}

const FileNode& Node(const FileTree& t, const std::string& path) {
  static const FileNode kMissing;
  auto it = t.nodes().find(path);
  return it == t.nodes().end() ? kMissing : it->second;
}
bool Visible(const FileTree& t, const std::string& path) {
  auto it = t.nodes().find(path);
  return it != t.nodes().end() && it->second.visible();
}

TEST(FileTreeTest, OverwriteHidesLowerBytesAsWaste) {
  FileTree t(2);
  t.ApplyLayer(0, std::vector{Dir("app"), File("app/bin", 100)});
  t.ApplyLayer(1, std::vector{File("app/bin", 30)});
  EXPECT_TRUE(Visible(t, "app/bin"));
  EXPECT_EQ(Node(t, "app/bin").added_layer, 0);
  EXPECT_EQ(Node(t, "app/bin").modified_layer, 1);
  EXPECT_EQ(t.layers()[0].wasted_bytes, 100u);
  EXPECT_EQ(t.layers()[1].wasted_bytes, 0u);
  EXPECT_EQ(t.layers()[1].changed, 1u);
  EXPECT_EQ(t.total_file_bytes(), 130u);
  EXPECT_DOUBLE_EQ(t.efficiency(), 30.0 / 130.0);
  EXPECT_EQ(t.waste().at("app/bin").versions, 1);
}

TEST(FileTreeTest, WhiteoutDeletesPathAndSubtree) {
  FileTree t(2);
  t.ApplyLayer(0, std::vector{Dir("a"), File("a/x", 10), Dir("a/b"),
                              File("a/b/y", 20), File("ab", 5)});
  t.ApplyLayer(1, std::vector{Marker(".wh.a")});
  EXPECT_FALSE(Visible(t, "a"));
  EXPECT_FALSE(Visible(t, "a/x"));
  EXPECT_FALSE(Visible(t, "a/b/y"));
  EXPECT_TRUE(Visible(t, "ab"));  // a sibling sharing the prefix survives
  EXPECT_EQ(Node(t, "a/x").deleted_layer, 1);
  EXPECT_EQ(t.layers()[1].removed, 4u);
  EXPECT_EQ(t.layers()[0].wasted_bytes, 30u);
}

TEST(FileTreeTest, OpaqueDirectoryHidesOnlyLowerLayers) {
  FileTree t(2);
  t.ApplyLayer(0, std::vector{Dir("d"), File("d/old", 7), File("e", 1)});
  // The marker comes after a new child in the same layer: order inside a
  // layer must not matter.
  t.ApplyLayer(
      1, std::vector{Dir("d"), File("d/new", 3), Marker("d/.wh..wh..opq")});
  EXPECT_TRUE(Visible(t, "d"));
  EXPECT_TRUE(Visible(t, "d/new"));
  EXPECT_FALSE(Visible(t, "d/old"));
  EXPECT_TRUE(Visible(t, "e"));
  EXPECT_EQ(t.layers()[1].removed, 1u);
  EXPECT_EQ(t.layers()[1].changed, 0u);  // "d" restated as a directory
}

TEST(FileTreeTest, WhiteoutInSameLayerAsRecreationKeepsNewVersion) {
  FileTree t(2);
  t.ApplyLayer(0, std::vector{Dir("c"), File("c/lower", 4)});
  t.ApplyLayer(1, std::vector{Dir("c"), File("c/upper", 2), Marker(".wh.c")});
  EXPECT_TRUE(Visible(t, "c"));
  EXPECT_TRUE(Visible(t, "c/upper"));
  EXPECT_FALSE(Visible(t, "c/lower"));
}

TEST(FileTreeTest, DirectoryReplacedByFileDropsChildren) {
  FileTree t(2);
  t.ApplyLayer(0, std::vector{Dir("x"), File("x/child", 9)});
  t.ApplyLayer(1, std::vector{File("x", 1)});
  EXPECT_TRUE(Visible(t, "x"));
  EXPECT_EQ(Node(t, "x").type, EntryType::kRegular);
  EXPECT_FALSE(Visible(t, "x/child"));
  EXPECT_EQ(t.layers()[0].wasted_bytes, 9u);
}

TEST(FileTreeTest, DeletedThenRecreatedCountsAsAdded) {
  FileTree t(3);
  t.ApplyLayer(0, std::vector{File("f", 10)});
  t.ApplyLayer(1, std::vector{Marker(".wh.f")});
  t.ApplyLayer(2, std::vector{File("f", 10)});
  EXPECT_TRUE(Visible(t, "f"));
  EXPECT_EQ(Node(t, "f").added_layer, 2);
  EXPECT_EQ(t.layers()[2].added, 1u);
  EXPECT_EQ(t.layers()[1].removed, 1u);
  EXPECT_EQ(t.wasted_bytes(), 10u);
}

TEST(FileTreeTest, WhiteoutOfMissingPathIsHarmless) {
  FileTree t(2);
  t.ApplyLayer(0, std::vector{File("a", 1)});
  t.ApplyLayer(1, std::vector{Marker(".wh.nothing")});
  EXPECT_EQ(t.layers()[1].removed, 0u);
  EXPECT_EQ(t.wasted_bytes(), 0u);
}

TEST(FileTreeTest, EmptyImageIsFullyEfficient) {
  FileTree t(0);
  EXPECT_DOUBLE_EQ(t.efficiency(), 1.0);
}

}  // namespace
}  // namespace cinch
