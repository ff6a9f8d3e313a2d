// Unicode normalisation. Documents are stored in NFC with LF line ends so that
// offsets are stable; analysis folds further (NFKC + case folding) so that
// full-width letters, ligatures and case variants find each other.
#pragma once

#include <string>
#include <string_view>

namespace askio::text {

// NFC, CRLF/CR -> LF, control characters other than \n and \t removed.
std::string NormalizeDocumentText(std::string_view utf8);

// NFKC_Casefold; the fold used for index terms.
std::string FoldForIndex(std::string_view utf8);

// Same as above for a single code point, appended to out, with Traditional
// Chinese characters folded to Simplified (script_fold.h). Fast for ASCII and
// CJK unified ideographs, which NFKC_Casefold leaves as they are.
void AppendFolded(std::string& out, char32_t c);

}  // namespace askio::text
