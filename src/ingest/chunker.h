// Structure-aware chunking: a chunk never crosses a heading, grows sentence by
// sentence up to a target size, and only cuts inside a sentence when that
// sentence alone is longer than the maximum.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "askio/options.h"
#include "askio/types.h"
#include "askio/status.h"
#include "ingest/document.h"

namespace askio::ingest {

struct ChunkSpan {
  size_t byte_begin, byte_end;   // in LaidOutDocument::text
  int64_t char_begin, char_end;  // the same range in code points
  std::vector<std::string> heading_path;
  int page = 0;  // of the chunk's first sentence
  // Where each stretch of the chunk sits in the source (offsets from the
  // chunk's start); empty when the document has no places.
  std::vector<Place> places;
};

Status ValidateChunkOptions(const ChunkOptions& options);

std::vector<ChunkSpan> ChunkDocument(const LaidOutDocument& doc, const ChunkOptions& options);

}  // namespace askio::ingest
