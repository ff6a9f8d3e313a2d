#include "text/script_fold.h"

#include <opencc/opencc.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/utf8.h"

namespace askio::text {
namespace {

// CJK Unified Ideographs Extension A and the basic block: where Traditional
// characters with Simplified counterparts live.
constexpr char32_t kFirst = 0x3400;
constexpr char32_t kLast = 0x9FFF;

struct FoldTable {
  std::vector<char32_t> map;  // index c - kFirst
  bool available = false;
};

const FoldTable& Table() {
  static const FoldTable table = [] {
    FoldTable t;
    t.map.resize(kLast - kFirst + 1);
    for (char32_t c = kFirst; c <= kLast; ++c) t.map[c - kFirst] = c;
    opencc_t cc = opencc_open("t2s.json");
    if (cc == reinterpret_cast<opencc_t>(-1)) return t;
    // One conversion of every character, each on its own line so that no
    // phrase rule can span two of them.
    std::string all;
    all.reserve((kLast - kFirst + 1) * 4);
    for (char32_t c = kFirst; c <= kLast; ++c) {
      utf8::Append(all, c);
      all.push_back('\n');
    }
    char* out = opencc_convert_utf8(cc, all.data(), all.size());
    if (out) {
      const std::string_view converted(out);
      size_t i = 0;
      char32_t c = kFirst;
      while (i < converted.size() && c <= kLast) {
        const char32_t folded = utf8::Next(converted, i);
        if (folded == '\n') continue;  // a character that converted to nothing
        // One character in, one character out, then the newline.
        if (i < converted.size() && converted[i] == '\n') {
          t.map[c - kFirst] = folded;
          ++i;
        } else {
          while (i < converted.size() && converted[i] != '\n') ++i;  // multi-char: keep c
          ++i;
        }
        ++c;
      }
      t.available = c > kLast;
      opencc_convert_utf8_free(out);
    }
    opencc_close(cc);
    if (!t.available)
      for (char32_t k = kFirst; k <= kLast; ++k) t.map[k - kFirst] = k;
    return t;
  }();
  return table;
}

}  // namespace

char32_t FoldScript(char32_t c) {
  if (c < kFirst || c > kLast) return c;
  return Table().map[c - kFirst];
}

bool ScriptFoldingAvailable() { return Table().available; }

}  // namespace askio::text
