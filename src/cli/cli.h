// The command line. Only this layer prints to the user or chooses an exit
// code; the library below returns values.
#ifndef CINCH_CLI_CLI_H_
#define CINCH_CLI_CLI_H_

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "image/source.h"

namespace cinch {

// Documented exit codes (README, "Exit codes").
enum ExitCode : int {
  kExitOk = 0,
  kExitPolicy = 1,  // a finding or policy failed the run
  kExitUsage = 2,   // bad flags or arguments
  kExitInput = 3,   // unreadable, damaged or hostile input
};

// Options every command shares.
struct GlobalOptions {
  int verbosity = 0;
  std::string color = "auto";  // auto | always | never
  bool quiet = false;          // no progress bar
};

// Prints "cinch: error: MESSAGE" to stderr.
void PrintError(std::string_view message);
// Prints to stderr when verbosity >= level.
void Log(const GlobalOptions& g, int level, std::string_view message);
bool UseColor(const GlobalOptions& g, int fd);

// Opens the image a command names, for the --platform given (empty: this
// machine's). On failure prints the error, sets `exit_code` (kExitUsage for
// a bad platform, kExitInput for an image that cannot be opened) and
// returns null.
std::unique_ptr<ImageSource> OpenCommandImage(const std::string& reference,
                                              const std::string& platform,
                                              OpenOptions options,
                                              int& exit_code);

// Each command registers its subcommand and returns the code to run it.
// The callback runs after parsing and returns the exit code.
using CommandRunner = std::function<int()>;
CommandRunner RegisterInspect(CLI::App& app, const GlobalOptions& g);
CommandRunner RegisterSbom(CLI::App& app, const GlobalOptions& g);
CommandRunner RegisterDb(CLI::App& app, const GlobalOptions& g);
CommandRunner RegisterScan(CLI::App& app, const GlobalOptions& g);
CommandRunner RegisterLint(CLI::App& app, const GlobalOptions& g);
CommandRunner RegisterSlim(CLI::App& app, const GlobalOptions& g);
CommandRunner RegisterCopy(CLI::App& app, const GlobalOptions& g);
CommandRunner RegisterFacts(CLI::App& app, const GlobalOptions& g);
CommandRunner RegisterCheck(CLI::App& app, const GlobalOptions& g);
CommandRunner RegisterInit(CLI::App& app, const GlobalOptions& g);
CommandRunner RegisterPolicy(CLI::App& app, const GlobalOptions& g);

}  // namespace cinch

#endif  // CINCH_CLI_CLI_H_
