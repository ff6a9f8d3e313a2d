#include "ingest/document.h"

namespace askio::ingest {

LaidOutDocument LayOut(const ParsedDocument& doc) {
  LaidOutDocument out;
  size_t total = 0;
  for (const Block& b : doc.blocks) total += b.text.size() + 2;
  out.text.reserve(total);
  for (const Block& b : doc.blocks) {
    if (b.text.empty()) continue;
    if (!out.text.empty()) out.text += "\n\n";
    const size_t begin = out.text.size();
    out.text += b.text;
    out.blocks.push_back({b.kind, b.level, begin, out.text.size(), b.page, b.location});
  }
  return out;
}

}  // namespace askio::ingest
