// What `cinch facts` and `cinch check` share: the options that say how to
// read an image and what else to look at, and the single gathering pass.
#ifndef CINCH_CLI_GATHER_H_
#define CINCH_CLI_GATHER_H_

#include <memory>
#include <string>

#include "advisory/store.h"
#include "cli/cli.h"
#include "policy/facts.h"

namespace cinch {

struct GatherArgs {
  std::string image;
  std::string dockerfile;
  std::string db;      // advisory database; empty: vulnerabilities not checked
  std::string config;  // .cinch.yaml; empty: searched upwards
  std::string platform;
  unsigned threads = 0;
  OpenOptions registry;
};

// Adds the shared options to `cmd`.
void AddGatherOptions(CLI::App* cmd, GatherArgs& args);

// The outcome of gathering: facts, or an exit code after printing why.
struct Gathered {
  int exit_code = kExitOk;
  policy::Facts facts;
  std::unique_ptr<ImageSource> source;
  std::unique_ptr<AdvisoryStore> store;
};

// Opens the image, the Dockerfile and the database, and gathers the facts
// in one pass (with a progress bar unless quiet).
Gathered GatherFromArgs(const GatherArgs& args, const GlobalOptions& g,
                        bool only_fixed);

}  // namespace cinch

#endif  // CINCH_CLI_GATHER_H_
