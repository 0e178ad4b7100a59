#include "match/match.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <numeric>
#include <set>

namespace cinch {
namespace {

// ---- One affected entry ----------------------------------------------------

int KindOrder(RangeEvent::Kind kind) {
  // At equal versions: a range that opens and closes at the same version
  // covers nothing, so `introduced` is applied before `fixed`.
  switch (kind) {
    case RangeEvent::Kind::kIntroduced:
      return 0;
    case RangeEvent::Kind::kLastAffected:
      return 1;
    case RangeEvent::Kind::kFixed:
      return 2;
    case RangeEvent::Kind::kLimit:
      return 3;
  }
  return 0;
}

// Compares event versions, with introduced "0" below everything.
Result<int> CompareEvent(VersionScheme scheme, const RangeEvent& a,
                         const RangeEvent& b) {
  bool a_zero = a.kind == RangeEvent::Kind::kIntroduced && a.version == "0";
  bool b_zero = b.kind == RangeEvent::Kind::kIntroduced && b.version == "0";
  if (a_zero || b_zero) return int(b_zero) - int(a_zero);
  CINCH_ASSIGN(int c, CompareVersions(scheme, a.version, b.version));
  if (c != 0) return c;
  return KindOrder(a.kind) - KindOrder(b.kind);
}

// Evaluates one range: whether `version` is inside, and the first fix
// above it.
Status EvaluateRange(const AffectedRange& range, std::string_view version,
                     VersionScheme scheme, AffectedVerdict& out) {
  std::vector<RangeEvent> events;
  std::vector<std::string> limits;
  for (const RangeEvent& e : range.events) {
    if (e.kind == RangeEvent::Kind::kLimit) {
      limits.push_back(e.version);
    } else {
      events.push_back(e);
    }
  }
  // Insertion sort: comparisons can fail, so std::sort cannot be used, and
  // ranges hold a handful of events.
  for (size_t i = 1; i < events.size(); ++i) {
    for (size_t j = i; j > 0; --j) {
      CINCH_ASSIGN(int c, CompareEvent(scheme, events[j - 1], events[j]));
      if (c <= 0) break;
      std::swap(events[j - 1], events[j]);
    }
  }

  // Some records list overlapping introduced/fixed pairs in one range,
  // which the schema forbids and sorting turns into nonsense. The pairs
  // as written are checked as well, so that such a record still reports
  // the versions it meant.
  bool affected = false;
  if (events.size() % 2 == 0) {
    for (size_t i = 0; i + 1 < range.events.size() && !affected; i += 2) {
      const RangeEvent& from = range.events[i];
      const RangeEvent& to = range.events[i + 1];
      if (from.kind != RangeEvent::Kind::kIntroduced ||
          to.kind == RangeEvent::Kind::kIntroduced ||
          to.kind == RangeEvent::Kind::kLimit) {
        break;
      }
      int lo = 1;
      if (from.version != "0") {
        CINCH_ASSIGN(lo, CompareVersions(scheme, version, from.version));
      }
      CINCH_ASSIGN(int hi, CompareVersions(scheme, version, to.version));
      bool inside =
          lo >= 0 && (to.kind == RangeEvent::Kind::kFixed ? hi < 0 : hi <= 0);
      affected = inside;
    }
  }
  bool by_pairs = affected;
  affected = false;
  for (const RangeEvent& e : events) {
    if (e.kind == RangeEvent::Kind::kIntroduced) {
      if (e.version == "0") {
        affected = true;
        continue;
      }
      CINCH_ASSIGN(int c, CompareVersions(scheme, version, e.version));
      if (c >= 0) affected = true;
    } else if (e.kind == RangeEvent::Kind::kFixed) {
      CINCH_ASSIGN(int c, CompareVersions(scheme, version, e.version));
      if (c >= 0) affected = false;
    } else {
      CINCH_ASSIGN(int c, CompareVersions(scheme, version, e.version));
      if (c > 0) affected = false;
    }
  }
  affected = affected || by_pairs;
  if (affected && !limits.empty()) {
    bool below = false;
    for (const std::string& limit : limits) {
      if (limit == "*") {
        below = true;
        continue;
      }
      CINCH_ASSIGN(int c, CompareVersions(scheme, version, limit));
      below = below || c < 0;
    }
    affected = below;
  }
  if (!affected) return {};

  out.affected = true;
  // The fix for this version: the lowest fixed event above it.
  for (const RangeEvent& e : events) {
    if (e.kind != RangeEvent::Kind::kFixed) continue;
    CINCH_ASSIGN(int c, CompareVersions(scheme, e.version, version));
    if (c <= 0) continue;
    if (out.fixed.empty()) {
      out.fixed = e.version;
    } else {
      CINCH_ASSIGN(int d, CompareVersions(scheme, e.version, out.fixed));
      if (d < 0) out.fixed = e.version;
    }
  }
  return {};
}

}  // namespace

AffectedVerdict EvaluateAffected(const Affected& entry,
                                 std::string_view version,
                                 std::optional<VersionScheme> scheme) {
  AffectedVerdict out;
  for (const std::string& v : entry.versions) {
    if (v == version) out.affected = true;
  }
  for (const AffectedRange& range : entry.ranges) {
    std::optional<VersionScheme> s;
    if (range.type == RangeType::kEcosystem) {
      s = scheme;
    } else if (range.type == RangeType::kSemver) {
      // Go's SEMVER ranges omit the 'v' that Go versions carry.
      s = scheme == VersionScheme::kGo ? VersionScheme::kGo
                                       : VersionScheme::kSemver;
    }
    if (!s) continue;
    AffectedVerdict r;
    if (auto ok = EvaluateRange(range, version, *s, r); !ok) {
      out.problems.push_back(ok.error().message);
      continue;
    }
    if (!r.affected) continue;
    out.affected = true;
    if (!r.fixed.empty() && out.fixed.empty()) out.fixed = r.fixed;
  }
  return out;
}

std::vector<std::string> DistroEcosystems(const Distro& distro) {
  const std::string& v = distro.version_id;
  if (v.empty()) return {};
  auto major = [&] { return v.substr(0, v.find('.')); };
  auto major_minor = [&] {
    size_t dot = v.find('.');
    if (dot == std::string::npos) return v;
    return v.substr(0, v.find('.', dot + 1));
  };
  if (distro.id == "debian") return {"Debian:" + major()};
  if (distro.id == "ubuntu") {
    return {"Ubuntu:" + major_minor(), "Ubuntu:" + major_minor() + ":LTS"};
  }
  if (distro.id == "alpine") return {"Alpine:v" + major_minor()};
  if (distro.id == "rocky") return {"Rocky Linux:" + major()};
  if (distro.id == "almalinux") return {"AlmaLinux:" + major()};
  return {};
}

namespace {

// ---- Which advisories a package is looked up under -------------------------

struct Query {
  std::string ecosystem;
  std::string name;
  std::string version;
  std::optional<VersionScheme> scheme;
  bool os = false;
};

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int v = 0;
      if (std::sscanf(std::string(s.substr(i + 1, 2)).c_str(), "%2x", &v) ==
          1) {
        out += char(v);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// The namespace of a purl ("pkg:maven/org.apache/commons@1" ->
// "org.apache"), decoded; empty when it has none.
std::string PurlNamespace(std::string_view purl) {
  if (!purl.starts_with("pkg:")) return "";
  purl.remove_prefix(4);
  purl = purl.substr(0, purl.find_first_of("@?#"));
  size_t type_end = purl.find('/');
  if (type_end == std::string_view::npos) return "";
  purl.remove_prefix(type_end + 1);
  size_t last = purl.rfind('/');
  if (last == std::string_view::npos) return "";
  return PercentDecode(purl.substr(0, last));
}

std::optional<std::string_view> LanguageEcosystem(PackageType type) {
  switch (type) {
    case PackageType::kPypi:
      return "PyPI";
    case PackageType::kNpm:
      return "npm";
    case PackageType::kGolang:
      return "Go";
    case PackageType::kMaven:
      return "Maven";
    case PackageType::kCargo:
      return "crates.io";
    case PackageType::kGem:
      return "RubyGems";
    case PackageType::kComposer:
      return "Packagist";
    case PackageType::kNuget:
      return "NuGet";
    default:
      return std::nullopt;
  }
}

std::string LanguageName(const Package& p) {
  std::string ns = PurlNamespace(p.purl);
  if (p.type == PackageType::kMaven && p.name.find(':') == std::string::npos &&
      !ns.empty()) {
    return ns + ":" + p.name;
  }
  if ((p.type == PackageType::kNpm || p.type == PackageType::kComposer) &&
      p.name.find('/') == std::string::npos && !ns.empty()) {
    return ns + "/" + p.name;
  }
  return p.name;
}

bool IsOsPackage(PackageType t) {
  return t == PackageType::kDeb || t == PackageType::kApk ||
         t == PackageType::kRpm;
}

std::vector<Query> QueriesFor(const Package& p,
                              const std::vector<std::string>& distro) {
  std::vector<Query> out;
  if (IsOsPackage(p.type)) {
    std::string name = p.source_name.empty() ? p.name : p.source_name;
    std::string version =
        p.source_version.empty() ? p.version : p.source_version;
    for (const std::string& eco : distro) {
      out.push_back({eco, name, version, SchemeForEcosystem(eco), true});
    }
    return out;
  }
  auto eco = LanguageEcosystem(p.type);
  if (!eco) return out;
  std::string version = p.version;
  // Go's toolchain reports itself as "go1.21.5"; advisories say "1.21.5".
  if (p.type == PackageType::kGolang && p.name == "stdlib" &&
      version.starts_with("go")) {
    version = version.substr(2);
  }
  out.push_back({std::string(*eco), LanguageName(p), version,
                 SchemeForEcosystem(*eco), false});
  return out;
}

// ---- Merging the records of one vulnerability ------------------------------

struct Hit {
  const Advisory* advisory;
  const Affected* entry;
  const Query* query;
  std::string fixed;
};

// Names under which a record is known: its id, its aliases, and its
// upstream when that names a single vulnerability (a DLA listing several
// CVEs is not the same as any one of them).
std::vector<std::string> Identities(const Advisory& a) {
  std::vector<std::string> out = {a.id};
  out.insert(out.end(), a.aliases.begin(), a.aliases.end());
  std::set<std::string> cves;
  for (const std::string& u : a.upstream) {
    size_t at = u.find("CVE-");
    cves.insert(at == std::string::npos ? u : u.substr(at));
  }
  if (cves.size() == 1) {
    out.insert(out.end(), a.upstream.begin(), a.upstream.end());
  }
  return out;
}

class UnionFind {
 public:
  explicit UnionFind(size_t n) : parent_(n) {
    std::iota(parent_.begin(), parent_.end(), 0);
  }
  size_t Find(size_t x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  void Join(size_t a, size_t b) { parent_[Find(a)] = Find(b); }

 private:
  std::vector<size_t> parent_;
};

int IdRank(std::string_view id) {
  if (id.starts_with("CVE-")) return 0;
  if (id.starts_with("GHSA-")) return 1;
  return 2;
}

void ScoreSeverity(const std::vector<const Hit*>& hits, VulnFinding& f) {
  VulnSeverity distro = VulnSeverity::kUnknown;
  VulnSeverity database = VulnSeverity::kUnknown;
  std::optional<CvssScore> best;
  auto consider_cvss = [&](const SeverityScore& s) {
    if (s.type != "CVSS_V3" && s.type != "CVSS_V4") return;
    auto score = ScoreCvss(s.score);
    if (!score) return;
    if (!best || score->major > best->major ||
        (score->major == best->major && score->base > best->base)) {
      best = *score;
    }
  };
  for (const Hit* h : hits) {
    for (const SeverityScore& s : h->advisory->severity) consider_cvss(s);
    for (const SeverityScore& s : h->entry->severity) {
      consider_cvss(s);
      if (h->query->os && s.type != "CVSS_V2" && s.type != "CVSS_V3" &&
          s.type != "CVSS_V4") {
        distro = std::max(distro, ParseVulnSeverity(s.score).value_or(
                                      VulnSeverity::kUnknown));
      }
    }
    if (h->query->os && !h->entry->distro_severity.empty()) {
      distro = std::max(distro, ParseVulnSeverity(h->entry->distro_severity)
                                    .value_or(VulnSeverity::kUnknown));
    }
    if (!h->advisory->database_severity.empty()) {
      database =
          std::max(database, ParseVulnSeverity(h->advisory->database_severity)
                                 .value_or(VulnSeverity::kUnknown));
    }
  }
  if (best) {
    f.cvss_score = best->base;
    f.cvss_vector = best->vector;
  }
  if (distro != VulnSeverity::kUnknown) {
    f.severity = distro;
    f.severity_source = "distro";
  } else if (best) {
    f.severity = VulnSeverityFromScore(best->base);
    f.severity_source = best->major == 4 ? "CVSS:4.0" : "CVSS:3";
  } else if (database != VulnSeverity::kUnknown) {
    f.severity = database;
    f.severity_source = "advisory";
  }
}

VulnFinding MergeGroup(size_t package_index,
                       const std::vector<const Hit*>& hits) {
  VulnFinding f;
  f.package_index = package_index;
  const Query& q = *hits.front()->query;
  f.ecosystem = q.ecosystem;
  f.matched_name = q.name;
  f.matched_version = q.version;

  std::set<std::string> names;
  std::set<std::string> records;
  for (const Hit* h : hits) {
    records.insert(h->advisory->id);
    for (std::string& n : Identities(*h->advisory)) names.insert(std::move(n));
  }
  f.id = *std::min_element(names.begin(), names.end(),
                           [](const std::string& a, const std::string& b) {
                             int ra = IdRank(a), rb = IdRank(b);
                             return ra != rb ? ra < rb : a < b;
                           });
  for (const std::string& n : names) {
    if (n != f.id) f.aliases.push_back(n);
  }
  f.advisory_ids.assign(records.begin(), records.end());

  // Records may disagree on the fix; the highest one fixes all of them.
  for (const Hit* h : hits) {
    if (h->fixed.empty()) continue;
    if (f.fixed_version.empty() || !q.scheme) {
      if (f.fixed_version.empty()) f.fixed_version = h->fixed;
      continue;
    }
    auto c = CompareVersions(*q.scheme, h->fixed, f.fixed_version);
    if (c && *c > 0) f.fixed_version = h->fixed;
  }

  std::set<std::string> refs;
  for (const Hit* h : hits) {
    if (f.summary.empty()) f.summary = h->advisory->summary;
    for (const std::string& r : h->advisory->references) {
      if (refs.size() < 10 && refs.insert(r).second) f.references.push_back(r);
    }
  }
  if (f.summary.empty()) {
    for (const Hit* h : hits) {
      std::string_view d = h->advisory->details;
      d = d.substr(0, d.find('\n'));
      if (!d.empty()) {
        f.summary = std::string(d.substr(0, 200));
        break;
      }
    }
  }
  ScoreSeverity(hits, f);
  return f;
}

// The whole record of candidate `c`, from `records` or else from `source`
// (and then kept in `records`).
Result<const Advisory*> RecordFor(
    const AdvisorySource& source, const AffectedCandidate& c,
    std::map<std::string, Advisory, std::less<>>& records) {
  auto it = records.find(c.advisory_id);
  if (it == records.end()) {
    CINCH_ASSIGN(Advisory a, source.record(c.advisory_id));
    it = records.emplace(c.advisory_id, std::move(a)).first;
  }
  if (c.entry_index >= it->second.affected.size()) {
    return Fail(
        "advisory {}: affected entry {} is not in the record; import the "
        "database again",
        c.advisory_id, c.entry_index);
  }
  return &it->second;
}

std::vector<VulnFinding> MergeHits(size_t package_index,
                                   const std::vector<Hit>& hits) {
  // Join hits that share any name.
  UnionFind groups(hits.size());
  std::map<std::string, size_t> owner;
  for (size_t i = 0; i < hits.size(); ++i) {
    for (const std::string& n : Identities(*hits[i].advisory)) {
      auto [it, added] = owner.emplace(n, i);
      if (!added) groups.Join(i, it->second);
    }
  }
  std::map<size_t, std::vector<const Hit*>> by_group;
  for (size_t i = 0; i < hits.size(); ++i) {
    by_group[groups.Find(i)].push_back(&hits[i]);
  }
  std::vector<VulnFinding> out;
  for (const auto& [root, members] : by_group) {
    out.push_back(MergeGroup(package_index, members));
  }
  return out;
}

}  // namespace

Result<MatchResult> MatchPackages(const Distro& distro,
                                  const std::vector<Package>& packages,
                                  const AdvisorySource& source) {
  MatchResult result;
  std::vector<std::string> distro_ecosystems = DistroEcosystems(distro);
  std::set<std::string> purls;
  for (const Package& p : packages) purls.insert(p.purl);

  bool os_unmatched = false;
  for (size_t i = 0; i < packages.size(); ++i) {
    const Package& p = packages[i];
    if (!p.owned_by.empty()) {
      // Covered by the owning OS package's advisories.
      if (!purls.contains(p.owned_by)) {
        result.notes.push_back(fmt::format(
            "{} {}: owned by {}, which is not among the packages; not "
            "matched",
            p.name, p.version, p.owned_by));
      }
      continue;
    }
    std::vector<Query> queries = QueriesFor(p, distro_ecosystems);
    if (queries.empty()) {
      os_unmatched = os_unmatched || IsOsPackage(p.type);
      continue;
    }
    ++result.packages_matched;

    // Records that affect this package, read whole once each.
    std::map<std::string, Advisory, std::less<>> records;
    std::vector<Hit> hits;
    for (const Query& q : queries) {
      CINCH_ASSIGN(std::vector<AffectedCandidate> candidates,
                   source.affected(q.ecosystem, q.name));
      for (const AffectedCandidate& c : candidates) {
        AffectedVerdict v = EvaluateAffected(c.entry, q.version, q.scheme);
        for (const std::string& problem : v.problems) {
          result.notes.push_back(fmt::format("{} {} in {}: {}: {}", p.name,
                                             q.version, q.ecosystem,
                                             c.advisory_id, problem));
        }
        if (!v.affected) continue;
        CINCH_ASSIGN(const Advisory* a, RecordFor(source, c, records));
        hits.push_back({a, &a->affected[c.entry_index], &q, v.fixed});
      }
    }
    for (VulnFinding& f : MergeHits(i, hits)) {
      result.findings.push_back(std::move(f));
    }
  }
  if (os_unmatched) {
    result.notes.push_back(fmt::format(
        "OS packages not matched: no advisories are known for distro '{}' "
        "release '{}'",
        distro.id.empty() ? "unknown" : distro.id, distro.version_id));
  }
  std::stable_sort(result.findings.begin(), result.findings.end(),
                   [](const VulnFinding& a, const VulnFinding& b) {
                     if (a.package_index != b.package_index) {
                       return a.package_index < b.package_index;
                     }
                     if (a.severity != b.severity) {
                       return a.severity > b.severity;
                     }
                     return a.id < b.id;
                   });
  return result;
}

Result<MatchResult> MatchPackages(const Distro& distro,
                                  const std::vector<Package>& packages,
                                  const AdvisoryLookup& lookup) {
  // The records of the last lookup, for the second step, which always
  // follows the first step's lookup directly.
  std::map<std::string, Advisory, std::less<>> found;
  AdvisorySource source;
  source.affected =
      [&](std::string_view ecosystem,
          std::string_view name) -> Result<std::vector<AffectedCandidate>> {
    CINCH_ASSIGN(std::vector<Advisory> advisories, lookup(ecosystem, name));
    std::string wanted = NormalizePackageName(ecosystem, name);
    std::vector<AffectedCandidate> out;
    found.clear();
    for (Advisory& a : advisories) {
      if (!a.withdrawn.empty()) continue;
      for (size_t i = 0; i < a.affected.size(); ++i) {
        const Affected& entry = a.affected[i];
        if (entry.ecosystem != ecosystem ||
            NormalizePackageName(entry.ecosystem, entry.name) != wanted) {
          continue;
        }
        out.push_back({a.id, i, entry});
      }
      found.insert_or_assign(a.id, std::move(a));
    }
    return out;
  };
  source.record = [&](std::string_view id) -> Result<Advisory> {
    auto it = found.find(id);
    if (it == found.end()) return Fail("advisory {} was not looked up", id);
    return it->second;
  };
  return MatchPackages(distro, packages, source);
}

}  // namespace cinch
