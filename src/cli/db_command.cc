// `cinch db import SOURCE...` and `cinch db status`: the local advisory
// database that `cinch scan` reads.
#include <ctime>
#include <memory>

#include <fmt/format.h>

#include "advisory/import.h"
#include "advisory/store.h"
#include "base/json.h"
#include "cli/cli.h"

namespace cinch {
namespace {

struct DbArgs {
  std::string db;
  std::vector<std::string> sources;
  int max_age_days = 7;
  std::string format = "table";
};

std::string NowRfc3339() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int RunImport(const DbArgs& args, const GlobalOptions& g) {
  std::string path = args.db.empty() ? DefaultStorePath() : args.db;
  auto store = AdvisoryStore::Open(path, true);
  if (!store) {
    PrintError(store.error().message);
    return kExitInput;
  }
  int rc = kExitOk;
  for (const std::string& source : args.sources) {
    auto stats = ImportAdvisories(**store, source);
    if (!stats) {
      PrintError(stats.error().message);
      rc = kExitInput;
      continue;
    }
    for (const std::string& p : stats->problems) {
      Log(g, 0, fmt::format("warning: skipped {}", p));
    }
    if (stats->skipped > int64_t(stats->problems.size())) {
      Log(g, 0,
          fmt::format("warning: {} more records skipped",
                      stats->skipped - int64_t(stats->problems.size())));
    }
    fmt::print(
        "{}: {} records: {} added, {} updated, {} unchanged, {} older than "
        "stored, {} skipped\n",
        source, stats->records, stats->added, stats->updated, stats->unchanged,
        stats->kept_newer, stats->skipped);
  }
  if (auto ok = (*store)->SetLastImport(NowRfc3339()); !ok) {
    PrintError(ok.error().message);
    return kExitInput;
  }
  return rc;
}

int RunStatus(const DbArgs& args, const GlobalOptions& g) {
  std::string path = args.db.empty() ? DefaultStorePath() : args.db;
  auto store = AdvisoryStore::Open(path, false);
  if (!store) {
    PrintError(store.error().message);
    return kExitInput;
  }
  auto status = (*store)->GetStatus();
  if (!status) {
    PrintError(status.error().message);
    return kExitInput;
  }
  std::optional<int64_t> newest = ParseTimestamp(status->newest_modified);
  int64_t age_days =
      newest ? (int64_t(std::time(nullptr)) - *newest) / 86400 : -1;
  bool stale = age_days < 0 || age_days > args.max_age_days;

  if (args.format == "json") {
    Json doc = {{"path", status->path},
                {"advisories", status->advisories},
                {"withdrawn", status->withdrawn},
                {"newest_modified", status->newest_modified},
                {"newest_id", status->newest_id},
                {"last_import", status->last_import},
                {"age_days", age_days},
                {"stale", stale}};
    Json eco = Json::object();
    for (const auto& [name, count] : status->by_ecosystem) eco[name] = count;
    doc["ecosystems"] = eco;
    fmt::print("{}\n", doc.dump(2));
  } else {
    fmt::print("database:     {}\n", status->path);
    fmt::print("advisories:   {} ({} withdrawn)\n", status->advisories,
               status->withdrawn);
    fmt::print("newest:       {} ({})\n", status->newest_modified,
               status->newest_id);
    fmt::print("age:          {} days\n", age_days);
    fmt::print("last import:  {}\n", status->last_import);
    fmt::print("\n{:<32} {:>10}\n", "ECOSYSTEM", "ADVISORIES");
    for (const auto& [name, count] : status->by_ecosystem) {
      fmt::print("{:<32} {:>10}\n", name, count);
    }
  }
  if (stale) {
    Log(g, 0,
        fmt::format("warning: the newest advisory is {} days old (limit {}); "
                    "import fresh data with 'cinch db import'",
                    age_days, args.max_age_days));
  }
  return kExitOk;
}

}  // namespace

CommandRunner RegisterDb(CLI::App& app, const GlobalOptions& g) {
  auto args = std::make_shared<DbArgs>();
  CLI::App* cmd =
      app.add_subcommand("db", "Build and check the local advisory database");
  cmd->require_subcommand(1);
  CLI::App* import = cmd->add_subcommand(
      "import",
      "Import OSV records (zip, directory, JSON file, '-' for stdin, or an "
      "http(s) URL) or Alpine secdb files");
  import->add_option("source", args->sources, "What to import")->required();
  import->add_option("--db", args->db,
                     "Database file (default: $XDG_CACHE_HOME/cinch/"
                     "advisories.db)");
  CLI::App* status =
      cmd->add_subcommand("status", "Counts, newest record and its age");
  status->add_option("--db", args->db, "Database file");
  status
      ->add_option("--max-age", args->max_age_days,
                   "Warn when the newest record is older (days)")
      ->check(CLI::Range(0, 100000));
  status->add_option("-f,--format", args->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  return [args, import, &g] {
    return import->parsed() ? RunImport(*args, g) : RunStatus(*args, g);
  };
}

}  // namespace cinch
