#include "advisory/osv.h"

#include <map>
#include <utility>

#include "version/version.h"

namespace cinch {
namespace {

// Informative string fields are read leniently: a value of another type is
// ignored rather than failing the record.
std::string StringOr(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

Result<std::vector<SeverityScore>> ParseSeverity(const Json& obj) {
  std::vector<SeverityScore> out;
  CINCH_ASSIGN(const Json* list, GetArray(obj, "severity"));
  if (list == nullptr) return out;
  for (const Json& s : *list) {
    if (!s.is_object()) return Fail("severity entries must be objects");
    SeverityScore score;
    CINCH_ASSIGN(score.type, GetString(s, "type"));
    CINCH_ASSIGN(score.score, GetString(s, "score"));
    out.push_back(std::move(score));
  }
  return out;
}

Result<RangeType> ParseRangeType(std::string_view type) {
  if (type == "ECOSYSTEM") return RangeType::kEcosystem;
  if (type == "SEMVER") return RangeType::kSemver;
  if (type == "GIT") return RangeType::kGit;
  return RangeType::kOther;
}

Result<AffectedRange> ParseRange(const Json& r) {
  if (!r.is_object()) return Fail("ranges entries must be objects");
  AffectedRange range;
  CINCH_ASSIGN(std::string type, GetString(r, "type"));
  CINCH_ASSIGN(range.type, ParseRangeType(type));
  CINCH_ASSIGN(const Json* events, GetArray(r, "events"));
  if (events == nullptr) return range;
  static constexpr std::pair<std::string_view, RangeEvent::Kind> kKinds[] = {
      {"introduced", RangeEvent::Kind::kIntroduced},
      {"fixed", RangeEvent::Kind::kFixed},
      {"last_affected", RangeEvent::Kind::kLastAffected},
      {"limit", RangeEvent::Kind::kLimit},
  };
  for (const Json& e : *events) {
    if (!e.is_object()) return Fail("events must be objects");
    bool found = false;
    for (const auto& [key, kind] : kKinds) {
      CINCH_ASSIGN(std::optional<std::string> v, GetOptionalString(e, key));
      if (!v) continue;
      if (v->empty()) return Fail("event '{}' has an empty version", key);
      range.events.push_back({kind, std::move(*v)});
      found = true;
    }
    if (!found) return Fail("an event names no version");
  }
  return range;
}

Result<Affected> ParseAffected(const Json& a) {
  if (!a.is_object()) return Fail("affected entries must be objects");
  Affected out;
  CINCH_ASSIGN(const Json* package, GetObject(a, "package"));
  if (package != nullptr) {
    CINCH_ASSIGN(out.ecosystem, GetString(*package, "ecosystem"));
    CINCH_ASSIGN(out.name, GetString(*package, "name"));
    CINCH_ASSIGN(out.purl, GetString(*package, "purl"));
  }
  CINCH_ASSIGN(const Json* ranges, GetArray(a, "ranges"));
  if (ranges != nullptr) {
    for (const Json& r : *ranges) {
      CINCH_ASSIGN(AffectedRange range, ParseRange(r));
      out.ranges.push_back(std::move(range));
    }
  }
  CINCH_ASSIGN(out.versions, GetStringArray(a, "versions"));
  CINCH_ASSIGN(out.severity, ParseSeverity(a));
  for (const char* where : {"ecosystem_specific", "database_specific"}) {
    auto it = a.find(where);
    if (it == a.end()) continue;
    for (const char* key : {"severity", "urgency"}) {
      std::string s = StringOr(*it, key);
      if (!s.empty() && out.distro_severity.empty()) out.distro_severity = s;
    }
  }
  return out;
}

}  // namespace

const char* RangeEventKey(RangeEvent::Kind kind) {
  switch (kind) {
    case RangeEvent::Kind::kIntroduced:
      return "introduced";
    case RangeEvent::Kind::kFixed:
      return "fixed";
    case RangeEvent::Kind::kLastAffected:
      return "last_affected";
    case RangeEvent::Kind::kLimit:
      return "limit";
  }
  return "introduced";
}

const char* RangeTypeName(RangeType type) {
  switch (type) {
    case RangeType::kEcosystem:
      return "ECOSYSTEM";
    case RangeType::kSemver:
      return "SEMVER";
    case RangeType::kGit:
      return "GIT";
    case RangeType::kOther:
      return "UNKNOWN";
  }
  return "UNKNOWN";
}

std::string AffectedRangesJson(const Affected& entry) {
  // GIT and unknown ranges are never evaluated (see EvaluateAffected), and
  // their commit hashes would only make the rows larger.
  Json ranges = Json::array();
  for (const AffectedRange& r : entry.ranges) {
    if (r.type != RangeType::kEcosystem && r.type != RangeType::kSemver) {
      continue;
    }
    Json events = Json::array();
    for (const RangeEvent& e : r.events) {
      events.push_back({{RangeEventKey(e.kind), e.version}});
    }
    ranges.push_back({{"type", RangeTypeName(r.type)}, {"events", events}});
  }
  Json out = Json::object();
  if (!ranges.empty()) out["ranges"] = std::move(ranges);
  if (!entry.versions.empty()) out["versions"] = entry.versions;
  return out.dump();
}

Result<Affected> ParseAffectedRanges(std::string_view text,
                                     std::string_view what) {
  CINCH_ASSIGN(Json doc, ParseJson(text, what));
  auto entry = ParseAffected(doc);
  if (!entry) return Fail(entry.error().In(what));
  return entry;
}

Result<Advisory> ParseOsv(const Json& record, std::string_view what) {
  auto in = [&](Error e) { return Fail(e.In(what)); };
  if (!record.is_object())
    return Fail("{}: an OSV record must be an object", what);
  Advisory out;
  auto id = GetString(record, "id");
  if (!id) return in(id.error());
  if (id->empty()) return Fail("{}: the record has no id", what);
  out.id = std::move(*id);
  std::string where = fmt::format("{} ({})", what, out.id);
  auto parse = [&]() -> Status {
    CINCH_ASSIGN(out.modified, GetString(record, "modified"));
    CINCH_ASSIGN(out.published, GetString(record, "published"));
    CINCH_ASSIGN(out.withdrawn, GetString(record, "withdrawn"));
    CINCH_ASSIGN(out.summary, GetString(record, "summary"));
    CINCH_ASSIGN(out.details, GetString(record, "details"));
    CINCH_ASSIGN(out.aliases, GetStringArray(record, "aliases"));
    CINCH_ASSIGN(out.upstream, GetStringArray(record, "upstream"));
    CINCH_ASSIGN(out.severity, ParseSeverity(record));
    CINCH_ASSIGN(const Json* affected, GetArray(record, "affected"));
    if (affected != nullptr) {
      for (const Json& a : *affected) {
        CINCH_ASSIGN(Affected entry, ParseAffected(a));
        out.affected.push_back(std::move(entry));
      }
    }
    CINCH_ASSIGN(const Json* refs, GetArray(record, "references"));
    if (refs != nullptr) {
      for (const Json& r : *refs) {
        std::string url = StringOr(r, "url");
        if (!url.empty()) out.references.push_back(std::move(url));
      }
    }
    auto db = record.find("database_specific");
    if (db != record.end()) out.database_severity = StringOr(*db, "severity");
    return {};
  };
  if (auto ok = parse(); !ok) return Fail(ok.error().In(where));
  return out;
}

Result<Advisory> ParseOsvText(std::string_view text, std::string_view what) {
  CINCH_ASSIGN(Json doc, ParseJson(text, what));
  return ParseOsv(doc, what);
}

bool IsAlpineSecdb(const Json& doc) {
  return doc.is_object() && doc.contains("distroversion") &&
         doc.contains("packages");
}

Result<std::vector<Advisory>> ParseAlpineSecdb(const Json& doc,
                                               std::string_view what) {
  auto in = [&](Error e) { return Fail(e.In(what)); };
  auto branch = GetString(doc, "distroversion");
  if (!branch) return in(branch.error());
  if (branch->empty()) return Fail("{}: secdb has no distroversion", what);
  // Branches without fixes write "packages": "" rather than [].
  const Json& list = doc["packages"];
  std::vector<Advisory> out;
  if (!list.is_array()) {
    if (list.empty() || (list.is_string() && list.get<std::string>().empty())) {
      return out;
    }
    return Fail("{}: field 'packages' must be an array", what);
  }
  // A vulnerability listed under two fixed versions of one package was
  // fixed by the earlier one; later entries are re-fixes.
  std::map<std::string, size_t> seen;

  std::string ecosystem = "Alpine:" + *branch;
  for (const Json& entry : list) {
    const Json* pkg =
        entry.is_object() && entry.contains("pkg") ? &entry["pkg"] : nullptr;
    if (pkg == nullptr || !pkg->is_object()) {
      return Fail("{}: packages entries must hold a 'pkg' object", what);
    }
    auto name = GetString(*pkg, "name");
    if (!name) return in(name.error());
    auto fixes = GetObject(*pkg, "secfixes");
    if (!fixes) return in(fixes.error().In(*name));
    if (*fixes == nullptr) continue;
    for (const auto& [fixed, ids] : (*fixes)->items()) {
      // "0" lists vulnerabilities that never affected Alpine's package.
      if (fixed == "0" || !ids.is_array()) continue;
      for (const Json& listed : ids) {
        if (!listed.is_string()) continue;
        // Entries may carry a second name: "CVE-2019-1234 GHSA-...".
        std::string vuln = listed.get<std::string>();
        vuln = vuln.substr(0, vuln.find(' '));
        if (vuln.empty()) continue;
        std::string id =
            fmt::format("ALPINE-SECDB-{}-{}-{}", *branch, *name, vuln);
        if (auto it = seen.find(id); it != seen.end()) {
          std::string& known =
              out[it->second].affected[0].ranges[0].events[1].version;
          auto c = CompareVersions(VersionScheme::kApk, fixed, known);
          if (c && *c < 0) known = fixed;
          continue;
        }
        seen[id] = out.size();
        Advisory a;
        a.id = std::move(id);
        a.modified = "1970-01-01T00:00:00Z";  // secdb carries no dates
        a.aliases = {vuln};
        a.summary = fmt::format("{} fixed in {} {}", vuln, *name, fixed);
        Affected affected;
        affected.ecosystem = ecosystem;
        affected.name = *name;
        affected.ranges.push_back({RangeType::kEcosystem,
                                   {{RangeEvent::Kind::kIntroduced, "0"},
                                    {RangeEvent::Kind::kFixed, fixed}}});
        a.affected.push_back(std::move(affected));
        out.push_back(std::move(a));
      }
    }
  }
  return out;
}

std::string NormalizePackageName(std::string_view ecosystem,
                                 std::string_view name) {
  if (EcosystemBase(ecosystem) != "PyPI") return std::string(name);
  std::string out;
  bool in_separator = false;
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      if (!in_separator) out += '-';
      in_separator = true;
      continue;
    }
    in_separator = false;
    out += (c >= 'A' && c <= 'Z') ? char(c + 32) : c;
  }
  return out;
}

