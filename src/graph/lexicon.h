// A Chinese word lexicon with part-of-speech hints, for the model-free
// entity extractor: jieba's dictionary file ("word freq tag" per line, MIT
// licence), read from the Debian package python3-jieba at run time — askio
// does not ship a copy. Segmentation is jieba's dictionary path: the DAG of
// dictionary words over a run of Han characters and the route of maximum
// probability (no HMM for unknown words; the extractor has its own rules for
// names the dictionary lacks).
//
// Lookups fold Traditional characters to Simplified first (the dictionary is
// Simplified), so 清華大學 segments and tags like 清华大学.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace askio::graph {

// The part-of-speech hints the extractor uses; everything else is kOther.
enum class Pos : uint8_t {
  kUnknown = 0,   // not in the dictionary (a single character)
  kPerson,        // nr, nrfg, nrt
  kPlace,         // ns
  kOrganization,  // nt
  kProperNoun,    // nz
  kAbbreviation,  // j
  kNoun,          // n, ng, nl, ...
  kVerb,          // v, vn, vd, vg, ...
  kNumeral,       // m, mq
  kQuantifier,    // q
  kTime,          // t, tg
  kFunction,      // p, c, u*, r, d, y, e, o, f
  kOther,
};

struct Segment {
  uint32_t begin, end;  // bytes in the segmented text
  Pos pos;
  uint32_t chars;  // code points
};

// Where the dictionary is read from: $ASKIO_JIEBA_DICT if set, else
// /usr/lib/python3/dist-packages/jieba/dict.txt (Debian's python3-jieba).
std::string LexiconPath();

// True when the dictionary was found and loaded (first call loads it, about
// 0.3 s, thread-safe). Without it segmentation yields one segment per
// character with Pos::kUnknown and the extractor relies on its patterns.
bool LexiconAvailable();

// Appends the segments of `han` (a run of Han characters, UTF-8) to `out`,
// offsets shifted by `base`.
void SegmentHan(std::string_view han, uint32_t base, std::vector<Segment>& out);

// The tag of a whole word, or kUnknown when it is not in the dictionary.
Pos LookupPos(std::string_view word);

}  // namespace askio::graph
