#include <unistd.h>

#include <cstdio>

#include <fmt/ranges.h>

#include "base/io.h"
#include "cli/cli.h"
#include "image/sink.h"
#include "slim/slim.h"
#include "slim/smoke.h"

namespace cinch {
namespace {

struct SlimArgs {
  std::string image;
  std::string output;
  std::vector<std::string> tags;
  std::string platform;
  std::string keep_base;
  bool keep_base_given = false;
  bool keep_docs = false, keep_man = false, keep_all_locales = false;
  bool keep_caches = false, keep_tmp = false, keep_logs = false;
  bool keep_user = false, keep_secret_env = false, keep_symbols = false;
  std::string compression = "gzip";
  int level = 0;
  std::string report;
  std::string smoke_test;
  bool smoke_requested = false;
  slim::SlimOptions options;
  OpenOptions registry;
};

std::string Bytes(uint64_t n) {
  if (n >= (10ull << 20)) return fmt::format("{:.1f} MB", double(n) / 1e6);
  if (n >= (10ull << 10)) return fmt::format("{:.1f} kB", double(n) / 1e3);
  return fmt::format("{} B", n);
}

void PrintPlan(const slim::SlimReport& r, bool dry_run) {
  fmt::print("{:<12} {:>8} {:>12}\n", "step", "files", "saves");
  for (const slim::StepSavings& s : r.steps) {
    fmt::print("{:<12} {:>8} {:>12}\n", s.step, s.files, Bytes(s.bytes));
  }
  fmt::print("files: {} -> {} ({} -> {})\n", r.before.files, r.after.files,
             Bytes(r.before.file_bytes), Bytes(r.after.file_bytes));
  if (!dry_run) {
    double saved = r.before.compressed_bytes == 0
                       ? 0
                       : 100.0 * (1.0 - double(r.after.compressed_bytes) /
                                            double(r.before.compressed_bytes));
    fmt::print(
        "image: {} -> {} compressed ({:.1f}% smaller), {} -> {} layers\n",
        Bytes(r.before.compressed_bytes), Bytes(r.after.compressed_bytes),
        saved, r.before.layers, r.after.layers);
    fmt::print("manifest: {}\n", r.manifest_digest);
  }
  if (!r.removed_packages.empty()) {
    fmt::print("packages removed entirely: {}\n", r.removed_packages.size());
  }
  if (!r.removed_env.empty()) {
    fmt::print("removed Env: {}\n", fmt::join(r.removed_env, ", "));
  }
  if (!r.user.empty()) {
    fmt::print("user: {}{}\n", r.user, r.added_user ? " (added)" : "");
  }
  if (!r.entrypoint.program.empty()) {
    fmt::print("entrypoint: /{} ({} paths in its closure)\n",
               r.entrypoint.program, r.entrypoint.closure.size());
  }
}

int RunSlim(SlimArgs& args, const GlobalOptions& g) {
  slim::SlimOptions& o = args.options;
  if (args.output.empty() && !o.dry_run) {
    PrintError("slim needs -o DEST (or --dry-run)");
    return kExitUsage;
  }
  if (args.keep_base_given) {
    const std::string& n = args.keep_base.empty() ? "1" : args.keep_base;
    if (n.find_first_not_of("0123456789") != std::string::npos) {
      PrintError(
          fmt::format("--keep-base wants a number of layers, not '{}'", n));
      return kExitUsage;
    }
    o.keep_base_layers = std::stoul(n);
  }
  o.remove_docs = !args.keep_docs;
  o.remove_man = !args.keep_man;
  o.remove_locales = !args.keep_all_locales;
  o.remove_caches = !args.keep_caches;
  o.remove_tmp = !args.keep_tmp;
  o.remove_logs = !args.keep_logs;
  o.remove_secret_env = !args.keep_secret_env;
  o.strip = !args.keep_symbols;
  if (args.keep_user) o.user.clear();
  o.compression = args.compression == "zstd"   ? Compression::kZstd
                  : args.compression == "none" ? Compression::kNone
                                               : Compression::kGzip;
  o.level = args.level != 0                       ? args.level
            : o.compression == Compression::kZstd ? 3
                                                  : 6;

  int exit_code = kExitOk;
  auto source =
      OpenCommandImage(args.image, args.platform, args.registry, exit_code);
  if (!source) return exit_code;
  std::unique_ptr<ImageSink> sink;
  if (!o.dry_run) {
    auto opened = OpenSink(args.output, SinkOptions{});
    if (!opened) {
      PrintError(opened.error().message);
      return kExitUsage;
    }
    sink = std::move(*opened);
  }
  auto report = slim::Slim(*source, sink.get(), args.tags, o);
  if (!report) {
    PrintError(report.error().message);
    return kExitInput;
  }
  sink.reset();
  for (const std::string& w : report->warnings) {
    Log(g, 0, fmt::format("warning: {}", w));
  }
  PrintPlan(*report, o.dry_run);
  if (!args.report.empty()) {
    if (auto ok = WriteFileAtomically(args.report, slim::ReportJson(*report));
        !ok) {
      PrintError(ok.error().message);
      return kExitInput;
    }
  }
  if (!args.smoke_requested || o.dry_run) return kExitOk;

  auto smoke = slim::SmokeTest(args.output, args.smoke_test);
  if (!smoke) {
    PrintError(smoke.error().message);
    return kExitInput;
  }
  fmt::print("smoke test: exit code {}\n", smoke->exit_code);
  std::fwrite(smoke->output.data(), 1, smoke->output.size(), stdout);
  return smoke->exit_code == 0 ? kExitOk : kExitPolicy;
}

}  // namespace

CommandRunner RegisterSlim(CLI::App& app, const GlobalOptions& g) {
  auto args = std::make_shared<SlimArgs>();
  CLI::App* cmd = app.add_subcommand(
      "slim", "Write a smaller, non-root image whose entrypoint still runs");
  cmd->add_option("image", args->image,
                  "Source image: docker-archive:FILE, oci:DIR[:TAG], "
                  "oci-archive:FILE[:TAG], docker://..., or a path")
      ->required();
  cmd->add_option("-o,--output", args->output,
                  "Destination: oci:DIR[:TAG], oci-archive:FILE[:TAG] or "
                  "docker-archive:FILE[:REF]");
  cmd->add_option("--tag", args->tags, "Also tag the output (repeatable)");
  cmd->add_option("--keep-base", args->keep_base,
                  "Copy the first N layers (the base image) unchanged and "
                  "squash the rest on top (default N: 1)")
      ->expected(0, 1);
  cmd->add_flag("--keep-docs", args->keep_docs, "Keep documentation");
  cmd->add_flag("--keep-man", args->keep_man, "Keep man and info pages");
  cmd->add_option("--keep-locale", args->options.keep_locales,
                  "Keep this locale (e.g. en, de_DE; repeatable); C "
                  "locales are always kept");
  cmd->add_flag("--keep-all-locales", args->keep_all_locales,
                "Keep every locale");
  cmd->add_flag("--keep-caches", args->keep_caches,
                "Keep package-manager caches and indexes");
  cmd->add_flag("--keep-tmp", args->keep_tmp, "Keep files in /tmp, /var/tmp");
  cmd->add_flag("--keep-logs", args->keep_logs, "Keep files in /var/log");
  cmd->add_flag("--distroless", args->options.distroless,
                "Keep only what the entrypoint needs, its runtime, the app "
                "and the files programs quietly read");
  cmd->add_option("--keep", args->options.keep_paths,
                  "Never remove PATH (and what is below it; repeatable)");
  cmd->add_option("--user", args->options.user,
                  "Run as UID[:GID] or NAME (default 65532, added to "
                  "/etc/passwd when missing)");
  cmd->add_flag("--keep-user", args->keep_user, "Keep the image's user");
  cmd->add_flag("--keep-symbols", args->keep_symbols,
                "Do not strip symbol tables and debug sections from ELF "
                "files");
  cmd->add_flag("--keep-secret-env", args->keep_secret_env,
                "Keep Env entries that look like secrets");
  cmd->add_option("--compression", args->compression,
                  "Layer compression: gzip, zstd or none")
      ->check(CLI::IsMember({"gzip", "zstd", "none"}));
  cmd->add_option("--level", args->level,
                  "Compression level (gzip 1-9, default 6; zstd 1-19, "
                  "default 3)");
  cmd->add_flag("--dry-run", args->options.dry_run,
                "Print what each step would save; write nothing");
  cmd->add_option("--report", args->report,
                  "Write the before/after report (JSON) to FILE");
  cmd->add_option("--smoke-test", args->smoke_test,
                  "As root: unpack the output and run the entrypoint with "
                  "these arguments in a chroot");
  cmd->add_option("--platform", args->platform,
                  "os/arch[/variant] to pick from a multi-platform image");
  cmd->add_option("--threads", args->options.threads,
                  "Layers read at once (default: one per core)");
  cmd->add_option("--tmpdir", args->options.temp_dir,
                  "Directory for spooled contents (default: $TMPDIR)");
  return [args, &g, cmd]() {
    args->smoke_requested = cmd->count("--smoke-test") > 0;
    args->keep_base_given = cmd->count("--keep-base") > 0;
    return RunSlim(*args, g);
  };
}

}  // namespace cinch
