// Maven version order, as org.apache.maven.artifact.versioning.
// ComparableVersion (Maven 3.8) defines it: the version is split into
// items at '.', at '-' (which opens a nested list) and at each change
// between digits and letters (which also opens one); trailing "null" items
// (0, "", "final", "ga", "release") are dropped from every list; numbers
// beat strings, strings compare as qualifiers (alpha < beta < milestone <
// rc = cr < snapshot < release < sp < any other word, others in lexical
// order), and a single a/b/m followed by a digit means alpha/beta/
// milestone.
#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "version/schemes.h"

namespace cinch::version_internal {
namespace {

struct Item {
  enum class Kind { kInt, kString, kList };
  Kind kind = Kind::kList;
  std::string value;  // digits without leading zeros, or a qualifier
  std::vector<std::unique_ptr<Item>> items;

  bool IsNull() const {
    switch (kind) {
      case Kind::kInt:
        return value.empty();
      case Kind::kString:
        return value.empty();
      case Kind::kList:
        return items.empty();
    }
    return false;
  }
};

std::unique_ptr<Item> IntItem(std::string_view digits) {
  while (!digits.empty() && digits.front() == '0') digits.remove_prefix(1);
  auto item = std::make_unique<Item>();
  item->kind = Item::Kind::kInt;
  item->value = std::string(digits);  // "" is zero
  return item;
}

std::unique_ptr<Item> StringItem(std::string value, bool followed_by_digit) {
  if (followed_by_digit && value.size() == 1) {
    if (value == "a") value = "alpha";
    if (value == "b") value = "beta";
    if (value == "m") value = "milestone";
  }
  if (value == "ga" || value == "final" || value == "release") value = "";
  if (value == "cr") value = "rc";
  auto item = std::make_unique<Item>();
  item->kind = Item::Kind::kString;
  item->value = std::move(value);
  return item;
}

// The rank that orders qualifiers: known ones by their position, unknown
// ones after all of them and among themselves by spelling.
std::string QualifierRank(const std::string& q) {
  static constexpr std::array<std::string_view, 7> kQualifiers = {
      "alpha", "beta", "milestone", "rc", "snapshot", "", "sp"};
  for (size_t i = 0; i < kQualifiers.size(); ++i) {
    if (q == kQualifiers[i]) return std::to_string(i);
  }
  return std::to_string(kQualifiers.size()) + "-" + q;
}

constexpr std::string_view kReleaseRank = "5";

// Drops null items from the end of a list, looking past nested lists.
void Normalize(Item& list) {
  for (size_t i = list.items.size(); i-- > 0;) {
    if (list.items[i]->IsNull()) {
      list.items.erase(list.items.begin() + i);
    } else if (list.items[i]->kind != Item::Kind::kList) {
      break;
    }
  }
}

int CompareItems(const Item* a, const Item* b);

// Compares `a` with a missing item (the shorter version's padding).
int CompareWithNothing(const Item& a) {
  switch (a.kind) {
    case Item::Kind::kInt:
      return a.value.empty() ? 0 : 1;
    case Item::Kind::kString:
      return Sign(QualifierRank(a.value).compare(kReleaseRank));
    case Item::Kind::kList:
      for (const auto& item : a.items) {
        if (int c = CompareWithNothing(*item); c != 0) return c;
      }
      return 0;
  }
  return 0;
}

int CompareItems(const Item* a, const Item* b) {
  if (a == nullptr) return b == nullptr ? 0 : -CompareWithNothing(*b);
  if (b == nullptr) return CompareWithNothing(*a);
  using K = Item::Kind;
  if (a->kind != b->kind) {
    // int > list > string
    auto rank = [](K k) { return k == K::kInt ? 2 : k == K::kList ? 1 : 0; };
    return rank(a->kind) < rank(b->kind) ? -1 : 1;
  }
  switch (a->kind) {
    case K::kInt:
      return CompareDigits(a->value, b->value);
    case K::kString:
      return Sign(QualifierRank(a->value).compare(QualifierRank(b->value)));
    case K::kList:
      for (size_t i = 0; i < a->items.size() || i < b->items.size(); ++i) {
        const Item* x = i < a->items.size() ? a->items[i].get() : nullptr;
        const Item* y = i < b->items.size() ? b->items[i].get() : nullptr;
        if (int c = CompareItems(x, y); c != 0) return c;
      }
      return 0;
  }
  return 0;
}

std::unique_ptr<Item> ParseItem(bool digits, std::string_view text) {
  if (digits) return IntItem(text);
  return StringItem(std::string(text), false);
}

Result<std::unique_ptr<Item>> ParseMaven(std::string_view text) {
  if (text.empty()) return Fail("empty Maven version");
  if (text.size() > 1024) return Fail("Maven version too long");
  std::string v(text);
  for (char& c : v) c = Lower(c);

  auto root = std::make_unique<Item>();
  std::vector<Item*> lists = {root.get()};
  Item* list = root.get();
  auto open_list = [&] {
    list->items.push_back(std::make_unique<Item>());
    list = list->items.back().get();
    lists.push_back(list);
  };
  bool digits = false;
  size_t start = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (c == '.' || c == '-') {
      if (i == start) {
        list->items.push_back(IntItem(""));
      } else {
        list->items.push_back(ParseItem(digits, v.substr(start, i - start)));
      }
      start = i + 1;
      if (c == '-') open_list();
    } else if (IsDigit(c)) {
      if (!digits && i > start) {
        list->items.push_back(StringItem(v.substr(start, i - start), true));
        start = i;
        open_list();
      }
      digits = true;
    } else {
      if (digits && i > start) {
        list->items.push_back(ParseItem(true, v.substr(start, i - start)));
        start = i;
        open_list();
      }
      digits = false;
    }
  }
  if (v.size() > start)
    list->items.push_back(ParseItem(digits, v.substr(start)));

  // Innermost lists first, so that an emptied list counts as null.
  for (size_t i = lists.size(); i-- > 0;) Normalize(*lists[i]);
  return root;
}

}  // namespace

Result<int> CompareMaven(std::string_view a, std::string_view b) {
  CINCH_ASSIGN(std::unique_ptr<Item> va, ParseMaven(a));
  CINCH_ASSIGN(std::unique_ptr<Item> vb, ParseMaven(b));
  return CompareItems(va.get(), vb.get());
}

}  // namespace cinch::version_internal
