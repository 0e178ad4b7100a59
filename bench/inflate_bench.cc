// Inflate throughput of the gzip libraries cinch could use, on real layer
// blobs: zlib (the reference), ISA-L (what cinch streams with), libdeflate
// (whole buffer only, so unusable for layers of unbounded size, but the
// fastest known inflater) and cinch's own decompressing reader, which adds
// its buffering on top of ISA-L. Single thread, data already in memory, so
// the numbers are the decompressors' own speed.
//
// Usage: inflate_bench [--repeat N] PATH...
//   PATH is a gzip file or an OCI layout directory (every gzip blob under
//   blobs/sha256 is used). Prints MB/s of uncompressed output (1 MB = 10^6
//   bytes, best of N runs) and each library's speed relative to zlib.
#include <dirent.h>
#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/io.h"
#include "walk/decompress.h"

namespace cinch {
namespace {

// The output chunk the streaming decoders write into, the same order of
// size as the walker's read buffer.
constexpr size_t kChunk = 256 * 1024;
// Blobs larger than this are not loaded; the bench holds everything in RAM.
constexpr size_t kMaxBlob = size_t{4} << 30;

struct Blob {
  std::string name;
  std::string bytes;
};

// Decompresses one gzip stream and returns the number of bytes it produced.
using Inflater = std::function<Result<uint64_t>(const std::string&)>;

bool IsGzip(const std::string& bytes) {
  return bytes.size() >= 18 && uint8_t(bytes[0]) == 0x1f &&
         uint8_t(bytes[1]) == 0x8b;
}

Result<uint64_t> InflateZlib(const std::string& in) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return Fail("inflateInit2");
  std::vector<unsigned char> out(kChunk);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = uInt(in.size());
  uint64_t total = 0;
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = out.data();
    z.avail_out = uInt(out.size());
    rc = inflate(&z, Z_NO_FLUSH);
    total += out.size() - z.avail_out;
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) return Fail("zlib inflate: error {}", rc);
  return total;
}

Result<uint64_t> InflateIsal(const std::string& in) {
  auto state = std::make_unique<inflate_state>();
  isal_inflate_init(state.get());
  state->crc_flag = ISAL_GZIP;
  state->next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(in.data()));
  state->avail_in = uint32_t(in.size());
  std::vector<uint8_t> out(kChunk);
  uint64_t total = 0;
  while (state->block_state != ISAL_BLOCK_FINISH) {
    state->next_out = out.data();
    state->avail_out = uint32_t(out.size());
    int rc = isal_inflate(state.get());
    if (rc != ISAL_DECOMP_OK) return Fail("isal_inflate: error {}", rc);
    uint64_t produced = out.size() - state->avail_out;
    if (produced == 0 && state->avail_in == 0 &&
        state->block_state != ISAL_BLOCK_FINISH) {
      return Fail("isal_inflate: truncated stream");
    }
    total += produced;
  }
  return total;
}

// libdeflate needs the whole output buffer up front; the gzip trailer's
// ISIZE gives its size modulo 2^32, enough for the blobs this bench loads.
// Not thread safe: the output buffer is shared between calls.
Result<uint64_t> InflateLibdeflate(const std::string& in) {
  const auto* tail = reinterpret_cast<const uint8_t*>(in.data() + in.size());
  uint32_t isize = uint32_t(tail[-4]) | uint32_t(tail[-3]) << 8 |
                   uint32_t(tail[-2]) << 16 | uint32_t(tail[-1]) << 24;
  std::unique_ptr<libdeflate_decompressor, void (*)(libdeflate_decompressor*)>
      d(libdeflate_alloc_decompressor(), libdeflate_free_decompressor);
  // One buffer for every call, so the timing is inflate, not page faults.
  static std::vector<char> out;
  if (out.size() < std::max<size_t>(isize, 1)) out.resize(isize + 1);
  size_t actual = 0;
  auto rc = libdeflate_gzip_decompress(d.get(), in.data(), in.size(),
                                       out.data(), out.size(), &actual);
  if (rc != LIBDEFLATE_SUCCESS) return Fail("libdeflate: error {}", int(rc));
  return actual;
}

