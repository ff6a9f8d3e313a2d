#include "retrieve/snippet.h"

#include "common/utf8.h"

namespace askio::retrieve {

using text::Analyzer;
using text::Token;

QueryTermSet::QueryTermSet(const std::vector<text::QueryTerm>& query_terms) {
  for (const auto& t : query_terms) {
    terms.insert(t.term);
    has_bigrams = has_bigrams || t.is_bigram;
  }
}

std::vector<Highlight> FindHighlights(std::string_view text, const QueryTermSet& query) {
  const std::vector<Token> tokens = Analyzer::Tokenize(text);
  std::vector<bool> marked(tokens.size(), false);
  for (size_t k = 0; k < tokens.size(); ++k) {
    const Token& t = tokens[k];
    if (t.kind == Token::Kind::kWord) {
      marked[k] = query.terms.count(Analyzer::WordTerm(t.folded)) > 0;
    } else if (t.joins_previous && query.terms.count(Analyzer::BigramTerm(tokens[k - 1], t))) {
      marked[k - 1] = marked[k] = true;
    } else if (!query.has_bigrams && query.terms.count(t.folded)) {
      // Single characters light up only when the query itself is one.
      marked[k] = true;
    }
  }
  std::vector<Highlight> out;
  for (size_t k = 0; k < tokens.size(); ++k) {
    if (!marked[k]) continue;
    const size_t begin = tokens[k].begin, end = tokens[k].end;
    if (!out.empty()) {
      // Merge with the previous highlight when only spaces separate them.
      const std::string_view gap = text.substr(out.back().end, begin - out.back().end);
      if (gap.find_first_not_of(' ') == std::string_view::npos && gap.size() <= 1) {
        out.back().end = end;
        continue;
      }
    }
    out.push_back({begin, end});
  }
  return out;
}

Snippet MakeSnippet(std::string_view text, const QueryTermSet& query, size_t max_chars) {
  const std::vector<Highlight> all = FindHighlights(text, query);
  const size_t total_chars = utf8::CodePointCount(text);
  size_t win_begin = 0;  // byte offset
  if (total_chars > max_chars && !all.empty()) {
    // Choose the highlight whose window (starting a little before it) covers
    // the most highlighted bytes.
    size_t best = 0, best_cover = 0;
    for (size_t i = 0; i < all.size(); ++i) {
      const size_t start = all[i].begin;
      const size_t limit = start + max_chars * 3;  // generous byte bound, refined below
      size_t cover = 0;
      for (size_t j = i; j < all.size() && all[j].end <= limit; ++j)
        cover += all[j].end - all[j].begin;
      if (cover > best_cover) {
        best_cover = cover;
        best = i;
      }
    }
    // Back up about a sixth of the window so the match has some lead-in.
    const size_t lead = max_chars / 6;
    size_t start = all[best].begin, backed = 0;
    while (start > 0 && backed < lead) {
      --start;
      while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
      ++backed;
    }
    win_begin = start;
  }
  // The window: max_chars code points from win_begin.
  size_t win_end = win_begin, count = 0;
  while (win_end < text.size() && count < max_chars) {
    utf8::Next(text, win_end);
    ++count;
  }
  Snippet s;
  const bool cut_front = win_begin > 0, cut_back = win_end < text.size();
  if (cut_front) s.text = "…";
  const size_t shift = s.text.size();
  s.text.append(text.substr(win_begin, win_end - win_begin));
  if (cut_back) s.text += "…";
  for (const Highlight& h : all) {
    if (h.end <= win_begin || h.begin >= win_end) continue;
    const size_t b = std::max(h.begin, win_begin), e = std::min(h.end, win_end);
    s.highlights.push_back({b - win_begin + shift, e - win_begin + shift});
  }
  // Newlines in a one-line snippet read badly; spaces keep byte offsets.
  for (char& c : s.text)
    if (c == '\n') c = ' ';
  return s;
}

}  // namespace askio::retrieve
