#include "ingest/decode.h"

#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>
#include <unicode/unistr.h>

#include <memory>

#include "common/utf8.h"

namespace askio::ingest {
namespace {

// Converts strictly: any byte sequence invalid in `charset` is an error.
bool ConvertStrict(const char* charset, std::string_view bytes, std::string& out) {
  UErrorCode err = U_ZERO_ERROR;
  UConverter* conv = ucnv_open(charset, &err);
  if (U_FAILURE(err)) return false;
  std::unique_ptr<UConverter, void (*)(UConverter*)> guard(conv, ucnv_close);
  ucnv_setToUCallBack(conv, UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &err);
  if (U_FAILURE(err)) return false;
  icu::UnicodeString ustr(bytes.data(), static_cast<int32_t>(bytes.size()), conv, err);
  if (U_FAILURE(err)) return false;
  out.clear();
  ustr.toUTF8String(out);
  return true;
}

// ICU's "Big5" (windows-950-2000) maps the stray bytes 0x80 and 0xFF to
// U+0080 and U+F8F8 instead of failing, so a strict conversion alone would
// accept almost any bytes. In real Big5 every byte >= 0x80 is the lead byte
// (0x81-0xFE) of a pair whose trail byte is 0x40-0x7E or 0xA1-0xFE.
bool HasBig5Structure(std::string_view bytes) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto lead = static_cast<unsigned char>(bytes[i]);
    if (lead < 0x80) continue;
    if (lead == 0x80 || lead == 0xFF || i + 1 >= bytes.size()) return false;
    const auto trail = static_cast<unsigned char>(bytes[++i]);
    if (!((trail >= 0x40 && trail <= 0x7E) || (trail >= 0xA1 && trail <= 0xFE))) return false;
  }
  return true;
}

}  // namespace

Result<DecodedText> DecodeAs(std::string_view bytes, const std::string& charset) {
  DecodedText out{{}, charset};
  if (!ConvertStrict(charset.c_str(), bytes, out.utf8))
    return Err(Status::InvalidArgument("not valid " + charset + " text"));
  return out;
}

Result<DecodedText> DecodeText(std::string_view bytes) {
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  if (bytes.size() >= 2 && (bytes.substr(0, 2) == "\xFF\xFE" || bytes.substr(0, 2) == "\xFE\xFF")) {
    const bool le = bytes[0] == '\xFF';
    DecodedText out{{}, le ? "UTF-16LE" : "UTF-16BE"};
    if (!ConvertStrict(out.encoding.c_str(), bytes.substr(2), out.utf8))
      return Err(Status::InvalidArgument("malformed " + out.encoding + " text"));
    return out;
  }
  size_t bad = 0;
  if (utf8::IsValid(bytes, &bad)) {
    if (bytes.find('\0') != std::string_view::npos)
      return Err(Status::Unsupported("binary file (contains NUL bytes)"));
    return DecodedText{std::string(bytes), "UTF-8"};
  }
  if (bytes.find('\0') != std::string_view::npos)
    return Err(Status::Unsupported("binary file (contains NUL bytes)"));

  // Not UTF-8: ask ICU which Chinese legacy encoding fits best, then insist
  // that the whole file decodes in it.
  UErrorCode err = U_ZERO_ERROR;
  UCharsetDetector* det = ucsdet_open(&err);
  std::unique_ptr<UCharsetDetector, void (*)(UCharsetDetector*)> guard(det, ucsdet_close);
  int32_t matches = 0;
  const UCharsetMatch** all = nullptr;
  if (U_SUCCESS(err)) {
    ucsdet_setText(det, bytes.data(), static_cast<int32_t>(bytes.size()), &err);
    all = ucsdet_detectAll(det, &matches, &err);
  }
  std::string candidates[2];
  int n = 0;
  for (int32_t m = 0; U_SUCCESS(err) && m < matches && n < 2; ++m) {
    UErrorCode e = U_ZERO_ERROR;
    const std::string name = ucsdet_getName(all[m], &e);
    if ((name == "GB18030" || name == "Big5") && (n == 0 || candidates[0] != name))
      candidates[n++] = name;
  }
  // Order: what the detector preferred, then the other one.
  if (n == 0) {
    candidates[0] = "GB18030";
    candidates[1] = "Big5";
    n = 2;
  } else if (n == 1) {
    candidates[1] = candidates[0] == "GB18030" ? "Big5" : "GB18030";
    n = 2;
  }
  for (int k = 0; k < n; ++k) {
    if (candidates[k] == "Big5" && !HasBig5Structure(bytes)) continue;
    DecodedText out{{}, candidates[k]};
    if (ConvertStrict(candidates[k].c_str(), bytes, out.utf8)) return out;
  }
  return Err(Status::InvalidArgument("invalid UTF-8 at byte " + std::to_string(bad) +
                                     ", and not valid GB18030, Big5 or UTF-16 either"));
}

}  // namespace askio::ingest
