// Notion exports: ReadArchive, then ParseNotionExport on whatever came out,
// whether or not IsNotionExport recognises it (mutations of the 32-hex ids
// would otherwise keep most inputs away from the loader).
#include <cstddef>
#include <cstdint>

#include "fuzz_common.h"
#include "ingest/archive.h"
#include "ingest/notion_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace askio;
  static const ingest::LoadOptions options = fuzz::FuzzLoadOptions();
  auto contents = ingest::ReadArchive(fuzz::AsBytes(data, size), options.archive);
  if (!contents) return 0;
  (void)ingest::IsNotionExport(*contents);
  for (const ingest::NotionDocument& page : ingest::ParseNotionExport(*contents, options)) {
    ASKIO_FUZZ_CHECK(ingest::FindMember(*contents, page.member) != nullptr);
    if (page.doc) fuzz::CheckDocument(*page.doc);
  }
  return 0;
}
