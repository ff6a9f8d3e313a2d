// Shared by the fuzz targets: the load options they run with, and the
// checks every successfully loaded document must pass. A violated check
// aborts, so the fuzzer reports it like a memory error.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "askio/options.h"
#include "common/utf8.h"
#include "ingest/chunker.h"
#include "ingest/document.h"
#include "ingest/load_options.h"
#include "ingest/loaders.h"

namespace askio::fuzz {

inline std::string_view AsBytes(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// OCR off (seconds per page, and the images are not what is being fuzzed),
// and limits small enough that one input stays well under a second or two
// of work and a few hundred MiB under ASan.
inline ingest::LoadOptions FuzzLoadOptions() {
  ingest::LoadOptions o;
  o.ocr = false;
  o.time_budget_seconds = 5;
  o.max_pages = 50;
  o.max_archive_depth = 2;
  o.archive.max_member_bytes = 16ull << 20;
  o.archive.max_total_bytes = 16ull << 20;
  o.archive.max_members = 2000;
  o.archive.ratio_floor_bytes = 4ull << 20;  // so the ratio check is reached
  return o;
}

[[noreturn]] inline void Violated(const char* what, const char* file, int line) {
  std::fprintf(stderr, "askio fuzz: invariant violated at %s:%d: %s\n", file, line, what);
  std::abort();
}

#define ASKIO_FUZZ_CHECK(cond) \
  ((cond) ? (void)0 : ::askio::fuzz::Violated(#cond, __FILE__, __LINE__))

// Aborts unless `s` (the document's `field`) is well-formed UTF-8, showing
// where it is not. ASKIO_FUZZ_LENIENT_UTF8=1 in the environment turns this
// check off, to look for other bugs while a known UTF-8 one is open.
inline void CheckUtf8(const ingest::ParsedDocument& doc, std::string_view s, const char* field,
                      size_t block) {
  static const bool lenient = [] {
    const char* v = std::getenv("ASKIO_FUZZ_LENIENT_UTF8");
    return v && *v && *v != '0';
  }();
  size_t at = 0;
  if (lenient || utf8::IsValid(s, &at)) return;
  std::fprintf(stderr, "askio fuzz: %s document: %s", doc.type.c_str(), field);
  if (block != size_t(-1)) std::fprintf(stderr, " of block %zu", block);
  std::fprintf(stderr, " is not UTF-8 at byte %zu of %zu:", at, s.size());
  for (size_t i = at < 8 ? 0 : at - 8; i < s.size() && i < at + 8; ++i)
    std::fprintf(stderr, "%s%02x", i == at ? " [" : " ", static_cast<unsigned char>(s[i]));
  std::fprintf(stderr, "\n");
  Violated("well-formed UTF-8", __FILE__, __LINE__);
}

// What every loaded document promises (document.h, loaders.h): UTF-8 text,
// heading levels 1-6, pages counted from 1; and that the chunker, which
// runs on every loaded document, handles it and returns ranges inside it.
inline void CheckDocument(const ingest::ParsedDocument& doc) {
  CheckUtf8(doc, doc.title, "title", size_t(-1));
  ASKIO_FUZZ_CHECK(doc.pages >= 0);
  for (size_t i = 0; i < doc.blocks.size(); ++i) {
    const ingest::Block& b = doc.blocks[i];
    CheckUtf8(doc, b.text, "text", i);
    CheckUtf8(doc, b.location, "location", i);
    ASKIO_FUZZ_CHECK(b.page >= 0);
    if (b.kind == ingest::Block::Kind::kHeading && (b.level < 1 || b.level > 6)) {
      std::fprintf(stderr, "askio fuzz: %s document: heading block %zu has level %d\n",
                   doc.type.c_str(), i, b.level);
      Violated("heading level 1-6", __FILE__, __LINE__);
    }
  }
  const ingest::LaidOutDocument laid = ingest::LayOut(doc);
  const std::vector<ingest::ChunkSpan> chunks = ingest::ChunkDocument(laid, ChunkOptions{});
  // Chunks start and end on code point boundaries (when there are any: the
  // text is UTF-8 unless ASKIO_FUZZ_LENIENT_UTF8 let a broken one through).
  const bool text_is_utf8 = utf8::IsValid(laid.text);
  for (const ingest::ChunkSpan& c : chunks) {
    ASKIO_FUZZ_CHECK(c.byte_begin <= c.byte_end && c.byte_end <= laid.text.size());
    ASKIO_FUZZ_CHECK(c.char_begin >= 0 && c.char_begin <= c.char_end);
    if (text_is_utf8)
      ASKIO_FUZZ_CHECK(utf8::IsValid(std::string_view(laid.text).substr(
          c.byte_begin, c.byte_end - c.byte_begin)));
  }
}

// LoadFile never throws and reports every failure as an item with a reason.
inline void CheckItems(const std::vector<ingest::LoadedItem>& items) {
  for (const ingest::LoadedItem& item : items) {
    switch (item.state) {
      case ingest::LoadedItem::State::kParsed:
        CheckDocument(item.doc);
        break;
      case ingest::LoadedItem::State::kFailed:
        ASKIO_FUZZ_CHECK(!item.error.empty());
        break;
      case ingest::LoadedItem::State::kUnchanged:
        break;
    }
  }
}

}  // namespace askio::fuzz
