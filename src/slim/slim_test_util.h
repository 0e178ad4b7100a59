// Helpers for the slim and sink tests: write an ImageBuilder image with an
// edited config through a sink, and read an image's layers back.
#ifndef CINCH_SLIM_SLIM_TEST_UTIL_H_
#define CINCH_SLIM_SLIM_TEST_UTIL_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/json.h"
#include "image/sink.h"
#include "tests/fixtures/image_builder.h"
#include "walk/walker.h"

namespace cinch::slim::testing {

class StringReader : public ByteReader {
 public:
  explicit StringReader(std::string s) : s_(std::move(s)) {}
  Result<size_t> Read(std::span<char> out) override {
    size_t n = std::min(out.size(), s_.size() - at_);
    std::copy_n(s_.data() + at_, n, out.data());
    at_ += n;
    return n;
  }

 private:
  std::string s_;
  size_t at_ = 0;
};

// Writes the image to `destination` (an OCI layout or archive reference)
// after `edit` changed its config's "config" object. Returns the manifest
// digest; empty on failure (with the error in `error`).
inline std::string WriteImage(const cinch::testing::ImageBuilder& builder,
                              const std::function<void(Json&)>& edit,
                              const std::string& destination,
                              std::string* error = nullptr) {
  auto fail = [&](const Error& e) {
    if (error != nullptr) *error = e.message;
    return std::string();
  };
  auto blobs = builder.Build();
  Json config = Json::parse(blobs.image.config_json);
  if (edit) edit(config["config"]);
  std::string config_json = config.dump();
  Json manifest = Json::parse(blobs.image.manifest_json);
  manifest["config"]["digest"] = cinch::testing::Sha256Of(config_json);
  manifest["config"]["size"] = config_json.size();
  std::string manifest_json = manifest.dump();

  auto sink = OpenSink(destination, SinkOptions{});
  if (!sink) return fail(sink.error());
  for (const Json& layer : manifest["layers"]) {
    Descriptor d;
    d.media_type = layer["mediaType"].get<std::string>();
    d.digest = layer["digest"].get<std::string>();
    d.size = layer["size"].get<int64_t>();
    StringReader r(blobs.blobs.at(d.digest));
    if (auto ok = (*sink)->PutBlob(d, r); !ok) return fail(ok.error());
  }
  Descriptor c;
  c.media_type = manifest["config"]["mediaType"].get<std::string>();
  c.digest = manifest["config"]["digest"].get<std::string>();
  c.size = manifest["config"]["size"].get<int64_t>();
  StringReader cr(config_json);
  if (auto ok = (*sink)->PutBlob(c, cr); !ok) return fail(ok.error());
  Descriptor m;
  m.media_type = std::string(media_type::kOciManifest);
  m.digest = cinch::testing::Sha256Of(manifest_json);
  m.size = int64_t(manifest_json.size());
  if (auto ok = (*sink)->PutManifest(m, manifest_json); !ok) {
    return fail(ok.error());
  }
  if (auto ok = (*sink)->Commit({}); !ok) return fail(ok.error());
  return m.digest;
}

struct FileCopy {
  Entry entry;
  std::string content;
};

// Every entry of every layer, with contents, in layer order.
class LayerContents : public Analyzer {
 public:
  explicit LayerContents(size_t layers) : layers_(layers) {}
  std::unique_ptr<LayerVisitor> NewLayerVisitor(const Layer& l) override {
    return std::make_unique<Visitor>(layers_[l.index]);
  }
  const std::vector<std::map<std::string, FileCopy>>& layers() const {
    return layers_;
  }

 private:
  class Visitor : public LayerVisitor {
   public:
    explicit Visitor(std::map<std::string, FileCopy>& out) : out_(out) {}
    bool OnEntry(const Entry& e) override {
      current_ = &out_[e.path];
      current_->entry = e;
      return true;
    }
    void OnData(std::span<const char> c) override {
      current_->content.append(c.data(), c.size());
    }

   private:
    std::map<std::string, FileCopy>& out_;
    FileCopy* current_ = nullptr;
  };
  std::vector<std::map<std::string, FileCopy>> layers_;
};

}  // namespace cinch::slim::testing

#endif  // CINCH_SLIM_SLIM_TEST_UTIL_H_
