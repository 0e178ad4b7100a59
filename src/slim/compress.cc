#include "slim/compress.h"

#include <zlib.h>
#include <zstd.h>

#include <string>

namespace cinch::slim {
namespace {

constexpr size_t kOut = 256 * 1024;

class PassThrough : public ByteWriter {
 public:
  explicit PassThrough(ByteWriter* out) : out_(out) {}
  Status Write(std::span<const char> b) override { return out_->Write(b); }
  Status Close() override { return out_->Close(); }

 private:
  ByteWriter* out_;
};

// gzip (RFC 1952) through zlib. zlib writes a header with mtime 0 and no
// name when none is set, which keeps the output reproducible.
class GzipWriter : public ByteWriter {
 public:
  GzipWriter(ByteWriter* out) : out_(out), buffer_(kOut, '\0') {}
  ~GzipWriter() override {
    if (open_) deflateEnd(&z_);
  }
  Status Init(int level) {
    if (deflateInit2(&z_, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
      return Fail("cannot start gzip compression at level {}", level);
    }
    open_ = true;
    return {};
  }
  Status Write(std::span<const char> b) override {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(b.data()));
    z_.avail_in = uInt(b.size());
    return Pump(Z_NO_FLUSH);
  }
  Status Close() override {
    if (!open_) return out_->Close();
    CINCH_TRY(Pump(Z_FINISH));
    deflateEnd(&z_);
    open_ = false;
    return out_->Close();
  }

 private:
  Status Pump(int flush) {
    while (true) {
      z_.next_out = reinterpret_cast<Bytef*>(buffer_.data());
      z_.avail_out = uInt(buffer_.size());
      int rc = deflate(&z_, flush);
      if (rc == Z_STREAM_ERROR) return Fail("gzip compression failed");
      size_t n = buffer_.size() - z_.avail_out;
      if (n > 0) CINCH_TRY(out_->Write(std::span(buffer_.data(), n)));
      if (flush == Z_FINISH ? rc == Z_STREAM_END
                            : (z_.avail_in == 0 && z_.avail_out != 0)) {
        return {};
      }
    }
  }

  ByteWriter* out_;
  z_stream z_{};
  bool open_ = false;
  std::string buffer_;
};

class ZstdWriter : public ByteWriter {
 public:
  ZstdWriter(ByteWriter* out)
      : out_(out), ctx_(ZSTD_createCCtx()), buffer_(kOut, '\0') {}
  ~ZstdWriter() override { ZSTD_freeCCtx(ctx_); }
  Status Init(int level) {
    if (ctx_ == nullptr || ZSTD_isError(ZSTD_CCtx_setParameter(
                               ctx_, ZSTD_c_compressionLevel, level))) {
      return Fail("cannot start zstd compression at level {}", level);
    }
    return {};
  }
  Status Write(std::span<const char> b) override {
    ZSTD_inBuffer in{b.data(), b.size(), 0};
    while (in.pos < in.size) {
      CINCH_TRY(Step(in, ZSTD_e_continue));
    }
    return {};
  }
  Status Close() override {
    if (finished_) return out_->Close();
    ZSTD_inBuffer in{nullptr, 0, 0};
    while (true) {
      CINCH_ASSIGN(size_t left, Step(in, ZSTD_e_end));
      if (left == 0) break;
    }
    finished_ = true;
    return out_->Close();
  }

 private:
  Result<size_t> Step(ZSTD_inBuffer& in, ZSTD_EndDirective mode) {
    ZSTD_outBuffer out{buffer_.data(), buffer_.size(), 0};
    size_t rc = ZSTD_compressStream2(ctx_, &out, &in, mode);
    if (ZSTD_isError(rc)) {
      return Fail("zstd compression failed: {}", ZSTD_getErrorName(rc));
    }
    if (out.pos > 0) CINCH_TRY(out_->Write(std::span(buffer_.data(), out.pos)));
    return rc;
  }

  ByteWriter* out_;
  ZSTD_CCtx* ctx_;
  std::string buffer_;
  bool finished_ = false;
};

}  // namespace

Result<std::unique_ptr<ByteWriter>> NewCompressor(Compression c, int level,
                                                  ByteWriter* out) {
  switch (c) {
    case Compression::kNone:
      return std::unique_ptr<ByteWriter>(new PassThrough(out));
    case Compression::kGzip: {
      if (level < 1 || level > 9)
        return Fail("gzip level {} is not 1-9", level);
      auto w = std::make_unique<GzipWriter>(out);
      CINCH_TRY(w->Init(level));
      return std::unique_ptr<ByteWriter>(std::move(w));
    }
    case Compression::kZstd: {
      if (level < 1 || level > 19) {
        return Fail("zstd level {} is not 1-19", level);
      }
      auto w = std::make_unique<ZstdWriter>(out);
      CINCH_TRY(w->Init(level));
      return std::unique_ptr<ByteWriter>(std::move(w));
    }
  }
  return Fail("unknown compression");
}

}  // namespace cinch::slim
