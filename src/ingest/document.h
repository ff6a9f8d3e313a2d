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
  // Where the block sits in the source, for citations: the page of a PDF or
  // the slide of a deck (1-based; 0 when the format has none) and a
  // human-readable place ("page 3", "sheet Sales, row 12", "slide 4").
  int page = 0;
  std::string location;
};

struct ParsedDocument {
  std::string title;  // may be empty: the caller then uses the file name
  std::string type;   // "text", "markdown", "pdf", ...
  std::vector<Block> blocks;
  int pages = 0;  // pages (PDF), slides (PPTX), sheets (XLSX); 0 when none
};

// A document ready for chunking: the block texts joined by blank lines, with
// each block's byte range in that text. Chunk offsets point into `text`.
struct LaidOutDocument {
  std::string text;
  struct Placed {
    Block::Kind kind;
    int level;
    size_t begin, end;  // bytes in text
    int page = 0;
    std::string location;
  };
  std::vector<Placed> blocks;
};

LaidOutDocument LayOut(const ParsedDocument& doc);

}  // namespace askio::ingest
