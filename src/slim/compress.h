// Compressing writers for new layer blobs. Output depends only on the
// input bytes and the level (no timestamps, no file names, one thread),
// so the same layer gives the same digest.
#ifndef CINCH_SLIM_COMPRESS_H_
#define CINCH_SLIM_COMPRESS_H_

#include <memory>

#include "image/tar_writer.h"
#include "walk/decompress.h"

namespace cinch::slim {

// A writer that compresses into `out` (not owned); Close finishes the
// stream and closes `out`. kNone passes bytes through. `level` is zlib's
// 1-9 for gzip and zstd's 1-19.
Result<std::unique_ptr<ByteWriter>> NewCompressor(Compression c, int level,
                                                  ByteWriter* out);

}  // namespace cinch::slim

#endif  // CINCH_SLIM_COMPRESS_H_
