#include "text/normalize.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>

#include "common/utf8.h"
#include "text/script_fold.h"

namespace askio::text {
namespace {

std::string Apply(const icu::Normalizer2* norm, std::string_view s) {
  std::string out;
  out.reserve(s.size());
  icu::StringByteSink<std::string> sink(&out);
  UErrorCode err = U_ZERO_ERROR;
  norm->normalizeUTF8(0, icu::StringPiece(s.data(), static_cast<int32_t>(s.size())), sink, nullptr,
                      err);
  if (U_FAILURE(err)) return std::string(s);
  return out;
}

const icu::Normalizer2* Nfc() {
  static const icu::Normalizer2* n = [] {
    UErrorCode err = U_ZERO_ERROR;
    return icu::Normalizer2::getNFCInstance(err);
  }();
  return n;
}

const icu::Normalizer2* NfkcCasefold() {
  static const icu::Normalizer2* n = [] {
    UErrorCode err = U_ZERO_ERROR;
    return icu::Normalizer2::getNFKCCasefoldInstance(err);
  }();
  return n;
}

}  // namespace

std::string NormalizeDocumentText(std::string_view utf8) {
  std::string cleaned;
  cleaned.reserve(utf8.size());
  for (size_t i = 0; i < utf8.size(); ++i) {
    const char c = utf8[i];
    if (c == '\r') {
      cleaned.push_back('\n');
      if (i + 1 < utf8.size() && utf8[i + 1] == '\n') ++i;
    } else if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
      continue;  // stray control characters (form feeds, NULs) carry no text
    } else {
      cleaned.push_back(c);
    }
  }
  return Apply(Nfc(), cleaned);
}

std::string FoldForIndex(std::string_view utf8) { return Apply(NfkcCasefold(), utf8); }

void AppendFolded(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    return;
  }
  if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF)) {
    utf8::Append(out, FoldScript(c));
    return;
  }
  std::string one;
  utf8::Append(one, c);
  out += FoldForIndex(one);
}

}  // namespace askio::text
