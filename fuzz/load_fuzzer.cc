// One document type through LoadDocument, as ingestion calls it once
// detection has picked the type. Built once per type: -DFUZZ_TYPE=kPdf, ...
#include <cstddef>
#include <cstdint>

#include "fuzz_common.h"
#include "ingest/detect.h"
#include "ingest/loaders.h"

#ifndef FUZZ_TYPE
#error "define FUZZ_TYPE to a FileType enumerator, e.g. -DFUZZ_TYPE=kPdf"
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace askio;
  static const ingest::LoadOptions options = fuzz::FuzzLoadOptions();
  auto doc = ingest::LoadDocument(fuzz::AsBytes(data, size), ingest::FileType::FUZZ_TYPE, options);
  if (doc) {
    fuzz::CheckDocument(*doc);
  } else {
    ASKIO_FUZZ_CHECK(!doc.error().ok() && !doc.error().message().empty());
  }
  return 0;
}
