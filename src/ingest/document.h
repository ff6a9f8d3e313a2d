// The normalised document every loader produces, whatever the input format.
#pragma once

#include <string>
#include <vector>

namespace askio::ingest {

struct Block {
  enum class Kind { kHeading, kParagraph, kListItem, kCode, kTableRow, kQuote };
  Kind kind = Kind::kParagraph;
  int level = 0;  // heading level 1-6 for kHeading
  std::string text;
};

struct ParsedDocument {
  std::string title;  // may be empty: the caller then uses the file name
  std::string type;   // "text", "markdown"
  std::vector<Block> blocks;
};

// A document ready for chunking: the block texts joined by blank lines, with
// each block's byte range in that text. Chunk offsets point into `text`.
struct LaidOutDocument {
  std::string text;
  struct Placed {
    Block::Kind kind;
    int level;
    size_t begin, end;  // bytes in text
  };
  std::vector<Placed> blocks;
};

LaidOutDocument LayOut(const ParsedDocument& doc);

}  // namespace askio::ingest
