// The XML/XHTML parts of an OOXML or EPUB package, without ZIP compression
// in the fuzzer's way: the input gives the members in the parts format
// (parts.h), they are stored in a ZIP, and LoadDocument reads it as the
// target's type, so the parsers behind it (ParseDocx, ParseXlsx, ParsePptx,
// ParseEpub) see the mutated XML as it is and their result is checked as
// any loaded document. Built once per type: -DFUZZ_TYPE=kDocx, ...
#include <cstddef>
#include <cstdint>

#include "fuzz_common.h"
#include "ingest/detect.h"
#include "ingest/loaders.h"
#include "parts.h"

#ifndef FUZZ_TYPE
#error "define FUZZ_TYPE to kDocx, kXlsx, kPptx or kEpub"
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace askio;
  static const ingest::LoadOptions options = fuzz::FuzzLoadOptions();
  const std::string zip = fuzz::ZipParts(fuzz::ParseParts(fuzz::AsBytes(data, size)));
  if (zip.empty()) return 0;
  auto doc = ingest::LoadDocument(zip, ingest::FileType::FUZZ_TYPE, options);
  if (doc) {
    fuzz::CheckDocument(*doc);
  } else {
    ASKIO_FUZZ_CHECK(!doc.error().message().empty());
  }
  return 0;
}
