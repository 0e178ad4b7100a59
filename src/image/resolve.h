// Steps of resolving an image that every transport with OCI documents
// shares (OCI layouts and archives, registries). Internal to cinch_image.
#ifndef CINCH_IMAGE_RESOLVE_H_
#define CINCH_IMAGE_RESOLVE_H_

#include <string_view>
#include <vector>

#include "base/error.h"
#include "image/manifest.h"
#include "image/source.h"

namespace cinch {

// Nested indexes deeper than this are refused (a loop, or an attack).
inline constexpr int kMaxIndexDepth = 4;

bool IsIndexMediaType(std::string_view media_type);

// Attestation manifests (BuildKit provenance, SBOMs) are listed in indexes
// beside images but are not images.
bool IsAttestation(const Descriptor& d);

// Picks the manifest for `want` among an index's entries; `where` names
// the index in errors.
Result<Descriptor> SelectPlatform(const Index& index, const Platform& want,
                                  std::string_view where);

// Fills layers, diff IDs and history links once manifest and config are
// known; the layer counts of manifest and config must agree.
Status AttachLayers(Image& image, std::vector<Layer> layers);

}  // namespace cinch

#endif  // CINCH_IMAGE_RESOLVE_H_
