// The smoke test of `cinch slim --smoke-test`: unpack an image into a
// temporary directory and run its entrypoint there in a chroot, as the
// image's user, with its Env and WorkingDir. Needs root (chroot(2)); the
// program runs with the host's kernel, network and /proc absent.
#ifndef CINCH_SLIM_SMOKE_H_
#define CINCH_SLIM_SMOKE_H_

#include <string>

#include "base/error.h"

namespace cinch::slim {

struct SmokeResult {
  int exit_code = -1;  // 128 + signal when killed
  std::string output;  // stdout and stderr, interleaved, capped at 64 KiB
};

// Unpacks `reference` (any readable image) and runs ENTRYPOINT followed by
// `args` split on whitespace (CMD when `args` is empty). Gives up after
// `timeout_seconds`.
Result<SmokeResult> SmokeTest(const std::string& reference,
                              const std::string& args,
                              int timeout_seconds = 60);

}  // namespace cinch::slim

#endif  // CINCH_SLIM_SMOKE_H_
