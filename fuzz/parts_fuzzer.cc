// The XML/XHTML parts of an OOXML or EPUB package, without the ZIP: the
// parser behind LoadDocument's package types (ParseDocx, ParseXlsx,
// ParsePptx, ParseEpub) on members given in the parts format (parts.h).
// Built once per type: -DFUZZ_TYPE=kDocx, ...
#include <cstddef>
#include <cstdint>

#include "fuzz_common.h"
#include "ingest/epub_loader.h"
#include "ingest/ooxml_loader.h"
#include "parts.h"
#include "text/normalize.h"

#ifndef FUZZ_TYPE
#error "define FUZZ_TYPE to kDocx, kXlsx, kPptx or kEpub"
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace askio;
  using ingest::FileType;
  static const ingest::LoadOptions options = fuzz::FuzzLoadOptions();
  const ingest::ArchiveContents package = fuzz::ParseParts(fuzz::AsBytes(data, size));
  constexpr FileType kType = FileType::FUZZ_TYPE;
  Result<ingest::ParsedDocument> doc = [&]() -> Result<ingest::ParsedDocument> {
    if constexpr (kType == FileType::kDocx) return ingest::ParseDocx(package, options);
    if constexpr (kType == FileType::kXlsx) return ingest::ParseXlsx(package, options);
    if constexpr (kType == FileType::kPptx) return ingest::ParsePptx(package, options);
    if constexpr (kType == FileType::kEpub) return ingest::ParseEpub(package, options);
  }();
  if (!doc) {
    ASKIO_FUZZ_CHECK(!doc.error().message().empty());
    return 0;
  }
  // As LoadDocument does for OOXML: XML text is normalised block by block
  // (EPUB chapters are decoded and normalised as HTML inside ParseEpub).
  if constexpr (kType != FileType::kEpub) {
    doc->title = text::NormalizeDocumentText(doc->title);
    for (ingest::Block& b : doc->blocks) b.text = text::NormalizeDocumentText(b.text);
  }
  fuzz::CheckDocument(*doc);
  return 0;
}
