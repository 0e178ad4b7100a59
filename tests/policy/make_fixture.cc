// Writes the images tests/policy/check_cli_test.sh checks, as OCI layouts:
//   policy_fixture DIR good   a small non-root, labelled image (tag 1.0)
//   policy_fixture DIR bad    root, a token in a deleted file, a shell,
//                             an unlabelled config (tag latest)
#include <cstdio>
#include <string>

#include "tests/fixtures/image_builder.h"

namespace t = cinch::testing;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: policy_fixture DIR good|bad\n");
    return 2;
  }
  std::string dir = argv[1];
  std::string kind = argv[2];
  const char kOsRelease[] = "ID=debian\nVERSION_ID=\"12\"\n";
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder()
              .File("etc/os-release", kOsRelease)
              .File("var/lib/dpkg/status",
                    "Package: libc6\nStatus: install ok installed\n"
                    "Architecture: amd64\nVersion: 2.36-9\n\n")
              .File("app/server", "binary"),
          t::Compression::kGzip, "COPY . / # buildkit");
  if (kind == "good") {
    b.User("10001").Label("org.opencontainers.image.source",
                          "https://example.com/app");
    b.WriteOciLayout(dir, "1.0");
    return 0;
  }
  b.Layer(t::LayerBuilder()
              .File("app/.env",
                    "TOKEN=ghp_" + std::string("R8kq2ZtW7mXv4Lp9Nc3Bd6Hs1Jf5"
                                               "Gy0Ae8Ui"))
              .File("bin/sh", "ELF"),
          t::Compression::kGzip,
          "RUN /bin/sh -c echo TOKEN > /app/.env # buildkit")
      .Layer(t::LayerBuilder().Whiteout("app/.env"), t::Compression::kGzip,
             "RUN /bin/sh -c rm /app/.env # buildkit");
  b.WriteOciLayout(dir, "latest");
  return 0;
}
