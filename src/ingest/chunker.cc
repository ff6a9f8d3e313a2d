#include "ingest/chunker.h"

#include <string_view>

#include "common/utf8.h"
#include "text/sentences.h"

namespace askio::ingest {
namespace {

struct Unit {
  size_t byte_begin, byte_end;
  int64_t char_begin, char_end;
  const LaidOutDocument::Placed* block;
};

// The places of units [first, last], as offsets from the first unit.
std::vector<Place> PlacesOf(const Unit* first, const Unit* last) {
  std::vector<Place> places;
  for (const Unit* u = first; u <= last; ++u) {
    const std::string& loc = u->block->location;
    if (loc.empty() || (!places.empty() && places.back().location == loc)) continue;
    places.push_back({u->char_begin - first->char_begin, loc});
  }
  return places;
}

// Walks forward through the text converting increasing byte offsets to code
// point offsets, so the whole document is scanned once.
class CharCursor {
 public:
  explicit CharCursor(std::string_view text) : text_(text) {}
  int64_t At(size_t byte) {
    for (; byte_ < byte; ++byte_)
      chars_ += (static_cast<unsigned char>(text_[byte_]) & 0xC0) != 0x80;
    return chars_;
  }

 private:
  std::string_view text_;
  size_t byte_ = 0;
  int64_t chars_ = 0;
};

bool IsSoftBreak(char32_t c) {
  switch (c) {
    case U'，':
    case U',':
    case U'、':
    case U' ':
    case U'\n':
    case U'：':
    case U':':
    case U'\t':
      return true;
    default:
      return false;
  }
}

// Cuts one over-long sentence into pieces of at most max_chars code points,
// preferring to cut right after a comma or space in the last third.
void SplitLongUnit(std::string_view text, size_t begin, size_t end, size_t max_chars,
                   std::vector<std::pair<size_t, size_t>>& out) {
  size_t piece_begin = begin;
  while (piece_begin < end) {
    size_t i = piece_begin, count = 0, best_break = 0;
    while (i < end && count < max_chars) {
      const char32_t c = utf8::Next(text, i);
      ++count;
      if (count * 3 >= max_chars * 2 && IsSoftBreak(c)) best_break = i;
    }
    size_t cut = i;
    if (i < end && best_break > piece_begin) cut = best_break;
    out.emplace_back(piece_begin, cut);
    piece_begin = cut;
    while (piece_begin < end && (text[piece_begin] == ' ' || text[piece_begin] == '\n'))
      ++piece_begin;
  }
}

}  // namespace

Status ValidateChunkOptions(const ChunkOptions& o) {
  if (o.target_chars < 16)
    return Status::InvalidArgument("chunk size must be at least 16 characters");
  if (o.max_chars < o.target_chars)
    return Status::InvalidArgument("maximum chunk size must be at least the target size");
  if (o.overlap_chars >= o.target_chars)
    return Status::InvalidArgument("chunk overlap must be smaller than the chunk size");
  return Status::Ok();
}

std::vector<ChunkSpan> ChunkDocument(const LaidOutDocument& doc, const ChunkOptions& options) {
  std::vector<ChunkSpan> chunks;
  const std::string_view text = doc.text;
  CharCursor cursor(text);
  std::vector<std::pair<int, std::string>> headings;  // (level, text)
  std::vector<Unit> units;

  auto flush = [&] {
    std::vector<std::string> path;
    path.reserve(headings.size());
    for (const auto& h : headings) path.push_back(h.second);
    size_t i = 0;
    while (i < units.size()) {
      size_t j = i + 1;
      while (j < units.size() &&
             static_cast<size_t>(units[j].char_end - units[i].char_begin) <= options.target_chars)
        ++j;
      chunks.push_back({units[i].byte_begin, units[j - 1].byte_end, units[i].char_begin,
                        units[j - 1].char_end, path, units[i].block->page,
                        PlacesOf(&units[i], &units[j - 1])});
      if (j >= units.size()) break;
      // Step back over whole sentences for the overlap, always moving forward.
      size_t k = j;
      while (k - 1 > i && static_cast<size_t>(units[j - 1].char_end - units[k - 1].char_begin) <=
                              options.overlap_chars)
        --k;
      i = k;
    }
    units.clear();
  };

  std::vector<std::pair<size_t, size_t>> pieces;
  for (const LaidOutDocument::Placed& block : doc.blocks) {
    if (block.kind == Block::Kind::kHeading) {
      flush();
      while (!headings.empty() && headings.back().first >= block.level) headings.pop_back();
      headings.emplace_back(block.level,
                            std::string(text.substr(block.begin, block.end - block.begin)));
      continue;
    }
    const std::string_view block_text = text.substr(block.begin, block.end - block.begin);
    for (const text::Span& s : text::SplitSentences(block_text)) {
      const size_t b = block.begin + s.begin, e = block.begin + s.end;
      pieces.clear();
      if (utf8::CodePointCount(text.substr(b, e - b)) > options.max_chars) {
        SplitLongUnit(text, b, e, options.max_chars, pieces);
      } else {
        pieces.emplace_back(b, e);
      }
      for (const auto& [pb, pe] : pieces) {
        const int64_t cb = cursor.At(pb);
        units.push_back({pb, pe, cb, cursor.At(pe), &block});
      }
    }
  }
  flush();
  return chunks;
}

}  // namespace askio::ingest
