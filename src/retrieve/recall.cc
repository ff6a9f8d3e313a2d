#include "retrieve/recall.h"

#include <algorithm>

#include "common/utf8.h"

namespace askio::retrieve {

std::vector<RecalledPassage> RecallPassages(const std::vector<SearchHit>& hits,
                                            const DocumentLookup& lookup, size_t budget_chars) {
  std::vector<RecalledPassage> out;
  for (const SearchHit& hit : hits) {
    const DocumentView* doc = lookup(hit.chunk.document_id);
    if (!doc) continue;
    const auto& chunks = doc->chunks;
    const auto at = std::find_if(chunks.begin(), chunks.end(),
                                 [&](const Chunk& c) { return c.id == hit.chunk.id; });
    if (at == chunks.end()) continue;
    size_t lo = static_cast<size_t>(at - chunks.begin()), hi = lo;
    auto span = [&](size_t a, size_t b) {
      return static_cast<size_t>(chunks[b].char_end - chunks[a].char_start);
    };
    // Grow after, then before, then after..., within the section and budget.
    for (bool grew = true; grew;) {
      grew = false;
      if (hi + 1 < chunks.size() && chunks[hi + 1].heading_path == hit.chunk.heading_path &&
          span(lo, hi + 1) <= budget_chars) {
        ++hi;
        grew = true;
      }
      if (lo > 0 && chunks[lo - 1].heading_path == hit.chunk.heading_path &&
          span(lo - 1, hi) <= budget_chars) {
        --lo;
        grew = true;
      }
    }
    const int64_t begin = chunks[lo].char_start, end = chunks[hi].char_end;

    // Merge with an earlier passage of the same document that overlaps or
    // touches this one.
    auto same = std::find_if(out.begin(), out.end(), [&](const RecalledPassage& p) {
      return p.document_id == doc->id && p.char_start <= end && begin <= p.char_end;
    });
    if (same != out.end()) {
      same->char_start = std::min(same->char_start, begin);
      same->char_end = std::max(same->char_end, end);
      same->chunk_ids.push_back(hit.chunk.id);
      same->score = std::max(same->score, hit.score);
    } else {
      RecalledPassage p;
      p.document_id = doc->id;
      p.document_title = doc->title;
      p.document_source = doc->source;
      p.heading_path = hit.chunk.heading_path;
      p.char_start = begin;
      p.char_end = end;
      p.chunk_ids = {hit.chunk.id};
      p.score = hit.score;
      out.push_back(std::move(p));
    }
  }
  for (RecalledPassage& p : out) {
    const DocumentView* doc = lookup(p.document_id);
    const std::string_view text = doc->text;
    const size_t b = utf8::ByteOffsetOf(text, static_cast<size_t>(p.char_start));
    const size_t e = utf8::ByteOffsetOf(text, static_cast<size_t>(p.char_end));
    p.text = std::string(text.substr(b, e - b));
  }
  return out;
}

}  // namespace askio::retrieve