// Serves a string already in memory through the ByteReader interface.
class StringReader : public ByteReader {
 public:
  explicit StringReader(const std::string& s) : s_(s) {}
  Result<size_t> Read(std::span<char> out) override {
    size_t n = std::min(out.size(), s_.size() - pos_);
    std::memcpy(out.data(), s_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  const std::string& s_;
  size_t pos_ = 0;
};

Result<uint64_t> InflateCinch(const std::string& in) {
  CINCH_ASSIGN(auto reader,
               OpenDecompressed(std::make_unique<StringReader>(in), "blob"));
  std::vector<char> out(kChunk);
  uint64_t total = 0;
  for (;;) {
    CINCH_ASSIGN(size_t n, reader->Read(out));
    if (n == 0) return total;
    total += n;
  }
}

Status LoadFile(const std::string& path, std::vector<Blob>& blobs) {
  Result<std::string> bytes = ReadFileLimited(path, kMaxBlob);
  if (!bytes) return Fail(bytes.error());
  if (IsGzip(*bytes)) blobs.push_back({path, std::move(*bytes)});
  return {};
}

// Loads `path` if it is a gzip file, or every gzip blob of an OCI layout.
Status Load(const std::string& path, std::vector<Blob>& blobs) {
  std::string dir = path + "/blobs/sha256";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return LoadFile(path, blobs);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') names.push_back(dir + "/" + e->d_name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) CINCH_TRY(LoadFile(n, blobs));
  return {};
}

struct Measurement {
  uint64_t bytes_out = 0;
  double best_seconds = 0;
};

// Runs `inflate` over every blob `repeat` times and keeps the best run.
Result<Measurement> Measure(const Inflater& inflate,
                            const std::vector<Blob>& blobs, int repeat) {
  Measurement m;
  for (int r = 0; r < repeat; ++r) {
    uint64_t out = 0;
    auto start = std::chrono::steady_clock::now();
    for (const Blob& b : blobs) {
      auto n = inflate(b.bytes);
      if (!n) return Fail(n.error().In(b.name));
      out += *n;
    }
    std::chrono::duration<double> took =
        std::chrono::steady_clock::now() - start;
    if (r == 0 || took.count() < m.best_seconds) m.best_seconds = took.count();
    m.bytes_out = out;
  }
  return m;
}

int Run(int argc, char** argv) {
  int repeat = 3;
  std::vector<Blob> blobs;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--repeat" && i + 1 < argc) {
      repeat = std::max(1, std::atoi(argv[++i]));
    } else if (auto s = Load(arg, blobs); !s) {
      fmt::print(stderr, "inflate_bench: {}\n", s.error().message);
      return 3;
    }
  }
  if (blobs.empty()) {
    fmt::print(stderr, "usage: inflate_bench [--repeat N] GZIP|OCI-DIR...\n");
    return 2;
  }
  uint64_t bytes_in = 0;
  for (const Blob& b : blobs) bytes_in += b.bytes.size();
  fmt::print("{} gzip blobs, {:.1f} MB compressed, best of {} runs\n",
             blobs.size(), bytes_in / 1e6, repeat);

  struct Peer {
    const char* name;
    Inflater inflate;
  };
  const Peer peers[] = {{"zlib", InflateZlib},
                        {"isa-l", InflateIsal},
                        {"libdeflate (whole buffer)", InflateLibdeflate},
                        {"cinch reader (isa-l)", InflateCinch}};
  fmt::print("{:<28}{:>12}{:>10}\n", "inflater", "MB/s out", "x zlib");
  double zlib_rate = 0;
  uint64_t expected_out = 0;
  for (const Peer& p : peers) {
    auto m = Measure(p.inflate, blobs, repeat);
    if (!m) {
      fmt::print(stderr, "inflate_bench: {}: {}\n", p.name, m.error().message);
      return 1;
    }
    if (expected_out == 0) expected_out = m->bytes_out;
    if (m->bytes_out != expected_out) {
      fmt::print(stderr, "inflate_bench: {} produced {} bytes, zlib {}\n",
                 p.name, m->bytes_out, expected_out);
      return 1;
    }
    double rate = m->bytes_out / 1e6 / m->best_seconds;
    if (zlib_rate == 0) zlib_rate = rate;
    fmt::print("{:<28}{:>12.1f}{:>10.2f}\n", p.name, rate, rate / zlib_rate);
  }
  return 0;
}

}  // namespace
}  // namespace cinch

int main(int argc, char** argv) { return cinch::Run(argc, argv); }