std::optional<int64_t> ParseTimestamp(std::string_view text) {
  auto digits = [&](size_t at, size_t n) -> std::optional<int> {
    if (at + n > text.size()) return std::nullopt;
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  auto year = digits(0, 4);
  auto month = digits(5, 2);
  auto day = digits(8, 2);
  if (!year || !month || !day || text[4] != '-' || text[7] != '-' ||
      *month < 1 || *month > 12 || *day < 1 || *day > 31) {
    return std::nullopt;
  }
  // Days from the civil date (proleptic Gregorian calendar).
  int y = *year - (*month <= 2);
  int era = (y >= 0 ? y : y - 399) / 400;
  int yoe = y - era * 400;
  int doy = (153 * (*month + (*month > 2 ? -3 : 9)) + 2) / 5 + *day - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = int64_t(era) * 146097 + doe - 719468;
  int64_t seconds = days * 86400;
  if (text.size() == 10) return seconds;

  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') {
    return std::nullopt;
  }
  auto hour = digits(11, 2);
  auto minute = digits(14, 2);
  auto second = digits(17, 2);
  if (!hour || !minute || !second || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  seconds += *hour * 3600 + *minute * 60 + *second;
  size_t i = 19;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  }
  std::string_view zone = text.substr(i);
  if (zone == "Z" || zone == "z") return seconds;
  auto oh = digits(i + 1, 2);
  auto om = digits(i + 4, 2);
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || !oh || !om ||
      zone[3] != ':') {
    return std::nullopt;
  }
  int64_t offset = *oh * 3600 + *om * 60;
  return zone[0] == '+' ? seconds - offset : seconds + offset;
}

std::string_view EcosystemBase(std::string_view ecosystem) {
  return ecosystem.substr(0, ecosystem.find(':'));
}

}  // namespace cinch
