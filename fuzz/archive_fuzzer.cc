// Arbitrary bytes as an archive named x.zip, through LoadFile: ReadArchive
// and its limits, member detection and nested archives (ZIP, tar, gzip, xz,
// ... whatever libarchive recognises), and every loader a member reaches.
#include <cstddef>
#include <cstdint>

#include "fuzz_common.h"
#include "ingest/loaders.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace askio;
  static const ingest::LoadOptions options = fuzz::FuzzLoadOptions();
  fuzz::CheckItems(ingest::LoadFile(fuzz::AsBytes(data, size), "x.zip", options));
  return 0;
}
