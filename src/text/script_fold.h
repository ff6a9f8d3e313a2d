// Traditional -> Simplified Chinese folding for search, so a question in
// either script finds passages in either (網際網路 and 网际网路 share terms).
//
// Folding is per character, through a table built once from OpenCC's t2s
// character dictionary: phrase-level conversion would need segmentation and
// matters little for unigram/bigram terms. Documents keep their own script;
// only index and query terms are folded.
#pragma once

namespace askio::text {

// The Simplified form of a CJK character, or `c` itself. Thread-safe; the
// first call loads the table (a few milliseconds). If OpenCC's data is not
// installed, folding is the identity and ScriptFoldingAvailable() is false.
char32_t FoldScript(char32_t c);
bool ScriptFoldingAvailable();

}  // namespace askio::text
